//! The pure part of the audit journal: how an entry is hashed and how a chain is checked.
//! Each entry's hash covers its own fields and the previous entry's hash, so editing,
//! inserting or removing any entry breaks every later link.

use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryFields<'a> {
    pub id: i64,
    pub at: &'a str,
    pub groupement_id: Option<i32>,
    pub actor_user_id: Option<i32>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub summary: &'a str,
}

/// SHA-256 (hex) of `prev_hash` followed by every field, each length-prefixed so that no two
/// different entries can produce the same byte stream.
#[must_use]
pub fn entry_hash(prev_hash: &str, f: &EntryFields<'_>) -> String {
    let mut h = Sha256::new();
    let opt = |v: Option<i32>| v.map_or_else(|| "-".to_owned(), |x| x.to_string());
    for part in [
        prev_hash,
        &f.id.to_string(),
        f.at,
        &opt(f.groupement_id),
        &opt(f.actor_user_id),
        f.actor,
        f.action,
        f.entity,
        f.entity_id,
        f.summary,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub entry_id: i64,
    pub reason: String,
}

/// Checks stored entries (in id order) against the chain rules and the recorded head.
/// Returns the first broken entry.
#[must_use]
pub fn verify<'a>(
    entries: impl IntoIterator<Item = (EntryFields<'a>, &'a str, &'a str)>,
    head: (i64, &str),
) -> Option<Break> {
    let mut prev = GENESIS.to_owned();
    let mut expected_id = 1;
    for (fields, prev_hash, hash) in entries {
        if fields.id != expected_id {
            return Some(Break {
                entry_id: fields.id,
                reason: format!("entrée {expected_id} manquante (numérotation interrompue)"),
            });
        }
        if prev_hash != prev {
            return Some(Break {
                entry_id: fields.id,
                reason: "le lien vers l'entrée précédente ne correspond pas".into(),
            });
        }
        if entry_hash(&prev, &fields) != hash {
            return Some(Break {
                entry_id: fields.id,
                reason: "le contenu de l'entrée a été modifié (empreinte SHA-256 différente)"
                    .into(),
            });
        }
        prev = hash.to_owned();
        expected_id += 1;
    }
    let last = expected_id - 1;
    if head.0 != last || head.1 != prev {
        return Some(Break {
            entry_id: last + 1,
            reason: format!(
                "la tête du journal annonce {} entrée(s) mais {last} sont présentes : des entrées ont été supprimées",
                head.0
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(id: i64, summary: &str) -> EntryFields<'_> {
        EntryFields {
            id,
            at: "2026-11-23T10:00:00.000000Z",
            groupement_id: Some(1),
            actor_user_id: None,
            actor: "système",
            action: "test",
            entity: "x",
            entity_id: "1",
            summary,
        }
    }

    fn chain(summaries: &[&'static str]) -> Vec<(EntryFields<'static>, String, String)> {
        let mut prev = GENESIS.to_owned();
        let mut out = Vec::new();
        for (i, s) in summaries.iter().enumerate() {
            let f = fields(i as i64 + 1, s);
            let h = entry_hash(&prev, &f);
            out.push((f, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    fn check(c: &[(EntryFields<'static>, String, String)], head: (i64, &str)) -> Option<Break> {
        verify(
            c.iter()
                .map(|(f, p, h)| (f.clone(), p.as_str(), h.as_str())),
            head,
        )
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(&["a", "b", "c"]);
        let head = c.last().map(|e| e.2.clone()).unwrap_or_default();
        assert_eq!(check(&c, (3, &head)), None);
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut c = chain(&["a", "b", "c"]);
        let head = c[2].2.clone();
        c[1].0.summary = "B";
        let b = check(&c, (3, &head)).expect("broken");
        assert_eq!(b.entry_id, 2);
        assert!(b.reason.contains("modifié"));
    }

    #[test]
    fn a_removed_last_entry_is_seen_through_the_head() {
        let c = chain(&["a", "b", "c"]);
        let head = c[2].2.clone();
        let b = check(&c[..2], (3, &head)).expect("broken");
        assert_eq!(b.entry_id, 3);
    }

    #[test]
    fn a_removed_middle_entry_is_named() {
        let mut c = chain(&["a", "b", "c"]);
        let head = c[2].2.clone();
        c.remove(1);
        assert_eq!(check(&c, (3, &head)).expect("broken").entry_id, 3);
    }

    #[test]
    fn length_prefixing_separates_fields() {
        let a = EntryFields {
            actor: "ab",
            action: "c",
            ..fields(1, "s")
        };
        let b = EntryFields {
            actor: "a",
            action: "bc",
            ..fields(1, "s")
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
    }
}
