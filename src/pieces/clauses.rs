//! The clause library: the default clauses of the engine (`documents/clauses/`), rewritten for
//! a whole groupement or for one consultation. A consultation's override beats the
//! groupement's, which beats the default. Every change is checked by the engine against a
//! complete context (an error is reported with its line and nothing is saved) and journaled.

use super::context;
use crate::audit::{self, Actor};
use crate::consultations::service as consultations;
use crate::db::entities::clause_override;
use crate::docgen::{
    ClauseInfo, DocEngine, DocError, DocKind, clause_catalogue, default_clause, example_context,
};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ModelTrait, QueryFilter, Set,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where the text in force of a clause comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    Groupement,
    Consultation,
}

impl Origin {
    /// French label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Default => "clause par défaut",
            Self::Groupement => "modifiée pour le groupement",
            Self::Consultation => "modifiée pour la consultation",
        }
    }
}

/// One clause as the library shows it.
#[derive(Clone, Debug)]
pub struct Clause {
    pub name: &'static str,
    /// French title (« Dérogations au CCAG »).
    pub title: &'static str,
    /// What the clause is for, in one line.
    pub description: &'static str,
    pub default_source: &'static str,
    pub groupement: Option<clause_override::Model>,
    pub consultation: Option<clause_override::Model>,
}

impl Clause {
    /// The source in force and its origin.
    #[must_use]
    pub fn effective(&self) -> (&str, Origin) {
        if let Some(c) = &self.consultation {
            (&c.source, Origin::Consultation)
        } else if let Some(g) = &self.groupement {
            (&g.source, Origin::Groupement)
        } else {
            (self.default_source, Origin::Default)
        }
    }

    /// The override of the scope being edited.
    #[must_use]
    pub fn own(&self, cid: Option<i32>) -> Option<&clause_override::Model> {
        if cid.is_some() {
            self.consultation.as_ref()
        } else {
            self.groupement.as_ref()
        }
    }
}

fn scope_filter(gid: i32, cid: Option<i32>) -> Condition {
    let c = Condition::all().add(clause_override::Column::GroupementId.eq(gid));
    match cid {
        Some(cid) => c.add(
            Condition::any()
                .add(clause_override::Column::ConsultationId.is_null())
                .add(clause_override::Column::ConsultationId.eq(cid)),
        ),
        None => c.add(clause_override::Column::ConsultationId.is_null()),
    }
}

/// The library for a groupement (`cid` = None) or a consultation, in document order.
///
/// # Errors
/// Database errors.
pub async fn library<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: Option<i32>,
) -> Result<Vec<Clause>, AppError> {
    let rows = clause_override::Entity::find()
        .filter(scope_filter(gid, cid))
        .all(db)
        .await?;
    Ok(clause_catalogue()
        .iter()
        .map(
            |&ClauseInfo {
                 name,
                 title,
                 description,
                 source,
             }| Clause {
                name,
                title,
                description,
                default_source: source,
                groupement: rows
                    .iter()
                    .find(|r| r.name == name && r.consultation_id.is_none())
                    .cloned(),
                consultation: rows
                    .iter()
                    .find(|r| r.name == name && r.consultation_id.is_some())
                    .cloned(),
            },
        )
        .collect())
}

/// One clause of the library.
///
/// # Errors
/// `NotFound` for an unknown name; database errors.
pub async fn clause<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: Option<i32>,
    name: &str,
) -> Result<Clause, AppError> {
    library(db, gid, cid)
        .await?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or(AppError::NotFound)
}

/// name → source of the overrides in force.
///
/// # Errors
/// Database errors.
pub async fn effective<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: Option<i32>,
) -> Result<BTreeMap<String, String>, AppError> {
    Ok(library(db, gid, cid)
        .await?
        .iter()
        .filter_map(|c| match c.effective() {
            (_, Origin::Default) => None,
            (src, _) => Some((c.name.to_owned(), src.to_owned())),
        })
        .collect())
}

/// The examples of the DCE kinds merged into one context: what a groupement-wide clause is
/// checked against (every field a clause of any piece may read).
#[must_use]
pub fn example_dce_context() -> Value {
    let mut merged = serde_json::Map::new();
    for kind in [
        DocKind::Rc,
        DocKind::Ccap,
        DocKind::Cctp,
        DocKind::Bpu,
        DocKind::Ae,
    ] {
        if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(example_context(kind)) {
            for (k, v) in o {
                merged.entry(k).or_insert(v);
            }
        }
    }
    Value::Object(merged)
}

/// The context a clause is checked and previewed against: the consultation's own (complete,
/// placeholders where data is missing) or the merged examples for the groupement.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn check_context<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    match cid {
        Some(cid) => {
            let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
            let facts = crate::dossier::load(db, gid, cid, today).await?;
            Ok(context::build(&facts, now).ctx)
        }
        None => Ok(example_dce_context()),
    }
}

fn partial_name(name: &str) -> String {
    format!("clauses/{name}")
}

/// The error shown under the clause text: « Ligne 3, colonne 12 : … », in French.
fn clause_error(e: &DocError) -> AppError {
    let message = e
        .as_template_error()
        .map_or_else(|| e.to_string(), crate::docgen::TemplateError::located);
    let mut errs = FieldErrors::new();
    errs.insert("source".into(), vec![message]);
    AppError::Validation(errs)
}

