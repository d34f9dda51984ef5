//! Use cases on accounts: creation (web, API, CLI, demo seed), tokens from the command line.
//! Login is in [`super::login`], self-service and deactivation in [`super::account`].

use super::{CaoSeat, CurrentUser, Role, password};
use crate::audit::{self, Actor};
use crate::db::entities::{app_user, member};
use crate::error::{AppError, FieldErrors};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

/// A validated request to create an account.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub groupement_id: i32,
    pub member_id: Option<i32>,
    pub cao_seat: Option<CaoSeat>,
    pub password: String,
}

/// Raw input of the account form / API, all strings.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewUserInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub cao_seat: String,
    #[serde(default)]
    pub password: String,
}

fn push(errs: &mut FieldErrors, field: &str, msg: impl Into<String>) {
    errs.entry(field.to_owned()).or_default().push(msg.into());
}

/// Checks the form fields (pure). The member's groupement is checked by [`create`].
///
/// # Errors
/// French messages per field.
pub fn validate(input: &NewUserInput, groupement_id: i32) -> Result<NewUser, FieldErrors> {
    let mut errs = FieldErrors::new();
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        push(&mut errs, "email", "l'adresse électronique est obligatoire");
    } else if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        push(
            &mut errs,
            "email",
            format!("« {email} » n'est pas une adresse électronique valide"),
        );
    }
    let display_name = input.display_name.trim().to_owned();
    if display_name.is_empty() {
        push(&mut errs, "display_name", "le nom est obligatoire");
    } else if display_name.chars().count() > 120 {
        push(
            &mut errs,
            "display_name",
            "le nom ne peut pas dépasser 120 caractères",
        );
    }
    let role = match input.role.parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            push(&mut errs, "role", e);
            None
        }
    };
    let member_id = if input.member_id.trim().is_empty() {
        None
    } else if let Ok(id) = input.member_id.trim().parse::<i32>() {
        Some(id)
    } else {
        push(&mut errs, "member_id", "le membre choisi est invalide");
        None
    };
    if role.is_some_and(Role::needs_member)
        && member_id.is_none()
        && !errs.contains_key("member_id")
    {
        push(
            &mut errs,
            "member_id",
            "un référent ou un membre de la CAO doit être rattaché à un membre",
        );
    }
    let cao_seat = if input.cao_seat.trim().is_empty() {
        None
    } else {
        match input.cao_seat.parse::<CaoSeat>() {
            Ok(s) => Some(s),
            Err(e) => {
                push(&mut errs, "cao_seat", e);
                None
            }
        }
    };
    if role == Some(Role::Cao) && cao_seat.is_none() && !errs.contains_key("cao_seat") {
        push(
            &mut errs,
            "cao_seat",
            "préciser le siège CAO : titulaire, suppléant ou président",
        );
    }
    if role.is_some_and(|r| r != Role::Cao) && cao_seat.is_some() {
        push(
            &mut errs,
            "cao_seat",
            "seul un membre de la CAO a un siège CAO",
        );
    }
    if let Err(e) = password::check_strength_for(&input.password, &[&email, &display_name]) {
        push(&mut errs, "password", e);
    }
    match (errs.is_empty(), role) {
        (true, Some(role)) => Ok(NewUser {
            email,
            display_name,
            role,
            groupement_id,
            member_id,
            cao_seat,
            password: input.password.clone(),
        }),
        _ => Err(errs),
    }
}

