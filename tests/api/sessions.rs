//! Sessions end for real: logout, a password change and disabling end every
//! copy of a session cookie, on every instance; re-enabling an account does
//! not revive old cookies; a session in constant use still ends at its
//! absolute lifetime.

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::{CookieStore, Jar};

use crate::both_backends;
use crate::helpers::{spawn_app_with, AppOptions, Backend, TestApp};
use crate::staff::{create_user, sign_in, sign_out, status_of, PASSWORD};

both_backends!(copied_cookies_end_with_the_session);

/// A browser with its own cookie jar, which a test can read and copy.
fn browser_with_jar() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (client, jar)
}

/// A second browser holding a copy of `jar`'s cookies for `app`.
fn copy_of(app: &TestApp, jar: &Jar) -> reqwest::Client {
    let url: reqwest::Url = app.address.parse().unwrap();
    let cookies = jar.cookies(&url).expect("a session cookie");
    let copy = Arc::new(Jar::default());
    for cookie in cookies.to_str().unwrap().split("; ") {
        copy.add_cookie_str(cookie, &url);
    }
    reqwest::Client::builder()
        .cookie_provider(copy)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn signed_in_with_copy(app: &TestApp, username: &str) -> (reqwest::Client, reqwest::Client) {
    let (client, jar) = browser_with_jar();
    assert_eq!(sign_in(app, &client, username, PASSWORD).await.0, 303);
    let copy = copy_of(app, &jar);
    assert_eq!(
        status_of(app, &copy, "/dashboard").await.0,
        200,
        "the copy works at first"
    );
    (client, copy)
}

async fn copied_cookies_end_with_the_session(backend: Backend) {
    let key = actix_web::cookie::Key::generate();
    let app = spawn_app_with(
        backend,
        AppOptions {
            session_key: Some(key.clone()),
            ..AppOptions::default()
        },
    )
    .await;
    create_user(&app, "ha1", "home-affairs", None).await;
    // A second instance of the service on the same database and key.
    let second = spawn_app_with(
        backend,
        AppOptions {
            database_url: Some(app.database_url().to_string()),
            session_key: Some(key),
            ..AppOptions::default()
        },
    )
    .await;

    // Logout on one instance ends every copy of the cookie on both.
    let (client, copy) = signed_in_with_copy(&app, "ha1").await;
    assert_eq!(
        status_of(&second, &copy, "/dashboard").await.0,
        200,
        "the second instance accepts the session"
    );
    assert_eq!(sign_out(&app, &client).await, 303);
    assert_eq!(
        status_of(&app, &copy, "/dashboard").await.0,
        303,
        "logout ends the copy"
    );
    assert_eq!(
        status_of(&second, &copy, "/dashboard").await.0,
        303,
        "and on the second instance"
    );

    // A password change ends every session.
    let (_, copy) = signed_in_with_copy(&app, "ha1").await;
    let mut change = app.command();
    change
        .args(["user", "password", "ha1", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut child = change.spawn().unwrap();
    {
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        status_of(&app, &copy, "/dashboard").await.0,
        303,
        "password change"
    );

    // Disabling ends it, and enabling again does not bring it back.
    let (_, copy) = signed_in_with_copy(&app, "ha1").await;
    app.cli_ok(&["user", "disable", "ha1"]);
    app.cli_ok(&["user", "enable", "ha1"]);
    assert_eq!(
        status_of(&app, &copy, "/dashboard").await.0,
        303,
        "re-enabled"
    );
}

#[tokio::test]
async fn a_session_in_constant_use_ends_at_its_lifetime() {
    let app = spawn_app_with(
        Backend::Sqlite,
        AppOptions {
            session_lifetime: Duration::from_secs(2),
            ..AppOptions::default()
        },
    )
    .await;
    create_user(&app, "ha1", "home-affairs", None).await;
    let (client, _jar) = browser_with_jar();
    assert_eq!(sign_in(&app, &client, "ha1", PASSWORD).await.0, 303);
    // Used every half second: never idle, yet over after its lifetime.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(status_of(&app, &client, "/dashboard").await.0);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(statuses[0], 200);
    assert_eq!(*statuses.last().unwrap(), 303, "{statuses:?}");
}

/// Forty sign-ins with wrong passwords at once: at most the five free
/// attempts reach a password check, the rest are refused at once with 429,
/// and none fails with a server error.
#[tokio::test]
async fn a_burst_of_sign_ins_is_refused_early() {
    let app = spawn_app_with(Backend::Sqlite, AppOptions::default()).await;
    create_user(&app, "ha1", "home-affairs", None).await;
    let mut forms = Vec::new();
    for _ in 0..40 {
        let (client, _) = browser_with_jar();
        let page = client
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        forms.push((client, crate::staff::csrf_of(&page)));
    }
    let attempts = forms.into_iter().map(|(client, csrf)| {
        let url = app.url("/login");
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", "ha1"),
                    ("password", "not the password at all"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let refused = statuses.iter().filter(|&&s| s == 429).count();
    assert!(checked <= 5, "{statuses:?}");
    assert_eq!(checked + refused, 40, "{statuses:?}");
}
