//! The register of withdrawals as the buyer's platform exports it (PLACE, AWS-Achat,
//! Maximilien: « registre des retraits »), read from a table of cell texts
//! ([`crate::table_file`]). Pure: the candidates to inscribe, or French errors by line and
//! column. Headers recognised (case, accents and spaces ignored): raison sociale —
//! « Raison sociale », « Entreprise », « Société », « Dénomination », « Candidat »,
//! « Organisme »; courriel — « Courriel », « Email », « E-mail », « Adresse électronique »,
//! « Mail »; date — « Date de retrait », « Date du retrait », « Date », « Date de
//! téléchargement » (optional: the day of the import when absent).

use crate::table_file::column;
use chrono::NaiveDate;
use std::collections::HashSet;

/// One withdrawal read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub email: String,
    pub day: NaiveDate,
}

const NAME: &[&str] = &[
    "raison sociale",
    "entreprise",
    "societe",
    "denomination",
    "denomination sociale",
    "candidat",
    "organisme",
];
const EMAIL: &[&str] = &[
    "courriel",
    "email",
    "e-mail",
    "adresse electronique",
    "adresse e-mail",
    "mail",
];
const DAY: &[&str] = &[
    "date de retrait",
    "date du retrait",
    "date",
    "date de telechargement",
    "date et heure de retrait",
];

/// The day written in a cell: `JJ/MM/AAAA` or `AAAA-MM-JJ`, a time after it ignored.
fn day_of(raw: &str) -> Option<NaiveDate> {
    let first = raw.split_whitespace().next().unwrap_or_default();
    let first = first.split('T').next().unwrap_or_default();
    NaiveDate::parse_from_str(first, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(first, "%Y-%m-%d"))
        .ok()
}

/// Reads the withdrawals; every error at once. A row whose address is in `known` (case
/// ignored) is left out: importing the same register twice inscribes nobody twice.
///
/// # Errors
/// The French messages, each with its line and column.
pub fn parse(
    table: &[Vec<String>],
    known: &HashSet<String>,
    published: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<Row>, Vec<String>> {
    let Some(header) = table.first() else {
        return Err(vec!["Le fichier est vide : la première ligne doit donner les en-têtes (Raison sociale ; Courriel ; Date de retrait).".into()]);
    };
    let (Some(n), Some(e)) = (column(header, NAME), column(header, EMAIL)) else {
        return Err(vec!["Colonnes « Raison sociale » et « Courriel » introuvables sur la ligne 1 : les en-têtes reconnus sont Raison sociale (ou Entreprise, Société, Candidat), Courriel (ou Email, Adresse électronique) et, facultative, Date de retrait.".into()]);
    };
    let d = column(header, DAY);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| row.get(c).map_or("", |v| v.trim());
        let name = cell(n);
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            errors.push(format!("Ligne {line}, colonne « Raison sociale » : valeur manquante ou de plus de 200 caractères."));
        }
        let email = cell(e);
        if email.parse::<lettre::Address>().is_err() {
            errors.push(format!("Ligne {line}, colonne « Courriel » : « {email} » n'est pas une adresse électronique."));
            continue;
        }
        let day = match d.map(cell).filter(|s| !s.is_empty()) {
            None => today,
            Some(raw) => {
                match day_of(raw) {
                    Some(day) if day > today => {
                        errors.push(format!("Ligne {line}, colonne « Date de retrait » : le {raw} est dans le futur."));
                        continue;
                    }
                    Some(day) if published.is_some_and(|p| day < p) => {
                        errors.push(format!("Ligne {line}, colonne « Date de retrait » : le {raw} précède la publication de la consultation."));
                        continue;
                    }
                    Some(day) => day,
                    None => {
                        errors.push(format!("Ligne {line}, colonne « Date de retrait » : « {raw} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ)."));
                        continue;
                    }
                }
            }
        };
        let key = email.to_lowercase();
        if known.contains(&key) || !seen.insert(key) {
            continue;
        }
        out.push(Row {
            line,
            name: name.to_owned(),
            email: email.to_owned(),
            day,
        });
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

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).expect("date")
    }

    #[test]
    fn the_platforms_register_is_read_and_known_addresses_are_left_out() {
        let table = t(&[
            &[
                "Entreprise",
                "Adresse électronique",
                "Date et heure de retrait",
            ],
            &["ALPHA", "ao@alpha.example.org", "04/01/2027 10:12:00"],
            &["BÊTA", "marches@beta.example.org", "2027-01-05"],
            &["ALPHA (2e retrait)", "AO@alpha.example.org", "06/01/2027"],
            &["GAMMA", "gamma@example.org", ""],
        ]);
        let known: HashSet<String> = ["marches@beta.example.org".to_owned()].into();
        let rows = parse(&table, &known, Some(d(1, 2)), d(1, 8)).expect("rows");
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["ALPHA", "GAMMA"]);
        assert_eq!(rows[0].day, d(1, 4));
        assert_eq!(rows[1].day, d(1, 8), "no date: the day of the import");
    }

    #[test]
    fn each_bad_cell_is_named_with_its_line_and_column() {
        let table = t(&[
            &["Raison sociale", "Courriel", "Date de retrait"],
            &["", "pas-une-adresse", "04/01/2027"],
            &["B", "b@example.org", "31/12/2026"],
            &["C", "c@example.org", "lundi"],
            &["D", "d@example.org", "09/01/2027"],
        ]);
        let e = parse(&table, &HashSet::new(), Some(d(1, 2)), d(1, 8)).unwrap_err();
        for m in [
            "Ligne 2, colonne « Raison sociale »",
            "Ligne 2, colonne « Courriel »",
            "Ligne 3, colonne « Date de retrait » : le 31/12/2026 précède",
            "Ligne 4, colonne « Date de retrait »",
            "Ligne 5, colonne « Date de retrait » : le 09/01/2027 est dans le futur",
        ] {
            assert!(e.iter().any(|x| x.starts_with(m)), "{m}: {e:?}");
        }
        assert!(parse(&t(&[&["Nom", "Téléphone"]]), &HashSet::new(), None, d(1, 8)).is_err());
    }
}
