//! The CAO séance on the award of one consultation (convention art. 5.4, CGCT L1414-2), in one
//! function so that it follows the séance's API: the séance and its agenda, the convocation
//! sent seven days before, the attendance (quorum), each present member's declaration of no
//! conflict of interest, the votes, the deliberation, the closing and each present member's
//! signature of the procès-verbal (stored at closing, naming the attributaire from the ranking).

use super::tenders::Tender;
use super::{Demo, timeline};
use crate::cao::deliberations;
use crate::cao::forms;
use crate::cao::rules::deliberation::VoteChoice;
use crate::cao::seances;
use crate::error::AppError;
use std::collections::HashMap;

/// Holds the séance on consultation `cid` (the `n`-th of the day: 14:00, then 15:30).
///
/// # Errors
/// The refusal of the service concerned.
pub async fn seance(d: &Demo, t: &Tender, cid: i32, n: usize) -> Result<i32, AppError> {
    let (st, gid) = (&d.st, d.gid);
    let coord = &d.people.coordonnateur;
    let president = &d.people.president().titulaire;
    let (hour, minute) = if n == 0 { (14, 0) } else { (15, 30) };
    d.set(timeline::SCORING, 16, 0);
    let winner = t.winner();
    let mut f = HashMap::new();
    f.insert("date".to_owned(), d.cal.ymd(timeline::SEANCE));
    f.insert("time".to_owned(), format!("{hour:02}:{minute:02}"));
    f.insert(
        "place".to_owned(),
        "salle du conseil d'administration du CCAS de Wattrelos".to_owned(),
    );
    f.insert(
        "secretary".to_owned(),
        "Mme Duhamel, service marchés du CCAS de Wattrelos".to_owned(),
    );
    f.insert("item1_target".to_owned(), format!("C{cid}"));
    f.insert(
        "item1_decision".to_owned(),
        format!(
            "Attribuer le marché {} à {}, offre classée première",
            t.reference, winner.name
        ),
    );
    // The bidders are never typed: the agenda takes the plis registered for the lot.
    f.insert("item1_kind".to_owned(), "attribution".to_owned());
    let draft = forms::validate_seance(&f).map_err(AppError::Validation)?;
    let s = seances::create(&st.db, st.clock.now(), coord, gid, &draft).await?;
    let sid = s.id;
    seances::record_convocation(
        &st.db,
        st.clock.now(),
        coord,
        gid,
        sid,
        d.cal.day(timeline::SCORING),
    )
    .await?;
    d.set(timeline::SEANCE, hour, minute + 5);
    let present: Vec<String> = d
        .people
        .present()
        .iter()
        .map(|m| m.seat_key.clone())
        .collect();
    seances::record_attendance(&st.db, st.clock.now(), coord, gid, sid, &present).await?;
    let item = crate::cao::store::seance(&st.db, gid, sid)
        .await?
        .items
        .first()
        .map(|i| i.item.id)
        .ok_or_else(|| AppError::BadRequest("la séance n'a pas d'ordre du jour".into()))?;
    for p in &present {
        deliberations::declare(
            &st.db,
            st.clock.now(),
            president,
            gid,
            sid,
            item,
            Some(p),
            false,
            None,
        )
        .await?;
    }
    d.set(timeline::SEANCE, hour, minute + 40);
    for p in &present {
        deliberations::vote(
            &st.db,
            st.clock.now(),
            president,
            gid,
            sid,
            item,
            p,
            VoteChoice::Pour,
        )
        .await?;
    }
    deliberations::deliberate_item(&st.db, st.clock.now(), president, gid, sid, item).await?;
    d.set(timeline::SEANCE, hour, minute + 50);
    deliberations::close(
        &st.db,
        st.clock.now(),
        president,
        gid,
        sid,
        st.cao_rankings.as_ref(),
    )
    .await?;
    for m in d.people.present() {
        deliberations::sign(&st.db, st.clock.now(), &m.titulaire, gid, sid, None).await?;
    }
    Ok(sid)
}
