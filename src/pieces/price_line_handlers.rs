//! The « Lignes de prix » page: the BPU/DQE lines of every lot in one grid (designation, unit,
//! quantity of each member), saved at once; a thin adapter over `dossier::price_lines`.

use super::handlers::{cid_of, messages};
use crate::auth::{CurrentUser, Role};
use crate::dossier::{self, price_lines};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
/// Empty rows offered under each lot's lines.
const BLANK_ROWS: usize = 3;

/// Routes of the price lines page.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/lignes-de-prix",
            COORD,
            get(form),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/lignes-de-prix",
            COORD,
            post(save),
        ),
    ]
}

#[derive(Serialize)]
struct Cell {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct Row {
    i: usize,
    lot_id: i32,
    code: String,
    label: String,
    unit: String,
    quantities: Vec<Cell>,
}

#[derive(Serialize)]
struct LotView {
    number: i32,
    title: String,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct View {
    cid: i32,
    reference: String,
    editable: bool,
    members: Vec<String>,
    lots: Vec<LotView>,
}

type FormMap = BTreeMap<String, String>;

/// The form of the stored lines (`r{i}_…`, as `price_lines::from_form` reads it).
fn to_form(lines: &[price_lines::PriceLine], lot_ids: &[i32]) -> FormMap {
    let mut f = FormMap::new();
    let mut i = 0;
    for lot in lot_ids {
        for l in lines.iter().filter(|l| l.lot_id == *lot) {
            f.insert(format!("r{i}_lot"), lot.to_string());
            f.insert(format!("r{i}_code"), l.code.clone());
            f.insert(format!("r{i}_label"), l.label.clone());
            f.insert(format!("r{i}_unit"), l.unit.clone());
            for (m, q) in &l.quantities {
                f.insert(
                    format!("r{i}_q{m}"),
                    crate::docgen::format::decimal_fr(*q, None),
                );
            }
            i += 1;
        }
    }
    f
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    gid: i32,
    cid: i32,
    form: Option<FormMap>,
    error: Option<AppError>,
) -> AppResult<Response> {
    let (errors, status) = error.map_or((vec![], StatusCode::OK), |e| (messages(&e), e.status()));
    let d = dossier::load(&st.db, gid, cid, st.clock.today_paris()).await?;
    let lot_ids: Vec<i32> = d.detail.lots.iter().map(|l| l.lot.id).collect();
    let form = form.unwrap_or_else(|| to_form(&d.price_lines, &lot_ids));
    let members: Vec<(i32, String)> = d
        .members
        .iter()
        .map(|m| (m.member.id, m.member.name.clone()))
        .collect();
    let rows_of_form: Vec<usize> = {
        let mut v: Vec<usize> = form
            .keys()
            .filter_map(|k| k.strip_prefix('r')?.split_once('_')?.0.parse().ok())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let field = |i: usize, name: &str| {
        form.get(&format!("r{i}_{name}"))
            .cloned()
            .unwrap_or_default()
    };
    let mut next = rows_of_form.last().map_or(0, |l| l + 1);
    let mut lots = Vec::new();
    for l in &d.detail.lots {
        let mut rows: Vec<usize> = rows_of_form
            .iter()
            .copied()
            .filter(|i| field(*i, "lot") == l.lot.id.to_string())
            .collect();
        for _ in 0..BLANK_ROWS {
            rows.push(next);
            next += 1;
        }
        lots.push(LotView {
            number: l.lot.number,
            title: l.lot.label.clone(),
            rows: rows
                .into_iter()
                .map(|i| Row {
                    i,
                    lot_id: l.lot.id,
                    code: field(i, "code"),
                    label: field(i, "label"),
                    unit: field(i, "unit"),
                    quantities: members
                        .iter()
                        .map(|(m, _)| Cell {
                            key: format!("r{i}_q{m}"),
                            value: field(i, &format!("q{m}")),
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    let editable = super::service::ensure_generatable(&d.detail.c).is_ok();
    let view = View {
        cid,
        reference: d.detail.c.reference.clone(),
        editable,
        members: members.into_iter().map(|(_, n)| n).collect(),
        lots,
    };
    let csrf = security::csrf_token(session).await?;
    let page = Page::new(
        format!("Lignes de prix du BPU/DQE — {}", view.reference),
        Some(user),
        csrf,
        view,
    )
    .errors(errors);
    Ok((status, st.templates.page("pieces/price_lines", &page)?).into_response())
}

async fn form(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    render(&st, &user, &session, gid, cid, None, None).await
}

async fn save(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let form: FormMap = pairs
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let d = dossier::load(&st.db, gid, cid, st.clock.today_paris()).await?;
    let lots: Vec<price_lines::LotRef> = d
        .detail
        .lots
        .iter()
        .map(|l| price_lines::LotRef {
            id: l.lot.id,
            number: l.lot.number,
        })
        .collect();
    let members: Vec<i32> = d.members.iter().map(|m| m.member.id).collect();
    let r = match price_lines::from_form(&form, &lots, &members) {
        Ok(lines) => {
            price_lines::replace(&st.db, st.clock.now(), &user.actor(), gid, cid, &lines).await
        }
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match r {
        Ok(changed) => {
            let msg = if changed {
                "Lignes de prix enregistrées : régénérez le BPU pour les y voir."
            } else {
                "Lignes de prix inchangées."
            };
            security::set_flash(&session, msg).await?;
            Ok(
                Redirect::to(&format!("/g/{gid}/consultations/{cid}/lignes-de-prix"))
                    .into_response(),
            )
        }
        Err(e @ AppError::Validation(_)) => {
            render(&st, &user, &session, gid, cid, Some(form), Some(e)).await
        }
        Err(e) => Err(e),
    }
}
