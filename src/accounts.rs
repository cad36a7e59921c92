//! Staff accounts: roles, Argon2id passwords, login throttling, audit log.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::Utc;
use uuid::Uuid;

use crate::collect::Services;
use crate::db::audit::{self, AuditRow};
use crate::db::users::{self, UserRow};
use crate::db::DbError;

/// What a staff account may do. Checked on the server for every route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Manages accounts; reads no survey data.
    Admin,
    /// Reads every department.
    HomeAffairs,
    /// Reads only its own department.
    Department(String),
}

impl Role {
    pub fn name(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HomeAffairs => "home-affairs",
            Role::Department(_) => "department",
        }
    }

    pub fn department(&self) -> Option<&str> {
        match self {
            Role::Department(code) => Some(code),
            _ => None,
        }
    }

    /// Whether this role may read the scores of `department`.
    pub fn may_read(&self, department: &str) -> bool {
        match self {
            Role::Admin => false,
            Role::HomeAffairs => true,
            Role::Department(own) => own == department,
        }
    }

    fn from_row(row: &UserRow) -> Option<Role> {
        match (row.role.as_str(), &row.department) {
            ("admin", None) => Some(Role::Admin),
            ("home-affairs", None) => Some(Role::HomeAffairs),
            ("department", Some(code)) => Some(Role::Department(code.clone())),
            _ => None,
        }
    }
}

/// A signed-in (or signing-in) staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: String,
    pub username: String,
    pub role: Role,
}

impl StaffUser {
    fn from_row(row: &UserRow) -> Option<StaffUser> {
        Some(StaffUser {
            id: row.id.clone(),
            username: row.username.clone(),
            role: Role::from_row(row)?,
        })
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("--role must be admin, home-affairs or department")]
    UnknownRole,
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

pub fn create_user(
    services: &Services,
    username: &str,
    role: &str,
    department: Option<&str>,
    password: &str,
) -> Result<StaffUser, AccountError> {
    let valid_name = (3..=32).contains(&username.len())
        && username.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if !valid_name {
        return Err(AccountError::BadUsername);
    }
    let department = match (role, department) {
        ("admin" | "home-affairs", None) => None,
        ("admin" | "home-affairs", Some(_)) => return Err(AccountError::UnexpectedDepartment),
        ("department", None) => return Err(AccountError::MissingDepartment),
        ("department", Some(code)) => match services.catalog.department(code) {
            Some(d) if d.surveyed => Some(code.to_string()),
            _ => return Err(AccountError::UnknownDepartment(code.to_string())),
        },
        _ => return Err(AccountError::UnknownRole),
    };
    check_password_rules(password)?;
    let mut conn = services.db.writer()?;
    if users::find_by_username(&mut conn, username)?.is_some() {
        return Err(AccountError::UsernameTaken(username.to_string()));
    }
    let row = UserRow {
        id: Uuid::new_v4().to_string(),
        username: username.to_string(),
        role: role.to_string(),
        department,
        password_hash: hash_password(password)?,
        disabled: false,
        created_at: Utc::now().naive_utc(),
    };
    users::insert(&mut conn, &row)?;
    drop(conn);
    record(
        services,
        "cli",
        "account.create",
        &format!("{username} ({role})"),
    )?;
    Ok(StaffUser::from_row(&row).expect("a valid role was just stored"))
}

pub fn set_password(
    services: &Services,
    username: &str,
    password: &str,
    actor: &str,
) -> Result<(), AccountError> {
    check_password_rules(password)?;
    let hash = hash_password(password)?;
    if !users::set_password_hash(&mut services.db.writer()?, username, &hash)? {
        return Err(AccountError::NoSuchUser(username.to_string()));
    }
    record(services, actor, "account.password", username)?;
    Ok(())
}

pub fn set_disabled(
    services: &Services,
    username: &str,
    disabled: bool,
    actor: &str,
) -> Result<(), AccountError> {
    if !users::set_disabled(&mut services.db.writer()?, username, disabled)? {
        return Err(AccountError::NoSuchUser(username.to_string()));
    }
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    record(services, actor, action, username)?;
    Ok(())
}

/// The active account with this id, if it still exists and is enabled.
pub fn active_user(services: &Services, id: &str) -> Result<Option<StaffUser>, DbError> {
    let row = users::find(&mut services.db.reader()?, id)?;
    Ok(row
        .filter(|r| !r.disabled)
        .and_then(|r| StaffUser::from_row(&r)))
}

/// A hash of a password nobody has, verified when the username is unknown
/// so that a wrong username takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$X6sEFaKSG3qY1J2V1Yk3O2C2pVdkpwKkGMhxwbh2SLc";

/// Checks a login. Every outcome is written to the audit log.
pub fn authenticate(
    services: &Services,
    username: &str,
    password: &str,
) -> Result<Option<StaffUser>, DbError> {
    let row = users::find_by_username(&mut services.db.reader()?, username)?;
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
        Some(user) => record(services, &user.username, "login", "")?,
        None => record(services, username, "login.failed", "")?,
    }
    Ok(user)
}

