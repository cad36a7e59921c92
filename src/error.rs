//! The error policy, in one place. Every failure a request can meet becomes
//! an [`AppError`]; each variant has one HTTP status and one JSON `error`
//! code. Causes (database errors) are logged, never shown to the client.
//!
//! One error has two faces: JSON for `/api/*` and bearer-token calls, a
//! translated page ([`PageError`]) for everything a browser opens — the
//! citizen form, the dashboards, `/report` and `/export/*` in a staff
//! session. [`wants_json`] decides which, once per request.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::db::DbError;
use crate::domain::FieldErrors;
use crate::i18n::Lang;
use crate::views::errors::{self as view, ErrorView};
use crate::views::staff::Viewer;

/// Seconds a client is asked to wait before retrying when the database is
/// out of reach or saturated.
pub const RETRY_AFTER_SECONDS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the response is not valid: {}", .0.summary())]
    InvalidResponse(FieldErrors),
    #[error("{message}")]
    InvalidParameter { field: String, message: String },
    #[error("a response with this id was already recorded with different content")]
    ConflictingReplay,
    #[error(
        "the questionnaire has changed since version {submitted}; the current version is {current}"
    )]
    SurveyChanged { submitted: String, current: String },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body did not arrive within {seconds} s")]
    RequestTimeout { seconds: u64 },
    #[error("expected content type {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("this address answers {allow} only")]
    MethodNotAllowed { allow: &'static str },
    #[error("an API token is required: send Authorization: Bearer <token>")]
    Unauthorized,
    /// A page that needs a signed-in staff member; `next` is where to
    /// return after signing in.
    #[error("sign in to see this page")]
    SignInRequired { next: String, expired: bool },
    #[error("{0}")]
    Forbidden(String),
    #[error("the form expired or was not sent from this site")]
    CsrfRejected,
    #[error("the service is temporarily unavailable; retry in a few seconds")]
    Unavailable(#[source] DbError),
    #[error("internal error")]
    Database(#[source] DbError),
    #[error("internal error")]
    Internal(String),
}

/// The JSON body of every error the API answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `not_found`, `invalid_parameter`, `invalid_response`,
    /// `unauthorized`, `forbidden`, `unavailable`…
    #[schema(value_type = String, example = "invalid_parameter")]
    pub error: &'static str,
    /// What went wrong, in English.
    pub message: String,
    /// Per field, what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// With `survey_changed`: the version to render and answer instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<String>,
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        if err.is_unavailable() {
            AppError::Unavailable(err)
        } else {
            AppError::Database(err)
        }
    }
}

/// An error with its causes, for the log: `a: b: c`.
pub fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether a request gets errors as JSON: API routes and bearer-token
/// calls (`Authorization: Bearer …`; a proxy's Basic credentials are not a
/// token). Everything else is opened by a person in a browser.
pub fn wants_json(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/") || bearer_token(req).is_some()
}

