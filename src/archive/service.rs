//! Exports the archive of one consultation: collects its files, builds the verifiable ZIP and
//! journals the export with the ZIP's SHA-256, so that any later copy can be compared with the
//! journal (convention art. 5.4; R2184-12/13).

use super::bundle::{self, Built};
use super::collect::{self, Sources};
use super::{ArchiveError, ArchiveMeta};
use crate::audit::{self, Actor};
use crate::db::entities::consultation;
use crate::error::AppError;
use crate::state::AppState;

/// A finished export.
#[derive(Debug, Clone)]
pub struct Export {
    pub consultation: consultation::Model,
    pub built: Built,
    /// `<référence>_archive.zip`, the reference reduced to letters, digits, `-` and `_`.
    pub file_name: String,
}

/// File name of the archive of a consultation.
#[must_use]
pub fn file_name(reference: &str) -> String {
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
    format!("{safe}_archive.zip")
}

fn archive_err(e: ArchiveError) -> AppError {
    match e {
        ArchiveError::TooLarge(_) | ArchiveError::Empty => AppError::Conflict(e.to_string()),
        other => AppError::Internal(anyhow::anyhow!("archive : {other}")),
    }
}

/// Builds the archive of consultation `cid` and records `consultation.archive` (SHA-256, number
/// of files, size) in the journal.
///
/// # Errors
/// `NotFound`, `Conflict` (archive too large), database errors, a document that fails to render.
pub async fn export(st: &AppState, actor: &Actor, gid: i32, cid: i32) -> Result<Export, AppError> {
    let now = st.clock.now();
    let c = crate::consultations::service::get(&st.db, gid, cid).await?;
    let g = crate::registry::service::groupement(&st.db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    let sources = Sources {
        db: &st.db,
        engine: &st.engine,
        mail_from: st.mailer.from(),
    };
    let entries = collect::entries(&sources, gid, cid, now).await?;
    let meta = ArchiveMeta {
        consultation_reference: c.reference.clone(),
        consultation_objet: c.objet.clone(),
        groupement_name: g.name,
        generated_at: now,
        generated_by: actor.label.clone(),
    };
    let built = bundle::build(&meta, &entries, &st.signing_key).map_err(archive_err)?;
    let tx = audit::begin(&st.db).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.archive",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({
                "reference": c.reference,
                "sha256": built.sha256,
                "fichiers": built.files,
                "octets": built.bytes.len(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Export {
        file_name: file_name(&c.reference),
        consultation: c,
        built,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn archive_file_name_is_safe() {
        assert_eq!(super::file_name("2026-DUI"), "2026-DUI_archive.zip");
        assert_eq!(super::file_name("GC/ESMS é"), "GC_ESMS___archive.zip");
    }
}
