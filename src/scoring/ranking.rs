//! Scoring of a case and ranking of the admissible offers.
//!
//! Admissible offers are ranked in decreasing order of their total (R2152-6 via DOMAIN §4.3;
//! award to the offre économiquement la plus avantageuse, L2152-7). Ties share a rank and the
//! next rank is skipped (1, 1, 3); tied offers are listed by identifier.
//!
//! A tie at the first rank is broken as the RC announces it (article « Jugement des offres »,
//! `documents/rc.md.hbs`): by the points on the most heavily weighted criterion — when one
//! criterion alone carries the highest weight. Offers still equal stay ex aequo, and the
//! attribution refuses to go on until the coordonnateur departs them (R2152-7 leaves the
//! method to the consultation documents, which announce no other one).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::scoring::divergence::{self, Divergence, MissingNotes};
use crate::scoring::engine::Engine;
use crate::scoring::error::ScoringError;
use crate::scoring::model::{OfferStatus, ScoringCase};

/// Decimal places at which totals are compared. Totals are exact Decimal values (28 significant
/// digits); comparing them at 10⁻²⁰ point only absorbs the rounding of the last digit of a
/// division (1/3 + 1/3 + 1/3 vs 1), so that mathematically equal totals tie.
pub const RANKING_DECIMALS: u32 = 20;

/// An admissible offer with its rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedOffer {
    /// Offer identifier.
    pub offer: String,
    /// Tenderer.
    pub bidder: String,
    /// 1 for the best; tied offers share a rank.
    pub rank: u32,
    /// Exact total out of 100 (round with [`crate::scoring::round_points`] to display).
    pub total: Decimal,
}

/// An offer left out of the formulas and the ranking, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedOffer {
    /// Offer identifier.
    pub offer: String,
    /// Tenderer.
    pub bidder: String,
    /// Why it is excluded (anything but `admissible`).
    pub status: OfferStatus,
}

/// Outcome of [`score`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringResult {
    /// Admissible offers in rank order (ties by offer identifier).
    pub ranking: Vec<RankedOffer>,
    /// Non-admissible offers, by offer identifier.
    pub excluded: Vec<ExcludedOffer>,
    /// Exact points of each admissible offer on each criterion and sub-criterion:
    /// `points[offer][criterion]`.
    pub points: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// Evaluators' notes too far apart (see [`Divergence`]).
    pub divergences: Vec<Divergence>,
    /// Individual notes missing (the mean is over the evaluators who noted).
    pub missing_notes: Vec<MissingNotes>,
}

/// Checks a case without scoring it: every error found, in French.
///
/// # Errors
/// Weights that do not sum (roots to 100, sub-criteria to their parent), duplicate or empty
/// identifiers, scale or price out of range, notes on unknown offers or criteria, on price or
/// split criteria, outside the scale or given twice, consensus notes without reason, evaluated
/// criteria without any note for an admissible offer, price criteria without admissible offer.
pub fn validate(case: &ScoringCase) -> Result<(), Vec<ScoringError>> {
    Engine::prepare(case).map(|_| ())
}

/// Scores and ranks the admissible offers of `case`.
///
/// # Errors
/// Same as [`validate`].
pub fn score(case: &ScoringCase) -> Result<ScoringResult, Vec<ScoringError>> {
    let engine = Engine::prepare(case)?;
    let cells = &engine.cells;
    let table = engine
        .points(cells, &engine.admissible, &engine.formulas())
        // Unreachable after `prepare`, which rejects empty cells; reported rather than panic.
        .map_err(|e| vec![engine.empty_cell_error(e)])?;
    let totals = engine.totals(&table, &engine.admissible, None);
    let ranked = break_first_tie(&engine, &table, rank(&engine, totals));

    let offers = &case.offers;
    let ranking = ranked
        .iter()
        .map(|&(o, rank, total)| RankedOffer {
            offer: offers[o].id.clone(),
            bidder: offers[o].bidder.clone(),
            rank,
            total,
        })
        .collect();
    let points = engine
        .admissible
        .iter()
        .map(|&o| {
            let per_criterion = engine
                .criteria
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.to_owned(), table.get(o, i)))
                .collect();
            (offers[o].id.clone(), per_criterion)
        })
        .collect();
    let mut excluded: Vec<ExcludedOffer> = offers
        .iter()
        .filter(|o| !o.status.is_admissible())
        .map(|o| ExcludedOffer {
            offer: o.id.clone(),
            bidder: o.bidder.clone(),
            status: o.status,
        })
        .collect();
    excluded.sort_by(|a, b| a.offer.cmp(&b.offer));
    let c = &engine.criteria;
    Ok(ScoringResult {
        ranking,
        excluded,
        points,
        divergences: divergence::divergences(
            c,
            &engine.notes,
            cells,
            &engine.admissible,
            case.divergence_ratio,
        ),
        missing_notes: divergence::missing_notes(c, &engine.notes, cells, &engine.admissible),
    })
}

