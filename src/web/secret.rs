//! The server's secret: 32 random bytes created once and kept in the database (`app_secret`),
//! so that what it signs — the CSRF token of an anonymous visitor, the device cookie of the
//! login throttle — stays valid across restarts and across processes sharing the database.
//! `COORDO_SECRET_KEY` (64 hex digits) overrides it, e.g. to rotate it.

use crate::db::entities::app_secret;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set};
use sha2::{Digest, Sha256};

/// Name of the row holding the key.
const KEY_NAME: &str = "signing_key";

/// A signing key; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// A fresh random key.
    #[must_use]
    pub fn random() -> Self {
        let mut b = [0u8; 32];
        rand::rng().fill_bytes(&mut b);
        Self(b)
    }

    /// Parses 64 hex digits.
    #[must_use]
    pub fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        Some(Self(v.try_into().ok()?))
    }

    /// HMAC-SHA-256 (RFC 2104) of `msg` under this key, in hex. Written out because the
    /// `hmac` crate versions in the lock file pair with another `sha2` than ours.
    #[must_use]
    pub fn sign(&self, msg: &[u8]) -> String {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in self.0.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        let inner = Sha256::new()
            .chain_update(ipad)
            .chain_update(msg)
            .finalize();
        hex::encode(
            Sha256::new()
                .chain_update(opad)
                .chain_update(inner)
                .finalize(),
        )
    }

    /// Whether `mac` is the signature of `msg` (constant time).
    #[must_use]
    pub fn verify(&self, msg: &[u8], mac: &str) -> bool {
        constant_eq(&self.sign(msg), mac)
    }
}

/// Compares two strings in a time that depends only on their lengths.
#[must_use]
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The stored key, created on first use.
///
/// # Errors
/// Database errors.
pub async fn load_or_create(db: &DatabaseConnection) -> Result<SecretKey, DbErr> {
    if let Some(row) = app_secret::Entity::find_by_id(KEY_NAME.to_owned())
        .one(db)
        .await?
        && let Some(k) = SecretKey::from_hex(&row.value)
    {
        return Ok(k);
    }
    let key = SecretKey::random();
    let row = app_secret::ActiveModel {
        name: Set(KEY_NAME.to_owned()),
        value: Set(hex::encode(key.0)),
    };
    if row.insert(db).await.is_err() {
        // Another process created it first: use theirs.
        if let Some(row) = app_secret::Entity::find_by_id(KEY_NAME.to_owned())
            .one(db)
            .await?
            && let Some(k) = SecretKey::from_hex(&row.value)
        {
            return Ok(k);
        }
        return Err(DbErr::Custom("clé secrète du serveur illisible".into()));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2 uses a 4-byte key; pad it the way HMAC does (zeros).
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(b"Jefe");
        let mac = SecretKey(k).sign(b"what do ya want for nothing?");
        assert_eq!(
            mac,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(SecretKey(k).verify(b"what do ya want for nothing?", &mac));
        assert!(!SecretKey(k).verify(b"what do ya want for nothing!", &mac));
    }

    #[test]
    fn keys_never_print() {
        assert_eq!(format!("{:?}", SecretKey::random()), "SecretKey(***)");
        assert!(SecretKey::from_hex("abc").is_none());
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_some());
    }
}
