//! View-model of a séance (page and API): agenda, convocation, attendance and quorum,
//! declarations, votes and results, observations, signatures, and what the caller may do.

use super::model::{SeanceStatus, convocation_recipients, may_manage, person_key};
use super::rules::convocation::convocation_warning;
use super::rules::deliberation::DeliberationResult;
use super::store::SeanceData;
use crate::auth::{CurrentUser, Role};
use crate::calendar::{french_date, french_date_with_weekday};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A person of the composition at the séance's date.
#[derive(Serialize, Clone)]
pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub role: String,
    pub member: String,
    pub present: bool,
}

/// The quorum.
#[derive(Serialize)]
pub struct QuorumView {
    pub reached: bool,
    pub voting_present: usize,
    pub required: usize,
    pub seats: usize,
    pub explanation: String,
}

/// A voter or a present person without vote.
#[derive(Serialize)]
pub struct RollLine {
    pub name: String,
    pub detail: String,
}

/// A declaration or a vote.
#[derive(Serialize)]
pub struct Recorded {
    pub name: String,
    pub value: String,
}

/// The result of an item.
#[derive(Serialize)]
pub struct ResultView {
    pub result: String,
    pub result_label: &'static str,
    pub pour: i32,
    pub contre: i32,
    pub abstention: i32,
    pub explanation: String,
}

/// An agenda item.
#[derive(Serialize)]
pub struct ItemView {
    pub id: i32,
    pub position: i32,
    pub title: String,
    pub proposed_decision: String,
    /// `attribution` or `autre`.
    pub kind: &'static str,
    /// The bidders of the item's lot from the register of plis (never typed), once opened.
    pub bidders: Vec<String>,
    /// Why no bidder is named (plis sealed, none registered), in French.
    pub bidders_note: String,
    pub declarations: Vec<Recorded>,
    pub votes: Vec<Recorded>,
    pub result: Option<ResultView>,
    /// Voters who have not declared yet.
    pub to_declare: Vec<PersonLine>,
    /// Voters without conflict who have not voted yet.
    pub to_vote: Vec<PersonLine>,
    /// The caller's own seat must still declare on this item.
    pub own_declaration_due: bool,
}

/// What the caller may do now.
#[derive(Serialize, Default)]
pub struct Actions {
    pub manage: bool,
    pub convene: bool,
    pub attend: bool,
    pub carence: bool,
    pub second_convocation: bool,
    pub deliberate: bool,
    pub close: bool,
    pub sign: bool,
    pub pv: bool,
    pub pv_carence: bool,
}

/// The séance.
#[derive(Serialize)]
pub struct SeanceView {
    pub id: i32,
    pub number: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub starts_at: String,
    pub date: String,
    pub place: String,
    pub remote: bool,
    pub secretary: String,
    pub second_convocation: bool,
    pub previous: Option<(i32, String)>,
    pub follow_up: Option<(i32, String)>,
    pub convocation_sent_on: String,
    pub convocation_warning: String,
    pub recipients: Vec<String>,
    pub without_email: Vec<String>,
    pub composition_error: String,
    pub persons: Vec<PersonLine>,
    pub attendance_recorded: bool,
    pub voters: Vec<RollLine>,
    pub non_voters: Vec<RollLine>,
    pub quorum: Option<QuorumView>,
    pub casting_vote: bool,
    pub items: Vec<ItemView>,
    pub observations: Vec<Recorded>,
    pub signoffs: Vec<Recorded>,
    pub own_person: String,
    pub actions: Actions,
    /// SHA-256 of the procès-verbal (or PV de carence) as established and stored, once it is.
    pub pv_sha256: String,
}

/// French label of a stored result.
#[must_use]
pub fn result_label(code: &str) -> &'static str {
    match serde_json::from_value(serde_json::Value::String(code.to_owned())) {
        Ok(DeliberationResult::Adoptee) => "adopté",
        Ok(DeliberationResult::Rejetee) => "rejeté",
        Ok(DeliberationResult::AdopteeVoixPreponderante) => {
            "adopté (voix prépondérante du président)"
        }
        Ok(DeliberationResult::RejeteeVoixPreponderante) => {
            "rejeté (voix prépondérante du président)"
        }
        Ok(DeliberationResult::PartageSansDecision) => "partage des voix : aucune décision",
        Ok(DeliberationResult::QuorumNonAtteint) => "non délibéré (quorum non atteint)",
        Err(_) => "?",
    }
}