/// Marks an account whose password was published or printed (demo accounts, `coordo user add`):
/// it must be changed on « Mon compte » before anything else. Inside the caller's audited
/// transaction, which journals the creation.
///
/// # Errors
/// The database fails.
pub async fn require_password_change<C: ConnectionTrait>(
    tx: &C,
    user_id: i32,
) -> Result<(), AppError> {
    app_user::Entity::update_many()
        .col_expr(
            app_user::Column::MustChangePassword,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(app_user::Column::Id.eq(user_id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Creates an account inside the caller's audited transaction (the password is already hashed).
///
/// # Errors
/// The e-mail is taken, the member is not in the groupement, or the database fails.
pub async fn insert<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    new: &NewUser,
    password_hash: String,
) -> Result<app_user::Model, AppError> {
    if app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&new.email))
        .one(tx)
        .await?
        .is_some()
    {
        return Err(AppError::field(
            "email",
            format!("un compte existe déjà pour {}", new.email),
        ));
    }
    if let Some(mid) = new.member_id {
        let ok = member::Entity::find_by_id(mid)
            .filter(member::Column::GroupementId.eq(new.groupement_id))
            .one(tx)
            .await?
            .is_some();
        if !ok {
            return Err(AppError::field(
                "member_id",
                "ce membre n'appartient pas au groupement",
            ));
        }
    }
    if new.role == Role::Cao && new.cao_seat == Some(CaoSeat::President) {
        // One président per composition (CGCT L1414-3 III; convention art. 5.4).
        let existing: Vec<String> = app_user::Entity::find()
            .filter(app_user::Column::GroupementId.eq(new.groupement_id))
            .filter(app_user::Column::Role.eq("cao"))
            .filter(app_user::Column::CaoSeat.eq("president"))
            .filter(app_user::Column::Active.eq(true))
            .all(tx)
            .await?
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        crate::cao::scorers::one_president(&existing)
            .map_err(|m| AppError::field("cao_seat", m))?;
    }
    let row = app_user::ActiveModel {
        email: Set(new.email.clone()),
        display_name: Set(new.display_name.clone()),
        password_hash: Set(password_hash),
        role: Set(new.role.as_str().to_owned()),
        groupement_id: Set(Some(new.groupement_id)),
        member_id: Set(new.member_id),
        cao_seat: Set(new.cao_seat.map(|s| s.as_str().to_owned())),
        api_token_hash: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(new.groupement_id),
            action: "compte.creation",
            entity: "app_user",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({"after": {
                "email": row.email, "role": row.role, "member_id": row.member_id, "cao_seat": row.cao_seat,
            }}),
        },
    )
    .await?;
    Ok(row)
}

/// Creates an account in its own audited transaction.
///
/// # Errors
/// See [`insert`].
pub async fn create(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    new: &NewUser,
) -> Result<app_user::Model, AppError> {
    let hash = password::hash_async(new.password.clone()).await?;
    let tx = audit::begin(db).await?;
    let row = insert(&tx, now, actor, new, hash).await?;
    tx.commit().await?;
    Ok(row)
}

/// Issues a new API token for a user, valid [`super::tokens::DEFAULT_DAYS`] days; returns it
/// once. (Earlier tokens stay valid until they expire or are revoked.)
///
/// # Errors
/// Database errors.
pub async fn issue_token<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    user: &app_user::Model,
) -> Result<String, AppError> {
    super::tokens::issue(
        tx,
        now,
        actor,
        user,
        "ligne de commande",
        super::tokens::DEFAULT_DAYS,
    )
    .await
    .map(|(t, _)| t)
}

/// The active user of a session.
///
/// # Errors
/// Database errors.
pub async fn by_id(db: &DatabaseConnection, id: i32) -> Result<Option<CurrentUser>, AppError> {
    let row = app_user::Entity::find_by_id(id)
        .filter(app_user::Column::Active.eq(true))
        .one(db)
        .await?;
    Ok(row.and_then(|u| CurrentUser::from_row(&u, false)))
}

/// Accounts of a groupement, by role then name.
///
/// # Errors
/// Database errors.
pub async fn list(
    db: &DatabaseConnection,
    groupement_id: i32,
) -> Result<Vec<app_user::Model>, AppError> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::GroupementId.eq(groupement_id))
        .order_by_asc(app_user::Column::Role)
        .order_by_asc(app_user::Column::Email)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str, member: &str, seat: &str) -> NewUserInput {
        NewUserInput {
            email: " Marie.Durand@Example.FR ".into(),
            display_name: "Marie Durand".into(),
            role: role.into(),
            member_id: member.into(),
            cao_seat: seat.into(),
            password: "un mot de passe long".into(),
        }
    }

    #[test]
    fn a_valid_referent_is_normalised() {
        let u = validate(&input("referent", "3", ""), 1).expect("valid");
        assert_eq!(u.email, "marie.durand@example.fr");
        assert_eq!(u.member_id, Some(3));
    }

    #[test]
    fn every_bad_field_gets_a_french_message() {
        let bad = NewUserInput {
            email: "pas-une-adresse".into(),
            display_name: String::new(),
            role: "chef".into(),
            member_id: "x".into(),
            cao_seat: "assis".into(),
            password: "court".into(),
        };
        let errs = validate(&bad, 1).expect_err("invalid");
        for f in [
            "email",
            "display_name",
            "role",
            "member_id",
            "cao_seat",
            "password",
        ] {
            assert!(errs.contains_key(f), "{f}: {errs:?}");
        }
    }

    #[test]
    fn cao_members_need_a_member_and_a_seat() {
        let errs = validate(&input("cao", "", ""), 1).expect_err("invalid");
        assert!(errs.contains_key("member_id") && errs.contains_key("cao_seat"));
        assert!(validate(&input("amoa", "", "titulaire"), 1).is_err());
        assert!(validate(&input("cao", "2", "suppleant"), 1).is_ok());
    }
}