/// The bearer token of a request, if it carries one.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::MalformedJson(_) => "malformed_json",
            AppError::BadRequest(_) => "bad_request",
            AppError::InvalidResponse(_) => "invalid_response",
            AppError::InvalidParameter { .. } => "invalid_parameter",
            AppError::ConflictingReplay => "conflicting_replay",
            AppError::SurveyChanged { .. } => "survey_changed",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::RequestTimeout { .. } => "request_timeout",
            AppError::UnsupportedMediaType { .. } => "unsupported_media_type",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::Unauthorized | AppError::SignInRequired { .. } => "unauthorized",
            AppError::Forbidden(_) | AppError::CsrfRejected => "forbidden",
            AppError::Unavailable(_) => "unavailable",
            AppError::Database(_) | AppError::Internal(_) => "internal_error",
        }
    }

    /// The error for a response that some other layer (actix's own
    /// extractors) failed with, by its status.
    pub fn from_status(status: StatusCode, detail: Option<String>) -> AppError {
        let detail = detail.unwrap_or_else(|| status.to_string());
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound(detail),
            StatusCode::PAYLOAD_TOO_LARGE => AppError::BadRequest(detail),
            StatusCode::FORBIDDEN => AppError::Forbidden(detail),
            StatusCode::UNAUTHORIZED => AppError::Unauthorized,
            s if s.is_server_error() => AppError::Internal(detail),
            _ => AppError::BadRequest(detail),
        }
    }

    /// Field-level messages, when the error is about specific fields.
    pub fn fields(&self) -> Option<BTreeMap<String, String>> {
        match self {
            AppError::InvalidResponse(errors) => Some(errors.messages(Lang::En)),
            AppError::InvalidParameter { field, message } => {
                Some(BTreeMap::from([(field.clone(), message.clone())]))
            }
            _ => None,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MalformedJson(_) | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidResponse(_) | AppError::InvalidParameter { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::ConflictingReplay | AppError::SurveyChanged { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthorized | AppError::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Unavailable(cause) => {
                log::warn!("database unavailable: {}", with_causes(cause))
            }
            AppError::Database(cause) => log::error!("database failure: {}", with_causes(cause)),
            AppError::Internal(cause) => log::error!("internal failure: {cause}"),
            _ => {}
        }
        let body = ErrorBody {
            error: self.code(),
            message: self.to_string(),
            fields: self.fields(),
            current_version: match self {
                AppError::SurveyChanged { current, .. } => Some(current.clone()),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(self.status_code());
        if let AppError::Unauthorized | AppError::SignInRequired { .. } = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::Unavailable(_) = self {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        if let AppError::MethodNotAllowed { allow } = self {
            response.insert_header((header::ALLOW, *allow));
        }
        response.json(body)
    }
}

/// An error as the page a browser shows: translated, with the staff
/// header when someone is signed in. The causes were logged when the error
/// first became a response; the page names none.
#[derive(Debug)]
pub struct PageError<'a> {
    pub error: &'a AppError,
    pub lang: Lang,
    pub viewer: Option<&'a Viewer>,
    pub site: Option<&'a crate::definitions::Site>,
}

impl fmt::Display for PageError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for PageError<'_> {
    fn status_code(&self) -> StatusCode {
        match self.error {
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let lang = self.lang;
        let pick = |vi, en| lang.pick(vi, en).to_string();
        if let AppError::SignInRequired { next, expired } = self.error {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            let expired = if *expired { "&expired=1" } else { "" };
            let english = if lang == Lang::En { "&lang=en" } else { "" };
            return HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/login?next={next}{expired}{english}"),
                ))
                .finish();
        }
        let (title, message, detail) = match self.error {
            AppError::NotFound(_) => (
                pick("Không tìm thấy trang", "Page not found"),
                pick(
                    "Địa chỉ này không có trên hệ thống.",
                    "There is nothing at this address.",
                ),
                None,
            ),
            AppError::InvalidParameter { field, message } => (
                pick("Tham số không hợp lệ", "Invalid parameter"),
                pick(
                    "Vui lòng sửa tham số dưới đây rồi thử lại.",
                    "Please correct the parameter below and try again.",
                ),
                Some(format!("{field}: {message}")),
            ),
            AppError::Forbidden(_) => (
                pick("Không có quyền truy cập", "Access denied"),
                pick(
                    "Tài khoản của bạn không được xem trang này.",
                    "Your account may not see this page.",
                ),
                None,
            ),
            AppError::CsrfRejected => (
                pick("Biểu mẫu đã hết hạn", "The form expired"),
                pick(
                    "Vui lòng quay lại, tải lại trang rồi thử lại.",
                    "Please go back, reload the page and try again.",
                ),
                None,
            ),
            AppError::Unauthorized => (
                pick("Cần đăng nhập", "Sign-in required"),
                pick(
                    "Vui lòng đăng nhập để xem trang này.",
                    "Please sign in to see this page.",
                ),
                None,
            ),
            AppError::Unavailable(_) => (
                pick("Hệ thống đang bận", "The service is busy"),
                pick(
                    "Yêu cầu của bạn chưa được thực hiện và không có gì bị ghi dở. Vui lòng thử lại sau ít phút.",
                    "Your request was not carried out and nothing was half-recorded. Please try again in a few minutes.",
                ),
                None,
            ),
            AppError::Database(_) | AppError::Internal(_) => (
                pick("Lỗi hệ thống", "System error"),
                pick("Vui lòng thử lại sau.", "Please try again later."),
                None,
            ),
            other => (
                pick("Yêu cầu không hợp lệ", "Invalid request"),
                pick(
                    "Trình duyệt đã gửi một yêu cầu mà hệ thống không xử lý được.",
                    "The browser sent a request the service cannot handle.",
                ),
                Some(other.to_string()),
            ),
        };
        let page = view::page(&ErrorView {
            lang,
            title: &title,
            message: &message,
            detail: detail.as_deref(),
            viewer: self.viewer,
            site: self.site,
        });
        let mut response = HttpResponse::build(self.status_code());
        response
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if let AppError::Unavailable(_) = self.error {
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
        }
        if let AppError::MethodNotAllowed { allow } = self.error {
            response.insert_header((header::ALLOW, *allow));
        }
        response.body(page.into_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(err.to_string())
    }
}
