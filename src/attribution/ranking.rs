//! What the attribution needs from the analysis of the offers, per lot: the plis in rank
//! order with their points per main criterion, the plis left out with their reason, and
//! every bidder of the lot (all of them receive a letter). Pure over the offers snapshot.

use super::letters::{Mark, Party};
use crate::db::entities::{lot, pli};
use crate::offers::admissibility::{self, PliState};
use crate::offers::analysis::{self, Snapshot};
use crate::offers::evaluation::Gate;
use crate::scoring::OfferStatus;
use rust_decimal::Decimal;

/// A ranked pli.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub pli_id: i32,
    pub rank: u32,
    pub total: Decimal,
    pub marks: Vec<Mark>,
}

/// The outcome of the analysis of one lot.
#[derive(Debug, Clone)]
pub struct LotRanking {
    pub lot: Option<lot::Model>,
    pub label: String,
    /// Admissible plis in rank order.
    pub ranked: Vec<Ranked>,
    /// Why the ranking cannot be used yet (French), when it cannot.
    pub blocked: Option<String>,
    /// Every pli of the lot that is not replaced by a later one (received, late, rejected).
    pub plis: Vec<pli::Model>,
}

impl LotRanking {
    #[must_use]
    pub fn lot_id(&self) -> Option<i32> {
        self.lot.as_ref().map(|l| l.id)
    }

    #[must_use]
    pub fn ranked(&self, pli_id: i32) -> Option<&Ranked> {
        self.ranked.iter().find(|r| r.pli_id == pli_id)
    }

    /// Pli ids in rank order.
    #[must_use]
    pub fn order(&self) -> Vec<i32> {
        self.ranked.iter().map(|r| r.pli_id).collect()
    }

    /// Tenderers whose offers were opened (R2182-2: a single one exempts from standstill).
    #[must_use]
    pub fn tenderers(&self) -> usize {
        self.plis.iter().filter(|p| !p.hors_delai).count()
    }
}

/// The bidder of a pli as the letters name it.
#[must_use]
pub fn party(p: &pli::Model) -> Party {
    Party {
        name: p.bidder_name.clone(),
        address: p.address.clone(),
        email: p.contact_email.clone(),
        siret: p.siret.clone(),
    }
}

/// Why a pli that is not ranked is rejected (R2181-3 al. 1), in French.
#[must_use]
pub fn exclusion_reason(p: &pli::Model) -> (&'static str, String) {
    if p.hors_delai {
        return (
            "offre",
            "votre pli est parvenu après la date et l'heure limites de remise des offres : il n'a pas été ouvert (R2151-5)".into(),
        );
    }
    if p.candidature_status == "irrecevable" {
        let why = p.candidature_reason.clone().unwrap_or_default();
        return (
            "candidature",
            format!("votre candidature est irrecevable : {}", why.trim()),
        );
    }
    let why = p.offer_reason.clone().unwrap_or_default();
    let what = match p.offer_status.as_str() {
        "irreguliere" => "irrégulière (L2152-2)",
        "inacceptable" => "inacceptable (L2152-3)",
        "inappropriee" => "inappropriée (L2152-4)",
        _ => "non retenue",
    };
    let mut reason = format!("votre offre est {what}");
    if !why.trim().is_empty() {
        reason.push_str(" : ");
        reason.push_str(why.trim());
    }
    if p.oab_decision.as_deref() == Some("rejetee") {
        reason = format!(
            "votre offre est anormalement basse et les justifications fournies n'ont pas permis d'en expliquer le bas niveau (R2152-3) : {}",
            p.oab_decision_reason.clone().unwrap_or_default().trim()
        );
    }
    ("offre", reason)
}

/// The rankings of every lot of the consultation.
#[must_use]
pub fn rankings(s: &Snapshot) -> Vec<LotRanking> {
    analysis::cases(s)
        .into_iter()
        .map(|lc| {
            let plis: Vec<pli::Model> = s
                .plis
                .iter()
                .filter(|p| {
                    p.lot_id == lc.lot.as_ref().map(|l| l.id)
                        || (lc.lot.is_none() && s.lots.is_empty())
                })
                .filter(|p| admissibility::state(p) != PliState::Superseded)
                .cloned()
                .collect();
            let mut blocked = match &s.gate {
                Gate::Closed(why) => Some(format!("le classement n'est pas établi : {why}")),
                Gate::Open { .. } => None,
            };
            if blocked.is_none() && !lc.pending.is_empty() {
                blocked = Some(format!(
                    "des plis restent à examiner : {}",
                    lc.pending.join(", ")
                ));
            }
            let mut ranked = Vec::new();
            match analysis::analyse(&lc).result {
                Ok(result) if blocked.is_none() => {
                    for r in &result.ranking {
                        let Some(pli_id) = lc.plis.get(&r.offer).copied() else {
                            continue;
                        };
                        let marks = s
                            .tree
                            .iter()
                            .map(|c| Mark {
                                criterion: c.label.clone(),
                                max: c.weight,
                                score: result
                                    .points
                                    .get(&r.offer)
                                    .and_then(|p| p.get(&c.id))
                                    .copied()
                                    .unwrap_or_default(),
                            })
                            .collect();
                        ranked.push(Ranked {
                            pli_id,
                            rank: r.rank,
                            total: r.total,
                            marks,
                        });
                    }
                    if result
                        .excluded
                        .iter()
                        .all(|e| e.status != OfferStatus::Admissible)
                        && ranked.is_empty()
                    {
                        blocked = Some("aucune offre admissible n'a été classée".into());
                    }
                }
                Ok(_) => {}
                Err(errors) => {
                    if blocked.is_none() {
                        blocked = Some(format!(
                            "la notation est incomplète : {}",
                            errors.join(" ; ")
                        ));
                    }
                }
            }
            LotRanking {
                label: lc.label.clone(),
                lot: lc.lot.clone(),
                ranked,
                blocked,
                plis,
            }
        })
        .collect()
}

/// Ties at the first rank must be broken before any attribution (the rapport d'analyse says
/// so): the names of the plis sharing rank 1, when there are several.
#[must_use]
pub fn tie_at_first(r: &LotRanking) -> Vec<i32> {
    let firsts: Vec<i32> = r
        .ranked
        .iter()
        .filter(|x| x.rank == 1)
        .map(|x| x.pli_id)
        .collect();
    if firsts.len() > 1 { firsts } else { Vec::new() }
}
