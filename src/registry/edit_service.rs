//! Writing the coordonnateur's corrections of a member and its establishments: the changed
//! rows and one journal entry with the old and new values of the changed fields, in one
//! transaction; the same values again write nothing.

use super::edit_rules::{self, MemberValues};
use super::service::{self, MemberWithEstablishments};
use crate::audit::{self, Actor};
use crate::db::entities::{establishment, groupement, member};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};

/// The FINESS numbers used in the groupement outside member `mid` (its own juridique and its
/// establishments' are left out), each with how the quality report names its holder.
#[must_use]
pub fn finess_taken_elsewhere(all: &[MemberWithEstablishments], mid: i32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, m) in all.iter().enumerate().filter(|(_, m)| m.member.id != mid) {
        let place = super::quality_words::member_place(i, &m.member.name);
        out.push((
            super::seed::compact_upper(&m.member.finess_juridique),
            place.clone(),
        ));
        for (j, e) in m.establishments.iter().enumerate() {
            out.push((
                super::seed::compact_upper(&e.finess),
                super::quality_words::establishment_place(&place, j, &e.name),
            ));
        }
    }
    out
}

/// Stores `new` for member `mid` of groupement `gid`: only the rows that change, one journal
/// entry (`registre.membre_modifie`) listing each changed field with its old and new value.
/// Returns the number of changed fields (0: nothing written, no journal entry).
///
/// # Errors
/// The member is not in the groupement (404), database errors.
pub async fn update_member(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    mid: i32,
    new: &MemberValues,
) -> Result<usize, AppError> {
    let tx = audit::begin(db).await?;
    let current = service::member(&*tx, gid, mid)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = MemberValues::from_stored(&current);
    let changes = edit_rules::changes(&old, new);
    if changes.is_empty() {
        tx.rollback().await?;
        return Ok(0);
    }
    if old.member_fields_differ(new) {
        write_member(&*tx, &current.member, new).await?;
        if current.member.role.as_deref() == Some("porteur")
            && old.finess_juridique != new.finess_juridique
        {
            move_porteur(&*tx, gid, &new.finess_juridique).await?;
        }
    }
    for n in &new.establishments {
        let stored = current.establishments.iter().find(|e| e.id == n.id);
        let old_e = old.establishments.iter().find(|e| e.id == n.id);
        if let (Some(row), Some(o)) = (stored, old_e)
            && o != n
        {
            let mut a: establishment::ActiveModel = row.clone().into();
            a.name = Set(n.name.clone());
            a.kind = Set(n.kind.clone());
            a.finess = Set(n.finess.clone());
            a.capacity = Set(n.capacity.clone());
            a.sirets = Set(serde_json::to_string(&n.sirets).unwrap_or_else(|_| "[]".into()));
            a.update(&*tx).await?;
        }
    }
    audit::record(
        &*tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "registre.membre_modifie",
            entity: "member",
            entity_id: mid.to_string(),
            summary: serde_json::json!({
                "membre": current.member.name,
                "modifications": changes,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changes.len())
}

async fn write_member<C: ConnectionTrait>(
    tx: &C,
    row: &member::Model,
    new: &MemberValues,
) -> Result<(), AppError> {
    let mut a: member::ActiveModel = row.clone().into();
    a.name = Set(new.name.clone());
    a.kind = Set(new.kind.clone());
    a.finess_juridique = Set(new.finess_juridique.clone());
    a.address = Set(new.address.clone());
    a.representative_name = Set(new.representative_name.clone());
    a.representative_title = Set(new.representative_title.clone());
    a.has_own_cao = Set(new.has_own_cao);
    a.update(tx).await?;
    Ok(())
}

/// The porteur's FINESS juridique is also the groupement's (kept with the convention's
/// other data): corrected on the member, it is corrected there too, or the quality report
/// would see a porteur whose FINESS is not the declared one.
async fn move_porteur<C: ConnectionTrait>(tx: &C, gid: i32, finess: &str) -> Result<(), AppError> {
    let Some(g) = groupement::Entity::find_by_id(gid).one(tx).await? else {
        return Err(AppError::NotFound);
    };
    let mut extra: serde_json::Value = serde_json::from_str(&g.extra).unwrap_or_default();
    if let Some(map) = extra.as_object_mut() {
        map.insert("porteur_finess_juridique".into(), finess.into());
    } else {
        extra = serde_json::json!({ "porteur_finess_juridique": finess });
    }
    let mut a: groupement::ActiveModel = g.into();
    a.extra = Set(extra.to_string());
    a.update(tx).await?;
    Ok(())
}
