//! The deposit register of the buyer's platform imported as plis (CSV shaped like a PLACE
//! export, XLSX like AWS-Achat): the proposed mapping, the platform's time and receipt kept,
//! one journal entry per pli with the file's SHA-256, idempotence, refusals by row and column,
//! nothing stored on refusal, closed to référents.

use super::*;
use coordo::db::entities::{audit_entry, pli};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

const PLACE_CSV: &str = "\u{feff}N° de pli;Entreprise;SIRET;Date et heure de dépôt;Lot;Email;Adresse\r\n\
PLACE-0001;ALPHA SANTÉ;732 829 320 00074;14/01/2027 16:12:05;Lot 1;offres@alpha.example;1 rue A, 59000 Lille\r\n\
PLACE-0002;BETA;44306184100047;15/01/2027 11:59:59;1;beta@beta.example;\r\n\
PLACE-0003;ALPHA SANTÉ;732 829 320 00074;15/01/2027 12:00:01;1;offres@alpha.example;\r\n";

fn url(gid: i32, cid: i32) -> String {
    format!("{}/registre-plateforme", offres(gid, cid))
}

/// The option selected in the `<select>` of `field`.
fn selected(html: &str, field: &str) -> String {
    let start = html
        .find(&format!("id=\"map_{field}\""))
        .unwrap_or_else(|| panic!("no select {field}"));
    let select = &html[start..];
    let select = &select[..select.find("</select>").expect("end")];
    let at = select.find(" selected>").expect("selected");
    let rest = &select[at + " selected>".len()..];
    rest[..rest.find('<').expect("<")].to_owned()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn stored(app: &TestApp, cid: i32) -> Vec<pli::Model> {
    pli::Entity::find()
        .filter(pli::Column::ConsultationId.eq(cid))
        .order_by_asc(pli::Column::Id)
        .all(&app.state.db)
        .await
        .expect("plis")
}

async fn upload(c: &Client, gid: i32, cid: i32, name: &str, bytes: &[u8]) -> String {
    let r = c.post_file(&url(gid, cid), "fichier", name, bytes).await;
    let status = r.status();
    let html = r.text().await.expect("html");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&sha(bytes)), "{html}");
    html
}

async fn confirm(
    c: &Client,
    gid: i32,
    cid: i32,
    bytes: &[u8],
    map: &[(&str, &str)],
) -> reqwest::Response {
    let digest = sha(bytes);
    let mut fields = vec![("sha256", digest.as_str())];
    fields.extend_from_slice(map);
    c.post_form(&format!("{}/import", url(gid, cid)), &fields)
        .await
}

const PLACE_MAP: [(&str, &str); 7] = [
    ("map_raison_sociale", "1"),
    ("map_siret", "2"),
    ("map_depot", "3"),
    ("map_numero", "0"),
    ("map_lot", "4"),
    ("map_courriel", "5"),
    ("map_adresse", "6"),
];