/// Renders a clause source against `ctx` and returns its HTML preview.
///
/// # Errors
/// `Validation` with the located template error (or the size error).
pub fn preview(
    engine: &DocEngine,
    name: &str,
    source: &str,
    ctx: &Value,
) -> Result<String, AppError> {
    let md = engine
        .render_named_template(&partial_name(name), source, ctx)
        .map_err(|e| clause_error(&e))?;
    Ok(DocEngine::markdown_to_html(&md))
}

async fn ensure_scope<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: Option<i32>,
) -> Result<(), AppError> {
    if let Some(cid) = cid {
        let c = consultations::get(db, gid, cid).await?;
        super::service::ensure_generatable(&c)?;
    }
    Ok(())
}

fn scope_label(cid: Option<i32>) -> Value {
    cid.map_or_else(
        || Value::from("groupement"),
        |c| Value::from(format!("consultation {c}")),
    )
}

/// Saves an override after the engine's check against `ctx`; nothing is written when the
/// source is unchanged. Returns whether something changed.
///
/// # Errors
/// `NotFound` (unknown clause), `Validation` (template error with its line, empty or oversize
/// source), `Conflict` (consultation published); database errors.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &DatabaseConnection,
    engine: &DocEngine,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: Option<i32>,
    name: &str,
    source: &str,
) -> Result<bool, AppError> {
    default_clause(name).ok_or(AppError::NotFound)?;
    let source = source.replace("\r\n", "\n");
    if source.trim().is_empty() {
        return Err(AppError::field(
            "source",
            "la clause est vide : pour revenir au texte par défaut, utilisez « Rétablir »",
        ));
    }
    ensure_scope(db, gid, cid).await?;
    let ctx = check_context(db, gid, cid, now).await?;
    engine
        .check_named_template(&partial_name(name), &source, &ctx)
        .map_err(|e| clause_error(&e))?;
    let tx = audit::begin(db).await?;
    ensure_scope(&tx, gid, cid).await?;
    let current = clause(&tx, gid, cid, name).await?;
    let existing = current.own(cid).cloned();
    let before = current.effective().0.to_owned();
    if before == source {
        return Ok(false);
    }
    let before_sha = super::service::sha256_hex(before.as_bytes());
    let mut a = existing.map_or_else(
        || clause_override::ActiveModel {
            groupement_id: Set(gid),
            consultation_id: Set(cid),
            name: Set(name.to_owned()),
            ..Default::default()
        },
        Into::into,
    );
    a.source = Set(source.clone());
    a.updated_at = Set(now);
    a.updated_by = Set(actor.label.clone());
    a.save(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "pieces.clause_modifiee",
            entity: "clause",
            entity_id: name.to_owned(),
            summary: serde_json::json!({
                "portee": scope_label(cid),
                "before_sha256": before_sha,
                "after_sha256": super::service::sha256_hex(source.as_bytes()),
                "after_chars": source.chars().count(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes the override of the scope (the groupement's or the default text applies again).
/// Returns whether there was one.
///
/// # Errors
/// `NotFound`, `Conflict` (consultation published); database errors.
pub async fn reset(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: Option<i32>,
    name: &str,
) -> Result<bool, AppError> {
    default_clause(name).ok_or(AppError::NotFound)?;
    let tx = audit::begin(db).await?;
    ensure_scope(&tx, gid, cid).await?;
    let Some(existing) = clause(&tx, gid, cid, name).await?.own(cid).cloned() else {
        return Ok(false);
    };
    let sha = super::service::sha256_hex(existing.source.as_bytes());
    existing.delete(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "pieces.clause_retablie",
            entity: "clause",
            entity_id: name.to_owned(),
            summary: serde_json::json!({"portee": scope_label(cid), "before_sha256": sha}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_clause_checks_against_the_merged_examples() {
        let engine = DocEngine::new().expect("engine");
        let ctx = example_dce_context();
        for name in crate::docgen::clause_names() {
            let src = default_clause(name).expect("clause");
            engine
                .check_named_template(&partial_name(name), src, &ctx)
                .unwrap_or_else(|e| panic!("{name} : {e}"));
        }
    }

    #[test]
    fn a_bad_clause_is_reported_with_its_line() {
        let engine = DocEngine::new().expect("engine");
        let err = preview(
            &engine,
            "penalites",
            "Ligne 1\nLigne 2 {{ccap.inconnu}}\n",
            &example_dce_context(),
        )
        .unwrap_err();
        let AppError::Validation(errs) = err else {
            panic!("validation attendue");
        };
        let msg = &errs["source"][0];
        assert!(
            msg.starts_with("Ligne 2, colonne 9 : variable inconnue « ccap.inconnu » — variables disponibles : ccap."),
            "{msg}"
        );
    }

    #[test]
    fn preview_renders_html() {
        let engine = DocEngine::new().expect("engine");
        let html = preview(
            &engine,
            "oab",
            "**Gras** {{court.name}}",
            &example_dce_context(),
        )
        .expect("preview");
        assert!(html.contains("<strong>Gras</strong>"), "{html}");
        assert!(html.contains("Tribunal administratif de Lille"), "{html}");
    }
}
