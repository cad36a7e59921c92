//! Stored responses. A row holds only what the anonymity rules allow: id,
//! questionnaire version, service point, date, channel, answers, comment
//! and design (how the respondent came to be in the sample).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::responses;
use super::{with_backend, Conn, DbResult};
use crate::domain::Design;

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct ResponseRow {
    pub id: String,
    pub survey_version: String,
    pub unit: String,
    pub submitted_on: NaiveDate,
    pub channel: crate::domain::Channel,
    pub answers: String,
    pub likert: String,
    pub comment: Option<String>,
    pub design: Design,
}

impl ResponseRow {
    /// Whether `other` carries the same response: the same questionnaire
    /// version, service point, answers and comment. Date and channel are how
    /// it travelled, not what it says, so a retry the next day still matches.
    pub fn same_content(&self, other: &ResponseRow) -> bool {
        self.survey_version == other.survey_version
            && self.unit == other.unit
            && self.answers == other.answers
            && self.comment == other.comment
    }
}

pub fn find(conn: &mut Conn, id: &str) -> DbResult<Option<ResponseRow>> {
    Ok(responses::table
        .find(id)
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()?)
}

/// Rows among `ids` that are already stored.
pub fn find_many(conn: &mut Conn, ids: &[String]) -> DbResult<Vec<ResponseRow>> {
    let mut found = Vec::new();
    // Bounded IN lists keep every backend within its parameter limit.
    for chunk in ids.chunks(1000) {
        found.extend(
            responses::table
                .filter(responses::id.eq_any(chunk))
                .select(ResponseRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Inserts `row` unless its id is stored already; true when it was inserted.
/// Returns only after the transaction committed.
pub fn insert_if_new(conn: &mut Conn, row: &ResponseRow) -> DbResult<bool> {
    let inserted = with_backend!(conn, |c| {
        diesel::insert_into(responses::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)
    })?;
    Ok(inserted == 1)
}

/// Inserts the rows whose id is not stored yet and returns their ids; run it
/// inside [`Db::write_tx`](super::Db::write_tx) so that a batch is stored
/// whole or not at all. A row another transaction stored first (PostgreSQL
/// waits for that transaction to end) is skipped, for the caller to judge.
pub fn insert_new(conn: &mut Conn, rows: &[ResponseRow]) -> DbResult<Vec<String>> {
    // 9 columns × 500 rows stays under SQLite's and PostgreSQL's bind limits.
    const BATCH: usize = 500;
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(BATCH) {
        inserted.extend(with_backend!(conn, |c| diesel::insert_into(
            responses::table
        )
        .values(chunk)
        .on_conflict_do_nothing()
        .returning(responses::id)
        .get_results::<String>(c))?);
    }
    Ok(inserted)
}

/// The mark under which [`settle_order`] records how far it has got.
const SETTLED_MARK: &str = "responses_in_id_order";

/// On PostgreSQL, rewrites the responses of every day before `today` not
/// yet rewritten, in id order, and returns how many moved. A heap keeps a
/// row where it was written, so until then a scan (or `ctid`) of a day's
/// rows lists them in arrival order; ids are random, so afterwards the
/// order says nothing. SQLite stores responses in id order from the start
/// (`WITHOUT ROWID`), so there it does nothing. Run it inside
/// [`Db::write_tx`](super::Db::write_tx): the rows move all at once or not.
pub fn settle_order(conn: &mut Conn, today: NaiveDate) -> DbResult<usize> {
    use diesel::sql_types::{Date, Nullable, Text};

    #[derive(QueryableByName)]
    struct Mark {
        #[diesel(sql_type = Nullable<Date>)]
        through: Option<NaiveDate>,
    }

    let Conn::Postgresql(pg) = conn else {
        return Ok(0);
    };
    let Some(yesterday) = today.pred_opt() else {
        return Ok(0);
    };
    let settled =
        diesel::sql_query("SELECT MAX(through) AS through FROM storage_marks WHERE name = $1")
            .bind::<Text, _>(SETTLED_MARK)
            .get_result::<Mark>(pg)?
            .through;
    if settled.is_some_and(|through| through >= yesterday) {
        return Ok(0);
    }
    // One statement: the CTE's deletions and the re-insertions commit
    // together, and re-inserted rows take new places in id order.
    let moved = diesel::sql_query(
        "WITH moved AS (
             DELETE FROM responses
             WHERE submitted_on <= $1 AND ($2::date IS NULL OR submitted_on > $2)
             RETURNING *
         )
         INSERT INTO responses SELECT * FROM moved ORDER BY id",
    )
    .bind::<Date, _>(yesterday)
    .bind::<Nullable<Date>, _>(settled)
    .execute(pg)?;
    diesel::sql_query(
        "INSERT INTO storage_marks (name, through) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET through = EXCLUDED.through",
    )
    .bind::<Text, _>(SETTLED_MARK)
    .bind::<Date, _>(yesterday)
    .execute(pg)?;
    Ok(moved)
}

pub fn count(conn: &mut Conn) -> DbResult<i64> {
    Ok(responses::table.count().get_result(conn)?)
}

/// The designs of respondents drawn at random ([`Design::is_random`]).
const RANDOM_DESIGNS: [Design; 3] = [Design::Probability, Design::PaperSampled, Design::Simulated];

/// (service point, compact Likert string, answers JSON) of every response
/// to `version` between `from` and `to` inclusive, optionally at one point
/// and only of respondents drawn at random:
/// what the estimators of every item kind need, and nothing else.
pub fn cell_rows(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
    random_only: bool,
) -> DbResult<Vec<(String, String, String)>> {
    let mut query = responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .select((responses::unit, responses::likert, responses::answers))
        .into_boxed();
    if let Some(unit) = unit {
        query = query.filter(responses::unit.eq(unit));
    }
    if random_only {
        query = query.filter(responses::design.eq_any(RANDOM_DESIGNS));
    }
    Ok(query.load(conn)?)
}

/// Respondents to `versions` in a date range by design.
pub fn count_by_design(
    conn: &mut Conn,
    versions: &[String],
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
) -> DbResult<Vec<(Design, i64)>> {
    let mut query = responses::table
        .filter(responses::survey_version.eq_any(versions))
        .filter(responses::submitted_on.between(from, to))
        .group_by(responses::design)
        .select((responses::design, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(unit) = unit {
        query = query.filter(responses::unit.eq(unit));
    }
    Ok(query.load(conn)?)
}

/// (service point, comment) of the comments to `versions` in a date range,
/// newest first, at most `limit`. Dates are not returned: comments are shown
/// without dates finer than the period.
pub fn comments(
    conn: &mut Conn,
    versions: &[String],
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> DbResult<Vec<(String, String)>> {
    Ok(responses::table
        .filter(responses::survey_version.eq_any(versions))
        .filter(responses::submitted_on.between(from, to))
        .filter(responses::comment.is_not_null())
        .order((responses::submitted_on.desc(), responses::id))
        .limit(limit)
        .select((responses::unit, responses::comment.assume_not_null()))
        .load(conn)?)
}

/// A response as the microdata export needs it (never the comment).
#[derive(Debug, Clone, Queryable)]
pub struct MicrodataRow {
    pub id: String,
    pub survey_version: String,
    pub unit: String,
    pub submitted_on: NaiveDate,
    pub channel: crate::domain::Channel,
    pub answers: String,
}

/// How many responses to `version` each service point received on each day
/// of a date range: what cell sizes are computed from.
pub fn counts_by_unit_and_day(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, NaiveDate, i64)>> {
    Ok(responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .group_by((responses::unit, responses::submitted_on))
        .select((
            responses::unit,
            responses::submitted_on,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// (service point, day, compact Likert string, answers JSON, design) of a
/// response.
pub type Contribution = (String, NaiveDate, String, String, Design);

/// Every response to `version` in a date range as a [`Contribution`]: who
/// contributed to which figure, for disclosure control.
pub fn contributions(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Contribution>> {
    Ok(responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .select((
            responses::unit,
            responses::submitted_on,
            responses::likert,
            responses::answers,
            responses::design,
        ))
        .load(conn)?)
}

/// One page of responses to `version` in a date range, in id order after
/// `after` (keyset pagination over the (version, id) index: constant memory
/// and no sorting however many rows there are).
pub fn microdata_page(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<MicrodataRow>> {
    let mut query = responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .order(responses::id)
        .limit(limit)
        .select((
            responses::id,
            responses::survey_version,
            responses::unit,
            responses::submitted_on,
            responses::channel,
            responses::answers,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(responses::id.gt(after));
    }
    Ok(query.load(conn)?)
}

/// (date, compact Likert string) of every response to `version` in a date
/// range: what a trend over several periods needs, in one read.
pub fn dated_likert_rows(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
    random_only: bool,
) -> DbResult<Vec<(NaiveDate, String)>> {
    let mut query = responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .select((responses::submitted_on, responses::likert))
        .into_boxed();
    if random_only {
        query = query.filter(responses::design.eq_any(RANDOM_DESIGNS));
    }
    Ok(query.load(conn)?)
}
