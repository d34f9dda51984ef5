//! The second factor on the web: the code asked after the password (the account waits in the
//! session, not logged in, for five minutes), and enrolment and removal on « Mon compte ».
//! The rules are in [`super::second_factor`] and [`super::totp`].

use super::account_handlers::{self, Shown};
use super::login::LoginOutcome;
use super::{CurrentUser, second_factor, totp};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

/// The page asking for the code after the password.
pub const CODE_PAGE: &str = "/login/code";
/// The account whose password was accepted and whose code is awaited.
const PENDING_USER: &str = "mfa_user";
/// When its password was accepted (Unix seconds).
const PENDING_AT: &str = "mfa_at";
/// How long the code may be awaited.
const PENDING_SECS: i64 = 5 * 60;
/// The secret being enrolled, sealed with the server's key, until confirmed by a first code.
const ENROLMENT: &str = "totp_enrolment";

/// Routes of the second factor.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, CODE_PAGE, Access::Public, get(code_form)),
        route(Method::POST, CODE_PAGE, Access::Public, post(submit_code)),
        route(
            Method::POST,
            "/compte/double-authentification",
            Access::AnyUser,
            post(start_enrolment),
        ),
        route(
            Method::POST,
            "/compte/double-authentification/confirmer",
            Access::AnyUser,
            post(confirm_enrolment),
        ),
        route(
            Method::POST,
            "/compte/double-authentification/desactiver",
            Access::AnyUser,
            post(disable),
        ),
    ]
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("session : {e}"))
}

