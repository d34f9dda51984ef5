//! View-models of the visa pages and API: the matrix pieces × members, a référent's pending
//! work first, one round in detail.

use super::bordereau::decision_label;
use super::gate::PieceCurrent;
use super::rules::{self, MemberVisaStatus, Proxy, RoundState};
use super::store::{self, RoundData};
use crate::calendar::french_date;
use crate::db::entities::{member, visa_round_piece};
use chrono::NaiveDate;
use serde::Serialize;

/// CSS class of a member's state.
#[must_use]
pub fn css(s: MemberVisaStatus) -> &'static str {
    match s {
        MemberVisaStatus::EnAttente => "visa-attente",
        MemberVisaStatus::Favorable => "visa-favorable",
        MemberVisaStatus::FavorableAvecReserves => "visa-reserves",
        MemberVisaStatus::Defavorable => "visa-defavorable",
        MemberVisaStatus::Tacite => "visa-tacite",
    }
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn download_url(gid: i32, cid: i32, kind: &str, n: i32) -> String {
    format!("/g/{gid}/consultations/{cid}/pieces/{kind}/versions/{n}/docx")
}

/// One column of the matrix: a piece and its current version.
#[derive(Serialize)]
pub struct PieceCol {
    pub kind: String,
    pub code: String,
    pub number: i32,
    pub sha_short: String,
    pub download_url: String,
    /// The latest round is on the current version.
    pub in_round: bool,
    /// The latest round is on an older version (its visas do not count).
    pub stale: bool,
    pub round_id: Option<i32>,
    pub progress: String,
    pub status_label: String,
}

/// One cell of the matrix.
#[derive(Serialize)]
pub struct Cell {
    pub css: &'static str,
    pub label: String,
    pub title: String,
}

/// One row: a member.
#[derive(Serialize)]
pub struct MemberRow {
    pub name: String,
    pub mine: bool,
    pub cells: Vec<Cell>,
}

/// A version a référent still has to visa (for its member or under a proxy).
#[derive(Serialize)]
pub struct Pending {
    pub round_id: i32,
    pub code: String,
    pub number: i32,
    pub version_id: i32,
    pub sha256: String,
    pub download_url: String,
    pub member_id: i32,
    pub member_name: String,
    pub by_proxy: bool,
    pub due_on: String,
}

/// One line of the rounds list.
#[derive(Serialize)]
pub struct RoundLine {
    pub id: i32,
    pub requested_on: String,
    pub due_on: String,
    pub status_label: String,
    pub pieces: String,
}

/// The matrix page.
#[derive(Serialize)]
pub struct Matrix {
    pub cid: i32,
    pub reference: String,
    pub objet: String,
    pub open: bool,
    pub gate_ok: bool,
    pub gate_reason: String,
    pub pieces: Vec<PieceCol>,
    pub rows: Vec<MemberRow>,
    pub pending: Vec<Pending>,
    /// Pieces whose current version is in no round yet.
    pub submittable: Vec<PieceCol>,
    pub rounds: Vec<RoundLine>,
    pub tomorrow: String,
    pub tacit: String,
    pub is_referent: bool,
}

/// The members a référent of `me` answers for on `today`: itself, then its proxies.
#[must_use]
pub fn answerable(
    me: Option<i32>,
    proxies: &[Proxy],
    members: &[(i32, String)],
    today: NaiveDate,
) -> Vec<(i32, String, bool)> {
    let Some(me) = me else { return Vec::new() };
    members
        .iter()
        .filter(|(id, _)| rules::may_answer(&me.to_string(), &id.to_string(), proxies, today))
        .map(|(id, name)| (*id, name.clone(), *id != me))
        .collect()
}

pub struct MatrixInput<'a> {
    pub gid: i32,
    pub c: &'a crate::db::entities::consultation::Model,
    pub open: bool,
    pub gate: &'a Result<(), String>,
    pub pieces: &'a [PieceCurrent],
    pub rounds: &'a [RoundData],
    pub members: &'a [member::Model],
    pub me: Option<i32>,
    pub proxies: &'a [Proxy],
    pub today: NaiveDate,
    pub tacit: Option<u32>,
}

fn state_on_current(p: &PieceCurrent, today: NaiveDate) -> Option<(i32, RoundState)> {
    p.latest
        .as_ref()
        .filter(|(_, rp)| rp.piece_version_id == p.version_id)
        .map(|(r, rp)| (r.round.id, r.piece_state(rp, today)))
}

