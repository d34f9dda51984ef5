//! Who is calling and whether they may: the caller is resolved from the session cookie or a
//! Bearer token (API only), every unsafe request through a cookie must come from this site and
//! carry its CSRF token (the session's, or the signed anonymous one of [`super::csrf`]), and
//! every route declares its [`Access`], checked together with the groupement in the path.

use super::csrf::AnonCsrf;
use super::secret::constant_eq;
use crate::auth::{CurrentUser, Role, users};
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use crate::web::cache::DataVersion;
use axum::RequestExt;
use axum::body::Body;
use axum::extract::{RawPathParams, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use std::sync::Arc;
use tower_sessions::Session;

const USER_KEY: &str = "user_id";
const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";
/// When the session was last saved (Unix seconds), see [`TOUCH_EVERY`].
const SEEN_KEY: &str = "seen";
/// When the user logged in (Unix seconds): a session ends [`ABSOLUTE_LIFETIME`] later even if
/// it was used all along, so a stolen cookie does not live for ever.
pub const CREATED_KEY: &str = "created";
/// The browser's User-Agent at login, for the list of one's sessions.
pub const UA_KEY: &str = "ua";
/// The logged-in user's id in the session data.
pub const USER_ID_KEY: &str = USER_KEY;
/// Longest life of a session, however active.
pub const ABSOLUTE_LIFETIME: i64 = 12 * 3600;
/// Sessions expire after 8 hours of inactivity, counted from their last save. An unmodified
/// session is not saved (that would be one database write per page), so an active session is
/// saved again — its expiry pushed back, its cookie renewed — once this long has passed.
const TOUCH_EVERY: i64 = 5 * 60;
/// Largest form body read for the CSRF check.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in user (of the groupement in the path, if any).
    AnyUser,
    /// Any logged-in user, even one whose password must be changed first: « Mon compte »,
    /// the password change and logout. Every other route refuses such an account.
    OwnAccount,
    /// Only these roles (of the groupement in the path, if any).
    Roles(&'static [Role]),
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The CSRF token to put in a page: the session's for a logged-in user; for an anonymous
/// visitor the signed token of [`super::csrf`], which stores nothing.
///
/// # Errors
/// The session store fails.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await.map_err(session_err)? {
        return Ok(t);
    }
    let logged_in = session
        .get::<i32>(USER_KEY)
        .await
        .map_err(session_err)?
        .is_some();
    if !logged_in && let Some(t) = super::csrf::current() {
        return Ok(t);
    }
    let t = random_token();
    session.insert(CSRF_KEY, &t).await.map_err(session_err)?;
    Ok(t)
}

/// Logs a user in: a new session id (no fixation), a new CSRF token (the one of the login
/// form is not reused), the user id, the time of login and the browser.
///
/// # Errors
/// The session store fails.
pub async fn login_session(
    session: &Session,
    user_id: i32,
    user_agent: Option<&str>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    let now = unix_now();
    session
        .insert(CSRF_KEY, random_token())
        .await
        .map_err(session_err)?;
    session.insert(SEEN_KEY, now).await.map_err(session_err)?;
    session
        .insert(CREATED_KEY, now)
        .await
        .map_err(session_err)?;
    if let Some(ua) = user_agent {
        let ua: String = ua.chars().filter(|c| !c.is_control()).take(200).collect();
        session.insert(UA_KEY, ua).await.map_err(session_err)?;
    }
    session.insert(USER_KEY, user_id).await.map_err(session_err)
}

fn unix_now() -> i64 {
    // Real time, like the session expiry itself (not the application clock tests move).
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Saves the session again if it was last saved [`TOUCH_EVERY`] ago or more.
async fn touch(session: &Session) -> Result<(), AppError> {
    let now = unix_now();
    let seen = session.get::<i64>(SEEN_KEY).await.map_err(session_err)?;
    if seen.is_none_or(|s| now - s >= TOUCH_EVERY) {
        session.insert(SEEN_KEY, now).await.map_err(session_err)?;
    }
    Ok(())
}

/// Ends the session.
///
/// # Errors
/// The session store fails.
pub async fn logout_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_err)
}

