use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// `auth::Role` as snake_case.
    pub role: String,
    pub groupement_id: Option<i32>,
    pub member_id: Option<i32>,
    /// `titulaire`, `suppleant` or `president` for CAO members.
    pub cao_seat: Option<String>,
    /// SHA-256 (hex) of the API token; the token itself is shown once.
    pub api_token_hash: Option<String>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub active: bool,
    /// Set for an account whose password was published or printed (demo accounts, `coordo user
    /// add`); cleared when the user changes it on « Mon compte ».
    pub must_change_password: bool,
    /// The TOTP secret (RFC 6238) sealed with the server's key (`auth::totp::seal`); `None`
    /// while the account has no second factor.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted: a code of this step or an earlier one is refused.
    pub totp_last_step: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
