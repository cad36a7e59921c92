//! Questionnaires being filled in, by response id.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::drafts;
use super::{with_backend, Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = drafts)]
pub struct DraftRow {
    pub id: String,
    pub survey_version: String,
    pub form_values: String,
    pub saved_on: NaiveDate,
}

/// The draft with `id`, if saved on or after `not_before`.
pub fn find(conn: &mut Conn, id: &str, not_before: NaiveDate) -> DbResult<Option<DraftRow>> {
    Ok(drafts::table
        .find(id)
        .filter(drafts::saved_on.ge(not_before))
        .select(DraftRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves `row`, replacing the draft with the same id.
pub fn save(conn: &mut Conn, row: &DraftRow) -> DbResult<()> {
    with_backend!(conn, |c| diesel::insert_into(drafts::table)
        .values(row)
        .on_conflict(drafts::id)
        .do_update()
        .set(row)
        .execute(c))?;
    Ok(())
}

pub fn delete(conn: &mut Conn, id: &str) -> DbResult<()> {
    with_backend!(conn, |c| diesel::delete(drafts::table.find(id)).execute(c))?;
    Ok(())
}

/// Deletes the drafts last saved before `before`; returns how many.
pub fn expire(conn: &mut Conn, before: NaiveDate) -> DbResult<usize> {
    Ok(with_backend!(conn, |c| diesel::delete(
        drafts::table.filter(drafts::saved_on.lt(before))
    )
    .execute(c))?)
}
