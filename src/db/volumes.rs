//! Transactions per service point and period (population totals N_h).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::unit_volumes;
use super::{with_backend, Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = unit_volumes)]
pub struct VolumeRow {
    pub unit: String,
    pub period: String,
    pub transactions: i64,
}

/// Stores all rows, replacing earlier figures for the same service point and
/// period; run it inside [`Db::write_tx`](super::Db::write_tx).
pub fn upsert_all(conn: &mut Conn, rows: &[VolumeRow]) -> DbResult<()> {
    for row in rows {
        with_backend!(conn, |c| diesel::insert_into(unit_volumes::table)
            .values(row)
            .on_conflict((unit_volumes::unit, unit_volumes::period))
            .do_update()
            .set(unit_volumes::transactions.eq(excluded(unit_volumes::transactions)))
            .execute(c))?;
    }
    Ok(())
}

/// Transactions by service point for one period label.
pub fn for_period(conn: &mut Conn, period: &str) -> DbResult<HashMap<String, i64>> {
    Ok(unit_volumes::table
        .filter(unit_volumes::period.eq(period))
        .select((unit_volumes::unit, unit_volumes::transactions))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}
