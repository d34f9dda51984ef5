//! Pages of the members' written proxies (convention art. 8.1) and of the groupement's tacit
//! visa rule: thin adapters over [`super::proxies`].

use super::forms::{ProxyForm, TacitForm};
use super::handlers::{COORD, id_of, messages};
use super::proxies;
use crate::auth::CurrentUser;
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
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

pub(super) fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::POST, "/g/{gid}/visas/settings", COORD, post(tacit)),
        route(
            Method::GET,
            "/g/{gid}/procurations",
            Access::AnyUser,
            get(proxies_index),
        ),
        route(
            Method::POST,
            "/g/{gid}/procurations",
            COORD,
            post(add_proxy),
        ),
        route(
            Method::POST,
            "/g/{gid}/procurations/{pid}/revoke",
            COORD,
            post(revoke_proxy),
        ),
    ]
}

async fn tacit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(f): Form<TacitForm>,
) -> AppResult<Response> {
    let r = match f.parse() {
        Ok(n) => proxies::set_tacit(&st.db, st.clock.now(), &user.actor(), gid, n).await,
        Err(e) => Err(e),
    };
    let back = Some(f.back.trim())
        .filter(|b| b.starts_with(&format!("/g/{gid}/")) && !b.contains("//"))
        .map_or_else(|| format!("/g/{gid}/procurations"), str::to_owned);
    match r {
        Ok(s) => {
            let msg = s.tacit_visa_jours_ouvres.map_or_else(
                || "Visa tacite désactivé : chaque membre doit répondre.".to_owned(),
                |n| format!("Visa tacite activé : sans réponse {n} jours ouvrés après la demande, le visa est réputé favorable (tours ouverts à partir de maintenant)."),
            );
            security::set_flash(&session, msg).await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            proxies_page(&st, &user, &session, gid, messages(&e), e.status()).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct ProxyLine {
    id: i32,
    grantor: String,
    holder: String,
    given_on: String,
    valid_until: String,
    revoked_on: String,
    reference: String,
    in_force: bool,
}

#[derive(Serialize)]
struct ProxiesView {
    proxies: Vec<ProxyLine>,
    members: Vec<(i32, String)>,
    today: String,
    tacit: String,
}

async fn proxies_page(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let today = st.clock.today_paris();
    let fr =
        |d: Option<chrono::NaiveDate>| d.map_or_else(String::new, crate::calendar::french_date);
    let lines = proxies::list(&st.db, gid)
        .await?
        .into_iter()
        .map(|(p, grantor, holder)| ProxyLine {
            id: p.id,
            in_force: p.given_on <= today
                && p.valid_until.is_none_or(|u| today <= u)
                && p.revoked_on.is_none_or(|r| today < r),
            grantor,
            holder,
            given_on: crate::calendar::french_date(p.given_on),
            valid_until: fr(p.valid_until),
            revoked_on: fr(p.revoked_on),
            reference: p.document_reference,
        })
        .collect();
    let members = crate::registry::service::members(&st.db, gid)
        .await?
        .into_iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .map(|m| (m.member.id, m.member.name))
        .collect();
    let tacit = crate::registry::service::groupement(&st.db, gid)
        .await?
        .map(|g| crate::registry::service::GroupementSettings::from_json(&g.settings))
        .unwrap_or_default()
        .tacit_visa_jours_ouvres
        .map_or_else(String::new, |n| n.to_string());
    let view = ProxiesView {
        proxies: lines,
        members,
        today: today.to_string(),
        tacit,
    };
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new("Procurations et visa tacite", Some(user), csrf, view)
        .flash(flash)
        .errors(errors);
    Ok((status, st.templates.page("visas/proxies", &page)?).into_response())
}

async fn proxies_index(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Response> {
    proxies_page(&st, &user, &session, gid, vec![], StatusCode::OK).await
}

async fn add_proxy(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(f): Form<ProxyForm>,
) -> AppResult<Response> {
    let r = match f.parse() {
        Ok(p) => proxies::add(&st.db, st.clock.now(), &user.actor(), gid, &p).await,
        Err(e) => Err(e),
    };
    after_proxy(
        &st,
        &user,
        &session,
        gid,
        r.map(|_| "Procuration enregistrée."),
    )
    .await
}

async fn revoke_proxy(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, pid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let pid = id_of(&pid)?;
    let r = proxies::revoke(&st.db, st.clock.now(), &user.actor(), gid, pid).await;
    after_proxy(
        &st,
        &user,
        &session,
        gid,
        r.map(|()| "Procuration révoquée."),
    )
    .await
}

async fn after_proxy(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    r: Result<&'static str, AppError>,
) -> AppResult<Response> {
    match r {
        Ok(msg) => {
            security::set_flash(session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/procurations")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            proxies_page(st, user, session, gid, messages(&e), e.status()).await
        }
        Err(e) => Err(e),
    }
}
