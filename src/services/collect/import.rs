//! Paper questionnaires keyed into CSV: every row validated like a web
//! submission, all rows stored in one transaction or none.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::responses::{self, staging::Derivation, ResponseRow};
use crate::db::{Conn, Db, DbError};
use crate::definitions::{QuestionKind, SurveyVersion, COMMENT_KEY};
use crate::domain::{Channel, Design, RawSubmission, RawValue, ResponseId, Submission};
use crate::services::collect::{self, AppContext};

/// Columns that are not question keys.
const ID: &str = "id";
const UNIT: &str = "unit";
const SUBMITTED_ON: &str = "submitted_on";
const CHANNEL: &str = "channel";
const DESIGN: &str = "design";

/// No response can be older than this: the first date any questionnaire of
/// the service could have been answered (the period grid starts in 2000).
const FIRST_SURVEY_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("a valid date"),
};

/// Whether a line inside a comment looks like the start of another row (a
/// known service point or a date, then a comma): the sign of an open quote.
fn swallowed_row(line: &str, ctx: &AppContext) -> bool {
    let first = line.split(',').next().unwrap_or_default().trim();
    line.contains(',')
        && (ctx.catalog.unit(first).is_some()
            || NaiveDate::parse_from_str(first, "%Y-%m-%d").is_ok()
            || ResponseId::parse(first).is_some())
}

/// Namespace for ids derived from rows that carry none.
const ROW_NAMESPACE: Uuid = Uuid::from_u128(0x5b1e_63a4_8f0d_4c39_9a57_2f1d_0c7e_4b11);

/// One fault: the file line (1 = header) and the column it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFault {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no survey \"{0}\"")]
    UnknownSurvey(String),
    #[error("nothing imported: {}", .0)]
    Rows(Faults),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A thread checking rows ended early: only when it panicked, and the
    /// panic is then raised on the import's thread too.
    #[error("a thread checking rows stopped")]
    CheckerStopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub replays: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "imported {}, replays {}", self.imported, self.replays)
    }
}

/// Faults are listed up to this many (a file whose every row is wrong
/// would otherwise list them all in memory); all are counted.
const LISTED_FAULTS: usize = 1_000;

/// Valid rows are staged, and then judged and stored, this many at a time.
const CHUNK: usize = 5_000;

/// Every fault of a file: the first [`LISTED_FAULTS`] found, in line order,
/// and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    pub listed: Vec<RowFault>,
    pub total: usize,
}

impl Faults {
    fn one(fault: RowFault) -> Faults {
        let mut faults = Faults::default();
        faults.push(fault);
        faults
    }

    fn push(&mut self, fault: RowFault) {
        self.total += 1;
        if self.listed.len() < LISTED_FAULTS {
            self.listed.push(fault);
        }
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} fault(s)", self.total)?;
        for fault in &self.listed {
            write!(f, "\n{fault}")?;
        }
        if self.total > self.listed.len() {
            write!(
                f,
                "\n… and {} more (the first {} found are listed)",
                self.total - self.listed.len(),
                self.listed.len()
            )?;
        }
        Ok(())
    }
}

fn conflict_fault(line: u64) -> RowFault {
    RowFault {
        line,
        column: ID.into(),
        message: "this id is already used by a different response".into(),
    }
}

/// Imports a CSV of responses to survey `slug`: every row stored, or none.
///
/// The file is read once, a chunk at a time, so memory does not grow with
/// it: valid rows go to a temporary table on the writer connection (no
/// lock on the database while the file is read), and then one write
/// transaction stores them in id order (not the order of the file: a stack
/// of paper forms keyed in as it came says when each was filled in),
/// judging replays and conflicts as for any submission. Any fault rolls it
/// all back; faults are reported together with the conflicts, so one
/// correction round suffices.
pub fn import_csv(
    ctx: &AppContext,
    slug: &str,
    input: impl Read,
) -> Result<ImportReport, ImportError> {
    let version = ctx
        .catalog
        .survey(slug)
        .cloned()
        .ok_or_else(|| ImportError::UnknownSurvey(slug.to_string()))?;
    let mut pooled = ctx.db.writer()?;
    let conn: &mut Conn = &mut pooled;
    responses::staging::create(conn)?;
    let result = stage_and_store(ctx, &version, input, conn);
    // Also after a failure: the connection goes back to the pool.
    responses::staging::drop(conn)?;
    if result.is_ok() {
        // Forms of earlier days are late responses, counted per page:
        // folded into one count per half-month, in a transaction of its own
        // so that the import's never waits on another's rows.
        Db::write_tx_on(conn, responses::fold_late_counts)?;
    }
    result
}

