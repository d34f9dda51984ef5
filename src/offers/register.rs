//! The register of plis: registration (before or after the deadline), the late and superseded
//! flags, and the price entered once the plis are opened.
//!
//! - A pli received after the date and time limit is « hors délai »: eliminated, never opened,
//!   no price is entered (R2143-2; « 12 h 00 » is 12:00:00, TA Versailles 8 février 2023
//!   n° 2300644).
//! - When an operator sends several plis for the same lot before the limit, only the last one
//!   received is opened; the earlier ones are « remplacés » (R2151-6). The operator is
//!   identified by its SIRET.
//! - The received instant is entered and shown in Paris time and stored in UTC.
//! - Plis are registered only on a published consultation (the competition is open from the
//!   publication of the avis, R2131-1 and R2132-2); after the deadline they are registered as
//!   « hors délai » (R2143-2). Never on a draft, a sans-suite or an infructueuse consultation.
//! - The reception time of a pli registered in Coordo is the system's clock, never a typed
//!   time. A pli received on the buyer's platform (profil d'acheteur, R2132-3) and transcribed
//!   later keeps the platform's time only with the reference of its receipt (accusé de
//!   réception); the time of the transcription is stored beside it (`entered_at`).
//! - A price is entered once, at the opening record; a change is a reasoned « rectification
//!   d'erreur matérielle », journaled, that reopens the ranking and is notified to the members
//!   of the CAO ([`rectify_price`]).
//! - While the plis are sealed the journal does not name the bidder: the registration entry
//!   carries the SHA-256 of the bidder's identity, not its name or SIRET (equal treatment and
//!   confidentiality of the offers, convention art. 6.2).

use super::access;
use crate::audit::{self, Actor};
use crate::calendar::french_datetime;
use crate::consultations::rules::parse_amount;
use crate::consultations::service as consultations;
use crate::db::entities::{consultation, lot, pli};
use crate::error::{AppError, FieldErrors};
use crate::identifiers::Siret;
use chrono::{DateTime, Timelike, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Reception channels: code and French label.
pub const CHANNELS: [(&str, &str); 3] = [
    ("profil_acheteur", "profil d'acheteur (voie électronique)"),
    ("papier", "papier (copie de sauvegarde ou dérogation)"),
    ("support_physique", "support physique électronique"),
];

/// French label of a channel code.
#[must_use]
pub fn channel_label(code: &str) -> &'static str {
    CHANNELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("inconnu", |(_, l)| l)
}

/// The registration form (strings as typed; `received_at` in Paris time).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PliInput {
    pub lot_id: String,
    pub bidder_name: String,
    pub siret: String,
    pub address: String,
    pub contact_email: String,
    /// `AAAA-MM-JJTHH:MM` or `AAAA-MM-JJTHH:MM:SS`, Paris time: only for a pli transcribed
    /// from the buyer's platform (with `platform_receipt`); empty = the system's time.
    pub received_at: String,
    pub channel: String,
    /// Reference of the platform's receipt (accusé de réception) of a transcribed pli.
    pub platform_receipt: String,
}

/// A checked registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PliDraft {
    pub lot_id: Option<i32>,
    pub bidder_name: String,
    pub siret: String,
    pub address: String,
    pub contact_email: String,
    pub received_at: DateTime<Utc>,
    pub channel: String,
    pub platform_receipt: Option<String>,
}

fn push(errs: &mut FieldErrors, field: &str, msg: impl Into<String>) {
    errs.entry(field.to_owned()).or_default().push(msg.into());
}

pub use crate::calendar::parse_paris_instant;

/// Paris writing of an instant, the seconds when not zero (a reception time decides whether a
/// pli is « dans les délais »): « 15 janvier 2027 à 12 h 00 », « … à 12 h 00 min 29 s ».
#[must_use]
pub fn paris_label(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    if local.second() == 0 {
        french_datetime(&local)
    } else {
        crate::calendar::french_datetime_with_seconds(&local)
    }
}

/// Checks the registration form (pure).
///
/// # Errors
/// Field → French messages.
pub fn validate(
    input: &PliInput,
    lots: &[lot::Model],
    now: DateTime<Utc>,
) -> Result<PliDraft, FieldErrors> {
    check(input, lots, now, true)
}

