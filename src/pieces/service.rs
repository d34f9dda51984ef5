//! Use cases on the pièces du marché: generate one piece or the whole DCE as new immutable
//! versions (each write in one audited transaction), list and download versions, compare two
//! versions, and keep the DCE data. Callable without HTTP (benchmarks, command line).
//!
//! A version is never updated nor deleted: the visas of the members (convention art. 5.4 and
//! 6.2) refer to the SHA-256 of its exact DOCX bytes.

use super::context::{self, Built, DCE_KINDS};
use super::data::DceData;
use super::diff::{self, Hunk};
use crate::audit::{self, Actor};
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::db::entities::{consultation, dce_data, piece, piece_version};
use crate::docgen::{DocEngine, DocError, DocKind};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// What a generation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new version was stored.
    Created(VersionMeta),
    /// The document is byte for byte the latest version: nothing stored.
    Unchanged(VersionMeta),
}

impl Outcome {
    /// The version created or found identical.
    #[must_use]
    pub fn version(&self) -> &VersionMeta {
        match self {
            Self::Created(v) | Self::Unchanged(v) => v,
        }
    }

    /// French sentence for the page.
    #[must_use]
    pub fn message(&self, kind: DocKind) -> String {
        match self {
            Self::Created(v) => format!(
                "{} : version {} créée.",
                context::short_code(kind),
                v.number
            ),
            Self::Unchanged(v) => format!(
                "{} : contenu identique à la version {}, aucune nouvelle version.",
                context::short_code(kind),
                v.number
            ),
        }
    }
}

/// Whether pieces may still be (re)generated: not once the consultation is published.
///
/// # Errors
/// `Conflict` with the French reason.
pub fn ensure_generatable(c: &consultation::Model) -> Result<(), AppError> {
    match Status::from_code(&c.status) {
        Ok(Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier) => Ok(()),
        Ok(s) => Err(AppError::Conflict(format!(
            "La consultation est « {} » : les pièces du marché ne peuvent plus être générées ni modifiées après la publication.",
            s.label()
        ))),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
    }
}

