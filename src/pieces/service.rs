//! Use cases on the pièces du marché: generate one piece or the whole DCE as new immutable
//! versions (each write in one audited transaction), list and download versions, compare two
//! versions, and keep the DCE data. Callable without HTTP (benchmarks, command line); the
//! generation itself is in [`super::generate`] (re-exported here).
//!
//! A version is never updated nor deleted: the visas of the members (convention art. 5.4 and
//! 6.2) refer to the SHA-256 of its exact DOCX bytes.

use super::context::{self, DCE_KINDS};
use super::diff::{self, Hunk};
pub use super::generate::{Outcome, generate, generate_dce};
use crate::audit::{self, Actor};
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::db::entities::{consultation, dce_data, piece, piece_version};
use crate::docgen::DocKind;
use crate::dossier::dce_data::DceData;
pub use crate::dossier::dce_data::{dce_data, dce_data_saved};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};

/// SHA-256 of bytes, lowercase hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A version without its bytes (lists, API).
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct VersionMeta {
    pub id: i32,
    pub piece_id: i32,
    pub number: i32,
    pub docx_sha256: String,
    pub source_sha256: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// One piece of the DCE with its versions, oldest first (none when never generated).
#[derive(Clone, Debug)]
pub struct PieceVersions {
    pub kind: DocKind,
    pub versions: Vec<VersionMeta>,
}

impl PieceVersions {
    /// The newest version.
    #[must_use]
    pub fn latest(&self) -> Option<&VersionMeta> {
        self.versions.last()
    }
}
/// Whether pieces may still be (re)generated: not once the consultation is published, except
/// during a modification of the DCE (R2151-4), whose new versions go to the members' visa again.
///
/// # Errors
/// `Conflict` with the French reason.
pub fn ensure_generatable(c: &consultation::Model) -> Result<(), AppError> {
    match Status::from_code(&c.status) {
        Ok(Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier) => Ok(()),
        Ok(Status::Publiee) if c.dce_modification_open => Ok(()),
        Ok(s) => Err(AppError::Conflict(format!(
            "La consultation est « {} » : les pièces du marché ne peuvent plus être générées ni modifiées après la publication, sauf par une modification du DCE ouverte avant la date limite (page « Consultation publiée »).",
            s.label()
        ))),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
    }
}

/// Saves the DCE data of a consultation not yet published, journaled.
///
/// # Errors
/// `NotFound`, `Conflict` after publication; database errors.
pub async fn save_dce_data(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    data: &DceData,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    ensure_generatable(&c)?;
    let existing = dce_data::Entity::find()
        .filter(dce_data::Column::ConsultationId.eq(cid))
        .one(&tx)
        .await?;
    let before = existing.as_ref().map(|r| DceData::from_json(&r.data));
    if before.as_ref() == Some(data) {
        return Ok(());
    }
    let mut a = existing.map_or_else(
        || dce_data::ActiveModel {
            consultation_id: Set(cid),
            ..Default::default()
        },
        Into::into,
    );
    a.data = Set(data.to_json());
    a.updated_at = Set(now);
    a.updated_by = Set(actor.label.clone());
    a.save(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "pieces.donnees_dce",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({"before": before, "after": data}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The look of a consultation's documents: the clause overrides in force (the consultation's
/// beat the groupement's, which beat the default clauses, absent from the map) and the
/// groupement's reference document.
///
/// # Errors
/// Database errors; an unreadable stored reference document.
pub async fn effective_look<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<crate::docgen::Look, AppError> {
    let clauses = super::clauses::effective(db, gid, Some(cid)).await?;
    crate::reference_doc::look(db, gid, clauses).await
}

pub(super) fn version_query() -> sea_orm::Select<piece_version::Entity> {
    piece_version::Entity::find().select_only().columns([
        piece_version::Column::Id,
        piece_version::Column::PieceId,
        piece_version::Column::Number,
        piece_version::Column::DocxSha256,
        piece_version::Column::SourceSha256,
        piece_version::Column::Author,
        piece_version::Column::CreatedAt,
    ])
}

/// Every DCE piece of a consultation with its versions (no bytes loaded).
///
/// # Errors
/// `NotFound`; database errors.
pub async fn pieces<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<Vec<PieceVersions>, AppError> {
    consultations::get(db, gid, cid).await?;
    let rows = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|p| p.id).collect();
    let versions = version_query()
        .filter(piece_version::Column::PieceId.is_in(ids))
        .order_by_asc(piece_version::Column::Number)
        .into_model::<VersionMeta>()
        .all(db)
        .await?;
    Ok(DCE_KINDS
        .into_iter()
        .map(|kind| {
            let pid = rows.iter().find(|p| p.kind == kind.as_str()).map(|p| p.id);
            PieceVersions {
                kind,
                versions: versions
                    .iter()
                    .filter(|v| Some(v.piece_id) == pid)
                    .cloned()
                    .collect(),
            }
        })
        .collect())
}

/// The versions of one piece, oldest first.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    kind: DocKind,
) -> Result<Vec<VersionMeta>, AppError> {
    Ok(pieces(db, gid, cid)
        .await?
        .into_iter()
        .find(|p| p.kind == kind)
        .map(|p| p.versions)
        .unwrap_or_default())
}

async fn version_row<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    kind: DocKind,
    number: i32,
) -> Result<piece_version::Model, AppError> {
    consultations::get(db, gid, cid).await?;
    let p = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    piece_version::Entity::find()
        .filter(piece_version::Column::PieceId.eq(p.id))
        .filter(piece_version::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A downloadable version: its French file name and its exact bytes.
#[derive(Clone, Debug)]
pub struct Download {
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// File name of a version: `<référence>_<PIÈCE>_v<n>.docx`, the reference reduced to letters,
/// digits, `-` and `_` (safe in a Content-Disposition header and on every file system).
#[must_use]
pub fn file_name(reference: &str, kind: DocKind, number: i32) -> String {
    let safe: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}_{}_v{number}.docx", context::short_code(kind))
}

/// The bytes of one version.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn download<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    kind: DocKind,
    number: i32,
) -> Result<Download, AppError> {
    let c = consultations::get(db, gid, cid).await?;
    let v = version_row(db, gid, cid, kind, number).await?;
    Ok(Download {
        file_name: file_name(&c.reference, kind, number),
        sha256: v.docx_sha256,
        bytes: v.docx,
    })
}

/// The DQE workbook of BPU version `number`, written from the context that version was
/// generated from: the candidates fill the very lines and quantities the BPU publishes.
///
/// # Errors
/// `NotFound` for a missing version; `Internal` for a stored context that cannot be read.
pub async fn dqe_workbook<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    number: i32,
) -> Result<Download, AppError> {
    let c = consultations::get(db, gid, cid).await?;
    let v = version_row(db, gid, cid, DocKind::Bpu, number).await?;
    let ctx: serde_json::Value = serde_json::from_str(&v.context_json)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("contexte du BPU v{number} : {e}")))?;
    let bytes = crate::docgen::dqe::write_dqe(&ctx)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("DQE du BPU v{number} : {e}")))?;
    use sha2::Digest;
    Ok(Download {
        file_name: file_name(&c.reference, DocKind::Bpu, number)
            .replace("_BPU_", "_DQE_")
            .replace(".docx", ".xlsx"),
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        bytes,
    })
}

