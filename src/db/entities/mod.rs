//! sea-orm entities, one file per table, mirroring `migrations/` exactly.

pub mod app_user;
pub mod audit_entry;
pub mod audit_head;
pub mod cao_agenda_item;
pub mod cao_attendance;
pub mod cao_conflict_declaration;
pub mod cao_deliberation;
pub mod cao_observation;
pub mod cao_seance;
pub mod cao_seat_assignment;
pub mod cao_signoff;
pub mod cao_vote;
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
