//! Spawning the application for black-box tests, on either backend.

use std::path::PathBuf;

use diesel::prelude::*;
use diesel::sql_types::Text;
use hailong::app::{AppContext, Clock};
use hailong::config::Config;
use hailong::db::Db;
use hailong::startup::Application;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per available backend.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::postgres::cluster().is_some() {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            }
        )+
    };
}

pub fn repo_definitions() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("survey-definitions")
}

/// A database of the given backend, empty, with what is needed to reach it.
pub struct TestDatabase {
    pub url: String,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub fn new(backend: Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("test.db").display()),
            Backend::Postgres => crate::postgres::cluster()
                .expect("PostgreSQL cluster")
                .fresh_database(),
        };
        TestDatabase { url, _dir: dir }
    }

    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub ctx: AppContext,
    // Kept alive: dropping it removes the SQLite file.
    _database: TestDatabase,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the workers so their connections are released.
        let handle = self.handle.clone();
        std::mem::drop(handle.stop(false));
    }
}

/// What a test may change about the application it spawns.
pub struct AppOptions {
    pub session_idle: std::time::Duration,
    pub session_lifetime: std::time::Duration,
    /// The session key; a fresh one when not given. Instances that share
    /// a key accept each other's cookies.
    pub session_key: Option<actix_web::cookie::Key>,
    pub definitions: PathBuf,
    /// Another app's database URL, to run a second instance on the same data.
    pub database_url: Option<String>,
    /// What the application takes for "now".
    pub clock: Clock,
    /// How long a request waits for a database connection.
    pub pool_timeout: std::time::Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Suppression and reliability thresholds, confidence level.
    pub stats: hailong::stats::StatsConfig,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            session_idle: std::time::Duration::from_secs(30 * 60),
            session_lifetime: std::time::Duration::from_secs(12 * 3600),
            session_key: None,
            definitions: repo_definitions(),
            database_url: None,
            clock: Clock::System,
            pool_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(10),
            stats: hailong::stats::StatsConfig::default(),
        }
    }
}

/// Worker threads per test application: tests run in parallel on a small
/// machine, and one test needs no more than two.
const TEST_WORKERS: usize = 2;

