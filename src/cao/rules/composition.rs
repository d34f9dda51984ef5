//! Composition of the groupement's CAO: members, seats, designations, dated composition and the
//! CGCT L1414-3 assessment.
//!
//! Convention art. 5.4: the coordonnateur constitutes and presides a CAO "composée d'un représentant
//! de chacun des membres" (titulaire and suppléant); members that have their own CAO designate a
//! representative having voix délibérative in it; the others designate one per their own rules.
//! CGCT L1414-3 III: personalities, agents, the comptable public and the DGCCRF may sit with voix
//! consultative.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::french_date;

/// Legal kind of a member, as far as the CAO rules care (DOMAIN Part B §2.1, §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalKind {
    /// Centre communal d'action sociale: établissement public administratif communal (CASF L123-6).
    Ccas,
    /// Commune (collectivité territoriale).
    Commune,
    /// Other établissement public local (not social / médico-social, not OPH).
    Epl,
    /// Association (private law).
    Association,
    /// Établissement public social ou médico-social (CASF L315-*), e.g. an autonomous public EHPAD.
    EsmsPublic,
    /// Office public de l'habitat.
    Oph,
    /// Anything else (private company, State body, …).
    Other,
}

impl LegalKind {
    /// CGCT L1414-3 I: counts toward the majority of "collectivités territoriales ou établissements
    /// publics locaux autres qu'un établissement public social ou médico-social ou qu'un office
    /// public de l'habitat". A CCAS is an EPA communal, not an ESMS public: it counts.
    pub fn counts_for_l1414_3(self) -> bool {
        matches!(self, LegalKind::Ccas | LegalKind::Commune | LegalKind::Epl)
    }

    /// French label, plural form not needed (used in lists).
    pub fn label_fr(self) -> &'static str {
        match self {
            LegalKind::Ccas => "CCAS",
            LegalKind::Commune => "commune",
            LegalKind::Epl => "établissement public local",
            LegalKind::Association => "association",
            LegalKind::EsmsPublic => "établissement public social ou médico-social",
            LegalKind::Oph => "office public de l'habitat",
            LegalKind::Other => "autre personne morale",
        }
    }
}

/// A member of the groupement (convention art. 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub key: String,
    pub name: String,
    pub kind: LegalKind,
    pub has_own_cao: bool,
    pub is_coordonnateur: bool,
    /// Date the withdrawal takes effect (convention art. 15); from that date on, no seat.
    pub withdrawn_on: Option<NaiveDate>,
}

impl Member {
    /// Convention art. 15: a member that withdrew has no seat from its withdrawal date on.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.withdrawn_on.is_none_or(|w| date < w)
    }
}

/// Result of the CGCT L1414-3 test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct L1414_3Assessment {
    pub compulsory: bool,
    pub counted: usize,
    pub total: usize,
    pub explanation_fr: String,
}

/// CGCT L1414-3 I: the groupement CAO is compulsory when the groupement is composed "en majorité"
/// (strictly more than half) of collectivités territoriales or EPL other than ESMS publics and OPH.
/// Convention art. 5.4 sets up a CAO of the groupement in any case.
pub fn l1414_3_compulsory(members: &[Member]) -> L1414_3Assessment {
    let total = members.len();
    let counted = members
        .iter()
        .filter(|m| m.kind.counts_for_l1414_3())
        .count();
    let compulsory = total > 0 && counted * 2 > total;
    let needed = total / 2 + 1;
    let mut not_counted: Vec<&str> = Vec::new();
    for m in members.iter().filter(|m| !m.kind.counts_for_l1414_3()) {
        let label = m.kind.label_fr();
        if !not_counted.contains(&label) {
            not_counted.push(label);
        }
    }
    let mut text = format!(
        "Le groupement compte {total} membre(s), dont {counted} collectivité(s) territoriale(s) ou \
         établissement(s) public(s) local(aux) au sens de l'article L1414-3 du CGCT (un CCAS, \
         établissement public administratif communal, y est compté ; les établissements publics \
         sociaux ou médico-sociaux, les offices publics de l'habitat et les personnes morales de \
         droit privé ne le sont pas)."
    );
    if !not_counted.is_empty() {
        text.push_str(&format!(" Non comptés : {}.", not_counted.join(", ")));
    }
    if compulsory {
        text.push_str(&format!(
            " Ils forment la majorité ({counted} sur {total}) : la commission d'appel d'offres du \
             groupement prévue à l'article L1414-3 du CGCT est obligatoire."
        ));
    } else {
        text.push_str(&format!(
            " Ils ne forment pas la majorité (il en faudrait au moins {needed} sur {total}) : la \
             commission d'appel d'offres du groupement prévue à l'article L1414-3 du CGCT n'est pas \
             obligatoire. La convention constitutive (article 5.4) institue néanmoins une commission \
             d'appel d'offres du groupement, constituée et présidée par le coordonnateur."
        ));
    }
    let oph = members.iter().filter(|m| m.kind == LegalKind::Oph).count();
    if oph * 2 > total {
        text.push_str(
            " Le groupement étant majoritairement composé d'offices publics de l'habitat, le I bis \
             de l'article L1414-3 (décret en Conseil d'État) s'applique.",
        );
    }
    L1414_3Assessment {
        compulsory,
        counted,
        total,
        explanation_fr: text,
    }
}

