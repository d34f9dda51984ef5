//! The append-only audit journal. Every state change opens its transaction with [`begin`] and
//! writes one entry with [`record`] before committing, so the change and its trace land
//! together or not at all.

pub mod chain;

use crate::db::entities::{audit_entry, audit_head};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

/// Who did something: a user, or the system / the command line.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i32>,
    pub label: String,
}

impl Actor {
    /// The service itself (seeding, background jobs).
    #[must_use]
    pub fn system() -> Self {
        Self {
            user_id: None,
            label: "système".into(),
        }
    }
    /// The `coordo` command line, run by an operator on the server.
    #[must_use]
    pub fn cli() -> Self {
        Self {
            user_id: None,
            label: "ligne de commande".into(),
        }
    }
}

/// One state change to journal.
#[derive(Clone, Debug)]
pub struct Event {
    pub groupement_id: Option<i32>,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    /// Before/after summary (JSON).
    pub summary: serde_json::Value,
}

/// Opens a write transaction whose first statement locks the journal head: appends are
/// serialised (row lock on PostgreSQL; on SQLite the write lock is taken at once, so a
/// concurrent writer waits on the busy timeout instead of failing on a lock upgrade).
///
/// # Errors
/// Database errors.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let tx = db.begin().await?;
    audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::LastId,
            Expr::col(audit_head::Column::LastId),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec(&tx)
        .await?;
    Ok(tx)
}

/// Appends one entry chained to the previous one, inside the caller's transaction.
///
/// # Errors
/// Database errors.
pub async fn record<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    event: Event,
) -> Result<i64, DbErr> {
    let head = audit_head::Entity::find_by_id(1)
        .one(tx)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let id = head.last_id + 1;
    let at = now.to_rfc3339_opts(SecondsFormat::Micros, true);
    let summary = event.summary.to_string();
    let entity_id = event.entity_id;
    let fields = chain::EntryFields {
        id,
        at: &at,
        groupement_id: event.groupement_id,
        actor_user_id: actor.user_id,
        actor: &actor.label,
        action: event.action,
        entity: event.entity,
        entity_id: &entity_id,
        summary: &summary,
    };
    let hash = chain::entry_hash(&head.last_hash, &fields);
    audit_entry::ActiveModel {
        id: Set(id),
        at: Set(at.clone()),
        groupement_id: Set(event.groupement_id),
        actor_user_id: Set(actor.user_id),
        actor: Set(actor.label.clone()),
        action: Set(event.action.to_owned()),
        entity: Set(event.entity.to_owned()),
        entity_id: Set(entity_id.clone()),
        summary: Set(summary),
        prev_hash: Set(head.last_hash.clone()),
        hash: Set(hash.clone()),
    }
    .insert(tx)
    .await?;
    audit_head::ActiveModel {
        id: Set(1),
        last_id: Set(id),
        last_hash: Set(hash),
    }
    .update(tx)
    .await?;
    Ok(id)
}

/// Checks the whole chain; `None` when intact.
///
/// # Errors
/// Database errors.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Option<chain::Break>, DbErr> {
    let head = audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let rows = audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;
    Ok(chain::verify(
        rows.iter().map(|r| {
            (
                chain::EntryFields {
                    id: r.id,
                    at: &r.at,
                    groupement_id: r.groupement_id,
                    actor_user_id: r.actor_user_id,
                    actor: &r.actor,
                    action: &r.action,
                    entity: &r.entity,
                    entity_id: &r.entity_id,
                    summary: &r.summary,
                },
                r.prev_hash.as_str(),
                r.hash.as_str(),
            )
        }),
        (head.last_id, &head.last_hash),
    ))
}

/// Id of the last entry of the journal (0 when empty): moves with every state change, which is
/// what the caches of [`crate::web::cache`] are stamped with. Reads only the id column.
///
/// # Errors
/// Database errors.
pub async fn last_id<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(audit_head::Entity::find_by_id(1)
        .select_only()
        .column(audit_head::Column::LastId)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .unwrap_or(0))
}

/// Number of entries in the journal.
///
/// # Errors
/// Database errors.
pub async fn count<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    Ok(audit_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |h| h.last_id))
}

/// The latest entries of a groupement, newest first.
///
/// # Errors
/// Database errors.
pub async fn latest(
    db: &DatabaseConnection,
    groupement_id: i32,
    limit: u64,
) -> Result<Vec<audit_entry::Model>, DbErr> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::GroupementId.eq(groupement_id))
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
