//! Business rows of legal weight checked against the values journaled for them: a price, a
//! visa, a note, a vote or a letter changed directly in its table no longer matches the last
//! journal entry that set it (and the journal itself is sealed by the key).
//!
//! | row | journal entry | compared |
//! |---|---|---|
//! | `pli.price_ht` | `offres.prix`, `offres.prix_rectifie` (entity `pli`) | `after` |
//! | `visa` | `visa.donne` (entity `visa`); `visa.tacite` (entity `visa_round`) | decision, comment, version SHA-256 |
//! | `evaluator_note` | `offres.notes_enregistrees`, `offres.deport` (entity `evaluator_sheet`) | SHA-256 of the sheet's notes |
//! | `cao_vote` | `cao.vote` (entity `cao_vote`) | `vote` |
//! | `letter` | `lettre.envoi` (entity `letter`) | SHA-256 of the DOCX kept |
//! | `cao_pv` | `cao.seance_close`, `cao.seconde_convocation` (PV de carence) | SHA-256 of the PV kept |

use super::chain::Break;
use crate::db::entities::{
    audit_entry, cao_pv, cao_vote, evaluator_note, evaluator_sheet, letter, pli, visa,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The last entry (id, summary) per (entity, entity id) among the given actions.
fn last_entries<'a>(
    rows: &'a [audit_entry::Model],
    entity: &str,
    actions: &[&str],
) -> HashMap<&'a str, (i64, Value)> {
    let mut m = HashMap::new();
    for r in rows
        .iter()
        .filter(|r| r.entity == entity && actions.contains(&r.action.as_str()))
    {
        let v = serde_json::from_str(&r.summary).unwrap_or(Value::Null);
        m.insert(r.entity_id.as_str(), (r.id, v));
    }
    m
}

fn mismatch(entry_id: i64, what: String) -> Option<Break> {
    Some(Break {
        entry_id,
        reason: format!(
            "{what} ne correspond plus à la valeur journalisée : la table a été modifiée directement"
        ),
    })
}

fn unjournaled(what: String) -> Option<Break> {
    Some(Break {
        entry_id: 0,
        reason: format!(
            "{what} n'a aucune entrée au journal : la table a été modifiée directement"
        ),
    })
}

/// SHA-256 of an evaluator's notes, as journaled by `offers::evaluation` (one line per note
/// `pli|criterion|note|justification`, sorted).
#[must_use]
pub fn notes_digest(notes: &[evaluator_note::Model]) -> String {
    let mut lines: Vec<String> = notes
        .iter()
        .map(|n| {
            format!(
                "{}|{}|{}|{}",
                n.pli_id, n.criterion_id, n.note, n.justification
            )
        })
        .collect();
    lines.sort();
    hex::encode(Sha256::digest(lines.join("\n").as_bytes()))
}

/// Prices: every entered price is the `after` of its last price entry.
#[must_use]
pub fn check_prices(plis: &[pli::Model], rows: &[audit_entry::Model]) -> Option<Break> {
    let last = last_entries(rows, "pli", &["offres.prix", "offres.prix_rectifie"]);
    for p in plis {
        let Some(price) = &p.price_ht else { continue };
        let what = format!("le prix du pli n° {} ({price} € HT)", p.id);
        match last.get(p.id.to_string().as_str()) {
            None => return unjournaled(what),
            Some((id, v)) if v.get("after").and_then(Value::as_str) != Some(price.as_str()) => {
                return mismatch(*id, what);
            }
            Some(_) => {}
        }
    }
    None
}

/// Visas: decision, comment and version of each explicit visa; tacit visas by their version.
#[must_use]
pub fn check_visas(visas: &[visa::Model], rows: &[audit_entry::Model]) -> Option<Break> {
    let last = last_entries(rows, "visa", &["visa.donne"]);
    let tacit: Vec<&audit_entry::Model> = rows
        .iter()
        .filter(|r| r.action == "visa.tacite" && r.entity == "visa_round")
        .collect();
    for v in visas {
        let what = format!("le visa n° {} ({})", v.id, v.decision);
        if v.decision == "tacite" {
            let journaled = tacit.iter().any(|r| {
                r.entity_id == v.round_id.to_string() && r.summary.contains(&v.docx_sha256)
            });
            if !journaled {
                return unjournaled(what);
            }
            continue;
        }
        match last.get(v.id.to_string().as_str()) {
            None => return unjournaled(what),
            Some((id, s)) => {
                let same = s.get("decision").and_then(Value::as_str) == Some(v.decision.as_str())
                    && s.get("commentaire").and_then(Value::as_str) == v.comment.as_deref()
                    && s.get("sha256").and_then(Value::as_str) == Some(v.docx_sha256.as_str());
                if !same {
                    return mismatch(*id, what);
                }
            }
        }
    }
    None
}