/// Builds the matrix page.
#[must_use]
pub fn matrix(i: &MatrixInput<'_>) -> Matrix {
    let gid = i.gid;
    let cid = i.c.id;
    let states: Vec<Option<(i32, RoundState)>> = i
        .pieces
        .iter()
        .map(|p| state_on_current(p, i.today))
        .collect();
    let cols: Vec<PieceCol> = i
        .pieces
        .iter()
        .zip(&states)
        .map(|(p, s)| PieceCol {
            kind: p.kind.as_str().to_owned(),
            code: crate::pieces::context::short_code(p.kind),
            number: p.number,
            sha_short: short(&p.sha256),
            download_url: download_url(gid, cid, p.kind.as_str(), p.number),
            in_round: s.is_some(),
            stale: s.is_none() && p.latest.is_some(),
            round_id: s.as_ref().map(|(r, _)| *r),
            progress: s.as_ref().map_or_else(String::new, |(_, s)| s.progress()),
            status_label: s.as_ref().map_or_else(
                || "aucun tour de visa sur cette version".to_owned(),
                |(_, s)| store::status_label(s.status).to_owned(),
            ),
        })
        .collect();
    let names: Vec<(i32, String)> = i.members.iter().map(|m| (m.id, m.name.clone())).collect();
    let mine = answerable(i.me, i.proxies, &names, i.today);
    let mut rows: Vec<MemberRow> = i
        .members
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            mine: i.me == Some(m.id),
            cells: states
                .iter()
                .map(|s| {
                    let st = s.as_ref().and_then(|(_, s)| {
                        s.per_member
                            .iter()
                            .find(|x| x.member_key == m.id.to_string())
                    });
                    st.map_or_else(
                        || Cell {
                            css: "visa-aucun",
                            label: "—".into(),
                            title: "pas de tour de visa sur la version actuelle".into(),
                        },
                        |x| Cell {
                            css: css(x.status),
                            label: decision_label(x.status).to_owned(),
                            title: x.comment.clone().unwrap_or_default(),
                        },
                    )
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|r| !r.mine);
    let mut pending = Vec::new();
    if i.open {
        for (p, s) in i.pieces.iter().zip(&states) {
            let Some((rid, s)) = s else { continue };
            let Some((r, _)) = &p.latest else { continue };
            for (mid, name, by_proxy) in &mine {
                let waiting = s.per_member.iter().any(|x| {
                    x.member_key == mid.to_string() && x.status == MemberVisaStatus::EnAttente
                });
                if waiting {
                    pending.push(Pending {
                        round_id: *rid,
                        code: crate::pieces::context::short_code(p.kind),
                        number: p.number,
                        version_id: p.version_id,
                        sha256: p.sha256.clone(),
                        download_url: download_url(gid, cid, p.kind.as_str(), p.number),
                        member_id: *mid,
                        member_name: name.clone(),
                        by_proxy: *by_proxy,
                        due_on: french_date(r.round.due_on),
                    });
                }
            }
        }
    }
    let submittable = cols
        .iter()
        .filter(|c| !c.in_round)
        .map(|c| PieceCol {
            kind: c.kind.clone(),
            code: c.code.clone(),
            number: c.number,
            sha_short: c.sha_short.clone(),
            download_url: c.download_url.clone(),
            in_round: false,
            stale: c.stale,
            round_id: None,
            progress: String::new(),
            status_label: c.status_label.clone(),
        })
        .collect();
    Matrix {
        cid,
        reference: i.c.reference.clone(),
        objet: i.c.objet.clone(),
        open: i.open,
        gate_ok: i.gate.is_ok(),
        gate_reason: i.gate.clone().err().unwrap_or_default(),
        pieces: cols,
        rows,
        pending,
        submittable,
        rounds: i
            .rounds
            .iter()
            .map(|r| round_line(r, i.pieces, i.today))
            .collect(),
        tomorrow: i.today.succ_opt().unwrap_or(i.today).to_string(),
        tacit: i.tacit.map_or_else(String::new, |n| n.to_string()),
        is_referent: i.me.is_some(),
    }
}

fn round_line(r: &RoundData, pieces: &[PieceCurrent], today: NaiveDate) -> RoundLine {
    let live = r
        .pieces
        .iter()
        .any(|rp| pieces.iter().any(|p| p.version_id == rp.piece_version_id));
    RoundLine {
        id: r.round.id,
        requested_on: french_date(r.round.requested_on),
        due_on: french_date(r.round.due_on),
        status_label: if live {
            store::status_label(r.status(today)).to_owned()
        } else {
            "remplacé : une nouvelle version a été générée".to_owned()
        },
        pieces: r
            .pieces
            .iter()
            .map(|p| format!("{} v{}", store::kind_code(&p.piece_kind), p.version_number))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A member's state in the round page.
#[derive(Serialize)]
pub struct MemberState {
    pub name: String,
    pub css: &'static str,
    pub label: &'static str,
    pub date: String,
    pub comment: String,
    pub by: String,
}

/// One version of the round page.
#[derive(Serialize)]
pub struct RoundPiece {
    pub kind: String,
    pub code: String,
    pub number: i32,
    pub version_id: i32,
    pub sha256: String,
    pub current: bool,
    pub download_url: String,
    pub bordereau_url: String,
    pub progress: String,
    pub status_label: String,
    pub members: Vec<MemberState>,
    /// Members the caller may answer for (empty when it may not answer).
    pub answer_for: Vec<AnswerFor>,
}

#[derive(Serialize)]
pub struct AnswerFor {
    pub member_id: i32,
    pub member_name: String,
    pub by_proxy: bool,
}

/// The round page.
#[derive(Serialize)]
pub struct RoundPage {
    pub cid: i32,
    pub rid: i32,
    pub reference: String,
    pub requested_on: String,
    pub due_on: String,
    pub tacit: String,
    pub status_label: String,
    pub pieces: Vec<RoundPiece>,
}

/// Builds the round page; `answer_for` lists whom the caller may answer for (empty if none).
#[must_use]
#[allow(clippy::too_many_arguments)]
pub fn round_page(
    gid: i32,
    c: &crate::db::entities::consultation::Model,
    r: &RoundData,
    current: &dyn Fn(&visa_round_piece::Model) -> bool,
    answer_for: &[(i32, String, bool)],
    open: bool,
    today: NaiveDate,
) -> RoundPage {
    let cid = c.id;
    let name_of = |key: &str| {
        r.members
            .iter()
            .find(|m| m.member_id.to_string() == key)
            .map_or_else(String::new, |m| m.member_name.clone())
    };
    RoundPage {
        cid,
        rid: r.round.id,
        reference: c.reference.clone(),
        requested_on: french_date(r.round.requested_on),
        due_on: french_date(r.round.due_on),
        tacit: rules::tacit_deadline(r.round.requested_on, r.tacit())
            .map_or_else(String::new, french_date),
        status_label: store::status_label(r.status(today)).to_owned(),
        pieces: r
            .pieces
            .iter()
            .map(|p| {
                let s = r.piece_state(p, today);
                let is_current = current(p);
                RoundPiece {
                    kind: p.piece_kind.clone(),
                    code: store::kind_code(&p.piece_kind),
                    number: p.version_number,
                    version_id: p.piece_version_id,
                    sha256: p.docx_sha256.clone(),
                    current: is_current,
                    download_url: download_url(gid, cid, &p.piece_kind, p.version_number),
                    bordereau_url: format!(
                        "/g/{gid}/consultations/{cid}/visas/rounds/{}/{}/bordereau.docx",
                        r.round.id, p.piece_kind
                    ),
                    progress: s.progress(),
                    status_label: store::status_label(s.status).to_owned(),
                    members: s
                        .per_member
                        .iter()
                        .map(|m| MemberState {
                            name: m.member_name.clone(),
                            css: css(m.status),
                            label: decision_label(m.status),
                            date: m.decided_on.map_or_else(String::new, french_date),
                            comment: m.comment.clone().unwrap_or_default(),
                            by: m
                                .answered_by
                                .as_deref()
                                .filter(|a| *a != m.member_key)
                                .map_or_else(String::new, &name_of),
                        })
                        .collect(),
                    answer_for: if is_current && open {
                        answer_for
                            .iter()
                            .filter(|(id, _, _)| r.members.iter().any(|m| m.member_id == *id))
                            .map(|(id, n, p)| AnswerFor {
                                member_id: *id,
                                member_name: n.clone(),
                                by_proxy: *p,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect(),
    }
}
