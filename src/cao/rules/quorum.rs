//! Attendance and quorum of a séance of the CAO — CGCT L1411-5 II (by reference of L1414-2/L1414-3).
//!
//! - Each member has one voix délibérative (convention art. 5.4): its titulaire votes when present;
//!   its suppléant votes only when the titulaire is absent; a suppléant present beside its
//!   titulaire attends without voting (rép. min. Billout, JO Sénat 2 juin 2011: no surnombre).
//! - Members with voix consultative never count (L1414-3 III).
//! - Quorum: more than half of the voting seats are held by a present voter (L1411-5 II).
//! - Second convocation after a séance without quorum: the commission sits without quorum
//!   condition (L1411-5 II).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::composition::{Composition, PersonSeat, SeatRole};
use crate::calendar::french_date;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuorumError {
    #[error("La personne « {person} », déclarée présente, ne siège pas à la CAO au {date}.")]
    UnknownPerson { person: String, date: String },
    #[error("La personne « {person} » est déclarée présente deux fois.")]
    DuplicatePresence { person: String },
}

/// A present person holding a member's voix délibérative for the séance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter {
    pub member_key: String,
    pub member_name: String,
    pub person_key: String,
    pub person_name: String,
    /// The suppléant votes because the titulaire is absent.
    pub replacing_titulaire: bool,
    /// Holds the coordonnateur's seat: presides the séance (convention art. 5.4).
    pub presides: bool,
}

/// A present person without vote, with the reason in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonVoter {
    pub person_key: String,
    pub person_name: String,
    pub reason_fr: String,
}

/// Who votes at a séance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingRoll {
    pub voters: Vec<Voter>,
    pub non_voters: Vec<NonVoter>,
    /// Voting seats of the composition (denominator of the quorum).
    pub seats: usize,
}

impl VotingRoll {
    pub fn voter(&self, person_key: &str) -> Option<&Voter> {
        self.voters.iter().find(|v| v.person_key == person_key)
    }

    pub fn non_voter(&self, person_key: &str) -> Option<&NonVoter> {
        self.non_voters.iter().find(|v| v.person_key == person_key)
    }

    pub fn president(&self) -> Option<&Voter> {
        self.voters.iter().find(|v| v.presides)
    }
}

/// Builds the voting roll of a séance from the composition at its date and the persons present
/// (convention art. 5.4; rép. min. Billout 2011 for suppléants beside their titulaire).
pub fn voting_roll(
    composition: &Composition,
    present: &[String],
) -> Result<VotingRoll, QuorumError> {
    let mut seen: HashSet<&str> = HashSet::new();
    for p in present {
        if !seen.insert(p.as_str()) {
            return Err(QuorumError::DuplicatePresence { person: p.clone() });
        }
        if composition.find_person(p).is_none() {
            return Err(QuorumError::UnknownPerson {
                person: p.clone(),
                date: french_date(composition.date),
            });
        }
    }
    let mut voters = Vec::new();
    let mut non_voters = Vec::new();
    for p in present {
        match composition.find_person(p) {
            Some(PersonSeat::Voting { seat, role }) => {
                let titulaire_present = seat
                    .titulaire
                    .as_ref()
                    .is_some_and(|t| seen.contains(t.person_key.as_str()));
                let name = |role: SeatRole| {
                    let h = if role == SeatRole::Titulaire {
                        &seat.titulaire
                    } else {
                        &seat.suppleant
                    };
                    h.as_ref()
                        .map(|h| h.person_name.clone())
                        .unwrap_or_default()
                };
                if role == SeatRole::Suppleant && titulaire_present {
                    non_voters.push(NonVoter {
                        person_key: p.clone(),
                        person_name: name(role),
                        reason_fr: format!(
                            "suppléant de « {} », présent aux côtés de son titulaire : assiste sans voix délibérative",
                            seat.member_name
                        ),
                    });
                } else {
                    voters.push(Voter {
                        member_key: seat.member_key.clone(),
                        member_name: seat.member_name.clone(),
                        person_key: p.clone(),
                        person_name: name(role),
                        replacing_titulaire: role == SeatRole::Suppleant,
                        presides: seat.presides,
                    });
                }
            }
            Some(PersonSeat::Consultative(c)) => non_voters.push(NonVoter {
                person_key: p.clone(),
                person_name: c.holder.person_name.clone(),
                reason_fr: format!(
                    "{} : voix consultative (CGCT L1414-3 III)",
                    c.kind.label_fr()
                ),
            }),
            None => {}
        }
    }
    Ok(VotingRoll {
        voters,
        non_voters,
        seats: composition.voting_seats,
    })
}

/// Outcome of the quorum check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumOutcome {
    pub voting_present: usize,
    pub seats: usize,
    /// Smallest number of voting seats present that is more than half.
    pub required: usize,
    pub reached: bool,
    pub second_convocation: bool,
    pub explanation_fr: String,
}

/// CGCT L1411-5 II: quorum when more than half of the members with voix délibérative are present;
/// on a second convocation after a carence, no quorum condition.
pub fn quorum(roll: &VotingRoll, second_convocation: bool) -> QuorumOutcome {
    quorum_excluding(roll, &[], second_convocation)
}

