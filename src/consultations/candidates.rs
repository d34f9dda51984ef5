//! The candidates of a published consultation, to whom every change is announced: those who
//! withdrew the DCE (the register of withdrawals, entered by the coordonnateur from the
//! platform's list), the candidates admitted in a SAD's category (invited to tender), and the
//! tenderers whose plis are registered. An extension of the deadline or a modification of the
//! DCE is sent to each, once per address, by an email from a template, in the transaction of
//! the change (R2132-6, R2151-4: every candidate gets the same information at the same time).

use super::lifecycle::Status;
use super::service as consultations;
use crate::audit::{self, Actor};
use crate::db::entities::{consultation, member, pli, retrait, sad_admis};
use crate::error::AppError;
use crate::mail::outbox::{self, OutgoingEmail, Recipient};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const OPEN_WHILE_PUBLISHED: &str = "Le registre des retraits se tient pendant la consultation publiée, jusqu'à la date limite de remise des offres.";

/// The register of withdrawals, in order of entry.
///
/// # Errors
/// Database errors.
pub async fn retraits<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<retrait::Model>, AppError> {
    Ok(retrait::Entity::find()
        .filter(retrait::Column::ConsultationId.eq(cid))
        .order_by_asc(retrait::Column::Id)
        .all(db)
        .await?)
}

/// Checks a withdrawal as typed: a name, an e-mail address, a day neither before the
/// publication nor after today.
///
/// # Errors
/// The fields in error, in French.
pub fn validate_retrait(
    name: &str,
    email: &str,
    day: &str,
    published: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(String, String, NaiveDate), crate::error::FieldErrors> {
    let mut errs = crate::error::FieldErrors::new();
    let mut push = |f: &str, m: String| errs.entry(f.to_owned()).or_default().push(m);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        push(
            "name",
            "la raison sociale est obligatoire (200 caractères au plus)".into(),
        );
    }
    let email = email.trim();
    if email.parse::<lettre::Address>().is_err() {
        push(
            "email",
            format!(
                "« {email} » n'est pas une adresse électronique : les annonces lui sont envoyées par courriel"
            ),
        );
    }
    let day = match NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            push(
                "withdrawn_on",
                "la date du retrait ne peut pas être dans le futur".into(),
            );
            d
        }
        Ok(d) if published.is_some_and(|p| d < p) => {
            push(
                "withdrawn_on",
                "la date du retrait précède la publication de la consultation".into(),
            );
            d
        }
        Ok(d) => d,
        Err(_) => {
            push(
                "withdrawn_on",
                format!("date du retrait « {} » invalide (AAAA-MM-JJ)", day.trim()),
            );
            today
        }
    };
    if errs.is_empty() {
        Ok((name.to_owned(), email.to_owned(), day))
    } else {
        Err(errs)
    }
}

