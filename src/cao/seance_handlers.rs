//! Séance pages, documents and API: thin adapters over [`super::seances`] and
//! [`super::deliberations`].
//!
//! Who may do what (convention art. 5.4; decided here, enforced in the services):
//! - the coordonnateur's service marchés and the président of the CAO (the titulaire of the
//!   coordonnateur's seat, on their own account) manage a séance: create it with its agenda,
//!   record the convocation, the attendance, the votes and the observations, deliberate, declare
//!   the carence, convene again, close it;
//! - every CAO member declares their own conflicts of interest (the managers may record any
//!   voter's declaration, as the président asks each member in turn) and signs the
//!   procès-verbal for their own seat only;
//! - the AMOA, the référents and the lecteurs read the séances and download their documents.

use super::forms::{self, parse_choice};
use super::pv_store::{self, PvKind};
use super::store::{self, SeanceData};
use super::{deliberations, docs, seance_views, seances, views};
use crate::auth::{CurrentUser, Role};
use crate::db::entities::{cao_pv, lot, pli};
use crate::error::{ApiResult, AppError, AppResult};
use crate::state::AppState;
use crate::web::render::Page;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::{Method, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::Session;

/// Managers of a séance (the président is checked in the services).
const MANAGE: Access = Access::Roles(&[Role::Coordonnateur, Role::Cao]);
/// Who signs: CAO members, for their own seat.
const SIGN: Access = Access::Roles(&[Role::Cao]);

/// Routes of the séances.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/cao/seances",
            Access::AnyUser,
            get(index),
        ),
        route(Method::POST, "/g/{gid}/cao/seances", MANAGE, post(create)),
        route(
            Method::GET,
            "/g/{gid}/cao/seances/{sid}",
            Access::AnyUser,
            get(show),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/convocation",
            MANAGE,
            post(convocation),
        ),
        route(
            Method::GET,
            "/g/{gid}/cao/seances/{sid}/convocations.zip",
            Access::AnyUser,
            get(convocations_zip),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/attendance",
            MANAGE,
            post(attendance),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/carence",
            MANAGE,
            post(carence),
        ),
        route(
            Method::GET,
            "/g/{gid}/cao/seances/{sid}/pv-carence.docx",
            Access::AnyUser,
            get(pv_carence_docx),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/second-convocation",
            MANAGE,
            post(second_convocation),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/declarations",
            MANAGE,
            post(declare),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/votes",
            MANAGE,
            post(vote),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/deliberations",
            MANAGE,
            post(deliberate),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/observations",
            MANAGE,
            post(observe),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/close",
            MANAGE,
            post(close),
        ),
        route(
            Method::GET,
            "/g/{gid}/cao/seances/{sid}/pv.docx",
            Access::AnyUser,
            get(pv_docx),
        ),
        route(
            Method::POST,
            "/g/{gid}/cao/seances/{sid}/signoffs",
            SIGN,
            post(sign),
        ),
        route(
            Method::GET,
            "/api/v1/groupements/{gid}/cao/seances/{sid}",
            Access::AnyUser,
            get(api_show),
        ),
    ]
}

type Fields = HashMap<String, String>;

fn id(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn field<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.get(k).map_or("", |v| v.trim())
}

fn item_id(f: &Fields) -> Result<i32, AppError> {
    let v = field(f, "item_id");
    v.parse().map_err(|_| {
        AppError::field(
            "item_id",
            format!("le point de l'ordre du jour « {v} » est invalide"),
        )
    })
}

fn person(f: &Fields) -> Option<&str> {
    Some(field(f, "person")).filter(|p| !p.is_empty())
}

fn required_person(f: &Fields) -> Result<&str, AppError> {
    person(f).ok_or_else(|| AppError::field("person", "choisissez la personne"))
}

