//! The feedback loop and the public results page, through HTTP: who may
//! see and answer which comments, what is hidden, what is audited, what the
//! public sees, and late results with apologies per service point.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{spawn_app_with, AppOptions, Backend, TestApp};
use crate::staff::{browser, create_user, csrf_of, signed_in};
use hailong::app::Clock;
use hailong::db::audit::{filtered, AuditFilter};

both_backends!(
    feedback_is_handled_by_its_department_only_and_audited,
    the_public_page_shows_the_index_api_figures_and_published_answers_only,
    late_results_and_apologies_per_service_point,
    comments_are_filed_page_by_page_each_once,
);

const TODAY: (i32, u32, u32) = (2026, 5, 20);
const TODAY_MD: (u32, u32) = (TODAY.1, TODAY.2);

async fn app_on_today(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        AppOptions {
            clock: Clock::fixed_on(
                chrono::NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap(),
            ),
            ..AppOptions::default()
        },
    )
    .await
}

/// Health responses dated in the first quarter and in May, some with
/// comments; a second hospital's two responses of May stay below the
/// threshold.
fn import_health(app: &TestApp) {
    let mut csv = String::from("unit,submitted_on,A1,comment\n");
    for comment in [
        "Chờ lâu quá, gọi tôi 0912345678",
        "Nhân viên tận tình",
        "Nhà vệ sinh bẩn",
        "",
        "",
    ] {
        csv.push_str(&format!("bv-dk-kien-giang,2026-03-10,4,\"{comment}\"\n"));
    }
    for comment in ["Cần thêm ghế chờ", "", "", "", ""] {
        csv.push_str(&format!("bv-dk-kien-giang,2026-05-18,5,\"{comment}\"\n"));
    }
    csv.push_str("bv-san-nhi-an-giang,2026-05-19,2,Bí mật nhỏ\n");
    csv.push_str("bv-san-nhi-an-giang,2026-05-19,3,\n");
    app.import_csv("health-outpatient", &csv);
    // Filed, as the service files them, once each day is over.
    for filed_on in [(3, 11), (5, 19), (5, 20)] {
        file_comments(app, day(filed_on));
    }
}

fn day((month, day): (u32, u32)) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn file_comments(app: &TestApp, today: chrono::NaiveDate) -> usize {
    hailong::services::feedback::file_new_comments(app.db(), today).unwrap()
}

async fn text(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The item keys linked from a list page, in page order.
fn item_keys(page: &str, department: &str) -> Vec<String> {
    let marker = format!("href=\"/feedback/{department}/");
    page.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            rest[..rest.find('?').unwrap()].to_string()
        })
        .collect()
}

/// The key of the item whose card shows `comment`.
fn key_of(page: &str, department: &str, comment: &str) -> String {
    let at = page
        .find(comment)
        .unwrap_or_else(|| panic!("{comment} listed"));
    item_keys(&page[at..], department)[0].clone()
}

