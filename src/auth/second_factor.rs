//! The second factor, stored: enrolment (confirmed by a first valid code, ten recovery codes
//! hashed like passwords), its removal (the password and a valid code), and the code asked at
//! login after the password — throttled and journaled like the password. Every change is
//! journaled in the transaction that makes it.

use super::login::{self, LoginOutcome};
use super::throttle::{self, Refusal, Throttle};
use super::{CurrentUser, password, totp};
use crate::audit;
use crate::db::entities::{app_user, recovery_code};
use crate::error::AppError;
use crate::web::secret::SecretKey;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

/// What proved the second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proof {
    /// A TOTP code of this step.
    Totp(i64),
    /// This recovery code (its row).
    Recovery(i32),
}

impl Proof {
    fn label(self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::Recovery(_) => "code_de_secours",
        }
    }
}

const BAD_CODE: &str = "le code est incorrect ou a déjà servi : saisissez le code à six chiffres affiché par votre application, ou un code de secours inutilisé";

/// The proof `input` gives for `row`, if any: a TOTP code not yet used, or an unused
/// recovery code.
async fn find_proof(
    db: &DatabaseConnection,
    key: &SecretKey,
    now: DateTime<Utc>,
    row: &app_user::Model,
    input: &str,
) -> Result<Option<Proof>, AppError> {
    if totp::normalize_code(input).is_some() {
        let secret = row.totp_secret.as_deref().and_then(|s| totp::open(key, s));
        let Some(secret) = secret else {
            if row.totp_secret.is_some() {
                tracing::error!(compte = %row.email, "secret TOTP illisible (clé du serveur changée ?)");
            }
            return Ok(None);
        };
        return Ok(
            totp::accept(&secret, input, now.timestamp(), row.totp_last_step).map(Proof::Totp),
        );
    }
    let Some(code) = totp::normalize_recovery(input) else {
        return Ok(None);
    };
    let unused = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(row.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .all(db)
        .await?;
    for r in unused {
        if password::verify_async(code.clone(), r.code_hash).await {
            return Ok(Some(Proof::Recovery(r.id)));
        }
    }
    Ok(None)
}

/// Records the use of `proof` inside `tx`: the step becomes the last accepted, the recovery
/// code is spent. False when a concurrent request used it first (a code is accepted once).
async fn spend<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    user_id: i32,
    proof: Proof,
) -> Result<bool, AppError> {
    let affected = match proof {
        Proof::Totp(step) => {
            app_user::Entity::update_many()
                .col_expr(app_user::Column::TotpLastStep, Expr::value(Some(step)))
                .filter(app_user::Column::Id.eq(user_id))
                .filter(
                    Condition::any()
                        .add(app_user::Column::TotpLastStep.is_null())
                        .add(app_user::Column::TotpLastStep.lt(step)),
                )
                .exec(tx)
                .await?
                .rows_affected
        }
        Proof::Recovery(id) => {
            recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(now)))
                .filter(recovery_code::Column::Id.eq(id))
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(tx)
                .await?
                .rows_affected
        }
    };
    Ok(affected == 1)
}

async fn unused_codes<C: ConnectionTrait>(tx: &C, user_id: i32) -> Result<u64, AppError> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(tx)
        .await?)
}

