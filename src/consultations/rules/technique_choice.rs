//! The technique d'achat chosen for a consultation, as the coordonnateur enters it and the
//! `consultation` row stores it, and what it changes downstream: what forbids the publication,
//! whether the signature waits for a standstill, the minimum offer delay. Pure; the articles are
//! those of `technique` (see `docs/techniques-d-achat.md`).

use super::technique::{
    ACCORD_CADRE_MAX_MONTHS, MAXIMUM_REQUIRED_FROM, SAD_MIN_OFFER_DAYS, Technique,
};
use crate::error::FieldErrors;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How an accord-cadre is executed (R2162-2): bons de commande (R2162-13), marchés subséquents
/// (R2162-7), or both.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::None)"
)]
pub enum Execution {
    #[sea_orm(string_value = "bons_de_commande")]
    BonsDeCommande,
    #[sea_orm(string_value = "marches_subsequents")]
    MarchesSubsequents,
    #[sea_orm(string_value = "mixte")]
    Mixte,
}

impl Execution {
    pub const ALL: [Execution; 3] = [Self::BonsDeCommande, Self::MarchesSubsequents, Self::Mixte];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::BonsDeCommande => "bons_de_commande",
            Self::MarchesSubsequents => "marches_subsequents",
            Self::Mixte => "mixte",
        }
    }

    /// As the RC and the AE write it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::BonsDeCommande => "exécuté par bons de commande (R2162-13 et R2162-14)",
            Self::MarchesSubsequents => "exécuté par marchés subséquents (R2162-7 à R2162-12)",
            Self::Mixte => {
                "exécuté par bons de commande et par marchés subséquents (R2162-2, R2162-7 et R2162-13)"
            }
        }
    }

    /// Whether bons de commande / marchés subséquents are issued (DECP `modaliteExecution`).
    #[must_use]
    pub fn modes(self) -> (bool, bool) {
        match self {
            Self::BonsDeCommande => (true, false),
            Self::MarchesSubsequents => (false, true),
            Self::Mixte => (true, true),
        }
    }
}

/// One or several titulaires (R2162-2 al. 2; R2162-9 for the remise en concurrence).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(
    rs_type = "String",
    db_type = "String(sea_orm::sea_query::StringLen::None)"
)]
pub enum Attributaires {
    #[sea_orm(string_value = "mono")]
    Mono,
    #[sea_orm(string_value = "multi")]
    Multi,
}

impl Attributaires {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Mono => "mono",
            Self::Multi => "multi",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Mono => "mono-attributaire",
            Self::Multi => "multi-attributaire",
        }
    }
}

/// The form as typed (every field a string).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TechniqueForm {
    pub technique: String,
    pub execution: String,
    pub attributaires: String,
    pub sad_reference: String,
    pub justification: String,
}

/// A valid choice: the fields another technique does not use are cleared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TechniqueChoice {
    pub technique: Technique,
    pub execution: Option<Execution>,
    pub attributaires: Option<Attributaires>,
    /// Reference of the SAD the marché spécifique is passed under (centrale, platform, category).
    pub sad_reference: Option<String>,
    /// Why an accord-cadre lasts more than four years (L2125-1 1°).
    pub justification: Option<String>,
}

