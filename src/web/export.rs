//! Exports for the periodic reports: `/export/indices.{xlsx,csv,json}`,
//! `/export/responses.csv` (microdata) and the printable `/report`. Home
//! Affairs (session or token) reads every department; a department user or
//! token only its own. Every export is written to the audit log.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use bytes::Bytes;

use super::auth::{PageLang, Reader};
use super::params::{self, index_error, invalid, QueryParams};
use super::{resource, State};
use crate::app::AppContext;
use crate::domain::{Access, PeriodMode};
use crate::error::{AppError, ErrorBody};
use crate::services::access::{audit, Principal};
use crate::services::exports::{self, microdata, report, ExportData, ExportRequest};
use crate::views;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/export/indices.{format}", "GET").route(web::get().to(indices)))
        .service(resource("/export/appendix.{format}", "GET").route(web::get().to(appendix)))
        .service(resource("/export/responses.csv", "GET").route(web::get().to(responses)))
        .service(resource("/report", "GET").route(web::get().to(report_page)))
        .service(resource("/report.docx", "GET").route(web::get().to(report_docx)));
}

type Query = QueryParams;

/// The department to export: the requested one if the caller may read it,
/// a department caller's own by default, all for Home Affairs by default.
fn department_param(
    state: &State,
    scope: &Principal,
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

fn export_request(
    state: &State,
    scope: &Principal,
    query: &Query,
) -> Result<ExportRequest, AppError> {
    Ok(ExportRequest {
        period: params::period(query)?,
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

/// The query parameters every export takes (documentation only: they are
/// parsed from the raw query by `export_request`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ExportParameters {
    /// A published period: `2026`, `2026-H1`, `2026-M9`, `2026-Q3`, `2026-03`.
    #[param(pattern = r"^20[0-9]{2}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$")]
    period: String,
    /// `calendar` (default) or `reporting`.
    mode: Option<String>,
    /// `none` (default) or `volume`.
    weighting: Option<String>,
    /// Confidence level, 0.5–0.999; default 0.95.
    level: Option<f64>,
    /// One department; default the caller's own, or all for Home Affairs.
    department: Option<String>,
}

/// Gathers the figures a request asks for and renders them (blocking),
/// then writes the export to the audit log as `what` and the request's
/// parameters; no export leaves without its audit row. The parsed request
/// comes back for the file name.
async fn render_audited<T: Send + 'static>(
    state: &State,
    scope: Principal,
    query: &Query,
    what: String,
    render: impl FnOnce(&AppContext, &ExportData, &ExportRequest) -> Result<T, AppError>
        + Send
        + 'static,
) -> Result<(ExportRequest, T), AppError> {
    let request = export_request(state, &scope, query)?;
    let ctx = state.clone();
    let blocking_request = request.clone();
    let out = web::block(move || -> Result<T, AppError> {
        let data = exports::gather(&ctx, &blocking_request).map_err(index_error)?;
        let out = render(ctx.get_ref(), &data, &blocking_request)?;
        audit::record(
            &ctx,
            &scope.actor,
            "export",
            &format!("{what} {}", describe(&blocking_request)),
        )?;
        Ok(out)
    })
    .await??;
    Ok((request, out))
}

/// Every survey's estimates for a period, as a tidy long table (JSON, CSV)
/// or a workbook. A bearer token of Home Affairs or of a department (its
/// own surveys), or a staff session.
#[utoipa::path(
    get,
    path = "/export/indices.{format}",
    tag = "exports",
    params(
        ("format" = String, Path, description = "`json`, `csv` or `xlsx`", pattern = "^(json|csv|xlsx)$"),
        ExportParameters,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The table", content(
            (Vec<exports::Row> = "application/json"),
            (String = "text/csv; charset=utf-8"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 303, description = "No token and no staff session: to the sign-in page", headers(("Location" = String))),
        (status = 401, description = "The token is not valid", body = ErrorBody),
        (status = 403, description = "The caller may not read this department", body = ErrorBody),
        (status = 404, description = "No such format", body = ErrorBody),
        (status = 422, description = "A parameter is invalid; `fields` names it", body = ErrorBody),
        (status = 503, description = "The database is out of reach; retry", body = ErrorBody),
    )
)]
pub async fn indices(
    state: State,
    Reader(scope): Reader,
    format: web::Path<String>,
    query: Query,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let format = format.into_inner();
    if !matches!(format.as_str(), "xlsx" | "csv" | "json") {
        return Err(AppError::NotFound(format!(
            "no export format \"{format}\"; use xlsx, csv or json"
        )));
    }
    let what = format!("indices.{format}");
    let (request, (body, content_type)) =
        render_audited(&state, scope, &query, what, move |ctx, data, _| {
            Ok(match format.as_str() {
                "xlsx" => (
                    exports::workbook(data, ctx, lang)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                "csv" => {
                    let mut buffer = Vec::new();
                    exports::write_csv(&exports::rows(data), &mut buffer)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    (buffer, "text/csv; charset=utf-8")
                }
                _ => (
                    serde_json::to_vec(&exports::rows(data))
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    "application/json",
                ),
            })
        })
        .await?;
    let extension = match content_type {
        "application/json" => "json",
        "text/csv; charset=utf-8" => "csv",
        _ => "xlsx",
    };
    Ok(download(content_type, &file_name(&request, extension)).body(body))
}

/// A download: its type, its file name, never cached.
fn download(content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

/// The appendix tables as JSON (`surveys` and `units`), or the survey
/// table as CSV.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Appendix {
    pub surveys: Vec<exports::appendix::AppendixRow>,
    pub units: Vec<exports::appendix::UnitAppendixRow>,
}

/// The appendix offices paste into the report: one row per department and
/// survey with element indices, overall index and interval, rank, the same
/// period last year and the change; and every service point ranked within
/// its survey (JSON). A rank whose interval overlaps a neighbour's is marked
/// `separable: false`.
#[utoipa::path(
    get,
    path = "/export/appendix.{format}",
    tag = "exports",
    params(
        ("format" = String, Path, description = "`json` or `csv` (the survey table)", pattern = "^(json|csv)$"),
        ExportParameters,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The appendix", content(
            (Appendix = "application/json"),
            (String = "text/csv; charset=utf-8"),
        )),
        (status = 303, description = "No token and no staff session: to the sign-in page", headers(("Location" = String))),
        (status = 401, description = "The token is not valid", body = ErrorBody),
        (status = 403, description = "The caller may not read this department", body = ErrorBody),
        (status = 404, description = "No such format", body = ErrorBody),
        (status = 422, description = "A parameter is invalid; `fields` names it", body = ErrorBody),
        (status = 503, description = "The database is out of reach; retry", body = ErrorBody),
    )
)]
pub async fn appendix(
    state: State,
    Reader(scope): Reader,
    format: web::Path<String>,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let format = format.into_inner();
    if !matches!(format.as_str(), "csv" | "json") {
        return Err(AppError::NotFound(format!(
            "no appendix format \"{format}\"; use csv or json"
        )));
    }
    let what = format!("appendix.{format}");
    let (request, (body, content_type)) =
        render_audited(&state, scope, &query, what, move |ctx, data, _| {
            let surveys = exports::appendix::survey_rows(data, &ctx.catalog);
            Ok(if format == "csv" {
                (
                    exports::appendix::write_csv(&surveys)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    "text/csv; charset=utf-8",
                )
            } else {
                let units = exports::appendix::unit_rows(data, &ctx.catalog);
                (
                    serde_json::to_vec(&Appendix { surveys, units })
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    "application/json",
                )
            })
        })
        .await?;
    let extension = if content_type == "application/json" {
        "json"
    } else {
        "csv"
    };
    Ok(download(
        content_type,
        &file_name(&request, &format!("appendix.{extension}")),
    )
    .body(body))
}

