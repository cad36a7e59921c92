//! Stored responses. A row holds only what the anonymity rules allow: id,
//! questionnaire version, service point, date, channel, answers, comment
//! and design (how the respondent came to be in the sample).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::responses;
use super::{with_backend, Conn, DbError, DbResult};
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

/// Inserts `row` unless its id is stored already, as [`insert_new`] does
/// for a batch; true when it was inserted.
pub fn insert_if_new(conn: &mut Conn, row: &ResponseRow) -> DbResult<bool> {
    let inserted = insert_new(
        conn,
        std::slice::from_ref(row),
        crate::domain::system_today(),
    )?;
    Ok(!inserted.is_empty())
}

/// The first day of the half-month of `day`, the 1st or the 15th: the
/// parts that every period of the reporting grid (calendar months, and
/// reporting months from the 15th to the 14th) is made of.
pub fn half_month_of(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day.with_day(if day.day() < 15 { 1 } else { 15 })
        .unwrap_or(day)
}

/// The last day of the half-month starting on `start`.
pub fn half_month_end(start: NaiveDate) -> NaiveDate {
    use chrono::{Datelike, Months};
    if start.day() < 15 {
        start.with_day(14).unwrap_or(start)
    } else {
        (start.with_day(1).unwrap_or(start) + Months::new(1))
            .pred_opt()
            .unwrap_or(start)
    }
}

/// Whether a response dated `day` and stored `today` is late: stored after
/// the day before it was over. Days that ended three days ago or more (and
/// half-months made of them) are summed once and kept
/// (`services::indices::sums`); a late response changes them, so it is
/// counted in `late_responses`. The day of grace covers a response dated
/// just before midnight and stored just after, and clocks of several
/// instances a little apart.
pub fn is_late(day: NaiveDate, today: NaiveDate) -> bool {
    today.pred_opt().is_some_and(|yesterday| day < yesterday)
}

