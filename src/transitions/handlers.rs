//! The transition form and API: thin adapters over [`super::transition`].

use crate::auth::{CurrentUser, Role};
use crate::consultations::handlers::{back_with, cid_of};
use crate::error::{ApiResult, AppResult, json_body};
use crate::state::AppState;
use crate::web::security::Access;
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

/// Routes of the lifecycle transitions.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/transition",
            COORD,
            post(transition),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/transition",
            COORD,
            post(api_transition),
        ),
    ]
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
struct TransitionForm {
    statut: String,
    motif: String,
}

async fn transition(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<TransitionForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let motif = Some(f.motif.trim().to_owned()).filter(|m| !m.is_empty());
    let r = super::transition(&st, &user.actor(), gid, cid, &f.statut, motif)
        .await
        .map(|s| format!("Consultation passée à l'état « {} ».", s.label()));
    back_with(&session, gid, cid, r).await
}

async fn api_transition(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let cid = cid_of(&cid)?;
    let f: TransitionForm = json_body(&body)?;
    let motif = Some(f.motif.trim().to_owned()).filter(|m| !m.is_empty());
    let s = super::transition(&st, &user.actor(), gid, cid, &f.statut, motif).await?;
    Ok(Json(
        serde_json::json!({"status": s.code(), "status_label": s.label()}),
    ))
}
