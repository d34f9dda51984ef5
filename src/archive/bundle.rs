//! Builds the deterministic, self-verifying ZIP of one consultation.
//!
//! Convention art. 5.4 (the coordonnateur keeps and archives every piece) and R2184-12/13
//! (conservation): the same inputs always give the same bytes, so two exports can be compared by
//! their SHA-256, and every byte of the result is covered by a check in [`crate::archive::verify`].

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use chrono_tz::Europe::Paris;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::archive::verify::walk_local_headers;
use crate::archive::{
    ArchiveError, ArchiveMeta, Entry, FORMAT, MANIFEST_JSON_NAME, MANIFEST_NAME, Manifest,
    ManifestFile, README_NAME, from_dos, sha256_hex, to_dos, validate_entries,
};

/// Deflate level of every compressed entry (fixed: the output must not depend on defaults).
pub const DEFLATE_LEVEL: i64 = 6;
/// Unix mode of every entry (`rw-r--r--`).
pub const UNIX_MODE: u32 = 0o644;

/// A built archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub bytes: Vec<u8>,
    /// SHA-256 of the whole ZIP, lowercase hex.
    pub sha256: String,
    /// Files listed in `MANIFEST.sha256`: the entries plus `LISEZMOI.txt`.
    pub files: usize,
}

/// The fixed options of every entry: system Unix, mode 0644, no extra field, no comment.
pub(crate) fn file_options(stored: bool, date: u16, time: u16) -> SimpleFileOptions {
    let dt = zip::DateTime::try_from_msdos(date, time).unwrap_or_default();
    let options = SimpleFileOptions::default()
        .system(zip::System::Unix)
        .unix_permissions(UNIX_MODE)
        .last_modified_time(dt);
    if stored {
        options.compression_method(CompressionMethod::Stored)
    } else {
        options
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(DEFLATE_LEVEL))
    }
}

fn write_err(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Write(e.to_string())
}

