//! Unit tests of `opendata::decp`, and the sample contract the OCDS tests reuse.

use super::super::*;
use super::*;
use proptest::prelude::*;

const SCHEMA: &str = include_str!("../../data/decp/schema_decp_v2.0.3.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).unwrap()
}

/// Schema violations of a whole document (empty when valid), draft-07.
fn errors(doc: &Value) -> Vec<String> {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} ({})", e.instance_path()))
        .collect()
}

/// The groupement's DUI software accord-cadre (data/groupement.json; coordonnateur: CCAS de
/// Wattrelos), written as the lead would send it (serde codes). The two CCAS SIRETs are those
/// groupement.json lists for their establishments; the attributaire is fictitious, its SIRET
/// built with valid keys.
pub(crate) fn sample_facts() -> ContractFacts {
    let member = |name: &str, finess: &str, siret: Option<&str>| {
        let lead = name == "CCAS DE WATTRELOS";
        json!({"name": name, "finess": finess, "siret": siret, "lead": lead})
    };
    serde_json::from_value(json!({
        "consultation_reference": "ESMS-DUI", "lot_number": null, "lot_title": null,
        "members": [
            member("SANTELYS", "590036745", None),
            member("CCAS DE RONCHIN", "590798377", Some("26590507500056")),
            member("ASSOCIATION SOINS SANTE DE TEMPLEUVE-EN-PEVELE", "590000329", None),
            member("ASSOCIATION INEA", "590057857", None),
            member("CCAS DE BOHAIN EN VERMANDOIS", "020011078", None),
            member("CCAS DE WATTRELOS", "590059945", Some("26590650300031")),
            member("ASSOCIATION BIEN ETRE DES RETRAITES (AMB ASSAD)", "620001735", None),
            member("CCAS D'ARMENTIERES", "590797528", None),
            member("ADOMLYS", "620023713", None),
            member("INSTANCE LOCALE DE COORDINATION (SSIAD DE MARQUISE)", "620002378", None),
        ],
        "objet": "Logiciel de dossier usager informatisé (DUI) des services à domicile",
        "type_marche": "marche", "nature": "services", "procedure": "aoo",
        "techniques": ["accord_cadre"], "modalites_execution": ["bons_de_commande"],
        "id_accord_cadre": null, "cpv": "48000000-8",
        "lieu_execution": {"code": "59", "type_code": "code_departement"},
        "duree_mois": 48, "date_notification": "2024-10-07", "date_publication": "2024-10-21",
        "date_attribution": "2024-09-12", "date_signature": "2024-10-04",
        "montant": "268420.00", "forme_prix": "unitaire", "types_prix": ["definitif_revisable"],
        "ccag": "tic", "offres_recues": 4,
        "considerations_sociales": [], "considerations_environnementales": [],
        "marche_innovant": false, "attribution_avance": false, "taux_avance": "0",
        "titulaires": [{"name": "ÉDITEUR DUI EXEMPLE SAS", "type_identifiant": "siret",
                        "identifiant": "832 451 702 00019"}],
        "type_groupement_operateurs": "pas_de_groupement", "sous_traitance_declaree": false,
        "ocid_prefix": "ocds-coordo"
    }))
    .unwrap()
}

