//! The « bordereau de visas » of one version in one round (kind `bordereau_visas`, field names
//! of `documents/examples/bordereau_visas.json`): every required member, its decision,
//! comment, date and channel, and the SHA-256 of the version visaed (convention art. 5.4, 6.2).

use super::rules::{MemberVisaStatus, RoundState};
use super::store::{self, RoundData};
use crate::db::entities::{app_user, consultation, member, visa, visa_round_piece};
use crate::docgen::{DocEngine, DocKind};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// French label of a stored decision code.
#[must_use]
pub fn decision_text(code: &str) -> &'static str {
    match code {
        "favorable" => "visa favorable",
        "favorable_avec_reserves" => "visa favorable avec réserves",
        "defavorable" => "visa défavorable",
        "tacite" => "visa tacite",
        _ => "en attente",
    }
}

/// French label of a member's decision.
#[must_use]
pub fn decision_label(s: MemberVisaStatus) -> &'static str {
    match s {
        MemberVisaStatus::EnAttente => "en attente",
        MemberVisaStatus::Favorable => "visa favorable",
        MemberVisaStatus::FavorableAvecReserves => "visa favorable avec réserves",
        MemberVisaStatus::Defavorable => "visa défavorable",
        MemberVisaStatus::Tacite => "visa tacite",
    }
}

/// Who gave one visa, as the bordereau names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Name of the account that answered (the référent), or its e-mail when it has no name.
    pub person: String,
    pub email: String,
    /// The member whose référent answered.
    pub actor_member: String,
    /// The member the visa is given for.
    pub for_member: String,
}

/// The signatory of a visa: the référent who gave it, and « par procuration de … » when it was
/// given for another member under its written proxy (convention art. 8.1). A tacit visa has
/// no signatory; a member without answer neither.
#[must_use]
pub fn signatory_label(status: MemberVisaStatus, signer: Option<&Signer>) -> String {
    match (status, signer) {
        (MemberVisaStatus::EnAttente, _) => "—".to_owned(),
        (MemberVisaStatus::Tacite, _) => "aucun (visa tacite, délai expiré)".to_owned(),
        (_, None) => "—".to_owned(),
        (_, Some(s)) => {
            let who = if s.email.is_empty() || s.person == s.email {
                s.person.clone()
            } else {
                format!("{} ({})", s.person, s.email)
            };
            if s.actor_member == s.for_member {
                format!("{who}, référent du membre {}", s.actor_member)
            } else {
                format!(
                    "{who}, référent du membre {}, par procuration de {} (convention art. 8.1)",
                    s.actor_member, s.for_member
                )
            }
        }
    }
}

/// The decisions of a round counted apart (never « n favorables » for a mix).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub favorable: usize,
    pub with_reserves: usize,
    pub unfavourable: usize,
    pub tacit: usize,
    pub pending: usize,
    pub expected: usize,
}

impl Tally {
    /// Counts each member's state.
    #[must_use]
    pub fn of(states: &[super::rules::MemberVisaState]) -> Self {
        let mut t = Tally {
            expected: states.len(),
            ..Tally::default()
        };
        for s in states {
            match s.status {
                MemberVisaStatus::Favorable => t.favorable += 1,
                MemberVisaStatus::FavorableAvecReserves => t.with_reserves += 1,
                MemberVisaStatus::Defavorable => t.unfavourable += 1,
                MemberVisaStatus::Tacite => t.tacit += 1,
                MemberVisaStatus::EnAttente => t.pending += 1,
            }
        }
        t
    }

    /// Visas that allow publication (favorable, with reserves or tacit).
    #[must_use]
    pub fn approving(&self) -> usize {
        self.favorable + self.with_reserves + self.tacit
    }

