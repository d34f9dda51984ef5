//! Delivering the outbox: every due email is claimed (compare-and-set on its attempt counter,
//! so two workers never send the same email), sent outside any transaction, then marked
//! `envoye`, rescheduled with an exponential backoff, or `en_echec` — each outcome journaled
//! in the same transaction as the status change.
//!
//! Delivery is at least once: a process that dies between the SMTP acceptance and the
//! `envoye` update (a `kill -9` during a send) sends the email again after [`CLAIM_LEASE`],
//! with the same Message-ID, which lets the receiving side recognise the duplicate.
//!
//! Each email is sent in a task of its own: one that cannot be built or makes the mail
//! library panic is marked `en_echec` with a French reason, and the others go on.

use super::transport::{Mailer, SendFailure, build_message};
use super::{MailError, Status, outbox};
use crate::audit::{self, Actor, Event};
use crate::db::entities::mail_message;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Attempts before an email is `en_echec`.
pub const MAX_ATTEMPTS: i32 = 8;
/// Wait after the first failed attempt; doubled after each further one…
pub const FIRST_BACKOFF_MINUTES: i64 = 1;
/// …up to this.
pub const MAX_BACKOFF_MINUTES: i64 = 60;
/// How long a claimed email is reserved for the worker sending it: longer than the
/// transport's own time limit, so a live worker never loses its claim.
pub const CLAIM_LEASE: Duration = Duration::minutes(15);
/// Emails handled per pass.
pub const BATCH: u64 = 50;
/// Pause between two passes of the background worker.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Wait before the next attempt once `failed_attempts` (≥ 1) attempts have failed:
/// 1 min, 2, 4, 8, 16, 32, then 60 min.
#[must_use]
pub fn backoff(failed_attempts: i32) -> Duration {
    let exp = u32::try_from(failed_attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    let minutes = FIRST_BACKOFF_MINUTES
        .saturating_mul(1_i64 << exp)
        .min(MAX_BACKOFF_MINUTES);
    Duration::minutes(minutes)
}

/// What follows a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// After the `attempt`-th attempt failed at `now`: retry later, or give up when the failure
/// is permanent or the attempts are spent.
#[must_use]
pub fn after_failure(attempt: i32, retryable: bool, now: DateTime<Utc>) -> AfterFailure {
    if !retryable || attempt >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now + backoff(attempt))
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Failed attempts rescheduled.
    pub retried: usize,
    /// Emails that went `en_echec`.
    pub failed: usize,
    /// Due emails another worker claimed first.
    pub skipped: usize,
}

