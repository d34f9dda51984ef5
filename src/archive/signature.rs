//! The groupement's Ed25519 signature of an archive.
//!
//! The two manifests cover every byte of every file (contents, compressed bytes, dates); the
//! signature covers the two manifests. Rewriting files and manifests together therefore needs
//! the groupement's private key (`COORDO_SIGNING_KEY_FILE`), which never leaves the server: a
//! re-manifested archive either keeps the old signature (refused: it no longer matches), drops
//! it (refused: an archive without signature is not Coordo's), or is signed with another key
//! (refused when the verifier is given the groupement's public key, and named otherwise).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::archive::ArchiveError;

/// Name of the signature entry (stored last, uncompressed).
pub const SIGNATURE_NAME: &str = "SIGNATURE.ed25519";

/// What is signed: a domain tag, then the SHA-256 of each manifest.
#[must_use]
pub fn message(listing: &[u8], manifest_json: &[u8]) -> Vec<u8> {
    format!(
        "coordo-archive-signature/1\nMANIFEST.sha256 {}\nmanifeste.json {}\n",
        hex::encode(Sha256::digest(listing)),
        hex::encode(Sha256::digest(manifest_json))
    )
    .into_bytes()
}

/// Public writing of a key: `ed25519:` and its 32 bytes in hex.
#[must_use]
pub fn key_label(key: &VerifyingKey) -> String {
    format!("ed25519:{}", hex::encode(key.as_bytes()))
}

/// Reads a public key written by [`key_label`] (prefix optional).
///
/// # Errors
/// French message.
pub fn parse_key(text: &str) -> Result<VerifyingKey, String> {
    let h = text.trim().trim_start_matches("ed25519:");
    let bytes: [u8; 32] = hex::decode(h)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            format!("« {text} » n'est pas une clé publique Ed25519 (64 chiffres hexadécimaux)")
        })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| format!("« {text} » n'est pas une clé Ed25519 valide"))
}

/// The text of the signature entry.
#[must_use]
pub fn signature_text(key: &SigningKey, listing: &[u8], manifest_json: &[u8]) -> String {
    let sig = key.sign(&message(listing, manifest_json));
    format!(
        "algorithme : Ed25519\ncle_publique : {}\nsignature : {}\n",
        key_label(&key.verifying_key()),
        hex::encode(sig.to_bytes())
    )
}

fn invalid(detail: impl Into<String>) -> ArchiveError {
    ArchiveError::SignatureInvalid(detail.into())
}

/// Checks the signature entry against the manifests; returns the signing public key.
///
/// # Errors
/// `SignatureInvalid` (malformed, or does not match the manifests), `UntrustedKey`.
pub fn check(
    text: &[u8],
    listing: &[u8],
    manifest_json: &[u8],
    trusted: Option<&VerifyingKey>,
) -> Result<VerifyingKey, ArchiveError> {
    let text = std::str::from_utf8(text).map_err(|_| invalid("texte non UTF-8"))?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim_start_matches(" : ").trim())
            .ok_or_else(|| invalid(format!("champ « {} » absent", name.trim())))
    };
    let key = parse_key(field("cle_publique")?).map_err(invalid)?;
    let sig: [u8; 64] = hex::decode(field("signature")?)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| invalid("signature illisible"))?;
    key.verify(
        &message(listing, manifest_json),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| {
        invalid(format!(
            "elle ne correspond pas aux manifestes (clé {}) : fichiers ou manifestes réécrits",
            key_label(&key)
        ))
    })?;
    if let Some(t) = trusted
        && t != &key
    {
        return Err(ArchiveError::UntrustedKey {
            found: key_label(&key),
            expected: key_label(t),
        });
    }
    Ok(key)
}

/// The groupement's signing key from its file, created (mode 600) at first start.
///
/// # Errors
/// French message naming the file.
pub fn load_or_create(path: &std::path::Path, create: bool) -> Result<SigningKey, String> {
    let seed = crate::audit::keys::load_or_create_secret(
        path,
        create,
        "clé de signature des archives (COORDO_SIGNING_KEY_FILE)",
    )?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_only_against_its_manifests_and_key() {
        let k = SigningKey::from_bytes(&[7u8; 32]);
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let t = signature_text(&k, b"a", b"b");
        let vk = k.verifying_key();
        assert_eq!(check(t.as_bytes(), b"a", b"b", Some(&vk)), Ok(vk));
        assert!(matches!(
            check(t.as_bytes(), b"a", b"B", None),
            Err(ArchiveError::SignatureInvalid(_))
        ));
        let forged = signature_text(&other, b"a", b"B");
        assert!(check(forged.as_bytes(), b"a", b"B", None).is_ok());
        assert!(matches!(
            check(forged.as_bytes(), b"a", b"B", Some(&vk)),
            Err(ArchiveError::UntrustedKey { .. })
        ));
        assert_eq!(parse_key(&key_label(&vk)), Ok(vk));
        assert!(parse_key("ed25519:zz").is_err());
    }
}
