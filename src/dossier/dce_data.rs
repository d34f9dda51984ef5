//! The editorial data of a DCE that neither the registry nor the consultation holds (remedies
//! court, form of the contract, CCAP and CCTP parameters, users per establishment…), entered
//! once per consultation on the « Données du DCE » page, its flat form (pure) and its two loaders.
//!
//! Saving accepts a partial form (only the format of each value is checked); what a piece needs
//! is required when it is generated (see the pieces' context builder), with a French message naming the
//! field to fill in.

use crate::db::entities::dce_data;
use crate::error::{AppError, FieldErrors};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Court in charge of the remedies (R2181-3 and the avis: « instance chargée des procédures de
/// recours »).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Court {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
}

/// One penalty of the CCAP (derogation to CCAG art. 14 listed in its last article).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Penalty {
    pub event: String,
    pub amount: Decimal,
    pub unit: String,
    pub reference: String,
}

/// Administrative parameters of the CCAP (prices, revision, avance R2191-3, payment R2192-10).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CcapData {
    pub price_type: String,
    pub revision_index: String,
    pub revision_formula: String,
    pub revision_month: String,
    pub advance_rate: Option<Decimal>,
    pub payment_days: Option<u32>,
    pub retention: bool,
    pub availability_rate: String,
    pub penalties: Vec<Penalty>,
    pub penalty_cap_percent: Option<Decimal>,
    pub penalty_exemption_ht: Option<Decimal>,
    /// Rights on the results (CCAG-PI 2021, chapter 5 « Utilisation des résultats », articles 32
    /// and following): `A` (or empty) keeps the CCAG's own regime, the right to use the results
    /// for the needs of the marché; `B` is an exclusive assignment of the economic rights, a
    /// derogation listed in the last article of the CCAP.
    pub ip_option: String,
    /// CCAG-FCS: delivery delay in calendar days from the bon de commande.
    pub delivery_days: Option<u32>,
    /// CCAG-FCS: warranty in months from the admission.
    pub warranty_months: Option<u32>,
}

/// Technical parameters of the CCTP.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CctpData {
    pub hosting: String,
    pub availability_rate: String,
    pub recovery_hours: Option<u32>,
    pub go_live_months: Option<u32>,
    pub functional_requirements: Vec<String>,
    pub training: String,
    /// CCAG-PI (AMOA): the missions of the assistant à maîtrise d'ouvrage.
    pub amoa_missions: Vec<String>,
    /// CCAG-PI (AMOA): the deliverables expected.
    pub amoa_deliverables: Vec<String>,
}

/// The buyer's side of the acte d'engagement (ATTRI1 section D) beyond the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AeData {
    /// Person from whom the information on assignments and pledges of receivables can be
    /// obtained (ATTRI1 D; R2191-45 and following).
    pub info_contact: String,
    /// Comptable assignataire of the payments.
    pub accountant: String,
    /// Imputation budgétaire.
    pub budget_line: String,
}

/// Users, mobile devices and current tool of one establishment (FINESS géographique), for the
/// perimeter of the CCTP.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstablishmentUse {
    pub finess: String,
    pub users: Option<u32>,
    pub mobile_devices: Option<u32>,
    pub current_tool: String,
}

/// Everything the coordonnateur writes for the DCE besides the registry and the consultation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DceData {
    pub buyer_email: String,
    pub buyer_phone: String,
    /// Profil d'acheteur where the DCE is published (R2132-2).
    pub buyer_profile_url: String,
    pub court: Court,
    pub contract_form: String,
    pub duration_months: Option<u32>,
    pub renewals: Option<u32>,
    pub renewal_months: Option<u32>,
    pub variants_allowed: bool,
    pub cpv_additional: Vec<String>,
    /// Why a consultation with a single lot is not divided into lots (L2113-11), printed in
    /// the RC and kept for the rapport de présentation (R2184-3 2°).
    pub single_contract_reason: String,
    /// Detection threshold of an offre anormalement basse, % below the mean (L2152-5).
    pub oab_threshold_percent: Option<Decimal>,
    pub candidature_documents: Vec<String>,
    pub offer_documents: Vec<String>,
    /// Annexes of the DCE beyond the generated pieces (cadre de réponse, convention…).
    pub extra_dce_pieces: Vec<String>,
    pub ccap: CcapData,
    pub cctp: CctpData,
    pub establishments: Vec<EstablishmentUse>,
    pub ae: AeData,
}

