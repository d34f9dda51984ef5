//! What a user does to their own account (password, sessions) and what the coordonnateur does
//! to others' (deactivation). Every change is journaled in its own transaction, together with
//! the sessions it closes.

use super::session_store::{self, SessionCache};
use super::{CurrentUser, password};
use crate::audit::{self, Actor};
use crate::db::entities::{app_user, web_session};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

fn field(errs: &mut FieldErrors, name: &str, msg: impl Into<String>) {
    errs.entry(name.to_owned()).or_default().push(msg.into());
}

/// Deletes the sessions of `user_id` except `keep` inside `tx`; returns their ids.
/// Journals an event of `user`'s own account (self-service: password, second factor…) inside
/// the caller's transaction.
///
/// # Errors
/// Database errors.
pub(crate) async fn journal_own<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    user: &CurrentUser,
    action: &'static str,
    summary: serde_json::Value,
) -> Result<i64, sea_orm::DbErr> {
    audit::record(
        tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: user.groupement_id,
            action,
            entity: "app_user",
            entity_id: user.id.to_string(),
            summary,
        },
    )
    .await
}

async fn close_sessions<C: ConnectionTrait>(
    tx: &C,
    user_id: i32,
    keep: Option<&str>,
) -> Result<Vec<String>, AppError> {
    let mut q = web_session::Entity::find().filter(web_session::Column::UserId.eq(user_id));
    if let Some(k) = keep {
        q = q.filter(web_session::Column::Id.ne(k));
    }
    let ids: Vec<String> = q.all(tx).await?.into_iter().map(|s| s.id).collect();
    if !ids.is_empty() {
        web_session::Entity::delete_many()
            .filter(web_session::Column::Id.is_in(ids.clone()))
            .exec(tx)
            .await?;
    }
    Ok(ids)
}

/// Changes one's own password: the current one is checked, the new one must pass the policy
/// and differ from it; the user's other sessions are closed (a thief's among them).
///
/// # Errors
/// `Validation` with French messages per field, or a database error.
#[allow(clippy::too_many_arguments)]
pub async fn change_password(
    db: &DatabaseConnection,
    cache: &SessionCache,
    now: DateTime<Utc>,
    user: &CurrentUser,
    current_session: Option<&str>,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<usize, AppError> {
    let row = app_user::Entity::find_by_id(user.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let mut errs = FieldErrors::new();
    if !password::verify_async(current.to_owned(), row.password_hash.clone()).await {
        super::throttle::count_failure();
        tracing::warn!(compte = %user.email, "changement de mot de passe : mot de passe actuel faux");
        field(&mut errs, "current", "le mot de passe actuel est incorrect");
    }
    if let Err(e) = password::check_strength_for(new, &[&user.email, &user.display_name]) {
        field(&mut errs, "new", e);
    } else if new == current {
        field(
            &mut errs,
            "new",
            "le nouveau mot de passe doit différer de l'actuel",
        );
    }
    if new != confirm {
        field(
            &mut errs,
            "confirm",
            "la confirmation ne reprend pas le nouveau mot de passe",
        );
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let hash = password::hash_async(new.to_owned()).await?;
    let tx = audit::begin(db).await?;
    let mut m: app_user::ActiveModel = row.clone().into();
    m.password_hash = Set(hash);
    m.must_change_password = Set(false);
    m.update(&tx).await?;
    let closed = close_sessions(&tx, user.id, current_session).await?;
    journal_own(
        &tx,
        now,
        user,
        "compte.mot_de_passe",
        serde_json::json!({"sessions_fermees": closed.len()}),
    )
    .await?;
    tx.commit().await?;
    session_store::forget(cache, &closed);
    Ok(closed.len())
}

/// Deactivates (or reactivates) an account of the coordonnateur's groupement; a deactivated
/// account's sessions are closed and its API tokens stop working (they need an active user).
///
/// # Errors
/// `NotFound` outside the groupement, `Conflict` on oneself, or a database error.
pub async fn set_active(
    db: &DatabaseConnection,
    cache: &SessionCache,
    now: DateTime<Utc>,
    actor: &CurrentUser,
    groupement_id: i32,
    target: i32,
    active: bool,
) -> Result<app_user::Model, AppError> {
    if target == actor.id {
        return Err(AppError::Conflict(
            "vous ne pouvez pas désactiver votre propre compte".into(),
        ));
    }
    let tx = audit::begin(db).await?;
    let row = app_user::Entity::find_by_id(target)
        .filter(app_user::Column::GroupementId.eq(groupement_id))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.active == active {
        return Ok(row);
    }
    let mut m: app_user::ActiveModel = row.clone().into();
    m.active = Set(active);
    let row = m.update(&tx).await?;
    let closed = if active {
        Vec::new()
    } else {
        close_sessions(&tx, target, None).await?
    };
    audit::record(
        &tx,
        now,
        &Actor {
            user_id: Some(actor.id),
            label: actor.email.clone(),
        },
        audit::Event {
            groupement_id: Some(groupement_id),
            action: if active {
                "compte.reactivation"
            } else {
                "compte.desactivation"
            },
            entity: "app_user",
            entity_id: target.to_string(),
            summary: serde_json::json!({"email": row.email, "sessions_fermees": closed.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    session_store::forget(cache, &closed);
    Ok(row)
}

/// Closes one of the user's own sessions, named by its public handle (journaled).
///
/// # Errors
/// `NotFound` when no session of the user has this handle, or a database error.
pub async fn revoke_session(
    db: &DatabaseConnection,
    cache: &SessionCache,
    now: DateTime<Utc>,
    user: &CurrentUser,
    handle: &str,
) -> Result<(), AppError> {
    let tx = audit::begin(db).await?;
    let Some(s) = web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(user.id))
        .all(&tx)
        .await?
        .into_iter()
        .find(|s| session_store::handle(&s.id) == handle)
    else {
        return Err(AppError::NotFound);
    };
    web_session::Entity::delete_by_id(s.id.clone())
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: user.groupement_id,
            action: "compte.session_revoquee",
            entity: "web_session",
            entity_id: handle.to_owned(),
            summary: serde_json::json!({"navigateur": s.user_agent}),
        },
    )
    .await?;
    tx.commit().await?;
    session_store::forget(cache, &[s.id]);
    Ok(())
}
