//! Lifecycle transitions of a consultation. They are the one place that reads every area —
//! pieces (RC and AE generated, the RC announcing the grid), visas (unanimity), offers (an
//! acceptable offer), attribution (letters sent, certificates received) — through the dossier,
//! so the areas themselves depend on the dossier and never on each other
//! (`consultations` ← `dossier` ← `pieces` ← `visas`/`offers` ← `attribution` ← `archive` ←
//! `transitions`).

pub mod handlers;
pub mod modification;
pub mod published_handlers;

use crate::audit::{self, Actor};
use crate::consultations::lifecycle::{self, Status, TransitionContext};
use crate::consultations::service::{self as consultations, Detail};
use crate::db::entities::consultation;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, Set};

/// What the stored data says about the conditions of each transition.
fn context(
    d: &Detail,
    now: DateTime<Utc>,
    motif: Option<String>,
    dce_has_pieces: bool,
    all_visas_complete: bool,
) -> TransitionContext {
    let deadline_passed = consultations::offers_deadline(&d.c)
        .map(|o| {
            crate::calendar::paris_datetime(
                o.date(),
                chrono::Timelike::hour(&o),
                chrono::Timelike::minute(&o),
            )
        })
        .is_some_and(|o| now >= o.with_timezone(&Utc));
    TransitionContext {
        // The RC and the AE have at least one version (pieces::service::has_rc_and_ae).
        dce_has_pieces,
        // Every DCE piece has a complete round on its current version (visas::service).
        all_visas_complete,
        offers_deadline_passed: deadline_passed,
        cao_required: d.proposal.as_ref().is_ok_and(|p| p.cao_required),
        motif,
        ..TransitionContext::default()
    }
}

/// Moves a consultation through its lifecycle; a refused transition says why in French.
///
/// # Errors
/// `Conflict` with the lifecycle's reason; database errors.
pub async fn transition(
    st: &crate::state::AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    target: &str,
    motif: Option<String>,
) -> Result<Status, AppError> {
    let (db, now) = (&st.db, st.clock.now());
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let to = Status::from_code(target).map_err(|e| AppError::field("statut", e.to_string()))?;
    let dossier = crate::dossier::load(db, gid, cid, today).await?;
    let d = &dossier.detail;
    let has_pieces = crate::pieces::service::has_rc_and_ae(db, cid).await?;
    let gate = crate::visas::gate::publication_gate(db, cid, today).await?;
    let mut ctx = context(d, now, motif.clone(), has_pieces, gate.is_ok());
    ctx.award_criteria_problems = dossier.award_criteria_problems();
    ctx.technique_problems = dossier.technique_problems();
    ctx.rc_announces_the_grid = crate::pieces::service::announced_criteria(db, cid)
        .await?
        .is_some_and(|announced| {
            announced == crate::pieces::context::criteria_json(&dossier.criteria)
        });
    let facts = crate::attribution::store::lifecycle_facts(db, &d.c, today).await?;
    ctx.analysis_complete = facts.any_attribution;
    ctx.cao_decision_recorded = facts.any_attribution;
    ctx.rejection_letters_sent = facts.rejection_letters_sent;
    ctx.attributaire_documents_received = facts.certificates_received;
    ctx.members_validation_complete = facts.members_validation_complete;
    ctx.contract_pieces_sent_to_members = facts.contract_pieces_sent;
    ctx.no_acceptable_offer = crate::offers::analysis::no_acceptable_offer(db, gid, cid).await?;
    if matches!(
        to,
        Status::AttributionDecidee
            | Status::LettresEnvoyees
            | Status::Suspension
            | Status::Signee
            | Status::Notifiee
    ) {
        return Err(AppError::Conflict(format!(
            "Le passage à l'état « {} » se fait depuis la page « Attribution et notification », qui envoie les lettres correspondantes.",
            to.label()
        )));
    }
    let new = lifecycle::transition(d.status, to, &ctx).map_err(|e| {
        // Name the pieces and members that block publication.
        match (&e, &gate) {
            (lifecycle::LifecycleError::Refused { .. }, Err(why))
                if matches!(to, Status::PretePublier | Status::Publiee) =>
            {
                AppError::Conflict(format!("{e} {why}"))
            }
            _ => AppError::Conflict(e.to_string()),
        }
    })?;
    let tx = audit::begin(db).await?;
    let c = consultations::get(&tx, gid, cid).await?;
    if c.status != d.c.status {
        return Err(AppError::Conflict(
            "La consultation a changé entre-temps : rechargez la page.".into(),
        ));
    }
    let mut a: consultation::ActiveModel = c.into();
    a.status = Set(new.code().to_owned());
    if matches!(new, Status::SansSuite | Status::Infructueuse) {
        a.status_motif = Set(motif.clone());
    }
    a.updated_at = Set(now);
    a.update(&tx).await?;
    if matches!(new, Status::SansSuite | Status::Infructueuse) {
        let reason = motif
            .clone()
            .unwrap_or_else(|| "aucune offre appropriée, régulière et acceptable".into());
        crate::attribution::after::abandon_letters(
            &tx,
            &st.engine,
            now,
            actor,
            gid,
            cid,
            new == Status::Infructueuse,
            &reason,
        )
        .await?;
    }
    // A marché spécifique is published by inviting every admitted candidate (R2162-48 and
    // following), in the transaction of the publication.
    if new == Status::Publiee
        && d.c.technique == crate::consultations::rules::technique::Technique::Sad
    {
        let buyer = dossier
            .members
            .iter()
            .find(|m| m.member.role.as_deref() == Some("coordonnateur"))
            .map_or_else(
                || dossier.groupement.name.clone(),
                |m| m.member.name.clone(),
            );
        crate::techniques::service::invite_all(&tx, now, actor, &d.c, &buyer, today).await?;
    }
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.transition",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: serde_json::json!({"before": d.status.code(), "after": new.code(), "motif": motif}),
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}