/// Counts the late ones among `inserted` (see [`is_late`], `today` by the
/// system clock: the service's own may be stopped in tests and
/// demonstrations, and what matters is that every instance judges alike)
/// by version and half-month, in the caller's transaction.
fn record_late<'a>(
    conn: &mut Conn,
    inserted: impl IntoIterator<Item = (&'a str, NaiveDate)>,
    today: NaiveDate,
) -> DbResult<()> {
    use diesel::sql_types::{BigInt, Date, Text};
    let mut late: std::collections::BTreeMap<(&str, NaiveDate), i64> = Default::default();
    for (version, day) in inserted {
        if is_late(day, today) {
            *late.entry((version, half_month_of(day))).or_default() += 1;
        }
    }
    // Added, never updated: two transactions storing late responses of
    // the same half-months never wait on each other (nor deadlock). One
    // statement for many: a batch of paper forms spans many half-months.
    let late: Vec<((&str, NaiveDate), i64)> = late.into_iter().collect();
    // 3 parameters a row: well under either backend's bind limit.
    for chunk in late.chunks(1_000) {
        let values = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let statement = format!(
            "INSERT INTO late_responses (survey_version, part_start, inserted) VALUES {values}"
        );
        with_backend!(conn, |c| {
            let mut query = diesel::sql_query(statement.as_str()).into_boxed();
            for &((version, start), n) in chunk {
                query = query
                    .bind::<Text, _>(version)
                    .bind::<Date, _>(start)
                    .bind::<BigInt, _>(n);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// How many late responses each (version, half-month start) of `versions`
/// received (see [`is_late`]); absent: none.
pub fn late_counts(
    conn: &mut Conn,
    versions: &[String],
) -> DbResult<std::collections::HashMap<(String, NaiveDate), i64>> {
    use diesel::sql_types::{BigInt, Date, Text};

    #[derive(QueryableByName)]
    struct Late {
        #[diesel(sql_type = Text)]
        survey_version: String,
        #[diesel(sql_type = Date)]
        part_start: NaiveDate,
        #[diesel(sql_type = BigInt)]
        inserted: i64,
    }
    let mut counts = std::collections::HashMap::new();
    for version in versions {
        let rows: Vec<Late> = with_backend!(conn, |c| diesel::sql_query(
            "SELECT survey_version, part_start, CAST(SUM(inserted) AS BIGINT) AS inserted
             FROM late_responses WHERE survey_version = $1
             GROUP BY survey_version, part_start"
        )
        .bind::<Text, _>(version)
        .load(c))?;
        for row in rows {
            counts.insert((row.survey_version, row.part_start), row.inserted);
        }
    }
    Ok(counts)
}

/// The columns of a response, in the order of the responses table's own.
const RESPONSE_COLUMNS: &str =
    "id, survey_version, unit, submitted_on, channel, answers, likert, comment, design";

/// Inserts the rows whose id is not stored yet and returns their ids,
/// counting those late by `today` ([`crate::domain::system_today`]); run it
/// inside [`Db::write_tx`](super::Db::write_tx) so that a batch is stored
/// whole or not at all — or on PostgreSQL, for rows none of which is late
/// by `today`, alone: it is then one statement. A row another transaction
/// stored first (PostgreSQL waits for that transaction to end) is skipped,
/// for the caller to judge.
pub fn insert_new<R: std::borrow::Borrow<ResponseRow>>(
    conn: &mut Conn,
    rows: &[R],
    today: NaiveDate,
) -> DbResult<Vec<String>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut inserted = Vec::with_capacity(rows.len());
    match conn {
        // One prepared single-row statement per row, its count of changed
        // rows saying whether it stored the row. SQLite answers RETURNING
        // through a temporary table written to a file, and keeps a
        // statement journal (a copy of every page changed, in another file)
        // for a multi-row INSERT a constraint could abort halfway: together
        // eight or nine writes to temporary files per row stored.
        Conn::Sqlite(c) => {
            for row in rows.iter().map(R::borrow) {
                let stored = InsertOne(row).execute(c)?;
                if stored == 1 {
                    inserted.push(row.id.clone());
                }
            }
        }
        Conn::Postgresql(c) => inserted.extend(InsertByColumns::of(rows).load::<String>(c)?),
    }
    let stored: std::collections::HashSet<&str> = inserted.iter().map(String::as_str).collect();
    record_late(
        conn,
        rows.iter()
            .map(R::borrow)
            .filter(|row| stored.contains(row.id.as_str()))
            .map(|row| (row.survey_version.as_str(), row.submitted_on)),
        today,
    )?;
    Ok(inserted)
}

/// `INSERT INTO responses … VALUES (?, …) ON CONFLICT DO NOTHING` of one
/// row on SQLite. Diesel's own insert has no fixed text, so it wrote out
/// the SQL of every row again to find its prepared statement (about 7 %
/// of the writer thread's time, `perf record`); this one is found by its
/// type.
struct InsertOne<'a>(&'a ResponseRow);

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for InsertOne<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Date, Nullable, Text};
        let row = self.0;
        out.push_sql("INSERT INTO responses (");
        out.push_sql(RESPONSE_COLUMNS);
        out.push_sql(") VALUES (");
        out.push_bind_param::<Text, _>(&row.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.survey_version)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.unit)?;
        out.push_sql(", ");
        out.push_bind_param::<Date, _>(&row.submitted_on)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.channel)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.answers)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.likert)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&row.comment)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.design)?;
        out.push_sql(") ON CONFLICT DO NOTHING");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for InsertOne<'_> {
    type QueryId = InsertOne<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::SqliteConnection> for InsertOne<'_> {}

/// `INSERT … SELECT * FROM unnest($1, …, $9) ON CONFLICT DO NOTHING
/// RETURNING id` on PostgreSQL: the rows as one array per column. Its text
/// is the same for any number of rows, so diesel prepares it once per
/// connection; a multi-row `VALUES` list was a new statement for each size
/// of batch, parsed and planned by the server every time (about 6 % of
/// the machine's time at 16 connections, `perf record -a`).
struct InsertByColumns<'a> {
    ids: Vec<&'a str>,
    survey_versions: Vec<&'a str>,
    units: Vec<&'a str>,
    days: Vec<NaiveDate>,
    channels: Vec<&'static str>,
    answers: Vec<&'a str>,
    likert: Vec<&'a str>,
    comments: Vec<Option<&'a str>>,
    designs: Vec<&'static str>,
}

