//! Unit tests of `archive::verify`.

use super::*;
use crate::archive::bundle::tests::{entries, key, meta, unzip};
use crate::archive::bundle::{build, file_options};
use crate::archive::to_dos;
use std::io::Write;

const HELLO: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const EML: &str = "emails/visa-ccas-nord.eml";

fn sample() -> Vec<u8> {
    build(&meta(), &entries(), &key()).unwrap().bytes
}

fn err(bytes: &[u8]) -> String {
    verify(bytes).unwrap_err().to_string()
}

/// Re-zips the sample with the canonical options after `edit` (`None` drops an entry), plus
/// an `extra` entry: a structurally perfect archive whose content differs.
fn rezip(edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>, extra: Option<&str>) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let files = unzip(&sample()).into_iter();
    let mut files: Vec<_> = files
        .filter_map(|(n, c, t)| Some((n.clone(), edit(&n, c)?, t)))
        .collect();
    files.extend(extra.map(|n| (n.to_string(), b"faux".to_vec(), files[0].2)));
    for (name, content, t) in files {
        let ((date, time), stored) = (
            to_dos(t).unwrap(),
            name.starts_with("MANIFEST")
                || name.starts_with("manifeste")
                || name.starts_with("SIGNATURE"),
        );
        out.start_file(name, file_options(stored, date, time))
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Replaces `from` by `to` once in the text of `target`.
fn replace(target: &str, from: &str, to: &str) -> Vec<u8> {
    let text = |c: Vec<u8>| String::from_utf8(c).unwrap();
    rezip(
        |n, c| {
            Some(if n == target {
                text(c).replacen(from, to, 1).into()
            } else {
                c
            })
        },
        None,
    )
}

#[test]
fn sound_archive_and_french_report() {
    let r = verify(&sample()).unwrap();
    let (total, hash) = (r.total_bytes, &r.manifest_sha256);
    let k = crate::archive::signature::key_label(&key().verifying_key());
    let expected = format!(
        "Archive intègre : 5 fichiers vérifiés ({total} octets), consultation 2026-AMOA-01.\n\
         Empreinte SHA-256 du manifeste : {hash}\n\
         Signée par la clé {k} (non comparée à une clé de confiance : donnez-la avec --cle)"
    );
    assert_eq!(r.to_string(), expected);
    let trusted = verify_with_key(&sample(), Some(&key().verifying_key())).unwrap();
    assert!(trusted.to_string().ends_with("(clé du groupement)"));
    // Re-zipping with the canonical options reproduces the archive byte for byte.
    assert_eq!(rezip(|_, c| Some(c), None), sample());
}

/// Every byte position, three different changes each (low bit, high bit, whole byte): all
/// refused. Four of these positions are deflate padding bits, caught by `compressed_sha256`.
#[test]
fn every_single_byte_change_is_detected() {
    let bytes = sample();
    for (pos, mask) in (0..bytes.len()).flat_map(|p| [(p, 0x01u8), (p, 0x80), (p, 0xff)]) {
        let mut damaged = bytes.clone();
        damaged[pos] ^= mask;
        assert!(
            verify(&damaged).is_err(),
            "octet {pos} ^ {mask:#04x} non détecté"
        );
    }
}

#[test]
fn truncated_padded_or_foreign_files() {
    let bytes = sample();
    let n = bytes.len();
    for len in [0, 1, 4, 21, 22, 100, n / 2, n - 22, n - 1] {
        let e = verify(&bytes[..len]).unwrap_err();
        assert!(matches!(
            e,
            ArchiveError::NotZip(_) | ArchiveError::Corrupted { .. }
        ));
    }
    let padded = [&bytes[..], &[0]].concat();
    let end = "Archive corrompue (fin du répertoire central) : absente, incohérente ou suivie";
    assert_eq!(err(&padded), format!("{end} d'octets."));
    let not_zip = "Ce fichier n'est pas une archive ZIP lisible : signature ZIP absente";
    assert_eq!(err(b"%PDF-1.7"), format!("{not_zip} au début du fichier."));
}

#[test]
fn injected_missing_and_altered_files() {
    let injected = rezip(|_, c| Some(c), Some("cao/intrus.pdf"));
    assert_eq!(
        verify(&injected),
        Err(ArchiveError::UnlistedFile("cao/intrus.pdf".into()))
    );
    let missing = rezip(|n, c| (n != "journal/journal.json").then_some(c), None);
    assert_eq!(
        verify(&missing),
        Err(ArchiveError::MissingFile("journal/journal.json".into()))
    );
    let expected = format!(
        "Empreinte SHA-256 incorrecte pour « {EML} » : attendue {HELLO}, calculée {}.",
        sha256_hex(b"hellO")
    );
    assert_eq!(err(&replace(EML, "hello", "hellO")), expected);
}

#[test]
fn manifest_problems() {
    let dropped = |name: &str| err(&rezip(|n, c| (n != name).then_some(c), None));
    let absent = |name: &str| format!("Le manifeste « {name} » est absent de l'archive.");
    assert_eq!(dropped(MANIFEST_NAME), absent(MANIFEST_NAME));
    assert_eq!(dropped(MANIFEST_JSON_NAME), absent(MANIFEST_JSON_NAME));
    let prefix = "manifeste.json ne concorde pas avec MANIFEST.sha256 : ";
    let zeros = "0".repeat(64);
    for (from, to, message) in [
        (
            HELLO,
            &zeros[..],
            format!("empreinte de « {EML} » différente."),
        ),
        (
            "\"size\": 5,",
            "\"size\": 6,",
            format!("taille de « {EML} » erronée."),
        ),
        (
            "\"format\": \"coordo",
            "\"format\": \"autre",
            "format « autre-archive/1 » inconnu.".into(),
        ),
        (
            "\"path\": \"cao/",
            "\"path\": \"CAO/",
            "« CAO/pv-seance-1.pdf » au lieu de « cao/pv-seance-1.pdf ».".into(),
        ),
        (
            "\"manifest_sha256\": \"",
            "\"manifest_sha256\": \"f",
            "manifest_sha256 vaut f".into(),
        ),
    ] {
        let e = err(&replace(MANIFEST_JSON_NAME, from, to));
        assert!(e.starts_with(&format!("{prefix}{message}")), "{e}");
    }
    let e = err(&replace(
        MANIFEST_NAME,
        &format!("{HELLO}  "),
        "pas un manifeste ",
    ));
    let expected = "Le manifeste « MANIFEST.sha256 » est illisible : ligne 3 mal formée";
    assert_eq!(e, format!("{expected} : « pas un manifeste {EML} »."));
}

#[test]
fn verify_file_names_the_unreadable_path() {
    let e = verify_file(Path::new("/inexistant/a.zip"), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("Impossible de lire le fichier /inexistant/a.zip : "),
        "{e}"
    );
}

/// Files and both manifests rewritten together (a structurally perfect, self-consistent
/// archive): refused without the groupement's key, whether the old signature is kept, dropped
/// or replaced by another key's.
#[test]
fn a_remanifested_archive_is_refused() {
    use crate::archive::signature::{SIGNATURE_NAME, signature_text};
    let files = unzip(&sample());
    let forged: Vec<(String, Vec<u8>, chrono::NaiveDateTime)> = files
        .iter()
        .map(|(n, c, t)| {
            let c = if n == EML {
                b"Subject: faux\r\n\r\nfaux".to_vec()
            } else {
                c.clone()
            };
            (n.clone(), c, *t)
        })
        .collect();
    // Recompute both manifests as the builder does, from the forged contents.
    let entries: Vec<crate::archive::Entry> = forged
        .iter()
        .filter(|(n, _, _)| !crate::archive::RESERVED_NAMES.contains(&n.as_str()))
        .map(|(n, c, t)| crate::archive::Entry {
            path: n.clone(),
            bytes: c.clone(),
            modified: Some(*t),
        })
        .collect();
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let resigned = build(&meta(), &entries, &other).unwrap().bytes;
    // Signed by another key: the signature is sound, the key is not the groupement's.
    assert!(verify(&resigned).is_ok(), "a sound signature, but named");
    assert!(
        verify(&resigned).unwrap().signing_key
            != crate::archive::signature::key_label(&key().verifying_key())
    );
    let e = verify_with_key(&resigned, Some(&key().verifying_key())).unwrap_err();
    assert!(matches!(e, ArchiveError::UntrustedKey { .. }), "{e}");
    // The groupement's old signature kept over the new manifests.
    let old_sig = files
        .iter()
        .find(|f| f.0 == SIGNATURE_NAME)
        .unwrap()
        .1
        .clone();
    let kept = rezip_bytes(&resigned, |n, c| {
        Some(if n == SIGNATURE_NAME {
            old_sig.clone()
        } else {
            c
        })
    });
    let e = verify(&kept).unwrap_err();
    assert!(matches!(e, ArchiveError::SignatureInvalid(_)), "{e}");
    // Signature dropped.
    let dropped = rezip_bytes(&resigned, |n, c| (n != SIGNATURE_NAME).then_some(c));
    assert_eq!(
        verify(&dropped).unwrap_err(),
        ArchiveError::SignatureMissing
    );
    let _ = signature_text;
}

/// Re-zips `bytes` with the canonical options after `edit`.
fn rezip_bytes(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content, t) in unzip(bytes) {
        let Some(content) = edit(&name, content) else {
            continue;
        };
        let stored = name.starts_with("MANIFEST")
            || name.starts_with("manifeste")
            || name.starts_with("SIGNATURE");
        let (date, time) = to_dos(t).unwrap();
        out.start_file(name, file_options(stored, date, time))
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}
