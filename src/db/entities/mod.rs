//! sea-orm entities, one file per table, mirroring `migrations/` exactly.

pub mod app_user;
pub mod audit_entry;
pub mod audit_head;
pub mod clause_override;
pub mod consultation;
pub mod dce_data;
pub mod establishment;
pub mod groupement;
pub mod lot;
pub mod mail_attachment;
pub mod mail_message;
pub mod member;
pub mod need;
pub mod piece;
pub mod piece_version;
pub mod web_session;
