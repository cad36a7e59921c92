//! The audit log of staff actions: who did what, when. Written in the same
//! transaction as the action it records, so neither exists without the other.

use uuid::Uuid;

use crate::app::{AppContext, Clock};
use crate::db::audit::{self, AuditRow};
use crate::db::{Conn, DbError};

/// Appends an entry on `conn`, inside the caller's transaction.
pub fn record_in(
    conn: &mut Conn,
    clock: &Clock,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), DbError> {
    audit::insert(
        conn,
        &AuditRow {
            id: Uuid::new_v4().to_string(),
            at: clock.now_utc_naive(),
            actor: actor.to_string(),
            action: action.to_string(),
            detail: detail.to_string(),
        },
    )
}

/// Appends an entry that records no other write (a sign-in, a read).
pub fn record(ctx: &AppContext, actor: &str, action: &str, detail: &str) -> Result<(), DbError> {
    ctx.db
        .write_tx(|conn| record_in(conn, &ctx.clock, actor, action, detail))
}
