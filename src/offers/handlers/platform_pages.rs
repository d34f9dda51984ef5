//! The import of the buyer's platform's deposit register, in two steps (coordonnateur): the
//! file uploaded → the mapping page (detected headers, one list per field pre-set with the
//! proposed mapping, a preview of what would be imported) → confirmed → imported through
//! [`crate::offers::platform_import`].
//!
//! Between the two steps the file stays on the server, in the user's session (stored in
//! Coordo's own database, never sent back to the browser): the confirm form carries only the
//! file's SHA-256 and the chosen columns, and the import reads the bytes kept in the session
//! whose digest, groupement and consultation match. So the client never supplies the content
//! that is imported, the user does not have to choose the file twice, and a second upload
//! simply replaces the first. The file leaves the session once imported; it is small (a
//! register of deposits) and capped at [`MAX_BYTES`].

use super::{base, id_of};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::offers::platform_import::{self, Summary};
use crate::offers::platform_register::{self, FIELDS, Mapping, Outcome};
use crate::offers::register;
use crate::state::AppState;
use crate::table_file::{self, ReadError};
use crate::web::render::Page;
use crate::web::security;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::Session;

/// The largest register accepted (a register of deposits is a few kilobytes).
pub const MAX_BYTES: usize = 1024 * 1024;
const SESSION_KEY: &str = "offres_registre_plateforme";
/// Rows shown in the preview.
const PREVIEW: usize = 15;
const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou trop volumineux : déposez le registre des dépôts exporté de la plateforme (.csv ou .xlsx).";

/// The uploaded file kept in the session between the two steps.
#[derive(Serialize, Deserialize)]
struct Pending {
    gid: i32,
    cid: i32,
    name: String,
    sha256: String,
    hex: String,
}

#[derive(Serialize)]
struct Choice {
    index: usize,
    header: String,
    selected: bool,
}

#[derive(Serialize)]
struct FieldView {
    key: &'static str,
    label: &'static str,
    required: bool,
    none_selected: bool,
    choices: Vec<Choice>,
}

#[derive(Serialize)]
struct RowView {
    line: usize,
    bidder: String,
    siret: String,
    received: String,
    receipt: String,
    lot: String,
    status: String,
}

#[derive(Serialize)]
struct View {
    id: i32,
    reference: String,
    file_name: String,
    sha256: String,
    fields: Vec<FieldView>,
    rows: Vec<RowView>,
    more: usize,
    problems: Vec<String>,
    to_import: usize,
}

fn read_table(name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    table_file::read(name, bytes, None).map_err(|e| match e {
        ReadError::Empty => "Le fichier est vide : déposez le registre des dépôts exporté de la plateforme.".to_owned(),
        ReadError::WrongType => "Ce fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV (.csv) : exportez le registre des dépôts de la plateforme dans l'un de ces formats.".to_owned(),
        ReadError::Unreadable => "Ce classeur Excel (.xlsx) est illisible : enregistrez-le de nouveau au format .xlsx, ou exportez le registre en .csv.".to_owned(),
    })
}

async fn view(
    st: &AppState,
    (gid, cid): (i32, i32),
    p: &Pending,
    table: &[Vec<String>],
    m: &Mapping,
    outcome: &Outcome,
) -> AppResult<View> {
    let c = crate::consultations::service::get(&st.db, gid, cid).await?;
    let lots = register::lots(&st.db, cid).await?;
    let header = table.first().cloned().unwrap_or_default();
    let fields = FIELDS
        .iter()
        .enumerate()
        .map(|(f, field)| FieldView {
            key: field.key,
            label: field.label,
            required: field.required,
            none_selected: m.0[f].is_none(),
            choices: header
                .iter()
                .enumerate()
                .map(|(i, h)| Choice {
                    index: i,
                    header: if h.trim().is_empty() {
                        format!("colonne {} (sans en-tête)", i + 1)
                    } else {
                        h.trim().to_owned()
                    },
                    selected: m.0[f] == Some(i),
                })
                .collect(),
        })
        .collect();
    let deadline = crate::offers::access::deadline_utc(&c);
    let rows = outcome
        .rows
        .iter()
        .take(PREVIEW)
        .map(|r| RowView {
            line: r.line,
            bidder: r.draft.bidder_name.clone(),
            siret: r.draft.siret.clone(),
            received: register::paris_label(r.draft.received_at),
            receipt: r.draft.platform_receipt.clone().unwrap_or_default(),
            lot: r
                .draft
                .lot_id
                .and_then(|id| lots.iter().find(|l| l.id == id))
                .map(|l| format!("Lot {}", l.number))
                .unwrap_or_default(),
            status: match r.already {
                Some(id) => format!("déjà importé (pli n° {id}) : ignoré"),
                None if deadline.is_some_and(|d| r.draft.received_at > d) => {
                    "à importer — hors délai".to_owned()
                }
                None => "à importer".to_owned(),
            },
        })
        .collect();
    Ok(View {
        id: cid,
        reference: c.reference,
        file_name: p.name.clone(),
        sha256: p.sha256.clone(),
        fields,
        rows,
        more: outcome.rows.len().saturating_sub(PREVIEW),
        problems: outcome.errors.clone(),
        to_import: outcome.rows.iter().filter(|r| r.already.is_none()).count(),
    })
}

