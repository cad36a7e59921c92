//! Citizen pages: no login, no JavaScript needed, Vietnamese unless `?lang=en`.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;
use serde::Deserialize;

use super::{has_content_type, read_body, resource, State, MAX_BODY_BYTES};
use crate::definitions::{QuestionKind, Section, SurveyVersion, COMMENT_KEY};
use crate::domain::answer_field;
use crate::domain::pages::{fields_of, merge_screen, shown_sections, FormValues};
use crate::domain::InvitationCode;
use crate::domain::{Channel, FieldErrors, RawSubmission, RawValue, ResponseId, Submission};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::collect::writer::SubmissionWriter;
use crate::services::collect::{self, drafts, Outcome, RecordError, Replay};
use crate::views::citizen::{self as view, FormView, ScreenView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/", "GET").route(web::get().to(index)))
        .service(
            resource("/s/{slug}", "GET, POST")
                .route(web::get().to(show_form))
                .route(web::post().to(submit_form)),
        )
        .service(resource("/s/{slug}/r/{id}", "GET").route(web::get().to(resume)))
        .service(resource("/s/{slug}/thanks", "GET").route(web::get().to(thanks)))
        .service(resource("/privacy", "GET").route(web::get().to(privacy)))
        .service(resource("/form.js", "GET").route(web::get().to(form_script)))
        .service(resource("/sw.js", "GET").route(web::get().to(service_worker)))
        .service(resource("/kiosk/{unit}/{slug}", "GET").route(web::get().to(kiosk_start)))
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

/// Citizen pages may load the site's own script (offline support), and
/// nothing else.
pub(crate) const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; connect-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .body(markup.into_string())
}

/// The script that registers the service worker.
async fn form_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "max-age=3600"))
        .body(include_str!("../../static/form.js"))
}

/// The service worker: always checked for a newer version.
async fn service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // A worker's fetches obey its own script's policy.
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .body(include_str!("../../static/sw.js"))
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
    values: FormValues,
    errors: FieldErrors,
    notice: Option<&'a str>,
    invitation: Option<InvitationCode>,
    kiosk: Option<Kiosk>,
}

/// A tablet at a counter: every screen is drawn in the answer to its post
/// (no address that resumes a draft stays in the browser's history), never
/// kept in a cache, and a screen left alone for `idle` seconds returns to a
/// blank form, discarding the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Kiosk {
    unit: String,
    idle: u32,
}

impl Kiosk {
    const DEFAULT_IDLE: u32 = 180;

    /// From `?idle=` or the form: 30 s to 30 min, 3 min when not given.
    fn idle_of(text: Option<&str>) -> Result<u32, AppError> {
        match text {
            None => Ok(Self::DEFAULT_IDLE),
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|s| (30..=1800).contains(s))
                .ok_or_else(|| AppError::BadRequest("idle must be 30 to 1800 seconds".into())),
        }
    }

    /// The blank form this kiosk returns to, discarding `draft` if given.
    fn start(&self, slug: &str, lang: Lang, draft: Option<ResponseId>) -> String {
        let mut href = format!(
            "/kiosk/{}/{slug}?idle={}&lang={}",
            self.unit,
            self.idle,
            lang.code()
        );
        if let Some(id) = draft {
            href.push_str(&format!("&discard={id}"));
        }
        href
    }

    /// No cache, and back to a blank form after `after` seconds.
    fn seal(&self, mut response: HttpResponse, after: u32, to: &str) -> HttpResponse {
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        if let Ok(value) = header::HeaderValue::from_str(&format!("{after}; url={to}")) {
            headers.insert(header::HeaderName::from_static("refresh"), value);
        }
        response
    }
}

