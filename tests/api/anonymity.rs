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
