//! Verifies an archive made by [`crate::archive::bundle::build`].
//!
//! R2184-12/13 (conservation) and convention art. 5.4: the archive must prove, years later, that
//! no piece changed. Every byte of the ZIP is covered: the layout is parsed strictly (no gap, no
//! trailing byte, no comment nor extra field, each local header byte-equal to its central
//! directory copy, fixed attributes), compressed bytes are hashed against `manifeste.json`
//! (deflate ignores its final padding bits), contents against `MANIFEST.sha256`, and the two
//! manifests (stored uncompressed) by their CRC-32 and by `manifest_sha256`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Cursor, Read};
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::archive::bundle::UNIX_MODE;
use crate::archive::signature::SIGNATURE_NAME;
use crate::archive::{
    ArchiveError, FORMAT, MANIFEST_JSON_NAME, MANIFEST_NAME, Manifest, from_dos, sha256_hex,
};

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;
/// Host system in the "version made by" field: Unix (3), in the high byte.
const MADE_BY_UNIX: u32 = 0x0300;
/// External attributes: Unix regular file with mode [`UNIX_MODE`].
const EXTERNAL_ATTRIBUTES: u32 = (0o100_000 | UNIX_MODE) << 16;
/// The only general-purpose flag allowed: bit 11, UTF-8 names.
const UTF8_FLAG: u32 = 0x0800;

/// What a successful verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Report {
    /// Files listed in `MANIFEST.sha256` (the pieces plus `LISEZMOI.txt`).
    pub files: usize,
    /// Their total uncompressed size.
    pub total_bytes: u64,
    pub manifest_sha256: String,
    pub reference: String,
    /// The public key that signed the archive (`ed25519:` + hex).
    pub signing_key: String,
    /// Whether it was compared with the groupement's key given to the verifier.
    pub key_trusted: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Archive intègre : {} fichiers vérifiés ({} octets), consultation {}.\n\
             Empreinte SHA-256 du manifeste : {}\n\
             Signée par la clé {} ({})",
            self.files,
            self.total_bytes,
            self.reference,
            self.manifest_sha256,
            self.signing_key,
            if self.key_trusted {
                "clé du groupement"
            } else {
                "non comparée à une clé de confiance : donnez-la avec --cle"
            }
        )
    }
}

/// Where one local file header, its name and its data sit in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalHeader {
    pub offset: usize,
    pub name: Range<usize>,
    pub data: Range<usize>,
}

impl LocalHeader {
    /// Little-endian field at `k` bytes from the header start.
    fn field(&self, bytes: &[u8], k: usize, n: usize) -> u32 {
        le(bytes, self.offset + k, n).unwrap_or(u32::MAX)
    }
}

/// Little-endian unsigned field of `n` (≤ 4) bytes at `at`; `None` past the end.
fn le(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let mut word = [0u8; 4];
    word[..n].copy_from_slice(bytes.get(at..at.checked_add(n)?)?);
    Some(u32::from_le_bytes(word))
}

fn corrupted(location: impl Into<String>, detail: &str) -> ArchiveError {
    ArchiveError::Corrupted {
        location: location.into(),
        detail: detail.to_string(),
    }
}

fn ensure(ok: bool, err: impl FnOnce() -> ArchiveError) -> Result<(), ArchiveError> {
    if ok { Ok(()) } else { Err(err()) }
}

/// Walks `count` consecutive local file headers from offset 0 (no extra field allowed).
pub(crate) fn walk_local_headers(
    bytes: &[u8],
    count: usize,
) -> Result<Vec<LocalHeader>, ArchiveError> {
    let mut out = Vec::with_capacity(count);
    let mut at = 0usize;
    for i in 1..=count {
        let err = |detail: &str| corrupted(format!("en-tête local n° {i}, octet {at}"), detail);
        let field = |k: usize, n: usize| le(bytes, at + k, n).ok_or_else(|| err("en-tête tronqué"));
        ensure(field(0, 4)? == LOCAL_SIGNATURE, || err("signature absente"))?;
        ensure(field(28, 2)? == 0, || err("champ « extra » inattendu"))?;
        let name = at + 30..at + 30 + field(26, 2)? as usize;
        let data = name.end..name.end + field(18, 4)? as usize;
        ensure(data.end <= bytes.len(), || err("données tronquées"))?;
        at = data.end;
        out.push(LocalHeader {
            offset: name.start - 30,
            name,
            data,
        });
    }
    Ok(out)
}

