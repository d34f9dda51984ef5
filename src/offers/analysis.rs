//! From the stored register, criteria and notes to the engine's [`ScoringCase`], one per lot,
//! and its results: ranking ([`scoring::score`]), robustness panel ([`scoring::robustness`]) and
//! OAB flags ([`scoring::detect_oab`]). Nothing is computed here: the engine does it.
//!
//! - Offers: every pli of the lot but the replaced ones (R2151-6), with its effective status;
//!   only admissible ones are scored, and only their prices make Pmin/Pmax (L2152-1, R2152-1).
//! - Notes: those of the submitted sheets only; consensus notes replace the mean.
//! - Identifiers shown by the engine (offers, evaluators) are the bidders' and evaluators' names.

use super::admissibility::{self, PliState};
use super::criteria;
use super::evaluation::{self, Gate};
use crate::consultations::service as consultations;
use crate::db::entities::{
    consensus_note, consultation, evaluator_note, evaluator_sheet, lot, offer_analysis,
    offer_criterion, pli,
};
use crate::db::stored;
use crate::error::AppError;
use crate::scoring::{
    self, ConsensusNote, Criterion, Note, OabFlag, Offer, OfferStatus, RobustnessReport,
    ScoringCase, ScoringResult,
};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};

/// Everything stored about the offers of a consultation.
pub struct Snapshot {
    pub c: consultation::Model,
    pub lots: Vec<lot::Model>,
    pub plis: Vec<pli::Model>,
    pub rows: Vec<offer_criterion::Model>,
    pub tree: Vec<Criterion>,
    pub settings: offer_analysis::Model,
    pub sheets: Vec<evaluator_sheet::Model>,
    pub notes: Vec<evaluator_note::Model>,
    pub consensus: Vec<consensus_note::Model>,
    /// Display names of the evaluators, made unique.
    pub names: HashMap<i32, String>,
    pub gate: Gate,
    /// The stored decimals read once at load, by row id: prices HT of the plis, notes and
    /// consensus notes. A value that does not read back stops the load (`db::stored`).
    pub prices: HashMap<i32, Decimal>,
    pub note_values: HashMap<i32, Decimal>,
    pub consensus_values: HashMap<i32, Decimal>,
}

/// Loads the snapshot of a consultation of the groupement.
///
/// # Errors
/// `NotFound`, database errors.
pub async fn load<C: ConnectionTrait>(db: &C, gid: i32, cid: i32) -> Result<Snapshot, AppError> {
    let c = consultations::get(db, gid, cid).await?;
    let rows = criteria::rows(db, cid).await?;
    let tree = criteria::tree(&rows)?;
    let settings = admissibility::settings(db, cid).await?;
    let sheets = evaluation::sheets(db, cid).await?;
    let ids: Vec<i32> = sheets.iter().map(|s| s.evaluator_id).collect();
    let raw = evaluation::names(db, &ids).await?;
    let needs_notes = !criteria::evaluated_leaves(&tree).is_empty();
    let gate = evaluation::gate(&sheets, settings.ranking_forced_at.is_some(), needs_notes);
    let plis = super::register::list(db, cid).await?;
    let notes = evaluation::notes(db, cid, None).await?;
    let consensus = evaluation::consensus(db, cid).await?;
    let mut prices = HashMap::new();
    for p in &plis {
        if let Some(raw) = p.price_ht.as_deref() {
            prices.insert(
                p.id,
                stored::decimal(&format!("prix HT du pli n° {}", p.id), raw)?,
            );
        }
    }
    let note_values = notes
        .iter()
        .map(|n| {
            Ok((
                n.id,
                stored::decimal(&format!("note n° {}", n.id), &n.note)?,
            ))
        })
        .collect::<Result<_, AppError>>()?;
    let consensus_values = consensus
        .iter()
        .map(|n| {
            Ok((
                n.id,
                stored::decimal(&format!("note de consensus n° {}", n.id), &n.note)?,
            ))
        })
        .collect::<Result<_, AppError>>()?;
    Ok(Snapshot {
        lots: super::register::lots(db, cid).await?,
        plis,
        notes,
        consensus,
        prices,
        note_values,
        consensus_values,
        names: unique_names(&ids, &raw),
        c,
        rows,
        tree,
        settings,
        sheets,
        gate,
    })
}

