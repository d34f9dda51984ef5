//! Techniques d'achat (issue 17): the software bought as a marché spécifique of a SAD and the
//! hardware as an accord-cadre à bons de commande, each taken to notification by the demo's
//! builder (the services the pages call) on the test's SQLite file; then their own delays,
//! letters, RC and DECP read back, and the safeguards tried through the pages.

use crate::support::docx_text;
use crate::support::*;
use coordo::db::entities::{letter, mail_message, piece, piece_version, sad_admis};
use coordo::demo::{Purchases, Stage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn build(app: &TestApp, stage: Stage) -> Vec<(i32, String)> {
    let settings = coordo::config::Settings::for_test(&app.db_path, &app.mail_dir);
    let built = coordo::demo::run_with(settings, stage, Purchases::Techniques)
        .await
        .expect("demo");
    built
        .consultations
        .into_iter()
        .map(|c| (c.id, c.reference))
        .collect()
}

async fn letters(app: &TestApp, cid: i32, kind: &str) -> Vec<String> {
    letter::Entity::find()
        .filter(letter::Column::ConsultationId.eq(cid))
        .filter(letter::Column::Kind.eq(kind))
        .all(&app.state.db)
        .await
        .expect("letters")
        .iter()
        .map(|l| docx_text::open(&l.docx).document_text())
        .collect()
}

/// The current version of piece `kind`, as stored.
async fn piece_docx(app: &TestApp, cid: i32, kind: &str) -> Vec<u8> {
    let p = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .filter(piece::Column::Kind.eq(kind))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("piece");
    piece_version::Entity::find()
        .filter(piece_version::Column::PieceId.eq(p.id))
        .order_by_desc(piece_version::Column::Number)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("version")
        .docx
}

async fn rc_text(app: &TestApp, cid: i32) -> String {
    // Amounts are grouped with no-break spaces: compared here as typed.
    docx_text::open(&piece_docx(app, cid, "rc").await)
        .document_text()
        .replace(['\u{202F}', '\u{A0}'], " ")
}

async fn transitions(app: &TestApp, cid: i32) -> Vec<String> {
    use coordo::db::entities::audit_entry;
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("consultation.transition"))
        .filter(audit_entry::Column::EntityId.eq(cid.to_string()))
        .order_by_asc(audit_entry::Column::Id)
        .all(&app.state.db)
        .await
        .expect("journal")
        .iter()
        .map(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.summary).expect("json");
            v["after"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_marche_specifique_and_an_accord_cadre_reach_notification_with_their_own_rules() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let built = build(&app, Stage::Notifiee).await;
    let (sad, mat) = (built[0].0, built[1].0);
    assert!(built[0].1.starts_with("DEMO-SAD-") && built[1].1.starts_with("DEMO-MAT-"));
    let db = &app.state.db;
    let today = app.state.clock.today_paris();

    // The SAD: four admitted candidates, each invited once, in the journal.
    let admitted = sad_admis::Entity::find()
        .filter(sad_admis::Column::ConsultationId.eq(sad))
        .all(db)
        .await
        .expect("admitted");
    assert_eq!(admitted.len(), 4);
    assert!(admitted.iter().all(|a| a.invited_on.is_some()));
    let invitations = mail_message::Entity::find()
        .filter(mail_message::Column::Kind.eq("sad_invitation"))
        .all(db)
        .await
        .expect("mails");
    let mut to: Vec<&str> = invitations.iter().map(|m| m.to_addr.as_str()).collect();
    let mut expected: Vec<&str> = admitted.iter().map(|a| a.email.as_str()).collect();
    to.sort_unstable();
    expected.sort_unstable();
    assert_eq!(to, expected, "one invitation per admitted candidate");
    let body = &invitations[0].body_text;
    assert!(
        body.contains("R2162-48") && body.contains("Resah"),
        "{body}"
    );
    assert!(body.contains("au plus tard le"), "{body}");

    // Delays: ten days from the invitation, no standstill; the accord-cadre keeps the AOO's.
    let d = coordo::consultations::service::detail(db, gid, sad, today)
        .await
        .expect("detail");
    let cal = d.calendar.expect("calendar").expect("computed");
    assert_eq!(cal.min_offer_days, Some(10));
    assert_eq!(
        cal.delay_start,
        d.c.publication_date.expect("invitation date")
    );
    assert_eq!(cal.standstill_days, None);
    assert!(
        cal.notes.iter().any(|n| n.contains("R2182-2")),
        "{:?}",
        cal.notes
    );
    let d = coordo::consultations::service::detail(db, gid, mat, today)
        .await
        .expect("detail");
    let cal = d.calendar.expect("calendar").expect("computed");
    assert!(cal.min_offer_days.is_some_and(|n| n >= 30), "{cal:?}");
    assert_eq!(cal.standstill_days, Some(11));

    // The lifecycle: the marché spécifique is signed without going through the standstill.
    let path = transitions(&app, sad).await;
    assert!(!path.contains(&"suspension".to_owned()), "{path:?}");
    assert_eq!(
        path.last().map(String::as_str),
        Some("notifiee"),
        "{path:?}"
    );
    let path = transitions(&app, mat).await;
    assert!(path.contains(&"suspension".to_owned()), "{path:?}");
    assert_eq!(
        path.last().map(String::as_str),
        Some("notifiee"),
        "{path:?}"
    );

    // The NOTI3 say so, each with the date from which the marché may be signed (R2181-3 2°).
    for text in letters(&app, sad, "noti3").await {
        let text = docx_text::read_as_typed(&text);
        assert!(
            text.contains("Aucun délai de suspension ne s'applique"),
            "{text}"
        );
        assert!(text.contains("système d'acquisition dynamique"), "{text}");
        assert!(
            text.contains("Le marché peut être signé à compter du"),
            "{text}"
        );
    }
    for text in letters(&app, mat, "noti3").await {
        let text = docx_text::read_as_typed(&text);
        assert!(
            text.contains("un délai de suspension de 11 jours"),
            "{text}"
        );
    }

    // The RC: the SAD and its delay; the accord-cadre's maximum and each member's part.
    let rc = rc_text(&app, sad).await;
    assert!(
        rc.contains("système d'acquisition dynamique « Resah"),
        "{rc}"
    );
    assert!(rc.contains("R2162-50") && rc.contains("R2182-2"), "{rc}");
    let rc = rc_text(&app, mat).await;
    assert!(rc.contains("accord-cadre mono-attributaire"), "{rc}");
    assert!(rc.contains("144 000,00 € HT (article R2162-4"), "{rc}");
    assert_eq!(rc.matches("14 400,00 € HT maximum").count(), 10, "{rc}");

    // Every piece of both DCE and every letter of the SAD passes the independent validator, and
    // none calls the marché spécifique an accord-cadre.
    let dir = tempfile::tempdir().expect("dir");
    for (cid, name) in [(sad, "sad"), (mat, "mat")] {
        for kind in ["rc", "ae", "ccap", "cctp", "bpu"] {
            let docx = piece_docx(&app, cid, kind).await;
            if cid == sad {
                let text = docx_text::open(&docx).document_text();
                assert!(!text.contains("accord-cadre"), "{kind}: {text}");
            }
            std::fs::write(dir.path().join(format!("{name}_{kind}.docx")), docx).expect("write");
        }
    }
    for kind in ["noti1", "noti3", "noti5"] {
        let l = letter::Entity::find()
            .filter(letter::Column::ConsultationId.eq(sad))
            .filter(letter::Column::Kind.eq(kind))
            .one(db)
            .await
            .expect("q")
            .expect("letter");
        let text = docx_text::open(&l.docx).document_text();
        assert!(!text.contains("accord-cadre"), "{kind}: {text}");
        std::fs::write(dir.path().join(format!("sad_{kind}.docx")), &l.docx).expect("write");
    }
    if let Ok(out) = std::env::var("COORDO_TECHNIQUES_DOCS") {
        for e in std::fs::read_dir(dir.path()).expect("dir") {
            let p = e.expect("entry").path();
            std::fs::copy(
                &p,
                std::path::Path::new(&out).join(p.file_name().expect("name")),
            )
            .expect("copy");
        }
    }
    for (file, errors, first) in crate::docgen::validator::audit(dir.path()) {
        assert_eq!(errors, 0, "{file}: {first:?}");
    }

    // The DECP: technique, modalité, procedure and the maximum as the amount.
    // Published today, after the demo's notification.
    let now = chrono::Utc::now();
    let decp = coordo::attribution::opendata::decp(db, gid, sad, now)
        .await
        .expect("decp");
    let m = &decp["marches"]["marche"][0];
    assert_eq!(
        m["techniques"]["technique"][0], "Système d'acquisition dynamique",
        "{m}"
    );
    assert_eq!(m["procedure"], "Appel d'offres restreint", "{m}");
    let decp = coordo::attribution::opendata::decp(db, gid, mat, now)
        .await
        .expect("decp");
    let m = &decp["marches"]["marche"][0];
    assert_eq!(m["techniques"]["technique"][0], "Accord-cadre", "{m}");
    assert_eq!(
        m["modalitesExecution"]["modaliteExecution"][0], "Bons de commande",
        "{m}"
    );
    assert_eq!(m["montant"].to_string().trim_matches('"'), "144000", "{m}");
}

#[tokio::test]
async fn only_admitted_candidates_tender_and_the_technique_is_set_once_by_the_coordonnateur() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let built = build(&app, Stage::Publiee).await;
    let sad = built[0].0;
    // The demo published it in the past days: the service's clock is set to now, the pli
    // received an hour ago on the buyer's profile.
    app.state.clock.set(chrono::Utc::now());
    let received = (chrono::Utc::now() - chrono::Duration::hours(1))
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let coord = app.login(&coord_email()).await;
    let offres = format!("/g/{gid}/consultations/{sad}/offres/plis");
    let pli = |name: &'static str, siret: &'static str| {
        vec![
            ("bidder_name", name),
            ("siret", siret),
            ("address", "1 rue de Paris, 59000 Lille"),
            ("contact_email", "offres@example.org"),
            ("received_at", received.as_str()),
            ("channel", "profil_acheteur"),
            ("platform_receipt", "AR-1"),
        ]
    };
    // A company outside the SAD's category is refused, in French, and nothing is written.
    let before = app.audit_count().await;
    let r = coord
        .post_form(&offres, &pli("INTRUS LOGICIELS", "73282932000074"))
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("pas admis dans la catégorie du système"),
        "{page}"
    );
    assert_eq!(app.audit_count().await, before);
    // An admitted editor is registered.
    let (name, siret, _) = coordo::demo::ADMITTED_WITHOUT_OFFER;
    let r = coord.post_form(&offres, &pli(name, siret)).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());

    // The page shows the SAD and who was invited; the list no longer changes once invited.
    let page = coord
        .get(&format!("/g/{gid}/consultations/{sad}/technique"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("MOSAÏQUE DOMICILE ÉDITION") && page.contains("Invité le"),
        "{page}"
    );
    let r = coord
        .post_file(
            &format!("/g/{gid}/consultations/{sad}/technique/admis"),
            "fichier",
            "admis.csv",
            b"Raison sociale;SIRET;Courriel\nINTRUS;73282932000074;i@example.org\n",
        )
        .await;
    assert_eq!(r.status(), 409);
    // The technique is written in the visaed RC: refused once published.
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{sad}/technique"),
            &[("technique", "aucune")],
        )
        .await;
    assert_eq!(r.status(), 409);

    // On a new draft: a form with errors is answered field by field, a valid one journaled
    // once, the same again changes nothing; a référent may read, not write.
    let cid = crate::consultations::software_tender(&app, &coord).await;
    let page_path = format!("/g/{gid}/consultations/{cid}/technique");
    let r = coord
        .post_form(&page_path, &[("technique", "accord_cadre")])
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("bons de commande, par marchés subséquents"),
        "{page}"
    );
    let form = [
        ("technique", "accord_cadre"),
        ("execution", "marches_subsequents"),
        ("attributaires", "multi"),
    ];
    let before = app.audit_count().await;
    assert_eq!(coord.post_form(&page_path, &form).await.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(coord.post_form(&page_path, &form).await.status(), 303);
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "an unchanged form writes nothing"
    );
    let referent = app.login(&referent_email(SANTELYS)).await;
    assert_eq!(referent.get(&page_path).await.status(), 200);
    assert_eq!(referent.post_form(&page_path, &form).await.status(), 403);
}

