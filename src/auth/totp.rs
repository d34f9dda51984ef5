//! The second factor, pure parts: TOTP codes (RFC 6238: HMAC-SHA-1, 6 digits, steps of 30 s,
//! through the `totp-rs` crate), accepted one step before or after the server's time and
//! never twice (the last accepted step is stored); single-use recovery codes; and the sealing
//! of a secret with the server's key, so that the database alone does not give the codes.

use super::{CaoSeat, Role};
use crate::web::secret::{SecretKey, constant_eq};
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Seconds per step (RFC 6238 § 5.2).
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Bytes of a secret (160 bits, RFC 4226 § 4).
pub const SECRET_LEN: usize = 20;
/// Recovery codes given at each enrolment.
pub const RECOVERY_COUNT: usize = 10;
/// The issuer shown by the authenticator application.
pub const ISSUER: &str = "Coordo";
/// Characters of a recovery code: no 0/O nor 1/I to misread (32 symbols, 5 bits each).
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Symbols of a recovery code (50 bits), shown as two groups of five.
const RECOVERY_LEN: usize = 10;

/// Whether an account of this role and seat is asked to enrol: the coordonnateur and the
/// président of the CAO.
#[must_use]
pub fn expected_for(role: Role, seat: Option<CaoSeat>) -> bool {
    role == Role::Coordonnateur || seat == Some(CaoSeat::President)
}

/// A fresh random secret.
#[must_use]
pub fn new_secret() -> Vec<u8> {
    let mut b = vec![0u8; SECRET_LEN];
    rand::rng().fill_bytes(&mut b);
    b
}

fn totp(secret: &[u8], account: &str) -> Result<Totp, String> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| format!("secret TOTP invalide : {e}"))
}

/// The secret as the base32 text typed into an authenticator application.
#[must_use]
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://totp/…` URI of the secret for `account` (what a QR code would carry).
///
/// # Errors
/// The secret is too short (a bug).
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<String, String> {
    totp(secret, account)?
        .to_url()
        .map_err(|e| format!("URI otpauth : {e}"))
}

/// The code of the step holding `unix` (seconds).
///
/// # Errors
/// The secret is too short (a bug).
pub fn code_at(secret: &[u8], unix: i64) -> Result<String, String> {
    let t = u64::try_from(unix).map_err(|_| "date antérieure à 1970".to_owned())?;
    Ok(totp(secret, "")?.generate(t).to_string())
}

