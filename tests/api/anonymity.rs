use crate::both_backends;
use crate::helpers::{new_id, spawn_app, valid_health_submission, Backend};

both_backends!(a_stored_response_holds_nothing_beyond_the_listed_fields);

async fn a_stored_response_holds_nothing_beyond_the_listed_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.response_columns(),
        [
            "id",
            "survey_version",
            "unit",
            "submitted_on",
            "channel",
            "answers",
            "likert",
            "comment"
        ],
        "a response row has no column for IP, user agent, cookie, session or time of day"
    );

    let marker_ip = "203.0.113.77";
    let marker_agent = "Mozilla/5.0 (Linux; Android 8.1; TraceablePhone)";
    let marker_cookie = "session=tracking-cookie-123";
    let id = new_id();
    let response = app
        .client
        .post(app.url("/api/v1/surveys/health-outpatient/responses"))
        .header("X-Forwarded-For", marker_ip)
        .header("X-Real-IP", marker_ip)
        .header("User-Agent", marker_agent)
        .header("Cookie", marker_cookie)
        .json(&valid_health_submission(&id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no cookie is set on citizens"
    );

    let form = app.get("/s/health-outpatient").await;
    assert!(
        form.headers().get("set-cookie").is_none(),
        "no cookie is set on citizens"
    );

    let rows = app.stored_rows();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let everything = format!("{row:?}");
    for marker in [
        marker_ip,
        "203.0.113",
        marker_agent,
        "TraceablePhone",
        "tracking-cookie",
        "127.0.0.1",
    ] {
        assert!(!everything.contains(marker), "{marker} was stored");
    }
    // The date only: YYYY-MM-DD, no time of day.
    assert_eq!(row.submitted_on.len(), 10, "{}", row.submitted_on);
    assert!(chrono::NaiveDate::parse_from_str(&row.submitted_on, "%Y-%m-%d").is_ok());
    assert_eq!(row.submitted_on, app.ctx.clock.today().to_string());
}

/// Arrival order cannot be rebuilt: the access log names route templates,
/// never a survey or service point beside its timestamp, and SQLite keeps
/// responses in id order, not in the order they came.
#[test]
fn neither_the_log_nor_the_row_order_tells_when_someone_answered() {
    let database = crate::helpers::TestDatabase::new(Backend::Sqlite);
    let log_path = database.dir().join("server.log");
    let mut command =
        crate::helpers::hailong_command(&database.url, &crate::helpers::repo_definitions());
    command.env("RUST_LOG", "info");
    let (mut child, address) = crate::helpers::serve_binary(
        command,
        &[],
        std::fs::File::create(&log_path).unwrap().into(),
    );
    // Ids sent in descending order: arrival order is the reverse of id order.
    let mut ids: Vec<String> = (0..12).map(|_| new_id()).collect();
    ids.sort();
    ids.reverse();
    let units = ["bv-dk-kien-giang", "bv-dktt-an-giang", "tyt-thoai-son"];
    let result = std::panic::catch_unwind(|| {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            for (i, id) in ids.iter().enumerate() {
                let unit = units[i % units.len()];
                let mut body = valid_health_submission(id);
                body["unit"] = serde_json::json!(unit);
                let sent = client
                    .post(format!(
                        "{address}/api/v1/surveys/health-outpatient/responses"
                    ))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(sent.status(), 201);
                let thanks = client
                    .get(format!("{address}/s/health-outpatient/thanks?unit={unit}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(thanks.status(), 200);
            }
        });
    });
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("/s/{slug}/thanks"),
        "the access log is on: {log}"
    );
    for secret in units.iter().copied().chain(["health-outpatient"]) {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }

    let db = hailong::db::Db::connect(&database.url, std::time::Duration::from_secs(5)).unwrap();
    let mut conn = db.reader().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    use diesel::RunQueryDsl;
    assert!(
        diesel::sql_query("SELECT rowid AS id FROM responses")
            .load::<Id>(&mut *conn)
            .is_err(),
        "no rowid numbers the rows in arrival order"
    );
    let scanned: Vec<String> = diesel::sql_query("SELECT id FROM responses")
        .load::<Id>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(scanned, sorted, "a plain scan follows the ids, not arrival");
    assert_ne!(scanned, ids);
}
