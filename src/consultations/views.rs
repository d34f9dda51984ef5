//! View-models of the consultation pages and API.

use super::lifecycle::Status;
use super::model::{Ccag, money, next_deadline, ttc};
use super::service::{Detail, offers_deadline};
use super::timeline;
use crate::calendar::french_date;
use crate::db::entities::consultation;
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// A line of the consultations list (and of the dashboard).
#[derive(Serialize)]
pub struct ListLine {
    pub id: i32,
    pub reference: String,
    pub objet: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub next_deadline: String,
}

/// Lines grouped by state, in lifecycle order.
#[derive(Serialize)]
pub struct StateGroup {
    pub status_label: &'static str,
    pub lines: Vec<ListLine>,
}

/// Builds the list line of a consultation (next deadline from its launch date only: the
/// cheap form for lists; the page shows the full calendar).
#[must_use]
pub fn list_line(c: &consultation::Model) -> ListLine {
    let status = Status::from_code(&c.status).unwrap_or(Status::Brouillon);
    let next = match status {
        Status::Publiee => offers_deadline(c).map(|o| {
            format!(
                "remise des offres le {} à {}",
                french_date(o.date()),
                o.format("%H:%M")
            )
        }),
        _ => next_deadline(status, c.launch_date, None)
            .map(|(l, d)| format!("{l} {}", french_date(d))),
    };
    ListLine {
        id: c.id,
        reference: c.reference.clone(),
        objet: c.objet.clone(),
        status: status.code(),
        status_label: status.label(),
        next_deadline: next.unwrap_or_default(),
    }
}

/// Groups consultations by state.
#[must_use]
pub fn by_state(cs: &[consultation::Model]) -> Vec<StateGroup> {
    let mut groups: Vec<StateGroup> = Vec::new();
    let mut lines: Vec<(Status, ListLine)> = cs
        .iter()
        .map(|c| {
            (
                Status::from_code(&c.status).unwrap_or(Status::Brouillon),
                list_line(c),
            )
        })
        .collect();
    lines.sort_by_key(|(s, _)| *s as u8);
    for (s, l) in lines {
        match groups.last_mut() {
            Some(g) if g.status_label == s.label() => g.lines.push(l),
            _ => groups.push(StateGroup {
                status_label: s.label(),
                lines: vec![l],
            }),
        }
    }
    groups
}

#[derive(Serialize)]
pub struct NeedLine {
    pub member: String,
    pub amount_ht: String,
    pub options_ht: String,
    pub renewals_ht: String,
    pub quantity: String,
    pub total_ht: String,
}

#[derive(Serialize)]
pub struct LotView {
    pub id: i32,
    pub number: i32,
    pub label: String,
    pub needs: Vec<NeedLine>,
    pub total_ht: String,
    pub total_ttc: String,
}

#[derive(Serialize)]
pub struct DateLine {
    pub label: &'static str,
    pub date: String,
}

#[derive(Serialize)]
pub struct TransitionButton {
    pub code: &'static str,
    pub label: &'static str,
    pub needs_motif: bool,
}

/// The consultation page as kept in cache: its title and its view.
pub struct ShowPage {
    pub title: String,
    pub view: ShowView,
}

