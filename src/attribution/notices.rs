//! After the certificates: the NOTI3 to every rejected bidder with the mentions check
//! (R2181-1, R2181-3), the standstill (R2182-1), the members' written validations and the
//! signature for all (convention art. 6.2), and the NOTI5 with its one-time acknowledgement
//! link (R2182-4).

use super::docs::{self, lot_ref};
use super::letters::{self, Mail, Rejection, Winner};
use super::ranking;
use super::rules::{self, AttributionStatus};
use super::service::rankings;
use super::store::{self, NewLetter};
use crate::audit::{self, Actor};
use crate::auth::{CurrentUser, Role};
use crate::consultations::lifecycle::{Status, TransitionContext};
use crate::consultations::rules::technique_choice::standstill_exemption;
use crate::consultations::service as consultation_service;
use crate::db::entities::{attribution, consultation, member_validation};
use crate::docgen::{DocKind, check_noti3_mentions};
use crate::error::AppError;
use crate::state::AppState;
use chrono_tz::Europe::Paris;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

/// Whether the marché may be signed on `today` (R2182-1): the letters sent, and the standstill
/// over unless a single tenderer took part in every lot (R2182-2). For a MAPA the same delay is
/// kept voluntarily, as the NOTI3 announces it (the référé précontractuel stays open until
/// signature; DOMAIN §5.3). The inner `Err` is the French reason.
///
/// # Errors
/// Database errors.
pub async fn signature_allowed<C: sea_orm::ConnectionTrait>(
    db: &C,
    d: &crate::consultations::service::Detail,
    today: chrono::NaiveDate,
) -> Result<Result<(), String>, AppError> {
    let (electronic, single, _) = store::calendar_facts(db, d.c.id).await?;
    let sent = d.c.rejection_letters_sent_on;
    let sd = match sent.map(|s| rules::standstill(s, electronic, d.reference_date)) {
        Some(Err(e)) => return Ok(Err(e)),
        Some(Ok(sd)) => Some(sd),
        None => None,
    };
    Ok(rules::signature_gate(
        standstill_exemption(d.c.technique, single).is_none(),
        sent.is_some(),
        sd.map(|s| s.signature_from),
        sd.map(|s| s.ends_on),
        today,
    ))
}

/// The NOTI3 of one rejected pli.
struct Prepared {
    lot_id: Option<i32>,
    pli_id: i32,
    name: String,
    email: String,
    filename: String,
    docx: Vec<u8>,
    mail: Option<crate::mail::OutgoingEmail>,
}

