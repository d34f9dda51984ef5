//! Reading the visa tables and turning rows into the pure rules' types ([`super::rules`]).

use super::rules::{
    self, MemberVisaStatus, Proxy, RequiredMember, RoundState, RoundStatus, TacitConfig, Visa,
    VisaDecision, VisaRound,
};
use crate::calendar::PARIS;
use crate::db::entities::{
    consultation, piece, piece_version, visa, visa_proxy, visa_round, visa_round_member,
    visa_round_piece,
};
use crate::docgen::DocKind;
use crate::error::AppError;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// A round with everything its state depends on.
#[derive(Clone, Debug)]
pub struct RoundData {
    pub round: visa_round::Model,
    pub pieces: Vec<visa_round_piece::Model>,
    pub members: Vec<visa_round_member::Model>,
    /// Every visa of the round, oldest first (ties by id).
    pub visas: Vec<visa::Model>,
}

/// Stored form of a decision.
#[must_use]
pub fn decision_code(d: VisaDecision) -> &'static str {
    match d {
        VisaDecision::Favorable => "favorable",
        VisaDecision::FavorableAvecReserves => "favorable_avec_reserves",
        VisaDecision::Defavorable => "defavorable",
        VisaDecision::Tacite => "tacite",
    }
}

/// Reads a stored or submitted decision.
#[must_use]
pub fn parse_decision(s: &str) -> Option<VisaDecision> {
    [
        VisaDecision::Favorable,
        VisaDecision::FavorableAvecReserves,
        VisaDecision::Defavorable,
        VisaDecision::Tacite,
    ]
    .into_iter()
    .find(|d| decision_code(*d) == s.trim())
}

/// Code of a member's state (`en_attente`, `favorable`…).
#[must_use]
pub fn decision_code_of(s: MemberVisaStatus) -> &'static str {
    match s {
        MemberVisaStatus::EnAttente => "en_attente",
        MemberVisaStatus::Favorable => "favorable",
        MemberVisaStatus::FavorableAvecReserves => "favorable_avec_reserves",
        MemberVisaStatus::Defavorable => "defavorable",
        MemberVisaStatus::Tacite => "tacite",
    }
}

/// Stored form of a round status.
#[must_use]
pub fn status_code(s: RoundStatus) -> &'static str {
    match s {
        RoundStatus::EnCours => "en_cours",
        RoundStatus::Complet => "complet",
        RoundStatus::Bloque => "bloque",
    }
}

/// French label of a round status.
#[must_use]
pub fn status_label(s: RoundStatus) -> &'static str {
    match s {
        RoundStatus::EnCours => "en cours",
        RoundStatus::Complet => "complet",
        RoundStatus::Bloque => "bloqué (visa défavorable)",
    }
}

/// The short code of a stored piece kind (`rc` → `RC`).
#[must_use]
pub fn kind_code(kind: &str) -> String {
    kind.parse::<DocKind>()
        .map_or_else(|_| kind.to_uppercase(), crate::pieces::context::short_code)
}

impl RoundData {
    /// The tacit rule of the round.
    #[must_use]
    pub fn tacit(&self) -> TacitConfig {
        self.round
            .tacit_jours_ouvres
            .and_then(|n| u32::try_from(n).ok())
            .map_or_else(TacitConfig::default, |n| TacitConfig {
                enabled: true,
                jours_ouvres: n,
            })
    }

    /// The members required, as the rules see them (key = member id).
    #[must_use]
    pub fn required(&self) -> Vec<RequiredMember> {
        self.members
            .iter()
            .map(|m| RequiredMember {
                key: m.member_id.to_string(),
                name: m.member_name.clone(),
            })
            .collect()
    }

    /// The rules' round over one covered version.
    #[must_use]
    pub fn rules_round(&self, p: &visa_round_piece::Model) -> VisaRound {
        VisaRound {
            piece_key: p.piece_kind.clone(),
            version_hash: p.docx_sha256.clone(),
            requested_on: self.round.requested_on,
            due_on: self.round.due_on,
            required: self.required(),
        }
    }

    /// The visas given on one covered version, oldest first.
    #[must_use]
    pub fn rules_visas(&self, p: &visa_round_piece::Model) -> Vec<Visa> {
        self.visas
            .iter()
            .filter(|v| v.piece_version_id == p.piece_version_id)
            .filter_map(|v| {
                Some(Visa {
                    member_key: v.member_id.to_string(),
                    actor_member_key: v.actor_member_id.to_string(),
                    version_hash: v.docx_sha256.clone(),
                    decision: parse_decision(&v.decision)?,
                    comment: v.comment.clone(),
                    given_at: v.given_at.with_timezone(&PARIS),
                })
            })
            .collect()
    }

    /// State of one covered version on `today`.
    #[must_use]
    pub fn piece_state(&self, p: &visa_round_piece::Model, today: NaiveDate) -> RoundState {
        rules::round_state(
            &self.rules_round(p),
            &self.rules_visas(p),
            today,
            self.tacit(),
        )
    }