/// The six digits typed, spaces and dashes removed; `None` if it is not a TOTP code.
#[must_use]
pub fn normalize_code(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The step whose code is `code`, within one step of `unix`, later than `last_step` (a code
/// is never accepted twice, nor an older one after a newer); `None` otherwise.
#[must_use]
pub fn accept(secret: &[u8], code: &str, unix: i64, last_step: Option<i64>) -> Option<i64> {
    let code = normalize_code(code)?;
    let origin = unix.div_euclid(STEP_SECS);
    let mut found = None;
    // Every candidate is computed and compared, whichever matches, in constant time.
    for step in origin - 1..=origin + 1 {
        let ok = code_at(secret, step * STEP_SECS).is_ok_and(|c| constant_eq(&c, &code));
        if ok && last_step.is_none_or(|l| step > l) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Fresh recovery codes, as shown to the user (`ABCDE-FGHJK`).
#[must_use]
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_COUNT)
        .map(|_| {
            let mut b = [0u8; RECOVERY_LEN];
            rng.fill_bytes(&mut b);
            let s: String = b
                .iter()
                .map(|x| char::from(RECOVERY_ALPHABET[usize::from(x % 32)]))
                .collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// The canonical form of a typed recovery code (capitals, no dash nor space), the form that
/// is hashed; `None` if it cannot be one.
#[must_use]
pub fn normalize_recovery(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == RECOVERY_LEN && s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(s)
}

fn keystream(key: &SecretKey, nonce: &[u8]) -> Vec<u8> {
    let mut msg = b"coordo-totp-flux:".to_vec();
    msg.extend_from_slice(nonce);
    hex::decode(key.sign(&msg)).unwrap_or_default()
}

fn tag(key: &SecretKey, nonce: &[u8], ct: &[u8]) -> String {
    let mut msg = b"coordo-totp-sceau:".to_vec();
    msg.extend_from_slice(nonce);
    msg.extend_from_slice(ct);
    key.sign(&msg)
}

/// Seals a secret (at most 32 bytes) with the server's key: a random nonce, the secret XORed
/// with HMAC-SHA-256(key, nonce) (a PRF used as a one-block stream), and an HMAC tag over
/// both (encrypt-then-MAC). `v1.<nonce>.<ciphertext>.<tag>`, in hex.
#[must_use]
pub fn seal(key: &SecretKey, secret: &[u8]) -> String {
    let mut nonce = [0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    let ct: Vec<u8> = secret
        .iter()
        .zip(keystream(key, &nonce))
        .map(|(a, b)| a ^ b)
        .collect();
    format!(
        "v1.{}.{}.{}",
        hex::encode(nonce),
        hex::encode(&ct),
        tag(key, &nonce, &ct)
    )
}

/// Opens a sealed secret; `None` if it was not sealed with this key or was altered.
#[must_use]
pub fn open(key: &SecretKey, sealed: &str) -> Option<Vec<u8>> {
    let mut parts = sealed.split('.');
    if parts.next()? != "v1" {
        return None;
    }
    let nonce = hex::decode(parts.next()?).ok()?;
    let ct = hex::decode(parts.next()?).ok()?;
    let t = parts.next()?;
    if parts.next().is_some() || !constant_eq(&tag(key, &nonce, &ct), t) {
        return None;
    }
    Some(
        ct.iter()
            .zip(keystream(key, &nonce))
            .map(|(a, b)| a ^ b)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 seed; the RFC's codes have 8 digits, ours are their last 6.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_test_vectors() {
        for (t, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_SEED, t).as_deref(), Ok(&code[2..]), "t = {t}");
        }
    }

    #[test]
    fn one_step_either_side_and_never_twice() {
        let s = new_secret();
        let now = 1_800_000_015;
        let step = now / STEP_SECS;
        let before = code_at(&s, now - STEP_SECS).expect("code");
        let current = code_at(&s, now).expect("code");
        let after = code_at(&s, now + STEP_SECS).expect("code");
        let too_old = code_at(&s, now - 2 * STEP_SECS).expect("code");
        assert_eq!(accept(&s, &before, now, None), Some(step - 1));
        assert_eq!(accept(&s, &current, now, None), Some(step));
        assert_eq!(accept(&s, &after, now, None), Some(step + 1));
        assert_eq!(accept(&s, &too_old, now, None), None);
        // Replayed, or older than the last accepted.
        assert_eq!(accept(&s, &current, now, Some(step)), None);
        assert_eq!(accept(&s, &before, now, Some(step)), None);
        assert_eq!(accept(&s, &after, now, Some(step)), Some(step + 1));
        // Typed with a space; not a code at all.
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(accept(&s, &spaced, now, None), Some(step));
        assert_eq!(accept(&s, "12345", now, None), None);
        assert_eq!(accept(&s, "abcdef", now, None), None);
    }

    #[test]
    fn uri_and_base32_carry_the_secret() {
        let s = new_secret();
        let b32 = base32(&s);
        assert_eq!(b32.len(), 32);
        let uri = otpauth_uri(&s, "coord@example.fr").expect("uri");
        assert!(
            uri.starts_with("otpauth://totp/Coordo:coord%40example.fr?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={b32}")), "{uri}");
        assert!(uri.contains("issuer=Coordo"), "{uri}");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_COUNT);
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_COUNT);
        for c in &codes {
            let n = normalize_recovery(c).expect("valid");
            assert_eq!(n.len(), 10);
            assert_eq!(normalize_recovery(&c.to_lowercase()), Some(n.clone()));
            assert_eq!(
                normalize_code(c),
                None,
                "a recovery code is not a TOTP code"
            );
        }
        assert_eq!(normalize_recovery("123456"), None);
        assert_eq!(normalize_recovery("AAAAA-AAAA0"), None);
    }

    #[test]
    fn sealed_secret_opens_with_its_key_only() {
        let k = SecretKey::random();
        let s = new_secret();
        let sealed = seal(&k, &s);
        assert!(!sealed.contains(&hex::encode(&s)));
        assert_eq!(open(&k, &sealed), Some(s.clone()));
        assert_eq!(open(&SecretKey::random(), &sealed), None);
        let mut altered = sealed.clone();
        altered.replace_range(20..21, if &sealed[20..21] == "0" { "1" } else { "0" });
        assert_eq!(open(&k, &altered), None);
        assert_ne!(seal(&k, &s), sealed, "a new nonce each time");
    }

    #[test]
    fn who_is_asked_to_enrol() {
        assert!(expected_for(Role::Coordonnateur, None));
        assert!(expected_for(Role::Cao, Some(CaoSeat::President)));
        assert!(!expected_for(Role::Cao, Some(CaoSeat::Titulaire)));
        assert!(!expected_for(Role::Referent, None));
    }
}
