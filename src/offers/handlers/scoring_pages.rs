//! Scoring sheet, progress, reopening, consensus and ranking pages.

use super::{back, base, fields, id_of};
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::offers::evaluation::{self, NoteEntry};
use crate::offers::{access, analysis, decisions, views_scoring};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

pub async fn notation(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    access::ensure_may_see_offers(&user)?;
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    access::ensure_opened(&s.c, st.clock.now())?;
    let grid = evaluation::grid(&st.db, cid).await;
    let view = views_scoring::notation(
        &s,
        &user,
        grid.as_ref().map_err(crate::error::AppError::message),
        user.role == Role::Coordonnateur,
    );
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "offers/notation",
        &Page::new(
            format!("Notation — {}", s.c.reference),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}

/// Reads `note_<pli>_<criterion row>` / `just_<pli>_<criterion row>` fields into entries.
fn entries(
    fields: &[(String, String)],
    codes: &std::collections::HashMap<i32, String>,
) -> Vec<NoteEntry> {
    let mut out: Vec<NoteEntry> = Vec::new();
    for (k, v) in fields {
        let (is_note, rest) = if let Some(r) = k.strip_prefix("note_") {
            (true, r)
        } else if let Some(r) = k.strip_prefix("just_") {
            (false, r)
        } else {
            continue;
        };
        let Some((p, c)) = rest.split_once('_') else {
            continue;
        };
        let (Ok(p), Ok(c)) = (p.parse::<i32>(), c.parse::<i32>()) else {
            continue;
        };
        let code = codes
            .get(&c)
            .cloned()
            .unwrap_or_else(|| format!("critère n° {c}"));
        let at = match out
            .iter()
            .position(|e| e.pli_id == p && e.criterion == code)
        {
            Some(i) => i,
            None => {
                out.push(NoteEntry {
                    pli_id: p,
                    criterion: code,
                    ..NoteEntry::default()
                });
                out.len() - 1
            }
        };
        if is_note {
            out[at].note.clone_from(v);
        } else {
            out[at].justification.clone_from(v);
        }
    }
    out
}

pub async fn save_notes(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let codes = crate::offers::criteria::rows(&st.db, cid)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code))
        .collect();
    let list = entries(&fields(&body), &codes);
    let r = evaluation::save_notes(&st.db, st.clock.now(), &user, gid, cid, &list)
        .await
        .map(|n| format!("{n} note(s) enregistrée(s) sur votre feuille."));
    back(&session, format!("{}/notation", base(gid, cid)), r).await
}

pub async fn submit(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let r = evaluation::submit(&st.db, st.clock.now(), &user, gid, cid)
        .await
        .map(|()| "Feuille de notation remise : elle est désormais verrouillée.".to_owned());
    back(&session, format!("{}/notation", base(gid, cid)), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConflictForm {
    pli_id: String,
    reason: String,
}

/// A member of the CAO declares a conflict of interest with a bidder (déport).
pub async fn conflict(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<ConflictForm>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let pid = id_of(f.pli_id.trim())?;
    let r = crate::offers::conflicts::declare(&st.db, st.clock.now(), &user, gid, cid, pid, &f.reason)
        .await
        .map(|()| {
            "Conflit d'intérêts déclaré : vous êtes déporté de cette offre, votre feuille ne la note pas."
                .to_owned()
        });
    back(&session, format!("{}/notation", base(gid, cid)), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReopenForm {
    motif: String,
}

pub async fn reopen(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, uid)): Path<(i32, String, String)>,
    Form(f): Form<ReopenForm>,
) -> AppResult<Response> {
    access::ensure_president(&user)?;
    let (cid, uid) = (id_of(&cid)?, id_of(&uid)?);
    let r = decisions::reopen(&st.db, st.clock.now(), &user, gid, cid, uid, &f.motif)
        .await
        .map(|name| format!("Feuille de {name} rouverte."));
    back(&session, format!("{}/notation", base(gid, cid)), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConsensusForm {
    offre: String,
    critere: String,
    note: String,
    justification: String,
}

pub async fn consensus(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<ConsensusForm>,
) -> AppResult<Response> {
    access::ensure_president(&user)?;
    let cid = id_of(&cid)?;
    let pli_id = f.offre.trim().parse::<i32>().map_err(|_| {
        crate::error::AppError::field("offre", format!("offre « {} » inconnue", f.offre.trim()))
    })?;
    let entry = NoteEntry {
        pli_id,
        criterion: f.critere,
        note: f.note,
        justification: f.justification,
    };
    let r = decisions::set_consensus(&st.db, st.clock.now(), &user, gid, cid, &entry)
        .await
        .map(|()| "Note de consensus enregistrée.".to_owned());
    back(&session, format!("{}/classement", base(gid, cid)), r).await
}

pub async fn force(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let r = decisions::force_ranking(&st.db, st.clock.now(), &user.actor(), gid, cid)
        .await
        .map(|n| format!("Classement ouvert sur les {n} feuille(s) remise(s)."));
    back(&session, format!("{}/classement", base(gid, cid)), r).await
}

pub async fn ranking(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    analysis::ensure_ranking_visible(&s, &user, st.clock.now())?;
    let view = views_scoring::ranking(&s, &user);
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "offers/ranking",
        &Page::new(
            format!("Classement — {}", s.c.reference),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}
