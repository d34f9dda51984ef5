//! The CAO of the groupement (convention art. 5.4; CGCT L1411-5, L1414-3): composition,
//! quorum, deliberations, convocation delays — the pure rules in [`rules`], the stored
//! composition and séances, their pages, API and documents (convocation, procès-verbal,
//! procès-verbal de carence). Who may do what is set out in [`seance_handlers`].

pub mod convocations;
pub mod deliberations;
pub mod docs;
pub mod forms;
pub mod handlers;
pub mod model;
pub mod pv_store;
pub mod rules;
pub mod scorers;
pub mod seance_handlers;
pub mod seance_views;
pub mod seances;
pub mod service;
pub mod store;
pub mod views;
