//! Unit tests of `quality.rs`.
use super::*;
use Severity::*;

const REAL: &str = include_str!("../../data/groupement.json");

fn real() -> GroupementFile {
    GroupementFile::from_json(REAL).unwrap()
}

fn summary(r: &QualityReport) -> Vec<(Severity, FindingCode, &str, &str)> {
    r.findings
        .iter()
        .map(|f| (f.severity, f.code, f.field.as_str(), f.value.as_str()))
        .collect()
}

/// Findings of a corrupted copy that the real file does not have.
fn extra(g: &GroupementFile) -> Vec<(Severity, FindingCode, String, String)> {
    let base = check(&real());
    check(g)
        .findings
        .into_iter()
        .filter(|f| {
            !base
                .findings
                .iter()
                .any(|b| b.code == f.code && b.field == f.field)
        })
        .map(|f| (f.severity, f.code, f.field, f.value))
        .collect()
}

fn row(
    s: Severity,
    c: FindingCode,
    field: &str,
    value: &str,
) -> (Severity, FindingCode, String, String) {
    (s, c, field.to_owned(), value.to_owned())
}

#[test]
fn real_file_has_exactly_the_checkable_inconsistencies() {
    let r = check(&real());
    assert_eq!(
        summary(&r),
        vec![
            (
                Avertissement,
                NonNumericCapacity,
                "members[2].establishments[1].capacity",
                "59 bénéficiaires"
            ),
            (
                Avertissement,
                NonNumericCapacity,
                "members[3].establishments[0].capacity",
                "250 bénéficiaires, pas de places limitées"
            ),
            (
                Avertissement,
                NonNumericCapacity,
                "members[4].establishments[0].capacity",
                "80 à 100 bénéficiaires"
            ),
            (
                Avertissement,
                NonNumericCapacity,
                "members[6].establishments[0].capacity",
                "pas de places définies"
            ),
            (
                Avertissement,
                NonNumericCapacity,
                "members[8].establishments[0].capacity",
                "112 (SSIAD PA 85, SSIAD PH 15, ESAD 12)"
            ),
            (
                Avertissement,
                MissingCapacity,
                "members[8].establishments[1].capacity",
                ""
            ),
            (
                Avertissement,
                SharedSiret,
                "members[8].establishments[1].siret[0]",
                "92376482300012"
            ),
        ]
    );
    assert_eq!(
        (r.error_count(), r.warning_count(), r.has_errors()),
        (0, 7, false)
    );
    assert_eq!(
        r.findings[6].message,
        "ADOMLYS — établissement « ADOMLYS SPASAD SAAD » : le SIRET « 92376482300012 » est \
         aussi celui de « ADOMLYS — établissement « ADOMLYS SPASAD SSIAD » »"
    );
    let f = &r.findings[0];
    assert_eq!(
        f.message,
        "ASSOCIATION SOINS SANTE DE TEMPLEUVE-EN-PEVELE — établissement « SERVICE D'AIDE A \
         DOMICILE DE TEMPLEUVE » : la capacité « 59 bénéficiaires » n'est pas un nombre de places"
    );
    // Where to correct it: the member, its establishment and the input, no path needed.
    assert_eq!(
        (f.member, f.establishment, f.input.as_deref()),
        (Some(2), Some(1), Some("capacity"))
    );
    assert_eq!(
        f.place,
        "ASSOCIATION SOINS SANTE DE TEMPLEUVE-EN-PEVELE — établissement « SERVICE D'AIDE A \
         DOMICILE DE TEMPLEUVE »"
    );
    assert_eq!(
        f.detail,
        "la capacité « 59 bénéficiaires » n'est pas un nombre de places"
    );
    assert_eq!(
        r.findings[5].detail, "la capacité est vide",
        "an empty capacity"
    );
}

#[test]
fn render_text_one_line_per_finding_and_summary() {
    let text = check(&real()).render_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(
        lines[5],
        "[avertissement] ADOMLYS — établissement « ADOMLYS SPASAD SAAD » : la capacité est vide \
         (members[8].establishments[1].capacity)"
    );
    assert_eq!(lines[7], "Bilan : 0 erreur, 7 avertissements.");
    assert_eq!(
        QualityReport::default().render_text(),
        "Aucune anomalie détectée.\n"
    );
}