/// Notes: the notes of each sheet hash to the digest of the sheet's last entry.
#[must_use]
pub fn check_notes(
    sheets: &[evaluator_sheet::Model],
    notes: &[evaluator_note::Model],
    rows: &[audit_entry::Model],
) -> Option<Break> {
    let mut last: HashMap<&str, (i64, String)> = HashMap::new();
    // Only the entries that hash the whole sheet (the submission hashes the admitted offers).
    for r in rows.iter().filter(|r| {
        r.entity == "evaluator_sheet"
            && matches!(
                r.action.as_str(),
                "offres.notes_enregistrees" | "offres.deport"
            )
    }) {
        let v: Value = serde_json::from_str(&r.summary).unwrap_or(Value::Null);
        if let Some(d) = v.get("empreinte_sha256").and_then(Value::as_str) {
            last.insert(r.entity_id.as_str(), (r.id, d.to_owned()));
        }
    }
    for s in sheets {
        let mine: Vec<evaluator_note::Model> = notes
            .iter()
            .filter(|n| n.consultation_id == s.consultation_id && n.evaluator_id == s.evaluator_id)
            .cloned()
            .collect();
        if mine.is_empty() {
            continue;
        }
        let what = format!("les notes de la feuille n° {}", s.id);
        match last.get(s.id.to_string().as_str()) {
            None => return unjournaled(what),
            Some((id, d)) if *d != notes_digest(&mine) => return mismatch(*id, what),
            Some(_) => {}
        }
    }
    None
}

/// Votes: each vote is the one journaled.
#[must_use]
pub fn check_votes(votes: &[cao_vote::Model], rows: &[audit_entry::Model]) -> Option<Break> {
    let last = last_entries(rows, "cao_vote", &["cao.vote"]);
    for v in votes {
        let what = format!("le vote n° {} ({})", v.id, v.choice);
        match last.get(v.id.to_string().as_str()) {
            None => return unjournaled(what),
            Some((id, s)) if s.get("vote").and_then(Value::as_str) != Some(v.choice.as_str()) => {
                return mismatch(*id, what);
            }
            Some(_) => {}
        }
    }
    None
}

/// Letters: the DOCX kept hashes to the SHA-256 journaled at sending.
#[must_use]
pub fn check_letters(
    letters: &[(i32, String, String)],
    rows: &[audit_entry::Model],
) -> Option<Break> {
    let last = last_entries(rows, "letter", &["lettre.envoi"]);
    for (lid, stored_sha, actual_sha) in letters {
        let what = format!("le courrier n° {lid}");
        match last.get(lid.to_string().as_str()) {
            None => return unjournaled(what),
            Some((id, s)) => {
                let journaled = s.get("sha256").and_then(Value::as_str);
                if journaled != Some(actual_sha.as_str()) || journaled != Some(stored_sha.as_str())
                {
                    return mismatch(*id, what);
                }
            }
        }
    }
    None
}

/// The PVs of the CAO kept at closing (or at the second convocation, for a PV de carence):
/// `(id, stored SHA-256, SHA-256 of the bytes)`, each equal to a SHA-256 the journal recorded.
#[must_use]
pub fn check_pvs(pvs: &[(i32, String, String)], rows: &[audit_entry::Model]) -> Option<Break> {
    let journaled: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| {
            r.entity == "cao_seance"
                && matches!(
                    r.action.as_str(),
                    "cao.seance_close" | "cao.seconde_convocation"
                )
        })
        .filter_map(|r| {
            let v: Value = serde_json::from_str(&r.summary).ok()?;
            let pv = v
                .get("proces_verbal")
                .or_else(|| v.get("proces_verbal_de_carence"))?;
            Some((r.id, pv.get("sha256")?.as_str()?.to_owned()))
        })
        .collect();
    for (id, stored, actual) in pvs {
        let what = format!("le procès-verbal de CAO n° {id}");
        if !journaled.iter().any(|(_, sha)| sha == stored) {
            return unjournaled(what);
        }
        if stored != actual {
            let entry = journaled
                .iter()
                .find(|(_, sha)| sha == stored)
                .map_or(0, |(e, _)| *e);
            return mismatch(entry, what);
        }
    }
    None
}

