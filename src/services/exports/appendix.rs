//! The appendix tables offices paste into the periodic report: one row per
//! department and survey (the element percentages as columns, the overall
//! index with its interval, respondents, rank, the same period last year
//! and the change), and one row per service point ranked within its survey.
//!
//! Ranking: by the estimate as published (a tenth of a percentage point),
//! equal estimates share a rank ("1, 2, 2, 4"), withheld and suppressed
//! figures are not ranked. Because estimates carry sampling error, a rank is
//! marked as not separable when its interval overlaps the interval of the
//! row ranked just above or just below: the order of those rows could be
//! chance.

use serde::Serialize;

use crate::definitions::{Catalog, Survey};
use crate::stats::Estimate;

use super::ExportData;

/// Where a figure stands among the others of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rank {
    /// 1 for the highest estimate; equal estimates share a rank.
    pub rank: usize,
    /// False when the interval overlaps that of a neighbour in the ranking.
    pub separable: bool,
}

/// Ranks of `estimates` (None for a figure that is not published).
pub fn ranks(estimates: &[&Estimate]) -> Vec<Option<Rank>> {
    // Equal as published: the percentage with one decimal, rounded exactly
    // as the pages and exports print it.
    let key = |e: &Estimate| {
        e.estimate.filter(|_| !e.suppressed).and_then(|v| {
            format!("{:.1}", v * 100.0)
                .replace('.', "")
                .parse::<i64>()
                .ok()
        })
    };
    let keys: Vec<Option<i64>> = estimates.iter().map(|e| key(e)).collect();
    // The distinct published values, highest first.
    let mut levels: Vec<i64> = keys.iter().flatten().copied().collect();
    levels.sort_unstable_by(|a, b| b.cmp(a));
    levels.dedup();
    let overlaps = |i: usize, j: usize| match (
        estimates[i].ci_low,
        estimates[i].ci_high,
        estimates[j].ci_low,
        estimates[j].ci_high,
    ) {
        (Some(low), Some(high), Some(other_low), Some(other_high)) => {
            low <= other_high && other_low <= high
        }
        _ => true,
    };
    (0..estimates.len())
        .map(|i| {
            let value = keys[i]?;
            let rank = 1 + keys.iter().flatten().filter(|&&k| k > value).count();
            let level = levels.iter().position(|&l| l == value).unwrap_or(0);
            // Compared with every row of its own value and of the values
            // just above and just below: a tie is never separable.
            let neighbours: Vec<i64> = [level.checked_sub(1), Some(level), Some(level + 1)]
                .into_iter()
                .flatten()
                .filter_map(|l| levels.get(l).copied())
                .collect();
            let separable = !(0..estimates.len()).any(|j| {
                j != i
                    && keys[j].is_some_and(|k| neighbours.contains(&k))
                    && (keys[j] == Some(value) || overlaps(i, j))
            });
            Some(Rank { rank, separable })
        })
        .collect()
}

/// One element's index in an appendix row.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ElementShare {
    pub key: String,
    pub label_vi: String,
    /// Null when not published.
    pub index: Option<f64>,
}

/// One department and survey.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AppendixRow {
    pub department: String,
    /// The department's name in force at the end of the period, and
    /// today's after it when it has changed since ("… (nay là …)").
    pub department_name_vi: String,
    pub survey: String,
    pub survey_title_vi: String,
    pub respondents: usize,
    pub elements: Vec<ElementShare>,
    pub overall: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub rank: Option<Rank>,
    /// The overall index of the same period last year, when published.
    pub same_period_last_year: Option<f64>,
    /// Change since then, and whether it is statistically significant.
    pub change: Option<f64>,
    pub change_significant: Option<bool>,
}

/// One service point, ranked within its survey.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitAppendixRow {
    pub survey: String,
    pub survey_title_vi: String,
    pub unit: String,
    /// The name in force at the end of the period, saying which province
    /// it was in for a period that begins before the 2025 merger.
    pub unit_name_vi: String,
    pub respondents: usize,
    pub elements: Vec<ElementShare>,
    pub overall: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub rank: Option<Rank>,
}

fn published(e: &Estimate) -> Option<f64> {
    e.estimate.filter(|_| !e.suppressed)
}

/// The survey's elements with their published indices, in order.
fn element_shares<'a>(
    survey: &Survey,
    indices: impl Iterator<Item = &'a Estimate>,
) -> Vec<ElementShare> {
    survey
        .sections
        .iter()
        .filter(|s| s.is_element())
        .zip(indices)
        .map(|(section, index)| ElementShare {
            key: section.key.clone(),
            label_vi: section.label.vi.clone(),
            index: published(index),
        })
        .collect()
}

/// The department × survey table, ranked by overall index.
pub fn survey_rows(data: &ExportData, catalog: &Catalog) -> Vec<AppendixRow> {
    let period_end = data.request.period.bounds().1;
    let today = data.generated_at.date_naive();
    let overall: Vec<&Estimate> = data
        .surveys
        .iter()
        .map(|s| &s.report.current.estimates.overall)
        .collect();
    let ranks = ranks(&overall);
    data.surveys
        .iter()
        .zip(ranks)
        .map(|(results, rank)| {
            let survey = &results.survey.survey;
            let current = &results.report.current;
            let estimate = &current.estimates.overall;
            let year_ago = results.report.year_ago.as_ref();
            AppendixRow {
                department: survey.department.clone(),
                department_name_vi: catalog
                    .department(&survey.department)
                    .map(|d| d.name_as_of(period_end, today, crate::i18n::Lang::Vi))
                    .unwrap_or_else(|| survey.department.clone()),
                survey: survey.slug.clone(),
                survey_title_vi: survey.title.vi.clone(),
                respondents: current.respondents,
                elements: element_shares(
                    survey,
                    current.estimates.elements.iter().map(|e| &e.index),
                ),
                overall: published(estimate),
                ci_low: estimate.ci_low.filter(|_| !estimate.suppressed),
                ci_high: estimate.ci_high.filter(|_| !estimate.suppressed),
                rank,
                same_period_last_year: year_ago
                    .and_then(|y| published(&y.previous.estimates.overall)),
                change: year_ago.and_then(|y| y.overall.difference),
                change_significant: year_ago
                    .filter(|y| y.overall.difference.is_some())
                    .map(|y| y.overall.significant),
            }
        })
        .collect()
}

