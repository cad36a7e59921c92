//! Staff routes: sign-in and sign-out, the dashboards, account administration.
//! Who may open each route is in its signature ([`Staff<R>`]); anonymous
//! visitors are sent to `/login`, signed-in users without the right role
//! get 403 — as pages, through the one error policy.

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::auth::{
    AdminRole, AnyRole, CsrfForm, HomeAffairsRole, PageLang, ScoreReaderRole, Staff,
};
use super::params::{self, Params, QueryParams};
use super::session;
use super::{resource, State};
use crate::app::AppContext;
use crate::domain::{Period, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services::access::accounts::MAX_USERNAME_CHARS;
use crate::services::access::accounts::{self, AccountError, StaffUser};
use crate::services::access::throttle::{LoginThrottle, RetryAfter};
use crate::services::indices::dashboard;
use crate::views::staff::{self as view, DepartmentPage, OverviewPage};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/login", "GET, POST")
            .route(web::get().to(login_form))
            .route(web::post().to(login)),
    )
    .service(resource("/logout", "POST").route(web::post().to(logout)))
    .service(resource("/dashboard", "GET").route(web::get().to(overview)))
    .service(resource("/glossary", "GET").route(web::get().to(glossary)))
    .service(resource("/dashboard/{department}", "GET").route(web::get().to(department)))
    .service(resource("/admin/users", "GET").route(web::get().to(admin_users)))
    .service(resource("/admin/audit", "GET").route(web::get().to(admin_audit)))
    .service(
        resource("/admin/users/{username}/{action}", "POST")
            .route(web::post().to(admin_user_action)),
    );
}

/// A staff page: HTML that no browser or proxy keeps.
pub(super) fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(markup.into_string())
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Where a signed-in user starts.
fn landing(user: &StaffUser, lang: Lang) -> String {
    match &user.role {
        Role::Admin => format!("/admin/users?lang={}", lang.code()),
        Role::HomeAffairs => format!("/dashboard?lang={}", lang.code()),
        Role::Department(code) => format!("/dashboard/{code}?lang={}", lang.code()),
    }
}

async fn login_form(
    session: Session,
    PageLang(lang): PageLang,
    query: QueryParams,
) -> HttpResponse {
    let csrf = session::csrf_token(&session);
    let next = query.get("next").cloned().unwrap_or_default();
    let message = query.contains_key("expired").then(|| {
        lang.pick(
            "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại.",
            "Your session ended after a period of inactivity. Please sign in again.",
        )
    });
    html(StatusCode::OK, view::login(lang, &csrf, &next, message, ""))
}

/// Only local staff paths are followed after signing in.
fn safe_next(next: &str) -> Option<&str> {
    [
        "/dashboard",
        "/admin/",
        "/report",
        "/export/",
        "/feedback",
        "/waves",
    ]
    .iter()
    .any(|prefix| next.starts_with(prefix))
    .then_some(next)
}

