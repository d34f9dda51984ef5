//! Per-consultation archive: every piece the coordonnateur keeps, in one verifiable ZIP.
//!
//! Convention art. 5.4 and 6.2: the coordonnateur "conserve et archive les pièces des marchés".
//! Code de la commande publique R2184-12 (procedure documents, 5 years from signature) and
//! R2184-13 (pièces constitutives, 5 or 10 years from the end of execution): the archive must stay
//! readable and provably unaltered for years, hence a deterministic ZIP that carries its own
//! SHA-256 manifest (`sha256sum -c` compatible) and a strict verifier.

pub mod bundle;
pub mod collect;
pub mod handlers;
pub mod journal;
pub mod service;
pub mod signature;
pub mod verify;

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// sha256sum-compatible manifest (`<hex>  <path>` per line).
pub const MANIFEST_NAME: &str = "MANIFEST.sha256";
/// Structured manifest: metadata, per-file sizes, hashes and dates.
pub const MANIFEST_JSON_NAME: &str = "manifeste.json";
/// Human-readable notice in French.
pub const README_NAME: &str = "LISEZMOI.txt";
/// Names the archive itself writes at its root; an [`Entry`] may not use them.
pub const RESERVED_NAMES: [&str; 4] = [
    MANIFEST_NAME,
    MANIFEST_JSON_NAME,
    README_NAME,
    signature::SIGNATURE_NAME,
];
/// Version tag written in `manifeste.json`.
pub const FORMAT: &str = "coordo-archive/1";
/// Longest accepted entry path, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// One file to archive, e.g. `pieces/RC/v1-reglement.docx`, `emails/2026-01-05-visa.eml`,
/// `journal/journal.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub bytes: Vec<u8>,
    /// Wall-clock time written in the ZIP (ZIP stores local times: pass Europe/Paris time).
    /// `None`: the archive's generation time (Europe/Paris) is used.
    pub modified: Option<NaiveDateTime>,
}

/// Who archived which consultation, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ArchiveMeta {
    pub consultation_reference: String,
    pub consultation_objet: String,
    pub groupement_name: String,
    pub generated_at: DateTime<Utc>,
    pub generated_by: String,
}

/// Content of `manifeste.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    pub meta: ArchiveMeta,
    /// Same files, same order as the lines of `MANIFEST.sha256`.
    pub files: Vec<ManifestFile>,
    /// SHA-256 of the bytes of `MANIFEST.sha256`.
    pub manifest_sha256: String,
}

/// One file as recorded in `manifeste.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ManifestFile {
    pub path: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// SHA-256 of the content (what `sha256sum` computes after unzip).
    pub sha256: String,
    /// SHA-256 of the compressed bytes as stored in the ZIP: covers the bits a deflate decoder
    /// ignores, so that no byte of the archive escapes verification.
    pub compressed_sha256: String,
    /// Timestamp as stored in the ZIP (two-second resolution).
    pub modified: NaiveDateTime,
}