/// Every service point, ranked within its survey by overall index.
pub fn unit_rows(data: &ExportData, catalog: &Catalog) -> Vec<UnitAppendixRow> {
    let bounds = data.request.period.bounds();
    let mut out = Vec::new();
    for results in &data.surveys {
        let estimates: Vec<&Estimate> = results.units.iter().map(|u| &u.overall).collect();
        for (unit, rank) in results.units.iter().zip(ranks(&estimates)) {
            let e = &unit.overall;
            let survey = &results.survey.survey;
            out.push(UnitAppendixRow {
                survey: survey.slug.clone(),
                survey_title_vi: survey.title.vi.clone(),
                unit: unit.unit.clone(),
                elements: element_shares(survey, unit.elements.iter()),
                unit_name_vi: catalog
                    .unit(&unit.unit)
                    .map(|u| u.name_for(bounds, crate::i18n::Lang::Vi))
                    .unwrap_or_default(),
                respondents: unit.respondents,
                overall: published(e),
                ci_low: e.ci_low.filter(|_| !e.suppressed),
                ci_high: e.ci_high.filter(|_| !e.suppressed),
                rank,
            });
        }
    }
    out
}

/// The survey table as CSV (UTF-8 with a byte-order mark): elements as
/// `KEY=index` joined by `;`, fractions with a dot.
pub fn write_csv(rows: &[AppendixRow]) -> csv::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record([
        "department",
        "department_name_vi",
        "survey",
        "survey_title_vi",
        "respondents",
        "elements",
        "overall",
        "ci_low",
        "ci_high",
        "rank",
        "rank_separable",
        "same_period_last_year",
        "change",
        "change_significant",
    ])?;
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for row in rows {
        let elements: Vec<String> = row
            .elements
            .iter()
            .map(|e| format!("{}={}", e.key, number(e.index)))
            .collect();
        writer.write_record([
            row.department.clone(),
            row.department_name_vi.clone(),
            row.survey.clone(),
            row.survey_title_vi.clone(),
            row.respondents.to_string(),
            elements.join(";"),
            number(row.overall),
            number(row.ci_low),
            number(row.ci_high),
            row.rank.map(|r| r.rank.to_string()).unwrap_or_default(),
            row.rank
                .map(|r| r.separable.to_string())
                .unwrap_or_default(),
            number(row.same_period_last_year),
            number(row.change),
            row.change_significant
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Flag, Method};

    fn estimate(value: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            estimate: Some(value),
            se: Some(0.01),
            ci_low: Some(low),
            ci_high: Some(high),
            n: 100,
            method: Method::Logit,
            n_eff: None,
            deff: None,
            flags: Vec::new(),
            suppressed: false,
        }
    }

    #[test]
    fn ties_follow_the_printed_percentage_and_are_compared_as_a_group() {
        // 0.8125 prints as 81,2 %, like 0.812: a tie, whatever the rounding
        // of the raw value.
        let printed = crate::i18n::percent(crate::i18n::Lang::Vi, 0.8125);
        assert!(printed.starts_with("81,2"), "{printed}");
        let (x, y) = (estimate(0.8125, 0.70, 0.90), estimate(0.812, 0.70, 0.90));
        let ranked = ranks(&[&x, &y]);
        assert_eq!(ranked[0].map(|r| r.rank), Some(1));
        assert_eq!(ranked[1].map(|r| r.rank), Some(1));
        // A row next to a tied group is compared with every member of it,
        // in whichever order the rows come.
        let a = estimate(0.90, 0.85, 0.95);
        let b = estimate(0.80, 0.79, 0.81);
        let c = estimate(0.80, 0.70, 0.86);
        for order in [[&a, &b, &c], [&a, &c, &b]] {
            assert!(!ranks(&order)[0].unwrap().separable, "a overlaps c");
        }
    }

    #[test]
    fn equal_estimates_share_a_rank_and_overlapping_intervals_are_marked() {
        let a = estimate(0.90, 0.88, 0.92);
        let b = estimate(0.80, 0.77, 0.83);
        let c = estimate(0.80004, 0.77, 0.83); // 80.0 % as published: tied with b
        let d = estimate(0.60, 0.55, 0.65);
        let mut hidden = estimate(0.99, 0.98, 1.0);
        hidden.suppressed = true;
        hidden.flags.push(Flag::Withheld);
        let ranked = ranks(&[&d, &b, &a, &hidden, &c]);
        let rank_of = |i: usize| ranked[i].map(|r| r.rank);
        assert_eq!(rank_of(2), Some(1));
        assert_eq!(rank_of(1), Some(2));
        assert_eq!(rank_of(4), Some(2), "a tie shares the rank");
        assert_eq!(rank_of(0), Some(4), "the next rank skips the tie");
        assert_eq!(ranked[3], None, "a withheld figure is not ranked");
        // a is clear of b; b and c overlap each other; d is clear of c.
        assert!(ranked[2].unwrap().separable);
        assert!(!ranked[1].unwrap().separable);
        assert!(!ranked[4].unwrap().separable);
        assert!(ranked[0].unwrap().separable);
    }
}
