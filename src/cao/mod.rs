//! The CAO of the groupement (convention art. 5.4; CGCT L1411-5, L1414-3): composition,
//! quorum, deliberations, convocation delays.

pub mod rules;
