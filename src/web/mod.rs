//! HTTP handlers by audience. Handlers stay thin: parse into domain types,
//! name their caller by extractor (`auth`), call `services` in a blocking
//! task, hand a view model to `views`. Errors go through one policy
//! (`crate::error`): JSON for the API, translated pages for browsers.

pub mod api;
pub mod auth;
pub mod citizen;
pub mod export;
pub mod feedback;
pub mod indices;
pub mod json;
pub mod openapi;
pub mod params;
pub mod public;
pub mod session;
pub mod staff;
pub mod waves;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;

use crate::app::AppContext;
use crate::error::{wants_json, AppError, PageError};
use crate::views::staff::Viewer;

/// Largest accepted submission body (JSON or form).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub type State = web::Data<AppContext>;

/// A resource whose routes answer the methods in `allow` (as the `Allow`
/// header writes them); any other method gets 405 with that header.
pub fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(AppError::MethodNotAllowed { allow })
    }))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz", "GET").route(web::get().to(healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(metrics)))
        .configure(api::routes)
        .configure(staff::routes)
        .configure(waves::routes)
        .configure(feedback::routes)
        .configure(public::routes)
        .configure(export::routes)
        .configure(citizen::routes);
}

/// Liveness: the process answers. Says nothing of the database, so a load
/// balancer does not restart instances during a database outage.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process answers", body = String, content_type = "text/plain"))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Prometheus metrics, for a scraper on this machine (loopback) unless
/// `HAILONG_METRICS_FROM_ANYWHERE=1`: request counts by route reveal the
/// service's traffic, which is not for everyone.
async fn metrics(
    req: HttpRequest,
    settings: web::Data<session::WebSettings>,
) -> Result<HttpResponse, AppError> {
    let local = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    if !local && !settings.metrics_from_anywhere {
        return Err(AppError::Forbidden(
            "metrics are served to this machine only".into(),
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render()))
}

/// Readiness: the database answers too. 503 with Retry-After when it does
/// not, so a load balancer sends traffic elsewhere.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = String, content_type = "text/plain"),
        (status = 503, description = "The database is out of reach", body = crate::error::ErrorBody),
    )
)]
pub async fn readyz(state: State) -> Result<HttpResponse, AppError> {
    let ctx = state.clone();
    web::block(move || ctx.db.ping()).await??;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ready"))
}

/// HEAD is answered on every GET route (uptime monitors use it): routed
/// as GET, sent without the body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let response = next.call(req).await?.map_into_boxed_body();
    Ok(if head {
        response.map_body(|_, _| BoxBody::new(()))
    } else {
        response
    })
}

/// The error policy's faces, applied to every response that carries an
/// error, whichever handler or extractor failed: a translated page for a
/// browser, JSON for the API and bearer calls. Errors that are not ours
/// (actix's own: a query string that does not parse, a body too large…)
/// are drawn the same way and keep their status.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let json = wants_json(req.request());
    let response = next.call(req).await?.map_into_boxed_body();
    let Some(error) = response.response().error() else {
        return Ok(response);
    };
    let ours = error.as_error::<AppError>().is_some();
    if json && ours {
        return Ok(response);
    }
    let (req, res) = response.into_parts();
    let status = res.status();
    let fallback;
    let error = match res.error().and_then(|e| e.as_error::<AppError>()) {
        Some(error) => error,
        None => {
            fallback = AppError::from_status(status, res.error().map(ToString::to_string));
            &fallback
        }
    };
    let mut redrawn = if json {
        error.error_response()
    } else {
        let viewer = req.extensions().get::<Viewer>().cloned();
        let state = req.app_data::<State>().cloned();
        PageError {
            error,
            lang: auth::PageLang::of(&req),
            viewer: viewer.as_ref(),
            site: state.as_ref().map(|s| &s.catalog.site),
        }
        .error_response()
    };
    if !ours {
        *redrawn.status_mut() = status;
    }
    Ok(ServiceResponse::new(req, redrawn))
}
/// Reads the body up to `limit` bytes, refusing larger ones by their
/// declared length before reading anything, and giving up with 408 when the
/// whole body has not arrived within the configured time: a client that
/// stalls holds no connection for long.
pub async fn read_body<E: std::fmt::Display>(
    req: &HttpRequest,
    mut payload: impl futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
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
    let deadline = req
        .app_data::<web::Data<session::WebSettings>>()
        .map_or(session::DEFAULT_BODY_TIMEOUT, |s| s.body_timeout);
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                AppError::BadRequest(format!("could not read the request body: {e}"))
            })?;
            if body.len() + chunk.len() > limit {
                return Err(AppError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(deadline, read)
        .await
        .map_err(|_| AppError::RequestTimeout {
            seconds: deadline.as_secs(),
        })?
}

/// Whether the request declares `expected` (parameters such as charset allowed).
pub fn has_content_type(req: &HttpRequest, expected: &str) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(expected))
}
