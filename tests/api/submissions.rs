use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{new_id, spawn_app, valid_health_submission, Backend};

const HEALTH: &str = "/api/v1/surveys/health-outpatient/responses";

both_backends!(
    a_retry_after_the_questionnaire_changed_is_still_a_replay,
    records_then_recognises_a_replay,
    refuses_a_conflicting_replay,
    reports_every_invalid_field_with_422,
    refuses_malformed_oversized_and_mistyped_bodies,
    refuses_a_stale_version_and_accepts_the_current_one,
);

async fn records_then_recognises_a_replay(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = new_id();
    let body = valid_health_submission(&id);

    let first = app.post_json(HEALTH, &body).await;
    assert_eq!(first.status(), 201);
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"id": id, "status": "recorded"})
    );

    let replay = app.post_json(HEALTH, &body).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(
        replay.json::<Value>().await.unwrap(),
        json!({"id": id, "status": "already_recorded"})
    );

    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1, "a replay is not a duplicate");
    let row = &rows[0];
    assert_eq!(row.id, id);
    assert_eq!(row.channel, "api");
    assert_eq!(row.unit, "bv-dk-kien-giang");
    assert_eq!(row.survey_version, app.current_version("health-outpatient"));
    let answers: Value = serde_json::from_str(&row.answers).unwrap();
    assert_eq!(answers["A1"], 4);
    assert_eq!(answers["C6"], "na");
    assert_eq!(answers["INSURED"], true);
    assert_eq!(
        row.comment.as_deref(),
        Some("Phòng chờ đông, nhân viên nhiệt tình.")
    );
    // One character per Likert item in definition order: A1..A5, B1..B10, C1..C8, D1..D4, E1..E4.
    assert_eq!(row.likert.len(), 31);
    assert_eq!(&row.likert[..6], "45----");
    assert_eq!(row.likert.chars().nth(5 + 5).unwrap(), '2'); // B6
    assert_eq!(row.likert.chars().nth(5 + 10 + 5).unwrap(), 'N'); // C6
}

async fn a_retry_after_the_questionnaire_changed_is_still_a_replay(backend: Backend) {
    let before = spawn_app(backend).await;
    let id = new_id();
    let mut body = valid_health_submission(&id);
    body["version"] = json!(before.current_version("health-outpatient"));
    assert_eq!(before.post_json(HEALTH, &body).await.status(), 201);

    // The questionnaire is edited and the service restarted on the same data.
    let dir = tempfile::tempdir().unwrap();
    crate::cli::copy_dir(&crate::helpers::repo_definitions(), dir.path());
    let file = dir.path().join("surveys/health-outpatient.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Phòng chờ có đủ ghế ngồi", "Phòng chờ có đủ ghế");
    std::fs::write(&file, text).unwrap();
    let options = crate::helpers::AppOptions {
        definitions: dir.path().to_path_buf(),
        database_url: Some(before.database_url().to_string()),
        ..Default::default()
    };
    let after = crate::helpers::spawn_app_with(backend, options).await;
    assert_ne!(
        after.current_version("health-outpatient"),
        before.current_version("health-outpatient")
    );

    // The phone that never got its answer retries: a replay, not a 409.
    let retry = after.post_json(HEALTH, &body).await;
    assert_eq!(retry.status(), 200);
    assert_eq!(
        retry.json::<Value>().await.unwrap()["status"],
        "already_recorded"
    );
    // The same id with other answers is still a conflict.
    body["answers"]["A1"] = json!(1);
    assert_eq!(after.post_json(HEALTH, &body).await.status(), 409);
    // A new response naming the old version learns that the survey changed.
    let mut fresh = valid_health_submission(&new_id());
    fresh["version"] = json!(before.current_version("health-outpatient"));
    let changed = after.post_json(HEALTH, &fresh).await;
    assert_eq!(changed.status(), 409);
    assert_eq!(
        changed.json::<Value>().await.unwrap()["error"],
        "survey_changed"
    );
    assert_eq!(after.stored_rows().len(), 1);
}

async fn refuses_a_conflicting_replay(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = new_id();
    assert_eq!(
        app.post_json(HEALTH, &valid_health_submission(&id))
            .await
            .status(),
        201
    );
    let mut changed = valid_health_submission(&id);
    changed["answers"]["A1"] = json!(1);
    let response = app.post_json(HEALTH, &changed).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "conflicting_replay");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("different content"));
    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&rows[0].answers).unwrap()["A1"],
        4,
        "the first answer stands"
    );
}

