//! The `coordo` binary: parses the command line and hands over to [`coordo::cli`].

use std::process::ExitCode;

// glibc's malloc keeps what a thread freed in that thread's arena: after a few logins on the
// blocking pool (argon2 takes 19 MiB each) the server stayed at 100-250 MB. mimalloc returns
// freed memory to the system and is faster on the many small allocations of a page.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
