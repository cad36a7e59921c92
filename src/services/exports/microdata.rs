//! Microdata for analysts: one CSV row per response with its answers, service
//! point and month (never the day), without comments. Written page by page,
//! so memory does not grow with the number of rows.

use chrono::Datelike;
use serde_json::Value;

use crate::app::AppContext;
use crate::db::responses::{self, MicrodataRow};
use crate::db::DbError;
use crate::definitions::{QuestionKind, SurveyVersion};
use crate::domain::Period;

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

fn record(row: &MicrodataRow, keys: &[&str]) -> Vec<String> {
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
    .chain(keys.iter().map(|k| field(answers.get(*k))))
    .collect()
}

/// Writes the CSV (UTF-8 with a byte-order mark) in chunks to `sink`, which
/// returns false to stop early (the client went away). Blocking. Returns the
/// number of rows written.
pub fn write(
    ctx: &AppContext,
    survey: &SurveyVersion,
    period: &Period,
    mut sink: impl FnMut(Vec<u8>) -> bool,
) -> Result<usize, MicrodataError> {
    let keys = keys(survey);
    let versions = ctx.version_hashes_of(&survey.survey.slug);
    let (from, to) = period.bounds();
    let mut chunk = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    chunk.write_record(header(survey))?;
    let mut written = 0;
    for version in &versions {
        let mut after: Option<String> = None;
        loop {
            let mut conn = ctx.db.reader()?;
            let page =
                responses::microdata_page(&mut conn, version, from, to, after.as_deref(), PAGE)?;
            drop(conn);
            for row in &page {
                chunk.write_record(record(row, &keys))?;
            }
            written += page.len();
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
