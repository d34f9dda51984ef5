//! Who is calling and whether they may: the caller is resolved from the session cookie or a
//! Bearer token, every unsafe request through a cookie must carry the session's CSRF token,
//! and every route declares its [`Access`], checked together with the groupement in the path.

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
    /// Only these roles (of the groupement in the path, if any).
    Roles(&'static [Role]),
}

/// The session's CSRF token, created on first use.
///
/// # Errors
/// The session store fails.
pub async fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await.map_err(session_err)? {
        return Ok(t);
    }
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    let t = hex::encode(b);
    session.insert(CSRF_KEY, &t).await.map_err(session_err)?;
    Ok(t)
}

/// Logs a user in: a new session id (no fixation), user id stored.
///
/// # Errors
/// The session store fails.
pub async fn login_session(session: &Session, user_id: i32) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session
        .insert(SEEN_KEY, unix_now())
        .await
        .map_err(session_err)?;
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
    match resolve(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => reject(api, e),
    }
}

async fn resolve(state: &AppState, mut req: Request) -> Result<Request, AppError> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    if let Some(token) = bearer {
        // Token callers carry no cookie, so they are not exposed to CSRF.
        let version = DataVersion::read(&state.db).await?;
        let user = users::by_token(&state.db, &token)
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
    if let Some(uid) = session.get::<i32>(USER_KEY).await.map_err(session_err)? {
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
    let expected = session.get::<String>(CSRF_KEY).await.map_err(session_err)?;
    let Some(expected) = expected else {
        return Err(AppError::Csrf);
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

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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
