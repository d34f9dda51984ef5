//! « À faire » : each person's list of what to do and by when, on their home page. The
//! coordonnateur's deadlines of the coming weeks across consultations, the visas awaited and the
//! séances to convene; the référent's visas and written validations awaiting; the CAO member's
//! séances, sheets to score and procès-verbaux to sign; the AMOA's analyses. Each item links to
//! the page that does it. A top area: it reads the others and nothing reads it.

pub mod handlers;
pub mod rules;

use crate::auth::{CurrentUser, Role};
use crate::cao::model::person_key;
use crate::cao::rules::convocation::last_sending_day;
use crate::cao::store as cao_store;
use crate::consultations::lifecycle::Status;
use crate::consultations::service as consultations;
use crate::db::entities::{cao_seat_assignment, consultation, evaluator_sheet};
use crate::error::AppError;
use crate::visas::rules::{MemberVisaStatus, RoundStatus};
use chrono::NaiveDate;
use rules::Item;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;

/// The consultations still in progress (neither closed, nor sans suite, nor infructueuse).
fn in_progress(cs: Vec<consultation::Model>) -> Vec<(consultation::Model, Status)> {
    cs.into_iter()
        .filter_map(|c| {
            let s = Status::from_code(&c.status).ok()?;
            (!matches!(s, Status::Close | Status::SansSuite | Status::Infructueuse))
                .then_some((c, s))
        })
        .collect()
}

/// The to-do of `user` in groupement `gid` on `today`, in working order.
///
/// # Errors
/// Database errors.
pub async fn for_user<C: ConnectionTrait>(
    db: &C,
    user: &CurrentUser,
    gid: i32,
    today: NaiveDate,
) -> Result<Vec<Item>, AppError> {
    let cs = in_progress(consultations::list(db, gid).await?);
    let mut items = match user.role {
        Role::Coordonnateur => {
            let mut v = coordinator(db, gid, &cs, today).await?;
            v.extend(visa_items(db, gid, &cs, None, today).await?);
            v.extend(seances_to_convene(db, gid, today).await?);
            v
        }
        Role::Referent => match user.member_id {
            Some(mid) => {
                let mut v = visa_items(db, gid, &cs, Some(mid), today).await?;
                v.extend(validations(db, gid, &cs, mid).await?);
                v
            }
            None => Vec::new(),
        },
        Role::Cao => cao_member(db, gid, &cs, user.id, today).await?,
        Role::Amoa => analyses(gid, &cs),
        Role::Lecteur => Vec::new(),
    };
    rules::sort(&mut items);
    Ok(items)
}

async fn coordinator<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cs: &[(consultation::Model, Status)],
    today: NaiveDate,
) -> Result<Vec<Item>, AppError> {
    let mut out = Vec::new();
    for (c, status) in cs {
        // Only the published and later states need the whole calendar.
        let early = matches!(
            status,
            Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier
        );
        let detail = if early {
            None
        } else {
            Some(consultations::detail(db, gid, c.id, today).await?)
        };
        let cal = detail
            .as_ref()
            .and_then(|d| d.calendar.as_ref())
            .and_then(|r| r.as_ref().ok());
        if *status == Status::Publiee {
            out.extend(published_items(db, gid, c, cal).await?);
        }
        let Some((what, due, basis)) = rules::coordinator_step(*status, c.launch_date, cal) else {
            continue;
        };
        if !rules::within_horizon(due, today) {
            continue;
        }
        out.push(Item {
            due: Some(due),
            what: format!(
                "{what} {} — {}",
                crate::calendar::french_date(due),
                c.reference
            ),
            basis,
            href: format!("/g/{gid}/consultations/{}", c.id),
            blocked_by: None,
        });
    }
    Ok(out)
}

