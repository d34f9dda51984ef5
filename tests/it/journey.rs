//! Issue 9: the groupement's software tender from its creation to the acknowledged notification
//! and the verified archive, in a real headless Chromium wherever a person acts on a page.
//!
//! In the browser: creation of the consultation, « Générer tout le DCE », submission to the visa,
//! the ten référents' favourable visas on the round page, every status transition up to the
//! analysis, the registration of the plis, one CAO member's notation sheet, the ranking, the
//! séance page, the whole attribution page (NOTI1, certificates, NOTI3, the ten written
//! validations, signature, NOTI5), the titulaire's acknowledgement.
//! Through the HTTP client (data entry that has its own tests, or no page of its own): the lot,
//! needs and DCE data, the criteria grid (JSON API), prices and admissibility, the second CAO
//! member's notes (JSON API), the CAO séance (creation, convocation, attendance, declarations,
//! votes, deliberation), the archive download (a file through WebDriver is awkward).

use crate::cao::MEMBERS;
use crate::mail::{SmtpServer, smtp_mailer};
use crate::offers::{S_ALPHA, S_BETA, S_GAMMA, offres, set_criteria, utc};
use crate::support::browser::Browser;
use crate::support::*;
use fantoccini::Locator;
use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::future::Future;
use std::net::TcpListener;
use std::time::Duration;

/// Polls `check` (10 s at most): a form posted in the browser has been handled.
async fn until<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

async fn status(app: &TestApp, cid: i32) -> String {
    use coordo::db::entities::consultation;
    consultation::Entity::find_by_id(cid)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("c")
        .status
}

async fn wait_status(app: &TestApp, cid: i32, code: &str) {
    until(&format!("status {code}"), move || async move {
        status(app, cid).await == code
    })
    .await;
}

/// Number of elements matching `css` on the current page (no wait).
/// Clicks the transition button of the consultation page and waits for the new status.
async fn transition(b: &Browser, app: &TestApp, gid: i32, cid: i32, code: &str) {
    b.goto(&app.url(&format!("/g/{gid}/consultations/{cid}")))
        .await;
    b.click(&format!(
        "form:has(input[name=statut][value={code}]) button[type=submit]"
    ))
    .await;
    wait_status(app, cid, code).await;
}

/// Logs out through the header's form, then logs `email` in.
async fn switch(b: &Browser, app: &TestApp, email: &str) {
    if b.count_of("header .who button").await > 0 {
        b.click("header .who button").await;
        until("logged out", move || async move {
            b.count_of("header .who button").await == 0
        })
        .await;
    }
    b.login(&app.base, email, PASSWORD).await;
    assert!(
        !b.client
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/login"),
        "login of {email}"
    );
}

async fn sheets(app: &TestApp, cid: i32) -> Vec<coordo::db::entities::evaluator_sheet::Model> {
    use coordo::db::entities::evaluator_sheet;
    evaluator_sheet::Entity::find()
        .filter(evaluator_sheet::Column::ConsultationId.eq(cid))
        .all(&app.state.db)
        .await
        .expect("sheets")
}