async fn post_item(
    app: &TestApp,
    client: &reqwest::Client,
    department: &str,
    key: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let path = format!("/feedback/{department}/{key}");
    let (_, page) = text(client, app, &path).await;
    let csrf = if page.contains("name=\"csrf\"") {
        csrf_of(&page)
    } else {
        // Not the caller's page: any token, the route refuses first.
        let (_, dashboard) = text(client, app, "/glossary").await;
        csrf_of(&dashboard)
    };
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = client
        .post(app.url(&path))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn audit_of(app: &TestApp) -> Vec<hailong::db::audit::AuditRow> {
    let filter = AuditFilter {
        actor: None,
        action: Some("feedback.".into()),
        from: None,
        to: None,
    };
    filtered(&mut app.ctx.db.reader().unwrap(), &filter, 100).unwrap()
}

async fn feedback_is_handled_by_its_department_only_and_audited(backend: Backend) {
    let app = app_on_today(backend).await;
    import_health(&app);
    create_user(&app, "health1", "department", Some("health")).await;
    create_user(&app, "edu1", "department", Some("education")).await;
    create_user(&app, "ha1", "home-affairs", None).await;
    create_user(&app, "admin1", "admin", None).await;
    let health = signed_in(&app, "health1").await;
    let education = signed_in(&app, "edu1").await;
    let home = signed_in(&app, "ha1").await;
    let admin = signed_in(&app, "admin1").await;

    // The department's list: masked comments of cells at the threshold,
    // the small cell's comment hidden and counted.
    let (status, list) = text(&health, &app, "/feedback/health?period=2026-Q1").await;
    assert_eq!(status, 200);
    assert!(list.contains("Chờ lâu quá, gọi tôi [số điện thoại]"));
    assert!(!list.contains("0912345678"));
    assert_eq!(item_keys(&list, "health").len(), 3);
    let (_, year) = text(&health, &app, "/feedback/health").await;
    assert!(!year.contains("Bí mật nhỏ"), "a cell of two stays hidden");
    assert!(
        year.contains("Một số ý kiến chưa hiển thị") && !year.contains("1 ý kiến chưa"),
        "how many of a small cell commented is not said"
    );
    // An empty period in the filter form means the last twelve months.
    let (_, empty) = text(&health, &app, "/feedback/health?period=&status=").await;
    assert_eq!(item_keys(&empty, "health"), item_keys(&year, "health"));

    // A comment sent today is filed once the day is over, not before.
    let today_comment = serde_json::json!({"id": crate::helpers::new_id(), "unit": "bv-dk-kien-giang",
        "answers": {"A1": 4}, "comment": "Hôm nay đông quá"});
    assert_eq!(
        app.post_json(
            "/api/v1/surveys/health-outpatient/responses",
            &today_comment
        )
        .await
        .status(),
        201
    );
    assert_eq!(file_comments(&app, day(TODAY_MD)), 0);
    let (_, still) = text(&health, &app, "/feedback/health").await;
    assert!(!still.contains("Hôm nay đông quá"));
    assert_eq!(file_comments(&app, day((5, 21))), 1);
    let (_, next_day) = text(&health, &app, "/feedback/health").await;
    assert!(next_day.contains("Hôm nay đông quá"));
    // Never a response id in a staff page.
    let ids: Vec<String> = app.stored_rows().into_iter().map(|r| r.id).collect();
    assert!(ids.iter().all(|id| !list.contains(id.as_str())));
    let slow = key_of(&list, "health", "Chờ lâu quá");
    let kind = key_of(&list, "health", "Nhân viên tận tình");
    let (_, may) = text(&health, &app, "/feedback/health").await;
    let chairs = key_of(&may, "health", "Cần thêm ghế chờ");
    let hidden_key = {
        let all: Vec<String> = {
            let mut conn = app.ctx.db.reader().unwrap();
            use diesel::prelude::*;
            hailong::db::schema::feedback::table
                .select(hailong::db::schema::feedback::key)
                .load(&mut *conn)
                .unwrap()
        };
        let (_, all_shown) = text(&health, &app, "/feedback/health").await;
        all.into_iter()
            .find(|k| !all_shown.contains(k.as_str()))
            .expect("the hidden cell's item exists")
    };

    // Who may open what.
    for (client, path, expected) in [
        (&education, "/feedback/health".to_string(), 403),
        (&home, "/feedback/health".to_string(), 403),
        (&admin, "/feedback/health".to_string(), 403),
        (&browser(), "/feedback/health".to_string(), 303),
        (&education, format!("/feedback/health/{slow}"), 403),
        (&education, format!("/feedback/education/{slow}"), 404),
        (&home, format!("/feedback/health/{slow}"), 403),
        (&health, format!("/feedback/health/{hidden_key}"), 404),
        (&health, format!("/feedback/health/{slow}"), 200),
        (&health, "/feedback/health?status=closed".to_string(), 422),
        (
            &health,
            "/feedback/health?unit=thpt-long-xuyen".to_string(),
            422,
        ),
        (&home, "/feedback".to_string(), 200),
        (&admin, "/feedback".to_string(), 403),
        (&health, "/feedback".to_string(), 303),
    ] {
        assert_eq!(text(client, &app, &path).await.0, expected, "{path}");
    }
    assert_eq!(
        post_item(
            &app,
            &education,
            "education",
            &slow,
            &[("status", "no_action")]
        )
        .await
        .0,
        404,
        "another department's item is not found under one's own"
    );
    assert_eq!(
        post_item(
            &app,
            &education,
            "health",
            &slow,
            &[("status", "no_action")]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        post_item(
            &app,
            &health,
            "health",
            &hidden_key,
            &[("status", "no_action")]
        )
        .await
        .0,
        404,
        "a hidden item cannot be answered"
    );

    // Refusals name the field and keep what was typed.
    let (status, page) = post_item(
        &app,
        &health,
        "health",
        &slow,
        &[
            ("status", "answered"),
            ("internal_note", "Hỏi khoa khám bệnh"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("public_answer"));
    assert!(
        page.contains("Hỏi khoa khám bệnh"),
        "the note typed is kept"
    );
    let (status, page) = post_item(
        &app,
        &health,
        "health",
        &slow,
        &[("status", "new"), ("topic", "weather")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("topic"));
    let (status, _) = post_item(&app, &health, "health", &slow, &[("status", "done")]).await;
    assert_eq!(status, 422);
    assert!(audit_of(&app).is_empty(), "nothing refused is recorded");

    // Answer two, close one; each change audited under the staff name.
    let answer = "Bệnh viện đã bố trí thêm hai bàn tiếp đón vào giờ cao điểm.";
    for (key, fields) in [
        (
            &slow,
            vec![
                ("status", "answered"),
                ("topic", "time"),
                ("element", "A"),
                ("public_answer", answer),
                ("internal_note", "Khoa khám bệnh"),
            ],
        ),
        (
            &chairs,
            vec![("status", "answered"), ("public_answer", "Đã thêm 20 ghế.")],
        ),
        (&kind, vec![("status", "no_action"), ("topic", "attitude")]),
    ] {
        let (status, _) = post_item(&app, &health, "health", key, &fields).await;
        assert_eq!(status, 303, "{key}");
    }
    let entries = audit_of(&app);
    assert_eq!(entries.len(), 3);
    assert!(entries
        .iter()
        .all(|e| e.actor == "health1" && e.action == "feedback.update"));
    assert!(entries
        .iter()
        .any(|e| e.detail.contains(&slow) && e.detail.contains("status new -> answered")));
    assert!(
        entries.iter().all(|e| !e.detail.contains("bàn tiếp đón")),
        "answers are not copied into the log"
    );

    // Counts: 48 working days for the March comment (weekends and the
    // holidays of 27 and 30 April and 1 May left out, by hand), 2 for the
    // May one; the third March comment is open past its 15 days, and the
    // one closed without an answer was closed after them: both due, late.
    let (_, overview) = text(&home, &app, "/feedback?period=2026-Q1").await;
    assert!(overview.contains("Sở Y tế"));
    let (_, q1) = text(&health, &app, "/feedback/health?period=2026-Q1").await;
    for expected in [
        "<dt>Mới</dt><dd>1</dd>",
        "<dt>Đã trả lời</dt><dd>1</dd>",
        "<dt>Không cần xử lý</dt><dd>1</dd>",
        "48,0 ngày làm việc",
        "0,0\u{a0}% (0/3)",
    ] {
        assert!(q1.contains(expected), "{expected}");
    }
    let (_, year) = text(&health, &app, "/feedback/health").await;
    for expected in ["25,0 ngày làm việc", "25,0\u{a0}% (1/4)"] {
        assert!(year.contains(expected), "{expected}");
    }
    // The same counts in the export and the report.
    let token = app.create_token(&["--role", "home-affairs", "--name", "t"]);
    let rows: Vec<Value> = app
        .get_as(Some(&token), "/export/indices.json?period=2026-Q1")
        .await
        .json()
        .await
        .unwrap();
    let figure = |key: &str| {
        rows.iter()
            .find(|r| r["level"] == "feedback" && r["department"] == "health" && r["key"] == key)
            .unwrap_or_else(|| panic!("{key}"))
            .clone()
    };
    assert_eq!(figure("answered")["n"], 1);
    assert_eq!(figure("hidden")["n"], 0);
    assert_eq!(figure("hidden")["suppressed"], false);
    assert_eq!(figure("median_days_to_answer")["estimate"], 48.0);
    assert_eq!(figure("answered_in_time")["n"], 3);
    assert_eq!(figure("answered_in_time")["estimate"], 0.0);
}

async fn the_public_page_shows_the_index_api_figures_and_published_answers_only(backend: Backend) {
    let app = app_on_today(backend).await;
    import_health(&app);
    create_user(&app, "health1", "department", Some("health")).await;
    let health = signed_in(&app, "health1").await;
    let (_, list) = text(&health, &app, "/feedback/health").await;
    let slow = key_of(&list, "health", "Chờ lâu quá");
    let chairs = key_of(&list, "health", "Cần thêm ghế chờ");
    let published = "Bệnh viện đã bố trí thêm hai bàn tiếp đón.";
    let draft = "Bản nháp chưa gửi đi";
    assert_eq!(
        post_item(
            &app,
            &health,
            "health",
            &slow,
            &[
                ("status", "answered"),
                ("topic", "time"),
                ("public_answer", published),
                ("internal_note", "Nội bộ thôi")
            ]
        )
        .await
        .0,
        303
    );
    assert_eq!(
        post_item(
            &app,
            &health,
            "health",
            &chairs,
            &[("status", "in_progress"), ("public_answer", draft)]
        )
        .await
        .0,
        303
    );

    let anonymous = browser();
    let response = anonymous
        .get(app.url("/results/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public, max-age="));
    let page = response.text().await.unwrap();
    assert!(page.contains(published));
    assert!(page.contains("Thời gian giải quyết, trễ hẹn"), "the topic");
    assert!(
        !page.contains(draft),
        "an answer not yet given is not published"
    );
    assert!(!page.contains("Nội bộ thôi"), "internal notes never");
    assert!(!page.contains("Chờ lâu quá"), "comments are not published");
    assert!(page.len() < 20_000, "light: {} bytes", page.len());

    // The latest complete quarter, as the index API gives it.
    let token = app.create_token(&["--role", "home-affairs", "--name", "t"]);
    let vi = hailong::i18n::Lang::Vi;
    let api: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q1",
        )
        .await
        .json()
        .await
        .unwrap();
    let overall = &api["overall"];
    let before = hailong::i18n::percent(
        hailong::i18n::Lang::En,
        overall["estimate"].as_f64().unwrap(),
    );
    let shown = format!(
        "{}</strong> ({} – {}), {} người trả lời",
        hailong::i18n::percent(vi, overall["estimate"].as_f64().unwrap()),
        hailong::i18n::percent(vi, overall["ci_low"].as_f64().unwrap()),
        hailong::i18n::percent(vi, overall["ci_high"].as_f64().unwrap()),
        overall["n"]
    );
    assert!(page.contains(&shown), "{shown}");
    assert!(page.contains("quý I năm 2026"));
    assert!(
        page.contains("(chưa có phiếu)"),
        "a hospital without responses"
    );

    // Two responses at a second hospital: that cell is suppressed and the
    // province's figure, which would reveal them by difference, withheld,
    // as the API says. (The English page is computed afresh.)
    app.import_csv(
        "health-outpatient",
        "unit,submitted_on,A1\nbv-san-nhi-an-giang,2026-03-11,2\nbv-san-nhi-an-giang,2026-03-11,3\n",
    );
    let api: Value = app
        .get_as(
            Some(&token),
            "/api/v1/indices?survey=health-outpatient&period=2026-Q1",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["overall"]["suppressed"], true);
    assert!(api["overall"]["estimate"].is_null());
    let english = anonymous
        .get(app.url("/results/health?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Overall satisfaction: <strong><span class=\"suppressed\">withheld"));
    assert!(english.contains("(fewer than 5 respondents)"));
    assert!(
        !english.contains(&before),
        "{before}: the figure of the five first respondents is withheld everywhere"
    );

    // A department that does not publish has no page; the thank-you page
    // links to a published one.
    assert_eq!(
        anonymous
            .get(app.url("/results/education"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        anonymous
            .get(app.url("/results/home-affairs"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let index = anonymous
        .get(app.url("/results"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("/results/health") && !index.contains("/results/education"));
    let thanks = anonymous
        .get(app.url("/s/health-outpatient/thanks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(thanks.contains("href=\"/results/health?lang=vi\""));
    let thanks = anonymous
        .get(app.url("/s/education/thanks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!thanks.contains("/results/"));
}

async fn late_results_and_apologies_per_service_point(backend: Backend) {
    let app = app_on_today(backend).await;
    // Ten answers at one desk: six late, five of them with an apology.
    let mut csv = String::from("unit,submitted_on,A1,ONTIME,LATE_APOLOGY\n");
    for (ontime, apology) in [
        ("late", "1"),
        ("late", "1"),
        ("late", "1"),
        ("late", "1"),
        ("late", "1"),
        ("late", "0"),
        ("ontime", ""),
        ("ontime", ""),
        ("early", ""),
        ("ontime", ""),
    ] {
        csv.push_str(&format!(
            "hcc-rach-gia-xd,2026-02-03,4,{ontime},{apology}\n"
        ));
    }
    app.import_csv("construction-permit", &csv);
    let token = app.create_token(&["--role", "home-affairs", "--name", "t"]);
    let rows: Vec<Value> = app
        .get_as(
            Some(&token),
            "/export/indices.json?period=2026-Q1&department=construction",
        )
        .await
        .json()
        .await
        .unwrap();
    let share = |key: &str| {
        rows.iter()
            .find(|r| {
                r["survey"] == "construction-permit"
                    && r["unit"] == "hcc-rach-gia-xd"
                    && r["key"] == key
            })
            .unwrap_or_else(|| panic!("{key}"))
            .clone()
    };
    // Wilson 95 % by hand (z = 1.959964): 6/10 and 5/6.
    let late = share("ONTIME=late");
    assert_eq!(late["n"], 10);
    assert!((late["estimate"].as_f64().unwrap() - 0.6).abs() < 1e-12);
    assert!((late["ci_low"].as_f64().unwrap() - 0.312_673_769_7).abs() < 1e-6);
    assert!((late["ci_high"].as_f64().unwrap() - 0.831_819_670_3).abs() < 1e-6);
    let apology = share("LATE_APOLOGY=yes");
    assert_eq!(apology["n"], 6);
    assert!((apology["estimate"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-12);
    assert!((apology["ci_low"].as_f64().unwrap() - 0.436_497_177_8).abs() < 1e-6);
    assert!((apology["ci_high"].as_f64().unwrap() - 0.969_946_630_3).abs() < 1e-6);

    create_user(&app, "xd1", "department", Some("construction")).await;
    let client = signed_in(&app, "xd1").await;
    let (_, page) = text(&client, &app, "/dashboard/construction?period=2026-Q1").await;
    assert!(page.contains("Trả kết quả trễ hẹn và xin lỗi"));
    assert!(page.contains("60,0\u{a0}%") && page.contains("83,3\u{a0}%"));
    let (_, report) = text(
        &client,
        &app,
        "/report?period=2026-Q1&department=construction",
    )
    .await;
    assert!(report.contains("trễ hẹn 60,0"), "the report says it");
}

/// More comments than one page of filing (500): each gets one item, in
/// one pass, and filing again makes none; comments of the day not yet over
/// wait.
async fn comments_are_filed_page_by_page_each_once(backend: Backend) {
    let app = app_on_today(backend).await;
    let mut csv = String::from("unit,submitted_on,A1,comment\n");
    for i in 0..1_203 {
        csv.push_str(&format!("bv-dk-kien-giang,2026-05-18,4,Ý kiến {i}\n"));
    }
    csv.push_str("bv-dk-kien-giang,2026-05-19,4,Chưa hết ngày\n");
    csv.push_str("bv-dk-kien-giang,2026-05-18,4,\n");
    assert_eq!(
        app.import_csv("health-outpatient", &csv),
        "imported 1205, replays 0"
    );
    assert_eq!(file_comments(&app, day((5, 19))), 1_203);
    assert_eq!(file_comments(&app, day((5, 19))), 0, "each comment once");
    assert_eq!(file_comments(&app, day((5, 20))), 1, "the next day's");
    let mut conn = app.db().reader().unwrap();
    let items: i64 = diesel::RunQueryDsl::get_result(
        diesel::QueryDsl::count(hailong::db::schema::feedback::table),
        &mut *conn,
    )
    .unwrap();
    assert_eq!(items, 1_204);
}