/// A published consultation's questions awaiting their answer (R2132-6) and its modification
/// of the DCE awaiting publication (R2151-4).
async fn published_items<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    c: &consultation::Model,
    cal: Option<&crate::consultations::rules::deadlines::ConsultationCalendar>,
) -> Result<Vec<Item>, AppError> {
    let href = format!("/g/{gid}/consultations/{}/publiee", c.id);
    let mut out = Vec::new();
    for q in crate::consultations::questions::list(db, c.id)
        .await?
        .into_iter()
        .filter(|q| q.answer.is_none())
    {
        out.push(Item {
            due: cal.and_then(|k| k.answers_deadline),
            what: format!("Répondre à la question n° {} d'un candidat — {}", q.number, c.reference),
            basis: "R2132-6 : réponse à tous les candidats six jours au plus tard avant la date limite (plus tard : prolonger d'abord, R2151-4 1°)",
            href: href.clone(),
            blocked_by: None,
        });
    }
    if c.dce_modification_open {
        out.push(Item {
            due: cal.and_then(|k| k.offers_deadline).map(|d| d.date_naive()),
            what: format!("Publier la modification du DCE, une fois les pièces visées — {}", c.reference),
            basis: "R2151-4 ; convention art. 5.4 et 6.2 : nouvelles versions visées par chaque membre, puis annoncées aux candidats",
            href,
            blocked_by: None,
        });
    }
    Ok(out)
}

/// Open visa rounds: for a référent (`member`), the pieces its member has not answered; for
/// the coordonnateur, each round with the members still awaited.
async fn visa_items<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cs: &[(consultation::Model, Status)],
    member: Option<i32>,
    today: NaiveDate,
) -> Result<Vec<Item>, AppError> {
    let mut out = Vec::new();
    for (c, status) in cs {
        // Rounds are opened on the drafts, before publication.
        if !matches!(
            status,
            Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier
        ) {
            continue;
        }
        for round in crate::visas::store::rounds(db, c.id).await? {
            if round.status(today) != RoundStatus::EnCours {
                continue;
            }
            let mut awaited_pieces = Vec::new();
            let mut awaited_members = HashSet::new();
            for p in &round.pieces {
                let state = round.piece_state(p, today);
                for m in &state.per_member {
                    let mine = member.is_none_or(|mid| m.member_key == mid.to_string());
                    if mine && m.status == MemberVisaStatus::EnAttente {
                        awaited_pieces.push(p.piece_kind.to_uppercase());
                        awaited_members.insert(m.member_name.clone());
                    }
                }
            }
            if awaited_pieces.is_empty() {
                continue;
            }
            awaited_pieces.sort();
            awaited_pieces.dedup();
            let what = match member {
                Some(_) => format!(
                    "Viser {} — {} (tour du {})",
                    awaited_pieces.join(", "),
                    c.reference,
                    crate::calendar::french_date(round.round.requested_on)
                ),
                None => format!(
                    "Visas attendus de {} membre(s) — {}",
                    awaited_members.len(),
                    c.reference
                ),
            };
            out.push(Item {
                due: Some(round.round.due_on),
                what,
                basis: "convention art. 8.1 : visa écrit de chaque membre dans le délai du tour",
                href: format!(
                    "/g/{gid}/consultations/{}/visas/rounds/{}",
                    c.id, round.round.id
                ),
                blocked_by: None,
            });
        }
    }
    Ok(out)
}

/// The written validation of the marché by the référent's member, between the attribution and
/// the signature.
async fn validations<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cs: &[(consultation::Model, Status)],
    member: i32,
) -> Result<Vec<Item>, AppError> {
    use crate::db::entities::member_validation;
    let mut out = Vec::new();
    for (c, status) in cs {
        if !matches!(
            status,
            Status::AttributionDecidee | Status::LettresEnvoyees | Status::Suspension
        ) {
            continue;
        }
        let done = member_validation::Entity::find()
            .filter(member_validation::Column::ConsultationId.eq(c.id))
            .filter(member_validation::Column::MemberId.eq(member))
            .one(db)
            .await?
            .is_some();
        if !done {
            out.push(Item {
                due: None,
                what: format!("Valider le marché attribué — {}", c.reference),
                basis: "convention art. 6.2 : validation écrite de chaque membre avant la signature",
                href: format!("/g/{gid}/consultations/{}/attribution", c.id),
                blocked_by: None,
            });
        }
    }
    Ok(out)
}

