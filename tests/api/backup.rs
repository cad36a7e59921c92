//! `hailong backup`: a consistent copy while responses keep arriving, and a
//! restore that serves the same rows and the same figures.

use serde_json::Value;

use crate::helpers::{new_id, spawn_app, spawn_app_with, AppOptions, Backend};

fn submission(i: usize) -> Value {
    let units = ["bv-dk-kien-giang", "bv-dktt-an-giang", "tyt-thoai-son"];
    serde_json::json!({
        "id": new_id(),
        "unit": units[i % units.len()],
        "answers": {"A1": 1 + i % 5, "A2": 1 + (i / 5) % 5, "D1": 5, "G2": "certainly"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_the_same_rows_and_figures() {
    let app = spawn_app(Backend::Sqlite).await;
    for i in 0..40 {
        let response = app
            .post_json(
                "/api/v1/surveys/health-outpatient/responses",
                &submission(i),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let dir = tempfile::tempdir().unwrap();

    // Under load: responses keep arriving while the copy is written.
    let during = dir.path().join("during.db");
    let load = {
        let (client, url) = (
            app.client.clone(),
            app.url("/api/v1/surveys/health-outpatient/responses"),
        );
        tokio::spawn(async move {
            for i in 40..120 {
                let response = client.post(&url).json(&submission(i)).send().await.unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    let command = app.command();
    let target = during.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut command = command;
        command
            .arg("backup")
            .arg("--out")
            .arg(&target)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    load.await.unwrap();
    let copied = crate::helpers::stored_rows(
        &hailong::db::Db::connect(
            &format!("sqlite://{}", during.display()),
            std::time::Duration::from_secs(5),
        )
        .unwrap(),
    );
    let source = app.stored_rows();
    assert!(
        (40..=120).contains(&copied.len()),
        "{} rows in the copy",
        copied.len()
    );
    assert!(
        copied.iter().all(|row| source.contains(row)),
        "every copied row is a stored row, whole"
    );

    // Once quiet, a backup restores to the same rows and the same figures.
    let quiet = dir.path().join("quiet.db");
    app.cli_ok(&[
        std::ffi::OsStr::new("backup"),
        "--out".as_ref(),
        quiet.as_os_str(),
    ]);
    let refused = app
        .command()
        .arg("backup")
        .arg("--out")
        .arg(&quiet)
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "an existing file is not overwritten"
    );
    let restored = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            database_url: Some(format!("sqlite://{}", quiet.display())),
            ..AppOptions::default()
        },
    )
    .await;
    assert_eq!(restored.stored_rows(), app.stored_rows());
    let token = app.create_token(&["--role", "home-affairs", "--name", "before"]);
    let restored_token = restored.create_token(&["--role", "home-affairs", "--name", "after"]);
    let year = app.ctx.clock.today().format("%Y").to_string();
    let query = format!("/api/v1/indices?survey=health-outpatient&period={year}");
    let before: Value = app.get_as(Some(&token), &query).await.json().await.unwrap();
    let after: Value = restored
        .get_as(Some(&restored_token), &query)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["respondents"], 120);
    assert_eq!(
        before, after,
        "the restored database gives the same figures"
    );
}

#[tokio::test]
async fn postgres_backups_are_named_not_faked() {
    if crate::postgres::cluster().is_none() {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let out = app
        .command()
        .arg("backup")
        .arg("--out")
        .arg(dir.path().join("x.dump"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("pg_dump") && said.contains("pg_restore"),
        "{said}"
    );
    assert!(!dir.path().join("x.dump").exists());
}
