//! Database migrations of Coordo: an ordered, append-only list. Portable across SQLite and
//! PostgreSQL: only sea-query schema statements, never backend-specific SQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_registry_accounts_audit;
mod m20261123_000002_consultations;
mod m20261124_000001_mail_outbox;
mod m20261124_000002_pieces;
mod m20261124_000003_cao;
mod m20261124_000004_visas;
mod m20261124_000005_offers;
mod m20261125_000001_attribution;
mod m20261205_100001_signed_acte;
mod m20261205_200001_security;
mod m20261205_300001_integrity;
mod m20261205_500001_price_lines;
mod m20261205_600001_cao_pv;
mod m20261205_700001_password_change;
mod m20261205_800001_totp;
mod m20261205_900001_reference_document;
mod m20261205_950001_pli_dqe;
mod m20261206_100001_technique;
mod m20261206_200001_dce_modification;
mod m20261206_300001_questions;
mod util;

/// The ordered list of migrations applied at start.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_registry_accounts_audit::Migration),
            Box::new(m20261123_000002_consultations::Migration),
            Box::new(m20261124_000001_mail_outbox::Migration),
            Box::new(m20261124_000002_pieces::Migration),
            Box::new(m20261124_000003_cao::Migration),
            Box::new(m20261124_000004_visas::Migration),
            Box::new(m20261124_000005_offers::Migration),
            Box::new(m20261125_000001_attribution::Migration),
            Box::new(m20261205_100001_signed_acte::Migration),
            Box::new(m20261205_300001_integrity::Migration),
            Box::new(m20261205_200001_security::Migration),
            Box::new(m20261205_500001_price_lines::Migration),
            Box::new(m20261205_600001_cao_pv::Migration),
            Box::new(m20261205_700001_password_change::Migration),
            Box::new(m20261205_800001_totp::Migration),
            Box::new(m20261205_900001_reference_document::Migration),
            Box::new(m20261205_950001_pli_dqe::Migration),
            Box::new(m20261206_100001_technique::Migration),
            Box::new(m20261206_200001_dce_modification::Migration),
            Box::new(m20261206_300001_questions::Migration),
        ]
    }
}