fn stage_and_store(
    ctx: &AppContext,
    version: &SurveyVersion,
    input: impl Read,
    conn: &mut Conn,
) -> Result<ImportReport, ImportError> {
    let mut faults = Faults::default();
    let mut chunk: Vec<(u64, ResponseRow, Option<Derivation>)> = Vec::with_capacity(CHUNK);
    parse_rows(ctx, version, input, &mut faults, |line, row, derivation| {
        chunk.push((line, row, derivation));
        if chunk.len() == CHUNK {
            responses::staging::insert(conn, &chunk)?;
            chunk.clear();
        }
        Ok(())
    })?;
    responses::staging::insert(conn, &chunk)?;
    drop(chunk);
    number_repeats(conn, &version.survey.slug)?;
    responses::staging::index(conn)?;
    // Judged and stored in one write transaction: a web submission that
    // arrives meanwhile cannot slip between the check and the insert.
    Db::write_tx_on(conn, |conn| {
        let mut report = ImportReport {
            imported: 0,
            replays: 0,
        };
        // Where the last page ended, and the first row with that page's
        // last id: when nothing is stored, a repeat of the id that starts
        // the next page is judged against it, as storing would judge it.
        let mut after: Option<(String, u64)> = None;
        let mut context: Option<NumberedRow> = None;
        loop {
            let page = responses::staging::page(
                conn,
                after.as_ref().map(|(id, line)| (id.as_str(), *line)),
                CHUNK as i64,
            )?;
            let Some((last_line, last)) = page.last() else {
                break;
            };
            after = Some((last.id.clone(), *last_line));
            let run_start = page
                .iter()
                .position(|(_, row)| row.id == last.id)
                .unwrap_or(0);
            let next_context = match &context {
                Some((_, first)) if run_start == 0 && first.id == last.id => context.clone(),
                _ => Some(page[run_start].clone()),
            };
            if faults.is_empty() {
                let (lines, rows): (Vec<u64>, Vec<ResponseRow>) = page.into_iter().unzip();
                let outcome = collect::store_batch_with(conn, &rows, |conn, new_rows| {
                    if new_rows.is_empty() {
                        // All replays (a file imported again): nothing to move.
                        return Ok(Vec::new());
                    }
                    // The page's rows in id order, all staged: those that
                    // are not new are left where they are.
                    let mut stays = vec![true; rows.len()];
                    for &i in new_rows {
                        stays[i] = false;
                    }
                    let except: Vec<u64> = lines
                        .iter()
                        .zip(&stays)
                        .filter_map(|(&line, &stays)| stays.then_some(line))
                        .collect();
                    let last = rows.len() - 1;
                    responses::staging::store(
                        conn,
                        (&rows[0].id, lines[0]),
                        (&rows[last].id, lines[last]),
                        &except,
                        crate::domain::system_today(),
                    )
                })?;
                for &i in &outcome.conflicts {
                    faults.push(conflict_fault(lines[i]));
                }
                report.imported += outcome.stored;
                report.replays += outcome.replays;
            } else {
                // Nothing will be stored: only conflicts are looked for.
                let offset = usize::from(context.is_some());
                let (lines, rows): (Vec<u64>, Vec<ResponseRow>) =
                    context.into_iter().chain(page).unzip();
                for i in collect::conflicts(conn, &rows)? {
                    if i >= offset {
                        faults.push(conflict_fault(lines[i]));
                    }
                }
            }
            context = next_context;
        }
        if faults.is_empty() {
            Ok(report)
        } else {
            faults
                .listed
                .sort_by(|a, b| (a.line, &a.column).cmp(&(b.line, &b.column)));
            Err(ImportError::Rows(faults))
        }
    })
}

/// A valid row with its line in the file.
type NumberedRow = (u64, ResponseRow);