fn unique_names(ids: &[i32], raw: &HashMap<i32, String>) -> HashMap<i32, String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        *count
            .entry(raw.get(id).map_or("", String::as_str))
            .or_default() += 1;
    }
    ids.iter()
        .map(|id| {
            let n = raw
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("évaluateur n° {id}"));
            let label = if count.get(n.as_str()).copied().unwrap_or(0) > 1 {
                format!("{n} (n° {id})")
            } else {
                n
            };
            (*id, label)
        })
        .collect()
}

/// The offers of one lot (or of the whole consultation when it has no lot).
pub struct LotCase {
    pub lot: Option<lot::Model>,
    /// « Lot 1 – Solution DUI », or the consultation's object.
    pub label: String,
    pub case: ScoringCase,
    /// Engine offer id → pli.
    pub plis: HashMap<String, i32>,
    /// Opened plis not examined yet (names).
    pub pending: Vec<String>,
}

impl LotCase {
    /// The pli behind an engine offer id.
    #[must_use]
    pub fn pli<'a>(&self, s: &'a Snapshot, offer: &str) -> Option<&'a pli::Model> {
        let id = self.plis.get(offer)?;
        s.plis.iter().find(|p| p.id == *id)
    }
}

/// The cases of the consultation, one per lot that received plis (all lots when none did).
#[must_use]
pub fn cases(s: &Snapshot) -> Vec<LotCase> {
    let groups: Vec<Option<&lot::Model>> = if s.lots.is_empty() {
        vec![None]
    } else {
        let with: Vec<Option<&lot::Model>> = s
            .lots
            .iter()
            .filter(|l| s.plis.iter().any(|p| p.lot_id == Some(l.id)))
            .map(Some)
            .collect();
        if with.is_empty() {
            s.lots.iter().map(Some).collect()
        } else {
            with
        }
    };
    let submitted: HashSet<i32> = s
        .sheets
        .iter()
        .filter(|x| x.submitted_at.is_some())
        .map(|x| x.evaluator_id)
        .collect();
    let code: HashMap<i32, &str> = s.rows.iter().map(|r| (r.id, r.code.as_str())).collect();
    groups
        .into_iter()
        .map(|l| {
            let plis: Vec<&pli::Model> = s
                .plis
                .iter()
                .filter(|p| p.lot_id == l.map(|l| l.id) || (l.is_none() && s.lots.is_empty()))
                .filter(|p| admissibility::state(p) != PliState::Superseded)
                .collect();
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for p in &plis {
                *seen.entry(p.bidder_name.as_str()).or_default() += 1;
            }
            let mut ids = HashMap::new();
            let mut offers = Vec::new();
            let mut pending = Vec::new();
            for p in &plis {
                let id = if seen[p.bidder_name.as_str()] > 1 {
                    format!("{} (pli n° {})", p.bidder_name, p.id)
                } else {
                    p.bidder_name.clone()
                };
                let status = match admissibility::state(p) {
                    PliState::Decided(st) => st,
                    PliState::Pending | PliState::Superseded => {
                        pending.push(id.clone());
                        continue;
                    }
                };
                ids.insert(id.clone(), p.id);
                offers.push(Offer {
                    id,
                    bidder: p.bidder_name.clone(),
                    // Read at load; a pli without a price is never admissible.
                    price: s.prices.get(&p.id).copied().unwrap_or_default(),
                    status,
                });
            }
            let by_pli: HashMap<i32, &str> = offers
                .iter()
                .filter(|o| o.status == OfferStatus::Admissible)
                .filter_map(|o| ids.get(&o.id).map(|p| (*p, o.id.as_str())))
                .collect();
            let notes = s
                .notes
                .iter()
                .filter(|n| submitted.contains(&n.evaluator_id))
                .filter_map(|n| {
                    Some(Note {
                        evaluator: s.names.get(&n.evaluator_id)?.clone(),
                        offer: (*by_pli.get(&n.pli_id)?).to_owned(),
                        criterion: (*code.get(&n.criterion_id)?).to_owned(),
                        value: *s.note_values.get(&n.id)?,
                    })
                })
                .collect();
            let consensus = s
                .consensus
                .iter()
                .filter_map(|n| {
                    Some(ConsensusNote {
                        offer: (*by_pli.get(&n.pli_id)?).to_owned(),
                        criterion: (*code.get(&n.criterion_id)?).to_owned(),
                        value: *s.consensus_values.get(&n.id)?,
                        reason: n.reason.clone(),
                    })
                })
                .collect();
            let mut case = ScoringCase::new(s.tree.clone(), offers, notes);
            case.consensus = consensus;
            LotCase {
                label: l.map_or_else(
                    || s.c.objet.clone(),
                    |l| format!("Lot {} – {}", l.number, l.label),
                ),
                lot: l.cloned(),
                case,
                plis: ids,
                pending,
            }
        })
        .collect()
}

