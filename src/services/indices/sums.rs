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

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::other_items;
use crate::app::AppContext;
use crate::db::{index_sums, responses, Conn, Db, DbError};
use crate::definitions::SurveyVersion;
use crate::domain::Design;
use crate::stats::sums::{CellSums, Shape};

pub use crate::app::IndexCells as Cells;
use crate::app::KeptKey;

/// The sums of the responses of a stretch of days within one half-month
/// (from `first_day`), one [`Cells`] per questionnaire version (by hash)
/// with responses in it.
pub struct Piece {
    pub first_day: NaiveDate,
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

/// A stretch of days within one half-month: kept once over, or read each
/// time.
struct Stretch {
    first_day: NaiveDate,
    last_day: NaiveDate,
    half_month: NaiveDate,
    kept: bool,
}

/// The stretches of `from..=to`: each closed half-month whole; in the
/// one still running, each closed day, then the days not yet closed as one
/// stretch. A day is closed when it ended three days ago or more (see
/// [`responses::is_late`], which leaves one day of grace either way). The
/// part of a closed half-month that a free range takes is read each time,
/// not kept: such figures are never released, and keeping them would let
/// requests fill memory with days.
fn stretches(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Vec<Stretch> {
    let closed = |day: NaiveDate| (today - day).num_days() >= 3;
    let mut stretches = Vec::new();
    let mut start = responses::half_month_of(from);
    while start <= to {
        let end = responses::half_month_end(start);
        let (first, last) = (start.max(from), end.min(to));
        if first == start && last == end && closed(end) {
            stretches.push(Stretch {
                first_day: first,
                last_day: last,
                half_month: start,
                kept: true,
            });
        } else if closed(end) {
            stretches.push(Stretch {
                first_day: first,
                last_day: last,
                half_month: start,
                kept: false,
            });
        } else {
            let mut day = first;
            while day <= last {
                let kept = closed(day);
                stretches.push(Stretch {
                    first_day: day,
                    last_day: if kept { day } else { last },
                    half_month: start,
                    kept,
                });
                if !kept {
                    break;
                }
                match day.succ_opt() {
                    Some(next) => day = next,
                    None => break,
                }
            }
        }
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    stretches
}

/// The sums of every response to `current`'s survey from `from` to `to`
/// inclusive, in pieces within half-months (blocking). Sums kept in
/// memory are used where valid, then stored ones (`index_sums`) that still
/// hold; everything else is read in one snapshot per version, one query
/// per run of adjacent stretches. Closed stretches are kept, and those
/// read from the rows stored, on a thread of its own.
pub fn pieces(
    ctx: &AppContext,
    current: &SurveyVersion,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Piece>, DbError> {
    let mut provenance = Provenance::default();
    let (pieces, to_store) = pieces_counted(ctx, current, from, to, &mut provenance)?;
    // Stored on a thread of its own: a request never waits for the write
    // lock (SQLite's is held by any import in progress).
    if !to_store.is_empty() {
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("index-sums-store".into())
            .spawn(move || store(&ctx, &to_store));
        if let Err(e) = spawned {
            log::warn!("index sums not stored: {e}");
        }
    }
    Ok(pieces)
}

/// Sums built from the rows, to store: (current version, version, first
/// day, last day, late count, sums).
type ToStore = Vec<(String, String, NaiveDate, NaiveDate, i64, Arc<Cells>)>;

/// Of the closed stretches not found in memory, how many were loaded as
/// stored, and how many read from the rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Provenance {
    pub loaded: usize,
    pub read: usize,
}

/// [`pieces`], counting where what was not in memory came from, and
/// returning what was built from the rows for the caller to store.
fn pieces_counted(
    ctx: &AppContext,
    current: &SurveyVersion,
    from: NaiveDate,
    to: NaiveDate,
    provenance: &mut Provenance,
) -> Result<(Vec<Piece>, ToStore), DbError> {
    if to < from {
        return Ok((Vec::new(), Vec::new()));
    }
    let shape = shape_of(current);
    let versions = ctx.versions_of(&current.survey.slug);
    let hashes: Vec<String> = versions.iter().map(|v| v.hash.clone()).collect();
    // Kept only when over by the service's clock and the system's alike
    // (see `responses::is_late`, which goes by the system's).
    let today = ctx.clock.today().min(crate::domain::system_today());
    let stretches = stretches(from, to, today);
    let mut conn = ctx.db.reader()?;
    let late = responses::late_counts(&mut conn, &hashes)?;
    let mut found: Vec<Vec<(String, Arc<Cells>)>> = stretches.iter().map(|_| Vec::new()).collect();
    let mut to_store = ToStore::new();
    for version in &versions {
        let key = |s: &Stretch| KeptKey {
            current: current.hash.clone(),
            version: version.hash.clone(),
            first_day: s.first_day,
            last_day: s.last_day,
        };
        let late_of = |late: &HashMap<(String, NaiveDate), i64>, s: &Stretch| {
            late.get(&(version.hash.clone(), s.half_month))
                .copied()
                .unwrap_or(0)
        };
        let mut to_read = Vec::new();
        for (i, stretch) in stretches.iter().enumerate() {
            let kept = stretch
                .kept
                .then(|| ctx.sums.get(&key(stretch), late_of(&late, stretch)))
                .flatten();
            match kept {
                Some(cells) if cells.is_empty() => {}
                Some(cells) => found[i].push((version.hash.clone(), cells)),
                None => to_read.push(i),
            }
        }
        if to_read.is_empty() {
            continue;
        }
        let reader = Reader {
            current,
            version,
            shape: &shape,
        };
        let hash = std::slice::from_ref(&version.hash);
        let stored_key = |s: &Stretch| index_sums::Stretch {
            current: &current.hash,
            version: &version.hash,
            first_day: s.first_day,
            last_day: s.last_day,
        };
        // The late counts, the stored sums and the rows they count, from
        // one snapshot: a response stored in between is in all or none.
        let (late_then, loaded, from_rows, read) = Db::read_snapshot(&mut conn, |conn| {
            let late_then = responses::late_counts(conn, hash)?;
            let mut loaded = Vec::new();
            let mut from_rows = Vec::new();
            for &i in &to_read {
                let stretch = &stretches[i];
                let stored = if stretch.kept {
                    let late = late_of(&late_then, stretch);
                    load_stored(conn, stored_key(stretch), late, &shape)?
                } else {
                    None
                };
                match stored {
                    Some(cells) => loaded.push((i, cells)),
                    None => from_rows.push(i),
                }
            }
            let mut read: Vec<Cells> = from_rows.iter().map(|_| Cells::new()).collect();
            let mut run_start = 0;
            while run_start < from_rows.len() {
                // Stretches are in date order, adjacent ones without a gap.
                let mut run_end = run_start;
                while run_end + 1 < from_rows.len()
                    && from_rows[run_end + 1] == from_rows[run_end] + 1
                {
                    run_end += 1;
                }
                let run = &from_rows[run_start..=run_end];
                let (first, last) = (
                    stretches[run[0]].first_day,
                    stretches[run[run.len() - 1]].last_day,
                );
                reader.read(conn, first, last, &mut read[run_start..=run_end], |day| {
                    run.partition_point(|&i| stretches[i].last_day < day)
                        .min(run.len() - 1)
                })?;
                run_start = run_end + 1;
            }
            Ok((late_then, loaded, from_rows, read))
        })?;
        provenance.loaded += loaded.len();
        provenance.read += from_rows.iter().filter(|&&i| stretches[i].kept).count();
        let read = from_rows
            .into_iter()
            .zip(read)
            .map(|(i, cells)| (i, cells, true));
        let loaded = loaded.into_iter().map(|(i, cells)| (i, cells, false));
        for (i, cells, built) in read.chain(loaded) {
            let stretch = &stretches[i];
            let cells = Arc::new(cells);
            if stretch.kept {
                let late = late_of(&late_then, stretch);
                ctx.sums.keep(key(stretch), late, cells.clone());
                if built {
                    to_store.push((
                        current.hash.clone(),
                        version.hash.clone(),
                        stretch.first_day,
                        stretch.last_day,
                        late,
                        cells.clone(),
                    ));
                }
            }
            if !cells.is_empty() {
                found[i].push((version.hash.clone(), cells));
            }
        }
    }
    let pieces = stretches
        .into_iter()
        .zip(found)
        .map(|(stretch, cells)| Piece {
            first_day: stretch.first_day,
            cells,
        })
        .collect();
    Ok((pieces, to_store))
}

/// Loads or reads, and keeps, the sums of every closed half-month of every
/// survey (blocking), so that the first index requests after a start do
/// not read rows; returns the responses covered and where the sums came
/// from.
pub fn keep_all(ctx: &AppContext) -> Result<(usize, Provenance), DbError> {
    let today = ctx.clock.today();
    let current: Vec<String> = ctx.catalog.surveys.iter().map(|s| s.hash.clone()).collect();
    ctx.db
        .write_tx(|conn| index_sums::forget_all_but(conn, &current))?;
    let mut respondents = 0;
    let mut provenance = Provenance::default();
    for current in &ctx.catalog.surveys {
        let first = responses::first_day(
            &mut *ctx.db.reader()?,
            &ctx.version_hashes_of(&current.survey.slug),
        )?;
        if let Some(first) = first {
            let (pieces, to_store) = pieces_counted(ctx, current, first, today, &mut provenance)?;
            // Stored before the next survey's, and before this returns.
            store(ctx, &to_store);
            for piece in pieces {
                respondents += piece.each().map(|(_, _, s)| s.respondents()).sum::<usize>();
            }
        }
    }
    Ok((respondents, provenance))
}

/// How stored sums are written (`cells`, JSON of [`CellSums`]).
const SUMS_LAYOUT: u32 = 1;

/// What stored sums were made by: their layout, and this executable (its
/// size and time of writing). What the sums hold depends on the code that
/// added them up, so sums stored by another build are built again, and
/// a change to that code needs no one to remember to mark it. Instances
/// running the same executable share their sums. `None` when the
/// executable cannot be looked at: then nothing is stored or loaded.
fn sums_format() -> Option<&'static str> {
    static FORMAT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    FORMAT
        .get_or_init(|| {
            let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
            let written = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(format!(
                "{SUMS_LAYOUT}:{}:{}",
                meta.len(),
                written.as_nanos()
            ))
        })
        .as_deref()
}

/// Stored sums of `stretch` that still hold: made by this build, built with
/// `late` late responses, adding up as many rows as the stretch has now
/// (rows removed or added by hand, or by a writer that does not count
/// late responses, are caught here, unless removals and additions
/// balance), and laid out on `shape`.
fn load_stored(
    conn: &mut Conn,
    stretch: index_sums::Stretch,
    late: i64,
    shape: &Shape,
) -> Result<Option<Cells>, DbError> {
    let Some(format) = sums_format() else {
        return Ok(None);
    };
    let Some(stored) = index_sums::load(conn, stretch)? else {
        return Ok(None);
    };
    if stored.format != format || stored.late != late {
        return Ok(None);
    }
    let rows = responses::count_in(conn, stretch.version, stretch.first_day, stretch.last_day)?;
    if rows != stored.respondents {
        return Ok(None);
    }
    let Ok(entries) = serde_json::from_str::<Vec<(String, String, CellSums)>>(&stored.cells) else {
        log::warn!("stored index sums that cannot be read are built again: {stretch:?}");
        return Ok(None);
    };
    let mut cells = Cells::new();
    let mut respondents: usize = 0;
    for (unit, design, sums) in entries {
        let Some(design) = Design::parse(&design) else {
            return Ok(None);
        };
        if !sums.fits(shape) {
            return Ok(None);
        }
        let Some(more) = respondents.checked_add(sums.respondents()) else {
            return Ok(None);
        };
        respondents = more;
        cells.insert((unit, design), sums);
    }
    Ok((i64::try_from(respondents) == Ok(rows)).then_some(cells))
}

/// Stores sums built from the rows, for the next start and other
/// instances, in one transaction. A failure costs only that: it is
/// logged, and the sums are built again there.
fn store(ctx: &AppContext, to_store: &ToStore) {
    let Some(format) = sums_format() else {
        return;
    };
    let mut written = Vec::with_capacity(to_store.len());
    for (current, version, first_day, last_day, late, cells) in to_store {
        let respondents: usize = cells.values().map(CellSums::respondents).sum();
        let entries: Vec<(&str, &str, &CellSums)> = cells
            .iter()
            .map(|((unit, design), sums)| (unit.as_str(), design.as_str(), sums))
            .collect();
        let stretch = index_sums::Stretch {
            current,
            version,
            first_day: *first_day,
            last_day: *last_day,
        };
        match serde_json::to_string(&entries) {
            Ok(text) => written.push((stretch, *late, respondents, text)),
            Err(e) => log::warn!("index sums not stored for {stretch:?}: {e}"),
        }
    }
    if written.is_empty() {
        return;
    }
    let stored = ctx.db.write_tx(|conn| {
        for (stretch, late, respondents, text) in &written {
            let respondents = i64::try_from(*respondents).unwrap_or(i64::MAX);
            index_sums::store(conn, *stretch, *late, respondents, format, text)?;
        }
        Ok::<_, DbError>(())
    });
    if let Err(e) = stored {
        // Debug shows the error with its causes.
        log::warn!("index sums not stored: {e:?}");
    }
}

/// Reads the responses to one version into sums laid out on the current one.
struct Reader<'a> {
    current: &'a SurveyVersion,
    version: &'a SurveyVersion,
    shape: &'a Shape,
}

impl Reader<'_> {
    /// Adds every response of `from..=to` to `into[at(day)]`.
    fn read(
        &self,
        conn: &mut Conn,
        from: NaiveDate,
        to: NaiveDate,
        into: &mut [Cells],
        at: impl Fn(NaiveDate) -> usize,
    ) -> Result<(), DbError> {
        let items = self.shape.layout.item_element.len();
        let positions = super::positions_in_current(self.current, self.version);
        let earlier_keys = self.current.survey.earlier_keys(&self.version.survey);
        let questions: Vec<_> = other_items::questions(&self.current.survey).collect();
        let mut scores = Vec::with_capacity(items);
        let mut answers = Vec::with_capacity(questions.len());
        responses::for_each_contribution(conn, &self.version.hash, from, to, |row| {
            let (unit, day, code, answers_json, design) = row;
            scores.clear();
            super::push_scores(&mut scores, items, &positions, &code);
            answers.clear();
            if !questions.is_empty() {
                other_items::push_answers(
                    &self.current.survey,
                    &earlier_keys,
                    &answers_json,
                    &mut answers,
                );
            }
            let sums = into[at(day)]
                .entry((unit, design))
                .or_insert_with(|| CellSums::new(self.shape));
            sums.add(&scores, self.shape);
            other_items::add_answers(&questions, &answers, &mut sums.others);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn spans(from: &str, to: &str, today: &str) -> Vec<(String, String, bool)> {
        stretches(day(from), day(to), day(today))
            .into_iter()
            .map(|s| (s.first_day.to_string(), s.last_day.to_string(), s.kept))
            .collect()
    }

    #[test]
    fn closed_half_months_are_kept_whole_and_the_running_one_by_day() {
        let own = |a: &str, b: &str, kept| (a.to_string(), b.to_string(), kept);
        // Reporting January 2026 (15 December – 14 January), long over.
        assert_eq!(
            spans("2025-12-15", "2026-01-14", "2026-11-27"),
            [
                own("2025-12-15", "2025-12-31", true),
                own("2026-01-01", "2026-01-14", true)
            ]
        );
        // February, on 19 February: the first half kept whole; of the
        // second, the days over for three days kept one by one, the rest
        // read each time.
        assert_eq!(
            spans("2026-02-01", "2026-02-28", "2026-02-19"),
            [
                own("2026-02-01", "2026-02-14", true),
                own("2026-02-15", "2026-02-15", true),
                own("2026-02-16", "2026-02-16", true),
                own("2026-02-17", "2026-02-28", false)
            ]
        );
        // A half-month that ended two days ago is not over enough: its days
        // up to the 13th are, one by one.
        let mut expected: Vec<_> = (1..=13)
            .map(|d| {
                let date = format!("2026-02-{d:02}");
                own(&date, &date, true)
            })
            .collect();
        expected.push(own("2026-02-14", "2026-02-14", false));
        assert_eq!(spans("2026-02-01", "2026-02-14", "2026-02-16"), expected);
        // A free range: what it takes of closed half-months is read.
        assert_eq!(
            spans("2026-03-13", "2026-03-16", "2026-11-27"),
            [
                own("2026-03-13", "2026-03-14", false),
                own("2026-03-15", "2026-03-16", false)
            ]
        );
    }

    #[test]
    fn half_months_start_on_the_1st_and_the_15th() {
        for (date, start, end) in [
            ("2026-02-14", "2026-02-01", "2026-02-14"),
            ("2026-02-15", "2026-02-15", "2026-02-28"),
            ("2028-02-29", "2028-02-15", "2028-02-29"),
            ("2026-12-31", "2026-12-15", "2026-12-31"),
            ("2027-01-01", "2027-01-01", "2027-01-14"),
        ] {
            let start_of = responses::half_month_of(day(date));
            assert_eq!(start_of, day(start), "{date}");
            assert_eq!(responses::half_month_end(start_of), day(end), "{date}");
        }
    }
}
