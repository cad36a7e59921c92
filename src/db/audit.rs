//! The audit log of staff actions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::{Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

pub fn insert(conn: &mut Conn, row: &AuditRow) -> DbResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The most recent entries, newest first.
pub fn recent(conn: &mut Conn, limit: i64) -> DbResult<Vec<AuditRow>> {
    Ok(audit_log::table
        .order((audit_log::at.desc(), audit_log::id))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}
