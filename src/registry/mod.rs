//! The registry of groupements: members (organismes gestionnaires), their establishments
//! (ESMS) and the data-quality checks of the identifiers they carry.

pub mod edit_handlers;
pub mod edit_rules;
pub mod edit_service;
pub mod handlers;
pub mod import;
pub mod quality;
pub mod quality_words;
pub mod seed;
pub mod service;
pub mod views;

/// The real groupement of the convention (CCAS de Wattrelos coordonnateur), the demo data and
/// the first test fixture.
pub const DEMO_GROUPEMENT_JSON: &str = include_str!("../../data/groupement.json");