/// Strict layout check; returns the entries with their UTF-8 names, in archive order.
fn parse_layout(bytes: &[u8]) -> Result<Vec<(String, LocalHeader)>, ArchiveError> {
    if bytes.len() < 22 || le(bytes, 0, 4) != Some(LOCAL_SIGNATURE) {
        let detail = "signature ZIP absente au début du fichier";
        return Err(ArchiveError::NotZip(detail.into()));
    }
    let end = bytes.len() - 22;
    let eocd = |k: usize, n: usize| le(bytes, end + k, n).unwrap_or(u32::MAX) as usize;
    let (count, cd_size, cd_offset) = (eocd(10, 2), eocd(12, 4), eocd(16, 4));
    let eocd_ok = [
        eocd(0, 4),
        eocd(4, 4),
        eocd(8, 2),
        eocd(20, 2),
        cd_offset + cd_size,
    ] == [END_SIGNATURE as usize, 0, count, 0, end];
    let detail = "absente, incohérente ou suivie d'octets";
    ensure(eocd_ok, || corrupted("fin du répertoire central", detail))?;
    let locals = walk_local_headers(&bytes[..cd_offset], count)?;
    let locals_end = locals.last().map_or(0, |l| l.data.end);
    let before = || corrupted("répertoire central", "octets inattendus avant lui");
    ensure(locals_end == cd_offset, before)?;
    let mut out: Vec<(String, LocalHeader)> = Vec::with_capacity(count);
    let mut seen = HashSet::new();
    let mut at = cd_offset;
    for local in locals {
        let name = String::from_utf8(bytes[local.name.clone()].to_vec());
        let location = format!("entrée à l'octet {}", local.offset);
        let name = name.map_err(|_| corrupted(location, "nom non UTF-8"))?;
        let central = |k: usize, n: usize| le(bytes, at + k, n).unwrap_or(u32::MAX);
        // ZIP specification version the writer records: 1.0 when stored, 2.0 when deflated.
        let method = local.field(bytes, 8, 2);
        let version = if method == 0 { 10 } else { 20 };
        let flags = if name.is_ascii() { 0 } else { UTF8_FLAG };
        let name_at = at + 46..at + 46 + local.name.len();
        // Version needed, flags, method, time, date, CRC-32, sizes and name length.
        let copy = bytes.get(at + 6..at + 30) == bytes.get(local.offset + 4..local.offset + 28);
        let checks = [
            (
                central(0, 4) == CENTRAL_SIGNATURE,
                "entrée du répertoire central absente",
            ),
            (copy, "en-tête local différent du répertoire central"),
            (
                bytes.get(name_at.clone()) == Some(&bytes[local.name.clone()]),
                "nom différent",
            ),
            (
                central(4, 2) == MADE_BY_UNIX | version,
                "version non standard",
            ),
            (local.field(bytes, 4, 2) == version, "version non standard"),
            (local.field(bytes, 6, 2) == flags, "drapeaux non standard"),
            (
                matches!(method, 0 | 8),
                "méthode de compression non standard",
            ),
            (
                central(30, 4) == 0 && central(34, 4) == 0,
                "champs centraux non vides",
            ),
            (
                central(38, 4) == EXTERNAL_ATTRIBUTES,
                "attributs non standard",
            ),
            (
                central(42, 4) as usize == local.offset,
                "position de l'en-tête local erronée",
            ),
            (seen.insert(name.clone()), "nom en double"),
        ];
        if let Some((_, what)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(corrupted(format!("« {name} »"), what));
        }
        at = name_at.end;
        out.push((name, local));
    }
    ensure(at == end, || {
        corrupted("répertoire central", "taille erronée")
    })?;
    Ok(out)
}

/// Content of entry `i`, CRC-32 and size checked.
fn read_entry(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    name: &str,
    size: u32,
) -> Result<Vec<u8>, ArchiveError> {
    let bad = |detail: String| corrupted(format!("« {name} »"), &detail);
    let mut file = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
    let mut content = Vec::with_capacity((size as usize).min(1 << 26));
    file.read_to_end(&mut content)
        .map_err(|e| bad(format!("contenu illisible ou CRC-32 incorrect ({e})")))?;
    let order_ok = file.name_raw() == name.as_bytes();
    ensure(order_ok && content.len() == size as usize, || {
        bad("entrée incohérente".into())
    })?;
    Ok(content)
}

/// Parses `MANIFEST.sha256`: `<64 hex>  <path>\n` per line, nothing else.
fn parse_listing(bytes: &[u8]) -> Result<Vec<(String, String)>, ArchiveError> {
    let invalid = |detail: String| ArchiveError::ManifestInvalid {
        name: MANIFEST_NAME.into(),
        detail,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("texte non UTF-8".into()))?;
    let body = text
        .strip_suffix('\n')
        .ok_or_else(|| invalid("fin de ligne finale absente".into()))?;
    let hex = |h: &str| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let parse = |(i, line): (usize, &str)| match line.split_once("  ") {
        Some((hash, path)) if hex(hash) && !path.is_empty() => Ok((hash.into(), path.into())),
        _ => Err(invalid(format!("ligne {} mal formée : « {line} »", i + 1))),
    };
    body.split('\n').enumerate().map(parse).collect()
}

/// Verifies an archive in memory. Fails, naming the file at fault, when the bytes are not a ZIP,
/// the layout or a CRC-32 is wrong, a manifest is missing or unreadable, a listed file is missing,
/// a hash differs, a file is not listed, or `manifeste.json` disagrees with `MANIFEST.sha256`.
pub fn verify(bytes: &[u8]) -> Result<Report, ArchiveError> {
    verify_with_key(bytes, None)
}

