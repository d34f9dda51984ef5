//! Login throttling that slows and decays instead of locking.
//!
//! Two leaky buckets, kept in memory: one per client (IP address), one per account (the
//! e-mail as typed, normalised, whether an account exists or not, so the answer is the same
//! for unknown ones). Each failure adds one; the level leaks away with time. A full client
//! bucket refuses that client only; a full account bucket refuses attempts on that account
//! for about a minute — except from a browser that already logged into it (its signed device
//! cookie), so an attacker cannot keep the coordonnateur out. Nothing is ever locked for
//! longer than the leak takes. The rules are pure functions over [`Bucket`]; [`Throttle`]
//! holds the buckets.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Failures a client may make before it is refused…
pub const CLIENT_CAPACITY: f64 = 20.0;
/// …one of which it is forgiven every this many seconds.
pub const CLIENT_LEAK_SECS: f64 = 15.0;
/// Failures on one account before attempts on it are refused…
pub const ACCOUNT_CAPACITY: f64 = 5.0;
/// …one of which is forgiven every this many seconds.
pub const ACCOUNT_LEAK_SECS: f64 = 60.0;
/// Failures answered at once; each further one waits [`STEP`] more, up to [`MAX_DELAY`].
pub const FREE_FAILURES: f64 = 2.0;
const STEP: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(1);
/// Buckets kept before the empty ones are dropped.
const MAX_BUCKETS: usize = 100_000;

/// A leaky bucket: `level` failures at `at`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub level: f64,
    pub at: DateTime<Utc>,
    /// When a refusal on this bucket was last journaled.
    pub journaled: Option<DateTime<Utc>>,
}

impl Bucket {
    /// The level at `now`, after leaking one unit per `leak_secs`.
    #[must_use]
    pub fn level_at(&self, now: DateTime<Utc>, leak_secs: f64) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let elapsed = (now - self.at).num_milliseconds().max(0) as f64 / 1000.0;
        (self.level - elapsed / leak_secs).max(0.0)
    }

    /// Seconds until the level is below `capacity` again.
    #[must_use]
    pub fn wait_secs(&self, now: DateTime<Utc>, leak_secs: f64, capacity: f64) -> u64 {
        let excess = self.level_at(now, leak_secs) - capacity + 1.0;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let secs = (excess * leak_secs).ceil().max(1.0) as u64;
        secs
    }
}

/// Delay before answering a failure once the bucket holds `level` failures.
#[must_use]
pub fn delay_for(level: f64) -> Duration {
    if level <= FREE_FAILURES {
        return Duration::ZERO;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let steps = (level - FREE_FAILURES).ceil() as u32;
    (STEP * steps).min(MAX_DELAY)
}

/// Why an attempt is refused before the password is even checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures from this client.
    Client { retry_after_secs: u64 },
    /// Too many failures on this account (from anywhere).
    Account {
        retry_after_secs: u64,
        /// First refusal on this account for a while: worth a journal entry.
        journal: bool,
    },
}

/// The buckets, shared by every request.
#[derive(Debug, Default)]
pub struct Throttle {
    clients: Mutex<HashMap<String, Bucket>>,
    accounts: Mutex<HashMap<String, Bucket>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn add(map: &mut HashMap<String, Bucket>, key: &str, now: DateTime<Utc>, leak: f64) -> f64 {
    if map.len() >= MAX_BUCKETS {
        map.retain(|_, b| b.level_at(now, leak) >= 1.0);
    }
    let b = map.entry(key.to_owned()).or_insert(Bucket {
        level: 0.0,
        at: now,
        journaled: None,
    });
    b.level = b.level_at(now, leak) + 1.0;
    b.at = now;
    b.level
}

impl Throttle {
    /// Whether an attempt from `client` on `account` may be checked at `now`.
    ///
    /// # Errors
    /// The refusal, with the wait.
    pub fn check(
        &self,
        now: DateTime<Utc>,
        client: &str,
        account: &str,
        trusted_device: bool,
    ) -> Result<(), Refusal> {
        if let Some(b) = lock(&self.clients).get(client)
            && b.level_at(now, CLIENT_LEAK_SECS) >= CLIENT_CAPACITY
        {
            return Err(Refusal::Client {
                retry_after_secs: b.wait_secs(now, CLIENT_LEAK_SECS, CLIENT_CAPACITY),
            });
        }
        if trusted_device {
            return Ok(());
        }
        let mut accounts = lock(&self.accounts);
        if let Some(b) = accounts.get_mut(account)
            && b.level_at(now, ACCOUNT_LEAK_SECS) >= ACCOUNT_CAPACITY
        {
            let journal = b
                .journaled
                .is_none_or(|at| now - at >= chrono::Duration::minutes(5));
            if journal {
                b.journaled = Some(now);
            }
            return Err(Refusal::Account {
                retry_after_secs: b.wait_secs(now, ACCOUNT_LEAK_SECS, ACCOUNT_CAPACITY),
                journal,
            });
        }
        Ok(())
    }

