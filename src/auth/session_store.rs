//! tower-sessions store on Coordo's own database (sea-orm), so sessions live server-side in the
//! same SQLite or PostgreSQL database without a second connection pool.
//!
//! Every request reads its session, so the store keeps a bounded in-memory copy of the sessions
//! it has seen, written through: a session is in the cache only once it is in the database
//! (it survives a crash and a restart), and a deletion (logout) reaches the cache as soon as it
//! reaches the database, so it takes effect at once. Only the server writes sessions, so the
//! copy can only lag behind its own writes, which it applies itself.

use crate::db::entities::web_session;
use crate::web::cache::Cache;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::Digest;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// Sessions kept in memory: a few hundred bytes each, so about 2 MB when full.
const CACHED_SESSIONS: usize = 10_000;
/// How long a cached session is trusted before it is read again from the database.
const CACHE_TTL: Duration = Duration::from_secs(300);

/// The in-memory copy of the sessions, shared with the handlers that close sessions.
pub type SessionCache = Arc<Cache<Id, Option<Record>>>;

/// A new, empty session cache.
#[must_use]
pub fn new_cache() -> SessionCache {
    Arc::new(Cache::new(CACHED_SESSIONS, CACHE_TTL))
}

/// Sessions in the `web_session` table, with a write-through cache (`None`: known absent).
#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    cache: SessionCache,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore")
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl DbSessionStore {
    #[must_use]
    pub fn new(db: DatabaseConnection, cache: SessionCache) -> Self {
        Self { db, cache }
    }

    async fn load_from_db(&self, id: &Id) -> Result<Option<Record>> {
        let Some(row) = web_session::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

/// The row of a record: the user, login time and browser are copied out of the data so that
/// one's sessions can be listed (and purged) without decoding every row.
fn row_of(record: &Record, data: String) -> web_session::ActiveModel {
    use crate::web::security::{CREATED_KEY, UA_KEY, USER_ID_KEY};
    let get = |k: &str| record.data.get(k);
    web_session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(data),
        expires_at: Set(to_chrono(record.expiry_date)),
        user_id: Set(get(USER_ID_KEY)
            .and_then(serde_json::Value::as_i64)
            .and_then(|v| i32::try_from(v).ok())),
        created_at: Set(get(CREATED_KEY)
            .and_then(serde_json::Value::as_i64)
            .and_then(|t| DateTime::from_timestamp(t, 0))),
        user_agent: Set(get(UA_KEY)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)),
    }
}

/// Deletes the sessions expired at `now` (real time, like their expiry); returns how many.
///
/// # Errors
/// Database errors.
pub async fn purge_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> std::result::Result<u64, sea_orm::DbErr> {
    Ok(web_session::Entity::delete_many()
        .filter(web_session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// Drops closed sessions from the in-memory copy, so that they end at once.
pub fn forget(cache: &SessionCache, ids: &[String]) {
    for id in ids {
        if let Ok(id) = id.parse::<Id>() {
            cache.put(id, None);
        }
    }
}

/// The public name of a session on the sessions page (never its id, which is the cookie).
#[must_use]
pub fn handle(id: &str) -> String {
    hex::encode(&sha2::Sha256::digest(id.as_bytes())[..8])
}

/// The live sessions of a user, most recent login first.
///
/// # Errors
/// Database errors.
pub async fn of_user(
    db: &DatabaseConnection,
    user_id: i32,
    now: DateTime<Utc>,
) -> std::result::Result<Vec<web_session::Model>, sea_orm::DbErr> {
    use sea_orm::QueryOrder;
    web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(user_id))
        .filter(web_session::Column::ExpiresAt.gt(now))
        .order_by_desc(web_session::Column::CreatedAt)
        .all(db)
        .await
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // A fresh id that is not taken: insert, and draw again on the (astronomically rare) clash.
        loop {
            let data =
                serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
            let row = row_of(record, data);
            match web_session::Entity::insert(row).exec(&self.db).await {
                Ok(_) => {
                    self.cache.put(record.id, Some(record.clone()));
                    return Ok(());
                }
                Err(e)
                    if matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
                {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let row = row_of(record, data);
        web_session::Entity::insert(row)
            .on_conflict(
                OnConflict::column(web_session::Column::Id)
                    .update_columns([
                        web_session::Column::Data,
                        web_session::Column::ExpiresAt,
                        web_session::Column::UserId,
                        web_session::Column::CreatedAt,
                        web_session::Column::UserAgent,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        self.cache.put(record.id, Some(record.clone()));
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let record = match self.cache.get(id) {
            Some(cached) => cached,
            None => {
                let ticket = self.cache.ticket();
                let loaded = self.load_from_db(id).await?;
                self.cache.fill(*id, loaded.clone(), ticket);
                loaded
            }
        };
        // Expired sessions stay in the table until overwritten; they are not sessions any more.
        Ok(record.filter(|r| r.expiry_date > time::OffsetDateTime::now_utc()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        web_session::Entity::delete_many()
            .filter(web_session::Column::Id.eq(id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        self.cache.put(*id, None);
        Ok(())
    }
}
