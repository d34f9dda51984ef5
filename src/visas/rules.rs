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
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Paris;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Tz> {
        Paris
            .with_ymd_and_hms(y, m, day, h, 0, 0)
            .single()
            .expect("valid test instant")
    }

    const H1: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const H2: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn round(hash: &str) -> VisaRound {
        VisaRound {
            piece_key: "cctp".into(),
            version_hash: hash.into(),
            requested_on: d(2026, 5, 12),
            due_on: d(2026, 5, 22),
            required: ["a", "b", "c"]
                .iter()
                .map(|k| RequiredMember {
                    key: k.to_string(),
                    name: format!("Membre {k}"),
                })
                .collect(),
        }
    }

    fn visa(member: &str, hash: &str, decision: VisaDecision, when: DateTime<Tz>) -> Visa {
        Visa {
            member_key: member.into(),
            actor_member_key: member.into(),
            version_hash: hash.into(),
            decision,
            comment: match decision {
                VisaDecision::FavorableAvecReserves | VisaDecision::Defavorable => {
                    Some("Motif".into())
                }
                _ => None,
            },
            given_at: when,
        }
    }

    use VisaDecision::{Defavorable as Def, Favorable as Fav, FavorableAvecReserves as Res};

    #[test]
    fn unanimity_completes() {
        let r = round(H1);
        let vs = vec![
            visa("a", H1, Fav, at(2026, 5, 13, 9)),
            visa("b", H1, Res, at(2026, 5, 13, 9)),
        ];
        let s = round_state(&r, &vs, d(2026, 5, 15), TacitConfig::default());
        assert_eq!(
            (s.status, s.progress()),
            (RoundStatus::EnCours, "2/3".to_string())
        );
        let mut vs = vs;
        vs.push(visa("c", &H1.to_uppercase(), Fav, at(2026, 5, 18, 9)));
        let s = round_state(&r, &vs, d(2026, 5, 18), TacitConfig::default());
        assert_eq!(s.status, RoundStatus::Complet);
        assert!(s.reminders_due.is_empty());
        assert_eq!(can_publish(&[("CCTP", H1, Some(&s))]), Ok(()));
    }

    #[test]
    fn one_defavorable_blocks() {
        let r = round(H1);
        let vs = vec![
            visa("a", H1, Fav, at(2026, 5, 13, 9)),
            visa("b", H1, Fav, at(2026, 5, 13, 9)),
            visa("c", H1, Def, at(2026, 5, 13, 10)),
        ];
        let s = round_state(&r, &vs, d(2026, 5, 14), TacitConfig::default());
        assert_eq!(s.status, RoundStatus::Bloque);
        assert_eq!(s.approved, 2);
        let e = can_publish(&[("CCTP", H1, Some(&s))]).expect_err("blocked");
        assert!(e.contains("« CCTP » : visa défavorable de Membre c"));
    }

    #[test]
    fn latest_answer_counts_and_same_instant_for_two_members_both_kept() {
        let r = round(H1);
        let vs = vec![
            visa("a", H1, Def, at(2026, 5, 13, 9)),
            visa("b", H1, Fav, at(2026, 5, 13, 9)),
            visa("a", H1, Fav, at(2026, 5, 14, 9)),
            visa("c", H1, Fav, at(2026, 5, 14, 9)),
        ];
        let s = round_state(&r, &vs, d(2026, 5, 15), TacitConfig::default());
        assert_eq!(s.status, RoundStatus::Complet);
        // Latest is défavorable → blocked, even though given in a different order in the slice.
        let mut vs2 = vec![visa("c", H1, Def, at(2026, 5, 15, 9))];
        vs2.extend(vs);
        let s = round_state(&r, &vs2, d(2026, 5, 15), TacitConfig::default());
        assert_eq!(s.status, RoundStatus::Bloque);
    }

    #[test]
    fn new_version_opens_new_round_old_visas_do_not_count() {
        let old = round(H1);
        let vs: Vec<Visa> = ["a", "b", "c"]
            .iter()
            .map(|m| visa(m, H1, Fav, at(2026, 5, 13, 9)))
            .collect();
        let s_old = round_state(&old, &vs, d(2026, 5, 14), TacitConfig::default());
        assert_eq!(s_old.status, RoundStatus::Complet);
        assert!(needs_new_round(H2, Some(&old)));
        assert!(!needs_new_round(H1, Some(&old)));
        assert!(needs_new_round(H1, None));
        let new = round(H2);
        let s_new = round_state(&new, &vs, d(2026, 5, 14), TacitConfig::default());
        assert_eq!((s_new.status, s_new.approved), (RoundStatus::EnCours, 0));
        // The old complete round does not allow publishing the new version.
        let e = can_publish(&[("CCTP", H2, Some(&s_old))]).expect_err("old round");
        assert!(e.contains("version actuelle (bbbbbbbbbbbb…)"));
        let e = can_publish(&[("CCTP", H2, Some(&s_new)), ("RC", H1, None)]).expect_err("pending");
        assert!(e.contains(
            "« CCTP » : visas en cours (0/3), en attente de Membre a, Membre b, Membre c"
        ));
        assert!(e.contains("« RC » : aucun tour de visa"));
        assert!(can_publish(&[]).is_err());
    }

    #[test]
    fn tacit_approval_counts_jours_ouvres_across_ascension() {
        // Request Tue 12 May 2026 + 7 jours ouvrés: 13, (14 Ascension), 15, 18, 19, 20, 21, 22.
        let r = round(H1);
        let cfg = TacitConfig {
            enabled: true,
            jours_ouvres: 7,
        };
        assert_eq!(tacit_deadline(r.requested_on, cfg), Some(d(2026, 5, 22)));
        let vs = vec![visa("a", H1, Fav, at(2026, 5, 13, 9))];
        let s = round_state(&r, &vs, d(2026, 5, 22), cfg);
        assert_eq!(s.status, RoundStatus::EnCours);
        let s = round_state(&r, &vs, d(2026, 5, 23), cfg);
        assert_eq!(s.status, RoundStatus::Complet);
        assert_eq!(s.per_member[1].status, MemberVisaStatus::Tacite);
        assert_eq!(s.per_member[1].decided_on, Some(d(2026, 5, 22)));
        assert_eq!(s.per_member[0].status, MemberVisaStatus::Favorable);
        // Disabled: no tacit approval.
        let s = round_state(&r, &vs, d(2026, 6, 30), TacitConfig::default());
        assert_eq!(s.status, RoundStatus::EnCours);
        assert!(s.overdue);
        // An explicit answer (even late) prevails over the tacit one.
        let mut vs = vs;
        vs.push(visa("b", H1, Def, at(2026, 5, 26, 9)));
        let s = round_state(&r, &vs, d(2026, 5, 26), cfg);
        assert_eq!(s.status, RoundStatus::Bloque);
    }

    #[test]
    fn proxy_rules() {
        let p = vec![Proxy {
            grantor_member_key: "b".into(),
            holder_member_key: "a".into(),
            given_on: d(2026, 5, 10),
            valid_until: Some(d(2026, 5, 31)),
            revoked_on: Some(d(2026, 5, 20)),
        }];
        assert!(may_answer("b", "b", &[], d(2026, 5, 1)));
        assert!(!may_answer("a", "b", &[], d(2026, 5, 12)));
        assert!(!may_answer("a", "b", &p, d(2026, 5, 9)));
        assert!(may_answer("a", "b", &p, d(2026, 5, 10)));
        assert!(may_answer("a", "b", &p, d(2026, 5, 19)));
        assert!(!may_answer("a", "b", &p, d(2026, 5, 20)));
        assert!(!may_answer("b", "a", &p, d(2026, 5, 12)));
        let mut p2 = p.clone();
        p2[0].revoked_on = None;
        assert!(may_answer("a", "b", &p2, d(2026, 5, 31)));
        assert!(!may_answer("a", "b", &p2, d(2026, 6, 1)));
        // validate_visa uses the Paris date of the answer.
        let r = round(H1);
        let mut v = visa("b", H1, Fav, at(2026, 5, 12, 9));
        v.actor_member_key = "a".into();
        assert_eq!(validate_visa(&r, &v, &p), Ok(()));
        v.given_at = at(2026, 5, 21, 9);
        let e = validate_visa(&r, &v, &p).expect_err("revoked");
        assert!(e.to_string().contains("au nom de « Membre b »"));
    }

    #[test]
    fn visa_validation() {
        let r = round(H1);
        assert_eq!(validate_round(&r), Ok(()));
        let mut bad = round("xyz");
        assert!(matches!(
            validate_round(&bad),
            Err(VisaError::InvalidHash(_))
        ));
        bad.version_hash = H1.into();
        bad.due_on = d(2026, 5, 11);
        assert!(matches!(
            validate_round(&bad),
            Err(VisaError::DueBeforeRequest { .. })
        ));
        bad.due_on = d(2026, 5, 22);
        bad.required.push(bad.required[0].clone());
        assert!(matches!(
            validate_round(&bad),
            Err(VisaError::DuplicateRequiredMember(_))
        ));
        bad.required.clear();
        assert_eq!(validate_round(&bad), Err(VisaError::NoRequiredMember));
        let mut v = visa("a", H1, Res, at(2026, 5, 13, 9));
        assert_eq!(validate_visa(&r, &v, &[]), Ok(()));
        v.comment = Some("  ".into());
        let e = validate_visa(&r, &v, &[]).expect_err("comment");
        assert_eq!(
            e.to_string(),
            "Un visa favorable avec réserves doit être motivé : le commentaire est obligatoire."
        );
        v.decision = Def;
        assert_eq!(
            validate_visa(&r, &v, &[]),
            Err(VisaError::CommentRequired("défavorable"))
        );
        v.decision = VisaDecision::Tacite;
        assert_eq!(validate_visa(&r, &v, &[]), Err(VisaError::TaciteEntered));
        let v = visa("a", H2, Fav, at(2026, 5, 13, 9));
        assert!(matches!(
            validate_visa(&r, &v, &[]),
            Err(VisaError::WrongVersion { .. })
        ));
        let v = visa("z", H1, Fav, at(2026, 5, 13, 9));
        assert!(matches!(
            validate_visa(&r, &v, &[]),
            Err(VisaError::NotRequired(_))
        ));
    }

    #[test]
    fn reminder_dates_in_jours_ouvres() {
        // Due Fri 22 May 2026: Wed 20 and Fri 22.
        let mut r = round(H1);
        let s = round_state(&r, &[], d(2026, 5, 20), TacitConfig::default());
        assert_eq!(s.reminders_due, vec![d(2026, 5, 20), d(2026, 5, 22)]);
        assert!(s.remind_today);
        assert!(!round_state(&r, &[], d(2026, 5, 21), TacitConfig::default()).remind_today);
        // Due Mon 18 May 2026: Fri 15 (1), Thu 14 Ascension skipped, Wed 13 (2).
        r.due_on = d(2026, 5, 18);
        assert_eq!(reminder_dates(&r), vec![d(2026, 5, 13), d(2026, 5, 18)]);
        // Due the day after the request: the first reminder would precede the request.
        r.due_on = d(2026, 5, 13);
        assert_eq!(reminder_dates(&r), vec![d(2026, 5, 13)]);
    }

    #[test]
    fn visa_json_round_trip_in_paris_time() {
        let v = visa("a", H1, Res, at(2026, 5, 13, 9));
        let json = serde_json::to_string(&v).expect("serialize");
        assert!(json.contains("\"decision\":\"favorable_avec_reserves\""));
        assert!(json.contains("2026-05-13T09:00:00+02:00"));
        let back: Visa = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, v);
    }
}
