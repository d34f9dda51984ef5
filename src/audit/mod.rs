//! The append-only audit journal. Every state change opens its transaction with [`begin`] and
//! writes one entry with [`record`] before committing, so the change and its trace land
//! together or not at all.
//!
//! Entries are sealed by HMAC-SHA256 under a key kept outside the database, and the head is
//! anchored in a file outside it after each committed write ([`keys`]); [`verify`] also
//! compares the business rows of legal weight with the values journaled for them
//! ([`business`]).

pub mod business;
pub mod chain;
pub mod keys;
pub mod labels;

use crate::db::entities::{audit_entry, audit_head};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, ExecResult, QueryFilter, QueryOrder, QueryResult, QuerySelect, Set, Statement,
    TransactionTrait,
};
use std::sync::Arc;

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

/// A write transaction of the journal: a [`DatabaseTransaction`] (it derefs to one and runs
/// queries like one) whose [`AuditTx::commit`] anchors the new head outside the database.
pub struct AuditTx {
    tx: DatabaseTransaction,
    start_id: i64,
    ring: Option<Arc<keys::Keyring>>,
}

impl std::ops::Deref for AuditTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

impl AuditTx {
    /// Commits, then appends the new head to the anchor file when entries were written.
    ///
    /// # Errors
    /// Database errors.
    pub async fn commit(self) -> Result<(), DbErr> {
        let head = audit_head::Entity::find_by_id(1).one(&self.tx).await?;
        self.tx.commit().await?;
        if let (Some(h), Some(ring)) = (head, &self.ring)
            && h.last_id > self.start_id
        {
            keys::append_anchor(ring, h.last_id, &h.last_hash);
        }
        Ok(())
    }

    /// Rolls back (nothing is anchored).
    ///
    /// # Errors
    /// Database errors.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.tx.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for AuditTx {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.tx.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tx.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tx.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tx.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tx.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.tx.support_returning()
    }
}

/// Opens a write transaction whose first statement locks the journal head: appends are
/// serialised (row lock on PostgreSQL; on SQLite the write lock is taken at once, so a
/// concurrent writer waits on the busy timeout instead of failing on a lock upgrade).
///
/// # Errors
/// Database errors.
pub async fn begin(db: &DatabaseConnection) -> Result<AuditTx, DbErr> {
    let tx = db.begin().await?;
    audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::LastId,
            Expr::col(audit_head::Column::LastId),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec(&tx)
        .await?;
    let head = audit_head::Entity::find_by_id(1).one(&tx).await?;
    let start_id = head.as_ref().map_or(0, |h| h.last_id);
    let ring = head.and_then(|h| h.key_id).and_then(|k| keys::get(&k));
    Ok(AuditTx { tx, start_id, ring })
}

/// Seals the journal of `db` with the key of `key_file` (created at first start) and anchors
/// it in `anchor_file`; registers the key for [`record`] and [`verify`]. A journal started
/// before the key keeps its SHA-256 entries: the key applies from the next entry on.
///
/// # Errors
/// French message: the key is absent or not the one that sealed this journal, a file cannot
/// be written, database errors.
pub async fn open_keyring(
    db: &DatabaseConnection,
    key_file: &std::path::Path,
    anchor_file: &std::path::Path,
) -> Result<Arc<keys::Keyring>, String> {
    let head = audit_head::Entity::find_by_id(1)
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "tête du journal d'audit absente".to_owned())?;
    let secret = keys::load_or_create_secret(
        key_file,
        head.key_id.is_none(),
        "clé du journal d'audit (COORDO_AUDIT_KEY_FILE)",
    )?;
    let id = keys::key_id(&secret);
    match &head.key_id {
        Some(k) if *k != id => {
            return Err(format!(
                "la clé du journal d'audit « {} » (identifiant {id}) n'est pas celle qui a scellé ce journal (identifiant {k})",
                key_file.display()
            ));
        }
        Some(_) => {}
        None => {
            keys::create_anchor(anchor_file, &id, head.last_id + 1)?;
            let anchor = keys::read_anchor(anchor_file)?;
            if anchor.key_id != id {
                return Err(format!(
                    "le fichier d'ancrage « {} » appartient à une autre clé ({})",
                    anchor_file.display(),
                    anchor.key_id
                ));
            }
            audit_head::Entity::update_many()
                .col_expr(audit_head::Column::KeyId, Expr::value(id.clone()))
                .filter(audit_head::Column::Id.eq(1))
                .exec(db)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(keys::register(keys::Keyring::new(
        id,
        secret,
        anchor_file.to_path_buf(),
    )))
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
    let ring = head
        .key_id
        .as_deref()
        .and_then(keys::get)
        .ok_or_else(|| {
            DbErr::Custom(
                "la clé du journal d'audit n'est pas chargée : aucune écriture n'est possible sans elle"
                    .into(),
            )
        })?;
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
    let hash = chain::entry_mac(ring.secret(), &head.last_hash, &fields);
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
        key_id: sea_orm::ActiveValue::NotSet,
    }
    .update(tx)
    .await?;
    Ok(id)
}

/// Checks the whole chain (HMAC under the journal's key), the anchor outside the database and
/// the business rows of legal weight against their journaled values; `None` when intact.
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
    let broken = |reason: String| {
        Ok(Some(chain::Break {
            entry_id: 0,
            reason,
        }))
    };
    let Some(key_id) = head.key_id.as_deref() else {
        return broken(
            "le journal n'est pas scellé par une clé (tête sans identifiant de clé)".into(),
        );
    };
    let Some(ring) = keys::get(key_id) else {
        return broken(format!(
            "la clé du journal (identifiant {key_id}) n'est pas chargée"
        ));
    };
    let anchor = match keys::read_anchor(&ring.anchor_path) {
        Ok(a) => a,
        Err(e) => return broken(e),
    };
    if anchor.key_id != key_id {
        return broken(format!(
            "le fichier d'ancrage appartient à une autre clé ({}) que le journal ({key_id})",
            anchor.key_id
        ));
    }
    let seal = chain::Seal {
        key: Some(ring.secret()),
        keyed_from: anchor.keyed_from,
    };
    if let Some(b) = chain_of(&rows, &head, &seal) {
        return Ok(Some(b));
    }
    let last = rows.last().map_or(0, |r| r.id);
    let first = rows.first().map_or(1, |r| r.id);
    if let Some(b) = chain::check_anchor(&anchor, last, |id| {
        usize::try_from(id - first)
            .ok()
            .and_then(|i| rows.get(i))
            .filter(|r| r.id == id)
            .map(|r| r.hash.clone())
    }) {
        return Ok(Some(b));
    }
    business::verify(db, &rows).await
}

fn chain_of(
    rows: &[audit_entry::Model],
    head: &audit_head::Model,
    seal: &chain::Seal<'_>,
) -> Option<chain::Break> {
    chain::verify(
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
        seal,
    )
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
