//! The visa API under `/api/v1/`: the state of every piece and round, submitting pieces for
//! visa (coordonnateur), answering (référent).

use super::forms::{AnswerForm, SubmitForm};
use super::handlers::{COORD, REFERENT, id_of};
use super::{gate, service, store};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, json_body};
use crate::state::AppState;
use crate::web::security::Access;
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json};
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/consultations/{cid}/visas",
            Access::AnyUser,
            get(api_state),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds",
            COORD,
            post(api_submit),
        ),
        route(
            Method::POST,
            "/api/v1/groupements/{gid}/consultations/{cid}/visas/rounds/{rid}/answer",
            REFERENT,
            post(api_answer),
        ),
    ]
}

/// JSON of a round: each version with its state on `today`.
#[must_use]
pub fn round_json(r: &store::RoundData, today: chrono::NaiveDate) -> Value {
    json!({
        "id": r.round.id,
        "requested_at": r.round.requested_at.to_rfc3339(),
        "requested_on": r.round.requested_on.to_string(),
        "due_on": r.round.due_on.to_string(),
        "tacit_jours_ouvres": r.round.tacit_jours_ouvres,
        "status": store::status_code(r.status(today)),
        "pieces": r.pieces.iter().map(|p| json!({
            "piece": p.piece_kind,
            "version": p.version_number,
            "piece_version_id": p.piece_version_id,
            "sha256": p.docx_sha256,
            "state": r.piece_state(p, today),
        })).collect::<Vec<_>>(),
        "visas": r.visas.iter().map(|v| json!({
            "id": v.id, "piece_version_id": v.piece_version_id, "sha256": v.docx_sha256,
            "member_id": v.member_id, "actor_member_id": v.actor_member_id, "actor": v.actor,
            "decision": v.decision, "comment": v.comment, "given_at": v.given_at.to_rfc3339(),
        })).collect::<Vec<_>>(),
    })
}

async fn api_state(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Value>> {
    let cid = id_of(&cid)?;
    let today = st.clock.today_paris();
    store::consultation_of(&st.db, gid, cid).await?;
    let pieces = gate::current_pieces(&st.db, cid).await?;
    let rounds = store::rounds(&st.db, cid).await?;
    let gate = gate::publication_gate(&st.db, cid, today).await?;
    Ok(Json(json!({
        "publication": {"ok": gate.is_ok(), "motif": gate.err()},
        "pieces": pieces.iter().map(|p| json!({
            "piece": p.kind.as_str(),
            "version": p.number,
            "piece_version_id": p.version_id,
            "sha256": p.sha256,
            "round_id": p.latest.as_ref().filter(|(_, rp)| rp.piece_version_id == p.version_id).map(|(r, _)| r.round.id),
        })).collect::<Vec<_>>(),
        "rounds": rounds.iter().map(|r| round_json(r, today)).collect::<Vec<_>>(),
    })))
}

async fn api_submit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let cid = id_of(&cid)?;
    let f: SubmitForm = json_body(&body)?;
    let (kinds, due) = f.parse()?;
    let d = service::submit(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &kinds,
        due,
        &st.settings.base_url,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(round_json(&d, st.clock.today_paris())),
    ))
}

async fn api_answer(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid, rid)): Path<(i32, String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (cid, rid) = (id_of(&cid)?, id_of(&rid)?);
    let f: AnswerForm = json_body(&body)?;
    store::consultation_of(&st.db, gid, cid).await?;
    let data = store::round(&st.db, cid, rid).await?;
    let input = f.parse(&data)?;
    let v = service::answer(
        &st.db,
        st.clock.now(),
        &user,
        gid,
        cid,
        rid,
        &input,
        &st.settings.base_url,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": v.id, "round_id": v.round_id, "piece_version_id": v.piece_version_id,
            "sha256": v.docx_sha256, "member_id": v.member_id, "actor_member_id": v.actor_member_id,
            "decision": v.decision, "comment": v.comment, "given_at": v.given_at.to_rfc3339(),
        })),
    ))
}