impl DceData {
    /// Stored form.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Reads the stored form (unknown keys ignored, missing ones empty).
    #[must_use]
    pub fn from_json(s: &str) -> Self {
        serde_json::from_str(s).unwrap_or_default()
    }

    /// What an empty form proposes: the usual lists of the RC (R2143-3, R2143-4 for the
    /// candidature; ATTRI1 and the BPU for the offer) and the legal payment delay of 30 days
    /// (R2192-10). The coordonnateur sees and edits them before anything is saved.
    #[must_use]
    pub fn proposal() -> Self {
        Self {
            candidature_documents: vec![
                "la lettre de candidature (DC1) ou le DUME".into(),
                "la déclaration du candidat (DC2)".into(),
                "les déclarations sur l'honneur prévues aux articles R2143-3 et R2143-4 du code de la commande publique".into(),
                "le cas échéant, les pouvoirs de la personne habilitée à engager le candidat".into(),
            ],
            offer_documents: vec![
                "l'acte d'engagement (ATTRI1) complété, la signature n'étant exigée que de l'attributaire".into(),
                "le BPU/DQE du ou des lots, complété sans modification des quantités".into(),
                "le mémoire technique".into(),
            ],
            ccap: CcapData {
                payment_days: Some(30),
                ..CcapData::default()
            },
            cctp: CctpData {
                amoa_missions: vec![
                    "analyse des besoins des membres et des établissements (ateliers, état des lieux des outils et des organisations)".into(),
                    "aide à la rédaction des pièces du dossier de consultation (CCTP, cadre de réponse, grille d'analyse)".into(),
                    "assistance à l'analyse des candidatures et des offres (rapport d'analyse argumenté)".into(),
                    "suivi du déploiement de la solution retenue (comités de suivi, recette, indicateurs d'usage)".into(),
                ],
                ..CctpData::default()
            },
            ..Self::default()
        }
    }

    /// The data of the establishment `finess`, if entered.
    #[must_use]
    pub fn establishment(&self, finess: &str) -> Option<&EstablishmentUse> {
        self.establishments.iter().find(|e| e.finess == finess)
    }
}

/// The flat form: field name → text. Lists are one item per line; penalties are
/// « événement ; montant HT ; unité ; référence »; establishments use `users_<FINESS>`,
/// `devices_<FINESS>` and `tool_<FINESS>`.
pub type FormMap = BTreeMap<String, String>;

/// Names of the plain text fields of the form, with their French label.
pub const TEXT_FIELDS: [(&str, &str); 24] = [
    ("buyer_email", "adresse électronique de l'acheteur"),
    ("buyer_phone", "téléphone de l'acheteur"),
    ("buyer_profile_url", "adresse du profil d'acheteur"),
    ("court_name", "tribunal compétent"),
    ("court_address", "adresse du tribunal"),
    ("court_phone", "téléphone du tribunal"),
    ("court_email", "courriel du greffe"),
    ("court_website", "site du tribunal"),
    ("contract_form", "forme du contrat"),
    (
        "single_contract_reason",
        "motif de l'absence d'allotissement",
    ),
    ("ccap_price_type", "forme des prix"),
    ("ccap_revision_index", "indice de révision"),
    ("ccap_revision_formula", "formule de révision"),
    ("ccap_revision_month", "mois zéro"),
    ("ccap_availability_rate", "taux de disponibilité (CCAP)"),
    ("cctp_hosting", "hébergement"),
    ("cctp_availability_rate", "taux de disponibilité (CCTP)"),
    ("cctp_training", "formation"),
    (
        "oab_threshold_percent",
        "seuil de détection des offres anormalement basses (%)",
    ),
    ("ccap_advance_rate", "taux de l'avance (%)"),
    (
        "ccap_ip_option",
        "régime des droits sur les résultats (A ou B)",
    ),
    (
        "ae_info_contact",
        "personne renseignant sur les nantissements",
    ),
    ("ae_accountant", "comptable assignataire"),
    ("ae_budget_line", "imputation budgétaire"),
];

/// Whole numbers of the form.
const INT_FIELDS: [(&str, &str); 8] = [
    (
        "duration_months",
        "durée du marché ou de l'accord-cadre (mois)",
    ),
    ("renewals", "nombre de reconductions"),
    ("renewal_months", "durée d'une reconduction (mois)"),
    ("ccap_payment_days", "délai de paiement (jours)"),
    (
        "cctp_recovery_hours",
        "délai de rétablissement (heures ouvrées)",
    ),
    ("cctp_go_live_months", "délai de mise en service (mois)"),
    ("ccap_delivery_days", "délai de livraison (jours)"),
    ("ccap_warranty_months", "durée de la garantie (mois)"),
];

