//! The members' written proxies (convention art. 8.1: « chaque membre peut se faire
//! représenter … par un autre membre du groupement ») and the groupement's tacit-visa rule,
//! recorded by the coordonnateur; every change journaled.

use super::store;
use crate::audit::{self, Actor};
use crate::db::entities::{groupement, member, visa_proxy};
use crate::error::AppError;
use crate::registry::service::GroupementSettings;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// Longest tacit delay a groupement may set (jours ouvrés).
pub const MAX_TACIT_JOURS: u32 = 30;

/// A proxy to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyInput {
    pub grantor_member_id: i32,
    pub holder_member_id: i32,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub document_reference: String,
}

async fn member_name(
    tx: &impl sea_orm::ConnectionTrait,
    gid: i32,
    id: i32,
    field: &str,
) -> Result<String, AppError> {
    member::Entity::find_by_id(id)
        .filter(member::Column::GroupementId.eq(gid))
        .one(tx)
        .await?
        .map(|m| m.name)
        .ok_or_else(|| {
            AppError::field(
                field,
                format!("le membre n° {id} n'appartient pas au groupement"),
            )
        })
}

/// Records a written proxy between two members of the groupement.
///
/// # Errors
/// Validation (same member, dates, missing reference, unknown member), database errors.
pub async fn add(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    p: &ProxyInput,
) -> Result<visa_proxy::Model, AppError> {
    if p.grantor_member_id == p.holder_member_id {
        return Err(AppError::field(
            "holder_member_id",
            "un membre ne se donne pas procuration à lui-même : choisissez un autre membre",
        ));
    }
    if let Some(u) = p.valid_until
        && u < p.given_on
    {
        return Err(AppError::field(
            "valid_until",
            format!(
                "la fin de validité ({}) précède la date du pouvoir ({})",
                crate::calendar::french_date(u),
                crate::calendar::french_date(p.given_on)
            ),
        ));
    }
    let reference = p.document_reference.trim();
    if reference.is_empty() || reference.chars().count() > 500 {
        return Err(AppError::field(
            "document_reference",
            "la référence du pouvoir écrit est obligatoire (500 caractères au plus) : courrier, délibération, courriel…",
        ));
    }
    let tx = audit::begin(db).await?;
    let grantor = member_name(&tx, gid, p.grantor_member_id, "grantor_member_id").await?;
    let holder = member_name(&tx, gid, p.holder_member_id, "holder_member_id").await?;
    let row = visa_proxy::ActiveModel {
        groupement_id: Set(gid),
        grantor_member_id: Set(p.grantor_member_id),
        holder_member_id: Set(p.holder_member_id),
        given_on: Set(p.given_on),
        valid_until: Set(p.valid_until),
        revoked_on: Set(None),
        document_reference: Set(reference.to_owned()),
        created_at: Set(now),
        created_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.procuration_ajoutee",
            entity: "visa_proxy",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({
                "mandant": grantor, "mandataire": holder, "date": p.given_on.to_string(),
                "jusqu_au": p.valid_until.map(|d| d.to_string()), "reference": reference,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Revokes a proxy from `today` on (it no longer applies on that day).
///
/// # Errors
/// `NotFound`, `Conflict` when already revoked, database errors.
pub async fn revoke(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    pid: i32,
) -> Result<(), AppError> {
    let today = super::service::paris_today(now);
    let tx = audit::begin(db).await?;
    let row = visa_proxy::Entity::find_by_id(pid)
        .filter(visa_proxy::Column::GroupementId.eq(gid))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(r) = row.revoked_on {
        return Err(AppError::Conflict(format!(
            "Cette procuration est déjà révoquée depuis le {}.",
            crate::calendar::french_date(r)
        )));
    }
    let mut a: visa_proxy::ActiveModel = row.into();
    a.revoked_on = Set(Some(today));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.procuration_revoquee",
            entity: "visa_proxy",
            entity_id: pid.to_string(),
            summary: serde_json::json!({"revoquee_le": today.to_string()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the groupement's tacit visa (`None` = off): applies to the rounds opened afterwards.
///
/// # Errors
/// A delay of 0 or over [`MAX_TACIT_JOURS`], database errors.
pub async fn set_tacit(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    jours: Option<u32>,
) -> Result<GroupementSettings, AppError> {
    if let Some(n) = jours
        && !(1..=MAX_TACIT_JOURS).contains(&n)
    {
        return Err(AppError::field(
            "tacit_visa_jours_ouvres",
            format!(
                "{n} jours ouvrés : le délai du visa tacite va de 1 à {MAX_TACIT_JOURS} jours ouvrés"
            ),
        ));
    }
    let tx = audit::begin(db).await?;
    let g = groupement::Entity::find_by_id(gid)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = GroupementSettings::from_json(&g.settings);
    let mut after = before.clone();
    after.tacit_visa_jours_ouvres = jours;
    let mut a: groupement::ActiveModel = g.into();
    a.settings = Set(after.to_json());
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.parametres",
            entity: "groupement",
            entity_id: gid.to_string(),
            summary: serde_json::json!({
                "before": {"visa_tacite_jours_ouvres": before.tacit_visa_jours_ouvres},
                "after": {"visa_tacite_jours_ouvres": after.tacit_visa_jours_ouvres},
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The proxies of a groupement with member names, for pages and the API.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &DatabaseConnection,
    gid: i32,
) -> Result<Vec<(visa_proxy::Model, String, String)>, AppError> {
    let names: std::collections::HashMap<i32, String> = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let name = |id: i32| names.get(&id).cloned().unwrap_or_default();
    Ok(store::proxy_rows(db, gid)
        .await?
        .into_iter()
        .map(|p| {
            let (g, h) = (name(p.grantor_member_id), name(p.holder_member_id));
            (p, g, h)
        })
        .collect())
}
