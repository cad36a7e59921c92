//! JSON API for kiosk apps, QR posters and API clients: `/api/v1/…`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{has_content_type, read_body, resource, State, MAX_BODY_BYTES};
use crate::definitions::{Catalog, SurveyVersion};
use crate::domain::{
    Channel, FieldError, FieldErrors, RawSubmission, RawValue, ResponseId, Submission,
};
use crate::error::AppError;
use crate::services::collect::{self, Outcome, RecordError, Replay};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(resource("/surveys", "GET").route(web::get().to(list_surveys)))
            .service(resource("/surveys/{slug}", "GET").route(web::get().to(get_survey)))
            .service(resource("/surveys/{slug}/responses", "POST").route(web::post().to(submit)))
            .service(resource("/units", "GET").route(web::get().to(list_units)))
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

async fn list_surveys(state: State) -> HttpResponse {
    let list: Vec<Value> = state
        .catalog
        .surveys
        .iter()
        .map(|v| {
            json!({
                "slug": v.survey.slug,
                "department": v.survey.department,
                "title": v.survey.title,
                "version": v.hash,
            })
        })
        .collect();
    HttpResponse::Ok().json(list)
}

async fn get_survey(state: State, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let version = current(&state.catalog, &slug)?;
    let mut body =
        serde_json::to_value(&version.survey).map_err(|e| AppError::Internal(e.to_string()))?;
    body["version"] = json!(version.hash);
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Deserialize)]
struct UnitsQuery {
    department: Option<String>,
}

async fn list_units(state: State, query: web::Query<UnitsQuery>) -> Result<HttpResponse, AppError> {
    if let Some(code) = &query.department {
        if state.catalog.department(code).is_none() {
            return Err(AppError::InvalidParameter {
                field: "department".into(),
                message: format!("unknown department \"{code}\""),
            });
        }
    }
    let units: Vec<&crate::definitions::Unit> = state
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
const SUBMISSION_FIELDS: [&str; 5] = ["id", "unit", "answers", "comment", "version"];

async fn submit(
    state: State,
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
    let (raw, mut errors) = raw_submission(object);
    if let Some(id) = raw.id.as_ref().and_then(|id| match id {
        RawValue::Json(Value::String(text)) => ResponseId::parse(text),
        _ => None,
    }) {
        let ctx = state.clone();
        let (slug, replay_raw) = (slug.to_string(), raw.clone());
        match web::block(move || collect::replay_of(&ctx, &slug, id, replay_raw)).await?? {
            Replay::NotStored => {}
            Replay::Same => {
                return Ok(HttpResponse::Ok()
                    .json(json!({"id": id.to_string(), "status": "already_recorded"})))
            }
            Replay::Different => return Err(AppError::ConflictingReplay),
        }
    }

    // A client that names a version it rendered must learn that the
    // questionnaire changed before its answers are judged by the new one.
    match version_field.as_ref() {
        None | Some(Value::Null) => {}
        Some(Value::String(v)) if *v == version.hash => {}
        Some(Value::String(v)) => {
            return Err(AppError::SurveyChanged {
                submitted: v.clone(),
                current: version.hash.clone(),
            })
        }
        Some(_) => {
            let mut errors = FieldErrors::default();
            errors.add("version", FieldError::ExpectedText);
            return Err(AppError::InvalidResponse(errors));
        }
    }

    // The id is required here (checked in raw_submission), so the fallback
    // id is never stored.
    let submission =
        match Submission::parse(raw, &version.survey, &state.catalog, ResponseId::new_random) {
            Ok(submission) if errors.is_empty() => submission,
            Ok(_) => return Err(AppError::InvalidResponse(errors)),
            Err(more) => {
                errors.extend(more);
                return Err(AppError::InvalidResponse(errors));
            }
        };

    let db = state.db.clone();
    let today = state.clock.today();
    let version = version.clone();
    let stored = submission.clone();
    let outcome =
        web::block(move || collect::record(&db, &version, &stored, Channel::Api, today)).await?;
    let id = submission.id.to_string();
    match outcome {
        Ok(Outcome::Recorded) => {
            Ok(HttpResponse::Created().json(json!({"id": id, "status": "recorded"})))
        }
        Ok(Outcome::AlreadyRecorded) => {
            Ok(HttpResponse::Ok().json(json!({"id": id, "status": "already_recorded"})))
        }
        Err(RecordError::Conflict) => Err(AppError::ConflictingReplay),
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
