//! The layering of the domain areas (README, « Plan du code »): each area may use only the
//! areas below it, so no module cycle can come back unnoticed. Read from the source tree:
//! every `crate::<area>` path outside comments counts as a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each area and the areas it may use (lower layers only).
const LAYERS: &[(&str, &[&str])] = &[
    ("scoring", &[]),
    ("consultations", &[]),
    ("reference_doc", &[]),
    ("cao", &["consultations", "reference_doc"]),
    ("delais", &["consultations", "cao"]),
    ("techniques", &["consultations"]),
    ("dossier", &["consultations", "scoring"]),
    (
        "pieces",
        &["consultations", "dossier", "scoring", "reference_doc"],
    ),
    ("visas", &["consultations", "dossier", "pieces", "cao"]),
    (
        "offers",
        &["consultations", "dossier", "pieces", "scoring", "cao"],
    ),
    (
        "attribution",
        &[
            "consultations",
            "dossier",
            "pieces",
            "scoring",
            "cao",
            "offers",
            "visas",
        ],
    ),
    (
        "archive",
        &[
            "consultations",
            "dossier",
            "pieces",
            "scoring",
            "cao",
            "offers",
            "visas",
            "attribution",
        ],
    ),
    (
        "todo",
        &["consultations", "cao", "visas", "offers", "attribution"],
    ),
    (
        "transitions",
        &[
            "consultations",
            "dossier",
            "pieces",
            "scoring",
            "offers",
            "visas",
            "attribution",
            "techniques",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The areas each area's code names, comments left out.
fn used_areas() -> BTreeMap<&'static str, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let areas: Vec<&str> = LAYERS.iter().map(|(a, _)| *a).collect();
    let mut out = BTreeMap::new();
    for area in &areas {
        let mut files = Vec::new();
        let dir = src.join(area);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{area}.rs")));
        }
        let mut used = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source");
            for line in text.lines() {
                let code = line.split("//").next().unwrap_or_default();
                for other in &areas {
                    if other != area
                        && (code.contains(&format!("crate::{other}::"))
                            || code.contains(&format!("crate::{other};"))
                            || code.contains(&format!("crate::{other} ")))
                    {
                        used.insert((*other).to_owned());
                    }
                }
            }
        }
        out.insert(*area, used);
    }
    out
}

#[test]
fn each_area_uses_only_the_areas_below_it() {
    let used = used_areas();
    // The scan sees real dependencies (a scan that reads nothing would pass anything).
    assert!(used["attribution"].contains("offers"), "{used:?}");
    assert!(used["transitions"].contains("visas"), "{used:?}");
    let mut wrong = Vec::new();
    for (area, allowed) in LAYERS {
        for u in &used[area] {
            if !allowed.contains(&u.as_str()) {
                wrong.push(format!("{area} → {u}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the layering: {wrong:?}"
    );
}
