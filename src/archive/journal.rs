//! The journal extract of one consultation: `journal/journal.json` and `journal/chaine.txt`.
//!
//! Rule (documented in `chaine.txt` too): an entry of the audit journal belongs to the extract
//! when it was recorded for the consultation's groupement and
//! 1. it names a row of the consultation: entity `consultation` with its id, or entity `lot`,
//!    `need`, `piece_version`, `visa_round`, `visa`, `pli`, `evaluator_sheet`, `letter`,
//!    `attribution`, `member_validation`, `contract_dispatch` with the id of a row of that table
//!    belonging to the consultation, `courriel` with the id of an email put in `emails/`, or
//!    `cao_seance` with the id of a séance whose agenda has an item of the consultation; or
//! 2. its summary is a JSON object whose `consultation_id` or `consultation` is the
//!    consultation's id, or whose `portee` is « consultation <id> » (clauses rewritten for it).
//!
//! Entries are copied verbatim (summary as the exact stored text), so that each entry's SHA-256
//! can be recomputed offline from its fields and `prev_hash` ([`crate::audit::chain`]).

use crate::archive::Entry;
use crate::audit::{self, chain};
use crate::db::entities::{
    attribution, audit_entry, audit_head, consultation, contract_dispatch, evaluator_sheet, letter,
    lot, member_validation, need, piece, piece_version, pli, visa, visa_round,
};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Ids (as stored in `audit_entry.entity_id`) of the rows owned by one consultation, per
/// audit entity name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Owned {
    pub cid: i32,
    pub rows: HashMap<&'static str, HashSet<String>>,
}

impl Owned {
    fn add(&mut self, entity: &'static str, ids: impl IntoIterator<Item = i32>) {
        let set = self.rows.entry(entity).or_default();
        set.extend(ids.into_iter().map(|i| i.to_string()));
    }

    /// Whether the entry (of the right groupement) concerns the consultation (rule above).
    #[must_use]
    pub fn concerns(&self, entity: &str, entity_id: &str, summary: &str) -> bool {
        let cid = self.cid;
        let named = if entity == "consultation" {
            entity_id == cid.to_string()
        } else {
            self.rows.get(entity).is_some_and(|s| s.contains(entity_id))
        };
        if named {
            return true;
        }
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(summary) else {
            return false;
        };
        let is_cid = |v: &Value| match v {
            Value::Number(n) => n.as_i64() == Some(i64::from(cid)),
            Value::String(s) => s.trim() == cid.to_string(),
            _ => false,
        };
        ["consultation_id", "consultation"]
            .iter()
            .any(|k| map.get(*k).is_some_and(is_cid))
            || map.get("portee").and_then(Value::as_str) == Some(&format!("consultation {cid}"))
    }
}

macro_rules! ids {
    ($db:expr, $m:ident, $col:ident, $vals:expr) => {
        $m::Entity::find()
            .select_only()
            .column($m::Column::Id)
            .filter($m::Column::$col.is_in($vals))
            .into_tuple::<i32>()
            .all($db)
            .await?
    };
}

/// Loads the rows of the consultation that journal entries may name.
///
/// # Errors
/// Database errors.
pub async fn owned<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    mail_ids: &[i32],
    seance_ids: &[i32],
) -> Result<Owned, AppError> {
    let mut o = Owned {
        cid,
        ..Owned::default()
    };
    let lots = ids!(db, lot, ConsultationId, [cid]);
    o.add("need", ids!(db, need, LotId, lots.clone()));
    o.add("lot", lots);
    let pieces = ids!(db, piece, ConsultationId, [cid]);
    o.add("piece_version", ids!(db, piece_version, PieceId, pieces));
    let rounds = ids!(db, visa_round, ConsultationId, [cid]);
    o.add("visa", ids!(db, visa, RoundId, rounds.clone()));
    o.add("visa_round", rounds);
    o.add("pli", ids!(db, pli, ConsultationId, [cid]));
    o.add(
        "evaluator_sheet",
        ids!(db, evaluator_sheet, ConsultationId, [cid]),
    );
    o.add("letter", ids!(db, letter, ConsultationId, [cid]));
    o.add("attribution", ids!(db, attribution, ConsultationId, [cid]));
    o.add(
        "member_validation",
        ids!(db, member_validation, ConsultationId, [cid]),
    );
    o.add(
        "contract_dispatch",
        ids!(db, contract_dispatch, ConsultationId, [cid]),
    );
    o.add("courriel", mail_ids.iter().copied());
    o.add("cao_seance", seance_ids.iter().copied());
    Ok(o)
}

fn entry_json(r: &audit_entry::Model) -> Value {
    json!({
        "id": r.id, "at": r.at, "groupement_id": r.groupement_id,
        "actor_user_id": r.actor_user_id, "actor": r.actor, "action": r.action,
        "entity": r.entity, "entity_id": r.entity_id, "summary": r.summary,
        "hash": r.hash, "prev_hash": r.prev_hash,
    })
}