/// Every check, on the stored rows.
///
/// # Errors
/// Database errors.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    rows: &[audit_entry::Model],
) -> Result<Option<Break>, DbErr> {
    let plis = pli::Entity::find().all(db).await?;
    if let Some(b) = check_prices(&plis, rows) {
        return Ok(Some(b));
    }
    let visas = visa::Entity::find().all(db).await?;
    if let Some(b) = check_visas(&visas, rows) {
        return Ok(Some(b));
    }
    let sheets = evaluator_sheet::Entity::find().all(db).await?;
    let notes = evaluator_note::Entity::find().all(db).await?;
    if let Some(b) = check_notes(&sheets, &notes, rows) {
        return Ok(Some(b));
    }
    let votes = cao_vote::Entity::find().all(db).await?;
    if let Some(b) = check_votes(&votes, rows) {
        return Ok(Some(b));
    }
    let letters: Vec<(i32, String, String)> = letter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|l| {
            let actual = hex::encode(Sha256::digest(&l.docx));
            (l.id, l.docx_sha256, actual)
        })
        .collect();
    if let Some(b) = check_letters(&letters, rows) {
        return Ok(Some(b));
    }
    let pvs: Vec<(i32, String, String)> = cao_pv::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.sha256, hex::encode(Sha256::digest(&p.bytes))))
        .collect();
    Ok(check_pvs(&pvs, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_pv_rewritten_in_its_table_or_never_journaled_is_named() {
        let close = entry(
            7,
            "cao.seance_close",
            "cao_seance",
            "3",
            r#"{"etat":"tenue","proces_verbal":{"fichier":"pv-cao-2027-01.docx","sha256":"aa"}}"#,
        );
        let rows = vec![close];
        assert!(check_pvs(&[(1, "aa".into(), "aa".into())], &rows).is_none());
        let edited = check_pvs(&[(1, "aa".into(), "bb".into())], &rows).expect("break");
        assert_eq!(edited.entry_id, 7);
        assert!(edited.reason.contains("procès-verbal de CAO n° 1"));
        let unknown = check_pvs(&[(2, "cc".into(), "cc".into())], &rows).expect("break");
        assert!(unknown.reason.contains("aucune entrée au journal"));
    }

    fn entry(id: i64, action: &str, entity: &str, eid: &str, summary: &str) -> audit_entry::Model {
        audit_entry::Model {
            id,
            at: String::new(),
            groupement_id: Some(1),
            actor_user_id: None,
            actor: "x".into(),
            action: action.into(),
            entity: entity.into(),
            entity_id: eid.into(),
            summary: summary.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn vote(id: i32, choice: &str) -> cao_vote::Model {
        cao_vote::Model {
            id,
            agenda_item_id: 1,
            assignment_id: 1,
            choice: choice.into(),
            recorded_by_user_id: None,
            recorded_at: Utc
                .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
                .single()
                .expect("d"),
        }
    }

    #[test]
    fn a_vote_changed_in_its_table_is_named() {
        let rows = [entry(7, "cao.vote", "cao_vote", "3", r#"{"vote":"pour"}"#)];
        assert_eq!(check_votes(&[vote(3, "pour")], &rows), None);
        let b = check_votes(&[vote(3, "contre")], &rows).expect("broken");
        assert_eq!(b.entry_id, 7);
        assert!(b.reason.contains("vote n° 3"));
        assert!(check_votes(&[vote(4, "pour")], &rows).is_some());
    }

    #[test]
    fn a_letter_whose_docx_changed_is_named() {
        let rows = [entry(
            9,
            "lettre.envoi",
            "letter",
            "2",
            r#"{"sha256":"aa"}"#,
        )];
        assert_eq!(check_letters(&[(2, "aa".into(), "aa".into())], &rows), None);
        assert_eq!(
            check_letters(&[(2, "aa".into(), "bb".into())], &rows)
                .expect("broken")
                .entry_id,
            9
        );
    }
}