    /// « 8 visas favorables, 1 visa favorable avec réserves, 1 visa tacite, sur 10 membres
    /// appelés à viser » — every non-zero count named apart.
    #[must_use]
    pub fn sentence(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| {
            if n > 1 {
                format!("{n} {many}")
            } else {
                format!("{n} {one}")
            }
        };
        let parts: Vec<String> = [
            (self.favorable, "visa favorable", "visas favorables"),
            (
                self.with_reserves,
                "visa favorable avec réserves",
                "visas favorables avec réserves",
            ),
            (self.unfavourable, "visa défavorable", "visas défavorables"),
            (self.tacit, "visa tacite", "visas tacites"),
            (self.pending, "membre sans réponse", "membres sans réponse"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| plural(n, one, many))
        .collect();
        let list = match parts.as_slice() {
            [] => "aucun visa".to_owned(),
            [one] => one.clone(),
            [head @ .., last] => format!("{} et {last}", head.join(", ")),
        };
        format!(
            "{list}, sur {}",
            plural(
                self.expected,
                "membre appelé à viser",
                "membres appelés à viser"
            )
        )
    }
}

/// The context of the bordereau (pure: everything is loaded by the caller).
#[must_use]
pub fn context(
    lh: &crate::cao::docs::Letterhead,
    c: &consultation::Model,
    data: &RoundData,
    p: &visa_round_piece::Model,
    state: &RoundState,
    signers: &HashMap<i32, Signer>,
    now: DateTime<Utc>,
) -> Value {
    let today = super::service::paris_today(now);
    let (y, m, d) = crate::cao::model::CONVENTION_DATE;
    let convention = lh
        .groupement
        .convention_adopted_on
        .or_else(|| NaiveDate::from_ymd_opt(y, m, d));
    let coord = &lh.coordonnateur;
    let kind = p.piece_kind.parse::<DocKind>().ok();
    let kind_label = kind.map_or_else(
        || p.piece_kind.clone(),
        |k| {
            format!(
                "{} ({})",
                k.label_fr(),
                crate::pieces::context::short_code(k)
            )
        },
    );
    let visas: Vec<Value> = state
        .per_member
        .iter()
        .map(|s| {
            let mid = s.member_key.parse::<i32>().unwrap_or_default();
            let signer = signers.get(&mid);
            let channel = match (s.status, signer) {
                (MemberVisaStatus::EnAttente, _) => "—".to_owned(),
                (MemberVisaStatus::Tacite, _) => "tacite (délai expiré)".to_owned(),
                (_, Some(x)) if x.actor_member != x.for_member => {
                    "Coordo, par procuration écrite".to_owned()
                }
                _ => "Coordo".to_owned(),
            };
            json!({
                "member": s.member_name,
                "signatory": signatory_label(s.status, signer),
                "decision": store::decision_code_of(s.status),
                "decision_label": decision_label(s.status),
                "comment": s.comment.clone().unwrap_or_default(),
                "date": s.decided_on.map(|d| d.to_string()),
                "channel": channel,
            })
        })
        .collect();
    let tally = Tally::of(&state.per_member);
    let listed = |st: MemberVisaStatus| -> Vec<Value> {
        state
            .per_member
            .iter()
            .filter(|s| s.status == st)
            .map(|s| {
                let mid = s.member_key.parse::<i32>().unwrap_or_default();
                json!({
                    "member": s.member_name,
                    "signatory": signatory_label(s.status, signers.get(&mid)),
                    "comment": s.comment.clone().unwrap_or_default(),
                })
            })
            .collect()
    };
    let version = format!("v{}", p.version_number);
    json!({
        "buyer": {
            "name": coord.name, "address": coord.address, "finess_juridique": coord.finess_juridique,
            "representative": {"name": coord.representative_name, "title": coord.representative_title},
            "email": lh.email,
        },
        "groupement": {
            "name": lh.groupement.name, "legal_basis": lh.groupement.legal_basis,
            "convention_date": convention.map(|d| d.to_string()),
        },
        "consultation": {"reference": c.reference, "object": c.objet},
        "document": {
            "date": today.to_string(),
            "created_at": now.with_timezone(&crate::calendar::PARIS).to_rfc3339(),
            "place": crate::cao::docs::town(&coord.address),
            "title": format!("Bordereau des visas – {} version {version}", store::kind_code(&p.piece_kind)),
        },
        "piece": {
            "kind_label": kind_label,
            "version": version,
            "submitted_on": data.round.requested_on.to_string(),
            "sha256": p.docx_sha256,
            "due_on": data.round.due_on.to_string(),
        },
        "visas": visas,
        "status": {
            "all_given": state.approved == state.required,
            "blocked": tally.unfavourable > 0,
            "summary": tally.sentence(),
            "favorable": tally.favorable,
            "with_reserves": tally.with_reserves,
            "unfavourable": tally.unfavourable,
            "tacit": tally.tacit,
            "pending": tally.pending,
            "expected": tally.expected,
        },
        "reserves": listed(MemberVisaStatus::FavorableAvecReserves),
        "refusals": listed(MemberVisaStatus::Defavorable),
    })
}

/// The référent behind the latest visa of each member on the version `p` (the visa that counts).
async fn signers<C: ConnectionTrait>(
    db: &C,
    data: &RoundData,
    p: &visa_round_piece::Model,
    members: &HashMap<i32, member::Model>,
) -> Result<HashMap<i32, Signer>, AppError> {
    let mut latest: HashMap<i32, &visa::Model> = HashMap::new();
    // `data.visas` is ordered oldest first: the last one of a member counts.
    for v in data
        .visas
        .iter()
        .filter(|v| v.piece_version_id == p.piece_version_id)
    {
        latest.insert(v.member_id, v);
    }
    let ids: Vec<i32> = latest.values().filter_map(|v| v.actor_user_id).collect();
    let users: HashMap<i32, app_user::Model> = app_user::Entity::find()
        .filter(app_user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let name = |id: i32| {
        members
            .get(&id)
            .map_or_else(String::new, |m| m.name.clone())
    };
    Ok(latest
        .into_iter()
        .map(|(mid, v)| {
            let user = v.actor_user_id.and_then(|u| users.get(&u));
            let signer = Signer {
                person: user.map_or_else(
                    || v.actor.clone(),
                    |u| {
                        if u.display_name.trim().is_empty() {
                            u.email.clone()
                        } else {
                            u.display_name.clone()
                        }
                    },
                ),
                email: user.map_or_else(String::new, |u| u.email.clone()),
                actor_member: name(v.actor_member_id),
                for_member: name(mid),
            };
            (mid, signer)
        })
        .collect())
}

/// The DOCX of the bordereau of one version of a round.
///
/// # Errors
/// `NotFound` (round or piece), database errors, a rendering error (internal).
#[allow(clippy::too_many_arguments)]
pub async fn docx<C: ConnectionTrait>(
    db: &C,
    engine: &DocEngine,
    gid: i32,
    cid: i32,
    rid: i32,
    kind: DocKind,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    let today = super::service::paris_today(now);
    let c = store::consultation_of(db, gid, cid).await?;
    let data = store::round(db, cid, rid).await?;
    let p = data
        .pieces
        .iter()
        .find(|p| p.piece_kind == kind.as_str())
        .ok_or(AppError::NotFound)?;
    let state = data.piece_state(p, today);
    let lh = crate::cao::docs::letterhead(db, gid).await?;
    let members: HashMap<i32, member::Model> = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let signers = signers(db, &data, p, &members).await?;
    let ctx = context(&lh, &c, &data, p, &state, &signers, now);
    let doc = engine
        .render_docx(
            DocKind::BordereauVisas,
            &ctx,
            &crate::docgen::Look {
                clauses: BTreeMap::new(),
                reference: lh.reference.clone(),
            },
        )
        .map_err(|e| AppError::Internal(anyhow::anyhow!("bordereau_visas : {e}")))?;
    let base = crate::pieces::service::file_name(&c.reference, kind, p.version_number);
    let name = format!(
        "{}_bordereau_visas_tour{rid}.docx",
        base.trim_end_matches(".docx")
    );
    Ok((name, doc.docx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visas::rules::MemberVisaState;

    fn st(key: &str, status: MemberVisaStatus) -> MemberVisaState {
        MemberVisaState {
            member_key: key.into(),
            member_name: format!("Membre {key}"),
            status,
            decided_on: None,
            comment: None,
            answered_by: None,
        }
    }

    #[test]
    fn decisions_are_counted_apart() {
        let mut states: Vec<_> = (0..8)
            .map(|i| st(&i.to_string(), MemberVisaStatus::Favorable))
            .collect();
        states.push(st("8", MemberVisaStatus::FavorableAvecReserves));
        states.push(st("9", MemberVisaStatus::Tacite));
        let t = Tally::of(&states);
        assert_eq!(
            (t.favorable, t.with_reserves, t.tacit, t.expected),
            (8, 1, 1, 10)
        );
        assert_eq!(t.approving(), 10);
        assert_eq!(
            t.sentence(),
            "8 visas favorables, 1 visa favorable avec réserves et 1 visa tacite, sur 10 membres appelés à viser"
        );
        assert!(!t.sentence().contains("10 visas favorables"));
    }

    #[test]
    fn refusals_and_missing_answers_are_named() {
        let t = Tally::of(&[
            st("1", MemberVisaStatus::Favorable),
            st("2", MemberVisaStatus::Defavorable),
            st("3", MemberVisaStatus::EnAttente),
        ]);
        assert_eq!(
            t.sentence(),
            "1 visa favorable, 1 visa défavorable et 1 membre sans réponse, sur 3 membres appelés à viser"
        );
        assert_eq!(t.approving(), 1);
    }

    #[test]
    fn the_signatory_is_the_referent_and_names_the_proxy() {
        let own = Signer {
            person: "Julie Martin".into(),
            email: "j.martin@ronchin.example".into(),
            actor_member: "CCAS DE RONCHIN".into(),
            for_member: "CCAS DE RONCHIN".into(),
        };
        assert_eq!(
            signatory_label(MemberVisaStatus::Favorable, Some(&own)),
            "Julie Martin (j.martin@ronchin.example), référent du membre CCAS DE RONCHIN"
        );
        let proxy = Signer {
            for_member: "SANTELYS".into(),
            ..own
        };
        assert_eq!(
            signatory_label(MemberVisaStatus::FavorableAvecReserves, Some(&proxy)),
            "Julie Martin (j.martin@ronchin.example), référent du membre CCAS DE RONCHIN, par procuration de SANTELYS (convention art. 8.1)"
        );
        assert!(signatory_label(MemberVisaStatus::Tacite, Some(&proxy)).contains("tacite"));
        assert_eq!(signatory_label(MemberVisaStatus::EnAttente, None), "—");
    }
}
