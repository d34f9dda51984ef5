//! `GET /api/v1/groupements/{gid}/delais/{calcul}?…`: the calculator on the API, for any
//! member of the groupement (the dates it gives are public law, not the groupement's data).

use crate::error::{ApiError, AppError};
use crate::web::security::Access;
use crate::web::{RouteEntry, route};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::routing::get;
use std::collections::BTreeMap;

/// Route of the calculator.
pub fn routes() -> Vec<RouteEntry> {
    vec![route(
        Method::GET,
        "/api/v1/groupements/{gid}/delais/{calcul}",
        Access::AnyUser,
        get(calculate),
    )]
}

async fn calculate(
    Path((_gid, calcul)): Path<(i32, String)>,
    Query(args): Query<BTreeMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    super::answer(&calcul, &args)
        .map(Json)
        .map_err(|e| ApiError(AppError::BadRequest(e)))
}
