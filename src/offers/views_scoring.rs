//! View-models of the scoring sheet, the progress of the evaluators and the ranking page.

use super::analysis::{self, LotCase, Snapshot};
use super::chart::{self, Bar};
use super::evaluation::{Gate, Grid};
use crate::auth::CurrentUser;
use crate::consultations::rules::format_eur;
use crate::scoring::{self, CriterionKind, format_points};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// One evaluator's progress (names and counts only).
#[derive(Serialize)]
pub struct Progress {
    pub evaluator_id: i32,
    pub name: String,
    pub notes: usize,
    pub submitted: bool,
    pub status: String,
}

/// One cell of the caller's sheet.
#[derive(Serialize)]
pub struct Cell {
    pub note_field: String,
    pub just_field: String,
    pub label: String,
    pub scale: String,
    pub note: String,
    pub justification: String,
}

/// One offer of the caller's sheet.
#[derive(Serialize)]
pub struct SheetRow {
    pub bidder: String,
    pub cells: Vec<Cell>,
}

/// The scoring page.
#[derive(Serialize)]
pub struct NotationView {
    pub id: i32,
    pub reference: String,
    pub is_evaluator: bool,
    pub is_president: bool,
    pub grid_error: String,
    pub submitted: bool,
    pub reopen_reason: String,
    pub rows: Vec<SheetRow>,
    pub progress: Vec<Progress>,
    pub expected: usize,
    pub gate_open: bool,
    pub gate_message: String,
    pub can_force: bool,
}

