use super::*;
use chrono::TimeZone;

fn t(s: &str) -> Vec<String> {
    s.split(';').map(str::to_owned).collect()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("date")
}

fn lots() -> Vec<lot::Model> {
    (1..=2)
        .map(|n| lot::Model {
            id: 10 + n,
            consultation_id: 1,
            number: n,
            label: format!("L{n}"),
        })
        .collect()
}

const PLACE: &str = "N° de pli;Entreprise;SIRET;Date et heure de dépôt;Lot;Email";

fn ctx<'a>(lots: &'a [lot::Model], existing: &'a [pli::Model]) -> Context<'a> {
    Context {
        lots,
        opened_on: NaiveDate::from_ymd_opt(2026, 12, 1),
        now: utc(2027, 1, 20, 9, 0, 0),
        existing,
    }
}

#[test]
fn the_usual_headers_of_the_platforms_are_recognised() {
    let m = propose(&t(PLACE));
    assert_eq!(
        m.0,
        [Some(1), Some(2), Some(3), Some(0), Some(4), Some(5), None]
    );
    let aws = propose(&t(
        "Raison sociale;N° SIRET;Horodatage;Numéro de dépôt;Courriel;Adresse postale",
    ));
    assert_eq!(
        aws.0,
        [Some(0), Some(1), Some(2), Some(3), None, Some(4), Some(5)]
    );
    let maximilien = propose(&t(
        "Dénomination ;Siret:;Date de réception;Référence du dépôt;Nº de lot",
    ));
    assert_eq!(
        maximilien.0,
        [Some(0), Some(1), Some(2), Some(3), Some(4), None, None]
    );
    assert!(check_mapping(&maximilien, &t("a;b;c;d;e")).is_ok());
    let e = check_mapping(&Mapping::default(), &t("a")).expect_err("empty");
    assert_eq!(e.len(), 4);
    let mut twice = maximilien;
    twice.0[LOT] = Some(0);
    assert!(check_mapping(&twice, &t("a;b;c;d;e")).is_err());
}

#[test]
fn timestamps_of_every_accepted_form() {
    // 14 January 2027 16:12:05 in Paris is 15:12:05 UTC.
    let at = utc(2027, 1, 14, 15, 12, 5);
    for s in [
        "14/01/2027 16:12:05",
        "14/01/2027 à 16:12:05",
        "2027-01-14 16:12:05",
        "2027-01-14T16:12:05",
        "2027-01-14T16:12:05+01:00",
        "2027-01-14T15:12:05Z",
        "2027-01-14 16:12:05+01:00",
    ] {
        assert_eq!(parse_time(s), Ok(at), "{s}");
    }
    assert_eq!(
        parse_time("14/01/2027 16:12"),
        Ok(utc(2027, 1, 14, 15, 12, 0))
    );
    // Summer time: 2 hours.
    assert_eq!(parse_time("2027-06-01 10:00"), Ok(utc(2027, 6, 1, 8, 0, 0)));
    assert!(
        parse_time("14 janvier")
            .expect_err("bad")
            .contains("14 janvier")
    );
    assert!(parse_time("31/02/2027 10:00").is_err());
}

#[test]
fn rows_become_transcribed_plis_of_the_platform() {
    let table = vec![
        t(PLACE),
        t(
            "PLACE-0001;LOGIDOM SANTÉ;732 829 320 00074;14/01/2027 16:12:05;Lot 2;offres@logidom.example",
        ),
        t(";;;;;"),
        t("PLACE-0002;BETA;44306184100047;2027-01-15T12:00:01+01:00;1;"),
    ];
    let lots = lots();
    let out = parse(&table, &propose(&table[0]), &ctx(&lots, &[]));
    assert_eq!(out.errors, Vec::<String>::new());
    assert_eq!(out.rows.len(), 2);
    let r = &out.rows[0];
    assert_eq!(r.line, 2);
    assert_eq!(r.draft.lot_id, Some(12));
    assert_eq!(r.draft.siret, "73282932000074");
    assert_eq!(r.draft.received_at, utc(2027, 1, 14, 15, 12, 5));
    assert_eq!(r.draft.channel, "profil_acheteur");
    assert_eq!(r.draft.platform_receipt.as_deref(), Some("PLACE-0001"));
    assert_eq!(out.rows[1].line, 4);
    assert_eq!(out.rows[1].draft.contact_email, "");
}