    /// Counts a failure; returns how long to wait before answering it.
    pub fn fail(&self, now: DateTime<Utc>, client: &str, account: &str) -> Duration {
        let c = add(&mut lock(&self.clients), client, now, CLIENT_LEAK_SECS);
        let a = add(&mut lock(&self.accounts), account, now, ACCOUNT_LEAK_SECS);
        delay_for(c.max(a))
    }
}

static FAILURES: AtomicU64 = AtomicU64::new(0);
static REFUSALS: AtomicU64 = AtomicU64::new(0);

/// Counts a failed authentication (wrong password, unknown account, bad token).
pub fn count_failure() {
    FAILURES.fetch_add(1, Ordering::Relaxed);
}

/// Counts a request refused without checking anything (throttled, CSRF, origin).
pub fn count_refusal() {
    REFUSALS.fetch_add(1, Ordering::Relaxed);
}

/// (failures, refusals) since the process started.
#[must_use]
pub fn counters() -> (u64, u64) {
    (
        FAILURES.load(Ordering::Relaxed),
        REFUSALS.load(Ordering::Relaxed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn an_account_is_refused_for_about_a_minute_then_tries_again() {
        let th = Throttle::default();
        let now = t0();
        for i in 0..5 {
            assert!(th.check(now, "a", "x@y.fr", false).is_ok(), "attempt {i}");
            th.fail(now, "a", "x@y.fr");
        }
        // Another client is refused too, with a short wait…
        let r = th.check(now, "b", "x@y.fr", false).expect_err("full");
        assert!(
            matches!(r, Refusal::Account { retry_after_secs, journal: true } if retry_after_secs <= 60),
            "{r:?}"
        );
        // …journaled once, not on every refusal…
        assert!(matches!(
            th.check(now, "b", "x@y.fr", false),
            Err(Refusal::Account { journal: false, .. })
        ));
        // …except from a browser that logged into this account before.
        assert!(th.check(now, "b", "x@y.fr", true).is_ok());
        // It decays: a minute later one more attempt is allowed.
        let later = now + chrono::Duration::seconds(61);
        assert!(th.check(later, "b", "x@y.fr", false).is_ok());
        // Other accounts were never affected.
        assert!(th.check(now, "b", "z@y.fr", false).is_ok());
    }

    #[test]
    fn a_client_that_fails_everywhere_is_refused_alone() {
        let th = Throttle::default();
        let now = t0();
        for i in 0..20 {
            th.fail(now, "attaquant", &format!("u{i}@y.fr"));
        }
        assert!(matches!(
            th.check(now, "attaquant", "u99@y.fr", false),
            Err(Refusal::Client { .. })
        ));
        assert!(th.check(now, "autre", "u99@y.fr", false).is_ok());
        assert!(
            th.check(
                now + chrono::Duration::seconds(16),
                "attaquant",
                "u99@y.fr",
                false
            )
            .is_ok()
        );
    }

    #[test]
    fn answers_slow_down_then_stop_growing() {
        assert_eq!(delay_for(1.0), Duration::ZERO);
        assert_eq!(delay_for(2.0), Duration::ZERO);
        assert!(delay_for(3.0) > Duration::ZERO);
        assert!(delay_for(4.0) > delay_for(3.0));
        assert_eq!(delay_for(50.0), MAX_DELAY);
    }
}
