//! Coordo: the coordonnateur's tool for a French groupement de commandes (convention
//! art. 5.4, 6.2, 8): registry, consultations, pieces and visas, CAO, offers, letters, archive.

pub mod archive;
pub mod attribution;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cao;
pub mod cli;
pub mod cli_dqe;
pub mod clock;
pub mod config;
pub mod consultations;
pub mod db;
pub mod delais;
pub mod demo;
pub mod docgen;
pub mod dossier;
pub mod error;
pub mod file_names;
pub mod identifiers;
pub mod mail;
pub mod offers;
pub mod opendata;
pub mod pieces;
pub mod reference_doc;
pub mod registry;
pub mod scoring;
pub mod startup;
pub mod state;
pub mod table_file;
pub mod techniques;
pub mod todo;
pub mod transitions;
pub mod visas;
pub mod web;
