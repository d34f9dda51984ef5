//! The list of the candidates admitted in the SAD's category, as the central purchasing body's
//! platform exports it (Maximilien for the Resah's SAD): a table of cell texts
//! ([`crate::table_file`]) in, the admitted candidates or French errors per line and column
//! out. Pure.
//!
//! The first line holds the headers; these names are recognised (case, accents and spaces
//! ignored): raison sociale — « Raison sociale », « Entreprise », « Candidat », « Éditeur »,
//! « Dénomination », « Opérateur économique »; SIRET — « SIRET », « N° SIRET »; courriel —
//! « Courriel », « Email », « E-mail », « Adresse électronique ». Every admitted candidate is
//! invited to tender (R2162-48 and following), so each line needs all three.

use crate::identifiers::Siret;
use crate::table_file::column;
use std::collections::HashSet;

/// One admitted candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    /// Line in the file (headers on line 1).
    pub line: usize,
    pub name: String,
    pub siret: String,
    pub email: String,
}

const NAME: &[&str] = &[
    "raison sociale",
    "entreprise",
    "candidat",
    "candidat admis",
    "editeur",
    "denomination",
    "denomination sociale",
    "operateur economique",
    "societe",
];
const SIRET: &[&str] = &["siret", "no siret", "n siret", "numero siret"];
const EMAIL: &[&str] = &[
    "courriel",
    "email",
    "e-mail",
    "mail",
    "adresse electronique",
    "adresse e-mail",
];

/// Reads the admitted candidates; all errors at once, each with its line and column.
///
/// # Errors
/// The French messages: a missing column, an empty or invalid value, a SIRET twice.
pub fn parse(table: &[Vec<String>]) -> Result<Vec<Admitted>, Vec<String>> {
    let Some(header) = table.first() else {
        return Err(vec!["Le fichier est vide : la première ligne doit donner les en-têtes (Raison sociale ; SIRET ; Courriel).".into()]);
    };
    let cols = [
        ("Raison sociale", column(header, NAME)),
        ("SIRET", column(header, SIRET)),
        ("Courriel", column(header, EMAIL)),
    ];
    let missing: Vec<String> = cols
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(l, _)| format!("Colonne « {l} » introuvable sur la ligne 1 : les en-têtes reconnus sont Raison sociale (ou Entreprise, Candidat, Éditeur), SIRET et Courriel (ou Email)."))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let [(_, Some(n)), (_, Some(s)), (_, Some(e))] = cols else {
        return Err(vec!["colonnes introuvables".into()]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        let cell = |c: usize| row.get(c).map_or("", |v| v.trim());
        if row.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let name = cell(n);
        if name.is_empty() {
            errors.push(format!(
                "Ligne {line}, colonne « Raison sociale » : valeur manquante."
            ));
        } else if name.chars().count() > 200 || name.chars().any(char::is_control) {
            errors.push(format!("Ligne {line}, colonne « Raison sociale » : 200 caractères au plus, sans caractère de contrôle."));
        }
        let siret = match Siret::parse_field("siret", cell(s)) {
            Ok(v) => Some(v.as_str().to_owned()),
            Err(err) => {
                errors.push(format!("Ligne {line}, colonne « SIRET » : {err}"));
                None
            }
        };
        let email = cell(e);
        if email.parse::<lettre::Address>().is_err() {
            errors.push(format!(
                "Ligne {line}, colonne « Courriel » : « {email} » n'est pas une adresse électronique ; l'invitation à soumissionner lui est envoyée par courriel."
            ));
        }
        if let Some(siret) = siret {
            if !seen.insert(siret.clone()) {
                errors.push(format!("Ligne {line}, colonne « SIRET » : le SIRET {siret} figure déjà plus haut dans le fichier."));
            }
            out.push(Admitted {
                line,
                name: name.to_owned(),
                siret,
                email: email.to_owned(),
            });
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push("Le fichier ne contient aucun candidat admis sous ses en-têtes.".into());
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn the_platforms_headers_are_recognised() {
        let table = t(&[
            &["Éditeur", "N° SIRET", "Adresse électronique", "Catégorie"],
            &[
                "Logiciels Domicile SAS",
                "732 829 320 00074",
                "ao@domicile.example.org",
                "domicile",
            ],
            &["", "", "", ""],
        ]);
        let a = parse(&table).expect("admitted");
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].siret, "73282932000074");
        assert_eq!(a[0].line, 2);
    }

    #[test]
    fn each_bad_cell_is_named_with_its_line_and_column() {
        let table = t(&[
            &["Raison sociale", "SIRET", "Courriel"],
            &["", "73282932000075", "pas-une-adresse"],
            &["B", "73282932000074", "b@example.org"],
            &["C", "73282932000074", "c@example.org"],
        ]);
        let e = parse(&table).unwrap_err();
        assert!(
            e.iter()
                .any(|m| m.starts_with("Ligne 2, colonne « Raison sociale »")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("Ligne 2, colonne « SIRET »")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("Ligne 2, colonne « Courriel »")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("Ligne 4, colonne « SIRET »") && m.contains("déjà")),
            "{e:?}"
        );
        let e = parse(&t(&[&["Nom", "SIRET"]])).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(parse(&t(&[&["Entreprise", "SIRET", "Email"]])).unwrap_err()[0].contains("aucun"));
    }
}
