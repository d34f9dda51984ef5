//! Consultations (tenders): the procedure rules engine, the legal calendar, the lifecycle,
//! and the pages and API to create, edit and follow them.

pub mod calendar_facts;
pub mod candidates;
pub mod deadline;
pub mod handlers;
pub mod lifecycle;
pub mod model;
pub mod needs_grid;
pub mod needs_handlers;
pub mod needs_import;
pub mod needs_import_handlers;
pub mod needs_sheet;
pub mod questions;
pub mod retraits_import;
pub mod rules;
pub mod service;
pub mod timeline;
pub mod views;
