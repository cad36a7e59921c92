//! The index API read back after a CLI import of known responses. Expected
//! values are derived by hand below (Wilson bounds from statsmodels).

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{
    assert_close, spawn_app, spawn_app_with, spawn_app_with_min_cell, AppOptions, Backend, TestApp,
};

both_backends!(
    indices_match_hand_derived_values,
    a_late_response_to_a_kept_half_month_counts_at_once,
    stored_sums_serve_a_restart_while_the_rows_add_up_to_them,
    index_api_access_and_parameters,
    volume_weighting_needs_volumes
);

pub const HEADER: &str = "unit,submitted_on,A1,P1";
/// Construction permits at one desk: 3 on 1 February, 4 on 14 March (the
/// last day of reporting Q1), 3 on 15 March (the first of reporting Q2).
pub const ROWS: &str = "hcc-long-xuyen-xd,2026-02-01,4,4
hcc-long-xuyen-xd,2026-02-01,4,4
hcc-long-xuyen-xd,2026-02-01,4,4
hcc-long-xuyen-xd,2026-03-14,5,4
hcc-long-xuyen-xd,2026-03-14,4,4
hcc-long-xuyen-xd,2026-03-14,2,4
hcc-long-xuyen-xd,2026-03-14,NA,1
hcc-long-xuyen-xd,2026-03-15,5,5
hcc-long-xuyen-xd,2026-03-15,5,2
hcc-long-xuyen-xd,2026-03-15,1,3
";

pub fn import_known(app: &TestApp) {
    assert_eq!(
        app.import_csv("construction-permit", &format!("{HEADER}\n{ROWS}")),
        "imported 10, replays 0"
    );
}

async fn get(app: &TestApp, token: Option<&str>, query: &str) -> (u16, Value) {
    let response = app.get_as(token, &format!("/api/v1/indices{query}")).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn close(value: &Value, expected: f64) {
    assert_close(expected, value, 1e-9, "estimate");
}

fn element<'a>(body: &'a Value, key: &str) -> &'a Value {
    body["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap()
}

fn item<'a>(body: &'a Value, element_key: &str, key: &str) -> &'a Value {
    element(body, element_key)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()
}

