//! Staff accounts, sessions and dashboards, through HTTP.

use std::time::Duration;

use hailong::services::access::accounts;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{new_id, spawn_app, spawn_app_with, AppOptions, Backend, TestApp};
use hailong::app::Clock;

both_backends!(
    authorization_matrix,
    login_logout_and_csrf,
    disabled_accounts_lose_access,
    dashboard_numbers_equal_api_numbers_and_small_cells_are_hidden,
    comments_are_masked_and_shown_only_for_large_enough_cells,
);

pub const PASSWORD: &str = "a long enough password";

pub async fn create_user(app: &TestApp, username: &str, role: &str, department: Option<&str>) {
    let services = app.ctx.clone();
    let (username, role, department) = (
        username.to_string(),
        role.to_string(),
        department.map(str::to_string),
    );
    tokio::task::spawn_blocking(move || {
        let role = hailong::domain::RoleKind::parse(&role).expect("a role");
        accounts::create_user(
            &services,
            &username,
            role,
            department.as_deref(),
            PASSWORD,
            "test",
        )
        .unwrap();
    })
    .await
    .unwrap();
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Opens the sign-in form and sends it with `fields` and its CSRF token.
pub async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Signs out with the session's CSRF token; returns the status.
pub async fn sign_out(app: &TestApp, client: &reqwest::Client) -> u16 {
    let csrf = session_csrf(app, client, "/dashboard").await;
    client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs in; returns the status and Location of the answer.
pub async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> (u16, String) {
    let response = post_login(
        app,
        client,
        &[("username", username), ("password", password), ("next", "")],
    )
    .await;
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

pub async fn signed_in(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let (status, _) = sign_in(app, &client, username, PASSWORD).await;
    assert_eq!(status, 303, "{username} signs in");
    client
}

/// The CSRF token of the signed-in session, read from a page's sign-out form.
pub async fn session_csrf(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    csrf_of(
        &client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
}

pub async fn status_of(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

async fn authorization_matrix(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "admin1", "admin", None).await;
    create_user(&app, "ha1", "home-affairs", None).await;
    create_user(&app, "health1", "department", Some("health")).await;
    create_user(&app, "victim", "department", Some("education")).await;
    let anonymous = browser();
    let clients = [
        ("anonymous", anonymous),
        ("admin", signed_in(&app, "admin1").await),
        ("home-affairs", signed_in(&app, "ha1").await),
        ("department", signed_in(&app, "health1").await),
    ];
    // (route, [anonymous, admin, home-affairs, department of health])
    let matrix: [(&str, [u16; 4]); 14] = [
        ("/dashboard", [303, 403, 200, 403]),
        ("/dashboard/health", [303, 403, 200, 200]),
        ("/dashboard/education", [303, 403, 200, 403]),
        ("/dashboard/home-affairs", [303, 403, 404, 403]),
        ("/dashboard/nowhere", [303, 403, 404, 403]),
        ("/admin/users", [303, 200, 403, 403]),
        ("/admin/audit", [303, 200, 403, 403]),
        ("/feedback", [303, 403, 200, 303]),
        ("/feedback/health", [303, 403, 403, 200]),
        ("/feedback/education", [303, 403, 403, 403]),
        ("/feedback/nowhere", [303, 403, 403, 403]),
        (
            "/feedback/health/0123456789abcdef0123456789abcdef",
            [303, 403, 403, 404],
        ),
        ("/results", [200, 200, 200, 200]),
        ("/results/health", [200, 200, 200, 200]),
    ];
    for (path, expected) in matrix {
        for ((who, client), status) in clients.iter().zip(expected) {
            let (actual, location) = status_of(&app, client, path).await;
            assert_eq!(actual, status, "{who} GET {path}");
            if status == 303 && *who == "anonymous" {
                let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
                assert_eq!(location, format!("/login?next={next}"), "{who} GET {path}");
            }
        }
    }
    // The state-changing admin form, with each caller's own valid CSRF token.
    for ((who, client), status) in clients.iter().zip([303, 303, 403, 403]) {
        let csrf = if *who == "anonymous" {
            String::new()
        } else {
            session_csrf(&app, client, "/dashboard/health").await
        };
        let response = client
            .post(app.url("/admin/users/victim/disable"))
            .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{who} POST disable");
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        match *who {
            "anonymous" => assert!(location.unwrap().starts_with("/login")),
            "admin" => assert!(location.unwrap().starts_with("/admin/users")),
            _ => {}
        }
    }
    let rows = hailong::db::users::list(&mut app.db().reader().unwrap()).unwrap();
    assert!(
        rows.iter()
            .find(|u| u.username == "victim")
            .unwrap()
            .disabled,
        "only the admin's request took effect"
    );
}

async fn login_logout_and_csrf(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "ha1", "home-affairs", None).await;
    create_user(&app, "health1", "department", Some("health")).await;
    let client = browser();
    let (status, _) = sign_in(&app, &client, "ha1", "wrong password here").await;
    assert_eq!(status, 401);
    let (status, _) = sign_in(&app, &client, "nobody", PASSWORD).await;
    assert_eq!(status, 401, "an unknown user fails like a wrong password");
    let (status, location) = sign_in(&app, &client, "ha1", PASSWORD).await;
    assert_eq!((status, location.as_str()), (303, "/dashboard?lang=vi"));
    let (status, location) = sign_in(&app, &browser(), "health1", PASSWORD).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/dashboard/health?lang=vi"),
        "a department user lands on its department"
    );

    // The session cookie: HttpOnly, SameSite=Strict, encrypted (no readable user id).
    let fresh = browser();
    let page = fresh.get(app.url("/login")).send().await.unwrap();
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    // A login form without the session's CSRF token is refused.
    let refused = browser()
        .post(app.url("/login"))
        .form(&[
            ("csrf", "forged"),
            ("username", "ha1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // Sign out needs the CSRF token too.
    let refused = client
        .post(app.url("/logout"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        status_of(&app, &client, "/dashboard").await.0,
        200,
        "still signed in"
    );
    assert_eq!(sign_out(&app, &client).await, 303);
    assert_eq!(
        status_of(&app, &client, "/dashboard").await.0,
        303,
        "signed out"
    );

    // Repeated failures slow down: the sixth attempt in a row must wait.
    let attacker = browser();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, &attacker, "health1", "not the password!")
                .await
                .0,
            401
        );
    }
    let page = attacker
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let throttled = attacker
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("username", "health1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), 429, "even the right password waits");
    assert!(throttled.headers().get("retry-after").is_some());

    // Passwords need twelve characters.
    let services = app.ctx.clone();
    let short = tokio::task::spawn_blocking(move || {
        accounts::create_user(
            &services,
            "shorty",
            hailong::domain::RoleKind::HomeAffairs,
            None,
            "elevenchars",
            "test",
        )
    })
    .await
    .unwrap();
    assert!(matches!(short, Err(accounts::AccountError::WeakPassword)));
    let out = app
        .command()
        .args([
            "user",
            "create",
            "--username",
            "shorty",
            "--role",
            "home-affairs",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"short\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));

    // Logins, failed logins and sign-outs are in the audit log.
    let audit = hailong::db::audit::recent(&mut app.db().reader().unwrap(), 100).unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.actor.as_str(), a.action.as_str()))
        .collect();
    for expected in [
        ("ha1", "login"),
        ("ha1", "login.failed"),
        ("nobody", "login.failed"),
        ("ha1", "logout"),
        ("test", "account.create"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
}

async fn disabled_accounts_lose_access(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "health1", "department", Some("health")).await;
    let client = signed_in(&app, "health1").await;
    assert_eq!(status_of(&app, &client, "/dashboard/health").await.0, 200);
    app.cli_ok(&["user", "disable", "health1"]);
    assert_eq!(
        status_of(&app, &client, "/dashboard/health").await.0,
        303,
        "the open session ends"
    );
    assert_eq!(
        sign_in(&app, &browser(), "health1", PASSWORD).await.0,
        401,
        "a disabled account cannot sign in"
    );
    app.cli_ok(&["user", "enable", "health1"]);
    assert_eq!(sign_in(&app, &browser(), "health1", PASSWORD).await.0, 303);
}

#[tokio::test]
async fn sessions_expire_after_inactivity() {
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            session_idle: Duration::from_secs(1),
            ..AppOptions::default()
        },
    )
    .await;
    create_user(&app, "ha1", "home-affairs", None).await;
    let client = signed_in(&app, "ha1").await;
    assert_eq!(status_of(&app, &client, "/dashboard").await.0, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, location) = status_of(&app, &client, "/dashboard").await;
    assert_eq!(status, 303);
    assert!(location.contains("expired=1"), "{location}");
}

/// Submits `count` health responses through the API with this comment.
async fn submit_health(app: &TestApp, count: usize, unit: &str, comment: &str) {
    for _ in 0..count {
        let body = json!({"id": new_id(), "unit": unit, "answers": {"A1": 4, "B1": 2, "D1": 5}, "comment": comment});
        assert_eq!(
            app.post_json("/api/v1/surveys/health-outpatient/responses", &body)
                .await
                .status(),
            201
        );
    }
}

fn current_quarter(app: &TestApp) -> String {
    hailong::domain::Period::quarter_of(
        app.ctx.clock.today(),
        hailong::domain::PeriodMode::Calendar,
    )
    .label()
}

async fn dashboard_numbers_equal_api_numbers_and_small_cells_are_hidden(backend: Backend) {
    // The application's "today" is fixed, so responses are dated in 2026-Q2;
    // the dashboard opens on the last complete quarter, 2026-Q1, and offers
    // 2026-Q2 as in progress.
    let app = spawn_app_with(
        backend,
        AppOptions {
            clock: Clock::fixed_on(chrono::NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()),
            ..AppOptions::default()
        },
    )
    .await;
    create_user(&app, "health1", "department", Some("health")).await;
    let client = signed_in(&app, "health1").await;
    submit_health(&app, 4, "bv-dk-kien-giang", "Quá ít phiếu để hiện").await;
    let quarter = "2026-Q2";
    assert_eq!(current_quarter(&app), quarter);
    let opening = client
        .get(app.url("/dashboard/health"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        opening.contains("<strong>quý I năm 2026</strong>"),
        "the last complete quarter"
    );
    assert!(opening.contains("<option value=\"2026-Q2\">quý II năm 2026 (đang diễn ra)</option>"));
    let page = client
        .get(app.url(&format!("/dashboard/health?period={quarter}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Chưa đủ người trả lời để công bố"),
        "four respondents are suppressed"
    );
    assert!(
        !page.contains("Quá ít phiếu để hiện"),
        "no comment from a suppressed cell"
    );

    submit_health(&app, 3, "bv-dk-kien-giang", "").await;
    let token = app.create_token(&[
        "--role",
        "department",
        "--department",
        "health",
        "--name",
        "t",
    ]);
    let api: serde_json::Value = app
        .get_as(
            Some(&token),
            &format!("/api/v1/indices?survey=health-outpatient&period={quarter}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let overall = api["overall"]["estimate"].as_f64().unwrap();
    let low = api["overall"]["ci_low"].as_f64().unwrap();
    let high = api["overall"]["ci_high"].as_f64().unwrap();
    let vi = hailong::i18n::Lang::Vi;
    let page = client
        .get(app.url(&format!("/dashboard/health?period={quarter}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shown = format!(
        "{} – {}",
        hailong::i18n::percent(vi, low),
        hailong::i18n::percent(vi, high)
    );
    assert!(
        page.contains(&format!(
            "class=\"big\">{}",
            hailong::i18n::percent(vi, overall)
        )),
        "overall as in the API"
    );
    assert!(page.contains(&shown), "interval {shown} as in the API");
    assert!(page.contains("n = 7"));
    // 7 pooled answers per respondent pattern: A1 4, B1 2, D1 5 -> 2 of 3 satisfied.
    assert!((overall - 2.0 / 3.0).abs() < 1e-12);
    assert!(page.contains("66,7\u{a0}%"), "Vietnamese number format");
    // The other hospitals have no responses: listed as coverage gaps.
    assert!(page.contains("Chưa có phiếu trong kỳ"));
    assert!(
        page.contains("<svg class=\"trend wide\"") && page.contains("<svg class=\"trend narrow\""),
        "the trend is drawn, for wide and for narrow screens"
    );
    let trend_row = format!(
        "<tr><td>quý II năm 2026</td><td class=\"num\">{}</td>",
        hailong::i18n::percent(vi, overall)
    );
    assert!(
        page.contains(&trend_row),
        "the trend's last quarter is the API's figure"
    );
    assert!(page.contains("<table"), "with a table alternative");

    let english = client
        .get(app.url(&format!("/dashboard/health?period={quarter}&lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains(&hailong::i18n::percent(hailong::i18n::Lang::En, overall)));

    let bad = client
        .get(app.url("/dashboard/health?period=2026-Q9"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("period"));
}

async fn comments_are_masked_and_shown_only_for_large_enough_cells(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(&app, "health1", "department", Some("health")).await;
    let client = signed_in(&app, "health1").await;
    // Comments of yesterday: today's wait until the day is over.
    let yesterday = app.ctx.clock.today().pred_opt().unwrap();
    let mut csv = String::from("unit,submitted_on,A1,comment\n");
    for _ in 0..5 {
        csv.push_str(&format!(
            "bv-dktt-an-giang,{yesterday},4,\"Gọi lại cho tôi 0912 345 678 hoặc tôi@example.vn, CCCD 089123456789\"\n"
        ));
    }
    for _ in 0..2 {
        csv.push_str(&format!(
            "tyt-phu-quoc,{yesterday},4,\"Trạm nhỏ, ý kiến riêng\"\n"
        ));
    }
    app.import_csv("health-outpatient", &csv);
    submit_health(&app, 5, "bv-dktt-an-giang", "Hôm nay mới gửi").await;
    let quarter =
        hailong::domain::Period::quarter_of(yesterday, hailong::domain::PeriodMode::Calendar);
    let page = client
        .get(app.url(&format!("/dashboard/health?period={}", quarter.label())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Gọi lại cho tôi [số điện thoại] hoặc [email], CCCD [số giấy tờ]"));
    for secret in ["0912 345 678", "example.vn", "089123456789"] {
        assert!(!page.contains(secret), "{secret} is masked");
    }
    assert!(
        !page.contains("Trạm nhỏ, ý kiến riêng"),
        "a service point under min_cell shows no comment"
    );
    assert!(
        !page.contains("Hôm nay mới gửi"),
        "today's comments are shown from tomorrow"
    );
}

/// The admin page speaks in names, asks before disabling, and shows the
/// audit log filtered by actor, action and day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_names_confirm_disabling_and_read_the_audit_log() {
    let app = spawn_app(Backend::Sqlite).await;
    create_user(&app, "quan-tri", "admin", None).await;
    create_user(&app, "nong-nghiep", "department", Some("natural-resources")).await;
    let admin = signed_in(&app, "quan-tri").await;
    let page = admin
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Cán bộ sở") && page.contains("Sở Nông nghiệp và Môi trường"),
        "names, not codes"
    );
    assert!(!page.contains(">department<") && !page.contains(">natural-resources<"));
    let csrf = session_csrf(&app, &admin, "/admin/users").await;
    let asked = admin
        .post(app.url("/admin/users/nong-nghiep/disable"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200, "asked first");
    assert!(asked
        .text()
        .await
        .unwrap()
        .contains("name=\"confirm\" value=\"yes\""));
    let still = hailong::db::users::list(&mut app.db().reader().unwrap()).unwrap();
    assert!(
        !still
            .iter()
            .find(|u| u.username == "nong-nghiep")
            .unwrap()
            .disabled
    );
    let done = admin
        .post(app.url("/admin/users/nong-nghiep/disable"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let now = hailong::db::users::list(&mut app.db().reader().unwrap()).unwrap();
    assert!(
        now.iter()
            .find(|u| u.username == "nong-nghiep")
            .unwrap()
            .disabled
    );

    let today = chrono::Utc::now().date_naive();
    let log = |query: String| {
        let admin = admin.clone();
        let url = app.url(&format!("/admin/audit?{query}"));
        async move { admin.get(url).send().await.unwrap() }
    };
    let page = log(format!(
        "actor=quan-tri&action=account.&from={today}&to={today}"
    ))
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("nong-nghiep"), "{page}");
    let none = log("actor=someone-else".into()).await.text().await.unwrap();
    assert!(!none.contains("nong-nghiep"));
    let earlier = log(format!("to={}", today - chrono::Duration::days(1)))
        .await
        .text()
        .await
        .unwrap();
    assert!(!earlier.contains("nong-nghiep"), "nothing before today");
    assert_eq!(log("from=yesterday".into()).await.status(), 422);
}
