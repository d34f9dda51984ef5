//! The « bordereau de visas » of one version in one round (kind `bordereau_visas`, field names
//! of `documents/examples/bordereau_visas.json`): every required member, its decision,
//! comment, date and channel, and the SHA-256 of the version visaed (convention art. 5.4, 6.2).

use super::rules::{MemberVisaStatus, RoundState};
use super::store::{self, RoundData};
use crate::db::entities::{consultation, member, visa_round_piece};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// French label of a stored decision code.
#[must_use]
pub fn decision_text(code: &str) -> &'static str {
    match code {
        "favorable" => "visa favorable",
        "favorable_avec_reserves" => "visa favorable avec réserves",
        "defavorable" => "visa défavorable",
        "tacite" => "visa tacite",
        _ => "en attente",
    }
}

/// French label of a member's decision.
#[must_use]
pub fn decision_label(s: MemberVisaStatus) -> &'static str {
    match s {
        MemberVisaStatus::EnAttente => "en attente",
        MemberVisaStatus::Favorable => "visa favorable",
        MemberVisaStatus::FavorableAvecReserves => "visa favorable avec réserves",
        MemberVisaStatus::Defavorable => "visa défavorable",
        MemberVisaStatus::Tacite => "visa tacite",
    }
}

fn signatory(m: Option<&member::Model>) -> String {
    m.map_or_else(String::new, |m| {
        format!("{}, {}", m.representative_name, m.representative_title)
    })
}

/// The context of the bordereau (pure: everything is loaded by the caller).
#[must_use]
pub fn context(
    lh: &crate::cao::docs::Letterhead,
    c: &consultation::Model,
    data: &RoundData,
    p: &visa_round_piece::Model,
    state: &RoundState,
    members: &HashMap<i32, member::Model>,
    now: DateTime<Utc>,
) -> Value {
    let today = super::service::paris_today(now);
    let (y, m, d) = crate::cao::model::CONVENTION_DATE;
    let convention = lh
        .groupement
        .convention_adopted_on
        .or_else(|| NaiveDate::from_ymd_opt(y, m, d));
    let coord = &lh.coordonnateur;
    let kind = p.piece_kind.parse::<DocKind>().ok();
    let kind_label = kind.map_or_else(
        || p.piece_kind.clone(),
        |k| {
            format!(
                "{} ({})",
                k.label_fr(),
                crate::pieces::context::short_code(k)
            )
        },
    );
    let visas: Vec<Value> = state
        .per_member
        .iter()
        .map(|s| {
            let mid = s.member_key.parse::<i32>().unwrap_or_default();
            let actor = s.answered_by.as_deref().and_then(|k| k.parse::<i32>().ok());
            let channel = match (s.status, actor) {
                (MemberVisaStatus::EnAttente, _) => "—".to_owned(),
                (MemberVisaStatus::Tacite, _) => "tacite (délai expiré)".to_owned(),
                (_, Some(a)) if a != mid => format!(
                    "Coordo, par procuration écrite à {}",
                    members
                        .get(&a)
                        .map_or("un autre membre", |m| m.name.as_str())
                ),
                _ => "Coordo".to_owned(),
            };
            json!({
                "member": s.member_name,
                "signatory": signatory(members.get(&mid)),
                "decision": store::decision_code_of(s.status),
                "decision_label": decision_label(s.status),
                "comment": s.comment.clone().unwrap_or_default(),
                "date": s.decided_on.map(|d| d.to_string()),
                "channel": channel,
            })
        })
        .collect();
    let version = format!("v{}", p.version_number);
    json!({
        "buyer": {
            "name": coord.name, "address": coord.address, "finess_juridique": coord.finess_juridique,
            "representative": {"name": coord.representative_name, "title": coord.representative_title},
            "email": lh.email,
        },
        "groupement": {
            "name": lh.groupement.name, "legal_basis": lh.groupement.legal_basis,
            "convention_date": convention.map(|d| d.to_string()),
        },
        "consultation": {"reference": c.reference, "object": c.objet},
        "document": {
            "date": today.to_string(),
            "created_at": now.with_timezone(&crate::calendar::PARIS).to_rfc3339(),
            "place": crate::cao::docs::town(&coord.address),
            "title": format!("Bordereau des visas – {} version {version}", store::kind_code(&p.piece_kind)),
        },
        "piece": {
            "kind_label": kind_label,
            "version": version,
            "submitted_on": data.round.requested_on.to_string(),
            "sha256": p.docx_sha256,
            "due_on": data.round.due_on.to_string(),
        },
        "visas": visas,
        "status": {
            "all_given": state.approved == state.required,
            "given": state.approved,
            "expected": state.required,
        },
    })
}

/// The DOCX of the bordereau of one version of a round.
///
/// # Errors
/// `NotFound` (round or piece), database errors, a rendering error (internal).
#[allow(clippy::too_many_arguments)]
pub async fn docx<C: ConnectionTrait>(
    db: &C,
    engine: &DocEngine,
    gid: i32,
    cid: i32,
    rid: i32,
    kind: DocKind,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    let today = super::service::paris_today(now);
    let c = store::consultation_of(db, gid, cid).await?;
    let data = store::round(db, cid, rid).await?;
    let p = data
        .pieces
        .iter()
        .find(|p| p.piece_kind == kind.as_str())
        .ok_or(AppError::NotFound)?;
    let state = data.piece_state(p, today);
    let lh = crate::cao::docs::letterhead(db, gid).await?;
    let members: HashMap<i32, member::Model> = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let ctx = context(&lh, &c, &data, p, &state, &members, now);
    let doc = engine
        .render_docx(DocKind::BordereauVisas, &ctx, &BTreeMap::new())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("bordereau_visas : {e}")))?;
    let base = crate::pieces::service::file_name(&c.reference, kind, p.version_number);
    let name = format!(
        "{}_bordereau_visas_tour{rid}.docx",
        base.trim_end_matches(".docx")
    );
    Ok((name, doc.docx))
}
