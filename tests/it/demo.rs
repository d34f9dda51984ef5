//! `coordo demo`: the real binary builds the groupement's AMOA and software tenders on a fresh
//! SQLite file; the archive of each notified consultation (`coordo archive export`) is read
//! back with the independent reader (zip + quick-xml) and mail-parser.

use crate::support::docx_text::{self, Docx};
use crate::support::*;
use mail_parser::{MessageParser, MimeHeaders};
use std::collections::BTreeMap;
use std::path::Path;

/// A consultation printed by `coordo demo`: id and reference.
fn consultations(out: &str) -> Vec<(i32, String)> {
    out.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("consultation ")?;
            let (id, rest) = rest.split_once(" : ")?;
            let reference = rest.split(" — ").next()?.to_owned();
            Some((id.parse().ok()?, reference))
        })
        .collect()
}

fn demo(db: &Path, stage: &str) -> Vec<(i32, String)> {
    let o = coordo_cmd(db, &["demo", "--jusqu-a", stage]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let cs = consultations(&stdout(&o));
    assert_eq!(cs.len(), 2, "{}", stdout(&o));
    cs
}

/// Every file of the archive of consultation `cid`, exported by the binary.
fn archive(db: &Path, cid: i32) -> BTreeMap<String, Vec<u8>> {
    let out = db.with_file_name(format!("archive-{cid}.zip"));
    let o = coordo_cmd(
        db,
        &[
            "archive",
            "export",
            "--consultation",
            &cid.to_string(),
            "--out",
            out.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    unzip(&std::fs::read(&out).expect("zip"))
}

fn one<'a>(files: &'a BTreeMap<String, Vec<u8>>, prefix: &str, contains: &str) -> &'a [u8] {
    let found: Vec<_> = files
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && k.contains(contains))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{prefix}…{contains}: {:?}",
        files.keys().collect::<Vec<_>>()
    );
    found[0].1
}

/// (criterion, sub-criterion, weight) of the first table whose header starts with « Critère ».
fn criteria(doc: &Docx) -> Vec<(String, String, String)> {
    let t = doc
        .tables()
        .into_iter()
        .find(|t| t.rows[0][0] == "Critère")
        .expect("criteria table");
    t.rows[1..]
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].trim_end_matches(" (critère environnemental)")
                    .to_owned(),
                r[2].trim_end_matches('%').trim().to_owned(),
            )
        })
        .collect()
}

/// `s` with every no-break space as a plain space (amounts are compared as typed).
fn plain(s: &str) -> String {
    s.replace(['\u{202F}', '\u{A0}'], " ")
}

/// Winner, its amount as the AE writes it, and the bidders of each demo tender.
const AMOA: (&str, &str) = ("OPALE SANTÉ CONSEIL", "76 800,00");
const DUI: (&str, &str) = ("ATALANTE LOGICIELS SANTÉ", "318 400,00");
/// The SIRET of each attributaire (`src/demo/tenders.rs`).
const SIRETS: [&str; 2] = ["81245367800011", "83190472700011"];

