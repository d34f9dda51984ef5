//! Visa pages: thin adapters over [`super::service`], [`super::proxies`] and
//! [`super::bordereau`]; the JSON API is in [`super::api`].

use super::forms::{AnswerForm, ProxyForm, SubmitForm, TacitForm};
use super::{bordereau, proxies, service, store, views};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

pub(super) const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
pub(super) const REFERENT: Access = Access::Roles(&[Role::Referent]);

/// Routes of this area (pages and API).
pub fn routes() -> Vec<RouteEntry> {
    let mut r = vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/visas",
            Access::AnyUser,
            get(index),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/visas/rounds",
            COORD,
            post(submit),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}",
            Access::AnyUser,
            get(show_round),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/answer",
            REFERENT,
            post(answer),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/{kind}/bordereau.docx",
            Access::AnyUser,
            get(bordereau_docx),
        ),
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
    ];
    r.extend(super::api::routes());
    r
}

pub(super) fn id_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn messages(e: &AppError) -> Vec<String> {
    match e {
        AppError::Validation(errs) => errs.values().flatten().cloned().collect(),
        other => vec![other.message()],
    }
}

/// The member a caller answers as (référents only).
pub(super) fn my_member(user: &CurrentUser) -> Option<i32> {
    user.member_id.filter(|_| user.role == Role::Referent)
}

pub(super) async fn matrix_view(
    st: &AppState,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
) -> AppResult<views::Matrix> {
    let today = st.clock.today_paris();
    let c = store::consultation_of(&st.db, gid, cid).await?;
    let pieces = service::current_pieces(&st.db, cid).await?;
    let rounds = store::rounds(&st.db, cid).await?;
    let gate = service::publication_gate(&st.db, cid, today).await?;
    let members: Vec<_> = crate::registry::service::members(&st.db, gid)
        .await?
        .into_iter()
        .map(|m| m.member)
        .filter(|m| m.withdrawn_on.is_none_or(|w| w > today))
        .collect();
    let proxies = store::proxies(&st.db, gid).await?;
    let tacit = crate::registry::service::groupement(&st.db, gid)
        .await?
        .map(|g| crate::registry::service::GroupementSettings::from_json(&g.settings))
        .unwrap_or_default()
        .tacit_visa_jours_ouvres;
    Ok(views::matrix(&views::MatrixInput {
        gid,
        c: &c,
        open: service::ensure_open(&c).is_ok(),
        gate: &gate,
        pieces: &pieces,
        rounds: &rounds,
        members: &members,
        me: my_member(user),
        proxies: &proxies,
        today,
        tacit,
    }))
}

async fn matrix_page(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    cid: i32,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let view = matrix_view(st, user, gid, cid).await?;
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(
        format!("Visas des membres — {}", view.reference),
        Some(user),
        csrf,
        view,
    )
    .flash(flash)
    .errors(errors);
    Ok((status, st.templates.page("visas/index", &page)?).into_response())
}

async fn index(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    matrix_page(&st, &user, &session, gid, cid, vec![], StatusCode::OK).await
}

async fn submit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let r = match SubmitForm::from_pairs(&pairs).parse() {
        Ok((kinds, due)) => {
            service::submit(
                &st.db,
                st.clock.now(),
                &user.actor(),
                gid,
                cid,
                &kinds,
                due,
                &st.settings.base_url,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => {
            security::set_flash(
                &session,
                format!(
                    "Tour de visa n° {} ouvert : les référents des membres ont reçu la demande et les pièces.",
                    d.round.id
                ),
            )
            .await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/visas")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            matrix_page(&st, &user, &session, gid, cid, messages(&e), e.status()).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn round_view(
    st: &AppState,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    rid: i32,
) -> AppResult<views::RoundPage> {
    let today = st.clock.today_paris();
    let c = store::consultation_of(&st.db, gid, cid).await?;
    let data = store::round(&st.db, cid, rid).await?;
    let current = store::current_versions(&st.db, cid).await?;
    let proxies = store::proxies(&st.db, gid).await?;
    let names: Vec<(i32, String)> = data
        .members
        .iter()
        .map(|m| (m.member_id, m.member_name.clone()))
        .collect();
    let answer_for = views::answerable(my_member(user), &proxies, &names, today);
    let is_current = |p: &crate::db::entities::visa_round_piece::Model| {
        current.get(&p.piece_id).map(|v| v.0) == Some(p.piece_version_id)
    };
    Ok(views::round_page(
        gid,
        &c,
        &data,
        &is_current,
        &answer_for,
        service::ensure_open(&c).is_ok(),
        today,
    ))
}

async fn round_page(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    ids: (i32, i32, i32),
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let (gid, cid, rid) = ids;
    let view = round_view(st, user, gid, cid, rid).await?;
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(
        format!("Tour de visa n° {rid} — {}", view.reference),
        Some(user),
        csrf,
        view,
    )
    .flash(flash)
    .errors(errors);
    Ok((status, st.templates.page("visas/round", &page)?).into_response())
}

async fn show_round(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, rid)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let (cid, rid) = (id_of(&cid)?, id_of(&rid)?);
    round_page(
        &st,
        &user,
        &session,
        (gid, cid, rid),
        vec![],
        StatusCode::OK,
    )
    .await
}

async fn answer(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, rid)): Path<(i32, String, String)>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let (cid, rid) = (id_of(&cid)?, id_of(&rid)?);
    store::consultation_of(&st.db, gid, cid).await?;
    let data = store::round(&st.db, cid, rid).await?;
    let r = match f.parse(&data) {
        Ok(input) => {
            service::answer(
                &st.db,
                st.clock.now(),
                &user,
                gid,
                cid,
                rid,
                &input,
                &st.settings.base_url,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(v) => {
            security::set_flash(
                &session,
                format!(
                    "Visa enregistré : {}.",
                    bordereau::decision_text(&v.decision)
                ),
            )
            .await?;
            Ok(
                Redirect::to(&format!("/g/{gid}/consultations/{cid}/visas/rounds/{rid}"))
                    .into_response(),
            )
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            round_page(
                &st,
                &user,
                &session,
                (gid, cid, rid),
                messages(&e),
                e.status(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn bordereau_docx(
    State(st): State<AppState>,
    Path((gid, cid, rid, kind)): Path<(i32, String, String, String)>,
) -> AppResult<Response> {
    let (cid, rid) = (id_of(&cid)?, id_of(&rid)?);
    let kind = crate::pieces::context::dce_kind(&kind)?;
    let (name, bytes) =
        bordereau::docx(&st.db, &st.engine, gid, cid, rid, kind, st.clock.now()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::mail::DOCX_CONTENT_TYPE.to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
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