async fn row_of(db: &DatabaseConnection, user_id: i32) -> Result<app_user::Model, AppError> {
    app_user::Entity::find_by_id(user_id)
        .filter(app_user::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// Enrols `user` with `secret` (generated and shown on « Mon compte »), confirmed by `code`;
/// returns the ten recovery codes, to be shown this once (only their hashes are kept).
///
/// # Errors
/// `Validation` (French) for a wrong code, `Conflict` if a second factor is already enrolled,
/// or a database error.
pub async fn enrol(
    db: &DatabaseConnection,
    key: &SecretKey,
    now: DateTime<Utc>,
    user: &CurrentUser,
    secret: &[u8],
    code: &str,
) -> Result<Vec<String>, AppError> {
    let row = row_of(db, user.id).await?;
    if row.totp_secret.is_some() {
        return Err(AppError::Conflict(
            "la double authentification est déjà activée sur ce compte : désactivez-la d'abord pour changer d'application".into(),
        ));
    }
    let Some(step) = totp::accept(secret, code, now.timestamp(), None) else {
        throttle::count_failure();
        tracing::warn!(compte = %user.email, "activation de la double authentification : code faux");
        return Err(AppError::field(
            "code",
            "le code ne correspond pas : vérifiez que l'heure de votre téléphone est exacte et saisissez le code à six chiffres affiché",
        ));
    };
    let codes = totp::new_recovery_codes();
    let mut hashes = Vec::with_capacity(codes.len());
    for c in &codes {
        let canonical = totp::normalize_recovery(c)
            .ok_or_else(|| anyhow::anyhow!("code de secours mal formé"))?;
        hashes.push(password::hash_async(canonical).await?);
    }
    let tx = audit::begin(db).await?;
    let mut m: app_user::ActiveModel = row.into();
    m.totp_secret = Set(Some(totp::seal(key, secret)));
    m.totp_last_step = Set(Some(step));
    m.update(&tx).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user.id))
        .exec(&tx)
        .await?;
    for h in hashes {
        recovery_code::ActiveModel {
            user_id: Set(user.id),
            code_hash: Set(h),
            created_at: Set(now),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    super::account::journal_own(
        &tx,
        now,
        user,
        "compte.double_authentification_activee",
        serde_json::json!({"codes_de_secours": codes.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Removes the second factor of `user`: the password and a valid code (or an unused recovery
/// code) are required.
///
/// # Errors
/// `Validation` (French) per field, `Conflict` if none is enrolled, or a database error.
pub async fn disable(
    db: &DatabaseConnection,
    key: &SecretKey,
    now: DateTime<Utc>,
    user: &CurrentUser,
    current_password: &str,
    code: &str,
) -> Result<(), AppError> {
    let row = row_of(db, user.id).await?;
    if row.totp_secret.is_none() {
        return Err(AppError::Conflict(
            "la double authentification n'est pas activée sur ce compte".into(),
        ));
    }
    let mut errs = crate::error::FieldErrors::new();
    if !password::verify_async(current_password.to_owned(), row.password_hash.clone()).await {
        errs.entry("password".into())
            .or_default()
            .push("le mot de passe actuel est incorrect".into());
    }
    let proof = find_proof(db, key, now, &row, code).await?;
    if proof.is_none() {
        errs.entry("code".into()).or_default().push(BAD_CODE.into());
    }
    let (Some(proof), true) = (proof, errs.is_empty()) else {
        throttle::count_failure();
        tracing::warn!(compte = %user.email, "désactivation de la double authentification refusée");
        return Err(AppError::Validation(errs));
    };
    let tx = audit::begin(db).await?;
    if !spend(&tx, now, user.id, proof).await? {
        return Err(AppError::field("code", BAD_CODE));
    }
    let mut m: app_user::ActiveModel = row.into();
    m.totp_secret = Set(None);
    m.totp_last_step = Set(None);
    m.update(&tx).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user.id))
        .exec(&tx)
        .await?;
    super::account::journal_own(
        &tx,
        now,
        user,
        "compte.double_authentification_desactivee",
        serde_json::json!({"preuve": proof.label()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The second step of a login, for the account whose password was just accepted: the code,
/// throttled per client and per account like the password, every outcome journaled.
///
/// # Errors
/// Database errors.
#[allow(clippy::too_many_arguments)]
pub async fn login_code(
    db: &DatabaseConnection,
    throttle: &Throttle,
    key: &SecretKey,
    now: DateTime<Utc>,
    client: &str,
    trusted_device: bool,
    user_id: i32,
    code: &str,
) -> Result<LoginOutcome, AppError> {
    let row = row_of(db, user_id).await?;
    if let Err(refusal) = throttle.check(now, client, &row.email, trusted_device) {
        throttle::count_refusal();
        let (secs, journal_it) = match refusal {
            Refusal::Client { retry_after_secs } => (retry_after_secs, false),
            Refusal::Account {
                retry_after_secs,
                journal,
            } => (retry_after_secs, journal),
        };
        tracing::warn!(client, compte = %row.email, attente_s = secs, "code de connexion refusé : trop d'échecs");
        if journal_it {
            login::journal(
                db,
                now,
                Some(&row),
                "connexion.limitee",
                serde_json::json!({"attente_secondes": secs, "second_facteur": true}),
                None,
            )
            .await?;
        }
        return Ok(LoginOutcome::Throttled {
            retry_after_secs: secs,
        });
    }
    let proof = find_proof(db, key, now, &row, code).await?;
    let Some(proof) = proof else {
        return failed(db, throttle, now, client, &row).await;
    };
    let tx = audit::begin(db).await?;
    if !spend(&tx, now, row.id, proof).await? {
        // Used by a concurrent request in the meantime.
        drop(tx);
        return failed(db, throttle, now, client, &row).await;
    }
    if row.failed_logins != 0 {
        app_user::Entity::update_many()
            .col_expr(app_user::Column::FailedLogins, Expr::value(0))
            .filter(app_user::Column::Id.eq(row.id))
            .exec(&tx)
            .await?;
    }
    let remaining = unused_codes(&tx, row.id).await?;
    audit::record(
        &tx,
        now,
        &audit::Actor {
            user_id: Some(row.id),
            label: row.email.clone(),
        },
        audit::Event {
            groupement_id: row.groupement_id,
            action: "connexion.reussie",
            entity: "app_user",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({
                "second_facteur": proof.label(),
                "codes_de_secours_restants": remaining,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOutcome::Success(
        CurrentUser::from_row(&row, false)
            .ok_or_else(|| anyhow::anyhow!("rôle inconnu pour le compte {}", row.id))?,
    ))
}

/// A wrong second factor: counted by the throttle (its delay returned), logged, journaled.
async fn failed(
    db: &DatabaseConnection,
    throttle: &Throttle,
    now: DateTime<Utc>,
    client: &str,
    row: &app_user::Model,
) -> Result<LoginOutcome, AppError> {
    throttle::count_failure();
    let delay = throttle.fail(now, client, &row.email);
    tracing::warn!(client, compte = %row.email, "échec de connexion : second facteur");
    login::journal(
        db,
        now,
        Some(row),
        "connexion.echec",
        serde_json::json!({"compte_connu": true, "second_facteur": true}),
        Some(row.failed_logins.saturating_add(1)),
    )
    .await?;
    Ok(LoginOutcome::Invalid { delay })
}
