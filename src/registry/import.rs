//! `coordo import`: loads a groupement file into the registry. Idempotent (a second run
//! changes nothing), updates in place when the file changed, writes nothing with `--dry-run`
//! or when the file has errors, and journals what it changed in one audit entry.

use super::quality::{self, QualityReport};
use super::seed::{self, GroupementFile};
use crate::audit::{self, Actor};
use crate::db::entities::{establishment, groupement, member};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// What an import did (or would do).
#[derive(Debug)]
pub struct ImportOutcome {
    pub groupement_id: Option<i32>,
    pub changes: Vec<String>,
    pub report: QualityReport,
    pub written: bool,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("fichier illisible : {0}")]
    Parse(String),
    #[error("le fichier contient {0} erreur(s) : rien n'a été importé")]
    Invalid(usize, QualityReport),
    #[error("erreur de base de données : {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Parses then imports a groupement file.
///
/// # Errors
/// See [`ImportError`].
pub async fn import_text(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    text: &str,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let file = GroupementFile::from_json(text).map_err(|e| ImportError::Parse(e.to_string()))?;
    import(db, now, actor, &file, dry_run).await
}

fn key(s: &str) -> String {
    seed::compact_upper(s)
}

fn kind_str<T: serde::Serialize>(k: Option<&T>) -> String {
    k.and_then(|k| serde_json::to_value(k).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Imports an already parsed file.
///
/// # Errors
/// See [`ImportError`].
pub async fn import(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    file: &GroupementFile,
    dry_run: bool,
) -> Result<ImportOutcome, ImportError> {
    let report = quality::check(file);
    if report.has_errors() {
        return Err(ImportError::Invalid(report.error_count(), report));
    }
    let tx = audit::begin(db).await?;
    let mut changes = Vec::new();
    let import_key = key(&file.coordonnateur_finess_juridique);
    let extra = serde_json::json!({
        "porteur_finess_juridique": file.porteur_finess_juridique,
        "budget_ttc": file.budget_ttc,
        "hardware_envelope": file.hardware_envelope,
        "timeline": file.timeline,
        "inconsistencies_in_sources": file.inconsistencies_in_sources,
    })
    .to_string();
    let adopted = file
        .convention_adopted_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let legal_basis = file.legal_basis.clone().unwrap_or_default();
    let existing = groupement::Entity::find()
        .filter(groupement::Column::ImportKey.eq(&import_key))
        .one(&tx)
        .await?;
    let gid = match existing {
        None => {
            let g = groupement::ActiveModel {
                import_key: Set(import_key.clone()),
                name: Set(file.name.clone()),
                legal_basis: Set(legal_basis),
                convention_adopted_on: Set(adopted),
                settings: Set(crate::registry::service::GroupementSettings::default().to_json()),
                extra: Set(extra),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            changes.push(format!("groupement créé : {}", file.name));
            g.id
        }
        Some(g) => {
            let id = g.id;
            if g.name != file.name
                || g.legal_basis != legal_basis
                || g.convention_adopted_on != adopted
                || g.extra != extra
            {
                let mut a: groupement::ActiveModel = g.into();
                a.name = Set(file.name.clone());
                a.legal_basis = Set(legal_basis);
                a.convention_adopted_on = Set(adopted);
                a.extra = Set(extra);
                a.updated_at = Set(now);
                a.update(&tx).await?;
                changes.push(format!("groupement modifié : {}", file.name));
            }
            id
        }
    };
    for (pos, m) in file.members.iter().enumerate() {
        let mid = upsert_member(&tx, gid, pos, m, &mut changes).await?;
        for (epos, e) in m.establishments.iter().enumerate() {
            upsert_establishment(&tx, mid, epos, e, &m.name, &mut changes).await?;
        }
    }
    let written = !dry_run && !changes.is_empty();
    if written {
        audit::record(
            &tx,
            now,
            actor,
            audit::Event {
                groupement_id: Some(gid),
                action: "registre.import",
                entity: "groupement",
                entity_id: gid.to_string(),
                summary: serde_json::json!({ "modifications": changes }),
            },
        )
        .await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(ImportOutcome {
        groupement_id: written.then_some(gid),
        changes,
        report,
        written,
    })
}

async fn upsert_member(
    tx: &sea_orm::DatabaseTransaction,
    gid: i32,
    pos: usize,
    m: &seed::Member,
    changes: &mut Vec<String>,
) -> Result<i32, sea_orm::DbErr> {
    let finess = key(&m.finess_juridique);
    let kind = kind_str(m.kind.as_ref());
    let role = m.role.as_ref().map(|r| kind_str(Some(r)));
    let position = i32::try_from(pos).unwrap_or(i32::MAX);
    let existing = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .filter(member::Column::FinessJuridique.eq(&finess))
        .one(tx)
        .await?;
    let mut a = match &existing {
        None => member::ActiveModel {
            groupement_id: Set(gid),
            ..Default::default()
        },
        Some(row) => row.clone().into(),
    };
    a.name.set_if_not_equals(m.name.clone());
    a.kind.set_if_not_equals(kind);
    a.finess_juridique.set_if_not_equals(finess);
    a.address.set_if_not_equals(m.address.clone());
    a.representative_name
        .set_if_not_equals(m.representative.name.clone());
    a.representative_title
        .set_if_not_equals(m.representative.title.clone());
    a.copil_member.set_if_not_equals(m.copil_member.clone());
    a.has_own_cao.set_if_not_equals(m.has_own_cao);
    a.role.set_if_not_equals(role);
    a.position.set_if_not_equals(position);
    match existing {
        None => {
            a.withdrawn_on.set_if_not_equals(None);
            let row = a.insert(tx).await?;
            changes.push(format!("membre ajouté : {}", m.name));
            Ok(row.id)
        }
        Some(row) => {
            let id = row.id;
            if a.is_changed() {
                a.update(tx).await?;
                changes.push(format!("membre modifié : {}", m.name));
            }
            Ok(id)
        }
    }
}

async fn upsert_establishment(
    tx: &sea_orm::DatabaseTransaction,
    mid: i32,
    pos: usize,
    e: &seed::Establishment,
    member_name: &str,
    changes: &mut Vec<String>,
) -> Result<(), sea_orm::DbErr> {
    let finess = key(&e.finess);
    let sirets: Vec<String> = e.siret.iter().map(|s| key(s)).collect();
    let existing = establishment::Entity::find()
        .filter(establishment::Column::MemberId.eq(mid))
        .filter(establishment::Column::Finess.eq(&finess))
        .one(tx)
        .await?;
    let mut a = match &existing {
        None => establishment::ActiveModel {
            member_id: Set(mid),
            ..Default::default()
        },
        Some(row) => row.clone().into(),
    };
    a.name.set_if_not_equals(e.name.clone());
    a.kind.set_if_not_equals(
        e.kind
            .as_ref()
            .map(|k| k.label().to_owned())
            .unwrap_or_default(),
    );
    a.finess.set_if_not_equals(finess);
    a.capacity
        .set_if_not_equals(Some(e.capacity.clone()).filter(|c| !c.trim().is_empty()));
    a.sirets
        .set_if_not_equals(serde_json::to_string(&sirets).unwrap_or_else(|_| "[]".into()));
    a.position
        .set_if_not_equals(i32::try_from(pos).unwrap_or(i32::MAX));
    if existing.is_none() {
        a.insert(tx).await?;
        changes.push(format!("établissement ajouté : {} ({member_name})", e.name));
    } else if a.is_changed() {
        a.update(tx).await?;
        changes.push(format!(
            "établissement modifié : {} ({member_name})",
            e.name
        ));
    }
    Ok(())
}