fn hash_ok(r: &audit_entry::Model, seal: &chain::Seal<'_>) -> bool {
    let fields = chain::EntryFields {
        id: r.id,
        at: &r.at,
        groupement_id: r.groupement_id,
        actor_user_id: r.actor_user_id,
        actor: &r.actor,
        action: &r.action,
        entity: &r.entity,
        entity_id: &r.entity_id,
        summary: &r.summary,
    };
    let expected = match seal.key {
        Some(k) if r.id >= seal.keyed_from => chain::entry_mac(k, &r.prev_hash, &fields),
        _ => chain::entry_hash(&r.prev_hash, &fields),
    };
    expected == r.hash
}

/// `journal/journal.json` and `journal/chaine.txt` of the consultation.
///
/// # Errors
/// Database errors.
pub async fn extract<C: ConnectionTrait>(
    db: &C,
    c: &consultation::Model,
    owned: &Owned,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, AppError> {
    let rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::GroupementId.eq(c.groupement_id))
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;
    let kept: Vec<&audit_entry::Model> = rows
        .iter()
        .filter(|r| owned.concerns(&r.entity, &r.entity_id, &r.summary))
        .collect();
    let json = Value::Array(kept.iter().map(|r| entry_json(r)).collect());
    let ring = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .and_then(|h| h.key_id)
        .and_then(|k| audit::keys::get(&k));
    let keyed_from = ring
        .as_ref()
        .and_then(|r| audit::keys::read_anchor(&r.anchor_path).ok())
        .map_or(1, |a| a.keyed_from);
    let seal = chain::Seal {
        key: ring.as_ref().map(|r| r.secret()),
        keyed_from,
    };
    let bad: Vec<String> = (kept.iter().filter(|r| !hash_ok(r, &seal)))
        .map(|r| r.id.to_string())
        .collect();
    let total = audit::count(db).await?;
    let chain = match audit::verify(db).await? {
        None => format!("INTACTE : {total} entrée(s) vérifiée(s), de la première à la dernière."),
        Some(b) => format!("ROMPUE à l'entrée n° {} : {}.", b.entry_id, b.reason),
    };
    let own = if bad.is_empty() {
        "toutes concordent.".to_owned()
    } else {
        format!("DISCORDANTES pour les entrées n° {}.", bad.join(", "))
    };
    let at = now.with_timezone(&chrono_tz::Europe::Paris);
    let text = format!(
        "Extrait du journal d'audit — consultation {reference} ({objet})\n\n\
         Entrées extraites : {n} (journal/journal.json), dans l'ordre du journal.\n\
         Règle d'extraction : entrées du groupement portant sur la consultation elle-même ou sur \
         l'une de ses lignes (lots, besoins, versions de pièces, tours de visa et visas, plis, \
         feuilles de notation, courriers, attributions, validations des membres, transmissions \
         des pièces, courriels archivés dans emails/, séances de CAO dont l'ordre du jour la \
         concerne), ou dont le résumé JSON désigne la consultation (« consultation_id », \
         « consultation » ou « portee »).\n\n\
         Chaîne complète du journal, vérifiée le {date} : {chain}\n\
         Sceaux des entrées extraites recalculés (HMAC-SHA256, sous la clé du journal gardée \
         hors de la base, de prev_hash et des champs, chacun précédé de sa longueur sur 8 octets \
         gros-boutiste ; groupement_id et actor_user_id absents valent « - » ; SHA-256 sans clé \
         pour les entrées antérieures à la clé) : {own}\n\
         Ces sceaux ne se recalculent qu'avec la clé du journal ; hors ligne, l'extrait est \
         garanti par la signature Ed25519 de l'archive (SIGNATURE.ed25519).\n",
        reference = c.reference,
        objet = c.objet,
        n = kept.len(),
        date = at.format("%d/%m/%Y à %H:%M:%S"),
    );
    let pretty = serde_json::to_vec_pretty(&json).map_err(anyhow::Error::new)?;
    Ok(vec![
        Entry {
            path: "journal/journal.json".into(),
            bytes: pretty,
            modified: None,
        },
        Entry {
            path: "journal/chaine.txt".into(),
            bytes: text.into_bytes(),
            modified: None,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned() -> Owned {
        let mut o = Owned {
            cid: 7,
            ..Owned::default()
        };
        o.add("pli", [3, 4]);
        o.add("courriel", [12]);
        o
    }

    #[test]
    fn the_rule_names_rows_or_reads_the_summary() {
        let o = owned();
        assert!(o.concerns("consultation", "7", "{}"));
        assert!(!o.concerns("consultation", "70", "{}"));
        assert!(o.concerns("pli", "4", "{}"));
        assert!(!o.concerns("pli", "5", "{}"));
        assert!(o.concerns("courriel", "12", "not json"));
        assert!(!o.concerns("lot", "7", "{}"), "an id of another table");
        assert!(o.concerns("x", "1", r#"{"consultation_id": 7}"#));
        assert!(o.concerns("x", "1", r#"{"consultation": "7"}"#));
        assert!(!o.concerns("x", "1", r#"{"consultation": 77}"#));
        assert!(o.concerns("clause", "penalites", r#"{"portee": "consultation 7"}"#));
        assert!(!o.concerns("clause", "penalites", r#"{"portee": "groupement"}"#));
        assert!(!o.concerns("x", "1", r#"{"after": {"consultation": 7}}"#));
        assert!(!o.concerns("x", "1", "[7]"));
    }
}
