//! Accounts, roles, login and the identity of the caller.

pub mod account;
pub mod account_handlers;
pub mod handlers;
pub mod login;
pub mod password;
pub mod role;
pub mod second_factor;
pub mod second_factor_handlers;
pub mod session_store;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod users;

pub use role::{CaoSeat, Role};

use serde::Serialize;

/// The authenticated caller, resolved once per request from the session cookie or the
/// `Authorization: Bearer` token.
#[derive(Clone, Debug, Serialize)]
pub struct CurrentUser {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub groupement_id: Option<i32>,
    pub member_id: Option<i32>,
    pub cao_seat: Option<CaoSeat>,
    /// True when authenticated by API token (no cookie, so no CSRF check).
    #[serde(skip)]
    pub via_token: bool,
    /// The password was published or printed: only « Mon compte » (to change it) and logout
    /// are open until it is changed (`web::security::check`).
    pub must_change_password: bool,
    /// The account has a second factor (TOTP) enrolled.
    pub totp_enabled: bool,
}

impl CurrentUser {
    /// Builds the caller from its stored row.
    #[must_use]
    pub fn from_row(u: &crate::db::entities::app_user::Model, via_token: bool) -> Option<Self> {
        Some(Self {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.parse().ok()?,
            groupement_id: u.groupement_id,
            member_id: u.member_id,
            cao_seat: u.cao_seat.as_deref().and_then(|s| s.parse().ok()),
            via_token,
            must_change_password: u.must_change_password,
            totp_enabled: u.totp_secret.is_some(),
        })
    }

    /// Whether this account is one that should have a second factor: the coordonnateur and
    /// the président of the CAO (they decide and sign); others may enrol too.
    #[must_use]
    pub fn second_factor_expected(&self) -> bool {
        totp::expected_for(self.role, self.cao_seat)
    }

    /// The journal's view of this caller.
    #[must_use]
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            user_id: Some(self.id),
            label: self.email.clone(),
        }
    }
}
