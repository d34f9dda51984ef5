//! Techniques d'achat (L2125-1) on a consultation: the accord-cadre (its execution, its
//! titulaires, the maximum made of the members' needs, R2162-4) and the marché spécifique of a
//! système d'acquisition dynamique run by a central purchasing body (the SAD's reference, the
//! admitted candidates imported from its platform and invited to tender, R2162-48 and
//! following). The rules are `consultations::rules::technique_choice`; the reading behind them
//! is `docs/techniques-d-achat.md`.

pub mod admitted;
pub mod handlers;
pub mod service;
