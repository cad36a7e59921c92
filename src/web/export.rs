//! Exports for the periodic reports: `/export/indices.{xlsx,csv,json}`,
//! `/export/responses.csv` (microdata) and the printable `/report`. Home
//! Affairs (session or token) reads every department; a department user or
//! token only its own. Every export is written to the audit log.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use bytes::Bytes;

use super::indices::{bearer_token, token_caller};
use super::params::{self, index_error, invalid};
use super::session::WebSettings;
use super::staff::require_user;
use super::State;
use crate::accounts::{self, Role};
use crate::domain::Lang;
use crate::error::AppError;
use crate::export::{self, ExportRequest};
use crate::tokens::Access;
use crate::{microdata, report, views};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/export/indices.{format}", web::get().to(indices))
        .route("/export/responses.csv", web::get().to(responses))
        .route("/report", web::get().to(report_page));
}

type Query = web::Query<HashMap<String, String>>;

/// Who is exporting, and what they may read.
struct Scope {
    access: Access,
    actor: String,
}

/// The caller from a bearer token, or else from the staff session.
async fn scope(
    state: &State,
    settings: &WebSettings,
    session: &Session,
    req: &HttpRequest,
) -> Result<Scope, HttpResponse> {
    if bearer_token(req).is_some() {
        return match token_caller(state, req).await {
            Ok((access, name)) => Ok(Scope {
                access,
                actor: format!("token:{name}"),
            }),
            Err(err) => Err(err.error_response()),
        };
    }
    let user = require_user(state, settings, session, req).await?;
    let access = match &user.role {
        Role::HomeAffairs => Access::HomeAffairs,
        Role::Department(code) => Access::Department(code.clone()),
        Role::Admin => {
            return Err(
                AppError::Forbidden("an admin account reads no survey data".into())
                    .error_response(),
            )
        }
    };
    Ok(Scope {
        access,
        actor: user.username,
    })
}

/// The department to export: the requested one if the caller may read it,
/// a department caller's own by default, all for Home Affairs by default.
fn department_param(
    state: &State,
    scope: &Scope,
    query: &Query,
) -> Result<Option<String>, AppError> {
    let requested = query.get("department").filter(|d| !d.is_empty());
    if let Some(code) = requested {
        if !state.catalog.department(code).is_some_and(|d| d.surveyed) {
            return Err(invalid(
                "department",
                format!("unknown department \"{code}\""),
            ));
        }
        if !scope.access.may_read(code) {
            return Err(AppError::Forbidden(format!(
                "this account may not read department \"{code}\""
            )));
        }
    }
    Ok(match (&scope.access, requested) {
        (_, Some(code)) => Some(code.clone()),
        (Access::Department(own), None) => Some(own.clone()),
        (Access::HomeAffairs, None) => None,
    })
}

fn export_request(state: &State, scope: &Scope, query: &Query) -> Result<ExportRequest, AppError> {
    Ok(ExportRequest {
        period: params::period(query, None)?,
        weighting: params::weighting(query)?,
        department: department_param(state, scope, query)?,
        config: params::stats_config(state.stats, query)?,
    })
}

fn describe(request: &ExportRequest) -> String {
    format!(
        "period={} mode={} weighting={} department={}",
        request.period.label(),
        request.period.mode.as_str(),
        request.weighting.as_str(),
        request.department.as_deref().unwrap_or("all")
    )
}

fn file_name(request: &ExportRequest, extension: &str) -> String {
    format!(
        "hailong-{}-{}-{}.{extension}",
        request.department.as_deref().unwrap_or("all"),
        request.period.label().replace("..", "_"),
        request.period.mode.as_str()
    )
}

async fn indices(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    format: web::Path<String>,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let scope = match scope(&state, &settings, &session, &req).await {
        Ok(scope) => scope,
        Err(response) => return Ok(response),
    };
    let format = format.into_inner();
    if !matches!(format.as_str(), "xlsx" | "csv" | "json") {
        return Err(AppError::NotFound(format!(
            "no export format \"{format}\"; use xlsx, csv or json"
        )));
    }
    let request = export_request(&state, &scope, &query)?;
    let lang = Lang::from_query(query.get("lang").map(String::as_str));
    let services = state.clone();
    let blocking_request = request.clone();
    let (body, content_type) = web::block(move || -> Result<(Vec<u8>, &'static str), AppError> {
        let data = export::gather(&services, &blocking_request).map_err(index_error)?;
        let out = match format.as_str() {
            "xlsx" => (
                export::workbook(&data, &services, lang)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            "csv" => {
                let mut buffer = Vec::new();
                export::write_csv(&export::rows(&data), &mut buffer)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                (buffer, "text/csv; charset=utf-8")
            }
            _ => (
                serde_json::to_vec(&export::rows(&data))
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                "application/json",
            ),
        };
        accounts::record(
            &services,
            &scope.actor,
            "export",
            &format!("indices.{format} {}", describe(&blocking_request)),
        )?;
        Ok(out)
    })
    .await??;
    let extension = match content_type {
        "application/json" => "json",
        "text/csv; charset=utf-8" => "csv",
        _ => "xlsx",
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                file_name(&request, extension)
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

async fn responses(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let scope = match scope(&state, &settings, &session, &req).await {
        Ok(scope) => scope,
        Err(response) => return Ok(response),
    };
    let slug = query
        .get("survey")
        .ok_or_else(|| invalid("survey", "is required"))?;
    let survey = state
        .catalog
        .survey(slug)
        .cloned()
        .ok_or_else(|| invalid("survey", format!("unknown survey \"{slug}\"")))?;
    if !scope.access.may_read(&survey.survey.department) {
        return Err(AppError::Forbidden(format!(
            "this account may not read department \"{}\"",
            survey.survey.department
        )));
    }
    let period = params::period(&query, None)?;
    let services = state.clone();
    let detail = format!(
        "responses.csv survey={slug} period={} mode={}",
        period.label(),
        period.mode.as_str()
    );
    let actor = scope.actor.clone();
    web::block(move || accounts::record(&services, &actor, "export", &detail)).await??;

    // A bounded channel: the database is read only as fast as the client
    // takes the file, and memory holds a few pages at most.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let services = state.clone();
    let name = format!(
        "hailong-responses-{slug}-{}.csv",
        period.label().replace("..", "_")
    );
    actix_web::rt::task::spawn_blocking(move || {
        let result = microdata::write(&services, &survey, &period, |chunk| {
            sender.blocking_send(Ok(Bytes::from(chunk))).is_ok()
        });
        if let Err(err) = result {
            log::error!("microdata export failed: {err}");
            // Ends the response with an error instead of a silently short file.
            let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(stream))
}

async fn report_page(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let scope = match scope(&state, &settings, &session, &req).await {
        Ok(scope) => scope,
        Err(response) => return Ok(response),
    };
    let request = export_request(&state, &scope, &query)?;
    let services = state.clone();
    let markup = web::block(move || -> Result<String, AppError> {
        let data = export::gather(&services, &request).map_err(index_error)?;
        accounts::record(
            &services,
            &scope.actor,
            "export",
            &format!("report {}", describe(&request)),
        )?;
        Ok(views::report::page(&report::draft(&data, &services.catalog)).into_string())
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup))
}
