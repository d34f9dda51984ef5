//! API tokens: several per account, each with a label, an expiry and a revocation, stored as
//! the SHA-256 of the token only. A token opens `/api/v1/` and nothing else (checked in
//! `web::security`). Creation and revocation are journaled in their own transaction.

use super::CurrentUser;
use crate::audit::{self, Actor};
use crate::db::entities::{api_token, app_user};
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

/// Lifetime of a token unless another is chosen.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest lifetime a token may be given.
pub const MAX_DAYS: i64 = 366;
/// The last use is written at most this often (not on every API call).
const LAST_USED_EVERY: Duration = Duration::minutes(10);

/// SHA-256 (hex) of an API token, the only form stored.
#[must_use]
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues a new token valid `days` days for `user`, inside the caller's audited transaction;
/// returns the token (shown once) and its row.
///
/// # Errors
/// Database errors.
pub async fn issue<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    user: &app_user::Model,
    label: &str,
    days: i64,
) -> Result<(String, api_token::Model), AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("cdo_{}", hex::encode(bytes));
    let days = days.clamp(1, MAX_DAYS);
    let row = api_token::ActiveModel {
        user_id: Set(user.id),
        label: Set(label.to_owned()),
        token_hash: Set(digest(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        revoked_at: Set(None),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: user.groupement_id,
            action: "compte.jeton_api",
            entity: "api_token",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({
                "email": user.email, "libelle": label, "expire_le": row.expires_at.to_rfc3339(),
            }),
        },
    )
    .await?;
    Ok((token, row))
}

/// The active user holding this token, if it is neither expired nor revoked.
///
/// # Errors
/// Database errors.
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(t) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(digest(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at <= now {
        tracing::warn!(jeton = t.id, "jeton d'API expiré ou révoqué présenté");
        return Ok(None);
    }
    let user = app_user::Entity::find_by_id(t.user_id)
        .filter(app_user::Column::Active.eq(true))
        .one(db)
        .await?;
    if t.last_used_at.is_none_or(|at| now - at >= LAST_USED_EVERY) {
        // Not journaled: a read, not a change of state.
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(user.and_then(|u| CurrentUser::from_row(&u, true)))
}

/// The tokens of a user, newest first.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &DatabaseConnection,
    user_id: i32,
) -> Result<Vec<api_token::Model>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of `user`'s tokens (journaled); a token already revoked stays as it was.
///
/// # Errors
/// `NotFound` when the token is not the user's, or a database error.
pub async fn revoke(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    token_id: i32,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    let t = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(user.id))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if t.revoked_at.is_some() {
        return Ok(());
    }
    let mut a: api_token::ActiveModel = t.clone().into();
    a.revoked_at = Set(Some(now));
    a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: user.groupement_id,
            action: "compte.jeton_api_revocation",
            entity: "api_token",
            entity_id: t.id.to_string(),
            summary: serde_json::json!({"email": user.email, "libelle": t.label}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
