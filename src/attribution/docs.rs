//! Rendering of the letters: the base context of the consultation (buyer, groupement,
//! court…) from `pieces::context`, the look in force (clauses, reference document), and the
//! file names.

use super::letters::LotRef;
use crate::db::entities::lot;
use crate::docgen::{DocEngine, DocKind, Look, RenderedDoc};
use crate::error::AppError;
use crate::pieces::{context, service as pieces};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use sea_orm::ConnectionTrait;
use serde_json::Value;

/// What every letter of a consultation shares.
pub struct LetterBase {
    pub ctx: Value,
    /// Clause overrides and reference document in force.
    pub look: Look,
}

/// Loads the base context and the look (clauses, reference document) of a consultation.
///
/// # Errors
/// `NotFound`; `Conflict` when the court is not filled in (the letters state the remedies);
/// database errors.
pub async fn base<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<LetterBase, AppError> {
    let today = now.with_timezone(&Paris).date_naive();
    let facts = crate::dossier::load(db, gid, cid, today).await?;
    let mut ctx = context::build(&facts, now).ctx;
    // The letters give the buyer's e-mail as the contact (R2181-4 requests, certificates): the
    // « Données du DCE » address, or else the coordonnateur's service marchés account.
    if ctx["buyer"]["email"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .is_empty()
    {
        let lh = crate::cao::docs::letterhead(db, gid).await?;
        ctx["buyer"]["email"] = Value::String(lh.email);
    }
    if ctx["court"]["name"].as_str().unwrap_or_default().is_empty() {
        return Err(AppError::Conflict(
            "Renseignez le tribunal administratif compétent dans « Données du DCE » : les lettres aux candidats indiquent les voies de recours.".into(),
        ));
    }
    Ok(LetterBase {
        ctx,
        look: pieces::effective_look(db, gid, cid).await?,
    })
}

/// Renders a letter; a template error is a bug (internal).
///
/// # Errors
/// `Internal` with the engine's message.
pub fn render(
    engine: &DocEngine,
    kind: DocKind,
    ctx: &Value,
    look: &Look,
) -> Result<RenderedDoc, AppError> {
    engine
        .render_docx(kind, ctx, look)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("lettre {} : {e}", kind.as_str())))
}

/// The lot of a letter; a consultation without lots is « lot unique ».
#[must_use]
pub fn lot_ref(l: Option<&lot::Model>, objet: &str) -> LotRef {
    l.map_or_else(
        || LotRef {
            number: 1,
            title: format!("lot unique – {objet}"),
        },
        |l| LotRef {
            number: l.number,
            title: l.label.clone(),
        },
    )
}

/// `<référence>_<KIND>_lot<n>_<bidder>.docx` with only safe characters.
#[must_use]
pub fn filename(reference: &str, kind: &str, lot: i32, bidder: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_matches('_')
            .to_owned()
    };
    format!(
        "{}_{}_lot{lot}_{}.docx",
        safe(reference),
        kind.to_uppercase(),
        safe(bidder)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            filename("2026/DUI", "noti3", 1, "NUMÉRIC'AIDE"),
            "2026_DUI_NOTI3_lot1_NUM_RIC_AIDE.docx"
        );
    }

    #[test]
    fn consultation_without_lot_is_lot_unique() {
        let r = lot_ref(None, "DUI");
        assert_eq!(r.number, 1);
        assert_eq!(r.title, "lot unique – DUI");
    }
}