/// Checks a pli transcribed from the buyer's platform's deposit register (pure): as
/// [`validate`], but the address and the contact email may be absent (a platform's register
/// does not always carry them; a given email is still checked).
///
/// # Errors
/// Field → French messages.
pub fn validate_transcribed(
    input: &PliInput,
    lots: &[lot::Model],
    now: DateTime<Utc>,
) -> Result<PliDraft, FieldErrors> {
    check(input, lots, now, false)
}

fn check(
    input: &PliInput,
    lots: &[lot::Model],
    now: DateTime<Utc>,
    contact_required: bool,
) -> Result<PliDraft, FieldErrors> {
    let mut errs = FieldErrors::new();
    let lot_id = if input.lot_id.trim().is_empty() {
        match lots {
            [] => None,
            [only] => Some(only.id),
            _ => {
                push(
                    &mut errs,
                    "lot_id",
                    "choisissez le lot auquel le pli répond",
                );
                None
            }
        }
    } else {
        match input.lot_id.trim().parse::<i32>() {
            Ok(id) if lots.iter().any(|l| l.id == id) => Some(id),
            _ => {
                push(
                    &mut errs,
                    "lot_id",
                    format!(
                        "le lot « {} » n'appartient pas à la consultation",
                        input.lot_id.trim()
                    ),
                );
                None
            }
        }
    };
    let bidder_name = input.bidder_name.trim().to_owned();
    if bidder_name.is_empty() || bidder_name.chars().count() > 200 {
        push(
            &mut errs,
            "bidder_name",
            "le nom du soumissionnaire est obligatoire (200 caractères au plus)",
        );
    }
    let siret = match Siret::parse_field("siret", &input.siret) {
        Ok(s) => s.as_str().to_owned(),
        Err(e) => {
            push(&mut errs, "siret", e.to_string());
            String::new()
        }
    };
    let address = input.address.trim().to_owned();
    if (contact_required && address.is_empty()) || address.chars().count() > 300 {
        push(
            &mut errs,
            "address",
            "l'adresse du soumissionnaire est obligatoire (300 caractères au plus)",
        );
    }
    let contact_email = input.contact_email.trim().to_owned();
    let at = contact_email.find('@');
    let optional = !contact_required && contact_email.is_empty();
    if !optional && !at.is_some_and(|i| i > 0 && contact_email[i + 1..].contains('.'))
        || contact_email.contains(char::is_whitespace)
        || contact_email.chars().count() > 200
    {
        push(
            &mut errs,
            "contact_email",
            format!("le courriel de contact « {contact_email} » n'est pas une adresse valide"),
        );
    }
    let receipt = input.platform_receipt.trim().to_owned();
    let received_at = match reception_time(&input.received_at, &receipt, now) {
        Ok(t) => t,
        Err(m) => {
            push(&mut errs, "received_at", m);
            now
        }
    };
    if receipt.chars().count() > 200 {
        push(
            &mut errs,
            "platform_receipt",
            "la référence de l'accusé de réception compte 200 caractères au plus",
        );
    }
    let channel = if input.channel.trim().is_empty() {
        "profil_acheteur".to_owned()
    } else {
        input.channel.trim().to_owned()
    };
    if !CHANNELS.iter().any(|(c, _)| *c == channel) {
        push(
            &mut errs,
            "channel",
            format!(
                "canal de réception « {channel} » inconnu : profil_acheteur, papier ou support_physique"
            ),
        );
    }
    if errs.is_empty() {
        Ok(PliDraft {
            lot_id,
            bidder_name,
            siret,
            address,
            contact_email,
            received_at,
            channel,
            platform_receipt: Some(receipt).filter(|r| !r.is_empty()),
        })
    } else {
        Err(errs)
    }
}

