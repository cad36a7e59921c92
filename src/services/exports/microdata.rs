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

/// A (service point, year, month) cell.
type Cell = (String, i32, u32);

fn cell_of(unit: &str, day: NaiveDate) -> Cell {
    (unit.to_string(), day.year(), day.month())
}

/// Which cells of a period are released, decided before anything is sent.
#[derive(Debug, Default)]
pub struct MicrodataPlan {
    /// The released (year, month)s of each service point.
    released: HashMap<String, HashSet<(i32, u32)>>,
    /// Rows of the period, released or withheld.
    pub selected_rows: usize,
    /// Rows left out because their cell is under the threshold.
    pub withheld_rows: usize,
    /// Cells left out.
    pub withheld_cells: usize,
}

impl MicrodataPlan {
    /// Whether the rows of `unit` in (year, month) are released.
    fn releases(&self, unit: &str, (year, month): (i32, u32)) -> bool {
        self.released
            .get(unit)
            .is_some_and(|months| months.contains(&(year, month)))
    }
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
        plan.selected_rows += usize::try_from(n).unwrap_or(0);
        if n >= min_cell {
            let (unit, year, month) = cell;
            plan.released.entry(unit).or_default().insert((year, month));
        } else {
            plan.withheld_cells += 1;
            plan.withheld_rows += usize::try_from(n).unwrap_or(0);
        }
    }
    Ok(plan)
}

/// Where each of a version's own keys goes among the exported columns:
/// under the current key of the same question (see
/// [`crate::definitions::Survey::earlier_keys`]); a key whose meaning
/// changed between editions goes nowhere.
struct Columns {
    /// The version's keys in sorted order, the order of stored answers
    /// (kept sorted so that equal answers serialise equally), so that a
    /// row's keys are found by walking forward rather than by hashing each.
    ordered: Vec<(String, Option<usize>)>,
}

impl Columns {
    fn of(survey: &SurveyVersion, version: &SurveyVersion) -> Columns {
        let earlier_keys = survey.survey.earlier_keys(&version.survey);
        let column_of: HashMap<&str, usize> = keys(survey)
            .iter()
            .enumerate()
            .filter_map(|(column, key)| Some((*earlier_keys.get(key)?, FIXED.len() + column)))
            .collect();
        let mut ordered: Vec<(String, Option<usize>)> = version
            .survey
            .questions()
            .map(|q| (q.key.clone(), column_of.get(q.key.as_str()).copied()))
            .collect();
        ordered.sort();
        Columns { ordered }
    }

    /// The column of `key`, looking first at and just after `cursor` (the
    /// place after the previous key of the row), which it moves on.
    fn find(&self, key: &str, cursor: &mut usize) -> Option<usize> {
        let ahead = self
            .ordered
            .iter()
            .skip(*cursor)
            .take(4)
            .position(|(k, _)| k == key);
        let at = match ahead {
            Some(offset) => *cursor + offset,
            None => self
                .ordered
                .binary_search_by(|(k, _)| k.as_str().cmp(key))
                .ok()?,
        };
        *cursor = at + 1;
        self.ordered[at].1
    }
}

/// Fills `fields` with a stored answers object, each answer written as
/// [`Field`] writes it, straight from the JSON text: no map per row.
struct AnswerFields<'a> {
    columns: &'a Columns,
    fields: &'a mut [String],
}

impl<'de> serde::de::DeserializeSeed<'de> for AnswerFields<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AnswerFields<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of answers")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut cursor = 0;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match self.columns.find(&key, &mut cursor) {
                Some(column) => map.next_value_seed(Field(&mut self.fields[column]))?,
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key of the answers object, borrowed from the JSON text unless it
/// holds an escape (serde's own `Cow` always copies).
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a question key")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// One answer written into its field as in the paper-import CSV: 1–5, NA,
/// option keys joined by `;`, 0–100, 1/0; nothing for a skipped answer.
struct Field<'a>(&'a mut String);

