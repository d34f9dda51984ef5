//! Deliberation of the CAO on one agenda item: conflict-of-interest declarations, votes, result.
//!
//! CGCT L1411-5 contains no voting rule; the convention (art. 5.4) leaves the functioning to the
//! coordonnateur. Choices made here (practice, to be stated in the règlement intérieur):
//! - before each item, every voter declares whether it has a conflict of interest; a declared
//!   conflict makes the member leave the room (déport): it neither deliberates nor votes on that
//!   item, and the quorum is recomputed for the item without it (see `quorum_excluding`);
//! - the suppléant does not step in for a titulaire in conflict (the interest is often the member's);
//! - adopted when pour > contre; abstentions are not counted as votes cast (they neither help nor
//!   block), as for the conseil municipal (CGCT L2121-20 by analogy);
//! - on a tie, the président's vote decides only if the groupement's rules grant a voix
//!   prépondérante (it existed under the old CMP, not in L1411-5); otherwise no decision.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::quorum::{QuorumOutcome, VotingRoll, quorum_excluding};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub key: String,
    pub title: String,
}

/// Declaration made by a voter before an item (with or without conflict of interest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictDeclaration {
    pub item_key: String,
    pub person_key: String,
    pub has_conflict: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Pour,
    Contre,
    Abstention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub person_key: String,
    pub choice: VoteChoice,
}

/// Groupement-level settings (règlement intérieur of the CAO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliberationConfig {
    /// The président has a voix prépondérante on a tie (not provided by L1411-5; off by default).
    pub president_casting_vote: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliberationResult {
    Adoptee,
    Rejetee,
    AdopteeVoixPreponderante,
    RejeteeVoixPreponderante,
    /// Tie without casting vote: no decision (the proposal is not adopted).
    PartageSansDecision,
    QuorumNonAtteint,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliberationOutcome {
    pub item_key: String,
    pub quorum: QuorumOutcome,
    /// Names of the voters who left the room for a conflict of interest.
    pub deportes: Vec<String>,
    pub pour: usize,
    pub contre: usize,
    pub abstention: usize,
    pub result: DeliberationResult,
    pub explanation_fr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeliberationError {
    #[error("Point « {item} » : {person} n'a pas déclaré s'il a ou non un conflit d'intérêts.")]
    MissingDeclaration { item: String, person: String },
    #[error("Point « {item} » : déclarations contradictoires de conflit d'intérêts pour {person}.")]
    ContradictoryDeclarations { item: String, person: String },
    #[error("Point « {item} » : {person} ne peut pas voter ({reason}).")]
    NonVoter {
        item: String,
        person: String,
        reason: String,
    },
    #[error(
        "Point « {item} » : « {person} » n'est pas un membre présent de la commission ; son vote est refusé."
    )]
    NotPresent { item: String, person: String },
    #[error("Point « {item} » : {person} a voté deux fois.")]
    DoubleVote { item: String, person: String },
    #[error(
        "Point « {item} » : {person} a déclaré un conflit d'intérêts et s'est déporté ; il ne peut pas voter."
    )]
    ConflictedVoter { item: String, person: String },
    #[error("Point « {item} » : le vote de {person} (pour, contre ou abstention) manque.")]
    MissingVote { item: String, person: String },
    #[error("Point « {item} » : le quorum n'est pas atteint, aucun vote ne peut être enregistré.")]
    VotesWithoutQuorum { item: String },
}

