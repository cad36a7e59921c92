//! Feedback items: one per response with a comment, with what the
//! department did about it.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{feedback, responses};
use super::{with_backend, Conn, DbResult};
use crate::domain::FeedbackStatus;

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = feedback)]
pub struct FeedbackRow {
    pub key: String,
    pub response_id: String,
    pub filed_on: NaiveDate,
    pub status: FeedbackStatus,
    pub topic: Option<String>,
    pub element: Option<String>,
    pub public_answer: Option<String>,
    pub internal_note: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// What staff may change on an item.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = feedback, treat_none_as_null = true)]
pub struct FeedbackChange {
    pub status: FeedbackStatus,
    pub topic: Option<String>,
    pub element: Option<String>,
    pub public_answer: Option<String>,
    pub internal_note: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

/// An item with the response facts it is shown with: service point, day,
/// questionnaire version and the comment (not yet masked). Never a time.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = responses)]
pub struct FeedbackItemRow {
    #[diesel(embed)]
    pub item: FeedbackRow,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub unit: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub submitted_on: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub survey_version: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(select_expression = responses::comment.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<responses::comment>)]
    pub comment: String,
}

/// Ids of responses dated before `before` with a comment, the first
/// `limit` in id order after `after` (the first page: ""): one walk along
/// the primary key. Whether they have an item is asked apart
/// ([`with_items`]): joined in one query, PostgreSQL expects almost no
/// response without an item and sorts a full scan of the table for every
/// page (10,000,000 responses: about 0.7 s a page of 500, some 40,000
/// comments filed a minute; this way the query takes about 10 ms).
pub fn commented(
    conn: &mut Conn,
    before: NaiveDate,
    after: &str,
    limit: i64,
) -> DbResult<Vec<String>> {
    Ok(responses::table
        .filter(responses::id.gt(after))
        .filter(responses::comment.is_not_null())
        .filter(responses::submitted_on.lt(before))
        .order(responses::id)
        .limit(limit)
        .select(responses::id)
        .load(conn)?)
}

/// Those of `response_ids` that have an item.
pub fn with_items(
    conn: &mut Conn,
    response_ids: &[String],
) -> DbResult<std::collections::HashSet<String>> {
    Ok(feedback::table
        .filter(feedback::response_id.eq_any(response_ids))
        .select(feedback::response_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Inserts the items whose response has none yet (another filing may have
/// made some since they were read).
pub fn insert_all(conn: &mut Conn, rows: &[FeedbackRow]) -> DbResult<()> {
    for row in rows {
        with_backend!(conn, |c| diesel::insert_into(feedback::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Every item of responses to `versions` dated `from..=to`.
pub fn items(
    conn: &mut Conn,
    versions: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<FeedbackItemRow>> {
    use diesel::sql_types::{Date, Text};
    match conn {
        // From the items to their responses: SQLite's planner would walk
        // every response of the period and look each up among the items
        // (4.3 s at 1,000,000 responses, where this takes 0.3 s); CROSS
        // JOIN keeps the order as written.
        Conn::Sqlite(c) => {
            let list = serde_json::to_string(versions).unwrap_or_else(|_| "[]".into());
            Ok(diesel::sql_query(
                "SELECT feedback.*, responses.unit, responses.submitted_on,
                        responses.survey_version, COALESCE(responses.comment, '') AS comment
                 FROM feedback CROSS JOIN responses ON responses.id = feedback.response_id
                 WHERE responses.survey_version IN (SELECT value FROM json_each($1))
                   AND responses.submitted_on BETWEEN $2 AND $3",
            )
            .bind::<Text, _>(list)
            .bind::<Date, _>(from)
            .bind::<Date, _>(to)
            .load(c)?)
        }
        Conn::Postgresql(c) => Ok(feedback::table
            .inner_join(responses::table)
            .filter(responses::survey_version.eq_any(versions))
            .filter(responses::submitted_on.between(from, to))
            .select(FeedbackItemRow::as_select())
            .load(c)?),
    }
}

pub fn find(conn: &mut Conn, key: &str) -> DbResult<Option<FeedbackItemRow>> {
    Ok(feedback::table
        .inner_join(responses::table)
        .filter(feedback::key.eq(key))
        .select(FeedbackItemRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(conn: &mut Conn, key: &str, change: &FeedbackChange) -> DbResult<usize> {
    Ok(with_backend!(conn, |c| diesel::update(
        feedback::table.find(key)
    )
    .set(change)
    .execute(c))?)
}
