//! Builds the actix application. Tests bind to port 0 and read the port back.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, Logger};
use actix_web::{web::Data, App, HttpServer};

use crate::collect::Services;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn build(services: Services, bind: &str) -> std::io::Result<Application> {
        let listener = TcpListener::bind(bind)?;
        let port = listener.local_addr()?.port();
        let state = Data::new(services);
        let server = HttpServer::new(move || {
            App::new()
                // The access log names the request line, status, size and
                // time only: never the client address, user agent or body,
                // so submissions cannot be traced back to a person.
                .wrap(Logger::new("%r %s %b %Dms"))
                .wrap(Compress::default())
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")),
                )
                .app_data(state.clone())
                .configure(crate::web::routes)
        })
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
