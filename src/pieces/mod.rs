//! Pièces du marché: the five pieces of the DCE (RC, AE, CCAP, CCTP, BPU — R2132-1) generated
//! from the database by the document engine (`crate::docgen`), stored as immutable numbered
//! versions with the SHA-256 of their DOCX bytes (what the members' visas refer to, convention
//! art. 5.4 and 6.2), the clause library (default → groupement → consultation), the DCE data
//! the coordonnateur writes, and their pages and API.

pub mod award;
pub mod ccag;
pub mod clause_handlers;
pub mod clause_vars;
pub mod clauses;
pub mod context;
pub mod diff;
pub mod generate;
pub mod handlers;
pub mod parts;
pub mod price_line_handlers;
pub mod service;
pub mod views;