/// Errors of the archive module, in French for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("Chemin de fichier invalide « {path} » : {reason}.")]
    InvalidPath { path: String, reason: String },
    #[error("Le chemin « {0} » figure plusieurs fois dans l'archive (casse ignorée).")]
    DuplicatePath(String),
    #[error("Le chemin « {file} » est à la fois un fichier et le dossier de « {other} ».")]
    PathConflict { file: String, other: String },
    #[error("Le nom « {0} » est réservé aux manifestes de l'archive ; renommez ce fichier.")]
    ReservedPath(String),
    #[error("Archive vide refusée : aucune pièce à archiver pour cette consultation.")]
    Empty,
    #[error("Date de modification {date} hors de la plage ZIP (1980 à 2107) pour « {path} ».")]
    DateOutOfRange { path: String, date: NaiveDateTime },
    #[error("Archive trop volumineuse : {0} (sans ZIP64 : 4 Gio et 65 535 fichiers au plus).")]
    TooLarge(String),
    #[error("Erreur à l'écriture de l'archive ZIP : {0}.")]
    Write(String),
    #[error("Impossible de lire le fichier {path} : {detail}.")]
    Read { path: String, detail: String },
    #[error("Ce fichier n'est pas une archive ZIP lisible : {0}.")]
    NotZip(String),
    #[error("Archive corrompue ({location}) : {detail}.")]
    Corrupted { location: String, detail: String },
    #[error("Le manifeste « {0} » est absent de l'archive.")]
    ManifestMissing(String),
    #[error("Le manifeste « {name} » est illisible : {detail}.")]
    ManifestInvalid { name: String, detail: String },
    #[error("Le fichier « {0} », listé dans MANIFEST.sha256, est absent de l'archive.")]
    MissingFile(String),
    #[error(
        "Empreinte SHA-256 incorrecte pour « {path} » : attendue {expected}, calculée {actual}."
    )]
    HashMismatch {
        path: String,
        expected: String,
        actual: String,
    },
    #[error("Le fichier « {0} » est présent dans l'archive mais absent de MANIFEST.sha256.")]
    UnlistedFile(String),
    #[error("manifeste.json ne concorde pas avec MANIFEST.sha256 : {0}.")]
    ManifestDisagreement(String),
    #[error(
        "Signature absente : l'archive n'est pas signée par la clé du groupement (SIGNATURE.ed25519), elle a pu être reconstituée."
    )]
    SignatureMissing,
    #[error("Signature Ed25519 invalide : {0}.")]
    SignatureInvalid(String),
    #[error(
        "Archive signée par la clé {found}, qui n'est pas celle du groupement ({expected}) : archive reconstituée ou d'une autre origine."
    )]
    UntrustedKey { found: String, expected: String },
}

/// Lowercase hexadecimal SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks one entry path: relative, `/`-separated, no empty, `.` or `..` segment, no backslash,
/// no control character nor character forbidden in Windows file names, not a reserved name.
/// The archive must unzip safely on the members' machines (convention art. 6.2: pieces are sent
/// to every member).
pub fn validate_path(path: &str) -> Result<(), ArchiveError> {
    let bad = |reason: &str| ArchiveError::InvalidPath {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    if path.is_empty() {
        return Err(bad("chemin vide"));
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(bad(&format!("plus de {MAX_PATH_BYTES} octets")));
    }
    if path.starts_with('/') {
        return Err(bad("le chemin doit être relatif (il commence par « / »)"));
    }
    if path.contains('\\') {
        return Err(bad(
            "barre oblique inverse « \\ » interdite, utilisez « / »",
        ));
    }
    if path.chars().any(char::is_control) {
        return Err(bad(
            "caractère de contrôle (retour à la ligne, tabulation…) interdit",
        ));
    }
    if let Some(c) = path.chars().find(|c| "<>:\"|?*".contains(*c)) {
        return Err(bad(&format!(
            "caractère « {c} » interdit dans un nom de fichier"
        )));
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err(bad("segment vide (« // » ou « / » final)")),
            "." | ".." => return Err(bad(&format!("segment « {segment} » interdit"))),
            _ => {}
        }
    }
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(path)) {
        return Err(ArchiveError::ReservedPath(path.to_string()));
    }
    Ok(())
}

/// Validates a whole set of entries: each path (see [`validate_path`]), no duplicate even by case
/// (the members' systems are often case-insensitive), no file that is also a folder of another,
/// and at least one entry (an empty archive proves nothing, R2184-12).
pub fn validate_entries(entries: &[Entry]) -> Result<(), ArchiveError> {
    if entries.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let mut seen = HashSet::new();
    let mut folders = BTreeSet::new();
    for entry in entries {
        validate_path(&entry.path)?;
        if !seen.insert(entry.path.to_lowercase()) {
            return Err(ArchiveError::DuplicatePath(entry.path.clone()));
        }
        let mut end = 0;
        while let Some(pos) = entry.path[end..].find('/') {
            end += pos;
            folders.insert((entry.path[..end].to_lowercase(), entry.path.clone()));
            end += 1;
        }
    }
    for (folder, other) in &folders {
        if seen.contains(folder) {
            let file = entries.iter().find(|e| &e.path.to_lowercase() == folder);
            return Err(ArchiveError::PathConflict {
                file: file.map_or_else(|| folder.clone(), |e| e.path.clone()),
                other: other.clone(),
            });
        }
    }
    Ok(())
}

