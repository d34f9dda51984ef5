//! Gathers the files of one consultation's archive (convention art. 5.4 and 6.2; R2184-12/13):
//!
//! - `pieces/<KIND>/<référence>_<KIND>_v<n>.docx`: every version of every piece, exact bytes,
//!   dated by its creation (Paris time);
//! - `visas/…_bordereau_visas_tour<r>.docx`: the bordereau of each piece of each visa round;
//! - `cao/pv-cao-<n>.docx`, `cao/pv-carence-cao-<n>.docx`: the PV (or PV de carence) of every
//!   séance whose agenda has an item of the consultation, exactly as established and stored at
//!   the séance (`crate::cao::pv_store`, SHA-256 checked), never rendered again;
//! - `analyse/rapport-analyse-<référence>-lot<n>.docx`: the rapport d'analyse of each lot whose
//!   ranking can be established;
//! - `lettres/<fichier>`: the letters sent (NOTI1, NOTI3, NOTI5, sans suite…), exact bytes;
//! - `actes_signes/<fichier>`: every signed acte d'engagement uploaded, exact bytes (the last
//!   one of each attribution is the one the NOTI5 notified);
//! - `emails/<id>_<type>.eml`: the emails of those letters and every email of the groupement
//!   whose subject names the consultation's reference (as a whole word), rebuilt as RFC 5322;
//! - `journal/journal.json` and `journal/chaine.txt` (see [`super::journal`]);
//! - `documents_non_produits.txt`: what could not be produced yet, and why (French).
//!
//! Documents that cannot be produced yet (séance not held, ranking not open…) are listed in the
//! last file instead of failing the export.

use super::Entry;
use super::journal;
use crate::cao::pv_store::{self, PvKind};
use crate::cao::{docs as cao_docs, model::SeanceStatus, store as cao_store};
use crate::db::entities::{
    cao_agenda_item, consultation, letter, mail_message, piece, piece_version,
};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use crate::mail::{outbox, transport};
use crate::offers::{access, analysis, evaluation::Gate, report};
use crate::visas::{bordereau, store as visa_store};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Europe::Paris;
use lettre::message::Mailbox;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashSet};

/// What the collection reads from.
pub struct Sources<'a, C> {
    pub db: &'a C,
    pub engine: &'a DocEngine,
    /// The sender written in the rebuilt emails (the configured `COORDO_MAIL_FROM`).
    pub mail_from: &'a Mailbox,
}

/// Name of the file listing what could not be produced.
pub const OMISSIONS_NAME: &str = "documents_non_produits.txt";

fn paris(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&Paris).naive_local()
}

pub use crate::file_names::safe_name;

/// Whether `subject` names `reference` as a whole word (not `2026-01` inside `2026-010`).
#[must_use]
pub fn mentions(subject: &str, reference: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    !reference.is_empty()
        && subject.match_indices(reference).any(|(i, _)| {
            !word(subject[..i].chars().next_back())
                && !word(subject[i + reference.len()..].chars().next())
        })
}

#[derive(Default)]
struct Collector {
    entries: Vec<Entry>,
    seen: HashSet<String>,
    notes: Vec<String>,
}

impl Collector {
    /// Adds `folder/name` (`name` at the root when `folder` is empty), the name made safe and, if already taken (case ignored), numbered.
    fn push(&mut self, folder: &str, name: &str, bytes: Vec<u8>, modified: Option<NaiveDateTime>) {
        let name = safe_name(name);
        let (stem, ext) = name
            .rsplit_once('.')
            .map_or((name.as_str(), String::new()), |(s, e)| {
                (s, format!(".{e}"))
            });
        let join = |n: &str| match folder {
            "" => n.to_owned(),
            f => format!("{f}/{n}"),
        };
        let mut path = join(&name);
        let mut n = 1;
        while !self.seen.insert(path.to_lowercase()) {
            n += 1;
            path = join(&format!("{stem}-{n}{ext}"));
        }
        self.entries.push(Entry {
            path,
            bytes,
            modified,
        });
    }

