//! Generation of the pieces: render off the async runtime, compare with the latest version
//! (same content → same bytes → no version), then store every new version and its journal entry
//! in one transaction.

use super::context::{self, Built, DCE_KINDS};
use super::service::{VersionMeta, effective_look, ensure_generatable, sha256_hex, version_query};
use crate::audit::{self, Actor};
use crate::consultations::service as consultations;
use crate::db::entities::{piece, piece_version};
use crate::docgen::{DocEngine, DocError, DocKind, Look};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use std::sync::Arc;

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
    look: &Look,
    latest: Option<&Latest>,
) -> Result<Prepared, AppError> {
    let markdown = engine
        .render_markdown(kind, &ctx, &look.clauses)
        .map_err(|e| doc_error(kind, &e))?;
    if let Some(l) = latest
        && sha256_hex(markdown.as_bytes()) == l.source_sha256
    {
        let previous: Value = serde_json::from_str(&l.context_json).unwrap_or_default();
        let mut again = ctx.clone();
        again["document"] = previous["document"].clone();
        let doc = engine
            .render_docx(kind, &again, look)
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
        .render_docx(kind, &ctx, look)
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
    look: Look,
) -> Result<Vec<Prepared>, AppError> {
    let engine = Arc::clone(engine);
    tokio::task::spawn_blocking(move || {
        jobs.into_iter()
            .map(|(kind, ctx, latest)| prepare(&engine, kind, ctx, &look, latest.as_ref()))
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
    let facts = crate::dossier::load(db, gid, cid, today).await?;
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
    let look = effective_look(db, gid, cid).await?;
    let mut jobs = Vec::new();
    for k in kinds {
        jobs.push((*k, built.for_kind(*k)?, latest(db, cid, *k).await?));
    }
    let prepared = render_all(engine, jobs, look).await?;
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
