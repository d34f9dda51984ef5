//! Techniques d'achat (L2125-1): the accord-cadre and the système d'acquisition dynamique
//! (SAD), on top of the procedure the thresholds call for. Pure rules, each with its article;
//! see `docs/techniques-d-achat.md` for the reading behind them.
//!
//! - **Accord-cadre** (L2125-1 1°, R2162-1 and following): since 1 January 2022 it must state
//!   the maximum, in value or quantity, of what may be ordered (R2162-4 as amended by décret
//!   n° 2021-1111 of 23 August 2021, following CJEU 17 June 2021, *Simonsen & Weel*, C-23/20);
//!   its estimated value for the thresholds is that maximum over its whole duration (R2121-8);
//!   it lasts four years at most unless its object justifies more (L2125-1 1°); it is executed
//!   by bons de commande (R2162-13, R2162-14) and/or marchés subséquents (R2162-7 to R2162-12),
//!   the latter without standstill (R2182-2).
//! - **SAD** (L2125-1 4°, R2162-37 and following; set up under the rules of the appel d'offres restreint, R2162-38): each marché spécifique invites every
//!   candidate admitted in its category, with at least ten days to answer from the sending of
//!   the invitation (R2162-50), and no standstill (R2182-2).

use super::{RulesError, format_eur};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Date from which an accord-cadre must state its maximum (décret n° 2021-1111, art. 13).
pub const MAXIMUM_REQUIRED_FROM: (i32, u32, u32) = (2022, 1, 1);
/// Longest accord-cadre of a pouvoir adjudicateur without special justification (L2125-1 1°).
pub const ACCORD_CADRE_MAX_MONTHS: u32 = 48;
/// Minimum offer delay of a marché spécifique under a SAD, from the invitation (R2162-50).
pub const SAD_MIN_OFFER_DAYS: u32 = 10;

/// The technique, as the command line spells it and the `consultation.technique` column
/// stores it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    serde::Deserialize,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::None)"
)]
pub enum Technique {
    #[default]
    #[sea_orm(string_value = "aucune")]
    Aucune,
    #[sea_orm(string_value = "accord_cadre")]
    AccordCadre,
    #[sea_orm(string_value = "sad")]
    Sad,
}

impl Technique {
    /// Parses `aucune`, `accord_cadre` (or `accord-cadre`), `sad`.
    ///
    /// # Errors
    /// `InvalidInput` naming the accepted values.
    pub fn parse(s: &str) -> Result<Self, RulesError> {
        match s.trim().to_lowercase().replace('-', "_").as_str() {
            "" | "aucune" => Ok(Self::Aucune),
            "accord_cadre" => Ok(Self::AccordCadre),
            "sad" => Ok(Self::Sad),
            other => Err(RulesError::InvalidInput(format!(
                "Technique d'achat inconnue « {other} » : valeurs possibles « aucune », « accord_cadre » ou « sad » (L2125-1)."
            ))),
        }
    }

    /// The stored and command-line code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Aucune => "aucune",
            Self::AccordCadre => "accord_cadre",
            Self::Sad => "sad",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Aucune => "marché ordinaire (aucune technique d'achat)",
            Self::AccordCadre => "accord-cadre",
            Self::Sad => "marché spécifique d'un système d'acquisition dynamique",
        }
    }
}

/// What the technique changes, with its articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TechniqueOutcome {
    pub code: Technique,
    pub label: &'static str,
    /// The value compared with the thresholds (the maximum for an accord-cadre, R2121-8).
    pub valeur_seuils_ht: Decimal,
    /// Minimum offer delay when the technique sets its own (SAD: from the invitation).
    pub min_offer_days: Option<u32>,
    /// Whether the contracts passed under it wait for a standstill (R2182-2).
    pub delai_suspension_des_marches_passes: bool,
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