    /// Keeps a document that cannot be produced yet (`Conflict`, `NotFound`) as a note.
    fn skip<T>(&mut self, what: &str, r: Result<T, AppError>) -> Result<Option<T>, AppError> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e @ (AppError::Conflict(_) | AppError::NotFound)) => {
                self.notes.push(format!("{what} : {}", e.message()));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Every file of the archive of consultation `cid` of groupement `gid`, generated at `now`.
///
/// # Errors
/// `NotFound` (consultation), database errors, a document that fails to render (internal).
pub async fn entries<C: ConnectionTrait>(
    src: &Sources<'_, C>,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>, AppError> {
    let db = src.db;
    let c = crate::consultations::service::get(db, gid, cid).await?;
    let mut out = Collector::default();
    pieces(db, &c, &mut out).await?;
    for round in visa_store::rounds(db, cid).await? {
        for p in &round.pieces {
            let Ok(kind) = p.piece_kind.parse::<DocKind>() else {
                continue;
            };
            let what = format!("Bordereau de visas du tour {}", round.round.id);
            let doc = bordereau::docx(db, src.engine, gid, cid, round.round.id, kind, now).await;
            if let Some((name, bytes)) = out.skip(&what, doc)? {
                out.push("visas", &name, bytes, None);
            }
        }
    }
    let seance_ids = pvs(db, gid, cid, now, &mut out).await?;
    reports(db, gid, cid, now, &mut out).await?;
    // The PV d'ouverture des plis (after the deadline) and the rapport de présentation (after
    // the attribution decision or a declaration sans suite), when they can be produced; they are
    // not listed among the missing documents before that.
    let pv = crate::offers::opening::docx(db, src.engine, gid, cid, now).await;
    if let Some((name, bytes)) = producible(pv)? {
        out.push("analyse", &name, bytes, None);
    }
    let rp = crate::attribution::presentation::docx(db, src.engine, gid, cid, now).await;
    if let Some((name, bytes)) = producible(rp)? {
        out.push("analyse", &name, bytes, None);
    }
    let letters = letter::Entity::find()
        .filter(letter::Column::ConsultationId.eq(cid))
        .order_by_asc(letter::Column::Id)
        .all(db)
        .await?;
    for l in &letters {
        out.push(
            "lettres",
            &l.filename,
            l.docx.clone(),
            Some(paris(l.sent_at)),
        );
    }
    for a in crate::attribution::signed::all(db, cid).await? {
        out.push(
            "actes_signes",
            &a.file_name,
            a.bytes,
            Some(paris(a.uploaded_at)),
        );
    }
    let mail_ids = emails(src, &c, &letters, &mut out).await?;
    let owned = journal::owned(db, cid, &mail_ids, &seance_ids).await?;
    out.entries
        .extend(journal::extract(db, &c, &owned, now).await?);
    if !out.notes.is_empty() {
        let text = format!(
            "Documents non produits dans cette archive (consultation {}) :\n\n- {}\n",
            c.reference,
            out.notes.join("\n- ")
        );
        out.push("", OMISSIONS_NAME, text.into_bytes(), None);
    }
    Ok(out.entries)
}

async fn pieces<C: ConnectionTrait>(
    db: &C,
    c: &consultation::Model,
    out: &mut Collector,
) -> Result<(), AppError> {
    let rows = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(c.id))
        .all(db)
        .await?;
    let versions = piece_version::Entity::find()
        .filter(piece_version::Column::PieceId.is_in(rows.iter().map(|p| p.id)))
        .order_by_asc(piece_version::Column::PieceId)
        .order_by_asc(piece_version::Column::Number)
        .all(db)
        .await?;
    for v in versions {
        let Some(p) = rows.iter().find(|p| p.id == v.piece_id) else {
            continue;
        };
        let kind: DocKind = p
            .kind
            .parse()
            .map_err(|e| anyhow::anyhow!("pièce {} : {e}", p.id))?;
        let name = crate::pieces::service::file_name(&c.reference, kind, v.number);
        let folder = format!("pieces/{}", crate::pieces::context::short_code(kind));
        out.push(&folder, &name, v.docx, Some(paris(v.created_at)));
    }
    Ok(())
}

/// The PVs of the séances that deliberated on the consultation; returns their ids.
async fn pvs<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
    out: &mut Collector,
) -> Result<Vec<i32>, AppError> {
    let mut sids: Vec<i32> = cao_agenda_item::Entity::find()
        .select_only()
        .column(cao_agenda_item::Column::SeanceId)
        .filter(cao_agenda_item::Column::ConsultationId.eq(cid))
        .into_tuple::<i32>()
        .all(db)
        .await?;
    sids.sort_unstable();
    sids.dedup();
    if sids.is_empty() {
        return Ok(sids);
    }
    let Some(lh) = out.skip("Procès-verbaux de CAO", cao_docs::letterhead(db, gid).await)? else {
        return Ok(sids);
    };
    for sid in &sids {
        let Some(d) = out.skip("Séance de CAO", cao_store::seance(db, gid, *sid).await)? else {
            continue;
        };
        let what = format!("Procès-verbal de la séance de CAO n° {}", d.seance.number);
        let kind = match d.status {
            SeanceStatus::Tenue => PvKind::Pv,
            SeanceStatus::Carence => PvKind::Carence,
            s => {
                let why = format!("la séance est « {} », pas encore tenue", s.label());
                out.notes.push(format!("{what} : {why}."));
                continue;
            }
        };
        // The PV as established at the séance (stored bytes, SHA-256 checked), never rendered
        // again; one whose bytes no longer match is left out and named.
        if let Some(row) = pv_store::stored(db, d.seance.id, kind).await? {
            match pv_store::checked(&row) {
                Ok(bytes) => out.push(
                    "cao",
                    &row.file_name,
                    bytes.to_vec(),
                    Some(paris(row.created_at)),
                ),
                Err(why) => {
                    tracing::error!(seance = d.seance.id, "{why}");
                    out.notes
                        .push(format!("{what} : {why} ; il n'est pas joint."));
                }
            }
            continue;
        }
        // Established before the PVs were kept (no stored file): rendered as it stands, and said.
        let doc = match kind {
            // Its items predate the attribution points: nothing to read from the ranking.
            PvKind::Pv => cao_docs::pv_docx(&d, &lh, &cao_docs::Awards::new(), now),
            PvKind::Carence => cao_docs::pv_carence_docx(&d, &lh, now),
        };
        if let Some(bytes) = out.skip(&what, doc)? {
            out.notes.push(format!(
                "{what} : établi avant la conservation des procès-verbaux, il est reconstitué à la date de l'export."
            ));
            out.push("cao", &kind.file_name(&d.seance.number), bytes, None);
        }
    }
    Ok(sids)
}

