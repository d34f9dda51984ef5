//! Login throttling: repeated failures slow the answer down, then lock the account for a while.
//! Pure rules; the counters live on the user row.

use chrono::{DateTime, Duration, Utc};

/// Failures answered at once.
pub const FREE_FAILURES: i32 = 2;
/// Failures after which the account is locked.
pub const LOCK_AFTER: i32 = 5;
/// How long a lock lasts.
pub const LOCK_MINUTES: i64 = 15;

/// Delay before answering the `failures`-th consecutive failed attempt.
#[must_use]
pub fn delay_after(failures: i32) -> std::time::Duration {
    if failures <= FREE_FAILURES {
        std::time::Duration::ZERO
    } else {
        let steps = u64::try_from((failures - FREE_FAILURES).min(4)).unwrap_or(4);
        std::time::Duration::from_millis(250 * steps)
    }
}

/// The lock to set after `failures` consecutive failures, if any.
#[must_use]
pub fn lock_after(failures: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (failures >= LOCK_AFTER).then(|| now + Duration::minutes(LOCK_MINUTES))
}

/// Whether a lock is still in force.
#[must_use]
pub fn is_locked(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    locked_until.is_some_and(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn slows_down_then_locks_then_unlocks() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .single()
            .expect("date");
        assert_eq!(delay_after(1), std::time::Duration::ZERO);
        assert!(delay_after(3) > std::time::Duration::ZERO);
        assert!(delay_after(4) > delay_after(3));
        assert_eq!(lock_after(4, now), None);
        let until = lock_after(5, now).expect("locked");
        assert!(is_locked(Some(until), now + Duration::minutes(14)));
        assert!(!is_locked(Some(until), now + Duration::minutes(15)));
    }
}
