//! The procès-verbaux as established: the PV of a séance is rendered once when the séance is
//! closed, the PV de carence once the commission is convened again (it states the new date),
//! and the exact bytes are stored with their SHA-256 in the same audited transaction. The
//! download and the archive serve those bytes (the SHA-256 checked), never a new rendering: a
//! later change to the ranking, the register or the composition does not alter a PV already
//! established (R2184-12: the documents of the procedure are kept as they were).

use super::docs::{self, Letterhead};
use super::store::SeanceData;
use crate::db::entities::cao_pv;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// Which procès-verbal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PvKind {
    /// The PV of a séance held (closed).
    Pv,
    /// The PV de carence (CGCT L1411-5 II).
    Carence,
}

impl PvKind {
    /// Stored code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Pv => "pv",
            Self::Carence => "pv_carence",
        }
    }

    /// The file name of the PV of séance `number`.
    #[must_use]
    pub fn file_name(self, number: &str) -> String {
        match self {
            Self::Pv => format!("pv-cao-{number}.docx"),
            Self::Carence => format!("pv-carence-cao-{number}.docx"),
        }
    }
}

/// SHA-256 (hex) of some bytes.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Renders the PV of `data` as it stands (inside the caller's transaction), with what the
/// ranking gives for its attribution items (`awards`, read by the caller), and stores it.
/// Returns the stored row (its name, bytes and SHA-256 go into the caller's journal entry).
///
/// # Errors
/// The PV cannot be established (`Conflict`, French), a PV of this kind is already stored,
/// the engine fails, database errors.
pub async fn establish<C: ConnectionTrait>(
    tx: &C,
    gid: i32,
    data: &SeanceData,
    kind: PvKind,
    awards: &docs::Awards,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<cao_pv::Model, AppError> {
    if stored(tx, data.seance.id, kind).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "Le procès-verbal de la séance n° {} est déjà établi : il n'est jamais refait.",
            data.seance.number
        )));
    }
    let lh: Letterhead = docs::letterhead(tx, gid).await?;
    let bytes = match kind {
        PvKind::Pv => docs::pv_docx(data, &lh, awards, now)?,
        PvKind::Carence => docs::pv_carence_docx(data, &lh, now)?,
    };
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    Ok(cao_pv::ActiveModel {
        seance_id: Set(data.seance.id),
        kind: Set(kind.code().to_owned()),
        file_name: Set(kind.file_name(&data.seance.number)),
        sha256: Set(sha256_hex(&bytes)),
        bytes: Set(bytes),
        size: Set(size),
        created_at: Set(now),
        created_by: Set(actor.to_owned()),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// The stored PV of a séance, if established.
///
/// # Errors
/// Database errors.
pub async fn stored<C: ConnectionTrait>(
    db: &C,
    sid: i32,
    kind: PvKind,
) -> Result<Option<cao_pv::Model>, AppError> {
    Ok(cao_pv::Entity::find()
        .filter(cao_pv::Column::SeanceId.eq(sid))
        .filter(cao_pv::Column::Kind.eq(kind.code()))
        .one(db)
        .await?)
}

/// The stored bytes, once their SHA-256 is checked against the one recorded at closing.
///
/// # Errors
/// The French reason when the bytes no longer match.
pub fn checked(row: &cao_pv::Model) -> Result<&[u8], String> {
    let actual = sha256_hex(&row.bytes);
    if actual.eq_ignore_ascii_case(&row.sha256) {
        Ok(&row.bytes)
    } else {
        Err(format!(
            "le fichier conservé « {} » ne correspond plus à l'empreinte SHA-256 enregistrée à son établissement ({} au lieu de {})",
            row.file_name, actual, row.sha256
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(bytes: &[u8], sha: &str) -> cao_pv::Model {
        cao_pv::Model {
            id: 1,
            seance_id: 1,
            kind: "pv".into(),
            file_name: PvKind::Pv.file_name("2027-01"),
            bytes: bytes.to_vec(),
            sha256: sha.into(),
            size: 3,
            created_at: Utc::now(),
            created_by: "test".into(),
        }
    }

    #[test]
    fn stored_bytes_are_checked_against_their_digest() {
        let good = row(b"abc", &sha256_hex(b"abc"));
        assert_eq!(checked(&good), Ok(&b"abc"[..]));
        let altered = row(b"abd", &sha256_hex(b"abc"));
        let e = checked(&altered).expect_err("altered");
        assert!(e.contains("pv-cao-2027-01.docx"), "{e}");
        assert!(e.contains("SHA-256"), "{e}");
        assert_eq!(
            PvKind::Carence.file_name("2026-01"),
            "pv-carence-cao-2026-01.docx"
        );
    }
}
