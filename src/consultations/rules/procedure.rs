//! Choice of the procedure (DOMAIN.md Part B §1): thresholds by launch date, publicity, CAO,
//! minimum offer delay, small-lots exception, environmental criterion.

pub use super::cli::cli_json;
use super::lots::{LotResult, allocate_lots};
pub use super::overrides::{Override, justify_override};
use super::params::{self, ThresholdInfo};
use super::{RulesError, format_eur, format_eur_short};
use crate::calendar::french_date;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Nature of the marché (L1111-2 to L1111-4): it selects the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    Fournitures,
    Services,
    Travaux,
}

impl Nature {
    pub fn label(self) -> &'static str {
        match self {
            Nature::Fournitures => "fournitures",
            Nature::Services => "services",
            Nature::Travaux => "travaux",
        }
    }

    /// Parses "fournitures", "services", "travaux" (case-insensitive, singular accepted).
    pub fn parse(input: &str) -> Result<Nature, RulesError> {
        match input.trim().to_lowercase().as_str() {
            "fournitures" | "fourniture" => Ok(Nature::Fournitures),
            "services" | "service" => Ok(Nature::Services),
            "travaux" | "travail" => Ok(Nature::Travaux),
            _ => Err(RulesError::UnknownNature(input.to_string())),
        }
    }
}

/// Kind of buyer running the procedure (the coordonnateur for a groupement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerKind {
    /// Collectivité territoriale or établissement public local (a CCAS): CAO compulsory for
    /// formalised procedures (CGCT L1414-2).
    #[default]
    CollectiviteOuEpl,
    /// Other pouvoir adjudicateur (EPS, association qualifying as PA…): no legal CAO.
    AutrePouvoirAdjudicateur,
    /// État and its établissements listed in annexe 2 CCP (lower F&S threshold).
    AutoritePubliqueCentrale,
}

/// One lot (or the single marché) with its estimated amounts HT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotInput {
    pub label: String,
    pub amount_ht: Decimal,
    #[serde(default)]
    pub options_ht: Decimal,
    #[serde(default)]
    pub renewals_ht: Decimal,
}

impl LotInput {
    pub fn new(label: &str, amount_ht: Decimal) -> LotInput {
        LotInput {
            label: label.to_string(),
            amount_ht,
            options_ht: Decimal::ZERO,
            renewals_ht: Decimal::ZERO,
        }
    }

    /// Estimated value: amount + options + renewals (R2121-1).
    pub fn total_ht(&self) -> Decimal {
        self.amount_ht + self.options_ht + self.renewals_ht
    }
}

fn default_true() -> bool {
    true
}

/// Input of [`propose`]. For a groupement, the amounts are the sum of all members' needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureInput {
    pub nature: Nature,
    pub lots: Vec<LotInput>,
    pub launch_date: NaiveDate,
    #[serde(default)]
    pub buyer_kind: BuyerKind,
    #[serde(default = "default_true")]
    pub electronic_reception: bool,
    #[serde(default)]
    pub preinformation: bool,
    #[serde(default)]
    pub urgence: bool,
}

impl ProcedureInput {
    /// A single-lot input with the defaults of the groupement (collectivité, electronic reception).
    pub fn single(nature: Nature, amount_ht: Decimal, launch_date: NaiveDate) -> ProcedureInput {
        ProcedureInput {
            nature,
            lots: vec![LotInput::new("Marché unique", amount_ht)],
            launch_date,
            buyer_kind: BuyerKind::default(),
            electronic_reception: true,
            preinformation: false,
            urgence: false,
        }
    }
}

/// The procedures the engine proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    /// R2122-8.
    SansPubliciteNiMiseEnConcurrence,
    /// L2123-1, R2123-1.
    ProcedureAdaptee,
    /// L2124-2, R2161-2 to R2161-5.
    AppelOffresOuvert,
}

impl ProcedureKind {
    pub fn label(self) -> &'static str {
        match self {
            ProcedureKind::SansPubliciteNiMiseEnConcurrence => {
                "Marché sans publicité ni mise en concurrence préalables"
            }
            ProcedureKind::ProcedureAdaptee => "Procédure adaptée (MAPA)",
            ProcedureKind::AppelOffresOuvert => "Appel d'offres ouvert",
        }
    }

    pub fn is_formalised(self) -> bool {
        self == ProcedureKind::AppelOffresOuvert
    }
}

