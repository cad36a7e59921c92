//! The error policy, in one place. Every failure a request can meet becomes
//! an [`AppError`]; each variant has one HTTP status and one JSON `error`
//! code. Causes (database errors) are logged, never shown to the client.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::db::DbError;
use crate::domain::{FieldErrors, Lang};

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
    #[error("expected content type {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("an API token is required: send Authorization: Bearer <token>")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("internal error")]
    Database(#[from] DbError),
    #[error("internal error")]
    Internal(String),
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
            AppError::UnsupportedMediaType { .. } => "unsupported_media_type",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Database(_) | AppError::Internal(_) => "internal_error",
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
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Database(cause) => log::error!("database failure: {cause}"),
            AppError::Internal(cause) => log::error!("internal failure: {cause}"),
            _ => {}
        }
        let mut body = json!({ "error": self.code(), "message": self.to_string() });
        if let Some(fields) = self.fields() {
            body["fields"] = json!(fields);
        }
        if let AppError::SurveyChanged { current, .. } = self {
            body["current_version"] = json!(current);
        }
        let mut response = HttpResponse::build(self.status_code());
        if let AppError::Unauthorized = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        response.json(body)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(err.to_string())
    }
}
