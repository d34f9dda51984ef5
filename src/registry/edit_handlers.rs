//! The member page: its details, its data-quality findings in people's words and, for the
//! coordonnateur, the form that corrects them (a thin adapter over [`super::edit_rules`] and
//! [`super::edit_service`]).

use super::edit_rules::{self, MemberForm, MemberValues, establishment_input, member_kind_code};
use super::quality_words::{ESTABLISHMENT_KINDS, MEMBER_KINDS};
use super::{edit_service, service, views};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::security::{self, Access};
use crate::web::{RouteEntry, route};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use tower_sessions::Session;

const PATH: &str = "/g/{gid}/members/{mid}";

/// Routes of the member page.
pub fn routes() -> Vec<RouteEntry> {
    vec![
        route(Method::GET, PATH, Access::AnyUser, get(page)),
        route(
            Method::POST,
            PATH,
            Access::Roles(&[Role::Coordonnateur]),
            post(save),
        ),
    ]
}

/// One input of the form, with its label and its error.
#[derive(Serialize)]
struct Input {
    id: String,
    name: String,
    label: &'static str,
    value: String,
    /// `text`, `select`, `textarea` or `checkbox`.
    control: &'static str,
    options: Vec<Choice>,
    checked: bool,
    error: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The inputs of one establishment.
#[derive(Serialize)]
struct EstablishmentBox {
    id: i32,
    legend: String,
    inputs: Vec<Input>,
}

/// The edit form (the coordonnateur's only).
#[derive(Serialize)]
struct EditView {
    action: String,
    member: Vec<Input>,
    establishments: Vec<EstablishmentBox>,
}

#[derive(Serialize)]
struct MemberPageView {
    member: views::MemberView,
    findings: Vec<views::FindingView>,
    edit: Option<EditView>,
}

fn input(
    id: String,
    name: String,
    label: &'static str,
    value: &str,
    errors: &FieldErrors,
) -> Input {
    Input {
        error: errors.get(&name).map(|m| m.join(" ; ")).unwrap_or_default(),
        id,
        name,
        label,
        value: value.to_owned(),
        control: "text",
        options: Vec::new(),
        checked: false,
    }
}

/// A select of `known` (value, label) choices, plus « non renseigné » and the current value
/// when it is not one of them (kept as it was stored).
fn select(mut i: Input, known: Vec<(String, String)>) -> Input {
    let mut choices = vec![(String::new(), "(non renseigné)".to_owned())];
    choices.extend(known);
    if !choices.iter().any(|(v, _)| *v == i.value) {
        choices.push((i.value.clone(), format!("{} (inconnu)", i.value)));
    }
    i.options = choices
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == i.value,
            value,
            label,
        })
        .collect();
    i.control = "select";
    i
}

fn edit_view(gid: i32, mid: i32, form: &MemberForm, errors: &FieldErrors) -> EditView {
    let m = |name: &str, label, value: &str| {
        input(format!("m-{name}"), name.to_owned(), label, value, errors)
    };
    let member_kinds = MEMBER_KINDS
        .iter()
        .map(|k| (member_kind_code(k), k.label().to_owned()))
        .collect();
    let mut cao = m(
        "has_own_cao",
        "Le membre a sa propre commission d'appel d'offres",
        "on",
    );
    cao.control = "checkbox";
    cao.checked = form.has_own_cao;
    let member = vec![
        m("name", "Nom du membre", &form.name),
        select(m("kind", "Type de membre", &form.kind), member_kinds),
        m(
            "finess_juridique",
            "FINESS juridique (9 chiffres)",
            &form.finess_juridique,
        ),
        m("address", "Adresse", &form.address),
        m(
            "representative_name",
            "Représentant légal (nom)",
            &form.representative_name,
        ),
        m(
            "representative_title",
            "Qualité du représentant",
            &form.representative_title,
        ),
        cao,
    ];
    let establishments = form
        .establishments
        .iter()
        .map(|e| {
            let f = |field: &str, label, value: &str| {
                let key = establishment_input(e.id, field);
                input(key.clone(), key, label, value, errors)
            };
            let kinds = ESTABLISHMENT_KINDS
                .iter()
                .map(|k| (k.label().to_owned(), k.label().to_owned()))
                .collect();
            let mut siret = f("siret", "SIRET (un par ligne)", &e.siret);
            siret.control = "textarea";
            EstablishmentBox {
                id: e.id,
                legend: format!("Établissement « {} »", e.name),
                inputs: vec![
                    f("name", "Nom de l'établissement", &e.name),
                    select(f("kind", "Type d'établissement", &e.kind), kinds),
                    f("finess", "FINESS géographique (9 chiffres)", &e.finess),
                    f("capacity", "Capacité autorisée (places)", &e.capacity),
                    siret,
                ],
            }
        })
        .collect();
    EditView {
        action: format!("/g/{gid}/members/{mid}"),
        member,
        establishments,
    }
}

