//! The pure part of the audit journal: how an entry is sealed and how a chain is checked.
//! Each entry's seal covers its own fields and the previous entry's seal, so editing,
//! inserting or removing any entry breaks every later link.
//!
//! Since the journal is keyed, the seal is an HMAC-SHA256 under a secret kept outside the
//! database ([`entry_mac`]): whoever edits the database cannot recompute the chain. Entries
//! written before the key existed (a journal started by an older version) keep their plain
//! SHA-256 ([`entry_hash`]); the anchor file says from which entry the key applies.
//! The anchor file ([`Anchor`]) keeps, outside the database, the (id, seal) of the head after
//! each write: a truncated tail, a deleted journal or a renumbering no longer matches it.

use hmac::{Hmac, Mac};
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

/// Feeds `prev_hash` and every field, each length-prefixed so that no two different entries
/// can produce the same byte stream.
fn feed(prev_hash: &str, f: &EntryFields<'_>, mut update: impl FnMut(&[u8])) {
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
        update(&(part.len() as u64).to_be_bytes());
        update(part.as_bytes());
    }
}

/// SHA-256 (hex) of the entry (journals written before the key: unkeyed).
#[must_use]
pub fn entry_hash(prev_hash: &str, f: &EntryFields<'_>) -> String {
    let mut h = Sha256::new();
    feed(prev_hash, f, |b| h.update(b));
    hex::encode(h.finalize())
}

/// HMAC-SHA256 (hex) of the entry under the journal's secret key.
#[must_use]
pub fn entry_mac(key: &[u8], prev_hash: &str, f: &EntryFields<'_>) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    feed(prev_hash, f, |b| m.update(b));
    hex::encode(m.finalize().into_bytes())
}

/// How the entries of a journal are sealed: by the key from entry `keyed_from` on.
#[derive(Clone, Copy, Debug)]
pub struct Seal<'a> {
    pub key: Option<&'a [u8]>,
    pub keyed_from: i64,
}

