//! Password hashing with argon2id (argon2 crate defaults: m = 19 MiB, t = 2, p = 1), run off
//! the async runtime because it is deliberately slow.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::num::NonZero;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// A hash holds 19 MiB and a core for its whole length: at most one per core at a time, so that
/// a burst of logins neither multiplies the memory nor takes every core from the pages (it
/// waits its turn instead, which costs no throughput since each hash is CPU-bound).
static HASH_SLOTS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, NonZero::get)));

/// Runs `f` on the blocking pool once a hashing slot is free.
async fn on_slot<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _slot = HASH_SLOTS.acquire().await?;
    Ok(tokio::task::spawn_blocking(f).await?)
}

/// Hashes a password into a PHC string.
///
/// # Errors
/// Only if the system random generator fails.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let h = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hachage du mot de passe impossible : {e}"))?;
    Ok(h.to_string())
}

/// Checks a password against a stored PHC string.
#[must_use]
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// [`hash`] on the blocking pool, one per core at a time.
///
/// # Errors
/// See [`hash`].
pub async fn hash_async(password: String) -> anyhow::Result<String> {
    on_slot(move || hash(&password)).await?
}

/// [`verify`] on the blocking pool, one per core at a time.
pub async fn verify_async(password: String, phc: String) -> bool {
    on_slot(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

/// French rules for a new password.
///
/// # Errors
/// The French reason the password is refused.
pub fn check_strength(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 12 {
        return Err("le mot de passe doit compter au moins 12 caractères".into());
    }
    if n > 256 {
        return Err("le mot de passe ne peut pas dépasser 256 caractères".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_then_verify() {
        let h = super::hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", &h));
        assert!(!super::verify("correct horse batterY", &h));
        assert!(!super::verify("x", "pas un hash"));
    }

    #[test]
    fn short_passwords_are_refused_in_french() {
        assert!(
            super::check_strength("court")
                .unwrap_err()
                .contains("12 caractères")
        );
        assert!(super::check_strength("suffisamment long").is_ok());
    }
}