/// Adds a candidate to the register of withdrawals of a published consultation; the same
/// address twice is refused.
///
/// # Errors
/// `Validation`, `Conflict` (not published, already registered); database errors.
#[allow(clippy::too_many_arguments)]
pub async fn add_retrait(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    name: &str,
    email: &str,
    day: &str,
) -> Result<retrait::Model, AppError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    if c.status != Status::Publiee.code() {
        return Err(AppError::Conflict(OPEN_WHILE_PUBLISHED.into()));
    }
    let (name, email, day) = validate_retrait(name, email, day, c.publication_date, today)
        .map_err(AppError::Validation)?;
    let known = retraits(&tx, cid)
        .await?
        .into_iter()
        .any(|r| r.email.eq_ignore_ascii_case(&email));
    if known {
        return Err(AppError::field(
            "email",
            format!("l'adresse {email} est déjà inscrite au registre des retraits"),
        ));
    }
    let row = retrait::ActiveModel {
        consultation_id: Set(cid),
        name: Set(name.clone()),
        email: Set(email.clone()),
        withdrawn_on: Set(day),
        created_at: Set(now),
        created_by: Set(actor.label.clone()),
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
            action: "consultation.retrait_enregistre",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({"candidat": name, "courriel": email, "retrait": day}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Inscribes the withdrawals of the platform's register (CSV or XLSX), all or nothing; the
/// addresses already inscribed are left out, so the same register twice changes nothing.
/// Returns how many were inscribed.
///
/// # Errors
/// `Validation` with the file's errors by line and column; `Conflict` when the consultation
/// is not published; database errors.
pub async fn import_retraits(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    file_name: &str,
    bytes: &[u8],
) -> Result<usize, AppError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let table = crate::table_file::read(file_name, bytes, None).map_err(|_| {
        AppError::file(vec!["Le fichier est vide ou illisible : déposez le registre des retraits exporté du profil d'acheteur (.csv ou .xlsx).".into()])
    })?;
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    if c.status != Status::Publiee.code() {
        return Err(AppError::Conflict(OPEN_WHILE_PUBLISHED.into()));
    }
    let known = retraits(&tx, cid)
        .await?
        .into_iter()
        .map(|r| r.email.to_lowercase())
        .collect();
    let rows = super::retraits_import::parse(&table, &known, c.publication_date, today)
        .map_err(AppError::file)?;
    for r in &rows {
        retrait::ActiveModel {
            consultation_id: Set(cid),
            name: Set(r.name.clone()),
            email: Set(r.email.clone()),
            withdrawn_on: Set(r.day),
            created_at: Set(now),
            created_by: Set(actor.label.clone()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    if rows.is_empty() {
        return Ok(0);
    }
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.retraits_importes",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: json!({
                "fichier": file_name, "sha256": crate::mail::outbox::sha256_hex(bytes),
                "nombre": rows.len(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Every candidate to inform, once per address (case ignored): the withdrawals, the SAD's
/// admitted candidates, the tenderers. Name and address, sorted by address.
///
/// # Errors
/// Database errors.
pub async fn recipients<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<(String, String)>, AppError> {
    let mut by_address: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut put = |name: &str, email: &str| {
        let e = email.trim();
        if !e.is_empty() {
            by_address
                .entry(e.to_lowercase())
                .or_insert_with(|| (name.to_owned(), e.to_owned()));
        }
    };
    for r in retraits(db, cid).await? {
        put(&r.name, &r.email);
    }
    for a in sad_admis::Entity::find()
        .filter(sad_admis::Column::ConsultationId.eq(cid))
        .all(db)
        .await?
    {
        put(&a.name, &a.email);
    }
    for p in pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .all(db)
        .await?
    {
        put(&p.bidder_name, &p.contact_email);
    }
    Ok(by_address.into_values().collect())
}

/// Sends the email `template` (`kind` in the outbox) to every candidate of `c`, in the caller's
/// transaction; `extra` completes the context (`reference`, `objet`, `name` are given).
/// Returns the number of emails.
///
/// # Errors
/// A template error; an invalid address; database errors.
pub async fn announce<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    c: &consultation::Model,
    kind: &str,
    extra: &Value,
) -> Result<usize, AppError> {
    let list = recipients(tx, c.id).await?;
    if list.is_empty() {
        return Ok(0);
    }
    // The signature names the coordonnateur, who acts for the groupement.
    let buyer = member::Entity::find()
        .filter(member::Column::GroupementId.eq(c.groupement_id))
        .filter(member::Column::Role.eq("coordonnateur"))
        .one(tx)
        .await?
        .map_or_else(String::new, |m| m.name);
    for (name, email) in &list {
        let mut ctx =
            json!({"reference": c.reference, "objet": c.objet, "name": name, "buyer": buyer});
        if let (Some(m), Some(x)) = (ctx.as_object_mut(), extra.as_object()) {
            m.extend(x.clone());
        }
        let text = crate::mail::templates::render(kind, &ctx)?;
        outbox::enqueue(
            tx,
            now,
            actor,
            Some(c.groupement_id),
            OutgoingEmail {
                kind: kind.to_owned(),
                to: Recipient::named(email.clone(), name.clone()),
                subject: text.subject,
                text: text.text,
                html: Some(text.html),
                attachments: Vec::new(),
            },
        )
        .await?;
    }
    Ok(list.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).expect("date")
    }

    #[test]
    fn a_withdrawal_has_a_name_an_address_and_a_plausible_day() {
        let ok = validate_retrait(
            " Alpha ",
            "ao@alpha.example.org",
            "2027-01-04",
            Some(d(1, 2)),
            d(1, 5),
        );
        assert_eq!(
            ok,
            Ok(("Alpha".into(), "ao@alpha.example.org".into(), d(1, 4)))
        );
        let e = validate_retrait("", "pas-une-adresse", "2027-01-06", Some(d(1, 2)), d(1, 5))
            .unwrap_err();
        assert!(e["name"][0].contains("obligatoire"));
        assert!(e["email"][0].contains("pas une adresse"));
        assert!(e["withdrawn_on"][0].contains("futur"));
        let e = validate_retrait("A", "a@b.fr", "2027-01-01", Some(d(1, 2)), d(1, 5)).unwrap_err();
        assert!(e["withdrawn_on"][0].contains("précède la publication"));
        let e = validate_retrait("A", "a@b.fr", "04/01/2027", None, d(1, 5)).unwrap_err();
        assert!(e["withdrawn_on"][0].contains("AAAA-MM-JJ"));
    }
}
