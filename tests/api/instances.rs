//! Two instances sharing one database: a questionnaire version recorded by
//! one (started with changed definitions) counts in the other's indices and
//! its replays are recognised there, without a restart.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{
    new_id, repo_definitions, spawn_app_with, valid_health_submission, AppOptions, Backend,
};

both_backends!(a_version_recorded_by_another_instance_is_known_without_restart);

const HEALTH: &str = "/api/v1/surveys/health-outpatient/responses";

async fn a_version_recorded_by_another_instance_is_known_without_restart(backend: Backend) {
    let clock =
        hailong::app::Clock::fixed_on(chrono::NaiveDate::from_ymd_opt(2026, 5, 20).unwrap());
    let first = spawn_app_with(
        backend,
        AppOptions {
            clock,
            ..AppOptions::default()
        },
    )
    .await;
    // The second instance runs a reworded questionnaire: another version.
    let changed = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(repo_definitions())
        .arg(changed.path().join("defs"))
        .status()
        .unwrap();
    assert!(copied.success());
    let definitions = changed.path().join("defs");
    let file = definitions.join("surveys/health-outpatient.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let reworded = text.replacen("title = { vi = \"", "title = { vi = \"(Bản sửa) ", 1);
    assert_ne!(text, reworded);
    std::fs::write(&file, reworded).unwrap();
    let second = spawn_app_with(
        backend,
        AppOptions {
            clock,
            definitions,
            database_url: Some(first.database_url().to_string()),
            ..AppOptions::default()
        },
    )
    .await;
    assert_ne!(
        first.current_version("health-outpatient"),
        second.current_version("health-outpatient")
    );

    let id = new_id();
    let body = valid_health_submission(&id);
    assert_eq!(second.post_json(HEALTH, &body).await.status(), 201);
    assert_eq!(
        first
            .post_json(HEALTH, &valid_health_submission(&new_id()))
            .await
            .status(),
        201
    );
    // The same response sent again to the first instance: a replay, judged
    // by the version it was stored under.
    let again = first.post_json(HEALTH, &body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.json::<Value>().await.unwrap()["status"],
        "already_recorded"
    );

    // Both responses count in the first instance's index.
    let token = first.create_token(&["--role", "home-affairs", "--name", "t"]);
    let index: Value = first
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q2&design=all",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(index["respondents"], 2, "{index}");
    assert_eq!(
        index["versions"].as_array().map(Vec::len),
        Some(2),
        "{index}"
    );
}
