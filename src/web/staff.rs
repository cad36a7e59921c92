//! Staff routes: sign-in and sign-out, the dashboards, account administration.
//! Every route checks the role on the server; anonymous visitors are sent
//! to `/login`, signed-in users without the right role get 403.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use super::params;
use super::session::{self, SessionState, WebSettings};
use super::{has_content_type, read_body, State, MAX_BODY_BYTES};
use crate::accounts::{self, LoginThrottle, Role, StaffUser};
use crate::dashboard;
use crate::db::users;
use crate::domain::{today_in_vietnam, Lang, Period};
use crate::indices::IndexError;
use crate::views::staff::{self as view, DepartmentPage, OverviewPage, Viewer};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/dashboard", web::get().to(overview))
        .route("/dashboard/{department}", web::get().to(department))
        .route("/admin/users", web::get().to(admin_users))
        .route(
            "/admin/users/{username}/{action}",
            web::post().to(admin_user_action),
        );
}

type Query = web::Query<HashMap<String, String>>;

fn lang_of(query: &Query) -> Lang {
    Lang::from_query(query.get("lang").map(String::as_str))
}

fn html(status: StatusCode, markup: Markup) -> HttpResponse {
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

/// The signed-in, still enabled staff member, or the response to send instead.
pub(super) async fn require_user(
    state: &State,
    settings: &WebSettings,
    session: &Session,
    req: &HttpRequest,
) -> Result<StaffUser, HttpResponse> {
    let next = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    let to_login = |reason: &str| {
        let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        redirect(&format!("/login?next={next}{reason}"))
    };
    let user_id = match session::current(session, settings.session_idle) {
        SessionState::Anonymous => return Err(to_login("")),
        SessionState::Expired => return Err(to_login("&expired=1")),
        SessionState::Active(id) => id,
    };
    let services = state.clone();
    match web::block(move || accounts::active_user(&services, &user_id)).await {
        Ok(Ok(Some(user))) => Ok(user),
        Ok(Ok(None)) => {
            // Disabled or removed since signing in.
            session::sign_out(session);
            Err(to_login(""))
        }
        _ => Err(html(
            StatusCode::INTERNAL_SERVER_ERROR,
            view::message_page(Lang::Vi, "Lỗi hệ thống", "Vui lòng thử lại sau.", None),
        )),
    }
}

/// A signed-in staff member with the session's CSRF token, for pages.
pub(super) struct Signed {
    pub user: StaffUser,
    pub csrf: String,
}

impl Signed {
    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            user: &self.user,
            csrf: &self.csrf,
        }
    }
}

async fn signed_in(
    state: &State,
    settings: &WebSettings,
    session: &Session,
    req: &HttpRequest,
) -> Result<Signed, HttpResponse> {
    let user = require_user(state, settings, session, req).await?;
    Ok(Signed {
        user,
        csrf: session::csrf_token(session),
    })
}

/// The result of a blocking index computation, its thread failure included.
fn computed<T>(
    result: Result<Result<T, IndexError>, actix_web::error::BlockingError>,
) -> Result<T, IndexError> {
    result.unwrap_or_else(|err| Err(IndexError::Db(crate::db::DbError::Setup(err.to_string()))))
}

fn forbidden(lang: Lang, viewer: &Viewer) -> HttpResponse {
    html(
        StatusCode::FORBIDDEN,
        view::message_page(
            lang,
            lang.pick("Không có quyền truy cập", "Access denied"),
            lang.pick(
                "Tài khoản của bạn không được xem trang này.",
                "Your account may not see this page.",
            ),
            Some(viewer),
        ),
    )
}

async fn login_form(session: Session, query: Query) -> HttpResponse {
    let lang = lang_of(&query);
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

/// Only local dashboard or admin paths are followed after signing in.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with("/dashboard") || next.starts_with("/admin/")).then_some(next)
}

async fn read_form(req: &HttpRequest, payload: web::Payload) -> Option<HashMap<String, String>> {
    if !has_content_type(req, "application/x-www-form-urlencoded") {
        return None;
    }
    let body = read_body(req, payload, MAX_BODY_BYTES).await.ok()?;
    Some(form_urlencoded::parse(&body).into_owned().collect())
}

