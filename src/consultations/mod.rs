//! Consultations (tenders): the procedure rules engine, the legal calendar and the lifecycle.

pub mod lifecycle;
pub mod rules;
