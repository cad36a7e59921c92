//! API tokens: only their SHA-256 is stored, so a leaked database does not
//! leak working tokens.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::api_tokens;
use super::{Conn, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: crate::domain::RoleKind,
    pub department: Option<String>,
    pub token_hash: String,
    pub created_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
}

pub fn insert(conn: &mut Conn, row: &TokenRow) -> DbResult<()> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The active (not revoked) token with this hash.
pub fn find_active(conn: &mut Conn, token_hash: &str) -> DbResult<Option<TokenRow>> {
    Ok(api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_on.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut Conn) -> DbResult<Vec<TokenRow>> {
    Ok(api_tokens::table
        .order((api_tokens::created_on, api_tokens::name))
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Revokes the active tokens whose id or name is `id_or_name`; returns how many.
pub fn revoke(conn: &mut Conn, id_or_name: &str, today: NaiveDate) -> DbResult<usize> {
    Ok(diesel::update(
        api_tokens::table
            .filter(
                api_tokens::id
                    .eq(id_or_name)
                    .or(api_tokens::name.eq(id_or_name)),
            )
            .filter(api_tokens::revoked_on.is_null()),
    )
    .set(api_tokens::revoked_on.eq(Some(today)))
    .execute(conn)?)
}