async fn login(
    state: State,
    throttle: web::Data<LoginThrottle>,
    session: Session,
    req: HttpRequest,
    PageLang(lang): PageLang,
    form: Result<CsrfForm, AppError>,
) -> Result<HttpResponse, AppError> {
    let render = |status: StatusCode, message: &str, next: &str, username: &str| {
        let csrf = session::csrf_token(&session);
        html(
            status,
            view::login(lang, &csrf, next, Some(message), username),
        )
    };
    // An expired form comes back as the sign-in form, ready to try again.
    let form = match form {
        Err(AppError::CsrfRejected) => {
            return Ok(render(
                StatusCode::FORBIDDEN,
                lang.pick(
                    "Biểu mẫu đã hết hạn. Vui lòng đăng nhập lại.",
                    "The form expired. Please sign in again.",
                ),
                "",
                "",
            ))
        }
        other => other?,
    };
    // Usernames are at most 32 characters: a longer one is no account's,
    // is kept short in the throttle and the audit log, and is not echoed.
    let typed = form.field("username").trim().to_lowercase();
    let username: String = typed.chars().take(MAX_USERNAME_CHARS).collect();
    let echoed = if typed.chars().count() <= MAX_USERNAME_CHARS {
        username.as_str()
    } else {
        ""
    };
    let next = form.field("next").to_string();
    let too_many = |wait: Option<RetryAfter>, message: &str| {
        let mut response = render(StatusCode::TOO_MANY_REQUESTS, message, &next, echoed);
        let wait = wait.map_or_else(|| "1".to_string(), |w| w.to_string());
        if let Ok(value) = header::HeaderValue::from_str(&wait) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    };
    // Kept in memory only, to slow down guessing from one client. The
    // attempt counts as a failure before the password is checked.
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let keys = vec![format!("user:{username}"), format!("client:{client}")];
    if let Err(wait) = throttle.attempt(&keys) {
        return Ok(too_many(
            Some(wait),
            lang.pick(
                "Đăng nhập sai quá nhiều lần. Vui lòng chờ rồi thử lại.",
                "Too many failed sign-ins. Please wait and try again.",
            ),
        ));
    }
    // A burst of sign-ins waits for nothing: past the permitted number of
    // password checks it is refused at once, so memory stays bounded.
    let Some(permit) = throttle.verification() else {
        return Ok(too_many(
            None,
            lang.pick(
                "Hệ thống đang xử lý nhiều lượt đăng nhập. Vui lòng thử lại sau giây lát.",
                "Many sign-ins are being checked. Please try again in a moment.",
            ),
        ));
    };
    let password = form.field("password").to_string();
    let ctx = state.clone();
    let name = username.clone();
    let user = web::block(move || accounts::authenticate(&ctx, &name, &password)).await??;
    drop(permit);
    Ok(match user {
        None => render(
            StatusCode::UNAUTHORIZED,
            lang.pick(
                "Sai tên đăng nhập hoặc mật khẩu.",
                "Wrong username or password.",
            ),
            &next,
            echoed,
        ),
        Some(user) => {
            throttle.succeeded(&keys);
            session::sign_in(&session, &user.id, user.session_generation, &state.clock);
            let target = safe_next(&next)
                .map(str::to_string)
                .unwrap_or_else(|| landing(&user, lang));
            redirect(&target)
        }
    })
}

async fn logout(
    state: State,
    session: Session,
    PageLang(lang): PageLang,
    _form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    // This browser is signed out whatever happens next; every other copy
    // of the cookie ends when the account's generation moves on.
    let user_id = session::user_id(&session);
    session::sign_out(&session);
    if let Some(id) = user_id {
        let ctx = state.clone();
        let ended = web::block(move || -> Result<(), AppError> {
            if let Some(user) = accounts::active_user(&ctx, &id)? {
                accounts::sign_out_everywhere(&ctx, &user)?;
            }
            Ok(())
        })
        .await
        .map_err(AppError::from)
        .and_then(|r| r);
        if let Err(err) = ended {
            log::error!(
                "signed out here, but other copies of the session could not be ended: {}",
                crate::error::with_causes(&err)
            );
        }
    }
    Ok(redirect(&format!("/login?lang={}", lang.code())))
}

/// The period of a dashboard request: `period` and `mode`, the current
/// quarter (by the application's clock) by default.
fn period_of(ctx: &AppContext, query: &Params) -> Result<Period, AppError> {
    let today = ctx.clock.today();
    params::period_or(query, |mode| Period::default_on(today, mode))
}

async fn department(
    state: State,
    staff: Staff<ScoreReaderRole>,
    path: web::Path<String>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let code = path.into_inner();
    if !staff.user.role.access().is_some_and(|a| a.may_read(&code)) {
        return Err(AppError::Forbidden(format!(
            "this account may not read department \"{code}\""
        )));
    }
    let department = state
        .catalog
        .department(&code)
        .filter(|d| d.surveyed)
        .ok_or_else(|| AppError::NotFound(format!("no department \"{code}\"")))?;
    let period = period_of(&state, &query)?;
    let ctx = state.clone();
    let surveys: Vec<_> = state
        .catalog
        .surveys
        .iter()
        .filter(|s| s.survey.department == code)
        .cloned()
        .collect();
    let department_code = code.clone();
    let (panels, feedback) = web::block(move || -> Result<_, AppError> {
        let panels = surveys
            .iter()
            .map(|survey| dashboard::survey_panel(&ctx, survey, period))
            .collect::<Result<Vec<_>, _>>()
            .map_err(params::index_error)?;
        let feedback = crate::services::feedback::summary(&ctx, &department_code, &period)?;
        Ok((panels, feedback))
    })
    .await??;
    let page = DepartmentPage {
        lang,
        viewer: &staff.viewer,
        catalog: &state.catalog,
        department: &code,
        department_name: department.name_on(state.clock.today()),
        period,
        panels,
        feedback,
        own: staff.user.role.department() == Some(code.as_str()),
        min_cell: state.stats.min_cell,
        level: state.stats.level,
        today: state.clock.today(),
    };
    Ok(html(StatusCode::OK, view::department(&page)))
}

