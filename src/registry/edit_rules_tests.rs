//! Unit tests of `edit_rules.rs`.
use super::*;

fn stored() -> MemberValues {
    MemberValues {
        name: "CCAS DE RONCHIN".into(),
        kind: "ccas".into(),
        finess_juridique: "590798377".into(),
        address: "13 place du Général de Gaulle, 59790 Ronchin".into(),
        representative_name: "Jean Michel LEMOISNE".into(),
        representative_title: "Président du CCAS".into(),
        has_own_cao: true,
        establishments: vec![EstablishmentValues {
            id: 7,
            name: "SSIAD DE RONCHIN".into(),
            kind: "SSIAD".into(),
            finess: "590807723".into(),
            capacity: Some("65".into()),
            sirets: vec!["26590507500056".into()],
        }],
    }
}

fn form_of(v: &MemberValues) -> MemberForm {
    MemberForm {
        name: v.name.clone(),
        kind: v.kind.clone(),
        finess_juridique: v.finess_juridique.clone(),
        address: v.address.clone(),
        representative_name: v.representative_name.clone(),
        representative_title: v.representative_title.clone(),
        has_own_cao: v.has_own_cao,
        establishments: v
            .establishments
            .iter()
            .map(|e| EstablishmentForm {
                id: e.id,
                name: e.name.clone(),
                kind: e.kind.clone(),
                finess: e.finess.clone(),
                capacity: e.capacity.clone().unwrap_or_default(),
                siret: e.sirets.join("\n"),
            })
            .collect(),
    }
}

fn taken() -> Vec<(String, String)> {
    vec![("590059945".into(), "CCAS DE WATTRELOS".into())]
}

#[test]
fn unchanged_form_gives_the_stored_values_and_no_change() {
    let s = stored();
    let v = validate(&form_of(&s), &s, &taken()).unwrap();
    assert_eq!(v, s);
    assert!(changes(&s, &v).is_empty());
    assert!(!s.member_fields_differ(&v));
}

#[test]
fn values_are_trimmed_and_identifiers_compacted() {
    let s = stored();
    let mut f = form_of(&s);
    f.name = "  CCAS de Ronchin ".into();
    f.finess_juridique = "590 798 377".into();
    f.establishments[0].siret = "265 905 075 00056 ;\n26590507500023\n".into();
    f.establishments[0].capacity = "  ".into();
    let v = validate(&f, &s, &taken()).unwrap();
    assert_eq!(v.name, "CCAS de Ronchin");
    assert_eq!(v.finess_juridique, "590798377");
    assert_eq!(
        v.establishments[0].sirets,
        vec!["26590507500056", "26590507500023"]
    );
    assert_eq!(v.establishments[0].capacity, None);
    let c = changes(&s, &v);
    let fields: Vec<(&str, &str)> = c.iter().map(|c| (c.objet.as_str(), c.champ)).collect();
    assert_eq!(
        fields,
        vec![
            ("membre", "nom"),
            ("établissement « SSIAD DE RONCHIN »", "capacité"),
            ("établissement « SSIAD DE RONCHIN »", "SIRET"),
        ]
    );
    assert_eq!(c[0].avant, serde_json::json!("CCAS DE RONCHIN"));
    assert_eq!(c[0].apres, serde_json::json!("CCAS de Ronchin"));
}

#[test]
fn each_field_at_fault_has_its_french_message() {
    let s = stored();
    let mut f = form_of(&s);
    f.name = " ".into();
    f.kind = "gip".into();
    f.finess_juridique = "59000123".into();
    f.establishments[0].siret = "26590507500056\n123".into();
    f.establishments[0].kind = "EHPAD".into();
    let errs = validate(&f, &s, &taken()).unwrap_err();
    let one = |k: &str| errs.get(k).map(|v| v.join(" | ")).unwrap_or_default();
    assert_eq!(one("name"), "le nom du membre est obligatoire");
    assert!(one("kind").starts_with("type de membre « gip » inconnu (attendu : CCAS, CIAS"));
    assert_eq!(
        one("finess_juridique"),
        "FINESS juridique « 59000123 » : 9 chiffres attendus, avec la clé de contrôle (8 saisis)"
    );
    // The place is the stored name while the typed one is empty.
    assert_eq!(
        one("e7_siret"),
        "CCAS DE RONCHIN — établissement « SSIAD DE RONCHIN » : SIRET « 123 » : 14 chiffres \
         attendus (SIREN puis NIC), 3 saisis"
    );
    assert!(one("e7_kind").contains("« EHPAD » inconnu"));
    assert_eq!(errs.len(), 5);
}

#[test]
fn a_bad_siret_key_is_refused() {
    let s = stored();
    let mut f = form_of(&s);
    f.establishments[0].siret = "26590507500057".into();
    let errs = validate(&f, &s, &taken()).unwrap_err();
    assert!(errs["e7_siret"][0].contains("SIRET « 26590507500057 » : la clé de contrôle"));
}

#[test]
fn a_finess_used_elsewhere_or_twice_is_refused() {
    let s = stored();
    let mut f = form_of(&s);
    f.finess_juridique = "590059945".into();
    f.establishments[0].finess = "590 059 945".into();
    let errs = validate(&f, &s, &taken()).unwrap_err();
    assert_eq!(
        errs["finess_juridique"],
        vec!["FINESS juridique « 590059945 » : déjà celui de « CCAS DE WATTRELOS »"]
    );
    let mut f = form_of(&s);
    f.establishments[0].finess = "590798377".into();
    let errs = validate(&f, &s, &taken()).unwrap_err();
    assert_eq!(
        errs["e7_finess"],
        vec![
            "CCAS DE RONCHIN — établissement « SSIAD DE RONCHIN » : FINESS géographique \
             « 590798377 » : déjà celui de « CCAS DE RONCHIN »"
        ]
    );
}

#[test]
fn an_unknown_stored_kind_may_be_kept_and_empty_kinds_are_allowed() {
    let mut s = stored();
    s.kind = "gip".into();
    let mut f = form_of(&s);
    f.establishments[0].kind = String::new();
    let v = validate(&f, &s, &taken()).unwrap();
    assert_eq!(
        (v.kind.as_str(), v.establishments[0].kind.as_str()),
        ("gip", "")
    );
    f.kind = "etablissement_public".into();
    assert!(validate(&f, &s, &taken()).is_ok());
}

#[test]
fn fields_are_read_from_the_posted_form() {
    let fields: BTreeMap<String, String> = [
        ("name", "X"),
        ("has_own_cao", "on"),
        ("e7_finess", "590807723"),
        ("e8_name", "ignored: not an establishment of the member"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let f = MemberForm::from_fields(&fields, &[7]);
    assert_eq!(f.name, "X");
    assert!(f.has_own_cao);
    assert_eq!(f.address, "");
    assert_eq!(f.establishments.len(), 1);
    assert_eq!(f.establishments[0].finess, "590807723");
    assert!(!MemberForm::from_fields(&BTreeMap::new(), &[]).has_own_cao);
}

#[test]
fn member_kind_codes_are_the_stored_ones() {
    assert_eq!(
        member_kind_code(&MemberKind::EtablissementPublic),
        "etablissement_public"
    );
    assert_eq!(member_kind_code(&MemberKind::Ccas), "ccas");
}