impl<'de> serde::de::DeserializeSeed<'de> for Field<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Field<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an answer")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push_str(if v == "na" { "NA" } else { v });
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.push(if v { '1' } else { '0' });
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        use std::fmt::Write;
        let _ = write!(self.0, "{v}");
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        use std::fmt::Write;
        let _ = write!(self.0, "{v}");
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        // As JSON writes it (50.0, not 50).
        self.0.push_str(&Value::from(v).to_string());
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut first = true;
        while let Some(item) = seq.next_element::<Value>()? {
            if let Value::String(option) = item {
                if !first {
                    self.0.push(';');
                }
                self.0.push_str(&option);
                first = false;
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok(())
    }
}

/// Writes the CSV (UTF-8 with a byte-order mark) of the cells `plan`
/// releases to `out`. Blocking. Returns the number of rows written.
pub fn write(
    ctx: &AppContext,
    survey: &SurveyVersion,
    period: &Period,
    plan: &MicrodataPlan,
    mut out: impl std::io::Write,
) -> Result<usize, MicrodataError> {
    let versions = ctx.versions_of(&survey.survey.slug);
    let columns: HashMap<&str, Columns> = versions
        .iter()
        .map(|version| (version.hash.as_str(), Columns::of(survey, version)))
        .collect();
    let hashes: Vec<String> = versions.iter().map(|v| v.hash.clone()).collect();
    let (from, to) = period.bounds();
    out.write_all("\u{feff}".as_bytes())
        .map_err(csv::Error::from)?;
    let mut out = csv::Writer::from_writer(out);
    out.write_record(header(survey))?;
    let mut fields = vec![String::new(); FIXED.len() + keys(survey).len()];
    let mut written = 0;
    // Rows are read on a thread of their own and written on this one, a
    // batch at a time through a short queue: the database (SQLite decoding
    // rows, or PostgreSQL sorting and sending the next batch) works while
    // the rows before are written, and memory holds a few batches at most.
    std::thread::scope(|scope| -> Result<(), MicrodataError> {
        let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<MicrodataRow>>(2);
        let reader = scope.spawn(move || -> Result<(), MicrodataError> {
            let mut conn = ctx.db.reader()?;
            let mut batch = Vec::with_capacity(READ_BATCH);
            responses::for_each_microdata_row(
                &mut conn,
                &hashes,
                from,
                to,
                plan.selected_rows,
                |row| -> Result<(), MicrodataError> {
                    batch.push(row);
                    if batch.len() == READ_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH));
                        // The writer stopped (its error is the one reported).
                        sender
                            .send(full)
                            .map_err(|_| MicrodataError::WriterStopped)?;
                    }
                    Ok(())
                },
            )?;
            if !batch.is_empty() {
                sender
                    .send(batch)
                    .map_err(|_| MicrodataError::WriterStopped)?;
            }
            Ok(())
        });
        let wrote = (|| -> Result<(), MicrodataError> {
            for row in batches.iter().flatten() {
                let month = (row.submitted_on.year(), row.submitted_on.month());
                if !plan.releases(&row.unit, month) {
                    continue;
                }
                let Some(columns) = columns.get(row.survey_version.as_str()) else {
                    continue;
                };
                fields.iter_mut().for_each(String::clear);
                let mut answers = serde_json::Deserializer::from_str(&row.answers);
                // Stored answers are always an object (they were parsed
                // before being stored); were one unreadable, its row would
                // keep the answers read before the fault and leave the rest
                // empty.
                let _ = serde::de::DeserializeSeed::deserialize(
                    AnswerFields {
                        columns,
                        fields: &mut fields,
                    },
                    &mut answers,
                );
                fields[0] = row.survey_version;
                fields[1] = row.unit;
                fields[2] = format!("{}-{:02}", month.0, month.1);
                fields[3] = row.channel.to_string();
                out.write_record(&fields)?;
                written += 1;
            }
            Ok(())
        })();
        // A failed write drops the queue, which stops the reader.
        drop(batches);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (wrote, read) {
            (Err(err), _) | (Ok(()), Err(err)) => Err(err),
            (Ok(()), Ok(())) => Ok(()),
        }
    })?;
    out.flush().map_err(csv::Error::from)?;
    Ok(written)
}

/// Rows read before they are handed to the writer.
const READ_BATCH: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum MicrodataError {
    #[error("cannot write the CSV")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the export's writer stopped")]
    WriterStopped,
}
