//! Unit tests of `attribution::letters`.

use super::*;
use chrono::TimeZone;
use rust_decimal::dec;

fn base() -> Value {
    json!({
        "buyer": {"name": "CCAS de Wattrelos", "representative": {"name": "Dominique BAERT", "title": "Président du CCAS"}},
        "document": {"place": "Wattrelos"},
    })
}

fn party() -> Party {
    Party {
        name: "ATRIUM DOMICILE".into(),
        address: "8 avenue de la Marne, 59700 Marcq-en-Barœul".into(),
        email: "contact@atrium.example".into(),
        siret: "52345678900024".into(),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 2, 18, 8, 30, 0)
        .single()
        .expect("instant")
}

#[test]
fn noti3_context_carries_marks_rank_winner_and_standstill() {
    let lot = LotRef {
        number: 1,
        title: "Solution DUI".into(),
    };
    let r = Rejection {
        stage: "offre",
        reasons: vec!["offre moins bien classée".into()],
        marks: vec![Mark {
            criterion: "Prix".into(),
            max: dec!(30),
            score: dec!(23.7391),
        }],
        total: Some(dec!(77.7391)),
        rank: Some(2),
        offers_ranked: 3,
    };
    let w = Winner {
        name: "LOGIDOM SANTÉ".into(),
        marks: vec![],
        total: dec!(87.544),
        reasons: "meilleure offre".into(),
    };
    let s = StandstillDates {
        electronic: true,
        days: 11,
        sent_on: NaiveDate::from_ymd_opt(2027, 2, 18).expect("d"),
        ends_on: NaiveDate::from_ymd_opt(2027, 2, 28).expect("d"),
        signature_from: NaiveDate::from_ymd_opt(2027, 3, 1).expect("d"),
        exempt: None,
    };
    let ctx = noti3(&base(), &lot, &party(), &r, &w, &s, now());
    assert_eq!(ctx["rejection"]["marks"][0]["score"], "23.74");
    assert_eq!(ctx["rejection"]["total"], "77.74");
    assert_eq!(ctx["rejection"]["rank"], 2);
    assert_eq!(ctx["attributaire"]["total"], "87.54");
    assert_eq!(ctx["standstill"]["signature_from"], "2027-03-01");
    assert_eq!(ctx["document"]["date"], "2027-02-18");
    assert_eq!(ctx["signatory"]["name"], "Dominique BAERT");
    assert!(
        ctx["signatory"]["quality"]
            .as_str()
            .unwrap_or_default()
            .contains("coordonnateur du groupement")
    );
    let mail = noti3_email(
        Mail {
            kind: "noti3",
            to: &party(),
            reference: "2026-DUI",
            objet: "DUI",
            lot: &lot,
            buyer: "CCAS de Wattrelos",
            attachments: vec![("noti3.docx".into(), vec![1, 2])],
        },
        &s,
    )
    .expect("template");
    assert!(mail.text.contains("1er mars 2027"), "{}", mail.text);
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.to.address, "contact@atrium.example");
}

#[test]
fn noti5_email_holds_the_link_and_sans_suite_the_ground() {
    let lot = LotRef {
        number: 2,
        title: "Télégestion".into(),
    };
    let m = || Mail {
        kind: "x",
        to: &PARTY,
        reference: "R",
        objet: "O",
        lot: &lot,
        buyer: "B",
        attachments: vec![],
    };
    static PARTY: std::sync::LazyLock<Party> = std::sync::LazyLock::new(party);
    let e = noti5_email(m(), "https://coordo.example/accuse-reception/abc").expect("template");
    assert!(
        e.text
            .contains("https://coordo.example/accuse-reception/abc")
    );
    assert!(e.text.contains("R2182-4"));
    let html = e.html.unwrap_or_default();
    assert!(!html.contains("<script"), "{html}");
    let d = Abandon {
        date: NaiveDate::from_ymd_opt(2027, 2, 9).expect("d"),
        infructueuse: true,
        reason: "aucune offre régulière.".into(),
    };
    let ctx = sans_suite(&base(), &lot, &party(), &d, true, now());
    assert_eq!(ctx["decision"]["reason"], "aucune offre régulière");
    assert!(
        ctx["decision"]["ground"]
            .as_str()
            .unwrap_or_default()
            .starts_with("infructuosité")
    );
    assert_eq!(ctx["candidate"]["name"], "ATRIUM DOMICILE");
    assert_eq!(ctx["sending"]["electronic"], true);
    assert!(
        sans_suite_email(m(), &d)
            .expect("template")
            .subject
            .contains("infructueuse")
    );
}

#[test]
fn the_channel_stated_is_the_one_used() {
    let d = NaiveDate::from_ymd_opt(2027, 2, 18).expect("d");
    let mail = sending(true, &party(), d);
    assert_eq!(
        mail["label"],
        "par courriel à l'adresse contact@atrium.example"
    );
    let post = sending(false, &party(), d);
    assert_eq!(
        post["label"],
        "par lettre recommandée avec demande d'avis de réception à l'adresse 8 avenue de la Marne, 59700 Marcq-en-Barœul"
    );
    assert_eq!(post["electronic"], false);
    assert_eq!(post["sent_on"], "2027-02-18");
}

#[test]
fn the_buyer_contact_names_the_service_its_email_and_phone() {
    let mut b = base();
    b["buyer"]["email"] = json!("marches@ccas-wattrelos.example");
    b["buyer"]["phone"] = json!(" 03 20 00 00 00 ");
    let c = buyer_contact(&b);
    assert_eq!(
        c["service"],
        "service des marchés du CCAS de Wattrelos, coordonnateur du groupement"
    );
    assert_eq!(c["email"], "marches@ccas-wattrelos.example");
    assert_eq!(c["phone"], "03 20 00 00 00");
    assert_eq!(buyer_contact(&base())["phone"], "");
}

#[test]
fn only_a_ranked_offer_may_ask_for_the_advantages_of_the_chosen_offer() {
    let lot = LotRef {
        number: 1,
        title: "DUI".into(),
    };
    let w = Winner {
        name: "LOGIDOM SANTÉ".into(),
        marks: vec![],
        total: dec!(80),
        reasons: "meilleure offre".into(),
    };
    let s = StandstillDates {
        electronic: false,
        days: 16,
        sent_on: NaiveDate::from_ymd_opt(2027, 2, 18).expect("d"),
        ends_on: NaiveDate::from_ymd_opt(2027, 3, 5).expect("d"),
        signature_from: NaiveDate::from_ymd_opt(2027, 3, 6).expect("d"),
        exempt: None,
    };
    let irregular = Rejection {
        stage: "offre",
        reasons: vec!["offre irrégulière".into()],
        marks: vec![],
        total: None,
        rank: None,
        offers_ranked: 2,
    };
    let ctx = noti3(&base(), &lot, &party(), &irregular, &w, &s, now());
    assert_eq!(ctx["rejection"]["may_request_advantages"], false);
    assert_eq!(ctx["sending"]["electronic"], false);
    let ranked = Rejection {
        rank: Some(2),
        ..irregular
    };
    let ctx = noti3(&base(), &lot, &party(), &ranked, &w, &s, now());
    assert_eq!(ctx["rejection"]["may_request_advantages"], true);
}