/// Line diff of the Markdown sources of versions `v1` and `v2`.
///
/// # Errors
/// `NotFound` for a missing version; database errors.
pub async fn diff<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    kind: DocKind,
    v1: i32,
    v2: i32,
) -> Result<Vec<Hunk>, AppError> {
    let a = version_row(db, gid, cid, kind, v1).await?;
    let b = version_row(db, gid, cid, kind, v2).await?;
    Ok(diff::line_diff(&a.source_markdown, &b.source_markdown, 3))
}

/// Whether the RC and the AE have at least one version (condition of the visa round).
///
/// # Errors
/// Database errors.
pub async fn has_rc_and_ae<C: ConnectionTrait>(db: &C, cid: i32) -> Result<bool, AppError> {
    let rows = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.is_in([DocKind::Rc.as_str(), DocKind::Ae.as_str()]))
        .all(db)
        .await?;
    let mut with_version = 0;
    for p in rows {
        let n = piece_version::Entity::find()
            .select_only()
            .column(piece_version::Column::Id)
            .filter(piece_version::Column::PieceId.eq(p.id))
            .into_tuple::<i32>()
            .one(db)
            .await?;
        if n.is_some() {
            with_version += 1;
        }
    }
    Ok(with_version == 2)
}
/// The award criteria announced by the current version of the RC (its stored context), or
/// `None` when the RC has no version.
///
/// # Errors
/// Database errors.
pub async fn announced_criteria<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Option<serde_json::Value>, AppError> {
    let Some(rc) = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(DocKind::Rc.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let last = piece_version::Entity::find()
        .filter(piece_version::Column::PieceId.eq(rc.id))
        .order_by_desc(piece_version::Column::Number)
        .one(db)
        .await?;
    Ok(last.and_then(|v| {
        serde_json::from_str::<serde_json::Value>(&v.context_json)
            .ok()
            .map(|ctx| ctx["consultation"]["criteria"].clone())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_french() {
        assert_eq!(file_name("2026-DUI", DocKind::Rc, 3), "2026-DUI_RC_v3.docx");
        assert_eq!(
            file_name("GC/ESMS 2026 é", DocKind::Bpu, 1),
            "GC_ESMS_2026___BPU_v1.docx"
        );
    }

    fn consultation(status: &str) -> consultation::Model {
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH;
        consultation::Model {
            id: 1,
            groupement_id: 1,
            reference: "2026-DUI".into(),
            objet: "DUI".into(),
            nature: "services".into(),
            cpv: "48000000-8".into(),
            ccag: "tic".into(),
            vat_rate: "20".into(),
            status: status.into(),
            procedure_chosen: None,
            procedure_justification: None,
            launch_date: None,
            publication_date: None,
            offers_deadline: None,
            questions_deadline: None,
            offers_validity_days: None,
            electronic: true,
            preinformation: false,
            urgence: false,
            status_motif: None,
            rejection_letters_sent_on: None,
            signed_on: None,
            notified_on: None,
            technique: crate::consultations::rules::technique::Technique::Aucune,
            execution: None,
            attributaires: None,
            sad_reference: None,
            technique_justification: None,
            dce_modification_open: false,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn pieces_are_frozen_from_publication_on() {
        for ok in ["brouillon", "pieces_en_visa", "prete_publier"] {
            assert!(ensure_generatable(&consultation(ok)).is_ok(), "{ok}");
        }
        for frozen in ["publiee", "analyse", "sans_suite", "close"] {
            let err = ensure_generatable(&consultation(frozen)).unwrap_err();
            assert!(
                matches!(&err, AppError::Conflict(m) if m.contains("après la publication")),
                "{frozen}: {err:?}"
            );
        }
    }

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
