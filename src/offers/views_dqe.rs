//! View-model of the DQE page of a pli: the stored unit prices, the material errors (announced
//! vs recomputed, cell by cell) and the decision on them.

use super::dqe_prices::{self, PageData};
use super::dqe_rules::Retained;
use super::register;
use crate::consultations::rules::format_eur;
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

fn eur(s: &str) -> String {
    Decimal::from_str(s).map(format_eur).unwrap_or_default()
}

/// One priced line.
#[derive(Serialize)]
pub struct LineView {
    pub code: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

/// One material error.
#[derive(Serialize)]
pub struct ErrorView {
    pub sheet: String,
    pub cell: String,
    pub what: String,
    pub announced: String,
    pub computed: String,
}

/// The DQE page.
#[derive(Serialize)]
pub struct DqeView {
    pub cid: i32,
    pub reference: String,
    pub pli_id: i32,
    pub bidder: String,
    pub lot: String,
    pub price: String,
    /// Neither late nor replaced.
    pub openable: bool,
    pub can_edit: bool,
    pub bpu_version: Option<i32>,
    pub stored: bool,
    pub file_name: String,
    pub sha256: String,
    pub uploaded: String,
    pub lines: Vec<LineView>,
    pub total: String,
    pub announced_total: String,
    pub errors: Vec<ErrorView>,
    pub error_count: usize,
    pub decision_pending: bool,
    pub decision: String,
    pub decision_reason: String,
}

/// Builds the page; `can_edit` for the coordonnateur.
#[must_use]
pub fn page(d: &PageData, can_edit: bool) -> DqeView {
    let openable = !d.p.hors_delai && !d.p.superseded;
    let mut v = DqeView {
        cid: d.c.id,
        reference: d.c.reference.clone(),
        pli_id: d.p.id,
        bidder: d.p.bidder_name.clone(),
        lot: d.lot.map(|n| format!("Lot {n}")).unwrap_or_default(),
        price: d.p.price_ht.as_deref().map(eur).unwrap_or_default(),
        openable,
        can_edit: can_edit && openable,
        bpu_version: d.bpu,
        stored: false,
        file_name: String::new(),
        sha256: String::new(),
        uploaded: String::new(),
        lines: Vec::new(),
        total: String::new(),
        announced_total: String::new(),
        errors: Vec::new(),
        error_count: 0,
        decision_pending: false,
        decision: String::new(),
        decision_reason: String::new(),
    };
    let Some((dqe, lines)) = &d.dqe else {
        return v;
    };
    v.stored = true;
    v.file_name.clone_from(&dqe.file_name);
    v.sha256.clone_from(&dqe.sha256);
    v.uploaded = format!(
        "{} par {}",
        register::paris_label(dqe.created_at),
        dqe.created_by
    );
    v.lines = lines
        .iter()
        .map(|l| LineView {
            code: l.code.clone(),
            quantity: l.quantity.replace('.', ","),
            unit_price: eur(&l.unit_price_ht),
            amount: eur(&l.amount_ht),
        })
        .collect();
    v.total = eur(&dqe.total_ht);
    v.announced_total = eur(&dqe.announced_total_ht);
    v.errors = dqe_prices::material_errors(dqe)
        .into_iter()
        .map(|e| ErrorView {
            sheet: e.sheet,
            cell: e.cell,
            what: e.what,
            announced: format_eur(e.announced),
            computed: format_eur(e.computed),
        })
        .collect();
    v.error_count = v.errors.len();
    v.decision_pending = !v.errors.is_empty() && dqe.decided_at.is_none();
    if let (Some(code), Some(at)) = (&dqe.retained, dqe.decided_at) {
        v.decision = format!(
            "{} : {}, décidé le {} par {}",
            Retained::from_code(code).map_or("", Retained::label),
            dqe.retained_total_ht
                .as_deref()
                .map(eur)
                .unwrap_or_default(),
            register::paris_label(at),
            dqe.decided_by.clone().unwrap_or_default()
        );
        v.decision_reason = dqe.decision_reason.clone().unwrap_or_default();
    }
    v
}