/// Deliberation on one item (see module doc for the rules and the choices made).
pub fn deliberate(
    roll: &VotingRoll,
    item: &AgendaItem,
    declarations: &[ConflictDeclaration],
    votes: &[Vote],
    config: DeliberationConfig,
    second_convocation: bool,
) -> Result<DeliberationOutcome, DeliberationError> {
    let it = item.title.clone();
    // 1. Declarations of every voter for this item.
    let mut conflicted: HashSet<&str> = HashSet::new();
    for v in &roll.voters {
        let mine: Vec<bool> = declarations
            .iter()
            .filter(|d| d.item_key == item.key && d.person_key == v.person_key)
            .map(|d| d.has_conflict)
            .collect();
        match mine.first() {
            None => {
                return Err(DeliberationError::MissingDeclaration {
                    item: it,
                    person: v.person_name.clone(),
                });
            }
            Some(&first) if mine.iter().any(|&c| c != first) => {
                return Err(DeliberationError::ContradictoryDeclarations {
                    item: it,
                    person: v.person_name.clone(),
                });
            }
            Some(&true) => {
                conflicted.insert(v.person_key.as_str());
            }
            Some(&false) => {}
        }
    }
    let excluded: Vec<String> = roll
        .voters
        .iter()
        .filter(|v| conflicted.contains(v.person_key.as_str()))
        .map(|v| v.member_key.clone())
        .collect();
    let deportes: Vec<String> = roll
        .voters
        .iter()
        .filter(|v| conflicted.contains(v.person_key.as_str()))
        .map(|v| v.person_name.clone())
        .collect();
    // 2. Quorum recomputed for the item.
    let quorum = quorum_excluding(roll, &excluded, second_convocation);
    if !quorum.reached {
        if !votes.is_empty() {
            return Err(DeliberationError::VotesWithoutQuorum { item: it });
        }
        let explanation_fr = format!(
            "Point « {it} » : pas de délibération. {}",
            quorum.explanation_fr
        );
        return Ok(DeliberationOutcome {
            item_key: item.key.clone(),
            quorum,
            deportes,
            pour: 0,
            contre: 0,
            abstention: 0,
            result: DeliberationResult::QuorumNonAtteint,
            explanation_fr,
        });
    }
    // 3. Votes.
    let mut cast: HashMap<&str, VoteChoice> = HashMap::new();
    for vote in votes {
        let p = vote.person_key.as_str();
        let Some(voter) = roll.voter(p) else {
            return Err(match roll.non_voter(p) {
                Some(n) => DeliberationError::NonVoter {
                    item: it,
                    person: n.person_name.clone(),
                    reason: n.reason_fr.clone(),
                },
                None => DeliberationError::NotPresent {
                    item: it,
                    person: p.to_string(),
                },
            });
        };
        if conflicted.contains(p) {
            return Err(DeliberationError::ConflictedVoter {
                item: it,
                person: voter.person_name.clone(),
            });
        }
        if cast.insert(p, vote.choice).is_some() {
            return Err(DeliberationError::DoubleVote {
                item: it,
                person: voter.person_name.clone(),
            });
        }
    }
    if let Some(missing) = roll.voters.iter().find(|v| {
        !conflicted.contains(v.person_key.as_str()) && !cast.contains_key(v.person_key.as_str())
    }) {
        return Err(DeliberationError::MissingVote {
            item: it,
            person: missing.person_name.clone(),
        });
    }
    let count = |c: VoteChoice| cast.values().filter(|&&v| v == c).count();
    let (pour, contre, abstention) = (
        count(VoteChoice::Pour),
        count(VoteChoice::Contre),
        count(VoteChoice::Abstention),
    );
    let president_vote = roll
        .president()
        .and_then(|p| cast.get(p.person_key.as_str()).copied());
    let result = if pour > contre {
        DeliberationResult::Adoptee
    } else if contre > pour {
        DeliberationResult::Rejetee
    } else {
        match (config.president_casting_vote, president_vote) {
            (true, Some(VoteChoice::Pour)) => DeliberationResult::AdopteeVoixPreponderante,
            (true, Some(VoteChoice::Contre)) => DeliberationResult::RejeteeVoixPreponderante,
            _ => DeliberationResult::PartageSansDecision,
        }
    };
    let verdict = match result {
        DeliberationResult::Adoptee => "adopté",
        DeliberationResult::Rejetee => "rejeté",
        DeliberationResult::AdopteeVoixPreponderante => {
            "adopté, la voix du président étant prépondérante"
        }
        DeliberationResult::RejeteeVoixPreponderante => {
            "rejeté, la voix du président étant prépondérante"
        }
        DeliberationResult::PartageSansDecision => {
            "non adopté : partage égal des voix, sans voix prépondérante du président (aucune décision)"
        }
        DeliberationResult::QuorumNonAtteint => "non délibéré",
    };
    let mut explanation_fr = format!(
        "Point « {it} » {verdict} : {pour} voix pour, {contre} contre, {abstention} abstention(s) \
         (les abstentions ne comptent pas parmi les suffrages exprimés)."
    );
    if !deportes.is_empty() {
        explanation_fr.push_str(&format!(
            " Se sont déportés pour conflit d'intérêts et n'ont pas pris part à la délibération : {}.",
            deportes.join(", ")
        ));
    }
    explanation_fr.push(' ');
    explanation_fr.push_str(&quorum.explanation_fr);
    Ok(DeliberationOutcome {
        item_key: item.key.clone(),
        quorum,
        deportes,
        pour,
        contre,
        abstention,
        result,
        explanation_fr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cao::rules::composition::composition_at;
    use crate::cao::rules::composition::tests::{date, seed_history, seed_members};
    use crate::cao::rules::quorum::voting_roll;

    fn roll(present: &[&str]) -> VotingRoll {
        let c = composition_at(&seed_members(), &seed_history(), date(2025, 3, 12))
            .expect("composition");
        let p: Vec<String> = present.iter().map(|k| k.to_string()).collect();
        voting_roll(&c, &p).expect("roll")
    }

    fn item() -> AgendaItem {
        AgendaItem {
            key: "lot1".into(),
            title: "Attribution du lot 1".into(),
        }
    }

    fn decl(person: &str, conflict: bool) -> ConflictDeclaration {
        ConflictDeclaration {
            item_key: "lot1".into(),
            person_key: person.into(),
            has_conflict: conflict,
            note: None,
        }
    }

    fn votes(vs: &[(&str, VoteChoice)]) -> Vec<Vote> {
        vs.iter()
            .map(|(p, c)| Vote {
                person_key: p.to_string(),
                choice: *c,
            })
            .collect()
    }

    const SEVEN: [&str; 7] = ["t1", "t2", "t3", "t4", "t5", "t6", "t7"];

    fn no_conflicts(ps: &[&str]) -> Vec<ConflictDeclaration> {
        ps.iter().map(|p| decl(p, false)).collect()
    }

    use VoteChoice::{Abstention as A, Contre as C, Pour as P};

    #[test]
    fn adopted_when_pour_exceeds_contre_abstentions_ignored() {
        let r = roll(&SEVEN);
        let v = votes(&[
            ("t1", P),
            ("t2", P),
            ("t3", C),
            ("t4", A),
            ("t5", A),
            ("t6", A),
            ("t7", A),
        ]);
        let o = deliberate(
            &r,
            &item(),
            &no_conflicts(&SEVEN),
            &v,
            DeliberationConfig::default(),
            false,
        )
        .expect("ok");
        assert_eq!((o.pour, o.contre, o.abstention), (2, 1, 4));
        assert_eq!(o.result, DeliberationResult::Adoptee);
        assert!(
            o.explanation_fr
                .contains("2 voix pour, 1 contre, 4 abstention(s)")
        );
    }

    #[test]
    fn tie_with_and_without_casting_vote() {
        let r = roll(&SEVEN);
        let v = votes(&[
            ("t1", P),
            ("t2", P),
            ("t3", C),
            ("t4", C),
            ("t5", A),
            ("t6", A),
            ("t7", A),
        ]);
        let d = no_conflicts(&SEVEN);
        let o = deliberate(&r, &item(), &d, &v, DeliberationConfig::default(), false).expect("ok");
        assert_eq!(o.result, DeliberationResult::PartageSansDecision);
        let cfg = DeliberationConfig {
            president_casting_vote: true,
        };
        let o = deliberate(&r, &item(), &d, &v, cfg, false).expect("ok");
        assert_eq!(o.result, DeliberationResult::AdopteeVoixPreponderante);
        // Président abstaining: the casting vote cannot apply.
        let v = votes(&[
            ("t1", A),
            ("t2", P),
            ("t3", C),
            ("t4", C),
            ("t5", P),
            ("t6", A),
            ("t7", A),
        ]);
        let o = deliberate(&r, &item(), &d, &v, cfg, false).expect("ok");
        assert_eq!(o.result, DeliberationResult::PartageSansDecision);
        let v = votes(&[
            ("t1", C),
            ("t2", P),
            ("t3", C),
            ("t4", C),
            ("t5", P),
            ("t6", P),
            ("t7", A),
        ]);
        let o = deliberate(&r, &item(), &d, &v, cfg, false).expect("ok");
        assert_eq!(o.result, DeliberationResult::RejeteeVoixPreponderante);
    }

    #[test]
    fn conflict_removes_member_and_recomputes_quorum() {
        // 6 present of 10: quorum reached; one declares a conflict → 5 → no quorum for the item.
        let six = ["t1", "t2", "t3", "t4", "t5", "t6"];
        let r = roll(&six);
        let mut d = no_conflicts(&six);
        d[5] = decl("t6", true);
        let o = deliberate(&r, &item(), &d, &[], DeliberationConfig::default(), false).expect("ok");
        assert_eq!(o.result, DeliberationResult::QuorumNonAtteint);
        assert_eq!(o.quorum.voting_present, 5);
        assert_eq!(o.deportes, vec!["Personne t6".to_string()]);
        let v = votes(&[("t1", P)]);
        assert!(matches!(
            deliberate(&r, &item(), &d, &v, DeliberationConfig::default(), false),
            Err(DeliberationError::VotesWithoutQuorum { .. })
        ));
        // With 7 present, the conflicted member may not vote.
        let r = roll(&SEVEN);
        let mut d = no_conflicts(&SEVEN);
        d[6] = decl("t7", true);
        let v = votes(&[
            ("t1", P),
            ("t2", P),
            ("t3", P),
            ("t4", P),
            ("t5", C),
            ("t6", C),
            ("t7", C),
        ]);
        let e = deliberate(&r, &item(), &d, &v, DeliberationConfig::default(), false)
            .expect_err("conflicted");
        assert!(matches!(e, DeliberationError::ConflictedVoter { .. }));
        let o = deliberate(
            &r,
            &item(),
            &d,
            &v[..6],
            DeliberationConfig::default(),
            false,
        )
        .expect("ok");
        assert_eq!(
            (o.pour, o.contre, o.result),
            (4, 2, DeliberationResult::Adoptee)
        );
        assert!(o.explanation_fr.contains("déportés"));
    }

    #[test]
    fn vote_errors_in_french() {
        let present = ["t1", "t2", "t3", "s3", "t4", "t5", "t6"];
        let r = roll(&present);
        let voters = ["t1", "t2", "t3", "t4", "t5", "t6"];
        let d = no_conflicts(&voters);
        let cfg = DeliberationConfig::default();
        let mut v = votes(&[
            ("t1", P),
            ("t2", P),
            ("t3", P),
            ("t4", P),
            ("t5", P),
            ("t6", P),
        ]);
        assert!(deliberate(&r, &item(), &d, &v, cfg, false).is_ok());
        v.push(Vote {
            person_key: "s3".into(),
            choice: C,
        });
        let e =
            deliberate(&r, &item(), &d, &v, cfg, false).expect_err("suppléant beside titulaire");
        assert!(e.to_string().contains("ne peut pas voter (suppléant"));
        v.pop();
        v.push(Vote {
            person_key: "t9".into(),
            choice: C,
        });
        assert!(matches!(
            deliberate(&r, &item(), &d, &v, cfg, false),
            Err(DeliberationError::NotPresent { .. })
        ));
        v.pop();
        v.push(Vote {
            person_key: "t2".into(),
            choice: C,
        });
        let e = deliberate(&r, &item(), &d, &v, cfg, false).expect_err("double");
        assert_eq!(
            e.to_string(),
            "Point « Attribution du lot 1 » : Personne t2 a voté deux fois."
        );
        v.truncate(5);
        assert!(matches!(
            deliberate(&r, &item(), &d, &v, cfg, false),
            Err(DeliberationError::MissingVote { .. })
        ));
        let e = deliberate(&r, &item(), &d[..5], &v, cfg, false).expect_err("declaration");
        assert!(matches!(e, DeliberationError::MissingDeclaration { .. }));
        let mut d2 = d.clone();
        d2.push(decl("t1", true));
        assert!(matches!(
            deliberate(&r, &item(), &d2, &v, cfg, false),
            Err(DeliberationError::ContradictoryDeclarations { .. })
        ));
    }

    #[test]
    fn second_convocation_deliberates_with_few_members() {
        let r = roll(&["t1", "t2"]);
        let d = no_conflicts(&["t1", "t2"]);
        let v = votes(&[("t1", P), ("t2", A)]);
        let o = deliberate(&r, &item(), &d, &v, DeliberationConfig::default(), true).expect("ok");
        assert_eq!(o.result, DeliberationResult::Adoptee);
    }
}