/// A document, or `None` when it cannot be produced yet (`Conflict`, `NotFound`).
fn producible<T>(r: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Conflict(_) | AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The rapport d'analyse of each lot whose ranking is established.
async fn reports<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
    out: &mut Collector,
) -> Result<(), AppError> {
    let what = "Rapport d'analyse des offres";
    let s = analysis::load(db, gid, cid).await?;
    let open = access::ensure_opened(&s.c, now).and_then(|()| match &s.gate {
        Gate::Closed(why) => Err(AppError::Conflict(format!(
            "Le classement n'est pas encore établi : {why}"
        ))),
        Gate::Open { .. } => Ok(()),
    });
    if out.skip(what, open)?.is_none() {
        return Ok(());
    }
    for lc in analysis::cases(&s) {
        let doc = report::lot_docx(db, &s, &lc, now).await;
        if let Some((name, bytes)) = out.skip(&format!("{what} ({})", lc.label), doc)? {
            out.push("analyse", &name, bytes, None);
        }
    }
    Ok(())
}

/// The emails as `.eml`; returns their ids.
async fn emails<C: ConnectionTrait>(
    src: &Sources<'_, C>,
    c: &consultation::Model,
    letters: &[letter::Model],
    out: &mut Collector,
) -> Result<Vec<i32>, AppError> {
    let db = src.db;
    let linked: Vec<i32> = letters.iter().filter_map(|l| l.mail_message_id).collect();
    let mut rows: BTreeMap<i32, mail_message::Model> = BTreeMap::new();
    for m in mail_message::Entity::find()
        .filter(mail_message::Column::Id.is_in(linked))
        .all(db)
        .await?
    {
        rows.insert(m.id, m);
    }
    for m in mail_message::Entity::find()
        .filter(mail_message::Column::GroupementId.eq(c.groupement_id))
        .filter(mail_message::Column::Subject.contains(&c.reference))
        .all(db)
        .await?
    {
        if mentions(&m.subject, &c.reference) {
            rows.insert(m.id, m);
        }
    }
    for (id, m) in &rows {
        let atts = outbox::attachments(db, *id).await?;
        let date = m.sent_at.unwrap_or(m.created_at);
        let name = format!("{id}_{}", m.kind);
        match transport::build_message(src.mail_from, m, &atts, date) {
            Ok(msg) => out.push(
                "emails",
                &format!("{name}.eml"),
                msg.formatted(),
                Some(paris(date)),
            ),
            Err(f) => {
                out.notes
                    .push(format!("Courriel n° {id} non reconstitué : {}", f.message));
                let text = format!(
                    "À : {}\nObjet : {}\n\n{}",
                    m.to_addr, m.subject, m.body_text
                );
                out.push(
                    "emails",
                    &format!("{name}.txt"),
                    text.into_bytes(),
                    Some(paris(date)),
                );
            }
        }
    }
    Ok(rows.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        assert_eq!(
            safe_name("NOTI1 lot 1: A/B?.docx"),
            "NOTI1 lot 1_ A_B_.docx"
        );
        assert_eq!(safe_name(".."), "_");
        assert_eq!(safe_name(" "), "_");
        assert_eq!(safe_name("a\nb"), "a_b");
    }

    #[test]
    fn the_reference_is_a_whole_word() {
        assert!(mentions("Visa demandé — 2026-DUI : RC v1", "2026-DUI"));
        assert!(mentions("Rappel : visa attendu — 2026-DUI", "2026-DUI"));
        assert!(mentions("2026-DUI", "2026-DUI"));
        assert!(!mentions("Visa demandé — 2026-DUI2 : RC", "2026-DUI"));
        assert!(!mentions("Visa — X2026-DUI", "2026-DUI"));
        assert!(!mentions("Visa — 2026-DUI-2", "2026-DUI"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn duplicates_are_numbered() {
        let mut c = Collector::default();
        c.push("lettres", "a.docx", vec![], None);
        c.push("lettres", "A.docx", vec![], None);
        c.push("lettres", "a.docx", vec![], None);
        c.push("lettres", "sans-extension", vec![], None);
        c.push("lettres", "sans-extension", vec![], None);
        let paths: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "lettres/a.docx",
                "lettres/A-2.docx",
                "lettres/a-3.docx",
                "lettres/sans-extension",
                "lettres/sans-extension-2"
            ]
        );
    }
}