/// (what is changed, the field that must be named)
fn invalid_cases() -> Vec<(&'static str, Value, &'static str)> {
    let base = || valid_health_submission(&new_id());
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = base();
        f(&mut body);
        body
    };
    vec![
        (
            "unknown unit",
            with(&|b| b["unit"] = json!("no-such-point")),
            "unit",
        ),
        (
            "unit of another department",
            with(&|b| b["unit"] = json!("thpt-long-xuyen")),
            "unit",
        ),
        (
            "missing unit",
            with(&|b| {
                b.as_object_mut().unwrap().remove("unit");
            }),
            "unit",
        ),
        ("unit not a string", with(&|b| b["unit"] = json!(7)), "unit"),
        (
            "unknown question",
            with(&|b| b["answers"]["ZZ9"] = json!(3)),
            "answers.ZZ9",
        ),
        (
            "score out of range",
            with(&|b| b["answers"]["A1"] = json!(6)),
            "answers.A1",
        ),
        (
            "score zero",
            with(&|b| b["answers"]["A1"] = json!(0)),
            "answers.A1",
        ),
        (
            "score as text",
            with(&|b| b["answers"]["A1"] = json!("4")),
            "answers.A1",
        ),
        (
            "score fractional",
            with(&|b| b["answers"]["A1"] = json!(4.5)),
            "answers.A1",
        ),
        (
            "unknown option",
            with(&|b| b["answers"]["G2"] = json!("perhaps")),
            "answers.G2",
        ),
        (
            "option not a string",
            with(&|b| b["answers"]["G2"] = json!(["certainly"])),
            "answers.G2",
        ),
        (
            "percent above 100",
            with(&|b| b["answers"]["G1"] = json!(201)),
            "answers.G1",
        ),
        (
            "percent negative",
            with(&|b| b["answers"]["G1"] = json!(-1)),
            "answers.G1",
        ),
        (
            "yes/no as text",
            with(&|b| b["answers"]["INSURED"] = json!("yes")),
            "answers.INSURED",
        ),
        (
            "comment inside answers",
            with(&|b| b["answers"]["comment"] = json!("hi")),
            "answers.comment",
        ),
        (
            "comment too long",
            with(&|b| b["comment"] = json!("x".repeat(2001))),
            "comment",
        ),
        (
            "comment not a string",
            with(&|b| b["comment"] = json!(12)),
            "comment",
        ),
        (
            "no Likert item scored",
            with(&|b| b["answers"] = json!({"A1": "na", "G2": "maybe"})),
            "answers",
        ),
        (
            "answers not an object",
            with(&|b| b["answers"] = json!([4, 5])),
            "answers",
        ),
        (
            "missing id",
            with(&|b| {
                b.as_object_mut().unwrap().remove("id");
            }),
            "id",
        ),
        ("invalid id", with(&|b| b["id"] = json!("not-a-uuid")), "id"),
        (
            "unknown top-level field",
            with(&|b| b["ip"] = json!("1.2.3.4")),
            "ip",
        ),
    ]
}

async fn reports_every_invalid_field_with_422(backend: Backend) {
    let app = spawn_app(backend).await;
    for (case, body, field) in invalid_cases() {
        let response = app.post_json(HEALTH, &body).await;
        assert_eq!(response.status(), 422, "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_response", "{case}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{case}"
        );
        assert!(
            body["fields"][field]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{case}: expected field {field} in {body}"
        );
    }
    // Several faults at once are all reported.
    let mut body = valid_health_submission(&new_id());
    body["unit"] = json!("nowhere");
    body["answers"]["A1"] = json!(9);
    body["answers"]["G1"] = json!(300);
    let fields: Value = app
        .post_json(HEALTH, &body)
        .await
        .json::<Value>()
        .await
        .unwrap()["fields"]
        .clone();
    for field in ["unit", "answers.A1", "answers.G1"] {
        assert!(fields[field].is_string(), "{field} missing from {fields}");
    }
    // A comment of exactly 2,000 characters (not bytes) is accepted.
    let mut body = valid_health_submission(&new_id());
    body["comment"] = json!("ệ".repeat(2000));
    assert_eq!(app.post_json(HEALTH, &body).await.status(), 201);
    assert_eq!(
        app.stored_rows().len(),
        1,
        "no invalid submission left a row"
    );
}

