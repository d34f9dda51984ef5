//! The « Technique d'achat » page of a consultation: every role reads it; the coordonnateur
//! chooses the technique (a draft only) and imports the SAD's admitted candidates.

use super::service;
use crate::auth::{CurrentUser, Role};
use crate::consultations::rules::technique::Technique;
use crate::consultations::rules::technique_choice::{self, Execution, TechniqueForm};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{Access, RouteEntry, route, security};
use axum::extract::{Multipart, Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::Serialize;
use std::sync::Arc;
use tower_sessions::Session;

const COORD: Access = Access::Roles(&[Role::Coordonnateur]);

pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(
            Method::GET,
            "/g/{gid}/consultations/{cid}/technique",
            Access::AnyUser,
            get(show),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/technique",
            COORD,
            post(save),
        ),
        route(
            Method::POST,
            "/g/{gid}/consultations/{cid}/technique/admis",
            COORD,
            post(import),
        ),
    ]
}

#[derive(Serialize)]
struct Opt {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Serialize)]
struct AdmittedView {
    name: String,
    siret: String,
    email: String,
    invited: String,
}

#[derive(Serialize)]
struct View {
    id: i32,
    reference: String,
    editable: bool,
    techniques: Vec<Opt>,
    executions: Vec<Opt>,
    mono: bool,
    multi: bool,
    accord_cadre: bool,
    sad: bool,
    sad_reference: String,
    justification: String,
    label: String,
    admitted: Vec<AdmittedView>,
    maximum: String,
    members: Vec<(String, String)>,
}

fn cid_of(s: &str) -> Result<i32, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

async fn view(st: &AppState, gid: i32, cid: i32, form: Option<&TechniqueForm>) -> AppResult<View> {
    let today = st.clock.today_paris();
    let d = crate::consultations::service::detail(&st.db, gid, cid, today).await?;
    let stored = d.c.technique_choice();
    let f = form.cloned().unwrap_or_else(|| TechniqueForm {
        technique: stored.technique.code().to_owned(),
        execution: stored
            .execution
            .map(|e| e.code().to_owned())
            .unwrap_or_default(),
        attributaires: stored
            .attributaires
            .map(|a| a.code().to_owned())
            .unwrap_or_default(),
        sad_reference: stored.sad_reference.clone().unwrap_or_default(),
        justification: stored.justification.clone().unwrap_or_default(),
    });
    let techniques = [Technique::Aucune, Technique::AccordCadre, Technique::Sad]
        .into_iter()
        .map(|t| Opt {
            code: t.code(),
            label: t.label(),
            selected: t.code() == f.technique.trim(),
        })
        .collect();
    let executions = Execution::ALL
        .into_iter()
        .map(|e| Opt {
            code: e.code(),
            label: e.label(),
            selected: e.code() == f.execution.trim(),
        })
        .collect();
    let mut members: Vec<(String, String)> = Vec::new();
    for l in &d.lots {
        for (n, m) in &l.needs {
            let total = crate::consultations::service::need_total(n)?;
            members.push((
                format!("Lot {} – {}", l.lot.number, m),
                crate::consultations::rules::format_eur(total),
            ));
        }
    }
    let admitted = service::admitted(&st.db, cid)
        .await?
        .into_iter()
        .map(|a| AdmittedView {
            name: a.name,
            siret: a.siret,
            email: a.email,
            invited: a
                .invited_on
                .map_or_else(|| "pas encore".to_owned(), crate::calendar::french_date),
        })
        .collect();
    Ok(View {
        id: cid,
        reference: d.c.reference.clone(),
        editable: d.c.status == crate::consultations::lifecycle::Status::Brouillon.code(),
        techniques,
        executions,
        mono: f.attributaires.trim() == "mono",
        multi: f.attributaires.trim() == "multi",
        accord_cadre: stored.technique == Technique::AccordCadre,
        sad: stored.technique == Technique::Sad,
        sad_reference: f.sad_reference,
        justification: f.justification,
        label: stored.technique.label().to_owned(),
        admitted,
        maximum: crate::consultations::rules::format_eur(d.total_ht),
        members,
    })
}

async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    (gid, cid): (i32, i32),
    form: Option<&TechniqueForm>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let v = view(st, gid, cid, form).await?;
    let title = format!("Technique d'achat — {}", v.reference);
    crate::web::form_page::render(st, user, session, "techniques/page", title, v, errors).await
}

async fn show(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
) -> AppResult<Response> {
    render(&st, &user, &session, (gid, cid_of(&cid)?), None, Vec::new()).await
}

fn back(gid: i32, cid: i32) -> Response {
    Redirect::to(&format!("/g/{gid}/consultations/{cid}/technique")).into_response()
}

async fn save(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    Form(f): Form<TechniqueForm>,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let choice = match technique_choice::validate(&f) {
        Ok(c) => c,
        Err(errs) => {
            let msgs = AppError::Validation(errs).messages();
            return render(&st, &user, &session, (gid, cid), Some(&f), msgs).await;
        }
    };
    let changed = service::set(&st.db, st.clock.now(), &user.actor(), gid, cid, &choice).await?;
    let msg = if changed {
        format!(
            "Technique d'achat enregistrée : {}.",
            choice.technique.label()
        )
    } else {
        "Technique d'achat inchangée : rien n'a été modifié.".to_owned()
    };
    security::set_flash(&session, msg).await?;
    Ok(back(gid, cid))
}

const UNREADABLE: &str = "Le formulaire d'envoi est incomplet ou trop volumineux : déposez la liste des candidats admis (.csv ou .xlsx).";

async fn import(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, cid)): Path<(i32, String)>,
    form: Multipart,
) -> AppResult<Response> {
    let cid = cid_of(&cid)?;
    let (name, bytes) = crate::web::upload::file_part(form, "fichier", UNREADABLE).await?;
    match service::import_admitted(
        &st.db,
        st.clock.now(),
        &user.actor(),
        gid,
        cid,
        &name,
        &bytes,
    )
    .await
    {
        Ok(r) => {
            let msg = if r.changed {
                format!(
                    "{} candidat(s) admis enregistré(s) : chacun recevra l'invitation à soumissionner à la publication.",
                    r.count
                )
            } else {
                format!(
                    "Liste identique à celle déjà enregistrée ({} candidat(s)) : rien n'a été modifié.",
                    r.count
                )
            };
            security::set_flash(&session, msg).await?;
            Ok(back(gid, cid))
        }
        Err(e @ AppError::Validation(_)) => {
            render(&st, &user, &session, (gid, cid), None, e.messages()).await
        }
        Err(e) => Err(e),
    }
}
