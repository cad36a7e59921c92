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

/// Stores all rows in one transaction, replacing earlier figures for the
/// same service point and period.
pub fn upsert_all(conn: &mut Conn, rows: &[VolumeRow]) -> DbResult<()> {
    with_backend!(&mut **conn, |c| {
        c.transaction::<_, diesel::result::Error, _>(|c| {
            for row in rows {
                diesel::insert_into(unit_volumes::table)
                    .values(row)
                    .on_conflict((unit_volumes::unit, unit_volumes::period))
                    .do_update()
                    .set(unit_volumes::transactions.eq(excluded(unit_volumes::transactions)))
                    .execute(c)?;
            }
            Ok(())
        })
    })?;
    Ok(())
}

/// Transactions by service point for one period label.
pub fn for_period(conn: &mut Conn, period: &str) -> DbResult<HashMap<String, i64>> {
    Ok(unit_volumes::table
        .filter(unit_volumes::period.eq(period))
        .select((unit_volumes::unit, unit_volumes::transactions))
        .load::<(String, i64)>(&mut **conn)?
        .into_iter()
        .collect())
}
