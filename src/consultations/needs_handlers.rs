//! The « Besoins des membres » page: the needs of every active member for every lot in one grid,
//! saved at once (all or nothing, identical values unchanged); a thin adapter over
//! [`super::needs_grid`] and [`super::service::set_needs`]. The import from a spreadsheet is in
//! [`super::needs_import_handlers`].

use super::handlers::cid_of;
use super::needs_grid::{self, FIELDS};
use super::service;
use crate::auth::{CurrentUser, Role};
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

pub(super) const COORD: Access = Access::Roles(&[Role::Coordonnateur]);
const PATH: &str = "/g/{gid}/consultations/{cid}/besoins";

/// Routes of the needs grid.
pub fn routes() -> Vec<RouteEntry> {
    let mut all = vec![
        route(Method::GET, PATH, COORD, get(page)),
        route(Method::POST, PATH, COORD, post(save)),
    ];
    all.extend(super::needs_import_handlers::routes());
    all
}

#[derive(Serialize)]
struct Cell {
    name: String,
    label: String,
    value: String,
    numeric: bool,
}

#[derive(Serialize)]
struct Row {
    member: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct LotGrid {
    number: i32,
    label: String,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct View {
    cid: i32,
    reference: String,
    editable: bool,
    headers: Vec<&'static str>,
    lots: Vec<LotGrid>,
}

/// A stored decimal as the French form shows it (« 35000,5 »).
fn shown(v: &str) -> String {
    v.replace('.', ",")
}

/// Renders the page; after a refused save or import, with its errors (and status).
pub(super) async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    (gid, cid): (i32, i32),
    submitted: Option<&BTreeMap<String, String>>,
    error: Option<AppError>,
) -> AppResult<Response> {
    let today = st.clock.today_paris();
    let d = service::detail(&st.db, gid, cid, today).await?;
    let members = active_members(st, gid).await?;
    let mut lots = Vec::new();
    for l in &d.lots {
        let rows = members
            .iter()
            .map(|(mid, name)| {
                let stored = l
                    .needs
                    .iter()
                    .find(|(n, _)| n.member_id == *mid)
                    .map(|(n, _)| n);
                let cells = FIELDS
                    .iter()
                    .map(|(f, header)| {
                        let key = needs_grid::cell(l.lot.id, *mid, f);
                        let value = match submitted {
                            Some(form) => form.get(&key).cloned().unwrap_or_default(),
                            None => stored
                                .map(|n| match *f {
                                    "amount_ht" => shown(&n.amount_ht),
                                    "options_ht" => shown(&n.options_ht),
                                    "renewals_ht" => shown(&n.renewals_ht),
                                    "quantity" => {
                                        n.quantity.as_deref().map(shown).unwrap_or_default()
                                    }
                                    _ => n.unit.clone().unwrap_or_default(),
                                })
                                .unwrap_or_default(),
                        };
                        Cell {
                            name: key,
                            label: format!("{header} — lot {}, {name}", l.lot.number),
                            value,
                            numeric: *f != "unit",
                        }
                    })
                    .collect();
                Row {
                    member: name.clone(),
                    cells,
                }
            })
            .collect();
        lots.push(LotGrid {
            number: l.lot.number,
            label: l.lot.label.clone(),
            rows,
        });
    }
    let view = View {
        cid,
        reference: d.c.reference.clone(),
        editable: matches!(
            d.status,
            super::lifecycle::Status::Brouillon
                | super::lifecycle::Status::PiecesEnVisa
                | super::lifecycle::Status::PretePublier
        ),
        headers: FIELDS.iter().map(|(_, h)| *h).collect(),
        lots,
    };
    let (errors, status) = error.map_or((vec![], StatusCode::OK), |e| (e.messages(), e.status()));
    let csrf = security::csrf_token(session).await?;
    let flash = security::take_flash(session).await?;
    let page = Page::new(
        format!("Besoins des membres — {}", d.c.reference),
        Some(user),
        csrf,
        view,
    )
    .flash(flash)
    .errors(errors);
    Ok((status, st.templates.page("consultations/needs", &page)?).into_response())
}

/// The members taking part (not withdrawn), in the registry's order: (id, name).
async fn active_members(st: &AppState, gid: i32) -> AppResult<Vec<(i32, String)>> {
    Ok(crate::registry::service::members(&st.db, gid)
        .await?
        .into_iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .map(|m| (m.member.id, m.member.name))
        .collect())
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    render(&st, &user, &session, (gid, cid), None, None).await
}

async fn save(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let today = st.clock.today_paris();
    let d = service::detail(&st.db, gid, cid, today).await?;
    let lots: Vec<(i32, i32)> = d.lots.iter().map(|l| (l.lot.id, l.lot.number)).collect();
    let members = active_members(&st, gid).await?;
    let r = match needs_grid::parse(&form, &lots, &members) {
        Ok(drafts) => {
            service::set_needs(&st.db, st.clock.now(), &user.actor(), gid, cid, &drafts).await
        }
        Err(errs) => Err(AppError::Validation(errs)),
    };
    match r {
        Ok(n) => {
            let msg = match n {
                0 => "Aucun besoin n'a changé.".to_owned(),
                1 => "1 besoin enregistré.".to_owned(),
                n => format!("{n} besoins enregistrés."),
            };
            security::set_flash(&session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/besoins")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            render(&st, &user, &session, (gid, cid), Some(&form), Some(e)).await
        }
        Err(e) => Err(e),
    }
}