#[test]
fn engagement_letter_finess_is_an_error() {
    let mut g = real();
    g.members[2].establishments[1].finess = "595005821".into();
    assert_eq!(
        extra(&g),
        vec![row(
            Erreur,
            InvalidIdentifier,
            "members[2].establishments[1].finess",
            "595005821"
        )]
    );
    let r = check(&g);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == InvalidIdentifier)
        .unwrap();
    assert_eq!(
        f.detail,
        "FINESS géographique « 595005821 » : la clé de contrôle (dernier chiffre) ne correspond \
         pas : un chiffre est probablement mal recopié"
    );
    assert_eq!(f.input.as_deref(), Some("finess"));
    // INEA's letter: FINESS géographique "59".
    let mut g = real();
    g.members[3].establishments[0].finess = "59".into();
    g.members[3].finess_juridique = "59005785X".into();
    assert_eq!(
        extra(&g),
        vec![
            row(
                Erreur,
                InvalidIdentifier,
                "members[3].finess_juridique",
                "59005785X"
            ),
            row(
                Erreur,
                InvalidIdentifier,
                "members[3].establishments[0].finess",
                "59"
            ),
        ]
    );
    let r = check(&g);
    let ids: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.code == InvalidIdentifier)
        .collect();
    let f = ids[0];
    assert_eq!(
        f.message,
        "ASSOCIATION INEA : FINESS juridique « 59005785X » : le caractère « X » (position 9) n'est pas un \
         chiffre"
    );
    assert_eq!(
        (f.member, f.establishment, f.input.as_deref()),
        (Some(3), None, Some("finess_juridique"))
    );
    assert!(
        ids[1]
            .detail
            .contains("9 chiffres attendus, avec la clé de contrôle (2 saisis)")
    );
}

#[test]
fn finess_used_twice_is_an_error() {
    let mut g = real();
    g.members[1].establishments[1].finess = "590 807 723".into();
    g.members[4].finess_juridique = "620116590".into(); // SSIAD Marquise's, later in the file
    assert_eq!(
        extra(&g),
        vec![
            row(
                Erreur,
                DuplicateFiness,
                "members[1].establishments[1].finess",
                "590 807 723"
            ),
            row(
                Erreur,
                DuplicateFiness,
                "members[9].establishments[0].finess",
                "620116590"
            ),
        ]
    );
    let r = check(&g);
    assert!(r.findings.iter().any(|f| f.message
        == "INSTANCE LOCALE DE COORDINATION (SSIAD DE MARQUISE) — établissement « SSIAD \
            MARQUISE » : FINESS géographique « 620116590 » : déjà celui de « CCAS DE BOHAIN EN \
            VERMANDOIS »"));
}

#[test]
fn member_without_establishment_is_an_error() {
    let mut g = real();
    g.members[3].establishments.clear();
    let r = check(&g);
    assert!(
        r.findings
            .iter()
            .any(|f| (f.severity, f.code, f.field.as_str())
                == (
                    Erreur,
                    MemberWithoutEstablishment,
                    "members[3].establishments"
                ))
    );
    // INEA's textual capacity is gone with its establishment.
    assert_eq!(r.warning_count(), 6);
    assert_eq!(r.error_count(), 1);
    let mut g = real();
    g.members.clear();
    assert_eq!(
        summary(&check(&g)),
        vec![
            (
                Erreur,
                RoleFinessNotFound,
                "coordonnateur_finess_juridique",
                "590059945"
            ),
            (
                Erreur,
                RoleFinessNotFound,
                "porteur_finess_juridique",
                "620002378"
            ),
            (Erreur, NoMember, "members", ""),
        ]
    );
}

#[test]
fn coordonnateur_and_porteur_must_match_members_and_roles() {
    let mut g = real();
    // SANTELYS's engagement-letter FINESS: valid, but no member has it.
    g.coordonnateur_finess_juridique = "590799995".into();
    g.porteur_finess_juridique = Some("59".into());
    assert_eq!(
        extra(&g),
        vec![
            row(
                Erreur,
                RoleFinessNotFound,
                "coordonnateur_finess_juridique",
                "590799995"
            ),
            row(Erreur, InvalidIdentifier, "porteur_finess_juridique", "59"),
            row(Erreur, RoleMismatch, "members[5].role", "coordonnateur"),
            row(Erreur, RoleMismatch, "members[9].role", "porteur"),
        ]
    );
    let r = check(&g);
    assert_eq!(
        r.findings[0].message,
        "Groupement : FINESS juridique du coordonnateur « 590799995 » : ne correspond à aucun \
         membre du groupement"
    );

    let mut g = real();
    g.members[0].role = Some(MemberRole::Coordonnateur);
    g.members[1].role = Some(MemberRole::Other("mandataire".into()));
    assert_eq!(
        extra(&g),
        vec![
            row(Erreur, RoleMismatch, "members[0].role", "coordonnateur"),
            row(Erreur, UnknownRole, "members[1].role", "mandataire"),
            row(Erreur, DuplicateRole, "members[5].role", "coordonnateur"),
        ]
    );
}