/// Refuses early (before reading the form) a caller who does not manage the séance: the
/// coordonnateur, or the président of the CAO at the séance's date (`sid`) or today.
async fn guard(
    st: &AppState,
    user: &CurrentUser,
    gid: i32,
    sid: Option<i32>,
) -> Result<(), AppError> {
    if user.role == Role::Coordonnateur {
        return Ok(());
    }
    let cao = store::stored_cao(&st.db, gid).await?;
    let date = match sid {
        Some(sid) => store::starts_at(&store::seance_row(&st.db, gid, sid).await?)
            .map_or_else(|| st.clock.today_paris(), |d| d.date()),
        None => st.clock.today_paris(),
    };
    if super::model::may_manage(user, &cao, date) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "la conduite de la séance est réservée au coordonnateur et au président de la CAO"
                .into(),
        ))
    }
}

async fn back(session: &Session, gid: i32, sid: i32, msg: String) -> AppResult<Response> {
    security::set_flash(session, msg).await?;
    Ok(Redirect::to(&format!("/g/{gid}/cao/seances/{sid}")).into_response())
}

/// A consultation or lot offered for the agenda.
#[derive(Serialize)]
struct Target {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct IndexView {
    seances: Vec<views::SeanceLine>,
    targets: Vec<Target>,
    rows: Vec<usize>,
    today: String,
}

async fn index(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
) -> AppResult<Html<String>> {
    let seances = store::seances(&st.db, gid).await?;
    let cs = crate::consultations::service::list(&st.db, gid).await?;
    let lots = lot::Entity::find()
        .filter(lot::Column::ConsultationId.is_in(cs.iter().map(|c| c.id)))
        .order_by_asc(lot::Column::Number)
        .all(&st.db)
        .await?;
    // How many plis each lot received (the count is public, the senders are not while sealed):
    // the bidders of each point come from this register, never from the form.
    let plis = pli::Entity::find()
        .filter(pli::Column::ConsultationId.is_in(cs.iter().map(|c| c.id)))
        .all(&st.db)
        .await?;
    let count = |keep: &dyn Fn(&pli::Model) -> bool| match plis.iter().filter(|p| keep(p)).count() {
        0 => "aucun pli enregistré".to_owned(),
        1 => "1 pli enregistré".to_owned(),
        n => format!("{n} plis enregistrés"),
    };
    let mut targets = Vec::new();
    for c in &cs {
        let own: Vec<&lot::Model> = lots.iter().filter(|l| l.consultation_id == c.id).collect();
        let whole = if own.len() > 1 {
            format!("{} lots, un point par lot", own.len())
        } else {
            count(&|p| p.consultation_id == c.id)
        };
        targets.push(Target {
            value: format!("C{}", c.id),
            label: format!("{} — {} ({whole})", c.reference, c.objet),
        });
        for l in own {
            targets.push(Target {
                value: format!("L{}", l.id),
                label: format!(
                    "{} — lot {} : {} ({})",
                    c.reference,
                    l.number,
                    l.label,
                    count(&|p| p.lot_id == Some(l.id))
                ),
            });
        }
    }
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    let body = IndexView {
        seances: seances.iter().map(views::seance_line).collect(),
        targets,
        rows: (1..=3).collect(),
        today: st.clock.today_paris().to_string(),
    };
    st.templates.page(
        "cao/seances",
        &Page::new("Séances de la CAO", Some(&user), csrf, body).flash(flash),
    )
}

async fn create(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path(gid): Path<i32>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    guard(&st, &user, gid, None).await?;
    let d = forms::validate_seance(&f).map_err(AppError::Validation)?;
    let s = seances::create(&st.db, st.clock.now(), &user, gid, &d).await?;
    back(
        &session,
        gid,
        s.id,
        format!("Séance n° {} créée.", s.number),
    )
    .await
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Html<String>> {
    let d = store::seance(&st.db, gid, id(&sid)?).await?;
    let view = with_pv(&st, seance_views::seance(&d, &user, st.clock.now())).await?;
    let csrf = security::csrf_token(&session).await?;
    let flash = security::take_flash(&session).await?;
    st.templates.page(
        "cao/seance",
        &Page::new(
            format!("Séance n° {} de la CAO", d.seance.number),
            Some(&user),
            csrf,
            view,
        )
        .flash(flash),
    )
}

async fn convocation(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let v = field(&f, "sent_on");
    let sent = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
        AppError::field(
            "sent_on",
            format!("la date d'envoi « {v} » n'est pas une date (AAAA-MM-JJ)"),
        )
    })?;
    let w = seances::record_convocation(&st.db, st.clock.now(), &user, gid, sid, sent).await?;
    let msg = match w {
        Some(w) => format!("Convocation enregistrée. Attention : {w}"),
        None => "Convocation enregistrée : le délai de convocation est respecté.".to_owned(),
    };
    back(&session, gid, sid, msg).await
}