impl<'a> FormState<'a> {
    /// A form page with nothing but its questionnaire and response id.
    fn new(lang: Lang, version: &'a SurveyVersion, response_id: String) -> FormState<'a> {
        FormState {
            lang,
            version,
            unit: None,
            response_id,
            values: HashMap::new(),
            errors: FieldErrors::default(),
            notice: None,
            invitation: None,
            kiosk: None,
        }
    }
}

/// How a form page is drawn: the whole questionnaire, or one screen.
enum Layout {
    Whole,
    Screen(usize),
}

fn render_form(
    state: &State,
    status: StatusCode,
    form: FormState,
    layout: Layout,
) -> Result<HttpResponse, AppError> {
    let survey = &form.version.survey;
    let today = state.clock.today();
    let department = state
        .catalog
        .department(&survey.department)
        .ok_or_else(|| AppError::Internal(format!("survey {} has no department", survey.slug)))?;
    let selected = form.unit.or_else(|| {
        form.values
            .get("unit")
            .and_then(|v| v.first())
            .map(String::as_str)
    });
    let view = FormView {
        lang: form.lang,
        site: &state.catalog.site,
        survey,
        version: &form.version.hash,
        department_name: department.name_on(today).get(form.lang),
        units: state
            .catalog
            .units_of(&survey.department)
            .filter(|u| u.open_on(today))
            .collect(),
        selected_unit: selected,
        response_id: form.response_id.clone(),
        values: &form.values,
        errors: &form.errors,
        notice: form.notice,
        invitation: form.invitation.as_ref(),
        kiosk: form.kiosk.as_ref().map(|k| (k.unit.as_str(), k.idle)),
    };
    let response = match layout {
        Layout::Whole => html(status, view::form(&view)),
        Layout::Screen(page) => {
            let sections = shown_sections(survey, &form.values);
            let page = page.min(sections.len());
            html(
                status,
                view::screen(&ScreenView {
                    form: view,
                    sections,
                    page,
                }),
            )
        }
    };
    Ok(match &form.kiosk {
        Some(kiosk) => {
            let start = kiosk.start(
                &survey.slug,
                form.lang,
                ResponseId::parse(&form.response_id),
            );
            kiosk.seal(response, kiosk.idle, &start)
        }
        None => response,
    })
}

fn unit_notice(lang: Lang) -> &'static str {
    lang.pick(
        "Mã nơi phục vụ trong đường dẫn không đúng hoặc nơi đó không còn tiếp nhận hồ sơ; vui lòng chọn nơi Ông/Bà được phục vụ.",
        "The service point in the link is unknown or no longer open; please choose where you were served.",
    )
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
    let notice = if code.is_some() && invitation.is_none() {
        Some(invitation_refused(lang))
    } else if query.unit.is_some() && unit.is_none() {
        Some(unit_notice(lang))
    } else {
        None
    };
    render_form(
        &state,
        StatusCode::OK,
        FormState {
            unit,
            notice,
            invitation,
            // A fresh id per rendering: submitting twice, or going back and
            // submitting again, is recognised as the same response.
            ..FormState::new(lang, version, ResponseId::new_random().to_string())
        },
        Layout::Screen(0),
    )
}

#[derive(Deserialize)]
struct ResumeQuery {
    lang: Option<String>,
    page: Option<usize>,
}

/// `/s/{slug}/r/{id}?page=N`: the questionnaire at screen N with the
/// answers kept so far; the address to come back to.
async fn resume(
    state: State,
    path: web::Path<(String, String)>,
    query: web::Query<ResumeQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let lang = Lang::from_query(query.lang.as_deref());
    let version = current(&state, &slug)?;
    let id = ResponseId::parse(&id)
        .ok_or_else(|| AppError::NotFound("no such questionnaire in progress".into()))?;
    let ctx = state.clone();
    let hash = version.hash.clone();
    let draft = web::block(move || drafts::load(&ctx, id, &hash)).await??;
    let page = query.page.unwrap_or(0);
    let (values, notice, page) = match draft {
        Some(values) => (values, None, page),
        None if page == 0 => (HashMap::new(), None, 0),
        None => (
            HashMap::new(),
            Some(lang.pick(
                "Không còn câu trả lời đã lưu của phiếu này (phiếu đã gửi, hoặc đã quá 7 ngày). Vui lòng trả lời từ đầu.",
                "The answers kept for this form are gone (it was sent, or 7 days have passed). Please start again.",
            )),
            0,
        ),
    };
    render_form(
        &state,
        StatusCode::OK,
        FormState {
            values,
            notice,
            ..FormState::new(lang, version, id.to_string())
        },
        Layout::Screen(page),
    )
}