/// Shortest justification of a duration beyond four years, as for a procedure override.
pub const MIN_JUSTIFICATION_CHARS: usize = 15;

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Checks the form; each error names its field in French.
///
/// # Errors
/// The fields in error.
pub fn validate(form: &TechniqueForm) -> Result<TechniqueChoice, FieldErrors> {
    let mut errs = FieldErrors::new();
    let mut push = |field: &str, msg: String| errs.entry(field.to_owned()).or_default().push(msg);
    let technique = Technique::parse(&form.technique).unwrap_or_else(|e| {
        push("technique", e.to_string());
        Technique::Aucune
    });
    let mut choice = TechniqueChoice {
        technique,
        ..TechniqueChoice::default()
    };
    match technique {
        Technique::AccordCadre => {
            choice.execution = match form.execution.trim() {
                "bons_de_commande" => Some(Execution::BonsDeCommande),
                "marches_subsequents" => Some(Execution::MarchesSubsequents),
                "mixte" => Some(Execution::Mixte),
                "" => {
                    push("execution", "précisez comment l'accord-cadre est exécuté : par bons de commande, par marchés subséquents, ou les deux (R2162-2).".into());
                    None
                }
                other => {
                    push(
                        "execution",
                        format!(
                            "mode d'exécution « {other} » inconnu : bons_de_commande, marches_subsequents ou mixte (R2162-2)."
                        ),
                    );
                    None
                }
            };
            choice.attributaires = match form.attributaires.trim() {
                "mono" => Some(Attributaires::Mono),
                "multi" => Some(Attributaires::Multi),
                "" => {
                    push("attributaires", "précisez si l'accord-cadre est conclu avec un seul ou plusieurs titulaires (R2162-2).".into());
                    None
                }
                other => {
                    push(
                        "attributaires",
                        format!("valeur « {other} » inconnue : mono ou multi (R2162-2)."),
                    );
                    None
                }
            };
            choice.justification = non_empty(&form.justification);
        }
        Technique::Sad => {
            choice.sad_reference = non_empty(&form.sad_reference);
            match &choice.sad_reference {
                None => push("sad_reference", "indiquez le système d'acquisition dynamique sous lequel le marché spécifique est passé : centrale d'achat, plateforme, référence et catégorie (L2125-1 4°).".into()),
                Some(r) if r.chars().count() > 300 => push("sad_reference", "la référence du SAD ne peut pas dépasser 300 caractères.".into()),
                Some(_) => {}
            }
        }
        Technique::Aucune => {}
    }
    if errs.is_empty() {
        Ok(choice)
    } else {
        Err(errs)
    }
}

/// What forbids publishing (or, for a SAD, inviting) under this technique: French sentences
/// with their article. `maximum_ht` is the total of the members' needs, options and renewals
/// included (the accord-cadre's maximum, each member's need being its own part);
/// `duration_months` the duration written in the DCE data; `admitted` the number of candidates
/// admitted in the SAD's category.
#[must_use]
pub fn publication_problems(
    choice: &TechniqueChoice,
    maximum_ht: Decimal,
    duration_months: Option<u32>,
    admitted: usize,
    launch: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    match choice.technique {
        Technique::AccordCadre => {
            let (y, m, d) = MAXIMUM_REQUIRED_FROM;
            let required = NaiveDate::from_ymd_opt(y, m, d).is_some_and(|from| launch >= from);
            if required && maximum_ht <= Decimal::ZERO {
                out.push("l'accord-cadre n'a pas de maximum : saisissez le besoin maximal de chaque membre (la somme est le maximum de l'accord-cadre, obligatoire depuis le 1er janvier 2022, R2162-4)".to_owned());
            }
            match duration_months {
                None => out.push("la durée de l'accord-cadre n'est pas renseignée dans les données du DCE : quatre ans au plus, reconductions comprises (L2125-1 1°)".to_owned()),
                Some(months) if months > ACCORD_CADRE_MAX_MONTHS => {
                    let justified = choice
                        .justification
                        .as_deref()
                        .is_some_and(|j| j.chars().count() >= MIN_JUSTIFICATION_CHARS);
                    if !justified {
                        out.push(format!("l'accord-cadre dure {months} mois : au-delà de quatre ans, la durée doit être justifiée par son objet ou par les investissements qu'il impose (L2125-1 1°) ; écrivez cette justification (au moins {MIN_JUSTIFICATION_CHARS} caractères) dans la technique d'achat"));
                    }
                }
                Some(_) => {}
            }
        }
        Technique::Sad => {
            if admitted == 0 {
                out.push("aucun candidat admis dans la catégorie du SAD n'est enregistré : importez la liste des admis, que le marché spécifique invite tous à soumissionner (R2162-48 et suivants)".to_owned());
            }
        }
        Technique::Aucune => {}
    }
    out
}

/// Why no standstill precedes the signature, when none does (R2182-2): the marché awarded to
/// the only tenderer, or a marché spécifique of a SAD. `None`: the standstill of R2182-1 runs.
#[must_use]
pub fn standstill_exemption(technique: Technique, single_tenderer: bool) -> Option<&'static str> {
    if technique == Technique::Sad {
        Some(
            "le marché est un marché spécifique fondé sur un système d'acquisition dynamique (article R2182-2 du code de la commande publique)",
        )
    } else if single_tenderer {
        Some(
            "le marché est attribué au seul soumissionnaire (article R2182-2 du code de la commande publique)",
        )
    } else {
        None
    }
}

