//! The public results pages (`/results`, `/results/{department}`): no
//! sign-in, cacheable by browsers and proxies for ten minutes, and kept in
//! memory as long (one cache for all workers, one computation at a time),
//! so that a crowd opening the page computes it once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::citizen::PAGE_POLICY;
use super::{resource, State};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::public_results;
use crate::views::public as view;

/// How long a computed page is served again, here and by caches.
pub const FRESH_FOR: Duration = Duration::from_secs(600);

/// Pages computed lately, by (department, language, quarter): at most one
/// per department and language, so bounded by the definitions. `computing`
/// lets one request compute a missing page while the others wait for it.
#[derive(Default)]
pub struct PublicPages {
    pages: Mutex<HashMap<PageKey, (Instant, String)>>,
    computing: tokio::sync::Mutex<()>,
}

impl PublicPages {
    fn fresh(&self, key: &PageKey) -> Option<String> {
        self.pages
            .lock()
            .expect("not poisoned")
            .get(key)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, body)| body.clone())
    }
}

/// Department, language and the quarter shown.
type PageKey = (String, Lang, String);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/results", "GET").route(web::get().to(index)))
        .service(resource("/results/{department}", "GET").route(web::get().to(department)));
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn cacheable(body: String) -> HttpResponse {
    HttpResponse::build(StatusCode::OK)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={}", FRESH_FOR.as_secs()),
        ))
        .body(body)
}

async fn index(state: State, query: web::Query<LangQuery>) -> HttpResponse {
    let lang = Lang::from_query(query.lang.as_deref());
    cacheable(
        view::index(
            lang,
            &state.catalog.site,
            &state.catalog,
            state.clock.today(),
        )
        .into_string(),
    )
}

async fn department(
    state: State,
    pages: web::Data<PublicPages>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    let lang = Lang::from_query(query.lang.as_deref());
    if !public_results::is_public(&state, &code) {
        return Err(AppError::NotFound(format!(
            "no published results for \"{code}\""
        )));
    }
    let today = state.clock.today();
    let key = (
        code.clone(),
        lang,
        public_results::quarter_shown(today).label(),
    );
    if let Some(body) = pages.fresh(&key) {
        return Ok(cacheable(body));
    }
    let _computing = pages.computing.lock().await;
    if let Some(body) = pages.fresh(&key) {
        return Ok(cacheable(body));
    }
    let ctx = state.clone();
    let department = code.clone();
    let results = web::block(move || public_results::gather(&ctx, &department))
        .await?
        .map_err(super::params::index_error)?
        .ok_or_else(|| AppError::NotFound(format!("no published results for \"{code}\"")))?;
    let body = view::department(
        lang,
        &state.catalog.site,
        &state.catalog,
        &results,
        state.stats.min_cell,
        today,
    )
    .into_string();
    let mut cached = pages.pages.lock().expect("not poisoned");
    cached.retain(|(d, l, _), _| !(d == &key.0 && *l == key.1));
    cached.insert(key, (Instant::now(), body.clone()));
    Ok(cacheable(body))
}