/// Members with voix consultative (CGCT L1414-3 III; convention art. 8.3 for the AMOA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultativeKind {
    Amoa,
    Expert,
    ComptablePublic,
    Dgccrf,
    AgentMembre,
}

impl ConsultativeKind {
    pub fn label_fr(self) -> &'static str {
        match self {
            ConsultativeKind::Amoa => "assistant à maîtrise d'ouvrage",
            ConsultativeKind::Expert => "personnalité compétente",
            ConsultativeKind::ComptablePublic => "comptable public",
            ConsultativeKind::Dgccrf => "représentant de la DGCCRF",
            ConsultativeKind::AgentMembre => "agent d'un membre",
        }
    }
}

/// Role of a seat holder. Titulaire and suppléant seats carry the member's single voix
/// délibérative (convention art. 5.4); consultative seats never vote (L1414-3 III).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatRole {
    Titulaire,
    Suppleant,
    Consultatif(ConsultativeKind),
}

/// Record of a designation (convention art. 5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    pub date: NaiveDate,
    /// Designating body, e.g. "CAO du CCAS de Ronchin", "Conseil d'administration", "Président de la CAO".
    pub body: String,
    /// For a member having its own CAO: whether the representative is a voting member of it
    /// (convention art. 5.4, CGCT L1414-3 I 1°). Provided by the caller; `None` = not stated.
    pub voting_member_of_own_cao: Option<bool>,
}

/// One dated seat assignment. `valid_to` is the last day of the mandate (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatAssignment {
    /// The member represented; `None` only for consultative persons external to the members.
    pub member_key: Option<String>,
    pub person_key: String,
    pub person_name: String,
    pub role: SeatRole,
    pub designation: Designation,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl SeatAssignment {
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|t| date <= t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompositionError {
    #[error("Mandat de {person} : le membre « {member} » est inconnu du groupement.")]
    UnknownMember { person: String, member: String },
    #[error(
        "Mandat de {person} : un siège de titulaire ou de suppléant doit être rattaché à un membre."
    )]
    VotingSeatWithoutMember { person: String },
    #[error("Mandat de {person} : la fin du mandat ({to}) précède son début ({from}).")]
    InvertedDates {
        person: String,
        from: String,
        to: String,
    },
    #[error(
        "Mandat de {person} : la désignation ({designated}) est postérieure au début du mandat ({from})."
    )]
    DesignationAfterStart {
        person: String,
        designated: String,
        from: String,
    },
    #[error(
        "Mandat de {person} pour « {member} » : ce membre dispose de sa propre CAO ; il faut indiquer \
         si le représentant y a voix délibérative (article 5.4 de la convention)."
    )]
    OwnCaoFlagMissing { person: String, member: String },
    #[error(
        "Mandat de {person} pour « {member} » : le représentant d'un membre disposant de sa propre \
         CAO doit y avoir voix délibérative (article 5.4 de la convention, CGCT L1414-3 I 1°)."
    )]
    NotVotingMemberOfOwnCao { person: String, member: String },
    #[error(
        "Au {date}, « {member} » a plusieurs {role}s ({first} et {second}) : un seul par membre."
    )]
    DuplicateSeat {
        date: String,
        member: String,
        role: String,
        first: String,
        second: String,
    },
    #[error("Au {date}, {person} occupe plusieurs sièges : une personne ne peut en occuper qu'un.")]
    PersonHoldsSeveralSeats { date: String, person: String },
    #[error(
        "Au {date}, aucun membre actif n'est désigné coordonnateur : la CAO n'a pas de président."
    )]
    NoCoordonnateur { date: String },
    #[error(
        "Plusieurs membres sont désignés coordonnateur ({first} et {second}) : un seul est admis."
    )]
    SeveralCoordonnateurs { first: String, second: String },
}