/// The minimum offer delay the technique sets, in days from the sending of the invitation,
/// with its reason; `None` when the procedure's own rule applies (R2161-x).
#[must_use]
pub fn own_min_offer_days(technique: Technique) -> Option<(u32, String)> {
    (technique == Technique::Sad).then(|| {
        (
            SAD_MIN_OFFER_DAYS,
            format!("Marché spécifique d'un système d'acquisition dynamique : délai minimal de {SAD_MIN_OFFER_DAYS} jours à compter de l'envoi de l'invitation à soumissionner (R2162-50)."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn form(t: &str, e: &str, a: &str, r: &str) -> TechniqueForm {
        TechniqueForm {
            technique: t.into(),
            execution: e.into(),
            attributaires: a.into(),
            sad_reference: r.into(),
            justification: String::new(),
        }
    }

    #[test]
    fn an_accord_cadre_needs_its_execution_and_its_titulaires() {
        let e = validate(&form("accord_cadre", "", "", "")).unwrap_err();
        assert!(e["execution"][0].contains("R2162-2"), "{e:?}");
        assert!(e["attributaires"][0].contains("R2162-2"), "{e:?}");
        let e = validate(&form("accord_cadre", "tranches", "mono", "")).unwrap_err();
        assert!(e["execution"][0].contains("« tranches » inconnu"), "{e:?}");
        let c = validate(&form("accord_cadre", "bons_de_commande", "mono", "ignored")).expect("ok");
        assert_eq!(c.execution, Some(Execution::BonsDeCommande));
        assert_eq!(c.attributaires, Some(Attributaires::Mono));
        assert_eq!(
            c.sad_reference, None,
            "a field of another technique is cleared"
        );
    }

    #[test]
    fn a_marche_specifique_names_its_sad_and_an_unknown_technique_is_refused() {
        let e = validate(&form("sad", "", "", "  ")).unwrap_err();
        assert!(e["sad_reference"][0].contains("L2125-1 4°"), "{e:?}");
        let c = validate(&form("sad", "mixte", "multi", "Resah – SAD DUI, domicile")).expect("ok");
        assert_eq!(c.execution, None);
        assert_eq!(
            c.sad_reference.as_deref(),
            Some("Resah – SAD DUI, domicile")
        );
        let e = validate(&form("concession", "", "", "")).unwrap_err();
        assert!(e["technique"][0].contains("inconnue"), "{e:?}");
        assert_eq!(
            validate(&form("", "", "", "")).expect("ordinary"),
            TechniqueChoice::default()
        );
    }

    #[test]
    fn an_accord_cadre_is_published_with_a_maximum_and_four_years_unless_justified() {
        let mut c = validate(&form("accord_cadre", "mixte", "multi", "")).expect("ok");
        let launch = d(2026, 12, 1);
        let p = publication_problems(&c, Decimal::ZERO, Some(48), 0, launch);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("R2162-4"), "{p:?}");
        // Before 2022 the maximum was not required yet (décret 2021-1111).
        assert!(publication_problems(&c, Decimal::ZERO, Some(48), 0, d(2021, 12, 31)).is_empty());
        assert!(publication_problems(&c, dec!(90000), Some(48), 0, launch).is_empty());
        let p = publication_problems(&c, dec!(90000), Some(49), 0, launch);
        assert!(p[0].contains("L2125-1 1°"), "{p:?}");
        c.justification = Some("trop court".into());
        assert_eq!(
            publication_problems(&c, dec!(90000), Some(49), 0, launch).len(),
            1
        );
        c.justification = Some("amortissement du matériel sur six ans".into());
        assert!(publication_problems(&c, dec!(90000), Some(72), 0, launch).is_empty());
        assert!(publication_problems(&c, dec!(90000), None, 0, launch)[0].contains("durée"));
    }

    #[test]
    fn a_marche_specifique_invites_admitted_candidates_without_standstill() {
        let c = validate(&form("sad", "", "", "Resah")).expect("ok");
        let launch = d(2026, 12, 1);
        assert!(publication_problems(&c, dec!(1), None, 0, launch)[0].contains("admis"));
        assert!(publication_problems(&c, dec!(1), None, 3, launch).is_empty());
        assert!(standstill_exemption(Technique::Sad, false).is_some_and(|r| r.contains("R2182-2")));
        assert!(standstill_exemption(Technique::AccordCadre, true).is_some());
        assert_eq!(standstill_exemption(Technique::AccordCadre, false), None);
        assert_eq!(standstill_exemption(Technique::Aucune, false), None);
        assert_eq!(own_min_offer_days(Technique::Sad).map(|x| x.0), Some(10));
        assert_eq!(own_min_offer_days(Technique::AccordCadre), None);
    }
}
