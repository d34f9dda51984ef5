//! The documents of the attribution area: the letters (coordonnateur), the open data of the
//! notified marché (anyone of the groupement), and the public acknowledgement link, which
//! carries its own one-time secret (R2182-4).

use super::handlers::id_of;
use super::notification::{self, Ack};
use super::store;
use crate::auth::Role;
use crate::consultations::service as consultations;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono_tz::Europe::Paris;
use serde::Serialize;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
/// Open data once published: anyone of the groupement may read it.
const OPEN_DATA: Access = Access::AnyUser;

/// Routes of the documents.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/lettres/{id}",
            COORD,
            get(letter),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/attribution/rapport-presentation.docx",
            COORD,
            get(presentation),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/decp.json",
            OPEN_DATA,
            get(decp),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/ocds.json",
            OPEN_DATA,
            get(ocds),
        ),
        route(
            Method::GET,
            "/accuse-reception/{token}",
            Access::Public,
            get(ack_page),
        ),
        route(
            Method::POST,
            "/accuse-reception/{token}",
            Access::Public,
            post(ack_confirm),
        ),
    ]
}

/// The rapport de présentation (R2184-1 to R2184-3), coordonnateur.
async fn presentation(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let (name, bytes) =
        super::presentation::docx(&st.db, &st.engine, gid, cid, st.clock.now()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
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

async fn letter(
    State(st): State<AppState>,
    Path((gid, cid, id)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let (cid, id) = (id_of(&cid)?, id_of(&id)?);
    consultations::get(&st.db, gid, cid).await?;
    let l = store::letter(&st.db, cid, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::mail::DOCX_CONTENT_TYPE.to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", l.filename),
            ),
        ],
        l.docx,
    )
        .into_response())
}

#[derive(Serialize)]
struct AckView {
    token: String,
    state: &'static str,
    titulaire: String,
    reference: String,
    message: String,
}

async fn ack_render(
    st: &AppState,
    session: &Session,
    status: StatusCode,
    view: AckView,
) -> AppResult<Response> {
    let csrf = security::csrf_token(session).await?;
    let html = st.templates.page(
        "attribution/ack",
        &Page::new("Accusé de réception", None, csrf, view),
    )?;
    Ok((status, html).into_response())
}

async fn ack_page(
    State(st): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = notification::find_token(&st, &token).await?;
    let (status, view) = match found {
        None => (StatusCode::NOT_FOUND, AckView {
            token: String::new(), state: "inconnu", titulaire: String::new(), reference: String::new(),
            message: "Ce lien d'accusé de réception n'est pas valide. Vérifiez qu'il a été copié en entier.".into(),
        }),
        Some((a, t, r)) => match a.acknowledged_at {
            Some(at) => (StatusCode::GONE, AckView {
                token: String::new(), state: "utilise", titulaire: t, reference: r,
                message: format!("Ce lien a déjà été utilisé : la réception a été enregistrée le {}.", at.with_timezone(&Paris).format("%d/%m/%Y à %H:%M")),
            }),
            None => (StatusCode::OK, AckView {
                token, state: "a_confirmer", titulaire: t, reference: r, message: String::new(),
            }),
        },
    };
    ack_render(&st, &session, status, view).await
}

async fn ack_confirm(
    State(st): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (status, view) = match notification::acknowledge(&st, &token).await? {
        Ack::Recorded {
            titulaire,
            reference,
            effective,
        } => (
            StatusCode::OK,
            AckView {
                token: String::new(),
                state: "enregistre",
                titulaire,
                reference,
                message: format!(
                    "Réception enregistrée. Le marché prend effet à compter du {} (article R2182-4 du code de la commande publique).",
                    crate::calendar::french_date(effective)
                ),
            },
        ),
        Ack::AlreadyUsed { at } => (
            StatusCode::GONE,
            AckView {
                token: String::new(),
                state: "utilise",
                titulaire: String::new(),
                reference: String::new(),
                message: format!(
                    "Ce lien a déjà été utilisé : la réception a été enregistrée le {}.",
                    at.with_timezone(&Paris).format("%d/%m/%Y à %H:%M")
                ),
            },
        ),
        Ack::Unknown => (
            StatusCode::NOT_FOUND,
            AckView {
                token: String::new(),
                state: "inconnu",
                titulaire: String::new(),
                reference: String::new(),
                message: "Ce lien d'accusé de réception n'est pas valide.".into(),
            },
        ),
    };
    ack_render(&st, &session, status, view).await
}

async fn decp(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<axum::Json<serde_json::Value>> {
    let cid = id_of(&cid)?;
    Ok(axum::Json(
        super::opendata::decp(&st.db, gid, cid, st.clock.now()).await?,
    ))
}

async fn ocds(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<axum::Json<serde_json::Value>> {
    let cid = id_of(&cid)?;
    Ok(axum::Json(
        super::opendata::ocds(&st.db, gid, cid, st.clock.now()).await?,
    ))
}
