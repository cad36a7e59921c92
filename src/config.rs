//! Settings from environment variables and flags, with defaults that work on
//! a bare machine: SQLite under ./data, definitions from ./survey-definitions.

use std::path::PathBuf;
use std::time::Duration;

use crate::stats::StatsConfig;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hailong.db";
pub const DEFAULT_DEFINITIONS: &str = "survey-definitions";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DB_WAIT_SECONDS: usize = 5;
pub const DEFAULT_BODY_TIMEOUT_SECONDS: usize = 10;
/// The WAL's bound ([`crate::db::WAL_RESTART_FRAMES`] pages of 4 KB).
pub const DEFAULT_WAL_RUNWAY_MB: usize = 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` for PostgreSQL, otherwise an SQLite file.
    pub database_url: String,
    pub definitions: PathBuf,
    pub bind: String,
    /// Suppression and reliability thresholds, default confidence level.
    pub stats: StatsConfig,
    /// Staff sessions: key, idle timeout, Secure cookies.
    pub sessions: SessionConfig,
    /// How long a request waits for a database connection before it is
    /// answered 503 (`HAILONG_DB_WAIT_SECONDS`, default 5).
    pub pool_timeout: Duration,
    /// How long a request body may take to arrive before 408
    /// (`HAILONG_BODY_TIMEOUT_SECONDS`, default 10).
    pub body_timeout: Duration,
    /// Serve `/metrics` beyond this machine (`HAILONG_METRICS_FROM_ANYWHERE=1`).
    pub metrics_from_anywhere: bool,
    /// Megabytes of zeros `serve` lays at the end of SQLite's WAL at start
    /// ([`crate::db::Db::lay_wal_runway`]; `HAILONG_WAL_RUNWAY_MB`, default
    /// the WAL's bound, 1024; 0 for none).
    pub wal_runway_mb: usize,
}

#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// `HAILONG_SESSION_KEY`; when unset a key is generated once and kept
    /// in the data directory, so sessions survive restarts.
    pub key: Option<String>,
    /// A session unused for this long ends (`HAILONG_SESSION_IDLE_MINUTES`, default 30).
    pub idle: Duration,
    /// A session ends this long after signing in, used or not
    /// (`HAILONG_SESSION_MAX_HOURS`, default 12).
    pub lifetime: Duration,
    /// Mark cookies Secure (`HAILONG_COOKIE_SECURE=1`); set it when the
    /// service is reached over HTTPS, directly or through a proxy.
    pub secure: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            key: None,
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
            secure: false,
        }
    }
}

impl Config {
    /// `DATABASE_URL`, `HAILONG_DEFINITIONS`, `HAILONG_BIND`,
    /// `HAILONG_MIN_CELL`, `HAILONG_MIN_RELIABLE` and `HAILONG_LEVEL`, each
    /// with its default when unset or empty. A value that does not parse is
    /// an error naming the variable, never a silent default.
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let text = |name: &str, default: &str| var(name).unwrap_or_else(|| default.to_string());
        let defaults = StatsConfig::default();
        let count = |name: &str, default: usize| match var(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("{name} must be a whole number, got \"{v}\"")),
        };
        let level = match var("HAILONG_LEVEL") {
            None => defaults.level,
            Some(v) => parse_level(&v).map_err(|e| format!("HAILONG_LEVEL {e}"))?,
        };
        let switch = |name: &str| match var(name).as_deref().map(str::trim) {
            None | Some("0") | Some("false") => Ok(false),
            Some("1") | Some("true") => Ok(true),
            Some(other) => Err(format!("{name} must be 1 or 0, got \"{other}\"")),
        };
        let secure = switch("HAILONG_COOKIE_SECURE")?;
        let metrics_from_anywhere = switch("HAILONG_METRICS_FROM_ANYWHERE")?;
        let idle_minutes = count("HAILONG_SESSION_IDLE_MINUTES", 30)?;
        let max_hours = count("HAILONG_SESSION_MAX_HOURS", 12)?;
        if max_hours == 0 {
            return Err("HAILONG_SESSION_MAX_HOURS must be at least 1".into());
        }
        let db_wait = count("HAILONG_DB_WAIT_SECONDS", DEFAULT_DB_WAIT_SECONDS)?;
        if db_wait == 0 {
            return Err("HAILONG_DB_WAIT_SECONDS must be at least 1".into());
        }
        let body_wait = count("HAILONG_BODY_TIMEOUT_SECONDS", DEFAULT_BODY_TIMEOUT_SECONDS)?;
        if body_wait == 0 {
            return Err("HAILONG_BODY_TIMEOUT_SECONDS must be at least 1".into());
        }
        if idle_minutes == 0 {
            return Err("HAILONG_SESSION_IDLE_MINUTES must be at least 1".into());
        }
        if let Some(key) = var("HAILONG_SESSION_KEY") {
            if key.len() < 32 {
                return Err("HAILONG_SESSION_KEY must be at least 32 characters".into());
            }
        }
        Ok(Config {
            sessions: SessionConfig {
                key: var("HAILONG_SESSION_KEY"),
                idle: Duration::from_secs(idle_minutes as u64 * 60),
                lifetime: Duration::from_secs(max_hours as u64 * 3600),
                secure,
            },
            pool_timeout: Duration::from_secs(db_wait as u64),
            body_timeout: Duration::from_secs(body_wait as u64),
            metrics_from_anywhere,
            wal_runway_mb: count("HAILONG_WAL_RUNWAY_MB", DEFAULT_WAL_RUNWAY_MB)?,
            database_url: text("DATABASE_URL", DEFAULT_DATABASE_URL),
            definitions: PathBuf::from(text("HAILONG_DEFINITIONS", DEFAULT_DEFINITIONS)),
            bind: text("HAILONG_BIND", DEFAULT_BIND),
            stats: StatsConfig {
                level,
                min_cell: count("HAILONG_MIN_CELL", defaults.min_cell)?,
                min_reliable: count("HAILONG_MIN_RELIABLE", defaults.min_reliable)?,
            },
        })
    }

    /// Where the service keeps its own files: beside the SQLite database,
    /// or `./data` with PostgreSQL.
    pub fn data_dir(&self) -> PathBuf {
        match crate::db::Backend::from_url(&self.database_url) {
            crate::db::Backend::Sqlite(path) => match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            },
            crate::db::Backend::Postgres(_) => PathBuf::from("data"),
        }
    }

    /// The URL with any password replaced, safe to print.
    pub fn database_url_for_display(&self) -> String {
        redact_password(&self.database_url)
    }
}

/// A confidence level between 0.5 and 0.999, e.g. `0.95`.
pub fn parse_level(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(level) if (0.5..=0.999).contains(&level) => Ok(level),
        _ => Err(format!(
            "must be a number from 0.5 to 0.999, such as 0.95; got \"{text}\""
        )),
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_display_form() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/hailong"),
            "postgres://app:***@db:5432/hailong"
        );
        assert_eq!(
            redact_password("postgres://db/hailong"),
            "postgres://db/hailong"
        );
        assert_eq!(
            redact_password("sqlite://data/hailong.db"),
            "sqlite://data/hailong.db"
        );
    }
}
