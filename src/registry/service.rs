//! Reading the registry for pages and the API, and the groupement's own settings.

use super::quality::{self, QualityReport};
use super::seed::GroupementFile;
use crate::db::entities::{establishment, groupement, member};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// Rules each groupement sets for itself (the convention leaves them open).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupementSettings {
    /// Tacit visa after this many jours ouvrés without answer; `None` = off (the default).
    pub tacit_visa_jours_ouvres: Option<u32>,
    /// Whether the président of the CAO has a casting vote on a tie.
    pub cao_casting_vote: bool,
    /// Minimum jours francs between convocation and séance (practice: 5).
    pub convocation_jours_francs: u32,
}

impl Default for GroupementSettings {
    fn default() -> Self {
        Self {
            tacit_visa_jours_ouvres: None,
            cao_casting_vote: false,
            convocation_jours_francs: 5,
        }
    }
}

impl GroupementSettings {
    /// Stored form.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
    /// Reads the stored form; unknown or missing keys take their default.
    #[must_use]
    pub fn from_json(s: &str) -> Self {
        serde_json::from_str(s).unwrap_or_default()
    }
}

/// A member with its establishments, in convention order.
#[derive(Clone, Debug)]
pub struct MemberWithEstablishments {
    pub member: member::Model,
    pub establishments: Vec<establishment::Model>,
}

/// All groupements, by name.
///
/// # Errors
/// Database errors.
pub async fn groupements<C: ConnectionTrait>(db: &C) -> Result<Vec<groupement::Model>, DbErr> {
    groupement::Entity::find()
        .order_by_asc(groupement::Column::Name)
        .all(db)
        .await
}

/// One groupement.
///
/// # Errors
/// Database errors.
pub async fn groupement<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<Option<groupement::Model>, DbErr> {
    groupement::Entity::find_by_id(id).one(db).await
}

/// Members of a groupement with their establishments (two queries, whatever the size).
///
/// # Errors
/// Database errors.
pub async fn members<C: ConnectionTrait>(
    db: &C,
    groupement_id: i32,
) -> Result<Vec<MemberWithEstablishments>, DbErr> {
    let rows = member::Entity::find()
        .filter(member::Column::GroupementId.eq(groupement_id))
        .order_by_asc(member::Column::Position)
        .find_with_related(establishment::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(member, mut establishments)| {
            establishments.sort_by_key(|e| e.position);
            MemberWithEstablishments {
                member,
                establishments,
            }
        })
        .collect())
}

/// One member of a groupement (`None` when it belongs to another groupement).
///
/// # Errors
/// Database errors.
pub async fn member<C: ConnectionTrait>(
    db: &C,
    groupement_id: i32,
    member_id: i32,
) -> Result<Option<MemberWithEstablishments>, DbErr> {
    let Some(m) = member::Entity::find_by_id(member_id)
        .filter(member::Column::GroupementId.eq(groupement_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut establishments = establishment::Entity::find()
        .filter(establishment::Column::MemberId.eq(m.id))
        .all(db)
        .await?;
    establishments.sort_by_key(|e| e.position);
    Ok(Some(MemberWithEstablishments {
        member: m,
        establishments,
    }))
}

/// The SIRETs of an establishment row.
#[must_use]
pub fn sirets(e: &establishment::Model) -> Vec<String> {
    serde_json::from_str(&e.sirets).unwrap_or_default()
}

/// Rebuilds the file form of a stored groupement, so that the same quality checks run on what
/// is stored as on what is imported.
pub fn to_file(
    g: &groupement::Model,
    members: &[MemberWithEstablishments],
) -> Result<GroupementFile, serde_json::Error> {
    let extra: serde_json::Value = serde_json::from_str(&g.extra).unwrap_or_default();
    let coordo = members
        .iter()
        .find(|m| m.member.role.as_deref() == Some("coordonnateur"))
        .map_or_else(
            || g.import_key.clone(),
            |m| m.member.finess_juridique.clone(),
        );
    let value = serde_json::json!({
        "name": g.name,
        "legal_basis": g.legal_basis,
        "coordonnateur_finess_juridique": coordo,
        "porteur_finess_juridique": extra.get("porteur_finess_juridique"),
        "members": members.iter().map(|m| serde_json::json!({
            "name": m.member.name,
            // An empty kind is a missing one, not an unknown one.
            "kind": Some(&m.member.kind).filter(|k| !k.is_empty()),
            "finess_juridique": m.member.finess_juridique,
            "address": m.member.address,
            "representative": {"name": m.member.representative_name, "title": m.member.representative_title},
            "copil_member": m.member.copil_member,
            "has_own_cao": m.member.has_own_cao,
            "role": m.member.role,
            "establishments": m.establishments.iter().map(|e| serde_json::json!({
                "name": e.name, "kind": Some(&e.kind).filter(|k| !k.is_empty()), "finess": e.finess,
                "capacity": e.capacity.clone().unwrap_or_default(), "siret": sirets(e),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::from_value(value)
}

/// The data-quality report of what is stored.
///
/// # Errors
/// Only if a stored row cannot be expressed in the file format.
pub fn quality_report(
    g: &groupement::Model,
    members: &[MemberWithEstablishments],
) -> Result<QualityReport, serde_json::Error> {
    Ok(quality::check(&to_file(g, members)?))
}