/// The consultation page.
#[derive(Serialize)]
pub struct ShowView {
    pub id: i32,
    pub reference: String,
    pub objet: String,
    pub nature: &'static str,
    pub cpv: String,
    pub ccag: String,
    pub vat_rate: String,
    pub status_label: &'static str,
    pub status_motif: String,
    pub lots: Vec<LotView>,
    pub total_ht: String,
    pub total_ttc: String,
    pub proposal_ok: bool,
    pub proposal_error: String,
    pub procedure_label: String,
    /// The technique d'achat (L2125-1) in words.
    pub technique_label: String,
    pub proposed_label: String,
    pub procedure_chosen: bool,
    pub procedure_justification: String,
    pub reasons: Vec<String>,
    pub publicity: String,
    pub cao_required: bool,
    pub env_criterion_required: bool,
    pub dates: Vec<DateLine>,
    pub warnings: Vec<String>,
    pub calendar_error: String,
    pub timeline_svg: String,
    pub transitions: Vec<TransitionButton>,
    pub members: Vec<(i32, String)>,
    pub editable: bool,
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

/// Builds the page from the read model.
#[must_use]
pub fn show(d: &Detail, members: Vec<(i32, String)>, today: chrono::NaiveDate) -> ShowView {
    let vat = dec(&d.c.vat_rate);
    let lots = d
        .lots
        .iter()
        .map(|l| LotView {
            id: l.lot.id,
            number: l.lot.number,
            label: l.lot.label.clone(),
            needs: l
                .needs
                .iter()
                .map(|(n, name)| NeedLine {
                    member: name.clone(),
                    amount_ht: money(dec(&n.amount_ht)),
                    options_ht: money(dec(&n.options_ht)),
                    renewals_ht: money(dec(&n.renewals_ht)),
                    quantity: n
                        .quantity
                        .clone()
                        .map(|q| format!("{q} {}", n.unit.clone().unwrap_or_default()))
                        .unwrap_or_default(),
                    total_ht: money(dec(&n.amount_ht) + dec(&n.options_ht) + dec(&n.renewals_ht)),
                })
                .collect(),
            total_ht: money(l.total_ht),
            total_ttc: money(ttc(l.total_ht, vat)),
        })
        .collect();
    let (mut dates, mut warnings, mut calendar_error, mut svg) =
        (Vec::new(), Vec::new(), String::new(), String::new());
    let cal = d.calendar.as_ref().and_then(|r| r.as_ref().ok());
    if let Some(Err(e)) = &d.calendar {
        calendar_error.clone_from(e);
    }
    if let Some(c) = cal {
        let mut add = |label, v: Option<String>| {
            if let Some(date) = v {
                dates.push(DateLine { label, date });
            }
        };
        add(
            "Envoi de l'avis (lancement)",
            d.c.launch_date.map(french_date),
        );
        add("Point de départ du délai", Some(french_date(c.delay_start)));
        add(
            "Date minimale de remise des offres",
            c.earliest_offers_date.map(french_date),
        );
        add(
            "Remise des offres",
            c.offers_deadline
                .as_ref()
                .map(crate::calendar::french_datetime),
        );
        add(
            "Dernier jour pour répondre aux questions",
            c.answers_deadline.map(french_date),
        );
        add(
            "Validité des offres jusqu'au",
            c.offers_valid_until.map(french_date),
        );
        add(
            "Dernier jour du délai de suspension",
            c.standstill_last_day.map(french_date),
        );
        add(
            "Signature possible à partir du",
            c.earliest_signature.map(french_date),
        );
        add(
            "Avis d'attribution à envoyer avant le",
            c.avis_attribution_due.map(french_date),
        );
        add(
            "Données essentielles à publier avant le",
            c.decp_due.map(french_date),
        );
        warnings = c
            .warnings
            .iter()
            .map(|w| format!("{} ({})", w.message, w.article))
            .collect();
        warnings.extend(c.notes.iter().cloned());
        svg = timeline::svg(&timeline::milestones(d.c.launch_date, Some(c)), today);
    }
    let p = d.proposal.as_ref().ok();
    let editable = matches!(
        d.status,
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier
    );
    ShowView {
        id: d.c.id,
        reference: d.c.reference.clone(),
        objet: d.c.objet.clone(),
        nature: d.nature.label(),
        cpv: d.c.cpv.clone(),
        ccag: Ccag::parse(&d.c.ccag).map_or_else(|_| d.c.ccag.clone(), |c| c.label().to_owned()),
        vat_rate: d.c.vat_rate.clone(),
        status_label: d.status.label(),
        status_motif: d.c.status_motif.clone().unwrap_or_default(),
        lots,
        total_ht: money(d.total_ht),
        total_ttc: money(ttc(d.total_ht, vat)),
        proposal_ok: p.is_some(),
        proposal_error: d.proposal.as_ref().err().cloned().unwrap_or_default(),
        technique_label: d.c.technique.label().to_owned(),
        procedure_label: d
            .procedure
            .map(|k| k.label().to_owned())
            .unwrap_or_default(),
        proposed_label: p.map(|p| p.procedure_label.to_owned()).unwrap_or_default(),
        procedure_chosen: d.c.procedure_chosen.is_some(),
        procedure_justification: d.c.procedure_justification.clone().unwrap_or_default(),
        reasons: p.map(|p| p.reasons.clone()).unwrap_or_default(),
        publicity: p.map(|p| p.publicity.label.to_string()).unwrap_or_default(),
        cao_required: p.is_some_and(|p| p.cao_required),
        env_criterion_required: p.is_some_and(|p| p.env_criterion_required),
        dates,
        warnings,
        calendar_error,
        timeline_svg: svg,
        transitions: d
            .status
            .allowed_targets()
            .iter()
            .map(|s| TransitionButton {
                code: s.code(),
                label: s.label(),
                needs_motif: matches!(s, Status::SansSuite | Status::Infructueuse),
            })
            .collect(),
        members,
        editable,
    }
}
