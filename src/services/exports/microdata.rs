//! Microdata for analysts: one CSV row per response with its answers, service
//! point and month (never the day), without comments. Written page by page,
//! so memory does not grow with the number of rows.
//!
//! Disclosure control: only whole calendar months are exported, and the rows
//! of a (service point, month) cell with fewer than `min_cell` respondents
//! are withheld. A cell is released or withheld by its own size alone, so
//! two exports of overlapping periods hold the same rows for every month
//! they share and cannot be differenced down to a respondent.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::app::AppContext;
use crate::db::responses::{self, MicrodataRow};
use crate::db::DbError;
use crate::definitions::{QuestionKind, SurveyVersion};
use crate::domain::{Period, PeriodKind, PeriodMode};

/// Rows read per query.
const PAGE: i64 = 5_000;

/// Columns before the answers.
const FIXED: [&str; 4] = ["survey_version", "unit", "month", "channel"];

/// The question keys exported, in the current questionnaire's order.
fn keys(survey: &SurveyVersion) -> Vec<&str> {
    survey
        .survey
        .questions()
        .filter(|q| q.kind != QuestionKind::Text)
        .map(|q| q.key.as_str())
        .collect()
}

pub fn header(survey: &SurveyVersion) -> Vec<String> {
    FIXED
        .iter()
        .copied()
        .chain(keys(survey))
        .map(str::to_string)
        .collect()
}

/// An answer as in the paper-import CSV: 1–5, NA, option keys joined by `;`,
/// 0–100, 1/0.
fn field(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s == "na" => "NA".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => if *b { "1" } else { "0" }.into(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(";"),
        Some(Value::Object(_)) => String::new(),
    }
}

/// A (service point, year, month) cell.
type Cell = (String, i32, u32);

fn cell_of(unit: &str, day: NaiveDate) -> Cell {
    (unit.to_string(), day.year(), day.month())
}

/// Which cells of a period are released, decided before anything is sent.
#[derive(Debug, Default)]
pub struct MicrodataPlan {
    released: HashSet<Cell>,
    /// Rows left out because their cell is under the threshold.
    pub withheld_rows: usize,
    /// Cells left out.
    pub withheld_cells: usize,
}

/// Whether `period` may be exported as microdata: whole calendar months.
pub fn check_period(period: &Period) -> Result<(), String> {
    if period.mode != PeriodMode::Calendar {
        return Err("microdata is exported by calendar month only; use mode=calendar".into());
    }
    if let PeriodKind::Range(..) = period.kind {
        return Err(
            "microdata is exported for whole months: a month, quarter, half or year, e.g. 2026-09"
                .into(),
        );
    }
    Ok(())
}

/// Counts every (service point, month) cell of `period`, over every version
/// of the questionnaire, and releases those with at least `min_cell`
/// respondents.
pub fn plan(
    ctx: &AppContext,
    survey: &SurveyVersion,
    period: &Period,
) -> Result<MicrodataPlan, DbError> {
    let (from, to) = period.bounds();
    let mut sizes: HashMap<Cell, i64> = HashMap::new();
    let mut conn = ctx.db.reader()?;
    for version in ctx.version_hashes_of(&survey.survey.slug) {
        for (unit, day, n) in responses::counts_by_unit_and_day(&mut conn, &version, from, to)? {
            *sizes.entry(cell_of(&unit, day)).or_default() += n;
        }
    }
    let min_cell = i64::try_from(ctx.stats.min_cell).unwrap_or(i64::MAX);
    let mut plan = MicrodataPlan::default();
    for (cell, n) in sizes {
        if n >= min_cell {
            plan.released.insert(cell);
        } else {
            plan.withheld_cells += 1;
            plan.withheld_rows += usize::try_from(n).unwrap_or(0);
        }
    }
    Ok(plan)
}

/// `keys` are the current questionnaire's; `earlier_keys` says under which
/// key the row's own version stored the same question (see
/// [`crate::definitions::Survey::earlier_keys`]): a key whose meaning
/// changed between editions is not filled from the old answers.
fn record(row: &MicrodataRow, keys: &[&str], earlier_keys: &HashMap<&str, &str>) -> Vec<String> {
    let answers: serde_json::Map<String, Value> =
        serde_json::from_str(&row.answers).unwrap_or_default();
    let month = format!(
        "{}-{:02}",
        row.submitted_on.year(),
        row.submitted_on.month()
    );
    [
        row.survey_version.clone(),
        row.unit.clone(),
        month,
        row.channel.to_string(),
    ]
    .into_iter()
    .chain(keys.iter().map(|k| {
        field(
            earlier_keys
                .get(k)
                .and_then(|earlier| answers.get(*earlier)),
        )
    }))
    .collect()
}

/// Writes the CSV (UTF-8 with a byte-order mark) of the cells `plan`
/// releases in chunks to `sink`, which returns false to stop early (the
/// client went away). Blocking. Returns the number of rows written.
pub fn write(
    ctx: &AppContext,
    survey: &SurveyVersion,
    period: &Period,
    plan: &MicrodataPlan,
    mut sink: impl FnMut(Vec<u8>) -> bool,
) -> Result<usize, MicrodataError> {
    let keys = keys(survey);
    let versions = ctx.versions_of(&survey.survey.slug);
    let (from, to) = period.bounds();
    let mut chunk = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    chunk.write_record(header(survey))?;
    let mut written = 0;
    for version in &versions {
        let earlier_keys = survey.survey.earlier_keys(&version.survey);
        let mut after: Option<String> = None;
        loop {
            let mut conn = ctx.db.reader()?;
            let page = responses::microdata_page(
                &mut conn,
                &version.hash,
                from,
                to,
                after.as_deref(),
                PAGE,
            )?;
            drop(conn);
            for row in &page {
                if plan
                    .released
                    .contains(&cell_of(&row.unit, row.submitted_on))
                {
                    chunk.write_record(record(row, &keys, &earlier_keys))?;
                    written += 1;
                }
            }
            let bytes = chunk
                .into_inner()
                .map_err(|e| MicrodataError::Csv(e.into_error().into()))?;
            if !sink(bytes) {
                return Ok(written);
            }
            chunk = csv::Writer::from_writer(Vec::new());
            if (page.len() as i64) < PAGE {
                break;
            }
            after = page.last().map(|r| r.id.clone());
        }
    }
    Ok(written)
}

#[derive(Debug, thiserror::Error)]
pub enum MicrodataError {
    #[error("cannot write the CSV")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}
