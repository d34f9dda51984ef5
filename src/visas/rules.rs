//! Member visa rounds on the pieces of a consultation.
//!
//! Convention art. 5.4 ("rédiger les pièces des marchés, avec au préalable validation par mail, ou
//! lors des COPIL de tous les membres") and art. 6.2 ("avec visa préalable de tous les membres"):
//! no piece is published before every required member approved THAT exact version (its SHA-256).
//! Convention art. 8.1: a member may be represented by another member with a written proxy;
//! COPIL minutes are deemed approved 7 jours ouvrés after sending unless a member objects — the
//! groupement may extend this tacit approval to visa rounds (`TacitConfig`, off by default).

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{add_working_days, french_date, is_working_day};

/// A member whose visa is required (all members, or those taking part in the lot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredMember {
    pub key: String,
    pub name: String,
}

/// One visa round over one version (SHA-256, hex) of one piece.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisaRound {
    pub piece_key: String,
    pub version_hash: String,
    pub requested_on: NaiveDate,
    pub due_on: NaiveDate,
    pub required: Vec<RequiredMember>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisaDecision {
    Favorable,
    /// Comment required.
    FavorableAvecReserves,
    /// Comment required.
    Defavorable,
    /// Computed by `round_state`; never entered by a user (see `validate_visa`).
    Tacite,
}

/// A member's answer. `actor_member_key` answered for `member_key` (itself or under a proxy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visa {
    pub member_key: String,
    pub actor_member_key: String,
    pub version_hash: String,
    pub decision: VisaDecision,
    pub comment: Option<String>,
    #[serde(with = "paris_datetime")]
    pub given_at: DateTime<Tz>,
}

/// Written proxy: `grantor_member_key` lets `holder_member_key` answer in its name (art. 8.1).
/// In force from `given_on`, up to `valid_until` inclusive, and before `revoked_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub grantor_member_key: String,
    pub holder_member_key: String,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub revoked_on: Option<NaiveDate>,
}

/// Tacit approval of a groupement (art. 8.1 by extension): off by default for pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TacitConfig {
    pub enabled: bool,
    pub jours_ouvres: u32,
}

impl Default for TacitConfig {
    fn default() -> Self {
        TacitConfig {
            enabled: false,
            jours_ouvres: 7,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    EnCours,
    Complet,
    Bloque,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberVisaStatus {
    EnAttente,
    Favorable,
    FavorableAvecReserves,
    Defavorable,
    Tacite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberVisaState {
    pub member_key: String,
    pub member_name: String,
    pub status: MemberVisaStatus,
    pub decided_on: Option<NaiveDate>,
    pub comment: Option<String>,
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundState {
    pub piece_key: String,
    pub version_hash: String,
    pub status: RoundStatus,
    pub per_member: Vec<MemberVisaState>,
    /// Favorable visas (with or without reserves, or tacit) / required members.
    pub approved: usize,
    pub required: usize,
    /// Reminder schedule while the round is en cours: 2 jours ouvrés before the due date, and on it.
    pub reminders_due: Vec<NaiveDate>,
    pub remind_today: bool,
    pub overdue: bool,
    /// Last day to answer before tacit approval (when enabled); approval is acquired the day after.
    pub tacit_deadline: Option<NaiveDate>,
}

impl RoundState {
    /// "n/m" progress label.
    pub fn progress(&self) -> String {
        format!("{}/{}", self.approved, self.required)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VisaError {
    #[error(
        "Empreinte « {0} » invalide : une empreinte SHA-256 compte 64 caractères hexadécimaux."
    )]
    InvalidHash(String),
    #[error("Tour de visa : l'échéance ({due}) précède la demande ({requested}).")]
    DueBeforeRequest { due: String, requested: String },
    #[error("Tour de visa : aucun membre n'est appelé à viser la pièce.")]
    NoRequiredMember,
    #[error("Tour de visa : le membre « {0} » est appelé deux fois.")]
    DuplicateRequiredMember(String),
    #[error(
        "Le visa porte sur une autre version de la pièce ({got}) que celle soumise au visa ({expected})."
    )]
    WrongVersion { got: String, expected: String },
    #[error("Le membre « {0} » n'est pas appelé à viser cette pièce.")]
    NotRequired(String),
    #[error("Un visa {0} doit être motivé : le commentaire est obligatoire.")]
    CommentRequired(&'static str),
    #[error(
        "Le membre « {actor} » n'a pas de pouvoir écrit en cours de validité le {date} pour viser au nom de « {member} »."
    )]
    NoProxy {
        actor: String,
        member: String,
        date: String,
    },
    #[error(
        "Un visa tacite ne se saisit pas : il est acquis automatiquement à l'expiration du délai."
    )]
    TaciteEntered,
}

