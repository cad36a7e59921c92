//! The index API: `/api/v1/indices` and `/api/v1/indices/units`, for tokens
//! of Home Affairs (every department) or of one department (its own).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::TokenReader;
use super::params::{self, index_error, invalid, QueryParams};
use super::{resource, State};
use crate::definitions::{Localized, Question, Section, SurveyVersion};
use crate::domain::{Access, Period, PeriodDescription};
use crate::error::{AppError, ErrorBody};
use crate::services::indices::{
    self, CellReport, IndexError, IndexQuery, IndexReport, SampleDesign,
};
use crate::stats::{Alpha, Comparison, Distribution, Estimate};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/indices", "GET").route(web::get().to(cell)))
        .service(resource("/indices/units", "GET").route(web::get().to(units)));
}

const PARAMETERS: [&str; 8] = [
    "survey",
    "period",
    "mode",
    "unit",
    "weighting",
    "level",
    "compare",
    "design",
];

/// A request's parameters, parsed; the comparison period if asked.
fn parse_query(
    state: &State,
    access: &Access,
    params: &HashMap<String, String>,
    allow_unit_and_compare: bool,
) -> Result<(IndexQuery, Option<Period>, Option<SampleDesign>), AppError> {
    for (key, value) in params.iter() {
        let allowed = PARAMETERS.contains(&key.as_str())
            && (allow_unit_and_compare || !matches!(key.as_str(), "unit" | "compare"));
        if !allowed {
            return Err(invalid(key, "is not a parameter of this request"));
        }
        // Pages treat an empty field as "the default"; an API client that
        // sends one has a bug worth hearing about.
        if value.is_empty() {
            return Err(invalid(key, "is empty; leave it out for the default"));
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
        Some("same_period_last_year") => Some(period.same_period_last_year()),
        Some(other) => Some(params::published(other, period.mode, "compare")?),
    };
    let design = match params.get("design") {
        None => None,
        Some(text) => Some(
            SampleDesign::parse(text)
                .ok_or_else(|| invalid("design", "must be probability or all"))?,
        ),
    };
    Ok((
        IndexQuery {
            survey,
            period,
            unit,
            weighting,
            config,
            // Settled with the database at hand, see `settle_design`.
            design: design.unwrap_or(SampleDesign::All),
        },
        compare,
        design,
    ))
}

/// The design asked for, or by default the random respondents when there
/// are enough of them (blocking).
fn settle_design(
    ctx: &crate::app::AppContext,
    mut query: IndexQuery,
    asked: Option<SampleDesign>,
) -> Result<IndexQuery, IndexError> {
    query.design = match asked {
        Some(design) => design,
        None => indices::default_design(
            ctx,
            &query.survey.survey.slug,
            &query.period,
            query.unit.as_deref(),
            &query.config,
        )?,
    };
    Ok(query)
}

/// Estimates for one survey, optionally one service point, in one period.
#[utoipa::path(
    get,
    path = "/api/v1/indices",
    tag = "indices",
    params(IndexParameters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every estimate of the cell", body = IndexResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token may not read this survey", body = ErrorBody),
        (status = 422, description = "A parameter is invalid; `fields` names it", body = ErrorBody),
        (status = 503, description = "The database is out of reach; retry", body = ErrorBody),
    )
)]
pub async fn cell(
    state: State,
    TokenReader(caller): TokenReader,
    params: QueryParams,
) -> Result<HttpResponse, AppError> {
    let (query, compare, design) = parse_query(&state, &caller.access, &params, true)?;
    let ctx = state.clone();
    let (query, report) = web::block(move || {
        let query = settle_design(&ctx, query, design)?;
        let report = indices::compute(&ctx, &query, compare)?;
        Ok::<_, IndexError>((query, report))
    })
    .await?
    .map_err(index_error)?;
    Ok(HttpResponse::Ok().json(IndexResponse::new(&query, &report)))
}

/// The overall index of every service point of the survey's department.
#[utoipa::path(
    get,
    path = "/api/v1/indices/units",
    tag = "indices",
    params(UnitIndexParameters),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One overall index per service point", body = UnitsResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The token may not read this survey", body = ErrorBody),
        (status = 422, description = "A parameter is invalid; `fields` names it", body = ErrorBody),
        (status = 503, description = "The database is out of reach; retry", body = ErrorBody),
    )
)]
pub async fn units(
    state: State,
    TokenReader(caller): TokenReader,
    params: QueryParams,
) -> Result<HttpResponse, AppError> {
    let (query, _, design) = parse_query(&state, &caller.access, &params, false)?;
    let ctx = state.clone();
    let (query, reports) = web::block(move || {
        let query = settle_design(&ctx, query, design)?;
        let reports = indices::by_unit(&ctx, &query)?;
        Ok::<_, IndexError>((query, reports))
    })
    .await?
    .map_err(index_error)?;
    let units = reports
        .into_iter()
        .map(|r| UnitIndex {
            name: state
                .catalog
                .unit(&r.unit)
                .map(|u| u.name_on(query.period.bounds().1).clone()),
            unit: r.unit,
            respondents: r.respondents,
            overall: r.overall,
        })
        .collect();
    Ok(HttpResponse::Ok().json(UnitsResponse {
        survey: query.survey.survey.slug.clone(),
        department: query.survey.survey.department.clone(),
        period: query.period.described(),
        weighting: query.weighting.as_str(),
        confidence_level: query.config.level,
        units,
    }))
}

