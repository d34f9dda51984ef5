//! Email that never gets lost: every outgoing email is first written to the outbox table
//! (`mail_message`, attachments in `mail_attachment`) inside the transaction of the change that
//! causes it ([`outbox::enqueue`]), then delivered by a background worker ([`worker`]) through
//! SMTP or into `.eml` files ([`transport::Mailer`]). A failed attempt is retried with an
//! exponential backoff and the same Message-ID, so a retry is never a second, different email;
//! after [`worker::MAX_ATTEMPTS`] attempts or a permanent refusal the email is `en_echec` and
//! the coordonnateur can resend it from the outbox page ([`handlers`]). Every status change
//! is journaled.

pub mod handlers;
pub mod kinds;
pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::{OutgoingAttachment, OutgoingEmail, Recipient, enqueue, resend};
pub use transport::Mailer;
pub use worker::{DeliveryReport, deliver_due};

use serde::{Deserialize, Serialize};

/// Content type of a Word document (the letters and NOTI forms Coordo writes).
pub const DOCX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Where an email of the outbox stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for its first attempt or for the next one (`next_attempt_at`).
    EnAttente,
    /// Accepted by the SMTP server (or written to its `.eml` file).
    Envoye,
    /// Refused for good or out of attempts: waits for the coordonnateur.
    EnEchec,
}

impl Status {
    /// The stored value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EnAttente => "en_attente",
            Self::Envoye => "envoye",
            Self::EnEchec => "en_echec",
        }
    }

    /// The French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::EnAttente => "en attente",
            Self::Envoye => "envoyé",
            Self::EnEchec => "en échec",
        }
    }

    /// Reads a stored value.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en_attente" => Some(Self::EnAttente),
            "envoye" => Some(Self::Envoye),
            "en_echec" => Some(Self::EnEchec),
            _ => None,
        }
    }
}

/// What `mail_message.attachments` lists for each attachment (the bytes are in `mail_attachment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct AttachmentMeta {
    pub filename: String,
    pub content_type: String,
    /// SHA-256 of the bytes (hex), checked again before sending.
    pub sha256: String,
    pub size: u64,
}

/// Errors of the outbox, in French.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("Adresse électronique du destinataire « {0} » invalide.")]
    InvalidAddress(String),
    #[error("Le nom de fichier d'une pièce jointe est vide.")]
    EmptyFilename,
    #[error("Type de contenu « {content_type} » de la pièce jointe « {filename} » invalide.")]
    InvalidContentType {
        filename: String,
        content_type: String,
    },
    #[error("Expéditeur COORDO_MAIL_FROM « {0} » invalide.")]
    InvalidFrom(String),
    #[error("COORDO_SMTP_URL « {url} » inutilisable : {reason}")]
    InvalidSmtpUrl { url: String, reason: String },
    #[error("Dossier des courriels « {path} » impossible à créer : {reason}")]
    MailDir { path: String, reason: String },
    #[error("Courriel n° {0} introuvable.")]
    NotFound(i32),
    #[error("Le courriel n° {id} est « {status} » : seul un courriel en échec peut être renvoyé.")]
    NotFailed { id: i32, status: &'static str },
    #[error("Base de données : {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl From<MailError> for crate::error::AppError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::NotFound(_) => Self::NotFound,
            MailError::NotFailed { .. } => Self::Conflict(e.to_string()),
            MailError::Db(db) => Self::Internal(anyhow::Error::new(db)),
            other => Self::BadRequest(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_and_speaks_french() {
        for s in [Status::EnAttente, Status::Envoye, Status::EnEchec] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("sent"), None);
        assert_eq!(Status::Envoye.label(), "envoyé");
        assert_eq!(Status::EnEchec.label(), "en échec");
    }

    #[test]
    fn errors_map_to_http_statuses() {
        use crate::error::AppError;
        let e: AppError = MailError::NotFound(3).into();
        assert_eq!(e.status(), 404);
        let e: AppError = MailError::NotFailed {
            id: 3,
            status: Status::Envoye.label(),
        }
        .into();
        assert_eq!(e.status(), 409);
        assert!(e.message().contains("seul un courriel en échec"), "{e}");
    }
}
