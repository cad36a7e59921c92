//! Staff sessions: an encrypted, signed cookie (so any app instance can serve
//! any user), a CSRF token per session, and an inactivity timeout.

use std::io;
use std::path::Path;
use std::time::Duration;

use actix_session::Session;
use actix_web::cookie::Key;
use uuid::Uuid;

use crate::app::Clock;
use crate::config::SessionConfig;

/// Settings the web layer needs for sessions.
#[derive(Clone)]
pub struct WebSettings {
    pub session_key: Key,
    pub session_idle: Duration,
    pub cookie_secure: bool,
}

impl WebSettings {
    /// From configuration; the key comes from `HAILONG_SESSION_KEY` or from
    /// `session.key` in the data directory, created on first use.
    pub fn load(config: &SessionConfig, data_dir: &Path) -> io::Result<WebSettings> {
        let session_key = match &config.key {
            Some(secret) => Key::derive_from(secret.as_bytes()),
            None => stored_key(data_dir)?,
        };
        Ok(WebSettings {
            session_key,
            session_idle: config.idle,
            cookie_secure: config.secure,
        })
    }
}

fn stored_key(data_dir: &Path) -> io::Result<Key> {
    let path = data_dir.join("session.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(bytes) = hex::decode(text.trim()) {
            if let Ok(key) = Key::try_from(bytes.as_slice()) {
                return Ok(key);
            }
        }
        return Err(io::Error::other(format!(
            "{} is not a valid session key; remove it to generate a new one",
            path.display()
        )));
    }
    std::fs::create_dir_all(data_dir)?;
    let key = Key::generate();
    write_private(&path, &hex::encode(key.master()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    std::fs::write(path, text)
}

const USER_ID: &str = "user_id";
const CSRF: &str = "csrf";
const LAST_SEEN: &str = "last_seen";

/// The session's CSRF token, created when missing.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let token = Uuid::new_v4().simple().to_string();
    let _ = session.insert(CSRF, &token);
    token
}

/// Whether a submitted form carries this session's CSRF token.
pub fn csrf_matches(session: &Session, submitted: Option<&str>) -> bool {
    match (session.get::<String>(CSRF), submitted) {
        (Ok(Some(expected)), Some(given)) => {
            constant_time_eq(expected.as_bytes(), given.as_bytes())
        }
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Starts a signed-in session: a new session id (no fixation), a new CSRF token.
pub fn sign_in(session: &Session, user_id: &str, clock: &Clock) {
    session.clear();
    session.renew();
    let _ = session.insert(USER_ID, user_id);
    let _ = session.insert(CSRF, Uuid::new_v4().simple().to_string());
    let _ = session.insert(LAST_SEEN, clock.now().timestamp());
}

pub enum SessionState {
    Anonymous,
    Expired,
    Active(String),
}

/// The signed-in user id, ending sessions idle for longer than `idle`.
pub fn current(session: &Session, idle: Duration, clock: &Clock) -> SessionState {
    let Ok(Some(user_id)) = session.get::<String>(USER_ID) else {
        return SessionState::Anonymous;
    };
    let now = clock.now().timestamp();
    let last_seen = session.get::<i64>(LAST_SEEN).ok().flatten().unwrap_or(0);
    if now.saturating_sub(last_seen) > i64::try_from(idle.as_secs()).unwrap_or(i64::MAX) {
        session.purge();
        return SessionState::Expired;
    }
    let _ = session.insert(LAST_SEEN, now);
    SessionState::Active(user_id)
}

/// The user id stored in the session, whatever its age.
pub fn user_id(session: &Session) -> Option<String> {
    session.get::<String>(USER_ID).ok().flatten()
}

pub fn sign_out(session: &Session) {
    session.purge();
}
