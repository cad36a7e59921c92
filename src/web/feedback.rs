//! Staff pages of the feedback loop. A department's staff list, classify
//! and answer their own department's items; Home Affairs sees every
//! department's counts and no item. Changes are audited by the service.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{Days, NaiveDate};

use super::auth::{CsrfForm, DepartmentRole, PageLang, ScoreReaderRole, Staff};
use super::params::{self, Params, QueryParams};
use super::staff::html;
use super::{resource, State};
use crate::domain::{FeedbackStatus, Period, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::feedback::{
    self, FeedbackEdit, FeedbackError, FeedbackFilter, FeedbackSummary,
};
use crate::views::feedback as view;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/feedback", "GET").route(web::get().to(overview)))
        .service(resource("/feedback/{department}", "GET").route(web::get().to(list)))
        .service(
            resource("/feedback/{department}/{key}", "GET, POST")
                .route(web::get().to(item))
                .route(web::post().to(save)),
        );
}

/// How many items a list page shows.
pub const PAGE_SIZE: usize = 50;

/// `/feedback`: Home Affairs gets every department's counts for a period
/// (the last complete quarter by default); a department goes to its list.
async fn overview(
    state: State,
    staff: Staff<ScoreReaderRole>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    if let Role::Department(code) = &staff.user.role {
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/feedback/{code}?lang={}", lang.code()),
            ))
            .finish());
    }
    let today = state.clock.today();
    let period = params::period_or(&query, |mode| Period::default_on(today, mode))?;
    let ctx = state.clone();
    let lines = web::block(
        move || -> Result<Vec<(String, FeedbackSummary)>, AppError> {
            let departments: Vec<&str> = ctx
                .catalog
                .departments
                .iter()
                .filter(|d| d.surveyed)
                .map(|d| d.code.as_str())
                .collect();
            Ok(feedback::summaries(&ctx, &departments, &period)?)
        },
    )
    .await??;
    Ok(html(
        StatusCode::OK,
        view::overview(lang, &staff.viewer, &state.catalog, &period, today, &lines),
    ))
}

/// The department named in the path, if it is the caller's own.
fn own_department(
    state: &State,
    staff: &Staff<DepartmentRole>,
    code: &str,
) -> Result<(), AppError> {
    if staff.user.role.department() != Some(code) {
        return Err(AppError::Forbidden(format!(
            "this account may not handle the feedback of department \"{code}\""
        )));
    }
    state
        .catalog
        .department(code)
        .filter(|d| d.surveyed)
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound(format!("no department \"{code}\"")))
}

fn choice<T>(
    query: &Params,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => parse(text)
            .map(Some)
            .ok_or_else(|| AppError::InvalidParameter {
                field: name.into(),
                message: format!("\"{text}\" is not one of the choices"),
            }),
    }
}

/// The dates a list covers: the `period` asked for, else (absent or left
/// empty) the last year.
fn window(
    query: &Params,
    today: NaiveDate,
) -> Result<(Option<Period>, NaiveDate, NaiveDate), AppError> {
    if query.get("period").is_some_and(|p| !p.trim().is_empty()) {
        let period = params::period_or(query, |mode| Period::default_on(today, mode))?;
        let (from, to) = period.bounds();
        return Ok((Some(period), from, to));
    }
    let from = today.checked_sub_days(Days::new(365)).unwrap_or(today);
    Ok((None, from, today))
}