/// Converts a wall-clock time to the MS-DOS date/time pair stored in ZIP headers
/// (seconds rounded down to even). `None` outside 1980–2107.
pub fn to_dos(t: NaiveDateTime) -> Option<(u16, u16)> {
    use chrono::{Datelike, Timelike};
    let year = u16::try_from(t.year()).ok()?;
    let dt = zip::DateTime::from_date_and_time(
        year,
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
        u8::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        u8::try_from(t.second()).ok()?,
    )
    .ok()?;
    Some((dt.datepart(), dt.timepart()))
}

/// Converts an MS-DOS date/time pair back; `None` when it is not a real date.
pub fn from_dos(date: u16, time: u16) -> Option<NaiveDateTime> {
    let day = NaiveDate::from_ymd_opt(
        1980 + i32::from(date >> 9),
        u32::from((date >> 5) & 0x0f),
        u32::from(date & 0x1f),
    )?;
    day.and_hms_opt(
        u32::from(time >> 11),
        u32::from((time >> 5) & 0x3f),
        u32::from(time & 0x1f) * 2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            path: path.to_string(),
            bytes: b"x".to_vec(),
            modified: None,
        }
    }

    fn reason(path: &str) -> String {
        match validate_path(path) {
            Err(ArchiveError::InvalidPath { reason, .. }) => reason,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn accepts_ordinary_paths() {
        for p in [
            "pieces/RC/v1-règlement.docx",
            "visas/2026-01-05 CCAS Nord.eml",
            "journal/journal.json",
            "LISEZMOI.txt.bak",
            "pieces/LISEZMOI.txt",
        ] {
            assert_eq!(validate_path(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn rejects_bad_paths_in_french() {
        assert_eq!(reason(""), "chemin vide");
        assert!(reason("/etc/passwd").contains("relatif"));
        assert!(reason("pieces\\RC.docx").contains("barre oblique inverse"));
        assert_eq!(reason("pieces/../x"), "segment « .. » interdit");
        assert_eq!(reason("./x"), "segment « . » interdit");
        assert!(reason("pieces//x").contains("segment vide"));
        assert!(reason("pieces/").contains("segment vide"));
        assert!(reason("a\nb").contains("contrôle"));
        assert!(reason("C:/x").contains("« : »"));
        assert!(reason(&"a".repeat(MAX_PATH_BYTES + 1)).contains("1024"));
        assert_eq!(validate_path(&"a".repeat(MAX_PATH_BYTES)), Ok(()));
        let msg = validate_path("..").unwrap_err().to_string();
        assert_eq!(
            msg,
            "Chemin de fichier invalide « .. » : segment « .. » interdit."
        );
    }

    #[test]
    fn rejects_reserved_names_any_case() {
        for p in [
            "MANIFEST.sha256",
            "manifest.SHA256",
            "manifeste.json",
            "lisezmoi.txt",
        ] {
            assert_eq!(validate_path(p), Err(ArchiveError::ReservedPath(p.into())));
        }
    }

    #[test]
    fn set_rules() {
        assert_eq!(validate_entries(&[]), Err(ArchiveError::Empty));
        let dup = [entry("pieces/RC.docx"), entry("pieces/rc.DOCX")];
        assert_eq!(
            validate_entries(&dup),
            Err(ArchiveError::DuplicatePath("pieces/rc.DOCX".into()))
        );
        let conflict = [entry("cao/pv/a.pdf"), entry("cao/PV")];
        assert_eq!(
            validate_entries(&conflict),
            Err(ArchiveError::PathConflict {
                file: "cao/PV".into(),
                other: "cao/pv/a.pdf".into()
            })
        );
        assert_eq!(validate_entries(&[entry("a/b"), entry("a/c/d")]), Ok(()));
    }

    #[test]
    fn dos_time_round_trip() {
        let t = NaiveDate::from_ymd_opt(2026, 3, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .unwrap();
        let (d, tm) = to_dos(t).unwrap();
        assert_eq!(from_dos(d, tm), Some(t - chrono::Duration::seconds(1)));
        let old = NaiveDate::from_ymd_opt(1979, 12, 31)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        assert_eq!(to_dos(old), None);
        assert_eq!(from_dos(0, 0), None); // month 0 does not exist
    }
}