impl<'a> InsertByColumns<'a> {
    fn of<R: std::borrow::Borrow<ResponseRow>>(rows: &'a [R]) -> Self {
        let rows = || rows.iter().map(R::borrow);
        InsertByColumns {
            ids: rows().map(|row| row.id.as_str()).collect(),
            survey_versions: rows().map(|row| row.survey_version.as_str()).collect(),
            units: rows().map(|row| row.unit.as_str()).collect(),
            days: rows().map(|row| row.submitted_on).collect(),
            channels: rows().map(|row| row.channel.as_str()).collect(),
            answers: rows().map(|row| row.answers.as_str()).collect(),
            likert: rows().map(|row| row.likert.as_str()).collect(),
            comments: rows().map(|row| row.comment.as_deref()).collect(),
            designs: rows().map(|row| row.design.as_str()).collect(),
        }
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertByColumns<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Date, Nullable, Text};
        out.push_sql("INSERT INTO responses (");
        out.push_sql(RESPONSE_COLUMNS);
        out.push_sql(") SELECT * FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.survey_versions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.units)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Date>, _>(&self.days)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.channels)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.answers)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.likert)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.comments)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.designs)?;
        out.push_sql(") ON CONFLICT DO NOTHING RETURNING id");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for InsertByColumns<'_> {
    type QueryId = InsertByColumns<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for InsertByColumns<'_> {
    type SqlType = diesel::sql_types::Text;
}

impl RunQueryDsl<diesel::PgConnection> for InsertByColumns<'_> {}

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

/// Whether any response to `versions` is dated from `from` to `to`.
pub fn any_in(
    conn: &mut Conn,
    versions: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<bool> {
    let first: Option<String> = responses::table
        .filter(responses::survey_version.eq_any(versions))
        .filter(responses::submitted_on.between(from, to))
        .select(responses::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

/// How many responses to `version` are dated from `from` to `to`.
pub fn count_in(conn: &mut Conn, version: &str, from: NaiveDate, to: NaiveDate) -> DbResult<i64> {
    Ok(responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .count()
        .get_result(conn)?)
}

/// The day of the earliest response to any of `versions`.
pub fn first_day(conn: &mut Conn, versions: &[String]) -> DbResult<Option<NaiveDate>> {
    Ok(responses::table
        .filter(responses::survey_version.eq_any(versions))
        .select(diesel::dsl::min(responses::submitted_on))
        .first(conn)?)
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

/// A response as the microdata export needs it (never the id or the
/// comment).
#[derive(Debug, Clone, QueryableByName)]
pub struct MicrodataRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub survey_version: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub unit: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub submitted_on: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub channel: crate::domain::Channel,
    #[diesel(sql_type = diesel::sql_types::Text)]
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

/// Calls `each` with every response to `version` in a date range as a
/// [`Contribution`] — what the index sums are made of
/// (`services::indices::sums`) — one row at a time: memory stays bounded
/// however many there are.
pub fn for_each_contribution(
    conn: &mut Conn,
    version: &str,
    from: NaiveDate,
    to: NaiveDate,
    mut each: impl FnMut(Contribution),
) -> DbResult<()> {
    use diesel::connection::DefaultLoadingMode;
    use diesel::pg::PgRowByRowLoadingMode;
    let query = responses::table
        .filter(responses::survey_version.eq(version))
        .filter(responses::submitted_on.between(from, to))
        .select((
            responses::unit,
            responses::submitted_on,
            responses::likert,
            responses::answers,
            responses::design,
        ));
    match conn {
        Conn::Sqlite(c) => {
            for row in query.load_iter::<Contribution, DefaultLoadingMode>(c)? {
                each(row?);
            }
        }
        Conn::Postgresql(c) => {
            for row in query.load_iter::<Contribution, PgRowByRowLoadingMode>(c)? {
                each(row?);
            }
        }
    }
    Ok(())
}

/// Adds up the rows of `late_responses` of each (version, half-month)
/// into one, keeping every sum: each transaction that stores late
/// responses adds rows (so that none waits on another), which this folds
/// away. Run it inside [`Db::write_tx`](super::Db::write_tx).
pub fn fold_late_counts(conn: &mut Conn) -> DbResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        // Only the rows this snapshot sees are deleted and summed: rows
        // another transaction is adding stay as they are.
        Conn::Postgresql(c) => {
            diesel::sql_query(
                "WITH gone AS (DELETE FROM late_responses RETURNING *)
                 INSERT INTO late_responses (survey_version, part_start, inserted)
                 SELECT survey_version, part_start, SUM(inserted) FROM gone
                 GROUP BY survey_version, part_start",
            )
            .execute(c)?;
        }
        // The write transaction holds SQLite's only write lock.
        Conn::Sqlite(c) => c.batch_execute(
            "CREATE TEMP TABLE late_folded AS
                 SELECT survey_version, part_start, SUM(inserted) AS inserted
                 FROM late_responses GROUP BY survey_version, part_start;
             DELETE FROM late_responses;
             INSERT INTO late_responses (survey_version, part_start, inserted)
                 SELECT survey_version, part_start, inserted FROM late_folded;
             DROP TABLE late_folded;",
        )?,
    }
    Ok(())
}

/// Rewrites `late_responses` (PostgreSQL) into as few pages as the rows
/// [`fold_late_counts`] leaves need; false when it was not done this time.
/// Every batch of late responses adds rows that the fold deletes, and a
/// plain vacuum leaves the pages they took: after 10,000,000 simulated
/// responses the table held 42 rows in 54 MB, and every index request
/// read it all a few times (about 100 ms a request, 14 ms compacted).
/// The rewrite takes a lock that waits for transactions adding rows (an
/// import holds one for its whole store) and for autovacuum, which visits
/// the table after every thousand rows added: each try waits 200 ms at
/// most, rather than hold up the index requests queued behind it, and a
/// few tries a second apart ([`super::in_a_few_tries`]) outlast an
/// autovacuum of the table, which yields to a waiting lock only after
/// `deadlock_timeout` (one second).
/// Outside any transaction (`VACUUM` cannot run in one).
pub fn compact_late_counts(pg: &mut diesel::PgConnection) -> DbResult<bool> {
    super::in_a_few_tries(|| {
        diesel::sql_query("SET lock_timeout = '200ms'").execute(pg)?;
        let compacted = diesel::sql_query("VACUUM FULL late_responses").execute(pg);
        diesel::sql_query("RESET lock_timeout").execute(pg)?;
        match compacted {
            Ok(_) => Ok(true),
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("lock timeout") =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// Calls `each` with every response to `versions` in a date range, in id
/// order, from one snapshot, stopping at its first error; memory stays
/// bounded. `expected` is about how many there are (counted before, in
/// another snapshot), which chooses how PostgreSQL reads them.
/// Ids are random, so the order says nothing of when a response came.
///
/// SQLite stores responses in id order (`WITHOUT ROWID`): one scan of the
/// table in storage order, not an index walk with a look-up per row. On
/// PostgreSQL a heap keeps settled days in blocks (see [`settle_order`]),
/// which would place a row within its month; one `SELECT … ORDER BY id`,
/// one snapshot, is read row by row, sorted by the server or read along
/// the primary key ([`walk_the_primary_key`]). A caller that
/// stops early waits for the server to send the rest, which is read and
/// dropped: diesel drains a row-by-row result before its connection can
/// be used again.
pub fn for_each_microdata_row<E: From<DbError>>(
    conn: &mut Conn,
    versions: &[String],
    from: NaiveDate,
    to: NaiveDate,
    expected: usize,
    mut each: impl FnMut(MicrodataRow) -> Result<(), E>,
) -> Result<(), E> {
    use diesel::connection::DefaultLoadingMode;
    use diesel::sql_types::{Date, Text};

    if versions.is_empty() {
        return Ok(());
    }
    const COLUMNS: &str = "survey_version, unit, submitted_on, channel, answers";
    match conn {
        Conn::Sqlite(c) => {
            let placeholders = vec!["?"; versions.len()].join(", ");
            let mut query = diesel::sql_query(format!(
                // The unary `+` keeps both terms off the indexes: a scan
                // in storage order, not an index walk with a look-up per row.
                "SELECT {COLUMNS} FROM responses
                 WHERE +survey_version IN ({placeholders}) AND +submitted_on BETWEEN ? AND ?"
            ))
            .into_boxed();
            for version in versions {
                query = query.bind::<Text, _>(version.clone());
            }
            let query = query.bind::<Date, _>(from).bind::<Date, _>(to);
            for row in query
                .load_iter::<MicrodataRow, DefaultLoadingMode>(c)
                .map_err(DbError::from)?
            {
                each(row.map_err(DbError::from)?)?;
            }
            Ok(())
        }
        Conn::Postgresql(c) => {
            use diesel::pg::{PgConnection, PgRowByRowLoadingMode};
            // The caller's error, carried out of the transaction, which it
            // rolls back (it only read).
            let mut failed: Option<E> = None;
            let result = c
                .build_transaction()
                .read_only()
                .run(|c: &mut PgConnection| {
                    diesel::sql_query(if walk_the_primary_key(c, expected)? {
                        "SET LOCAL enable_sort = off"
                    } else {
                        // Room to sort in memory rather than in temporary files.
                        "SET LOCAL work_mem = '256MB'"
                    })
                    .execute(c)?;
                    // Row by row: the server sends the rows while they are
                    // decoded and written, each side at its own pace, and
                    // the socket's buffers bound what waits.
                    let rows = diesel::sql_query(format!(
                        "SELECT {COLUMNS} FROM responses
                         WHERE survey_version = ANY($1) AND submitted_on BETWEEN $2 AND $3
                         ORDER BY id"
                    ))
                    .bind::<diesel::sql_types::Array<Text>, _>(versions)
                    .bind::<Date, _>(from)
                    .bind::<Date, _>(to)
                    .load_iter::<MicrodataRow, PgRowByRowLoadingMode>(c)?;
                    for row in rows {
                        if let Err(err) = each(row?) {
                            failed = Some(err);
                            return Err(diesel::result::Error::RollbackTransaction);
                        }
                    }
                    Ok(())
                });
            match (failed, result) {
                (Some(err), _) => Err(err),
                (None, result) => result.map_err(|e| DbError::from(e).into()),
            }
        }
    }
}

/// Whether a microdata export on PostgreSQL reads along the primary key
/// rather than sorting what it selects: when the `expected` rows are a
/// quarter of the table or more (by the table's row estimate). A sort
/// sends nothing until every row is sorted: at 1M responses a year's
/// 572,396 rows took 240 MB of temporary files and 1.1 s before the first
/// row, and the export about 2.9 s; the primary key sends rows in id order
/// from the first (the whole walk about 0.5 s, the heap cached), the
/// export about 2.0 s. The walk visits every row of the table, though, in
/// no order of the heap: for a quarter out of years of responses the sort
/// of a few rows is the cheaper. Measured with the heap in memory only.
fn walk_the_primary_key(
    c: &mut diesel::PgConnection,
    expected: usize,
) -> diesel::QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Estimate {
        #[diesel(sql_type = diesel::sql_types::Double)]
        rows: f64,
    }
    let table: Estimate = diesel::sql_query(
        "SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'responses'::regclass",
    )
    .get_result(c)?;
    // Never counted (-1 until the first vacuum or analyze): sort.
    Ok(table.rows > 0.0 && expected as f64 * 4.0 >= table.rows)
}

/// A temporary table, private to one connection, where an import keeps its
/// valid rows until all of the file has been read: memory holds a chunk at
/// a time, the rows come back in id order, and filling it takes no lock on
/// the database (SQLite keeps temporary tables in a file of their own).
pub mod staging {
    use diesel::prelude::*;

    use super::ResponseRow;
    use crate::db::{with_backend, Conn, DbResult};

    diesel::table! {
        import_rows (id, line) {
            line -> BigInt,
            id -> Text,
            survey_version -> Text,
            unit -> Text,
            submitted_on -> Date,
            channel -> Text,
            answers -> Text,
            likert -> Text,
            comment -> Nullable<Text>,
            design -> Text,
            content -> Nullable<Text>,
            fields -> Nullable<Text>,
        }
    }

    /// What a row whose id was derived from its fields keeps until the
    /// whole file is in: its content's digest, to find rows that repeat it,
    /// and its fields, to derive a repeat's own id.
    #[derive(Debug, Clone)]
    pub struct Derivation {
        pub content: String,
        pub fields: String,
    }

    /// A staged row as it is read back, in id order.
    #[derive(QueryableByName)]
    #[diesel(table_name = import_rows)]
    struct StagedRow {
        line: i64,
        id: String,
        survey_version: String,
        unit: String,
        submitted_on: chrono::NaiveDate,
        channel: crate::domain::Channel,
        answers: String,
        likert: String,
        comment: Option<String>,
        design: crate::domain::Design,
    }

    /// A staged row as it is written: every column, as PostgreSQL's binary
    /// `COPY` takes them.
    #[derive(Insertable)]
    #[diesel(table_name = import_rows)]
    #[diesel(treat_none_as_default_value = false)]
    struct NewStagedRow {
        line: i64,
        id: String,
        survey_version: String,
        unit: String,
        submitted_on: chrono::NaiveDate,
        channel: crate::domain::Channel,
        answers: String,
        likert: String,
        comment: Option<String>,
        design: crate::domain::Design,
        content: Option<String>,
        fields: Option<String>,
    }

    use super::RESPONSE_COLUMNS;

    /// A line number as the table keeps it.
    fn line_value(line: u64) -> i64 {
        i64::try_from(line).unwrap_or(i64::MAX)
    }

    /// Creates the table, empty; [`drop`] ends it (a temporary table lives
    /// as long as its connection, which goes back to the pool).
    pub fn create(conn: &mut Conn) -> DbResult<()> {
        drop(conn)?;
        with_backend!(conn, |c| {
            diesel::sql_query(
                "CREATE TEMPORARY TABLE import_rows (
                     line BIGINT NOT NULL, id TEXT NOT NULL, survey_version TEXT NOT NULL,
                     unit TEXT NOT NULL, submitted_on DATE NOT NULL, channel TEXT NOT NULL,
                     answers TEXT NOT NULL, likert TEXT NOT NULL, comment TEXT,
                     design TEXT NOT NULL, content TEXT, fields TEXT
                 )",
            )
            .execute(c)?;
            Ok::<_, crate::db::DbError>(())
        })
    }

    /// Adds rows, each with its line in the file and, if its id was
    /// derived, how.
    pub fn insert(
        conn: &mut Conn,
        rows: &[(u64, ResponseRow, Option<Derivation>)],
    ) -> DbResult<()> {
        let staged = |chunk: &[(u64, ResponseRow, Option<Derivation>)]| -> Vec<NewStagedRow> {
            chunk
                .iter()
                .map(|(line, row, derivation)| NewStagedRow {
                    line: line_value(*line),
                    id: row.id.clone(),
                    survey_version: row.survey_version.clone(),
                    unit: row.unit.clone(),
                    submitted_on: row.submitted_on,
                    channel: row.channel,
                    answers: row.answers.clone(),
                    likert: row.likert.clone(),
                    comment: row.comment.clone(),
                    design: row.design,
                    content: derivation.as_ref().map(|d| d.content.clone()),
                    fields: derivation.as_ref().map(|d| d.fields.clone()),
                })
                .collect()
        };
        match conn {
            // 12 columns × 500 rows stays under SQLite's bind limit.
            Conn::Sqlite(c) => {
                for chunk in rows.chunks(500) {
                    diesel::insert_into(import_rows::table)
                        .values(&staged(chunk))
                        .execute(c)?;
                }
            }
            // One COPY: no statement to parse, no parameters to bind.
            Conn::Postgresql(c) => {
                if !rows.is_empty() {
                    diesel::copy_from(import_rows::table)
                        .from_insertable(staged(rows))
                        .execute(c)?;
                }
            }
        }
        Ok(())
    }

    /// Up to `limit` rows whose content another row has too (the first of
    /// them included), after (content, line) `after`, in that order: (line,
    /// content, fields). Rows of one content come in file order, so the
    /// caller numbers them by counting.
    pub fn repeats(
        conn: &mut Conn,
        after: Option<(&str, u64)>,
        limit: i64,
    ) -> DbResult<Vec<(u64, Derivation)>> {
        use diesel::sql_types::{BigInt, Text};
        #[derive(QueryableByName)]
        struct Repeat {
            #[diesel(sql_type = BigInt)]
            line: i64,
            #[diesel(sql_type = Text)]
            content: String,
            #[diesel(sql_type = Text)]
            fields: String,
        }
        // Along the index on (content, line): each page goes on from the
        // last, and a row of one content only is passed over by one probe.
        let rows: Vec<Repeat> = keyset_page(
            conn,
            "SELECT line, content, fields FROM import_rows r
             WHERE content IS NOT NULL AND (content, line) > ($1, $2)
               AND EXISTS (SELECT 1 FROM import_rows o
                           WHERE o.content = r.content AND o.line <> r.line)
             ORDER BY content, line LIMIT $3",
            after,
            limit,
        )?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    u64::try_from(r.line).unwrap_or(0),
                    Derivation {
                        content: r.content,
                        fields: r.fields,
                    },
                )
            })
            .collect())
    }

    /// Indexes the rows by (content, line), for [`repeats`].
    pub fn index_contents(conn: &mut Conn) -> DbResult<()> {
        with_backend!(conn, |c| diesel::sql_query(
            "CREATE INDEX import_rows_by_content ON import_rows (content, line)
             WHERE content IS NOT NULL"
        )
        .execute(c))?;
        Ok(())
    }

    /// Gives the row of `line` the id `id`.
    pub fn set_id(conn: &mut Conn, content: &str, line: u64, id: &str) -> DbResult<()> {
        use diesel::sql_types::{BigInt, Text};
        let line = line_value(line);
        with_backend!(conn, |c| diesel::sql_query(
            "UPDATE import_rows SET id = $1 WHERE content = $2 AND line = $3"
        )
        .bind::<Text, _>(id)
        .bind::<Text, _>(content)
        .bind::<BigInt, _>(line)
        .execute(c))?;
        Ok(())
    }

    /// Orders the rows, once they are all in: one sort, where keeping an
    /// index while rows arrive in file order would touch a random page of
    /// it for each row.
    pub fn index(conn: &mut Conn) -> DbResult<()> {
        with_backend!(conn, |c| diesel::sql_query(
            "CREATE UNIQUE INDEX import_rows_in_id_order ON import_rows (id, line)"
        )
        .execute(c))?;
        Ok(())
    }

    /// Up to `limit` rows after (id, line) `after`, in id order, each with
    /// its line.
    pub fn page(
        conn: &mut Conn,
        after: Option<(&str, u64)>,
        limit: i64,
    ) -> DbResult<Vec<(u64, ResponseRow)>> {
        // A row value, which both backends walk along the primary key; the
        // same test spelled with OR makes PostgreSQL sort the table.
        let rows: Vec<StagedRow> = keyset_page(
            conn,
            &format!(
                "SELECT line, {RESPONSE_COLUMNS}
                 FROM import_rows WHERE (id, line) > ($1, $2) ORDER BY id, line LIMIT $3"
            ),
            after,
            limit,
        )?;
        Ok(rows
            .into_iter()
            .map(|s| {
                (
                    u64::try_from(s.line).unwrap_or(0),
                    ResponseRow {
                        id: s.id,
                        survey_version: s.survey_version,
                        unit: s.unit,
                        submitted_on: s.submitted_on,
                        channel: s.channel,
                        answers: s.answers,
                        likert: s.likert,
                        comment: s.comment,
                        design: s.design,
                    },
                )
            })
            .collect())
    }

    /// Stores the staged rows from (id, line) `first` through `last`, in id
    /// order, but those of the lines `except`, as responses unless their
    /// id is stored already, counts the late ones as
    /// [`insert_new`](super::insert_new) does, and returns the ids stored:
    /// the rows go from one table to the other inside the database, not
    /// back to the caller and out again.
    pub fn store(
        conn: &mut Conn,
        first: (&str, u64),
        last: (&str, u64),
        except: &[u64],
        today: chrono::NaiveDate,
    ) -> DbResult<Vec<String>> {
        use diesel::sql_types::{BigInt, Date, Text};
        #[derive(QueryableByName)]
        struct Stored {
            #[diesel(sql_type = Text)]
            id: String,
            #[diesel(sql_type = Text)]
            survey_version: String,
            #[diesel(sql_type = Date)]
            submitted_on: chrono::NaiveDate,
        }
        // Whole numbers of our own, written into the statement: a list
        // neither backend binds alike, and most often empty.
        let except = if except.is_empty() {
            String::new()
        } else {
            let lines: Vec<String> = except.iter().map(u64::to_string).collect();
            format!("AND line NOT IN ({})", lines.join(", "))
        };
        let statement = format!(
            "INSERT INTO responses ({RESPONSE_COLUMNS})
             SELECT {RESPONSE_COLUMNS}
             FROM import_rows WHERE (id, line) >= ($1, $2) AND (id, line) <= ($3, $4) {except}
             ORDER BY id, line
             ON CONFLICT DO NOTHING
             RETURNING id, survey_version, submitted_on"
        );
        let stored: Vec<Stored> = with_backend!(conn, |c| diesel::sql_query(statement.as_str())
            .bind::<Text, _>(first.0)
            .bind::<BigInt, _>(line_value(first.1))
            .bind::<Text, _>(last.0)
            .bind::<BigInt, _>(line_value(last.1))
            .load(c))?;
        super::record_late(
            conn,
            stored
                .iter()
                .map(|row| (row.survey_version.as_str(), row.submitted_on)),
            today,
        )?;
        Ok(stored.into_iter().map(|row| row.id).collect())
    }

    /// Up to `limit` rows of `query`, whose parameters are the text key and
    /// the line a page goes on after ($1, $2; the first page: "" and 0) and
    /// the limit ($3).
    fn keyset_page<T>(
        conn: &mut Conn,
        query: &str,
        after: Option<(&str, u64)>,
        limit: i64,
    ) -> DbResult<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        use diesel::sql_types::{BigInt, Text};
        let (key, line) = after.unwrap_or(("", 0));
        let line = line_value(line);
        let query = diesel::sql_query(query);
        Ok(with_backend!(conn, |c| query
            .clone()
            .bind::<Text, _>(key)
            .bind::<BigInt, _>(line)
            .bind::<BigInt, _>(limit)
            .load(c))?)
    }

    /// Ends the table, if there is one.
    pub fn drop(conn: &mut Conn) -> DbResult<()> {
        // Named in the temporary schema: never a table of the database.
        let statement = match conn {
            Conn::Sqlite(_) => "DROP TABLE IF EXISTS temp.import_rows",
            Conn::Postgresql(_) => "DROP TABLE IF EXISTS pg_temp.import_rows",
        };
        with_backend!(conn, |c| diesel::sql_query(statement).execute(c))?;
        Ok(())
    }
}
