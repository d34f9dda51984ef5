//! Connection to the database: SQLite (WAL, synchronous FULL, foreign keys, busy timeout) by default,
//! PostgreSQL when the URL says so; migrations applied at start.

pub mod entities;
pub mod stored;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens the pool for `url` and brings the schema up to date.
///
/// # Errors
/// The database cannot be opened or a migration fails.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                // FULL: a committed transaction (a decision, a journal entry, a queued email)
                // survives a power cut, not only a crash of the process; in WAL mode it costs
                // one fsync of the log per commit, which the page loads never pay.
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Whether the connection is SQLite (for the backup command, the only backend-specific path).
#[must_use]
pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    matches!(db.get_database_backend(), sea_orm::DatabaseBackend::Sqlite)
}

/// A consistent online copy of a SQLite database (`VACUUM INTO`, SQLite ≥ 3.27): readers and
/// writers go on while the copy is taken from one snapshot.
///
/// # Errors
/// The path is not valid UTF-8 or SQLite refuses.
pub async fn backup_sqlite(db: &DatabaseConnection, path: &std::path::Path) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    let p = path
        .to_str()
        .ok_or_else(|| DbErr::Custom("chemin de sauvegarde non UTF-8".into()))?
        .replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{p}'")).await?;
    Ok(())
}