/// The id of a row that carries none: the `n`th (1, 2, …) row of the file
/// to survey `slug` whose fields, joined, are `fields`. A second import of
/// the same file derives the same ids again.
fn derived_id(slug: &str, n: u64, fields: &str) -> ResponseId {
    let name = format!("{slug}\u{1f}{n}\u{1f}{fields}");
    ResponseId::from_uuid(Uuid::new_v5(&ROW_NAMESPACE, name.as_bytes()))
}

/// Identical rows without an id are distinct responses (two citizens may
/// answer alike): every id-less row was staged as the first of its
/// content, and each repeat now gets the id of its place among them, in
/// file order. They are found and numbered in the staging table a page at
/// a time, so memory does not grow with the file.
fn number_repeats(conn: &mut Conn, slug: &str) -> Result<(), DbError> {
    responses::staging::index_contents(conn)?;
    // One transaction for all the updates, of the temporary table only (on
    // SQLite a deferred one, which takes no lock on the database).
    diesel::Connection::transaction(conn, |conn| number_staged_repeats(conn, slug))
}

fn number_staged_repeats(conn: &mut Conn, slug: &str) -> Result<(), DbError> {
    // The last row numbered, (content, line), and its number.
    let mut previous: Option<(String, u64)> = None;
    let mut n = 0;
    loop {
        let page = responses::staging::repeats(
            conn,
            previous
                .as_ref()
                .map(|(content, line)| (content.as_str(), *line)),
            CHUNK as i64,
        )?;
        if page.is_empty() {
            return Ok(());
        }
        for (line, derivation) in page {
            n = match &previous {
                Some((content, _)) if *content == derivation.content => n + 1,
                _ => 1,
            };
            if n > 1 {
                let id = derived_id(slug, n, &derivation.fields);
                responses::staging::set_id(conn, &derivation.content, line, &id.to_string())?;
            }
            previous = Some((derivation.content, line));
        }
    }
}

/// Validates every row, in file order: each valid row goes to `valid`
/// with its line number, each fault of the others to `faults`. A faulty
/// header is an error at once.
fn parse_rows(
    ctx: &AppContext,
    version: &SurveyVersion,
    input: impl Read,
    faults: &mut Faults,
    mut valid: impl FnMut(u64, ResponseRow, Option<Derivation>) -> Result<(), DbError>,
) -> Result<(), ImportError> {
    let survey = &version.survey;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header_fault = |column: &str, message: String| {
        ImportError::Rows(Faults::one(RowFault {
            line: 1,
            column: column.into(),
            message,
        }))
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .enumerate()
            // Spreadsheet programs often start UTF-8 files with a byte-order mark.
            .map(|(i, name)| {
                if i == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    name
                }
            })
            .map(|name| name.trim().to_string())
            .collect(),
        Err(e) => return Err(header_fault("-", format!("unreadable header: {e}"))),
    };
    let mut header_faults = Faults::default();
    let mut seen = HashMap::new();
    for name in &headers {
        if seen.insert(name.clone(), ()).is_some() {
            header_faults.push(RowFault {
                line: 1,
                column: name.clone(),
                message: "column appears twice".into(),
            });
        }
        let known = [ID, UNIT, SUBMITTED_ON, CHANNEL, DESIGN, COMMENT_KEY].contains(&name.as_str())
            || survey
                .question(name)
                .is_some_and(|q| q.kind != QuestionKind::Text);
        if !known {
            header_faults.push(RowFault {
                line: 1,
                column: name.clone(),
                message: "not a question key of this survey nor a known column".into(),
            });
        }
    }
    for required in [UNIT, SUBMITTED_ON] {
        if !headers.iter().any(|h| h == required) {
            header_faults.push(RowFault {
                line: 1,
                column: required.into(),
                message: "required column is missing".into(),
            });
        }
    }
    if !header_faults.is_empty() {
        return Err(ImportError::Rows(header_faults));
    }

    // Looked up once, not per row.
    let column_of: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let answer_columns: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, name)| {
            survey
                .question(name)
                .is_some_and(|q| q.kind != QuestionKind::Text)
        })
        .map(|(i, _)| i)
        .collect();
    let rules = RowRules {
        ctx,
        version,
        headers: &headers,
        column_of: &column_of,
        answer_columns: &answer_columns,
        today: ctx.clock.today(),
    };
    check_in_parallel(&rules, reader.into_records(), |checked| {
        for fault in checked.faults {
            faults.push(fault);
        }
        match checked.row {
            Some((row, derivation)) => {
                valid(checked.line, row, derivation).map_err(ImportError::from)
            }
            None => Ok(()),
        }
    })
}