/// The query parameters of `/api/v1/indices` (documentation only: the
/// handler parses them strictly from the raw query, see `parse_query`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct IndexParameters {
    /// The survey's slug.
    survey: String,
    /// A published period: `2026`, `2026-H1`, `2026-Q3`, `2026-03` (free
    /// date ranges are refused, see the disclosure rules).
    #[param(pattern = r"^20[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$")]
    period: String,
    /// `calendar` (default) or `reporting` (Decree 09/2019 periods).
    #[param(inline)]
    mode: Option<PeriodModeParameter>,
    /// A service point of the survey's department; default the whole survey.
    unit: Option<String>,
    /// `none` (default, as the official figures) or `volume`.
    #[param(inline)]
    weighting: Option<WeightingParameter>,
    /// Confidence level, between 0.5 and 0.999; default 0.95.
    #[param(minimum = 0.5, maximum = 0.999)]
    level: Option<f64>,
    /// `probability`: only respondents drawn at random (invitation codes,
    /// sampled paper forms); `all`: every respondent. Default: `probability`
    /// when at least `min_reliable` respondents of the cell were drawn at
    /// random, else `all`. The answer's `design` says which was used.
    #[param(inline)]
    design: Option<DesignParameter>,
    /// `previous` (the period just before), `same_period_last_year`, or a
    /// published period to compare with.
    #[param(
        pattern = r"^(previous|same_period_last_year|20[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?)$"
    )]
    compare: Option<String>,
}

/// The query parameters of `/api/v1/indices/units` (documentation only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UnitIndexParameters {
    /// The survey's slug.
    survey: String,
    /// A published period, as for `/api/v1/indices`.
    #[param(pattern = r"^20[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$")]
    period: String,
    /// `calendar` (default) or `reporting`.
    #[param(inline)]
    mode: Option<PeriodModeParameter>,
    /// `none` (default) or `volume`.
    #[param(inline)]
    weighting: Option<WeightingParameter>,
    /// Confidence level, between 0.5 and 0.999; default 0.95.
    #[param(minimum = 0.5, maximum = 0.999)]
    level: Option<f64>,
    /// `probability` or `all`, as for `/api/v1/indices`.
    #[param(inline)]
    design: Option<DesignParameter>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Design)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum DesignParameter {
    Probability,
    All,
}

#[derive(Serialize, ToSchema)]
#[schema(as = PeriodMode)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum PeriodModeParameter {
    Calendar,
    Reporting,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Weighting)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum WeightingParameter {
    None,
    Volume,
}

/// The answer of `/api/v1/indices`: statistics.md's estimates of one cell.
#[derive(Serialize, ToSchema)]
pub struct IndexResponse {
    pub survey: String,
    pub department: String,
    /// The questionnaire versions the cell's responses were given to.
    pub versions: Vec<String>,
    pub period: PeriodDescription,
    /// The service point, or null for the whole survey.
    pub unit: Option<String>,
    #[schema(value_type = String, example = "none")]
    pub weighting: &'static str,
    pub confidence_level: f64,
    pub respondents: usize,
    /// The survey's index by its own rule (`index_rule`).
    pub overall: Estimate,
    /// Share of satisfied answers among all rated answers.
    pub pooled: Estimate,
    /// Share of respondents satisfied with every item.
    pub comprehensive: Estimate,
    /// Mean score, in the items' points (1–5 on the usual scale), over every
    /// valid answer to the items of the overall
    /// index: the Ministry of Health's "điểm trung bình chung".
    pub mean_score: Estimate,
    pub elements: Vec<ElementResult>,
    /// Items that are not ratings (choices, yes/no, percent), in
    /// questionnaire order.
    pub other_items: Vec<OtherItemResult>,
    /// Service points with transactions in the period but no response.
    pub coverage_gaps: Vec<String>,
    /// Changes from the comparison period, when one was asked for.
    pub compare: Option<CompareResult>,
    /// `probability` when the figures cover only respondents drawn at
    /// random, `all` when they cover everyone.
    pub design: &'static str,
    /// True when the figures include respondents not drawn at random: the
    /// intervals then assume a random selection the sample does not give.
    pub includes_self_selected: bool,
    /// How the respondents came to be in the sample; when `random_only` is
    /// false the intervals assume a random selection the sample does not
    /// give. The period's waves with issued and returned questionnaires.
    pub sample: crate::services::sampling::SampleSummary,
}

#[derive(Serialize, ToSchema)]
pub struct ElementResult {
    pub key: String,
    pub label: Localized,
    pub in_overall: bool,
    pub index: Estimate,
    /// Mean score, in the items' points, over every valid answer to the
    /// element's items.
    pub mean_score: Estimate,
    pub alpha: Alpha,
    pub items: Vec<ItemResult>,
}