fn persons(d: &SeanceData) -> Vec<PersonLine> {
    let Ok(c) = &d.composition else {
        return Vec::new();
    };
    let line = |key: &str, name: &str, role: String, member: &str| PersonLine {
        id: key.to_owned(),
        name: name.to_owned(),
        role,
        member: member.to_owned(),
        present: d.present.iter().any(|p| p == key),
    };
    let mut out = Vec::new();
    for s in &c.seats {
        for (h, r) in [(&s.titulaire, "titulaire"), (&s.suppleant, "suppléant")] {
            if let Some(h) = h {
                let role = if s.presides && r == "titulaire" {
                    "titulaire, président".to_owned()
                } else {
                    r.to_owned()
                };
                out.push(line(&h.person_key, &h.person_name, role, &s.member_name));
            }
        }
    }
    for x in &c.consultative {
        out.push(line(
            &x.holder.person_key,
            &x.holder.person_name,
            format!("voix consultative ({})", x.kind.label_fr()),
            "",
        ));
    }
    out
}

fn name(d: &SeanceData, assignment_id: i32) -> String {
    d.cao
        .assignment(&person_key(assignment_id))
        .map_or_else(|| assignment_id.to_string(), |a| a.person_name.clone())
}

/// Builds the séance view for `user`.
#[must_use]
pub fn seance(d: &SeanceData, user: &CurrentUser, now: DateTime<Utc>) -> SeanceView {
    let manage = may_manage(user, &d.cao, d.date());
    // The bidders are named to those who see the offers only (never a référent or a lecteur).
    // (the rule of the offers' access: coordonnateur, AMOA and CAO members).
    let sees_bidders = matches!(user.role, Role::Coordonnateur | Role::Amoa | Role::Cao);
    let own = d
        .cao
        .own_assignment(user.id, d.date())
        .map(|a| person_key(a.id))
        .unwrap_or_default();
    let roll = d.roll().and_then(Result::ok);
    let q = d.quorum();
    let all = persons(d);
    let status = d.status;
    let open = status == SeanceStatus::Convoquee;
    let sitting = open && q.as_ref().is_some_and(|q| q.reached);
    let items: Vec<ItemView> = d
        .items
        .iter()
        .map(|i| {
            let declared = |p: &str| {
                i.declarations
                    .iter()
                    .any(|x| person_key(x.assignment_id) == p)
            };
            let voters: Vec<&str> = roll
                .as_ref()
                .map(|r| r.voters.iter().map(|v| v.person_key.as_str()).collect())
                .unwrap_or_default();
            let pick = |keep: &dyn Fn(&str) -> bool| -> Vec<PersonLine> {
                all.iter()
                    .filter(|p| voters.contains(&p.id.as_str()) && keep(&p.id))
                    .cloned()
                    .collect()
            };
            let conflicted = i.conflicted();
            let open_item = sitting && i.deliberation.is_none();
            ItemView {
                id: i.item.id,
                position: i.item.position,
                title: i.item.title.clone(),
                proposed_decision: i.item.proposed_decision.clone(),
                kind: i.kind.code(),
                bidders: if sees_bidders {
                    i.bidders_at(now).unwrap_or_default()
                } else {
                    Vec::new()
                },
                bidders_note: if sees_bidders {
                    i.bidders_at(now).err().unwrap_or_default()
                } else {
                    "seuls le coordonnateur, l'AMOA et les membres de la CAO voient les soumissionnaires".to_owned()
                },
                declarations: i
                    .declarations
                    .iter()
                    .map(|x| Recorded {
                        name: name(d, x.assignment_id),
                        value: if x.has_conflict {
                            format!(
                                "conflit d'intérêts déclaré, se déporte{}",
                                x.note
                                    .as_deref()
                                    .map(|n| format!(" ({n})"))
                                    .unwrap_or_default()
                            )
                        } else {
                            "aucun conflit d'intérêts".to_owned()
                        },
                    })
                    .collect(),
                votes: i
                    .votes
                    .iter()
                    .map(|v| Recorded {
                        name: name(d, v.assignment_id),
                        value: v.choice.clone(),
                    })
                    .collect(),
                result: i.deliberation.as_ref().map(|r| ResultView {
                    result: r.result.clone(),
                    result_label: result_label(&r.result),
                    pour: r.pour,
                    contre: r.contre,
                    abstention: r.abstention,
                    explanation: r.explanation.clone(),
                }),
                to_declare: if open_item {
                    pick(&|p| !declared(p))
                } else {
                    Vec::new()
                },
                to_vote: if open_item {
                    pick(&|p| {
                        declared(p)
                            && !conflicted.iter().any(|c| c == p)
                            && !i.votes.iter().any(|v| person_key(v.assignment_id) == p)
                    })
                } else {
                    Vec::new()
                },
                own_declaration_due: open_item && voters.contains(&own.as_str()) && !declared(&own),
            }
        })
        .collect();
    let recipients = convocation_recipients(&d.cao, d.date());
    let without_email: Vec<String> = all
        .iter()
        .filter(|p| {
            d.cao
                .assignment(&p.id)
                .is_some_and(|a| a.person_email.as_deref().unwrap_or("").trim().is_empty())
        })
        .map(|p| p.name.clone())
        .collect();
    let signed = |p: &str| d.signoffs.iter().any(|s| person_key(s.assignment_id) == p);
    let attendance_recorded = d.attendance_recorded();
    let actions = Actions {
        manage,
        convene: manage
            && matches!(status, SeanceStatus::Prevue | SeanceStatus::Convoquee)
            && !attendance_recorded,
        attend: manage
            && open
            && items
                .iter()
                .all(|i| i.declarations.is_empty() && i.votes.is_empty() && i.result.is_none()),
        carence: manage && open && q.as_ref().is_some_and(|q| !q.reached),
        second_convocation: manage && status == SeanceStatus::Carence && d.follow_up.is_none(),
        deliberate: manage && sitting,
        close: manage && sitting && items.iter().all(|i| i.result.is_some()),
        sign: user.role == Role::Cao
            && status == SeanceStatus::Tenue
            && !own.is_empty()
            && d.present.contains(&own)
            && !signed(&own),
        pv: status == SeanceStatus::Tenue,
        pv_carence: status == SeanceStatus::Carence && d.follow_up.is_some(),
    };
    SeanceView {
        pv_sha256: String::new(),
        id: d.seance.id,
        number: d.seance.number.clone(),
        status: status.code(),
        status_label: status.label(),
        starts_at: format!(
            "{} à {}",
            french_date_with_weekday(d.date()),
            d.starts_at.format("%H h %M")
        ),
        date: d.date().to_string(),
        place: d.seance.place.clone(),
        remote: d.seance.remote,
        secretary: d.seance.secretary.clone(),
        second_convocation: d.seance.second_convocation,
        previous: d.previous.as_ref().map(|p| (p.id, p.number.clone())),
        follow_up: d.follow_up.as_ref().map(|p| (p.id, p.number.clone())),
        convocation_sent_on: d
            .seance
            .convocation_sent_on
            .map(french_date)
            .unwrap_or_default(),
        convocation_warning: d
            .seance
            .convocation_sent_on
            .and_then(|s| convocation_warning(s, d.date(), d.settings.convocation_jours_francs))
            .unwrap_or_default(),
        recipients: recipients
            .iter()
            .map(|(n, e)| format!("{n} <{e}>"))
            .collect(),
        without_email,
        composition_error: d.composition.as_ref().err().cloned().unwrap_or_default(),
        persons: all.clone(),
        attendance_recorded,
        voters: roll
            .as_ref()
            .map(|r| {
                r.voters
                    .iter()
                    .map(|v| RollLine {
                        name: v.person_name.clone(),
                        detail: format!(
                            "{}{}{}",
                            v.member_name,
                            if v.replacing_titulaire {
                                " — suppléant remplaçant le titulaire absent"
                            } else {
                                ""
                            },
                            if v.presides { " — président" } else { "" }
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        non_voters: roll
            .as_ref()
            .map(|r| {
                r.non_voters
                    .iter()
                    .map(|n| RollLine {
                        name: n.person_name.clone(),
                        detail: n.reason_fr.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        quorum: q.map(|q| QuorumView {
            reached: q.reached,
            voting_present: q.voting_present,
            required: q.required,
            seats: q.seats,
            explanation: q.explanation_fr,
        }),
        casting_vote: d.settings.cao_casting_vote,
        items,
        observations: d
            .observations
            .iter()
            .map(|o| Recorded {
                name: o.author.clone(),
                value: o.text.clone(),
            })
            .collect(),
        signoffs: d
            .signoffs
            .iter()
            .map(|s| Recorded {
                name: name(d, s.assignment_id),
                value: crate::calendar::french_datetime(
                    &s.signed_at.with_timezone(&chrono_tz::Europe::Paris),
                ),
            })
            .collect(),
        own_person: own,
        actions,
    }
}
