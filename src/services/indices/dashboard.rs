//! What the staff dashboards show, gathered from the index computations
//! (the same numbers as the index API) and the stored comments. No HTML here.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::app::AppContext;
use crate::db::{responses, volumes};
use crate::definitions::SurveyVersion;
use crate::domain::Period;
use crate::services::indices::disclosure::DisclosureGuard;
use crate::services::indices::{self, IndexError, IndexQuery, IndexReport, UnitReport, Weighting};
use crate::stats::{required_sample, Estimate, SampleSize, StatsConfig};

/// How many quarters the trend shows.
pub const TREND_QUARTERS: usize = 8;
/// The margin the sample-size progress aims at (±5 points).
pub const TARGET_MARGIN: f64 = 0.05;
const COMMENT_LIMIT: i64 = 200;

/// One service point in the dashboard table.
#[derive(Debug, Clone)]
pub struct UnitLine {
    pub report: UnitReport,
    /// Responses needed for a ±5-point margin at the configured level
    /// (with the ministry's simplified figure when the volume is known).
    pub required: SampleSize,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub unit: String,
    pub text: String,
}

/// One survey's panel on a department dashboard.
#[derive(Debug, Clone)]
pub struct SurveyPanel {
    pub survey: Arc<SurveyVersion>,
    pub report: IndexReport,
    /// Overall index per quarter, oldest first.
    pub trend: Vec<(Period, Estimate)>,
    pub units: Vec<UnitLine>,
    /// Masked comments of service points at or above `min_cell`, newest first.
    pub comments: Vec<Comment>,
}

fn query_for(
    ctx: &AppContext,
    survey: &Arc<SurveyVersion>,
    period: Period,
    config: StatsConfig,
) -> Result<IndexQuery, IndexError> {
    Ok(IndexQuery {
        survey: survey.clone(),
        period,
        unit: None,
        weighting: Weighting::None,
        config,
        design: indices::default_design(ctx, &survey.survey.slug, &period, None, &config)?,
    })
}

/// Everything a department dashboard shows for one survey (blocking).
pub fn survey_panel(
    ctx: &AppContext,
    survey: &Arc<SurveyVersion>,
    period: Period,
) -> Result<SurveyPanel, IndexError> {
    let SurveyFigures {
        report,
        trend,
        units,
    } = survey_figures(ctx, survey, period)?;
    let config = ctx.stats;
    let shown_units: Vec<&str> = units
        .iter()
        .filter(|u| u.report.respondents >= config.min_cell)
        .map(|u| u.report.unit.as_str())
        .collect();
    let comments = if report.current.respondents >= config.min_cell {
        let versions = ctx.version_hashes_of(&survey.survey.slug);
        // Today's comments wait for tomorrow, as feedback items do: a list
        // that grows while one watches would time each comment.
        let (from, to) = period.bounds();
        let to = to.min(ctx.clock.today().pred_opt().unwrap_or(to));
        responses::comments(&mut *ctx.db.reader()?, &versions, from, to, COMMENT_LIMIT)?
            .into_iter()
            .filter(|(unit, _)| shown_units.contains(&unit.as_str()))
            .map(|(unit, text)| Comment {
                unit,
                text: mask_personal_data(&text),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SurveyPanel {
        survey: survey.clone(),
        report,
        trend,
        units,
        comments,
    })
}

/// The figures of one survey in a period, as dashboards and the public
/// results page show them: the index report, the trend over quarters and
/// every service point (no comments).
#[derive(Debug, Clone)]
pub struct SurveyFigures {
    pub report: IndexReport,
    /// Overall index per quarter, oldest first, up to the period's end.
    pub trend: Vec<(Period, Estimate)>,
    pub units: Vec<UnitLine>,
}

/// [`SurveyFigures`] of `survey` in `period` (blocking).
pub fn survey_figures(
    ctx: &AppContext,
    survey: &Arc<SurveyVersion>,
    period: Period,
) -> Result<SurveyFigures, IndexError> {
    let config = ctx.stats;
    let query = query_for(ctx, survey, period, config)?;
    let end = Period::quarter_of(period.bounds().1, period.mode);
    let mut quarters = vec![end];
    while quarters.len() < TREND_QUARTERS {
        let earlier = quarters.last().expect("not empty").previous();
        quarters.push(earlier);
    }
    quarters.reverse();
    // One read of the counts serves every figure of the panel.
    let guarded: Vec<Period> = std::iter::once(period)
        .chain(indices::compared_periods(period))
        .chain(quarters.iter().copied())
        .collect();
    let guard = DisclosureGuard::load(ctx, survey, &guarded, query.design)?;
    let (report, unit_reports) = indices::compute_with_units(ctx, &query, &guard)?;
    let overall = indices::overall_by_period(ctx, survey, &quarters, &config, &guard)?;
    let trend: Vec<(Period, Estimate)> = quarters.into_iter().zip(overall).collect();

    let volumes = volumes::for_period(&mut *ctx.db.reader()?, &period.label())?;
    let units: Vec<UnitLine> = unit_reports
        .into_iter()
        .map(|report| {
            let population = volumes.get(&report.unit).map(|n| *n as f64);
            UnitLine {
                required: required_sample(TARGET_MARGIN, config.level, 0.5, population),
                report,
            }
        })
        .collect();

    Ok(SurveyFigures {
        report,
        trend,
        units,
    })
}

/// One survey in the Home Affairs overview.
#[derive(Debug, Clone)]
pub struct OverviewLine {
    pub survey: Arc<SurveyVersion>,
    pub report: IndexReport,
}

/// Every survey of every department, for one period (blocking).
pub fn overview(ctx: &AppContext, period: Period) -> Result<Vec<OverviewLine>, IndexError> {
    ctx.catalog
        .surveys
        .iter()
        .map(|survey| {
            let query = query_for(ctx, survey, period, ctx.stats)?;
            Ok(OverviewLine {
                survey: survey.clone(),
                report: indices::compute(ctx, &query, Some(period.previous()))?,
            })
        })
        .collect()
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+").expect("valid pattern"));
/// Citizen ID numbers: 9 digits (old identity card) or 12 (citizen card).
static ID_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:\d{12}|\d{9})\b").expect("valid pattern"));
/// Phone numbers: 0 or +84 then 8–10 digits, spaces, dots or dashes allowed.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+84|\b0)(?:[ .\-]?\d){8,10}\b").expect("valid pattern"));

/// Replaces e-mail addresses, ID numbers and phone numbers in a comment.
pub fn mask_personal_data(text: &str) -> String {
    let text = EMAIL.replace_all(text, "[email]");
    let text = ID_NUMBER.replace_all(&text, "[số giấy tờ]");
    PHONE.replace_all(&text, "[số điện thoại]").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked_in_comments() {
        let cases = [
            ("Gọi tôi: 0912345678", "Gọi tôi: [số điện thoại]"),
            ("sđt 0912 345 678 nhé", "sđt [số điện thoại] nhé"),
            ("+84 912.345.678", "[số điện thoại]"),
            ("CCCD 089123456789 của tôi", "CCCD [số giấy tờ] của tôi"),
            ("CMND 361234567", "CMND [số giấy tờ]"),
            (
                "email nguyen.van.a@gmail.com xin phản hồi",
                "email [email] xin phản hồi",
            ),
            (
                "Chờ 45 phút, phòng 12, năm 2026",
                "Chờ 45 phút, phòng 12, năm 2026",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_personal_data(input), expected, "{input}");
        }
    }
}