async fn indices_match_hand_derived_values(backend: Backend) {
    let app = spawn_app_with_min_cell(backend, 3).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "reports"]);

    // Reporting Q1 = 15 Dec 2025 – 14 Mar 2026: the 7 responses of 1 Feb and 14 Mar.
    let (status, body) = get(
        &app,
        Some(&token),
        "?survey=construction-permit&period=2026-Q1&mode=reporting",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["respondents"], 7);
    assert_eq!(body["period"]["from"], "2025-12-15");
    assert_eq!(body["period"]["to"], "2026-03-14");
    assert_eq!(body["period"]["mode"], "reporting");
    assert_eq!(body["versions"].as_array().unwrap().len(), 1);
    // A1: 4,4,4,5,4,2 (+ one NA) -> 5/6; P1: 4,4,4,4,4,4,1 -> 6/7.
    let a1 = item(&body, "access", "A1");
    close(&a1["index"]["estimate"], 5.0 / 6.0);
    assert_eq!(a1["index"]["n"], 6);
    assert_eq!(a1["index"]["method"], "wilson");
    close(&a1["index"]["ci_low"], 0.43649717781352965);
    close(&a1["index"]["ci_high"], 0.9699466302516933);
    assert_eq!(
        a1["distribution"],
        serde_json::json!({"1": 0, "2": 1, "3": 0, "4": 4, "5": 1, "na": 1})
    );
    close(&a1["mean_score"]["estimate"], 23.0 / 6.0);
    assert_eq!(a1["mean_score"]["method"], "t");
    close(
        &item(&body, "procedures", "P1")["index"]["estimate"],
        6.0 / 7.0,
    );
    // Elements: only answered items count. Overall = mean of the two answered elements.
    close(&element(&body, "access")["index"]["estimate"], 5.0 / 6.0);
    close(
        &element(&body, "procedures")["index"]["estimate"],
        6.0 / 7.0,
    );
    assert!(element(&body, "civil_servant")["index"]["suppressed"]
        .as_bool()
        .unwrap());
    close(&body["overall"]["estimate"], (5.0 / 6.0 + 6.0 / 7.0) / 2.0);
    assert_eq!(body["overall"]["method"], "logit");
    assert_eq!(body["overall"]["n"], 7);
    assert!(body["overall"]["flags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("low_reliability")));
    // Pooled: 11 satisfied of 13 valid answers. Comprehensive: 5 of 7 all 4–5.
    close(&body["pooled"]["estimate"], 11.0 / 13.0);
    close(&body["comprehensive"]["estimate"], 5.0 / 7.0);
    let overall = &body["overall"];
    assert!(overall["ci_low"].as_f64().unwrap() < overall["estimate"].as_f64().unwrap());
    assert!(overall["ci_high"].as_f64().unwrap() > overall["estimate"].as_f64().unwrap());
    assert!(overall["se"].as_f64().unwrap() > 0.0);
    assert!(body["compare"].is_null());

    // Calendar Q1: all 10. A1: 7 of 9 valid.
    let (_, body) = get(
        &app,
        Some(&token),
        "?survey=construction-permit&period=2026-Q1",
    )
    .await;
    assert_eq!(body["respondents"], 10);
    let a1 = item(&body, "access", "A1");
    close(&a1["index"]["estimate"], 7.0 / 9.0);
    close(&a1["index"]["ci_low"], 0.45258896910698887);
    close(&a1["index"]["ci_high"], 0.9367748928821533);

    // Per service point: every desk of the department, empty ones included.
    let response =
        app.client
            .get(app.url(
                "/api/v1/indices/units?survey=construction-permit&period=2026-Q1&mode=reporting",
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(response.status(), 200);
    let units: Value = response.json().await.unwrap();
    let units = units["units"].as_array().unwrap();
    assert_eq!(units.len(), 5);
    let desk = units
        .iter()
        .find(|u| u["unit"] == "hcc-long-xuyen-xd")
        .unwrap();
    assert_eq!(desk["respondents"], 7);
    close(&desk["overall"]["estimate"], (5.0 / 6.0 + 6.0 / 7.0) / 2.0);
    for other in units.iter().filter(|u| u["unit"] != "hcc-long-xuyen-xd") {
        assert_eq!(other["respondents"], 0);
        assert_eq!(other["overall"]["suppressed"], true);
    }
}

async fn index_api_access_and_parameters(backend: Backend) {
    let app = spawn_app(backend).await;
    import_known(&app);
    let query = "?survey=construction-permit&period=2026-Q1";
    let (status, body) = get(&app, None, query).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = get(&app, Some("hl_not-a-real-token"), query).await;
    assert_eq!(status, 401);

    let education = app.create_token(&[
        "--role",
        "department",
        "--department",
        "education",
        "--name",
        "school office",
    ]);
    let (status, body) = get(&app, Some(&education), query).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    let construction = app.create_token(&[
        "--role",
        "department",
        "--department",
        "construction",
        "--name",
        "permits",
    ]);
    let (status, _) = get(&app, Some(&construction), query).await;
    assert_eq!(status, 200);

    for (params, field) in [
        ("?survey=construction-permit&period=2026-Q5", "period"),
        ("?survey=construction-permit", "period"),
        (
            "?survey=construction-permit&period=2026-Q1&mode=fiscal",
            "mode",
        ),
        (
            "?survey=construction-permit&period=2026-Q1&weighting=heavy",
            "weighting",
        ),
        (
            "?survey=construction-permit&period=2026-Q1&level=1.5",
            "level",
        ),
        (
            "?survey=construction-permit&period=2026-Q1&unit=thpt-long-xuyen",
            "unit",
        ),
        (
            "?survey=construction-permit&period=2026-Q1&compare=lastyear",
            "compare",
        ),
        (
            "?survey=construction-permit&period=2026-Q1&colour=red",
            "colour",
        ),
        ("?survey=nothing&period=2026-Q1", "survey"),
        ("?period=2026-Q1", "survey"),
    ] {
        let (status, body) = get(&app, Some(&construction), params).await;
        assert_eq!(status, 422, "{params}: {body}");
        assert_eq!(body["error"], "invalid_parameter", "{params}");
        assert!(
            body["fields"][field].is_string(),
            "{params}: expected field {field} in {body}"
        );
    }

    // Bytes that are not UTF-8 are still a named, answered fault.
    let (status, body) = get(
        &app,
        Some(&construction),
        "?survey=construction-permit&period=%FF",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["fields"]["period"].is_string(), "{body}");

    // A revoked token no longer works.
    app.cli_ok(&["token", "revoke", "permits"]);
    let (status, _) = get(&app, Some(&construction), query).await;
    assert_eq!(status, 401);
    let out = app
        .command()
        .args(["token", "create", "--role", "department", "--name", "x"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a department token needs its department"
    );
}

async fn volume_weighting_needs_volumes(backend: Backend) {
    let app = spawn_app_with_min_cell(backend, 3).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "weights"]);
    let query = "?survey=construction-permit&period=2026-Q1&mode=reporting&weighting=volume";
    let (status, body) = get(&app, Some(&token), query).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["fields"]["weighting"]
            .as_str()
            .unwrap()
            .contains("hcc-long-xuyen-xd"),
        "{body}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("volumes.csv");
    std::fs::write(
        &file,
        "unit,period,transactions\nhcc-long-xuyen-xd,2026-Q1,14\nhcc-rach-gia-xd,2026-Q1,30\n",
    )
    .unwrap();
    assert_eq!(
        app.cli_ok(&[
            std::ffi::OsStr::new("volumes"),
            "import".as_ref(),
            file.as_os_str()
        ])
        .trim(),
        "imported 2 volume(s)"
    );

    let (status, weighted) = get(&app, Some(&token), query).await;
    assert_eq!(status, 200, "{weighted}");
    assert_eq!(weighted["weighting"], "volume");
    // One stratum: the same point estimate, a smaller variance by the
    // finite population correction 1 - 7/14, and the item interval is logit.
    let (_, plain) = get(
        &app,
        Some(&token),
        "?survey=construction-permit&period=2026-Q1&mode=reporting",
    )
    .await;
    close(
        &weighted["overall"]["estimate"],
        plain["overall"]["estimate"].as_f64().unwrap(),
    );
    let ratio =
        weighted["overall"]["se"].as_f64().unwrap() / plain["overall"]["se"].as_f64().unwrap();
    assert!((ratio - 0.5f64.sqrt()).abs() < 1e-9, "se ratio {ratio}");
    assert_eq!(item(&weighted, "access", "A1")["index"]["method"], "logit");
    // The Rach Gia desk handled permits but no citizen answered: a coverage gap.
    assert_eq!(
        weighted["coverage_gaps"],
        serde_json::json!(["hcc-rach-gia-xd"])
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "unit,period,transactions\nnowhere,2026-Q1,5\nhcc-long-xuyen-xd,2026-Q9,-1\n",
    )
    .unwrap();
    let out = app
        .command()
        .args(["volumes", "import"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "line 2, column unit",
        "line 3, column period",
        "line 3, column transactions",
    ] {
        assert!(report.contains(expected), "{expected} in {report}");
    }
}

/// The sums of a half-month long over are kept after the first request; a
/// paper form of that half-month keyed in later (a late response) is in
/// the very next figures, as is every figure it touches, and the figures
/// equal those of a fresh start.
async fn a_late_response_to_a_kept_half_month_counts_at_once(backend: Backend) {
    let app = spawn_app_with_min_cell(backend, 3).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "reports"]);
    let query = "?survey=construction-permit&period=2026-Q1&mode=reporting";
    let (status, before) = get(&app, Some(&token), query).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["respondents"], 7);
    // Asked again, from the kept sums: the same figures.
    let (_, again) = get(&app, Some(&token), query).await;
    assert_eq!(before, again);

    // Two more forms of 1 February, both dissatisfied with A1.
    assert_eq!(
        app.import_csv(
            "construction-permit",
            &format!(
                "{HEADER}\nhcc-long-xuyen-xd,2026-02-01,1,4\nhcc-long-xuyen-xd,2026-02-01,2,4\n"
            )
        ),
        "imported 2, replays 0"
    );
    let (status, after) = get(&app, Some(&token), query).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["respondents"], 9);
    // A1: 4,4,4,5,4,2,1,2 -> 5/8.
    let a1 = item(&after, "access", "A1");
    close(&a1["index"]["estimate"], 5.0 / 8.0);
    assert_eq!(a1["index"]["n"], 8);

    // A service started afresh, its stored sums gone, reads the rows: the
    // same figures.
    diesel::RunQueryDsl::execute(
        diesel::sql_query("DELETE FROM index_sums"),
        &mut *app.db().writer().unwrap(),
    )
    .unwrap();
    let fresh = spawn_app_with(
        backend,
        AppOptions {
            database_url: Some(app.database_url().to_string()),
            stats: app.ctx.stats,
            ..AppOptions::default()
        },
    )
    .await;
    let (_, from_rows) = get(&fresh, Some(&token), query).await;
    assert_eq!(after, from_rows);
}

