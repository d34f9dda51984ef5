//! Use cases of the visas, each in one audited transaction: submit the current versions of
//! pieces for visa (e-mails to every member's référents, pieces attached), answer (for one's
//! member or under a written proxy, convention art. 8.1), keep the round status and tell the
//! coordonnateur, and the publication gate (art. 5.4, 6.2).

use super::notify::{self, RequestFacts};
use super::rules::{self, RequiredMember, RoundStatus, Visa, VisaDecision, VisaError, VisaRound};
use super::store::{self, RoundData};
use crate::audit::{self, Actor};
use crate::auth::{CurrentUser, Role};
use crate::calendar::{PARIS, french_date};
use crate::consultations::lifecycle::Status;
use crate::db::entities::{
    consultation, member, piece, piece_version, visa, visa_round, visa_round_member,
    visa_round_piece,
};
use crate::docgen::DocKind;
use crate::error::AppError;
use crate::mail::{DOCX_CONTENT_TYPE, OutgoingAttachment};
use crate::pieces::context::short_code;
use crate::registry::service::GroupementSettings;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

pub(super) fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&PARIS).date_naive()
}

/// Visas are given before publication only (the pieces are frozen afterwards).
///
/// # Errors
/// `Conflict` with the French reason.
pub fn ensure_open(c: &consultation::Model) -> Result<(), AppError> {
    crate::pieces::service::ensure_generatable(c).map_err(|_| {
        let label = Status::from_code(&c.status).map_or("", Status::label);
        AppError::Conflict(format!(
            "La consultation est « {label} » : les visas se donnent avant la publication, ils ne peuvent plus être demandés ni modifiés."
        ))
    })
}

pub(super) fn mail_err(e: crate::mail::MailError) -> AppError {
    e.into()
}

/// The members whose visa is required: every member not withdrawn on `today` (art. 15).
async fn active_members<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    today: NaiveDate,
) -> Result<Vec<member::Model>, AppError> {
    Ok(member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .order_by_asc(member::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| m.withdrawn_on.is_none_or(|w| w > today))
        .collect())
}

async fn groupement_settings<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<GroupementSettings, AppError> {
    Ok(crate::registry::service::groupement(db, gid)
        .await?
        .map(|g| GroupementSettings::from_json(&g.settings))
        .unwrap_or_default())
}