/// The reception instant of a pli (pure): the system's `now` for a pli registered in Coordo;
/// the platform's time, typed, only with the reference of the platform's receipt.
///
/// # Errors
/// A French message: a typed time without receipt, a time in the future, an unreadable time.
pub fn reception_time(
    typed: &str,
    receipt: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let typed = typed.trim();
    if receipt.trim().is_empty() {
        if typed.is_empty() {
            return Ok(now);
        }
        // The form may echo the current minute: a typed time within the minute is the system's.
        return match parse_paris_instant(typed) {
            Ok(t) if (now - t).num_seconds().abs() < 60 => Ok(now),
            Ok(t) => Err(format!(
                "l'heure de réception d'un pli enregistré dans Coordo est celle du système ({}), \
                 pas une heure saisie ({}) ; une heure antérieure n'est admise que pour un pli \
                 transcrit du profil d'acheteur, avec la référence de son accusé de réception \
                 (R2132-3, R2143-2)",
                paris_label(now),
                paris_label(t)
            )),
            Err(e) => Err(format!("date de réception : {e}")),
        };
    }
    if typed.is_empty() {
        return Err(
            "un pli transcrit du profil d'acheteur garde l'heure de réception de la plateforme : \
             saisissez-la telle que l'accusé de réception l'indique"
                .into(),
        );
    }
    match parse_paris_instant(typed) {
        Ok(t) if t > now => Err(format!(
            "la date de réception ({}) est dans le futur",
            paris_label(t)
        )),
        Ok(t) => Ok(t),
        Err(e) => Err(format!("date de réception : {e}")),
    }
}

/// Whether plis may be registered on a consultation in `status` (pure; R2131-1, R2132-2:
/// the competition opens with the publication).
///
/// # Errors
/// A French message naming the status.
pub fn registration_allowed(status: crate::consultations::lifecycle::Status) -> Result<(), String> {
    use crate::consultations::lifecycle::Status as S;
    match status {
        S::Publiee | S::RemiseClose | S::Analyse => Ok(()),
        S::Brouillon | S::PiecesEnVisa | S::PretePublier => Err(format!(
            "La consultation est « {} » : aucun pli ne peut être enregistré avant sa publication \
             (la mise en concurrence s'ouvre avec l'avis de publicité, R2131-1 et R2132-2).",
            status.label()
        )),
        _ => Err(format!(
            "La consultation est « {} » : la réception des plis est close, aucun pli ne peut plus être enregistré.",
            status.label()
        )),
    }
}

