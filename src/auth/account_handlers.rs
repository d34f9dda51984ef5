//! « Mon compte »: one's password, one's sessions (with revocation) and one's API tokens
//! (creation with a lifetime, revocation). Every change is journaled (see [`super::account`]
//! and [`super::tokens`]).

use super::{CurrentUser, account, session_store, tokens};
use crate::audit;
use crate::db::entities::app_user;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

/// Routes of this page.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, "/compte", Access::OwnAccount, get(page)),
        route(
            Method::POST,
            "/compte/mot-de-passe",
            Access::OwnAccount,
            post(change_password),
        ),
        route(
            Method::POST,
            "/compte/sessions/{handle}/revoquer",
            Access::AnyUser,
            post(revoke_session),
        ),
        route(
            Method::POST,
            "/compte/jetons",
            Access::AnyUser,
            post(create_token),
        ),
        route(
            Method::POST,
            "/compte/jetons/{tid}/revoquer",
            Access::AnyUser,
            post(revoke_token),
        ),
    ]
}

fn paris(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

#[derive(Serialize)]
struct SessionRow {
    handle: String,
    since: String,
    expires: String,
    browser: String,
    current: bool,
}

#[derive(Serialize)]
struct TokenRow {
    id: i32,
    label: String,
    created: String,
    expires: String,
    last_used: String,
    state: &'static str,
    active: bool,
}

/// What a page shows this once: a token just created, the recovery codes just generated.
#[derive(Default)]
pub(super) struct Shown {
    pub new_token: Option<String>,
    pub recovery_codes: Vec<String>,
}

#[derive(Serialize)]
struct AccountView {
    email: String,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    /// A token just created, shown this once.
    new_token: Option<String>,
    /// The password must be changed before anything else.
    must_change_password: bool,
    /// The second factor: enrolled, expected of this account, being enrolled.
    totp_enabled: bool,
    totp_expected: bool,
    enrolment: Option<super::second_factor_handlers::EnrolmentView>,
    /// The recovery codes just generated, shown this once.
    recovery_codes: Vec<String>,
}

async fn view(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    shown: Shown,
) -> AppResult<AccountView> {
    let current = session.id().map(|i| i.to_string());
    let real_now = Utc::now();
    let sessions = session_store::of_user(&st.db, user.id, real_now)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            handle: session_store::handle(&s.id),
            since: s.created_at.map(paris).unwrap_or_default(),
            expires: paris(s.expires_at),
            browser: s.user_agent.unwrap_or_else(|| "navigateur inconnu".into()),
            current: current.as_deref() == Some(s.id.as_str()),
        })
        .collect();
    let now = st.clock.now();
    let tokens = tokens::list(&st.db, user.id)
        .await?
        .into_iter()
        .map(|t| {
            let (state, active) = if t.revoked_at.is_some() {
                ("révoqué", false)
            } else if t.expires_at <= now {
                ("expiré", false)
            } else {
                ("actif", true)
            };
            TokenRow {
                id: t.id,
                label: t.label,
                created: paris(t.created_at),
                expires: paris(t.expires_at),
                last_used: t.last_used_at.map(paris).unwrap_or_else(|| "jamais".into()),
                state,
                active,
            }
        })
        .collect();
    Ok(AccountView {
        email: user.email.clone(),
        sessions,
        tokens,
        new_token: shown.new_token,
        must_change_password: user.must_change_password,
        totp_enabled: user.totp_enabled,
        totp_expected: user.second_factor_expected(),
        enrolment: super::second_factor_handlers::enrolment_view(st, user, session).await?,
        recovery_codes: shown.recovery_codes,
    })
}

/// « Mon compte » for `user`, with what is shown this once and the errors of a form.
///
/// # Errors
/// A refused account form: its French messages on the account page (422); other errors as
/// they are.
pub(super) async fn refused(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    e: AppError,
) -> AppResult<Response> {
    match e {
        AppError::Validation(_) => {
            render(
                st,
                user,
                session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Shown::default(),
                e.messages(),
            )
            .await
        }
        e => Err(e),
    }
}

/// Database, session or template errors.
pub(super) async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    status: StatusCode,
    shown: Shown,
    errors: Vec<String>,
) -> AppResult<Response> {
    let v = view(st, user, session, shown).await?;
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new("Mon compte", Some(user), csrf, v)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page("auth/account", &page)?).into_response())
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
) -> AppResult<Response> {
    render(
        &st,
        &user,
        &session,
        StatusCode::OK,
        Shown::default(),
        Vec::new(),
    )
    .await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let current_id = session.id().map(|i| i.to_string());
    match account::change_password(
        &st.db,
        &st.caches.sessions,
        st.clock.now(),
        &user,
        current_id.as_deref(),
        &f.current,
        &f.new,
        &f.confirm,
    )
    .await
    {
        Ok(closed) => {
            let others = match closed {
                0 => String::new(),
                1 => " Votre autre session est fermée.".into(),
                n => format!(" Vos {n} autres sessions sont fermées."),
            };
            security::set_flash(&session, format!("Mot de passe modifié.{others}")).await?;
            Ok(Redirect::to("/compte").into_response())
        }
        Err(e) => refused(&st, &user, &session, e).await,
    }
}

async fn revoke_session(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(handle): Path<String>,
) -> AppResult<Redirect> {
    account::revoke_session(&st.db, &st.caches.sessions, st.clock.now(), &user, &handle).await?;
    let own = session
        .id()
        .is_some_and(|i| session_store::handle(&i.to_string()) == handle);
    if own {
        return Ok(Redirect::to("/login"));
    }
    security::set_flash(&session, "La session est fermée.").await?;
    Ok(Redirect::to("/compte"))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    days: String,
}

async fn create_token(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let label = f.label.trim();
    let mut errors = Vec::new();
    if label.is_empty() || label.chars().count() > 100 {
        errors.push("le libellé du jeton est obligatoire (100 caractères au plus)".to_owned());
    }
    let days = match f.days.trim() {
        "" => Some(tokens::DEFAULT_DAYS),
        d => d
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=tokens::MAX_DAYS).contains(d)),
    };
    if days.is_none() {
        errors.push(format!(
            "la durée de validité doit être un nombre de jours entre 1 et {}",
            tokens::MAX_DAYS
        ));
    }
    let (Some(days), true) = (days, errors.is_empty()) else {
        return render(
            &st,
            &user,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            Shown::default(),
            errors,
        )
        .await;
    };
    let row = app_user::Entity::find_by_id(user.id)
        .one(&st.db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let tx = audit::begin(&st.db).await?;
    let (token, _) = tokens::issue(&tx, st.clock.now(), &user.actor(), &row, label, days).await?;
    tx.commit().await?;
    render(
        &st,
        &user,
        &session,
        StatusCode::CREATED,
        Shown {
            new_token: Some(token),
            ..Shown::default()
        },
        Vec::new(),
    )
    .await
}

async fn revoke_token(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(tid): Path<String>,
) -> AppResult<Redirect> {
    let tid: i32 = tid.parse().map_err(|_| AppError::NotFound)?;
    tokens::revoke(&st.db, st.clock.now(), &user, tid).await?;
    security::set_flash(&session, "Le jeton est révoqué : il n'ouvre plus l'API.").await?;
    Ok(Redirect::to("/compte"))
}
