//! Index sums of closed stretches of days, stored beside the rows they add
//! up (table `index_sums`; what they are and when they hold:
//! `services::indices::sums`).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};

use super::{with_backend, Conn, DbResult};

/// What stored sums are of: the responses to `version` from `first_day` to
/// `last_day`, laid out on the `current` version.
#[derive(Debug, Clone, Copy)]
pub struct Stretch<'a> {
    pub current: &'a str,
    pub version: &'a str,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// Stored sums as they were written.
#[derive(Debug, QueryableByName)]
pub struct Stored {
    /// The late responses of the half-month when they were built.
    #[diesel(sql_type = BigInt)]
    pub late: i64,
    /// The rows they add up.
    #[diesel(sql_type = BigInt)]
    pub respondents: i64,
    /// The code that added them up.
    #[diesel(sql_type = Text)]
    pub format: String,
    #[diesel(sql_type = Text)]
    pub cells: String,
}

/// Removes the sums laid out on versions other than `current` (earlier
/// editions of the questionnaires): they are never asked for again.
pub fn forget_all_but(conn: &mut Conn, current: &[String]) -> DbResult<usize> {
    use diesel::sql_types::Array;
    let removed = match conn {
        Conn::Postgresql(c) => {
            diesel::sql_query("DELETE FROM index_sums WHERE NOT (current_version = ANY($1))")
                .bind::<Array<Text>, _>(current)
                .execute(c)?
        }
        Conn::Sqlite(c) => {
            // SQLite has no arrays: the list as JSON.
            let list = serde_json::to_string(current).unwrap_or_else(|_| "[]".into());
            diesel::sql_query(
                "DELETE FROM index_sums
                 WHERE current_version NOT IN (SELECT value FROM json_each($1))",
            )
            .bind::<Text, _>(list)
            .execute(c)?
        }
    };
    Ok(removed)
}

/// The stored sums of `stretch`, if any.
pub fn load(conn: &mut Conn, stretch: Stretch) -> DbResult<Option<Stored>> {
    let query = diesel::sql_query(
        "SELECT late, respondents, format, cells FROM index_sums
         WHERE current_version = $1 AND survey_version = $2
           AND first_day = $3 AND last_day = $4",
    );
    let found: Vec<Stored> = with_backend!(conn, |c| query
        .clone()
        .bind::<Text, _>(stretch.current)
        .bind::<Text, _>(stretch.version)
        .bind::<Date, _>(stretch.first_day)
        .bind::<Date, _>(stretch.last_day)
        .load(c))?;
    Ok(found.into_iter().next())
}

/// Stores the sums of `stretch`, replacing any stored before; a whole
/// half-month also replaces the days of it stored while it ran.
pub fn store(
    conn: &mut Conn,
    stretch: Stretch,
    late: i64,
    respondents: i64,
    format: &str,
    cells: &str,
) -> DbResult<()> {
    if stretch.first_day != stretch.last_day {
        with_backend!(conn, |c| diesel::sql_query(
            "DELETE FROM index_sums
             WHERE current_version = $1 AND survey_version = $2
               AND first_day = last_day AND first_day BETWEEN $3 AND $4"
        )
        .bind::<Text, _>(stretch.current)
        .bind::<Text, _>(stretch.version)
        .bind::<Date, _>(stretch.first_day)
        .bind::<Date, _>(stretch.last_day)
        .execute(c))?;
    }
    with_backend!(conn, |c| {
        diesel::sql_query(
        "INSERT INTO index_sums
             (current_version, survey_version, first_day, last_day, late, respondents, format, cells)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (current_version, survey_version, first_day, last_day) DO UPDATE SET
             late = excluded.late, respondents = excluded.respondents,
             format = excluded.format, cells = excluded.cells"
    )
    .bind::<Text, _>(stretch.current)
    .bind::<Text, _>(stretch.version)
    .bind::<Date, _>(stretch.first_day)
    .bind::<Date, _>(stretch.last_day)
    .bind::<BigInt, _>(late)
    .bind::<BigInt, _>(respondents)
    .bind::<Text, _>(format)
    .bind::<Text, _>(cells)
    .execute(c)
    })?;
    Ok(())
}