/// [`verify`], the signature's key also compared with the groupement's public key `trusted`.
pub fn verify_with_key(
    bytes: &[u8],
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<Report, ArchiveError> {
    let layout = parse_layout(bytes)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let mut digests = Vec::with_capacity(layout.len());
    let mut manifests = HashMap::new();
    for (i, (name, local)) in layout.iter().enumerate() {
        let content = read_entry(&mut zip, i, name, local.field(bytes, 22, 4))?;
        digests.push((sha256_hex(&content), content.len() as u64));
        if name == MANIFEST_NAME || name == MANIFEST_JSON_NAME || name == SIGNATURE_NAME {
            if local.field(bytes, 8, 2) != 0 {
                let detail = "il doit être stocké sans compression".into();
                return Err(ArchiveError::ManifestInvalid {
                    name: name.clone(),
                    detail,
                });
            }
            manifests.insert(name.as_str(), content);
        }
    }
    let missing = |name: &str| ArchiveError::ManifestMissing(name.into());
    let get = |name: &str| manifests.get(name).ok_or_else(|| missing(name));
    let listing_bytes = get(MANIFEST_NAME)?;
    let listing = parse_listing(listing_bytes)?;
    let manifest: Manifest = serde_json::from_slice(get(MANIFEST_JSON_NAME)?).map_err(|e| {
        ArchiveError::ManifestInvalid {
            name: MANIFEST_JSON_NAME.into(),
            detail: e.to_string(),
        }
    })?;
    let disagree = |d: String| Err(ArchiveError::ManifestDisagreement(d));
    let (format, claimed) = (&manifest.format, &manifest.manifest_sha256);
    let manifest_sha256 = sha256_hex(listing_bytes);
    let (n_json, n_listing) = (manifest.files.len(), listing.len());
    if format != FORMAT {
        return disagree(format!("format « {format} » inconnu"));
    } else if *claimed != manifest_sha256 {
        return disagree(format!(
            "manifest_sha256 vaut {claimed}, calculé {manifest_sha256}"
        ));
    } else if n_json != n_listing {
        return disagree(format!("{n_json} fichiers contre {n_listing}"));
    }
    let index: HashMap<&str, usize> = (layout.iter().enumerate())
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    let mut total_bytes = 0u64;
    let mut listed = HashSet::new();
    for ((hash, path), file) in listing.iter().zip(&manifest.files) {
        if file.path != *path {
            return disagree(format!("« {} » au lieu de « {path} »", file.path));
        } else if file.sha256 != *hash {
            return disagree(format!("empreinte de « {path} » différente"));
        } else if !listed.insert(path.as_str()) {
            return disagree(format!("« {path} » listé deux fois"));
        }
        let i = *index
            .get(path.as_str())
            .ok_or_else(|| ArchiveError::MissingFile(path.clone()))?;
        let ((actual, size), local) = (&digests[i], &layout[i].1);
        if actual != hash {
            let (path, expected, actual) = (path.clone(), hash.clone(), actual.clone());
            return Err(ArchiveError::HashMismatch {
                path,
                expected,
                actual,
            });
        } else if file.size != *size {
            return disagree(format!("taille de « {path} » erronée"));
        }
        let raw_ok = sha256_hex(&bytes[local.data.clone()]) == file.compressed_sha256;
        let date = from_dos(
            local.field(bytes, 12, 2) as u16,
            local.field(bytes, 10, 2) as u16,
        );
        for (ok, what) in [
            (raw_ok, "données modifiées"),
            (date == Some(file.modified), "date"),
        ] {
            ensure(ok, || corrupted(format!("« {path} »"), what))?;
        }
        total_bytes += size;
    }
    let reserved = |n: &str| n == MANIFEST_NAME || n == MANIFEST_JSON_NAME || n == SIGNATURE_NAME;
    let unlisted = layout
        .iter()
        .find(|(n, _)| !reserved(n) && !listed.contains(n.as_str()));
    if let Some((name, _)) = unlisted {
        return Err(ArchiveError::UnlistedFile(name.clone()));
    }
    let signature = manifests
        .get(SIGNATURE_NAME)
        .ok_or(ArchiveError::SignatureMissing)?;
    let json_bytes = get(MANIFEST_JSON_NAME)?;
    let key = crate::archive::signature::check(signature, listing_bytes, json_bytes, trusted)?;
    Ok(Report {
        files: listing.len(),
        total_bytes,
        manifest_sha256,
        reference: manifest.meta.consultation_reference,
        signing_key: crate::archive::signature::key_label(&key),
        key_trusted: trusted.is_some(),
    })
}

/// Reads `path` and verifies it: what `coordo archive verify FICHIER` calls.
pub fn verify_file(
    path: &Path,
    trusted: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<Report, ArchiveError> {
    let bytes = std::fs::read(path).map_err(|e| ArchiveError::Read {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    verify_with_key(&bytes, trusted)
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
