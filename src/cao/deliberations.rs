//! Use cases of a séance once its quorum is known: conflict-of-interest declarations, votes,
//! deliberation of each item, observations, closing, and the members' signatures of the
//! procès-verbal — each in one audited transaction.

use super::docs::{self, RankingSource};
use super::forms::choice_code;
use super::model::{SeanceStatus, may_act_for, may_manage, person_key, role_label};
use super::pv_store::{self, PvKind};
use super::rules::composition::SeatRole;
use super::rules::deliberation::{DeliberationError, DeliberationOutcome, VoteChoice, deliberate};
use super::rules::quorum::{VotingRoll, quorum_excluding};
use super::seances::{ensure_manager, ensure_status};
use super::store::{self, ItemData, SeanceData};
use crate::audit;
use crate::auth::CurrentUser;
use crate::db::entities::{
    cao_conflict_declaration, cao_deliberation, cao_observation, cao_seance, cao_signoff, cao_vote,
};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};

async fn record<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    action: &'static str,
    entity: (&'static str, i32),
    summary: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action,
            entity: entity.0,
            entity_id: entity.1.to_string(),
            summary,
        },
    )
    .await?;
    Ok(())
}

/// The roll of a séance that may deliberate: attendance recorded and quorum reached (or second
/// convocation).
fn sitting_roll(data: &SeanceData) -> Result<VotingRoll, AppError> {
    let roll = data
        .roll()
        .ok_or_else(|| AppError::Conflict("Relevez d'abord les présences de la séance.".into()))?
        .map_err(AppError::Conflict)?;
    let q = super::rules::quorum::quorum(&roll, data.seance.second_convocation);
    if !q.reached {
        return Err(AppError::Conflict(format!(
            "{} Constatez la carence.",
            q.explanation_fr
        )));
    }
    Ok(roll)
}

/// An agenda item of the séance not yet deliberated.
fn open_item(data: &SeanceData, item_id: i32) -> Result<&ItemData, AppError> {
    let item = data.item(item_id).ok_or_else(|| {
        AppError::field(
            "item_id",
            format!("le point {item_id} n'est pas à l'ordre du jour de cette séance"),
        )
    })?;
    if item.deliberation.is_some() {
        return Err(AppError::Conflict(format!(
            "Le point « {} » a déjà été délibéré.",
            item.item.title
        )));
    }
    Ok(item)
}

/// The person named by a form (a mandate id), or the caller's own mandate at the séance's date.
fn person_of(
    data: &SeanceData,
    user: &CurrentUser,
    given: Option<&str>,
) -> Result<String, AppError> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => {
            let known = data
                .composition
                .as_ref()
                .is_ok_and(|c| c.find_person(p).is_some());
            if known {
                Ok(p.to_owned())
            } else {
                Err(AppError::field(
                    "person",
                    format!(
                        "la personne « {p} » ne siège pas à la CAO au {}",
                        crate::calendar::french_date(data.date())
                    ),
                ))
            }
        }
        None => data
            .cao
            .own_assignment(user.id, data.date())
            .map(|a| person_key(a.id))
            .ok_or_else(|| {
                AppError::Forbidden(
                    "votre compte n'est rattaché à aucun siège de la CAO à la date de la séance"
                        .into(),
                )
            }),
    }
}

fn name_of(data: &SeanceData, person: &str) -> String {
    data.cao
        .assignment(person)
        .map_or_else(|| person.to_owned(), |a| a.person_name.clone())
}

fn assignment_id(person: &str) -> Result<i32, AppError> {
    person
        .parse()
        .map_err(|_| AppError::field("person", format!("personne « {person} » invalide")))
}

fn not_a_voter(roll: &VotingRoll, item: &ItemData, person: &str, name: String) -> AppError {
    let e = match roll.non_voter(person) {
        Some(n) => DeliberationError::NonVoter {
            item: item.item.title.clone(),
            person: n.person_name.clone(),
            reason: n.reason_fr.clone(),
        },
        None => DeliberationError::NotPresent {
            item: item.item.title.clone(),
            person: name,
        },
    };
    AppError::field("person", e.to_string())
}

