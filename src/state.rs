//! What every handler can reach.

use crate::clock::Clock;
use crate::config::Settings;
use crate::docgen::DocEngine;
use crate::mail::Mailer;
use crate::web::cache::Caches;
use crate::web::render::Templates;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub templates: Arc<Templates>,
    /// Where the outbox worker sends email (SMTP or `.eml` files).
    pub mailer: Mailer,
    /// The document engine (templates compiled once), shared by every request.
    pub engine: Arc<DocEngine>,
    /// What the pages reread on every request, kept while the data has not changed.
    pub caches: Arc<Caches>,
    /// The groupement's Ed25519 key that signs the archives (`COORDO_SIGNING_KEY_FILE`).
    pub signing_key: Arc<ed25519_dalek::SigningKey>,
    /// The ranking of the offers as the CAO's procès-verbal names it (the CAO sits below the
    /// analysis of the offers, which provides it).
    pub cao_rankings: Arc<dyn crate::cao::docs::RankingSource>,
}
