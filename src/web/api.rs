//! JSON API for kiosk apps, QR posters and API clients: `/api/v1/…`.

use crate::services::collect::writer::SubmissionWriter;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::{has_content_type, read_body, resource, State, MAX_BODY_BYTES};
use crate::definitions::{Catalog, Localized, Survey, SurveyVersion, Unit};
use crate::domain::InvitationCode;
use crate::domain::{
    Channel, FieldError, FieldErrors, RawSubmission, RawValue, ResponseId, Submission,
};
use crate::error::{AppError, ErrorBody};
use crate::services::collect::{self, Outcome, RecordError, Replay};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(resource("/surveys", "GET").route(web::get().to(list_surveys)))
            .service(resource("/surveys/{slug}", "GET").route(web::get().to(get_survey)))
            .service(resource("/surveys/{slug}/responses", "POST").route(web::post().to(submit)))
            .service(resource("/units", "GET").route(web::get().to(list_units)))
            .service(
                resource("/openapi.json", "GET").route(web::get().to(super::openapi::document)),
            )
            .configure(super::indices::routes)
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(AppError::NotFound("no such API route".into()))
            })),
    );
}

fn current<'a>(catalog: &'a Catalog, slug: &str) -> Result<&'a SurveyVersion, AppError> {
    catalog
        .survey(slug)
        .map(|v| v.as_ref())
        .ok_or_else(|| AppError::NotFound(format!("no survey \"{slug}\"")))
}

/// A questionnaire in the list of `/api/v1/surveys`.
#[derive(Serialize, ToSchema)]
pub struct SurveySummary {
    pub slug: String,
    pub department: String,
    pub title: Localized,
    /// The current version: the hash a submission may name.
    pub version: String,
}

/// A questionnaire, whole, with its current version.
#[derive(Serialize, ToSchema)]
pub struct SurveyDocument<'a> {
    #[serde(flatten)]
    pub survey: &'a Survey,
    pub version: &'a str,
}

/// The answer to an accepted submission.
#[derive(Serialize, ToSchema)]
pub struct SubmissionReceipt {
    /// The response's id, as submitted.
    pub id: String,
    /// `recorded` (201) or `already_recorded` (200, a retry).
    #[schema(value_type = String, example = "recorded")]
    pub status: &'static str,
}

impl SubmissionReceipt {
    fn recorded(id: ResponseId) -> HttpResponse {
        HttpResponse::Created().json(SubmissionReceipt {
            id: id.to_string(),
            status: "recorded",
        })
    }

    fn already_recorded(id: ResponseId) -> HttpResponse {
        HttpResponse::Ok().json(SubmissionReceipt {
            id: id.to_string(),
            status: "already_recorded",
        })
    }
}

/// A response to a questionnaire (documentation of the body `submit`
/// reads; the handler parses the raw JSON itself, to report every fault).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SubmissionBody {
    /// A UUID the client draws once per response and repeats on retry.
    #[schema(value_type = uuid::Uuid)]
    id: String,
    /// The service point's code.
    unit: String,
    /// Question key → answer: a score 1–5 or `"na"` for Likert items, an
    /// option key for single choice, a list of option keys for multiple
    /// choice, `true`/`false` for yes/no, a number for percent items.
    #[schema(value_type = Object)]
    answers: Option<serde_json::Map<String, Value>>,
    /// Free text, at most 2000 characters.
    comment: Option<String>,
    /// The version the client rendered; a stale one gets 409.
    version: Option<String>,
    /// An invitation code from a slip (any case, dashes and spaces
    /// ignored): the response then belongs to the probability sample. A
    /// code that is unknown, used, of another service point or of no wave
    /// open today is 422 on `code`; the client may send again without it.
    code: Option<String>,
}

/// Every questionnaire being collected, with its current version.
#[utoipa::path(
    get,
    path = "/api/v1/surveys",
    tag = "collection",
    responses((status = 200, description = "The questionnaires", body = Vec<SurveySummary>))
)]
pub async fn list_surveys(state: State) -> HttpResponse {
    let list: Vec<SurveySummary> = state
        .catalog
        .surveys
        .iter()
        .map(|v| SurveySummary {
            slug: v.survey.slug.clone(),
            department: v.survey.department.clone(),
            title: v.survey.title.clone(),
            version: v.hash.clone(),
        })
        .collect();
    HttpResponse::Ok().json(list)
}

