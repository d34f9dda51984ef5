//! Visa pages: thin adapters over [`super::service`] and [`super::bordereau`]; the proxies and
//! the tacit rule are in [`super::proxy_handlers`], the JSON API in [`super::api`].

use super::forms::{AnswerForm, SubmitForm};
use super::{bordereau, gate, service, store, views};
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
            Method::POST,
            "/g/{gid}/consultations/{cid}/visas/reponses",
            REFERENT,
            post(answer_all),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/visas/rounds/{rid}/{kind}/bordereau.docx",
            Access::AnyUser,
            get(bordereau_docx),
        ),
    ];
    r.extend(super::api::routes());
    r.extend(super::proxy_handlers::routes());
    r
}

pub(super) fn id_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub(super) fn messages(e: &AppError) -> Vec<String> {
    e.messages()
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
    let pieces = gate::current_pieces(&st.db, cid).await?;
    let rounds = store::rounds(&st.db, cid).await?;
    let gate = gate::publication_gate(&st.db, cid, today).await?;
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

/// The référent's one form: every pending visa of the consultation answered at once (all or
/// nothing), then back to the list of what remains.
async fn answer_all(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    store::consultation_of(&st.db, gid, cid).await?;
    let r = match super::forms::parse_answers(&fields) {
        Ok(answers) => {
            service::answer_all(
                &st.db,
                st.clock.now(),
                &user,
                gid,
                cid,
                &answers,
                &st.settings.base_url,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(n) => {
            let msg = match n {
                0 => "Ces visas étaient déjà enregistrés : rien n'a changé.".to_owned(),
                1 => "1 visa enregistré.".to_owned(),
                n => format!("{n} visas enregistrés."),
            };
            security::set_flash(&session, msg).await?;
            Ok(
                Redirect::to(&format!("/g/{gid}/consultations/{cid}/visas#a-viser"))
                    .into_response(),
            )
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            matrix_page(&st, &user, &session, gid, cid, e.messages(), e.status()).await
        }
        Err(e) => Err(e),
    }
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
