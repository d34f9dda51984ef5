//! The `coordo` binary: parses the command line and hands over to [`coordo::cli`].

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COORDO_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match coordo::cli::parse() {
        Ok(cli) => coordo::cli::run(cli).await,
        Err(code) => code,
    }
}
