//! Waves, their strata and the invitations not yet redeemed.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{invitations, wave_strata, waves};
use super::{with_backend, Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = waves)]
pub struct WaveRow {
    pub id: String,
    pub survey: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub allowance: f64,
    pub seed: Option<i64>,
    pub created_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = wave_strata)]
pub struct StratumRow {
    pub wave: String,
    pub unit: String,
    pub population: i64,
    pub target: i64,
    pub issued: i64,
    pub list_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub code_hash: String,
    pub wave: String,
    pub unit: String,
}

pub fn insert_wave(conn: &mut Conn, row: &WaveRow) -> DbResult<()> {
    with_backend!(conn, |c| diesel::insert_into(waves::table)
        .values(row)
        .execute(c))?;
    Ok(())
}

pub fn find(conn: &mut Conn, id: &str) -> DbResult<Option<WaveRow>> {
    Ok(waves::table
        .find(id)
        .select(WaveRow::as_select())
        .first(conn)
        .optional()?)
}

/// Waves of `survey` with a day in `from..=to`, earliest first.
pub fn overlapping(
    conn: &mut Conn,
    survey: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<WaveRow>> {
    Ok(waves::table
        .filter(waves::survey.eq(survey))
        .filter(waves::opens_on.le(to))
        .filter(waves::closes_on.ge(from))
        .order(waves::opens_on)
        .select(WaveRow::as_select())
        .load(conn)?)
}

/// Every wave, the latest first.
pub fn all(conn: &mut Conn) -> DbResult<Vec<WaveRow>> {
    Ok(waves::table
        .order((waves::opens_on.desc(), waves::survey))
        .select(WaveRow::as_select())
        .load(conn)?)
}

/// Records the seed of a wave's draw; false if it was drawn already.
pub fn mark_drawn(conn: &mut Conn, id: &str, seed: i64) -> DbResult<bool> {
    let updated = with_backend!(conn, |c| diesel::update(
        waves::table
            .filter(waves::id.eq(id))
            .filter(waves::seed.is_null())
    )
    .set(waves::seed.eq(seed))
    .execute(c))?;
    Ok(updated == 1)
}

pub fn insert_strata(conn: &mut Conn, rows: &[StratumRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        with_backend!(conn, |c| diesel::insert_into(wave_strata::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn strata(conn: &mut Conn, wave: &str) -> DbResult<Vec<StratumRow>> {
    Ok(wave_strata::table
        .filter(wave_strata::wave.eq(wave))
        .order(wave_strata::unit)
        .select(StratumRow::as_select())
        .load(conn)?)
}

/// Inserts invitations in the order given (callers sort them by hash).
pub fn insert_invitations(conn: &mut Conn, rows: &[InvitationRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        with_backend!(conn, |c| diesel::insert_into(invitations::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Invitations not yet redeemed, by service point.
pub fn outstanding(conn: &mut Conn, wave: &str) -> DbResult<Vec<(String, i64)>> {
    Ok(invitations::table
        .filter(invitations::wave.eq(wave))
        .group_by(invitations::unit)
        .select((invitations::unit, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Deletes the invitation with `code_hash` for `unit` if it belongs to a
/// wave of `survey` open on `on`; true when one was deleted. Deleting
/// rather than marking leaves no row version that records when.
pub fn redeem(
    conn: &mut Conn,
    code_hash: &str,
    survey: &str,
    unit: &str,
    on: NaiveDate,
) -> DbResult<bool> {
    let open_waves = waves::table
        .filter(waves::survey.eq(survey))
        .filter(waves::opens_on.le(on))
        .filter(waves::closes_on.ge(on))
        .select(waves::id);
    let deleted = with_backend!(conn, |c| diesel::delete(
        invitations::table
            .filter(invitations::code_hash.eq(code_hash))
            .filter(invitations::unit.eq(unit))
            .filter(invitations::wave.eq_any(open_waves))
    )
    .execute(c))?;
    Ok(deleted == 1)
}
