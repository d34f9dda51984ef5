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

    // The menu holds on one line at 1,280 px.
    let tops = b
        .client
        .execute(
            "return [...document.querySelectorAll('nav a')].map(a => a.offsetTop)",
            vec![],
        )
        .await
        .expect("menu");
    let tops: Vec<i64> = serde_json::from_value(tops).expect("numbers");
    assert!(tops.len() >= 8, "{tops:?}");
    assert!(tops.iter().all(|t| *t == tops[0]), "menu wraps: {tops:?}");

    // No dead end: the scoring and ranking tabs before any offer, and an unknown page, are
    // pages in the layout with the menu, the reason and the way back to the consultation.
    let url = b.client.current_url().await.expect("url");
    let consultation = url.path().to_owned();
    for (tab, words) in [
        ("offres/notation", "Action impossible pour le moment"),
        ("offres/classement", "Action impossible pour le moment"),
        ("attribution", "Attribution"),
    ] {
        b.goto(&format!("{}{consultation}/{tab}", app.base)).await;
        let body = b.wait_text("main", words).await;
        assert!(b.count_of("nav a").await >= 8, "{tab}: the menu is there");
        if tab.starts_with("offres") {
            assert!(body.contains("Revenir à la consultation"), "{tab}: {body}");
            b.click("section.error .next-steps a").await;
            b.wait_text("h1", "2026-DUI").await;
        } else {
            assert!(body.contains("Rien à attribuer pour l'instant"), "{body}");
            b.click("p.not-yet a").await;
            b.wait_text("h1", "Pièces").await;
        }
    }
    b.screenshot("04-refus-dans-la-page").await;

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

/// The processes of a session whose command line names its profile folder (Chromium and its
/// helpers all carry `--user-data-dir=…`).
fn processes_naming(dir: &std::path::Path) -> Vec<String> {
    let needle = dir.display().to_string();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| {
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            cmd.contains(&needle)
                .then(|| format!("{} {cmd}", e.file_name().to_string_lossy()))
        })
        .collect()
}

#[tokio::test]
async fn a_browser_session_leaves_no_process_behind_even_when_its_test_fails() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    b.goto(&format!("{}/login", app.base)).await;
    let profile = b.profile_dir();
    let driver = b.driver_pid();
    assert!(
        !processes_naming(&profile).is_empty(),
        "Chromium should be running with its profile {}",
        profile.display()
    );
    // A test that fails unwinds through the same drop.
    let failed = tokio::task::spawn(async move {
        let _b = b;
        panic!("a browser test that fails");
    })
    .await;
    assert!(failed.is_err());
    let mut left = Vec::new();
    for _ in 0..50 {
        left = processes_naming(&profile);
        let driver_alive = std::path::Path::new(&format!("/proc/{driver}")).exists()
            && !std::fs::read_to_string(format!("/proc/{driver}/stat"))
                .unwrap_or_default()
                .contains(") Z ");
        if left.is_empty() && !driver_alive {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("still running after the session: {left:#?}");
}

/// The same-site links of the current page that lead to a page (not a download, not logout).
async fn page_links(b: &Browser) -> Vec<String> {
    let links = b
        .client
        .execute(
            "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))",
            vec![],
        )
        .await
        .expect("links");
    serde_json::from_value::<Vec<String>>(links)
        .expect("hrefs")
        .into_iter()
        .map(|l| l.split('#').next().unwrap_or_default().to_owned())
        .filter(|l| {
            l.starts_with('/')
                && !l.starts_with("//")
                && !l.starts_with("/static")
                && !l.contains("/logout")
                && ![
                    ".docx", ".zip", ".xlsx", ".csv", ".pdf", ".json", "/fichier",
                ]
                .iter()
                .any(|ext| l.ends_with(ext))
        })
        .collect()
}

/// Every kind of page each role reaches by following links from its home, on a groupement with
/// consultations at two stages (built by the real `coordo demo`), is clean under axe-core.
#[tokio::test]
async fn every_page_each_role_reaches_from_home_is_clean_under_axe_core() {
    let app = TestApp::spawn().await;
    for stage in ["notifiee", "analyse"] {
        let o = coordo_cmd(&app.db_path, &["demo", "--jusqu-a", stage]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    clear_forced_password_change(&app.state.db).await;
    for (who, at_least) in [
        (coord_email(), 35),
        (referent_email(SANTELYS), 15),
        (cao_email("titulaire", SANTELYS), 20),
        (amoa_email(), 20),
    ] {
        let b = Browser::start().await;
        b.login(&app.base, &who, PASSWORD).await;
        let start = b.client.current_url().await.expect("url").path().to_owned();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = std::collections::BTreeSet::new();
        while let Some(path) = queue.pop_front() {
            let kind =
                crate::support::browser::page_kind(path.split('?').next().unwrap_or_default());
            if !seen.insert(kind) || seen.len() > 80 {
                continue;
            }
            b.goto(&format!("{}{path}", app.base)).await;
            queue.extend(page_links(&b).await);
        }
        let audited = b.audited_pages();
        eprintln!("axe-core, {who}: {} kinds of page", audited.len());
        assert!(audited.len() >= at_least, "{who} reached only {audited:?}");
        b.assert_accessible();
    }
}

/// The technique d'achat chosen in the browser: a marché spécifique of the Resah's SAD, its
/// admitted editors imported from the platform's CSV through the file field; the page is
/// clean under axe-core before and after.
#[tokio::test]
async fn the_coordonnateur_sets_a_marche_specifique_and_imports_its_admitted_editors() {
    let app = TestApp::spawn().await;
    let coord = app.login(&coord_email()).await;
    let cid = crate::consultations::software_tender(&app, &coord).await;
    let gid = app.gid().await;
    let b = Browser::start().await;
    b.login(&app.base, &coord_email(), PASSWORD).await;
    b.goto(&format!("{}/g/{gid}/consultations/{cid}", app.base))
        .await;
    b.click(&format!("a[href='/g/{gid}/consultations/{cid}/technique']"))
        .await;
    b.wait_text("h1", "Technique d'achat").await;
    b.click("#technique_sad").await;
    b.fill("#sad_reference", coordo::demo::SAD_REFERENCE).await;
    b.click("form[action$='/technique'] button[type=submit]")
        .await;
    let body = b.wait_text("body", "Technique d'achat enregistrée").await;
    assert!(
        body.contains("Candidats admis dans la catégorie du SAD"),
        "{body}"
    );

    let csv = app.db_path.with_file_name("admis.csv");
    std::fs::write(
        &csv,
        "Éditeur;N° SIRET;Adresse électronique\nATALANTE LOGICIELS SANTÉ;83190472700011;atalante@example.org\n",
    )
    .expect("csv");
    b.find("#fichier_admis")
        .await
        .send_keys(csv.to_str().expect("path"))
        .await
        .expect("file");
    b.click("form[action*='/technique/admis'] button[type=submit]")
        .await;
    let body = b.wait_text("body", "candidat(s) admis enregistré(s)").await;
    assert!(
        body.contains("ATALANTE LOGICIELS SANTÉ") && body.contains("pas encore"),
        "{body}"
    );
    b.screenshot("technique-sad").await;
    // Each radio button sits on the line of its words.
    let apart = b
        .client
        .execute(
            "return [...document.querySelectorAll('input[type=radio]')].filter(r => Math.abs(r.getBoundingClientRect().top - r.closest('label').getBoundingClientRect().top) > 12).length",
            vec![],
        )
        .await
        .expect("radios");
    assert_eq!(apart, serde_json::json!(0));
    b.assert_accessible();
}
