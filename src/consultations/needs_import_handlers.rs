//! The needs import of the « Besoins des membres » page: the template to download (.xlsx or
//! .csv, pre-filled with the stored needs) and the filled file uploaded, applied through
//! [`super::service::set_needs`] like the grid (all or nothing, identical values unchanged and
//! not journaled). A thin adapter over [`super::needs_sheet`] and [`super::needs_import`].

use super::handlers::cid_of;
use super::needs_handlers::{COORD, render};
use super::needs_import::{self, Member, TemplateRow};
use super::{needs_sheet, service};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::security;
use crate::web::{RouteEntry, route};
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use tower_sessions::Session;

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The upload form was cut or over the size limit.
const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou trop volumineux : déposez le modèle des besoins complété (.xlsx ou .csv).";

/// Routes of the needs import.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/besoins/modele.xlsx",
            COORD,
            get(template_xlsx),
        ),
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/besoins/modele.csv",
            COORD,
            get(template_csv),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/besoins/import",
            COORD,
            post(import),
        ),
    ]
}

/// The members taking part (not withdrawn), in the registry's order: (id, name, FINESS).
async fn active_members(st: &AppState, gid: i32) -> AppResult<Vec<Member>> {
    Ok(crate::registry::service::members(&st.db, gid)
        .await?
        .into_iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .map(|m| (m.member.id, m.member.name, m.member.finess_juridique))
        .collect())
}

/// The template lines (one per lot and active member, stored needs filled in) and the
/// consultation's reference.
async fn template_rows(st: &AppState, gid: i32, cid: i32) -> AppResult<(String, Vec<TemplateRow>)> {
    let d = service::detail(&st.db, gid, cid, st.clock.today_paris()).await?;
    let members = active_members(st, gid).await?;
    let mut rows = Vec::new();
    for l in &d.lots {
        for (mid, name, finess) in &members {
            let stored = l.needs.iter().find(|(n, _)| n.member_id == *mid);
            let values = stored.map_or_else(Default::default, |(n, _)| {
                [
                    n.amount_ht.clone(),
                    n.options_ht.clone(),
                    n.renewals_ht.clone(),
                    n.quantity.clone().unwrap_or_default(),
                    n.unit.clone().unwrap_or_default(),
                ]
            });
            rows.push(TemplateRow {
                lot_number: l.lot.number,
                lot_label: l.lot.label.clone(),
                member: name.clone(),
                finess: finess.clone(),
                values,
            });
        }
    }
    Ok((d.c.reference, rows))
}

/// The download name: `besoins-REFERENCE.EXT` in plain ASCII.
fn file_name(reference: &str, ext: &str) -> String {
    let r: String = crate::file_names::safe_name(reference)
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    format!("besoins-{r}.{ext}")
}

fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

async fn template_xlsx(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let (reference, rows) = template_rows(&st, gid, cid).await?;
    let bytes = needs_sheet::template_xlsx(&reference, &rows)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("modèle des besoins : {e}")))?;
    Ok(download(XLSX_MIME, &file_name(&reference, "xlsx"), bytes))
}

async fn template_csv(
    State(st): State<AppState>,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let (reference, rows) = template_rows(&st, gid, cid).await?;
    let bytes = needs_sheet::template_csv(&rows);
    Ok(download(
        "text/csv; charset=utf-8",
        &file_name(&reference, "csv"),
        bytes,
    ))
}

/// Refusals in file order (the keys keep the order of the messages).
fn refused(messages: Vec<String>) -> AppError {
    let errs: FieldErrors = messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| (format!("fichier_{i:05}"), vec![m]))
        .collect();
    AppError::Validation(errs)
}

/// Reads, checks and applies an uploaded file; returns how many needs changed.
async fn apply(
    st: &AppState,
    user: &CurrentUser,
    (gid, cid): (i32, i32),
    name: &str,
    bytes: &[u8],
) -> AppResult<usize> {
    let d = service::detail(&st.db, gid, cid, st.clock.today_paris()).await?;
    if name.is_empty() && bytes.is_empty() {
        return Err(refused(vec![
            "Aucun fichier n'a été reçu : choisissez le modèle des besoins complété (.xlsx ou .csv).".to_owned(),
        ]));
    }
    let table = needs_sheet::read(name, bytes).map_err(|e| refused(vec![e]))?;
    let lots: Vec<(i32, i32)> = d.lots.iter().map(|l| (l.lot.id, l.lot.number)).collect();
    let members = active_members(st, gid).await?;
    let drafts = needs_import::parse(&table, &lots, &members).map_err(refused)?;
    service::set_needs(&st.db, st.clock.now(), &user.actor(), gid, cid, &drafts).await
}

async fn import(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    form: Multipart,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = match crate::web::upload::file_part(form, "fichier", UNREADABLE).await {
        Ok((name, bytes)) => apply(&st, &user, (gid, cid), &name, &bytes).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(n) => {
            let msg = match n {
                0 => "Fichier importé : aucun besoin n'a changé.".to_owned(),
                1 => "Fichier importé : 1 besoin enregistré.".to_owned(),
                n => format!("Fichier importé : {n} besoins enregistrés."),
            };
            security::set_flash(&session, msg).await?;
            Ok(Redirect::to(&format!("/g/{gid}/consultations/{cid}/besoins")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            render(&st, &user, &session, (gid, cid), None, Some(e)).await
        }
        Err(e) => Err(e),
    }
}
