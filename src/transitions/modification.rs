//! A modification of the DCE after publication (R2151-4; convention art. 5.4 and 6.2). Opened
//! with its reason and an extended deadline, announced at once to every candidate known; the
//! pieces are then generated and submitted to the members' visa again, as before the
//! publication; once every changed piece is visaed by every member on its new version, the
//! modification is published: the candidates are told which pieces changed and the deadline
//! that now applies. Nothing is half-written: each step is one transaction with its journal
//! entry and its emails.

use crate::audit::{self, Actor};
use crate::consultations::candidates;
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::db::entities::{consultation, dce_modification, piece, piece_version};
use crate::error::AppError;
use crate::state::AppState;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

/// The modifications of a consultation, oldest first.
///
/// # Errors
/// Database errors.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<dce_modification::Model>, AppError> {
    Ok(dce_modification::Entity::find()
        .filter(dce_modification::Column::ConsultationId.eq(cid))
        .order_by_asc(dce_modification::Column::Number)
        .all(db)
        .await?)
}

/// Checks the opening of a modification (pure): a published consultation without a
/// modification under way, and a reason the candidates will read.
///
/// # Errors
/// The French reason.
pub fn check_opening(status: Status, open: bool, motif: &str) -> Result<(), String> {
    if status != Status::Publiee {
        return Err(format!(
            "La consultation est « {} » : le DCE ne se modifie qu'une fois publié et avant la date limite de remise des offres ; avant la publication, les pièces se génèrent de nouveau librement.",
            status.label()
        ));
    }
    if open {
        return Err("Une modification du DCE est déjà en cours : publiez-la (ou terminez ses visas) avant d'en ouvrir une autre.".into());
    }
    let n = motif.trim().chars().count();
    if !(15..=2000).contains(&n) {
        return Err("Le motif de la modification est obligatoire (15 à 2000 caractères) : il est envoyé à chaque candidat avec la nouvelle date limite (R2151-4).".into());
    }
    Ok(())
}

