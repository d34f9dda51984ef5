//! View-models of the register and criteria pages (and their JSON forms for the API).

use super::access;
use super::admissibility::{self, CANDIDATURE, OFFER, PliState};
use super::analysis::{self, Snapshot};
use super::criteria;
use super::criteria_form::{self, Row};
use super::register::{self, CHANNELS};
use crate::consultations::rules::format_eur;
use crate::db::entities::pli;
use crate::scoring::{self, Criterion, CriterionKind, SubCriterion};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// One pli of the opened register.
#[derive(Serialize)]
pub struct PliLine {
    pub id: i32,
    pub lot: String,
    pub bidder: String,
    pub siret: String,
    pub address: String,
    pub email: String,
    pub received: String,
    pub channel: &'static str,
    /// « registre de la plateforme, dépôt n° … » for a pli transcribed from the platform.
    pub provenance: String,
    pub price: String,
    pub late: bool,
    pub superseded: bool,
    /// Neither late nor replaced: it is opened and examined.
    pub openable: bool,
    pub candidature: &'static str,
    pub candidature_code: String,
    pub candidature_reason: String,
    pub offer: &'static str,
    pub offer_code: String,
    pub offer_reason: String,
    pub regularisation: String,
    pub effective: String,
    pub oab_flag: String,
    pub oab_requested_on: String,
    pub oab_answer: String,
    pub oab_decision: String,
    pub oab_decision_reason: String,
}

/// The register page.
#[derive(Serialize)]
pub struct RegisterView {
    pub id: i32,
    pub reference: String,
    pub objet: String,
    pub deadline: String,
    pub opened: bool,
    pub sealed_message: String,
    pub count: usize,
    /// Sealed: only the instants of reception.
    pub receptions: Vec<String>,
    pub lots: Vec<(i32, String)>,
    pub channels: Vec<(&'static str, &'static str)>,
    pub plis: Vec<PliLine>,
    pub oab_method: String,
    pub oab_flags: Vec<String>,
    pub completion_deadline: String,
    pub pending: Vec<String>,
    pub can_edit: bool,
}

/// Where the reception time of a pli comes from: the platform's register, with its deposit
/// number and the time of the transcription.
fn provenance(p: &pli::Model) -> String {
    p.platform_receipt
        .as_deref()
        .map(|r| {
            let entered = p
                .entered_at
                .map(|t| format!(", transcrit le {}", register::paris_label(t)))
                .unwrap_or_default();
            format!("registre de la plateforme, dépôt n° {r}{entered}")
        })
        .unwrap_or_default()
}

fn lot_label(s: &Snapshot, p: &pli::Model) -> String {
    p.lot_id
        .and_then(|id| s.lots.iter().find(|l| l.id == id))
        .map(|l| format!("Lot {}", l.number))
        .unwrap_or_default()
}