/// Stores a message shown once on the next page.
///
/// # Errors
/// The session store fails.
pub async fn set_flash(session: &Session, msg: impl Into<String>) -> Result<(), AppError> {
    session
        .insert(FLASH_KEY, msg.into())
        .await
        .map_err(session_err)
}

/// Takes the pending message, if any.
///
/// # Errors
/// The session store fails.
pub async fn take_flash(session: &Session) -> Result<Option<String>, AppError> {
    // `remove` marks the session modified even when there is nothing to remove, which would
    // save every session on every page: look first.
    if session
        .get_value(FLASH_KEY)
        .await
        .map_err(session_err)?
        .is_none()
    {
        return Ok(None);
    }
    session
        .remove::<String>(FLASH_KEY)
        .await
        .map_err(session_err)
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session : {e}"))
}

fn is_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
}

fn reject(api: bool, e: AppError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        e.into_response()
    }
}

/// Resolves the caller and checks CSRF; runs on every request.
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = is_api(&req);
    let anon = AnonCsrf::for_request(state.settings.key(), req.headers());
    match resolve(&state, req, &anon).await {
        Ok(req) => {
            let mut resp = anon.clone().scope(next.run(req)).await;
            if let Some(cookie) = anon.set_cookie(state.settings.base_url.starts_with("https://")) {
                resp.headers_mut().append(header::SET_COOKIE, cookie);
            }
            resp
        }
        Err(e) => {
            if matches!(e, AppError::Csrf | AppError::Forbidden(_)) {
                crate::auth::throttle::count_refusal();
                tracing::warn!(erreur = %e.message(), "requête refusée (CSRF, origine ou jeton)");
            }
            reject(api, e)
        }
    }
}

async fn resolve(state: &AppState, mut req: Request, anon: &AnonCsrf) -> Result<Request, AppError> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    if let Some(token) = bearer {
        // A token opens the API only: a stolen token must not browse the pages (which show
        // offers, notes and letters) nor post their forms.
        if !is_api(&req) {
            return Err(AppError::Forbidden(
                "un jeton d'API n'ouvre que l'API (/api/v1/) ; connectez-vous pour les pages"
                    .into(),
            ));
        }
        // Token callers carry no cookie, so they are not exposed to CSRF.
        let version = DataVersion::read(&state.db).await?;
        let user = crate::auth::tokens::authenticate(&state.db, &token, state.clock.now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        req.extensions_mut().insert(Arc::new(user));
        req.extensions_mut().insert(version);
        return Ok(req);
    }
    let session = req
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("couche de session absente")))?;
    if let Some(uid) = session.get::<i32>(USER_KEY).await.map_err(session_err)?
        && !past_absolute_lifetime(&session).await?
    {
        // Read before the user, so that the user is at least as recent as the version the
        // handlers will stamp their own reads with.
        let version = DataVersion::read(&state.db).await?;
        let user = state
            .caches
            .users
            .get_or_load(uid, version, || async {
                users::by_id(&state.db, uid)
                    .await?
                    .ok_or(AppError::Unauthenticated)
            })
            .await;
        match user {
            Ok(user) => {
                touch(&session).await?;
                req.extensions_mut().insert(user);
                req.extensions_mut().insert(version);
            }
            // A deactivated or deleted account: the session no longer identifies anyone.
            Err(AppError::Unauthenticated) => {}
            Err(e) => return Err(e),
        }
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    if let Some(why) = super::csrf::foreign_origin(req.headers(), &state.settings.base_url) {
        return Err(AppError::Forbidden(why));
    }
    let expected = match session.get::<String>(CSRF_KEY).await.map_err(session_err)? {
        Some(t) => t,
        None if anon.from_cookie => anon.token.clone(),
        None => return Err(AppError::Csrf),
    };
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_eq(h, &expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
            AppError::BadRequest("Le formulaire dépasse la taille autorisée (2 Mo).".into())
        })?;
        let ok = url::form_urlencoded::parse(&bytes)
            .any(|(k, v)| k == "csrf_token" && constant_eq(&v, &expected));
        if !ok {
            return Err(AppError::Csrf);
        }
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    let in_query = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .any(|(k, v)| k == "csrf_token" && constant_eq(&v, &expected))
        })
        .unwrap_or(false);
    if in_query {
        Ok(req)
    } else {
        Err(AppError::Csrf)
    }
}