/// Builds the archive: `LISEZMOI.txt`, then the entries sorted by path (deflated, stamped with
/// their `modified` time or else with `generated_at` in Europe/Paris time), then
/// `MANIFEST.sha256` and `manifeste.json` (stored uncompressed).
/// Fails on invalid paths (see [`validate_entries`]), an empty list, a date outside 1980–2107
/// or an archive over 4 GiB (ZIP64 is not produced, so that [`crate::archive::verify`] stays
/// strict).
pub fn build(
    meta: &ArchiveMeta,
    entries: &[Entry],
    key: &ed25519_dalek::SigningKey,
) -> Result<Built, ArchiveError> {
    validate_entries(entries)?;
    let generated = meta.generated_at.with_timezone(&Paris).naive_local();
    let (gen_date, gen_time) = to_dos(generated).ok_or_else(|| ArchiveError::DateOutOfRange {
        path: README_NAME.to_string(),
        date: generated,
    })?;
    let count = entries.len() + 3;
    if count > usize::from(u16::MAX) {
        return Err(ArchiveError::TooLarge(format!("{count} fichiers")));
    }
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));

    let readme = readme_text(meta, entries);
    // (path, content, dos date, dos time) in archive order.
    let mut files: Vec<(&str, &[u8], u16, u16)> =
        vec![(README_NAME, readme.as_bytes(), gen_date, gen_time)];
    for entry in &sorted {
        let (date, time) = match entry.modified {
            None => (gen_date, gen_time),
            Some(t) => to_dos(t).ok_or_else(|| ArchiveError::DateOutOfRange {
                path: entry.path.clone(),
                date: t,
            })?,
        };
        files.push((&entry.path, &entry.bytes, date, time));
    }

    let mut listing = String::new();
    for (path, bytes, _, _) in &files {
        listing.push_str(&format!("{}  {path}\n", sha256_hex(bytes)));
    }
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes, date, time) in &files {
        zip.start_file(*path, file_options(false, *date, *time))
            .map_err(write_err)?;
        zip.write_all(bytes).map_err(write_err)?;
    }
    zip.start_file(MANIFEST_NAME, file_options(true, gen_date, gen_time))
        .map_err(write_err)?;
    zip.write_all(listing.as_bytes()).map_err(write_err)?;
    // Starting the last entry finalises the headers of all previous ones: their compressed bytes
    // can now be hashed from the buffer.
    zip.start_file(MANIFEST_JSON_NAME, file_options(true, gen_date, gen_time))
        .map_err(write_err)?;
    let written = zip
        .get_ref()
        .ok_or_else(|| write_err("tampon indisponible"))?;
    let locals = walk_local_headers(written.get_ref(), files.len())?;
    let manifest = Manifest {
        format: FORMAT.to_string(),
        meta: meta.clone(),
        files: files
            .iter()
            .zip(&locals)
            .map(|((path, bytes, date, time), local)| ManifestFile {
                path: path.to_string(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
                compressed_sha256: sha256_hex(&written.get_ref()[local.data.clone()]),
                modified: from_dos(*date, *time).unwrap_or(generated),
            })
            .collect(),
        manifest_sha256: sha256_hex(listing.as_bytes()),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(write_err)?;
    zip.write_all(&json).map_err(write_err)?;
    // The groupement's signature of both manifests, last.
    zip.start_file(
        crate::archive::signature::SIGNATURE_NAME,
        file_options(true, gen_date, gen_time),
    )
    .map_err(write_err)?;
    let signed = crate::archive::signature::signature_text(key, listing.as_bytes(), &json);
    zip.write_all(signed.as_bytes()).map_err(write_err)?;
    let bytes = zip.finish().map_err(write_err)?.into_inner();
    if bytes.len() as u64 > u64::from(u32::MAX) {
        return Err(ArchiveError::TooLarge(format!("{} octets", bytes.len())));
    }
    Ok(Built {
        sha256: sha256_hex(&bytes),
        files: files.len(),
        bytes,
    })
}

/// What each usual top-level folder holds (convention art. 5.4 and 6.2).
fn folder_label(folder: &str) -> &'static str {
    match folder {
        "pieces" => "pièces du marché (DCE), toutes versions",
        "visas" => "visas des membres sur chaque version des pièces",
        "cao" => "commission d'appel d'offres : convocations, présences, procès-verbaux",
        "analyse" => "analyse des candidatures et des offres",
        "lettres" => "courriers (NOTI1, NOTI3, NOTI5…)",
        "actes_signes" => {
            "actes d'engagement signés déposés (celui notifié est le dernier de chaque attribution)"
        }
        "emails" => "courriels échangés, au format .eml",
        "journal" => "journal horodaté des actions (journal.json)",
        _ => "autres documents",
    }
}

