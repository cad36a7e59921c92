//! A survey's responses added up ([`stats::sums`]) by half-month, service
//! point and design, so that an index request costs the same over ten
//! million responses as over one.
//!
//! Every period of the reporting grid — calendar months, reporting months
//! from the 15th to the 14th, and the quarters, halves and years made of
//! either — is a run of whole half-months. A half-month that ended three
//! days ago or more is read once, added up, and kept in memory; the sums of
//! a period are then the sums of its half-months. What is not a whole,
//! closed half-month (the current one, the edges of a free date range) is
//! read row by row each time.
//!
//! The kept sums never drift from the rows: responses are never updated or
//! deleted, and a response stored into a closed half-month is counted in
//! `late_responses` in the same transaction as its insert
//! ([`responses::is_late`]). Sums are
//! kept together with the count they were built with, read in the same
//! snapshot as their rows, and are rebuilt when the count has changed.
//!
//! Sums are laid out on the current questionnaire: a response to an earlier
//! version counts under the current items of the same series, exactly as
//! when the rows are read (see [`super::push_scores`]).

use std::sync::Arc;

use chrono::NaiveDate;

use super::other_items;
use crate::app::AppContext;
use crate::db::{responses, Conn, Db, DbError};
use crate::definitions::SurveyVersion;
use crate::domain::Design;
use crate::stats::sums::{CellSums, Shape};

pub use crate::app::IndexCells as Cells;

/// The sums of the responses of a stretch of days within one half-month,
/// one [`Cells`] per questionnaire version (by hash) with responses in it.
pub struct Piece {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub cells: Vec<(String, Arc<Cells>)>,
}

impl Piece {
    /// Every (service point, design, sums) of the piece.
    pub fn each(&self) -> impl Iterator<Item = (&str, Design, &CellSums)> {
        self.cells
            .iter()
            .flat_map(|(_, cells)| cells.iter())
            .map(|((unit, design), sums)| (unit.as_str(), *design, sums))
    }
}

/// The questionnaire `current` as the sums see it.
pub fn shape_of(current: &SurveyVersion) -> Shape {
    Shape::new(
        super::layout_of(current),
        other_items::questions(&current.survey)
            .map(|q| other_items::option_keys(q).len())
            .collect(),
    )
}

/// The sums of every response to `current`'s survey from `from` to `to`
/// inclusive, in pieces of at most a half-month (blocking).
pub fn pieces(
    ctx: &AppContext,
    current: &SurveyVersion,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Piece>, DbError> {
    if to < from {
        return Ok(Vec::new());
    }
    let shape = shape_of(current);
    let versions = ctx.versions_of(&current.survey.slug);
    let hashes: Vec<String> = versions.iter().map(|v| v.hash.clone()).collect();
    let mut conn = ctx.db.reader()?;
    let late = responses::late_counts(&mut conn, &hashes)?;
    // Kept only when over by the service's clock and the system's alike
    // (see `responses::is_late`, which goes by the system's).
    let today = ctx.clock.today().min(crate::domain::system_today());
    let closed = |end: NaiveDate| (today - end).num_days() >= 3;
    let mut pieces = Vec::new();
    let mut start = responses::half_month_of(from);
    while start <= to {
        let end = responses::half_month_end(start);
        let (first_day, last_day) = (start.max(from), end.min(to));
        let whole = first_day == start && last_day == end;
        let mut cells = Vec::new();
        for version in &versions {
            let reader = Reader {
                current,
                version,
                shape: &shape,
            };
            let part = if whole && closed(end) {
                let key = (current.hash.clone(), version.hash.clone(), start);
                let late_now = late
                    .get(&(version.hash.clone(), start))
                    .copied()
                    .unwrap_or(0);
                match ctx.sums.get(&key, late_now) {
                    Some(cells) => cells,
                    None => {
                        let (late_then, built) = reader.read_kept(&mut conn, start, end)?;
                        let built = Arc::new(built);
                        ctx.sums.keep(key, late_then, built.clone());
                        built
                    }
                }
            } else {
                Arc::new(reader.read(&mut conn, first_day, last_day)?)
            };
            if !part.is_empty() {
                cells.push((version.hash.clone(), part));
            }
        }
        pieces.push(Piece {
            first_day,
            last_day,
            cells,
        });
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    Ok(pieces)
}

/// Reads and keeps the sums of every closed half-month of every survey
/// (blocking), so that the first index requests after a start do not read
/// rows; returns the responses covered.
pub fn keep_all(ctx: &AppContext) -> Result<usize, DbError> {
    let today = ctx.clock.today();
    let mut respondents = 0;
    for current in &ctx.catalog.surveys {
        let first = responses::first_day(
            &mut *ctx.db.reader()?,
            &ctx.version_hashes_of(&current.survey.slug),
        )?;
        if let Some(first) = first {
            for piece in pieces(ctx, current, first, today)? {
                respondents += piece.each().map(|(_, _, s)| s.respondents()).sum::<usize>();
            }
        }
    }
    Ok(respondents)
}

/// Reads the responses to one version into sums laid out on the current one.
struct Reader<'a> {
    current: &'a SurveyVersion,
    version: &'a SurveyVersion,
    shape: &'a Shape,
}

impl Reader<'_> {
    /// The count of late responses of the half-month and its sums, from
    /// one snapshot: a response stored in between is in both or neither.
    fn read_kept(
        &self,
        conn: &mut Conn,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<(i64, Cells), DbError> {
        let hash = std::slice::from_ref(&self.version.hash);
        Db::read_snapshot(conn, |conn| {
            let late = responses::late_counts(conn, hash)?
                .get(&(self.version.hash.clone(), start))
                .copied()
                .unwrap_or(0);
            Ok((late, self.read(conn, start, end)?))
        })
    }

    fn read(&self, conn: &mut Conn, from: NaiveDate, to: NaiveDate) -> Result<Cells, DbError> {
        let items = self.shape.layout.item_element.len();
        let positions = super::positions_in_current(self.current, self.version);
        let earlier_keys = self.current.survey.earlier_keys(&self.version.survey);
        let questions: Vec<_> = other_items::questions(&self.current.survey).collect();
        let mut cells = Cells::new();
        let mut scores = Vec::with_capacity(items);
        let mut answers = Vec::with_capacity(questions.len());
        for (unit, _, code, answers_json, design) in
            responses::contributions(conn, &self.version.hash, from, to)?
        {
            scores.clear();
            super::push_scores(&mut scores, items, &positions, &code);
            answers.clear();
            other_items::push_answers(
                &self.current.survey,
                &earlier_keys,
                &answers_json,
                &mut answers,
            );
            let sums = cells
                .entry((unit, design))
                .or_insert_with(|| CellSums::new(self.shape));
            sums.add(&scores, self.shape);
            other_items::add_answers(&questions, &answers, &mut sums.others);
        }
        Ok(cells)
    }
}