/// Publicity regime of the avis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publicity {
    /// R2122-8: no prior publicity.
    None,
    /// R2131-12 1°: medium freely chosen.
    Adaptee,
    /// R2131-12 2°: BOAMP or JAL, plus profil d'acheteur.
    BoampOuJal,
    /// R2131-16: JOUE and BOAMP, plus profil d'acheteur.
    JoueEtBoamp,
}

impl Publicity {
    pub fn label(self) -> &'static str {
        match self {
            Publicity::None => "Aucune publicité préalable (R2122-8)",
            Publicity::Adaptee => "Publicité adaptée, support librement choisi (R2131-12 1°)",
            Publicity::BoampOuJal => {
                "Avis au BOAMP ou dans un journal d'annonces légales, et sur le profil d'acheteur (R2131-12 2°)"
            }
            Publicity::JoueEtBoamp => {
                "Avis au JOUE et au BOAMP, et sur le profil d'acheteur (R2131-16)"
            }
        }
    }
}

/// Publicity code and French label, as serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicityInfo {
    pub code: Publicity,
    pub label: &'static str,
}

impl From<Publicity> for PublicityInfo {
    fn from(code: Publicity) -> Self {
        PublicityInfo {
            code,
            label: code.label(),
        }
    }
}

/// Result of [`propose`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcedureProposal {
    pub procedure: ProcedureKind,
    pub procedure_label: &'static str,
    pub total_amount_ht: Decimal,
    pub reasons: Vec<String>,
    pub cao_required: bool,
    pub publicity: PublicityInfo,
    pub min_offer_days: Option<u32>,
    pub thresholds: Vec<ThresholdInfo>,
    pub lots: Vec<LotResult>,
    pub env_criterion_required: bool,
    pub avis_attribution_required: bool,
    pub decp_required: bool,
}

/// Minimum offer delay of an appel d'offres ouvert, in calendar days from sending the avis, and
/// the French reason: 15 with préinformation or urgency, else 30 electronic, else 35
/// (R2161-2, R2161-3).
pub fn aoo_min_offer_days(
    launch: NaiveDate,
    electronic: bool,
    preinformation: bool,
    urgence: bool,
) -> Result<(u32, String), RulesError> {
    let (param, case) = if urgence {
        (
            params::AOO_DAYS_URGENCY.at(launch)?,
            "urgence dûment justifiée, à motiver",
        )
    } else if preinformation {
        (
            params::AOO_DAYS_PREINFORMATION.at(launch)?,
            "avis de préinformation publié 35 jours à 12 mois avant l'avis de marché",
        )
    } else if electronic {
        (
            params::AOO_DAYS_ELECTRONIC.at(launch)?,
            "offres transmises par voie électronique",
        )
    } else {
        (
            params::AOO_DAYS_STANDARD.at(launch)?,
            "délai de droit commun",
        )
    };
    let reason = format!(
        "Délai minimal de réception des offres : {} jours à compter de la date d'envoi de l'avis de marché ({case}, {}).",
        param.value, param.legal_basis
    );
    Ok((param.value, reason))
}

/// Formalised threshold for the buyer and nature at `launch`.
pub fn formalised_threshold(
    nature: Nature,
    buyer: BuyerKind,
    launch: NaiveDate,
) -> Result<ThresholdInfo, RulesError> {
    match (nature, buyer) {
        (Nature::Travaux, _) => params::EU_WORKS.info_at(launch),
        (_, BuyerKind::AutoritePubliqueCentrale) => params::EU_FS_CENTRAL.info_at(launch),
        _ => params::EU_FS_OTHER_PA.info_at(launch),
    }
}