async fn glossary(staff: Staff<AnyRole>, PageLang(lang): PageLang) -> HttpResponse {
    html(StatusCode::OK, view::glossary(lang, Some(&staff.viewer)))
}

async fn overview(
    state: State,
    staff: Staff<HomeAffairsRole>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let period = period_of(&state, &query)?;
    let ctx = state.clone();
    let lines = web::block(move || dashboard::overview(&ctx, period))
        .await?
        .map_err(params::index_error)?;
    let page = OverviewPage {
        lang,
        viewer: &staff.viewer,
        catalog: &state.catalog,
        period,
        lines,
        today: state.clock.today(),
    };
    Ok(html(StatusCode::OK, view::overview(&page)))
}

async fn admin_users(
    state: State,
    staff: Staff<AdminRole>,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let ctx = state.clone();
    let accounts = web::block(move || accounts::list(&ctx)).await??;
    Ok(html(
        StatusCode::OK,
        view::users(
            lang,
            &staff.viewer,
            &accounts,
            &state.catalog,
            state.clock.today(),
        ),
    ))
}

async fn admin_user_action(
    state: State,
    staff: Staff<AdminRole>,
    path: web::Path<(String, String)>,
    PageLang(lang): PageLang,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (username, action) = path.into_inner();
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => {
            return Err(AppError::NotFound(format!(
                "no account action \"{action}\""
            )))
        }
    };
    if username == staff.user.username {
        return Err(AppError::InvalidParameter {
            field: "username".into(),
            message: lang
                .pick(
                    "không thể tự khóa tài khoản của mình",
                    "you cannot disable your own account",
                )
                .into(),
        });
    }
    // Disabling ends the person's sessions at once: asked once more.
    if disable && form.field("confirm") != "yes" {
        return Ok(html(
            StatusCode::OK,
            view::confirm_disable(lang, &staff.viewer, &username),
        ));
    }
    let ctx = state.clone();
    let actor = staff.user.username.clone();
    match web::block(move || accounts::set_disabled(&ctx, &username, disable, &actor)).await? {
        Ok(()) => Ok(redirect(&format!("/admin/users?lang={}", lang.code()))),
        Err(AccountError::NoSuchUser(name)) => {
            Err(AppError::NotFound(format!("no account \"{name}\"")))
        }
        Err(AccountError::Db(err)) => Err(err.into()),
        Err(other) => Err(AppError::Internal(other.to_string())),
    }
}

/// `/admin/audit`: the audit log, newest first, filtered by actor, action
/// (a prefix such as `wave.` or `user.`) and days; at most 500 entries.
async fn admin_audit(
    state: State,
    staff: Staff<AdminRole>,
    query: QueryParams,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let field = |name: &str| {
        query
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let date = |name: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        field(name)
            .map(|text| {
                chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                    AppError::InvalidParameter {
                        field: name.into(),
                        message: "must be a date YYYY-MM-DD".into(),
                    }
                })
            })
            .transpose()
    };
    let filter = crate::db::audit::AuditFilter {
        actor: field("actor"),
        action: field("action"),
        from: date("from")?,
        to: date("to")?,
    };
    let ctx = state.clone();
    let shown = filter.clone();
    let rows = web::block(move || -> Result<_, crate::db::DbError> {
        crate::db::audit::filtered(&mut *ctx.db.reader()?, &shown, 500)
    })
    .await??;
    Ok(html(
        StatusCode::OK,
        view::audit(lang, &staff.viewer, &filter, &rows),
    ))
}
