//! JSON API of the offers (`/api/v1/groupements/{gid}/consultations/{cid}/offres…`): the same
//! rules as the pages, errors as `{"erreur": "…"}`.

use super::id_of;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, AppError, json_body};
use crate::offers::admissibility::{self, PliState};
use crate::offers::evaluation::{self, Gate, NoteEntry};
use crate::offers::register::{self, PliInput};
use crate::offers::{access, analysis, criteria, views, views_scoring};
use crate::scoring::{Criterion, format_points};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

fn pli_json(p: &crate::db::entities::pli::Model) -> Value {
    json!({
        "id": p.id, "lot_id": p.lot_id, "soumissionnaire": p.bidder_name, "siret": p.siret,
        "adresse": p.address, "courriel": p.contact_email,
        "recu_le": p.received_at.with_timezone(&chrono_tz::Europe::Paris).to_rfc3339(),
        "canal": p.channel, "prix_ht": p.price_ht, "hors_delai": p.hors_delai, "remplace": p.superseded,
        "candidature": {"statut": p.candidature_status, "motif": p.candidature_reason},
        "offre": {"statut": p.offer_status, "motif": p.offer_reason, "regularisation": p.regularisation},
        "statut_effectif": match admissibility::state(p) {
            PliState::Superseded => "remplace".to_owned(),
            PliState::Pending => "a_examiner".to_owned(),
            PliState::Decided(s) => serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        },
        "oab": {"demande_le": p.oab_requested_on, "reponse": p.oab_answer, "decision": p.oab_decision, "motif": p.oab_decision_reason},
    })
}

