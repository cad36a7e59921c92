//! Staff accounts: roles, Argon2id passwords. Every change is written to
//! the audit log in the transaction that makes it.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use uuid::Uuid;

use super::audit;
use crate::app::AppContext;
use crate::db::users::{self, UserRow};
use crate::db::DbError;
use crate::domain::{Role, RoleKind};

/// A signed-in (or signing-in) staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    /// A session is valid only while it carries this generation.
    pub session_generation: i64,
}

impl StaffUser {
    fn from_row(row: &UserRow) -> Option<StaffUser> {
        Some(StaffUser {
            id: row.id.clone(),
            username: row.username.clone(),
            role: Role::from_parts(row.role, row.department.clone())?,
            session_generation: row.session_generation,
        })
    }
}

/// An account as the administration page lists it: never its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub username: String,
    pub role: RoleKind,
    pub department: Option<String>,
    pub disabled: bool,
}

/// Every account, by username.
pub fn list(ctx: &AppContext) -> Result<Vec<AccountSummary>, DbError> {
    Ok(users::list(&mut *ctx.db.reader()?)?
        .into_iter()
        .map(|row| AccountSummary {
            username: row.username,
            role: row.role,
            department: row.department,
            disabled: row.disabled,
        })
        .collect())
}

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Usernames are 3 to 32 characters.
pub const MAX_USERNAME_CHARS: usize = 32;
const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a department account needs --department CODE")]
    MissingDepartment,
    #[error("only department accounts have a department")]
    UnexpectedDepartment,
    #[error("unknown or unsurveyed department \"{0}\"")]
    UnknownDepartment(String),
    #[error("a username is 3–32 characters: lowercase letters, digits, '.', '_', '-'")]
    BadUsername,
    #[error("the username \"{0}\" is taken")]
    UsernameTaken(String),
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters (and at most {MAX_PASSWORD_CHARS})")]
    WeakPassword,
    #[error("no account \"{0}\"")]
    NoSuchUser(String),
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub fn check_password_rules(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(AccountError::WeakPassword)
    }
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The role `kind` with `department`, checked against the catalog: what
/// accounts and tokens are created with.
pub fn role_of(
    ctx: &AppContext,
    kind: RoleKind,
    department: Option<&str>,
) -> Result<Role, AccountError> {
    match (kind, department) {
        (RoleKind::Admin, None) => Ok(Role::Admin),
        (RoleKind::HomeAffairs, None) => Ok(Role::HomeAffairs),
        (RoleKind::Admin | RoleKind::HomeAffairs, Some(_)) => {
            Err(AccountError::UnexpectedDepartment)
        }
        (RoleKind::Department, None) => Err(AccountError::MissingDepartment),
        (RoleKind::Department, Some(code)) => match ctx.catalog.department(code) {
            Some(d) if d.surveyed => Ok(Role::Department(code.to_string())),
            _ => Err(AccountError::UnknownDepartment(code.to_string())),
        },
    }
}

pub fn create_user(
    ctx: &AppContext,
    username: &str,
    role: RoleKind,
    department: Option<&str>,
    password: &str,
    actor: &str,
) -> Result<StaffUser, AccountError> {
    let valid_name = (3..=MAX_USERNAME_CHARS).contains(&username.len())
        && username.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if !valid_name {
        return Err(AccountError::BadUsername);
    }
    let role = role_of(ctx, role, department)?;
    check_password_rules(password)?;
    let row = UserRow {
        id: Uuid::new_v4().to_string(),
        username: username.to_string(),
        role: role.kind(),
        department: role.department().map(str::to_string),
        password_hash: hash_password(password)?,
        disabled: false,
        created_at: ctx.clock.now_utc_naive(),
        session_generation: 0,
    };
    ctx.db.write_tx(|conn| {
        if users::find_by_username(conn, username)?.is_some() {
            return Err(AccountError::UsernameTaken(username.to_string()));
        }
        users::insert(conn, &row)?;
        audit::record_in(
            conn,
            &ctx.clock,
            actor,
            "account.create",
            &format!("{username} ({role})"),
        )?;
        Ok(())
    })?;
    Ok(StaffUser {
        id: row.id,
        username: row.username,
        role,
        session_generation: row.session_generation,
    })
}

pub fn set_password(
    ctx: &AppContext,
    username: &str,
    password: &str,
    actor: &str,
) -> Result<(), AccountError> {
    check_password_rules(password)?;
    let hash = hash_password(password)?;
    ctx.db.write_tx(|conn| {
        if !users::set_password_hash(conn, username, &hash)? {
            return Err(AccountError::NoSuchUser(username.to_string()));
        }
        audit::record_in(conn, &ctx.clock, actor, "account.password", username)?;
        Ok(())
    })
}

pub fn set_disabled(
    ctx: &AppContext,
    username: &str,
    disabled: bool,
    actor: &str,
) -> Result<(), AccountError> {
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    ctx.db.write_tx(|conn| {
        if !users::set_disabled(conn, username, disabled)? {
            return Err(AccountError::NoSuchUser(username.to_string()));
        }
        audit::record_in(conn, &ctx.clock, actor, action, username)?;
        Ok(())
    })
}

/// Signs `user` out everywhere: every copy of every session cookie of the
/// account stops working, on every instance.
pub fn sign_out_everywhere(ctx: &AppContext, user: &StaffUser) -> Result<(), DbError> {
    ctx.db.write_tx(|conn| {
        users::end_sessions(conn, &user.id)?;
        audit::record_in(conn, &ctx.clock, &user.username, "logout", "")
    })
}

/// Whether an account with this username exists, enabled or not.
pub fn exists(ctx: &AppContext, username: &str) -> Result<bool, DbError> {
    Ok(users::find_by_username(&mut *ctx.db.reader()?, username)?.is_some())
}

/// The active account with this id, if it still exists and is enabled.
pub fn active_user(ctx: &AppContext, id: &str) -> Result<Option<StaffUser>, DbError> {
    let row = users::find(&mut *ctx.db.reader()?, id)?;
    Ok(row
        .filter(|r| !r.disabled)
        .and_then(|r| StaffUser::from_row(&r)))
}

/// A hash of a password nobody has, verified when the username is unknown
/// so that a wrong username takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$X6sEFaKSG3qY1J2V1Yk3O2C2pVdkpwKkGMhxwbh2SLc";

/// Checks a login. Every outcome is written to the audit log.
pub fn authenticate(
    ctx: &AppContext,
    username: &str,
    password: &str,
) -> Result<Option<StaffUser>, DbError> {
    let row = users::find_by_username(&mut *ctx.db.reader()?, username)?;
    let user = match row {
        Some(row) if password_matches(password, &row.password_hash) && !row.disabled => {
            StaffUser::from_row(&row)
        }
        Some(_) => None,
        None => {
            let _ = password_matches(password, DUMMY_HASH);
            None
        }
    };
    match &user {
        Some(user) => audit::record(ctx, &user.username, "login", "")?,
        None => audit::record(ctx, username, "login.failed", "")?,
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_need_twelve_characters() {
        assert!(check_password_rules("short-pass1").is_err());
        assert!(check_password_rules("twelve-chars").is_ok());
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse battery!", &hash));
        assert!(!password_matches("anything", "not a hash"));
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy hash parses, so unknown users cost a verification"
        );
    }
}
