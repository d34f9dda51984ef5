//! Putting an email in the outbox, inside the caller's transaction, and reading the outbox.

use super::{AttachmentMeta, MailError, Status};
use crate::audit::{self, Actor, Event};
use crate::db::entities::{mail_attachment, mail_message};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};

/// Who receives an email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    pub name: Option<String>,
}

impl Recipient {
    /// A recipient with a display name.
    pub fn named(address: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            name: Some(name.into()),
        }
    }
}

/// One attachment, with its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingAttachment {
    pub filename: String,
    /// MIME type, e.g. [`super::DOCX_CONTENT_TYPE`].
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An email to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// What it is about: `noti3`, `visa_demande`…
    pub kind: String,
    pub to: Recipient,
    pub subject: String,
    /// Plain-text body (always sent).
    pub text: String,
    /// HTML alternative, if any.
    pub html: Option<String>,
    pub attachments: Vec<OutgoingAttachment>,
}

/// SHA-256 of bytes, in hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A new RFC 5322 Message-ID, `<uuid@coordo>`, fixed once for the life of the email.
#[must_use]
pub fn new_message_id() -> String {
    format!("<{}@coordo>", uuid::Uuid::new_v4())
}

fn validate(email: &OutgoingEmail) -> Result<Vec<AttachmentMeta>, MailError> {
    let addr = email.to.address.trim();
    if addr.len() > 254
        || addr.chars().any(|c| c.is_control() || c.is_whitespace())
        || addr.parse::<lettre::Address>().is_err()
    {
        return Err(MailError::InvalidAddress(super::transport::header_text(
            &email.to.address,
        )));
    }
    email
        .attachments
        .iter()
        .map(|a| {
            if a.filename.trim().is_empty() {
                return Err(MailError::EmptyFilename);
            }
            if lettre::message::header::ContentType::parse(&a.content_type).is_err() {
                return Err(MailError::InvalidContentType {
                    filename: a.filename.clone(),
                    content_type: a.content_type.clone(),
                });
            }
            Ok(AttachmentMeta {
                filename: a.filename.trim().to_owned(),
                content_type: a.content_type.clone(),
                sha256: sha256_hex(&a.bytes),
                size: a.bytes.len() as u64,
            })
        })
        .collect()
}