/// The stored DCE data of a consultation (empty when never saved).
///
/// # Errors
/// Database errors.
pub async fn dce_data<C: ConnectionTrait>(db: &C, cid: i32) -> Result<DceData, AppError> {
    Ok(dce_data::Entity::find()
        .filter(dce_data::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .map(|r| DceData::from_json(&r.data))
        .unwrap_or_default())
}

/// Whether the DCE data of a consultation was ever saved.
///
/// # Errors
/// Database errors.
pub async fn dce_data_saved<C: ConnectionTrait>(db: &C, cid: i32) -> Result<bool, AppError> {
    Ok(dce_data::Entity::find()
        .filter(dce_data::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .is_some())
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

/// The clause overrides in force for a consultation: the consultation's beat the
/// groupement's, which beat the default clauses (absent from the map).
///
/// # Errors
/// Database errors.
pub async fn effective_overrides<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<BTreeMap<String, String>, AppError> {
    super::clauses::effective(db, gid, Some(cid)).await
}

fn version_query() -> sea_orm::Select<piece_version::Entity> {
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

/// The latest version of a piece, as needed to compare a new rendering with it.
#[derive(Clone, Debug, FromQueryResult)]
struct Latest {
    id: i32,
    number: i32,
    docx_sha256: String,
    source_sha256: String,
    context_json: String,
}

async fn latest<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    kind: DocKind,
) -> Result<Option<Latest>, AppError> {
    let Some(p) = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(piece_version::Entity::find()
        .select_only()
        .columns([
            piece_version::Column::Id,
            piece_version::Column::Number,
            piece_version::Column::DocxSha256,
            piece_version::Column::SourceSha256,
            piece_version::Column::ContextJson,
        ])
        .filter(piece_version::Column::PieceId.eq(p.id))
        .order_by_desc(piece_version::Column::Number)
        .into_model::<Latest>()
        .one(db)
        .await?)
}

/// A rendering ready to be stored, or the finding that it equals the latest version.
#[derive(Debug)]
enum Prepared {
    New {
        kind: DocKind,
        number: i32,
        after: Option<i32>,
        ctx: Value,
        markdown: String,
        docx: Vec<u8>,
    },
    Same {
        kind: DocKind,
        latest_id: i32,
    },
}

fn doc_error(kind: DocKind, e: &DocError) -> AppError {
    if let DocError::Docx(m) = e {
        return AppError::Internal(anyhow::anyhow!("DOCX {kind} : {m}"));
    }
    let mut errs = FieldErrors::new();
    errs.insert(
        kind.as_str().to_owned(),
        vec![format!("{} : {e}", context::short_code(kind))],
    );
    AppError::Validation(errs)
}

/// Renders `kind` and compares it with the latest version: the document is first rendered with
/// the latest version's own dates and number, so that unchanged content gives the same bytes.
fn prepare(
    engine: &DocEngine,
    kind: DocKind,
    mut ctx: Value,
    overrides: &BTreeMap<String, String>,
    latest: Option<&Latest>,
) -> Result<Prepared, AppError> {
    let markdown = engine
        .render_markdown(kind, &ctx, overrides)
        .map_err(|e| doc_error(kind, &e))?;
    if let Some(l) = latest
        && sha256_hex(markdown.as_bytes()) == l.source_sha256
    {
        let previous: Value = serde_json::from_str(&l.context_json).unwrap_or_default();
        let mut again = ctx.clone();
        again["document"] = previous["document"].clone();
        let doc = engine
            .render_docx(kind, &again, overrides)
            .map_err(|e| doc_error(kind, &e))?;
        if sha256_hex(&doc.docx) == l.docx_sha256 {
            return Ok(Prepared::Same {
                kind,
                latest_id: l.id,
            });
        }
    }
    let number = latest.map_or(1, |l| l.number + 1);
    ctx["document"]["version"] = Value::String(number.to_string());
    let doc = engine
        .render_docx(kind, &ctx, overrides)
        .map_err(|e| doc_error(kind, &e))?;
    Ok(Prepared::New {
        kind,
        number,
        after: latest.map(|l| l.id),
        ctx,
        markdown: doc.markdown,
        docx: doc.docx,
    })
}

/// Renders `kinds` off the async runtime (DOCX writing is CPU work).
async fn render_all(
    engine: &Arc<DocEngine>,
    jobs: Vec<(DocKind, Value, Option<Latest>)>,
    overrides: BTreeMap<String, String>,
) -> Result<Vec<Prepared>, AppError> {
    let engine = Arc::clone(engine);
    tokio::task::spawn_blocking(move || {
        jobs.into_iter()
            .map(|(kind, ctx, latest)| prepare(&engine, kind, ctx, &overrides, latest.as_ref()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("rendu interrompu : {e}")))?
}

/// Generates one piece of the DCE as a new immutable version (or finds it unchanged).
///
/// # Errors
/// `Validation` (422) naming what to fill in or the template error; `Conflict` once the
/// consultation is published; `NotFound`; database errors.
pub async fn generate(
    db: &DatabaseConnection,
    engine: &Arc<DocEngine>,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    kind: DocKind,
) -> Result<Outcome, AppError> {
    let mut out = generate_kinds(db, engine, now, actor, gid, cid, &[kind]).await?;
    out.pop()
        .map(|(_, o)| o)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("aucune pièce générée")))
}

/// Generates the five pieces of the DCE in one transaction: all or nothing.
///
/// # Errors
/// As [`generate`]; the first piece that cannot be generated stops everything.
pub async fn generate_dce(
    db: &DatabaseConnection,
    engine: &Arc<DocEngine>,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
) -> Result<Vec<(DocKind, Outcome)>, AppError> {
    generate_kinds(db, engine, now, actor, gid, cid, &DCE_KINDS).await
}

async fn generate_kinds(
    db: &DatabaseConnection,
    engine: &Arc<DocEngine>,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    kinds: &[DocKind],
) -> Result<Vec<(DocKind, Outcome)>, AppError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let facts = context::load(db, gid, cid, today).await?;
    ensure_generatable(&facts.detail.c)?;
    let built: Built = context::build(&facts, now);
    let mut gaps = FieldErrors::new();
    for k in kinds {
        let g = built.gaps_for(*k);
        if !g.is_empty() {
            gaps.insert(k.as_str().to_owned(), g);
        }
    }
    if !gaps.is_empty() {
        return Err(AppError::Validation(gaps));
    }
    let overrides = effective_overrides(db, gid, cid).await?;
    let mut jobs = Vec::new();
    for k in kinds {
        jobs.push((*k, built.for_kind(*k)?, latest(db, cid, *k).await?));
    }
    let prepared = render_all(engine, jobs, overrides).await?;
    store(db, now, actor, gid, cid, prepared).await
}

async fn store(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    prepared: Vec<Prepared>,
) -> Result<Vec<(DocKind, Outcome)>, AppError> {
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    ensure_generatable(&c)?;
    let mut out = Vec::new();
    for p in prepared {
        match p {
            Prepared::Same { kind, latest_id } => {
                let v = version_query()
                    .filter(piece_version::Column::Id.eq(latest_id))
                    .into_model::<VersionMeta>()
                    .one(&tx)
                    .await?
                    .ok_or(AppError::NotFound)?;
                out.push((kind, Outcome::Unchanged(v)));
            }
            Prepared::New {
                kind,
                number,
                after,
                ctx,
                markdown,
                docx,
            } => {
                let current = latest(&tx, cid, kind).await?.map(|l| l.id);
                if current != after {
                    return Err(AppError::Conflict(format!(
                        "Une autre génération {} vient d'aboutir : rechargez la page et recommencez.",
                        context::short_code(kind)
                    )));
                }
                let v = insert_version(&tx, now, actor, cid, kind, number, &ctx, markdown, docx)
                    .await?;
                audit::record(
                    &tx,
                    now,
                    actor,
                    audit::Event {
                        groupement_id: Some(gid),
                        action: "pieces.version",
                        entity: "piece_version",
                        entity_id: v.id.to_string(),
                        summary: serde_json::json!({
                            "consultation": cid, "piece": kind.as_str(), "version": v.number,
                            "docx_sha256": v.docx_sha256, "source_sha256": v.source_sha256,
                        }),
                    },
                )
                .await?;
                out.push((kind, Outcome::Created(v)));
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn insert_version<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    cid: i32,
    kind: DocKind,
    number: i32,
    ctx: &Value,
    markdown: String,
    docx: Vec<u8>,
) -> Result<VersionMeta, AppError> {
    let piece_id = match piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(kind.as_str()))
        .one(tx)
        .await?
    {
        Some(p) => p.id,
        None => {
            piece::ActiveModel {
                consultation_id: Set(cid),
                kind: Set(kind.as_str().to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await?
            .id
        }
    };
    let row = piece_version::ActiveModel {
        piece_id: Set(piece_id),
        number: Set(number),
        docx_sha256: Set(sha256_hex(&docx)),
        docx: Set(docx),
        source_sha256: Set(sha256_hex(markdown.as_bytes())),
        source_markdown: Set(markdown),
        context_json: Set(ctx.to_string()),
        author_user_id: Set(actor.user_id),
        author: Set(actor.label.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(VersionMeta {
        id: row.id,
        piece_id: row.piece_id,
        number: row.number,
        docx_sha256: row.docx_sha256,
        source_sha256: row.source_sha256,
        author: row.author,
        created_at: row.created_at,
    })
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
