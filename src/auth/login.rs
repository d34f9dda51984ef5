//! Checking a login: throttled per client and per account (see [`super::throttle`]), the same
//! answer and about the same cost whether the account exists or not, and every outcome
//! traced: journaled (success, failure, refusal while throttled), logged and counted.

use super::throttle::{self, Refusal, Throttle};
use super::{CurrentUser, password};
use crate::audit::{self, Actor};
use crate::db::entities::app_user;
use crate::error::AppError;
use crate::web::secret::SecretKey;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// Name of the cookie a browser gets after logging in, which lets it through when the
/// account is throttled by someone else's failures.
pub const DEVICE_COOKIE: &str = "coordo_appareil";
/// How long the device cookie lasts.
pub const DEVICE_DAYS: i64 = 90;

/// The device cookie value for an account: the e-mail's signature.
#[must_use]
pub fn device_token(key: &SecretKey, email: &str) -> String {
    key.sign(format!("appareil:{}", email.trim().to_lowercase()).as_bytes())
}

/// Who is trying, as far as the throttle is concerned.
#[derive(Clone, Debug)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address.
    pub client: &'a str,
    /// The browser holds a valid device cookie for this e-mail.
    pub trusted_device: bool,
}

/// What a login attempt gave.
#[derive(Debug)]
pub enum LoginOutcome {
    Success(CurrentUser),
    /// The password is right and the account has a second factor: its code is asked next.
    SecondFactor {
        user_id: i32,
    },
    /// Wrong e-mail or password (the same for both); answer after `delay`.
    Invalid {
        delay: std::time::Duration,
    },
    /// Refused without checking the password; try again after this many seconds.
    Throttled {
        retry_after_secs: u64,
    },
}

pub(super) async fn journal(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: Option<&app_user::Model>,
    action: &'static str,
    summary: serde_json::Value,
    failed_logins: Option<i32>,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    if let (Some(u), Some(n)) = (user, failed_logins)
        && n != u.failed_logins
    {
        let mut m: app_user::ActiveModel = u.clone().into();
        m.failed_logins = Set(n);
        m.locked_until = Set(None);
        m.update(&tx).await?;
    }
    let actor = user.map_or_else(Actor::system, |u| Actor {
        user_id: Some(u.id),
        label: u.email.clone(),
    });
    audit::record(
        &tx,
        now,
        &actor,
        audit::Event {
            groupement_id: user.and_then(|u| u.groupement_id),
            action,
            entity: "app_user",
            entity_id: user.map(|u| u.id.to_string()).unwrap_or_default(),
            summary,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks one attempt.
///
/// # Errors
/// Database errors.
pub async fn attempt(
    db: &DatabaseConnection,
    throttle: &Throttle,
    now: DateTime<Utc>,
    a: &Attempt<'_>,
) -> Result<LoginOutcome, AppError> {
    let email = a.email.trim().to_lowercase();
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .filter(app_user::Column::Active.eq(true))
        .one(db)
        .await?;
    if let Err(refusal) = throttle.check(now, a.client, &email, a.trusted_device) {
        throttle::count_refusal();
        let (secs, journal_it, why) = match refusal {
            Refusal::Client { retry_after_secs } => (retry_after_secs, false, "client"),
            Refusal::Account {
                retry_after_secs,
                journal,
            } => (retry_after_secs, journal, "compte"),
        };
        tracing::warn!(client = a.client, compte = %email, motif = why, attente_s = secs, "connexion refusée : trop d'échecs");
        if journal_it && user.is_some() {
            journal(
                db,
                now,
                user.as_ref(),
                "connexion.limitee",
                serde_json::json!({"attente_secondes": secs}),
                None,
            )
            .await?;
        }
        return Ok(LoginOutcome::Throttled {
            retry_after_secs: secs,
        });
    }
    // An unknown or inactive account costs a real verification too, and a journal entry, so
    // neither the answer nor its time tells whether the e-mail has an account.
    let phc = user.as_ref().map_or_else(
        || password::DUMMY_HASH.to_owned(),
        |u| u.password_hash.clone(),
    );
    let ok = password::verify_async(a.password.to_owned(), phc).await && user.is_some();
    let Some(user) = user.filter(|_| ok) else {
        throttle::count_failure();
        let delay = throttle.fail(now, a.client, &email);
        tracing::warn!(client = a.client, compte = %email, "échec de connexion");
        let known = app_user::Entity::find()
            .filter(app_user::Column::Email.eq(&email))
            .one(db)
            .await?;
        journal(
            db,
            now,
            known.as_ref(),
            "connexion.echec",
            serde_json::json!({"compte_connu": known.is_some()}),
            known.as_ref().map(|u| u.failed_logins.saturating_add(1)),
        )
        .await?;
        return Ok(LoginOutcome::Invalid { delay });
    };
    if user.totp_secret.is_some() {
        // Not yet a login: the failure count stays until the code is given too.
        journal(
            db,
            now,
            Some(&user),
            "connexion.second_facteur_demande",
            serde_json::json!({}),
            None,
        )
        .await?;
        return Ok(LoginOutcome::SecondFactor { user_id: user.id });
    }
    journal(
        db,
        now,
        Some(&user),
        "connexion.reussie",
        serde_json::json!({}),
        Some(0),
    )
    .await?;
    Ok(LoginOutcome::Success(
        CurrentUser::from_row(&user, false)
            .ok_or_else(|| anyhow::anyhow!("rôle inconnu pour le compte {}", user.id))?,
    ))
}