/// Writes `email` to the outbox in the caller's transaction (opened with [`audit::begin`]) and
/// journals it (`courriel.mise_en_file`): the email exists if and only if the change that
/// caused it is committed. The worker sends it on its next pass. Returns the outbox id.
///
/// # Errors
/// An invalid recipient address or attachment content type, or a database error.
pub async fn enqueue<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    groupement_id: Option<i32>,
    email: OutgoingEmail,
) -> Result<i32, MailError> {
    let metas = validate(&email)?;
    let message_id = new_message_id();
    // Header values never carry a line break or another control character (header
    // injection, and lettre panicked on them): each run becomes one space. The name and the
    // subject come from stored data — a bidder's name — that the input layer now checks, but
    // data stored before it may hold anything.
    let to_name = email
        .to
        .name
        .as_deref()
        .map(super::transport::header_text)
        .filter(|n| !n.is_empty());
    let subject = super::transport::header_text(&email.subject);
    let row = mail_message::ActiveModel {
        groupement_id: Set(groupement_id),
        message_id: Set(message_id.clone()),
        kind: Set(email.kind.clone()),
        to_addr: Set(email.to.address.trim().to_owned()),
        to_name: Set(to_name),
        subject: Set(subject.clone()),
        body_text: Set(email.text),
        body_html: Set(email.html),
        attachments: Set(serde_json::to_string(&metas).unwrap_or_else(|_| "[]".into())),
        status: Set(Status::EnAttente.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    for (a, meta) in email.attachments.into_iter().zip(&metas) {
        mail_attachment::ActiveModel {
            mail_message_id: Set(row.id),
            filename: Set(meta.filename.clone()),
            content_type: Set(a.content_type),
            bytes: Set(a.bytes),
            ..Default::default()
        }
        .insert(tx)
        .await?;
    }
    audit::record(
        tx,
        now,
        actor,
        Event {
            groupement_id,
            action: "courriel.mise_en_file",
            entity: "courriel",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({
                "message_id": message_id,
                "type": email.kind,
                "destinataire": row.to_addr,
                "objet": subject,
                "pieces_jointes": metas,
            }),
        },
    )
    .await?;
    Ok(row.id)
}

/// Puts an email `en_echec` back in the queue (`en_attente`, attempts reset, due now), with
/// the same Message-ID; journaled as `courriel.renvoi`.
///
/// # Errors
/// `NotFound`, `NotFailed` when the email is not `en_echec`, or a database error.
pub async fn resend(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    id: i32,
) -> Result<(), MailError> {
    let tx = audit::begin(db).await?;
    let row = mail_message::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(MailError::NotFound(id))?;
    let status = Status::parse(&row.status);
    if status != Some(Status::EnEchec) {
        return Err(MailError::NotFailed {
            id,
            status: status.map_or("inconnu", Status::label),
        });
    }
    let done = mail_message::Entity::update_many()
        .col_expr(
            mail_message::Column::Status,
            Expr::value(Status::EnAttente.as_str()),
        )
        .col_expr(mail_message::Column::Attempts, Expr::value(0))
        .col_expr(mail_message::Column::NextAttemptAt, Expr::value(now))
        .filter(mail_message::Column::Id.eq(id))
        .filter(mail_message::Column::Status.eq(Status::EnEchec.as_str()))
        .exec(&tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(MailError::NotFound(id));
    }
    audit::record(
        &tx,
        now,
        actor,
        Event {
            groupement_id: row.groupement_id,
            action: "courriel.renvoi",
            entity: "courriel",
            entity_id: id.to_string(),
            summary: serde_json::json!({
                "message_id": row.message_id,
                "destinataire": row.to_addr,
                "objet": row.subject,
                "essais_precedents": row.attempts,
                "derniere_erreur": row.last_error,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One email of the outbox.
///
/// # Errors
/// Database errors.
pub async fn get(
    db: &DatabaseConnection,
    id: i32,
) -> Result<Option<mail_message::Model>, MailError> {
    Ok(mail_message::Entity::find_by_id(id).one(db).await?)
}

/// The latest emails of a groupement, newest first.
///
/// # Errors
/// Database errors.
pub async fn latest(
    db: &DatabaseConnection,
    groupement_id: i32,
    limit: u64,
) -> Result<Vec<mail_message::Model>, MailError> {
    Ok(mail_message::Entity::find()
        .filter(mail_message::Column::GroupementId.eq(groupement_id))
        .order_by_desc(mail_message::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The attachments of an email, in the order they were given.
///
/// # Errors
/// Database errors.
pub async fn attachments<C: ConnectionTrait>(
    db: &C,
    mail_message_id: i32,
) -> Result<Vec<mail_attachment::Model>, MailError> {
    Ok(mail_attachment::Entity::find()
        .filter(mail_attachment::Column::MailMessageId.eq(mail_message_id))
        .order_by_asc(mail_attachment::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(to: &str, content_type: &str, filename: &str) -> OutgoingEmail {
        OutgoingEmail {
            kind: "noti3".into(),
            to: Recipient::named(to, "Candidat"),
            subject: "Objet".into(),
            text: "Texte".into(),
            html: None,
            attachments: vec![OutgoingAttachment {
                filename: filename.into(),
                content_type: content_type.into(),
                bytes: b"abc".to_vec(),
            }],
        }
    }

    #[test]
    fn validation_names_the_faulty_value() {
        let metas =
            validate(&email("a@b.fr", super::super::DOCX_CONTENT_TYPE, "x.docx")).expect("valid");
        assert_eq!(
            metas[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(metas[0].size, 3);
        let e = validate(&email("pas-une-adresse", "text/plain", "x.txt")).expect_err("addr");
        assert_eq!(
            e.to_string(),
            "Adresse électronique du destinataire « pas-une-adresse » invalide."
        );
        let e = validate(&email("a@b.fr", "pas un type", "x.bin")).expect_err("type");
        assert!(e.to_string().contains("« pas un type »"), "{e}");
        assert!(e.to_string().contains("« x.bin »"), "{e}");
        let e = validate(&email("a@b.fr", "text/plain", "  ")).expect_err("name");
        assert!(matches!(e, MailError::EmptyFilename));
    }

    #[test]
    fn message_ids_are_rfc5322_and_unique() {
        let a = new_message_id();
        let b = new_message_id();
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@coordo>"), "{a}");
        assert_eq!(a.len(), "<@coordo>".len() + 36);
    }
}
