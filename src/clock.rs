//! The only place that reads "now". Tests and the end-to-end journey move time with
//! [`Clock::manual`] so that deadlines (standstill, visas, offers) are deterministic.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// A source of the current instant, shared by the whole service.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Inner>);

#[derive(Debug)]
enum Inner {
    System,
    Manual(Mutex<DateTime<Utc>>),
}

impl Clock {
    /// The real clock.
    #[must_use]
    pub fn system() -> Self {
        Self(Arc::new(Inner::System))
    }

    /// A clock that stays at `at` until moved.
    #[must_use]
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Inner::Manual(Mutex::new(at))))
    }

    /// The current instant.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Inner::System => Utc::now(),
            Inner::Manual(m) => *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Today in Europe/Paris, the date every legal deadline is counted in.
    #[must_use]
    pub fn today_paris(&self) -> chrono::NaiveDate {
        self.now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive()
    }

    /// Moves a manual clock; does nothing on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Inner::Manual(m) = &*self.0 {
            *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
        }
    }

    /// Moves a manual clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let now = self.now();
        self.set(now + by);
    }
}
