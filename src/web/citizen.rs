//! Citizen pages: no login, no JavaScript needed, Vietnamese unless `?lang=en`.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{has_content_type, read_body, resource, State, MAX_BODY_BYTES};
use crate::definitions::{SurveyVersion, COMMENT_KEY};
use crate::domain::InvitationCode;
use crate::domain::{Channel, FieldErrors, RawSubmission, RawValue, ResponseId, Submission};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::collect::{self, Outcome, RecordError, Replay};
use crate::views::citizen::{self as view, FormView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/", "GET").route(web::get().to(index)))
        .service(
            resource("/s/{slug}", "GET, POST")
                .route(web::get().to(show_form))
                .route(web::post().to(submit_form)),
        )
        .service(resource("/s/{slug}/thanks", "GET").route(web::get().to(thanks)))
        .default_service(web::to(not_found));
}

#[derive(Deserialize)]
struct PageQuery {
    lang: Option<String>,
    unit: Option<String>,
    /// An invitation code from a slip's QR code.
    code: Option<String>,
    already: Option<String>,
}

impl PageQuery {
    fn lang(&self) -> Lang {
        Lang::from_query(self.lang.as_deref())
    }
}

fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("no such page".into()))
}

async fn index(state: State, query: web::Query<PageQuery>) -> HttpResponse {
    html(
        StatusCode::OK,
        view::index(query.lang(), &state.catalog, state.clock.today()),
    )
}

/// The service point `code` names, if it serves `survey`'s department: what
/// a form may preselect. Anything else is simply not preselected.
fn unit_of<'a>(state: &'a State, survey: &SurveyVersion, code: Option<&str>) -> Option<&'a str> {
    code.and_then(|code| state.catalog.unit(code))
        .filter(|u| u.department == survey.survey.department && u.open_on(state.clock.today()))
        .map(|u| u.code.as_str())
}

fn current<'a>(state: &'a State, slug: &str) -> Result<&'a SurveyVersion, AppError> {
    state
        .catalog
        .survey(slug)
        .map(|v| v.as_ref())
        .ok_or_else(|| AppError::NotFound(format!("no survey \"{slug}\"")))
}

struct FormState<'a> {
    lang: Lang,
    version: &'a SurveyVersion,
    unit: Option<&'a str>,
    response_id: String,
    values: HashMap<String, Vec<String>>,
    errors: FieldErrors,
    notice: Option<&'a str>,
    invitation: Option<InvitationCode>,
}

fn render_form(
    state: &State,
    status: StatusCode,
    form: FormState,
) -> Result<HttpResponse, AppError> {
    let survey = &form.version.survey;
    let department = state
        .catalog
        .department(&survey.department)
        .ok_or_else(|| AppError::Internal(format!("survey {} has no department", survey.slug)))?;
    let view = FormView {
        lang: form.lang,
        survey,
        version: &form.version.hash,
        department_name: department.name_on(state.clock.today()).get(form.lang),
        units: state
            .catalog
            .units_of(&survey.department)
            .filter(|u| u.open_on(state.clock.today()))
            .collect(),
        selected_unit: form.unit,
        response_id: form.response_id,
        values: &form.values,
        errors: &form.errors,
        notice: form.notice,
        invitation: form.invitation.as_ref(),
    };
    Ok(html(status, view::form(&view)))
}

async fn show_form(
    state: State,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = query.lang();
    let version = current(&state, &slug)?;
    // A QR code names its service point, and on an invitation slip the
    // code too.
    let unit = unit_of(&state, version, query.unit.as_deref());
    let code = query.code.as_deref().filter(|c| !c.trim().is_empty());
    let invitation = code.and_then(InvitationCode::parse);
    let notice = (code.is_some() && invitation.is_none()).then(|| invitation_refused(lang));
    render_form(
        &state,
        StatusCode::OK,
        FormState {
            lang,
            version,
            unit,
            // A fresh id per rendering: submitting twice, or going back and
            // submitting again, is recognised as the same response.
            response_id: ResponseId::new_random().to_string(),
            values: HashMap::new(),
            errors: FieldErrors::default(),
            notice,
            invitation,
        },
    )
}

/// Fields of the form that are not answers.
const FORM_META: [&str; 5] = ["id", "version", "lang", "unit", "code"];

/// Why a form came back without its invitation code: it may be sent again
/// without one.
fn invitation_refused(lang: Lang) -> &'static str {
    lang.pick(
        "Mã mời không đúng, đã được dùng, không thuộc nơi được chọn hoặc ngoài thời gian của đợt khảo sát. Câu trả lời của Ông/Bà vẫn được giữ: bấm “Gửi phiếu” để gửi mà không cần mã.",
        "The invitation code is wrong, used already, for another service point, or outside its survey wave. Your answers are kept: press “Send” to send them without a code.",
    )
}

