//! The `coordo` binary: import, user add, backup, configuration errors.

use crate::support::*;

fn data_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/groupement.json")
}

#[test]
fn import_dry_run_then_import_then_idempotent() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let file = data_file();
    let f = file.to_str().expect("path");
    let dry = coordo_cmd(&db, &["import", f, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let out = stdout(&dry);
    assert!(
        out.contains("92376482300012"),
        "the report names the shared SIRET: {out}"
    );
    assert!(out.contains("rien n'a été écrit"));
    let verify = coordo_cmd(&db, &["audit", "verify"]);
    assert!(
        stdout(&verify).contains("0 entrée(s)"),
        "dry run journals nothing"
    );

    let real = coordo_cmd(&db, &["import", f]);
    assert!(real.status.success(), "{}", stderr(&real));
    assert!(stdout(&real).contains("membre ajouté : CCAS DE WATTRELOS"));
    let again = coordo_cmd(&db, &["import", f]);
    assert!(
        stdout(&again).contains("Aucune modification"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_missing_file_and_bad_configuration_are_french_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let out = coordo_cmd(&db, &["import", "/nulle/part.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lecture de « /nulle/part.json » impossible"));

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
        .args(["audit", "verify"])
        .env("COORDO_ADDR", "pas-une-adresse")
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("COORDO_ADDR"), "{}", stderr(&bad));

    let unknown = coordo_cmd(&db, &["inconnue"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("sous-commande inconnue") || stderr(&unknown).contains("Erreur")
    );
}

#[tokio::test]
async fn user_add_with_token_works_against_the_running_server() {
    let app = TestApp::spawn().await;
    let out = coordo_cmd(
        &app.db_path,
        &[
            "user",
            "add",
            "Nouveau.Referent@Exemple.fr",
            "--role",
            "referent",
            "--member",
            RONCHIN,
            "--token",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("Jeton d'API : "))
        .expect("token printed")
        .trim()
        .to_owned();
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/groupements"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    // The printed password must be changed first: until then the API refuses, in French.
    assert_eq!(r.status(), 403);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["erreur"]
            .as_str()
            .is_some_and(|m| m.contains("changer votre mot de passe")),
        "{body}"
    );
    // Once lifted (API tokens are checked against the account at each call), it answers.
    clear_forced_password_change(&app.state.db).await;
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/groupements"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let missing = coordo_cmd(
        &app.db_path,
        &["user", "add", "x@exemple.fr", "--role", "referent"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("doit être rattaché à un membre"));
}

#[tokio::test]
async fn backup_is_a_consistent_copy_that_opens() {
    let app = TestApp::spawn().await;
    let copy = app.dir.path().join("copie.db");
    let out = coordo_cmd(&app.db_path, &["backup", copy.to_str().expect("p")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let verify = coordo_cmd(&copy, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let again = coordo_cmd(&app.db_path, &["backup", copy.to_str().expect("p")]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an existing file is never overwritten"
    );
}

#[test]
fn procedure_prints_the_proposal_as_json_and_refuses_bad_arguments_in_french() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let out = coordo_cmd(
        &db,
        &[
            "procedure",
            "--nature",
            "services",
            "--amount-ht",
            "350000",
            "--launch",
            "2026-12-01",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["procedure"], "appel_offres_ouvert");
    assert_eq!(v["cao_required"], true);
    assert_eq!(v["min_offer_days"], 30);
    let formalised = v["thresholds"]
        .as_array()
        .expect("thresholds")
        .iter()
        .find(|t| t["value"] == "216000")
        .expect("the 2026-2027 formalised threshold");
    assert_eq!(formalised["valid_from"], "2026-01-01");
    // Below the 90 000 € step in 2026: MAPA with free publicity.
    let mapa = coordo_cmd(
        &db,
        &[
            "procedure",
            "--nature",
            "services",
            "--amount-ht",
            "83333.33",
            "--launch",
            "2026-12-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&mapa.stdout).expect("json");
    assert_eq!(v["procedure"], "procedure_adaptee");
    assert_eq!(v["cao_required"], false);

    // An accord-cadre is valued at its maximum (R2121-8) and refused without one (R2162-4).
    let ac = coordo_cmd(
        &db,
        &[
            "procedure",
            "--nature",
            "fournitures",
            "--technique",
            "accord_cadre",
            "--amount-ht",
            "240000",
            "--duree-mois",
            "48",
            "--launch",
            "2026-12-01",
        ],
    );
    assert!(ac.status.success(), "{}", stderr(&ac));
    let v: serde_json::Value = serde_json::from_slice(&ac.stdout).expect("json");
    assert_eq!(v["procedure"], "appel_offres_ouvert");
    assert_eq!(v["technique"]["code"], "accord_cadre");
    assert_eq!(v["technique"]["valeur_seuils_ht"], "240000");
    assert_eq!(v["technique"]["delai_suspension_des_marches_passes"], false);
    let refused = coordo_cmd(
        &db,
        &[
            "procedure",
            "--nature",
            "fournitures",
            "--technique",
            "accord_cadre",
            "--launch",
            "2026-12-01",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("R2162-4"), "{}", stderr(&refused));
    // A marché spécifique under a SAD: ten days from the invitation, no standstill.
    let sad = coordo_cmd(
        &db,
        &[
            "procedure",
            "--nature",
            "services",
            "--technique",
            "sad",
            "--amount-ht",
            "350000",
            "--launch",
            "2026-12-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&sad.stdout).expect("json");
    assert_eq!(v["min_offer_days"], 10, "{v}");
    assert_eq!(v["technique"]["code"], "sad");

    for args in [
        [
            "procedure",
            "--nature",
            "jardinage",
            "--amount-ht",
            "1000",
            "--launch",
            "2026-12-01",
        ],
        [
            "procedure",
            "--nature",
            "services",
            "--amount-ht",
            "abc",
            "--launch",
            "2026-12-01",
        ],
        [
            "procedure",
            "--nature",
            "services",
            "--amount-ht",
            "1000",
            "--launch",
            "2026-13-45",
        ],
    ] {
        let bad = coordo_cmd(&db, &args);
        assert_eq!(bad.status.code(), Some(2), "{args:?}");
        assert!(stderr(&bad).starts_with("Erreur"), "{}", stderr(&bad));
        assert!(bad.stdout.is_empty());
    }
}

fn score_case() -> serde_json::Value {
    serde_json::json!({"criteria": [
        {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"},
        {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
         "sub_criteria": [{"id": "fonct", "label": "Couverture fonctionnelle", "weight": "40"},
                          {"id": "deploi", "label": "Déploiement", "weight": "20"}]}],
     "offers": [{"id": "A", "bidder": "Éditeur A", "price": "310000.00", "status": "admissible"},
                {"id": "B", "bidder": "Éditeur B", "price": "280000.00", "status": "irreguliere"},
                {"id": "C", "bidder": "Éditeur C", "price": "372000.00", "status": "admissible"}],
     "notes": [{"evaluator": "e1", "offer": "A", "criterion": "fonct", "note": "16"},
               {"evaluator": "e2", "offer": "A", "criterion": "fonct", "note": "16"},
               {"evaluator": "e1", "offer": "A", "criterion": "deploi", "note": "15"},
               {"evaluator": "e2", "offer": "A", "criterion": "deploi", "note": "16"},
               {"evaluator": "e1", "offer": "C", "criterion": "fonct", "note": "18"},
               {"evaluator": "e2", "offer": "C", "criterion": "fonct", "note": "20"},
               {"evaluator": "e1", "offer": "C", "criterion": "deploi", "note": "10"},
               {"evaluator": "e2", "offer": "C", "criterion": "deploi", "note": "12"}]})
}

fn run_score(dir: &std::path::Path, case: &serde_json::Value) -> std::process::Output {
    let f = dir.join("cas.json");
    std::fs::write(&f, case.to_string()).expect("write");
    coordo_cmd(&dir.join("c.db"), &["score", f.to_str().expect("p")])
}

#[test]
fn score_ranks_admissible_offers_with_exact_points() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = run_score(dir.path(), &score_case());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // A: prix 40 × 310000/310000 = 40; fonct 40 × 16/20 = 32; deploi 20 × 15.5/20 = 15.5 → 87.50.
    // C: prix 40 × 310000/372000 = 33.333…; fonct 40 × 19/20 = 38; deploi 20 × 11/20 = 11 → 82.33.
    assert_eq!(v["ranking"][0]["offer"], "A");
    assert_eq!(v["ranking"][0]["total"], "87.50");
    assert_eq!(v["ranking"][0]["points"]["tech"], "47.50");
    assert_eq!(v["ranking"][1]["offer"], "C");
    assert_eq!(v["ranking"][1]["points"]["prix"], "33.33");
    assert_eq!(v["ranking"][1]["total"], "82.33");
    assert_eq!(v["ranking"][1]["rank"], 2);
    assert_eq!(
        v["excluded"][0]["offer"], "B",
        "an irregular offer never enters Pmin"
    );
}

#[test]
fn score_refuses_invalid_cases_with_exit_2_and_a_french_message() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut weights = score_case();
    weights["criteria"][0]["weight"] = "30".into();
    let mut unknown = score_case();
    unknown["notes"][0]["criterion"] = "inconnu".into();
    let mut outside = score_case();
    outside["notes"][0]["note"] = "21".into();
    let mut zero = score_case();
    zero["offers"][0]["price"] = "0".into();
    let mut negative = score_case();
    negative["offers"][2]["price"] = "-5".into();
    for (name, case) in [
        ("poids", weights),
        ("critère", unknown),
        ("échelle", outside),
        ("prix nul", zero),
        ("prix négatif", negative),
    ] {
        let out = run_score(dir.path(), &case);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.starts_with("Erreur"), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
    }
}

#[test]
fn render_works_for_every_example_and_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for kind in coordo::docgen::DocKind::ALL {
        let data = root.join(format!("documents/examples/{}.json", kind.as_str()));
        let out = dir.path().join(format!("{}.docx", kind.as_str()));
        let o = coordo_cmd(
            &db,
            &[
                "render",
                kind.as_str(),
                "--data",
                data.to_str().expect("p"),
                "--out",
                out.to_str().expect("p"),
            ],
        );
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let bytes = std::fs::read(&out).expect("docx written");
        let text = crate::support::docx_text::open(&bytes).document_text();
        assert!(!text.trim().is_empty(), "{kind}: readable text");
    }
    let unknown = coordo_cmd(&db, &["render", "facture", "--data", "x.json"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).starts_with("Erreur"));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{}").expect("write");
    let o = coordo_cmd(
        &db,
        &[
            "render",
            "rc",
            "--data",
            bad.to_str().expect("p"),
            "--out",
            dir.path().join("x.docx").to_str().expect("p"),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "a context missing its fields is refused"
    );
    assert!(!dir.path().join("x.docx").exists(), "no file on error");
}

/// `coordo delais`: the legal calendar as a calculator, JSON out, French refusals (exit 2).
#[test]
fn the_legal_calendar_answers_in_json_and_refuses_bad_input_in_french() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("c.db");
    let o = coordo_cmd(
        &db,
        &[
            "delais",
            "jours-ouvres",
            "--depuis",
            "2026-05-13",
            "--jours",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["date"], "2026-05-18", "Ascension and the weekend skipped");
    assert!(v["article"].as_str().expect("article").contains("art. 8.1"));
    let o = coordo_cmd(
        &db,
        &[
            "delais",
            "convocation-cao",
            "--seance",
            "2027-01-12",
            "--jours-francs",
            "5",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["date"], "2027-01-06");
    for (args, date, article) in [
        (
            vec!["suspension", "--envoi", "2027-02-05"],
            "2027-02-16",
            "R2182-1",
        ),
        (
            vec![
                "suspension",
                "--envoi",
                "2027-02-05",
                "--hors-voie-electronique",
            ],
            "2027-02-21",
            "R2182-1",
        ),
        (
            vec!["avis-attribution", "--signature", "2027-03-01"],
            "2027-03-31",
            "R2183-1",
        ),
        (
            vec!["donnees-essentielles", "--notification", "2027-03-01"],
            "2027-05-01",
            "R2196-1",
        ),
        (
            vec!["offres", "--envoi", "2026-12-01"],
            "2026-12-31",
            "R2161-3",
        ),
        (
            vec![
                "offres",
                "--envoi",
                "2026-12-01",
                "--hors-voie-electronique",
            ],
            "2027-01-05",
            "R2161-2",
        ),
        (
            vec!["reponses-questions", "--remise", "2027-01-15"],
            "2027-01-08",
            "R2132-6",
        ),
    ] {
        let mut all = vec!["delais"];
        all.extend(args.iter().copied());
        let o = coordo_cmd(&db, &all);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert_eq!(v["date"], date, "{args:?}");
        assert!(v["article"].as_str().expect("article").contains(article));
    }
    let o = coordo_cmd(&db, &["delais", "suspension", "--envoi", "2027-02-30"]);
    assert_eq!(o.status.code(), Some(2));
    for (args, words) in [
        (
            ["jours-ouvres", "--depuis", "13/05/2026", "--jours", "2"],
            "n'est pas une date au format AAAA-MM-JJ",
        ),
        (
            ["jours-ouvres", "--depuis", "2026-05-13", "--jours", "-1"],
            "est négatif",
        ),
        (
            [
                "convocation-cao",
                "--seance",
                "2027-01-12",
                "--jours-francs",
                "cinq",
            ],
            "n'est pas un nombre entier",
        ),
        (
            [
                "offres",
                "--envoi",
                "2026-12-01",
                "--procedure",
                "restreint",
            ],
            "inconnue",
        ),
    ] {
        let mut all = vec!["delais"];
        all.extend(args);
        let o = coordo_cmd(&db, &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
    }
}

/// The same calculator on the API: the JSON of the command line, French refusals (400), and
/// only for the groupement's people.
#[tokio::test]
async fn the_legal_calendar_answers_on_the_api_as_on_the_command_line() {
    let app = TestApp::spawn().await;
    let gid = app.gid().await;
    let referent = app.login(&referent_email(SANTELYS)).await;
    let r = referent
        .get(&format!(
            "/api/v1/groupements/{gid}/delais/offres?envoi=2025-11-25&procedure=aoo"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["date"], "2025-12-26", "Noël moves the last day");
    assert_eq!(v["report"]["motif"], "Noël");
    assert_eq!(v["article"], "R2161-3");
    let r = referent
        .get(&format!(
            "/api/v1/groupements/{gid}/delais/convocation-cao?seance=2027-01-12&jours-francs=5"
        ))
        .await;
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["date"], "2027-01-06");
    let r = referent
        .get(&format!(
            "/api/v1/groupements/{gid}/delais/jours-ouvres?depuis=2026-02-30&jours=2"
        ))
        .await;
    assert_eq!(r.status(), 400);
    let v: serde_json::Value = r.json().await.expect("json");
    assert!(
        v["erreur"]
            .as_str()
            .expect("message")
            .contains("n'est pas une date au format AAAA-MM-JJ"),
        "{v}"
    );
    let r = referent
        .get(&format!("/api/v1/groupements/{gid}/delais/lune"))
        .await;
    assert_eq!(r.status(), 400);
    let r = app
        .anonymous()
        .await
        .get(&format!(
            "/api/v1/groupements/{gid}/delais/jours-ouvres?depuis=2026-05-13&jours=2"
        ))
        .await;
    assert_eq!(r.status(), 401);
}