/// Dispense threshold (R2122-8) for the nature at `launch`.
pub fn dispense_threshold(nature: Nature, launch: NaiveDate) -> Result<ThresholdInfo, RulesError> {
    match nature {
        Nature::Travaux => params::DISPENSE_WORKS.info_at(launch),
        _ => params::DISPENSE_FS.info_at(launch),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn validity(t: &ThresholdInfo) -> String {
    match t.valid_to {
        Some(to) => format!(
            "en vigueur du {} au {}",
            french_date(t.valid_from),
            french_date(to)
        ),
        None => format!("en vigueur depuis le {}", french_date(t.valid_from)),
    }
}

fn describe(t: &ThresholdInfo) -> String {
    format!(
        "{} de {} HT ({} ; {})",
        t.label,
        format_eur_short(t.value),
        t.legal_basis,
        validity(t)
    )
}

fn validate(input: &ProcedureInput) -> Result<(), RulesError> {
    if input.lots.is_empty() {
        return Err(RulesError::NoLot);
    }
    for (i, lot) in input.lots.iter().enumerate() {
        let name = if lot.label.trim().is_empty() {
            format!("n° {}", i + 1)
        } else {
            lot.label.clone()
        };
        let bad = |reason: String| RulesError::InvalidLot {
            lot: name.clone(),
            reason,
        };
        if lot.amount_ht <= Decimal::ZERO {
            return Err(bad(format!(
                "le montant estimé HT doit être strictement positif (reçu : {})",
                format_eur(lot.amount_ht)
            )));
        }
        if lot.options_ht < Decimal::ZERO || lot.renewals_ht < Decimal::ZERO {
            return Err(bad(
                "les montants des options et des reconductions ne peuvent pas être négatifs"
                    .to_string(),
            ));
        }
    }
    Ok(())
}

/// Proposes the procedure for a consultation (DOMAIN.md §1.3): the value of **all lots together**,
/// options and renewals included (R2121-1, R2121-6), is compared with the dispense threshold
/// (R2122-8, strictly below), the formalised threshold (annexe 2 CCP, at or above) and the
/// publicity step (R2131-12), all chosen by the launch date.
pub fn propose(input: &ProcedureInput) -> Result<ProcedureProposal, RulesError> {
    validate(input)?;
    let launch = input.launch_date;
    let total: Decimal = input.lots.iter().map(LotInput::total_ht).sum();
    let dispense = dispense_threshold(input.nature, launch)?;
    let publicity_step = params::PUBLICITY_BOAMP_JAL.info_at(launch)?;
    let formalised = formalised_threshold(input.nature, input.buyer_kind, launch)?;
    let env_param = params::ENV_CRITERION_MANDATORY.at(launch)?;
    let decp = params::DECP_THRESHOLD.at(launch)?;

    let extras: Decimal = input
        .lots
        .iter()
        .map(|l| l.options_ht + l.renewals_ht)
        .sum();
    let mut reasons = vec![format!(
        "Valeur estimée de l'opération ({}) : {} HT, somme de {}{}, options et reconductions comprises, appréciée au lancement de la consultation (R2121-1, R2121-2, R2121-6).",
        input.nature.label(),
        format_eur(total),
        if input.lots.len() == 1 {
            "1 lot".to_string()
        } else {
            format!("{} lots", input.lots.len())
        },
        if extras > Decimal::ZERO {
            format!(
                " dont {} HT d'options et de reconductions",
                format_eur(extras)
            )
        } else {
            String::new()
        }
    )];

    let procedure = if total < dispense.value {
        reasons.push(format!(
            "{} HT < {} : marché sans publicité ni mise en concurrence préalables possible ; l'acheteur choisit une offre pertinente, fait une bonne utilisation des deniers publics et ne contracte pas systématiquement avec un même opérateur (R2122-8).",
            format_eur(total),
            describe(&dispense)
        ));
        ProcedureKind::SansPubliciteNiMiseEnConcurrence
    } else if total < formalised.value {
        reasons.push(format!(
            "{} HT ≥ {} et < {} : procédure adaptée (L2123-1, R2123-1 1°).",
            format_eur(total),
            describe(&dispense),
            describe(&formalised)
        ));
        ProcedureKind::ProcedureAdaptee
    } else {
        reasons.push(format!(
            "{} HT ≥ {} : procédure formalisée ; l'appel d'offres ouvert est proposé, l'appel d'offres restreint pouvant être librement choisi (L2124-2, R2124-2) ; la procédure avec négociation et le dialogue compétitif ne sont ouverts que dans les cas de R2124-3.",
            format_eur(total),
            describe(&formalised)
        ));
        ProcedureKind::AppelOffresOuvert
    };

    let publicity = match procedure {
        ProcedureKind::SansPubliciteNiMiseEnConcurrence => Publicity::None,
        ProcedureKind::ProcedureAdaptee if total < publicity_step.value => Publicity::Adaptee,
        ProcedureKind::ProcedureAdaptee => Publicity::BoampOuJal,
        ProcedureKind::AppelOffresOuvert => Publicity::JoueEtBoamp,
    };
    if procedure == ProcedureKind::ProcedureAdaptee {
        let cmp = if publicity == Publicity::Adaptee {
            "<"
        } else {
            "≥"
        };
        reasons.push(format!(
            "Publicité : {} HT {cmp} {} : {}.",
            format_eur(total),
            describe(&publicity_step),
            lower_first(publicity.label())
        ));
    } else {
        reasons.push(format!("Publicité : {}.", lower_first(publicity.label())));
    }

    let min_offer_days = if procedure.is_formalised() {
        let (days, reason) = aoo_min_offer_days(
            launch,
            input.electronic_reception,
            input.preinformation,
            input.urgence,
        )?;
        reasons.push(reason);
        Some(days)
    } else {
        if procedure == ProcedureKind::ProcedureAdaptee {
            reasons.push(
                "Procédure adaptée : pas de délai minimal réglementaire ; fixer un délai raisonnable tenant compte de la complexité du marché et du temps nécessaire à la préparation des offres (R2151-1), compté à partir de la publication de l'avis (CE 5 août 2009, n° 307117)."
                    .to_string(),
            );
        }
        None
    };

    let cao_required =
        procedure.is_formalised() && input.buyer_kind == BuyerKind::CollectiviteOuEpl;
    reasons.push(match (procedure.is_formalised(), input.buyer_kind) {
        (true, BuyerKind::CollectiviteOuEpl) => "Procédure formalisée d'une collectivité ou d'un établissement public local : l'attributaire est choisi par la commission d'appel d'offres (CGCT L1414-2).".to_string(),
        (true, _) => "Acheteur autre qu'une collectivité territoriale ou un établissement public local : pas de commission d'appel d'offres imposée par la loi (CGCT L1414-2).".to_string(),
        (false, _) => "Procédure non formalisée : la commission d'appel d'offres n'est pas obligatoire (CGCT L1414-2).".to_string(),
    });

    let env_criterion_required =
        env_param.value && procedure != ProcedureKind::SansPubliciteNiMiseEnConcurrence;
    if env_criterion_required {
        reasons.push(format!(
            "Consultation lancée à compter du 21 août 2026 : au moins un critère d'attribution prend en compte les caractéristiques environnementales des offres ({}).",
            env_param.legal_basis
        ));
    }

    let avis_attribution_required = procedure.is_formalised();
    if avis_attribution_required {
        reasons.push("Un avis d'attribution est envoyé à la publication dans les 30 jours suivant la signature du marché (R2183-1).".to_string());
    }

    let mut thresholds = vec![dispense, publicity_step, formalised.clone()];
    let (lots, small_lot_thresholds) = allocate_lots(input, procedure, total, &formalised)?;
    thresholds.extend(small_lot_thresholds);

    let decp_required = lots.iter().any(|l| l.amount_ht >= decp.value);
    if decp_required {
        reasons.push(format!(
            "Données essentielles à publier sur data.gouv.fr dans les 2 mois suivant la notification de chaque marché d'au moins {} HT ({}).",
            format_eur_short(decp.value),
            decp.legal_basis
        ));
    }
    reasons.extend(
        lots.iter()
            .filter(|_| input.lots.len() > 1)
            .map(|l| l.reason.clone()),
    );

    Ok(ProcedureProposal {
        procedure,
        procedure_label: procedure.label(),
        total_amount_ht: total,
        reasons,
        cao_required,
        publicity: publicity.into(),
        min_offer_days,
        thresholds,
        lots,
        env_criterion_required,
        avis_attribution_required,
        decp_required,
    })
}
