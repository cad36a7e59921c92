//! One error policy: browsers get translated pages wherever they go (the
//! report and exports included), API and bearer-token callers get JSON,
//! and a database out of reach is 503 with Retry-After, never 500.

use std::time::{Duration, Instant};

use crate::both_backends;
use crate::helpers::{
    new_id, spawn_app, spawn_app_with, valid_health_submission, AppOptions, Backend,
};
use crate::staff::{create_user, signed_in};

both_backends!(
    browsers_get_translated_pages_and_token_callers_json,
    an_unreachable_database_is_503_with_retry_after,
    a_body_that_never_finishes_is_408,
);

fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"))
}

async fn browsers_get_translated_pages_and_token_callers_json(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "admin1", "admin", None).await;
    create_user(&app, "health1", "department", Some("health")).await;
    let admin = signed_in(&app, "admin1").await;
    let health = signed_in(&app, "health1").await;

    // An administrator reads no scores: the report and the exports say so
    // as a page in the session's language, with the staff header.
    for path in [
        "/report?period=2026-Q1",
        "/export/indices.csv?period=2026-Q1",
    ] {
        let response = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert!(is_html(&response), "{path} is a page, not JSON");
        assert!(
            response.headers().contains_key("content-security-policy")
                && response.headers().contains_key("x-content-type-options"),
            "an error page keeps the security headers"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains("Không có quyền truy cập"), "{page}");
        assert!(
            page.contains("admin1"),
            "the staff header names who is signed in"
        );
        assert!(!page.contains("\"error\""), "{page}");
    }
    let english = admin
        .get(app.url("/report?period=2026-Q1&lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(english.status(), 403);
    assert!(english.text().await.unwrap().contains("Access denied"));

    // A department reading another department, a bad parameter, an unknown
    // page: each a page naming what to fix.
    let other = health
        .get(app.url("/report?period=2026-Q1&department=education"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 403);
    assert!(is_html(&other));
    let bad = health
        .get(app.url("/dashboard/health?period=2026-Q9"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("Tham số không hợp lệ") && bad.contains("period"),
        "{bad}"
    );
    // An undecodable parameter is a page too; a proxy's Basic credentials
    // do not make a browser an API client.
    let unparsable = health
        .get(app.url("/dashboard/health?period=%FF"))
        .send()
        .await
        .unwrap();
    assert!(
        unparsable.status().is_client_error(),
        "{}",
        unparsable.status()
    );
    assert!(is_html(&unparsable));
    let behind_proxy = health
        .get(app.url("/report?period=2026-Q1&department=education"))
        .basic_auth("proxy-user", Some("proxy-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(behind_proxy.status(), 403);
    assert!(is_html(&behind_proxy));
    let missing = app.get("/no/such/page?lang=en").await;
    assert_eq!(missing.status(), 404);
    assert!(is_html(&missing));
    assert!(missing.text().await.unwrap().contains("Page not found"));

    // Signed out, the report sends a browser to sign in.
    let anonymous = app.get("/report?period=2026-Q1").await;
    assert_eq!(anonymous.status(), 303);
    assert_eq!(
        anonymous.headers()["location"],
        "/login?next=%2Freport%3Fperiod%3D2026-Q1"
    );

    // After signing in, the browser is taken back to the report it asked for.
    let client = crate::staff::browser();
    let back = crate::staff::post_login(
        &app,
        &client,
        &[
            ("username", "health1"),
            ("password", crate::staff::PASSWORD),
            ("next", "/report?period=2026-Q1"),
        ],
    )
    .await;
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()["location"], "/report?period=2026-Q1");

    // A bearer-token caller of the same routes gets JSON errors.
    let token = app.create_token(&[
        "--role",
        "department",
        "--department",
        "health",
        "--name",
        "t",
    ]);
    let json = app
        .get_as(Some(&token), "/report?period=2026-Q1&department=education")
        .await;
    assert_eq!(json.status(), 403);
    let body: serde_json::Value = json.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    let bad_token = app
        .get_as(Some("hl_not-a-token"), "/export/indices.csv?period=2026-Q1")
        .await;
    assert_eq!(bad_token.status(), 401);
    let body: serde_json::Value = bad_token.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    let api = app.get("/api/v1/nothing-here").await;
    assert_eq!(api.status(), 404);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["error"],
        "not_found"
    );
}

async fn an_unreachable_database_is_503_with_retry_after(backend: Backend) {
    let app = spawn_app_with(
        backend,
        AppOptions {
            pool_timeout: Duration::from_secs(1),
            ..AppOptions::default()
        },
    )
    .await;
    // Every connection the application could write with is taken: on
    // SQLite its single writer, on PostgreSQL the whole pool.
    let db = app.db().clone();
    let held = tokio::task::spawn_blocking(move || {
        let mut held = Vec::new();
        while let Ok(conn) = db.writer() {
            held.push(conn);
        }
        held
    })
    .await
    .unwrap();
    assert!(!held.is_empty());

    let id = new_id();
    let started = Instant::now();
    let response = app
        .post_json(
            "/api/v1/surveys/health-outpatient/responses",
            &valid_health_submission(&id),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the wait is bounded by the pool timeout"
    );

    // The citizen's form gets a page saying nothing was recorded.
    let form = app
        .post_form(
            "/s/health-outpatient",
            &[
                ("id", new_id().as_str()),
                ("version", app.current_version("health-outpatient").as_str()),
                ("unit", "bv-dk-kien-giang"),
                ("A1", "4"),
            ],
        )
        .await;
    assert_eq!(form.status(), 503);
    assert_eq!(form.headers()["retry-after"], "5");
    assert!(is_html(&form));
    assert!(form.text().await.unwrap().contains("Hệ thống đang bận"));

    // With the readers taken too, readiness says so; liveness does not.
    let db = app.db().clone();
    let readers = tokio::task::spawn_blocking(move || {
        let mut held = Vec::new();
        while let Ok(conn) = db.reader() {
            held.push(conn);
        }
        held
    })
    .await
    .unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.headers()["retry-after"], "5");
    assert_eq!(app.get("/healthz").await.status(), 200);
    drop(readers);

    drop(held);
    assert_eq!(app.get("/readyz").await.status(), 200);
    // Once the database is back, the same submission is recorded.
    let retried = app
        .post_json(
            "/api/v1/surveys/health-outpatient/responses",
            &valid_health_submission(&id),
        )
        .await;
    assert_eq!(retried.status(), 201);
    assert_eq!(app.stored_rows().len(), 1, "nothing half-written before");
}

/// A client that declares a body and never sends all of it gets 408 when
/// the body timeout passes, and the connection is let go.
async fn a_body_that_never_finishes_is_408(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(
        backend,
        AppOptions {
            body_timeout: Duration::from_secs(1),
            ..AppOptions::default()
        },
    )
    .await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/surveys/health-outpatient/responses HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"id\": "
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server answered within the timeout");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(app.stored_rows().is_empty());
}

both_backends!(metrics_count_routes_and_submissions_and_name_no_one);

/// `/metrics` counts requests by route template and submissions by channel
/// and outcome; no label names a survey, a service point or an id.
async fn metrics_count_routes_and_submissions_and_name_no_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = new_id();
    let sent = app
        .post_json(
            "/api/v1/surveys/health-outpatient/responses",
            &valid_health_submission(&id),
        )
        .await;
    assert_eq!(sent.status(), 201);
    assert_eq!(
        app.get("/s/health-outpatient/thanks?unit=bv-dk-kien-giang")
            .await
            .status(),
        200
    );
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    let count = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    assert!(
        count(r#"hailong_submissions_total{channel="api",outcome="recorded"}"#) >= 1.0,
        "{text}"
    );
    assert!(text.contains(r#"endpoint="/s/{slug}/thanks""#), "{text}");
    assert!(
        text.contains("hailong_db_pool_wait_seconds_count"),
        "{text}"
    );
    for secret in ["health-outpatient", "bv-dk-kien-giang", id.as_str()] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
}