/// The member page; `submitted`: a refused form, shown again with its messages (422).
async fn render(
    st: &AppState,
    user: &CurrentUser,
    session: &Session,
    (gid, mid): (i32, i32),
    submitted: Option<(&MemberForm, &FieldErrors)>,
) -> AppResult<Response> {
    let g = service::groupement(&st.db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = service::members(&st.db, gid).await?;
    let pos = all
        .iter()
        .position(|x| x.member.id == mid)
        .ok_or(AppError::NotFound)?;
    let m = &all[pos];
    let report = service::quality_report(&g, &all).map_err(anyhow::Error::new)?;
    // The findings of this member only, each linked to the input that corrects it.
    let findings = views::findings(gid, &report, &views::registry_ids(&all))
        .into_iter()
        .zip(&report.findings)
        .filter(|(_, f)| f.member == Some(pos))
        .map(|(v, _)| v)
        .collect();
    let stored_form = MemberForm::from_stored(m);
    let empty = FieldErrors::new();
    let (form, errors) = submitted.unwrap_or((&stored_form, &empty));
    let edit = (user.role == Role::Coordonnateur).then(|| edit_view(gid, mid, form, errors));
    let view = MemberPageView {
        member: views::MemberView::from(m),
        findings,
        edit,
    };
    let messages: Vec<String> = errors.values().flatten().cloned().collect();
    let title = m.member.name.clone();
    crate::web::form_page::render(st, user, session, "registry/member", title, view, messages).await
}

fn mid_of(raw: &str) -> AppResult<i32> {
    raw.parse().map_err(|_| AppError::NotFound)
}

async fn page(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, mid)): Path<(i32, String)>,
) -> AppResult<Response> {
    let mid = mid_of(&mid)?;
    render(&st, &user, &session, (gid, mid), None).await
}

async fn save(
    State(st): State<AppState>,
    Extension(user): Extension<Arc<CurrentUser>>,
    session: Session,
    Path((gid, mid)): Path<(i32, String)>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let mid = mid_of(&mid)?;
    let all = service::members(&st.db, gid).await?;
    let current = all
        .iter()
        .find(|m| m.member.id == mid)
        .ok_or(AppError::NotFound)?;
    let ids: Vec<i32> = current.establishments.iter().map(|e| e.id).collect();
    let form = MemberForm::from_fields(&fields, &ids);
    let stored = MemberValues::from_stored(current);
    let taken = edit_service::finess_taken_elsewhere(&all, mid);
    let values = match edit_rules::validate(&form, &stored, &taken) {
        Ok(v) => v,
        Err(errors) => {
            return render(&st, &user, &session, (gid, mid), Some((&form, &errors))).await;
        }
    };
    let n = edit_service::update_member(&st.db, st.clock.now(), &user.actor(), gid, mid, &values)
        .await?;
    let msg = match n {
        0 => "Aucune modification : les valeurs saisies sont celles déjà enregistrées.".to_owned(),
        1 => "1 champ modifié.".to_owned(),
        n => format!("{n} champs modifiés."),
    };
    security::set_flash(&session, msg).await?;
    Ok(Redirect::to(&format!("/g/{gid}/members/{mid}")).into_response())
}
