//! Stage « analyse »: the plis received on the buyer's profile before the deadline and
//! transcribed with their receipts, the remise closed, the opening (candidatures, prices,
//! examination of the offers), then the blind scoring by three seat-holders of the CAO, whose
//! submitted sheets open the ranking.

use super::tenders::Tender;
use super::{Demo, timeline};
use crate::error::AppError;
use crate::offers::admissibility::{self, CandidatureInput, ExamInput};
use crate::offers::evaluation::{self, NoteEntry};
use crate::offers::register::{self, PliInput};

/// Plis, opening and scoring of consultation `cid`.
///
/// # Errors
/// The refusal of the service concerned.
pub async fn run(d: &Demo, t: &Tender, cid: i32) -> Result<(), AppError> {
    let (st, gid) = (&d.st, d.gid);
    let coord = d.people.coordonnateur.actor();
    let lot_id = lot_of(d, cid).await?;
    // Received on the profil d'acheteur from Monday to Wednesday, transcribed the same day.
    let mut plis = Vec::new();
    for (i, b) in t.bidders.iter().enumerate() {
        let day = timeline::PLIS + i64::try_from(i).unwrap_or(0);
        d.set(day, 17, 0);
        let received = d.cal.day(day).format("%Y-%m-%dT").to_string() + "15:42";
        let input = PliInput {
            lot_id: lot_id.to_string(),
            bidder_name: b.name.to_owned(),
            siret: b.siret.to_owned(),
            address: b.address.to_owned(),
            contact_email: b.email.to_owned(),
            received_at: received,
            channel: "profil_acheteur".into(),
            platform_receipt: format!("AR-{}-{:03}", t.reference, i + 1),
        };
        let p = register::register(&st.db, st.clock.now(), &coord, gid, cid, &input).await?;
        plis.push(p.id);
    }
    // After the deadline (12:00 in Paris): remise close, analysis, opening.
    d.set(timeline::DEADLINE, 14, 0);
    crate::transitions::transition(st, &coord, gid, cid, "remise_close", None).await?;
    crate::transitions::transition(st, &coord, gid, cid, "analyse", None).await?;
    d.set(timeline::DEADLINE, 14, 30);
    for (b, &pid) in t.bidders.iter().zip(&plis) {
        let now = st.clock.now();
        let cand = CandidatureInput {
            status: "recevable".into(),
            ..CandidatureInput::default()
        };
        admissibility::set_candidature(&st.db, now, &coord, gid, cid, pid, &cand).await?;
        register::set_price(&st.db, now, &coord, gid, cid, pid, b.price_ht).await?;
        let exam = match b.irregular {
            None => ExamInput {
                status: "admissible".into(),
                ..ExamInput::default()
            },
            Some(why) => ExamInput {
                status: "irreguliere".into(),
                reason: why.to_owned(),
                ..ExamInput::default()
            },
        };
        admissibility::examine(&st.db, now, &coord, gid, cid, pid, &exam).await?;
    }
    // Blind scoring: each scorer notes every admitted offer on every evaluated criterion.
    let leaves = evaluated_leaves(&t.grid);
    for (k, scorer) in d.people.scorers().into_iter().enumerate() {
        d.set(timeline::SCORING, 9 + u32::try_from(k).unwrap_or(0), 0);
        let mut notes = Vec::new();
        for (b, &pid) in t.bidders.iter().zip(&plis) {
            if b.irregular.is_some() {
                continue;
            }
            for leaf in &leaves {
                notes.push(NoteEntry {
                    pli_id: pid,
                    criterion: leaf.clone(),
                    note: b.note.to_owned(),
                    justification: format!("{} : {}", b.name, b.justification),
                });
            }
        }
        let now = st.clock.now();
        evaluation::save_notes(&st.db, now, &scorer.titulaire, gid, cid, &notes).await?;
        evaluation::submit(&st.db, now, &scorer.titulaire, gid, cid).await?;
    }
    Ok(())
}

/// The lot of the consultation (the demo's tenders have one).
pub(super) async fn lot_of(d: &Demo, cid: i32) -> Result<i32, AppError> {
    let detail =
        crate::consultations::service::detail(&d.st.db, d.gid, cid, d.st.clock.today_paris())
            .await?;
    detail
        .lots
        .first()
        .map(|l| l.lot.id)
        .ok_or_else(|| AppError::BadRequest("la consultation n'a pas de lot".into()))
}

/// The ids of the criteria the CAO notes: the sub-criteria of each evaluated criterion, or the
/// evaluated criterion itself when it has none (price is computed, never noted).
fn evaluated_leaves(grid: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in grid.as_array().into_iter().flatten() {
        if c["kind"] != "evaluated" {
            continue;
        }
        match c["sub_criteria"].as_array() {
            Some(subs) if !subs.is_empty() => {
                out.extend(
                    subs.iter()
                        .filter_map(|s| s["id"].as_str().map(str::to_owned)),
                );
            }
            _ => out.extend(c["id"].as_str().map(str::to_owned)),
        }
    }
    out
}
