//! What the DOCX writer reads from the context itself: title page, running header, core dates.
//!
//! Fields (all kinds): `document.date` (AAAA-MM-JJ, required), `document.created_at` (RFC 3339,
//! optional; default: `document.date` at 00:00:00Z), `document.title` (optional; default: the
//! kind's French label), `document.version` and `document.place` (optional),
//! `consultation.reference`, `consultation.object` and `buyer.name` (required), `buyer.address`
//! (optional, letterhead of letters).

use super::{DocError, DocKind, format};
use chrono::NaiveDate;
use serde_json::Value;

/// Title-page and package metadata of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    pub kind: DocKind,
    pub title: String,
    pub object: String,
    pub reference: String,
    pub buyer: String,
    pub buyer_address: Option<String>,
    pub date: NaiveDate,
    pub place: Option<String>,
    pub version: Option<String>,
    /// W3CDTF (UTC, `Z`) written as the DOCX core `created` and `modified` dates.
    pub created: String,
}

fn lookup<'a>(ctx: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(ctx, |v, key| v.get(key))
}

fn required_text(ctx: &Value, path: &str) -> Result<String, DocError> {
    match lookup(ctx, path) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(DocError::context(path, "valeur vide")),
        Some(_) => Err(DocError::context(path, "texte attendu")),
        None => Err(DocError::context(path, "champ requis absent du contexte")),
    }
}

fn optional_text(ctx: &Value, path: &str) -> Result<Option<String>, DocError> {
    match lookup(ctx, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DocError::context(path, "texte attendu")),
    }
}

impl DocMeta {
    /// Reads the metadata of a `kind` document from its context.
    ///
    /// # Errors
    /// [`DocError::Context`] naming the missing or invalid field.
    pub fn from_context(kind: DocKind, ctx: &Value) -> Result<Self, DocError> {
        let date_text = required_text(ctx, "document.date")?;
        let date =
            format::parse_date(&date_text).map_err(|m| DocError::context("document.date", m))?;
        let created = match optional_text(ctx, "document.created_at")? {
            Some(s) => chrono::DateTime::parse_from_rfc3339(&s)
                .map_err(|_| {
                    DocError::context(
                        "document.created_at",
                        format!(
                            "« {s} » n'est pas une date RFC 3339 (ex. 2026-12-01T09:00:00+01:00)"
                        ),
                    )
                })?
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            None => format!("{}T00:00:00Z", date.format("%Y-%m-%d")),
        };
        Ok(DocMeta {
            kind,
            title: optional_text(ctx, "document.title")?
                .unwrap_or_else(|| kind.label_fr().to_owned()),
            object: required_text(ctx, "consultation.object")?,
            reference: required_text(ctx, "consultation.reference")?,
            buyer: required_text(ctx, "buyer.name")?,
            buyer_address: optional_text(ctx, "buyer.address")?,
            date,
            place: optional_text(ctx, "document.place")?,
            version: optional_text(ctx, "document.version")?,
            created,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Value {
        json!({
            "document": {"date": "2026-12-01"},
            "consultation": {"reference": "GC-ESMS-2026-02", "object": "Logiciel DUI"},
            "buyer": {"name": "CCAS de Wattrelos"}
        })
    }

    #[test]
    fn defaults_title_and_created_from_kind_and_date() {
        let m = DocMeta::from_context(DocKind::Rc, &ctx()).unwrap();
        assert_eq!(m.title, "Règlement de la consultation");
        assert_eq!(m.created, "2026-12-01T00:00:00Z");
        assert_eq!(m.reference, "GC-ESMS-2026-02");
        assert_eq!(m.place, None);
    }

    #[test]
    fn created_at_is_converted_to_utc() {
        let mut c = ctx();
        c["document"]["created_at"] = json!("2026-12-01T09:30:00+01:00");
        let m = DocMeta::from_context(DocKind::Ae, &c).unwrap();
        assert_eq!(m.created, "2026-12-01T08:30:00Z");
        c["document"]["created_at"] = json!("hier");
        let err = DocMeta::from_context(DocKind::Ae, &c)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("document.created_at") && err.contains("hier"),
            "{err}"
        );
    }

    #[test]
    fn missing_reference_is_named() {
        let mut c = ctx();
        c["consultation"]
            .as_object_mut()
            .unwrap()
            .remove("reference");
        let err = DocMeta::from_context(DocKind::Rc, &c)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "contexte, champ « consultation.reference » : champ requis absent du contexte"
        );
    }
}
