//! Downloads: the rapport d'analyse (DOCX) and the scoring grid (CSV).

use super::id_of;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::offers::admissibility::{self, PliState};
use crate::offers::analysis::{self, LotCase, Snapshot};
use crate::offers::export::{self, Line};
use crate::offers::report;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LotQuery {
    lot: Option<i32>,
}

fn pick(cases: Vec<LotCase>, lot: Option<i32>) -> Result<LotCase, AppError> {
    let mut cases = cases;
    match lot {
        None if !cases.is_empty() => Ok(cases.remove(0)),
        None => Err(AppError::NotFound),
        Some(id) => cases
            .into_iter()
            .find(|c| c.lot.as_ref().is_some_and(|l| l.id == id))
            .ok_or(AppError::NotFound),
    }
}

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub async fn report(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
    Query(q): Query<LotQuery>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    let now = st.clock.now();
    analysis::ensure_ranking_visible(&s, &user, now)?;
    let lc = pick(analysis::cases(&s), q.lot)?;
    let (name, bytes) = report::lot_docx(&st.db, &s, &lc, now).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The procès-verbal d'ouverture des plis (coordonnateur).
pub async fn opening(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let (name, bytes) =
        crate::offers::opening::docx(&st.db, &st.engine, gid, cid, st.clock.now()).await?;
    Ok(docx_response(&name, bytes))
}

fn docx_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn csv_lines(s: &Snapshot, cols: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for lc in analysis::cases(s) {
        let result = crate::scoring::score(&lc.case).ok();
        let mut offers: Vec<&crate::scoring::Offer> = lc.case.offers.iter().collect();
        let rank = |o: &str| {
            result
                .as_ref()
                .and_then(|r| r.ranking.iter().position(|x| x.offer == o))
                .unwrap_or(usize::MAX)
        };
        offers.sort_by_key(|o| rank(&o.id));
        for o in offers {
            let p = lc.pli(s, &o.id);
            let status = p.map_or("", |p| match admissibility::state(p) {
                PliState::Decided(st) => st.label_fr(),
                _ => "à examiner",
            });
            out.push(export::line(
                &Line {
                    lot: &lc.label,
                    offer: &o.id,
                    siret: p.map_or("", |p| p.siret.as_str()),
                    received: p
                        .map(|p| {
                            p.received_at
                                .with_timezone(&chrono_tz::Europe::Paris)
                                .format("%d/%m/%Y %H:%M:%S")
                                .to_string()
                        })
                        .unwrap_or_default(),
                    status,
                    price: (!o.status.eq(&crate::scoring::OfferStatus::HorsDelai))
                        .then_some(o.price)
                        .filter(|p| !p.is_zero()),
                },
                cols,
                result.as_ref(),
            ));
        }
    }
    out
}

pub async fn csv(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    analysis::ensure_ranking_visible(&s, &user, st.clock.now())?;
    let cols = export::columns(&s.tree);
    let body = export::file(&export::header(&cols), &csv_lines(&s, &cols));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"grille-{}.csv\"",
                    safe(&s.c.reference)
                ),
            ),
        ],
        body,
    )
        .into_response())
}