/// The sums of closed stretches of days are stored: a service started
/// afresh loads them instead of reading the rows, and reads the rows again
/// where they no longer add up to the stored sums.
async fn stored_sums_serve_a_restart_while_the_rows_add_up_to_them(backend: Backend) {
    use hailong::services::indices::sums::keep_all;
    let app = spawn_app_with_min_cell(backend, 3).await;
    import_known(&app);
    let token = app.create_token(&["--role", "home-affairs", "--name", "reports"]);
    let restarted = || {
        spawn_app_with(
            backend,
            AppOptions {
                database_url: Some(app.database_url().to_string()),
                stats: app.ctx.stats,
                ..AppOptions::default()
            },
        )
    };
    let (respondents, built) = keep_all(&app.ctx).unwrap();
    assert_eq!(respondents, 10);
    assert_eq!(built.loaded, 0, "nothing was stored before");
    assert!(built.read > 0);
    let query = "?survey=construction-permit&period=2026-Q1&mode=reporting";
    let (status, before) = get(&app, Some(&token), query).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["respondents"], 7);

    let second = restarted().await;
    let (respondents, provenance) = keep_all(&second.ctx).unwrap();
    assert_eq!(respondents, 10);
    assert_eq!(provenance.read, 0, "every closed stretch was loaded");
    assert_eq!(provenance.loaded, built.read);
    let (_, loaded) = get(&second, Some(&token), query).await;
    assert_eq!(before, loaded);

    // One response of 14 March goes, by hand, behind the service's back
    // (the service itself never deletes one): its half-month no longer
    // adds up, and is read from the rows again.
    let deleted = diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "DELETE FROM responses WHERE id IN
                 (SELECT id FROM responses WHERE submitted_on = '2026-03-14' AND answers LIKE '%\"A1\":2%')",
        ),
        &mut *app.db().writer().unwrap(),
    )
    .unwrap();
    assert_eq!(deleted, 1);
    let third = restarted().await;
    let (respondents, provenance) = keep_all(&third.ctx).unwrap();
    assert_eq!(respondents, 9);
    assert_eq!(provenance.read, 1, "the half-month of 1 to 14 March");
    assert_eq!(provenance.loaded, built.read - 1);
    let (_, after) = get(&third, Some(&token), query).await;
    assert_eq!(after["respondents"], 6);
    // A1 without the 2: 4,4,4,5,4 -> 5/5.
    close(&item(&after, "access", "A1")["index"]["estimate"], 1.0);

    // A late form of 1 February: that half-month's late count changed, and
    // it alone is read from the rows at the next start.
    assert_eq!(
        app.import_csv(
            "construction-permit",
            &format!("{HEADER}\nhcc-long-xuyen-xd,2026-02-01,1,4\n")
        ),
        "imported 1, replays 0"
    );
    let fourth = restarted().await;
    let (respondents, provenance) = keep_all(&fourth.ctx).unwrap();
    assert_eq!(respondents, 10);
    assert_eq!(provenance.read, 1, "the half-month of 1 to 14 February");
}