fn docx(bytes: Vec<u8>, name: &str) -> Response {
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

async fn load(
    st: &AppState,
    gid: i32,
    sid: &str,
) -> Result<(SeanceData, docs::Letterhead), AppError> {
    let d = store::seance(&st.db, gid, id(sid)?).await?;
    let lh = docs::letterhead(&st.db, gid).await?;
    Ok((d, lh))
}

/// One DOCX per person convened (each with its own page numbering), in one ZIP.
async fn convocations_zip(
    State(st): State<AppState>,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let (d, lh) = load(&st, gid, &sid).await?;
    let bytes = super::convocations::zip(&d, &lh, st.clock.today_paris(), st.clock.now())?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"convocations-cao-{}.zip\"",
                    d.seance.number
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn pv_carence_docx(
    State(st): State<AppState>,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let (d, lh) = load(&st, gid, &sid).await?;
    if let Some(row) = pv_store::stored(&st.db, d.seance.id, PvKind::Carence).await? {
        return stored_docx(&row);
    }
    // A carence declared before the PVs were kept: rendered as it stands.
    let bytes = docs::pv_carence_docx(&d, &lh, st.clock.now())?;
    Ok(docx(bytes, &PvKind::Carence.file_name(&d.seance.number)))
}

/// The PV as established (the stored bytes, their SHA-256 checked).
fn stored_docx(row: &cao_pv::Model) -> AppResult<Response> {
    let bytes = pv_store::checked(row).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(docx(bytes.to_vec(), &row.file_name))
}

/// Whether the PV of a séance may be read by a caller who does not see the offers (référent,
/// lecteur): it names the bidders, the ranking and the amounts, so only once every
/// consultation on its agenda has its attribution decided — the members then validate the
/// choice in writing (convention art. 6.2) and may read what it rests on.
fn pv_readable_by_members(d: &crate::cao::store::SeanceData) -> bool {
    use crate::consultations::lifecycle::Status;
    d.items.iter().all(|i| {
        Status::from_code(&i.consultation.status).is_ok_and(|s| {
            !matches!(
                s,
                Status::Brouillon
                    | Status::PiecesEnVisa
                    | Status::PretePublier
                    | Status::Publiee
                    | Status::RemiseClose
                    | Status::Analyse
            )
        })
    })
}

async fn pv_docx(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let (d, lh) = load(&st, gid, &sid).await?;
    if !user.role.sees_offers() && !pv_readable_by_members(&d) {
        return Err(AppError::Forbidden(
            "Le procès-verbal de la CAO nomme les soumissionnaires, leurs prix et le classement : les référents et les lecteurs le lisent une fois l'attribution décidée.".into(),
        ));
    }
    if let Some(row) = pv_store::stored(&st.db, d.seance.id, PvKind::Pv).await? {
        return stored_docx(&row);
    }
    // Not closed yet (409 from the context), or closed before the PVs were kept (its items
    // predate the attribution points): rendered as it stands.
    let bytes = docs::pv_docx(&d, &lh, &docs::Awards::new(), st.clock.now())?;
    Ok(docx(bytes, &PvKind::Pv.file_name(&d.seance.number)))
}

async fn attendance(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let present = seances::present_from_form(&f);
    let q = seances::record_attendance(&st.db, st.clock.now(), &user, gid, sid, &present).await?;
    back(
        &session,
        gid,
        sid,
        format!("Présences enregistrées. {}", q.explanation_fr),
    )
    .await
}

async fn carence(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    seances::declare_carence(&st.db, st.clock.now(), &user, gid, sid).await?;
    back(
        &session,
        gid,
        sid,
        "Carence constatée : convoquez à nouveau la commission, qui siégera sans condition de quorum (CGCT L1411-5 II).".to_owned(),
    )
    .await
}

async fn second_convocation(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let when = forms::validate_when_where(&f).map_err(AppError::Validation)?;
    let s = seances::second_convocation(&st.db, st.clock.now(), &user, gid, sid, when).await?;
    back(
        &session,
        gid,
        s.id,
        format!(
            "Séance n° {} créée sur seconde convocation : elle siégera sans condition de quorum.",
            s.number
        ),
    )
    .await
}

async fn declare(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    let item = item_id(&f)?;
    let conflict = match field(&f, "conflict") {
        "oui" => true,
        "non" => false,
        other => {
            return Err(AppError::field(
                "conflict",
                format!("« {other} » : indiquez oui (conflit d'intérêts) ou non"),
            ));
        }
    };
    let note = Some(field(&f, "note").to_owned()).filter(|n| !n.is_empty());
    deliberations::declare(
        &st.db,
        st.clock.now(),
        &user,
        gid,
        sid,
        item,
        person(&f),
        conflict,
        note,
    )
    .await?;
    back(&session, gid, sid, "Déclaration enregistrée.".to_owned()).await
}

async fn vote(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let item = item_id(&f)?;
    let p = required_person(&f)?;
    let choice = parse_choice(field(&f, "choice")).map_err(|e| AppError::field("choice", e))?;
    deliberations::vote(&st.db, st.clock.now(), &user, gid, sid, item, p, choice).await?;
    back(&session, gid, sid, "Vote enregistré.".to_owned()).await
}

async fn deliberate(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let item = item_id(&f)?;
    let o = deliberations::deliberate_item(&st.db, st.clock.now(), &user, gid, sid, item).await?;
    back(&session, gid, sid, o.explanation_fr).await
}

async fn observe(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    let p = required_person(&f)?;
    deliberations::observe(
        &st.db,
        st.clock.now(),
        &user,
        gid,
        sid,
        p,
        field(&f, "text"),
    )
    .await?;
    back(
        &session,
        gid,
        sid,
        "Observation portée au procès-verbal.".to_owned(),
    )
    .await
}

async fn close(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    guard(&st, &user, gid, Some(sid)).await?;
    deliberations::close(
        &st.db,
        st.clock.now(),
        &user,
        gid,
        sid,
        st.cao_rankings.as_ref(),
    )
    .await?;
    back(
        &session,
        gid,
        sid,
        "Séance close : le procès-verbal peut être téléchargé et signé par les membres présents."
            .to_owned(),
    )
    .await
}

async fn sign(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, sid)): Path<(i32, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let sid = id(&sid)?;
    let name = deliberations::sign(&st.db, st.clock.now(), &user, gid, sid, person(&f)).await?;
    back(
        &session,
        gid,
        sid,
        format!("Procès-verbal signé par {name}."),
    )
    .await
}

async fn api_show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    Path((gid, sid)): Path<(i32, String)>,
) -> ApiResult<Json<seance_views::SeanceView>> {
    let d = store::seance(&st.db, gid, id(&sid)?).await?;
    let view = seance_views::seance(&d, &user, st.clock.now());
    Ok(Json(with_pv(&st, view).await?))
}

/// The view with the SHA-256 of the PV established for the séance, if any.
async fn with_pv(
    st: &AppState,
    mut view: seance_views::SeanceView,
) -> Result<seance_views::SeanceView, AppError> {
    for kind in [PvKind::Pv, PvKind::Carence] {
        if let Some(row) = pv_store::stored(&st.db, view.id, kind).await? {
            view.pv_sha256 = row.sha256;
        }
    }
    Ok(view)
}
