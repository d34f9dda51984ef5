//! Small in-memory caches in front of the database. The database stays the truth: every entry
//! is either written through (sessions) or stamped with the data version it was read at (see
//! [`DataVersion`]), so a cache can only save work, never answer with data older than a write
//! the caller could have seen. Each cache is bounded and its entries expire, so memory stays
//! flat however many sessions or pages are visited.

use crate::audit;
use crate::auth::CurrentUser;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The version of the stored data: the last id of the audit journal. Every state change
/// appends to the journal in its own transaction, so any committed write moves it; a value
/// read at version `v` is current for as long as the version is still `v` — across processes
/// too (the command line writes the same journal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DataVersion(pub i64);

impl DataVersion {
    /// Reads the current version (one primary-key lookup).
    ///
    /// # Errors
    /// Database errors.
    pub async fn read<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        audit::last_id(db).await.map(Self)
    }
}

/// A bounded map whose entries expire `ttl` after they were stored.
///
/// Reads that miss take a [`Ticket`]; their result is stored only if no write went through the
/// cache meanwhile ([`Cache::fill`]), so a slow read can never put back a value that a
/// concurrent write (a logout, say) has just replaced or removed.
pub struct Cache<K, V> {
    inner: Mutex<Inner<K, V>>,
    ttl: Duration,
    capacity: usize,
}

struct Inner<K, V> {
    map: HashMap<K, Slot<V>>,
    /// Number of writes so far (see [`Ticket`]).
    writes: u64,
}

struct Slot<V> {
    value: V,
    stored: Instant,
}

/// Taken before reading the database after a miss: the number of writes seen then.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    /// An empty cache of at most `capacity` entries, each kept at most `ttl`.
    #[must_use]
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                writes: 0,
            }),
            ttl,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // No operation panics while holding the lock with the map half-updated, so a poisoned
        // lock still guards a consistent map.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value stored for `key`, if any and not expired.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let inner = self.lock();
        inner
            .map
            .get(key)
            .filter(|s| now.saturating_duration_since(s.stored) < self.ttl)
            .map(|s| s.value.clone())
    }

    /// Marks the start of a read from the database after a miss.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().writes)
    }

    /// Stores what a read found, unless a write went through the cache since `ticket`.
    pub fn fill(&self, key: K, value: V, ticket: Ticket) {
        self.fill_at(key, value, ticket, Instant::now());
    }

    fn fill_at(&self, key: K, value: V, ticket: Ticket, now: Instant) {
        let mut inner = self.lock();
        if inner.writes == ticket.0 {
            self.store(&mut inner, key, value, now);
        }
    }

    /// Records a write that has reached the database: the new value replaces the old one.
    pub fn put(&self, key: K, value: V) {
        self.put_at(key, value, Instant::now());
    }

    fn put_at(&self, key: K, value: V, now: Instant) {
        let mut inner = self.lock();
        inner.writes += 1;
        self.store(&mut inner, key, value, now);
    }

    /// Records a deletion that has reached the database.
    pub fn remove(&self, key: &K) {
        let mut inner = self.lock();
        inner.writes += 1;
        inner.map.remove(key);
    }

    /// Keeps or replaces an entry according to `replace(old)`, without counting as a write
    /// (for values that carry their own version, see [`Stamped`]).
    fn store_if(&self, key: K, value: V, replace: impl Fn(&V) -> bool, now: Instant) {
        let mut inner = self.lock();
        let fresh = inner
            .map
            .get(&key)
            .is_some_and(|s| now.saturating_duration_since(s.stored) < self.ttl);
        if fresh && !inner.map.get(&key).is_some_and(|s| replace(&s.value)) {
            return;
        }
        self.store(&mut inner, key, value, now);
    }

    /// Number of entries held (expired ones included until evicted).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the cache holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn store(&self, inner: &mut Inner<K, V>, key: K, value: V, now: Instant) {
        if inner.map.len() >= self.capacity && !inner.map.contains_key(&key) {
            // Full: drop what expired; if that is not enough, drop the older half, so that the
            // cost of eviction stays spread over many inserts.
            inner
                .map
                .retain(|_, s| now.saturating_duration_since(s.stored) < self.ttl);
            if inner.map.len() >= self.capacity {
                let mut ages: Vec<Instant> = inner.map.values().map(|s| s.stored).collect();
                let mid = ages.len() / 2;
                let (_, median, _) = ages.select_nth_unstable(mid);
                let median = *median;
                inner.map.retain(|_, s| s.stored > median);
            }
        }
        inner.map.insert(key, Slot { value, stored: now });
    }
}

/// A cache of values read at a given stamp (the [`DataVersion`], possibly with the day when
/// the value depends on it): an entry serves only callers that read the same stamp.
pub struct Stamped<K, S, T> {
    cache: Cache<K, (S, Arc<T>)>,
}

impl<K: Eq + Hash + Clone, S: PartialOrd + Clone, T> Stamped<K, S, T> {
    /// An empty cache of at most `capacity` entries, each kept at most `ttl`.
    #[must_use]
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            cache: Cache::new(capacity, ttl),
        }
    }

    /// The value for `key` at `stamp`: the cached one if it was read at that stamp, else
    /// `load()`'s, which is then kept (unless a value read at a later stamp is already there).
    /// Errors are not kept.
    ///
    /// # Errors
    /// Those of `load`.
    pub async fn get_or_load<E, F, Fut>(&self, key: K, stamp: S, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some((s, v)) = self.cache.get(&key)
            && s == stamp
        {
            return Ok(v);
        }
        let value = Arc::new(load().await?);
        self.cache.store_if(
            key,
            (stamp.clone(), Arc::clone(&value)),
            |(old, _)| *old <= stamp,
            Instant::now(),
        );
        Ok(value)
    }

    /// Number of entries held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether the cache holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