async fn responses(
    state: State,
    Reader(scope): Reader,
    query: Query,
) -> Result<HttpResponse, AppError> {
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
    let period = params::period(&query)?;
    microdata::check_period(&period).map_err(|message| match period.mode {
        PeriodMode::Calendar => invalid("period", message),
        PeriodMode::Reporting => invalid("mode", message),
    })?;
    let ctx = state.clone();
    let actor = scope.actor.clone();
    let (blocking_survey, label) = (survey.clone(), period.label());
    let plan = web::block(move || -> Result<_, AppError> {
        let plan = microdata::plan(&ctx, &blocking_survey, &period)?;
        let detail = format!(
            "responses.csv survey={} period={label} withheld_cells={}",
            blocking_survey.survey.slug, plan.withheld_cells
        );
        audit::record(&ctx, &actor, "export", &detail)?;
        Ok(plan)
    })
    .await??;
    let withheld = plan.withheld_rows;

    // The export is written whole to an unnamed temporary file, and then
    // sent through a bounded channel as fast as the client takes it: a slow
    // or stalled download holds no database connection and no snapshot
    // (which on SQLite would keep the WAL from being checkpointed), and
    // memory holds a few chunks at most.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let ctx = state.clone();
    let name = format!(
        "hailong-responses-{slug}-{}.csv",
        period.label().replace("..", "_")
    );
    actix_web::rt::task::spawn_blocking(move || {
        let spooled = (|| -> Result<std::fs::File, String> {
            use std::io::Seek;
            let mut file = tempfile::tempfile().map_err(|e| format!("no temporary file: {e}"))?;
            microdata::write(
                &ctx,
                &survey,
                &period,
                &plan,
                std::io::BufWriter::new(&file),
            )
            .map_err(|e| crate::error::with_causes(&e))?;
            file.rewind()
                .map_err(|e| format!("cannot rewind the temporary file: {e}"))?;
            Ok(file)
        })();
        let sent = spooled.and_then(|mut file| {
            let mut chunk = vec![0; 256 * 1024];
            loop {
                let n = std::io::Read::read(&mut file, &mut chunk)
                    .map_err(|e| format!("cannot read the spooled export: {e}"))?;
                if n == 0
                    || sender
                        .blocking_send(Ok(Bytes::copy_from_slice(&chunk[..n])))
                        .is_err()
                {
                    // Done, or the client went away.
                    return Ok(());
                }
            }
        });
        if let Err(err) = sent {
            log::error!("microdata export failed: {err}");
            // Ends the response with an error instead of a silently short file.
            let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok(download("text/csv; charset=utf-8", &name)
        // How many responses were left out as cells under the threshold.
        .insert_header(("X-Withheld-Rows", withheld.to_string()))
        .streaming(stream))
}

/// The written report as a Word document (Times New Roman, A4), with the
/// appendix table.
async fn report_docx(
    state: State,
    Reader(scope): Reader,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let what = "report.docx".to_string();
    let (request, body) = render_audited(&state, scope, &query, what, |ctx, data, request| {
        exports::docx::write(
            &report::draft(data, &ctx.catalog),
            &exports::appendix::survey_rows(data, &ctx.catalog),
            request.config.level,
        )
        .map_err(AppError::Internal)
    })
    .await?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &file_name(&request, "report.docx"),
    )
    .body(body))
}

async fn report_page(
    state: State,
    Reader(scope): Reader,
    query: Query,
) -> Result<HttpResponse, AppError> {
    let (_, markup) = render_audited(&state, scope, &query, "report".into(), |ctx, data, _| {
        Ok(views::report::page(&report::draft(data, &ctx.catalog)).into_string())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup))
}