/// One number that `sql` (a column `n`) reads from `app`'s database.
fn figure(app: &TestApp, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Figure {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .get_result::<Figure>(&mut *app.db().reader().unwrap())
        .unwrap()
        .n
}

/// Bytes of `late_responses` on PostgreSQL.
fn late_table_size(app: &TestApp) -> i64 {
    figure(app, "SELECT pg_relation_size('late_responses') AS n")
}

/// `late_responses` as a bulk load leaves it on PostgreSQL: 30,000 counts
/// of two half-months, in more than a megabyte.
struct LoadedLateCounts {
    app: TestApp,
    loaded: i64,
}

impl LoadedLateCounts {
    async fn new() -> Option<Self> {
        crate::postgres::cluster()?;
        let app = spawn_app(Backend::Postgres).await;
        use diesel::RunQueryDsl;
        diesel::sql_query(
            "INSERT INTO late_responses (survey_version, part_start, inserted)
             SELECT 'v', DATE '2025-01-01' + 14 * (i % 2), 1 FROM generate_series(1, 30000) i",
        )
        .execute(&mut *app.db().reader().unwrap())
        .unwrap();
        let loaded = late_table_size(&app);
        assert!(loaded > 1_000_000, "{loaded} bytes");
        Some(LoadedLateCounts { app, loaded })
    }

    /// Runs the hourly upkeep while another connection holds the lock an
    /// autovacuum holds (`SHARE UPDATE EXCLUSIVE`) on `late_responses` for
    /// `held`; checks that the counts are folded and unchanged, and returns
    /// how long the upkeep took.
    fn upkeep_beside_a_vacuum(&self, held: std::time::Duration) -> std::time::Duration {
        use diesel::{Connection, RunQueryDsl};
        let url = self.app.database_url().to_owned();
        let (locked, is_locked) = std::sync::mpsc::channel();
        let vacuum = std::thread::spawn(move || {
            let mut conn = diesel::PgConnection::establish(&url).unwrap();
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                diesel::sql_query("LOCK TABLE late_responses IN SHARE UPDATE EXCLUSIVE MODE")
                    .execute(conn)?;
                locked.send(()).unwrap();
                std::thread::sleep(held);
                Ok(())
            })
            .unwrap();
        });
        is_locked.recv().unwrap();
        let started = std::time::Instant::now();
        let today = self.app.ctx.clock.today();
        hailong::services::collect::settle_arrival_order(self.app.db(), today).unwrap();
        let took = started.elapsed();
        vacuum.join().unwrap();
        assert_eq!(
            figure(&self.app, "SELECT COUNT(*) AS n FROM late_responses"),
            2,
            "folded into one row a half-month"
        );
        assert_eq!(
            figure(
                &self.app,
                "SELECT CAST(SUM(inserted) AS BIGINT) AS n FROM late_responses"
            ),
            30_000
        );
        took
    }
}

