//! Stage « brouillon »: the consultation as the coordonnateur enters it on its pages — the
//! consultation form (and, for the AMOA, the procedure chosen with its justification), the lot,
//! each member's need, the « Données du DCE », the price lines of the BPU/DQE, the criteria grid
//! (before the DCE: the RC announces it, R2152-11) — then « Générer tout le DCE ».

use super::tenders::{Tender, common_dce_fields};
use super::{Demo, timeline};
use crate::consultations::model::{self, ConsultationInput, NeedInput};
use crate::consultations::service as consultations;
use crate::dossier::dce_data::{self as data, FormMap};
use crate::error::AppError;
use crate::scoring::Criterion;

/// Creates the consultation of `t` with its DCE generated; returns its id.
///
/// # Errors
/// The refusal of the service concerned.
pub async fn run(d: &Demo, t: &Tender) -> Result<i32, AppError> {
    d.set(timeline::DCE, 9, 0);
    let (st, gid, actor) = (&d.st, d.gid, d.people.coordonnateur.actor());
    let input = ConsultationInput {
        reference: t.reference.clone(),
        objet: t.objet.to_owned(),
        nature: t.nature.into(),
        cpv: t.cpv.to_owned(),
        ccag: t.ccag.to_owned(),
        vat_rate: "20".into(),
        launch_date: d.cal.ymd(timeline::DCE),
        publication_date: d.cal.ymd(timeline::PUBLICATION),
        offers_deadline_date: d.cal.ymd(timeline::DEADLINE),
        offers_deadline_time: "12:00".into(),
        questions_deadline: d.cal.ymd(timeline::QUESTIONS),
        offers_validity_days: "120".into(),
        ..ConsultationInput::default()
    };
    let draft = model::validate(&input).map_err(AppError::Validation)?;
    let c = consultations::create(&st.db, st.clock.now(), &actor, gid, &draft).await?;
    let cid = c.id;
    let lot = consultations::add_lot(&st.db, st.clock.now(), &actor, gid, cid, t.lot_label).await?;
    for (i, m) in d.people.members.iter().enumerate() {
        let step = u32::try_from(i).unwrap_or(0) * t.quantity_step;
        let need = NeedInput {
            lot_id: lot.id.to_string(),
            member_id: m.member_id.to_string(),
            amount_ht: t.need_ht.to_owned(),
            quantity: (t.quantity_base + step).to_string(),
            unit: t.unit.to_owned(),
            ..NeedInput::default()
        };
        let nd = model::validate_need(&need).map_err(AppError::Validation)?;
        consultations::set_need(&st.db, st.clock.now(), &actor, gid, cid, &nd).await?;
    }
    if let Some((procedure, justification)) = t.procedure {
        consultations::choose_procedure(
            &st.db,
            st.clock.now(),
            &actor,
            gid,
            cid,
            procedure,
            justification,
        )
        .await?;
    }
    let technique = crate::consultations::rules::technique_choice::validate(&t.technique)
        .map_err(AppError::Validation)?;
    crate::techniques::service::set(&st.db, st.clock.now(), &actor, gid, cid, &technique).await?;
    if !t.sad_admitted.is_empty() {
        // The list as the central purchasing body's platform exports it (CSV, `;`).
        let mut csv = String::from("Raison sociale;SIRET;Courriel\n");
        for (name, siret, email) in &t.sad_admitted {
            csv.push_str(&format!("{name};{siret};{email}\n"));
        }
        crate::techniques::service::import_admitted(
            &st.db,
            st.clock.now(),
            &actor,
            gid,
            cid,
            "candidats_admis_sad.csv",
            csv.as_bytes(),
        )
        .await?;
    }
    save_dce_data(d, t, cid).await?;
    let grid: Vec<Criterion> = serde_json::from_value(t.grid.clone())
        .map_err(|e| AppError::BadRequest(format!("grille de la démo illisible : {e}")))?;
    crate::offers::criteria::replace(&st.db, st.clock.now(), &actor, gid, cid, &grid).await?;
    save_price_lines(d, t, cid, lot.id, lot.number).await?;
    d.set(timeline::DCE, 10, 30);
    crate::pieces::generate::generate_dce(&st.db, &st.engine, st.clock.now(), &actor, gid, cid)
        .await?;
    Ok(cid)
}

/// The « Données du DCE » form, filled as on its page (users, devices and current tool of
/// every establishment), checked and saved by the same functions.
async fn save_dce_data(d: &Demo, t: &Tender, cid: i32) -> Result<(), AppError> {
    let st = &d.st;
    let mut form = FormMap::new();
    for (k, v) in common_dce_fields().into_iter().chain(t.dce_fields.clone()) {
        form.insert(k.to_owned(), v.to_owned());
    }
    let mut finesses = Vec::new();
    for (i, m) in crate::registry::service::members(&st.db, d.gid)
        .await?
        .into_iter()
        .filter(|m| m.member.withdrawn_on.is_none())
        .enumerate()
    {
        for e in m.establishments {
            form.insert(format!("users_{}", e.finess), (6 + 2 * i).to_string());
            form.insert(format!("devices_{}", e.finess), (4 + i).to_string());
            let tool = if i % 3 == 0 {
                "dossiers papier et tableur"
            } else {
                "logiciel de planification sans dossier de soins"
            };
            form.insert(format!("tool_{}", e.finess), tool.to_owned());
            finesses.push(e.finess);
        }
    }
    let data = data::from_form(&form, &finesses).map_err(AppError::Validation)?;
    crate::pieces::service::save_dce_data(
        &st.db,
        st.clock.now(),
        &d.people.coordonnateur.actor(),
        d.gid,
        cid,
        &data,
    )
    .await
}

/// The price lines of the BPU/DQE, entered as on the « Lignes de prix » page: each member's
/// quantity, never a price.
async fn save_price_lines(
    d: &Demo,
    t: &Tender,
    cid: i32,
    lot_id: i32,
    lot_number: i32,
) -> Result<(), AppError> {
    use crate::dossier::price_lines::{self, LotRef};
    let st = &d.st;
    let mut form = FormMap::new();
    for (i, (label, unit, base, step)) in t.price_lines.iter().enumerate() {
        form.insert(format!("r{i}_lot"), lot_id.to_string());
        form.insert(format!("r{i}_label"), (*label).to_owned());
        form.insert(format!("r{i}_unit"), (*unit).to_owned());
        for (k, m) in d.people.members.iter().enumerate() {
            let q = base + u32::try_from(k).unwrap_or(0) * step;
            form.insert(format!("r{i}_q{}", m.member_id), q.to_string());
        }
    }
    let members: Vec<i32> = d.people.members.iter().map(|m| m.member_id).collect();
    let lots = [LotRef {
        id: lot_id,
        number: lot_number,
    }];
    let lines = price_lines::from_form(&form, &lots, &members).map_err(AppError::Validation)?;
    price_lines::replace(
        &st.db,
        st.clock.now(),
        &d.people.coordonnateur.actor(),
        d.gid,
        cid,
        &lines,
    )
    .await?;
    Ok(())
}