/// One questionnaire, whole: sections, questions, options, its version.
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{slug}",
    tag = "collection",
    params(("slug" = String, Path, description = "The survey's slug")),
    responses(
        (status = 200, description = "The questionnaire", body = SurveyDocument),
        (status = 404, description = "No such survey", body = ErrorBody),
    )
)]
pub async fn get_survey(state: State, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let version = current(&state.catalog, &slug)?;
    Ok(HttpResponse::Ok().json(SurveyDocument {
        survey: &version.survey,
        version: &version.hash,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Only this department's service points.
    department: Option<String>,
}

/// The service points (one-stop desks, hospitals, schools).
#[utoipa::path(
    get,
    path = "/api/v1/units",
    tag = "collection",
    params(UnitsQuery),
    responses(
        (status = 200, description = "The service points", body = Vec<Unit>),
        (status = 400, description = "The query string does not parse", body = ErrorBody),
        (status = 422, description = "Unknown department", body = ErrorBody),
    )
)]
pub async fn list_units(
    state: State,
    query: web::Query<UnitsQuery>,
) -> Result<HttpResponse, AppError> {
    if let Some(code) = &query.department {
        if state.catalog.department(code).is_none() {
            return Err(AppError::InvalidParameter {
                field: "department".into(),
                message: format!("unknown department \"{code}\""),
            });
        }
    }
    let units: Vec<&Unit> = state
        .catalog
        .units
        .iter()
        .filter(|u| {
            query
                .department
                .as_deref()
                .is_none_or(|d| u.department == d)
        })
        .collect();
    Ok(HttpResponse::Ok().json(units))
}

/// The fields a JSON submission may carry.
const SUBMISSION_FIELDS: [&str; 6] = ["id", "unit", "answers", "comment", "version", "code"];

/// Records one response. Idempotent by `id`: a retry with the same content
/// is answered 200 `already_recorded`, with other content 409.
#[utoipa::path(
    post,
    path = "/api/v1/surveys/{slug}/responses",
    tag = "collection",
    params(("slug" = String, Path, description = "The survey's slug")),
    request_body(content = SubmissionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = SubmissionReceipt),
        (status = 200, description = "A retry of a recorded response", body = SubmissionReceipt),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time", body = ErrorBody),
        (status = 409, description = "The id was recorded with other content, or the questionnaire changed", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "The response is not valid; `fields` names each fault", body = ErrorBody),
        (status = 503, description = "The database is out of reach; retry with the same id", body = ErrorBody),
    )
)]
pub async fn submit(
    state: State,
    writer: web::Data<SubmissionWriter>,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let version = current(&state.catalog, &slug)?;
    if !has_content_type(&req, "application/json") {
        return Err(AppError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    let body = read_body(&req, payload, MAX_BODY_BYTES).await?;
    let value =
        super::json::parse_strict(&body).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    let Value::Object(object) = value else {
        let mut errors = FieldErrors::default();
        errors.add("body", FieldError::NotAnObject);
        return Err(AppError::InvalidResponse(errors));
    };

    // A retry of a stored response is answered as such, whatever has
    // happened to the questionnaire since.
    let version_field = object.get("version").cloned();
    let code = match object.get("code") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            let code = InvitationCode::parse(text);
            if code.is_none() {
                let mut errors = FieldErrors::default();
                errors.add("code", FieldError::InvitationCode);
                return Err(AppError::InvalidResponse(errors));
            }
            code
        }
        Some(_) => {
            let mut errors = FieldErrors::default();
            errors.add("code", FieldError::ExpectedText);
            return Err(AppError::InvalidResponse(errors));
        }
    };
    let (raw, mut errors) = raw_submission(object);
    let id = raw.id.as_ref().and_then(|id| match id {
        RawValue::Json(Value::String(text)) => ResponseId::parse(text),
        _ => None,
    });
    // A retry of a stored response is answered as such whatever has
    // happened to the questionnaire since; looked up only when the
    // submission cannot be stored as it is (a changed questionnaire, a
    // fault, an id stored already).
    let replay = |raw: RawSubmission| {
        let ctx = state.clone();
        let slug = slug.to_string();
        async move {
            match id {
                None => Ok(Replay::NotStored),
                Some(id) => web::block(move || collect::replay_of(&ctx, &slug, id, raw))
                    .await?
                    .map_err(AppError::from),
            }
        }
    };
    let retried = |replay: Replay| match (replay, id) {
        (Replay::Same, Some(id)) => Some(Ok(SubmissionReceipt::already_recorded(id))),
        (Replay::Different, _) => Some(Err(AppError::ConflictingReplay)),
        _ => None,
    };

    // A client that names a version it rendered must learn that the
    // questionnaire changed before its answers are judged by the new one.
    let changed = match version_field.as_ref() {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) if *v == version.hash => None,
        Some(Value::String(v)) => Some(AppError::SurveyChanged {
            submitted: v.clone(),
            current: version.hash.clone(),
        }),
        Some(_) => {
            let mut errors = FieldErrors::default();
            errors.add("version", FieldError::ExpectedText);
            Some(AppError::InvalidResponse(errors))
        }
    };
    if let Some(refusal) = changed {
        return retried(replay(raw).await?).unwrap_or(Err(refusal));
    }

    // The id is required here (checked in raw_submission), so the fallback
    // id is never stored.
    // One date for judging and storing, even across midnight.
    let today = state.clock.today();
    let kept = raw.clone();
    let submission = match Submission::parse(
        raw,
        &version.survey,
        &state.catalog,
        today,
        ResponseId::new_random,
    ) {
        Ok(submission) if errors.is_empty() => submission,
        parsed => {
            if let Err(more) = parsed {
                errors.extend(more);
            }
            return retried(replay(kept).await?).unwrap_or(Err(AppError::InvalidResponse(errors)));
        }
    };

    let outcome = collect::record(
        &state,
        &writer,
        version,
        &submission,
        Channel::Api,
        today,
        code.as_ref(),
    )
    .await;
    match outcome {
        Ok(Outcome::Recorded) => Ok(SubmissionReceipt::recorded(submission.id)),
        Ok(Outcome::AlreadyRecorded) => Ok(SubmissionReceipt::already_recorded(submission.id)),
        // Stored under another version of the questionnaire: judged by it.
        Err(RecordError::Conflict) => {
            retried(replay(kept).await?).unwrap_or(Err(AppError::ConflictingReplay))
        }
        Err(RecordError::Invitation) => {
            let mut errors = FieldErrors::default();
            errors.add("code", FieldError::InvitationCode);
            Err(AppError::InvalidResponse(errors))
        }
        Err(RecordError::Replayed) => Ok(SubmissionReceipt::already_recorded(submission.id)),
        Err(RecordError::Db(e)) => Err(e.into()),
    }
}

/// Splits a JSON object into the parts of a submission. Unknown fields and
/// a missing id are field errors, reported together with every other fault.
fn raw_submission(mut object: Map<String, Value>) -> (RawSubmission, FieldErrors) {
    let mut errors = FieldErrors::default();
    for key in object.keys() {
        if !SUBMISSION_FIELDS.contains(&key.as_str()) {
            errors.add(key.clone(), FieldError::UnknownField);
        }
    }
    if matches!(object.get("id"), None | Some(Value::Null)) {
        errors.add("id", FieldError::Missing);
    }
    let answers = match object.remove("answers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, RawValue::Json(v)))
            .collect(),
        Some(_) => {
            errors.add("answers", FieldError::NotAnObject);
            Vec::new()
        }
    };
    let raw = RawSubmission {
        id: object.remove("id").map(RawValue::Json),
        unit: object.remove("unit").map(RawValue::Json),
        comment: object.remove("comment").map(RawValue::Json),
        answers,
    };
    (raw, errors)
}
