//! sea-orm entities, one file per table, mirroring `migrations/` exactly.

pub mod app_user;
pub mod audit_entry;
pub mod audit_head;
pub mod consensus_note;
pub mod consultation;
pub mod establishment;
pub mod evaluator_note;
pub mod evaluator_sheet;
pub mod groupement;
pub mod lot;
pub mod mail_attachment;
pub mod mail_message;
pub mod member;
pub mod need;
pub mod offer_analysis;
pub mod offer_criterion;
pub mod pli;
pub mod web_session;