/// A voter declares, before an item, whether it has a conflict of interest with a bidder; a
/// declared conflict takes its member out of the item (déport, see `deliberate`). A CAO member
/// declares for their own seat; the séance's managers may record any voter's declaration.
///
/// # Errors
/// Another member's seat (403), wrong state, not a voter, double declaration (French, nothing
/// written), database errors.
#[allow(clippy::too_many_arguments)]
pub async fn declare(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    item_id: i32,
    person: Option<&str>,
    has_conflict: bool,
    note: Option<String>,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    let manager = may_manage(user, &data.cao, data.date());
    let person = person_of(&data, user, person)?;
    if !may_act_for(user, &data.cao, &person, manager) {
        return Err(AppError::Forbidden(
            "un membre de la CAO ne déclare que pour son propre siège".into(),
        ));
    }
    ensure_status(
        &data,
        &[SeanceStatus::Convoquee],
        "recevoir une déclaration",
    )?;
    let roll = sitting_roll(&data)?;
    let item = open_item(&data, item_id)?;
    let name = name_of(&data, &person);
    if roll.voter(&person).is_none() {
        return Err(not_a_voter(&roll, item, &person, name));
    }
    if item
        .declarations
        .iter()
        .any(|d| person_key(d.assignment_id) == person)
    {
        return Err(AppError::Conflict(format!(
            "{name} a déjà fait sa déclaration sur le point « {} ».",
            item.item.title
        )));
    }
    let row = cao_conflict_declaration::ActiveModel {
        agenda_item_id: Set(item_id),
        assignment_id: Set(assignment_id(&person)?),
        has_conflict: Set(has_conflict),
        note: Set(note.clone()),
        recorded_by_user_id: Set(Some(user.id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.declaration",
        ("cao_conflict_declaration", row.id),
        serde_json::json!({"seance": sid, "point": item.item.title, "personne": name, "conflit": has_conflict, "precision": note}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records one vote on an item (by the séance's managers, as the président calls the vote).
///
/// # Errors
/// Not a manager, wrong state, a non-voter, a voter in conflict or without declaration, no
/// quorum for the item, a second vote (French, nothing written), database errors.
#[allow(clippy::too_many_arguments)]
pub async fn vote(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    item_id: i32,
    person: &str,
    choice: VoteChoice,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(&data, &[SeanceStatus::Convoquee], "enregistrer un vote")?;
    let roll = sitting_roll(&data)?;
    let item = open_item(&data, item_id)?;
    let person = person_of(&data, user, Some(person))?;
    let name = name_of(&data, &person);
    let title = item.item.title.clone();
    if roll.voter(&person).is_none() {
        return Err(not_a_voter(&roll, item, &person, name));
    }
    let declared = item
        .declarations
        .iter()
        .find(|d| person_key(d.assignment_id) == person);
    let e = match declared {
        None => Some(DeliberationError::MissingDeclaration {
            item: title.clone(),
            person: name.clone(),
        }),
        Some(d) if d.has_conflict => Some(DeliberationError::ConflictedVoter {
            item: title.clone(),
            person: name.clone(),
        }),
        Some(_) => None,
    };
    if let Some(e) = e {
        return Err(AppError::field("person", e.to_string()));
    }
    let conflicted = item.conflicted();
    let excluded: Vec<String> = roll
        .voters
        .iter()
        .filter(|v| conflicted.contains(&v.person_key))
        .map(|v| v.member_key.clone())
        .collect();
    if !quorum_excluding(&roll, &excluded, data.seance.second_convocation).reached {
        let e = DeliberationError::VotesWithoutQuorum { item: title };
        return Err(AppError::Conflict(e.to_string()));
    }
    if item
        .votes
        .iter()
        .any(|v| person_key(v.assignment_id) == person)
    {
        let e = DeliberationError::DoubleVote {
            item: title,
            person: name,
        };
        return Err(AppError::Conflict(e.to_string()));
    }
    let row = cao_vote::ActiveModel {
        agenda_item_id: Set(item_id),
        assignment_id: Set(assignment_id(&person)?),
        choice: Set(choice_code(choice).to_owned()),
        recorded_by_user_id: Set(Some(user.id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.vote",
        ("cao_vote", row.id),
        serde_json::json!({"seance": sid, "point": title, "personne": name, "vote": choice_code(choice)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stored form of a deliberation result.
#[must_use]
pub fn result_code(o: &DeliberationOutcome) -> String {
    serde_json::to_value(o.result)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Deliberates on an item from the stored declarations and votes, with the groupement's
/// casting-vote rule, and stores the result (`deliberate`).
///
/// # Errors
/// Not a manager, wrong state, a missing declaration or vote (French), database errors.
pub async fn deliberate_item(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    item_id: i32,
) -> Result<DeliberationOutcome, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(&data, &[SeanceStatus::Convoquee], "délibérer")?;
    let roll = sitting_roll(&data)?;
    let item = open_item(&data, item_id)?;
    let o = deliberate(
        &roll,
        &item.rules_item(),
        &item.rules_declarations(),
        &item.rules_votes(),
        data.config(),
        data.seance.second_convocation,
    )
    .map_err(|e| AppError::field("item_id", e.to_string()))?;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let row = cao_deliberation::ActiveModel {
        agenda_item_id: Set(item_id),
        result: Set(result_code(&o)),
        pour: Set(count(o.pour)),
        contre: Set(count(o.contre)),
        abstention: Set(count(o.abstention)),
        voting_present: Set(count(o.quorum.voting_present)),
        quorum_required: Set(count(o.quorum.required)),
        quorum_reached: Set(o.quorum.reached),
        deportes: Set(serde_json::to_string(&o.deportes).unwrap_or_else(|_| "[]".into())),
        explanation: Set(o.explanation_fr.clone()),
        decided_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.deliberation",
        ("cao_deliberation", row.id),
        serde_json::json!({
            "seance": sid, "point": item.item.title, "resultat": row.result,
            "pour": o.pour, "contre": o.contre, "abstention": o.abstention,
            "voix_preponderante": data.settings.cao_casting_vote, "explication": o.explanation_fr,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(o)
}

/// Records an observation of a present person (member or consultative member: CGCT L1414-3 III,
/// their observations go into the procès-verbal).
///
/// # Errors
/// Not a manager, wrong state, a person not present, an empty text, database errors.
pub async fn observe(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    person: &str,
    text: &str,
) -> Result<(), AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(AppError::field(
            "text",
            "l'observation est obligatoire (2000 caractères au plus)",
        ));
    }
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(
        &data,
        &[SeanceStatus::Convoquee],
        "recevoir une observation",
    )?;
    sitting_roll(&data)?;
    let person = person_of(&data, user, Some(person))?;
    if !data.present.contains(&person) {
        return Err(AppError::field(
            "person",
            format!(
                "{} n'est pas présent à la séance : son observation ne peut être portée au procès-verbal",
                name_of(&data, &person)
            ),
        ));
    }
    let a = data
        .cao
        .assignment(&person)
        .ok_or_else(|| anyhow::anyhow!("mandat {person} absent"))?;
    let author = match super::model::rules_assignment(a).map(|r| r.role) {
        Some(SeatRole::Consultatif(k)) => {
            format!("{}, {} (voix consultative)", a.person_name, k.label_fr())
        }
        Some(r) => format!("{} ({})", a.person_name, role_label(r)),
        None => a.person_name.clone(),
    };
    let row = cao_observation::ActiveModel {
        seance_id: Set(sid),
        assignment_id: Set(Some(a.id)),
        author: Set(author.clone()),
        text: Set(text.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.observation",
        ("cao_observation", row.id),
        serde_json::json!({"seance": sid, "auteur": author, "texte": text}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the séance once every item is deliberated: it becomes « tenue » and its procès-verbal
/// is established once and stored as is (bytes and SHA-256, journaled with the closing); the
/// members then sign it.
///
/// # Errors
/// Not a manager, wrong state, no quorum, an item not deliberated, database errors.
pub async fn close(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    rankings: &dyn RankingSource,
) -> Result<(), AppError> {
    // What the ranking gives for the attribution items, read before the transaction (the
    // analysis of the offers is read through its own area, see `RankingSource`).
    let awards = docs::awards(rankings, db, gid, &store::seance(db, gid, sid).await?, now).await?;
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(&data, &[SeanceStatus::Convoquee], "la clore")?;
    sitting_roll(&data)?;
    let open: Vec<&str> = data
        .items
        .iter()
        .filter(|i| i.deliberation.is_none())
        .map(|i| i.item.title.as_str())
        .collect();
    if !open.is_empty() {
        return Err(AppError::Conflict(format!(
            "Points non encore délibérés : {}.",
            open.join(" ; ")
        )));
    }
    let mut am: cao_seance::ActiveModel = data.seance.into();
    am.status = Set(SeanceStatus::Tenue.code().to_owned());
    am.closed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(&tx).await?;
    // The procès-verbal as closed: rendered once, from the séance as it now stands, and kept as
    // is (bytes and SHA-256), in this same transaction.
    let closed = store::seance(&tx, gid, sid).await?;
    let pv = pv_store::establish(
        &tx,
        gid,
        &closed,
        PvKind::Pv,
        &awards,
        &user.actor().label,
        now,
    )
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.seance_close",
        ("cao_seance", sid),
        serde_json::json!({
            "etat": "tenue", "points": data.items.len(),
            "proces_verbal": {"fichier": pv.file_name, "octets": pv.size, "sha256": pv.sha256},
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A present member signs the procès-verbal, on their own account only.
///
/// # Errors
/// Another person's seat (403), not closed, not present, already signed, database errors.
pub async fn sign(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    person: Option<&str>,
) -> Result<String, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    let person = person_of(&data, user, person)?;
    if !may_act_for(user, &data.cao, &person, false) {
        return Err(AppError::Forbidden(
            "vous ne pouvez signer le procès-verbal que pour votre propre siège".into(),
        ));
    }
    ensure_status(&data, &[SeanceStatus::Tenue], "signer son procès-verbal")?;
    let name = name_of(&data, &person);
    if !data.present.contains(&person) {
        return Err(AppError::Conflict(format!(
            "{name} n'était pas présent à la séance : il ne signe pas le procès-verbal."
        )));
    }
    if data
        .signoffs
        .iter()
        .any(|s| person_key(s.assignment_id) == person)
    {
        return Err(AppError::Conflict(format!(
            "{name} a déjà signé le procès-verbal."
        )));
    }
    let row = cao_signoff::ActiveModel {
        seance_id: Set(sid),
        assignment_id: Set(assignment_id(&person)?),
        user_id: Set(Some(user.id)),
        signed_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.signature_pv",
        ("cao_signoff", row.id),
        serde_json::json!({"seance": sid, "signataire": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}
