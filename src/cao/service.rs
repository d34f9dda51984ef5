//! Use cases on the composition of the CAO and the groupement's CAO settings, each in one
//! audited transaction; the demo composition of the real groupement.

use super::forms::AssignmentDraft;
use super::model::{CONVENTION_DATE, StoredCao, role_codes};
use super::rules::composition::{
    ConsultativeKind, Designation, SeatAssignment, SeatRole, composition_at, validate_assignment,
};
use super::store;
use crate::audit::{self, Actor};
use crate::db::entities::{app_user, cao_seat_assignment, groupement, member};
use crate::error::AppError;
use crate::registry::service::GroupementSettings;
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

fn snapshot(a: &cao_seat_assignment::Model) -> serde_json::Value {
    serde_json::json!({
        "membre": a.member_id, "personne": a.person_name, "courriel": a.person_email,
        "compte": a.user_id, "role": a.role, "qualite_consultative": a.consultative_kind,
        "designation": {"date": a.designation_date, "organe": a.designation_body,
                        "voix_deliberative_cao_propre": a.voting_member_of_own_cao},
        "du": a.valid_from, "au": a.valid_to,
    })
}

/// The dates on which the composition may change within `[from, to]`: checking the composition
/// on each of them checks the whole period (mandates are constant in between).
fn change_dates(
    cao: &StoredCao,
    history: &[SeatAssignment],
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Vec<NaiveDate> {
    let mut dates = vec![from];
    for a in history {
        dates.push(a.valid_from);
        if let Some(t) = a.valid_to.and_then(|t| t.checked_add_days(Days::new(1))) {
            dates.push(t);
        }
    }
    dates.extend(cao.members.iter().filter_map(|m| m.withdrawn_on));
    dates.retain(|d| *d >= from && to.is_none_or(|t| *d <= t));
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// Checks a new or changed mandate against the members and the whole dated composition
/// (convention art. 5.4: one titulaire and one suppléant per member, one seat per person).
fn check_history(
    cao: &StoredCao,
    candidate: &SeatAssignment,
    replacing: Option<&str>,
) -> Result<(), AppError> {
    let invalid =
        |e: super::rules::composition::CompositionError| AppError::field("mandat", e.to_string());
    validate_assignment(&cao.members, candidate).map_err(invalid)?;
    let mut history: Vec<SeatAssignment> = cao
        .history()
        .into_iter()
        .filter(|a| Some(a.person_key.as_str()) != replacing)
        .collect();
    history.push(candidate.clone());
    for d in change_dates(cao, &history, candidate.valid_from, candidate.valid_to) {
        composition_at(&cao.members, &history, d).map_err(invalid)?;
    }
    Ok(())
}

/// Inserts a mandate inside the caller's audited transaction (used by the page and the seed).
///
/// # Errors
/// Member or account of another groupement, a composition rule broken (French), database errors.
pub async fn insert_assignment<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    d: &AssignmentDraft,
) -> Result<cao_seat_assignment::Model, AppError> {
    if let Some(mid) = d.member_id {
        let ok = member::Entity::find_by_id(mid)
            .filter(member::Column::GroupementId.eq(gid))
            .one(tx)
            .await?
            .is_some();
        if !ok {
            return Err(AppError::field(
                "member_id",
                "ce membre n'appartient pas au groupement",
            ));
        }
    }
    if let Some(uid) = d.user_id {
        let ok = app_user::Entity::find_by_id(uid)
            .filter(app_user::Column::GroupementId.eq(gid))
            .one(tx)
            .await?
            .is_some();
        if !ok {
            return Err(AppError::field(
                "user_id",
                "ce compte n'appartient pas au groupement",
            ));
        }
    }
    let cao = store::stored_cao(tx, gid).await?;
    let overlaps = |a: &cao_seat_assignment::Model| {
        a.valid_from <= d.valid_to.unwrap_or(NaiveDate::MAX)
            && d.valid_from <= a.valid_to.unwrap_or(NaiveDate::MAX)
    };
    let same_person = |a: &cao_seat_assignment::Model| {
        (d.user_id.is_some() && a.user_id == d.user_id)
            || (d.person_email.is_some() && a.person_email == d.person_email)
    };
    if let Some(a) = cao
        .assignments
        .iter()
        .find(|a| same_person(a) && overlaps(a))
    {
        return Err(AppError::field(
            "person_email",
            format!(
                "{} occupe déjà un siège à la CAO depuis le {} : une personne ne peut en occuper qu'un (mettez d'abord fin à ce mandat)",
                a.person_name,
                crate::calendar::french_date(a.valid_from)
            ),
        ));
    }
    let candidate = SeatAssignment {
        member_key: d.member_id.map(super::model::member_key),
        person_key: "nouveau mandat".into(),
        person_name: d.person_name.clone(),
        role: d.role,
        designation: d.designation.clone(),
        valid_from: d.valid_from,
        valid_to: d.valid_to,
    };
    check_history(&cao, &candidate, None)?;
    let (role, kind) = role_codes(d.role);
    let row = cao_seat_assignment::ActiveModel {
        groupement_id: Set(gid),
        member_id: Set(d.member_id),
        person_name: Set(d.person_name.clone()),
        person_email: Set(d.person_email.clone()),
        user_id: Set(d.user_id),
        role: Set(role.to_owned()),
        consultative_kind: Set(kind.map(str::to_owned)),
        designation_date: Set(d.designation.date),
        designation_body: Set(d.designation.body.clone()),
        voting_member_of_own_cao: Set(d.designation.voting_member_of_own_cao),
        valid_from: Set(d.valid_from),
        valid_to: Set(d.valid_to),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "cao.mandat_ajoute",
            entity: "cao_seat_assignment",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({ "after": snapshot(&row) }),
        },
    )
    .await?;
    Ok(row)
}