/// SHA-256 of a bidder's identity as journaled while the plis are sealed.
#[must_use]
pub fn identity_digest(d: &PliDraft) -> String {
    use sha2::{Digest, Sha256};
    let text = format!(
        "{}\n{}\n{}\n{}",
        d.bidder_name, d.siret, d.address, d.contact_email
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The plis that a later pli replaces (R2151-6): among the plis received in time, per
/// (SIRET, lot), only the last received counts (on equal instants, the last registered).
#[must_use]
pub fn superseded(plis: &[pli::Model]) -> HashSet<i32> {
    let mut last: HashMap<(&str, Option<i32>), &pli::Model> = HashMap::new();
    for p in plis.iter().filter(|p| !p.hors_delai) {
        let key = (p.siret.as_str(), p.lot_id);
        match last.get(&key) {
            Some(q) if (q.received_at, q.id) >= (p.received_at, p.id) => {}
            _ => {
                last.insert(key, p);
            }
        }
    }
    let kept: HashSet<i32> = last.values().map(|p| p.id).collect();
    plis.iter()
        .filter(|p| !p.hors_delai && !kept.contains(&p.id))
        .map(|p| p.id)
        .collect()
}

async fn stored<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<pli::Model>, AppError> {
    Ok(pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .order_by_asc(pli::Column::ReceivedAt)
        .order_by_asc(pli::Column::Id)
        .all(db)
        .await?)
}

/// The late and replaced flags recomputed against the current deadline (it may have been
/// moved since the plis were registered); without deadline the stored flags are kept.
#[must_use]
pub fn refresh(deadline: Option<DateTime<Utc>>, mut plis: Vec<pli::Model>) -> Vec<pli::Model> {
    let Some(d) = deadline else { return plis };
    for p in &mut plis {
        p.hors_delai = p.received_at > d;
    }
    let replaced = superseded(&plis);
    for p in &mut plis {
        p.superseded = replaced.contains(&p.id);
    }
    plis
}

/// The plis of a consultation, in order of reception, with their flags up to date.
///
/// # Errors
/// Database errors.
pub async fn list<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<pli::Model>, AppError> {
    let deadline = consultation::Entity::find_by_id(cid)
        .one(db)
        .await?
        .and_then(|c| access::deadline_utc(&c));
    Ok(refresh(deadline, stored(db, cid).await?))
}

/// The lots of a consultation.
///
/// # Errors
/// Database errors.
pub async fn lots<C: ConnectionTrait>(db: &C, cid: i32) -> Result<Vec<lot::Model>, AppError> {
    Ok(lot::Entity::find()
        .filter(lot::Column::ConsultationId.eq(cid))
        .order_by_asc(lot::Column::Number)
        .all(db)
        .await?)
}

/// Registers a pli (coordonnateur). Before the deadline only its sender and instant are known.
///
/// # Errors
/// `Validation`; `Conflict` without offers deadline; database errors.
pub async fn register(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    input: &PliInput,
) -> Result<pli::Model, AppError> {
    let tx = audit::begin(db).await?;
    let (_, deadline) = open_for_registration(&tx, gid, cid).await?;
    let d = validate(input, &lots(&tx, cid).await?, now).map_err(AppError::Validation)?;
    let row = insert(&tx, now, actor, (gid, cid), deadline, &d, None).await?;
    tx.commit().await?;
    Ok(pli::Entity::find_by_id(row.id)
        .one(db)
        .await?
        .unwrap_or(row))
}

/// The consultation where plis are being registered, and its offers deadline: published
/// ([`registration_allowed`]) and with a deadline (it decides whether a pli is late).
///
/// # Errors
/// `NotFound`; `Conflict`; database errors.
pub(crate) async fn open_for_registration<C: ConnectionTrait>(
    tx: &C,
    gid: i32,
    cid: i32,
) -> Result<(consultation::Model, DateTime<Utc>), AppError> {
    let c = consultations::get(tx, gid, cid).await?;
    let status = crate::consultations::lifecycle::Status::from_code(&c.status)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    registration_allowed(status).map_err(AppError::Conflict)?;
    let Some(deadline) = access::deadline_utc(&c) else {
        return Err(AppError::Conflict(
            "Fixez d'abord la date limite de remise des offres : elle décide si un pli est hors délai.".into(),
        ));
    };
    Ok((c, deadline))
}

/// A marché spécifique is open only to the candidates admitted in the SAD's category and
/// invited to tender (R2162-48 and following): a pli from anyone else is refused.
///
/// # Errors
/// `Validation` on the SIRET; database errors.
async fn only_admitted_under_a_sad<C: ConnectionTrait>(
    tx: &C,
    cid: i32,
    d: &PliDraft,
) -> Result<(), AppError> {
    use crate::consultations::rules::technique::Technique;
    use crate::db::entities::sad_admis;
    let c = consultation::Entity::find_by_id(cid)
        .one(tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.technique != Technique::Sad {
        return Ok(());
    }
    let admitted = sad_admis::Entity::find()
        .filter(sad_admis::Column::ConsultationId.eq(cid))
        .filter(sad_admis::Column::Siret.eq(d.siret.clone()))
        .one(tx)
        .await?;
    if admitted.is_none() {
        return Err(AppError::field(
            "siret",
            format!(
                "{} (SIRET {}) n'est pas admis dans la catégorie du système d'acquisition dynamique : seuls les candidats admis, invités à soumissionner, peuvent remettre une offre pour ce marché spécifique (R2162-48 et suivants).",
                d.bidder_name, d.siret
            ),
        ));
    }
    Ok(())
}

/// Writes a checked pli in the transaction of its registration: late flag against the
/// deadline, the replaced flags of all the plis recomputed (R2151-6), one journal entry (the
/// identity only by its SHA-256); `provenance` is added to the entry (the file of an import).
///
/// # Errors
/// Database errors.
pub(crate) async fn insert<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    (gid, cid): (i32, i32),
    deadline: DateTime<Utc>,
    d: &PliDraft,
    provenance: Option<serde_json::Value>,
) -> Result<pli::Model, AppError> {
    only_admitted_under_a_sad(tx, cid, d).await?;
    let hors_delai = d.received_at > deadline;
    let row = pli::ActiveModel {
        consultation_id: Set(cid),
        lot_id: Set(d.lot_id),
        bidder_name: Set(d.bidder_name.clone()),
        siret: Set(d.siret.clone()),
        address: Set(d.address.clone()),
        contact_email: Set(d.contact_email.clone()),
        received_at: Set(d.received_at),
        channel: Set(d.channel.clone()),
        price_ht: Set(None),
        hors_delai: Set(hors_delai),
        superseded: Set(false),
        candidature_status: Set("a_examiner".into()),
        candidature_reason: Set(None),
        offer_status: Set("a_examiner".into()),
        offer_reason: Set(None),
        regularisation: Set(None),
        oab_requested_on: Set(None),
        oab_answer: Set(None),
        oab_decision: Set(None),
        oab_decision_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        entered_at: Set(Some(now)),
        platform_receipt: Set(d.platform_receipt.clone()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    let before = stored(tx, cid).await?;
    let after = refresh(Some(deadline), before.clone());
    let mut changed = Vec::new();
    for (old, new) in before.into_iter().zip(after) {
        if old.id != row.id && (old.superseded, old.hors_delai) != (new.superseded, new.hors_delai)
        {
            changed.push(serde_json::json!({"pli": new.id, "remplace": new.superseded, "hors_delai": new.hors_delai}));
        }
        if (old.superseded, old.hors_delai) != (new.superseded, new.hors_delai) {
            let mut a: pli::ActiveModel = old.into();
            a.superseded = Set(new.superseded);
            a.hors_delai = Set(new.hors_delai);
            a.updated_at = Set(now);
            a.update(tx).await?;
        }
    }
    audit::record(tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "offres.pli_enregistre",
        entity: "pli",
        entity_id: row.id.to_string(),
        // Sealed plis stay anonymous, in the journal too: the identity only by its SHA-256.
        summary: serde_json::json!({
            "consultation": cid, "lot": d.lot_id, "empreinte_identite_sha256": identity_digest(d),
            "recu_le": d.received_at.to_rfc3339(), "saisi_le": now.to_rfc3339(),
            "accuse_reception_plateforme": d.platform_receipt, "canal": d.channel,
            "hors_delai": hors_delai, "autres_plis_modifies": changed,
        })
        .as_object()
        .cloned()
        .map(|mut o| {
            if let Some(p) = provenance {
                o.insert("import_registre_plateforme".into(), p);
            }
            serde_json::Value::Object(o)
        })
        .unwrap_or_default(),
    })
    .await?;
    Ok(row)
}

/// Opens a write transaction on an opened pli of the consultation: deadline passed, pli neither
/// late nor replaced.
///
/// # Errors
/// `NotFound`; `Conflict` (sealed, late, replaced); database errors.
pub async fn begin_on_opened(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    gid: i32,
    cid: i32,
    pid: i32,
) -> Result<(audit::AuditTx, consultation::Model, pli::Model), AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    access::ensure_opened(&c, now)?;
    let p = list(&tx, cid)
        .await?
        .into_iter()
        .find(|p| p.id == pid)
        .ok_or(AppError::NotFound)?;
    if p.hors_delai {
        return Err(AppError::Conflict(format!(
            "Le pli de {} est arrivé hors délai ({}) : il est éliminé sans être ouvert (R2143-2).",
            p.bidder_name,
            paris_label(p.received_at)
        )));
    }
    if p.superseded {
        return Err(AppError::Conflict(format!(
            "Le pli de {} reçu le {} a été remplacé par un pli ultérieur du même soumissionnaire : \
             seul le dernier pli reçu dans le délai est ouvert (R2151-6).",
            p.bidder_name,
            paris_label(p.received_at)
        )));
    }
    Ok((tx, c, p))
}

/// Why a price once entered cannot be entered again (pure): the « rectification d'erreur
/// matérielle » is the only way to change it.
#[must_use]
pub fn locked_price(bidder: &str, before: &str) -> String {
    format!(
        "Le prix du pli de {bidder} a été consigné à l'ouverture ({before} € HT) : il est verrouillé. \
         Une erreur de saisie se corrige par une « rectification d'erreur matérielle » motivée, \
         qui rouvre le classement et est notifiée aux membres de la CAO."
    )
}

/// Enters the price HT of an opened pli (coordonnateur).
///
/// # Errors
/// `Conflict` (sealed, late, replaced); `Validation` on the amount; database errors.
pub async fn set_price(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    price: &str,
) -> Result<Decimal, AppError> {
    let (tx, _, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let amount =
        parse_amount(price).map_err(|e| AppError::field("price_ht", format!("prix HT : {e}")))?;
    if amount > crate::scoring::MAX_PRICE {
        return Err(AppError::field(
            "price_ht",
            "prix HT : montant déraisonnable (plus de mille milliards d'euros)",
        ));
    }
    if let Some(before) = &p.price_ht {
        return Err(AppError::Conflict(locked_price(&p.bidder_name, before)));
    }
    let before = p.price_ht.clone();
    let name = p.bidder_name.clone();
    let mut a: pli::ActiveModel = p.into();
    a.price_ht = Set(Some(amount.to_string()));
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "offres.prix",
        entity: "pli",
        entity_id: pid.to_string(),
        summary: serde_json::json!({"consultation": cid, "soumissionnaire": name, "before": before, "after": amount.to_string()}),
    })
    .await?;
    tx.commit().await?;
    Ok(amount)
}

/// Checks the reason of a rectification (pure): a written reason of 15 characters at least.
///
/// # Errors
/// A French message.
pub fn check_rectification_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    if r.chars().count() < 15 || r.chars().count() > 2000 {
        return Err(
            "motif de la rectification d'erreur matérielle obligatoire (15 à 2000 caractères) : \
             dites quelle erreur de saisie est corrigée et d'après quelle pièce du pli"
                .into(),
        );
    }
    Ok(r.to_owned())
}

