//! Query parameters shared by the index API, the dashboards and the exports.
//! Every fault is an [`AppError::InvalidParameter`] naming the parameter.

use std::collections::HashMap;

use crate::config::parse_level;
use crate::domain::{Period, PeriodMode};
use crate::error::AppError;
use crate::services::indices::{IndexError, Weighting};
use crate::stats::StatsConfig;

pub type Params = HashMap<String, String>;

/// The query string's parameters, each at most once: a repeated parameter
/// is a 422 naming it rather than one of its values chosen silently.
pub struct QueryParams(pub Params);

impl QueryParams {
    pub fn parse(query: &str) -> Result<Params, AppError> {
        let mut params = Params::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let key = key.into_owned();
            if params.contains_key(&key) {
                return Err(invalid(&key, "appears more than once"));
            }
            params.insert(key, value.into_owned());
        }
        Ok(params)
    }
}

impl std::ops::Deref for QueryParams {
    type Target = Params;

    fn deref(&self) -> &Params {
        &self.0
    }
}

impl actix_web::FromRequest for QueryParams {
    type Error = AppError;
    type Future = std::future::Ready<Result<QueryParams, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(QueryParams::parse(req.query_string()).map(QueryParams))
    }
}

pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::InvalidParameter {
        field: field.into(),
        message: message.into(),
    }
}

fn present<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn mode(params: &Params) -> Result<PeriodMode, AppError> {
    match present(params, "mode") {
        None => Ok(PeriodMode::Calendar),
        Some(m) => {
            PeriodMode::parse(m).ok_or_else(|| invalid("mode", "must be calendar or reporting"))
        }
    }
}

/// A published period (see [`Period::parse_published`]), faults named
/// after `field`.
pub fn published(label: &str, mode: PeriodMode, field: &str) -> Result<Period, AppError> {
    Period::parse_published(label, mode).map_err(|e| invalid(field, e))
}

/// `period` in `mode` (calendar by default); required.
pub fn period(params: &Params) -> Result<Period, AppError> {
    let mode = mode(params)?;
    match present(params, "period") {
        Some(label) => published(label, mode, "period"),
        None => Err(invalid("period", "is required, e.g. 2026-Q3")),
    }
}

/// `period` in `mode`; without `period`, `default` chooses one for the mode.
pub fn period_or(
    params: &Params,
    default: impl FnOnce(PeriodMode) -> Period,
) -> Result<Period, AppError> {
    let mode = mode(params)?;
    match present(params, "period") {
        Some(label) => published(label, mode, "period"),
        None => Ok(default(mode)),
    }
}

/// `weighting`: none (default) or volume.
pub fn weighting(params: &Params) -> Result<Weighting, AppError> {
    match present(params, "weighting") {
        None => Ok(Weighting::None),
        Some(w) => {
            Weighting::parse(w).ok_or_else(|| invalid("weighting", "must be none or volume"))
        }
    }
}

/// The configured thresholds, with the confidence `level` if asked for.
pub fn stats_config(defaults: StatsConfig, params: &Params) -> Result<StatsConfig, AppError> {
    let mut config = defaults;
    if let Some(level) = params.get("level") {
        config.level = parse_level(level).map_err(|e| invalid("level", e))?;
    }
    Ok(config)
}

/// A missing volume is the caller's to fix; anything else is ours.
pub fn index_error(err: IndexError) -> AppError {
    match err {
        IndexError::MissingVolumes { .. } => invalid("weighting", err.to_string()),
        IndexError::Db(e) => e.into(),
    }
}
