//! The periodic pass over open visa rounds: records the tacit visas that are due (when the
//! groupement enabled them, convention art. 8.1 by extension), sends the reminders two jours
//! ouvrés before the due date and on it (each at most once: `visa_reminder` is unique per round
//! and date), and refreshes each round's status. Started by `startup::serve`; tests call
//! [`enqueue_due_reminders`] themselves.

use super::rules::{self, MemberVisaStatus, RoundStatus};
use super::service::{mail_err, paris_today, refresh_status};
use super::{notify, store};
use crate::audit::{self, Actor};
use crate::auth::Role;
use crate::calendar::paris_datetime;
use crate::db::entities::{consultation, visa, visa_reminder};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

/// Pause between two passes of the background tick.
pub const TICK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Tacit visas recorded.
    pub tacit: usize,
    /// Reminder e-mails enqueued.
    pub reminders: usize,
}

/// One pass at `now` over every round not complete.
///
/// # Errors
/// Database or outbox errors (the rounds already handled stay committed).
pub async fn enqueue_due_reminders(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<TickReport, AppError> {
    let mut report = TickReport::default();
    let today = paris_today(now);
    for data in store::open_rounds(db).await? {
        let Some(c) = consultation::Entity::find_by_id(data.round.consultation_id)
            .one(db)
            .await?
        else {
            continue;
        };
        if super::service::ensure_open(&c).is_err() {
            continue;
        }
        let current = store::current_versions(db, c.id).await?;
        let live: Vec<_> = data
            .pieces
            .iter()
            .filter(|p| current.get(&p.piece_id).map(|v| v.0) == Some(p.piece_version_id))
            .cloned()
            .collect();
        if live.is_empty() {
            continue; // Every version was replaced: the round no longer counts.
        }
        let gid = c.groupement_id;
        let actor = Actor::system();
        let tx = audit::begin(db).await?;
        // Tacit visas due and not yet recorded.
        let mut tacit = Vec::new();
        for p in &live {
            let state = data.piece_state(p, today);
            for m in &state.per_member {
                let stored = data.visas.iter().any(|v| {
                    v.piece_version_id == p.piece_version_id
                        && v.member_id.to_string() == m.member_key
                });
                let (Some(day), false) = (m.decided_on, stored) else {
                    continue;
                };
                if m.status != MemberVisaStatus::Tacite {
                    continue;
                }
                let Ok(member_id) = m.member_key.parse::<i32>() else {
                    continue;
                };
                visa::ActiveModel {
                    round_id: Set(data.round.id),
                    piece_version_id: Set(p.piece_version_id),
                    docx_sha256: Set(p.docx_sha256.clone()),
                    member_id: Set(member_id),
                    actor_member_id: Set(member_id),
                    actor_user_id: Set(None),
                    actor: Set("système (visa tacite)".into()),
                    decision: Set(store::decision_code(rules::VisaDecision::Tacite).to_owned()),
                    comment: Set(None),
                    // Acquired at the end of the last day to answer.
                    given_at: Set(paris_datetime(day, 23, 59).with_timezone(&Utc)),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
                tacit.push(serde_json::json!({
                    "piece": p.piece_kind, "version": p.version_number, "sha256": p.docx_sha256,
                    "membre": m.member_name, "date": day.to_string(),
                }));
            }
        }
        if !tacit.is_empty() {
            report.tacit += tacit.len();
            audit::record(
                &tx,
                now,
                &actor,
                audit::Event {
                    groupement_id: Some(gid),
                    action: "visa.tacite",
                    entity: "visa_round",
                    entity_id: data.round.id.to_string(),
                    summary: serde_json::json!({ "visas_tacites": tacit }),
                },
            )
            .await?;
        }
        let fresh = store::round(&tx, c.id, data.round.id).await?;
        report.reminders += remind(&tx, now, &actor, gid, &c, &fresh, &live, base_url).await?;
        refresh_status(&tx, now, &actor, gid, &c, data.round.id, base_url).await?;
        tx.commit().await?;
    }
    Ok(report)
}

/// Sends the latest reminder due (if not sent yet) to the référents of the members still
/// pending on a live version; returns the number of e-mails enqueued.
#[allow(clippy::too_many_arguments)]
async fn remind(
    tx: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    c: &consultation::Model,
    data: &store::RoundData,
    live: &[crate::db::entities::visa_round_piece::Model],
    base_url: &str,
) -> Result<usize, AppError> {
    let today = paris_today(now);
    let Some(first) = live.first() else {
        return Ok(0);
    };
    if today > data.round.due_on || data.status(today) != RoundStatus::EnCours {
        return Ok(0);
    }
    let Some(day) = rules::reminder_dates(&data.rules_round(first))
        .into_iter()
        .filter(|d| *d <= today)
        .max()
    else {
        return Ok(0);
    };
    let already = visa_reminder::Entity::find()
        .filter(visa_reminder::Column::RoundId.eq(data.round.id))
        .filter(visa_reminder::Column::RemindOn.eq(day))
        .one(tx)
        .await?;
    if already.is_some() {
        return Ok(0);
    }
    let mut pending: BTreeSet<(String, String)> = BTreeSet::new();
    for p in live {
        for m in data.piece_state(p, today).per_member {
            if m.status == MemberVisaStatus::EnAttente {
                pending.insert((m.member_key, m.member_name));
            }
        }
    }
    let url = notify::round_url(base_url, gid, c.id, data.round.id);
    let mut sent = 0;
    let mut names = Vec::new();
    for (key, name) in &pending {
        let Ok(mid) = key.parse::<i32>() else {
            continue;
        };
        names.push(name.clone());
        for to in notify::accounts(tx, gid, Role::Referent, Some(mid)).await? {
            let email = notify::reminder(to, data, c, name, &url);
            crate::mail::enqueue(tx, now, actor, Some(gid), email)
                .await
                .map_err(mail_err)?;
            sent += 1;
        }
    }
    visa_reminder::ActiveModel {
        round_id: Set(data.round.id),
        remind_on: Set(day),
        sent_at: Set(now),
        recipients: Set(i32::try_from(sent).unwrap_or(i32::MAX)),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "visa.rappel",
            entity: "visa_round",
            entity_id: data.round.id.to_string(),
            summary: serde_json::json!({"date": day.to_string(), "membres": names, "courriels": sent}),
        },
    )
    .await?;
    Ok(sent)
}

/// The background tick: one pass every [`TICK_EVERY`], at the state's clock.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(TICK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match enqueue_due_reminders(&state.db, state.clock.now(), &state.settings.base_url)
                .await
            {
                Ok(r) if r == TickReport::default() => {}
                Ok(r) => tracing::info!(
                    visas_tacites = r.tacit,
                    rappels = r.reminders,
                    "tours de visa traités"
                ),
                Err(e) => tracing::error!(erreur = %e, "tours de visa"),
            }
        }
    })
}
