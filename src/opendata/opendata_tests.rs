//! Unit tests of `opendata`.

use super::decp::record;
use super::decp::tests::{sample_facts, with};
use super::*;
use rust_decimal::dec;
use serde_json::json;

#[test]
fn decp_id_is_built_and_checked() {
    let id = |reference: &str, lot: Option<u32>| {
        with(json!({"consultation_reference": reference, "lot_number": lot})).decp_id()
    };
    let long = OpenDataError::IdTropLong {
        id: "2024DUI-2024-HDF-ESMS00".into(),
        len: 23,
    };
    assert_eq!(id("DUI-2024-HDF-ESMS", None), Err(long.clone()));
    assert!(long.to_string().starts_with(
        "identifiant DECP « 2024DUI-2024-HDF-ESMS00 » : 23 caractères, 16 au maximum"
    ));
    assert_eq!(id("DUI-2024-H", None).unwrap(), "2024DUI-2024-H00"); // 4 + 10 + 2 = 16
    assert_eq!(id("DUI", Some(7)).unwrap(), "2024DUI07");
    let space = OpenDataError::IdCaractereInterdit {
        id: "2024DUI 2400".into(),
        character: ' ',
    };
    assert_eq!(id("DUI 24", None), Err(space));
    assert_eq!(id("  ", None), Err(OpenDataError::ReferenceVide));
    let lot = "numéro de lot 100 : il doit être compris entre 1 et 99";
    assert_eq!(id("DUI", Some(100)).unwrap_err().to_string(), lot);
    assert!(matches!(
        record(&with(
            json!({"consultation_reference": "DUI-2024-HDF-ESMS"})
        )),
        Err(OpenDataError::IdTropLong { .. })
    ));
}

/// `refused! { change => message; … }`: each change alone makes `record` fail with message.
macro_rules! refused {
    ($($change:expr => $message:literal;)+) => {$(
        let mut f = sample_facts();
        let change: fn(&mut ContractFacts) = $change;
        change(&mut f);
        assert_eq!(record(&f).unwrap_err().to_string(), $message);
    )+};
}

#[test]
fn invalid_facts_are_refused_with_the_field_named() {
    refused! {
        |f| f.titulaires[0].identifiant = None => "identifiant (SIRET) du titulaire « ÉDITEUR DUI EXEMPLE SAS » manquant";
        |f| f.titulaires[0].identifiant = Some("83245170200018".into()) => "SIRET du titulaire « ÉDITEUR DUI EXEMPLE SAS » \"83245170200018\" : la clé de contrôle est invalide";
        |f| f.duree_mois = 0 => "durée du marché nulle : au moins 1 mois (tranches et reconductions comprises)";
        |f| f.montant = dec!(-5) => "montant -5 € HT invalide : au moins 1 € (schéma DECP)";
        |f| f.members[5].siret = None => "SIRET du coordonnateur « CCAS DE WATTRELOS » manquant : c'est l'identifiant de l'acheteur DECP";
        |f| f.members[0].lead = true => "2 membres sont marqués coordonnateur (lead) : un seul est attendu";
        |f| f.members[5].lead = false => "aucun membre du groupement n'est marqué coordonnateur (lead)";
        |f| f.taux_avance = dec!(0.05) => "taux d'avance 0.05 alors qu'aucune avance n'est attribuée : mettez 0";
        |f| f.offres_recues = 0 => "nombre d'offres reçues nul : au moins 1 pour un marché attribué";
        |f| f.type_groupement_operateurs = TypeGroupementOperateurs::Conjoint => "1 titulaire(s) et type de groupement « Conjoint » : incohérent";
        |f| f.date_publication = f.date_notification.pred_opt().unwrap() => "date de publication 2024-10-06 antérieure à la notification 2024-10-07";
        |f| f.lieu_execution.code = "5900".into() => "lieu d'exécution « 5900 » invalide pour le type « Code département »";
        |f| f.cpv = "4800000-8".into() => "code CPV « 4800000-8 » invalide : 8 chiffres attendus, suivis ou non de « -chiffre de contrôle »";
        |f| f.members[2].finess = "590000328".into() => "FINESS juridique du membre « ASSOCIATION SOINS SANTE DE TEMPLEUVE-EN-PEVELE » \"590000328\" : la clé de contrôle est invalide";
        |f| f.types_prix.clear() => "type de prix manquant : au moins un (ex. « Définitif révisable »)";
        |f| f.titulaires.clear() => "aucun titulaire : au moins un attributaire est attendu";
    }
}