/// Appends to the audit log.
pub fn record(services: &Services, actor: &str, action: &str, detail: &str) -> Result<(), DbError> {
    audit::insert(
        &mut services.db.writer()?,
        &AuditRow {
            id: Uuid::new_v4().to_string(),
            at: Utc::now().naive_utc(),
            actor: actor.to_string(),
            action: action.to_string(),
            detail: detail.to_string(),
        },
    )
}

/// Slows down repeated failed logins, per account and per client. Kept in
/// memory only: nothing about who tried is stored.
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// How many failures pass before waiting is required.
const FREE_FAILURES: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            failures: Mutex::new(HashMap::new()),
        }
    }
}

/// How long a client must wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs().max(1))
    }
}

impl LoginThrottle {
    /// The wait after `failures` failures: none for the first five, then
    /// 1 s, 2 s, 4 s… up to 15 minutes.
    fn wait_after(failures: u32) -> Duration {
        if failures < FREE_FAILURES {
            return Duration::ZERO;
        }
        let exponent = (failures - FREE_FAILURES).min(20);
        Duration::from_secs(1u64 << exponent).min(MAX_WAIT)
    }

    /// Whether every key may try now.
    pub fn check(&self, keys: &[String]) -> Result<(), RetryAfter> {
        let failures = self.failures.lock().expect("throttle lock");
        let now = Instant::now();
        let longest = keys
            .iter()
            .filter_map(|k| failures.get(k))
            .map(|(count, last)| Self::wait_after(*count).saturating_sub(now - *last))
            .max()
            .unwrap_or(Duration::ZERO);
        if longest.is_zero() {
            Ok(())
        } else {
            Err(RetryAfter(longest))
        }
    }

    pub fn failed(&self, keys: &[String]) {
        let mut failures = self.failures.lock().expect("throttle lock");
        let now = Instant::now();
        // Forget entries idle for longer than the longest wait.
        failures.retain(|_, (_, last)| now - *last < MAX_WAIT * 2);
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in keys {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttle_waits_longer_after_each_failure_beyond_five() {
        assert_eq!(LoginThrottle::wait_after(4), Duration::ZERO);
        assert_eq!(LoginThrottle::wait_after(5), Duration::from_secs(1));
        assert_eq!(LoginThrottle::wait_after(7), Duration::from_secs(4));
        assert_eq!(LoginThrottle::wait_after(40), MAX_WAIT);
        let throttle = LoginThrottle::default();
        let keys = vec!["user:a".to_string(), "client:1".to_string()];
        for _ in 0..5 {
            assert!(throttle.check(&keys).is_ok());
            throttle.failed(&keys);
        }
        assert!(throttle.check(&keys).is_err());
        assert!(
            throttle.check(&["user:b".to_string()]).is_ok(),
            "other accounts are not slowed"
        );
        throttle.succeeded(&keys);
        assert!(throttle.check(&keys).is_ok());
    }

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