impl Seal<'_> {
    /// Unkeyed journal (plain SHA-256 for every entry).
    pub const PLAIN: Seal<'static> = Seal {
        key: None,
        keyed_from: i64::MAX,
    };

    fn seal(&self, prev: &str, f: &EntryFields<'_>) -> String {
        match self.key {
            Some(k) if f.id >= self.keyed_from => entry_mac(k, prev, f),
            _ => entry_hash(prev, f),
        }
    }
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
    seal: &Seal<'_>,
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
        if seal.seal(&prev, &fields) != hash {
            return Some(Break {
                entry_id: fields.id,
                reason: if seal.key.is_some() && fields.id >= seal.keyed_from {
                    "le contenu de l'entrée a été modifié (sceau HMAC-SHA256 différent : \
                     l'entrée n'a pas été écrite avec la clé du journal)"
                        .into()
                } else {
                    "le contenu de l'entrée a été modifié (empreinte SHA-256 différente)".into()
                },
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

/// The anchor file, outside the database: a header naming the key and the first keyed entry,
/// then one `id seal` line per write (the head after the write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub key_id: String,
    pub keyed_from: i64,
    pub heads: Vec<(i64, String)>,
}

/// First line of an anchor file.
#[must_use]
pub fn anchor_header(key_id: &str, keyed_from: i64) -> String {
    format!("coordo-ancre v1 cle={key_id} depuis={keyed_from}\n")
}

/// One line of an anchor file.
#[must_use]
pub fn anchor_line(id: i64, seal: &str) -> String {
    format!("{id} {seal}\n")
}

/// Reads an anchor file's text.
///
/// # Errors
/// A French message naming the first unreadable line.
pub fn parse_anchor(text: &str) -> Result<Anchor, String> {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let mut key_id = None;
    let mut keyed_from = None;
    for w in header.split_whitespace() {
        if let Some(v) = w.strip_prefix("cle=") {
            key_id = Some(v.to_owned());
        } else if let Some(v) = w.strip_prefix("depuis=") {
            keyed_from = v.parse::<i64>().ok();
        }
    }
    let (Some(key_id), Some(keyed_from), true) =
        (key_id, keyed_from, header.starts_with("coordo-ancre v1 "))
    else {
        return Err("l'en-tête du fichier d'ancrage est illisible".into());
    };
    let mut heads = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut it = line.split_whitespace();
        match (it.next().and_then(|i| i.parse::<i64>().ok()), it.next()) {
            (Some(id), Some(h)) if h.len() == 64 => heads.push((id, h.to_owned())),
            _ => {
                return Err(format!(
                    "la ligne {} du fichier d'ancrage est illisible",
                    n + 2
                ));
            }
        }
    }
    Ok(Anchor {
        key_id,
        keyed_from,
        heads,
    })
}

/// Checks the stored journal against its anchor: every anchored head must still be in the
/// journal with the same seal. `seal_of(id)` gives the stored seal of entry `id`, `last` the
/// id of the last stored entry.
#[must_use]
pub fn check_anchor(
    anchor: &Anchor,
    last: i64,
    seal_of: impl Fn(i64) -> Option<String>,
) -> Option<Break> {
    let anchored = anchor.heads.iter().map(|(i, _)| *i).max().unwrap_or(0);
    if last == 0 && anchored > 0 {
        return Some(Break {
            entry_id: 1,
            reason: format!(
                "le journal est vide alors que l'ancrage hors base en atteste {anchored} entrée(s) : le journal a été supprimé"
            ),
        });
    }
    for (id, h) in &anchor.heads {
        match seal_of(*id) {
            None => {
                return Some(Break {
                    entry_id: *id,
                    reason: format!(
                        "l'entrée n° {id} est attestée par l'ancrage hors base mais absente du journal \
                         (qui s'arrête à l'entrée n° {last}) : des entrées ont été supprimées"
                    ),
                });
            }
            Some(s) if &s != h => {
                return Some(Break {
                    entry_id: *id,
                    reason: "le sceau de l'entrée diffère de celui ancré hors base : \
                             le journal a été réécrit ou renuméroté"
                        .into(),
                });
            }
            Some(_) => {}
        }
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
            &Seal::PLAIN,
        )
    }

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn keyed(
        summaries: &[&'static str],
        key: &[u8],
    ) -> Vec<(EntryFields<'static>, String, String)> {
        let mut prev = GENESIS.to_owned();
        let mut out = Vec::new();
        for (i, s) in summaries.iter().enumerate() {
            let f = fields(i as i64 + 1, s);
            let h = entry_mac(key, &prev, &f);
            out.push((f, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    fn check_keyed(c: &[(EntryFields<'static>, String, String)]) -> Option<Break> {
        let head = c
            .last()
            .map_or((0, GENESIS.to_owned()), |e| (e.0.id, e.2.clone()));
        verify(
            c.iter()
                .map(|(f, p, h)| (f.clone(), p.as_str(), h.as_str())),
            (head.0, &head.1),
            &Seal {
                key: Some(KEY),
                keyed_from: 1,
            },
        )
    }

    #[test]
    fn a_keyed_chain_verifies_only_with_its_key() {
        assert_eq!(check_keyed(&keyed(&["a", "b"], KEY)), None);
        // Edited and rechained by someone without the key (plain SHA-256 or another key).
        let forged = keyed(&["a", "B"], b"another key");
        assert_eq!(check_keyed(&forged).expect("broken").entry_id, 1);
        let mut c = keyed(&["a", "b"], KEY);
        let f = fields(2, "B");
        let h = entry_hash(&c[0].2, &f);
        c[1] = (f, c[0].2.clone(), h);
        let b = check_keyed(&c).expect("broken");
        assert_eq!(b.entry_id, 2);
        assert!(b.reason.contains("HMAC"), "{}", b.reason);
    }

    #[test]
    fn entries_before_the_key_keep_their_sha256() {
        let mut c = chain(&["a", "b"]);
        let f = fields(3, "c");
        let h = entry_mac(KEY, &c[1].2, &f);
        c.push((f, c[1].2.clone(), h.clone()));
        let seal = Seal {
            key: Some(KEY),
            keyed_from: 3,
        };
        let r = verify(
            c.iter()
                .map(|(f, p, h)| (f.clone(), p.as_str(), h.as_str())),
            (3, &h),
            &seal,
        );
        assert_eq!(r, None);
    }

    fn anchor(heads: &[(i64, &str)]) -> Anchor {
        let text = heads.iter().fold(anchor_header("k1", 1), |acc, (i, h)| {
            acc + &anchor_line(*i, h)
        });
        parse_anchor(&text).expect("anchor")
    }

    #[test]
    fn the_anchor_catches_truncation_deletion_and_rewriting() {
        let c = keyed(&["a", "b", "c"], KEY);
        let seal_of = |c: &[(EntryFields<'static>, String, String)]| {
            let v: Vec<String> = c.iter().map(|e| e.2.clone()).collect();
            move |id: i64| usize::try_from(id - 1).ok().and_then(|i| v.get(i).cloned())
        };
        let a = anchor(&[(1, &c[0].2), (3, &c[2].2)]);
        assert_eq!(check_anchor(&a, 3, seal_of(&c)), None);
        // Truncated tail (head moved back).
        let b = check_anchor(&a, 2, seal_of(&c[..2])).expect("truncated");
        assert_eq!(b.entry_id, 3);
        assert!(b.reason.contains("supprimées"));
        // Whole journal deleted.
        let b = check_anchor(&a, 0, seal_of(&[])).expect("deleted");
        assert!(b.reason.contains("supprimé"));
        // Rewritten (another chain with the same ids).
        let other = keyed(&["a", "x", "c"], KEY);
        let b = check_anchor(&a, 3, seal_of(&other)).expect("rewritten");
        assert_eq!(b.entry_id, 3);
        assert!(parse_anchor("n'importe quoi").is_err());
        assert!(parse_anchor(&(anchor_header("k", 1) + "3 court\n")).is_err());
    }

    #[test]
    fn the_anchor_header_round_trips() {
        let a = parse_anchor(&(anchor_header("abcd", 12) + &anchor_line(12, &"f".repeat(64))))
            .expect("anchor");
        assert_eq!(a.key_id, "abcd");
        assert_eq!(a.keyed_from, 12);
        assert_eq!(a.heads, vec![(12, "f".repeat(64))]);
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
