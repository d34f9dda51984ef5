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

/// A valid argon2id hash (same parameters as [`hash`]) verified against when the e-mail is
/// unknown or the account inactive, so that the answer costs the same time.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qm9ndXNIYXNoVmFsdWVGb3JUaW1pbmdPbmx5MDAwMDA";

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

/// Passwords seen most often in breaches and in French offices, compared after lowering the
/// case and removing spaces, dashes, dots and underscores (bundled: no network at run time).
const COMMON: &str = include_str!("common_passwords.txt");

fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `p` (folded) is only a repetition of a short pattern (`abcabcabcabc`, 12 spaces).
fn repetitive(p: &[char]) -> bool {
    (1..=4).any(|n| p.len() > n && p.iter().enumerate().all(|(i, c)| *c == p[i % n]))
}

/// Whether `p` is a run of consecutive characters (`123456789012`, `abcdefghijkl`, `987654…`).
fn sequential(p: &[char]) -> bool {
    let steps: Vec<i64> = p
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    let runs = |d: i64| steps.iter().filter(|s| **s == d || **s == d * -9).count();
    // "1234567890 12": allow the wrap from 9 to 0 (a step of -9), and a stray step or two.
    steps.len() >= 4 && (runs(1) + 2 >= steps.len() || runs(-1) + 2 >= steps.len())
}

/// French rules for a new password: 12 to 256 characters, not blank, not a repetition or a
/// sequence, not a common password, and not built on the account's own e-mail or name.
///
/// # Errors
/// The French reason the password is refused.
pub fn check_strength(password: &str) -> Result<(), String> {
    check_strength_for(password, &[])
}

/// [`check_strength`], also refusing a password that contains one of `personal` (the e-mail's
/// local part, the name…).
///
/// # Errors
/// The French reason the password is refused.
pub fn check_strength_for(password: &str, personal: &[&str]) -> Result<(), String> {
    let n = password.chars().count();
    if n < 12 {
        return Err("le mot de passe doit compter au moins 12 caractères".into());
    }
    if n > 256 {
        return Err("le mot de passe ne peut pas dépasser 256 caractères".into());
    }
    if password.chars().any(char::is_control) {
        return Err("le mot de passe ne peut pas contenir de caractère de contrôle".into());
    }
    let f = folded(password);
    let chars: Vec<char> = f.chars().collect();
    if chars.len() < 8 {
        return Err(
            "le mot de passe doit compter au moins 8 caractères autres que des espaces ou des tirets"
                .into(),
        );
    }
    let distinct: std::collections::BTreeSet<char> = chars.iter().copied().collect();
    if distinct.len() < 5 || repetitive(&chars) || sequential(&chars) {
        return Err(
            "ce mot de passe est trop prévisible (répétition ou suite de caractères) : choisissez par exemple trois ou quatre mots sans rapport entre eux"
                .into(),
        );
    }
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|c| {
            let c = folded(c);
            f == c
                || (c.len() >= 6
                    && f.starts_with(&c)
                    && f[c.len()..]
                        .chars()
                        .all(|x| x.is_ascii_digit() || x.is_ascii_punctuation()))
        });
    if common {
        return Err(
            "ce mot de passe figure parmi les plus courants : choisissez par exemple trois ou quatre mots sans rapport entre eux"
                .into(),
        );
    }
    for p in personal {
        let p = folded(p.split('@').next().unwrap_or_default());
        if p.chars().count() >= 4 && f.contains(&p) {
            return Err(
                "le mot de passe ne doit pas reprendre votre adresse électronique ni votre nom"
                    .into(),
            );
        }
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
        assert!(super::check_strength("un mot de passe long").is_ok());
    }

    #[test]
    fn weak_passwords_of_the_audit_are_refused() {
        for weak in [
            "            ",
            "123456789012",
            "azertyuiop12",
            "motdepasse2026",
            "Password1234!",
            "aaaaaaaaaaaa",
            "abcabcabcabc",
            "abcdefghijklmn",
            "098765432109",
            "coordo-demo-2026",
        ] {
            assert!(super::check_strength(weak).is_err(), "{weak:?} accepted");
        }
        let e = super::check_strength_for("marie.durand-2026!", &["marie.durand@exemple.fr"])
            .expect_err("personal");
        assert!(e.contains("adresse électronique"), "{e}");
        assert!(super::check_strength("cheval agrafe batterie correcte").is_ok());
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2_hash() {
        // Unknown accounts are checked against it: it must cost a real verification.
        assert!(argon2::password_hash::phc::PasswordHash::new(super::DUMMY_HASH).is_ok());
    }
}
