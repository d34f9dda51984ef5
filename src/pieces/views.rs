//! View-models of the pieces pages and API.

use super::context::{self, Built, short_code};
use super::diff::{self, Hunk};
use super::service::{PieceVersions, VersionMeta};
use crate::calendar::french_datetime;
use crate::db::entities::consultation;
use crate::docgen::DocKind;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

fn when(t: DateTime<Utc>) -> String {
    french_datetime(&t.with_timezone(&chrono_tz::Europe::Paris))
}

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// One version in a table.
#[derive(Serialize)]
pub struct VersionLine {
    pub number: i32,
    pub date: String,
    pub author: String,
    pub docx_sha256: String,
    pub docx_short: String,
    pub source_short: String,
    pub download: String,
    /// The DQE workbook of a BPU version (the same context, as XLSX).
    pub workbook: Option<String>,
}

fn version_line(base: &str, kind: DocKind, v: &VersionMeta) -> VersionLine {
    VersionLine {
        number: v.number,
        date: when(v.created_at),
        author: v.author.clone(),
        docx_sha256: v.docx_sha256.clone(),
        docx_short: short(&v.docx_sha256),
        source_short: short(&v.source_sha256),
        download: format!("{base}/pieces/{}/versions/{}/docx", kind.as_str(), v.number),
        workbook: (kind == DocKind::Bpu)
            .then(|| format!("{base}/pieces/bpu/versions/{}/dqe.xlsx", v.number)),
    }
}

/// One piece in the list.
#[derive(Serialize)]
pub struct PieceLine {
    pub kind: &'static str,
    pub code: String,
    pub label: &'static str,
    pub count: usize,
    pub latest: Option<VersionLine>,
}

/// What a piece still needs.
#[derive(Serialize)]
pub struct GapGroup {
    pub code: String,
    pub messages: Vec<String>,
}

/// The pieces page.
#[derive(Serialize)]
pub struct IndexView {
    pub cid: i32,
    pub base: String,
    pub reference: String,
    pub objet: String,
    pub status_label: &'static str,
    pub generatable: bool,
    pub lines: Vec<PieceLine>,
    pub gaps: Vec<GapGroup>,
    pub data_saved: bool,
}

/// Builds the pieces page.
#[must_use]
pub fn index(
    gid: i32,
    c: &consultation::Model,
    status_label: &'static str,
    generatable: bool,
    pieces: &[PieceVersions],
    built: Option<&Built>,
    data_saved: bool,
) -> IndexView {
    let base = format!("/g/{gid}/consultations/{}", c.id);
    IndexView {
        cid: c.id,
        reference: c.reference.clone(),
        objet: c.objet.clone(),
        status_label,
        generatable,
        lines: pieces
            .iter()
            .map(|p| PieceLine {
                kind: p.kind.as_str(),
                code: short_code(p.kind),
                label: p.kind.label_fr(),
                count: p.versions.len(),
                latest: p.latest().map(|v| version_line(&base, p.kind, v)),
            })
            .collect(),
        gaps: built
            .map(|b| {
                context::DCE_KINDS
                    .into_iter()
                    .map(|k| GapGroup {
                        code: short_code(k),
                        messages: b.gaps_for(k),
                    })
                    .filter(|g| !g.messages.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        base,
        data_saved,
    }
}

/// The comparison of two versions.
#[derive(Serialize)]
pub struct CompareView {
    pub v1: i32,
    pub v2: i32,
    pub hunks: Vec<Hunk>,
    pub added: usize,
    pub removed: usize,
}

/// The page of one piece.
#[derive(Serialize)]
pub struct ShowView {
    pub cid: i32,
    pub base: String,
    pub reference: String,
    pub kind: &'static str,
    pub code: String,
    pub label: &'static str,
    pub generatable: bool,
    /// Newest first.
    pub versions: Vec<VersionLine>,
    pub compare: Option<CompareView>,
    pub default_v1: i32,
    pub default_v2: i32,
}

/// Builds the page of one piece.
#[must_use]
pub fn show(
    gid: i32,
    c: &consultation::Model,
    kind: DocKind,
    versions: &[VersionMeta],
    generatable: bool,
    compare: Option<(i32, i32, Vec<Hunk>)>,
) -> ShowView {
    let base = format!("/g/{gid}/consultations/{}", c.id);
    let last = versions.last().map_or(0, |v| v.number);
    ShowView {
        cid: c.id,
        reference: c.reference.clone(),
        kind: kind.as_str(),
        code: short_code(kind),
        label: kind.label_fr(),
        generatable,
        versions: versions
            .iter()
            .rev()
            .map(|v| version_line(&base, kind, v))
            .collect(),
        compare: compare.map(|(v1, v2, hunks)| {
            let (added, removed) = diff::counts(&hunks);
            CompareView {
                v1,
                v2,
                hunks,
                added,
                removed,
            }
        }),
        default_v1: (last - 1).max(1),
        default_v2: last,
        base,
    }
}

/// A version in the API.
#[derive(Serialize)]
pub struct ApiVersion {
    pub number: i32,
    pub docx_sha256: String,
    pub source_sha256: String,
    pub author: String,
    pub created_at: String,
}

/// A piece in the API.
#[derive(Serialize)]
pub struct ApiPiece {
    pub kind: &'static str,
    pub label: &'static str,
    pub versions: Vec<ApiVersion>,
}

/// API form of a version.
#[must_use]
pub fn api_version(v: &VersionMeta) -> ApiVersion {
    ApiVersion {
        number: v.number,
        docx_sha256: v.docx_sha256.clone(),
        source_sha256: v.source_sha256.clone(),
        author: v.author.clone(),
        created_at: v.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// API form of the pieces.
#[must_use]
pub fn api_pieces(pieces: &[PieceVersions]) -> Vec<ApiPiece> {
    pieces
        .iter()
        .map(|p| ApiPiece {
            kind: p.kind.as_str(),
            label: p.kind.label_fr(),
            versions: p.versions.iter().map(api_version).collect(),
        })
        .collect()
}
