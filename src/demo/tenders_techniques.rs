//! The two purchases of the convention under a technique d'achat (`coordo demo --achats
//! techniques`): the DUI software as a marché spécifique of the SAD of a central purchasing
//! body, as the ESMS numérique programme bought it (DOMAIN, SAD CNSA/Resah), and the hardware
//! (the third line of the budget, annex 5: 173 637 € TTC) as an accord-cadre à bons de commande
//! where each member orders its own part up to its maximum.

use super::tenders::{Bidder, PREFIX, Tender, software};
use crate::consultations::rules::technique_choice::TechniqueForm;
use serde_json::json;

/// The SAD the demo's marché spécifique is passed under.
pub const SAD_REFERENCE: &str = "Resah – SAD « Solutions de dossier usager informatisé pour les ESMS » (plateforme Maximilien), catégorie « domicile – SaaS »";

/// An editor admitted in the SAD's category that does not tender (it is invited all the same).
pub const ADMITTED_WITHOUT_OFFER: (&str, &str, &str) = (
    "MOSAÏQUE DOMICILE ÉDITION",
    "83874152800015",
    "mosaique-domicile@example.org",
);

/// The DUI software as a marché spécifique under the SAD: the software tender's needs, grid and
/// bidders (all three admitted in the category, with a fourth that does not tender).
#[must_use]
pub fn software_sad(n: u32) -> Tender {
    let mut t = software(n);
    t.reference = format!("{PREFIX}SAD-{n}");
    t.objet = "Marché spécifique du système d'acquisition dynamique de la centrale d'achat : logiciel de dossier usager informatisé (DUI) pour les SSIAD et SAAD du groupement";
    for (k, v) in &mut t.dce_fields {
        if *k == "contract_form" {
            *v = "marché spécifique à prix unitaires, chaque membre réglant sa part";
        }
    }
    t.technique = TechniqueForm {
        technique: "sad".into(),
        sad_reference: SAD_REFERENCE.into(),
        ..TechniqueForm::default()
    };
    t.sad_admitted = t
        .bidders
        .iter()
        .map(|b| (b.name, b.siret, b.email))
        .chain([ADMITTED_WITHOUT_OFFER])
        .collect();
    t
}

/// The hardware: tablets and smartphones for the home-care workers, an accord-cadre à bons de
/// commande mono-attributaire where each member's need is its maximum.
#[must_use]
pub fn hardware(n: u32) -> Tender {
    Tender {
        reference: format!("{PREFIX}MAT-{n}"),
        objet: "Fourniture de terminaux mobiles (tablettes et smartphones durcis) pour l'usage du dossier usager informatisé par les intervenants à domicile",
        nature: "fournitures",
        cpv: "30213200-7",
        ccag: "fcs",
        lot_label: "Terminaux mobiles",
        need_ht: "14 400,00",
        unit: "terminal",
        quantity_base: 20,
        quantity_step: 3,
        price_lines: vec![
            (
                "Tablette durcie 10 pouces avec coque et chargeur",
                "terminal",
                8,
                1,
            ),
            ("Smartphone durci avec coque et chargeur", "terminal", 12, 2),
            ("Reprise et recyclage d'un terminal usagé", "terminal", 6, 1),
        ],
        grid: json!([
            {"id": "tech", "label": "Valeur technique", "weight": "55", "kind": "evaluated", "scale": "20",
             "sub_criteria": [
                {"id": "robustesse", "label": "Robustesse et ergonomie des terminaux", "weight": "35"},
                {"id": "reparabilite", "label": "Indice de réparabilité et reprise des terminaux usagés", "weight": "20", "environmental": true}]},
            {"id": "prix", "label": "Prix", "weight": "45", "kind": "price", "formula": "proportional"}
        ]),
        dce_fields: vec![
            (
                "contract_form",
                "accord-cadre à bons de commande mono-attributaire, sans minimum et avec un maximum par membre",
            ),
            ("duration_months", "36"),
            (
                "cpv_additional",
                "30213100-6 – Ordinateurs portables\n32250000-0 – Téléphones mobiles",
            ),
            (
                "single_contract_reason",
                "les tablettes et les smartphones relèvent du même gestionnaire de flotte et du même support : les séparer doublerait l'administration des terminaux sans ouvrir davantage la concurrence.",
            ),
            (
                "ccap_price_type",
                "prix unitaires, fermes la première année puis révisables",
            ),
            (
                "ccap_revision_index",
                "indice des prix de production de l'industrie (matériels informatiques)",
            ),
            ("ccap_revision_formula", "P = P0 × (0,15 + 0,85 × I / I0)"),
            ("ccap_revision_month", "janvier 2027"),
            ("ccap_delivery_days", "15"),
            ("ccap_warranty_months", "36"),
            (
                "ccap_penalties",
                "retard de livraison d'un bon de commande ; 50 ; par jour calendaire ; CCAP\nterminal non remplacé sous cinq jours ; 30,00 ; par terminal et par jour ; CCAP",
            ),
            (
                "cctp_functional_requirements",
                "terminaux compatibles avec l'application mobile du DUI, hors ligne compris\ngestion de flotte (MDM) et effacement à distance\ngarantie de trois ans sur site, remplacement sous cinq jours ouvrés",
            ),
            (
                "cctp_training",
                "prise en main des terminaux par les référents de chaque établissement",
            ),
        ],
        bidders: vec![
            Bidder {
                name: "ARMOR TERMINAUX PROFESSIONNELS",
                siret: "81536297500014",
                address: "14 rue de Béthune, 59000 Lille",
                email: "armor-terminaux@example.org",
                price_ht: "131 600,00",
                irregular: None,
                note: "16",
                justification: "terminaux durcis éprouvés en soins à domicile, indice de réparabilité élevé, reprise et recyclage organisés",
            },
            Bidder {
                name: "NORD MOBILITÉ SERVICES",
                siret: "82947315600018",
                address: "2 avenue de la Marne, 59200 Tourcoing",
                email: "nord-mobilite@example.org",
                price_ht: "118 900,00",
                irregular: None,
                note: "12",
                justification: "terminaux grand public sous coque, réparabilité moyenne, reprise non chiffrée",
            },
            Bidder {
                name: "CÔTE D'OPALE INFORMATIQUE",
                siret: "79316428600015",
                address: "41 rue Royale, 62200 Boulogne-sur-Mer",
                email: "opale-informatique@example.org",
                price_ht: "139 800,00",
                irregular: None,
                note: "13",
                justification: "bons terminaux, garantie sur site limitée à deux ans, indice de réparabilité non fourni pour les smartphones",
            },
        ],
        reasons: "offre économiquement la plus avantageuse : les terminaux les plus robustes et les plus réparables, reprise des terminaux usagés comprise, à un prix inférieur à l'estimation",
        procedure: Some((
            "appel_offres_ouvert",
            "Le groupement choisit l'appel d'offres ouvert pour les terminaux comme pour le logiciel : la même procédure pour les deux achats du programme ESMS numérique garantit aux fabricants une publicité et des délais identiques, et la commission d'appel d'offres du groupement les examine ensemble.",
        )),
        technique: TechniqueForm {
            technique: "accord_cadre".into(),
            execution: "bons_de_commande".into(),
            attributaires: "mono".into(),
            ..TechniqueForm::default()
        },
        sad_admitted: Vec::new(),
    }
}
