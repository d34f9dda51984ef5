//! One integration-test binary: the real service on a loopback port, a real SQLite file in a
//! temporary folder, the real `coordo` binary for the command line.

mod support;
mod todo;

mod architecture;
mod archive;
mod attribution;
mod audit_journal;
mod auth_second_factor;
mod auth_security;
mod authz_matrix;
mod bad_input;
mod bad_input_corpus;
mod browser;
mod caches;
mod cao;
mod clauses;
mod cli;
mod competition;
mod consultations;
mod crash;
mod dce_modification;
mod demo;
mod docgen;
mod dqe;
mod dqe_pli;
mod hardening;
mod hardening_mail;
mod integrity;
mod journey;
mod mail;
mod needs_import;
mod offers;
mod pieces;
mod postgres;
mod reference_doc;
mod registry_edit;
mod registry_import;
mod techniques;
mod visas;