/// Assesses the technique for a consultation launched on `launch`. For an accord-cadre,
/// `amount_ht` is its maximum over its whole duration (`None` when not given) and
/// `duration_months` its duration, renewals included.
///
/// # Errors
/// `InvalidInput` for an accord-cadre launched since 1 January 2022 without a maximum
/// (R2162-4), or for a missing amount otherwise.
pub fn assess(
    technique: Technique,
    amount_ht: Option<Decimal>,
    duration_months: Option<u32>,
    launch: NaiveDate,
) -> Result<TechniqueOutcome, RulesError> {
    let (y, m, d) = MAXIMUM_REQUIRED_FROM;
    let maximum_required = NaiveDate::from_ymd_opt(y, m, d).is_some_and(|from| launch >= from);
    // Normalised: « 350 000,00 » and « 350000 » are the same value, shown the same way.
    let amount = amount_ht
        .filter(|a| *a > Decimal::ZERO)
        .map(|a| a.normalize());
    match technique {
        Technique::AccordCadre => {
            let Some(maximum) = amount else {
                if !maximum_required {
                    return Err(missing_amount());
                }
                return Err(RulesError::InvalidInput(
                    "Un accord-cadre doit indiquer son montant maximum (--amount-ht, en euros HT sur toute sa durée) : la quantité ou la valeur maximale est obligatoire pour les consultations lancées depuis le 1er janvier 2022 (R2162-4, décret n° 2021-1111 du 23 août 2021).".into(),
                ));
            };
            let mut notes = vec![
                format!(
                    "Valeur estimée pour les seuils : le maximum de l'accord-cadre sur toute sa durée, {} HT (R2121-8).",
                    format_eur(maximum)
                ),
                "Le maximum figure dans l'avis et les documents de la consultation ; dans un groupement, la part maximale de chaque membre est indiquée, chacun commandant pour lui-même (convention art. 6.2).".into(),
                "Exécution par bons de commande (R2162-13, R2162-14) et/ou par marchés subséquents remis en concurrence entre les titulaires (R2162-7 à R2162-12) ; ni les uns ni les autres n'attendent de délai de suspension (R2182-2).".into(),
            ];
            if !maximum_required {
                notes.push("Consultation lancée avant le 1er janvier 2022 : le maximum n'était pas encore obligatoire ; le montant donné est la valeur estimée.".into());
            }
            let mut warnings = Vec::new();
            match duration_months {
                Some(months) if months > ACCORD_CADRE_MAX_MONTHS => warnings.push(format!(
                    "Durée de {months} mois : au-delà de quatre ans, un accord-cadre n'est possible que dans des cas exceptionnels dûment justifiés, notamment par son objet (L2125-1 1°) ; la justification est à écrire au rapport de présentation."
                )),
                Some(_) => {}
                None => notes.push(
                    "Durée à fixer : quatre ans au plus, reconductions comprises, sauf cas exceptionnel justifié (L2125-1 1°).".into(),
                ),
            }
            Ok(TechniqueOutcome {
                code: technique,
                label: technique.label(),
                valeur_seuils_ht: maximum,
                min_offer_days: None,
                delai_suspension_des_marches_passes: false,
                notes,
                warnings,
            })
        }
        Technique::Sad => Ok(TechniqueOutcome {
            code: technique,
            label: technique.label(),
            valeur_seuils_ht: amount.ok_or_else(missing_amount)?,
            min_offer_days: Some(SAD_MIN_OFFER_DAYS),
            delai_suspension_des_marches_passes: false,
            notes: vec![
                "Le SAD est mis en place par son acheteur (ici une centrale d'achat) ; le marché spécifique invite tous les candidats admis dans la catégorie concernée (R2162-37 et suivants).".into(),
                format!(
                    "Délai minimal de réception des offres : {SAD_MIN_OFFER_DAYS} jours à compter de l'envoi de l'invitation à soumissionner (R2162-50)."
                ),
                "Pas de délai de suspension avant la signature d'un marché spécifique (R2182-2) ; mêmes critères, notation, CAO et courriers que les autres marchés.".into(),
            ],
            warnings: Vec::new(),
        }),
        Technique::Aucune => Ok(TechniqueOutcome {
            code: technique,
            label: technique.label(),
            valeur_seuils_ht: amount.ok_or_else(missing_amount)?,
            min_offer_days: None,
            delai_suspension_des_marches_passes: true,
            notes: Vec::new(),
            warnings: Vec::new(),
        }),
    }
}

fn missing_amount() -> RulesError {
    RulesError::InvalidInput(
        "Le montant estimé HT manque (--amount-ht) : options et reconductions comprises (R2121-1)."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn an_accord_cadre_without_maximum_is_refused_since_2022() {
        for amount in [None, Some(Decimal::ZERO)] {
            let e = assess(Technique::AccordCadre, amount, None, d(2022, 1, 1)).unwrap_err();
            assert!(e.to_string().contains("R2162-4"), "{e}");
        }
        // The day before the rule, no maximum was required: only the estimated value.
        let e = assess(Technique::AccordCadre, None, None, d(2021, 12, 31)).unwrap_err();
        assert!(!e.to_string().contains("R2162-4"), "{e}");
        let o = assess(
            Technique::AccordCadre,
            Some(dec!(100000)),
            None,
            d(2021, 12, 31),
        )
        .expect("before 2022");
        assert!(o.notes.iter().any(|n| n.contains("pas encore obligatoire")));
    }

    #[test]
    fn an_accord_cadre_is_valued_at_its_maximum_and_lasts_four_years() {
        let o = assess(
            Technique::AccordCadre,
            Some(dec!(180000)),
            Some(48),
            d(2026, 12, 1),
        )
        .expect("accord-cadre");
        assert_eq!(o.valeur_seuils_ht, dec!(180000));
        assert!(o.notes[0].contains("R2121-8"));
        assert!(o.warnings.is_empty());
        assert!(!o.delai_suspension_des_marches_passes);
        let o = assess(
            Technique::AccordCadre,
            Some(dec!(180000)),
            Some(49),
            d(2026, 12, 1),
        )
        .expect("accord-cadre");
        assert!(o.warnings[0].contains("L2125-1"), "{:?}", o.warnings);
    }

    #[test]
    fn a_marche_specifique_has_ten_days_and_no_standstill() {
        let o = assess(Technique::Sad, Some(dec!(350000)), None, d(2026, 12, 1)).expect("sad");
        assert_eq!(o.min_offer_days, Some(10));
        assert!(!o.delai_suspension_des_marches_passes);
        assert!(assess(Technique::Sad, None, None, d(2026, 12, 1)).is_err());
    }

    #[test]
    fn techniques_are_read_in_french_words() {
        assert_eq!(Technique::parse("accord-cadre"), Ok(Technique::AccordCadre));
        assert_eq!(Technique::parse(" SAD "), Ok(Technique::Sad));
        assert_eq!(Technique::parse("aucune"), Ok(Technique::Aucune));
        assert!(
            Technique::parse("concession")
                .unwrap_err()
                .to_string()
                .contains("inconnue")
        );
    }
}