impl DeliveryReport {
    /// Nothing was due.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Sends every email due at `now` (in order of due time), one pass. Public so tests can
/// drain the outbox synchronously.
///
/// # Errors
/// Database errors (an email claimed when one occurs is retried after [`CLAIM_LEASE`]).
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, MailError> {
    let due = mail_message::Entity::find()
        .filter(mail_message::Column::Status.eq(Status::EnAttente.as_str()))
        .filter(mail_message::Column::NextAttemptAt.lte(now))
        .order_by_asc(mail_message::Column::NextAttemptAt)
        .order_by_asc(mail_message::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut report = DeliveryReport::default();
    for row in due {
        let (id, attempt) = (row.id, row.attempts + 1);
        // A task per email: a panic inside lettre ends that task only.
        let task = tokio::spawn(deliver_one(db.clone(), mailer.clone(), now, row));
        let outcome = match task.await {
            Ok(Ok(o)) => o,
            Ok(Err(e)) => {
                // A database error on this email: it is retried after its claim expires.
                tracing::error!(id, erreur = %e, "envoi d'un courriel interrompu");
                Outcome::Skipped
            }
            Err(join) => {
                tracing::error!(id, erreur = %join, "envoi d'un courriel : erreur interne");
                mark_broken(db, id, attempt, now).await?;
                Outcome::Failed
            }
        };
        match outcome {
            Outcome::Sent => report.sent += 1,
            Outcome::Retry => report.retried += 1,
            Outcome::Failed => report.failed += 1,
            Outcome::Skipped => report.skipped += 1,
        }
    }
    Ok(report)
}

/// Marks an email whose sending crashed `en_echec`, journaled, so that it is not tried again
/// (after a restart it would crash again) and waits for the coordonnateur.
async fn mark_broken(
    db: &DatabaseConnection,
    id: i32,
    attempt: i32,
    now: DateTime<Utc>,
) -> Result<(), MailError> {
    let reason = "Le courriel n'a pas pu être construit (erreur interne du programme, détail dans le journal technique) : il n'est pas renvoyé automatiquement.";
    let tx = audit::begin(db).await?;
    let Some(row) = mail_message::Entity::find_by_id(id).one(&tx).await? else {
        return Ok(());
    };
    let done = mail_message::Entity::update_many()
        .col_expr(
            mail_message::Column::Status,
            Expr::value(Status::EnEchec.as_str()),
        )
        .col_expr(mail_message::Column::LastError, Expr::value(Some(reason)))
        .filter(mail_message::Column::Id.eq(id))
        .filter(mail_message::Column::Status.eq(Status::EnAttente.as_str()))
        .filter(mail_message::Column::Attempts.eq(attempt))
        .exec(&tx)
        .await?;
    if done.rows_affected == 1 {
        audit::record(
            &tx,
            now,
            &Actor::system(),
            Event {
                groupement_id: row.groupement_id,
                action: "courriel.en_echec",
                entity: "courriel",
                entity_id: id.to_string(),
                summary: serde_json::json!({
                    "essai": attempt, "erreur": reason, "definitif": true,
                    "message_id": row.message_id,
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

enum Outcome {
    Sent,
    Retry,
    Failed,
    Skipped,
}

/// Claims `row` for this attempt: succeeds for exactly one worker.
async fn claim(
    db: &DatabaseConnection,
    row: &mail_message::Model,
    now: DateTime<Utc>,
) -> Result<bool, MailError> {
    let done = mail_message::Entity::update_many()
        .col_expr(
            mail_message::Column::Attempts,
            Expr::value(row.attempts + 1),
        )
        .col_expr(
            mail_message::Column::NextAttemptAt,
            Expr::value(now + CLAIM_LEASE),
        )
        .filter(mail_message::Column::Id.eq(row.id))
        .filter(mail_message::Column::Status.eq(Status::EnAttente.as_str()))
        .filter(mail_message::Column::Attempts.eq(row.attempts))
        .filter(mail_message::Column::NextAttemptAt.lte(now))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn deliver_one(
    db: DatabaseConnection,
    mailer: Mailer,
    now: DateTime<Utc>,
    row: mail_message::Model,
) -> Result<Outcome, MailError> {
    let (db, mailer) = (&db, &mailer);
    if !claim(db, &row, now).await? {
        return Ok(Outcome::Skipped);
    }
    let attempt = row.attempts + 1;
    let attachments = outbox::attachments(db, row.id).await?;
    let result = match build_message(mailer.from(), &row, &attachments, now) {
        Ok(message) => mailer.send(&message).await,
        Err(f) => Err(f),
    };
    let tx = audit::begin(db).await?;
    let base = mail_message::Entity::update_many()
        .filter(mail_message::Column::Id.eq(row.id))
        .filter(mail_message::Column::Status.eq(Status::EnAttente.as_str()))
        .filter(mail_message::Column::Attempts.eq(attempt));
    let (update, outcome, action, summary) = match result {
        Ok(()) => (
            base.col_expr(
                mail_message::Column::Status,
                Expr::value(Status::Envoye.as_str()),
            )
            .col_expr(mail_message::Column::SentAt, Expr::value(Some(now)))
            .col_expr(mail_message::Column::LastError, Expr::value(None::<String>)),
            Outcome::Sent,
            "courriel.envoye",
            serde_json::json!({ "essai": attempt, "vers": mailer.target() }),
        ),
        Err(SendFailure { retryable, message }) => match after_failure(attempt, retryable, now) {
            AfterFailure::RetryAt(at) => (
                base.col_expr(mail_message::Column::NextAttemptAt, Expr::value(at))
                    .col_expr(
                        mail_message::Column::LastError,
                        Expr::value(Some(message.clone())),
                    ),
                Outcome::Retry,
                "courriel.nouvel_essai",
                serde_json::json!({ "essai": attempt, "erreur": message, "prochain_essai": at.to_rfc3339() }),
            ),
            AfterFailure::GiveUp => (
                base.col_expr(
                    mail_message::Column::Status,
                    Expr::value(Status::EnEchec.as_str()),
                )
                .col_expr(
                    mail_message::Column::LastError,
                    Expr::value(Some(message.clone())),
                ),
                Outcome::Failed,
                "courriel.en_echec",
                serde_json::json!({ "essai": attempt, "erreur": message, "definitif": !retryable }),
            ),
        },
    };
    let done = update.exec(&tx).await?;
    if done.rows_affected != 1 {
        // Our claim expired and someone else took the email over: leave it to them.
        tracing::warn!(
            id = row.id,
            "courriel repris par un autre envoi, résultat ignoré"
        );
        tx.rollback().await?;
        return Ok(Outcome::Skipped);
    }
    let mut summary = summary;
    summary["message_id"] = serde_json::Value::String(row.message_id.clone());
    audit::record(
        &tx,
        now,
        &Actor::system(),
        Event {
            groupement_id: row.groupement_id,
            action,
            entity: "courriel",
            entity_id: row.id.to_string(),
            summary,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The background worker: one pass every [`POLL_EVERY`], at the state's clock. Started by
/// `startup::serve`; tests call [`deliver_due`] themselves.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Each pass in a task of its own: whatever happens in it, the worker goes on.
            let st = state.clone();
            let pass =
                tokio::spawn(async move { deliver_due(&st.db, &st.mailer, st.clock.now()).await });
            match pass.await {
                Ok(Ok(r)) if r.is_empty() => {}
                Ok(Ok(r)) => tracing::info!(
                    envoyes = r.sent,
                    reportes = r.retried,
                    en_echec = r.failed,
                    "courriels traités"
                ),
                Ok(Err(e)) => tracing::error!(erreur = %e, "envoi des courriels"),
                Err(e) => tracing::error!(erreur = %e, "envoi des courriels : erreur interne"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn backoff_doubles_from_one_minute_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        // Defensive: nonsense counts stay within bounds.
        assert_eq!(backoff(0).num_minutes(), 1);
        assert_eq!(backoff(-3).num_minutes(), 1);
        assert_eq!(backoff(i32::MAX).num_minutes(), 60);
    }

    #[test]
    fn seven_retries_then_give_up() {
        assert_eq!(
            after_failure(1, true, at(10, 0)),
            AfterFailure::RetryAt(at(10, 1))
        );
        assert_eq!(
            after_failure(3, true, at(10, 0)),
            AfterFailure::RetryAt(at(10, 4))
        );
        assert_eq!(
            after_failure(7, true, at(10, 0)),
            AfterFailure::RetryAt(at(11, 0))
        );
        assert_eq!(after_failure(8, true, at(10, 0)), AfterFailure::GiveUp);
        assert_eq!(after_failure(1, false, at(10, 0)), AfterFailure::GiveUp);
    }

    #[test]
    fn the_whole_schedule_spans_about_two_hours() {
        // Attempts at t0, then after 1+2+4+8+16+32+60 minutes: the 8th is 123 min later.
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_minutes()).sum();
        assert_eq!(total, 123);
        assert!(
            CLAIM_LEASE > Duration::from_std(super::super::transport::SEND_TIMEOUT).expect("d")
        );
    }
}