/// Adds a mandate (titulaire, suppléant or consultative member).
///
/// # Errors
/// As [`insert_assignment`].
pub async fn add_assignment(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    d: &AssignmentDraft,
) -> Result<cao_seat_assignment::Model, AppError> {
    let tx = audit::begin(db).await?;
    let row = insert_assignment(&tx, now, actor, gid, d).await?;
    tx.commit().await?;
    Ok(row)
}

/// Ends a mandate on `last_day` (inclusive): the history is kept, the seat is free the day after.
///
/// # Errors
/// Unknown mandate, a date before its start or after an earlier end (French), database errors.
pub async fn end_assignment(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    aid: i32,
    last_day: NaiveDate,
) -> Result<cao_seat_assignment::Model, AppError> {
    let tx = audit::begin(db).await?;
    let a = cao_seat_assignment::Entity::find_by_id(aid)
        .filter(cao_seat_assignment::Column::GroupementId.eq(gid))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(t) = a.valid_to
        && t <= last_day
    {
        return Err(AppError::Conflict(format!(
            "Le mandat de {} a déjà pris fin le {}.",
            a.person_name,
            crate::calendar::french_date(t)
        )));
    }
    let cao = store::stored_cao(&tx, gid).await?;
    let mut candidate = super::model::rules_assignment(&a)
        .ok_or_else(|| anyhow::anyhow!("mandat {aid} illisible"))?;
    candidate.valid_to = Some(last_day);
    check_history(&cao, &candidate, Some(&candidate.person_key.clone()))?;
    let before = snapshot(&a);
    let mut am: cao_seat_assignment::ActiveModel = a.into();
    am.valid_to = Set(Some(last_day));
    let row = am.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "cao.mandat_termine",
            entity: "cao_seat_assignment",
            entity_id: aid.to_string(),
            summary: serde_json::json!({ "before": before, "after": snapshot(&row) }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Sets the CAO rules of the groupement's règlement intérieur: the président's casting vote and
/// the convocation delay in jours francs (DOMAIN Part B §3.2: both left to the groupement).
///
/// # Errors
/// A delay over 60 jours francs, database errors.
pub async fn update_settings(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    casting_vote: bool,
    jours_francs: u32,
) -> Result<GroupementSettings, AppError> {
    if jours_francs > 60 {
        return Err(AppError::field(
            "convocation_jours_francs",
            format!(
                "{jours_francs} jours francs : le délai de convocation ne peut dépasser 60 jours"
            ),
        ));
    }
    let tx = audit::begin(db).await?;
    let g = store::groupement(&tx, gid).await?;
    let before = GroupementSettings::from_json(&g.settings);
    let mut after = before.clone();
    after.cao_casting_vote = casting_vote;
    after.convocation_jours_francs = jours_francs;
    let mut am: groupement::ActiveModel = g.into();
    am.settings = Set(after.to_json());
    am.updated_at = Set(now);
    am.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "cao.parametres",
            entity: "groupement",
            entity_id: gid.to_string(),
            summary: serde_json::json!({
                "before": {"voix_preponderante": before.cao_casting_vote, "jours_francs": before.convocation_jours_francs},
                "after": {"voix_preponderante": after.cao_casting_vote, "jours_francs": after.convocation_jours_francs},
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Designating body of a member's representative (convention art. 5.4): its own CAO when it has
/// one (a voting member of it), otherwise its conseil d'administration (its own rules).
#[must_use]
pub fn designation_body(m: &member::Model) -> String {
    if m.has_own_cao {
        format!("CAO du {}", m.name)
    } else {
        format!("Conseil d'administration de {}", m.name)
    }
}

/// The demo composition of the real groupement, inside the seed's transaction: for each member
/// its titulaire and suppléant (the demo CAO accounts), designated on the convention's date,
/// and the AMOA with voix consultative (CGCT L1414-3 III). Each mandate is journaled.
///
/// # Errors
/// A composition rule broken, database errors.
pub async fn seed_demo_composition<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    gid: i32,
) -> Result<usize, AppError> {
    let g = store::groupement(tx, gid).await?;
    let (y, m, d) = CONVENTION_DATE;
    let date = g
        .convention_adopted_on
        .or_else(|| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(|| anyhow::anyhow!("date de convention"))?;
    let users = app_user::Entity::find()
        .filter(app_user::Column::GroupementId.eq(gid))
        .order_by_asc(app_user::Column::Id)
        .all(tx)
        .await?;
    let members = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .order_by_asc(member::Column::Position)
        .all(tx)
        .await?;
    let mut drafts = Vec::new();
    let draft =
        |u: &app_user::Model, member: Option<&member::Model>, role: SeatRole| AssignmentDraft {
            member_id: member.map(|m| m.id),
            person_name: u.display_name.clone(),
            person_email: Some(u.email.clone()),
            user_id: Some(u.id),
            role,
            designation: Designation {
                date,
                body: member.map_or_else(
                    || "Président de la CAO (CGCT L1414-3 III)".to_owned(),
                    designation_body,
                ),
                voting_member_of_own_cao: member.and_then(|m| m.has_own_cao.then_some(true)),
            },
            valid_from: date,
            valid_to: None,
        };
    for m in &members {
        let seat = |wanted: &[&str]| {
            users.iter().find(|u| {
                u.role == "cao"
                    && u.member_id == Some(m.id)
                    && u.cao_seat.as_deref().is_some_and(|s| wanted.contains(&s))
            })
        };
        if let Some(u) = seat(&["president", "titulaire"]) {
            drafts.push(draft(u, Some(m), SeatRole::Titulaire));
        }
        if let Some(u) = seat(&["suppleant"]) {
            drafts.push(draft(u, Some(m), SeatRole::Suppleant));
        }
    }
    if let Some(u) = users.iter().find(|u| u.role == "amoa") {
        drafts.push(draft(
            u,
            None,
            SeatRole::Consultatif(ConsultativeKind::Amoa),
        ));
    }
    for d in &drafts {
        insert_assignment(tx, now, &Actor::system(), gid, d).await?;
    }
    Ok(drafts.len())
}
