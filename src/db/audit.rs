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

/// Which entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// A prefix of the action, e.g. `wave.` or `user.disable`.
    pub action: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// The entries `filter` selects, newest first, at most `limit`.
pub fn filtered(conn: &mut Conn, filter: &AuditFilter, limit: i64) -> DbResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .order((audit_log::at.desc(), audit_log::id))
        .limit(limit)
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        // A prefix, with LIKE's own characters taken literally.
        let escaped = action
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        query = query.filter(audit_log::action.like(format!("{escaped}%")).escape('\\'));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from.and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        query = query.filter(audit_log::at.lt(to.and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    Ok(query.load(conn)?)
}
