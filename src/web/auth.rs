//! Who is calling, as extractors. A handler names the caller it needs in
//! its signature — [`Staff<R>`] for a signed-in staff member whose role
//! meets `R`, [`Reader`] for anyone allowed to read scores (API token or
//! session), [`TokenReader`] for the API — and never repeats the sign-in
//! preamble. [`CsrfForm`] is a form body that carries the session's token.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::session::{self, SessionState, WebSettings};
use super::{has_content_type, read_body, State, MAX_BODY_BYTES};
use crate::domain::Role;
use crate::error::{bearer_token, AppError};
use crate::i18n::Lang;
use crate::services::access::accounts::{self, StaffUser};
use crate::services::access::{tokens, Principal};
use crate::views::staff::Viewer;

type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// The page language a request asks for with `?lang=`: Vietnamese unless
/// English is asked for.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl PageLang {
    pub fn of(req: &HttpRequest) -> Lang {
        let lang = form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(key, _)| key == "lang")
            .map(|(_, value)| value.into_owned());
        Lang::from_query(lang.as_deref())
    }
}

impl FromRequest for PageLang {
    type Error = AppError;
    type Future = std::future::Ready<Result<PageLang, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(PageLang(PageLang::of(req))))
    }
}

/// Which roles a staff route admits.
pub trait RoleRequirement {
    fn admits(role: &Role) -> bool;
}

/// Any signed-in staff member.
pub struct AnyRole;
/// Account administrators.
pub struct AdminRole;
/// Home Affairs, which reads every department.
pub struct HomeAffairsRole;
/// Anyone who reads scores: Home Affairs or a department.
pub struct ScoreReaderRole;
/// A department's own staff.
pub struct DepartmentRole;

impl RoleRequirement for AnyRole {
    fn admits(_: &Role) -> bool {
        true
    }
}
impl RoleRequirement for AdminRole {
    fn admits(role: &Role) -> bool {
        *role == Role::Admin
    }
}
impl RoleRequirement for HomeAffairsRole {
    fn admits(role: &Role) -> bool {
        *role == Role::HomeAffairs
    }
}
impl RoleRequirement for DepartmentRole {
    fn admits(role: &Role) -> bool {
        matches!(role, Role::Department(_))
    }
}
impl RoleRequirement for ScoreReaderRole {
    fn admits(role: &Role) -> bool {
        role.access().is_some()
    }
}

/// A signed-in, still enabled staff member whose role meets `R`. Anonymous
/// or expired sessions are sent to sign in; other roles get 403.
pub struct Staff<R = AnyRole> {
    pub user: StaffUser,
    pub viewer: Viewer,
    _role: PhantomData<R>,
}

impl<R: RoleRequirement> FromRequest for Staff<R> {
    type Error = AppError;
    type Future = Extracting<Staff<R>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = signed_in_user(&req).await?;
            let viewer = Viewer {
                username: user.username.clone(),
                csrf: session::csrf_token(&req.get_session()),
            };
            // Error pages met from here on show who is signed in.
            req.extensions_mut().insert(viewer.clone());
            if !R::admits(&user.role) {
                return Err(AppError::Forbidden(format!(
                    "the role {} may not use this page",
                    user.role.kind()
                )));
            }
            Ok(Staff {
                user,
                viewer,
                _role: PhantomData,
            })
        })
    }
}

fn state_of(req: &HttpRequest) -> Result<(State, web::Data<WebSettings>), AppError> {
    let missing = || AppError::Internal("application state is not configured".into());
    Ok((
        req.app_data::<State>().cloned().ok_or_else(missing)?,
        req.app_data::<web::Data<WebSettings>>()
            .cloned()
            .ok_or_else(missing)?,
    ))
}

/// The user of the request's session, ending idle sessions and sessions of
/// accounts disabled since they signed in.
async fn signed_in_user(req: &HttpRequest) -> Result<StaffUser, AppError> {
    let (ctx, settings) = state_of(req)?;
    let session = req.get_session();
    let next = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    let (user_id, generation) = match session::current(&session, &settings, &ctx.clock) {
        SessionState::Anonymous => {
            return Err(AppError::SignInRequired {
                next,
                expired: false,
            })
        }
        SessionState::Expired => {
            return Err(AppError::SignInRequired {
                next,
                expired: true,
            })
        }
        SessionState::Active {
            user_id,
            generation,
        } => (user_id, generation),
    };
    match web::block(move || accounts::active_user(&ctx, &user_id)).await?? {
        Some(user) if user.session_generation == generation => Ok(user),
        _ => {
            // Signed out elsewhere, password changed, disabled or removed
            // since this session began.
            session::sign_out(&session);
            Err(AppError::SignInRequired {
                next,
                expired: false,
            })
        }
    }
}

async fn token_principal(req: &HttpRequest) -> Result<Principal, AppError> {
    let presented = bearer_token(req).ok_or(AppError::Unauthorized)?;
    let (ctx, _) = state_of(req)?;
    web::block(move || tokens::verify(&ctx, &presented))
        .await??
        .ok_or(AppError::Unauthorized)
}

/// A caller of the index API: an API token, nothing else.
pub struct TokenReader(pub Principal);

impl FromRequest for TokenReader {
    type Error = AppError;
    type Future = Extracting<TokenReader>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { token_principal(&req).await.map(TokenReader) })
    }
}

/// Anyone allowed to read scores: an API token when the request carries
/// one, otherwise the signed-in staff member (an administrator reads none).
pub struct Reader(pub Principal);

impl FromRequest for Reader {
    type Error = AppError;
    type Future = Extracting<Reader>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if bearer_token(req).is_some() {
            let req = req.clone();
            return Box::pin(async move { token_principal(&req).await.map(Reader) });
        }
        let staff = Staff::<AnyRole>::from_request(req, payload);
        Box::pin(async move {
            let staff = staff.await?;
            let access = staff.user.role.access().ok_or_else(|| {
                AppError::Forbidden("an admin account reads no survey data".into())
            })?;
            Ok(Reader(Principal {
                access,
                actor: staff.user.username,
            }))
        })
    }
}

/// A URL-encoded form body (at most [`MAX_BODY_BYTES`]) that carries this
/// session's CSRF token in its `csrf` field.
pub struct CsrfForm<const LIMIT: usize = MAX_BODY_BYTES>(pub HashMap<String, String>);

impl<const LIMIT: usize> CsrfForm<LIMIT> {
    pub fn field(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }
}

impl<const LIMIT: usize> FromRequest for CsrfForm<LIMIT> {
    type Error = AppError;
    type Future = Extracting<CsrfForm<LIMIT>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let content_type = "application/x-www-form-urlencoded";
            if !has_content_type(&req, content_type) {
                return Err(AppError::UnsupportedMediaType {
                    expected: content_type,
                });
            }
            let body = read_body(&req, payload, LIMIT).await?;
            let form: HashMap<String, String> =
                form_urlencoded::parse(&body).into_owned().collect();
            let session: Session = req.get_session();
            if !session::csrf_matches(&session, form.get("csrf").map(String::as_str)) {
                return Err(AppError::CsrfRejected);
            }
            Ok(Self(form))
        })
    }
}