/// Each transaction that stores late responses adds a row to
/// `late_responses`, which the hourly upkeep folds into one a half-month.
/// On PostgreSQL a plain vacuum would leave the table as large as the rows
/// it once held, and index requests read it; the upkeep compacts it, and
/// the counts stay the same. An autovacuum of the table (it follows every
/// thousand rows added) only delays the compaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upkeep_compacts_the_late_counts_on_postgres() {
    let Some(late) = LoadedLateCounts::new().await else {
        return;
    };
    late.upkeep_beside_a_vacuum(std::time::Duration::from_millis(1500));
    let compacted = late_table_size(&late.app);
    assert!(
        compacted <= 8192,
        "{compacted} bytes left of {}: the folded rows need one page",
        late.loaded
    );
}

/// A compaction that cannot have its lock is left to the next hour, within
/// seconds: the index requests that read the table would queue behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compaction_that_cannot_have_its_lock_is_put_off() {
    let Some(late) = LoadedLateCounts::new().await else {
        return;
    };
    let took = late.upkeep_beside_a_vacuum(std::time::Duration::from_secs(8));
    assert!(
        took < std::time::Duration::from_secs(7),
        "the upkeep waited {took:?} for the lock"
    );
    let left = late_table_size(&late.app);
    assert!(left >= late.loaded, "{left} bytes left of {}", late.loaded);
}
