//! DOCX generation: the whole DCE of the software tender (RC, AE, CCAP, CCTP, BPU) and one
//! letter (NOTI3), from the realistic example contexts in `documents/examples/`.
//! Target on the 2-core reference machine: the whole DCE in under 50 ms.

use coordo::docgen::{DocEngine, DocKind};
use std::collections::BTreeMap;

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

#[divan::bench(sample_count = 30)]
fn whole_dce(bencher: divan::Bencher) {
    let engine = DocEngine::new().expect("engine");
    let contexts: Vec<(DocKind, serde_json::Value)> =
        DCE.iter().map(|k| (*k, context(*k))).collect();
    let none = BTreeMap::new();
    bencher.bench_local(|| {
        let mut bytes = 0;
        for (kind, ctx) in &contexts {
            bytes += engine
                .render_docx(*kind, ctx, &none)
                .expect("render")
                .docx
                .len();
        }
        bytes
    });
}

#[divan::bench(sample_count = 50)]
fn one_letter_noti3(bencher: divan::Bencher) {
    let engine = DocEngine::new().expect("engine");
    let ctx = context(DocKind::Noti3);
    let none = BTreeMap::new();
    bencher.bench_local(|| {
        engine
            .render_docx(DocKind::Noti3, &ctx, &none)
            .expect("render")
            .docx
            .len()
    });
}

#[divan::bench(sample_count = 20)]
fn engine_start() -> DocEngine {
    DocEngine::new().expect("engine")
}
