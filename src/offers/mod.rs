//! Offers and their analysis: the register of plis sealed until the deadline, admissibility
//! (candidatures, offers, abnormally low offers), the criteria tree, the CAO's independent
//! blind scoring, the ranking with its robustness panel, the rapport d'analyse and the CSV grid.
//! The formulas live in the pure engine [`crate::scoring`]; everything else only stores and shows.

pub mod access;
pub mod admissibility;
pub mod analysis;
pub mod chart;
pub mod conflicts;
pub mod criteria;
pub mod criteria_form;
pub mod decisions;
pub mod dqe_prices;
pub mod dqe_rules;
pub mod evaluation;
pub mod export;
pub mod handlers;
pub mod oab;
pub mod opening;
pub mod platform_import;
pub mod platform_register;
pub mod register;
pub mod report;
pub mod views;
pub mod views_dqe;
pub mod views_scoring;