async fn list(
    state: State,
    staff: Staff<DepartmentRole>,
    path: web::Path<String>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    own_department(&state, &staff, &code)?;
    let today = state.clock.today();
    let (period, from, to) = window(&query, today)?;
    let filter = FeedbackFilter {
        status: choice(&query, "status", FeedbackStatus::parse)?,
        survey: choice(&query, "survey", |slug| {
            state
                .catalog
                .survey(slug)
                .filter(|s| s.survey.department == code)
                .map(|s| s.survey.slug.clone())
        })?,
        unit: choice(&query, "unit", |unit| {
            state
                .catalog
                .unit(unit)
                .filter(|u| u.department == code)
                .map(|u| u.code.clone())
        })?,
    };
    let page: usize = match query.get("page") {
        None => 1,
        Some(text) => text
            .parse()
            .ok()
            .filter(|p| *p >= 1 && *p <= 100_000)
            .ok_or_else(|| AppError::InvalidParameter {
                field: "page".into(),
                message: "must be a page number from 1".into(),
            })?,
    };
    let ctx = state.clone();
    let department = code.clone();
    let shown = filter.clone();
    let window = feedback::Page {
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let found =
        web::block(move || feedback::list(&ctx, &department, from, to, &shown, window)).await??;
    Ok(html(
        StatusCode::OK,
        view::list(&view::ListPage {
            lang,
            viewer: &staff.viewer,
            catalog: &state.catalog,
            department: &code,
            period: period.as_ref(),
            from,
            to,
            today,
            filter: &filter,
            found: &found,
            page,
            page_size: PAGE_SIZE,
        }),
    ))
}

#[allow(clippy::too_many_arguments)]
async fn render_item(
    state: &State,
    staff: &Staff<DepartmentRole>,
    lang: Lang,
    code: String,
    key: String,
    status: StatusCode,
    notice: Option<view::Notice>,
    draft: Option<FeedbackEdit>,
) -> Result<HttpResponse, AppError> {
    let ctx = state.clone();
    let department = code.clone();
    let found = web::block(move || feedback::find(&ctx, &department, &key)).await??;
    let item = found.ok_or_else(|| AppError::NotFound("no such feedback item".into()))?;
    Ok(html(
        status,
        view::item(&view::ItemPage {
            lang,
            viewer: &staff.viewer,
            catalog: &state.catalog,
            department: &code,
            item: &item,
            today: state.clock.today(),
            notice: notice.as_ref(),
            draft: draft.as_ref(),
        }),
    ))
}

async fn item(
    state: State,
    staff: Staff<DepartmentRole>,
    path: web::Path<(String, String)>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let (code, key) = path.into_inner();
    own_department(&state, &staff, &code)?;
    let saved = query.contains_key("saved").then_some(view::Notice::Saved);
    render_item(&state, &staff, lang, code, key, StatusCode::OK, saved, None).await
}

/// A text field: trimmed, `None` when empty.
fn text(form: &CsrfForm, name: &str) -> Option<String> {
    let value = form.field(name).trim().replace("\r\n", "\n");
    (!value.is_empty()).then_some(value)
}

async fn save(
    state: State,
    staff: Staff<DepartmentRole>,
    path: web::Path<(String, String)>,
    PageLang(lang): PageLang,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (code, key) = path.into_inner();
    own_department(&state, &staff, &code)?;
    let Some(status) = FeedbackStatus::parse(form.field("status")) else {
        return render_item(
            &state,
            &staff,
            lang,
            code,
            key,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(view::Notice::Invalid(format!(
                "status: {}",
                lang.pick(
                    "chọn một trạng thái trong danh sách",
                    "choose one of the statuses"
                )
            ))),
            None,
        )
        .await;
    };
    let edit = FeedbackEdit {
        status,
        topic: text(&form, "topic"),
        element: text(&form, "element"),
        public_answer: text(&form, "public_answer"),
        internal_note: text(&form, "internal_note"),
    };
    let ctx = state.clone();
    let actor = staff.user.username.clone();
    let (department, item_key, kept) = (code.clone(), key.clone(), edit.clone());
    match web::block(move || feedback::update(&ctx, &department, &item_key, &edit, &actor)).await? {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/feedback/{code}/{key}?saved=1&lang={}", lang.code()),
            ))
            .finish()),
        Err(FeedbackError::NotFound) => Err(AppError::NotFound("no such feedback item".into())),
        Err(FeedbackError::Db(e)) => Err(e.into()),
        Err(FeedbackError::Invalid { field, problem }) => {
            render_item(
                &state,
                &staff,
                lang,
                code,
                key,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(view::Notice::Invalid(format!(
                    "{field}: {}",
                    problem.describe(lang)
                ))),
                Some(kept),
            )
            .await
        }
    }
}