/// Opens a modification of the DCE: the deadline extended (and announced to the candidates),
/// the pieces open to generation and visas again. Returns the modification.
///
/// # Errors
/// `Conflict` with the reason; `Validation` on an unreadable date; database errors.
pub async fn open(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    motif: &str,
    new_deadline: &str,
) -> Result<dce_modification::Model, AppError> {
    let now = st.clock.now();
    let tx = audit::begin(&st.db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| anyhow::anyhow!("{e}"))?;
    check_opening(status, c.dce_modification_open, motif).map_err(AppError::Conflict)?;
    let previous = c.offers_deadline.clone().unwrap_or_default();
    let reason = format!("modification du dossier de consultation — {}", motif.trim());
    let extended =
        crate::consultations::deadline::extend_in(&tx, now, actor, gid, cid, new_deadline, &reason)
            .await?;
    let number = i32::try_from(list(&tx, cid).await?.len()).unwrap_or(i32::MAX - 1) + 1;
    let row = dce_modification::ActiveModel {
        consultation_id: Set(cid),
        number: Set(number),
        motif: Set(motif.trim().to_owned()),
        previous_deadline: Set(previous.clone()),
        new_deadline: Set(extended
            .consultation
            .offers_deadline
            .clone()
            .unwrap_or_default()),
        opened_at: Set(now),
        opened_by: Set(actor.label.clone()),
        published_at: Set(None),
        pieces: Set(None),
        announced_to: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let mut a: consultation::ActiveModel = extended.consultation.into();
    a.dce_modification_open = Set(true);
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.modification_dce_ouverte",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: json!({
            "numero": number, "motif": motif.trim(), "date_limite_avant": previous,
            "date_limite_apres": row.new_deadline, "prolongation_annoncee_a": extended.announced_to,
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The pieces whose versions were created since `since` (the opening of the modification):
/// kind, number, SHA-256 of the newest.
async fn changed_pieces<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(String, i32, String)>, AppError> {
    let mut out = Vec::new();
    for p in piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .order_by_asc(piece::Column::Id)
        .all(db)
        .await?
    {
        let newest = piece_version::Entity::find()
            .filter(piece_version::Column::PieceId.eq(p.id))
            .order_by_desc(piece_version::Column::Number)
            .one(db)
            .await?;
        // Generation is refused before the opening, so a version of the opening instant is
        // part of the modification (a manual clock does not move between the two).
        if let Some(v) = newest.filter(|v| v.created_at >= since) {
            out.push((p.kind, v.number, v.docx_sha256));
        }
    }
    Ok(out)
}

/// Publishes the modification under way once every changed piece is visaed by every member
/// on its new version, and tells every candidate which pieces changed and the deadline.
/// Returns the number of candidates told.
///
/// # Errors
/// `Conflict`: no modification under way, deadline passed, nothing changed, visas missing
/// (pieces and members named); database errors.
pub async fn publish(st: &AppState, actor: &Actor, gid: i32, cid: i32) -> Result<usize, AppError> {
    let now = st.clock.now();
    let today = st.clock.today_paris();
    let tx = audit::begin(&st.db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    let Some(m) = list(&tx, cid)
        .await?
        .into_iter()
        .find(|m| m.published_at.is_none())
        .filter(|_| c.dce_modification_open)
    else {
        return Err(AppError::Conflict(
            "Aucune modification du DCE n'est en cours.".into(),
        ));
    };
    if crate::consultations::deadline::deadline_utc(&c).is_none_or(|d| now >= d) {
        return Err(AppError::Conflict("La date limite de remise des offres est passée : la modification ne peut plus être annoncée ; prolongez d'abord la date limite (R2151-4).".into()));
    }
    let changed = changed_pieces(&tx, cid, m.opened_at).await?;
    if changed.is_empty() {
        return Err(AppError::Conflict("Aucune pièce n'a été générée de nouveau depuis l'ouverture de la modification : modifiez les données du DCE ou les clauses, générez les pièces, puis soumettez-les au visa des membres.".into()));
    }
    if let Err(why) = crate::visas::gate::publication_gate(&tx, cid, today).await? {
        return Err(AppError::Conflict(format!(
            "Les nouvelles versions doivent être visées par chaque membre avant d'être annoncées aux candidats (convention art. 5.4 et 6.2). {why}"
        )));
    }
    let pieces_label: Vec<String> = changed
        .iter()
        .map(|(kind, n, _)| {
            let label = kind
                .parse::<crate::docgen::DocKind>()
                .map_or_else(|_| kind.clone(), |k| k.label_fr().to_owned());
            format!("{label} (version {n})")
        })
        .collect();
    let deadline = crate::consultations::deadline::deadline_label(&c);
    let told = candidates::announce(
        &tx,
        now,
        actor,
        &c,
        "modification_dce",
        &json!({
            "number": m.number, "motif": m.motif, "pieces": pieces_label, "deadline": deadline,
        }),
    )
    .await?;
    let number = m.number;
    let mut am: dce_modification::ActiveModel = m.into();
    am.published_at = Set(Some(now));
    am.pieces = Set(Some(
        json!(
            changed
                .iter()
                .map(|(k, n, sha)| json!({"piece": k, "version": n, "sha256": sha}))
                .collect::<Vec<_>>()
        )
        .to_string(),
    ));
    am.announced_to = Set(Some(i32::try_from(told).unwrap_or(i32::MAX)));
    am.update(&tx).await?;
    let mut a: consultation::ActiveModel = c.into();
    a.dce_modification_open = Set(false);
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.modification_dce_publiee",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: json!({
            "numero": number, "pieces": changed.iter().map(|(k, n, sha)| json!({"piece": k, "version": n, "sha256": sha})).collect::<Vec<_>>(),
            "annoncee_a": told, "date_limite": deadline,
        }),
    })
    .await?;
    tx.commit().await?;
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modification_opens_on_a_published_consultation_with_a_reason() {
        let why = "CCTP : ajout de l'annexe d'interopérabilité INS";
        assert!(check_opening(Status::Publiee, false, why).is_ok());
        assert!(
            check_opening(Status::Brouillon, false, why)
                .unwrap_err()
                .contains("librement")
        );
        assert!(
            check_opening(Status::RemiseClose, false, why)
                .unwrap_err()
                .contains("date limite")
        );
        assert!(
            check_opening(Status::Publiee, true, why)
                .unwrap_err()
                .contains("déjà en cours")
        );
        assert!(
            check_opening(Status::Publiee, false, "court")
                .unwrap_err()
                .contains("R2151-4")
        );
    }
}
