//! Login, logout, and the coordonnateur's administration of accounts (page and API).

use super::login::{self, Attempt, LoginOutcome};
use super::users::{self, NewUserInput};
use super::{CurrentUser, Role};
use crate::error::{ApiResult, AppError, AppResult};
use crate::registry::service as registry;
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::secret::constant_eq;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::ConnectInfo;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, "/login", Access::Public, get(login_form)),
        route(Method::POST, "/login", Access::Public, post(login)),
        route(Method::POST, "/logout", Access::OwnAccount, post(logout)),
        route(Method::GET, "/", Access::AnyUser, get(home)),
        route(Method::GET, "/g/{gid}/users", COORD, get(users_page)),
        route(Method::POST, "/g/{gid}/users", COORD, post(create_user)),
        route(
            Method::POST,
            "/g/{gid}/users/{uid}/desactiver",
            COORD,
            post(deactivate),
        ),
        route(
            Method::POST,
            "/g/{gid}/users/{uid}/reactiver",
            COORD,
            post(reactivate),
        ),
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

fn login_page(
    st: &AppState,
    csrf: String,
    email: String,
    status: StatusCode,
    msg: String,
) -> AppResult<Response> {
    let page = Page::new("Connexion", None, csrf, LoginView { email }).errors(vec![msg]);
    Ok((status, st.templates.page("auth/login", &page)?).into_response())
}

async fn login(
    State(st): State<AppState>,
    session: Session,
    headers: HeaderMap,
    conn: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    if f.email.trim().is_empty() || f.password.is_empty() {
        let csrf = security::csrf_token(&session).await?;
        return login_page(
            &st,
            csrf,
            f.email,
            StatusCode::UNAUTHORIZED,
            "Saisissez votre adresse électronique et votre mot de passe.".into(),
        );
    }
    let client = conn.map_or_else(|| "inconnu".to_owned(), |c| c.0.0.ip().to_string());
    let trusted_device = trusted_device(&st, &headers, &f.email);
    let attempt = Attempt {
        email: &f.email,
        password: &f.password,
        client: &client,
        trusted_device,
    };
    let now = st.clock.now();
    match login::attempt(&st.db, &st.caches.login_throttle, now, &attempt).await? {
        LoginOutcome::Success(user) => complete_login(&st, &session, &headers, &user).await,
        LoginOutcome::SecondFactor { user_id } => {
            super::second_factor_handlers::begin(&session, user_id).await?;
            Ok(Redirect::to(super::second_factor_handlers::CODE_PAGE).into_response())
        }
        LoginOutcome::Invalid { delay } => {
            tokio::time::sleep(delay).await;
            let csrf = security::csrf_token(&session).await?;
            login_page(
                &st,
                csrf,
                f.email,
                StatusCode::UNAUTHORIZED,
                "Adresse électronique ou mot de passe incorrect.".into(),
            )
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            let csrf = security::csrf_token(&session).await?;
            let mut resp = login_page(
                &st,
                csrf,
                f.email,
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Trop de tentatives de connexion échouées : réessayez dans {retry_after_secs} secondes."
                ),
            )?;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(resp)
        }
    }
}

/// Opens the session of `user` (password, and code if any, accepted) and gives the browser
/// the device cookie of the throttle.
///
/// # Errors
/// The session store fails.
pub(super) async fn complete_login(
    st: &AppState,
    session: &Session,
    headers: &HeaderMap,
    user: &CurrentUser,
) -> AppResult<Response> {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    security::login_session(session, user.id, ua).await?;
    let secure = if st.settings.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let device = format!(
        "{}={}; Path=/login; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        login::DEVICE_COOKIE,
        login::device_token(st.settings.key(), &user.email),
        login::DEVICE_DAYS * 86_400
    );
    let mut resp = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&device) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The device cookie presented for `email` is valid.
pub(super) fn trusted_device(st: &AppState, headers: &HeaderMap, email: &str) -> bool {
    cookie(headers, login::DEVICE_COOKIE)
        .is_some_and(|d| constant_eq(d, &login::device_token(st.settings.key(), email)))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn logout(session: Session) -> AppResult<Redirect> {
    security::logout_session(&session).await?;
    Ok(Redirect::to("/login"))
}

async fn home(Extension(user): Extension<Arc<CurrentUser>>) -> AppResult<Redirect> {
    match user.groupement_id {
        // Each person's home: what to do, by when (`crate::todo`).
        Some(g) => Ok(Redirect::to(&format!("/g/{g}/a-faire"))),
        None => Err(AppError::Forbidden(
            "votre compte n'est rattaché à aucun groupement".into(),
        )),
    }
}

#[derive(Serialize)]
struct UserRow {
    id: i32,
    active: bool,
    failed_logins: i32,
    email: String,
    display_name: String,
    role: &'static str,
    member: String,
    cao_seat: &'static str,
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
    /// Failed logins and refused requests since the service started.
    auth_failures: u64,
    auth_refusals: u64,
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
            id: u.id,
            active: u.active,
            failed_logins: u.failed_logins,
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
        auth_failures: super::throttle::counters().0,
        auth_refusals: super::throttle::counters().1,
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

async fn set_active(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    uid: &str,
    active: bool,
) -> AppResult<Redirect> {
    let uid: i32 = uid.parse().map_err(|_| AppError::NotFound)?;
    let row = super::account::set_active(
        &st.db,
        &st.caches.sessions,
        st.clock.now(),
        user,
        gid,
        uid,
        active,
    )
    .await?;
    let msg = if active {
        format!("Le compte {} est réactivé.", row.email)
    } else {
        format!(
            "Le compte {} est désactivé : ses sessions sont fermées et ses jetons d'API ne valent plus.",
            row.email
        )
    };
    security::set_flash(session, msg).await?;
    Ok(Redirect::to(&format!("/g/{gid}/users")))
}

async fn deactivate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, uid)): Path<(i32, String)>,
) -> AppResult<Redirect> {
    set_active(&st, &user, &session, gid, &uid, false).await
}

async fn reactivate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, uid)): Path<(i32, String)>,
) -> AppResult<Redirect> {
    set_active(&st, &user, &session, gid, &uid, true).await
}