fn fr(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// Names and counts of every sheet (never the notes).
#[must_use]
pub fn progress(s: &Snapshot) -> Vec<Progress> {
    s.sheets
        .iter()
        .map(|sh| {
            let n = s
                .notes
                .iter()
                .filter(|n| n.evaluator_id == sh.evaluator_id)
                .count();
            Progress {
                evaluator_id: sh.evaluator_id,
                name: s.names.get(&sh.evaluator_id).cloned().unwrap_or_default(),
                notes: n,
                submitted: sh.submitted_at.is_some(),
                status: match (sh.submitted_at, &sh.reopen_reason) {
                    (Some(_), _) => "remise".into(),
                    (None, Some(r)) => format!("rouverte par le président : {r}"),
                    (None, None) => "en cours".into(),
                },
            }
        })
        .collect()
}

/// Builds the scoring page for `user`: their own sheet only.
#[must_use]
pub fn notation(
    s: &Snapshot,
    user: &CurrentUser,
    grid: Result<&Grid, String>,
    is_coordonnateur: bool,
) -> NotationView {
    let mine = s.sheets.iter().find(|x| x.evaluator_id == user.id);
    let (rows, grid_error, expected) = match grid {
        Ok(g) => (
            g.plis
                .iter()
                .map(|p| SheetRow {
                    bidder: p.bidder_name.clone(),
                    cells: g
                        .leaves
                        .iter()
                        .map(|(c, scale)| {
                            let n = s.notes.iter().find(|n| {
                                n.evaluator_id == user.id
                                    && n.pli_id == p.id
                                    && n.criterion_id == c.id
                            });
                            Cell {
                                note_field: format!("note_{}_{}", p.id, c.id),
                                just_field: format!("just_{}_{}", p.id, c.id),
                                label: c.label.clone(),
                                scale: fr(*scale),
                                note: n.map(|n| n.note.replace('.', ",")).unwrap_or_default(),
                                justification: n
                                    .map(|n| n.justification.clone())
                                    .unwrap_or_default(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            String::new(),
            g.plis.len() * g.leaves.len(),
        ),
        Err(e) => (Vec::new(), e, 0),
    };
    let submitted_any = s.sheets.iter().any(|x| x.submitted_at.is_some());
    NotationView {
        id: s.c.id,
        reference: s.c.reference.clone(),
        is_evaluator: super::access::is_evaluator(user),
        is_president: super::access::is_president(user),
        grid_error,
        submitted: mine.is_some_and(|m| m.submitted_at.is_some()),
        reopen_reason: mine
            .and_then(|m| m.reopen_reason.clone())
            .unwrap_or_default(),
        rows,
        progress: progress(s),
        expected,
        gate_open: matches!(s.gate, Gate::Open { .. }),
        gate_message: match &s.gate {
            Gate::Open { forced: false } => {
                "Toutes les feuilles sont remises : le classement est ouvert.".into()
            }
            Gate::Open { forced: true } => {
                "Classement ouvert à la demande du coordonnateur, sur les seules feuilles remises."
                    .into()
            }
            Gate::Closed(m) => m.clone(),
        },
        can_force: is_coordonnateur && matches!(s.gate, Gate::Closed(_)) && submitted_any,
    }
}

/// One ranked offer.
#[derive(Serialize)]
pub struct RankLine {
    pub rank: u32,
    pub bidder: String,
    pub price: String,
    pub points: Vec<String>,
    pub total: String,
}

/// One scenario of the robustness panel.
#[derive(Serialize)]
pub struct Scenario {
    pub description: String,
    pub conclusion: String,
    pub changed: bool,
}

/// One individual note, shown once the ranking is open.
#[derive(Serialize)]
pub struct NoteLine {
    pub bidder: String,
    pub criterion: String,
    pub evaluator: String,
    pub note: String,
    pub justification: String,
}

/// One lot of the ranking page.
#[derive(Serialize)]
pub struct LotRanking {
    pub label: String,
    pub lot_id: Option<i32>,
    pub roots: Vec<String>,
    pub ranking: Vec<RankLine>,
    pub excluded: Vec<(String, &'static str)>,
    pub divergences: Vec<String>,
    pub missing: Vec<String>,
    pub errors: Vec<String>,
    pub pending: Vec<String>,
    pub svg: String,
    pub stable: bool,
    pub scenarios: Vec<Scenario>,
    pub notes: Vec<NoteLine>,
    pub consensus: Vec<NoteLine>,
    /// (pli id, bidder) and (criterion code, label) for the président's consensus form.
    pub offers: Vec<(i32, String)>,
    pub leaves: Vec<(String, String)>,
}

/// The ranking page.
#[derive(Serialize)]
pub struct RankingView {
    pub id: i32,
    pub reference: String,
    pub basis: String,
    pub lots: Vec<LotRanking>,
    pub is_president: bool,
}

fn pts(d: Decimal) -> String {
    format_points(d).replace('.', ",")
}

/// Builds one lot's ranking from the engine's outputs.
#[must_use]
pub fn lot_ranking(s: &Snapshot, lc: &LotCase) -> LotRanking {
    let a = analysis::analyse(lc);
    let roots: Vec<String> = s
        .tree
        .iter()
        .map(|c| format!("{} ({})", c.label, fr(c.weight)))
        .collect();
    let code_of: std::collections::HashMap<i32, (&str, &str)> = s
        .rows
        .iter()
        .map(|r| (r.id, (r.code.as_str(), r.label.as_str())))
        .collect();
    let offer_name = |pid: i32| {
        lc.plis
            .iter()
            .find(|(_, p)| **p == pid)
            .map(|(o, _)| o.clone())
    };
    let submitted: std::collections::HashSet<i32> = s
        .sheets
        .iter()
        .filter(|x| x.submitted_at.is_some())
        .map(|x| x.evaluator_id)
        .collect();
    let notes = s
        .notes
        .iter()
        .filter(|n| submitted.contains(&n.evaluator_id))
        .filter_map(|n| {
            Some(NoteLine {
                bidder: offer_name(n.pli_id)?,
                criterion: code_of.get(&n.criterion_id)?.1.to_owned(),
                evaluator: s.names.get(&n.evaluator_id).cloned().unwrap_or_default(),
                note: n.note.replace('.', ","),
                justification: n.justification.clone(),
            })
        })
        .collect();
    let consensus = s
        .consensus
        .iter()
        .filter_map(|n| {
            Some(NoteLine {
                bidder: offer_name(n.pli_id)?,
                criterion: code_of.get(&n.criterion_id)?.1.to_owned(),
                evaluator: "consensus (président)".into(),
                note: n.note.replace('.', ","),
                justification: n.reason.clone(),
            })
        })
        .collect();
    let mut view = LotRanking {
        label: lc.label.clone(),
        lot_id: lc.lot.as_ref().map(|l| l.id),
        roots: roots.clone(),
        ranking: Vec::new(),
        excluded: Vec::new(),
        divergences: Vec::new(),
        missing: Vec::new(),
        errors: Vec::new(),
        pending: lc.pending.clone(),
        svg: String::new(),
        stable: true,
        scenarios: Vec::new(),
        notes,
        consensus,
        offers: lc
            .case
            .offers
            .iter()
            .filter(|o| o.status.is_admissible())
            .filter_map(|o| lc.plis.get(&o.id).map(|p| (*p, o.id.clone())))
            .collect(),
        leaves: super::criteria::evaluated_leaves(&s.tree)
            .into_iter()
            .map(|(c, l, _)| (c, l))
            .collect(),
    };
    match a.result {
        Ok(r) => {
            let mut bars = Vec::new();
            for ro in &r.ranking {
                let p = r.points.get(&ro.offer);
                let segs: Vec<Decimal> = s
                    .tree
                    .iter()
                    .map(|c| p.and_then(|p| p.get(&c.id)).copied().unwrap_or_default())
                    .collect();
                let price = lc
                    .case
                    .offers
                    .iter()
                    .find(|o| o.id == ro.offer)
                    .map(|o| format_eur(o.price))
                    .unwrap_or_default();
                view.ranking.push(RankLine {
                    rank: ro.rank,
                    bidder: ro.offer.clone(),
                    price,
                    points: segs.iter().map(|d| pts(*d)).collect(),
                    total: pts(ro.total),
                });
                bars.push(Bar {
                    label: ro.offer.clone(),
                    segments: segs,
                    total: pts(ro.total),
                });
            }
            view.svg =
                chart::stacked_bars(&format!("Points par critère — {}", lc.label), &roots, &bars);
            view.excluded = r
                .excluded
                .iter()
                .map(|e| (e.offer.clone(), e.status.label_fr()))
                .collect();
            view.divergences = r
                .divergences
                .iter()
                .map(scoring::Divergence::message)
                .collect();
            view.missing = r
                .missing_notes
                .iter()
                .map(|m| {
                    format!(
                        "Offre « {} », critère « {} » : note manquante de {}",
                        m.offer,
                        m.criterion,
                        m.evaluators.join(", ")
                    )
                })
                .collect();
        }
        Err(e) => view.errors = e,
    }
    if let Some(rb) = a.robustness {
        view.stable = rb.stable;
        view.scenarios = rb
            .scenarios
            .into_iter()
            .map(|x| Scenario {
                description: x.description,
                conclusion: x.conclusion,
                changed: x.changed,
            })
            .collect();
    }
    view
}

/// Builds the ranking page.
#[must_use]
pub fn ranking(s: &Snapshot, user: &CurrentUser) -> RankingView {
    let submitted = s.sheets.iter().filter(|x| x.submitted_at.is_some()).count();
    RankingView {
        id: s.c.id,
        reference: s.c.reference.clone(),
        basis: match &s.gate {
            Gate::Open { forced: true } => format!(
                "Classement établi à la demande du coordonnateur sur les {submitted} feuille(s) remise(s) sur {} ; les feuilles non remises sont écartées.",
                s.sheets.len()
            ),
            _ => format!(
                "Classement établi sur les {submitted} feuille(s) de notation remise(s) (toutes)."
            ),
        },
        lots: analysis::cases(s)
            .iter()
            .map(|lc| lot_ranking(s, lc))
            .collect(),
        is_president: super::access::is_president(user),
    }
}

/// Whether a price criterion exists (for the report's price formula text).
#[must_use]
pub fn price_roots(s: &Snapshot) -> Vec<(String, Decimal, scoring::PriceFormula)> {
    s.tree
        .iter()
        .filter_map(|c| match c.kind {
            CriterionKind::Price { formula } => Some((c.label.clone(), c.weight, formula)),
            CriterionKind::Evaluated { .. } => None,
        })
        .collect()
}

/// A decimal string of the store, formatted in euros.
#[must_use]
pub fn eur(s: &str) -> String {
    Decimal::from_str(s).map(format_eur).unwrap_or_default()
}