#[test]
fn realistic_record_is_valid_against_the_official_schema() {
    let r = record(&sample_facts()).unwrap();
    assert_eq!(
        errors(&document(std::slice::from_ref(&r))),
        Vec::<String>::new()
    );
    let expected = json!({
        "id": "2024ESMS-DUI00",
        "acheteur": {"id": "26590650300031"},
        "nature": "Marché",
        "objet": "Logiciel de dossier usager informatisé (DUI) des services à domicile",
        "codeCPV": "48000000",
        "techniques": {"technique": ["Accord-cadre"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "marcheInnovant": false,
        "ccag": "Techniques de l'information et de la communication",
        "offresRecues": 4,
        "attributionAvance": false,
        "tauxAvance": 0,
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": false,
        "procedure": "Appel d'offres ouvert",
        "lieuExecution": {"code": "59", "typeCode": "Code département"},
        "dureeMois": 48,
        "dateNotification": "2024-10-07",
        "datePublicationDonnees": "2024-10-21",
        "montant": 268420,
        "typesPrix": {"typePrix": ["Définitif révisable"]},
        "formePrix": "Unitaire",
        "titulaires": [{"titulaire": {"id": "83245170200019", "typeIdentifiant": "SIRET"}}],
        "considerationsSociales": {"considerationSociale": ["Pas de considération sociale"]},
        "considerationsEnvironnementales":
            {"considerationEnvironnementale": ["Pas de considération environnementale"]}
    });
    assert_eq!(r, expected);
}

/// The sample with some top-level fields replaced (serde codes, as in `sample_facts`).
pub(crate) fn with(patch: Value) -> ContractFacts {
    let mut facts = serde_json::to_value(sample_facts()).unwrap();
    for (key, value) in patch.as_object().unwrap() {
        facts[key] = value.clone();
    }
    serde_json::from_value(facts).unwrap()
}

#[test]
fn lots_advance_and_co_titulaires_stay_valid() {
    let co_titulaire =
        json!({"name": "B", "type_identifiant": "tva", "identifiant": "FR44732829320"});
    let lot2 = record(&with(json!({
        "lot_number": 2, "lot_title": "Maintenance", "attribution_avance": true,
        "taux_avance": "0.05", "id_accord_cadre": "2023CADRE01", "montant": "123456.89",
        "considerations_sociales": ["clause_sociale", "clause_sociale"],
        "titulaires": [sample_facts().titulaires[0], co_titulaire],
        "type_groupement_operateurs": "solidaire"
    })))
    .unwrap();
    let doc = document(&[record(&sample_facts()).unwrap(), lot2.clone()]);
    assert_eq!(errors(&doc), Vec::<String>::new());
    let expected = json!({
        "id": "2024ESMS-DUI02", "idAccordCadre": "2023CADRE01",
        "objet": "Logiciel de dossier usager informatisé (DUI) des services à domicile — lot 2 : Maintenance",
        "attributionAvance": true, "tauxAvance": 0.05, "montant": 123456.89,
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
        "titulaires": [{"titulaire": {"id": "83245170200019", "typeIdentifiant": "SIRET"}},
                       {"titulaire": {"id": "FR44732829320", "typeIdentifiant": "TVA"}}],
        "typeGroupementOperateurs": "Solidaire"
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&lot2[key], value, "{key}");
    }
}

#[test]
fn amounts_stay_exact_in_the_json_text() {
    let text = serde_json::to_string(&record(&sample_facts()).unwrap()).unwrap();
    assert!(text.contains(r#""montant":268420,"#), "{text}");
    let back: Value = serde_json::from_str(&text).unwrap();
    let montant = Decimal::from_str(&back["montant"].to_string());
    assert_eq!(montant, Ok(dec!(268420.00)));
    let json = |amount: &str| {
        let amount = Decimal::from_str(amount).unwrap();
        amount_number("montant", amount).map(|n| serde_json::to_string(&n).unwrap())
    };
    assert_eq!(json("123456.80").unwrap(), "123456.8");
    assert_eq!(json("1000.5000").unwrap(), "1000.5");
    assert_eq!(json("9999999999999.99").unwrap(), "9999999999999.99");
    let too_low = "montant 0.99 € HT invalide : au moins 1 € (schéma DECP)";
    assert_eq!(json("0.99").unwrap_err().to_string(), too_low);
    let precise = "montant 1000.005 : plus de 2 décimales";
    assert_eq!(json("1000.005").unwrap_err().to_string(), precise);
    assert!(json("10000000000000").is_err());
    let rate = |v| rate_number("taux d'avance", v).map(|n| n.to_string());
    assert_eq!(rate(dec!(0.05)), Ok("0.05".to_owned()));
    assert!(rate(dec!(1.01)).is_err() && rate(dec!(-0.01)).is_err());
}

proptest! {
    #[test]
    fn any_amount_in_cents_round_trips(cents in 100i64..1_000_000_000_000_000i64) {
        let amount = Decimal::new(cents, 2);
        let n = Value::Number(amount_number("montant", amount).unwrap());
        let text = serde_json::to_string(&n).unwrap();
        prop_assert_eq!(Decimal::from_str(&text).unwrap(), amount);
    }
}

#[test]
fn the_validator_catches_broken_records() {
    let good = record(&sample_facts()).unwrap();
    let broken = |key: &str, value: Option<Value>| {
        let mut r = good.clone();
        match value {
            Some(v) => r[key] = v,
            None => _ = r.as_object_mut().unwrap().remove(key),
        }
        errors(&document(&[r]))
    };
    assert!(!broken("acheteur", None).is_empty());
    assert!(!broken("procedure", Some(json!("Appel d'offre ouvert"))).is_empty());
    assert!(!broken("montant", Some(json!("268420.00"))).is_empty());
    assert!(!broken("codeCPV", Some(json!("4800000"))).is_empty());
    assert!(!broken("id", Some(json!("2024ESMS-DUI-LOT-01"))).is_empty());
    assert!(!broken("champInconnu", Some(json!(1))).is_empty());
    assert!(!errors(&json!({"marches": {}})).is_empty());
}

/// Labels of every variant of a closed list.
macro_rules! l {
    ($t:ty) => {
        <$t>::ALL.iter().map(|v| v.label()).collect::<Vec<_>>()
    };
}

/// Each closed list has exactly the schema's values (the « Sans objet » and « Pas de … »
/// values are produced by empty lists).
#[test]
fn labels_are_exactly_the_schema_enums() {
    let s = schema();
    let (p, d) = (
        &s["definitions"]["marche"]["properties"],
        &s["definitions"]["marche"]["definitions"],
    );
    let check = |node: &Value, ours: Vec<&str>, empty: Option<&str>| {
        let list = node
            .get("enum")
            .unwrap_or(&node["items"]["enum"])
            .as_array()
            .unwrap();
        let mut theirs: Vec<&str> = list.iter().map(|v| v.as_str().unwrap()).collect();
        let mut ours: Vec<&str> = ours.into_iter().chain(empty).collect();
        theirs.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, theirs);
    };
    check(&p["nature"], l!(TypeMarche), None);
    check(&p["procedure"], l!(Procedure), None);
    check(&p["ccag"], l!(Ccag), None);
    check(&p["formePrix"], l!(FormePrix), None);
    check(
        &p["typeGroupementOperateurs"],
        l!(TypeGroupementOperateurs),
        None,
    );
    check(
        &p["lieuExecution"]["properties"]["typeCode"],
        l!(TypeCodeLieu),
        None,
    );
    check(&d["techniqueArray"], l!(Technique), Some("Sans objet"));
    check(
        &d["modaliteExecutionArray"],
        l!(ModaliteExecution),
        Some("Sans objet"),
    );
    check(&d["typePrixArray"], l!(TypePrix), None);
    let (social, env) = (
        "Pas de considération sociale",
        "Pas de considération environnementale",
    );
    check(
        &d["considerationSocialeArray"],
        l!(ConsiderationSociale),
        Some(social),
    );
    check(
        &d["considerationEnvironnementaleArray"],
        l!(ConsiderationEnvironnementale),
        Some(env),
    );
    check(
        &d["Titulaire"]["properties"]["typeIdentifiant"],
        l!(TypeIdentifiant),
        None,
    );
}
