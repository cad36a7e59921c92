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
            "comment",
            "design"
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
    // The rows as the table's pages keep them: an index that covers a
    // query is read instead of the table (even when told NOT INDEXED), and
    // it is sorted by its own columns, then the id.
    let scanned: Vec<String> = diesel::sql_query("SELECT id, answers FROM responses")
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

/// In `id ORDER BY ctid` order: where PostgreSQL's heap keeps each row.
fn ids_in_heap_order(db: &hailong::db::Db) -> Vec<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    diesel::sql_query("SELECT id FROM responses ORDER BY ctid")
        .load::<Id>(&mut *db.reader().unwrap())
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// PostgreSQL keeps a row where it was written, so `ORDER BY ctid` lists a
/// day's responses as they arrived — until the service rewrites earlier
/// days in id order (at start and hourly). Paper imports are written in id
/// order from the start, whatever the order of the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_forgets_arrival_order_once_the_day_is_over() {
    if crate::postgres::cluster().is_none() {
        return;
    }
    let march = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let app = crate::helpers::spawn_app_with(
        Backend::Postgres,
        crate::helpers::AppOptions {
            clock: hailong::app::Clock::fixed_on(march),
            ..Default::default()
        },
    )
    .await;
    // Ids sent in descending order: arrival order is the reverse of id order.
    let mut arrival: Vec<String> = (0..12).map(|_| new_id()).collect();
    arrival.sort();
    arrival.reverse();
    for id in &arrival {
        let sent = app
            .post_json(
                "/api/v1/surveys/health-outpatient/responses",
                &valid_health_submission(id),
            )
            .await;
        assert_eq!(sent.status(), 201);
    }
    let mut by_id = arrival.clone();
    by_id.sort();
    assert_eq!(
        ids_in_heap_order(app.db()),
        arrival,
        "the day's rows are in arrival order while the day lasts"
    );

    // A paper batch keyed in descending id order is stored in id order.
    let mut paper: Vec<String> = (0..6).map(|_| new_id()).collect();
    paper.sort();
    paper.reverse();
    let mut csv = String::from("id,unit,submitted_on,A1\n");
    for id in &paper {
        csv.push_str(&format!("{id},bv-dk-kien-giang,2026-03-02,4\n"));
    }
    app.import_csv("health-outpatient", &csv);
    let heap = ids_in_heap_order(app.db());
    let imported: Vec<&String> = heap.iter().filter(|id| paper.contains(id)).collect();
    let mut paper_by_id = paper.clone();
    paper_by_id.sort();
    assert_eq!(imported, paper_by_id.iter().collect::<Vec<_>>());

    // Comments already filed as feedback items do not stop the rewrite
    // (their reference to the response is checked at commit).
    assert_eq!(
        hailong::services::feedback::file_new_comments(app.db(), march.succ_opt().unwrap())
            .unwrap(),
        arrival.len()
    );

    // The service, started on a later day, rewrites the earlier days.
    let (mut server, _) = crate::helpers::serve_binary(
        crate::helpers::hailong_command(app.database_url(), &crate::helpers::repo_definitions()),
        &[],
        std::process::Stdio::null(),
    );
    let mut all_by_id: Vec<String> = arrival.iter().chain(&paper).cloned().collect();
    all_by_id.sort();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut heap = ids_in_heap_order(app.db());
    while heap != all_by_id && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        heap = ids_in_heap_order(app.db());
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(
        heap, all_by_id,
        "earlier days are in id order, nothing lost"
    );

    let filed: Vec<String> = {
        use diesel::prelude::*;
        use hailong::db::schema::{feedback, responses};
        feedback::table
            .inner_join(responses::table)
            .select(responses::id)
            .order(responses::id)
            .load(&mut *app.db().reader().unwrap())
            .unwrap()
    };
    let mut arrival_by_id = arrival.clone();
    arrival_by_id.sort();
    assert_eq!(filed, arrival_by_id, "every item still has its response");

    // Done once: a second pass for the same day moves nothing.
    let today = hailong::app::Clock::System.today();
    assert_eq!(
        hailong::services::collect::settle_arrival_order(app.db(), today).unwrap(),
        0
    );
}
