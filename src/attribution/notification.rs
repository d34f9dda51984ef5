//! The notification of the signed marché: the NOTI5 with the signed acte d'engagement and a
//! one-time acknowledgement link; the marché takes effect on the date of receipt (R2182-4).

use super::docs::{self, lot_ref};
use super::letters::{self, Mail};
use super::ranking;
use super::rules::{self, AttributionStatus};
use super::store::{self, NewLetter};
use crate::audit::{self, Actor};
use crate::consultations::lifecycle::{Status, TransitionContext};
use crate::consultations::service as consultation_service;
use crate::db::entities::{attribution, consultation};
use crate::docgen::DocKind;
use crate::error::AppError;
use crate::state::AppState;
use chrono_tz::Europe::Paris;
use rand::RngCore;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// A fresh acknowledgement token (256 random bits, hex).
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Sends the NOTI5 of every signed lot with the signed acte d'engagement and a one-time
/// acknowledgement link (R2182-4). Returns the number of notifications.
///
/// # Errors
/// `Conflict` with the French reason; database errors.
pub async fn notify(st: &AppState, actor: &Actor, gid: i32, cid: i32) -> Result<usize, AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let d = consultation_service::detail(&st.db, gid, cid, today).await?;
    if d.status != Status::Signee {
        return Err(AppError::Conflict(format!(
            "Le marché se notifie après sa signature (état actuel : « {} »).",
            d.status.label()
        )));
    }
    let base = docs::base(&st.db, gid, cid, now).await?;
    let all = store::attributions(&st.db, cid).await?;
    let signed: Vec<&attribution::Model> = all
        .iter()
        .filter(|a| store::status(a) == AttributionStatus::Signee)
        .collect();
    let mut prepared = Vec::new();
    for a in &signed {
        let p = store::pli(&st.db, cid, a.pli_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let lot_model = d.lots.iter().find(|l| Some(l.lot.id) == a.lot_id);
        let lot = lot_ref(lot_model.map(|l| &l.lot), &d.c.objet);
        // The NOTI5 notifies the contract signed by both parties, never the blank AE of the
        // DCE (R2182-4): no signed file, no notification.
        let Some(acte) = super::signed::latest(&st.db, a.id).await? else {
            return Err(AppError::Conflict(format!(
                "Déposez l'acte d'engagement signé de {} (lot {}) avant la notification : le NOTI5 en transmet la copie (R2182-4).",
                p.bidder_name, lot.number
            )));
        };
        let contract = letters::ContractFacts {
            number: format!("{}-L{}", d.c.reference, lot.number),
            signed_on: a.signed_on.unwrap_or(today),
            amount_ht: dec(&a.amount_ht),
            maximum_ht: lot_model.map_or_else(|| dec(&a.amount_ht), |l| l.total_ht),
            signed_acte: (acte.file_name.clone(), acte.sha256.clone()),
        };
        let party = ranking::party(&p);
        let ctx = letters::noti5(&base.ctx, &lot, &party, &contract, now);
        let doc = docs::render(&st.engine, DocKind::Noti5, &ctx, &base.look)?;
        let filename = docs::filename(&d.c.reference, "noti5", lot.number, &p.bidder_name);
        let token = new_token();
        let url = format!(
            "{}/accuse-reception/{token}",
            st.settings.base_url.trim_end_matches('/')
        );
        let extension = if acte.media_type == super::signed::PDF {
            "pdf"
        } else {
            "docx"
        };
        let acte_name = docs::filename(&d.c.reference, "ae_signe", lot.number, &p.bidder_name)
            .replace(".docx", &format!(".{extension}"));
        let attachments = vec![
            (filename.clone(), doc.docx.clone()),
            (acte_name, acte.bytes.clone()),
        ];
        let mail = letters::noti5_email(
            Mail {
                kind: "noti5",
                to: &party,
                reference: &d.c.reference,
                objet: &d.c.objet,
                lot: &lot,
                buyer: base.ctx["buyer"]["name"].as_str().unwrap_or_default(),
                attachments,
            },
            &url,
        )?;
        prepared.push(((*a).clone(), p, filename, doc.docx, mail, token));
    }
    if prepared.is_empty() {
        return Err(AppError::Conflict("Aucun marché signé à notifier.".into()));
    }
    let count = prepared.len();
    let (tx, c) = store::begin_unchanged(&st.db, &d.c).await?;
    for (a, p, filename, docx, mail, token) in prepared {
        store::write_letter(
            &tx,
            now,
            actor,
            gid,
            NewLetter {
                consultation_id: cid,
                lot_id: a.lot_id,
                pli_id: Some(p.id),
                attribution_id: Some(a.id),
                kind: "noti5",
                recipient_name: p.bidder_name.clone(),
                recipient_email: p.contact_email.clone(),
                sent_on: today,
                electronic: true,
                filename,
                docx,
                email: Some(mail),
            },
        )
        .await?;
        let mut am: attribution::ActiveModel = a.into();
        am.status = Set(AttributionStatus::Notifiee.code().to_owned());
        am.noti5_sent_at = Set(Some(now));
        am.ack_token_sha256 = Set(Some(rules::token_sha256(&token)));
        am.updated_at = Set(now);
        let a = am.update(&tx).await?;
        store::journal(
            &tx,
            now,
            actor,
            gid,
            "marche.notification",
            &a,
            json!({"titulaire": p.bidder_name}),
        )
        .await?;
    }
    let mut am: consultation::ActiveModel = c.into();
    am.notified_on = Set(Some(today));
    let c = am.update(&tx).await?;
    store::move_status(
        &tx,
        now,
        actor,
        c,
        Status::Notifiee,
        &TransitionContext::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// What the acknowledgement link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// Recorded now: the marché takes effect on this date (R2182-4).
    Recorded {
        titulaire: String,
        reference: String,
        effective: chrono::NaiveDate,
    },
    /// Already used.
    AlreadyUsed {
        at: chrono::DateTime<chrono::Utc>,
    },
    Unknown,
}

/// Looks a token up without using it (the page shown before the titulaire confirms).
///
/// # Errors
/// Database errors.
pub async fn find_token(
    st: &AppState,
    token: &str,
) -> Result<Option<(attribution::Model, String, String)>, AppError> {
    if !rules::token_well_formed(token) {
        return Ok(None);
    }
    let Some(a) = attribution::Entity::find()
        .filter(attribution::Column::AckTokenSha256.eq(rules::token_sha256(token)))
        .one(&st.db)
        .await?
    else {
        return Ok(None);
    };
    let p = store::pli(&st.db, a.consultation_id, a.pli_id).await?;
    let c = consultation::Entity::find_by_id(a.consultation_id)
        .one(&st.db)
        .await?;
    Ok(Some((
        a,
        p.map(|p| p.bidder_name).unwrap_or_default(),
        c.map(|c| format!("{} – {}", c.reference, c.objet))
            .unwrap_or_default(),
    )))
}

/// Uses a token once: the receipt of the NOTI5 is recorded and the marché takes effect.
///
/// # Errors
/// Database errors.
pub async fn acknowledge(st: &AppState, token: &str) -> Result<Ack, AppError> {
    let now = st.clock.now();
    let Some((a, titulaire, reference)) = find_token(st, token).await? else {
        return Ok(Ack::Unknown);
    };
    let tx = audit::begin(&st.db).await?;
    let a = attribution::Entity::find_by_id(a.id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(at) = a.acknowledged_at {
        return Ok(Ack::AlreadyUsed { at });
    }
    let gid = consultation::Entity::find_by_id(a.consultation_id)
        .one(&tx)
        .await?
        .map(|c| c.groupement_id);
    let mut am: attribution::ActiveModel = a.into();
    am.acknowledged_at = Set(Some(now));
    am.status = Set(AttributionStatus::EnVigueur.code().to_owned());
    am.updated_at = Set(now);
    let a = am.update(&tx).await?;
    let actor = Actor {
        user_id: None,
        label: format!("titulaire {titulaire} (lien d'accusé de réception)"),
    };
    let effective = now.with_timezone(&Paris).date_naive();
    store::journal(
        &tx,
        now,
        &actor,
        gid.unwrap_or_default(),
        "marche.accuse_reception",
        &a,
        json!({"prise_d_effet": effective, "article": "R2182-4"}),
    )
    .await?;
    tx.commit().await?;
    Ok(Ack::Recorded {
        titulaire,
        reference,
        effective,
    })
}
