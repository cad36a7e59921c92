//! Staff pages for survey waves: list and create, a wave's accounting, and
//! the draw, which answers with the printable slips (the only time the
//! codes are shown). Home Affairs sees every survey's waves; a department
//! its own. Every change is audited under the staff member's name.

use std::collections::HashMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use super::auth::{CsrfForm, PageLang, ScoreReaderRole, Staff};
use super::staff::html;
use super::{resource, State};
use crate::domain::Access;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::sampling::{self, NewWave, Target, WaveAccount, WaveError};
use crate::views::posters::Poster;
use crate::views::slips::sheet;
use crate::views::waves as view;

/// A transaction list of 20 service points × 2,000 dossiers, with room.
const DRAW_BODY_BYTES: usize = 8 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/waves", "GET, POST")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(resource("/waves/{id}", "GET").route(web::get().to(detail)))
    .service(resource("/posters/{department}", "GET").route(web::get().to(posters)))
    .service(resource("/waves/{id}/draw", "POST").route(web::post().to(draw)));
}

fn access_of(staff: &Staff<ScoreReaderRole>) -> Result<Access, AppError> {
    staff
        .user
        .role
        .access()
        .ok_or_else(|| AppError::Forbidden("this account reads no department".into()))
}

/// The surveys the caller may run waves for, as (slug, title).
fn surveys_for(state: &State, access: &Access, lang: Lang) -> Vec<(String, String)> {
    state
        .catalog
        .surveys
        .iter()
        .filter(|v| access.may_read(&v.survey.department))
        .map(|v| (v.survey.slug.clone(), v.survey.title.get(lang).to_string()))
        .collect()
}

fn may_see(state: &State, access: &Access, survey: &str) -> bool {
    state
        .catalog
        .survey(survey)
        .is_some_and(|v| access.may_read(&v.survey.department))
}

async fn render_list(
    state: &State,
    staff: &Staff<ScoreReaderRole>,
    lang: Lang,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let access = access_of(staff)?;
    let ctx = state.clone();
    let waves: Vec<WaveAccount> = web::block(move || sampling::all_accounts(&ctx))
        .await??
        .into_iter()
        .filter(|w| may_see(state, &access, &w.survey))
        .collect();
    let surveys = surveys_for(state, &access, lang);
    Ok(html(
        status,
        view::list(
            lang,
            &staff.viewer,
            &state.catalog,
            &waves,
            &surveys,
            error.as_deref(),
        ),
    ))
}

async fn list(
    state: State,
    staff: Staff<ScoreReaderRole>,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    render_list(&state, &staff, lang, StatusCode::OK, None).await
}

fn date_field(form: &HashMap<String, String>, name: &str) -> Result<NaiveDate, String> {
    let text = form.get(name).map(String::as_str).unwrap_or_default();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{name}: not a date YYYY-MM-DD"))
}

fn number_field(form: &HashMap<String, String>, name: &str) -> Result<Option<f64>, String> {
    match form.get(name).map(|v| v.trim().replace(',', ".")) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| format!("{name}: not a number")),
    }
}

async fn create(
    state: State,
    staff: Staff<ScoreReaderRole>,
    PageLang(lang): PageLang,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let access = access_of(&staff)?;
    let form = form.0;
    let survey = form.get("survey").cloned().unwrap_or_default();
    let parsed = (|| {
        if !may_see(&state, &access, &survey) {
            return Err(format!("survey: \"{survey}\" is not one of yours"));
        }
        let name = form
            .get("name")
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        if name.is_empty() || name.chars().count() > 120 {
            return Err("name: 1 to 120 characters".to_string());
        }
        Ok(NewWave {
            survey: survey.clone(),
            name,
            opens_on: date_field(&form, "opens")?,
            closes_on: date_field(&form, "closes")?,
            allowance: number_field(&form, "allowance")?.unwrap_or(0.2),
        })
    })();
    let wave = match parsed {
        Ok(wave) => wave,
        Err(message) => {
            return render_list(
                &state,
                &staff,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
    };
    let ctx = state.clone();
    let actor = staff.user.username.clone();
    match web::block(move || sampling::create_wave(&ctx, &actor, wave)).await? {
        Ok(row) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/waves/{}?lang={}", row.id, lang.code()),
            ))
            .finish()),
        Err(WaveError::Db(e)) => Err(e.into()),
        Err(e) => {
            render_list(
                &state,
                &staff,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
            )
            .await
        }
    }
}

