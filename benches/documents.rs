//! DOCX generation: the whole DCE of the software tender (RC, AE, CCAP, CCTP, BPU and the DQE
//! workbook) and one letter (NOTI3), from the realistic example contexts in
//! `documents/examples/`, with Coordo's built-in look and with the example reference document
//! (`reference_wattrelos.docx`: its styles, letterhead and logo copied into every file).
//! Targets on the 2-core reference machine: the whole DCE under 15 ms median, a letter under
//! 1 ms; the peer RC-like document ≥ 10× faster than docxtpl and ≥ 4× faster than npm `docx`.

use coordo::docgen::{DocEngine, DocKind, Look, ReferenceDoc};
use std::sync::Arc;

fn main() {
    divan::main();
}

fn context(kind: DocKind) -> serde_json::Value {
    let path = format!(
        "{}/documents/examples/{}.json",
        env!("CARGO_MANIFEST_DIR"),
        kind.as_str()
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json")
}

const DCE: [DocKind; 5] = [
    DocKind::Rc,
    DocKind::Ae,
    DocKind::Ccap,
    DocKind::Cctp,
    DocKind::Bpu,
];

/// The built-in look, or the example reference document.
fn look(reference: bool) -> Look {
    let reference = reference.then(|| {
        let path = format!(
            "{}/documents/examples/reference_wattrelos.docx",
            env!("CARGO_MANIFEST_DIR")
        );
        Arc::new(ReferenceDoc::read(&std::fs::read(path).expect("reference")).expect("valid"))
    });
    Look {
        clauses: std::collections::BTreeMap::new(),
        reference,
    }
}

#[divan::bench(sample_count = 30, args = [false, true])]
fn whole_dce_with_dqe(bencher: divan::Bencher, reference: bool) {
    let engine = DocEngine::new().expect("engine");
    let contexts: Vec<(DocKind, serde_json::Value)> =
        DCE.iter().map(|k| (*k, context(*k))).collect();
    let bpu = context(DocKind::Bpu);
    let look = look(reference);
    bencher.bench_local(|| {
        let mut bytes = 0;
        for (kind, ctx) in &contexts {
            bytes += engine
                .render_docx(*kind, ctx, &look)
                .expect("render")
                .docx
                .len();
        }
        bytes + coordo::docgen::dqe::write_dqe(&bpu).expect("dqe").len()
    });
}

#[divan::bench(sample_count = 50, args = [false, true])]
fn one_letter_noti3(bencher: divan::Bencher, reference: bool) {
    let engine = DocEngine::new().expect("engine");
    let ctx = context(DocKind::Noti3);
    let look = look(reference);
    bencher.bench_local(|| {
        engine
            .render_docx(DocKind::Noti3, &ctx, &look)
            .expect("render")
            .docx
            .len()
    });
}

#[divan::bench(sample_count = 20)]
fn engine_start() -> DocEngine {
    DocEngine::new().expect("engine")
}

/// The RC-like document of `/work/shared/bench-peers` (same content as the docxtpl and npm
/// `docx` peers: 3 tables, 30 articles of 3 long paragraphs), through the whole engine:
/// Handlebars → Markdown → DOCX with typography, TOC-less layout, deflate.
const PEER_TEMPLATE: &str = "# Membres du groupement\n\n| Organisme | FINESS juridique | Adresse | Représentant |\n| --- | --- | --- | --- |\n{{#each members}}| {{name}} | {{finess}} | {{address}} | {{representative}} |\n{{/each}}\n# Établissements concernés\n\n| Établissement | Type | FINESS | SIRET | Capacité |\n| --- | --- | --- | --- | --- |\n{{#each establishments}}| {{name}} | {{kind}} | {{finess}} | {{siret}} | {{capacity}} |\n{{/each}}\n# Critères de jugement des offres\n\n| Critère | Pondération (points) |\n| --- | --- |\n{{#each criteria}}| {{label}} | {{weight}} |\n{{/each}}\nObjet : {{objet}}\n\nDate limite de remise des offres : {{deadline}}\n\n{{#each articles}}## {{title}}\n\n{{#each paras}}{{this}}\n\n{{/each}}{{/each}}";

#[divan::bench(sample_count = 40)]
fn peer_rc_like(bencher: divan::Bencher) {
    use coordo::docgen::{docx, markdown, meta::DocMeta};
    let engine = DocEngine::new().expect("engine");
    let path = std::env::var("PEER_CONTEXT")
        .unwrap_or_else(|_| "/work/shared/bench-peers/context.json".to_owned());
    let ctx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("context.json")).expect("json");
    let meta = DocMeta {
        kind: DocKind::Rc,
        title: ctx["title"].as_str().expect("title").to_owned(),
        object: ctx["objet"].as_str().expect("objet").to_owned(),
        reference: ctx["reference"].as_str().expect("reference").to_owned(),
        buyer: ctx["coordonnateur"]
            .as_str()
            .expect("coordonnateur")
            .to_owned(),
        buyer_address: None,
        date: chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"),
        place: None,
        version: None,
        created: "2025-12-01T00:00:00Z".to_owned(),
    };
    let once = docx::build(
        &markdown::parse(
            &engine
                .render_named_template("rc_peer", PEER_TEMPLATE, &ctx)
                .expect("template"),
        ),
        &meta,
        None,
    )
    .expect("docx");
    let _ = std::fs::write(std::env::temp_dir().join("coordo_peer_rc.docx"), &once);
    eprintln!("coordo peer RC: {} bytes", once.len());
    bencher.bench_local(|| {
        let md = engine
            .render_named_template("rc_peer", PEER_TEMPLATE, &ctx)
            .expect("template");
        docx::build(&markdown::parse(&md), &meta, None)
            .expect("docx")
            .len()
    });
}