/// Fields of the form that are not answers.
const FORM_META: [&str; 10] = [
    "id", "version", "lang", "unit", "code", "go", "page", "section", "kiosk", "idle",
];

/// Why a form came back without its invitation code: it may be sent again
/// without one.
fn invitation_refused(lang: Lang) -> &'static str {
    lang.pick(
        "Mã mời không đúng, đã được dùng, không thuộc nơi được chọn hoặc ngoài thời gian của đợt khảo sát. Câu trả lời của Ông/Bà vẫn được giữ: bấm “Gửi phiếu” để gửi mà không cần mã.",
        "The invitation code is wrong, used already, for another service point, or outside its survey wave. Your answers are kept: press “Send” to send them without a code.",
    )
}

/// What a screen's button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Go {
    Next,
    Back,
    Send,
    Edit(usize),
    Language(Lang),
}

impl Go {
    fn parse(text: &str) -> Option<Go> {
        match text {
            "next" => Some(Go::Next),
            "back" => Some(Go::Back),
            "send" => Some(Go::Send),
            "lang-vi" => Some(Go::Language(Lang::Vi)),
            "lang-en" => Some(Go::Language(Lang::En)),
            other => other
                .strip_prefix("edit-")
                .and_then(|n| n.parse().ok())
                .map(Go::Edit),
        }
    }
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

fn raw_of(values: &FormValues) -> RawSubmission {
    RawSubmission {
        id: values.get("id").cloned().map(RawValue::Text),
        unit: values.get("unit").cloned().map(RawValue::Text),
        comment: values.get(COMMENT_KEY).cloned().map(RawValue::Text),
        answers: values
            .iter()
            .filter(|(k, _)| !FORM_META.contains(&k.as_str()) && k.as_str() != COMMENT_KEY)
            .map(|(k, v)| (k.clone(), RawValue::Text(v.clone())))
            .collect(),
    }
}

async fn submit_form(
    state: State,
    writer: web::Data<SubmissionWriter>,
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
    let mut sent: FormValues = HashMap::new();
    for (key, value) in form_urlencoded::parse(&body) {
        sent.entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    let first = |key: &str| sent.get(key).and_then(|v| v.first()).cloned();
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
    let Some(sent_version) = first("version") else {
        return Err(AppError::BadRequest(
            "the form does not say which questionnaire it answers; open it again".into(),
        ));
    };
    let code = first("code").filter(|c| !c.trim().is_empty());
    let kiosk = match first("kiosk") {
        None => None,
        Some(unit) => {
            if unit_of(&state, version, Some(&unit)).is_none() {
                return Err(AppError::BadRequest(format!(
                    "\"{unit}\" is not an open service point of this survey"
                )));
            }
            let idle = Kiosk::idle_of(first("idle").as_deref())?;
            Some(Kiosk { unit, idle })
        }
    };
    let go = match first("go") {
        None => None,
        Some(text) => Some(Go::parse(&text).ok_or_else(|| {
            AppError::BadRequest(format!(
                "the form asked for \"{text}\", which no button does"
            ))
        })?),
    };

    if sent_version != version.hash {
        // Sent again after the questionnaire changed: if this form was
        // recorded already, say so rather than asking to answer again.
        let ctx = state.clone();
        let (survey_slug, replay_raw) = (version.survey.slug.clone(), raw_of(&sent));
        if let Ok(Ok(Replay::Same | Replay::Different)) =
            web::block(move || collect::replay_of(&ctx, &survey_slug, response_id, replay_raw))
                .await
        {
            return Ok(redirect_to_thanks(
                version,
                lang,
                first("unit").as_deref(),
                true,
            ));
        }
        let unit = first("unit");
        let unit = unit_of(&state, version, unit.as_deref());
        return render_form(
            &state,
            StatusCode::CONFLICT,
            FormState {
                unit,
                values: sent,
                notice: Some(lang.pick(
                    "Phiếu khảo sát vừa được cập nhật. Vui lòng xem lại câu trả lời rồi gửi lại.",
                    "The questionnaire has just been updated. Please review your answers and send again.",
                )),
                invitation: code.as_deref().and_then(InvitationCode::parse),
                kiosk: kiosk.clone(),
                ..FormState::new(lang, version, response_id.to_string())
            },
            match go {
                None => Layout::Whole,
                Some(_) => Layout::Screen(0),
            },
        );
    }

    let Some(go) = go else {
        // A whole questionnaire in one body (an older page, a script).
        let sending = Sending {
            lang,
            response_id,
            values: sent,
            code,
            kiosk,
            layout: Layout::Whole,
        };
        return finish(&state, &writer, version, sending).await;
    };

    // One screen: its answers join the draft kept under the response id.
    let ctx = state.clone();
    let hash = version.hash.clone();
    let draft = web::block(move || drafts::load(&ctx, response_id, &hash)).await??;
    if draft.is_none() && go == Go::Send {
        // Sent already (a double tap, the back button): the draft went with
        // the sending, and the first sending stands.
        let ctx = state.clone();
        let (survey_slug, raw) = (version.survey.slug.clone(), raw_of(&sent));
        if let Replay::Same | Replay::Different =
            web::block(move || collect::replay_of(&ctx, &survey_slug, response_id, raw)).await??
        {
            return Ok(redirect_to_thanks(
                version,
                lang,
                first("unit").as_deref(),
                true,
            ));
        }
    }
    let mut values = draft.unwrap_or_default();
    let before = shown_sections(&version.survey, &values);
    let page: usize = match first("page").map(|p| p.parse::<usize>()) {
        None => 0,
        Some(Ok(page)) if page <= before.len() => page,
        Some(_) => {
            return Err(AppError::BadRequest(
                "the form names a screen this questionnaire does not have".into(),
            ))
        }
    };
    // The screen is known by its section, not only its place: a form sent
    // from a stale page (another tab, the back button) after earlier answers
    // changed which sections are shown must not overwrite another section.
    let sent_section = first("section");
    match (before.get(page), sent_section.as_deref()) {
        (Some(section), Some(key)) if key != section.key => {
            return render_form(
                &state,
                StatusCode::CONFLICT,
                FormState {
                    values,
                    notice: Some(lang.pick(
                        "Trang này đã cũ (các câu trả lời trước đã đổi). Đây là phần hiện tại của phiếu; vui lòng trả lời lại phần này.",
                        "That page was out of date (earlier answers changed). Here is the current part of the form; please answer it again.",
                    )),
                    invitation: code.as_deref().and_then(InvitationCode::parse),
                    kiosk: kiosk.clone(),
                    ..FormState::new(lang, version, response_id.to_string())
                },
                Layout::Screen(page),
            );
        }
        (Some(section), _) => merge_screen(&mut values, &sent, &fields_of(section, page == 0)),
        (None, _) => {}
    }
    values.insert("id".into(), vec![response_id.to_string()]);
    let sections = shown_sections(&version.survey, &values);
    let invitation = code.as_deref().and_then(InvitationCode::parse);
    let save = |values: FormValues| {
        let ctx = state.clone();
        let hash = version.hash.clone();
        async move {
            web::block(move || drafts::save(&ctx, response_id, &hash, &values))
                .await?
                .map_err(AppError::from)
        }
    };
    // The next screen: at its own address, or on a kiosk drawn at once.
    // With an invitation code the screens are drawn at once as well: the
    // code must never share an address (and a proxy's log line) with the
    // response id.
    let inline = kiosk.is_some() || invitation.is_some();
    let to = |page: usize, lang: Lang, values: FormValues| match inline {
        true => render_form(
            &state,
            StatusCode::OK,
            FormState {
                values,
                invitation: invitation.clone(),
                kiosk: kiosk.clone(),
                ..FormState::new(lang, version, response_id.to_string())
            },
            Layout::Screen(page),
        ),
        false => Ok(see_other(view::resume_href(
            &version.survey.slug,
            &response_id.to_string(),
            page,
            lang,
        ))),
    };
    match go {
        Go::Back => {
            save(values.clone()).await?;
            to(page.saturating_sub(1), lang, values)
        }
        Go::Edit(target) => {
            save(values.clone()).await?;
            to(target.min(sections.len()), lang, values)
        }
        Go::Language(other) => {
            save(values.clone()).await?;
            to(page, other, values)
        }
        Go::Next => {
            let errors = screen_faults(
                &state,
                version,
                &values,
                sections.get(page).copied(),
                page == 0,
            );
            save(values.clone()).await?;
            if errors.is_empty() {
                to(page.saturating_add(1).min(sections.len()), lang, values)
            } else {
                render_form(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FormState {
                        values,
                        errors,
                        invitation,
                        kiosk: kiosk.clone(),
                        ..FormState::new(lang, version, response_id.to_string())
                    },
                    Layout::Screen(page),
                )
            }
        }
        Go::Send => {
            save(values.clone()).await?;
            let page = sections.len();
            let sending = Sending {
                lang,
                response_id,
                values,
                code,
                kiosk,
                layout: Layout::Screen(page),
            };
            finish(&state, &writer, version, sending).await
        }
    }
}

/// The faults of one screen's answers: the whole draft is judged, and the
/// faults of the screen's own fields kept (that at least one rating is
/// answered is judged when the questionnaire is sent).
fn screen_faults(
    state: &State,
    version: &SurveyVersion,
    values: &FormValues,
    section: Option<&Section>,
    first_screen: bool,
) -> FieldErrors {
    let Some(section) = section else {
        return FieldErrors::default();
    };
    let fields: Vec<String> = fields_of(section, first_screen)
        .into_iter()
        .map(|f| match f.as_str() {
            "unit" | COMMENT_KEY => f,
            key if version
                .survey
                .question(key)
                .is_some_and(|q| q.kind == QuestionKind::Text) =>
            {
                f
            }
            key => answer_field(key),
        })
        .collect();
    match Submission::parse(
        raw_of(values),
        &version.survey,
        &state.catalog,
        state.clock.today(),
        ResponseId::new_random,
    ) {
        Ok(_) => FieldErrors::default(),
        Err(errors) => {
            let mut kept = FieldErrors::default();
            for (field, error) in errors.0 {
                if fields.contains(&field) {
                    kept.add(field, error);
                }
            }
            kept
        }
    }
}

/// Sends a whole questionnaire: judged, stored with its invitation code if
/// any, its draft forgotten. Faults bring back `layout` with the answers.
/// A questionnaire being sent, and how to draw it again if it has faults.
struct Sending {
    lang: Lang,
    response_id: ResponseId,
    values: FormValues,
    code: Option<String>,
    kiosk: Option<Kiosk>,
    layout: Layout,
}

async fn finish(
    state: &State,
    writer: &SubmissionWriter,
    version: &SurveyVersion,
    sending: Sending,
) -> Result<HttpResponse, AppError> {
    let Sending {
        lang,
        response_id,
        values,
        code,
        kiosk,
        layout,
    } = sending;
    let carried = code.as_deref().and_then(InvitationCode::parse);
    // One date for judging and storing, even across midnight.
    let today = state.clock.today();
    let submission = match Submission::parse(
        raw_of(&values),
        &version.survey,
        &state.catalog,
        today,
        ResponseId::new_random,
    ) {
        Ok(submission) => submission,
        Err(errors) => {
            let unit = values.get("unit").and_then(|v| v.first()).cloned();
            let unit = unit_of(state, version, unit.as_deref());
            return render_form(
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormState {
                    unit,
                    values,
                    errors,
                    invitation: carried,
                    kiosk: kiosk.clone(),
                    ..FormState::new(lang, version, response_id.to_string())
                },
                layout,
            );
        }
    };
    let refused = |values: FormValues, layout: Layout| {
        render_form(
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState {
                unit: Some(&submission.unit),
                values,
                notice: Some(invitation_refused(lang)),
                kiosk: kiosk.clone(),
                ..FormState::new(lang, version, response_id.to_string())
            },
            layout,
        )
    };
    let invitation = match code.as_deref().map(InvitationCode::parse) {
        Some(None) => return refused(values, layout),
        Some(Some(code)) => Some(code),
        None => None,
    };
    let channel = if kiosk.is_some() {
        Channel::Kiosk
    } else {
        Channel::Web
    };
    let outcome = collect::record(
        state,
        writer,
        version,
        &submission,
        channel,
        today,
        invitation.as_ref(),
    )
    .await;
    let already = match outcome {
        Ok(Outcome::Recorded) => false,
        // Sending again, even with changed answers, records one response:
        // the first, sent with the explicit "Send".
        Ok(Outcome::AlreadyRecorded) | Err(RecordError::Conflict | RecordError::Replayed) => true,
        Err(RecordError::Invitation) => return refused(values, layout),
        Err(RecordError::Db(e)) => return Err(e.into()),
    };
    let ctx = state.clone();
    // A draft left behind expires anyway; its loss is no reason to fail.
    if let Err(e) = web::block(move || drafts::discard(&ctx, response_id)).await? {
        log::warn!(
            "a sent questionnaire's draft was not deleted: {}",
            crate::error::with_causes(&e)
        );
    }
    Ok(match &kiosk {
        // Thanks, then a blank form for the next citizen.
        Some(kiosk) => {
            let start = kiosk.start(&version.survey.slug, lang, None);
            let page = view::thanks(
                lang,
                &state.catalog.site,
                &version.survey,
                view::Again::Kiosk(&start),
                already,
                false,
            );
            kiosk.seal(html(StatusCode::OK, page), 8, &start)
        }
        None => redirect_to_thanks(version, lang, Some(&submission.unit), already),
    })
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

#[derive(Deserialize)]
struct KioskQuery {
    lang: Option<String>,
    idle: Option<String>,
    /// The draft of the form left behind, forgotten now.
    discard: Option<String>,
}

/// `/kiosk/{unit}/{slug}?idle=SECONDS`: the tablet at a counter. A blank
/// form for the service point, after every sending and after `idle` seconds
/// without a new screen (3 minutes unless given); the draft left behind is
/// deleted, so going back shows nothing of the previous citizen.
async fn kiosk_start(
    state: State,
    path: web::Path<(String, String)>,
    query: web::Query<KioskQuery>,
) -> Result<HttpResponse, AppError> {
    let (unit, slug) = path.into_inner();
    let lang = Lang::from_query(query.lang.as_deref());
    let version = current(&state, &slug)?;
    let Some(unit) = unit_of(&state, version, Some(&unit)) else {
        return Err(AppError::NotFound(format!(
            "\"{unit}\" is not an open service point of this survey"
        )));
    };
    let idle = Kiosk::idle_of(query.idle.as_deref())?;
    if let Some(id) = query.discard.as_deref().and_then(ResponseId::parse) {
        let ctx = state.clone();
        web::block(move || drafts::discard(&ctx, id)).await??;
    }
    render_form(
        &state,
        StatusCode::OK,
        FormState {
            unit: Some(unit),
            kiosk: Some(Kiosk {
                unit: unit.to_string(),
                idle,
            }),
            ..FormState::new(lang, version, ResponseId::new_random().to_string())
        },
        Layout::Screen(0),
    )
}

async fn privacy(state: State, query: web::Query<PageQuery>) -> HttpResponse {
    html(
        StatusCode::OK,
        view::privacy(query.lang(), &state.catalog.site, state.stats.min_cell),
    )
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
        view::thanks(
            lang,
            &state.catalog.site,
            &version.survey,
            view::Again::Unit(unit),
            query.already.is_some(),
            crate::services::public_results::is_public(&state, &version.survey.department),
        ),
    ))
}