fn unix_now() -> i64 {
    // Real time, like the session expiry (not the application clock tests move).
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Puts the account whose password was accepted in the session, awaiting its code.
///
/// # Errors
/// The session store fails.
pub(super) async fn begin(session: &Session, user_id: i32) -> Result<(), AppError> {
    session
        .insert(PENDING_AT, unix_now())
        .await
        .map_err(session_err)?;
    session
        .insert(PENDING_USER, user_id)
        .await
        .map_err(session_err)
}

/// The account awaiting its code, if its password was accepted less than five minutes ago.
async fn pending(session: &Session) -> Result<Option<i32>, AppError> {
    let user = session
        .get::<i32>(PENDING_USER)
        .await
        .map_err(session_err)?;
    let at = session.get::<i64>(PENDING_AT).await.map_err(session_err)?;
    Ok(match (user, at) {
        (Some(u), Some(at)) if unix_now() - at <= PENDING_SECS => Some(u),
        _ => None,
    })
}

async fn forget_pending(session: &Session) -> Result<(), AppError> {
    session
        .remove::<i32>(PENDING_USER)
        .await
        .map_err(session_err)?;
    session
        .remove::<i64>(PENDING_AT)
        .await
        .map_err(session_err)?;
    Ok(())
}

#[derive(Serialize)]
struct CodeView {
    /// A code is awaited (else the page sends back to the login form).
    awaited: bool,
}

fn code_page(
    st: &AppState,
    csrf: String,
    awaited: bool,
    status: StatusCode,
    errors: Vec<String>,
) -> AppResult<Response> {
    let page = Page::new(
        "Connexion : second facteur",
        None,
        csrf,
        CodeView { awaited },
    )
    .errors(errors);
    Ok((status, st.templates.page("auth/login_code", &page)?).into_response())
}

async fn code_form(State(st): State<AppState>, session: Session) -> AppResult<Response> {
    let awaited = pending(&session).await?.is_some();
    let csrf = security::csrf_token(&session).await?;
    code_page(&st, csrf, awaited, StatusCode::OK, Vec::new())
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn submit_code(
    State(st): State<AppState>,
    session: Session,
    headers: HeaderMap,
    conn: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let Some(user_id) = pending(&session).await? else {
        let csrf = security::csrf_token(&session).await?;
        return code_page(
            &st,
            csrf,
            false,
            StatusCode::UNAUTHORIZED,
            vec!["Aucune connexion n'attend de code, ou elle a expiré (5 minutes) : saisissez à nouveau votre adresse et votre mot de passe.".into()],
        );
    };
    if f.code.trim().is_empty() {
        let csrf = security::csrf_token(&session).await?;
        return code_page(
            &st,
            csrf,
            true,
            StatusCode::UNAUTHORIZED,
            vec![
                "Saisissez le code à six chiffres de votre application, ou un code de secours."
                    .into(),
            ],
        );
    }
    let client = conn.map_or_else(|| "inconnu".to_owned(), |c| c.0.0.ip().to_string());
    let email = super::users::by_id(&st.db, user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    let trusted = super::handlers::trusted_device(&st, &headers, &email);
    let outcome = second_factor::login_code(
        &st.db,
        &st.caches.login_throttle,
        st.settings.key(),
        st.clock.now(),
        &client,
        trusted,
        user_id,
        &f.code,
    )
    .await?;
    match outcome {
        LoginOutcome::Success(user) => {
            forget_pending(&session).await?;
            super::handlers::complete_login(&st, &session, &headers, &user).await
        }
        LoginOutcome::Invalid { delay } => {
            tokio::time::sleep(delay).await;
            let csrf = security::csrf_token(&session).await?;
            code_page(
                &st,
                csrf,
                true,
                StatusCode::UNAUTHORIZED,
                vec!["Code incorrect ou déjà utilisé.".into()],
            )
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            let csrf = security::csrf_token(&session).await?;
            let mut resp = code_page(
                &st,
                csrf,
                true,
                StatusCode::TOO_MANY_REQUESTS,
                vec![format!(
                    "Trop de tentatives échouées : réessayez dans {retry_after_secs} secondes."
                )],
            )?;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(resp)
        }
        LoginOutcome::SecondFactor { .. } => Err(AppError::Internal(anyhow::anyhow!(
            "second facteur demandé deux fois"
        ))),
    }
}

/// What « Mon compte » shows of an enrolment under way: the secret to type or the URI to
/// open in an authenticator application.
#[derive(Serialize)]
pub(super) struct EnrolmentView {
    pub base32: String,
    pub uri: String,
}

/// The enrolment under way in this session, if any (and the account has no second factor).
///
/// # Errors
/// The session store fails.
pub(super) async fn enrolment_view(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
) -> Result<Option<EnrolmentView>, AppError> {
    if user.totp_enabled {
        return Ok(None);
    }
    let Some(secret) = enrolment_secret(st, session).await? else {
        return Ok(None);
    };
    Ok(Some(EnrolmentView {
        base32: totp::base32(&secret),
        uri: totp::otpauth_uri(&secret, &user.email)
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
    }))
}

async fn enrolment_secret(st: &AppState, session: &Session) -> Result<Option<Vec<u8>>, AppError> {
    let sealed = session
        .get::<String>(ENROLMENT)
        .await
        .map_err(session_err)?;
    Ok(sealed.and_then(|s| totp::open(st.settings.key(), &s)))
}

async fn start_enrolment(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
) -> AppResult<Response> {
    if user.totp_enabled {
        return Err(AppError::Conflict(
            "la double authentification est déjà activée sur ce compte".into(),
        ));
    }
    let sealed = totp::seal(st.settings.key(), &totp::new_secret());
    session
        .insert(ENROLMENT, sealed)
        .await
        .map_err(session_err)?;
    Ok(Redirect::to("/compte#double-authentification").into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    code: String,
}

async fn confirm_enrolment(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let Some(secret) = enrolment_secret(&st, &session).await? else {
        return account_handlers::render(
            &st,
            &user,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Shown::default(),
            vec!["Aucune activation en cours : commencez par « Activer la double authentification ».".into()],
        )
        .await;
    };
    match second_factor::enrol(
        &st.db,
        st.settings.key(),
        st.clock.now(),
        &user,
        &secret,
        &f.code,
    )
    .await
    {
        Ok(codes) => {
            session
                .remove::<String>(ENROLMENT)
                .await
                .map_err(session_err)?;
            // The layout and the page read the account as it now is.
            let mut now_user = (*user).clone();
            now_user.totp_enabled = true;
            account_handlers::render(
                &st,
                &now_user,
                &session,
                StatusCode::OK,
                Shown {
                    recovery_codes: codes,
                    ..Shown::default()
                },
                Vec::new(),
            )
            .await
        }
        Err(e) => account_handlers::refused(&st, &user, &session, e).await,
    }
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

async fn disable(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Form(f): Form<DisableForm>,
) -> AppResult<Response> {
    match second_factor::disable(
        &st.db,
        st.settings.key(),
        st.clock.now(),
        &user,
        &f.password,
        &f.code,
    )
    .await
    {
        Ok(()) => {
            security::set_flash(&session, "La double authentification est désactivée.").await?;
            Ok(Redirect::to("/compte").into_response())
        }
        Err(e) => account_handlers::refused(&st, &user, &session, e).await,
    }
}
