//! The deposit register exported by the buyer's platform (profil d'acheteur, R2132-3: PLACE,
//! AWS-Achat, Maximilien…) read as plis of a consultation. Pure: a table of cell texts
//! ([`crate::table_file`]) and a column mapping in, checked registrations or French errors
//! out; the writing is [`super::platform_import`], each row through the same checks as a pli
//! transcribed by hand ([`super::register::validate_transcribed`]).
//!
//! # Accepted headers
//!
//! The first line holds the headers. The mapping proposed on the page recognises these names
//! (case, accents, spaces and a trailing colon are ignored; « N° », « Nº » and « No » are the
//! same); any column may be chosen by hand instead:
//!
//! | Field                       | Required | Recognised headers                                                                                                                                   |
//! |-----------------------------|----------|------------------------------------------------------------------------------------------------------------------------------------------------------|
//! | Raison sociale              | yes      | Entreprise, Raison sociale, Dénomination, Dénomination sociale, Nom de l'entreprise, Soumissionnaire, Candidat, Société, Opérateur économique          |
//! | SIRET                       | yes      | SIRET, N° SIRET, Numéro SIRET, SIRET de l'entreprise                                                                                                 |
//! | Date et heure de dépôt      | yes      | Date de dépôt, Date et heure de dépôt, Date/heure de dépôt, Horodatage, Date de remise, Date et heure de remise, Date de réception, Date et heure de réception |
//! | N° de dépôt (accusé)        | yes      | N° de pli, Numéro de pli, N° de dépôt, Numéro de dépôt, Référence du dépôt, Référence de dépôt, N° d'accusé de réception, Accusé de réception, N° d'enregistrement, Identifiant du dépôt |
//! | Lot                         | no       | Lot, N° de lot, Numéro de lot                                                                                                                         |
//! | Courriel                    | no       | Email, E-mail, Courriel, Adresse électronique, Adresse e-mail, Mail                                                                                   |
//! | Adresse                     | no       | Adresse, Adresse postale, Adresse de l'entreprise                                                                                                     |
//!
//! Timestamps: `JJ/MM/AAAA HH:MM[:SS]`, `AAAA-MM-JJ HH:MM[:SS]` (or with `T`), ISO 8601 with
//! an offset (`2027-01-14T16:12:05+01:00`, `…Z`) and date cells of a workbook. A time without
//! offset is the Paris wall-clock time. A lot is its number (« 2 », « Lot 2 », « Lot n° 2 »);
//! without a lot column, a consultation with a single lot (or none) takes it.
//!
//! Each row is refused with its line (headers on line 1) and column, all errors at once: a
//! missing required value, an invalid SIRET, an unreadable, future or pre-publication
//! timestamp, an unknown lot, a deposit number twice in the file. A deposit number already
//! registered on the consultation with the same data is skipped (an import run twice changes
//! nothing); with other data it is an error.

use super::register::{self, PliDraft, PliInput};
use crate::db::entities::{lot, pli};
use crate::table_file::header_key;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::collections::HashMap;

/// One target field of the mapping: form key, French label, required, recognised headers.
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    aliases: &'static [&'static str],
}

/// Index of each field in [`FIELDS`] and [`Mapping`].
pub const NAME: usize = 0;
pub const SIRET: usize = 1;
pub const TIME: usize = 2;
pub const RECEIPT: usize = 3;
pub const LOT: usize = 4;
pub const EMAIL: usize = 5;
pub const ADDRESS: usize = 6;

/// The fields read from the platform's register.
pub const FIELDS: [Field; 7] = [
    Field {
        key: "raison_sociale",
        label: "Raison sociale",
        required: true,
        aliases: &[
            "entreprise",
            "raison sociale",
            "denomination",
            "denomination sociale",
            "nom de l'entreprise",
            "soumissionnaire",
            "candidat",
            "societe",
            "operateur economique",
        ],
    },
    Field {
        key: "siret",
        label: "SIRET",
        required: true,
        aliases: &["siret", "no siret", "numero siret", "siret de l'entreprise"],
    },
    Field {
        key: "depot",
        label: "Date et heure de dépôt",
        required: true,
        aliases: &[
            "date de depot",
            "date et heure de depot",
            "date/heure de depot",
            "horodatage",
            "date de remise",
            "date et heure de remise",
            "date de reception",
            "date et heure de reception",
        ],
    },
    Field {
        key: "numero",
        label: "N° de dépôt (accusé de réception)",
        required: true,
        aliases: &[
            "no de pli",
            "numero de pli",
            "no de depot",
            "numero de depot",
            "reference du depot",
            "reference de depot",
            "no d'accuse de reception",
            "numero d'accuse de reception",
            "accuse de reception",
            "no d'enregistrement",
            "identifiant du depot",
        ],
    },
    Field {
        key: "lot",
        label: "Lot",
        required: false,
        aliases: &["lot", "no de lot", "numero de lot"],
    },
    Field {
        key: "courriel",
        label: "Courriel",
        required: false,
        aliases: &[
            "email",
            "e-mail",
            "courriel",
            "adresse electronique",
            "adresse e-mail",
            "mail",
        ],
    },
    Field {
        key: "adresse",
        label: "Adresse",
        required: false,
        aliases: &["adresse", "adresse postale", "adresse de l'entreprise"],
    },
];