/// Normalised hash comparison (hex is case-insensitive).
fn same_hash(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn paris_date(dt: &DateTime<Tz>) -> NaiveDate {
    dt.with_timezone(&crate::calendar::PARIS).date_naive()
}

/// Checks a round before storing it (convention art. 5.4 / 6.2).
pub fn validate_round(round: &VisaRound) -> Result<(), VisaError> {
    if !is_sha256_hex(&round.version_hash) {
        return Err(VisaError::InvalidHash(round.version_hash.clone()));
    }
    if round.due_on < round.requested_on {
        return Err(VisaError::DueBeforeRequest {
            due: french_date(round.due_on),
            requested: french_date(round.requested_on),
        });
    }
    if round.required.is_empty() {
        return Err(VisaError::NoRequiredMember);
    }
    for (i, m) in round.required.iter().enumerate() {
        if round.required[..i].iter().any(|o| o.key == m.key) {
            return Err(VisaError::DuplicateRequiredMember(m.name.clone()));
        }
    }
    Ok(())
}

/// Convention art. 8.1: a member answers for itself, or for another member that gave it a written
/// proxy in force on `date`.
pub fn may_answer(
    actor_member: &str,
    for_member: &str,
    proxies: &[Proxy],
    date: NaiveDate,
) -> bool {
    actor_member == for_member
        || proxies.iter().any(|p| {
            p.grantor_member_key == for_member
                && p.holder_member_key == actor_member
                && p.given_on <= date
                && p.valid_until.is_none_or(|u| date <= u)
                && p.revoked_on.is_none_or(|r| date < r)
        })
}

/// Checks a visa before storing it: right version, required member, motivated reserves or
/// refusal, actor entitled (art. 8.1 proxy), no hand-entered tacit visa.
pub fn validate_visa(round: &VisaRound, visa: &Visa, proxies: &[Proxy]) -> Result<(), VisaError> {
    if !same_hash(&visa.version_hash, &round.version_hash) {
        return Err(VisaError::WrongVersion {
            got: visa.version_hash.clone(),
            expected: round.version_hash.clone(),
        });
    }
    let Some(member) = round.required.iter().find(|m| m.key == visa.member_key) else {
        return Err(VisaError::NotRequired(visa.member_key.clone()));
    };
    let motivated = visa
        .comment
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    match visa.decision {
        VisaDecision::Tacite => return Err(VisaError::TaciteEntered),
        VisaDecision::FavorableAvecReserves if !motivated => {
            return Err(VisaError::CommentRequired("favorable avec réserves"));
        }
        VisaDecision::Defavorable if !motivated => {
            return Err(VisaError::CommentRequired("défavorable"));
        }
        _ => {}
    }
    let date = paris_date(&visa.given_at);
    if !may_answer(&visa.actor_member_key, &visa.member_key, proxies, date) {
        return Err(VisaError::NoProxy {
            actor: visa.actor_member_key.clone(),
            member: member.name.clone(),
            date: french_date(date),
        });
    }
    Ok(())
}

/// Last day to answer before tacit approval: N jours ouvrés after the request (art. 8.1 counts
/// jours ouvrés "après son envoi"); the approval is acquired at its end.
pub fn tacit_deadline(requested_on: NaiveDate, cfg: TacitConfig) -> Option<NaiveDate> {
    cfg.enabled
        .then(|| add_working_days(requested_on, cfg.jours_ouvres))
}

/// A new version of a piece (new hash) needs a new round: visas never carry over.
pub fn needs_new_round(current_hash: &str, latest_round: Option<&VisaRound>) -> bool {
    latest_round.is_none_or(|r| !same_hash(&r.version_hash, current_hash))
}

fn sub_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        match d.pred_opt() {
            Some(p) => d = p,
            None => break,
        }
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// Reminder schedule: 2 jours ouvrés before the due date, and the due date; dates not after the
/// request are dropped.
pub fn reminder_dates(round: &VisaRound) -> Vec<NaiveDate> {
    let mut v = vec![sub_working_days(round.due_on, 2), round.due_on];
    v.retain(|d| *d > round.requested_on);
    v.dedup();
    v
}

/// State of a round on `today` (convention art. 5.4 / 6.2 / 8.1). Only visas on the round's hash
/// count; per member the latest answer counts (ties at the same instant: the later in `visas`);
/// a member without answer is tacitly favorable once the tacit deadline is over (if enabled);
/// one défavorable blocks the round.
pub fn round_state(
    round: &VisaRound,
    visas: &[Visa],
    today: NaiveDate,
    tacit: TacitConfig,
) -> RoundState {
    let deadline = tacit_deadline(round.requested_on, tacit);
    let per_member: Vec<MemberVisaState> = round
        .required
        .iter()
        .map(|m| {
            let latest = visas
                .iter()
                .filter(|v| {
                    v.member_key == m.key && same_hash(&v.version_hash, &round.version_hash)
                })
                .fold(None::<&Visa>, |best, v| match best {
                    Some(b) if v.given_at < b.given_at => Some(b),
                    _ => Some(v),
                });
            let mut state = MemberVisaState {
                member_key: m.key.clone(),
                member_name: m.name.clone(),
                status: MemberVisaStatus::EnAttente,
                decided_on: None,
                comment: None,
                answered_by: None,
            };
            if let Some(v) = latest {
                state.status = match v.decision {
                    VisaDecision::Favorable => MemberVisaStatus::Favorable,
                    VisaDecision::FavorableAvecReserves => MemberVisaStatus::FavorableAvecReserves,
                    VisaDecision::Defavorable => MemberVisaStatus::Defavorable,
                    VisaDecision::Tacite => MemberVisaStatus::Tacite,
                };
                state.decided_on = Some(paris_date(&v.given_at));
                state.comment = v.comment.clone();
                state.answered_by = Some(v.actor_member_key.clone());
            } else if let Some(d) = deadline
                && today > d
            {
                state.status = MemberVisaStatus::Tacite;
                state.decided_on = Some(d);
            }
            state
        })
        .collect();
    let approved = per_member
        .iter()
        .filter(|s| {
            matches!(
                s.status,
                MemberVisaStatus::Favorable
                    | MemberVisaStatus::FavorableAvecReserves
                    | MemberVisaStatus::Tacite
            )
        })
        .count();
    let required = per_member.len();
    let status = if per_member
        .iter()
        .any(|s| s.status == MemberVisaStatus::Defavorable)
    {
        RoundStatus::Bloque
    } else if required > 0 && approved == required {
        RoundStatus::Complet
    } else {
        RoundStatus::EnCours
    };
    let reminders_due = if status == RoundStatus::EnCours {
        reminder_dates(round)
    } else {
        Vec::new()
    };
    RoundState {
        piece_key: round.piece_key.clone(),
        version_hash: round.version_hash.clone(),
        status,
        approved,
        required,
        remind_today: reminders_due.contains(&today),
        reminders_due,
        overdue: status == RoundStatus::EnCours && today > round.due_on,
        tacit_deadline: deadline,
        per_member,
    }
}

/// Convention art. 5.4 / 6.2: publication only when every piece has a complete round on its
/// current version. `pieces`: (label, current hash, state of its latest round).
pub fn can_publish(pieces: &[(&str, &str, Option<&RoundState>)]) -> Result<(), String> {
    if pieces.is_empty() {
        return Err("Publication impossible : aucune pièce à publier.".to_string());
    }
    let mut problems = Vec::new();
    for (label, hash, state) in pieces {
        let short: String = hash.chars().take(12).collect();
        let problem = match state {
            None => Some(format!("« {label} » : aucun tour de visa")),
            Some(s) if !same_hash(&s.version_hash, hash) => Some(format!(
                "« {label} » : aucun tour de visa sur la version actuelle ({short}…), les visas d'une version antérieure ne comptent pas"
            )),
            Some(s) => match s.status {
                RoundStatus::Complet => None,
                RoundStatus::Bloque => {
                    let refus: Vec<&str> = s
                        .per_member
                        .iter()
                        .filter(|m| m.status == MemberVisaStatus::Defavorable)
                        .map(|m| m.member_name.as_str())
                        .collect();
                    Some(format!(
                        "« {label} » : visa défavorable de {}",
                        refus.join(", ")
                    ))
                }
                RoundStatus::EnCours => {
                    let attente: Vec<&str> = s
                        .per_member
                        .iter()
                        .filter(|m| m.status == MemberVisaStatus::EnAttente)
                        .map(|m| m.member_name.as_str())
                        .collect();
                    Some(format!(
                        "« {label} » : visas en cours ({}), en attente de {}",
                        s.progress(),
                        attente.join(", ")
                    ))
                }
            },
        };
        problems.extend(problem);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Publication impossible : toutes les pièces doivent avoir reçu le visa de tous les membres sur leur \
             version actuelle (articles 5.4 et 6.2 de la convention). {}.",
            problems.join(" ; ")
        ))
    }
}

/// RFC 3339 (de)serialisation of `DateTime<Tz>`, read back in Europe/Paris.
mod paris_datetime {
    use chrono::DateTime;
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(dt: &DateTime<Tz>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&dt.to_rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Tz>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|dt| dt.with_timezone(&crate::calendar::PARIS))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