/// A page content that shows nothing of the session (see
/// [`crate::web::render::Templates::shared_content`]), with its title.
pub struct SharedPage {
    pub title: String,
    pub html: String,
}

/// The caches shared by every request of one server.
pub struct Caches {
    /// Active users by id, at the data version they were read (a role change, a deactivation
    /// or a password change is journaled, so it moves the version and the entry is reread).
    pub users: Stamped<i32, DataVersion, CurrentUser>,
    /// The dashboard of each groupement (registry, quality report, consultations) as HTML,
    /// by groupement and whether the caller is the coordonnateur.
    pub dashboards: Stamped<(i32, bool), DataVersion, SharedPage>,
    /// The page of a consultation (rules and calendar computed), by groupement and
    /// consultation; the day is part of the stamp because the calendar depends on it.
    pub consultations: Stamped<
        (i32, i32),
        (DataVersion, chrono::NaiveDate),
        crate::consultations::views::ShowPage,
    >,
    /// What is stored about the offers of a consultation, by groupement and consultation.
    pub offers: Stamped<(i32, i32), DataVersion, crate::offers::analysis::Snapshot>,
    /// The sessions read by the session store (shared so that closing a session — logout,
    /// revocation, deactivation — takes effect at once).
    pub sessions: crate::auth::session_store::SessionCache,
    /// The login throttle's buckets.
    pub login_throttle: crate::auth::throttle::Throttle,
}

impl Caches {
    /// Sized for one groupement with a few hundred consultations: a few MB at most.
    #[must_use]
    pub fn new() -> Self {
        let ttl = Duration::from_secs(600);
        Self {
            users: Stamped::new(1_000, ttl),
            dashboards: Stamped::new(32, ttl),
            consultations: Stamped::new(256, ttl),
            offers: Stamped::new(128, ttl),
            sessions: crate::auth::session_store::new_cache(),
            login_throttle: crate::auth::throttle::Throttle::default(),
        }
    }
}

impl Default for Caches {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_expires_after_its_ttl() {
        let c: Cache<u32, &str> = Cache::new(10, Duration::from_secs(5));
        let t0 = Instant::now();
        c.put_at(1, "a", t0);
        assert_eq!(c.get_at(&1, t0 + Duration::from_secs(4)), Some("a"));
        assert_eq!(c.get_at(&1, t0 + Duration::from_secs(5)), None);
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_stored() {
        let c: Cache<u32, Option<&str>> = Cache::new(10, Duration::from_secs(60));
        let t0 = Instant::now();
        c.put_at(1, Some("logged in"), t0);
        // A reader misses (say the entry was evicted), reads the row, and meanwhile the
        // session is deleted (logout).
        let ticket = c.ticket();
        c.remove(&1);
        c.fill_at(1, Some("logged in"), ticket, t0);
        assert_eq!(c.get_at(&1, t0), None);
        // Without a concurrent write, the read is kept.
        let ticket = c.ticket();
        c.fill_at(2, Some("other"), ticket, t0);
        assert_eq!(c.get_at(&2, t0), Some(Some("other")));
    }

    #[test]
    fn the_cache_never_grows_past_its_capacity() {
        let c: Cache<u32, u32> = Cache::new(100, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            c.put_at(i, i, t0 + Duration::from_millis(u64::from(i)));
            assert!(c.len() <= 100);
        }
        // The newest entries are the ones kept.
        assert_eq!(c.get_at(&9_999, t0 + Duration::from_secs(10)), Some(9_999));
    }

    #[test]
    fn expired_entries_are_dropped_first_when_full() {
        let c: Cache<u32, u32> = Cache::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        c.put_at(1, 1, t0);
        c.put_at(2, 2, t0 + Duration::from_secs(8));
        c.put_at(3, 3, t0 + Duration::from_secs(9));
        c.put_at(4, 4, t0 + Duration::from_secs(11));
        let now = t0 + Duration::from_secs(11);
        assert_eq!(c.get_at(&1, now), None);
        assert_eq!(c.get_at(&2, now), Some(2));
        assert_eq!(c.get_at(&3, now), Some(3));
        assert_eq!(c.get_at(&4, now), Some(4));
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn a_stamped_value_serves_only_its_stamp() {
        let c: Stamped<u32, i64, String> = Stamped::new(10, Duration::from_secs(60));
        block_on(async {
            let loads = std::cell::Cell::new(0);
            let load = |v: &'static str| {
                loads.set(loads.get() + 1);
                async move { Ok::<_, ()>(v.to_owned()) }
            };
            assert_eq!(*c.get_or_load(1, 5, || load("v5")).await.expect("v"), "v5");
            assert_eq!(
                *c.get_or_load(1, 5, || load("other")).await.expect("v"),
                "v5"
            );
            assert_eq!(loads.get(), 1);
            // The data moved: reread.
            assert_eq!(*c.get_or_load(1, 6, || load("v6")).await.expect("v"), "v6");
            // A slow reader that saw the old version does not replace the newer entry…
            assert_eq!(*c.get_or_load(1, 5, || load("v5")).await.expect("v"), "v5");
            assert_eq!(*c.get_or_load(1, 6, || load("x")).await.expect("v"), "v6");
            assert_eq!(loads.get(), 3);
            // …and errors are not kept.
            assert!(c.get_or_load(2, 6, || async { Err(()) }).await.is_err());
            assert!(c.get_or_load(2, 6, || load("ok")).await.is_ok());
        });
    }
}
