//! Stages « attribuée » and « notifiée »: the decision on the CAO's deliberation (NOTI1 to the
//! offer ranked first) and its certificates; then the NOTI3 to the other bidders, the
//! standstill of 11 days (R2182-1), each member's written validation (convention art. 6.2),
//! the signature, the attributaire's acte d'engagement filled from the award and uploaded as
//! the signed acte, the NOTI5 that carries it (R2182-4) and the contractual pieces sent to
//! every member (convention art. 5.4).

use super::analysis::lot_of;
use super::tenders::Tender;
use super::{Demo, timeline};
use crate::attribution::service::{self as attribution, DecideInput};
use crate::attribution::{after, notices, notification, signed, store};
use crate::error::AppError;

/// Decides the award of consultation `cid` to the offer ranked first, and records its
/// certificates; returns the attribution id.
///
/// # Errors
/// The refusal of the service concerned.
pub async fn decide(d: &Demo, t: &Tender, cid: i32) -> Result<i32, AppError> {
    let (st, gid) = (&d.st, d.gid);
    let coord = d.people.coordonnateur.actor();
    d.set(timeline::DECISION, 9, 0);
    let lot_id = lot_of(d, cid).await?;
    let rankings = attribution::rankings(&st.db, gid, cid).await?;
    let lr = rankings
        .iter()
        .find(|r| r.lot_id() == Some(lot_id))
        .ok_or_else(|| AppError::BadRequest("aucun classement pour le lot".into()))?;
    let first = *lr
        .order()
        .first()
        .ok_or_else(|| AppError::BadRequest("aucune offre classée".into()))?;
    let name = lr
        .plis
        .iter()
        .find(|p| p.id == first)
        .map(|p| p.bidder_name.clone())
        .unwrap_or_default();
    if name != t.winner().name {
        return Err(AppError::BadRequest(format!(
            "le classement place {name} en tête, la démo attendait {}",
            t.winner().name
        )));
    }
    let input = DecideInput {
        lot_id: lot_id.to_string(),
        pli_id: first.to_string(),
        reasons: t.reasons.to_owned(),
        deadline: format!("{}T12:00", d.cal.ymd(timeline::DECISION + 7)),
    };
    let a = attribution::decide(st, &coord, gid, cid, &input).await?;
    d.set(timeline::DECISION, 16, 0);
    attribution::receive_certificates(
        st,
        &coord,
        gid,
        cid,
        a.id,
        None,
        d.cal.day(timeline::DECISION),
    )
    .await?;
    Ok(a.id)
}

/// From the NOTI3 to the notification of consultation `cid` (its award decided).
///
/// # Errors
/// The refusal of the service concerned.
pub async fn notify(d: &Demo, t: &Tender, cid: i32) -> Result<(), AppError> {
    let _ = t;
    let (st, gid) = (&d.st, d.gid);
    let coordonnateur = &d.people.coordonnateur;
    let coord = coordonnateur.actor();
    d.set(timeline::REJECTIONS, 10, 0);
    notices::send_rejections(st, &coord, gid, cid, true).await?;
    for (i, m) in d.people.members.iter().enumerate() {
        d.set(
            timeline::VALIDATIONS,
            9 + u32::try_from(i).unwrap_or(0) / 2,
            (u32::try_from(i).unwrap_or(0) % 2) * 30,
        );
        let comment = format!(
            "validation écrite reçue par courriel du représentant de {} le {}",
            m.name,
            crate::calendar::french_date(d.cal.day(timeline::VALIDATIONS))
        );
        notices::validate_member(st, coordonnateur, gid, cid, m.member_id, &comment).await?;
    }
    // The day after the standstill's last day.
    d.set(timeline::NOTIFICATION, 9, 0);
    notices::sign(
        st,
        &coord,
        gid,
        cid,
        "Dominique BAERT",
        "Maire, Président du CCAS de Wattrelos, coordonnateur du groupement",
    )
    .await?;
    d.set(timeline::NOTIFICATION, 9, 30);
    let aid = current_attribution(d, cid).await?;
    let (filename, docx) = signed::filled_ae(st, gid, cid, aid).await?;
    let signed_name = match filename.strip_suffix(".docx") {
        Some(stem) => format!("{stem}_signe.docx"),
        None => format!("{filename}_signe.docx"),
    };
    signed::upload(
        &st.db,
        st.clock.now(),
        &coord,
        gid,
        cid,
        aid,
        &signed_name,
        docx,
    )
    .await?;
    d.set(timeline::NOTIFICATION, 10, 0);
    notification::notify(st, &coord, gid, cid).await?;
    d.set(timeline::NOTIFICATION, 11, 0);
    after::dispatch_contract(st, &coord, gid, cid).await?;
    Ok(())
}

/// The attribution of the consultation's lot in force.
async fn current_attribution(d: &Demo, cid: i32) -> Result<i32, AppError> {
    let lot_id = lot_of(d, cid).await?;
    let all = store::attributions(&d.st.db, cid).await?;
    store::current(&all, Some(lot_id))
        .map(|a| a.id)
        .ok_or_else(|| AppError::BadRequest("aucune attribution en cours".into()))
}