#[test]
fn every_bad_row_is_named_by_line_and_column() {
    let table = vec![
        t(PLACE),
        t("A-1;ALPHA;73282932000075;14/01/2027 16:12;1;a@b.fr"),
        t("A-2;BETA;44306184100047;21/01/2027 10:00;1;a@b.fr"),
        t("A-2;GAMMA;55203253400646;hier;3;pas une adresse"),
        t("A-4;;40483304800022;30/11/2026 10:00;;a@b.fr"),
    ];
    let lots = lots();
    let out = parse(&table, &propose(&table[0]), &ctx(&lots, &[]));
    assert!(out.rows.is_empty());
    let e = out.errors.join("\n");
    for expected in [
        "Ligne 2, colonne « SIRET »",
        "Ligne 3, colonne « Date et heure de dépôt » : la date de réception",
        "Ligne 4, colonne « N° de pli » : le dépôt n° A-2 figure déjà à la ligne 3",
        "Ligne 4, colonne « Date et heure de dépôt » : « hier »",
        "Ligne 4, colonne « Lot » : le lot « 3 » n'existe pas",
        "Ligne 4, colonne « Email »",
        "Ligne 5, colonne « Entreprise » : valeur obligatoire manquante",
        "Ligne 5, colonne « Date et heure de dépôt » : déposé le 30 novembre 2026",
        "Ligne 5, colonne « Lot » : choisissez le lot",
    ] {
        assert!(e.contains(expected), "{expected}\n{e}");
    }
    assert!(e.contains("futur"), "{e}");
}

#[test]
fn an_already_imported_deposit_is_skipped_or_refused_if_changed() {
    let table = vec![
        t(PLACE),
        t("A-1;ALPHA;73282932000074;14/01/2027 16:12;1;a@b.fr"),
    ];
    let lots = lots();
    let first = parse(&table, &propose(&table[0]), &ctx(&lots, &[]));
    let d = first.rows[0].draft.clone();
    let stored = pli::Model {
        id: 5,
        consultation_id: 1,
        lot_id: d.lot_id,
        bidder_name: d.bidder_name.clone(),
        siret: d.siret.clone(),
        address: d.address.clone(),
        contact_email: d.contact_email.clone(),
        received_at: d.received_at,
        channel: d.channel.clone(),
        price_ht: None,
        hors_delai: false,
        superseded: false,
        candidature_status: "a_examiner".into(),
        candidature_reason: None,
        offer_status: "a_examiner".into(),
        offer_reason: None,
        regularisation: None,
        oab_requested_on: None,
        oab_answer: None,
        oab_decision: None,
        oab_decision_reason: None,
        created_at: d.received_at,
        updated_at: d.received_at,
        entered_at: None,
        platform_receipt: d.platform_receipt.clone(),
    };
    let again = parse(
        &table,
        &propose(&table[0]),
        &ctx(&lots, std::slice::from_ref(&stored)),
    );
    assert_eq!(again.errors, Vec::<String>::new());
    assert_eq!(again.rows[0].already, Some(5));
    let changed = vec![
        t(PLACE),
        t("A-1;ALPHA;73282932000074;14/01/2027 16:13;1;a@b.fr"),
    ];
    let out = parse(&changed, &propose(&changed[0]), &ctx(&lots, &[stored]));
    assert!(
        out.errors[0].contains("déjà importé avec d'autres données"),
        "{:?}",
        out.errors
    );
}

#[test]
fn an_empty_file_or_no_deposit_is_refused() {
    let lots = lots();
    assert!(
        !parse(&[], &Mapping::default(), &ctx(&lots, &[]))
            .errors
            .is_empty()
    );
    let table = vec![t(PLACE), t(";;;;;")];
    let out = parse(&table, &propose(&table[0]), &ctx(&lots, &[]));
    assert!(out.errors[0].contains("aucun dépôt"));
}