/// Builds the register page; the content is filled only once the plis are opened.
#[must_use]
pub fn register(s: &Snapshot, now: DateTime<Utc>, can_edit: bool) -> RegisterView {
    let opened = access::is_opened(&s.c, now);
    let cases = analysis::cases(s);
    let mut flags = Vec::new();
    let mut flagged_plis = Vec::new();
    let mut pending = Vec::new();
    if opened {
        for lc in &cases {
            match analysis::oab(s, lc) {
                Ok(fs) => {
                    for f in fs {
                        if let Some(p) = lc.plis.get(&f.offer) {
                            flagged_plis.push((*p, f.explanation.clone()));
                        }
                        flags.push(f.explanation);
                    }
                }
                Err(e) => flags.push(e),
            }
            pending.extend(lc.pending.iter().map(|p| format!("{} ({})", p, lc.label)));
        }
    }
    let plis = if opened {
        s.plis
            .iter()
            .map(|p| PliLine {
                id: p.id,
                lot: lot_label(s, p),
                bidder: p.bidder_name.clone(),
                siret: p.siret.clone(),
                address: p.address.clone(),
                email: p.contact_email.clone(),
                received: register::paris_label(p.received_at),
                channel: register::channel_label(&p.channel),
                provenance: provenance(p),
                price: p
                    .price_ht
                    .as_deref()
                    .and_then(|v| Decimal::from_str(v).ok())
                    .map(format_eur)
                    .unwrap_or_default(),
                late: p.hors_delai,
                superseded: p.superseded,
                openable: !p.hors_delai && !p.superseded,
                candidature: admissibility::label(&CANDIDATURE, &p.candidature_status),
                candidature_code: p.candidature_status.clone(),
                candidature_reason: p.candidature_reason.clone().unwrap_or_default(),
                offer: admissibility::label(&OFFER, &p.offer_status),
                offer_code: p.offer_status.clone(),
                offer_reason: p.offer_reason.clone().unwrap_or_default(),
                regularisation: p.regularisation.clone().unwrap_or_default(),
                effective: match admissibility::state(p) {
                    PliState::Superseded => "remplacé par un pli ultérieur (R2151-6)".into(),
                    PliState::Pending => "à examiner".into(),
                    PliState::Decided(st) => st.label_fr().into(),
                },
                oab_flag: flagged_plis
                    .iter()
                    .find(|(id, _)| *id == p.id)
                    .map(|(_, e)| e.clone())
                    .unwrap_or_default(),
                oab_requested_on: p
                    .oab_requested_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                oab_answer: p.oab_answer.clone().unwrap_or_default(),
                oab_decision: p.oab_decision.clone().unwrap_or_default(),
                oab_decision_reason: p.oab_decision_reason.clone().unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    RegisterView {
        id: s.c.id,
        reference: s.c.reference.clone(),
        objet: s.c.objet.clone(),
        deadline: access::deadline_label(&s.c),
        opened,
        sealed_message: access::ensure_opened(&s.c, now)
            .err()
            .map(|e| e.message())
            .unwrap_or_default(),
        count: s.plis.len(),
        receptions: s
            .plis
            .iter()
            .map(|p| {
                let at = register::paris_label(p.received_at);
                // While sealed, only instants: the deposit number stays with the opened
                // register (a platform may build it from the bidder's name).
                match (p.platform_receipt.as_ref(), p.entered_at) {
                    (Some(_), Some(t)) => format!(
                        "{at} (registre de la plateforme, transcrit le {})",
                        register::paris_label(t)
                    ),
                    (Some(_), None) => format!("{at} (registre de la plateforme)"),
                    (None, _) => at,
                }
            })
            .collect(),
        lots: s
            .lots
            .iter()
            .map(|l| (l.id, format!("Lot {} – {}", l.number, l.label)))
            .collect(),
        channels: CHANNELS.to_vec(),
        plis,
        oab_method: crate::offers::oab::describe(&admissibility::oab_method(&s.settings)),
        oab_flags: flags,
        completion_deadline: s
            .settings
            .completion_deadline
            .as_deref()
            .and_then(|d| register::parse_paris_instant(d).ok())
            .map(register::paris_label)
            .unwrap_or_default(),
        pending,
        can_edit,
    }
}

/// One criterion in the tree display.
#[derive(Serialize)]
pub struct TreeLine {
    pub depth: usize,
    pub code: String,
    pub label: String,
    pub weight: String,
    pub kind: String,
    pub environmental: bool,
}

/// The criteria page.
#[derive(Serialize)]
pub struct CriteriaView {
    pub id: i32,
    pub reference: String,
    pub lines: Vec<TreeLine>,
    pub rows: Vec<Row>,
    pub errors: Vec<String>,
    pub env_warning: String,
    pub editable: bool,
    pub formulas: Vec<(&'static str, &'static str)>,
}

fn fr(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// The tree as indented lines.
#[must_use]
pub fn tree_lines(tree: &[Criterion]) -> Vec<TreeLine> {
    fn subs(list: &[SubCriterion], depth: usize, out: &mut Vec<TreeLine>) {
        for s in list {
            out.push(TreeLine {
                depth,
                code: s.id.clone(),
                label: s.label.clone(),
                weight: fr(s.weight),
                kind: String::new(),
                environmental: s.environmental,
            });
            subs(&s.sub_criteria, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for c in tree {
        out.push(TreeLine {
            depth: 0,
            code: c.id.clone(),
            label: c.label.clone(),
            weight: fr(c.weight),
            kind: match c.kind {
                CriterionKind::Price { formula } => format!("prix, formule {}", formula.label_fr()),
                CriterionKind::Evaluated { scale } => format!("noté sur {}", fr(scale)),
            },
            environmental: c.environmental,
        });
        subs(&c.sub_criteria, 1, &mut out);
    }
    out
}

/// The environmental warning (L2152-7) for the launch date (today when not fixed).
#[must_use]
pub fn env_warning(tree: &[Criterion], launch: chrono::NaiveDate) -> String {
    scoring::check_environmental(tree, launch)
        .map(|w| w.message)
        .unwrap_or_default()
}

/// Builds the criteria page; `rows` re-shows a refused form.
#[must_use]
pub fn criteria_page(
    s: &Snapshot,
    today: chrono::NaiveDate,
    editable: bool,
    rows: Option<Vec<Row>>,
) -> CriteriaView {
    let errors = if s.tree.is_empty() {
        vec!["Aucun critère n'est encore défini.".to_owned()]
    } else {
        criteria::validate(&s.tree).err().unwrap_or_default()
    };
    CriteriaView {
        id: s.c.id,
        reference: s.c.reference.clone(),
        lines: tree_lines(&s.tree),
        rows: rows.unwrap_or_else(|| criteria_form::rows_of(&s.tree)),
        errors,
        env_warning: env_warning(&s.tree, s.c.launch_date.unwrap_or(today)),
        editable,
        formulas: scoring::PriceFormula::ALL
            .iter()
            .map(|f| {
                let code = match f {
                    scoring::PriceFormula::Proportional => "proportional",
                    scoring::PriceFormula::LinearRelative => "linear_relative",
                    scoring::PriceFormula::MinMax => "min_max",
                };
                (code, f.label_fr())
            })
            .collect(),
    }
}
