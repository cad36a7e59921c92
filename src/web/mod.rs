//! HTTP handlers by audience. Handlers stay thin: parse into domain types,
//! call `collect`/`db` in a blocking task, hand a view model to `views`.

pub mod api;
pub mod citizen;
pub mod export;
pub mod indices;
pub mod params;
pub mod session;
pub mod staff;

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::collect::Services;
use crate::error::AppError;

/// Largest accepted submission body (JSON or form).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub type State = web::Data<Services>;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .configure(api::routes)
        .configure(staff::routes)
        .configure(export::routes)
        .configure(citizen::routes);
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Reads the body up to `limit` bytes, refusing larger ones by their
/// declared length before reading anything.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| AppError::BadRequest(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether the request declares `expected` (parameters such as charset allowed).
pub fn has_content_type(req: &HttpRequest, expected: &str) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(expected))
}
