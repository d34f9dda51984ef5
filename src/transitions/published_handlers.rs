//! The « Consultation publiée » page (coordonnateur): the candidates known and the register of
//! withdrawals, the formal extension of the deadline, the modifications of the DCE.

use crate::auth::{CurrentUser, Role};
use crate::consultations::handlers::cid_of;
use crate::consultations::{candidates, deadline};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/publiee",
            COORD,
            get(show),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/retraits",
            COORD,
            post(add_retrait),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/retraits/import",
            COORD,
            post(import_retraits),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/questions",
            COORD,
            post(ask),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/questions/{qid}/reponse",
            COORD,
            post(answer_question),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/modification-dce",
            COORD,
            post(open),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/modification-dce/publier",
            COORD,
            post(publish),
        ),
    ]
}

#[derive(Serialize)]
struct ModificationView {
    number: i32,
    motif: String,
    opened: String,
    deadline: String,
    published: String,
    pieces: String,
}

#[derive(Serialize)]
struct QuestionView {
    id: i32,
    number: i32,
    asked_by: String,
    asked_on: String,
    text: String,
    answer: Option<String>,
    answered: String,
}

#[derive(Serialize)]
struct View {
    questions: Vec<QuestionView>,
    answers_until: String,
    id: i32,
    reference: String,
    published: bool,
    deadline: String,
    open: bool,
    recipients: Vec<(String, String)>,
    retraits: Vec<(String, String, String)>,
    modifications: Vec<ModificationView>,
    today: String,
}

fn paris(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::calendar::french_datetime(&t.with_timezone(&chrono_tz::Europe::Paris))
}

fn wall_clock(s: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").map_or_else(
        |_| s.to_owned(),
        |d| {
            crate::calendar::french_datetime(&crate::calendar::paris_datetime(
                d.date(),
                chrono::Timelike::hour(&d),
                chrono::Timelike::minute(&d),
            ))
        },
    )
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    (gid, cid): (i32, i32),
    errors: Vec<String>,
) -> AppResult<Response> {
    let c = crate::consultations::service::get(&st.db, gid, cid).await?;
    let modifications = super::modification::list(&st.db, cid)
        .await?
        .into_iter()
        .map(|m| ModificationView {
            number: m.number,
            motif: m.motif,
            opened: paris(m.opened_at),
            deadline: wall_clock(&m.new_deadline),
            published: m
                .published_at
                .map_or_else(|| "en cours (visas)".to_owned(), paris),
            pieces: m.pieces.unwrap_or_default(),
        })
        .collect();
    let today = st.clock.today_paris();
    let answers_until = crate::consultations::service::detail(&st.db, gid, cid, today)
        .await?
        .calendar
        .and_then(Result::ok)
        .and_then(|c| c.answers_deadline)
        .map_or_else(|| "incalculable".to_owned(), crate::calendar::french_date);
    let questions = crate::consultations::questions::list(&st.db, cid)
        .await?
        .into_iter()
        .map(|q| QuestionView {
            id: q.id,
            number: q.number,
            asked_by: q.asked_by,
            asked_on: crate::calendar::french_date(q.asked_on),
            text: q.text,
            answered: q.answered_at.map_or_else(String::new, |t| {
                format!(
                    "envoyée le {} à {} candidat(s)",
                    paris(t),
                    q.announced_to.unwrap_or(0)
                )
            }),
            answer: q.answer,
        })
        .collect();
    let v = View {
        questions,
        answers_until,
        id: cid,
        reference: c.reference.clone(),
        published: c.status == crate::consultations::lifecycle::Status::Publiee.code(),
        deadline: deadline::deadline_label(&c),
        open: c.dce_modification_open,
        recipients: candidates::recipients(&st.db, cid).await?,
        retraits: candidates::retraits(&st.db, cid)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.name,
                    r.email,
                    crate::calendar::french_date(r.withdrawn_on),
                )
            })
            .collect(),
        modifications,
        today: st.clock.today_paris().to_string(),
    };
    let title = format!("Consultation publiée — {}", v.reference);
    crate::web::form_page::render(
        st,
        user,
        session,
        "consultations/published",
        title,
        v,
        errors,
    )
    .await
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    render(&st, &user, &session, (gid, cid_of(&cid)?), Vec::new()).await
}

/// Back to the page with a message, or the page again with the refusal (422 for a form error,
/// the error's own page otherwise).
async fn answer(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    ids: (i32, i32),
    r: Result<String, AppError>,
) -> AppResult<Response> {
    match r {
        Ok(msg) => {
            security::set_flash(session, msg).await?;
            Ok(
                Redirect::to(&format!("/g/{}/consultations/{}/publiee", ids.0, ids.1))
                    .into_response(),
            )
        }
        Err(e @ AppError::Validation(_)) => render(st, user, session, ids, e.messages()).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RetraitForm {
    name: String,
    email: String,
    withdrawn_on: String,
}

async fn add_retrait(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<RetraitForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = candidates::add_retrait(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &f.name,
        &f.email,
        &f.withdrawn_on,
    )
    .await
    .map(|r| format!("{} inscrit au registre des retraits.", r.name));
    answer(&st, &user, &session, (gid, cid), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OpenForm {
    motif: String,
    date_limite: String,
}

async fn open(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<OpenForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = super::modification::open(&st, &user.actor(), gid, cid, &f.motif, &f.date_limite)
        .await
        .map(|m| {
            format!(
                "Modification n° {} ouverte ; date limite reportée au {}, annoncée aux candidats. Générez les pièces modifiées, soumettez-les au visa des membres, puis publiez la modification.",
                m.number,
                wall_clock(&m.new_deadline)
            )
        });
    answer(&st, &user, &session, (gid, cid), r).await
}

async fn publish(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = super::modification::publish(&st, &user.actor(), gid, cid)
        .await
        .map(|n| format!("Modification du DCE publiée et annoncée à {n} candidat(s)."));
    answer(&st, &user, &session, (gid, cid), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QuestionForm {
    asked_by: String,
    text: String,
}

async fn ask(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<QuestionForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let r = crate::consultations::questions::ask(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &f.asked_by,
        &f.text,
    )
    .await
    .map(|q| format!("Question n° {} enregistrée.", q.number));
    answer(&st, &user, &session, (gid, cid), r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answer_question(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid, qid)): Path<(i32, String, String)>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let qid = cid_of(&qid)?;
    let r = crate::consultations::questions::answer(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        qid,
        &f.answer,
    )
    .await
    .map(|n| format!("Réponse envoyée à {n} candidat(s), sans nommer l'auteur de la question."));
    answer(&st, &user, &session, (gid, cid), r).await
}

async fn import_retraits(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let (name, bytes) = crate::web::upload::file_part(
        form,
        "fichier",
        "Le formulaire d'envoi est incomplet ou trop volumineux : déposez le registre des retraits (.csv ou .xlsx).",
    )
    .await?;
    let r = candidates::import_retraits(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &name,
        &bytes,
    )
    .await
    .map(|n| match n {
        0 => "Aucun nouveau retrait : chaque adresse du fichier est déjà inscrite.".to_owned(),
        n => format!("{n} retrait(s) inscrit(s) au registre."),
    });
    answer(&st, &user, &session, (gid, cid), r).await
}
