//! API tokens for machines: created and revoked on the command line, carried
//! as `Authorization: Bearer <token>`. Only a SHA-256 of a token is stored.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::accounts::{self, AccountError};
use super::{audit, Principal};
use crate::app::AppContext;
use crate::db::tokens::{self, TokenRow};
use crate::db::DbError;
use crate::domain::{Access, Role, RoleKind};

const PREFIX: &str = "hl_";

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("a token reads scores, which an admin role may not; use home-affairs or department")]
    AdminToken,
    #[error(transparent)]
    Role(AccountError),
    #[error("--name must not be empty")]
    EmptyName,
    #[error("no active token with id or name \"{0}\"")]
    NoSuchToken(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A new token: its row (stored) and its secret (shown once).
pub struct NewToken {
    pub row: TokenRow,
    pub secret: String,
}

pub fn create(
    ctx: &AppContext,
    role: RoleKind,
    department: Option<&str>,
    name: &str,
    actor: &str,
) -> Result<NewToken, TokenError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TokenError::EmptyName);
    }
    let role = accounts::role_of(ctx, role, department).map_err(|e| match e {
        AccountError::Db(e) => TokenError::Db(e),
        other => TokenError::Role(other),
    })?;
    if role == Role::Admin {
        return Err(TokenError::AdminToken);
    }
    // Two random UUIDs: 244 bits from the operating system's generator.
    let secret = format!(
        "{PREFIX}{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    );
    let row = TokenRow {
        id: Uuid::new_v4().to_string(),
        name: name.to_string(),
        role: role.kind(),
        department: role.department().map(str::to_string),
        token_hash: hash(&secret),
        created_on: ctx.clock.today(),
        revoked_on: None,
    };
    ctx.db.write_tx(|conn| {
        tokens::insert(conn, &row)?;
        audit::record_in(
            conn,
            &ctx.clock,
            actor,
            "token.create",
            &format!("{} {} ({role})", row.id, row.name),
        )
    })?;
    Ok(NewToken { row, secret })
}

/// Every token, never its secret.
pub fn list(ctx: &AppContext) -> Result<Vec<TokenRow>, DbError> {
    tokens::list(&mut *ctx.db.reader()?)
}

/// Revokes the active tokens whose id or name is `id_or_name`; returns how
/// many. Revoking nothing is an error, so a typo is not taken for success.
pub fn revoke(ctx: &AppContext, id_or_name: &str, actor: &str) -> Result<usize, TokenError> {
    ctx.db.write_tx(|conn| {
        let revoked = tokens::revoke(conn, id_or_name, ctx.clock.today())?;
        if revoked == 0 {
            return Err(TokenError::NoSuchToken(id_or_name.to_string()));
        }
        audit::record_in(conn, &ctx.clock, actor, "token.revoke", id_or_name)?;
        Ok(revoked)
    })
}

/// The caller a presented token speaks for, if it is a live token.
pub fn verify(ctx: &AppContext, presented: &str) -> Result<Option<Principal>, DbError> {
    if !presented.starts_with(PREFIX) {
        return Ok(None);
    }
    let row = tokens::find_active(&mut *ctx.db.reader()?, &hash(presented))?;
    Ok(row.and_then(|row| {
        let access: Access = Role::from_parts(row.role, row.department)?.access()?;
        Some(Principal {
            access,
            actor: format!("token:{}", row.name),
        })
    }))
}