/// The mapping page, with `errors` (and their status) after a refused import.
#[allow(clippy::too_many_arguments)]
async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    ids: (i32, i32),
    p: &Pending,
    table: &[Vec<String>],
    m: &Mapping,
    errors: Vec<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let outcome = platform_import::check(&st.db, st.clock.now(), ids, table, m).await?;
    let mut v = view(st, ids, p, table, m, &outcome).await?;
    if !errors.is_empty() {
        // Already listed at the top of the page.
        v.problems.clear();
    }
    let csrf = security::csrf_token(session).await?;
    let page = Page::new(
        format!("Registre des dépôts de la plateforme — {}", v.reference),
        Some(user),
        csrf,
        v,
    )
    .errors(errors);
    Ok((status, st.templates.page("offers/platform_import", &page)?).into_response())
}

/// Step 1: the file uploaded, kept in the session, the mapping proposed.
pub async fn upload(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    form: Multipart,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let (name, bytes) = crate::web::upload::file_part(form, "fichier", UNREADABLE).await?;
    if name.is_empty() && bytes.is_empty() {
        return Err(platform_import::refused(vec![
            "Aucun fichier n'a été reçu : choisissez le registre des dépôts exporté de la plateforme (.csv ou .xlsx).".to_owned(),
        ]));
    }
    if bytes.len() > MAX_BYTES {
        return Err(platform_import::refused(vec![
            "Le registre des dépôts dépasse 1 Mo : exportez-le en .csv, ou seulement les dépôts de cette consultation.".to_owned(),
        ]));
    }
    let table = read_table(&name, &bytes).map_err(|e| platform_import::refused(vec![e]))?;
    let p = Pending {
        gid,
        cid,
        name: crate::web::upload::stored_name(&name),
        sha256: hex::encode(Sha256::digest(&bytes)),
        hex: hex::encode(&bytes),
    };
    let m = platform_register::propose(table.first().map_or(&[][..], Vec::as_slice));
    let r = render(
        &st,
        &user,
        &session,
        (gid, cid),
        &p,
        &table,
        &m,
        Vec::new(),
        StatusCode::OK,
    )
    .await?;
    session
        .insert(SESSION_KEY, &p)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session : {e}")))?;
    Ok(r)
}

/// The mapping chosen in the form: `map_<field>` = column index, empty = none.
fn chosen(f: &HashMap<String, String>) -> Mapping {
    let mut m = Mapping::default();
    for (i, field) in FIELDS.iter().enumerate() {
        m.0[i] = f
            .get(&format!("map_{}", field.key))
            .and_then(|v| v.trim().parse().ok());
    }
    m
}

fn done(s: Summary) -> String {
    let mut msg = match s.imported {
        0 => "Registre de la plateforme importé : aucun nouveau pli.".to_owned(),
        1 => "Registre de la plateforme importé : 1 pli enregistré.".to_owned(),
        n => format!("Registre de la plateforme importé : {n} plis enregistrés."),
    };
    if s.late > 0 {
        msg.push_str(&format!(
            " {} reçu(s) après la date limite : hors délai, ils ne seront pas ouverts.",
            s.late
        ));
    }
    if s.skipped > 0 {
        msg.push_str(&format!(
            " {} dépôt(s) déjà importé(s) à l'identique : ignoré(s).",
            s.skipped
        ));
    }
    msg
}

/// Step 2: the import of the file kept in the session, with the chosen mapping.
pub async fn confirm(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let pending: Option<Pending> = session
        .get(SESSION_KEY)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session : {e}")))?;
    let sha = f.get("sha256").map_or("", |s| s.trim());
    let Some(p) = pending.filter(|p| p.gid == gid && p.cid == cid && p.sha256 == sha) else {
        return Err(platform_import::refused(vec![
            "Le fichier à importer n'est plus disponible (session expirée ou autre fichier déposé depuis) : déposez de nouveau le registre des dépôts.".to_owned(),
        ]));
    };
    let bytes = hex::decode(&p.hex).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let table = read_table(&p.name, &bytes).map_err(|e| platform_import::refused(vec![e]))?;
    let m = chosen(&f);
    let r = platform_import::import(
        &st.db,
        st.clock.now(),
        &user.actor(),
        (gid, cid),
        (&p.name, &p.sha256),
        &table,
        &m,
    )
    .await;
    match r {
        Ok(s) => {
            let _: Option<Pending> = session
                .remove(SESSION_KEY)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session : {e}")))?;
            security::set_flash(&session, done(s)).await?;
            Ok(Redirect::to(&base(gid, cid)).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let messages = errs.into_values().flatten().collect();
            render(
                &st,
                &user,
                &session,
                (gid, cid),
                &p,
                &table,
                &m,
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