#[test]
fn siret_checks() {
    let mut g = real();
    // Valid SIRET of another legal unit among SANTELYS's establishments.
    g.members[0].establishments[4].siret = vec!["732 829 320 00074".into()];
    // Wrong key.
    g.members[0].establishments[0].siret[0] = "77562471100709".into();
    // Same SIRET twice in one establishment.
    g.members[6].establishments[1]
        .siret
        .push("34067007400046".into());
    // No SIRET at all.
    g.members[7].establishments[0].siret.clear();
    assert_eq!(
        extra(&g),
        vec![
            row(
                Erreur,
                InvalidIdentifier,
                "members[0].establishments[0].siret[0]",
                "77562471100709"
            ),
            row(
                Avertissement,
                SirenMismatch,
                "members[0].establishments[4].siret[0]",
                "732 829 320 00074"
            ),
            row(
                Avertissement,
                DuplicateSiret,
                "members[6].establishments[1].siret[1]",
                "34067007400046"
            ),
            row(
                Avertissement,
                EstablishmentWithoutSiret,
                "members[7].establishments[0].siret",
                ""
            ),
        ]
    );
    let r = check(&g);
    let f = r.findings.iter().find(|f| f.code == SirenMismatch).unwrap();
    assert_eq!(
        f.message,
        "SANTELYS — établissement « SSIAD SANTELYS HENIN BEAUMONT » : le SIRET « 732 829 320 \
         00074 » a le SIREN 732829320, alors que les autres SIRET du membre ont le SIREN 775624711"
    );
    assert_eq!(f.input.as_deref(), Some("siret"));
}

#[test]
fn empty_names_kinds_and_addresses() {
    let mut g = real();
    g.name = String::new();
    g.members[0].name = "  ".into();
    g.members[0].establishments[0].name = String::new();
    g.members[1].kind = None;
    g.members[2].kind = Some(MemberKind::Other("gip".into()));
    g.members[2].address = String::new();
    g.members[2].representative.name = String::new();
    g.members[7].establishments[1].kind = Some(EstablishmentKind::Other("EHPAD".into()));
    g.members[7].establishments[1].capacity = "39 places".into();
    assert_eq!(
        extra(&g),
        vec![
            row(Erreur, EmptyField, "name", ""),
            row(Erreur, EmptyField, "members[0].name", "  "),
            row(Erreur, EmptyField, "members[0].establishments[0].name", ""),
            row(Avertissement, MissingKind, "members[1].kind", ""),
            row(Avertissement, UnknownKind, "members[2].kind", "gip"),
            row(Avertissement, EmptyField, "members[2].address", ""),
            row(
                Avertissement,
                EmptyField,
                "members[2].representative.name",
                ""
            ),
            row(
                Avertissement,
                UnknownKind,
                "members[7].establishments[1].kind",
                "EHPAD"
            ),
            row(
                Avertissement,
                NonNumericCapacity,
                "members[7].establishments[1].capacity",
                "39 places"
            ),
        ]
    );
    let r = check(&g);
    let messages: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    for expected in [
        "Groupement : le nom du groupement est vide",
        "Membre n° 1 (sans nom) : le nom du membre est vide",
        "Membre n° 1 (sans nom) — établissement n° 1 (sans nom) : le nom de l'établissement est vide",
        "CCAS DE RONCHIN : le type de membre est vide",
    ] {
        assert!(messages.contains(&expected), "{expected}: {messages:#?}");
    }
    assert_eq!((r.error_count(), r.warning_count()), (3, 13));
    assert!(
        r.render_text()
            .ends_with("Bilan : 3 erreurs, 13 avertissements.\n")
    );
}

#[test]
fn report_serializes_in_snake_case() {
    let r = check(&real());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["findings"][6]["severity"], "avertissement");
    assert_eq!(v["findings"][6]["code"], "shared_siret");
    assert_eq!(
        v["findings"][6]["field"],
        "members[8].establishments[1].siret[0]"
    );
    assert_eq!(v["findings"][6]["member"], 8);
    assert_eq!(v["findings"][6]["establishment"], 1);
    assert_eq!(v["findings"][6]["input"], "siret");
}