/// Submits the current version of each piece of `kinds` for every member's visa, due on
/// `due_on` (at the earliest tomorrow); e-mails each member's référents with the versions
/// attached, in the same transaction.
///
/// # Errors
/// Validation (no piece, due date, piece never generated), `Conflict` (published, version
/// already in a round), database or outbox errors.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub async fn submit(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    kinds: &[DocKind],
    due_on: NaiveDate,
    base_url: &str,
) -> Result<RoundData, AppError> {
    let today = paris_today(now);
    if kinds.is_empty() {
        return Err(AppError::field(
            "pieces",
            "choisissez au moins une pièce à soumettre au visa des membres",
        ));
    }
    if due_on <= today {
        return Err(AppError::field(
            "due_on",
            format!(
                "l'échéance du visa ({}) doit être au plus tôt demain ({})",
                french_date(due_on),
                french_date(today.succ_opt().unwrap_or(today))
            ),
        ));
    }
    let tx = audit::begin(db).await?;
    let c = store::consultation_of(&tx, gid, cid).await?;
    ensure_open(&c)?;
    let mut versions = Vec::new();
    for kind in kinds {
        let p = piece::Entity::find()
            .filter(piece::Column::ConsultationId.eq(cid))
            .filter(piece::Column::Kind.eq(kind.as_str()))
            .one(&tx)
            .await?;
        let v = match p {
            Some(p) => {
                piece_version::Entity::find()
                    .filter(piece_version::Column::PieceId.eq(p.id))
                    .order_by_desc(piece_version::Column::Number)
                    .one(&tx)
                    .await?
            }
            None => None,
        };
        let Some(v) = v else {
            return Err(AppError::field(
                "pieces",
                format!(
                    "la pièce « {} » n'a encore aucune version : générez-la avant de la soumettre au visa",
                    short_code(*kind)
                ),
            ));
        };
        let taken = visa_round_piece::Entity::find()
            .filter(visa_round_piece::Column::PieceVersionId.eq(v.id))
            .order_by_desc(visa_round_piece::Column::RoundId)
            .one(&tx)
            .await?;
        if let Some(t) = taken {
            return Err(AppError::Conflict(format!(
                "La version {} de la pièce « {} » est déjà soumise au visa (tour n° {}) : un nouveau tour ne s'ouvre que pour une nouvelle version.",
                v.number,
                short_code(*kind),
                t.round_id
            )));
        }
        versions.push((*kind, v));
    }
    let members = active_members(&tx, gid, today).await?;
    let required: Vec<RequiredMember> = members
        .iter()
        .map(|m| RequiredMember {
            key: m.id.to_string(),
            name: m.name.clone(),
        })
        .collect();
    for (kind, v) in &versions {
        rules::validate_round(&VisaRound {
            piece_key: kind.as_str().to_owned(),
            version_hash: v.docx_sha256.clone(),
            requested_on: today,
            due_on,
            required: required.clone(),
        })
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    }
    let tacit = groupement_settings(&tx, gid).await?.tacit_visa_jours_ouvres;
    let round = visa_round::ActiveModel {
        consultation_id: Set(cid),
        requested_at: Set(now),
        requested_on: Set(today),
        due_on: Set(due_on),
        tacit_jours_ouvres: Set(tacit.and_then(|n| i32::try_from(n).ok())),
        status: Set(store::status_code(RoundStatus::EnCours).to_owned()),
        created_by_user_id: Set(actor.user_id),
        created_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    for (kind, v) in &versions {
        visa_round_piece::ActiveModel {
            round_id: Set(round.id),
            piece_id: Set(v.piece_id),
            piece_version_id: Set(v.id),
            piece_kind: Set(kind.as_str().to_owned()),
            version_number: Set(v.number),
            docx_sha256: Set(v.docx_sha256.clone()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    for m in &members {
        visa_round_member::ActiveModel {
            round_id: Set(round.id),
            member_id: Set(m.id),
            member_name: Set(m.name.clone()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let data = store::round(&tx, cid, round.id).await?;
    let attachments: Vec<OutgoingAttachment> = versions
        .iter()
        .map(|(kind, v)| OutgoingAttachment {
            filename: crate::pieces::service::file_name(&c.reference, *kind, v.number),
            content_type: DOCX_CONTENT_TYPE.to_owned(),
            bytes: v.docx.clone(),
        })
        .collect();
    let url = notify::round_url(base_url, gid, cid, round.id);
    let mut without_referent = Vec::new();
    let mut sent = 0;
    for m in &members {
        let to = notify::accounts(&tx, gid, Role::Referent, Some(m.id)).await?;
        if to.is_empty() {
            without_referent.push(m.name.clone());
        }
        for r in to {
            let facts = RequestFacts {
                consultation: &c,
                member_name: &m.name,
                url: url.clone(),
                tacit_deadline: rules::tacit_deadline(today, data.tacit()),
            };
            let email = notify::request(r, &data, &facts, attachments.clone());
            crate::mail::enqueue(&tx, now, actor, Some(gid), email)
                .await
                .map_err(mail_err)?;
            sent += 1;
        }
    }
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.tour_ouvert",
            entity: "visa_round",
            entity_id: round.id.to_string(),
            summary: serde_json::json!({
                "consultation": cid,
                "echeance": due_on.to_string(),
                "visa_tacite_jours_ouvres": tacit,
                "pieces": data.pieces.iter().map(|p| serde_json::json!({
                    "piece": p.piece_kind, "version": p.version_number, "sha256": p.docx_sha256,
                })).collect::<Vec<_>>(),
                "membres": members.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
                "courriels": sent,
                "membres_sans_referent": without_referent,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(data)
}

/// One answer to a round.
#[derive(Clone, Debug)]
pub struct AnswerInput {
    pub piece_version_id: i32,
    /// The member answered for; `None` = the caller's own member.
    pub member_id: Option<i32>,
    pub decision: VisaDecision,
    pub comment: Option<String>,
}

fn visa_error(e: VisaError) -> AppError {
    match e {
        VisaError::NoProxy { .. } => AppError::Forbidden(e.to_string()),
        VisaError::CommentRequired(_) => AppError::field("comment", e.to_string()),
        VisaError::TaciteEntered => AppError::field("decision", e.to_string()),
        VisaError::NotRequired(_) => AppError::field("member_id", e.to_string()),
        other => AppError::Conflict(other.to_string()),
    }
}

/// A référent gives its member's visa (or, under a written proxy in force, another member's)
/// on one version of a round; journaled; the round status is refreshed.
///
/// # Errors
/// `Forbidden` (not a référent, no proxy), validation (comment, member), `Conflict`
/// (published, version no longer current), `NotFound`, database errors.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    rid: i32,
    input: &AnswerInput,
    base_url: &str,
) -> Result<visa::Model, AppError> {
    let Some(actor_member) = user.member_id.filter(|_| user.role == Role::Referent) else {
        return Err(AppError::Forbidden(
            "seul le référent d'un membre donne le visa de ce membre".into(),
        ));
    };
    let tx = audit::begin(db).await?;
    let (row, _) = answer_in(
        &tx,
        now,
        user,
        actor_member,
        (gid, cid, rid),
        input,
        base_url,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Several visas at once (the référent's one form for a whole round or DCE), in one
/// transaction: all are recorded or none. Answers identical to the visa in force change
/// nothing. Returns how many visas were recorded.
///
/// # Errors
/// As [`answer`], the first failing answer stopping everything.
pub async fn answer_all(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    answers: &[(i32, AnswerInput)],
    base_url: &str,
) -> Result<usize, AppError> {
    let Some(actor_member) = user.member_id.filter(|_| user.role == Role::Referent) else {
        return Err(AppError::Forbidden(
            "seul le référent d'un membre donne le visa de ce membre".into(),
        ));
    };
    let tx = audit::begin(db).await?;
    let mut recorded = 0;
    for (rid, input) in answers {
        let (_, new) = answer_in(
            &tx,
            now,
            user,
            actor_member,
            (gid, cid, *rid),
            input,
            base_url,
        )
        .await?;
        recorded += usize::from(new);
    }
    tx.commit().await?;
    Ok(recorded)
}

/// One visa inside the caller's transaction (see [`answer`]).
async fn answer_in<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    user: &CurrentUser,
    actor_member: i32,
    (gid, cid, rid): (i32, i32, i32),
    input: &AnswerInput,
    base_url: &str,
) -> Result<(visa::Model, bool), AppError> {
    let for_member = input.member_id.unwrap_or(actor_member);
    let c = store::consultation_of(tx, gid, cid).await?;
    ensure_open(&c)?;
    let data = store::round(tx, cid, rid).await?;
    let Some(p) = data
        .pieces
        .iter()
        .find(|p| p.piece_version_id == input.piece_version_id)
    else {
        return Err(AppError::field(
            "piece_version_id",
            format!(
                "cette version (n° {}) n'est pas soumise au visa dans le tour n° {rid}",
                input.piece_version_id
            ),
        ));
    };
    let current = store::current_versions(tx, cid).await?;
    if let Some((vid, n)) = current.get(&p.piece_id)
        && *vid != p.piece_version_id
    {
        return Err(AppError::Conflict(format!(
            "La version {} de « {} » n'est plus la version actuelle (version {n}) : ses visas ne comptent plus, la nouvelle version doit être soumise à un nouveau tour de visa.",
            p.version_number,
            store::kind_code(&p.piece_kind)
        )));
    }
    if !data.members.iter().any(|m| m.member_id == for_member) {
        let name = member::Entity::find_by_id(for_member)
            .filter(member::Column::GroupementId.eq(gid))
            .one(tx)
            .await?
            .map_or_else(|| format!("n° {for_member}"), |m| m.name);
        return Err(AppError::field(
            "member_id",
            format!("le membre « {name} » n'est pas appelé à viser dans le tour n° {rid}"),
        ));
    }
    let proxies = store::proxies(tx, gid).await?;
    let candidate = Visa {
        member_key: for_member.to_string(),
        actor_member_key: actor_member.to_string(),
        version_hash: p.docx_sha256.clone(),
        decision: input.decision,
        comment: input
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        given_at: now.with_timezone(&PARIS),
    };
    if let Err(e) = rules::validate_visa(&data.rules_round(p), &candidate, &proxies) {
        let e = match e {
            // Name the members, not their ids.
            VisaError::NoProxy { date, .. } => {
                let name = |id: i32| {
                    data.members
                        .iter()
                        .find(|m| m.member_id == id)
                        .map_or_else(|| format!("membre n° {id}"), |m| m.member_name.clone())
                };
                VisaError::NoProxy {
                    actor: name(actor_member),
                    member: name(for_member),
                    date,
                }
            }
            other => other,
        };
        return Err(visa_error(e));
    }
    // The same answer again (a double click, a re-sent form) changes nothing: no second row,
    // no journal entry; the visa in force is returned.
    if let Some(same) = data
        .visas
        .iter()
        .rev()
        .find(|v| v.piece_version_id == p.piece_version_id && v.member_id == for_member)
        .filter(|v| {
            v.decision == store::decision_code(input.decision)
                && v.comment == candidate.comment
                && v.actor_member_id == actor_member
        })
    {
        return Ok((same.clone(), false));
    }
    let row = visa::ActiveModel {
        round_id: Set(rid),
        piece_version_id: Set(p.piece_version_id),
        docx_sha256: Set(p.docx_sha256.clone()),
        member_id: Set(for_member),
        actor_member_id: Set(actor_member),
        actor_user_id: Set(Some(user.id)),
        actor: Set(user.email.clone()),
        decision: Set(store::decision_code(input.decision).to_owned()),
        comment: Set(candidate.comment.clone()),
        given_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.donne",
            entity: "visa",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({
                "tour": rid, "piece": p.piece_kind, "version": p.version_number,
                "sha256": p.docx_sha256, "membre": for_member, "par_membre": actor_member,
                "procuration": for_member != actor_member,
                "decision": row.decision, "commentaire": row.comment,
            }),
        },
    )
    .await?;
    refresh_status(tx, now, &user.actor(), gid, &c, rid, base_url).await?;
    Ok((row, true))
}

/// Recomputes a round's status; on a change it is stored and journaled, and a complete or
/// blocked round is summarised to the coordonnateur (same transaction).
///
/// # Errors
/// Database or outbox errors.
pub(super) async fn refresh_status<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    c: &consultation::Model,
    rid: i32,
    base_url: &str,
) -> Result<RoundStatus, AppError> {
    let today = paris_today(now);
    let data = store::round(tx, c.id, rid).await?;
    let status = data.status(today);
    let code = store::status_code(status);
    if data.round.status == code {
        return Ok(status);
    }
    let before = data.round.status.clone();
    let mut a: visa_round::ActiveModel = data.round.clone().into();
    a.status = Set(code.to_owned());
    a.update(tx).await?;
    let mut mails = 0;
    if matches!(status, RoundStatus::Complet | RoundStatus::Bloque) {
        let url = notify::round_url(base_url, gid, c.id, rid);
        for to in notify::accounts(tx, gid, Role::Coordonnateur, None).await? {
            let email = notify::summary(to, &data, c, status, today, &url);
            crate::mail::enqueue(tx, now, actor, Some(gid), email)
                .await
                .map_err(mail_err)?;
            mails += 1;
        }
    }
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.tour_statut",
            entity: "visa_round",
            entity_id: rid.to_string(),
            summary: serde_json::json!({"before": before, "after": code, "courriels": mails}),
        },
    )
    .await?;
    Ok(status)
}