/// Sorts `(offer index, total)` by decreasing total then offer identifier, and gives each its
/// rank: 1 + the number of offers with a strictly greater total (compared at
/// [`RANKING_DECIMALS`] places).
pub(crate) fn rank(
    engine: &Engine<'_>,
    totals: Vec<(usize, Decimal)>,
) -> Vec<(usize, u32, Decimal)> {
    let offers = &engine.case.offers;
    let mut keyed: Vec<(usize, Decimal, Decimal)> = totals
        .into_iter()
        .map(|(o, t)| (o, t, t.round_dp(RANKING_DECIMALS)))
        .collect();
    keyed.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| offers[a.0].id.cmp(&offers[b.0].id))
    });
    let mut out: Vec<(usize, u32, Decimal)> = Vec::with_capacity(keyed.len());
    let mut previous_key = None;
    let mut previous_rank = 0;
    for (position, (o, total, key)) in keyed.into_iter().enumerate() {
        let rank = if previous_key == Some(key) {
            previous_rank
        } else {
            u32::try_from(position + 1).unwrap_or(u32::MAX)
        };
        previous_key = Some(key);
        previous_rank = rank;
        out.push((o, rank, total));
    }
    out
}

/// The root criterion that alone carries the highest weight, if there is one.
fn heaviest_root(engine: &Engine<'_>) -> Option<usize> {
    let roots = &engine.criteria.roots;
    let nodes = &engine.criteria.nodes;
    let max = roots.iter().map(|&r| nodes[r].weight).max()?;
    match roots
        .iter()
        .filter(|&&r| nodes[r].weight == max)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [only] => Some(**only),
        _ => None,
    }
}

/// Re-ranks the offers tied at the first rank by their points on the heaviest criterion (the
/// RC's tie-break); the other ranks are untouched (they already count the whole tied group).
fn break_first_tie(
    engine: &Engine<'_>,
    table: &crate::scoring::engine::PointsTable,
    mut ranked: Vec<(usize, u32, Decimal)>,
) -> Vec<(usize, u32, Decimal)> {
    let tied = ranked.iter().take_while(|r| r.1 == 1).count();
    let Some(h) = heaviest_root(engine).filter(|_| tied > 1) else {
        return ranked;
    };
    let key = |o: usize| table.get(o, h).round_dp(RANKING_DECIMALS);
    let offers = &engine.case.offers;
    let group = &mut ranked[..tied];
    group.sort_by(|a, b| {
        key(b.0)
            .cmp(&key(a.0))
            .then_with(|| offers[a.0].id.cmp(&offers[b.0].id))
    });
    let keys: Vec<Decimal> = group.iter().map(|r| key(r.0)).collect();
    for (i, r) in group.iter_mut().enumerate() {
        let above = keys.iter().filter(|k| **k > keys[i]).count();
        r.1 = 1 + u32::try_from(above).unwrap_or(u32::MAX);
    }
    ranked
}

/// Offer indexes ranked first (several when tied).
pub(crate) fn first_ranked(ranked: &[(usize, u32, Decimal)]) -> Vec<usize> {
    ranked
        .iter()
        .take_while(|r| r.1 == 1)
        .map(|r| r.0)
        .collect()
}