async fn login(
    state: State,
    throttle: web::Data<LoginThrottle>,
    session: Session,
    req: HttpRequest,
    query: Query,
    payload: web::Payload,
) -> HttpResponse {
    let lang = lang_of(&query);
    let Some(form) = read_form(&req, payload).await else {
        return html(
            StatusCode::BAD_REQUEST,
            view::message_page(
                lang,
                "400",
                lang.pick("Biểu mẫu không hợp lệ.", "Invalid form."),
                None,
            ),
        );
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let username = field("username").trim().to_lowercase();
    let next = field("next").to_string();
    let render = |status: StatusCode, message: &str| {
        let csrf = session::csrf_token(&session);
        html(
            status,
            view::login(lang, &csrf, &next, Some(message), &username),
        )
    };
    if !session::csrf_matches(&session, form.get("csrf").map(String::as_str)) {
        return render(
            StatusCode::FORBIDDEN,
            lang.pick(
                "Biểu mẫu đã hết hạn. Vui lòng đăng nhập lại.",
                "The form expired. Please sign in again.",
            ),
        );
    }
    // Kept in memory only, to slow down guessing from one client.
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let keys = vec![format!("user:{username}"), format!("client:{client}")];
    if let Err(wait) = throttle.check(&keys) {
        let mut response = render(
            StatusCode::TOO_MANY_REQUESTS,
            lang.pick(
                "Đăng nhập sai quá nhiều lần. Vui lòng chờ rồi thử lại.",
                "Too many failed sign-ins. Please wait and try again.",
            ),
        );
        if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let password = field("password").to_string();
    let services = state.clone();
    let name = username.clone();
    let user = match web::block(move || accounts::authenticate(&services, &name, &password)).await {
        Ok(Ok(user)) => user,
        _ => {
            return render(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.pick(
                    "Lỗi hệ thống, vui lòng thử lại.",
                    "System error, please try again.",
                ),
            )
        }
    };
    match user {
        None => {
            throttle.failed(&keys);
            render(
                StatusCode::UNAUTHORIZED,
                lang.pick(
                    "Sai tên đăng nhập hoặc mật khẩu.",
                    "Wrong username or password.",
                ),
            )
        }
        Some(user) => {
            throttle.succeeded(&keys);
            session::sign_in(&session, &user.id);
            let target = safe_next(&next)
                .map(str::to_string)
                .unwrap_or_else(|| landing(&user, lang));
            redirect(&target)
        }
    }
}

async fn logout(
    state: State,
    session: Session,
    req: HttpRequest,
    query: Query,
    payload: web::Payload,
) -> HttpResponse {
    let lang = lang_of(&query);
    let form = read_form(&req, payload).await.unwrap_or_default();
    if !session::csrf_matches(&session, form.get("csrf").map(String::as_str)) {
        return html(
            StatusCode::FORBIDDEN,
            view::message_page(
                lang,
                "403",
                lang.pick("Yêu cầu không hợp lệ (CSRF).", "Invalid request (CSRF)."),
                None,
            ),
        );
    }
    if let Some(id) = session::user_id(&session) {
        let services = state.clone();
        let _ = web::block(move || {
            let user = accounts::active_user(&services, &id).ok().flatten();
            user.map(|u| accounts::record(&services, &u.username, "logout", ""))
        })
        .await;
    }
    session::sign_out(&session);
    redirect(&format!("/login?lang={}", lang.code()))
}

/// The period of a dashboard request: `period` and `mode`, the current
/// quarter by default.
fn period_of(query: &Query) -> Result<Period, String> {
    params::period(
        query,
        Some(|mode| dashboard::quarter_of(today_in_vietnam(), mode)),
    )
    .map_err(|e| match e.fields() {
        Some(fields) => fields
            .into_iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        None => e.to_string(),
    })
}

fn bad_period(lang: Lang, viewer: &Viewer, message: &str) -> HttpResponse {
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        view::message_page(
            lang,
            lang.pick("Kỳ không hợp lệ", "Invalid period"),
            message,
            Some(viewer),
        ),
    )
}

/// A server-side failure: logged with its cause, a plain apology shown.
fn failure(lang: Lang, viewer: &Viewer, cause: impl std::fmt::Display) -> HttpResponse {
    log::error!("staff page failed: {cause}");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        view::message_page(
            lang,
            lang.pick("Lỗi hệ thống", "System error"),
            lang.pick("Vui lòng thử lại sau.", "Please try again later."),
            Some(viewer),
        ),
    )
}

