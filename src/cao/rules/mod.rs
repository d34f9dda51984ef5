//! Pure rules of the groupement's commission d'appel d'offres (CAO).
//!
//! The convention (art. 5.4) makes the coordonnateur "constituer, présider et gérer" a CAO of the
//! groupement: one representative (titulaire and suppléant) per member. CGCT L1414-3 makes such a
//! commission compulsory only when the groupement is in majority made of collectivités / EPL;
//! its functioning (quorum, second convocation) follows CGCT L1411-5 II.
//!
//! No I/O here: dates ("today", the date of a séance) are always parameters.

pub mod composition;
pub mod convocation;
pub mod deliberation;
pub mod quorum;
