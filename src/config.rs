//! Settings from environment variables and flags, with defaults that work on
//! a bare machine: SQLite under ./data, definitions from ./survey-definitions.

use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hailong.db";
pub const DEFAULT_DEFINITIONS: &str = "survey-definitions";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` for PostgreSQL, otherwise an SQLite file.
    pub database_url: String,
    pub definitions: PathBuf,
    pub bind: String,
}

impl Config {
    /// `DATABASE_URL`, `HAILONG_DEFINITIONS` and `HAILONG_BIND`, each with its
    /// default when unset or empty.
    pub fn from_env() -> Config {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Config {
            database_url: var("DATABASE_URL", DEFAULT_DATABASE_URL),
            definitions: PathBuf::from(var("HAILONG_DEFINITIONS", DEFAULT_DEFINITIONS)),
            bind: var("HAILONG_BIND", DEFAULT_BIND),
        }
    }

    /// The URL with any password replaced, safe to print.
    pub fn database_url_for_display(&self) -> String {
        redact_password(&self.database_url)
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