/// Which column of the file gives each field, in [`FIELDS`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mapping(pub [Option<usize>; 7]);

/// A header as compared with the recognised names.
fn key(h: &str) -> String {
    let k = header_key(h).replace(['’', 'ʼ'], "'");
    let k = k.trim_end_matches(':').trim_end();
    let k = k
        .strip_prefix("n ")
        .map_or_else(|| k.to_owned(), |r| format!("no {r}"));
    k.replace("no. ", "no ").replace("n. ", "no ")
}

/// The mapping proposed for a header line: each field takes the first column bearing one of
/// its recognised names, a column serving one field only.
#[must_use]
pub fn propose(header: &[String]) -> Mapping {
    let keys: Vec<String> = header.iter().map(|h| key(h)).collect();
    let mut m = Mapping::default();
    for (f, field) in FIELDS.iter().enumerate() {
        m.0[f] = keys
            .iter()
            .enumerate()
            .position(|(i, k)| field.aliases.contains(&k.as_str()) && !m.0.contains(&Some(i)));
    }
    m
}

/// Checks a chosen mapping against the header line.
///
/// # Errors
/// French messages: a required field without column, a column chosen twice or out of range.
pub fn check_mapping(m: &Mapping, header: &[String]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (f, field) in FIELDS.iter().enumerate() {
        match m.0[f] {
            None if field.required => errors.push(format!(
                "Choisissez la colonne du fichier qui donne « {} ».",
                field.label
            )),
            Some(c) if c >= header.len() => errors.push(format!(
                "La colonne choisie pour « {} » n'existe pas dans le fichier.",
                field.label
            )),
            Some(c) if m.0[..f].contains(&Some(c)) => errors.push(format!(
                "La colonne « {} » est choisie pour deux champs : « {} » et un autre.",
                header[c].trim(),
                field.label
            )),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Reads a platform timestamp (pure): ISO 8601 with offset, else a Paris wall-clock time
/// `JJ/MM/AAAA HH:MM[:SS]` or `AAAA-MM-JJ[T ]HH:MM[:SS]`.
///
/// # Errors
/// A French message quoting the value.
pub fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    let t = raw.trim().replace(" à ", " ");
    if let Ok(d) = DateTime::parse_from_rfc3339(&t) {
        return Ok(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(d) = DateTime::parse_from_str(&t, f) {
            return Ok(d.with_timezone(&Utc));
        }
    }
    let naive = [
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(&t, f).ok())
    .ok_or_else(|| {
        format!(
            "« {} » n'est pas une date et heure de dépôt (JJ/MM/AAAA HH:MM:SS, AAAA-MM-JJ HH:MM:SS ou ISO 8601)",
            raw.trim()
        )
    })?;
    register::parse_paris_instant(&naive.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// The lot number written in a cell: « 2 », « Lot 2 », « LOT N° 02 ».
fn lot_number(raw: &str) -> Option<i32> {
    let k = key(raw);
    let rest = k.strip_prefix("lot").unwrap_or(&k).trim_start();
    let rest = rest.strip_prefix("no").unwrap_or(rest).trim();
    rest.parse().ok()
}

/// What the import knows of the consultation.
pub struct Context<'a> {
    pub lots: &'a [lot::Model],
    /// Publication date (or launch date): no pli may be deposited before.
    pub opened_on: Option<NaiveDate>,
    pub now: DateTime<Utc>,
    /// The plis already registered on the consultation.
    pub existing: &'a [pli::Model],
}

/// One row of the file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Line of the file (headers on line 1).
    pub line: usize,
    pub draft: PliDraft,
    /// The pli already registered with this deposit number and the same data (skipped).
    pub already: Option<i32>,
}

/// The rows of the file and every error, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub errors: Vec<String>,
}

/// Whether a stored pli holds the same data as a row.
fn same(p: &pli::Model, d: &PliDraft) -> bool {
    p.lot_id == d.lot_id
        && p.bidder_name == d.bidder_name
        && p.siret == d.siret
        && p.received_at == d.received_at
        && p.channel == d.channel
        && p.address == d.address
        && p.contact_email == d.contact_email
}

/// Reads the rows of a table with a checked mapping (pure). Fully empty lines are skipped.
#[must_use]
pub fn parse(table: &[Vec<String>], m: &Mapping, ctx: &Context<'_>) -> Outcome {
    let mut out = Outcome::default();
    let Some((header, body)) = table.split_first() else {
        out.errors.push(
            "Le fichier est vide : déposez le registre des dépôts exporté de la plateforme.".into(),
        );
        return out;
    };
    if let Err(e) = check_mapping(m, header) {
        out.errors = e;
        return out;
    }
    let column = |f: usize| {
        m.0[f]
            .and_then(|c| header.get(c))
            .map_or(FIELDS[f].label, |h| h.trim())
    };
    let mut receipts: HashMap<String, usize> = HashMap::new();
    for (i, cells) in body.iter().enumerate() {
        let line = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: usize| m.0[f].and_then(|c| cells.get(c)).map_or("", |v| v.trim());
        let mut errs: Vec<String> = Vec::new();
        let mut err = |f: usize, msg: &str| {
            errs.push(format!("Ligne {line}, colonne « {} » : {msg}", column(f)));
        };
        for f in [NAME, SIRET, TIME, RECEIPT] {
            if cell(f).is_empty() {
                err(f, "valeur obligatoire manquante");
            }
        }
        let time = match cell(TIME) {
            "" => None,
            raw => match parse_time(raw) {
                Ok(t) => Some(t),
                Err(e) => {
                    err(TIME, &e);
                    None
                }
            },
        };
        if let (Some(t), Some(opened)) = (time, ctx.opened_on) {
            let day = t.with_timezone(&chrono_tz::Europe::Paris).date_naive();
            if day < opened && t <= ctx.now {
                err(
                    TIME,
                    &format!(
                        "déposé le {}, avant la publication de la consultation (le {})",
                        register::paris_label(t),
                        crate::calendar::french_date(opened)
                    ),
                );
            }
        }
        let lot_id = match (cell(LOT), ctx.lots) {
            ("", _) | (_, []) => String::new(),
            (raw, lots) => {
                match lot_number(raw).and_then(|n| lots.iter().find(|l| l.number == n)) {
                    Some(l) => l.id.to_string(),
                    None => {
                        err(
                            LOT,
                            &format!("le lot « {raw} » n'existe pas dans la consultation"),
                        );
                        String::new()
                    }
                }
            }
        };
        let receipt = cell(RECEIPT).to_owned();
        if !receipt.is_empty() {
            match receipts.get(&receipt) {
                Some(first) => err(
                    RECEIPT,
                    &format!("le dépôt n° {receipt} figure déjà à la ligne {first}"),
                ),
                None => {
                    receipts.insert(receipt.clone(), line);
                }
            }
        }
        let input = PliInput {
            lot_id,
            bidder_name: cell(NAME).to_owned(),
            siret: cell(SIRET).to_owned(),
            address: cell(ADDRESS).to_owned(),
            contact_email: cell(EMAIL).to_owned(),
            received_at: time
                .map(|t| {
                    t.with_timezone(&chrono_tz::Europe::Paris)
                        .format("%Y-%m-%dT%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default(),
            channel: "profil_acheteur".into(),
            platform_receipt: receipt.clone(),
        };
        let draft = match register::validate_transcribed(&input, ctx.lots, ctx.now) {
            Ok(d) => Some(d),
            Err(fields) => {
                for (field, msgs) in fields {
                    let f = match field.as_str() {
                        "bidder_name" => NAME,
                        "siret" => SIRET,
                        "received_at" => TIME,
                        "platform_receipt" => RECEIPT,
                        "lot_id" => LOT,
                        "contact_email" => EMAIL,
                        "address" => ADDRESS,
                        _ => continue,
                    };
                    // Already said above: a missing value or an unreadable time.
                    if (f == TIME && (time.is_none() || receipt.is_empty()))
                        || (cell(f).is_empty() && f != LOT)
                    {
                        continue;
                    }
                    for msg in msgs {
                        err(f, &msg);
                    }
                }
                None
            }
        };
        let already = ctx
            .existing
            .iter()
            .find(|p| p.platform_receipt.as_deref() == Some(receipt.as_str()));
        if let (Some(d), Some(p)) = (&draft, already)
            && !same(p, d)
        {
            err(
                RECEIPT,
                &format!(
                    "le dépôt n° {receipt} est déjà importé avec d'autres données (pli n° {}) : \
                     corrigez le pli enregistré ou le fichier",
                    p.id
                ),
            );
        }
        if errs.is_empty()
            && let Some(draft) = draft
        {
            out.rows.push(Row {
                line,
                draft,
                already: already.map(|p| p.id),
            });
        }
        out.errors.extend(errs);
    }
    if out.rows.is_empty() && out.errors.is_empty() {
        out.errors
            .push("Le fichier ne contient aucun dépôt sous sa ligne d'en-têtes.".into());
    }
    out
}

#[cfg(test)]
#[path = "platform_register_tests.rs"]
mod tests;
