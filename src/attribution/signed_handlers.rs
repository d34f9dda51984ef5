//! Routes of the attributaire's acte d'engagement: the AE filled for its signature, and the
//! upload of the signed file that the NOTI5 will notify (coordonnateur only).

use super::handlers::id_of;
use super::signed;
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use tower_sessions::Session;

/// The upload form was cut or over the size limit.
const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou dépasse la taille autorisée : déposez un fichier PDF ou DOCX de 10 Mo au plus.";
const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of the attributaire's acte d'engagement.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/attribution/{aid}/ae.docx",
            COORD,
            get(filled_ae),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/attribution/{aid}/acte-signe",
            COORD,
            post(upload),
        ),
    ]
}

/// The acte d'engagement of the DCE filled for the attributaire of attempt `aid`.
async fn filled_ae(
    State(st): State<AppState>,
    Path((gid, cid, aid)): Path<(i32, String, String)>,
) -> AppResult<Response> {
    let (cid, aid) = (id_of(&cid)?, id_of(&aid)?);
    let (filename, docx) = signed::filled_ae(&st, gid, cid, aid).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::mail::DOCX_CONTENT_TYPE.to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        docx,
    )
        .into_response())
}

async fn upload(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, aid)): Path<(i32, String, String)>,
    form: Multipart,
) -> AppResult<Response> {
    let (cid, aid) = (id_of(&cid)?, id_of(&aid)?);
    let (name, bytes) = crate::web::upload::file_part(form, "fichier", UNREADABLE).await?;
    let row = signed::upload(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        aid,
        &name,
        bytes,
    )
    .await?;
    security::set_flash(
        &session,
        format!(
            "Acte d'engagement signé déposé : « {} » ({} octets, SHA-256 {}).",
            row.file_name, row.size, row.sha256
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/attribution")).into_response())
}