async fn letters(app: &TestApp, kind: &str) -> Vec<coordo::db::entities::letter::Model> {
    use coordo::db::entities::letter;
    letter::Entity::find()
        .filter(letter::Column::Kind.eq(kind))
        .all(&app.state.db)
        .await
        .expect("letters")
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn the_software_tender_from_creation_to_the_archive_in_the_browser() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let coord = app.login(&coord_email()).await;
    let b = Browser::start().await;

    // 1. The coordonnateur creates the consultation in the browser.
    switch(&b, &app, &coord_email()).await;
    b.wait_text("h1", "À faire").await;
    b.goto(&app.url(&format!("/g/{gid}"))).await;
    b.wait_text("h1", "Grappe acquisition secteur domicile")
        .await;
    b.screenshot("journey-01-tableau-de-bord").await;
    b.goto(&app.url(&format!("/g/{gid}/consultations/new")))
        .await;
    b.fill("input[name=reference]", "2026-DUI").await;
    b.fill(
        "input[name=objet]",
        "Acquisition d'un dossier usager informatisé",
    )
    .await;
    b.fill("input[name=cpv]", "48000000-8").await;
    b.client
        .execute("document.querySelector('select[name=ccag]').value = 'tic'; document.querySelector('input[name=launch_date]').value = '2026-12-01'; document.querySelector('input[name=offers_deadline_date]').value = '2027-01-15';", vec![])
        .await
        .expect("set fields");
    b.click("form.grid button[type=submit]").await;
    b.wait_text("body", "Consultation 2026-DUI créée").await;
    let cid: i32 = b
        .client
        .current_url()
        .await
        .expect("url")
        .path()
        .rsplit('/')
        .next()
        .expect("id")
        .parse()
        .expect("consultation id in the address");
    // The lot, calendar details and DCE data through HTTP (covered by their own tests).
    let r = coord
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/lots"),
            &[("label", "Solution DUI")],
        )
        .await;
    assert_eq!(r.status(), 303);
    crate::pieces::complete_tender(&app, &coord, cid).await;
    // The needs of the ten members in one grid, one click (before: one form per member, ten
    // submits and ten page loads).
    let before = b.clicks();
    b.goto(&app.url(&format!("/g/{gid}/consultations/{cid}/besoins")))
        .await;
    let amounts = b
        .client
        .find_all(Locator::Css("input[name$='_amount_ht']"))
        .await
        .expect("amount cells");
    assert_eq!(amounts.len(), 10, "one row per member");
    for a in amounts {
        a.send_keys("35 000,00").await.expect("type");
    }
    b.click("form[action$='/besoins'] button[type=submit]")
        .await;
    let ar = &app;
    until("needs saved", move || async move {
        coordo::db::entities::need::Entity::find()
            .count(&ar.state.db)
            .await
            .expect("count")
            == 10
    })
    .await;
    let needs_clicks = b.clicks() - before;
    assert_eq!(needs_clicks, 1, "needs of ten members: one click");

    // 2. « Générer tout le DCE ».
    let base = format!("/g/{gid}/consultations/{cid}");
    b.goto(&app.url(&format!("{base}/pieces"))).await;
    b.click("form[action$='/pieces/generate-all'] button[type=submit]")
        .await;
    b.wait_text("body", "RC : version 1 créée.").await;
    b.screenshot("journey-02-dce").await;

    // 3. Pièces en visa; the round is opened on the visas page; each référent gives its
    // favourable visa on every piece on the round page.
    transition(&b, &app, gid, cid, "pieces_en_visa").await;
    b.goto(&app.url(&format!("{base}/visas"))).await;
    b.client
        .execute(
            "document.querySelector('input[name=due_on]').value = '2026-12-04';",
            vec![],
        )
        .await
        .expect("due date");
    b.click("form[action$='/visas/rounds'] button[type=submit]")
        .await;
    let cr = &coord;
    until("visa round opened", move || async move {
        crate::visas::state(cr, gid, cid).await["rounds"][0]["id"].is_i64()
    })
    .await;
    let rid = crate::visas::latest_round(&coord, gid, cid).await;
    let _ = rid;
    // Each référent answers every piece in one form on the visas page: five choices and one
    // send (before: one form per piece, ten clicks and five page loads).
    let visas_page = app.url(&format!("{base}/visas"));
    let mut visa_clicks = 0;
    for (i, f) in MEMBERS.iter().enumerate() {
        switch(&b, &app, &referent_email(f)).await;
        b.goto(&visas_page).await;
        let form = "form[action$='/visas/reponses']";
        let radios = b
            .client
            .find_all(Locator::Css(&format!(
                "{form} input[type=radio][value=favorable]"
            )))
            .await
            .expect("radios");
        assert_eq!(radios.len(), 5, "{f}: RC, AE, CCAP, CCTP, BPU");
        let before = b.clicks();
        for r in radios {
            b.click_element(r).await;
        }
        b.click(&format!("{form} button[type=submit]")).await;
        b.wait_text("body", "5 visas enregistrés").await;
        visa_clicks = b.clicks() - before;
        assert_eq!(visa_clicks, 6, "a référent's visa of a whole DCE");
        let ar = &app;
        let expected = ((i + 1) * 5) as u64;
        until("visas recorded", move || async move {
            coordo::db::entities::visa::Entity::find()
                .count(&ar.state.db)
                .await
                .expect("count")
                == expected
        })
        .await;
        // Back on the list: nothing remains to visa.
        b.wait_text("#a-viser", "Aucun visa en attente").await;
        if i == 0 {
            b.screenshot("journey-03-visa").await;
        }
    }
    let s = crate::visas::state(&coord, gid, cid).await;
    assert_eq!(s["publication"]["ok"], true, "{s}");

    // 4. Prête à publier, publiée.
    switch(&b, &app, &coord_email()).await;
    transition(&b, &app, gid, cid, "prete_publier").await;
    transition(&b, &app, gid, cid, "publiee").await;

    // 5. The grid announced by the published RC is frozen (R2152-11); three plis registered in
    // the browser before the deadline.
    let r = set_criteria(&coord, gid, cid, json!([
        {"id": "prix", "label": "Prix", "weight": "100", "kind": "price", "formula": "proportional"}
    ]))
    .await;
    assert_eq!(r.status(), 409, "a published grid cannot be reshaped");
    app.state.clock.set(utc(2027, 1, 15, 10, 0, 0));
    for (n, (name, siret)) in [("ALPHA", S_ALPHA), ("BETA", S_BETA), ("GAMMA", S_GAMMA)]
        .into_iter()
        .enumerate()
    {
        b.goto(&app.url(&offres(gid, cid))).await;
        let form = "form[action$='/offres/plis']";
        b.fill(&format!("{form} input[name=bidder_name]"), name)
            .await;
        b.fill(&format!("{form} input[name=siret]"), siret).await;
        b.fill(
            &format!("{form} input[name=address]"),
            "12 rue Nationale, 59000 Lille",
        )
        .await;
        b.fill(
            &format!("{form} input[name=contact_email]"),
            &format!("{}@exemple.fr", name.to_lowercase()),
        )
        .await;
        // Received in Coordo: the reception time is the system's (15 January 2027, 11:00 Paris).
        b.click(&format!("{form} button[type=submit]")).await;
        let ar = &app;
        until("pli registered", move || async move {
            use coordo::db::entities::pli;
            pli::Entity::find()
                .filter(pli::Column::ConsultationId.eq(cid))
                .count(&ar.state.db)
                .await
                .expect("count")
                == n as u64 + 1
        })
        .await;
    }
    // After the deadline (15 January 2027, 12:00 in Paris): remise close, analyse.
    app.state.clock.set(utc(2027, 1, 15, 12, 30, 0));
    transition(&b, &app, gid, cid, "remise_close").await;
    transition(&b, &app, gid, cid, "analyse").await;
    let (alpha, beta, _gamma) = crate::offers::price_and_examine(
        &coord,
        gid,
        cid,
        "le bordereau des prix n'est pas rempli",
    )
    .await;

    // 7. Blind scoring: SANTELYS's titulaire in the browser, RONCHIN's through the API.
    app.state.clock.set(utc(2027, 1, 18, 9, 0, 0));
    switch(&b, &app, &cao_email("titulaire", SANTELYS)).await;
    let before = b.clicks();
    let mut typed = 0;
    let notation = app.url(&format!("{}/notation", offres(gid, cid)));
    b.goto(&notation).await;
    b.find("form[action$='/offres/notation'] fieldset").await;
    for fs in b
        .client
        .find_all(Locator::Css("form[action$='/offres/notation'] fieldset"))
        .await
        .expect("fieldsets")
    {
        let legend = fs
            .find(Locator::Css("legend"))
            .await
            .expect("legend")
            .text()
            .await
            .expect("text");
        let note = if legend.contains("ALPHA") { "16" } else { "12" };
        for i in fs
            .find_all(Locator::Css("input[name^=note_]"))
            .await
            .expect("notes")
        {
            i.send_keys(note).await.expect("type");
            typed += 1;
        }
        for t in fs
            .find_all(Locator::Css("textarea[name^=just_]"))
            .await
            .expect("justifications")
        {
            t.send_keys(&format!(
                "Mémoire technique de {legend} : couverture fonctionnelle"
            ))
            .await
            .expect("type");
            typed += 1;
        }
    }
    b.click("form[action$='/offres/notation'] button[type=submit]")
        .await;
    let ar = &app;
    until("notes saved", move || async move {
        !sheets(ar, cid).await.is_empty()
    })
    .await;
    b.goto(&notation).await;
    b.click("form[action$='/notation/remise'] button[type=submit]")
        .await;
    until("sheet submitted", move || async move {
        sheets(ar, cid)
            .await
            .iter()
            .any(|s| s.submitted_at.is_some())
    })
    .await;
    b.wait_text("body", "Feuille remise").await;
    let scoring_clicks = b.clicks() - before;
    eprintln!(
        "clicks: needs of ten members {needs_clicks}; a référent's visa of the DCE {visa_clicks}; \
         a CAO member's sheet {scoring_clicks} clicks and {typed} fields"
    );
    assert_eq!(scoring_clicks, 2, "save, then hand in");
    let e2 = app.login(&cao_email("titulaire", RONCHIN)).await;
    let api_notes = format!("/api/v1/groupements/{gid}/consultations/{cid}/offres/notes");
    let mut notes = Vec::new();
    for (pli, n) in [(&alpha, "15"), (&beta, "13")] {
        for leaf in ["fonct", "sobriete"] {
            notes.push(
                json!({"offre": pli.parse::<i32>().expect("id"), "critere": leaf, "note": n,
                "justification": "appréciation du mémoire technique"}),
            );
        }
    }
    let r = e2.post_json(&api_notes, &json!({ "notes": notes })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let r = e2
        .post_json(&format!("{api_notes}/remise"), &json!({}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    // The ranking, in the coordonnateur's browser.
    switch(&b, &app, &coord_email()).await;
    b.goto(&app.url(&format!("{}/classement", offres(gid, cid))))
        .await;
    let ranking = b.wait_text("body", "ALPHA").await;
    // ALPHA 46,50 + 40 = 86,50 first; BETA 37,50 + 33,33 = 70,83; GAMMA excluded.
    let (pa, pb) = (
        ranking.find("ALPHA").expect("ALPHA"),
        ranking.find("BETA").expect("BETA"),
    );
    assert!(pa < pb && ranking.contains("86,50"), "{ranking}");
    assert!(ranking.contains("GAMMA : irrégulière"), "{ranking}");
    b.screenshot("journey-04-classement").await;

    // 6. The CAO meets on 26 January 2027 (convened on the 20th), with quorum, and adopts the
    // proposal (HTTP); its page in the browser.
    let sid = crate::cao::adopts_the_award(&app, &coord, cid).await;
    b.goto(&app.url(&format!("/g/{gid}/cao/seances/{sid}")))
        .await;
    b.wait_text("h1", "Séance n°").await;
    b.screenshot("journey-05-seance-cao").await;

    // 8. Attribution on its page.
    app.state.clock.set(utc(2027, 1, 27, 9, 0, 0));
    let attribution = app.url(&format!("{base}/attribution"));
    b.goto(&attribution).await;
    b.fill(
        "form.decide textarea[name=reasons]",
        "offre économiquement la plus avantageuse : meilleure valeur technique et prix le plus bas des offres régulières",
    )
    .await;
    b.click("form.decide button[type=submit]").await;
    wait_status(&app, cid, "attribution_decidee").await;
    b.goto(&attribution).await;
    b.click("button.receive-all").await;
    b.find("#send-rejections").await;
    b.click("#send-rejections").await;
    wait_status(&app, cid, "suspension").await;
    // Every member's written validation, recorded by the coordonnateur with its proof.
    b.goto(&attribution).await;
    let mut recorded = 0;
    while let Some(first) = b
        .client
        .find_all(Locator::Css(
            "form[action$='/attribution/validation'] input[name=member_id]",
        ))
        .await
        .expect("forms")
        .into_iter()
        .next()
    {
        let mid = first.attr("value").await.expect("attr").expect("value");
        let form = format!(
            "form[action$='/attribution/validation']:has(input[name=member_id][value='{mid}'])"
        );
        b.fill(
            &format!("{form} input[name=comment]"),
            "courriel du directeur du 28 janvier 2027",
        )
        .await;
        b.click(&format!("{form} button[type=submit]")).await;
        let (br, fr) = (&b, form.as_str());
        until("validation recorded", move || async move {
            br.count_of(fr).await == 0
        })
        .await;
        recorded += 1;
    }
    assert_eq!(recorded, MEMBERS.len());
    // NOTI3 sent electronically on 27 January: no signature before 7 February.
    app.state.clock.set(utc(2027, 2, 6, 9, 0, 0));
    b.goto(&attribution).await;
    let blocked = b.text("#signature-blocked").await;
    assert!(blocked.contains("délai de suspension"), "{blocked}");
    app.state.clock.set(utc(2027, 2, 7, 9, 0, 0));
    b.goto(&attribution).await;
    assert_eq!(b.count_of("#signature-blocked").await, 0);
    b.click("#sign").await;
    wait_status(&app, cid, "signee").await;
    // The acte d'engagement signed by ALPHA and the coordonnateur, uploaded on the page: the
    // file the NOTI5 will carry.
    b.goto(&attribution).await;
    let scan = std::env::temp_dir().join(format!(
        "coordo-journey-ae-{cid}-{}.pdf",
        std::process::id()
    ));
    std::fs::write(&scan, b"%PDF-1.4\n% AE signe ALPHA\n%%EOF\n").expect("scan");
    b.find("form.signed-acte input[name=fichier]")
        .await
        .send_keys(scan.to_str().expect("path"))
        .await
        .expect("choose the file");
    b.click("form.signed-acte button[type=submit]").await;
    b.wait_text("body", "Acte d'engagement signé déposé").await;
    std::fs::remove_file(&scan).ok();
    b.click("#notify").await;
    wait_status(&app, cid, "notifiee").await;
    b.goto(&attribution).await;
    b.find("#archive").await;
    b.screenshot("journey-06-attribution").await;

    // 9. The letters through a real SMTP server.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let server = SmtpServer::start(TcpListener::bind(("127.0.0.1", port)).expect("bind"));
    let mailer = smtp_mailer(port);
    let sent = coordo::mail::deliver_due(&app.state.db, &mailer, app.state.clock.now())
        .await
        .expect("pass");
    assert!(sent.sent > 0, "{sent:?}");
    let received = server.messages();
    let parsed: Vec<_> = received
        .iter()
        .map(|m| MessageParser::default().parse(m).expect("mail"))
        .collect();
    let (noti1, noti3, noti5) = (
        letters(&app, "noti1").await,
        letters(&app, "noti3").await,
        letters(&app, "noti5").await,
    );
    assert_eq!(noti1.len(), 1);
    assert_eq!(noti1[0].recipient_name, "ALPHA");
    let mut evinces: Vec<&str> = noti3.iter().map(|l| l.recipient_name.as_str()).collect();
    evinces.sort_unstable();
    assert_eq!(evinces, ["BETA", "GAMMA"]);
    assert_eq!(noti5.len(), 1);
    for l in noti1.iter().chain(&noti3).chain(&noti5) {
        assert!(l.filename.ends_with(".docx"), "{}", l.filename);
        let m = parsed
            .iter()
            .find(|p| {
                p.to().and_then(|t| t.first()).and_then(|a| a.address())
                    == Some(l.recipient_email.as_str())
                    && p.attachments()
                        .any(|a| a.attachment_name() == Some(l.filename.as_str()))
            })
            .unwrap_or_else(|| panic!("no email for {} {}", l.kind, l.recipient_name));
        let att = m
            .attachments()
            .find(|a| a.attachment_name() == Some(l.filename.as_str()))
            .expect("attachment");
        assert_eq!(att.contents(), l.docx.as_slice());
    }

    // 10. The titulaire acknowledges the NOTI5 through the link of its email, anonymously.
    let mail5 = parsed
        .iter()
        .find(|p| p.subject().is_some_and(|s| s.contains("NOTI5")))
        .expect("NOTI5 email");
    assert_eq!(
        mail5.to().and_then(|t| t.first()).and_then(|a| a.address()),
        Some("alpha@exemple.fr")
    );
    let body = mail5.body_text(0).expect("text").to_string();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/accuse-reception/"))
        .expect("link")
        .to_owned();
    let path = &link[link.find("/accuse-reception/").expect("path")..];
    b.click("header .who button").await;
    let br = &b;
    until("logged out", move || async move {
        br.count_of("header .who button").await == 0
    })
    .await;
    b.goto(&app.url(path)).await;
    b.click("#ack-confirm").await;
    let msg = b.wait_text("#ack-message", "prend effet").await;
    assert!(msg.contains("7 février 2027"), "{msg}");
    b.screenshot("journey-07-accuse-reception").await;

    // 11. The archive (link checked on the page above), verified in-process and by the binary.
    let r = coord.get(&format!("{base}/archive.zip")).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("zip").to_vec();
    coordo::archive::verify::verify(&bytes).expect("intact archive");
    let file = app.dir.path().join("journey-archive.zip");
    std::fs::write(&file, &bytes).expect("write");
    let o = coordo_cmd(
        &app.db_path,
        &["archive", "verify", file.to_str().expect("path")],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = coordo_cmd(&app.db_path, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Every kind of page the journey went through, clean under axe-core.
    let audited = b.audited_pages();
    eprintln!(
        "axe-core: {} kinds of page checked: {audited:#?}",
        audited.len()
    );
    for kind in [
        "/g/N/a-faire",
        "/g/N/consultations/N/besoins",
        "/g/N/consultations/N/visas",
        "/g/N/consultations/N/offres/notation",
        "/g/N/consultations/N/attribution",
        "/g/N/cao/seances/N",
        "/accuse-reception/T",
    ] {
        assert!(audited.iter().any(|a| a == kind), "{kind}: {audited:?}");
    }
    b.assert_accessible();
}
