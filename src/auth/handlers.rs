//! Login, logout, and the coordonnateur's administration of accounts (page and API).

use super::users::{self, LoginOutcome, NewUserInput};
use super::{CurrentUser, Role};
use crate::error::{ApiResult, AppError, AppResult};
use crate::registry::service as registry;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, "/login", Access::Public, get(login_form)),
        route(Method::POST, "/login", Access::Public, post(login)),
        route(Method::POST, "/logout", Access::AnyUser, post(logout)),
        route(Method::GET, "/", Access::AnyUser, get(home)),
        route(Method::GET, "/g/{gid}/users", COORD, get(users_page)),
        route(Method::POST, "/g/{gid}/users", COORD, post(create_user)),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/users",
            COORD,
            post(api_create_user),
        ),
    ]
}

#[derive(Serialize)]
struct LoginView {
    email: String,
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn login_form(State(st): State<AppState>, session: Session) -> AppResult<Response> {
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    let page = Page::new(
        "Connexion",
        None,
        csrf,
        LoginView {
            email: String::new(),
        },
    )
    .flash(flash);
    Ok(st.templates.page("auth/login", &page)?.into_response())
}

async fn login(
    State(st): State<AppState>,
    session: Session,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let outcome: Result<(), String> = if f.email.trim().is_empty() || f.password.is_empty() {
        Err("Saisissez votre adresse électronique et votre mot de passe.".to_owned())
    } else {
        match users::attempt_login(&st.db, st.clock.now(), &f.email, &f.password).await? {
            LoginOutcome::Success(user) => {
                security::login_session(&session, user.id).await?;
                return Ok(Redirect::to("/").into_response());
            }
            LoginOutcome::Invalid { delay } => {
                tokio::time::sleep(delay).await;
                Err("Adresse électronique ou mot de passe incorrect.".to_owned())
            }
            LoginOutcome::Locked { until } => {
                let at = until
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .format("%H:%M");
                let msg = format!(
                    "Trop de tentatives échouées : le compte est verrouillé jusqu'à {at} (heure de Paris)."
                );
                let csrf = security::csrf_token(&session).await?;
                let page = Page::new(
                    "Connexion",
                    None,
                    csrf,
                    LoginView {
                        email: f.email.clone(),
                    },
                )
                .errors(vec![msg]);
                return Ok((
                    StatusCode::TOO_MANY_REQUESTS,
                    st.templates.page("auth/login", &page)?,
                )
                    .into_response());
            }
        }
    };
    let msg = outcome.err().unwrap_or_default();
    let csrf = security::csrf_token(&session).await?;
    let page = Page::new("Connexion", None, csrf, LoginView { email: f.email }).errors(vec![msg]);
    Ok((
        StatusCode::UNAUTHORIZED,
        st.templates.page("auth/login", &page)?,
    )
        .into_response())
}

async fn logout(session: Session) -> AppResult<Redirect> {
    security::logout_session(&session).await?;
    Ok(Redirect::to("/login"))
}

async fn home(Extension(user): Extension<Arc<CurrentUser>>) -> AppResult<Redirect> {
    match user.groupement_id {
        Some(g) => Ok(Redirect::to(&format!("/g/{g}"))),
        None => Err(AppError::Forbidden(
            "votre compte n'est rattaché à aucun groupement".into(),
        )),
    }
}

#[derive(Serialize)]
struct UserRow {
    email: String,
    display_name: String,
    role: &'static str,
    member: String,
    cao_seat: &'static str,
    locked: bool,
}

#[derive(Serialize)]
struct MemberOption {
    id: i32,
    name: String,
}

#[derive(Serialize)]
struct UsersView {
    users: Vec<UserRow>,
    members: Vec<MemberOption>,
    roles: Vec<(&'static str, &'static str)>,
    form: FormEcho,
}

#[derive(Serialize, Default)]
struct FormEcho {
    email: String,
    display_name: String,
    role: String,
    member_id: String,
    cao_seat: String,
}

async fn users_view(st: &AppState, gid: i32, form: FormEcho) -> AppResult<UsersView> {
    let members = registry::members(&st.db, gid).await?;
    let names: std::collections::HashMap<i32, String> = members
        .iter()
        .map(|m| (m.member.id, m.member.name.clone()))
        .collect();
    let now = st.clock.now();
    let users = users::list(&st.db, gid)
        .await?
        .into_iter()
        .map(|u| UserRow {
            role: u.role.parse::<Role>().map_or("?", Role::label),
            member: u
                .member_id
                .and_then(|m| names.get(&m).cloned())
                .unwrap_or_default(),
            cao_seat: u
                .cao_seat
                .as_deref()
                .and_then(|s| s.parse::<super::CaoSeat>().ok())
                .map_or("", super::CaoSeat::label),
            locked: super::throttle::is_locked(u.locked_until, now),
            email: u.email,
            display_name: u.display_name,
        })
        .collect();
    Ok(UsersView {
        users,
        members: members
            .into_iter()
            .map(|m| MemberOption {
                id: m.member.id,
                name: m.member.name,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        form,
    })
}

async fn users_page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Response> {
    let view = users_view(&st, gid, FormEcho::default()).await?;
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    let page = Page::new("Comptes utilisateurs", Some(&user), csrf, view).flash(flash);
    Ok(st.templates.page("auth/users", &page)?.into_response())
}

async fn create_user(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(input): Form<NewUserInput>,
) -> AppResult<Response> {
    let result = match users::validate(&input, gid) {
        Ok(new) => users::create(&st.db, st.clock.now(), &user.actor(), &new)
            .await
            .map(|_| new),
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match result {
        Ok(new) => {
            security::set_flash(&session, format!("Compte créé pour {}.", new.email)).await?;
            Ok(Redirect::to(&format!("/g/{gid}/users")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let echo = FormEcho {
                email: input.email,
                display_name: input.display_name,
                role: input.role,
                member_id: input.member_id,
                cao_seat: input.cao_seat,
            };
            let view = users_view(&st, gid, echo).await?;
            let csrf = security::csrf_token(&session).await?;
            let msgs = errs.values().flatten().cloned().collect();
            let page = Page::new("Comptes utilisateurs", Some(&user), csrf, view).errors(msgs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                st.templates.page("auth/users", &page)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct CreatedUser {
    id: i32,
    email: String,
    role: String,
    member_id: Option<i32>,
}

async fn api_create_user(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path(gid): Path<i32>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let input: NewUserInput = crate::error::json_body(&body)?;
    let new = users::validate(&input, gid).map_err(AppError::Validation)?;
    let row = users::create(&st.db, st.clock.now(), &user.actor(), &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            id: row.id,
            email: row.email,
            role: row.role,
            member_id: row.member_id,
        }),
    ))
}