/// The person holding a seat at a given date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHolder {
    pub person_key: String,
    pub person_name: String,
    pub designation: Designation,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// The voting seat of one member: one voix délibérative, held by the titulaire (or the suppléant
/// replacing it). `presides` marks the coordonnateur's seat, whose holder presides (art. 5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSeat {
    pub member_key: String,
    pub member_name: String,
    pub presides: bool,
    pub titulaire: Option<SeatHolder>,
    pub suppleant: Option<SeatHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultativeSeat {
    pub kind: ConsultativeKind,
    pub member_key: Option<String>,
    pub holder: SeatHolder,
}

/// Composition of the CAO at one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    pub date: NaiveDate,
    pub seats: Vec<MemberSeat>,
    pub consultative: Vec<ConsultativeSeat>,
    /// Voix délibératives = one per active member, vacant or not (the stricter count for quorum).
    pub voting_seats: usize,
    pub warnings_fr: Vec<String>,
}

/// Where a person sits in a composition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonSeat<'a> {
    Voting {
        seat: &'a MemberSeat,
        role: SeatRole,
    },
    Consultative(&'a ConsultativeSeat),
}

impl Composition {
    /// The président: the titulaire of the coordonnateur's seat (art. 5.4).
    pub fn president(&self) -> Option<&SeatHolder> {
        self.seats
            .iter()
            .find(|s| s.presides)
            .and_then(|s| s.titulaire.as_ref())
    }

    pub fn find_person(&self, person_key: &str) -> Option<PersonSeat<'_>> {
        for seat in &self.seats {
            if seat
                .titulaire
                .as_ref()
                .is_some_and(|h| h.person_key == person_key)
            {
                return Some(PersonSeat::Voting {
                    seat,
                    role: SeatRole::Titulaire,
                });
            }
            if seat
                .suppleant
                .as_ref()
                .is_some_and(|h| h.person_key == person_key)
            {
                return Some(PersonSeat::Voting {
                    seat,
                    role: SeatRole::Suppleant,
                });
            }
        }
        self.consultative
            .iter()
            .find(|c| c.holder.person_key == person_key)
            .map(PersonSeat::Consultative)
    }
}

/// Checks one assignment against the members (convention art. 5.4). Call it before storing.
pub fn validate_assignment(members: &[Member], a: &SeatAssignment) -> Result<(), CompositionError> {
    let person = a.person_name.clone();
    if let Some(to) = a.valid_to
        && to < a.valid_from
    {
        return Err(CompositionError::InvertedDates {
            person,
            from: french_date(a.valid_from),
            to: french_date(to),
        });
    }
    if a.designation.date > a.valid_from {
        return Err(CompositionError::DesignationAfterStart {
            person,
            designated: french_date(a.designation.date),
            from: french_date(a.valid_from),
        });
    }
    let member = match &a.member_key {
        Some(k) => Some(members.iter().find(|m| &m.key == k).ok_or_else(|| {
            CompositionError::UnknownMember {
                person: person.clone(),
                member: k.clone(),
            }
        })?),
        None => None,
    };
    if matches!(a.role, SeatRole::Consultatif(_)) {
        return Ok(());
    }
    let Some(member) = member else {
        return Err(CompositionError::VotingSeatWithoutMember { person });
    };
    if member.has_own_cao {
        match a.designation.voting_member_of_own_cao {
            None => {
                return Err(CompositionError::OwnCaoFlagMissing {
                    person,
                    member: member.name.clone(),
                });
            }
            Some(false) => {
                return Err(CompositionError::NotVotingMemberOfOwnCao {
                    person,
                    member: member.name.clone(),
                });
            }
            Some(true) => {}
        }
    }
    Ok(())
}

fn holder(a: &SeatAssignment) -> SeatHolder {
    SeatHolder {
        person_key: a.person_key.clone(),
        person_name: a.person_name.clone(),
        designation: a.designation.clone(),
        valid_from: a.valid_from,
        valid_to: a.valid_to,
    }
}