async fn department(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    path: web::Path<String>,
    query: Query,
) -> HttpResponse {
    let lang = lang_of(&query);
    let signed = match signed_in(&state, &settings, &session, &req).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let (user, viewer) = (&signed.user, signed.viewer());
    let code = path.into_inner();
    if !user.role.may_read(&code) {
        return forbidden(lang, &viewer);
    }
    let Some(department) = state.catalog.department(&code).filter(|d| d.surveyed) else {
        return html(
            StatusCode::NOT_FOUND,
            view::message_page(
                lang,
                "404",
                lang.pick("Không có cơ quan này.", "No such department."),
                Some(&viewer),
            ),
        );
    };
    let period = match period_of(&query) {
        Ok(period) => period,
        Err(message) => return bad_period(lang, &viewer, &message),
    };
    let services = state.clone();
    let surveys: Vec<_> = state
        .catalog
        .surveys
        .iter()
        .filter(|s| s.survey.department == code)
        .cloned()
        .collect();
    let panels = web::block(move || {
        surveys
            .iter()
            .map(|survey| dashboard::survey_panel(&services, survey, period))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let panels = match computed(panels) {
        Ok(panels) => panels,
        Err(err) => return failure(lang, &viewer, err),
    };
    let page = DepartmentPage {
        lang,
        viewer,
        catalog: &state.catalog,
        department: &code,
        department_name: department.name_on(today_in_vietnam()),
        period,
        panels,
        min_cell: state.stats.min_cell,
        level: state.stats.level,
    };
    html(StatusCode::OK, view::department(&page))
}

async fn overview(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    query: Query,
) -> HttpResponse {
    let lang = lang_of(&query);
    let signed = match signed_in(&state, &settings, &session, &req).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let (user, viewer) = (&signed.user, signed.viewer());
    if user.role != Role::HomeAffairs {
        return forbidden(lang, &viewer);
    }
    let period = match period_of(&query) {
        Ok(period) => period,
        Err(message) => return bad_period(lang, &viewer, &message),
    };
    let services = state.clone();
    let lines = match computed(web::block(move || dashboard::overview(&services, period)).await) {
        Ok(lines) => lines,
        Err(err) => return failure(lang, &viewer, err),
    };
    let page = OverviewPage {
        lang,
        viewer,
        catalog: &state.catalog,
        period,
        lines,
    };
    html(StatusCode::OK, view::overview(&page))
}

async fn admin_users(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    query: Query,
) -> HttpResponse {
    let lang = lang_of(&query);
    let signed = match signed_in(&state, &settings, &session, &req).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let (user, viewer) = (&signed.user, signed.viewer());
    if user.role != Role::Admin {
        return forbidden(lang, &viewer);
    }
    let services = state.clone();
    match web::block(move || users::list(&mut services.db.reader()?)).await {
        Ok(Ok(rows)) => html(StatusCode::OK, view::users(lang, &viewer, &rows)),
        Ok(Err(err)) => failure(lang, &viewer, err),
        Err(err) => failure(lang, &viewer, err),
    }
}

async fn admin_user_action(
    state: State,
    settings: web::Data<WebSettings>,
    session: Session,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: Query,
    payload: web::Payload,
) -> HttpResponse {
    let lang = lang_of(&query);
    let signed = match signed_in(&state, &settings, &session, &req).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let (user, viewer) = (&signed.user, signed.viewer());
    if user.role != Role::Admin {
        return forbidden(lang, &viewer);
    }
    let form = read_form(&req, payload).await.unwrap_or_default();
    if !session::csrf_matches(&session, form.get("csrf").map(String::as_str)) {
        return html(
            StatusCode::FORBIDDEN,
            view::message_page(
                lang,
                "403",
                lang.pick("Yêu cầu không hợp lệ (CSRF).", "Invalid request (CSRF)."),
                Some(&viewer),
            ),
        );
    }
    let (username, action) = path.into_inner();
    let disable = match action.as_str() {
        "disable" => true,
        "enable" => false,
        _ => {
            return html(
                StatusCode::NOT_FOUND,
                view::message_page(lang, "404", "", Some(&viewer)),
            )
        }
    };
    if username == user.username {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            view::message_page(
                lang,
                "422",
                lang.pick(
                    "Không thể tự khóa tài khoản của mình.",
                    "You cannot disable your own account.",
                ),
                Some(&viewer),
            ),
        );
    }
    let services = state.clone();
    let actor = user.username.clone();
    match web::block(move || accounts::set_disabled(&services, &username, disable, &actor)).await {
        Ok(Ok(())) => redirect(&format!("/admin/users?lang={}", lang.code())),
        Ok(Err(accounts::AccountError::NoSuchUser(_))) => html(
            StatusCode::NOT_FOUND,
            view::message_page(
                lang,
                "404",
                lang.pick("Không có tài khoản này.", "No such account."),
                Some(&viewer),
            ),
        ),
        Ok(Err(err)) => failure(lang, &viewer, err),
        Err(err) => failure(lang, &viewer, err),
    }
}