/// Rectifies an entered price (« rectification d'erreur matérielle », coordonnateur): the
/// reason is required, the ranking is reopened (a ranking asked on the submitted sheets must be
/// asked again) and every member of the CAO is told by email, all in the journaled transaction.
///
/// # Errors
/// `Conflict` (sealed, late, replaced, no price yet); `Validation`; database errors.
#[allow(clippy::too_many_arguments)]
pub async fn rectify_price(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    pid: i32,
    price: &str,
    reason: &str,
) -> Result<Decimal, AppError> {
    let (tx, c, p) = begin_on_opened(db, now, gid, cid, pid).await?;
    let Some(before) = p.price_ht.clone() else {
        return Err(AppError::Conflict(
            "Aucun prix n'est encore consigné pour ce pli : saisissez-le d'abord.".into(),
        ));
    };
    let reason = check_rectification_reason(reason).map_err(|m| AppError::field("reason", m))?;
    let amount =
        parse_amount(price).map_err(|e| AppError::field("price_ht", format!("prix HT : {e}")))?;
    if amount > crate::scoring::MAX_PRICE {
        return Err(AppError::field(
            "price_ht",
            "prix HT : montant déraisonnable (plus de mille milliards d'euros)",
        ));
    }
    if amount.to_string() == before {
        return Err(AppError::field(
            "price_ht",
            "le prix rectifié est identique au prix consigné",
        ));
    }
    let name = p.bidder_name.clone();
    let mut a: pli::ActiveModel = p.into();
    a.price_ht = Set(Some(amount.to_string()));
    a.updated_at = Set(now);
    a.update(&tx).await?;
    // The ranking reopens: a ranking asked on the submitted sheets is asked again.
    let s = super::admissibility::settings(&tx, cid).await?;
    let was_forced = s.ranking_forced_at.is_some();
    if s.id != 0 && was_forced {
        crate::db::entities::offer_analysis::Entity::update_many()
            .col_expr(
                crate::db::entities::offer_analysis::Column::RankingForcedAt,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(crate::db::entities::offer_analysis::Column::Id.eq(s.id))
            .exec(&tx)
            .await?;
    }
    let members = crate::db::entities::app_user::Entity::find()
        .filter(crate::db::entities::app_user::Column::GroupementId.eq(gid))
        .filter(crate::db::entities::app_user::Column::Role.eq("cao"))
        .all(&tx)
        .await?;
    let mut mails = Vec::new();
    for m in members.iter().filter(|m| m.active) {
        let id = crate::mail::outbox::enqueue(
            &tx,
            now,
            actor,
            Some(gid),
            crate::mail::outbox::OutgoingEmail {
                kind: "offres_rectification_prix".into(),
                to: crate::mail::outbox::Recipient::named(&m.email, &m.display_name),
                subject: format!(
                    "Consultation {} : rectification d'erreur matérielle sur un prix",
                    c.reference
                ),
                text: format!(
                    "Bonjour,\n\nLe coordonnateur a rectifié une erreur matérielle sur le prix \
                     de l'offre de {name} (consultation {} — {}) : {before} € HT devient {} € HT.\n\
                     Motif : {reason}\n\nLe classement est rouvert et recalculé ; il peut changer.\n",
                    c.reference,
                    c.objet,
                    amount
                ),
                html: None,
                attachments: Vec::new(),
            },
        )
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        mails.push(id);
    }
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "offres.prix_rectifie",
            entity: "pli",
            entity_id: pid.to_string(),
            summary: serde_json::json!({
                "consultation": cid, "soumissionnaire": name, "before": before,
                "after": amount.to_string(), "motif": reason, "classement_rouvert": true,
                "classement_force_annule": was_forced, "courriels_cao": mails,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 15, h, m, s)
            .single()
            .expect("date")
    }

    fn p(
        id: i32,
        siret: &str,
        lot: Option<i32>,
        received: DateTime<Utc>,
        late: bool,
    ) -> pli::Model {
        pli::Model {
            id,
            consultation_id: 1,
            lot_id: lot,
            bidder_name: format!("B{id}"),
            siret: siret.into(),
            address: "a".into(),
            contact_email: "a@b.fr".into(),
            received_at: received,
            channel: "profil_acheteur".into(),
            price_ht: None,
            hors_delai: late,
            superseded: false,
            candidature_status: "a_examiner".into(),
            candidature_reason: None,
            offer_status: "a_examiner".into(),
            offer_reason: None,
            regularisation: None,
            oab_requested_on: None,
            oab_answer: None,
            oab_decision: None,
            oab_decision_reason: None,
            created_at: received,
            updated_at: received,
            entered_at: None,
            platform_receipt: None,
        }
    }

    #[test]
    fn only_the_last_pli_in_time_counts_per_bidder_and_lot() {
        let plis = vec![
            p(1, "A", Some(1), at(9, 0, 0), false),
            p(2, "A", Some(1), at(10, 0, 0), false),
            // Late: never replaces the one in time.
            p(3, "A", Some(1), at(11, 0, 1), true),
            // Another lot of the same bidder is another offer.
            p(4, "A", Some(2), at(8, 0, 0), false),
            p(5, "B", Some(1), at(7, 0, 0), false),
            // Registered later with an earlier instant: replaced by pli 2.
            p(6, "A", Some(1), at(9, 30, 0), false),
        ];
        let s = superseded(&plis);
        let mut ids: Vec<i32> = s.into_iter().collect();
        ids.sort_unstable();
        assert_eq!(ids, [1, 6]);
    }

    #[test]
    fn flags_follow_a_moved_deadline() {
        let plis = vec![
            p(1, "A", Some(1), at(10, 0, 0), false),
            p(2, "A", Some(1), at(11, 30, 0), true),
        ];
        // Deadline moved from 12:00 to 13:00 Paris (11:00 → 12:00 UTC): the second pli is in
        // time and replaces the first.
        let r = refresh(Some(at(12, 0, 0)), plis.clone());
        assert_eq!((r[0].hors_delai, r[0].superseded), (false, true));
        assert_eq!((r[1].hors_delai, r[1].superseded), (false, false));
        let r = refresh(Some(at(11, 0, 0)), plis.clone());
        assert_eq!((r[0].hors_delai, r[0].superseded), (false, false));
        assert_eq!((r[1].hors_delai, r[1].superseded), (true, false));
        assert_eq!(refresh(None, plis.clone()), plis);
    }

    #[test]
    fn paris_instants_are_stored_in_utc_with_seconds() {
        assert_eq!(parse_paris_instant("2027-01-15T12:00"), Ok(at(11, 0, 0)));
        assert_eq!(
            parse_paris_instant("2027-01-15 12:00:29"),
            Ok(at(11, 0, 29))
        );
        assert!(parse_paris_instant("15/01/2027").is_err());
        assert_eq!(
            paris_label(at(11, 0, 29)),
            "15 janvier 2027 à 12 h 00 min 29 s"
        );
        assert_eq!(paris_label(at(10, 58, 0)), "15 janvier 2027 à 11 h 58");
    }

    fn input() -> PliInput {
        PliInput {
            lot_id: String::new(),
            bidder_name: "LOGIDOM SANTÉ".into(),
            siret: "732 829 320 00074".into(),
            address: "1 rue de Lille, 59000 Lille".into(),
            contact_email: "offres@logidom.example".into(),
            received_at: "2027-01-14T16:12".into(),
            channel: String::new(),
            platform_receipt: "PLACE-2027-000123".into(),
        }
    }

    #[test]
    fn the_reception_time_is_the_systems_unless_transcribed_with_its_receipt() {
        let now = at(10, 30, 0);
        // Registered in Coordo: the clock, a typed past time is refused.
        assert_eq!(reception_time("", "", now), Ok(now));
        assert_eq!(reception_time("2027-01-15T11:30", "", now), Ok(now));
        let e = reception_time("2027-01-14T16:12", "", now).expect_err("typed past");
        assert!(e.contains("accusé de réception"), "{e}");
        // Transcribed from the platform: its time, with the receipt's reference.
        assert_eq!(
            reception_time("2027-01-14T16:12", "AR-42", now),
            Ok(Utc
                .with_ymd_and_hms(2027, 1, 14, 15, 12, 0)
                .single()
                .expect("d"))
        );
        assert!(reception_time("", "AR-42", now).is_err());
        assert!(reception_time("2027-01-16T09:00", "AR-42", now).is_err());
    }

    #[test]
    fn plis_only_on_a_published_consultation() {
        use crate::consultations::lifecycle::Status as S;
        for s in [S::Publiee, S::RemiseClose, S::Analyse] {
            assert_eq!(registration_allowed(s), Ok(()));
        }
        for s in [
            S::Brouillon,
            S::PiecesEnVisa,
            S::PretePublier,
            S::SansSuite,
            S::Infructueuse,
            S::Close,
        ] {
            assert!(registration_allowed(s).is_err(), "{s:?}");
        }
        assert!(
            registration_allowed(S::Brouillon)
                .expect_err("draft")
                .contains("R2132-2")
        );
    }

    #[test]
    fn a_rectification_needs_a_reason() {
        assert!(check_rectification_reason("erreur").is_err());
        assert!(check_rectification_reason("virgule mal placée : 85 000,00 lu 8 500,00").is_ok());
    }

    #[test]
    fn a_valid_registration_defaults_the_single_lot_and_the_channel() {
        let lot = lot::Model {
            id: 7,
            consultation_id: 1,
            number: 1,
            label: "L".into(),
        };
        let d = validate(&input(), &[lot], at(12, 0, 0)).expect("valid");
        assert_eq!(d.lot_id, Some(7));
        assert_eq!(d.siret, "73282932000074");
        assert_eq!(d.channel, "profil_acheteur");
    }

    #[test]
    fn bad_fields_are_each_named() {
        let mut i = input();
        i.siret = "73282932000075".into();
        i.contact_email = "pas une adresse".into();
        i.received_at = "2027-01-16T09:00".into();
        i.bidder_name = " ".into();
        let errs = validate(&i, &[], at(12, 0, 0)).expect_err("invalid");
        let fields: Vec<&str> = errs.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["bidder_name", "contact_email", "received_at", "siret"]
        );
        assert!(errs["received_at"][0].contains("futur"));
    }
}
