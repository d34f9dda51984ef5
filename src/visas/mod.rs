//! Member visas on every piece, pinned to the exact version (convention art. 5.4, 6.2, 8.1).

pub mod rules;