async fn refuses_malformed_oversized_and_mistyped_bodies(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = app.url(HEALTH);
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(&url)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(&str, reqwest::Response, u16, &str)> = vec![
        (
            "malformed JSON",
            send(b"{\"id\": ".to_vec(), "application/json")
                .await
                .unwrap(),
            400,
            "malformed_json",
        ),
        (
            "empty body",
            send(Vec::new(), "application/json").await.unwrap(),
            400,
            "malformed_json",
        ),
        (
            "not an object",
            send(b"[1,2]".to_vec(), "application/json").await.unwrap(),
            422,
            "invalid_response",
        ),
        (
            "over 64 KiB",
            send(
                serde_json::to_vec(&json!({"comment": "x".repeat(70_000)})).unwrap(),
                "application/json",
            )
            .await
            .unwrap(),
            413,
            "payload_too_large",
        ),
        (
            "form body to the API",
            send(b"id=1".to_vec(), "application/x-www-form-urlencoded")
                .await
                .unwrap(),
            415,
            "unsupported_media_type",
        ),
        (
            "text body",
            send(b"{}".to_vec(), "text/plain").await.unwrap(),
            415,
            "unsupported_media_type",
        ),
    ];
    for (case, response, status, error) in cases {
        assert_eq!(response.status().as_u16(), status, "{case}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{case}: error bodies are JSON"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], error, "{case}");
        assert!(body["message"].is_string(), "{case}");
    }
    // JSON with a charset parameter is still JSON.
    let ok = send(
        serde_json::to_vec(&valid_health_submission(&new_id())).unwrap(),
        "application/json; charset=utf-8",
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 201);

    let unknown = app
        .post_json(
            "/api/v1/surveys/no-such-survey/responses",
            &valid_health_submission(&new_id()),
        )
        .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"], "not_found");
    let nowhere = app.get("/api/v1/nothing-here").await;
    assert_eq!(nowhere.status(), 404);
    assert_eq!(nowhere.json::<Value>().await.unwrap()["error"], "not_found");

    assert_eq!(
        app.stored_rows().len(),
        1,
        "only the valid submission was stored"
    );
}

async fn refuses_a_stale_version_and_accepts_the_current_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut stale = valid_health_submission(&new_id());
    stale["version"] = json!("0000000000000000");
    let response = app.post_json(HEALTH, &stale).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "survey_changed");
    assert_eq!(
        body["current_version"],
        app.current_version("health-outpatient").as_str()
    );

    let mut current = valid_health_submission(&new_id());
    current["version"] = json!(app.current_version("health-outpatient"));
    assert_eq!(app.post_json(HEALTH, &current).await.status(), 201);
    assert_eq!(app.stored_rows().len(), 1);
}

/// Hostile bodies: random mutations of a valid submission never produce a
/// 500 or a row from an invalid body.
#[tokio::test]
async fn random_hostile_bodies_get_4xx_never_500() {
    use rand::{Rng, SeedableRng};
    let app = spawn_app(Backend::Sqlite).await;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261126);
    let junk = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(""),
        json!("na"),
        json!("💥"),
        json!([]),
        json!({}),
        json!([1, 2]),
        json!({"a": 1}),
        json!(4),
        json!(i64::MAX),
        json!("4 "),
        json!("x".repeat(3000)),
    ];
    let fields = [
        "id", "unit", "answers", "comment", "version", "A1", "G2", "G1", "INSURED", "GENDER", "zz",
    ];
    let mut created = 0;
    for round in 0..300 {
        let mut body = valid_health_submission(&new_id());
        for _ in 0..rng.random_range(1..4) {
            let field = fields[rng.random_range(0..fields.len())];
            let value = junk[rng.random_range(0..junk.len())].clone();
            if ["id", "unit", "answers", "comment", "version"].contains(&field) {
                body[field] = value;
            } else if body["answers"].is_object() {
                body["answers"][field] = value;
            }
        }
        let response = app.post_json(HEALTH, &body).await;
        let status = response.status().as_u16();
        assert!(
            matches!(status, 201 | 400 | 409 | 413 | 415 | 422),
            "round {round}: {status} for {body}"
        );
        let reply: Value = response.json().await.unwrap();
        assert!(
            reply["error"].is_string() || status == 201,
            "round {round}: {reply}"
        );
        created += usize::from(status == 201);
    }
    assert_eq!(
        app.stored_rows().len(),
        created,
        "only accepted bodies left a row"
    );
    assert!(
        created > 0 && created < 300,
        "the mutations produce both valid and invalid bodies ({created})"
    );
}
