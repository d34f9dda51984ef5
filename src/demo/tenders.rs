//! The two tenders of the convention (art. 1 and 4) as the coordonnateur would enter them,
//! and their fictitious bidders (plausible French company names, SIRET with valid keys,
//! e-mail addresses on example.org).

use super::Demo;
use crate::consultations::rules::technique_choice::TechniqueForm;
use crate::error::AppError;
use serde_json::{Value, json};

/// A fictitious bidder and its offer.
#[derive(Clone, Debug)]
pub struct Bidder {
    pub name: &'static str,
    pub siret: &'static str,
    pub address: &'static str,
    pub email: &'static str,
    /// Total price HT (French format, as typed in the form).
    pub price_ht: &'static str,
    /// `None`: régulière, acceptable et appropriée; `Some(reason)`: irrégulière.
    pub irregular: Option<&'static str>,
    /// The note (/20) each scorer gives on every evaluated criterion.
    pub note: &'static str,
    pub justification: &'static str,
}

/// One tender of the demo.
#[derive(Clone, Debug)]
pub struct Tender {
    pub reference: String,
    pub objet: &'static str,
    /// `fournitures`, `services` or `travaux`.
    pub nature: &'static str,
    pub cpv: &'static str,
    pub ccag: &'static str,
    pub lot_label: &'static str,
    /// Estimated need HT of each member (all members alike).
    pub need_ht: &'static str,
    /// Unit of the BPU/DQE line and quantity of the first member (+ `quantity_step` each).
    pub unit: &'static str,
    pub quantity_base: u32,
    pub quantity_step: u32,
    /// Price lines of the BPU/DQE: designation, unit, quantity of the first member and the
    /// step added for each next member.
    pub price_lines: Vec<(&'static str, &'static str, u32, u32)>,
    /// The award criteria (scoring engine format).
    pub grid: Value,
    /// Fields of the « Données du DCE » form specific to this tender.
    pub dce_fields: Vec<(&'static str, &'static str)>,
    pub bidders: Vec<Bidder>,
    /// The grounds of the choice, written in the decision and in every NOTI3.
    pub reasons: &'static str,
    /// A procedure chosen instead of the proposed one, with its justification (R2184-3 1°).
    pub procedure: Option<(&'static str, &'static str)>,
    /// The technique d'achat (L2125-1), as its page's form takes it.
    pub technique: TechniqueForm,
    /// A marché spécifique's candidates admitted in the SAD's category (name, SIRET, e-mail),
    /// imported from the central purchasing body's list.
    pub sad_admitted: Vec<(&'static str, &'static str, &'static str)>,
}

impl Tender {
    /// The bidder ranked first (the best note, all criteria alike, at the lowest price among
    /// equal notes): the one the demo awards.
    #[must_use]
    pub fn winner(&self) -> &Bidder {
        &self.bidders[0]
    }
}

/// Reference prefix of the demo's consultations.
pub const PREFIX: &str = "DEMO-";

/// The number of the next pair: one more than the highest `DEMO-…-n` of the groupement.
///
/// # Errors
/// Database errors.
pub async fn next_number(d: &Demo) -> Result<u32, AppError> {
    let cs = crate::consultations::service::list(&d.st.db, d.gid).await?;
    Ok(cs
        .iter()
        .filter_map(|c| {
            c.reference
                .strip_prefix(PREFIX)?
                .rsplit('-')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap_or(0)
        + 1)
}

/// The AMOA: prestations intellectuelles under the CCAG-PI, 100 000 € TTC in the budget
/// (annex 5), a procédure adaptée.
#[must_use]
pub fn amoa(n: u32) -> Tender {
    Tender {
        reference: format!("{PREFIX}AMOA-{n}"),
        objet: "Assistance à maîtrise d'ouvrage pour le déploiement d'un dossier usager informatisé (ESMS numérique)",
        nature: "services",
        cpv: "72224000-1",
        ccag: "pi",
        lot_label: "Assistance à maîtrise d'ouvrage",
        need_ht: "8 300,00",
        unit: "jour d'intervention",
        quantity_base: 8,
        quantity_step: 1,
        price_lines: vec![
            (
                "Analyse des besoins et état des lieux des outils et des organisations",
                "jour",
                3,
                0,
            ),
            (
                "Assistance à la rédaction du DCE du logiciel et à l'analyse des offres",
                "jour",
                2,
                0,
            ),
            (
                "Suivi du déploiement, de la recette et des indicateurs d'usage",
                "jour",
                3,
                1,
            ),
        ],
        grid: json!([
            {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
             "sub_criteria": [
                {"id": "methode", "label": "Méthodologie et planning de la mission", "weight": "35"},
                {"id": "equipe", "label": "Composition et expérience de l'équipe", "weight": "15"},
                {"id": "environnement", "label": "Démarche environnementale (déplacements, livrables dématérialisés)", "weight": "10", "environmental": true}]},
            {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"}
        ]),
        dce_fields: vec![
            (
                "contract_form",
                "marché ordinaire à prix unitaires (prix de journée), chaque membre réglant sa part",
            ),
            ("duration_months", "24"),
            (
                "cpv_additional",
                "79411000-8 – Services généraux de conseil en gestion",
            ),
            (
                "single_contract_reason",
                "la mission d'assistance porte sur un seul projet commun aux dix membres, de l'analyse des besoins au déploiement : la diviser en lots romprait la continuité du conseil et renchérirait la coordination.",
            ),
            (
                "ccap_price_type",
                "prix unitaires (prix de journée), révisables annuellement",
            ),
            ("ccap_revision_index", "indice Syntec"),
            ("ccap_revision_formula", "P = P0 × (0,15 + 0,85 × S / S0)"),
            ("ccap_revision_month", "janvier 2027"),
            (
                "ccap_penalties",
                "retard de remise d'un livrable ; 100 ; par jour calendaire ; CCAP\nabsence à une réunion de suivi ; 200,00 ; par absence ; CCAP",
            ),
            ("ccap_ip_option", "A"),
            (
                "cctp_amoa_missions",
                "analyse des besoins des membres et des établissements\naide à la rédaction du DCE du logiciel\nassistance à l'analyse des offres\nsuivi du déploiement et de la recette",
            ),
            (
                "cctp_amoa_deliverables",
                "rapport d'analyse des besoins\nprojet de CCTP du logiciel\nrapport d'analyse des offres\nbilans de déploiement",
            ),
        ],
        bidders: vec![
            Bidder {
                name: "OPALE SANTÉ CONSEIL",
                siret: "81245367800011",
                address: "18 rue Esquermoise, 59000 Lille",
                email: "opale-sante-conseil@example.org",
                price_ht: "76 800,00",
                irregular: None,
                note: "17",
                justification: "méthodologie détaillée par phase, équipe ayant déployé des DUI en SSIAD, réunions à distance et livrables dématérialisés",
            },
            Bidder {
                name: "CABINET VAUBAN ORGANISATION",
                siret: "82371946300015",
                address: "4 place du Concert, 59800 Lille",
                email: "vauban-organisation@example.org",
                price_ht: "71 500,00",
                irregular: None,
                note: "13",
                justification: "méthodologie générique, peu d'expérience du secteur domicile, démarche environnementale peu décrite",
            },
            Bidder {
                name: "ESTUAIRE AMO",
                siret: "79854213000017",
                address: "27 quai de la Bourse, 62100 Calais",
                email: "estuaire-amo@example.org",
                price_ht: "82 900,00",
                irregular: None,
                note: "14",
                justification: "bonne connaissance des ESMS, planning trop court pour la recette, déplacements nombreux",
            },
        ],
        reasons: "offre économiquement la plus avantageuse : la meilleure valeur technique (méthodologie, équipe, démarche environnementale) à un prix proche de l'estimation",
        procedure: Some((
            "appel_offres_ouvert",
            "Le groupement choisit l'appel d'offres ouvert, plus exigeant que la procédure adaptée : la mission d'AMOA prépare le marché du logiciel, au-dessus des seuils, et la même procédure pour les deux marchés garantit aux candidats une publicité et des délais identiques.",
        )),
        technique: TechniqueForm::default(),
        sad_admitted: Vec::new(),
    }
}

/// The DUI software: CCAG-TIC, 420 000 € TTC in the budget (annex 5), an appel d'offres ouvert.
#[must_use]
pub fn software(n: u32) -> Tender {
    Tender {
        reference: format!("{PREFIX}DUI-{n}"),
        objet: "Acquisition et déploiement d'un logiciel de dossier usager informatisé (DUI) pour les SSIAD et SAAD du groupement",
        nature: "services",
        cpv: "48000000-8",
        ccag: "tic",
        lot_label: "Solution DUI",
        need_ht: "35 000,00",
        unit: "licence utilisateur × an",
        quantity_base: 12,
        quantity_step: 4,
        price_lines: vec![
            (
                "Abonnement au logiciel DUI en mode SaaS, hébergement HDS compris",
                "utilisateur × an",
                12,
                4,
            ),
            ("Reprise des données de l'outil existant", "forfait", 1, 0),
            (
                "Formation des référents et des utilisateurs",
                "jour de formation",
                2,
                0,
            ),
            (
                "Terminal mobile de télégestion fourni et maintenu",
                "terminal × an",
                4,
                1,
            ),
        ],
        grid: json!([
            {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
             "sub_criteria": [
                {"id": "fonct", "label": "Couverture fonctionnelle", "weight": "50"},
                {"id": "sobriete", "label": "Sobriété numérique", "weight": "10", "environmental": true}]},
            {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"}
        ]),
        dce_fields: vec![
            (
                "contract_form",
                "accord-cadre à bons de commande mono-attributaire, sans minimum et avec un maximum",
            ),
            ("duration_months", "48"),
            (
                "cpv_additional",
                "72263000-6 – Services de mise en œuvre de logiciels\n80533100-0 – Services de formation informatique",
            ),
            (
                "single_contract_reason",
                "le logiciel, sa reprise de données et sa formation forment un tout dont l'éclatement rendrait l'exécution techniquement difficile.",
            ),
            ("ccap_price_type", "prix unitaires, révisables annuellement"),
            ("ccap_revision_index", "indice Syntec"),
            ("ccap_revision_formula", "P = P0 × (0,15 + 0,85 × S / S0)"),
            ("ccap_revision_month", "janvier 2027"),
            ("ccap_availability_rate", "99,5"),
            (
                "ccap_penalties",
                "retard de mise en service ; 150 ; par jour calendaire ; CCAP\nindisponibilité ; 500,00 ; par point et par mois ; CCAP",
            ),
            ("cctp_hosting", "hébergement HDS en France"),
            ("cctp_availability_rate", "99,5"),
            ("cctp_recovery_hours", "4"),
            ("cctp_go_live_months", "9"),
            (
                "cctp_functional_requirements",
                "dossier usager unique partagé entre SSIAD et SAAD\nplanification des tournées et télégestion\ntransmissions ciblées et plan de soins\ninteropérabilité Ségur (DMP, MSSanté, INS)",
            ),
            (
                "cctp_training",
                "formation des référents puis des utilisateurs de chaque établissement",
            ),
        ],
        bidders: vec![
            Bidder {
                name: "ATALANTE LOGICIELS SANTÉ",
                siret: "83190472700011",
                address: "210 avenue de la République, 59110 La Madeleine",
                email: "atalante-logiciels@example.org",
                price_ht: "318 400,00",
                irregular: None,
                note: "16",
                justification: "couverture fonctionnelle complète (tournées, télégestion, Ségur), application mobile légère hors ligne, hébergement sobre",
            },
            Bidder {
                name: "DOMICILIA NUMÉRIQUE",
                siret: "84526318500017",
                address: "9 rue des Tanneurs, 62000 Arras",
                email: "domicilia-numerique@example.org",
                price_ht: "296 000,00",
                irregular: None,
                note: "12",
                justification: "planification des tournées incomplète, interopérabilité Ségur annoncée pour 2028, sobriété peu documentée",
            },
            Bidder {
                name: "HÉLIOS SOINS CONNECTÉS",
                siret: "80963147600011",
                address: "3 boulevard Carnot, 80000 Amiens",
                email: "helios-soins@example.org",
                price_ht: "241 000,00",
                irregular: Some(
                    "le BPU/DQE n'est pas rempli pour quatre membres : l'offre est incomplète (L2152-2)",
                ),
                note: "10",
                justification: "offre incomplète",
            },
        ],
        reasons: "offre économiquement la plus avantageuse : la meilleure couverture fonctionnelle et la meilleure sobriété numérique des offres régulières, à un prix inférieur à l'estimation",
        procedure: None,
        technique: TechniqueForm {
            technique: "accord_cadre".into(),
            execution: "bons_de_commande".into(),
            attributaires: "mono".into(),
            ..TechniqueForm::default()
        },
        sad_admitted: Vec::new(),
    }
}

/// The « Données du DCE » form common to both tenders (values of the CCAS de Wattrelos).
#[must_use]
pub fn common_dce_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("buyer_email", "marches.ccas-wattrelos@example.org"),
        ("buyer_phone", "03 20 81 64 00"),
        (
            "buyer_profile_url",
            "https://marches.example.org/ccas-wattrelos",
        ),
        ("court_name", "Tribunal administratif de Lille"),
        (
            "court_address",
            "5 rue Geoffroy Saint-Hilaire, CS 62039, 59014 Lille Cedex",
        ),
        ("court_phone", "03 59 54 23 42"),
        ("court_email", "greffe.ta-lille@juradm.fr"),
        ("court_website", "https://lille.tribunal-administratif.fr"),
        ("oab_threshold_percent", "20"),
        (
            "candidature_documents",
            "la lettre de candidature (DC1) ou le DUME\nla déclaration du candidat (DC2)\nles déclarations sur l'honneur prévues aux articles R2143-3 et R2143-4 du code de la commande publique",
        ),
        (
            "offer_documents",
            "l'acte d'engagement (ATTRI1) complété\nle BPU/DQE complété sans modification des quantités\nle mémoire technique",
        ),
        (
            "extra_dce_pieces",
            "la convention constitutive du groupement de commandes du 21 mars 2024",
        ),
        ("ccap_advance_rate", "5"),
        ("ccap_payment_days", "30"),
        ("ccap_penalty_cap_percent", "10"),
        ("ccap_penalty_exemption_ht", "1 000"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bidder_has_a_valid_siret_and_an_example_org_address() {
        for t in [amoa(1), software(1)] {
            for b in &t.bidders {
                crate::identifiers::Siret::parse(b.siret)
                    .unwrap_or_else(|e| panic!("{}: {e}", b.name));
                assert!(b.email.ends_with("@example.org"), "{}", b.email);
            }
            let grid: Vec<crate::scoring::Criterion> =
                serde_json::from_value(t.grid.clone()).expect("grid");
            crate::offers::criteria::validate(&grid).expect("valid grid");
        }
    }
}
