//! The archive download: a thin adapter over [`super::service::export`].

use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::security::Access;
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

/// Routes of this area.
pub fn routes() -> Vec<RouteEntry> {
    vec![route(
        Method::GET,
        "/g/{gid}/consultations/{cid}/archive.zip",
        Access::Roles(&[Role::Coordonnateur]),
        get(archive_zip),
    )]
}

async fn archive_zip(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid: i32 = cid.parse().map_err(|_| AppError::NotFound)?;
    let e = super::service::export(&st, &user.actor(), gid, cid).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", e.file_name),
            ),
        ],
        e.built.bytes,
    )
        .into_response())
}