#[tokio::test]
async fn the_admitted_list_is_imported_all_or_nothing_and_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(&app, &coord).await;
    let page = format!("/g/{gid}/consultations/{cid}/technique");
    let import = format!("{page}/admis");
    let good = "Éditeur;N° SIRET;Adresse électronique\nATALANTE LOGICIELS SANTÉ;83190472700011;atalante@example.org\nDOMICILIA NUMÉRIQUE;84526318500017;domicilia@example.org\n";
    // Not a marché spécifique yet: refused.
    let r = coord
        .post_file(&import, "fichier", "admis.csv", good.as_bytes())
        .await;
    assert_eq!(r.status(), 409);
    let r = coord
        .post_form(
            &page,
            &[
                ("technique", "sad"),
                ("sad_reference", coordo::demo::SAD_REFERENCE),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // A bad file: every error with its line and column, nothing written.
    let before = app.audit_count().await;
    let bad = "Raison sociale;SIRET;Courriel\nALPHA;83190472700012;alpha@example.org\n;84526318500017;pas-une-adresse\n";
    let r = coord
        .post_file(&import, "fichier", "admis.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("page");
    for m in [
        "Ligne 2, colonne « SIRET »",
        "Ligne 3, colonne « Raison sociale »",
        "Ligne 3, colonne « Courriel »",
    ] {
        assert!(body.contains(m), "{m}: {body}");
    }
    assert_eq!(app.audit_count().await, before);
    // The good one: journaled once; the same file again writes nothing.
    let r = coord
        .post_file(&import, "fichier", "admis.csv", good.as_bytes())
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let r = coord
        .post_file(&import, "fichier", "admis.csv", good.as_bytes())
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.audit_count().await, before + 1);
    let body = coord.get(&page).await.text().await.expect("page");
    assert!(
        body.contains("DOMICILIA NUMÉRIQUE") && body.contains("pas encore"),
        "{body}"
    );
}