async fn submit_form(
    state: State,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let mut lang = query.lang();
    let version = current(&state, &slug)?;
    if !has_content_type(&req, "application/x-www-form-urlencoded") {
        return Err(AppError::UnsupportedMediaType {
            expected: "application/x-www-form-urlencoded",
        });
    }
    let body = read_body(&req, payload, MAX_BODY_BYTES).await?;
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in form_urlencoded::parse(&body) {
        values
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    let first = |key: &str| values.get(key).and_then(|v| v.first()).cloned();
    if let Some(l) = first("lang") {
        lang = Lang::from_query(Some(&l));
    }
    // Every rendered form carries its response id and version; a body
    // without them did not come from one (and without an id a resend could
    // not be recognised as the same response).
    let Some(response_id) = first("id").and_then(|id| ResponseId::parse(&id)) else {
        return Err(AppError::BadRequest(
            "the form has no valid response id; open the questionnaire again".into(),
        ));
    };
    if first("version").is_none() {
        return Err(AppError::BadRequest(
            "the form does not say which questionnaire it answers; open it again".into(),
        ));
    }
    let response_id = response_id.to_string();
    let code = first("code").filter(|c| !c.trim().is_empty());
    let carried = code.as_deref().and_then(InvitationCode::parse);

    let raw = RawSubmission {
        id: values.get("id").cloned().map(RawValue::Text),
        unit: values.get("unit").cloned().map(RawValue::Text),
        comment: values.get(COMMENT_KEY).cloned().map(RawValue::Text),
        answers: values
            .iter()
            .filter(|(k, _)| !FORM_META.contains(&k.as_str()) && k.as_str() != COMMENT_KEY)
            .map(|(k, v)| (k.clone(), RawValue::Text(v.clone())))
            .collect(),
    };
    if first("version").as_deref() != Some(version.hash.as_str()) {
        // Sent again after the questionnaire changed: if this form was
        // recorded already, say so rather than asking to answer again.
        if let Some(id) = first("id").and_then(|id| ResponseId::parse(&id)) {
            let ctx = state.clone();
            let (slug, replay_raw) = (version.survey.slug.clone(), raw.clone());
            if let Ok(Ok(Replay::Same | Replay::Different)) =
                web::block(move || collect::replay_of(&ctx, &slug, id, replay_raw)).await
            {
                return Ok(redirect_to_thanks(
                    version,
                    lang,
                    first("unit").as_deref(),
                    true,
                ));
            }
        }
        let unit = first("unit");
        let unit = unit_of(&state, version, unit.as_deref());
        return render_form(
            &state,
            StatusCode::CONFLICT,
            FormState {
                lang,
                version,
                unit,
                response_id,
                values,
                errors: FieldErrors::default(),
                notice: Some(lang.pick(
                    "Phiếu khảo sát vừa được cập nhật. Vui lòng xem lại câu trả lời rồi gửi lại.",
                    "The questionnaire has just been updated. Please review your answers and send again.",
                )),
                invitation: carried,
            },
        );
    }

    let raw = RawSubmission {
        id: values.get("id").cloned().map(RawValue::Text),
        unit: values.get("unit").cloned().map(RawValue::Text),
        comment: values.get(COMMENT_KEY).cloned().map(RawValue::Text),
        answers: values
            .iter()
            .filter(|(k, _)| !FORM_META.contains(&k.as_str()) && k.as_str() != COMMENT_KEY)
            .map(|(k, v)| (k.clone(), RawValue::Text(v.clone())))
            .collect(),
    };
    // One date for judging and storing, even across midnight.
    let today = state.clock.today();
    let submission = match Submission::parse(
        raw,
        &version.survey,
        &state.catalog,
        today,
        ResponseId::new_random,
    ) {
        Ok(submission) => submission,
        Err(errors) => {
            let unit = first("unit");
            let unit = unit_of(&state, version, unit.as_deref());
            return render_form(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormState {
                    lang,
                    version,
                    unit,
                    response_id,
                    values,
                    errors,
                    notice: None,
                    invitation: carried,
                },
            );
        }
    };

    let invitation = code.as_deref().map(InvitationCode::parse);
    let refused = |values| {
        render_form(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState {
                lang,
                version,
                unit: Some(&submission.unit),
                response_id: response_id.clone(),
                values,
                errors: FieldErrors::default(),
                notice: Some(invitation_refused(lang)),
                invitation: None,
            },
        )
    };
    let invitation = match invitation {
        Some(None) => return refused(values),
        Some(Some(code)) => Some(code),
        None => None,
    };
    let db = state.db.clone();
    let stored_version = version.clone();
    let stored = submission.clone();
    let outcome = web::block(move || {
        collect::record(
            &db,
            &stored_version,
            &stored,
            Channel::Web,
            today,
            invitation.as_ref(),
        )
    })
    .await?;
    let already = match outcome {
        Ok(Outcome::Recorded) => false,
        // Going back and sending again, even with changed answers, records
        // one response: the first.
        Ok(Outcome::AlreadyRecorded) | Err(RecordError::Conflict | RecordError::Replayed) => true,
        Err(RecordError::Invitation) => return refused(values),
        Err(RecordError::Db(e)) => return Err(e.into()),
    };
    Ok(redirect_to_thanks(
        version,
        lang,
        Some(&submission.unit),
        already,
    ))
}

/// Post/redirect/get to the thank-you page.
fn redirect_to_thanks(
    version: &SurveyVersion,
    lang: Lang,
    unit: Option<&str>,
    already: bool,
) -> HttpResponse {
    let mut location = format!("/s/{}/thanks?lang={}", version.survey.slug, lang.code());
    if let Some(unit) = unit {
        let unit: String = form_urlencoded::byte_serialize(unit.as_bytes()).collect();
        location.push_str(&format!("&unit={unit}"));
    }
    if already {
        location.push_str("&already=1");
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

async fn thanks(
    state: State,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = query.lang();
    let version = current(&state, &slug)?;
    let unit = unit_of(&state, version, query.unit.as_deref());
    Ok(html(
        StatusCode::OK,
        view::thanks(lang, &version.survey, unit, query.already.is_some()),
    ))
}
