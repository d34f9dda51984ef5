//! Member visas on every piece, pinned to the exact version (convention art. 5.4, 6.2, 8.1):
//! the coordonnateur submits the current versions of pieces for visa, each member's référent
//! answers (or the holder of its written proxy), reminders and tacit visas run on a tick, the
//! matrix page and the bordereau show where each piece stands, and publication waits for a
//! complete round on every piece's current hash.

pub mod api;
pub mod bordereau;
pub mod forms;
pub mod gate;
pub mod handlers;
pub mod notify;
pub mod proxies;
pub mod proxy_handlers;
pub mod rules;
pub mod service;
pub mod store;
pub mod tick;
pub mod views;