/// Séances created but not convened: the last day to send the convocation.
async fn seances_to_convene<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    today: NaiveDate,
) -> Result<Vec<Item>, AppError> {
    let jours_francs = cao_store::settings(db, gid).await?.convocation_jours_francs;
    let mut out = Vec::new();
    for s in cao_store::seances(db, gid).await? {
        if s.status != "prevue" {
            continue;
        }
        let Some(start) = cao_store::starts_at(&s) else {
            continue;
        };
        let due = last_sending_day(start.date(), jours_francs);
        if !rules::within_horizon(due, today) {
            continue;
        }
        out.push(Item {
            due: Some(due),
            what: format!(
                "Envoyer la convocation de la séance n° {} du {}",
                s.number,
                crate::calendar::french_date(start.date())
            ),
            basis: "règlement intérieur de la CAO : jours francs avant la séance",
            href: format!("/g/{gid}/cao/seances/{}", s.id),
            blocked_by: None,
        });
    }
    Ok(out)
}

/// A CAO member: the séances ahead, the sheets to score, the procès-verbaux to sign.
async fn cao_member<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cs: &[(consultation::Model, Status)],
    user_id: i32,
    today: NaiveDate,
) -> Result<Vec<Item>, AppError> {
    let seats: Vec<cao_seat_assignment::Model> = cao_seat_assignment::Entity::find()
        .filter(cao_seat_assignment::Column::GroupementId.eq(gid))
        .filter(cao_seat_assignment::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let mut out = Vec::new();
    let seated_today = seats.iter().any(|a| {
        a.valid_from <= today
            && a.valid_to.is_none_or(|t| today <= t)
            && matches!(a.role.as_str(), "titulaire" | "suppleant")
    });
    if seated_today {
        for (c, status) in cs {
            if *status != Status::Analyse {
                continue;
            }
            let submitted = evaluator_sheet::Entity::find()
                .filter(evaluator_sheet::Column::ConsultationId.eq(c.id))
                .filter(evaluator_sheet::Column::EvaluatorId.eq(user_id))
                .one(db)
                .await?
                .is_some_and(|s| s.submitted_at.is_some());
            if !submitted {
                out.push(Item {
                    due: None,
                    what: format!("Noter les offres — {}", c.reference),
                    basis: "CGCT L1414-2 : la CAO du groupement choisit l'attributaire",
                    href: format!("/g/{gid}/consultations/{}/offres/notation", c.id),
                    blocked_by: None,
                });
            }
        }
    }
    let seat_ids: HashSet<i32> = seats.iter().map(|a| a.id).collect();
    for s in cao_store::seances(db, gid).await? {
        let Some(start) = cao_store::starts_at(&s) else {
            continue;
        };
        let day = start.date();
        let mine = seats
            .iter()
            .any(|a| a.valid_from <= day && a.valid_to.is_none_or(|t| day <= t));
        if !mine {
            continue;
        }
        match s.status.as_str() {
            "convoquee" if day >= today => out.push(Item {
                due: Some(day),
                what: format!(
                    "Siéger à la séance n° {} du {} à {} — {}",
                    s.number,
                    crate::calendar::french_date(day),
                    start.format("%H:%M"),
                    s.place
                ),
                basis: "convocation reçue (CGCT L1411-5 : quorum de la moitié des membres)",
                href: format!("/g/{gid}/cao/seances/{}", s.id),
                blocked_by: None,
            }),
            "tenue" => {
                // Only the members present sign (`cao::deliberations::sign`).
                let data = cao_store::seance(db, gid, s.id).await?;
                let present = seat_ids
                    .iter()
                    .any(|id| data.present.contains(&person_key(*id)));
                let signed = data
                    .signoffs
                    .iter()
                    .any(|o| seat_ids.contains(&o.assignment_id));
                if present && !signed {
                    out.push(Item {
                        due: None,
                        what: format!(
                            "Signer le procès-verbal de la séance n° {} du {}",
                            s.number,
                            crate::calendar::french_date(day)
                        ),
                        basis: "procès-verbal de la séance, signé par les membres présents",
                        href: format!("/g/{gid}/cao/seances/{}", s.id),
                        blocked_by: None,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The AMOA: the analyses in progress.
fn analyses(gid: i32, cs: &[(consultation::Model, Status)]) -> Vec<Item> {
    cs.iter()
        .filter(|(_, s)| *s == Status::Analyse)
        .map(|(c, _)| Item {
            due: None,
            what: format!("Préparer l'analyse des offres — {}", c.reference),
            basis: "voix consultative : l'analyse éclaire la CAO, qui décide",
            href: format!("/g/{gid}/consultations/{}/offres", c.id),
            blocked_by: None,
        })
        .collect()
}