#[test]
#[allow(clippy::too_many_lines)]
fn both_demo_tenders_notified_hold_the_documents_of_a_real_procedure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coordo.db");
    let cs = demo(&db, "notifiee");
    assert!(cs[0].1.starts_with("DEMO-AMOA-") && cs[1].1.starts_with("DEMO-DUI-"));
    // Every DOCX of both archives (pieces, letters, bordereaux, PV, reports, the AEs) passes the
    // independent Open XML validator with no error.
    let valid = dir.path().join("docx");
    std::fs::create_dir(&valid).expect("dir");
    let mut n = 0;
    let archives: BTreeMap<i32, BTreeMap<String, Vec<u8>>> = cs
        .iter()
        .map(|(cid, _)| (*cid, archive(&db, *cid)))
        .collect();
    for (cid, files) in &archives {
        for (name, bytes) in files {
            if name.ends_with(".docx") {
                n += 1;
                std::fs::write(valid.join(format!("{cid}-{n}.docx")), bytes).expect("write");
            }
        }
    }
    let report = crate::docgen::validator::audit(&valid);
    assert_eq!(report.len(), n, "every document audited");
    assert!(n >= 30, "{n} documents");
    let bad: Vec<_> = report.iter().filter(|(_, errors, _)| *errors > 0).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    for (((cid, reference), (winner, amount)), siret) in cs.iter().zip([AMOA, DUI]).zip(SIRETS) {
        let files = &archives[cid];
        let text = |prefix: &str, contains: &str| -> Docx {
            let d = docx_text::open(one(files, prefix, contains));
            d.check_well_formed().expect("well formed");
            d
        };
        // The RC announces exactly the grid the ranking used (rapport d'analyse).
        let rc = text("pieces/RC/", "_RC_v1");
        let rapport = text("analyse/rapport-analyse", "");
        let announced = criteria(&rc);
        assert_eq!(announced, criteria(&rapport), "{reference}");
        assert!(
            announced.iter().any(|(_, _, w)| w == "40")
                && announced.iter().any(|(c, _, _)| c == "Prix"),
            "{reference}: {announced:?}"
        );
        assert!(
            rc.document_text().contains("critère environnemental"),
            "{reference}: environmental criterion (L2152-7)"
        );
        // The PV of the CAO, as stored at the closing of the séance, names the attributaire,
        // its SIRET and the amount from the ranking.
        let pv = plain(&text("cao/", "pv-cao").document_text());
        assert!(
            pv.contains(&format!(
                "attributaire {winner}, SIRET {siret}, pour un montant de {amount}"
            )),
            "{reference}: {pv}"
        );
        // The NOTI5's email carries the AE filled for the attributaire, not the DCE's.
        let dce_ae = one(files, "pieces/AE/", "_AE_v1");
        let eml = one(files, "emails/", "_noti5");
        let msg = MessageParser::default().parse(eml).expect("mail");
        let ae = msg
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.contains("_AE_")))
            .expect("AE attached to the NOTI5");
        assert_ne!(ae.contents(), dce_ae, "{reference}: not the DCE's AE");
        assert_eq!(
            ae.contents(),
            one(files, "actes_signes/", "_AE_"),
            "{reference}: the archive keeps the notified signed acte"
        );
        let signed = plain(&docx_text::open(ae.contents()).document_text());
        assert!(signed.contains(winner), "{reference}: {signed}");
        assert!(signed.contains(amount), "{reference}: {amount} in {signed}");
        let blank = plain(&docx_text::open(dce_ae).document_text());
        assert!(!blank.contains(winner) && !blank.contains(amount));
        assert!(
            msg.attachments()
                .any(|a| { a.attachment_name().is_some_and(|n| n.contains("_NOTI5_")) })
        );
        // The BPU/DQE: quantities, never the buyer's estimate.
        let bpu = plain(&text("pieces/BPU/", "_BPU_v1").document_text());
        let per_member = if reference.contains("AMOA") {
            ["8 300,00", "83 000,00"]
        } else {
            ["35 000,00", "350 000,00"]
        };
        for needle in per_member {
            assert!(
                !bpu.contains(needle),
                "{reference}: estimate {needle} in the BPU"
            );
        }
        assert!(bpu.contains("à compléter"), "{reference}: {bpu}");
        // Its price lines: a designation, a unit and a quantity each; the unit price is the
        // candidate's to write.
        let bordereau_des_prix = text("pieces/BPU/", "_BPU_v1")
            .tables()
            .into_iter()
            .find(|t| t.rows[0].iter().any(|c| c == "Prix unitaire HT"))
            .expect("BPU table");
        let col = bordereau_des_prix.rows[0]
            .iter()
            .position(|c| c == "Prix unitaire HT")
            .expect("column");
        let lines: Vec<_> = bordereau_des_prix.rows[1..]
            .iter()
            .filter(|r| r[0].starts_with("1."))
            .collect();
        assert!(lines.len() >= 3, "{reference}: {lines:?}");
        for r in lines {
            assert_eq!(r[col], "à compléter", "{reference}: {r:?}");
        }
        // The bordereau of the CCTP counts the reserves apart and names them.
        let bordereau = plain(&text("visas/", "_CCTP_v1_bordereau").document_text());
        assert!(
            bordereau.contains(
                "9 visas favorables et 1 visa favorable avec réserves, sur 10 membres appelés à viser"
            ),
            "{reference}: {bordereau}"
        );
        assert!(bordereau.contains("reprise des dossiers papier"));
        for kind in ["RC", "AE", "CCAP", "BPU"] {
            let b = plain(&text("visas/", &format!("_{kind}_v1_bordereau")).document_text());
            assert!(b.contains("10 visas favorables"), "{reference} {kind}: {b}");
        }
        // The CCAP follows the tender's CCAG: CCAG-PI for the AMOA, CCAG-TIC for the software.
        let ccap = text("pieces/CCAP/", "_CCAP_v1").document_text();
        if reference.contains("AMOA") {
            assert!(ccap.contains("Dérogations au CCAG-PI"), "{ccap}");
            assert!(!ccap.contains("CCAG-TIC"), "{ccap}");
        } else {
            assert!(ccap.contains("Dérogations au CCAG-TIC"), "{ccap}");
        }
        // Every letter of the procedure is there, with the CAO's PV and the reports.
        for prefix in ["lettres/", "cao/", "analyse/"] {
            assert!(files.keys().any(|k| k.starts_with(prefix)), "{prefix}");
        }
        for kind in ["_NOTI1_", "_NOTI3_", "_NOTI5_"] {
            assert!(
                files
                    .keys()
                    .any(|k| k.starts_with("lettres/") && k.contains(kind)),
                "{reference}: {kind}"
            );
        }
        assert!(
            !files.contains_key("documents_non_produits.txt"),
            "{reference}"
        );
    }
    let o = coordo_cmd(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn each_stage_stops_where_it_says_and_a_second_run_makes_a_new_pair() {
    use sea_orm::EntityTrait;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("coordo.db");
    let mut runs = Vec::new();
    for stage in ["brouillon", "publiee", "analyse", "attribuee"] {
        runs.push((stage, demo(&db, stage)));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let statuses: BTreeMap<i32, String> = rt.block_on(async {
        let conn = coordo::db::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("db");
        coordo::db::entities::consultation::Entity::find()
            .all(&conn)
            .await
            .expect("consultations")
            .into_iter()
            .map(|c| (c.id, c.status))
            .collect()
    });
    let expected = [
        ("brouillon", "brouillon"),
        ("publiee", "publiee"),
        ("analyse", "analyse"),
        ("attribuee", "attribution_decidee"),
    ];
    for (n, ((stage, cs), (_, status))) in runs.iter().zip(expected).enumerate() {
        for (cid, reference) in cs {
            assert_eq!(statuses[cid], status, "{stage}: {reference}");
            assert!(reference.ends_with(&format!("-{}", n + 1)), "{reference}");
        }
    }
    // A bad stage: exit 2, French message, nothing built.
    let o = coordo_cmd(&db, &["demo", "--jusqu-a", "signee"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("étape « signee » inconnue") && e.contains("brouillon, publiee, analyse"),
        "{e}"
    );
    let o = coordo_cmd(&db, &["demo", "--help"]);
    assert!(stdout(&o).contains("--jusqu-a"), "{}", stdout(&o));
}

/// `coordo serve` on a fresh database, as `cargo run --release` does: the groupement, its
/// accounts and consultations at three stages (notified, in analysis, open to offers), so a
/// newcomer's screens all have something in them; `COORDO_DEMO=groupement` keeps only the
/// groupement and its accounts.
#[tokio::test]
async fn a_first_start_shows_consultations_at_several_stages() {
    use sea_orm::EntityTrait;
    for (demo, expected) in [
        (
            "complete",
            vec![
                "analyse", "analyse", "notifiee", "notifiee", "publiee", "publiee",
            ],
        ),
        ("groupement", vec![]),
    ] {
        let dir = tempfile::tempdir().expect("tmp");
        let db = dir.path().join("coordo.db");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coordo"))
            .arg("serve")
            .env("COORDO_DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("COORDO_ADDR", format!("127.0.0.1:{port}"))
            .env("COORDO_MAIL_DIR", dir.path().join("outbox"))
            .env("COORDO_DEMO", demo)
            .env_remove("COORDO_SMTP_URL")
            .env("COORDO_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start coordo");
        let mut up = false;
        for _ in 0..1200 {
            if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                up = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let conn = sea_orm::Database::connect(format!("sqlite://{}", db.display()))
            .await
            .expect("db");
        let mut statuses: Vec<String> = coordo::db::entities::consultation::Entity::find()
            .all(&conn)
            .await
            .expect("consultations")
            .into_iter()
            .map(|c| c.status)
            .collect();
        statuses.sort();
        let _ = child.kill();
        let out = child.wait_with_output().expect("output");
        assert!(up, "coordo serve did not answer");
        assert_eq!(statuses, expected, "COORDO_DEMO={demo}");
        let printed = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(printed.contains("Base vide"), "{printed}");
        assert_eq!(
            printed.contains("DEMO-DUI-3"),
            demo == "complete",
            "{printed}"
        );
    }
}
