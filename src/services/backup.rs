//! Backups: a consistent copy of the embedded database while it serves.

use std::path::Path;

use crate::app::AppContext;
use crate::db::DbError;

/// What a backup request came to.
pub enum Backup {
    /// The copy was written; its size in bytes.
    Written(u64),
    /// The database is PostgreSQL, backed up with pg_dump instead.
    UsePostgresTools,
}

/// Writes a copy of the SQLite database to `target`, which must not exist.
pub fn write(ctx: &AppContext, target: &Path) -> Result<Backup, DbError> {
    match ctx.db.backup_sqlite(target) {
        None => Ok(Backup::UsePostgresTools),
        Some(result) => {
            result?;
            Ok(Backup::Written(
                std::fs::metadata(target).map(|m| m.len()).unwrap_or(0),
            ))
        }
    }
}