/// An app whose suppression threshold is `min_cell`. The known fixture of
/// the index tests nests groups of 3 and 4 respondents, which the default
/// threshold of 5 withholds against differencing; estimator checks on it
/// run at 3, where every difference in it is large enough.
pub async fn spawn_app_with_min_cell(backend: Backend, min_cell: usize) -> TestApp {
    spawn_app_with(
        backend,
        AppOptions {
            stats: hailong::stats::StatsConfig {
                min_cell,
                ..hailong::stats::StatsConfig::default()
            },
            ..AppOptions::default()
        },
    )
    .await
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, AppOptions::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: AppOptions) -> TestApp {
    let database = match &options.database_url {
        None => TestDatabase::new(backend),
        Some(url) => TestDatabase {
            url: url.clone(),
            _dir: tempfile::tempdir().expect("temp dir"),
        },
    };
    let config = Config {
        database_url: database.url.clone(),
        definitions: options.definitions.clone(),
        bind: "127.0.0.1:0".into(),
        stats: options.stats,
        sessions: hailong::config::SessionConfig::default(),
        pool_timeout: options.pool_timeout,
        body_timeout: options.body_timeout,
        metrics_from_anywhere: false,
        wal_runway_mb: 0,
    };
    let clock = options.clock;
    let ctx = tokio::task::spawn_blocking(move || {
        AppContext::open_with_clock(&config, clock).expect("the application context opens")
    })
    .await
    .unwrap();
    let settings = hailong::web::session::WebSettings {
        session_key: options
            .session_key
            .clone()
            .unwrap_or_else(actix_web::cookie::Key::generate),
        session_idle: options.session_idle,
        session_lifetime: options.session_lifetime,
        cookie_secure: false,
        body_timeout: options.body_timeout,
        metrics_from_anywhere: false,
    };
    let app = Application::build(ctx.clone(), "127.0.0.1:0", settings, Some(TEST_WORKERS))
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address,
        client,
        ctx,
        _database: database,
        handle,
    }
}

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub survey_version: String,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = Text)]
    pub submitted_on: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub answers: String,
    #[diesel(sql_type = Text)]
    pub likert: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub comment: Option<String>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.client
            .post(self.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    /// The hailong binary against this app's database and definitions.
    /// The thresholds are the app's, so the CLI computes what the app serves.
    pub fn command(&self) -> std::process::Command {
        let mut command = hailong_command(self.database_url(), &repo_definitions());
        command
            .env("HAILONG_MIN_CELL", self.ctx.stats.min_cell.to_string())
            .env(
                "HAILONG_MIN_RELIABLE",
                self.ctx.stats.min_reliable.to_string(),
            );
        command
    }

    pub fn db(&self) -> &Db {
        &self.ctx.db
    }

    /// Every stored response, read with plain SQL (dates as text).
    pub fn stored_rows(&self) -> Vec<StoredRow> {
        stored_rows(self.db())
    }

    /// Column names of the responses table, as the database reports them.
    pub fn response_columns(&self) -> Vec<String> {
        let mut conn = self.db().reader().unwrap();
        let query = match self.db().backend() {
            hailong::db::Backend::Sqlite(_) => "SELECT name FROM pragma_table_info('responses') ORDER BY cid",
            hailong::db::Backend::Postgres(_) => {
                "SELECT column_name::text AS name FROM information_schema.columns WHERE table_name = 'responses' ORDER BY ordinal_position"
            }
        };
        diesel::sql_query(query)
            .load::<Name>(&mut *conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    }

    /// Runs the hailong binary on this app's database with `args` (a path
    /// argument as text); fails the test with its stderr unless it
    /// succeeds. Returns standard output.
    pub fn cli_ok<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> String {
        let out = self.command().args(args).output().expect("hailong runs");
        assert!(
            out.status.success(),
            "hailong {:?} failed: {}",
            args.iter()
                .map(|a| a.as_ref().to_owned())
                .collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Imports `csv` (header included) as paper responses to `slug` through
    /// the CLI; returns its report line.
    pub fn import_csv(&self, slug: &str, csv: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("import.csv");
        std::fs::write(&file, csv).unwrap();
        let file = file.to_str().unwrap();
        self.cli_ok(&["import", "--survey", slug, file])
            .trim()
            .to_string()
    }

    /// Creates an API token through the CLI with `args` (role, department,
    /// name); returns its secret, printed alone on the last line.
    pub fn create_token(&self, args: &[&str]) -> String {
        let stdout = self.cli_ok(&[&["token", "create"], args].concat());
        let token = stdout.lines().last().unwrap().trim().to_string();
        assert!(token.starts_with("hl_") && token.len() > 60, "{stdout}");
        token
    }

    /// GET with a bearer token when one is given.
    pub async fn get_as(&self, token: Option<&str>, path: &str) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    pub fn current_version(&self, slug: &str) -> String {
        self.ctx.catalog.survey(slug).unwrap().hash.clone()
    }
}

pub fn stored_rows(db: &Db) -> Vec<StoredRow> {
    let mut conn = db.reader().unwrap();
    diesel::sql_query(
        "SELECT id, survey_version, unit, CAST(submitted_on AS TEXT) AS submitted_on, channel, answers, likert, comment FROM responses ORDER BY id",
    )
    .load::<StoredRow>(&mut *conn)
    .unwrap()
}

/// The fields of a valid JSON submission to the health survey.
pub fn valid_health_submission(id: &str) -> Value {
    serde_json::json!({
        "id": id,
        "unit": "bv-dk-kien-giang",
        "answers": {
            "A1": 4, "A2": 5, "B6": 2, "C6": "na", "D1": 5,
            "G1": 80, "G2": "certainly", "INSURED": true, "GENDER": "female"
        },
        "comment": "Phòng chờ đông, nhân viên nhiệt tình."
    })
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Runs the hailong binary with a database and definitions directory.
pub fn hailong_command(database_url: &str, definitions: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"));
    command
        .env("DATABASE_URL", database_url)
        .env("HAILONG_DEFINITIONS", definitions)
        // A runway of its own size would write a gigabyte per test.
        .env("HAILONG_WAL_RUNWAY_MB", "4")
        .env("RUST_LOG", "warn");
    command
}

/// Asserts that `actual` is within `tolerance` of the number `expected`.
pub fn assert_close(actual: f64, expected: &Value, tolerance: f64, what: &str) {
    let expected = expected
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {expected}"));
    assert!(
        (actual - expected).abs() < tolerance,
        "{what}: {actual} vs {expected}"
    );
}

/// Starts `command` (the hailong binary, with its database and settings)
/// as `serve` on a free port, its log to `log`; returns the child and the
/// address it printed.
pub fn serve_binary(
    mut command: std::process::Command,
    extra_args: &[&str],
    log: std::process::Stdio,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = command
        .arg("serve")
        .args(extra_args)
        .args(["--bind", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("hailong serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("hailong listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    (child, address)
}

/// Screen `page` of a fresh questionnaire, reached the way a citizen does:
/// the first screen sent with the service point chosen, then the address
/// that resumes the draft at `page`.
pub async fn screen(app: &TestApp, slug: &str, unit: &str, page: usize) -> String {
    let first = app.get(&format!("/s/{slug}")).await.text().await.unwrap();
    let value = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = first.find(&marker).expect("a hidden field") + marker.len();
        first[start..start + first[start..].find('"').unwrap()].to_string()
    };
    let (id, version) = (value("id"), value("version"));
    let response = app
        .post_form(
            &format!("/s/{slug}"),
            &[
                ("id", id.as_str()),
                ("version", version.as_str()),
                ("lang", "vi"),
                ("page", "0"),
                ("go", "next"),
                ("unit", unit),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "the first screen is accepted");
    app.get(&format!("/s/{slug}/r/{id}?page={page}"))
        .await
        .text()
        .await
        .unwrap()
}