/// Composition of the CAO on `date` from the dated history of assignments (art. 5.4). Members
/// withdrawn on or before `date` (art. 15) have no seat; their assignments are ignored with a warning.
pub fn composition_at(
    members: &[Member],
    history: &[SeatAssignment],
    date: NaiveDate,
) -> Result<Composition, CompositionError> {
    let d = french_date(date);
    let active: Vec<&Member> = members.iter().filter(|m| m.is_active_on(date)).collect();
    let mut coordonnateurs = members.iter().filter(|m| m.is_coordonnateur);
    if let (Some(a), Some(b)) = (coordonnateurs.next(), coordonnateurs.next()) {
        return Err(CompositionError::SeveralCoordonnateurs {
            first: a.name.clone(),
            second: b.name.clone(),
        });
    }
    if !active.iter().any(|m| m.is_coordonnateur) {
        return Err(CompositionError::NoCoordonnateur { date: d });
    }
    let mut seats: Vec<MemberSeat> = active
        .iter()
        .map(|m| MemberSeat {
            member_key: m.key.clone(),
            member_name: m.name.clone(),
            presides: m.is_coordonnateur,
            titulaire: None,
            suppleant: None,
        })
        .collect();
    let mut consultative = Vec::new();
    let mut warnings_fr = Vec::new();
    let mut persons: HashSet<&str> = HashSet::new();
    for a in history.iter().filter(|a| a.is_valid_on(date)) {
        validate_assignment(members, a)?;
        if let Some(k) = &a.member_key
            && let Some(m) = members
                .iter()
                .find(|m| &m.key == k && !m.is_active_on(date))
        {
            warnings_fr.push(format!(
                "Le mandat de {} est ignoré : « {} » s'est retiré du groupement (article 15 de la convention).",
                a.person_name, m.name
            ));
            continue;
        }
        if !persons.insert(a.person_key.as_str()) {
            return Err(CompositionError::PersonHoldsSeveralSeats {
                date: d,
                person: a.person_name.clone(),
            });
        }
        match a.role {
            SeatRole::Consultatif(kind) => consultative.push(ConsultativeSeat {
                kind,
                member_key: a.member_key.clone(),
                holder: holder(a),
            }),
            role => {
                let Some(seat) = seats
                    .iter_mut()
                    .find(|s| a.member_key.as_ref() == Some(&s.member_key))
                else {
                    continue; // unreachable: validated and active
                };
                let (slot, label) = if role == SeatRole::Titulaire {
                    (&mut seat.titulaire, "titulaire")
                } else {
                    (&mut seat.suppleant, "suppléant")
                };
                if let Some(existing) = slot {
                    return Err(CompositionError::DuplicateSeat {
                        date: d,
                        member: seat.member_name.clone(),
                        role: label.to_string(),
                        first: existing.person_name.clone(),
                        second: a.person_name.clone(),
                    });
                }
                *slot = Some(holder(a));
            }
        }
    }
    for s in &seats {
        if s.titulaire.is_none() {
            let extra = if s.presides {
                " : la CAO n'a pas de président désigné"
            } else {
                ""
            };
            warnings_fr.push(format!(
                "« {} » n'a pas de représentant titulaire au {d}{extra}.",
                s.member_name
            ));
        }
        if s.suppleant.is_none() {
            warnings_fr.push(format!(
                "« {} » n'a pas de représentant suppléant au {d}.",
                s.member_name
            ));
        }
    }
    Ok(Composition {
        date,
        voting_seats: seats.len(),
        seats,
        consultative,
        warnings_fr,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn member(key: &str, kind: LegalKind, coord: bool) -> Member {
        Member {
            key: key.into(),
            name: format!("Membre {key}"),
            kind,
            has_own_cao: kind == LegalKind::Ccas,
            is_coordonnateur: coord,
            withdrawn_on: None,
        }
    }

    /// The seed groupement: 4 CCAS (m1..m4, m1 = coordonnateur) + 6 associations (m5..m10).
    pub(crate) fn seed_members() -> Vec<Member> {
        (1..=10)
            .map(|i| {
                let kind = if i <= 4 {
                    LegalKind::Ccas
                } else {
                    LegalKind::Association
                };
                member(&format!("m{i}"), kind, i == 1)
            })
            .collect()
    }

    pub(crate) fn seat(
        member: &str,
        person: &str,
        role: SeatRole,
        from: NaiveDate,
    ) -> SeatAssignment {
        SeatAssignment {
            member_key: Some(member.into()),
            person_key: person.into(),
            person_name: format!("Personne {person}"),
            role,
            designation: Designation {
                date: from,
                body: format!("CAO du membre {member}"),
                voting_member_of_own_cao: Some(true),
            },
            valid_from: from,
            valid_to: None,
        }
    }

    /// Titulaire "tN" and suppléant "sN" for each of the ten seed members, from 2024-04-01.
    pub(crate) fn seed_history() -> Vec<SeatAssignment> {
        let from = date(2024, 4, 1);
        (1..=10)
            .flat_map(|i| {
                [
                    seat(
                        &format!("m{i}"),
                        &format!("t{i}"),
                        SeatRole::Titulaire,
                        from,
                    ),
                    seat(
                        &format!("m{i}"),
                        &format!("s{i}"),
                        SeatRole::Suppleant,
                        from,
                    ),
                ]
            })
            .collect()
    }

    #[test]
    fn seed_groupement_cao_not_compulsory() {
        let a = l1414_3_compulsory(&seed_members());
        assert!(!a.compulsory);
        assert_eq!((a.counted, a.total), (4, 10));
        assert!(a.explanation_fr.contains("L1414-3"));
        assert!(a.explanation_fr.contains("article 5.4"));
        assert!(a.explanation_fr.contains("au moins 6 sur 10"));
        assert!(a.explanation_fr.contains("Non comptés : association."));
    }

    #[test]
    fn majority_boundaries() {
        let mut ms = seed_members();
        ms[4].kind = LegalKind::Commune; // 5 of 10: exactly half is not a majority
        assert!(!l1414_3_compulsory(&ms).compulsory);
        ms[5].kind = LegalKind::Epl; // 6 of 10
        let a = l1414_3_compulsory(&ms);
        assert!(a.compulsory);
        assert_eq!(a.counted, 6);
        ms[5].kind = LegalKind::EsmsPublic; // ESMS publics and OPH never count
        ms[6].kind = LegalKind::Oph;
        assert!(!l1414_3_compulsory(&ms).compulsory);
        assert!(!l1414_3_compulsory(&[]).compulsory);
    }

    #[test]
    fn ten_members_ten_voting_seats_president_is_coordonnateur_titulaire() {
        let c = composition_at(&seed_members(), &seed_history(), date(2025, 1, 10))
            .expect("composition");
        assert_eq!(c.voting_seats, 10);
        assert_eq!(c.president().map(|p| p.person_key.as_str()), Some("t1"));
        assert!(c.warnings_fr.is_empty());
        assert!(matches!(
            c.find_person("s3"),
            Some(PersonSeat::Voting {
                role: SeatRole::Suppleant,
                ..
            })
        ));
    }

    #[test]
    fn before_designation_seats_are_vacant_with_warnings() {
        let c = composition_at(&seed_members(), &seed_history(), date(2024, 3, 31))
            .expect("composition");
        assert_eq!(c.voting_seats, 10);
        assert!(c.president().is_none());
        assert_eq!(c.warnings_fr.len(), 20);
        assert!(c.warnings_fr[0].contains("pas de président"));
    }

    #[test]
    fn withdrawn_member_has_no_seat_from_its_withdrawal_date() {
        let mut ms = seed_members();
        ms[9].withdrawn_on = Some(date(2025, 6, 1));
        let h = seed_history();
        let before = composition_at(&ms, &h, date(2025, 5, 31)).expect("composition");
        assert_eq!(before.voting_seats, 10);
        let after = composition_at(&ms, &h, date(2025, 6, 1)).expect("composition");
        assert_eq!(after.voting_seats, 9);
        assert!(after.find_person("t10").is_none());
        assert_eq!(after.warnings_fr.len(), 2);
        assert!(after.warnings_fr[0].contains("article 15"));
    }

    #[test]
    fn dated_replacement_of_a_titulaire() {
        let mut h = seed_history();
        h[2].valid_to = Some(date(2025, 3, 31)); // t2 leaves
        h.push(seat("m2", "t2b", SeatRole::Titulaire, date(2025, 4, 1)));
        let c = composition_at(&seed_members(), &h, date(2025, 3, 31)).expect("composition");
        assert!(matches!(
            c.find_person("t2"),
            Some(PersonSeat::Voting { .. })
        ));
        let c = composition_at(&seed_members(), &h, date(2025, 4, 1)).expect("composition");
        assert!(c.find_person("t2").is_none());
        assert!(c.find_person("t2b").is_some());
    }

    #[test]
    fn own_cao_flag_is_required_and_must_be_true() {
        let ms = seed_members();
        let mut a = seat("m2", "x", SeatRole::Titulaire, date(2024, 4, 1));
        a.designation.voting_member_of_own_cao = None;
        let e = validate_assignment(&ms, &a).expect_err("flag missing");
        assert!(matches!(e, CompositionError::OwnCaoFlagMissing { .. }));
        assert!(e.to_string().contains("Membre m2"));
        a.designation.voting_member_of_own_cao = Some(false);
        assert!(matches!(
            validate_assignment(&ms, &a),
            Err(CompositionError::NotVotingMemberOfOwnCao { .. })
        ));
        // An association designates per its own rules: no flag needed.
        let mut b = seat("m6", "y", SeatRole::Suppleant, date(2024, 4, 1));
        b.designation.voting_member_of_own_cao = None;
        assert_eq!(validate_assignment(&ms, &b), Ok(()));
    }

    #[test]
    fn invalid_assignments() {
        let ms = seed_members();
        let mut a = seat("m99", "x", SeatRole::Titulaire, date(2024, 4, 1));
        assert!(matches!(
            validate_assignment(&ms, &a),
            Err(CompositionError::UnknownMember { .. })
        ));
        a.member_key = None;
        assert!(matches!(
            validate_assignment(&ms, &a),
            Err(CompositionError::VotingSeatWithoutMember { .. })
        ));
        a.role = SeatRole::Consultatif(ConsultativeKind::Dgccrf);
        assert_eq!(validate_assignment(&ms, &a), Ok(()));
        let mut b = seat("m1", "z", SeatRole::Titulaire, date(2024, 4, 1));
        b.valid_to = Some(date(2024, 3, 1));
        assert!(matches!(
            validate_assignment(&ms, &b),
            Err(CompositionError::InvertedDates { .. })
        ));
        b.valid_to = None;
        b.designation.date = date(2024, 4, 2);
        assert!(matches!(
            validate_assignment(&ms, &b),
            Err(CompositionError::DesignationAfterStart { .. })
        ));
    }

    #[test]
    fn duplicates_and_coordonnateur_errors() {
        let ms = seed_members();
        let mut h = seed_history();
        h.push(seat("m3", "t3bis", SeatRole::Titulaire, date(2024, 5, 1)));
        let e = composition_at(&ms, &h, date(2024, 6, 1)).expect_err("two titulaires");
        assert!(e.to_string().contains("plusieurs titulaires"));
        let mut h = seed_history();
        h.push(seat("m4", "t3", SeatRole::Suppleant, date(2024, 5, 1)));
        assert!(matches!(
            composition_at(&ms, &h, date(2024, 6, 1)),
            Err(CompositionError::PersonHoldsSeveralSeats { .. })
        ));
        let mut ms2 = ms.clone();
        ms2[0].is_coordonnateur = false;
        assert!(matches!(
            composition_at(&ms2, &seed_history(), date(2024, 6, 1)),
            Err(CompositionError::NoCoordonnateur { .. })
        ));
        ms2[0].is_coordonnateur = true;
        ms2[1].is_coordonnateur = true;
        assert!(matches!(
            composition_at(&ms2, &seed_history(), date(2024, 6, 1)),
            Err(CompositionError::SeveralCoordonnateurs { .. })
        ));
    }

    #[test]
    fn consultative_members_are_listed_without_seat() {
        let mut h = seed_history();
        let mut amoa = seat(
            "m1",
            "amoa",
            SeatRole::Consultatif(ConsultativeKind::Amoa),
            date(2024, 4, 1),
        );
        amoa.member_key = None;
        h.push(amoa);
        let c = composition_at(&seed_members(), &h, date(2024, 6, 1)).expect("composition");
        assert_eq!(c.voting_seats, 10);
        assert_eq!(c.consultative.len(), 1);
        assert!(matches!(
            c.find_person("amoa"),
            Some(PersonSeat::Consultative(_))
        ));
    }
}