pub async fn register(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Value>> {
    access::ensure_may_see_offers(&user)?;
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    access::ensure_opened(&s.c, st.clock.now())?;
    Ok(Json(json!({
        "consultation": s.c.reference,
        "date_limite": access::deadline_label(&s.c),
        "plis": s.plis.iter().map(pli_json).collect::<Vec<_>>(),
    })))
}

pub async fn add_pli(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let cid = id_of(&cid)?;
    let input: PliInput = json_body(&body)?;
    let p = register::register(&st.db, st.clock.now(), &user.actor(), gid, cid, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": p.id, "hors_delai": p.hors_delai, "remplace": p.superseded})),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PriceBody {
    prix_ht: String,
}

pub async fn price(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let b: PriceBody = json_body(&body)?;
    let a = register::set_price(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        pid,
        &b.prix_ht,
    )
    .await?;
    Ok(Json(json!({"id": pid, "prix_ht": a.to_string()})))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RectificationBody {
    prix_ht: String,
    motif: String,
}

/// « Rectification d'erreur matérielle » of an entered price.
pub async fn rectify(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let b: RectificationBody = json_body(&body)?;
    let a = register::rectify_price(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        pid,
        &b.prix_ht,
        &b.motif,
    )
    .await?;
    Ok(Json(
        json!({"id": pid, "prix_ht": a.to_string(), "classement_rouvert": true}),
    ))
}

async fn criteria_json(st: &AppState, gid: i32, cid: i32) -> Result<Value, AppError> {
    let s = analysis::load(&st.db, gid, cid).await?;
    Ok(json!({
        "criteres": s.tree,
        "erreurs": if s.tree.is_empty() { vec!["Aucun critère n'est encore défini.".to_owned()] } else { criteria::validate(&s.tree).err().unwrap_or_default() },
        "avertissement_environnemental": views::env_warning(&s.tree, s.c.launch_date.unwrap_or(st.clock.today_paris())),
    }))
}

pub async fn criteria(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Value>> {
    access::ensure_may_see_offers(&user)?;
    Ok(Json(criteria_json(&st, gid, id_of(&cid)?).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CriteriaBody {
    criteres: Vec<Criterion>,
}

pub async fn save_criteria(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let cid = id_of(&cid)?;
    let b: CriteriaBody = json_body(&body)?;
    criteria::replace(&st.db, st.clock.now(), &user.actor(), gid, cid, &b.criteres).await?;
    Ok(Json(criteria_json(&st, gid, cid).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NotesQuery {
    evaluateur: Option<String>,
}

/// The caller's own notes while scoring; everybody's submitted notes once the ranking is open
/// (and the caller's own sheet submitted). Asking for another evaluator's notes earlier is 403.
pub async fn notes(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    Query(q): Query<NotesQuery>,
) -> ApiResult<Json<Value>> {
    access::ensure_may_see_offers(&user)?;
    let cid = id_of(&cid)?;
    let evaluator = match q.evaluateur.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => Some(v.parse::<i32>().map_err(|_| {
            AppError::BadRequest(format!(
                "évaluateur « {v} » invalide : un numéro de compte est attendu"
            ))
        })?),
    };
    let s = analysis::load(&st.db, gid, cid).await?;
    access::ensure_opened(&s.c, st.clock.now())?;
    let all_visible = analysis::ensure_ranking_visible(&s, &user, st.clock.now()).is_ok();
    if let Some(e) = evaluator
        && e != user.id
        && !all_visible
    {
        return Err(AppError::Forbidden(
            "les notes des autres membres de la CAO restent confidentielles tant que le classement n'est pas établi et que votre propre feuille n'est pas remise".into(),
        )
        .into());
    }
    let codes: std::collections::HashMap<i32, &str> =
        s.rows.iter().map(|r| (r.id, r.code.as_str())).collect();
    let submitted: std::collections::HashSet<i32> = s
        .sheets
        .iter()
        .filter(|x| x.submitted_at.is_some())
        .map(|x| x.evaluator_id)
        .collect();
    let list: Vec<Value> = s
        .notes
        .iter()
        .filter(|n| match evaluator {
            Some(e) => n.evaluator_id == e,
            None => n.evaluator_id == user.id || (all_visible && submitted.contains(&n.evaluator_id)),
        })
        .filter(|n| n.evaluator_id == user.id || submitted.contains(&n.evaluator_id))
        .map(|n| json!({
            "evaluateur": n.evaluator_id, "nom": s.names.get(&n.evaluator_id), "offre": n.pli_id,
            "critere": codes.get(&n.criterion_id), "note": n.note, "justification": n.justification,
        }))
        .collect();
    // The déports are facts of the procedure, not notes: shown to all who see the offers.
    let deports: Vec<Value> = crate::offers::conflicts::all(&st.db, cid)
        .await?
        .into_iter()
        .map(|d| json!({"evaluateur": d.evaluator_id, "nom": s.names.get(&d.evaluator_id), "offre": d.pli_id, "motif": d.reason}))
        .collect();
    Ok(Json(json!({
        "avancement": views_scoring::progress(&s),
        "classement_ouvert": matches!(s.gate, Gate::Open { .. }),
        "notes": list,
        "deports": deports,
    })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConflictBody {
    offre: i32,
    motif: String,
}

/// A member of the CAO declares a conflict of interest with the bidder of an offer (déport).
pub async fn declare_conflict(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let cid = id_of(&cid)?;
    let b: ConflictBody = json_body(&body)?;
    crate::offers::conflicts::declare(&st.db, st.clock.now(), &user, gid, cid, b.offre, &b.motif)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({"offre": b.offre, "deport": true})),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NotesBody {
    notes: Vec<NoteEntry>,
}

pub async fn save_notes(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let cid = id_of(&cid)?;
    let b: NotesBody = json_body(&body)?;
    let n = evaluation::save_notes(&st.db, st.clock.now(), &user, gid, cid, &b.notes).await?;
    Ok(Json(json!({"enregistrees": n})))
}

pub async fn submit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Value>> {
    let cid = id_of(&cid)?;
    evaluation::submit(&st.db, st.clock.now(), &user, gid, cid).await?;
    Ok(Json(json!({"remise": true})))
}

pub async fn ranking(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> ApiResult<Json<Value>> {
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    analysis::ensure_ranking_visible(&s, &user, st.clock.now())?;
    let lots: Vec<Value> = analysis::cases(&s)
        .iter()
        .map(|lc| {
            let a = analysis::analyse(lc);
            match a.result {
                Ok(r) => json!({
                    "lot": lc.label,
                    "classement": r.ranking.iter().map(|o| json!({
                        "rang": o.rank, "soumissionnaire": o.offer, "total": format_points(o.total),
                        "points": r.points.get(&o.offer).map(|p| p.iter().map(|(k, v)| (k.clone(), Value::String(format_points(*v)))).collect::<serde_json::Map<_, _>>()),
                    })).collect::<Vec<_>>(),
                    "exclues": r.excluded.iter().map(|e| json!({"soumissionnaire": e.offer, "statut": e.status})).collect::<Vec<_>>(),
                    "divergences": r.divergences.iter().map(crate::scoring::Divergence::message).collect::<Vec<_>>(),
                    "a_examiner": lc.pending,
                    "robustesse": a.robustness.map(|rb| json!({
                        "stable": rb.stable,
                        "scenarios": rb.scenarios.iter().map(|x| json!({"description": x.description, "conclusion": x.conclusion, "change": x.changed})).collect::<Vec<_>>(),
                    })),
                }),
                Err(e) => json!({"lot": lc.label, "erreurs": e}),
            }
        })
        .collect();
    Ok(Json(
        json!({"lots": lots, "feuilles_ecartees": matches!(s.gate, Gate::Open { forced: true })}),
    ))
}