/// A single or multiple choice, yes/no or percent item.
#[derive(Serialize, ToSchema)]
pub struct OtherItemResult {
    pub key: String,
    pub label: Localized,
    #[schema(value_type = String, example = "single")]
    pub kind: &'static str,
    /// Respondents who answered the item.
    pub answered: usize,
    /// Each option's share of those who answered (yes/no: `yes`, `no`);
    /// for multiple choice the shares add up to more than 1.
    pub options: Vec<OptionResult>,
    /// Percent items: the mean of the answers.
    pub mean: Option<Estimate>,
}

#[derive(Serialize, ToSchema)]
pub struct OptionResult {
    pub key: String,
    pub label: Localized,
    pub share: Estimate,
}

#[derive(Serialize, ToSchema)]
pub struct ItemResult {
    pub key: String,
    pub label: Localized,
    pub index: Estimate,
    pub mean_score: Estimate,
    /// Answer counts; null when withheld.
    pub distribution: Option<Distribution>,
}

#[derive(Serialize, ToSchema)]
pub struct CompareResult {
    pub period: PeriodDescription,
    pub respondents: usize,
    pub overall: Comparison,
    pub pooled: Comparison,
    pub comprehensive: Comparison,
    pub elements: Vec<ElementComparison>,
}

#[derive(Serialize, ToSchema)]
pub struct ElementComparison {
    pub key: String,
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// The answer of `/api/v1/indices/units`.
#[derive(Serialize, ToSchema)]
pub struct UnitsResponse {
    pub survey: String,
    pub department: String,
    pub period: PeriodDescription,
    #[schema(value_type = String, example = "none")]
    pub weighting: &'static str,
    pub confidence_level: f64,
    pub units: Vec<UnitIndex>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitIndex {
    pub unit: String,
    pub name: Option<Localized>,
    pub respondents: usize,
    pub overall: Estimate,
}

impl IndexResponse {
    pub fn new(query: &IndexQuery, report: &IndexReport) -> IndexResponse {
        let current = &report.current;
        IndexResponse {
            survey: query.survey.survey.slug.clone(),
            department: query.survey.survey.department.clone(),
            versions: current.versions.clone(),
            period: current.period.described(),
            unit: query.unit.clone(),
            weighting: query.weighting.as_str(),
            confidence_level: query.config.level,
            respondents: current.respondents,
            overall: current.estimates.overall.clone(),
            pooled: current.estimates.pooled.clone(),
            comprehensive: current.estimates.comprehensive.clone(),
            mean_score: current.mean_scores.overall.clone(),
            elements: element_results(&query.survey, current),
            other_items: other_item_results(&query.survey, current),
            coverage_gaps: report.coverage_gaps.clone(),
            sample: report.sample.clone(),
            design: query.design.as_str(),
            includes_self_selected: query.design == SampleDesign::All && !report.sample.random_only,
            compare: report.compare.as_ref().map(|c| CompareResult {
                period: c.previous.period.described(),
                respondents: c.previous.respondents,
                overall: c.overall,
                pooled: c.pooled,
                comprehensive: c.comprehensive,
                elements: element_sections(&query.survey)
                    .zip(&c.elements)
                    .map(|(section, comparison)| ElementComparison {
                        key: section.key.clone(),
                        comparison: *comparison,
                    })
                    .collect(),
            }),
        }
    }
}

/// The sections that are elements, in the order the estimators number them.
fn element_sections(survey: &SurveyVersion) -> impl Iterator<Item = &Section> {
    survey.survey.sections.iter().filter(|s| s.is_element())
}

fn element_results(survey: &SurveyVersion, cell: &CellReport) -> Vec<ElementResult> {
    let items: Vec<&Question> = survey.survey.likert_items().collect();
    element_sections(survey)
        .zip(&cell.estimates.elements)
        .zip(&cell.mean_scores.elements)
        .map(|((section, element), mean_score)| ElementResult {
            key: section.key.clone(),
            label: section.label.clone(),
            in_overall: section.in_overall,
            index: element.index.clone(),
            mean_score: mean_score.clone(),
            alpha: element.alpha,
            items: element
                .items
                .iter()
                .map(|item| ItemResult {
                    key: items[item.item].key.clone(),
                    label: items[item.item].label.clone(),
                    index: item.index.clone(),
                    mean_score: item.mean_score.clone(),
                    distribution: item.distribution.clone(),
                })
                .collect(),
        })
        .collect()
}

fn other_item_results(survey: &SurveyVersion, cell: &CellReport) -> Vec<OtherItemResult> {
    indices::other_items::questions(&survey.survey)
        .zip(&cell.other_items)
        .map(|(question, estimates)| OtherItemResult {
            key: question.key.clone(),
            label: question.label.clone(),
            kind: question.kind.as_str(),
            answered: estimates.answered,
            options: estimates
                .options
                .iter()
                .map(|option| OptionResult {
                    key: option.key.clone(),
                    label: question.option_label(&option.key),
                    share: option.share.clone(),
                })
                .collect(),
            mean: estimates.mean.clone(),
        })
        .collect()
}