#[tokio::test]
async fn a_platform_register_becomes_plis_with_the_platforms_time_and_receipt() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    let now = utc(2027, 1, 16, 9, 0, 0);
    app.state.clock.set(now);

    // Step 1: the mapping proposed from PLACE's headers, and the preview.
    let csv = PLACE_CSV.as_bytes();
    let html = upload(&coord, gid, cid, "registre-PLACE.csv", csv).await;
    assert_eq!(selected(&html, "raison_sociale"), "Entreprise");
    assert_eq!(selected(&html, "siret"), "SIRET");
    assert_eq!(selected(&html, "depot"), "Date et heure de dépôt");
    assert_eq!(selected(&html, "numero"), "N° de pli");
    assert_eq!(selected(&html, "lot"), "Lot");
    assert_eq!(selected(&html, "courriel"), "Email");
    assert_eq!(selected(&html, "adresse"), "Adresse");
    assert!(html.contains("à importer — hors délai"), "{html}");
    assert!(
        stored(&app, cid).await.is_empty(),
        "nothing stored before the confirmation"
    );

    // Step 2: imported, one journal entry per pli naming the file.
    let before = app.audit_count().await;
    let r = confirm(&coord, gid, cid, csv, &PLACE_MAP).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let plis = stored(&app, cid).await;
    assert_eq!(plis.len(), 3);
    assert_eq!(plis[0].received_at, utc(2027, 1, 14, 15, 12, 5));
    assert_eq!(plis[0].platform_receipt.as_deref(), Some("PLACE-0001"));
    assert_eq!(plis[0].entered_at, Some(now));
    assert_eq!(plis[0].channel, "profil_acheteur");
    assert_eq!(plis[0].siret, S_ALPHA);
    assert!(!plis[0].superseded, "a late pli never replaces one in time");
    assert!(plis[2].hors_delai, "received at 12:00:01");
    assert_eq!(plis[1].contact_email, "beta@beta.example");
    assert_eq!(plis[1].address, "");
    assert_eq!(app.audit_count().await, before + 3);
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("offres.pli_enregistre"))
        .all(&app.state.db)
        .await
        .expect("journal");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.summary.contains(&sha(csv))));
    assert!(
        !entries.iter().any(|e| e.summary.contains("ALPHA")),
        "sealed: no name"
    );
    let page = coord
        .get(&offres(gid, cid))
        .await
        .text()
        .await
        .expect("page");
    // Opened: the provenance with the deposit number (while sealed, the deposit number is not
    // shown: `offers::nobody_sees_or_prices_a_pli_before_the_deadline…`).
    assert!(
        page.contains("registre de la plateforme, dépôt n° PLACE-0001"),
        "{page}"
    );

    // The same file again: nothing new, nothing journaled.
    let before = app.audit_count().await;
    let html = upload(&coord, gid, cid, "registre-PLACE.csv", csv).await;
    assert!(html.contains("déjà importé (pli n°"), "{html}");
    let r = confirm(&coord, gid, cid, csv, &PLACE_MAP).await;
    assert_eq!(r.status(), 303);
    assert_eq!(stored(&app, cid).await.len(), 3);
    assert_eq!(app.audit_count().await, before);

    // An AWS-Achat-like workbook with a date cell.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "Raison sociale",
        "N° SIRET",
        "Horodatage",
        "Numéro de dépôt",
        "Courriel",
    ]
    .iter()
    .enumerate()
    {
        ws.write(0, u16::try_from(c).expect("c"), *h).expect("h");
    }
    let f = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    let at = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 14)
        .and_then(|d| d.and_hms(10, 0, 0))
        .expect("date");
    ws.write(1, 0, "GAMMA").expect("w");
    ws.write(1, 1, S_GAMMA).expect("w");
    ws.write_with_format(1, 2, &at, &f).expect("w");
    ws.write(1, 3, "AWS-77").expect("w");
    ws.write(1, 4, "gamma@gamma.example").expect("w");
    let xlsx = wb.save_to_buffer().expect("xlsx");
    let html = upload(&coord, gid, cid, "depots.xlsx", &xlsx).await;
    assert_eq!(selected(&html, "raison_sociale"), "Raison sociale");
    assert_eq!(selected(&html, "depot"), "Horodatage");
    assert_eq!(selected(&html, "numero"), "Numéro de dépôt");
    assert_eq!(selected(&html, "lot"), "— aucune colonne —");
    let r = confirm(
        &coord,
        gid,
        cid,
        &xlsx,
        &[
            ("map_raison_sociale", "0"),
            ("map_siret", "1"),
            ("map_depot", "2"),
            ("map_numero", "3"),
            ("map_lot", ""),
            ("map_courriel", "4"),
            ("map_adresse", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let plis = stored(&app, cid).await;
    assert_eq!(plis.len(), 4);
    assert_eq!(plis[3].received_at, utc(2027, 1, 14, 9, 0, 0));
    assert_eq!(plis[3].platform_receipt.as_deref(), Some("AWS-77"));
    assert!(plis[3].lot_id.is_some(), "the single lot");
}

#[tokio::test]
async fn a_bad_register_is_refused_by_row_and_column_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (coord, gid, cid) = tender(&app).await;
    app.state.clock.set(utc(2027, 1, 16, 9, 0, 0));
    let csv = "N° de pli;Entreprise;SIRET;Date et heure de dépôt;Lot;Email;Adresse\n\
NEW-1;ALPHA;73282932000075;14/01/2027 16:12;1;a@alpha.example;\n\
NEW-2;BETA;44306184100047;17/01/2027 10:00;1;b@beta.example;\n\
NEW-3;GAMMA;55203253400646;14/01/2027 10:00;1;c@gamma.example;\n\
NEW-3;DELTA;40483304800022;14/01/2027 11:00;1;d@delta.example;\n";
    upload(&coord, gid, cid, "registre.csv", csv.as_bytes()).await;
    let before = app.audit_count().await;
    let r = confirm(&coord, gid, cid, csv.as_bytes(), &PLACE_MAP).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("html");
    for expected in [
        "Ligne 2, colonne « SIRET »",
        "Ligne 3, colonne « Date et heure de dépôt » : la date de réception",
        "Ligne 5, colonne « N° de pli » : le dépôt n° NEW-3 figure déjà à la ligne 4",
    ] {
        assert!(html.contains(expected), "{expected}\n{html}");
    }
    assert!(html.contains("futur"), "{html}");
    assert!(html.contains("id=\"map_siret\""), "the mapping page again");
    assert!(stored(&app, cid).await.is_empty());
    assert_eq!(app.audit_count().await, before);

    // A confirmation without the file in the session is refused.
    let other = coord
        .post_form(
            &format!("{}/import", url(gid, cid)),
            &[("sha256", &sha(b"autre chose"))],
        )
        .await;
    assert_eq!(other.status(), 422);

    // Closed to référents.
    let referent = app.login(&referent_email(SANTELYS)).await;
    let r = referent
        .post_file(&url(gid, cid), "fichier", "registre.csv", csv.as_bytes())
        .await;
    assert_eq!(r.status(), 403);
    let r = confirm(&referent, gid, cid, csv.as_bytes(), &PLACE_MAP).await;
    assert_eq!(r.status(), 403);
}
