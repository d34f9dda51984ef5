//! After the notification: the avis d'attribution (R2183-1), the contractual pieces sent to
//! every member (convention art. 5.4), and the letters of a procedure declared sans suite or
//! infructueuse (R2185-2).

use super::docs::{self, lot_ref};
use super::letters::{self, Abandon, Mail};
use super::ranking;
use super::rules::AttributionStatus;
use super::store::{self, NewLetter};
use crate::audit::{self, Actor};
use crate::auth::Role;
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultation_service;
use crate::db::entities::{attribution, contract_dispatch, lot, pli};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use crate::mail::{DOCX_CONTENT_TYPE, OutgoingAttachment, OutgoingEmail};
use crate::pieces::service as pieces;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

/// Records the date the avis d'attribution was sent for publication (R2183-1: within 30 days
/// of the signature for a formalised procedure).
///
/// # Errors
/// `Validation` (date before signature or in the future), `Conflict` (not signed), database.
pub async fn avis_published(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    on: NaiveDate,
) -> Result<(), AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let tx = audit::begin(&st.db).await?;
    let c = consultation_service::get(&tx, gid, cid).await?;
    let signed = c.signed_on.ok_or_else(|| {
        AppError::Conflict(
            "Le marché n'est pas signé : l'avis d'attribution suit la signature (R2183-1).".into(),
        )
    })?;
    if on < signed || on > today {
        return Err(AppError::field(
            "avis_on",
            format!(
                "La date d'envoi de l'avis d'attribution doit être comprise entre la signature ({}) et aujourd'hui.",
                crate::calendar::french_date(signed)
            ),
        ));
    }
    for a in store::attributions(&tx, cid).await? {
        if a.signed_on.is_none() {
            continue;
        }
        let mut am: attribution::ActiveModel = a.into();
        am.avis_published_on = Set(Some(on));
        am.updated_at = Set(now);
        let a = am.update(&tx).await?;
        store::journal(
            &tx,
            now,
            actor,
            gid,
            "marche.avis_attribution",
            &a,
            json!({"envoye_le": on}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sends every member's référents the contractual pieces (latest AE, CCAP, CCTP, BPU and the
/// NOTI5), in one logged action (convention art. 5.4). Returns the number of emails.
///
/// # Errors
/// `Conflict` (not notified, a member without référent, no piece), database errors.
pub async fn dispatch_contract(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
) -> Result<usize, AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let c = consultation_service::get(&st.db, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| AppError::Conflict(e.to_string()))?;
    if !matches!(status, Status::Notifiee | Status::Close) {
        return Err(AppError::Conflict(format!(
            "Les pièces contractuelles se transmettent une fois le marché notifié (état actuel : « {} »).",
            status.label()
        )));
    }
    let mut files: Vec<OutgoingAttachment> = Vec::new();
    // The members receive the acte d'engagement signed by both parties (the one the NOTI5
    // notified), never the blank AE of the DCE; then the DCE's CCAP, CCTP and BPU.
    for a in store::attributions(&st.db, cid)
        .await?
        .iter()
        .filter(|a| a.noti5_sent_at.is_some())
    {
        if let Some(acte) = super::signed::latest(&st.db, a.id).await? {
            files.push(OutgoingAttachment {
                filename: acte.file_name,
                content_type: acte.media_type,
                bytes: acte.bytes,
            });
        }
    }
    for kind in [DocKind::Ccap, DocKind::Cctp, DocKind::Bpu] {
        if let Some(v) = pieces::versions(&st.db, gid, cid, kind).await?.last() {
            let dl = pieces::download(&st.db, gid, cid, kind, v.number).await?;
            files.push(OutgoingAttachment {
                filename: dl.file_name,
                content_type: DOCX_CONTENT_TYPE.into(),
                bytes: dl.bytes,
            });
        }
    }
    for l in store::letters(&st.db, cid)
        .await?
        .iter()
        .filter(|l| l.kind == "noti5")
    {
        if let Some(row) = store::letter(&st.db, cid, l.id).await? {
            files.push(OutgoingAttachment {
                filename: row.filename,
                content_type: DOCX_CONTENT_TYPE.into(),
                bytes: row.docx,
            });
        }
    }
    if files.is_empty() {
        return Err(AppError::Conflict(
            "Aucune pièce contractuelle à transmettre.".into(),
        ));
    }
    let members = store::active_members(&st.db, gid, today).await?;
    let mut emails = Vec::new();
    for m in &members {
        let to = crate::visas::notify::accounts(&st.db, gid, Role::Referent, Some(m.id)).await?;
        if to.is_empty() {
            return Err(AppError::Conflict(format!(
                "{} n'a pas de référent actif : créez son compte avant de transmettre les pièces contractuelles. Rien n'a été envoyé.",
                m.name
            )));
        }
        for r in to {
            let text = format!(
                "Bonjour,\n\nLe marché « {o} » (consultation {r}) a été signé et notifié. Conformément à l'article 5.4 de la convention de groupement, vous trouverez ci-joint les pièces contractuelles : {n} fichier(s).\n\n{m} émet ses propres bons de commande et règle directement les factures correspondantes (convention art. 6.2).\n\nCoordo, pour le coordonnateur du groupement",
                o = c.objet,
                r = c.reference,
                n = files.len(),
                m = m.name,
            );
            emails.push(OutgoingEmail {
                kind: "pieces_contractuelles".into(),
                to: r,
                subject: format!("{} – pièces contractuelles du marché", c.reference),
                html: None,
                text,
                attachments: files.clone(),
            });
        }
    }
    let count = emails.len();
    let tx = audit::begin(&st.db).await?;
    for e in emails {
        crate::mail::enqueue(&tx, now, actor, Some(gid), e)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("pièces contractuelles : {e}")))?;
    }
    let row = contract_dispatch::ActiveModel {
        consultation_id: Set(cid),
        sent_at: Set(now),
        recipients: Set(i32::try_from(count).unwrap_or(i32::MAX)),
        files: Set(i32::try_from(files.len()).unwrap_or(i32::MAX)),
        actor: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "marche.pieces_transmises",
            entity: "contract_dispatch",
            entity_id: row.id.to_string(),
            summary: json!({
                "consultation_id": cid, "courriels": count,
                "membres": members.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
                "fichiers": files.iter().map(|f| f.filename.clone()).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// Writes, inside the transaction of the declaration, a letter to every candidate of every
/// lot with the motif (R2185-2). Candidates without an email get a letter to print.
///
/// # Errors
/// `Conflict` (court missing), database errors.
#[allow(clippy::too_many_arguments)]
pub async fn abandon_letters<C: ConnectionTrait>(
    tx: &C,
    engine: &DocEngine,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    infructueuse: bool,
    reason: &str,
) -> Result<usize, AppError> {
    let today = now.with_timezone(&Paris).date_naive();
    let plis: Vec<pli::Model> = pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .filter(pli::Column::Superseded.eq(false))
        .all(tx)
        .await?;
    if plis.is_empty() {
        return Ok(0);
    }
    let c = consultation_service::get(tx, gid, cid).await?;
    let lots = lot::Entity::find()
        .filter(lot::Column::ConsultationId.eq(cid))
        .all(tx)
        .await?;
    let base = docs::base(tx, gid, cid, now).await?;
    let decision = Abandon {
        date: today,
        infructueuse,
        reason: reason.to_owned(),
    };
    let kind = if infructueuse {
        "infructueuse"
    } else {
        "sans_suite"
    };
    for p in &plis {
        let lot = lot_ref(lots.iter().find(|l| Some(l.id) == p.lot_id), &c.objet);
        let party = ranking::party(p);
        // A candidate without an e-mail gets the letter by registered post (printed).
        let electronic = party.email.contains('@');
        let ctx = letters::sans_suite(&base.ctx, &lot, &party, &decision, electronic, now);
        let doc = docs::render(engine, DocKind::SansSuite, &ctx, &base.look)?;
        let filename = docs::filename(&c.reference, kind, lot.number, &p.bidder_name);
        let email = electronic
            .then(|| {
                letters::sans_suite_email(
                    Mail {
                        kind,
                        to: &party,
                        reference: &c.reference,
                        objet: &c.objet,
                        lot: &lot,
                        buyer: base.ctx["buyer"]["name"].as_str().unwrap_or_default(),
                        attachments: vec![(filename.clone(), doc.docx.clone())],
                    },
                    &decision,
                )
            })
            .transpose()?;
        store::write_letter(
            tx,
            now,
            actor,
            gid,
            NewLetter {
                consultation_id: cid,
                lot_id: p.lot_id,
                pli_id: Some(p.id),
                attribution_id: None,
                kind,
                recipient_name: p.bidder_name.clone(),
                recipient_email: p.contact_email.clone(),
                sent_on: today,
                electronic,
                filename,
                docx: doc.docx,
                email,
            },
        )
        .await?;
    }
    Ok(plis.len())
}

/// Whether the titulaire of every lot has acknowledged its notification (R2182-4).
#[must_use]
pub fn all_in_force(all: &[attribution::Model]) -> bool {
    let cur: Vec<&attribution::Model> = all
        .iter()
        .filter(|a| store::status(a).is_current())
        .collect();
    !cur.is_empty()
        && cur
            .iter()
            .all(|a| store::status(a) == AttributionStatus::EnVigueur)
}