/// The French notice placed at the root of the archive.
fn readme_text(meta: &ArchiveMeta, entries: &[Entry]) -> String {
    let at = meta.generated_at.with_timezone(&Paris);
    let folders: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.path.split_once('/').map(|(f, _)| f))
        .collect();
    let mut text = format!(
        "ARCHIVE DE LA CONSULTATION {}\n\
         Objet : {}\n\
         Groupement de commandes : {}\n\
         Constituée le {} (heure de Paris) par {}.\n\n\
         Le coordonnateur conserve et archive toutes les pièces de la consultation\n\
         (convention constitutive du groupement, article 5.4 ; code de la commande\n\
         publique, articles R2184-12 et R2184-13).\n\n\
         Contenu : {}, plus ce fichier et les deux manifestes.\n",
        meta.consultation_reference,
        meta.consultation_objet,
        meta.groupement_name,
        at.format("%d/%m/%Y à %H:%M:%S"),
        meta.generated_by,
        match entries.len() {
            1 => "1 fichier archivé".to_string(),
            n => format!("{n} fichiers archivés"),
        },
    );
    for folder in folders {
        text.push_str(&format!(
            "  {:<18}{}\n",
            format!("{folder}/"),
            folder_label(folder)
        ));
    }
    text.push_str(&format!(
        "  {MANIFEST_NAME:<18}empreinte SHA-256 de chaque fichier\n\
         \x20 {MANIFEST_JSON_NAME:<18}mêmes empreintes, avec tailles, dates et références, en JSON\n\
         \x20 {SIG:<18}signature Ed25519 des deux manifestes par la clé du groupement\n\n\
         VÉRIFIER L'INTÉGRITÉ\n\
         Avec Coordo, sans décompresser :\n\
         \x20 coordo archive verify FICHIER.zip\n\
         Ou, après décompression, depuis le dossier qui contient ce fichier :\n\
         \x20 sha256sum -c {MANIFEST_NAME}\n\
         Chaque ligne doit se terminer par « OK ». La modification d'un seul octet de\n\
         l'archive, même hors des fichiers, est détectée par la première méthode.\n\
         Une archive dont fichiers et manifestes auraient été réécrits ensemble n'est plus\n\
         signée par la clé du groupement : donnez sa clé publique (affichée au démarrage\n\
         du service et par « coordo archive cle ») à la vérification :\n\
         \x20 coordo archive verify FICHIER.zip --cle ed25519:…\n",
        SIG = crate::archive::signature::SIGNATURE_NAME
    ));
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::archive::verify::verify;
    use chrono::{NaiveDate, NaiveDateTime};
    use proptest::prelude::*;
    use std::io::Read;

    /// The signing key of the tests (fixed seed).
    pub(crate) fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[42u8; 32])
    }

    pub(crate) fn meta() -> ArchiveMeta {
        ArchiveMeta {
            consultation_reference: "2026-AMOA-01".into(),
            consultation_objet: "Assistance à maîtrise d'ouvrage DUI".into(),
            groupement_name: "Groupement des CCAS du Nord".into(),
            generated_at: "2026-03-02T09:30:00Z".parse().unwrap(),
            generated_by: "Claire Martin".into(),
        }
    }

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, mi, s))
            .unwrap()
    }

    pub(crate) fn entries() -> Vec<Entry> {
        let e = |path: &str, bytes: &[u8], modified| Entry {
            path: path.into(),
            bytes: bytes.to_vec(),
            modified,
        };
        vec![
            e(
                "pieces/RC/v2-règlement.docx",
                &[7u8; 3000],
                Some(at(2026, 1, 5, 14, 3, 7)),
            ),
            e("emails/visa-ccas-nord.eml", b"hello", None),
            e("journal/journal.json", br#"[{"action":"visa"}]"#, None),
            e(
                "cao/pv-seance-1.pdf",
                b"%PDF-1.7 pv",
                Some(at(2026, 2, 10, 9, 0, 0)),
            ),
        ]
    }

    /// (name, content, date-time) of every ZIP entry, in archive order.
    pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>, NaiveDateTime)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut content = Vec::new();
                f.read_to_end(&mut content).unwrap();
                let t = f.last_modified().unwrap();
                (
                    f.name().unwrap().to_string(),
                    content,
                    from_dos(t.datepart(), t.timepart()).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn round_trip_contents_order_and_dates() {
        let built = build(&meta(), &entries(), &key()).unwrap();
        assert_eq!(built.files, 5);
        assert_eq!(built.sha256, sha256_hex(&built.bytes));
        let files = unzip(&built.bytes);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "LISEZMOI.txt",
                "cao/pv-seance-1.pdf",
                "emails/visa-ccas-nord.eml",
                "journal/journal.json",
                "pieces/RC/v2-règlement.docx",
                "MANIFEST.sha256",
                "manifeste.json",
                "SIGNATURE.ed25519"
            ]
        );
        assert_eq!(files[4].1, vec![7u8; 3000]);
        assert_eq!(files[2].1, b"hello");
        // 14:03:07 is stored as 14:03:06 (two-second resolution); no date: 09:30 UTC = 10:30 Paris.
        assert_eq!(files[4].2, at(2026, 1, 5, 14, 3, 6));
        assert_eq!(files[2].2, at(2026, 3, 2, 10, 30, 0));
        assert_eq!(files[6].2, at(2026, 3, 2, 10, 30, 0));
        let report = verify(&built.bytes).unwrap();
        assert_eq!(report.files, 5);
        assert_eq!(
            report.total_bytes,
            3000 + 5 + 19 + 11 + files[0].1.len() as u64
        );
        assert_eq!(report.reference, "2026-AMOA-01");
        assert_eq!(report.manifest_sha256, sha256_hex(&files[5].1));
        let manifest: Manifest = serde_json::from_slice(&files[6].1).unwrap();
        assert_eq!(manifest.meta, meta());
        assert_eq!(manifest.files[4].modified, at(2026, 1, 5, 14, 3, 6));
        assert_eq!(manifest.files[4].size, 3000);
    }

    #[test]
    fn summer_time_default_date() {
        let mut m = meta();
        m.generated_at = "2026-07-14T08:00:01Z".parse().unwrap();
        let files = unzip(&build(&m, &entries(), &key()).unwrap().bytes);
        assert_eq!(files[2].2, at(2026, 7, 14, 10, 0, 0));
    }

    #[test]
    fn deterministic_bytes() {
        let a = build(&meta(), &entries(), &key()).unwrap();
        let mut shuffled = entries();
        shuffled.reverse();
        let b = build(&meta(), &shuffled, &key()).unwrap();
        assert_eq!(a, b);
        let mut later = meta();
        later.generated_at = "2026-03-02T09:30:02Z".parse().unwrap();
        assert_ne!(build(&later, &entries(), &key()).unwrap().sha256, a.sha256);
    }

    #[test]
    fn manifest_is_sha256sum_compatible() {
        let files = unzip(&build(&meta(), &entries(), &key()).unwrap().bytes);
        let listing = String::from_utf8(files[5].1.clone()).unwrap();
        // sha256("hello"), computed with `printf hello | sha256sum`.
        let hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        let mut expected = format!("{}  LISEZMOI.txt\n", sha256_hex(&files[0].1));
        for (name, content, _) in &files[1..5] {
            expected += &format!("{}  {name}\n", sha256_hex(content));
        }
        assert_eq!(listing, expected);
        assert!(listing.contains(&format!("\n{hello}  emails/visa-ccas-nord.eml\n")));
    }

    #[test]
    fn readme_in_french_explains_verification() {
        let files = unzip(&build(&meta(), &entries(), &key()).unwrap().bytes);
        let readme = String::from_utf8(files[0].1.clone()).unwrap();
        for needle in [
            "ARCHIVE DE LA CONSULTATION 2026-AMOA-01\nObjet : Assistance à maîtrise d'ouvrage DUI\n",
            "Constituée le 02/03/2026 à 10:30:00 (heure de Paris) par Claire Martin.",
            "Contenu : 4 fichiers archivés",
            "\n  cao/              commission d'appel d'offres",
            "coordo archive verify FICHIER.zip",
            "sha256sum -c MANIFEST.sha256",
        ] {
            assert!(readme.contains(needle), "{needle} absent de :\n{readme}");
        }
        assert!(!readme.contains("analyse/"), "dossier absent non listé");
    }

    #[test]
    fn refusals() {
        assert_eq!(build(&meta(), &[], &key()), Err(ArchiveError::Empty));
        let mut bad = entries();
        bad[1].path = "emails/../../etc/passwd".into();
        assert!(matches!(
            build(&meta(), &bad, &key()),
            Err(ArchiveError::InvalidPath { .. })
        ));
        let mut old = entries();
        old[0].modified = Some(at(1979, 12, 31, 23, 0, 0));
        let err = build(&meta(), &old, &key()).unwrap_err().to_string();
        let expected =
            "Date de modification 1979-12-31 23:00:00 hors de la plage ZIP (1980 à 2107)";
        assert_eq!(
            err,
            format!("{expected} pour « pieces/RC/v2-règlement.docx ».")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_valid_set_round_trips(files in proptest::collection::btree_map(
            "[a-zé]{1,6}(/[a-z0-9 ._-]{0,4}[a-z])?",
            proptest::collection::vec(any::<u8>(), 0..400),
            1..6,
        )) {
            let entry = |(path, bytes): (&String, &Vec<u8>)| {
                Entry { path: path.clone(), bytes: bytes.clone(), modified: None }
            };
            let list: Vec<Entry> = files.iter().map(entry).collect();
            match build(&meta(), &list, &key()) {
                Ok(built) => {
                    let report = verify(&built.bytes).unwrap();
                    prop_assert_eq!(report.files, list.len() + 1);
                    prop_assert_eq!(build(&meta(), &list, &key()).unwrap().bytes, built.bytes);
                }
                // e.g. "a" and "a/b", or a segment "..": refused with a French message.
                Err(e) => prop_assert!(e.to_string().contains("hemin"), "{}", e),
            }
        }
    }
}
