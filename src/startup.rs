//! Builds the actix application. Tests bind to port 0 and read the port back.

use std::net::TcpListener;

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::SameSite;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, Condition, DefaultHeaders, Logger};
use actix_web::{web::Data, App, HttpServer};

use crate::app::AppContext;
use crate::services::access::throttle::LoginThrottle;
use crate::web::session::WebSettings;

/// The access log: method, route template, status, size, duration. Never
/// the client address (`%a`), headers (`%{…}i`), bodies, or the path and
/// query themselves (`%r`, `%U`, `%q`): a timestamped `/s/health/thanks?unit=…`
/// would tell when someone at that service point answered, so a line names
/// `/s/{slug}/thanks` and no more.
pub const ACCESS_LOG_FORMAT: &str = "%{method}xi %{route}xi %s %b %Dms";

/// The access log, when its target logs at `info`. actix's `Logger`
/// renders every request's line and only then asks whether to write it:
/// about 2 % of the process under load (`perf`, 16 connections) with the
/// log off, as `bench/submit.sh` runs it (`RUST_LOG=warn`).
fn access_log() -> Condition<Logger> {
    let on = log::log_enabled!(target: "actix_web::middleware::logger", log::Level::Info);
    Condition::new(
        on,
        Logger::new(ACCESS_LOG_FORMAT)
            .custom_request_replace("method", |req| req.method().to_string())
            .custom_request_replace("route", |req| {
                req.match_pattern()
                    .unwrap_or_else(|| "(no route)".to_string())
            }),
    )
}

/// Open connections one worker serves at once; more wait in the backlog.
pub const MAX_CONNECTIONS_PER_WORKER: usize = 1024;

/// Seconds requests in flight get to finish after a stop signal.
pub const SHUTDOWN_GRACE_SECONDS: u64 = 30;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `bind` (port 0 picks a free port) and prepares `workers`
    /// worker threads (`None`: one per core).
    pub fn build(
        ctx: AppContext,
        bind: &str,
        settings: WebSettings,
        workers: Option<usize>,
    ) -> std::io::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let state = Data::new(ctx);
        let throttle = Data::new(LoginThrottle::default());
        // One queue of submissions (group commit) and one cache of public
        // pages for every worker.
        let submissions = Data::new(crate::services::collect::writer::SubmissionWriter::default());
        let public_pages = Data::new(crate::web::public::PublicPages::default());
        let settings = Data::new(settings);
        let server = HttpServer::new(move || {
            // An encrypted and signed cookie holds the whole session, so any
            // app instance can serve any staff member. It is only ever set
            // on staff pages: citizen pages never touch the session.
            let sessions = SessionMiddleware::builder(
                CookieSessionStore::default(),
                settings.session_key.clone(),
            )
            .cookie_name("hailong_session".into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Strict)
            .cookie_secure(settings.cookie_secure)
            .cookie_content_security(CookieContentSecurity::Private)
            .session_lifecycle(BrowserSession::default())
            .build();
            // The last wrap is the outermost: error pages are drawn first,
            // so the headers, compression and the log apply to them too.
            App::new()
                .wrap(from_fn(crate::web::error_pages))
                .wrap(crate::metrics::HTTP.clone())
                .wrap(access_log())
                .wrap(Compress::default())
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")),
                )
                .wrap(sessions)
                .wrap(from_fn(crate::web::head_as_get))
                .app_data(state.clone())
                .app_data(throttle.clone())
                .app_data(public_pages.clone())
                .app_data(submissions.clone())
                .app_data(settings.clone())
                .configure(crate::web::routes)
        });
        // A client gets a few seconds to send its request line and headers,
        // and each worker holds a bounded number of connections: stalled
        // clients cannot take every file descriptor.
        // On SIGTERM the listener closes at once and requests in
        // flight get this long to finish: more than a body may take
        // (HAILONG_BODY_TIMEOUT_SECONDS) plus a database wait.
        // TCP_NODELAY: a response written in pieces (a compressed or
        // streamed body ends with its own small chunk) would otherwise wait
        // for the client's delayed acknowledgement, 40 ms on Linux.
        let server = server
            .on_connect(|connection, _| {
                if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                    if let Err(e) = tcp.set_nodelay(true) {
                        log::debug!("TCP_NODELAY not set: {e}");
                    }
                }
            })
            .client_request_timeout(std::time::Duration::from_secs(5))
            .max_connections(MAX_CONNECTIONS_PER_WORKER)
            .shutdown_timeout(SHUTDOWN_GRACE_SECONDS);
        let server = match workers {
            Some(n) => server.workers(n),
            None => server,
        };
        let server = server.listen(listener)?.run();
        Ok(Application { port, server })
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

#[cfg(test)]
mod tests {
    use super::ACCESS_LOG_FORMAT;

    #[test]
    fn access_log_names_no_client_address_header_or_body() {
        for forbidden in ["%a", "}a", "}i", "%r", "%U", "%q"] {
            assert!(
                !ACCESS_LOG_FORMAT.contains(forbidden),
                "access log format must not contain {forbidden}"
            );
        }
    }
}
