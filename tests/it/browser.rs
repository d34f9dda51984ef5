//! Pages in a real headless Chromium: login, dashboard, consultation creation and page.
//! (The whole journey of issue 9 grows from here.)

use crate::support::browser::Browser;
use crate::support::*;

#[tokio::test]
async fn a_coordonnateur_logs_in_and_creates_a_consultation_in_the_browser() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.login(&app.base, &coord_email(), PASSWORD).await;
    // Home is the to-do; the menu leads to the dashboard.
    b.wait_text("h1", "À faire").await;
    b.screenshot("00-a-faire").await;
    let gid = app.gid().await;
    b.click(&format!("nav a[href='/g/{gid}']")).await;
    b.wait_text("h1", "Grappe acquisition secteur domicile")
        .await;
    assert!(b.body().await.contains("CCAS DE WATTRELOS"));
    b.screenshot("01-tableau-de-bord").await;

    b.goto(&format!("{}/g/{gid}/consultations/new", app.base))
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
    b.screenshot("02-nouvelle-consultation").await;
    b.click("form.grid button[type=submit]").await;
    let body = b.wait_text("body", "Consultation 2026-DUI créée").await;
    assert!(body.contains("Brouillon"));
    b.screenshot("03-consultation").await;

    // Bad input in the browser: the same reference again is refused in French.
    b.goto(&format!("{}/g/{gid}/consultations/new", app.base))
        .await;
    b.fill("input[name=reference]", "2026-DUI").await;
    b.fill("input[name=objet]", "Doublon").await;
    b.fill("input[name=cpv]", "48000000-8").await;
    b.click("form.grid button[type=submit]").await;
    b.wait_text("body", "déjà utilisée").await;
}

#[tokio::test]
async fn a_wrong_password_shows_a_french_message_in_the_browser() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.login(&app.base, &coord_email(), "mauvais mot de passe")
        .await;
    assert!(
        b.text("[role=alert]")
            .await
            .contains("mot de passe incorrect")
    );
}