/// What a row needs to be checked, all read-only, shared by the threads
/// that check rows.
struct RowRules<'a> {
    ctx: &'a AppContext,
    version: &'a SurveyVersion,
    headers: &'a [String],
    column_of: &'a HashMap<&'a str, usize>,
    answer_columns: &'a [usize],
    today: NaiveDate,
}

/// A row checked: valid (with how its id was derived, if it was), or its
/// faults.
struct Checked {
    line: u64,
    row: Option<(ResponseRow, Option<Derivation>)>,
    faults: Vec<RowFault>,
}

impl Checked {
    fn fault(fault: RowFault) -> Checked {
        Checked {
            line: fault.line,
            row: None,
            faults: vec![fault],
        }
    }
}

/// Rows handed to a checking thread at a time.
const CHECK_CHUNK: usize = 1_000;
/// Threads that check rows: the file is read, and valid rows staged, on
/// the caller's.
const CHECKERS: usize = 2;

/// Checks `records` on [`CHECKERS`] threads of their own, a chunk at a
/// time dealt to each in turn, and hands every result to `each` on this
/// thread, in file order, stopping at its first error. At most two chunks
/// per thread are out at once, so memory holds a few chunks, not the file.
fn check_in_parallel<R: Read>(
    rules: &RowRules,
    mut records: csv::StringRecordsIntoIter<R>,
    mut each: impl FnMut(Checked) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    std::thread::scope(|scope| {
        let checkers: Vec<_> = (0..CHECKERS)
            .map(|_| {
                // Room for every chunk a thread may have out: no send waits.
                let (deal, chunks) = std::sync::mpsc::sync_channel::<Vec<_>>(2);
                let (report, results) = std::sync::mpsc::sync_channel::<Vec<Checked>>(2);
                scope.spawn(move || {
                    for chunk in chunks {
                        let checked = chunk
                            .into_iter()
                            .map(|record| check_record(rules, record))
                            .collect();
                        // The caller stopped: nothing more to check.
                        if report.send(checked).is_err() {
                            return;
                        }
                    }
                });
                (deal, results)
            })
            .collect();
        let (mut dealt, mut taken) = (0, 0);
        let mut take = |taken: &mut usize| -> Result<(), ImportError> {
            let checked = checkers[*taken % CHECKERS]
                .1
                .recv()
                .map_err(|_| ImportError::CheckerStopped)?;
            *taken += 1;
            checked.into_iter().try_for_each(&mut each)
        };
        loop {
            let chunk: Vec<_> = records.by_ref().take(CHECK_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            if dealt - taken == 2 * CHECKERS {
                take(&mut taken)?;
            }
            checkers[dealt % CHECKERS]
                .0
                .send(chunk)
                .map_err(|_| ImportError::CheckerStopped)?;
            dealt += 1;
        }
        while taken < dealt {
            take(&mut taken)?;
        }
        Ok(())
    })
}

/// Checks one row of the file as a web submission is checked, and the
/// columns only a paper row has.
fn check_record(rules: &RowRules, record: Result<csv::StringRecord, csv::Error>) -> Checked {
    let record = match record {
        Ok(r) => r,
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            return Checked::fault(RowFault {
                line,
                column: "-".into(),
                message: format!("unreadable row: {e}"),
            });
        }
    };
    let line = record.position().map_or(0, |p| p.line());
    if record.len() != rules.headers.len() {
        let open_quote = record.iter().any(|f| f.contains(['\n', '\r']));
        return Checked::fault(RowFault {
            line,
            column: "-".into(),
            message: if open_quote {
                format!(
                    "{} fields, the header has {}: a field holds a line break, so a quote was probably left open, merging the rows after it",
                    record.len(),
                    rules.headers.len()
                )
            } else {
                format!(
                    "{} fields, the header has {}",
                    record.len(),
                    rules.headers.len()
                )
            },
        });
    }
    let field = |name: &str| {
        rules
            .column_of
            .get(name)
            .map(|&i| record[i].trim().to_string())
    };
    let mut row_faults = Vec::new();
    // A line break belongs only in a quoted comment. Anywhere else, or
    // a comment that goes on with what looks like the next rows, means
    // a quote was left open and rows were merged into one field.
    for (name, value) in rules.headers.iter().zip(record.iter()) {
        let merged = if name == COMMENT_KEY {
            value
                .lines()
                .skip(1)
                .any(|next| swallowed_row(next, rules.ctx))
        } else {
            value.contains(['\n', '\r'])
        };
        if merged {
            row_faults.push((
                name.clone(),
                "holds a line break: a quote was probably left open, merging the rows after it"
                    .to_string(),
            ));
        }
    }

    let submitted_on = match field(SUBMITTED_ON)
        .as_deref()
        .map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
    {
        Some(Ok(date)) if date > rules.today => {
            row_faults.push((SUBMITTED_ON.to_string(), "is in the future".to_string()));
            None
        }
        Some(Ok(date)) if date < FIRST_SURVEY_DAY => {
            row_faults.push((
                SUBMITTED_ON.to_string(),
                format!("is before {FIRST_SURVEY_DAY}, when no survey of this service ran"),
            ));
            None
        }
        Some(Ok(date)) => Some(date),
        _ => {
            row_faults.push((
                SUBMITTED_ON.to_string(),
                "must be a date YYYY-MM-DD".to_string(),
            ));
            None
        }
    };
    // Rows typed in from paper are paper: an import cannot claim to be
    // web or API traffic, nor simulated data.
    let channel = match field(CHANNEL).filter(|c| !c.is_empty()) {
        None => Some(Channel::Paper),
        Some(text) if Channel::parse(&text) == Some(Channel::Paper) => Some(Channel::Paper),
        Some(_) => {
            row_faults.push((
                CHANNEL.to_string(),
                "must be paper (or left empty): imported rows are paper questionnaires".to_string(),
            ));
            None
        }
    };
    // Whether the form was handed to a respondent drawn at random is
    // for the office to say; unsaid, it was not.
    let design = match field(DESIGN).filter(|d| !d.is_empty()) {
        None => Some(Design::PaperUnsampled),
        Some(text) => match Design::parse(&text) {
            Some(d @ (Design::PaperSampled | Design::PaperUnsampled)) => Some(d),
            _ => {
                row_faults.push((
                    DESIGN.to_string(),
                    "must be paper_sampled (handed to a respondent drawn at random), paper_unsampled, or left empty".to_string(),
                ));
                None
            }
        },
    };

    let raw = RawSubmission {
        id: field(ID).map(RawValue::text),
        unit: field(UNIT).map(RawValue::text),
        comment: field(COMMENT_KEY).map(RawValue::text),
        answers: rules
            .answer_columns
            .iter()
            .map(|&i| (rules.headers[i].clone(), RawValue::text(&record[i])))
            .collect(),
    };
    // Derived as the first row of its content; repeats are numbered
    // once the whole file is staged (`number_repeats`).
    let mut derivation = None;
    let first_of_its_content = || {
        let fields = record.iter().collect::<Vec<_>>().join("\u{1f}");
        let content = Uuid::new_v5(
            &ROW_NAMESPACE,
            format!("{}\u{1f}{fields}", rules.version.survey.slug).as_bytes(),
        );
        let id = derived_id(&rules.version.survey.slug, 1, &fields);
        derivation = Some(Derivation {
            content: content.simple().to_string(),
            fields,
        });
        id
    };
    let mut row = None;
    let parsed = Submission::parse(
        raw,
        &rules.version.survey,
        &rules.ctx.catalog,
        submitted_on.unwrap_or(rules.today),
        first_of_its_content,
    );
    match parsed {
        Ok(submission) => {
            if let (Some(date), Some(channel), Some(design), true) =
                (submitted_on, channel, design, row_faults.is_empty())
            {
                row = Some((
                    collect::to_row(rules.version, &submission, channel, design, date),
                    derivation,
                ));
            }
        }
        Err(errors) => {
            for (name, error) in errors.0 {
                let column = name.strip_prefix("answers.").unwrap_or(&name).to_string();
                row_faults.push((column, error.message(crate::i18n::Lang::En)));
            }
        }
    }
    Checked {
        line,
        row,
        faults: row_faults
            .into_iter()
            .map(|(column, message)| RowFault {
                line,
                column,
                message,
            })
            .collect(),
    }
}
