//! Strict inputs: what is ambiguous or malformed is refused with a message
//! naming it, never guessed at.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{new_id, spawn_app, valid_health_submission, Backend};

both_backends!(
    ambiguous_requests_are_refused_by_name,
    paper_import_is_strict
);

async fn ambiguous_requests_are_refused_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.create_token(&["--role", "home-affairs", "--name", "t"]);

    // A parameter given twice: which one was meant is not guessed.
    let response = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q1&period=2026-Q2",
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_parameter");
    assert!(body["fields"]["period"].is_string(), "{body}");

    // A JSON key given twice, at the top or inside the answers.
    for raw in [
        format!(
            r#"{{"id": "{}", "id": "{}", "unit": "bv-dk-kien-giang", "answers": {{"A1": 4}}}}"#,
            new_id(),
            new_id()
        ),
        format!(
            r#"{{"id": "{}", "unit": "bv-dk-kien-giang", "answers": {{"A1": 4, "A1": 1}}}}"#,
            new_id()
        ),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/surveys/health-outpatient/responses"))
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "malformed_json");
        assert!(
            body["message"].as_str().unwrap().contains("appears twice"),
            "{body}"
        );
    }
    assert!(app.stored_rows().is_empty());

    // A citizen form without its response id, or not a form at all.
    let version = app.current_version("health-outpatient");
    for pairs in [
        vec![
            ("version", version.as_str()),
            ("unit", "bv-dk-kien-giang"),
            ("A1", "4"),
        ],
        vec![
            ("id", "not-an-id"),
            ("version", version.as_str()),
            ("A1", "4"),
        ],
        vec![("garbage", "\u{1}\u{2}")],
    ] {
        let response = app.post_form("/s/health-outpatient", &pairs).await;
        assert_eq!(response.status(), 400, "{pairs:?}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    assert!(app.stored_rows().is_empty());

    // A method a route does not answer: 405 naming those it does.
    for (method, path, allow) in [
        ("PUT", "/s/health-outpatient", "GET, POST"),
        ("DELETE", "/api/v1/surveys", "GET"),
        ("TRACE", "/login", "GET, POST"),
        ("POST", "/dashboard", "GET"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
    }
    let response = app
        .client
        .put(app.url("/api/v1/surveys/health-outpatient/responses"))
        .json(&valid_health_submission(&new_id()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");

    // A username of 60,000 characters is neither echoed nor stored whole.
    let long = "x".repeat(60_000);
    let answer = crate::staff::post_login(
        &app,
        &crate::staff::browser(),
        &[("username", long.as_str()), ("password", "whatever it is")],
    )
    .await;
    assert_eq!(answer.status(), 401);
    assert!(!answer.text().await.unwrap().contains(&"x".repeat(33)));
    let audit = hailong::db::audit::recent(&mut app.db().reader().unwrap(), 10).unwrap();
    assert!(
        audit.iter().all(|row| row.actor.chars().count() <= 32),
        "{audit:?}"
    );
}

async fn paper_import_is_strict(backend: Backend) {
    let app = spawn_app(backend).await;
    let import = |csv: &str| {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rows.csv");
        std::fs::write(&file, csv).unwrap();
        let out = app
            .command()
            .args(["import", "--survey", "construction-permit"])
            .arg(&file)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // An open quote in an answer swallows the next rows.
    let (ok, report) = import(
        "unit,submitted_on,A1,P1\nhcc-long-xuyen-xd,2026-02-01,\"4,4\nhcc-long-xuyen-xd,2026-02-01,4,4\n",
    );
    assert!(!ok);
    assert!(report.contains("line break"), "{report}");
    // An open quote in a comment does too.
    let (ok, report) = import(
        "unit,submitted_on,A1,P1,comment\nhcc-long-xuyen-xd,2026-02-01,4,4,\"slow\nhcc-long-xuyen-xd,2026-02-01,4,4,ok\n",
    );
    assert!(!ok);
    assert!(report.contains("column comment"), "{report}");
    // A quoted comment may hold line breaks of its own.
    let (ok, report) = import(
        "unit,submitted_on,A1,P1,comment\nhcc-long-xuyen-xd,2026-02-01,4,4,\"slow\nbut kind\"\n",
    );
    assert!(ok, "{report}");
    // Imported rows are paper, dated within the service's life.
    let (ok, report) = import(
        "unit,submitted_on,channel,A1,P1\nhcc-long-xuyen-xd,2026-02-01,web,4,4\nhcc-long-xuyen-xd,1900-01-01,paper,4,4\n",
    );
    assert!(!ok);
    assert!(report.contains("line 2, column channel"), "{report}");
    assert!(report.contains("line 3, column submitted_on"), "{report}");
    assert_eq!(app.stored_rows().len(), 1, "only the good comment row");
}
