//! The index API: `/api/v1/indices` and `/api/v1/indices/units`, for tokens
//! of Home Affairs (every department) or of one department (its own).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::auth::TokenReader;
use super::params::{self, index_error, invalid, QueryParams};
use super::{resource, State};
use crate::definitions::{Localized, SurveyVersion};
use crate::domain::Access;
use crate::domain::Period;
use crate::error::AppError;
use crate::services::indices::{self, IndexQuery, IndexReport};
use crate::stats::{CellEstimates, Comparison};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/indices", "GET").route(web::get().to(cell)))
        .service(resource("/indices/units", "GET").route(web::get().to(units)));
}

const PARAMETERS: [&str; 7] = [
    "survey",
    "period",
    "mode",
    "unit",
    "weighting",
    "level",
    "compare",
];

/// A request's parameters, parsed; the comparison period if asked.
fn parse_query(
    state: &State,
    access: &Access,
    params: &HashMap<String, String>,
    allow_unit_and_compare: bool,
) -> Result<(IndexQuery, Option<Period>), AppError> {
    for key in params.keys() {
        let allowed = PARAMETERS.contains(&key.as_str())
            && (allow_unit_and_compare || !matches!(key.as_str(), "unit" | "compare"));
        if !allowed {
            return Err(invalid(key, "is not a parameter of this request"));
        }
    }
    let slug = params
        .get("survey")
        .ok_or_else(|| invalid("survey", "is required"))?;
    let survey: Arc<SurveyVersion> = state
        .catalog
        .survey(slug)
        .cloned()
        .ok_or_else(|| invalid("survey", format!("unknown survey \"{slug}\"")))?;
    if !access.may_read(&survey.survey.department) {
        return Err(AppError::Forbidden(format!(
            "this token may not read the surveys of department \"{}\"",
            survey.survey.department
        )));
    }
    let period = params::period(params)?;
    let unit = match params.get("unit") {
        None => None,
        Some(code) => match state.catalog.unit(code) {
            Some(u) if u.department == survey.survey.department => Some(u.code.clone()),
            Some(_) => {
                return Err(invalid(
                    "unit",
                    format!("service point \"{code}\" does not belong to this survey's department"),
                ))
            }
            None => return Err(invalid("unit", format!("unknown service point \"{code}\""))),
        },
    };
    let weighting = params::weighting(params)?;
    let config = params::stats_config(state.stats, params)?;
    let compare = match params.get("compare").map(String::as_str) {
        None => None,
        Some("previous") => Some(period.previous()),
        Some(other) => Some(params::published(other, period.mode, "compare")?),
    };
    Ok((
        IndexQuery {
            survey,
            period,
            unit,
            weighting,
            config,
        },
        compare,
    ))
}

async fn cell(
    state: State,
    TokenReader(caller): TokenReader,
    params: QueryParams,
) -> Result<HttpResponse, AppError> {
    let (query, compare) = parse_query(&state, &caller.access, &params, true)?;
    let ctx = state.clone();
    let blocking_query = query.clone();
    let report = web::block(move || indices::compute(&ctx, &blocking_query, compare))
        .await?
        .map_err(index_error)?;
    Ok(HttpResponse::Ok().json(report_json(&query, &report)))
}

async fn units(
    state: State,
    TokenReader(caller): TokenReader,
    params: QueryParams,
) -> Result<HttpResponse, AppError> {
    let (query, _) = parse_query(&state, &caller.access, &params, false)?;
    let ctx = state.clone();
    let blocking_query = query.clone();
    let reports = web::block(move || indices::by_unit(&ctx, &blocking_query))
        .await?
        .map_err(index_error)?;
    let units: Vec<Value> = reports
        .iter()
        .map(|r| {
            let unit = state.catalog.unit(&r.unit);
            json!({
                "unit": r.unit,
                "name": unit.map(|u| &u.name),
                "respondents": r.respondents,
                "overall": r.overall,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "survey": query.survey.survey.slug,
        "department": query.survey.survey.department,
        "period": query.period.to_json(),
        "weighting": query.weighting.as_str(),
        "confidence_level": query.config.level,
        "units": units,
    })))
}

/// The JSON of statistics.md / the index API for one report.
pub fn report_json(query: &IndexQuery, report: &IndexReport) -> Value {
    let current = &report.current;
    json!({
        "survey": query.survey.survey.slug,
        "department": query.survey.survey.department,
        "versions": current.versions,
        "period": current.period.to_json(),
        "unit": query.unit,
        "weighting": query.weighting.as_str(),
        "confidence_level": query.config.level,
        "respondents": current.respondents,
        "overall": current.estimates.overall,
        "pooled": current.estimates.pooled,
        "comprehensive": current.estimates.comprehensive,
        "elements": elements_json(&query.survey, &current.estimates),
        "coverage_gaps": report.coverage_gaps,
        "compare": report.compare.as_ref().map(|c| {
            let element_keys = element_sections(&query.survey);
            json!({
                "period": c.previous.period.to_json(),
                "respondents": c.previous.respondents,
                "overall": comparison_json(&c.overall),
                "pooled": comparison_json(&c.pooled),
                "comprehensive": comparison_json(&c.comprehensive),
                "elements": element_keys.iter().zip(&c.elements).map(|((key, _), cmp)| {
                    let mut value = comparison_json(cmp);
                    value["key"] = json!(key);
                    value
                }).collect::<Vec<_>>(),
            })
        }),
    })
}

fn comparison_json(c: &Comparison) -> Value {
    serde_json::to_value(c).expect("a comparison serialises")
}

/// (key, label) of each element, in the order the estimators number them.
fn element_sections(survey: &SurveyVersion) -> Vec<(&str, &Localized)> {
    survey
        .survey
        .sections
        .iter()
        .filter(|s| s.is_element())
        .map(|s| (s.key.as_str(), &s.label))
        .collect()
}

fn elements_json(survey: &SurveyVersion, estimates: &CellEstimates) -> Vec<Value> {
    let items: Vec<(&str, &Localized)> = survey
        .survey
        .likert_items()
        .map(|q| (q.key.as_str(), &q.label))
        .collect();
    let sections = survey.survey.sections.iter().filter(|s| s.is_element());
    sections
        .zip(&estimates.elements)
        .map(|(section, element)| {
            json!({
                "key": section.key,
                "label": section.label,
                "in_overall": section.in_overall,
                "index": element.index,
                "alpha": element.alpha,
                "items": element.items.iter().map(|item| {
                    let (key, label) = items[item.item];
                    json!({
                        "key": key,
                        "label": label,
                        "index": item.index,
                        "mean_score": item.mean_score,
                        "distribution": item.distribution,
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect()
}