/// Sends the NOTI3 to every rejected candidate and tenderer of every lot, after checking that
/// each letter holds the mentions of R2181-3 (none leaves otherwise), then starts the
/// standstill. Returns the number of letters.
///
/// # Errors
/// `Conflict` with the French reason; database errors.
#[allow(clippy::too_many_lines)]
pub async fn send_rejections(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    electronic: bool,
) -> Result<usize, AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let d = consultation_service::detail(&st.db, gid, cid, today).await?;
    if d.status != Status::AttributionDecidee {
        return Err(AppError::Conflict(format!(
            "Les lettres de rejet s'envoient une fois l'attribution décidée (état actuel : « {} »).",
            d.status.label()
        )));
    }
    let rs = rankings(&st.db, gid, cid).await?;
    let all = store::attributions(&st.db, cid).await?;
    let base = docs::base(&st.db, gid, cid, now).await?;
    let single = store::calendar_facts(&st.db, cid).await?.1;
    let exemption = standstill_exemption(d.c.technique, single);
    let sd = match exemption {
        Some(why) => rules::no_standstill(today, electronic, why),
        None => {
            rules::standstill(today, electronic, d.reference_date).map_err(AppError::Conflict)?
        }
    };
    let mut out: Vec<Prepared> = Vec::new();
    for lr in rs.iter().filter(|r| !r.plis.is_empty()) {
        let cur = store::current(&all, lr.lot_id()).ok_or_else(|| {
            AppError::Conflict(format!(
                "{} n'est pas encore attribué : décidez l'attribution de chaque lot avant d'informer les évincés.",
                lr.label
            ))
        })?;
        if store::status(cur) == AttributionStatus::EnAttentePieces {
            return Err(AppError::Conflict(format!(
                "{} : les pièces de l'attributaire pressenti ne sont pas toutes reçues ; attendez-les (ou constatez sa défaillance) avant d'envoyer les lettres de rejet (R2144-4, R2144-7).",
                lr.label
            )));
        }
        let winner_pli = lr
            .plis
            .iter()
            .find(|p| p.id == cur.pli_id)
            .ok_or(AppError::NotFound)?;
        let wr = lr.ranked(cur.pli_id);
        let winner = Winner {
            name: winner_pli.bidder_name.clone(),
            marks: wr.map(|r| r.marks.clone()).unwrap_or_default(),
            total: wr.map(|r| r.total).unwrap_or_default(),
            reasons: cur.reasons.trim().trim_end_matches('.').to_owned(),
        };
        let lot = lot_ref(lr.lot.as_ref(), &d.c.objet);
        let failed: Vec<&attribution::Model> = all
            .iter()
            .filter(|a| {
                a.lot_id == lr.lot_id() && store::status(a) == AttributionStatus::Defaillante
            })
            .collect();
        for p in lr.plis.iter().filter(|p| p.id != cur.pli_id) {
            let rejection = match (lr.ranked(p.id), failed.iter().find(|a| a.pli_id == p.id)) {
                (Some(r), failure) => Rejection {
                    stage: "offre",
                    reasons: vec![failure.and_then(|a| a.failure_reason.clone()).unwrap_or_else(|| {
                        "votre offre, régulière, acceptable et appropriée, n'est pas l'offre économiquement la plus avantageuse au regard des critères pondérés du règlement de la consultation".into()
                    })],
                    marks: r.marks.clone(),
                    total: Some(r.total),
                    rank: Some(r.rank),
                    offers_ranked: lr.ranked.len(),
                },
                (None, _) => {
                    let (stage, why) = ranking::exclusion_reason(p);
                    Rejection {
                        stage,
                        reasons: vec![why],
                        marks: Vec::new(),
                        total: None,
                        rank: None,
                        offers_ranked: lr.ranked.len(),
                    }
                }
            };
            let party = ranking::party(p);
            if electronic && !party.email.contains('@') {
                return Err(AppError::Conflict(format!(
                    "Renseignez le courriel de {} dans le registre des plis, ou envoyez les lettres par voie postale. Aucune lettre n'a été envoyée.",
                    p.bidder_name
                )));
            }
            let ctx = letters::noti3(&base.ctx, &lot, &party, &rejection, &winner, &sd, now);
            let doc = docs::render(&st.engine, DocKind::Noti3, &ctx, &base.look)?;
            // A ranked offer was not irregular, unacceptable or inappropriate: its author may
            // ask for the advantages of the chosen offer (R2181-4), and must be told to whom.
            let checked = if rejection.rank.is_some() {
                crate::docgen::noti3::check_noti3_offer_mentions(&doc.markdown)
            } else {
                check_noti3_mentions(&doc.markdown)
            };
            checked.map_err(|missing| {
                AppError::Conflict(format!(
                    "La lettre de rejet destinée à {} ne comporte pas toutes les mentions obligatoires — {}. Aucune lettre n'a été envoyée : corrigez le modèle ou la clause des voies de recours.",
                    p.bidder_name,
                    missing.join(" ; ")
                ))
            })?;
            let filename = docs::filename(&d.c.reference, "noti3", lot.number, &p.bidder_name);
            let mail = electronic
                .then(|| {
                    letters::noti3_email(
                        Mail {
                            kind: "noti3",
                            to: &party,
                            reference: &d.c.reference,
                            objet: &d.c.objet,
                            lot: &lot,
                            buyer: base.ctx["buyer"]["name"].as_str().unwrap_or_default(),
                            attachments: vec![(filename.clone(), doc.docx.clone())],
                        },
                        &sd,
                    )
                })
                .transpose()?;
            out.push(Prepared {
                lot_id: lr.lot_id(),
                pli_id: p.id,
                name: p.bidder_name.clone(),
                email: p.contact_email.clone(),
                filename,
                docx: doc.docx,
                mail,
            });
        }
    }
    let applies = exemption.is_none();
    let count = out.len();
    let (tx, c) = store::begin_unchanged(&st.db, &d.c).await?;
    for p in out {
        store::write_letter(
            &tx,
            now,
            actor,
            gid,
            NewLetter {
                consultation_id: cid,
                lot_id: p.lot_id,
                pli_id: Some(p.pli_id),
                attribution_id: None,
                kind: "noti3",
                recipient_name: p.name,
                recipient_email: p.email,
                sent_on: today,
                electronic,
                filename: p.filename,
                docx: p.docx,
                email: p.mail,
            },
        )
        .await?;
    }
    let mut am: consultation::ActiveModel = c.into();
    am.rejection_letters_sent_on = Set(Some(today));
    let c = am.update(&tx).await?;
    let ctx = TransitionContext {
        rejection_letters_sent: true,
        standstill_applicable: applies,
        ..TransitionContext::default()
    };
    let c = store::move_status(&tx, now, actor, c, Status::LettresEnvoyees, &ctx).await?;
    if applies {
        store::move_status(&tx, now, actor, c, Status::Suspension, &ctx).await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// Records a member's written validation of the marché (convention art. 6.2): a référent for
/// its own member; the coordonnateur for a member whose validation came in writing by other
/// means, with a comment saying which.
///
/// # Errors
/// `Forbidden`, `Conflict` (wrong state, already validated), `Validation`, database errors.
pub async fn validate_member(
    st: &AppState,
    user: &CurrentUser,
    gid: i32,
    cid: i32,
    member_id: i32,
    comment: &str,
) -> Result<(), AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let comment = comment.trim();
    match user.role {
        Role::Referent if user.member_id == Some(member_id) => {}
        Role::Referent => {
            return Err(AppError::Forbidden(
                "un référent ne valide le marché que pour son propre membre.".into(),
            ));
        }
        Role::Coordonnateur if comment.chars().count() >= 10 => {}
        Role::Coordonnateur => {
            return Err(AppError::field(
                "comment",
                "Précisez la validation écrite reçue (par exemple « courriel du 2 mars 2027 du directeur ») : 10 caractères au moins.",
            ));
        }
        _ => return Err(AppError::Forbidden("rôle non autorisé.".into())),
    }
    let tx = audit::begin(&st.db).await?;
    let c = consultation_service::get(&tx, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| AppError::Conflict(e.to_string()))?;
    if !matches!(
        status,
        Status::AttributionDecidee | Status::LettresEnvoyees | Status::Suspension
    ) {
        return Err(AppError::Conflict(format!(
            "La validation des membres se donne entre l'attribution et la signature (état actuel : « {} »).",
            status.label()
        )));
    }
    let members = store::active_members(&tx, gid, today).await?;
    let m = members
        .iter()
        .find(|m| m.id == member_id)
        .ok_or(AppError::NotFound)?;
    if store::validations(&tx, cid)
        .await?
        .iter()
        .any(|v| v.member_id == member_id)
    {
        return Err(AppError::Conflict(format!(
            "{} a déjà validé le marché.",
            m.name
        )));
    }
    let row = member_validation::ActiveModel {
        consultation_id: Set(cid),
        member_id: Set(member_id),
        validated_at: Set(now),
        actor: Set(user.email.clone()),
        comment: Set(Some(comment.to_owned()).filter(|c| !c.is_empty())),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action: "marche.validation_membre",
            entity: "member_validation",
            entity_id: row.id.to_string(),
            summary: json!({"consultation_id": cid, "membre": m.name, "commentaire": row.comment}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Signs the marché of every lot for all members (convention art. 6.2) on today's date, once
/// the standstill is over (R2182-1), the certificates received and every member's written
/// validation given.
///
/// # Errors
/// `Validation`, `Conflict` with the French reason; database errors.
pub async fn sign(
    st: &AppState,
    actor: &Actor,
    gid: i32,
    cid: i32,
    signatory_name: &str,
    signatory_quality: &str,
) -> Result<(), AppError> {
    let now = st.clock.now();
    let today = now.with_timezone(&Paris).date_naive();
    let (name, quality) = (signatory_name.trim(), signatory_quality.trim());
    if name.chars().count() < 3 || quality.chars().count() < 3 {
        return Err(AppError::field(
            "signatory_name",
            "Indiquez le nom et la qualité du signataire (3 caractères au moins chacun).",
        ));
    }
    let d = consultation_service::detail(&st.db, gid, cid, today).await?;
    if !matches!(d.status, Status::LettresEnvoyees | Status::Suspension) {
        return Err(AppError::Conflict(format!(
            "Le marché se signe après l'envoi des lettres de rejet (état actuel : « {} »).",
            d.status.label()
        )));
    }
    let facts = store::lifecycle_facts(&st.db, &d.c, today).await?;
    signature_allowed(&st.db, &d, today)
        .await?
        .map_err(|why| AppError::Conflict(format!("Signature refusée : {why}")))?;
    let ctx = TransitionContext {
        // The consultation entered « suspension » when the letters left if a standstill applied.
        standstill_applicable: d.status == Status::Suspension,
        standstill_over: true,
        attributaire_documents_received: facts.certificates_received,
        members_validation_complete: facts.members_validation_complete,
        ..TransitionContext::default()
    };
    let (tx, c) = store::begin_unchanged(&st.db, &d.c).await?;
    let mut am: consultation::ActiveModel = c.clone().into();
    am.signed_on = Set(Some(today));
    let c2 = am.update(&tx).await?;
    let c2 = store::move_status(&tx, now, actor, c2, Status::Signee, &ctx)
        .await
        .map_err(|e| AppError::Conflict(format!("Signature refusée : {e}")))?;
    let _ = c2;
    for a in store::attributions(&tx, cid).await? {
        if store::status(&a) != AttributionStatus::Retenue {
            continue;
        }
        let mut am: attribution::ActiveModel = a.into();
        am.status = Set(AttributionStatus::Signee.code().to_owned());
        am.signed_on = Set(Some(today));
        am.signatory_name = Set(Some(name.to_owned()));
        am.signatory_quality = Set(Some(quality.to_owned()));
        am.updated_at = Set(now);
        let a = am.update(&tx).await?;
        store::journal(
            &tx,
            now,
            actor,
            gid,
            "marche.signature",
            &a,
            json!({"signe_le": today, "signataire": name, "qualite": quality, "pour": "tous les membres du groupement (convention art. 6.2)"}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