/// The wave named in the path, if the caller may see it.
async fn wave_for(
    state: &State,
    staff: &Staff<ScoreReaderRole>,
    id: String,
) -> Result<WaveAccount, AppError> {
    let access = access_of(staff)?;
    let ctx = state.clone();
    let account = web::block(move || sampling::account(&ctx, &id)).await?;
    match account {
        Ok(wave) if may_see(state, &access, &wave.survey) => Ok(wave),
        Ok(_) => Err(AppError::Forbidden(
            "this wave is of another department".into(),
        )),
        Err(WaveError::UnknownWave(id)) => Err(AppError::NotFound(format!("no wave \"{id}\""))),
        Err(WaveError::Db(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

async fn detail(
    state: State,
    staff: Staff<ScoreReaderRole>,
    path: web::Path<String>,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let wave = wave_for(&state, &staff, path.into_inner()).await?;
    Ok(html(
        StatusCode::OK,
        view::detail(lang, &staff.viewer, &state.catalog, &wave, None),
    ))
}

async fn draw(
    state: State,
    req: HttpRequest,
    staff: Staff<ScoreReaderRole>,
    path: web::Path<String>,
    PageLang(lang): PageLang,
    form: CsrfForm<DRAW_BODY_BYTES>,
) -> Result<HttpResponse, AppError> {
    let wave = wave_for(&state, &staff, path.into_inner()).await?;
    let form = form.0;
    let refuse = |message: String| {
        html(
            StatusCode::UNPROCESSABLE_ENTITY,
            view::detail(lang, &staff.viewer, &state.catalog, &wave, Some(&message)),
        )
    };
    let target = match (number_field(&form, "target"), number_field(&form, "margin")) {
        (Err(e), _) | (_, Err(e)) => return Ok(refuse(e)),
        (Ok(Some(n)), _) if n >= 1.0 && n.fract() == 0.0 => Target::Fixed(n as u64),
        (Ok(Some(_)), _) => return Ok(refuse("target: a whole number of forms, 1 or more".into())),
        (Ok(None), Ok(Some(e))) => Target::Margin(e),
        (Ok(None), Ok(None)) => return Ok(refuse("margin or target: give one".into())),
    };
    let seed = match form.get("seed").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seed) => Some(seed),
            Err(_) => return Ok(refuse("seed: a whole number".into())),
        },
    };
    let list = form.get("transactions").cloned().unwrap_or_default();
    let ctx = state.clone();
    let actor = staff.user.username.clone();
    let id = wave.id.clone();
    let outcome =
        web::block(move || sampling::draw(&ctx, &actor, &id, list.as_bytes(), target, seed))
            .await?;
    match outcome {
        Ok(drawn) => {
            let base = public_base(&req);
            Ok(html(StatusCode::OK, sheet(&state.catalog, &drawn, &base)))
        }
        Err(WaveError::Db(e)) => Err(e.into()),
        Err(e) => Ok(refuse(e.to_string())),
    }
}

#[derive(serde::Deserialize)]
struct PosterQuery {
    unit: Option<String>,
    survey: Option<String>,
}

/// `/posters/{department}`: a QR poster per service point open today and
/// survey of the department, or only those of `?unit=` and `?survey=`.
async fn posters(
    state: State,
    req: HttpRequest,
    staff: Staff<ScoreReaderRole>,
    path: web::Path<String>,
    query: web::Query<PosterQuery>,
) -> Result<HttpResponse, AppError> {
    let department = path.into_inner();
    if !access_of(&staff)?.may_read(&department) {
        return Err(AppError::Forbidden(format!(
            "this account may not print posters of department \"{department}\""
        )));
    }
    let today = state.clock.today();
    let units: Vec<_> = state
        .catalog
        .units_of(&department)
        .filter(|u| u.open_on(today))
        .filter(|u| query.unit.as_deref().is_none_or(|code| code == u.code))
        .collect();
    let surveys: Vec<_> = state
        .catalog
        .surveys
        .iter()
        .filter(|v| v.survey.department == department)
        .filter(|v| {
            query
                .survey
                .as_deref()
                .is_none_or(|slug| slug == v.survey.slug)
        })
        .collect();
    if units.is_empty() || surveys.is_empty() {
        return Err(AppError::NotFound(format!(
            "no open service point and survey of \"{department}\" match"
        )));
    }
    let list: Vec<Poster> = units
        .iter()
        .flat_map(|unit| {
            surveys.iter().map(move |v| Poster {
                unit,
                survey: &v.survey,
            })
        })
        .collect();
    let base = public_base(&req);
    Ok(html(
        StatusCode::OK,
        crate::views::posters::sheet(&state.catalog.site, &list, &base),
    ))
}

/// The service's public address for QR codes: `HAILONG_PUBLIC_URL` when set
/// (behind a proxy, the request's own scheme and host may be internal),
/// else the address this request came to.
fn public_base(req: &HttpRequest) -> String {
    match std::env::var("HAILONG_PUBLIC_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
        _ => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}