    /// Status of the whole round: blocked if one version is, complete if all are.
    #[must_use]
    pub fn status(&self, today: NaiveDate) -> RoundStatus {
        let states: Vec<RoundStatus> = self
            .pieces
            .iter()
            .map(|p| self.piece_state(p, today).status)
            .collect();
        if states.contains(&RoundStatus::Bloque) {
            RoundStatus::Bloque
        } else if !states.is_empty() && states.iter().all(|s| *s == RoundStatus::Complet) {
            RoundStatus::Complet
        } else {
            RoundStatus::EnCours
        }
    }
}

/// Loads one round of a consultation (`NotFound` for another consultation's).
///
/// # Errors
/// `NotFound`, database errors.
pub async fn round<C: ConnectionTrait>(db: &C, cid: i32, rid: i32) -> Result<RoundData, AppError> {
    let round = visa_round::Entity::find_by_id(rid)
        .filter(visa_round::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    fill(db, vec![round]).await?.pop().ok_or(AppError::NotFound)
}

/// Every round of a consultation, newest first.
///
/// # Errors
/// Database errors.
pub async fn rounds<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<RoundData>, AppError> {
    let rows = visa_round::Entity::find()
        .filter(visa_round::Column::ConsultationId.eq(cid))
        .order_by_desc(visa_round::Column::Id)
        .all(db)
        .await?;
    fill(db, rows).await
}

/// Rounds not complete, of every consultation (for the tick).
///
/// # Errors
/// Database errors.
pub async fn open_rounds<C: ConnectionTrait>(db: &C) -> Result<Vec<RoundData>, AppError> {
    let rows = visa_round::Entity::find()
        .filter(visa_round::Column::Status.ne(status_code(RoundStatus::Complet)))
        .order_by_asc(visa_round::Column::Id)
        .all(db)
        .await?;
    fill(db, rows).await
}

async fn fill<C: ConnectionTrait>(
    db: &C,
    rows: Vec<visa_round::Model>,
) -> Result<Vec<RoundData>, AppError> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let pieces = visa_round_piece::Entity::find()
        .filter(visa_round_piece::Column::RoundId.is_in(ids.clone()))
        .order_by_asc(visa_round_piece::Column::Id)
        .all(db)
        .await?;
    let members = visa_round_member::Entity::find()
        .filter(visa_round_member::Column::RoundId.is_in(ids.clone()))
        .order_by_asc(visa_round_member::Column::Id)
        .all(db)
        .await?;
    let visas = visa::Entity::find()
        .filter(visa::Column::RoundId.is_in(ids))
        .order_by_asc(visa::Column::GivenAt)
        .order_by_asc(visa::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|round| RoundData {
            pieces: pieces
                .iter()
                .filter(|p| p.round_id == round.id)
                .cloned()
                .collect(),
            members: members
                .iter()
                .filter(|m| m.round_id == round.id)
                .cloned()
                .collect(),
            visas: visas
                .iter()
                .filter(|v| v.round_id == round.id)
                .cloned()
                .collect(),
            round,
        })
        .collect())
}

/// The current (latest) version id of every piece of a consultation, by piece id.
///
/// # Errors
/// Database errors.
pub async fn current_versions<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<HashMap<i32, (i32, i32)>, AppError> {
    let piece_ids: Vec<i32> = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let rows: Vec<(i32, i32, i32)> = piece_version::Entity::find()
        .select_only()
        .columns([
            piece_version::Column::PieceId,
            piece_version::Column::Id,
            piece_version::Column::Number,
        ])
        .filter(piece_version::Column::PieceId.is_in(piece_ids))
        .order_by_asc(piece_version::Column::Number)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for (pid, vid, n) in rows {
        out.insert(pid, (vid, n));
    }
    Ok(out)
}

/// The written proxies of a groupement, as the rules see them (keys = member ids).
///
/// # Errors
/// Database errors.
pub async fn proxies<C: ConnectionTrait>(db: &C, gid: i32) -> Result<Vec<Proxy>, AppError> {
    Ok(proxy_rows(db, gid)
        .await?
        .iter()
        .map(|p| Proxy {
            grantor_member_key: p.grantor_member_id.to_string(),
            holder_member_key: p.holder_member_id.to_string(),
            given_on: p.given_on,
            valid_until: p.valid_until,
            revoked_on: p.revoked_on,
        })
        .collect())
}

/// The stored proxies of a groupement, newest first.
///
/// # Errors
/// Database errors.
pub async fn proxy_rows<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<Vec<visa_proxy::Model>, AppError> {
    Ok(visa_proxy::Entity::find()
        .filter(visa_proxy::Column::GroupementId.eq(gid))
        .order_by_desc(visa_proxy::Column::Id)
        .all(db)
        .await?)
}

/// The consultation of a round, checked against the groupement.
///
/// # Errors
/// `NotFound`, database errors.
pub async fn consultation_of<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<consultation::Model, AppError> {
    crate::consultations::service::get(db, gid, cid).await
}
