//! The groupement's reference document: the coordonnateur uploads one Word file (logo, styles,
//! fonts, header and footer) whose look every pièce and letter then takes
//! ([`crate::docgen::reference`]). Checked at upload (a refusal stores nothing), versioned, each
//! version journaled in the same transaction; a version without a file restores the built-in
//! look. A bottom area: the areas that render documents read [`look`] from here.

pub mod handlers;

use crate::audit::{self, Actor};
use crate::db::entities::reference_document as rd;
use crate::docgen::{Look, ReferenceDoc};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One version, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct VersionMeta {
    pub version: i32,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// Every version of the groupement's reference document, newest first.
///
/// # Errors
/// Database errors.
pub async fn history<C: ConnectionTrait>(db: &C, gid: i32) -> Result<Vec<VersionMeta>, AppError> {
    Ok(rd::Entity::find()
        .select_only()
        .columns([
            rd::Column::Version,
            rd::Column::FileName,
            rd::Column::Sha256,
            rd::Column::CreatedAt,
            rd::Column::CreatedBy,
        ])
        .filter(rd::Column::GroupementId.eq(gid))
        .order_by_desc(rd::Column::Version)
        .into_model::<VersionMeta>()
        .all(db)
        .await?)
}

async fn latest<C: ConnectionTrait>(db: &C, gid: i32) -> Result<Option<rd::Model>, AppError> {
    Ok(rd::Entity::find()
        .filter(rd::Column::GroupementId.eq(gid))
        .order_by_desc(rd::Column::Version)
        .one(db)
        .await?)
}

/// The reference document in force for the groupement, `None` for the built-in look.
///
/// # Errors
/// Database errors; `Internal` when the stored file no longer reads (it was checked at upload:
/// a document must not silently lose the groupement's letterhead).
pub async fn current<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<Option<Arc<ReferenceDoc>>, AppError> {
    let Some(bytes) = latest(db, gid).await?.and_then(|m| m.bytes) else {
        return Ok(None);
    };
    ReferenceDoc::read(&bytes)
        .map(|r| Some(Arc::new(r)))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("document de référence stocké : {e}")))
}

/// The look of the groupement's documents with `clauses` (the clause overrides in force).
///
/// # Errors
/// As [`current`].
pub async fn look<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    clauses: BTreeMap<String, String>,
) -> Result<Look, AppError> {
    Ok(Look {
        clauses,
        reference: current(db, gid).await?,
    })
}

/// The bytes of one version (download), with its file name.
///
/// # Errors
/// `NotFound` (no such version, or the version restoring the built-in look); database errors.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    version: i32,
) -> Result<(String, Vec<u8>), AppError> {
    let m = rd::Entity::find()
        .filter(rd::Column::GroupementId.eq(gid))
        .filter(rd::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match (m.file_name, m.bytes) {
        (Some(name), Some(bytes)) => Ok((name, bytes)),
        _ => Err(AppError::NotFound),
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// A new version, with what the document brings.
    New(i32, crate::docgen::reference::Summary),
    /// The same file is already in force: nothing changed.
    Unchanged(i32),
}

/// Stores a new version after checking it, journaled in the same transaction; the same file as
/// the version in force changes nothing.
///
/// # Errors
/// `Validation` (field `fichier`) with the French reason, nothing stored; database errors.
pub async fn upload(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Uploaded, AppError> {
    let name = crate::web::upload::stored_name(name);
    if name.is_empty() || bytes.is_empty() {
        return Err(AppError::field(
            "fichier",
            "Choisissez le document de référence (.docx) : aucun fichier n'a été reçu.",
        ));
    }
    let lower = name.to_lowercase();
    if !(lower.ends_with(".docx") || lower.ends_with(".dotx")) {
        return Err(AppError::field(
            "fichier",
            format!(
                "Le fichier « {name} » n'est pas un document Word : déposez un fichier .docx (ou un modèle .dotx)."
            ),
        ));
    }
    let reference = ReferenceDoc::read(&bytes).map_err(|e| AppError::field("fichier", e))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let tx = audit::begin(db).await?;
    let before = latest(&tx, gid).await?;
    if let Some(b) = &before
        && b.sha256.as_deref() == Some(sha256.as_str())
    {
        return Ok(Uploaded::Unchanged(b.version));
    }
    let version = before.as_ref().map_or(1, |b| b.version + 1);
    let summary = reference.summary();
    rd::ActiveModel {
        groupement_id: Set(gid),
        version: Set(version),
        file_name: Set(Some(name.clone())),
        bytes: Set(Some(bytes)),
        sha256: Set(Some(sha256.clone())),
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
            action: "documents.reference_deposee",
            entity: "document_reference",
            entity_id: version.to_string(),
            summary: json!({
                "fichier": name,
                "sha256": sha256,
                "avant_sha256": before.and_then(|b| b.sha256),
                "styles": summary.styles,
                "en_tete": summary.header,
                "pied_de_page": summary.footer,
                "images": summary.images,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Uploaded::New(version, summary))
}

/// Restores the built-in look by a version without a file, journaled.
///
/// # Errors
/// `Conflict` when the built-in look is already in force; database errors.
pub async fn restore_default(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
) -> Result<i32, AppError> {
    let tx = audit::begin(db).await?;
    let before = latest(&tx, gid).await?;
    let Some(b) = before.filter(|b| b.bytes.is_some()) else {
        return Err(AppError::Conflict(
            "La présentation par défaut de Coordo est déjà en vigueur : aucun document de référence n'est à retirer.".into(),
        ));
    };
    let version = b.version + 1;
    rd::ActiveModel {
        groupement_id: Set(gid),
        version: Set(version),
        file_name: Set(None),
        bytes: Set(None),
        sha256: Set(None),
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
            action: "documents.reference_retiree",
            entity: "document_reference",
            entity_id: version.to_string(),
            summary: json!({"avant_sha256": b.sha256, "avant_fichier": b.file_name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
