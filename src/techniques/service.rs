//! Writing the technique d'achat of a consultation and the list of the SAD's admitted
//! candidates, and sending them the invitation to tender; each change journaled in its
//! transaction, an unchanged submit writing nothing.

use super::admitted::{self, Admitted};
use crate::audit::{self, Actor};
use crate::calendar::french_date;
use crate::consultations::lifecycle::Status;
use crate::consultations::rules::technique::Technique;
use crate::consultations::rules::technique_choice::TechniqueChoice;
use crate::consultations::service as consultations;
use crate::db::entities::{consultation, sad_admis};
use crate::error::AppError;
use crate::mail::outbox::{self, OutgoingEmail, Recipient};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

fn summary(ch: &TechniqueChoice) -> serde_json::Value {
    json!({
        "technique": ch.technique, "execution": ch.execution, "attributaires": ch.attributaires,
        "sad": ch.sad_reference, "justification": ch.justification,
    })
}

/// Records the technique d'achat. It is written in the RC and the acte d'engagement, so it
/// changes only while the consultation is a draft. Returns whether anything changed.
///
/// # Errors
/// `Conflict` once the pieces went to visa; `NotFound`; database errors.
pub async fn set(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    choice: &TechniqueChoice,
) -> Result<bool, AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    let before = c.technique_choice();
    if &before == choice {
        return Ok(false);
    }
    if c.status != Status::Brouillon.code() {
        return Err(AppError::Conflict(
            "La technique d'achat est écrite dans le règlement de la consultation et l'acte d'engagement : elle ne se change qu'au stade du brouillon. Remettez la consultation en brouillon, changez la technique, puis générez de nouveau les pièces et soumettez-les au visa des membres.".into(),
        ));
    }
    let mut a: consultation::ActiveModel = c.into();
    a.technique = Set(choice.technique);
    a.execution = Set(choice.execution);
    a.attributaires = Set(choice.attributaires);
    a.sad_reference = Set(choice.sad_reference.clone());
    a.technique_justification = Set(choice.justification.clone());
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.technique_choisie",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({"avant": summary(&before), "apres": summary(choice)}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The admitted candidates of a marché spécifique, in the order of the imported file.
///
/// # Errors
/// Database errors.
pub async fn admitted<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<sad_admis::Model>, AppError> {
    Ok(sad_admis::Entity::find()
        .filter(sad_admis::Column::ConsultationId.eq(cid))
        .order_by_asc(sad_admis::Column::Position)
        .all(db)
        .await?)
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub count: usize,
    /// False when the same list was already recorded (nothing written).
    pub changed: bool,
}

/// Replaces the list of admitted candidates by the file's (all or nothing), before the
/// invitation is sent. The same list again changes nothing.
///
/// # Errors
/// `Validation` with the file's errors by line and column; `Conflict` when the consultation is
/// not a marché spécifique or the invitations are sent; database errors.
pub async fn import_admitted(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    file_name: &str,
    bytes: &[u8],
) -> Result<Imported, AppError> {
    let table = crate::table_file::read(file_name, bytes, None).map_err(|e| {
        AppError::field("fichier", match e {
            crate::table_file::ReadError::Empty => "Le fichier est vide : déposez la liste des candidats admis exportée de la plateforme de la centrale d'achat.",
            crate::table_file::ReadError::WrongType => "Ce fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV (.csv).",
            crate::table_file::ReadError::Unreadable => "Ce classeur Excel (.xlsx) est illisible : enregistrez-le de nouveau, ou exportez la liste en .csv.",
        })
    })?;
    let rows = admitted::parse(&table).map_err(AppError::file)?;
    let sha = outbox::sha256_hex(bytes);
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    if c.technique != Technique::Sad {
        return Err(AppError::Conflict("Cette consultation n'est pas un marché spécifique d'un système d'acquisition dynamique : choisissez d'abord cette technique d'achat.".into()));
    }
    let open = matches!(
        Status::from_code(&c.status),
        Ok(Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier)
    );
    if !open {
        return Err(AppError::Conflict("Les invitations à soumissionner sont parties : la liste des candidats admis qui les a reçues ne se remplace plus.".into()));
    }
    let before = admitted(&tx, cid).await?;
    let same = before.len() == rows.len()
        && before
            .iter()
            .zip(&rows)
            .all(|(b, r)| b.siret == r.siret && b.name == r.name && b.email == r.email);
    if same {
        return Ok(Imported {
            count: rows.len(),
            changed: false,
        });
    }
    sad_admis::Entity::delete_many()
        .filter(sad_admis::Column::ConsultationId.eq(cid))
        .exec(&tx)
        .await?;
    for r in &rows {
        insert(&tx, now, actor, cid, r, &sha).await?;
    }
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.candidats_admis_importes",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({
                "fichier": file_name, "sha256": sha, "nombre": rows.len(), "remplace": before.len(),
                "siret": rows.iter().map(|r| r.siret.clone()).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Imported {
        count: rows.len(),
        changed: true,
    })
}

async fn insert<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    cid: i32,
    r: &Admitted,
    sha: &str,
) -> Result<(), AppError> {
    sad_admis::ActiveModel {
        consultation_id: Set(cid),
        name: Set(r.name.clone()),
        siret: Set(r.siret.clone()),
        email: Set(r.email.clone()),
        position: Set(i32::try_from(r.line).unwrap_or(i32::MAX)),
        source_sha256: Set(sha.to_owned()),
        created_at: Set(now),
        created_by: Set(actor.label.clone()),
        invited_on: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Sends the invitation to tender to every admitted candidate not yet invited, in the
/// caller's transaction (the publication of a marché spécifique): each email from the
/// `sad_invitation` template, the day recorded on the candidate. Returns how many left.
///
/// # Errors
/// No admitted candidate; an invalid address; database errors.
pub async fn invite_all<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    c: &consultation::Model,
    buyer: &str,
    today: NaiveDate,
) -> Result<usize, AppError> {
    let list = admitted(tx, c.id).await?;
    if list.is_empty() {
        return Err(AppError::Conflict("Aucun candidat admis n'est enregistré : l'invitation à soumissionner ne peut être envoyée (R2162-48 et suivants).".into()));
    }
    let deadline = crate::consultations::deadline::deadline_label(c);
    let mut sent = 0;
    for a in list.into_iter().filter(|a| a.invited_on.is_none()) {
        let ctx = json!({
            "reference": c.reference, "objet": c.objet, "name": a.name,
            "sad": c.sad_reference, "deadline": deadline, "date": french_date(today),
            "buyer": buyer,
        });
        let text = crate::mail::templates::render("sad_invitation", &ctx)?;
        outbox::enqueue(
            tx,
            now,
            actor,
            Some(c.groupement_id),
            OutgoingEmail {
                kind: "sad_invitation".into(),
                to: Recipient::named(a.email.clone(), a.name.clone()),
                subject: text.subject,
                text: text.text,
                html: Some(text.html),
                attachments: Vec::new(),
            },
        )
        .await?;
        let mut am: sad_admis::ActiveModel = a.into();
        am.invited_on = Set(Some(today));
        am.update(tx).await?;
        sent += 1;
    }
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(c.groupement_id),
            action: "consultation.invitations_envoyees",
            entity: "consultation",
            entity_id: c.id.to_string(),
            summary: json!({"nombre": sent, "sad": c.sad_reference, "date": today}),
        },
    )
    .await?;
    Ok(sent)
}
