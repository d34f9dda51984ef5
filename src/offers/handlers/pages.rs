//! Register and criteria pages.

use super::{back, base, fields, id_of};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::offers::admissibility::{self, CandidatureInput, ExamInput};
use crate::offers::oab::{self, OabInput, OabMethodInput};
use crate::offers::register::{self, PliInput};
use crate::offers::{access, analysis, criteria, criteria_form, views};
use crate::state::AppState;
use crate::web::cache::DataVersion;
use crate::web::render::Page;
use crate::web::security;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

pub async fn register(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Extension(version): Extension<DataVersion>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    access::ensure_may_see_offers(&user)?;
    let cid = id_of(&cid)?;
    let s = st
        .caches
        .offers
        .get_or_load((gid, cid), version, || analysis::load(&st.db, gid, cid))
        .await?;
    let view = views::register(&s, st.clock.now(), user.role == Role::Coordonnateur);
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "offers/register",
        &Page::new(
            format!("Offres — {}", s.c.reference),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}

pub async fn add_pli(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<PliInput>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let r = register::register(&st.db, st.clock.now(), &user.actor(), gid, cid, &f)
        .await
        .map(|p| {
            // No name in the message: the page may be shown before the deadline.
            if p.hors_delai {
                format!("Pli n° {} enregistré : reçu le {}, après la date limite, il est hors délai et ne sera pas ouvert.", p.id, register::paris_label(p.received_at))
            } else {
                format!("Pli n° {} enregistré (reçu le {}).", p.id, register::paris_label(p.received_at))
            }
        });
    back(&session, base(gid, cid), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PriceForm {
    price_ht: String,
}

pub async fn price(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<PriceForm>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r = register::set_price(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        pid,
        &f.price_ht,
    )
    .await
    .map(|a| {
        format!(
            "Prix enregistré : {} HT.",
            crate::consultations::rules::format_eur(a)
        )
    });
    back(&session, base(gid, cid), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RectificationForm {
    price_ht: String,
    reason: String,
}

/// « Rectification d'erreur matérielle » of an entered price (reason required).
pub async fn rectify(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<RectificationForm>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r = register::rectify_price(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        pid,
        &f.price_ht,
        &f.reason,
    )
    .await
    .map(|a| {
        format!(
            "Prix rectifié : {} HT. Le classement est rouvert et les membres de la CAO sont prévenus.",
            crate::consultations::rules::format_eur(a)
        )
    });
    back(&session, base(gid, cid), r).await
}

pub async fn candidature(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<CandidatureInput>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r =
        admissibility::set_candidature(&st.db, st.clock.now(), &user.actor(), gid, cid, pid, &f)
            .await
            .map(|l| format!("Candidature déclarée {l}."));
    back(&session, base(gid, cid), r).await
}

pub async fn examine(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<ExamInput>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r = admissibility::examine(&st.db, st.clock.now(), &user.actor(), gid, cid, pid, &f)
        .await
        .map(|l| format!("Offre déclarée {l}."));
    back(&session, base(gid, cid), r).await
}

pub async fn oab(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, pid)): Path<(i32, String, String)>,
    Form(f): Form<OabInput>,
) -> AppResult<Response> {
    let (cid, pid) = (id_of(&cid)?, id_of(&pid)?);
    let r = oab::oab_follow_up(&st.db, st.clock.now(), &user.actor(), gid, cid, pid, &f)
        .await
        .map(|()| "Suivi de l'offre anormalement basse enregistré.".to_owned());
    back(&session, base(gid, cid), r).await
}

pub async fn oab_method(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<OabMethodInput>,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let r = oab::set_oab_method(&st.db, st.clock.now(), &user.actor(), gid, cid, &f)
        .await
        .map(|m| {
            format!(
                "Méthode de détection retenue : {}.",
                crate::offers::oab::describe(&m)
            )
        });
    back(&session, base(gid, cid), r).await
}

pub async fn criteria(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    access::ensure_may_see_offers(&user)?;
    let cid = id_of(&cid)?;
    let s = analysis::load(&st.db, gid, cid).await?;
    let editable = user.role == Role::Coordonnateur
        && !access::is_opened(&s.c, st.clock.now())
        && s.notes.is_empty()
        && s.consensus.is_empty();
    let view = views::criteria_page(&s, st.clock.today_paris(), editable, None);
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "offers/criteria",
        &Page::new(
            format!("Critères — {}", s.c.reference),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}

/// The rows as typed, renumbered 1… in order (removed rows leave no gap), then empty rows.
/// Parents keep pointing at the same rows.
fn with_blank_rows(rows: Vec<criteria_form::Row>) -> Vec<criteria_form::Row> {
    let renumber: std::collections::HashMap<String, String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.n.to_string(), (i + 1).to_string()))
        .collect();
    let mut shown: Vec<criteria_form::Row> = rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.n = i + 1;
            if let Some(p) = renumber.get(&r.parent) {
                r.parent.clone_from(p);
            }
            r
        })
        .collect();
    let last = shown.len();
    shown.extend((1..=criteria_form::EXTRA_ROWS).map(|i| criteria_form::Row {
        n: last + i,
        ..Default::default()
    }));
    shown
}

pub async fn save_criteria(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let cid = id_of(&cid)?;
    let submitted = fields(&body);
    let rows = criteria_form::read_rows(&submitted);
    // « Ajouter des lignes »: the grid as typed, with empty rows under it; nothing is saved.
    if submitted
        .iter()
        .any(|(k, v)| k == "action" && v == "lignes")
    {
        let s = analysis::load(&st.db, gid, cid).await?;
        let view = views::criteria_page(
            &s,
            st.clock.today_paris(),
            true,
            Some(with_blank_rows(rows)),
        );
        let csrf = security::csrf_token(&session).await?;
        let page = Page::new(
            format!("Critères — {}", s.c.reference),
            Some(&user),
            csrf,
            view,
        );
        return Ok(st.templates.page("offers/criteria", &page)?.into_response());
    }
    let result = match criteria_form::build(&rows) {
        Ok(tree) => criteria::replace(&st.db, st.clock.now(), &user.actor(), gid, cid, &tree).await,
        Err(errs) => {
            let mut m = std::collections::BTreeMap::new();
            m.insert("criteres".to_owned(), errs);
            Err(AppError::Validation(m))
        }
    };
    match result {
        Ok(()) => {
            let s = analysis::load(&st.db, gid, cid).await?;
            let warn =
                views::env_warning(&s.tree, s.c.launch_date.unwrap_or(st.clock.today_paris()));
            let msg = if warn.is_empty() {
                "Grille des critères enregistrée.".to_owned()
            } else {
                format!("Grille des critères enregistrée. Attention avant la publication : {warn}")
            };
            back(&session, format!("{}/criteres", base(gid, cid)), Ok(msg)).await
        }
        Err(AppError::Validation(errs)) => {
            let s = analysis::load(&st.db, gid, cid).await?;
            let view = views::criteria_page(
                &s,
                st.clock.today_paris(),
                true,
                Some(with_blank_rows(rows)),
            );
            let csrf = security::csrf_token(&session).await?;
            let messages: Vec<String> = errs.values().flatten().cloned().collect();
            let page = Page::new(
                format!("Critères — {}", s.c.reference),
                Some(&user),
                csrf,
                view,
            )
            .errors(messages);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                st.templates.page("offers/criteria", &page)?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
