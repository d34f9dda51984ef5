//! The import of the buyer's platform's deposit register: the rows checked by
//! [`super::platform_register`] and written, all in one transaction (all or nothing), each
//! through the same path as a pli transcribed by hand ([`super::register::insert`]: late flag,
//! replaced flags, one journal entry per pli). Each entry also names the file by its SHA-256
//! and the line of the pli. A row already imported with the same data is skipped, so an import
//! run twice writes nothing and journals nothing.

use super::platform_register::{self, Context, Mapping, Outcome};
use super::register;
use crate::audit::{self, Actor};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub imported: usize,
    /// Already registered with the same data.
    pub skipped: usize,
    /// Among the imported, received after the deadline.
    pub late: usize,
}

/// Refusals in file order (the keys keep the order of the messages).
#[must_use]
pub fn refused(messages: Vec<String>) -> AppError {
    let errs: FieldErrors = messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| (format!("fichier_{i:05}"), vec![m]))
        .collect();
    AppError::Validation(errs)
}

/// The rows of the file as they would be imported now (read only: the preview).
///
/// # Errors
/// `NotFound`; `Conflict` (no registration on the consultation); database errors.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    (gid, cid): (i32, i32),
    table: &[Vec<String>],
    mapping: &Mapping,
) -> Result<Outcome, AppError> {
    let (c, _) = register::open_for_registration(db, gid, cid).await?;
    let lots = register::lots(db, cid).await?;
    let existing = register::list(db, cid).await?;
    Ok(platform_register::parse(
        table,
        mapping,
        &Context {
            lots: &lots,
            opened_on: c.publication_date.or(c.launch_date),
            now,
            existing: &existing,
        },
    ))
}

/// Imports the rows of a file: every row is checked, then the new ones are written in one
/// transaction, or nothing at all.
///
/// # Errors
/// `Validation` listing every row in error; `NotFound`; `Conflict`; database errors.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    (gid, cid): (i32, i32),
    (file_name, sha256): (&str, &str),
    table: &[Vec<String>],
    mapping: &Mapping,
) -> Result<Summary, AppError> {
    let tx = audit::begin(db).await?;
    let outcome = check(&tx, now, (gid, cid), table, mapping).await?;
    if !outcome.errors.is_empty() {
        return Err(refused(outcome.errors));
    }
    let (_, deadline) = register::open_for_registration(&tx, gid, cid).await?;
    let mut summary = Summary::default();
    for row in &outcome.rows {
        if row.already.is_some() {
            summary.skipped += 1;
            continue;
        }
        let provenance = serde_json::json!({
            "fichier": file_name, "fichier_sha256": sha256, "ligne": row.line,
        });
        let p = register::insert(
            &tx,
            now,
            actor,
            (gid, cid),
            deadline,
            &row.draft,
            Some(provenance),
        )
        .await?;
        summary.imported += 1;
        if p.hors_delai {
            summary.late += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}
