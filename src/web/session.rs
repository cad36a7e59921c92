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
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after signing in, however much it is used.
    pub session_lifetime: Duration,
    pub cookie_secure: bool,
    /// A request body must arrive whole within this time.
    pub body_timeout: Duration,
    /// Serve `/metrics` to any address, not only this machine.
    pub metrics_from_anywhere: bool,
}

/// How long a request body may take when nothing else is configured.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

impl WebSettings {
    /// From configuration; the key comes from `HAILONG_SESSION_KEY` or from
    /// `session.key` in the data directory, created on first use.
    pub fn load(
        config: &SessionConfig,
        body_timeout: Duration,
        metrics_from_anywhere: bool,
        data_dir: &Path,
    ) -> io::Result<WebSettings> {
        let session_key = match &config.key {
            Some(secret) => Key::derive_from(secret.as_bytes()),
            None => stored_key(data_dir)?,
        };
        Ok(WebSettings {
            session_key,
            session_idle: config.idle,
            session_lifetime: config.lifetime,
            cookie_secure: config.secure,
            body_timeout,
            metrics_from_anywhere,
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
const GENERATION: &str = "generation";
const CSRF: &str = "csrf";
const SIGNED_IN: &str = "signed_in";
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

/// Starts a signed-in session: a new session id (no fixation), a new CSRF
/// token, the account's session generation and the time of signing in.
pub fn sign_in(session: &Session, user_id: &str, generation: i64, clock: &Clock) {
    let now = clock.now().timestamp();
    session.clear();
    session.renew();
    let _ = session.insert(USER_ID, user_id);
    let _ = session.insert(GENERATION, generation);
    let _ = session.insert(CSRF, Uuid::new_v4().simple().to_string());
    let _ = session.insert(SIGNED_IN, now);
    let _ = session.insert(LAST_SEEN, now);
}

pub enum SessionState {
    Anonymous,
    Expired,
    /// A user id and the account generation the session began under; the
    /// caller compares it with the account's current one.
    Active {
        user_id: String,
        generation: i64,
    },
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// The signed-in user, ending sessions idle for longer than
/// `settings.session_idle` or older than `settings.session_lifetime`.
pub fn current(session: &Session, settings: &WebSettings, clock: &Clock) -> SessionState {
    let Ok(Some(user_id)) = session.get::<String>(USER_ID) else {
        return SessionState::Anonymous;
    };
    let read = |key: &str| session.get::<i64>(key).ok().flatten();
    let (Some(generation), Some(signed_in), Some(last_seen)) =
        (read(GENERATION), read(SIGNED_IN), read(LAST_SEEN))
    else {
        // A cookie from before sessions had generations.
        session.purge();
        return SessionState::Expired;
    };
    let now = clock.now().timestamp();
    if now.saturating_sub(last_seen) > seconds(settings.session_idle)
        || now.saturating_sub(signed_in) > seconds(settings.session_lifetime)
    {
        session.purge();
        return SessionState::Expired;
    }
    let _ = session.insert(LAST_SEEN, now);
    SessionState::Active {
        user_id,
        generation,
    }
}

/// The user id stored in the session, whatever its age.
pub fn user_id(session: &Session) -> Option<String> {
    session.get::<String>(USER_ID).ok().flatten()
}

pub fn sign_out(session: &Session) {
    session.purge();
}
