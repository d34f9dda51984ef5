//! The ranking of each lot as the CAO's procès-verbal names it (`cao::docs::RankingSource`):
//! the offer ranked first (bidder, SIRET, price HT, points), a tie at the first rank, or why no
//! ranking can be used yet. The CAO sits below the analysis of the offers, so this area provides
//! it (wired in `AppState::cao_rankings`).

use super::ranking::{LotRanking, tie_at_first};
use crate::cao::docs::{AwardOutcome, BoxFuture, RankedLot, RankingSource, lot_label};
use crate::error::AppError;
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;
use std::str::FromStr;

/// The rankings of [`super::service::rankings`], for the CAO.
pub struct FromAnalysis;

impl RankingSource for FromAnalysis {
    fn ranked_lots<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        gid: i32,
        cid: i32,
    ) -> BoxFuture<'a, Result<Vec<RankedLot>, AppError>> {
        Box::pin(async move {
            let rs = super::service::rankings(db, gid, cid).await?;
            Ok(rs
                .iter()
                .map(|r| (r.lot_id(), lot_label(r.lot.as_ref()), outcome(r)))
                .collect())
        })
    }
}

/// What the ranking of one lot gives (R2152-7: the best-ranked offer; ties at the first rank
/// must be told apart before any attribution).
#[must_use]
pub fn outcome(r: &LotRanking) -> AwardOutcome {
    let name = |id: i32| {
        r.plis
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| format!("pli n° {id}"), |p| p.bidder_name.clone())
    };
    if r.plis.is_empty() {
        return AwardOutcome::NoPli;
    }
    if let Some(why) = &r.blocked {
        return AwardOutcome::Blocked(why.clone());
    }
    let tie = tie_at_first(r);
    if !tie.is_empty() {
        return AwardOutcome::Tie(tie.into_iter().map(name).collect());
    }
    let Some(first) = r.ranked.first() else {
        return AwardOutcome::Blocked("aucune offre admissible n'a été classée".to_owned());
    };
    let Some(p) = r.plis.iter().find(|p| p.id == first.pli_id) else {
        return AwardOutcome::Blocked(format!("le pli n° {} est introuvable", first.pli_id));
    };
    AwardOutcome::First {
        name: p.bidder_name.clone(),
        siret: p.siret.clone(),
        amount_ht: p
            .price_ht
            .as_deref()
            .and_then(|v| Decimal::from_str(v.trim()).ok()),
        points: first.total,
    }
}