/// The engine's outputs for one lot.
pub struct LotAnalysis {
    pub result: Result<ScoringResult, Vec<String>>,
    pub robustness: Option<RobustnessReport>,
}

/// Scores a lot and runs the robustness panel (errors in French).
#[must_use]
pub fn analyse(lc: &LotCase) -> LotAnalysis {
    let result = scoring::score(&lc.case).map_err(|e| e.iter().map(ToString::to_string).collect());
    let robustness = result
        .as_ref()
        .ok()
        .and_then(|_| scoring::robustness(&lc.case).ok());
    LotAnalysis { result, robustness }
}

/// OAB flags of a lot with the consultation's method (only admissible offers are compared).
///
/// # Errors
/// The French message of an invalid parameter.
pub fn oab(s: &Snapshot, lc: &LotCase) -> Result<Vec<OabFlag>, String> {
    scoring::detect_oab(&lc.case.offers, &admissibility::oab_method(&s.settings))
        .map_err(|e| e.to_string())
}

/// Whether `user` may see the ranking and the individual notes now: plis opened, ranking open,
/// and — for an evaluator — their own sheet submitted (or never started), so that nobody reads
/// the others' notes while still scoring.
///
/// # Errors
/// `Forbidden` (référent, lecteur), `Conflict` with the French reason.
pub fn ensure_ranking_visible(
    s: &Snapshot,
    user: &crate::auth::CurrentUser,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    super::access::ensure_may_see_offers(user)?;
    super::access::ensure_opened(&s.c, now)?;
    if let Gate::Closed(why) = &s.gate {
        return Err(AppError::Conflict(format!(
            "Le classement n'est pas encore établi : {why}"
        )));
    }
    let pending = s
        .sheets
        .iter()
        .any(|x| x.evaluator_id == user.id && x.submitted_at.is_none());
    if pending {
        return Err(AppError::Conflict(
            "Remettez d'abord votre feuille de notation : les notes des autres membres restent masquées jusque-là.".into(),
        ));
    }
    Ok(())
}

/// No acceptable offer (R2185-1, L2152-2 to L2152-4): no pli opened, or every opened pli
/// rejected at the candidature or declared irregular, unacceptable or inappropriate.
///
/// # Errors
/// Database errors.
pub async fn no_acceptable_offer<C: ConnectionTrait>(
    db: &C,
    _gid: i32,
    cid: i32,
) -> Result<bool, AppError> {
    let plis = super::register::list(db, cid).await?;
    Ok(plis
        .iter()
        .filter(|p| !p.hors_delai && !p.superseded)
        .all(|p| {
            p.candidature_status == "irrecevable"
                || matches!(
                    p.offer_status.as_str(),
                    "irreguliere" | "inacceptable" | "inappropriee"
                )
        }))
}
