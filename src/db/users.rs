//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub role: crate::domain::RoleKind,
    pub department: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    /// Sessions begun under an earlier generation are over.
    pub session_generation: i64,
}

pub fn insert(conn: &mut Conn, row: &UserRow) -> DbResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_by_username(conn: &mut Conn, username: &str) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut Conn, id: &str) -> DbResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut Conn) -> DbResult<Vec<UserRow>> {
    Ok(users::table
        .order(users::username)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Also ends the account's sessions. Returns whether an account with this
/// username exists.
pub fn set_disabled(conn: &mut Conn, username: &str, disabled: bool) -> DbResult<bool> {
    Ok(
        diesel::update(users::table.filter(users::username.eq(username)))
            .set((
                users::disabled.eq(disabled),
                users::session_generation.eq(users::session_generation + 1),
            ))
            .execute(conn)?
            == 1,
    )
}

/// Also ends the account's sessions. Returns whether an account with this
/// username exists.
pub fn set_password_hash(conn: &mut Conn, username: &str, hash: &str) -> DbResult<bool> {
    Ok(
        diesel::update(users::table.filter(users::username.eq(username)))
            .set((
                users::password_hash.eq(hash),
                users::session_generation.eq(users::session_generation + 1),
            ))
            .execute(conn)?
            == 1,
    )
}

/// Ends every session of the account with this id.
pub fn end_sessions(conn: &mut Conn, id: &str) -> DbResult<()> {
    diesel::update(users::table.find(id))
        .set(users::session_generation.eq(users::session_generation + 1))
        .execute(conn)?;
    Ok(())
}
