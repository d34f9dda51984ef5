//! Pièces du marché: the whole DCE of the software tender generated through the pages, every
//! DOCX read back with the independent reader, immutable numbered versions, SHA-256 shown =
//! SHA-256 downloaded, idempotent regeneration, clause overrides and their diff, template
//! errors located by line, access of the référents, missing data.

use crate::support::docx_text::{self, Docx};
use crate::support::*;
use coordo::db::entities::need;
use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const UNIT: &str = "utilisateur × an";
const ADDED_LINE: &str = "Clause ajoutée pour le test de comparaison des versions.";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn post(c: &Client, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post_form(path, &refs).await
}

fn kv(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

/// The DCE data of the DUI tender (values of `documents/examples/*.json`), every establishment
/// with 5 users, 3 devices and a tool.
async fn dce_data_form(app: &TestApp) -> Vec<(String, String)> {
    let gid = app.gid().await;
    let mut f = vec![
        kv("buyer_email", "marches@ccas-wattrelos.example"),
        kv("buyer_phone", "03 20 00 00 00"),
        kv(
            "buyer_profile_url",
            "https://marches.example/ccas-wattrelos",
        ),
        kv("court_name", "Tribunal administratif de Lille"),
        kv(
            "court_address",
            "5 rue Geoffroy Saint-Hilaire, CS 62039, 59014 Lille Cedex",
        ),
        kv("court_phone", "03 59 54 23 42"),
        kv("court_email", "greffe.ta-lille@juradm.fr"),
        kv("court_website", "https://lille.tribunal-administratif.fr"),
        kv(
            "contract_form",
            "accord-cadre à bons de commande mono-attributaire, sans minimum et avec un maximum",
        ),
        kv("duration_months", "48"),
        kv(
            "cpv_additional",
            "72263000-6 – Services de mise en œuvre de logiciels\n80533100-0 – Services de formation informatique",
        ),
        kv(
            "single_contract_reason",
            "le logiciel, sa reprise de données et sa formation forment un tout dont l'éclatement rendrait l'exécution techniquement difficile.",
        ),
        kv("oab_threshold_percent", "20"),
        kv(
            "candidature_documents",
            "la lettre de candidature (DC1) ou le DUME\nla déclaration du candidat (DC2)",
        ),
        kv(
            "offer_documents",
            "l'acte d'engagement (ATTRI1)\nle BPU/DQE\nle mémoire technique",
        ),
        kv(
            "extra_dce_pieces",
            "la convention constitutive du groupement de commandes",
        ),
        kv("ccap_price_type", "prix unitaires, révisables annuellement"),
        kv("ccap_revision_index", "indice Syntec"),
        kv("ccap_revision_formula", "P = P0 × (0,15 + 0,85 × S / S0)"),
        kv("ccap_revision_month", "janvier 2027"),
        kv("ccap_advance_rate", "5"),
        kv("ccap_payment_days", "30"),
        kv("ccap_availability_rate", "99,5"),
        kv(
            "ccap_penalties",
            "retard de mise en service ; 150 ; par jour calendaire ; CCAP\nindisponibilité ; 500,00 ; par point et par mois ; CCAP",
        ),
        kv("ccap_penalty_cap_percent", "10"),
        kv("ccap_penalty_exemption_ht", "1 000"),
        kv("cctp_hosting", "hébergement HDS en France"),
        kv("cctp_availability_rate", "99,5"),
        kv("cctp_recovery_hours", "4"),
        kv("cctp_go_live_months", "9"),
        kv(
            "cctp_functional_requirements",
            "dossier usager unique\nplanification des tournées",
        ),
        kv(
            "cctp_training",
            "formation des référents puis des utilisateurs",
        ),
        kv(
            "cctp_amoa_missions",
            "analyse des besoins des membres\nrédaction du DCE\nanalyse des offres\nsuivi du déploiement",
        ),
        kv(
            "cctp_amoa_deliverables",
            "rapport d'analyse des besoins\nprojet de CCTP\nrapport d'analyse des offres",
        ),
    ];
    for m in coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members")
    {
        for e in m.establishments {
            f.push((format!("users_{}", e.finess), "5".into()));
            f.push((format!("devices_{}", e.finess), "3".into()));
            f.push((format!("tool_{}", e.finess), "tableur".into()));
        }
    }
    f
}

/// The software tender made ready for its DCE: questions deadline and validity of offers, a
/// quantity per member (10, 13, 16… users), the DCE data. Returns (gid, cid).
pub async fn ready_tender(app: &TestApp, c: &Client) -> (i32, i32) {
    let cid = crate::consultations::software_tender(app, c).await;
    complete_tender(app, c, cid).await;
    (app.gid().await, cid)
}

/// Completes consultation `cid` (with its lot and needs) as `ready_tender` does.
pub async fn complete_tender(app: &TestApp, c: &Client, cid: i32) {
    complete_tender_as(app, c, cid, crate::consultations::software_form()).await;
}

/// Completes consultation `cid` with the consultation form `consultation` (reference, CCAG…).
async fn complete_tender_as(
    app: &TestApp,
    c: &Client,
    cid: i32,
    consultation: Vec<(&'static str, &'static str)>,
) {
    let gid = app.gid().await;
    let mut form: Vec<(String, String)> = consultation.into_iter().map(|(k, v)| kv(k, v)).collect();
    form.push(kv("questions_deadline", "2027-01-05"));
    form.push(kv("offers_validity_days", "120"));
    let r = post(c, &format!("/g/{gid}/consultations/{cid}"), &form).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let lot_id = coordo::consultations::service::detail(
        &app.state.db,
        gid,
        cid,
        app.state.clock.today_paris(),
    )
    .await
    .expect("detail")
    .lots[0]
        .lot
        .id;
    let members = coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members");
    for (i, m) in members.iter().enumerate() {
        let q = (10 + 3 * i).to_string();
        let r = post(
            c,
            &format!("/g/{gid}/consultations/{cid}/needs"),
            &[
                kv("lot_id", &lot_id.to_string()),
                kv("member_id", &m.member.id.to_string()),
                kv("amount_ht", "35 000,00"),
                kv("quantity", &q),
                kv("unit", UNIT),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let r = post(
        c,
        &format!("/g/{gid}/consultations/{cid}/dce-data"),
        &dce_data_form(app).await,
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // The DCE data call it an accord-cadre à bons de commande: the technique says so too.
    let r = post(
        c,
        &format!("/g/{gid}/consultations/{cid}/technique"),
        &[
            kv("technique", "accord_cadre"),
            kv("execution", "bons_de_commande"),
            kv("attributaires", "mono"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // The grid comes before the DCE: the RC announces it (R2152-11).
    let r = crate::offers::set_criteria(c, gid, cid, grid()).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
}

/// The award criteria of the software tender: technique 60 (fonctions 50, sobriété numérique
/// 10, environmental), prix 40 — launched after 21 August 2026, it needs the environmental one.
pub fn grid() -> serde_json::Value {
    serde_json::json!([
        {"id": "tech", "label": "Valeur technique", "weight": "60", "kind": "evaluated", "scale": "20",
         "sub_criteria": [
            {"id": "fonct", "label": "Couverture fonctionnelle", "weight": "50"},
            {"id": "sobriete", "label": "Sobriété numérique", "weight": "10", "environmental": true}]},
        {"id": "prix", "label": "Prix", "weight": "40", "kind": "price", "formula": "proportional"}
    ])
}

async fn api_pieces(c: &Client, gid: i32, cid: i32) -> serde_json::Value {
    c.get(&format!(
        "/api/v1/groupements/{gid}/consultations/{cid}/pieces"
    ))
    .await
    .json()
    .await
    .expect("json")
}

fn versions_of<'a>(api: &'a serde_json::Value, kind: &str) -> &'a Vec<serde_json::Value> {
    api.as_array()
        .expect("list")
        .iter()
        .find(|p| p["kind"] == kind)
        .and_then(|p| p["versions"].as_array())
        .expect("piece")
}

async fn download(c: &Client, gid: i32, cid: i32, kind: &str, n: i32) -> reqwest::Response {
    c.get(&format!(
        "/g/{gid}/consultations/{cid}/pieces/{kind}/versions/{n}/docx"
    ))
    .await
}

async fn bytes(c: &Client, gid: i32, cid: i32, kind: &str, n: i32) -> Vec<u8> {
    let r = download(c, gid, cid, kind, n).await;
    assert_eq!(r.status(), 200, "{kind} v{n}");
    r.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn the_whole_dce_of_the_software_tender_is_generated_and_read_back() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let (gid, cid) = ready_tender(&app, &c).await;
    let to_visa = [kv("statut", "pieces_en_visa")];
    let transition = format!("/g/{gid}/consultations/{cid}/transition");
    assert_eq!(
        post(&c, &transition, &to_visa).await.status(),
        409,
        "no RC nor AE yet: the visa round cannot start"
    );
    let before = app.audit_count().await;
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/generate-all"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.audit_count().await, before + 5, "one entry per version");
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/pieces"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains("RC : version 1 créée."), "{page}");
    let api = api_pieces(&c, gid, cid).await;
    let mut docs: BTreeMap<&str, Docx> = BTreeMap::new();
    for kind in ["rc", "ae", "ccap", "cctp", "bpu"] {
        let vs = versions_of(&api, kind);
        assert_eq!(vs.len(), 1, "{kind}");
        assert_eq!(vs[0]["number"], 1);
        let r = download(&c, gid, cid, kind, 1).await;
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let disposition = r.headers()["content-disposition"].to_str().expect("ascii");
        assert_eq!(
            disposition,
            format!(
                "attachment; filename=\"2026-DUI_{}_v1.docx\"",
                kind.to_uppercase()
            )
        );
        let b = r.bytes().await.expect("bytes");
        assert_eq!(
            vs[0]["docx_sha256"],
            sha(&b),
            "{kind}: API hash = bytes hash"
        );
        let piece_page = c
            .get(&format!("/g/{gid}/consultations/{cid}/pieces/{kind}"))
            .await
            .text()
            .await
            .expect("html");
        assert!(piece_page.contains(&sha(&b)), "{kind}: page shows the hash");
        let docx = docx_text::open(&b);
        docx.check_well_formed().expect("well formed");
        assert!(docx.header_text().contains("2026-DUI"));
        docs.insert(kind, docx);
    }
    // RC: procedure, the ten members, the offers deadline.
    let rc = docs["rc"].document_text();
    assert!(rc.contains("appel d'offres ouvert"), "{rc}");
    assert!(rc.contains("15 janvier 2027 à 12 h 00"), "{rc}");
    assert!(rc.contains("Tribunal administratif de Lille"));
    // Article 9.3 states the OAB method with the clause the rapport d'analyse uses
    // (`clauses/oab_detection`, default method: 80 % of the mean of the other offers).
    assert!(
        rc.contains("Pour la détection, une offre est présumée anormalement basse lorsque son prix est inférieur à 80\u{a0}% de la moyenne des prix des autres offres admises du lot."),
        "{rc}"
    );
    let members = coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members");
    assert_eq!(members.len(), 10);
    let member_table = docs["rc"]
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Membre")
        .expect("table of the members");
    assert_eq!(member_table.rows.len(), 11, "header + 10 members");
    for m in &members {
        assert!(rc.contains(&m.member.name), "{}", m.member.name);
        assert!(rc.contains(&m.member.finess_juridique));
    }
    // AE: the ATTRI1 sections A to G, the amounts left to the candidate.
    let ae = docs["ae"].document_text();
    for section in [
        "A – Objet de l'acte d'engagement",
        "B – Engagement du titulaire",
        "C – Signature de l'acte d'engagement",
        "D – Identification de l'acheteur",
        "E – Nantissements ou cessions de créances",
        "F – Engagement de l'acheteur",
        "G – Annexes de l'acte d'engagement",
    ] {
        assert!(ae.contains(section), "{section}");
    }
    assert!(ae.contains("à compléter"));
    // RC: the criteria table is the grid the CAO will score with, points for points.
    let criteria_table = docs["rc"]
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Critère")
        .expect("criteria table");
    let rows: Vec<(String, String, String)> = criteria_table.rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Valeur technique".into(), String::new(), "60".into()),
            (
                String::new(),
                "Couverture fonctionnelle".into(),
                "50".into()
            ),
            (
                String::new(),
                "Sobriété numérique (critère environnemental)".into(),
                "10".into()
            ),
            ("Prix".into(), String::new(), "40".into()),
        ]
    );
    assert!(
        rc.contains("note = 40 × (prix de l'offre la moins disante / prix de l'offre examinée)"),
        "{rc}"
    );
    assert!(rc.contains("n'est pas allotie"), "single lot: {rc}");
    assert!(rc.contains("L2113-11"));
    assert!(!rc.contains("décomposée en 1 lots"));
    // BPU: the members' quantities, and no price: the buyer's estimate (35 000 € per member,
    // 1 489,36 € per user and year) is never published, the candidate fills the prices.
    assert!(
        docs["ccap"]
            .document_text()
            .contains("Dérogations au CCAG-TIC")
    );
    let needs = need::Entity::find()
        .all(&app.state.db)
        .await
        .expect("needs");
    let bpu_text = docs["bpu"].document_text();
    for needle in ["1 489,36", "35 000,00", "350 000,00"] {
        assert!(!bpu_text.contains(needle), "estimate {needle} in the BPU");
    }
    let recap = docs["bpu"].tables().pop().expect("general table");
    for m in &members {
        let row = recap
            .rows
            .iter()
            .find(|r| r[1] == m.member.finess_juridique)
            .unwrap_or_else(|| panic!("{}", m.member.name));
        assert_eq!(row[2], "à compléter", "{}", m.member.name);
    }
    let dqe = docs["bpu"]
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Membre" && t.rows[0].len() == 6)
        .expect("DQE per member");
    for n in &needs {
        let m = members
            .iter()
            .find(|m| m.member.id == n.member_id)
            .expect("member");
        let line = dqe
            .rows
            .iter()
            .find(|r| r[0] == m.member.name)
            .unwrap_or_else(|| panic!("{}", m.member.name));
        assert_eq!(
            line[3],
            n.quantity.clone().expect("qty"),
            "{}",
            m.member.name
        );
        assert_eq!(line[4], "à compléter");
    }
    assert!(docs["cctp"].document_text().contains("tableur"));
    assert!(docs["ccap"].document_text().contains("P = P0"));
    // RC and AE exist: the visa round may start.
    assert_eq!(post(&c, &transition, &to_visa).await.status(), 303);
}

#[tokio::test]
async fn versions_are_immutable_identical_content_is_not_versioned_and_a_clause_change_is_diffed() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let (gid, cid) = ready_tender(&app, &c).await;
    let generate = format!("/g/{gid}/consultations/{cid}/pieces/rc/generate");
    assert_eq!(c.post_form(&generate, &[]).await.status(), 303);
    let v1 = bytes(&c, gid, cid, "rc", 1).await;
    let count = app.audit_count().await;
    // Same content the next day: no new version, nothing journaled.
    app.state.clock.advance(chrono::Duration::days(1));
    assert_eq!(c.post_form(&generate, &[]).await.status(), 303);
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/pieces"))
        .await
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("contenu identique à la version 1, aucune nouvelle version"),
        "{page}"
    );
    assert_eq!(app.audit_count().await, count);
    assert_eq!(versions_of(&api_pieces(&c, gid, cid).await, "rc").len(), 1);
    // A consultation override of a clause of the RC: version 2.
    let source = format!(
        "{}\n{ADDED_LINE}\n",
        coordo::docgen::default_clause("voies_recours").expect("clause")
    );
    let r = post(
        &c,
        &format!("/g/{gid}/consultations/{cid}/clauses/voies_recours"),
        &[kv("source", &source)],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.audit_count().await, count + 1, "override journaled");
    assert_eq!(c.post_form(&generate, &[]).await.status(), 303);
    let api = api_pieces(&c, gid, cid).await;
    let vs = versions_of(&api, "rc");
    assert_eq!(vs.len(), 2);
    assert_eq!(vs[1]["number"], 2);
    let v2 = bytes(&c, gid, cid, "rc", 2).await;
    assert_eq!(vs[1]["docx_sha256"], sha(&v2));
    assert!(docx_text::open(&v2).document_text().contains(ADDED_LINE));
    // Version 1 is unchanged, byte for byte.
    assert_eq!(bytes(&c, gid, cid, "rc", 1).await, v1);
    assert_eq!(vs[0]["docx_sha256"], sha(&v1));
    // The diff shows the added line.
    let diff = c
        .get(&format!("/g/{gid}/consultations/{cid}/pieces/rc?v1=1&v2=2"))
        .await
        .text()
        .await
        .expect("html");
    assert!(diff.contains(&format!("+ {ADDED_LINE}")), "{diff}");
    // The blank line that separates the new paragraph, then the paragraph itself.
    assert!(
        diff.contains("2 ligne(s) ajoutée(s), 0 ligne(s) retirée(s)"),
        "{diff}"
    );
    // Version 3 does not exist.
    assert_eq!(download(&c, gid, cid, "rc", 3).await.status(), 404);
}

#[tokio::test]
async fn clause_errors_are_located_by_line_oversize_is_refused_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let cid = crate::consultations::software_tender(&app, &c).await;
    let before = app.audit_count().await;
    let group = format!("/g/{gid}/clauses/penalites");
    let r = post(
        &c,
        &group,
        &[kv(
            "source",
            "Ligne 1\nLigne 2 {{#if ccap.retention}}\nLigne 3",
        )],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Ligne 2, colonne 9 : bloc « {{#if}} » ouvert ici et jamais fermé"),
        "{html}"
    );
    let cons = format!("/g/{gid}/consultations/{cid}/clauses/voies_recours");
    let r = post(
        &c,
        &cons,
        &[kv("source", "Texte\nRecours : {{court.inexistant}}")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Ligne 2") && html.contains("variable inconnue « court.inexistant »"),
        "{html}"
    );
    let big = "a".repeat(150 * 1024);
    let r = post(&c, &group, &[kv("source", &big)]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("html").contains("trop volumineuse"));
    assert_eq!(app.audit_count().await, before, "nothing journaled");
    let page = c.get(&group).await.text().await.expect("html");
    assert!(
        page.contains("texte en vigueur : clause par défaut"),
        "{page}"
    );
    // The preview renders the clause with the consultation's context, nothing saved.
    let r = post(
        &c,
        &format!("{cons}/preview"),
        &[kv(
            "source",
            "**Recours** devant le {{consultation.reference}}",
        )],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("<strong>Recours</strong> devant le 2026-DUI"),
        "{html}"
    );
    // Save then reset at the groupement level: two journal entries, default text again.
    let r = post(
        &c,
        &group,
        &[kv("source", "Pénalités : voir le bon de commande.")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        c.post_form(&format!("{group}/reset"), &[]).await.status(),
        303
    );
    assert_eq!(app.audit_count().await, before + 2);
    let page = c.get(&group).await.text().await.expect("html");
    assert!(
        page.contains("texte en vigueur : clause par défaut"),
        "{page}"
    );
}

#[tokio::test]
async fn a_referent_downloads_the_pieces_but_cannot_generate_them() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let (gid, cid) = ready_tender(&app, &c).await;
    assert_eq!(
        c.post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/ae/generate"),
            &[]
        )
        .await
        .status(),
        303
    );
    let referent = app.login(&referent_email(SANTELYS)).await;
    let b = bytes(&referent, gid, cid, "ae", 1).await;
    let api = api_pieces(&referent, gid, cid).await;
    assert_eq!(versions_of(&api, "ae")[0]["docx_sha256"], sha(&b));
    assert_eq!(
        referent
            .get(&format!("/g/{gid}/consultations/{cid}/pieces"))
            .await
            .status(),
        200
    );
    for path in [
        format!("/g/{gid}/consultations/{cid}/pieces/ae/generate"),
        format!("/g/{gid}/consultations/{cid}/pieces/generate-all"),
    ] {
        assert_eq!(referent.post_form(&path, &[]).await.status(), 403, "{path}");
    }
    let r = referent
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/pieces/ae/generate"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 403);
    // The API generates for the coordonnateur: identical content, 200 and no new version.
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/pieces/ae/generate"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["created"], false);
    assert_eq!(body["version"]["number"], 1);
}

#[tokio::test]
async fn missing_data_is_named_in_french_and_creates_no_version() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let (gid, cid) = ready_tender(&app, &c).await;
    let mut form: Vec<(String, String)> = crate::consultations::software_form()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("offers_deadline"))
        .map(|(k, v)| kv(k, v))
        .collect();
    form.push(kv("questions_deadline", "2027-01-05"));
    form.push(kv("offers_validity_days", "120"));
    assert_eq!(
        post(&c, &format!("/g/{gid}/consultations/{cid}"), &form)
            .await
            .status(),
        303
    );
    let before = app.audit_count().await;
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/rc/generate"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Fixez la date limite de remise des offres avant de générer le RC."),
        "{html}"
    );
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/generate-all"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 422, "all or nothing");
    assert_eq!(app.audit_count().await, before);
    let api = api_pieces(&c, gid, cid).await;
    for kind in ["rc", "ae", "ccap", "cctp", "bpu"] {
        assert!(versions_of(&api, kind).is_empty(), "{kind}");
    }
    // The API says it too, in French.
    let r = c
        .post_json(
            &format!("/api/v1/groupements/{gid}/consultations/{cid}/pieces/rc/generate"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(
        body["erreur"]
            .as_str()
            .is_some_and(|e| e.contains("Fixez la date limite de remise des offres")),
        "{body}"
    );
}

/// The AMOA consultation of the groupement: CCAG-PI, same members and needs as the software.
fn amoa_form() -> Vec<(&'static str, &'static str)> {
    crate::consultations::software_form()
        .into_iter()
        .map(|(k, v)| match k {
            "reference" => (k, "2026-AMOA"),
            "objet" => (
                k,
                "Assistance à maîtrise d'ouvrage pour le projet ESMS numérique",
            ),
            "cpv" => (k, "72224000-1"),
            "ccag" => (k, "pi"),
            _ => (k, v),
        })
        .collect()
}

#[tokio::test]
async fn the_whole_dce_of_the_amoa_tender_is_generated_under_the_ccag_pi() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let r = c
        .post_form(&format!("/g/{gid}/consultations"), &amoa_form())
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    let cid: i32 = loc.rsplit('/').next().expect("id").parse().expect("int");
    crate::consultations::add_lot_and_needs(&app, &c, cid).await;
    complete_tender_as(&app, &c, cid, amoa_form()).await;
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/generate-all"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let mut docs = BTreeMap::new();
    for kind in ["rc", "ae", "ccap", "cctp", "bpu"] {
        let docx = docx_text::open(&bytes(&c, gid, cid, kind, 1).await);
        docx.check_well_formed().expect("well formed");
        docs.insert(kind, docx.document_text());
    }
    assert!(
        docs["rc"].contains("CCAG-PI (arrêté du 30 mars 2021)"),
        "{}",
        docs["rc"]
    );
    assert!(docs["ae"].contains("prestations intellectuelles (CCAG-PI)"));
    let ccap = &docs["ccap"];
    assert!(ccap.contains("Option A – régime du CCAG-PI"), "{ccap}");
    assert!(ccap.contains("Dérogations au CCAG-PI"));
    assert!(ccap.contains("Par dérogation à l'article 14 du CCAG-PI"));
    assert!(!ccap.contains("CCAG-TIC"), "{ccap}");
    let cctp = &docs["cctp"];
    assert!(cctp.contains("Missions de l'AMOA"), "{cctp}");
    assert!(cctp.contains("rédaction du DCE") && cctp.contains("projet de CCTP"));
    assert!(
        !cctp.contains("Interopérabilité et conformité Ségur"),
        "software article left out"
    );
    // Option B (exclusive assignment) becomes a listed derogation after a new version.
    let mut form = dce_data_form(&app).await;
    form.push(kv("ccap_ip_option", "B"));
    let r = post(&c, &format!("/g/{gid}/consultations/{cid}/dce-data"), &form).await;
    assert_eq!(r.status(), 303);
    let page = c
        .get(&format!("/g/{gid}/consultations/{cid}/dce-data"))
        .await
        .text()
        .await
        .expect("html");
    assert!(page.contains(r#"<option value="B" selected>"#), "{page}");
    assert!(page.contains("Missions de l&#x27;AMOA") || page.contains("Missions de l'AMOA"));
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/ccap/generate"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let v2 = docx_text::open(&bytes(&c, gid, cid, "ccap", 2).await);
    let row = v2
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Article du CCAP")
        .expect("derogations")
        .rows
        .into_iter()
        .find(|r| r[0] == "9")
        .expect("option B listed");
    assert_eq!(row[1], "32 et suivants (chapitre 5)");
}

/// The hardware consultation of the groupement: supplies under the CCAG-FCS.
fn hardware_form() -> Vec<(&'static str, &'static str)> {
    crate::consultations::software_form()
        .into_iter()
        .map(|(k, v)| match k {
            "reference" => (k, "2026-MAT"),
            "objet" => (k, "Fourniture de terminaux mobiles pour l'usage du DUI"),
            "nature" => (k, "fournitures"),
            "cpv" => (k, "30213200-7"),
            "ccag" => (k, "fcs"),
            _ => (k, v),
        })
        .collect()
}

#[tokio::test]
async fn the_hardware_tender_needs_its_delivery_and_warranty_then_gets_a_ccag_fcs_dce() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let gid = app.gid().await;
    let r = c
        .post_form(&format!("/g/{gid}/consultations"), &hardware_form())
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let loc = r.headers()["location"].to_str().expect("loc").to_owned();
    let cid: i32 = loc.rsplit('/').next().expect("id").parse().expect("int");
    crate::consultations::add_lot_and_needs(&app, &c, cid).await;
    complete_tender_as(&app, &c, cid, hardware_form()).await;
    let all = format!("/g/{gid}/consultations/{cid}/pieces/generate-all");
    let r = c.post_form(&all, &[]).await;
    assert_eq!(r.status(), 422, "delivery and warranty are missing");
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Renseignez le délai de livraison (jours) dans « Données du DCE » avant de générer le CCAP."),
        "{html}"
    );
    assert!(html.contains("la durée de la garantie (mois)"));
    let mut form = dce_data_form(&app).await;
    form.push(kv("ccap_delivery_days", "30"));
    form.push(kv("ccap_warranty_months", "36"));
    let r = post(&c, &format!("/g/{gid}/consultations/{cid}/dce-data"), &form).await;
    assert_eq!(r.status(), 303);
    let r = c.post_form(&all, &[]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let ccap = docx_text::open(&bytes(&c, gid, cid, "ccap", 1).await).document_text();
    assert!(ccap.contains("Dérogations au CCAG-FCS"), "{ccap}");
    assert!(ccap.contains("dans un délai de 30 jours calendaires"));
    assert!(ccap.contains("pendant 36 mois à compter de la décision d'admission"));
    assert!(!ccap.contains("CCAG-TIC") && !ccap.contains("Option A"));
    let cctp = docx_text::open(&bytes(&c, gid, cid, "cctp", 1).await).document_text();
    assert!(cctp.contains("Spécifications des matériels"), "{cctp}");
    assert!(!cctp.contains("Missions de l'AMOA"));
}

/// The BPU/DQE lines are defined in one grid: each line with its own designation, unit and the
/// quantity of each member; the BPU prints them with no price at all; bad rows are named in
/// French and nothing is kept; the same grid again changes nothing; after publication the
/// lines are frozen.
#[tokio::test]
async fn price_lines_are_defined_in_one_grid_printed_without_price_and_frozen_at_publication() {
    let app = TestApp::spawn().await;
    let c = app.login(&coord_email()).await;
    let (gid, cid) = ready_tender(&app, &c).await;
    let url = format!("/g/{gid}/consultations/{cid}/lignes-de-prix");
    let page = c.get(&url).await.text().await.expect("page");
    let lot_id = coordo::consultations::service::detail(
        &app.state.db,
        gid,
        cid,
        app.state.clock.today_paris(),
    )
    .await
    .expect("detail")
    .lots[0]
        .lot
        .id;
    let members = coordo::registry::service::members(&app.state.db, gid)
        .await
        .expect("members");
    assert!(
        page.contains(&members[0].member.name),
        "a column per member"
    );
    let (m0, m1) = (members[0].member.id, members[1].member.id);
    let lot = lot_id.to_string();
    let good = vec![
        kv("r0_lot", &lot),
        kv("r0_label", "Licence d'utilisation du logiciel DUI"),
        kv("r0_unit", "licence × an"),
        kv(&format!("r0_q{m0}"), "12"),
        kv(&format!("r0_q{m1}"), "7"),
        kv("r1_lot", &lot),
        kv("r1_label", "Journée de formation sur site"),
        kv("r1_unit", "jour"),
        kv(&format!("r1_q{m1}"), "2,5"),
    ];

    // A bad grid: every fault named, nothing stored, nothing journaled.
    let before = app.audit_count().await;
    let mut bad = good.clone();
    bad.push(kv("r2_lot", &lot));
    bad.push(kv("r2_label", "Maintenance"));
    bad.push(kv(&format!("r2_q{m0}"), "-1"));
    let r = post(&c, &url, &bad).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Ligne 3 du lot 1 : l&#x27;unité est obligatoire")
            || html.contains("Ligne 3 du lot 1 : l'unité est obligatoire"),
        "{html}"
    );
    assert!(html.contains("est négative"), "{html}");
    assert_eq!(app.audit_count().await, before);
    assert!(
        coordo::dossier::price_lines::load(&app.state.db, cid)
            .await
            .expect("lines")
            .is_empty()
    );

    // The good grid: stored once, journaled once; the same again changes nothing.
    let r = post(&c, &url, &good).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(app.audit_count().await, before + 1);
    assert_eq!(post(&c, &url, &good).await.status(), 303);
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "same grid, no new entry"
    );
    let page = c.get(&url).await.text().await.expect("page");
    assert!(page.contains("Journée de formation sur site") && page.contains("value=\"1.2\""));

    // The BPU prints the lines, their units and quantities, and no unit price.
    let r = c
        .post_form(
            &format!("/g/{gid}/consultations/{cid}/pieces/bpu/generate"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let bpu = docx_text::open(&bytes(&c, gid, cid, "bpu", 1).await);
    let text = bpu.document_text();
    for needle in [
        "Licence d'utilisation du logiciel DUI",
        "licence × an",
        "Journée de formation sur site",
        "1.1",
        "1.2",
        "2,5",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing from the BPU: {text}"
        );
    }
    assert!(
        !text.contains("35 000") && !text.contains("2 916"),
        "no estimate"
    );
    // The DQE workbook of that BPU version carries the same lines, a sheet per lot.
    let r = c
        .get(&format!(
            "/g/{gid}/consultations/{cid}/pieces/bpu/versions/1/dqe.xlsx"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let xlsx = unzip(&r.bytes().await.expect("xlsx"));
    let strings = String::from_utf8(xlsx["xl/sharedStrings.xml"].clone()).expect("utf-8");
    assert!(
        strings.contains("Journée de formation sur site"),
        "{strings}"
    );
    assert!(strings.contains("Prix unitaire HT"));
    assert!(xlsx.contains_key("xl/worksheets/sheet1.xml"));

    // Published: frozen.
    crate::offers::publish_fixture(&app, cid).await;
    let r = post(&c, &url, &good[..4]).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        coordo::dossier::price_lines::load(&app.state.db, cid)
            .await
            .expect("lines")
            .len(),
        2
    );
}