/// Lists of the form (one item per line).
const LIST_FIELDS: [&str; 8] = [
    "cpv_additional",
    "cctp_amoa_missions",
    "cctp_amoa_deliverables",
    "candidature_documents",
    "offer_documents",
    "extra_dce_pieces",
    "cctp_functional_requirements",
    "ccap_penalties",
];

/// Checkboxes of the form.
const BOOL_FIELDS: [&str; 2] = ["variants_allowed", "ccap_retention"];

/// Longest text value accepted in one field.
const MAX_FIELD_CHARS: usize = 10_000;

fn opt_text<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn dec_text(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string().replace('.', ","))
        .unwrap_or_default()
}

/// The form values of stored data, for `finesses` (every establishment of the groupement).
#[must_use]
pub fn to_form(d: &DceData, finesses: &[String]) -> FormMap {
    let mut m = FormMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), v);
    };
    put("buyer_email", d.buyer_email.clone());
    put("buyer_phone", d.buyer_phone.clone());
    put("buyer_profile_url", d.buyer_profile_url.clone());
    put("court_name", d.court.name.clone());
    put("court_address", d.court.address.clone());
    put("court_phone", d.court.phone.clone());
    put("court_email", d.court.email.clone());
    put("court_website", d.court.website.clone());
    put("contract_form", d.contract_form.clone());
    put("duration_months", opt_text(d.duration_months));
    put("renewals", opt_text(d.renewals));
    put("renewal_months", opt_text(d.renewal_months));
    put("variants_allowed", bool_text(d.variants_allowed));
    put("cpv_additional", d.cpv_additional.join("\n"));
    put("single_contract_reason", d.single_contract_reason.clone());
    put("oab_threshold_percent", dec_text(d.oab_threshold_percent));
    put("candidature_documents", d.candidature_documents.join("\n"));
    put("offer_documents", d.offer_documents.join("\n"));
    put("extra_dce_pieces", d.extra_dce_pieces.join("\n"));
    put("ccap_price_type", d.ccap.price_type.clone());
    put("ccap_revision_index", d.ccap.revision_index.clone());
    put("ccap_revision_formula", d.ccap.revision_formula.clone());
    put("ccap_revision_month", d.ccap.revision_month.clone());
    put("ccap_advance_rate", dec_text(d.ccap.advance_rate));
    put("ccap_payment_days", opt_text(d.ccap.payment_days));
    put("ccap_retention", bool_text(d.ccap.retention));
    put("ccap_availability_rate", d.ccap.availability_rate.clone());
    put(
        "ccap_penalties",
        d.ccap
            .penalties
            .iter()
            .map(|p| {
                format!(
                    "{} ; {} ; {} ; {}",
                    p.event,
                    dec_text(Some(p.amount)),
                    p.unit,
                    p.reference
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    put(
        "ccap_penalty_cap_percent",
        dec_text(d.ccap.penalty_cap_percent),
    );
    put(
        "ccap_penalty_exemption_ht",
        dec_text(d.ccap.penalty_exemption_ht),
    );
    put("cctp_hosting", d.cctp.hosting.clone());
    put("cctp_availability_rate", d.cctp.availability_rate.clone());
    put("cctp_recovery_hours", opt_text(d.cctp.recovery_hours));
    put("cctp_go_live_months", opt_text(d.cctp.go_live_months));
    put(
        "cctp_functional_requirements",
        d.cctp.functional_requirements.join("\n"),
    );
    put("cctp_training", d.cctp.training.clone());
    put("ccap_ip_option", d.ccap.ip_option.clone());
    put("ccap_delivery_days", opt_text(d.ccap.delivery_days));
    put("ccap_warranty_months", opt_text(d.ccap.warranty_months));
    put("cctp_amoa_missions", d.cctp.amoa_missions.join("\n"));
    put(
        "cctp_amoa_deliverables",
        d.cctp.amoa_deliverables.join("\n"),
    );
    put("ae_info_contact", d.ae.info_contact.clone());
    put("ae_accountant", d.ae.accountant.clone());
    put("ae_budget_line", d.ae.budget_line.clone());
    for f in finesses {
        let e = d.establishment(f);
        put(&format!("users_{f}"), opt_text(e.and_then(|e| e.users)));
        put(
            &format!("devices_{f}"),
            opt_text(e.and_then(|e| e.mobile_devices)),
        );
        put(
            &format!("tool_{f}"),
            e.map(|e| e.current_tool.clone()).unwrap_or_default(),
        );
    }
    m
}

fn bool_text(b: bool) -> String {
    if b { "on".into() } else { String::new() }
}

fn push(errs: &mut FieldErrors, field: &str, msg: String) {
    errs.entry(field.to_owned()).or_default().push(msg);
}

/// Parses a non-negative decimal written the French way (« 99,5 », « 1 000,00 »).
///
/// # Errors
/// A French message naming the value.
pub fn parse_decimal(label: &str, s: &str) -> Result<Option<Decimal>, String> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '\u{A0}' && *c != '€')
        .collect::<String>()
        .replace(',', ".");
    let cleaned = cleaned.trim_end_matches('%');
    if cleaned.is_empty() {
        return Ok(None);
    }
    match Decimal::from_str(cleaned) {
        Ok(d) if !d.is_sign_negative() => Ok(Some(d)),
        _ => Err(format!(
            "{label} : « {} » n'est pas un nombre positif (ex. 99,5)",
            s.trim()
        )),
    }
}

fn parse_int(label: &str, s: &str) -> Result<Option<u32>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{label} : « {t} » n'est pas un nombre entier positif"))
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_penalties(s: &str, errs: &mut FieldErrors) -> Vec<Penalty> {
    let mut out = Vec::new();
    for (i, line) in lines(s).iter().enumerate() {
        let parts: Vec<&str> = line.split(';').map(str::trim).collect();
        let [event, amount, unit, reference] = parts.as_slice() else {
            push(
                errs,
                "ccap_penalties",
                format!(
                    "pénalités, ligne {} : écrire « événement ; montant HT ; unité ; référence » (4 éléments séparés par des points-virgules)",
                    i + 1
                ),
            );
            continue;
        };
        match parse_decimal(&format!("pénalités, ligne {}, montant", i + 1), amount) {
            Ok(Some(a)) if !event.is_empty() => out.push(Penalty {
                event: (*event).to_owned(),
                amount: a,
                unit: (*unit).to_owned(),
                reference: (*reference).to_owned(),
            }),
            Ok(_) => push(
                errs,
                "ccap_penalties",
                format!(
                    "pénalités, ligne {} : l'événement et le montant sont obligatoires",
                    i + 1
                ),
            ),
            Err(e) => push(errs, "ccap_penalties", e),
        }
    }
    out
}

/// Parses the submitted form (only formats are checked; empty fields stay empty).
///
/// # Errors
/// Field → French messages.
pub fn from_form(f: &FormMap, finesses: &[String]) -> Result<DceData, FieldErrors> {
    let mut errs = FieldErrors::new();
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    for (k, v) in f {
        if v.chars().count() > MAX_FIELD_CHARS {
            push(
                &mut errs,
                k,
                format!("le champ « {k} » dépasse {MAX_FIELD_CHARS} caractères"),
            );
        }
    }
    let mut int = |k: &str| {
        let label = INT_FIELDS
            .iter()
            .find(|(n, _)| *n == k)
            .map_or(k, |(_, l)| *l);
        parse_int(label, &get(k)).unwrap_or_else(|e| {
            push(&mut errs, k, e);
            None
        })
    };
    let duration_months = int("duration_months");
    let renewals = int("renewals");
    let renewal_months = int("renewal_months");
    let payment_days = int("ccap_payment_days");
    let recovery_hours = int("cctp_recovery_hours");
    let go_live_months = int("cctp_go_live_months");
    let delivery_days = int("ccap_delivery_days");
    let warranty_months = int("ccap_warranty_months");
    let mut dec = |k: &str, label: &str| {
        parse_decimal(label, &get(k)).unwrap_or_else(|e| {
            push(&mut errs, k, e);
            None
        })
    };
    let oab = dec(
        "oab_threshold_percent",
        "seuil de détection des offres anormalement basses",
    );
    let advance = dec("ccap_advance_rate", "taux de l'avance");
    let cap = dec("ccap_penalty_cap_percent", "plafond des pénalités");
    let exemption = dec(
        "ccap_penalty_exemption_ht",
        "seuil d'exonération des pénalités",
    );
    for k in ["ccap_availability_rate", "cctp_availability_rate"] {
        if let Err(e) = parse_decimal("taux de disponibilité", &get(k)) {
            push(&mut errs, k, e);
        }
    }
    let ip_option = get("ccap_ip_option").to_uppercase();
    if !matches!(ip_option.as_str(), "" | "A" | "B") {
        push(
            &mut errs,
            "ccap_ip_option",
            format!("régime des droits sur les résultats : « {ip_option} » n'est ni A ni B"),
        );
    }
    let checked = |k: &str| matches!(get(k).as_str(), "on" | "true" | "1" | "oui");
    let penalties = parse_penalties(&get("ccap_penalties"), &mut errs);
    let mut establishments = Vec::new();
    for fin in finesses {
        let users = parse_int("nombre d'utilisateurs", &get(&format!("users_{fin}")));
        let devices = parse_int("nombre de terminaux", &get(&format!("devices_{fin}")));
        let (users, devices) = match (users, devices) {
            (Ok(u), Ok(d)) => (u, d),
            (u, d) => {
                for e in [u.err(), d.err()].into_iter().flatten() {
                    push(
                        &mut errs,
                        &format!("users_{fin}"),
                        format!("établissement {fin} : {e}"),
                    );
                }
                (None, None)
            }
        };
        let tool = get(&format!("tool_{fin}"));
        if users.is_some() || devices.is_some() || !tool.is_empty() {
            establishments.push(EstablishmentUse {
                finess: fin.clone(),
                users,
                mobile_devices: devices,
                current_tool: tool,
            });
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(DceData {
        buyer_email: get("buyer_email"),
        buyer_phone: get("buyer_phone"),
        buyer_profile_url: get("buyer_profile_url"),
        court: Court {
            name: get("court_name"),
            address: get("court_address"),
            phone: get("court_phone"),
            email: get("court_email"),
            website: get("court_website"),
        },
        contract_form: get("contract_form"),
        duration_months,
        renewals,
        renewal_months,
        variants_allowed: checked("variants_allowed"),
        cpv_additional: lines(&get("cpv_additional")),
        single_contract_reason: get("single_contract_reason"),
        oab_threshold_percent: oab,
        candidature_documents: lines(&get("candidature_documents")),
        offer_documents: lines(&get("offer_documents")),
        extra_dce_pieces: lines(&get("extra_dce_pieces")),
        ccap: CcapData {
            price_type: get("ccap_price_type"),
            revision_index: get("ccap_revision_index"),
            revision_formula: get("ccap_revision_formula"),
            revision_month: get("ccap_revision_month"),
            advance_rate: advance,
            payment_days,
            retention: checked("ccap_retention"),
            availability_rate: get("ccap_availability_rate"),
            penalties,
            penalty_cap_percent: cap,
            penalty_exemption_ht: exemption,
            ip_option,
            delivery_days,
            warranty_months,
        },
        cctp: CctpData {
            hosting: get("cctp_hosting"),
            availability_rate: get("cctp_availability_rate"),
            recovery_hours,
            go_live_months,
            functional_requirements: lines(&get("cctp_functional_requirements")),
            training: get("cctp_training"),
            amoa_missions: lines(&get("cctp_amoa_missions")),
            amoa_deliverables: lines(&get("cctp_amoa_deliverables")),
        },
        establishments,
        ae: AeData {
            info_contact: get("ae_info_contact"),
            accountant: get("ae_accountant"),
            budget_line: get("ae_budget_line"),
        },
    })
}

/// Every key the form template reads, so that a re-rendered form never misses one.
#[must_use]
pub fn form_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = TEXT_FIELDS.iter().map(|(k, _)| *k).collect();
    keys.extend(INT_FIELDS.iter().map(|(k, _)| *k));
    keys.extend(LIST_FIELDS);
    keys.extend(BOOL_FIELDS);
    keys.extend(["ccap_penalty_cap_percent", "ccap_penalty_exemption_ht"]);
    keys
}

/// The stored DCE data of a consultation (empty when never saved).
///
/// # Errors
/// Database errors.
pub async fn dce_data<C: ConnectionTrait>(db: &C, cid: i32) -> Result<DceData, AppError> {
    Ok(dce_data::Entity::find()
        .filter(dce_data::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .map(|r| DceData::from_json(&r.data))
        .unwrap_or_default())
}

/// Whether the DCE data of a consultation was ever saved.
///
/// # Errors
/// Database errors.
pub async fn dce_data_saved<C: ConnectionTrait>(db: &C, cid: i32) -> Result<bool, AppError> {
    Ok(dce_data::Entity::find()
        .filter(dce_data::Column::ConsultationId.eq(cid))
        .one(db)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn finesses() -> Vec<String> {
        vec!["590044947".into(), "590054144".into()]
    }

    fn full() -> DceData {
        DceData {
            buyer_profile_url: "https://marches.example/ccas".into(),
            court: Court {
                name: "Tribunal administratif de Lille".into(),
                ..Court::default()
            },
            duration_months: Some(48),
            oab_threshold_percent: Some(dec!(20)),
            cpv_additional: vec!["72263000-6".into(), "80533100-0".into()],
            ccap: CcapData {
                advance_rate: Some(dec!(5)),
                penalties: vec![Penalty {
                    event: "retard".into(),
                    amount: dec!(150.5),
                    unit: "par jour".into(),
                    reference: "CCAP".into(),
                }],
                penalty_exemption_ht: Some(dec!(1000)),
                retention: true,
                ip_option: "B".into(),
                delivery_days: Some(30),
                warranty_months: Some(36),
                ..CcapData::default()
            },
            cctp: CctpData {
                amoa_missions: vec!["analyse des besoins".into()],
                amoa_deliverables: vec!["rapport d'analyse".into()],
                ..CctpData::default()
            },
            ae: AeData {
                info_contact: "service marchés".into(),
                accountant: "trésorerie de Roubaix".into(),
                budget_line: "compte 2183".into(),
            },
            establishments: vec![EstablishmentUse {
                finess: "590044947".into(),
                users: Some(10),
                mobile_devices: Some(8),
                current_tool: "aucun".into(),
            }],
            ..DceData::default()
        }
    }

    #[test]
    fn form_round_trips() {
        let d = full();
        let form = to_form(&d, &finesses());
        assert_eq!(form["ccap_penalties"], "retard ; 150,5 ; par jour ; CCAP");
        assert_eq!(form["users_590054144"], "");
        assert_eq!(from_form(&form, &finesses()).unwrap(), d);
        let back = DceData::from_json(&d.to_json());
        assert_eq!(back, d);
    }

    #[test]
    fn every_form_key_is_produced() {
        let form = to_form(&DceData::default(), &[]);
        for k in form_keys() {
            assert!(form.contains_key(k), "{k}");
        }
    }

    #[test]
    fn bad_values_are_named_in_french() {
        let mut f = to_form(&DceData::default(), &finesses());
        f.insert("duration_months".into(), "quatre ans".into());
        f.insert("oab_threshold_percent".into(), "-3".into());
        f.insert("ccap_penalties".into(), "retard ; 150".into());
        f.insert("users_590044947".into(), "dix".into());
        f.insert("ccap_ip_option".into(), "C".into());
        let errs = from_form(&f, &finesses()).unwrap_err();
        assert!(errs["ccap_ip_option"][0].contains("ni A ni B"));
        assert!(errs["duration_months"][0].contains("« quatre ans »"));
        assert!(errs["oab_threshold_percent"][0].contains("« -3 »"));
        assert!(errs["ccap_penalties"][0].contains("ligne 1"));
        assert!(errs["users_590044947"][0].contains("590044947"));
    }

    #[test]
    fn french_decimals_are_read() {
        assert_eq!(parse_decimal("x", "1 000,50").unwrap(), Some(dec!(1000.50)));
        assert_eq!(parse_decimal("x", "20 %").unwrap(), Some(dec!(20)));
        assert_eq!(parse_decimal("x", " ").unwrap(), None);
        assert!(parse_decimal("x", "1,2,3").is_err());
    }

    #[test]
    fn the_proposal_uses_the_legal_payment_delay() {
        let p = DceData::proposal();
        assert_eq!(p.ccap.payment_days, Some(30));
        assert!(p.candidature_documents.iter().any(|d| d.contains("DC1")));
        assert!(p.court.name.is_empty(), "no court is guessed");
        assert_eq!(p.cctp.amoa_missions.len(), 4, "the four AMOA missions");
        // Data stored before these fields existed still reads.
        let old = DceData::from_json(r#"{"ccap":{"payment_days":45},"cctp":{"hosting":"HDS"}}"#);
        assert_eq!(old.ccap.payment_days, Some(45));
        assert!(old.ccap.ip_option.is_empty() && old.ae.accountant.is_empty());
    }
}
