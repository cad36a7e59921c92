//! API tokens for machines: created and revoked on the command line, carried
//! as `Authorization: Bearer <token>`. Only a SHA-256 of a token is stored.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::collect::Services;
use crate::db::tokens::{self, TokenRow};
use crate::db::DbError;
use crate::domain::today_in_vietnam;

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Reads every department.
    HomeAffairs,
    /// Reads only its own department.
    Department(String),
}

impl Access {
    pub fn may_read(&self, department: &str) -> bool {
        match self {
            Access::HomeAffairs => true,
            Access::Department(own) => own == department,
        }
    }
}

const PREFIX: &str = "hl_";

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("--role must be home-affairs or department")]
    UnknownRole,
    #[error("a department token needs --department CODE")]
    MissingDepartment,
    #[error("a home-affairs token reads every department; leave out --department")]
    UnexpectedDepartment,
    #[error("unknown department \"{0}\"")]
    UnknownDepartment(String),
    #[error("--name must not be empty")]
    EmptyName,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A new token: its row (stored) and its secret (shown once).
pub struct NewToken {
    pub row: TokenRow,
    pub secret: String,
}

pub fn create(
    services: &Services,
    role: &str,
    department: Option<&str>,
    name: &str,
) -> Result<NewToken, TokenError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(TokenError::EmptyName);
    }
    let department = match (role, department) {
        ("home-affairs", None) => None,
        ("home-affairs", Some(_)) => return Err(TokenError::UnexpectedDepartment),
        ("department", None) => return Err(TokenError::MissingDepartment),
        ("department", Some(code)) => match services.catalog.department(code) {
            Some(d) if d.surveyed => Some(code.to_string()),
            _ => return Err(TokenError::UnknownDepartment(code.to_string())),
        },
        _ => return Err(TokenError::UnknownRole),
    };
    // Two random UUIDs: 244 bits from the operating system's generator.
    let secret = format!(
        "{PREFIX}{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    );
    let row = TokenRow {
        id: Uuid::new_v4().to_string(),
        name: name.to_string(),
        role: role.to_string(),
        department,
        token_hash: hash(&secret),
        created_on: today_in_vietnam(),
        revoked_on: None,
    };
    tokens::insert(&mut services.db.writer()?, &row)?;
    Ok(NewToken { row, secret })
}

/// The access a presented token grants and the token's name, if it is a
/// live token.
pub fn verify(services: &Services, presented: &str) -> Result<Option<(Access, String)>, DbError> {
    if !presented.starts_with(PREFIX) {
        return Ok(None);
    }
    let row = tokens::find_active(&mut services.db.reader()?, &hash(presented))?;
    Ok(row.and_then(|row| {
        let access = match (row.role.as_str(), row.department) {
            ("home-affairs", _) => Access::HomeAffairs,
            ("department", Some(code)) => Access::Department(code),
            _ => return None,
        };
        Some((access, row.name))
    }))
}
