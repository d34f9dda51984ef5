//! Pure types and checks of a consultation: the form, the CCAG, money HT/TTC, the next legal
//! deadline. No I/O.

use super::lifecycle::Status;
use super::rules::deadlines::ConsultationCalendar;
use super::rules::procedure::Nature;
use super::rules::{format_eur, parse_amount, parse_date};
use crate::error::FieldErrors;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The CCAG a consultation refers to (DOMAIN §7; DECP field `ccag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ccag {
    Fcs,
    Pi,
    Tic,
    Travaux,
    Moe,
    Mi,
    Aucun,
}

impl Ccag {
    pub const ALL: [Self; 7] = [
        Self::Fcs,
        Self::Pi,
        Self::Tic,
        Self::Travaux,
        Self::Moe,
        Self::Mi,
        Self::Aucun,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Fcs => "fcs",
            Self::Pi => "pi",
            Self::Tic => "tic",
            Self::Travaux => "travaux",
            Self::Moe => "moe",
            Self::Mi => "mi",
            Self::Aucun => "aucun",
        }
    }

    /// French label, as the DECP schema spells it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Fcs => "Fournitures courantes et services",
            Self::Pi => "Prestations intellectuelles",
            Self::Tic => "Techniques de l'information et de la communication",
            Self::Travaux => "Travaux",
            Self::Moe => "Maîtrise d'œuvre",
            Self::Mi => "Marchés industriels",
            Self::Aucun => "Pas de CCAG",
        }
    }

    /// Parses a stored or submitted code.
    ///
    /// # Errors
    /// French message listing the codes.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "CCAG « {s} » inconnu : choisir parmi fcs, pi, tic, travaux, moe, mi, aucun"
                )
            })
    }
}

/// The consultation form (page and API), all strings.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConsultationInput {
    pub reference: String,
    pub objet: String,
    pub nature: String,
    pub cpv: String,
    pub ccag: String,
    pub vat_rate: String,
    pub launch_date: String,
    pub publication_date: String,
    pub offers_deadline_date: String,
    pub offers_deadline_time: String,
    pub questions_deadline: String,
    pub offers_validity_days: String,
    /// "on"/"true" when checked.
    pub preinformation: String,
    pub urgence: String,
    pub paper: String,
}

/// A validated consultation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultationDraft {
    pub reference: String,
    pub objet: String,
    pub nature: Nature,
    pub cpv: String,
    pub ccag: Ccag,
    pub vat_rate: Decimal,
    pub launch_date: Option<NaiveDate>,
    pub publication_date: Option<NaiveDate>,
    pub offers_deadline: Option<NaiveDateTime>,
    pub questions_deadline: Option<NaiveDate>,
    pub offers_validity_days: Option<i32>,
    pub electronic: bool,
    pub preinformation: bool,
    pub urgence: bool,
}

fn push(errs: &mut FieldErrors, field: &str, msg: impl Into<String>) {
    errs.entry(field.to_owned()).or_default().push(msg.into());
}

fn checked(s: &str) -> bool {
    matches!(s.trim(), "on" | "true" | "1" | "oui")
}

/// The nature codes of the form.
#[must_use]
pub fn nature_code(n: Nature) -> &'static str {
    match n {
        Nature::Fournitures => "fournitures",
        Nature::Services => "services",
        Nature::Travaux => "travaux",
    }
}

fn opt_date(errs: &mut FieldErrors, field: &'static str, v: &str) -> Option<NaiveDate> {
    if v.trim().is_empty() {
        return None;
    }
    match parse_date(field, v) {
        Ok(d) => Some(d),
        Err(e) => {
            push(errs, field, e.to_string());
            None
        }
    }
}

/// Checks the form (pure); every problem gets a French message on its field.
///
/// # Errors
/// Field → messages.
pub fn validate(input: &ConsultationInput) -> Result<ConsultationDraft, FieldErrors> {
    let mut errs = FieldErrors::new();
    let reference = input.reference.trim().to_owned();
    if reference.is_empty() {
        push(&mut errs, "reference", "la référence est obligatoire");
    } else if reference.chars().count() > 40 {
        push(
            &mut errs,
            "reference",
            "la référence ne peut pas dépasser 40 caractères",
        );
    }
    let objet = input.objet.trim().to_owned();
    if objet.is_empty() {
        push(&mut errs, "objet", "l'objet est obligatoire");
    } else if objet.chars().count() > 1000 {
        // The DECP `objet` field holds 1 000 characters at most.
        push(
            &mut errs,
            "objet",
            "l'objet ne peut pas dépasser 1 000 caractères (limite des données essentielles)",
        );
    }
    let nature = match Nature::parse(&input.nature) {
        Ok(n) => Some(n),
        Err(e) => {
            push(&mut errs, "nature", e.to_string());
            None
        }
    };
    let cpv = input.cpv.trim().to_owned();
    let digits: String = cpv.chars().take_while(char::is_ascii_digit).collect();
    let rest = &cpv[digits.len()..];
    let cpv_ok = digits.len() == 8
        && (rest.is_empty()
            || (rest.len() == 2
                && rest.starts_with('-')
                && rest[1..].chars().all(|c| c.is_ascii_digit())));
    if !cpv_ok {
        push(
            &mut errs,
            "cpv",
            format!(
                "code CPV « {cpv} » invalide : 8 chiffres, éventuellement suivis d'un tiret et d'un chiffre de contrôle (ex. 48000000-8)"
            ),
        );
    }
    let ccag = match Ccag::parse(&input.ccag) {
        Ok(c) => Some(c),
        Err(e) => {
            push(&mut errs, "ccag", e);
            None
        }
    };
    let vat_rate = if input.vat_rate.trim().is_empty() {
        Decimal::from(20)
    } else {
        match input.vat_rate.trim().replace(',', ".").parse::<Decimal>() {
            Ok(v) if v >= Decimal::ZERO && v <= Decimal::from(100) => v,
            _ => {
                push(
                    &mut errs,
                    "vat_rate",
                    format!(
                        "taux de TVA « {} » invalide : un pourcentage entre 0 et 100",
                        input.vat_rate.trim()
                    ),
                );
                Decimal::ZERO
            }
        }
    };
    let launch_date = opt_date(&mut errs, "date de lancement", &input.launch_date);
    let publication_date = opt_date(&mut errs, "date de publication", &input.publication_date);
    let questions_deadline = opt_date(
        &mut errs,
        "date limite des questions",
        &input.questions_deadline,
    );
    let deadline_day = opt_date(
        &mut errs,
        "date limite de remise des offres",
        &input.offers_deadline_date,
    );
    let offers_deadline = match (deadline_day, input.offers_deadline_time.trim()) {
        (None, _) => None,
        (Some(d), "") => d.and_hms_opt(12, 0, 0),
        (Some(d), t) => match chrono::NaiveTime::parse_from_str(t, "%H:%M") {
            Ok(time) => Some(d.and_time(time)),
            Err(_) => {
                push(
                    &mut errs,
                    "offers_deadline_time",
                    format!("heure « {t} » invalide : format HH:MM"),
                );
                None
            }
        },
    };
    if let (Some(l), Some(p)) = (launch_date, publication_date)
        && p < l
    {
        push(
            &mut errs,
            "publication_date",
            "la publication ne peut pas précéder l'envoi de l'avis (date de lancement)",
        );
    }
    if let (Some(l), Some(o)) = (launch_date, offers_deadline)
        && o.date() <= l
    {
        push(
            &mut errs,
            "offers_deadline_date",
            "la date limite de remise des offres doit suivre la date de lancement",
        );
    }
    if let (Some(q), Some(o)) = (questions_deadline, offers_deadline)
        && q > o.date()
    {
        push(
            &mut errs,
            "questions_deadline",
            "la date limite des questions doit précéder la remise des offres",
        );
    }
    let offers_validity_days = if input.offers_validity_days.trim().is_empty() {
        None
    } else {
        match input.offers_validity_days.trim().parse::<i32>() {
            Ok(n) if (1..=365).contains(&n) => Some(n),
            _ => {
                push(
                    &mut errs,
                    "offers_validity_days",
                    "la durée de validité des offres est un nombre de jours entre 1 et 365",
                );
                None
            }
        }
    };
    match (errs.is_empty(), nature, ccag) {
        (true, Some(nature), Some(ccag)) => Ok(ConsultationDraft {
            reference,
            objet,
            nature,
            cpv,
            ccag,
            vat_rate,
            launch_date,
            publication_date,
            offers_deadline,
            questions_deadline,
            offers_validity_days,
            electronic: !checked(&input.paper),
            preinformation: checked(&input.preinformation),
            urgence: checked(&input.urgence),
        }),
        _ => Err(errs),
    }
}

/// One member's estimated need on a lot, as submitted.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NeedInput {
    pub lot_id: String,
    pub member_id: String,
    pub amount_ht: String,
    pub options_ht: String,
    pub renewals_ht: String,
    pub quantity: String,
    pub unit: String,
}

/// A validated need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedDraft {
    pub lot_id: i32,
    pub member_id: i32,
    pub amount_ht: Decimal,
    pub options_ht: Decimal,
    pub renewals_ht: Decimal,
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
}

fn amount_or_zero(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Decimal {
    if v.trim().is_empty() || v.trim() == "0" {
        return Decimal::ZERO;
    }
    parse_amount(v).unwrap_or_else(|e| {
        push(errs, field, format!("{label} : {e}"));
        Decimal::ZERO
    })
}

/// Checks a need (pure).
///
/// # Errors
/// Field → messages.
pub fn validate_need(input: &NeedInput) -> Result<NeedDraft, FieldErrors> {
    let mut errs = FieldErrors::new();
    let lot_id = input.lot_id.trim().parse::<i32>().unwrap_or_else(|_| {
        push(&mut errs, "lot_id", "lot invalide");
        0
    });
    let member_id = input.member_id.trim().parse::<i32>().unwrap_or_else(|_| {
        push(&mut errs, "member_id", "membre invalide");
        0
    });
    let amount_ht = match parse_amount(&input.amount_ht) {
        Ok(a) => a,
        Err(e) => {
            push(&mut errs, "amount_ht", format!("montant HT : {e}"));
            Decimal::ZERO
        }
    };
    let options_ht = amount_or_zero(&mut errs, "options_ht", "options HT", &input.options_ht);
    let renewals_ht = amount_or_zero(
        &mut errs,
        "renewals_ht",
        "reconductions HT",
        &input.renewals_ht,
    );
    let quantity = if input.quantity.trim().is_empty() {
        None
    } else {
        match input.quantity.trim().replace(',', ".").parse::<Decimal>() {
            Ok(q) if q > Decimal::ZERO => Some(q),
            _ => {
                push(
                    &mut errs,
                    "quantity",
                    format!(
                        "quantité « {} » invalide : un nombre positif",
                        input.quantity.trim()
                    ),
                );
                None
            }
        }
    };
    let unit = Some(input.unit.trim().to_owned()).filter(|u| !u.is_empty());
    if unit.as_ref().is_some_and(|u| u.chars().count() > 40) {
        push(
            &mut errs,
            "unit",
            "l'unité ne peut pas dépasser 40 caractères",
        );
    }
    if errs.is_empty() {
        Ok(NeedDraft {
            lot_id,
            member_id,
            amount_ht,
            options_ht,
            renewals_ht,
            quantity,
            unit,
        })
    } else {
        Err(errs)
    }
}

/// HT → TTC at `vat_rate` percent, rounded to the cent (half away from zero).
#[must_use]
pub fn ttc(ht: Decimal, vat_rate: Decimal) -> Decimal {
    (ht * (Decimal::ONE + vat_rate / Decimal::from(100)))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// "1 234,56 €".
#[must_use]
pub fn money(d: Decimal) -> String {
    format_eur(d)
}

/// The next legal deadline of a consultation in its state, with a French label.
#[must_use]
pub fn next_deadline(
    status: Status,
    launch: Option<NaiveDate>,
    cal: Option<&ConsultationCalendar>,
) -> Option<(String, NaiveDate)> {
    match status {
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier => {
            launch.map(|d| ("envoi de l'avis prévu".to_owned(), d))
        }
        Status::Publiee => cal?
            .offers_deadline
            .map(|d| ("remise des offres".to_owned(), d.date_naive())),
        Status::Suspension | Status::LettresEnvoyees => cal?
            .earliest_signature
            .map(|d| ("signature possible à partir du".to_owned(), d)),
        Status::Signee => cal?
            .avis_attribution_due
            .map(|d| ("avis d'attribution à envoyer avant le".to_owned(), d)),
        Status::Notifiee => cal?
            .decp_due
            .map(|d| ("données essentielles à publier avant le".to_owned(), d)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn input() -> ConsultationInput {
        ConsultationInput {
            reference: "2026-DUI".into(),
            objet: "Acquisition d'un dossier usager informatisé".into(),
            nature: "services".into(),
            cpv: "48000000-8".into(),
            ccag: "tic".into(),
            vat_rate: "20".into(),
            launch_date: "2026-12-01".into(),
            offers_deadline_date: "2027-01-15".into(),
            offers_deadline_time: "12:00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_software_tender_validates() {
        let d = validate(&input()).expect("valid");
        assert_eq!(d.ccag, Ccag::Tic);
        assert!(d.electronic);
        assert_eq!(
            d.offers_deadline.map(|o| o.to_string()),
            Some("2027-01-15 12:00:00".into())
        );
    }

    #[test]
    fn bad_fields_and_inverted_dates_are_named_in_french() {
        let mut i = input();
        i.cpv = "4800".into();
        i.ccag = "xyz".into();
        i.vat_rate = "-3".into();
        i.offers_deadline_date = "2026-11-01".into();
        let e = validate(&i).expect_err("invalid");
        for f in ["cpv", "ccag", "vat_rate", "offers_deadline_date"] {
            assert!(e.contains_key(f), "{f}: {e:?}");
        }
        assert!(e["offers_deadline_date"][0].contains("doit suivre"));
    }

    #[test]
    fn ttc_rounds_to_the_cent() {
        assert_eq!(ttc(dec!(350000), dec!(20)), dec!(420000.00));
        assert_eq!(ttc(dec!(83333.33), dec!(20)), dec!(100000.00));
        assert_eq!(ttc(dec!(0.05), dec!(10)), dec!(0.06));
    }

    #[test]
    fn a_need_requires_a_positive_amount() {
        let n = NeedInput {
            lot_id: "1".into(),
            member_id: "2".into(),
            amount_ht: "-5".into(),
            ..Default::default()
        };
        assert!(
            validate_need(&n)
                .expect_err("neg")
                .contains_key("amount_ht")
        );
        let ok = NeedInput {
            amount_ht: "35 000,00".into(),
            options_ht: "".into(),
            ..n
        };
        assert_eq!(validate_need(&ok).expect("ok").amount_ht, dec!(35000.00));
    }
}