/// Ends a session older than [`ABSOLUTE_LIFETIME`]; a session from before this rule gets
/// its start now.
async fn past_absolute_lifetime(session: &Session) -> Result<bool, AppError> {
    let now = unix_now();
    match session.get::<i64>(CREATED_KEY).await.map_err(session_err)? {
        Some(created) if now - created > ABSOLUTE_LIFETIME => {
            session.flush().await.map_err(session_err)?;
            Ok(true)
        }
        Some(_) => Ok(false),
        None => {
            session
                .insert(CREATED_KEY, now)
                .await
                .map_err(session_err)?;
            Ok(false)
        }
    }
}

/// Enforces a route's [`Access`] and the groupement of `{gid}` in its path.
pub async fn authorize(State(access): State<Access>, mut req: Request, next: Next) -> Response {
    let api = is_api(&req);
    let user = req.extensions().get::<Arc<CurrentUser>>().cloned();
    let gid = match req.extract_parts::<RawPathParams>().await {
        Ok(params) => params
            .iter()
            .find(|(k, _)| *k == "gid")
            .map(|(_, v)| v.to_owned()),
        Err(_) => None,
    };
    if let Err(e) = check(access, user.as_deref(), gid.as_deref()) {
        return reject(api, e);
    }
    next.run(req).await
}

/// The authorisation rule itself (pure).
///
/// # Errors
/// `Unauthenticated` or `Forbidden` with the French reason.
pub fn check(
    access: Access,
    user: Option<&CurrentUser>,
    gid: Option<&str>,
) -> Result<(), AppError> {
    if access == Access::Public {
        return Ok(());
    }
    let user = user.ok_or(AppError::Unauthenticated)?;
    if user.must_change_password && access != Access::OwnAccount {
        return Err(AppError::PasswordChangeRequired);
    }
    if let Access::Roles(roles) = access
        && !roles.contains(&user.role)
    {
        let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
        return Err(AppError::Forbidden(format!(
            "cette action est réservée au rôle {}",
            labels.join(" ou ")
        )));
    }
    if let Some(gid) = gid {
        let same = gid
            .parse::<i32>()
            .ok()
            .is_some_and(|g| Some(g) == user.groupement_id);
        if !same {
            return Err(AppError::Forbidden(
                "ce groupement n'est pas le vôtre".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(must_change_password: bool) -> CurrentUser {
        CurrentUser {
            id: 1,
            email: "c@exemple.fr".into(),
            display_name: "C".into(),
            role: Role::Coordonnateur,
            groupement_id: Some(1),
            member_id: None,
            cao_seat: None,
            via_token: false,
            must_change_password,
            totp_enabled: false,
        }
    }

    #[test]
    fn a_password_to_change_opens_only_the_own_account_routes() {
        let forced = user(true);
        assert!(check(Access::OwnAccount, Some(&forced), None).is_ok());
        assert!(check(Access::Public, Some(&forced), None).is_ok());
        for access in [Access::AnyUser, Access::Roles(&[Role::Coordonnateur])] {
            assert!(matches!(
                check(access, Some(&forced), Some("1")),
                Err(AppError::PasswordChangeRequired)
            ));
        }
        let free = user(false);
        assert!(check(Access::AnyUser, Some(&free), Some("1")).is_ok());
        assert!(check(Access::OwnAccount, Some(&free), None).is_ok());
        assert!(matches!(
            check(Access::OwnAccount, None, None),
            Err(AppError::Unauthenticated)
        ));
    }
}