/// Quorum for one agenda item, the listed members' seats having left the room (déport for a
/// conflict of interest). The denominator stays the composition's voting seats: a déport does not
/// change the composition of the commission. This is a prudent practice choice (the law is silent).
pub fn quorum_excluding(
    roll: &VotingRoll,
    excluded_members: &[String],
    second_convocation: bool,
) -> QuorumOutcome {
    let seats = roll.seats;
    let voting_present = roll
        .voters
        .iter()
        .filter(|v| !excluded_members.contains(&v.member_key))
        .count();
    let required = seats / 2 + 1;
    let reached = second_convocation || voting_present >= required;
    let counted = format!(
        "{voting_present} membre(s) ayant voix délibérative présent(s) sur {seats} siège(s)"
    );
    let explanation_fr = if second_convocation {
        format!(
            "Séance sur seconde convocation après une séance sans quorum : la commission siège \
             valablement sans condition de quorum (CGCT L1411-5 II) ; {counted}."
        )
    } else if reached {
        format!(
            "Quorum atteint : {counted} (plus de la moitié est requise, soit au moins {required}) — \
             CGCT L1411-5 II."
        )
    } else {
        format!(
            "Quorum non atteint : {counted} (plus de la moitié est requise, soit au moins {required}) — \
             CGCT L1411-5 II. La commission doit être convoquée à nouveau ; elle siégera alors \
             valablement sans condition de quorum."
        )
    };
    QuorumOutcome {
        voting_present,
        seats,
        required,
        reached,
        second_convocation,
        explanation_fr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cao::rules::composition::tests::{date, seed_history, seed_members};
    use crate::cao::rules::composition::{ConsultativeKind, composition_at};

    fn comp() -> Composition {
        let mut h = seed_history();
        let mut dg = crate::cao::rules::composition::tests::seat(
            "m1",
            "dgccrf",
            SeatRole::Consultatif(ConsultativeKind::Dgccrf),
            date(2024, 4, 1),
        );
        dg.member_key = None;
        h.push(dg);
        composition_at(&seed_members(), &h, date(2025, 3, 12)).expect("composition")
    }

    fn keys(ks: &[&str]) -> Vec<String> {
        ks.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn six_of_ten_reached_five_not() {
        let c = comp();
        let roll = voting_roll(&c, &keys(&["t1", "t2", "t3", "t4", "t5", "t6"])).expect("roll");
        let q = quorum(&roll, false);
        assert_eq!(
            (q.voting_present, q.seats, q.required, q.reached),
            (6, 10, 6, true)
        );
        assert!(q.explanation_fr.starts_with("Quorum atteint"));
        let roll = voting_roll(&c, &keys(&["t1", "t2", "t3", "t4", "t5"])).expect("roll");
        let q = quorum(&roll, false);
        assert_eq!((q.voting_present, q.required, q.reached), (5, 6, false));
        assert!(q.explanation_fr.contains("convoquée à nouveau"));
    }

    #[test]
    fn second_convocation_sits_without_quorum() {
        let roll = voting_roll(&comp(), &keys(&["t1", "s2"])).expect("roll");
        let q = quorum(&roll, true);
        assert!(q.reached);
        assert_eq!(q.voting_present, 2);
        assert!(q.explanation_fr.contains("sans condition de quorum"));
    }

    #[test]
    fn suppleant_votes_only_when_titulaire_absent() {
        let c = comp();
        // s2 replaces absent t2; s3 sits beside t3; the DGCCRF is consultative.
        let roll =
            voting_roll(&c, &keys(&["t1", "s2", "t3", "s3", "t4", "t5", "dgccrf"])).expect("roll");
        assert_eq!(roll.voters.len(), 5);
        assert!(roll.voter("s2").is_some_and(|v| v.replacing_titulaire));
        assert!(roll.voter("s3").is_none());
        assert!(
            roll.non_voter("s3")
                .is_some_and(|n| n.reason_fr.contains("aux côtés de son titulaire"))
        );
        assert!(
            roll.non_voter("dgccrf")
                .is_some_and(|n| n.reason_fr.contains("voix consultative"))
        );
        assert_eq!(roll.president().map(|p| p.person_key.as_str()), Some("t1"));
        assert!(!quorum(&roll, false).reached);
    }

    #[test]
    fn presence_errors() {
        let c = comp();
        assert!(matches!(
            voting_roll(&c, &keys(&["t1", "t1"])),
            Err(QuorumError::DuplicatePresence { .. })
        ));
        let e = voting_roll(&c, &keys(&["t1", "inconnu"])).expect_err("unknown");
        assert!(e.to_string().contains("« inconnu »"));
    }

    #[test]
    fn excluded_members_reduce_presence_not_seats() {
        let c = comp();
        let roll = voting_roll(&c, &keys(&["t1", "t2", "t3", "t4", "t5", "t6"])).expect("roll");
        let q = quorum_excluding(&roll, &keys(&["m6"]), false);
        assert_eq!((q.voting_present, q.seats, q.reached), (5, 10, false));
    }
}
