//! Stage « publiée »: the DCE submitted to the visa of every member (convention art. 5.4 and
//! 6.2), each référent's visa on each piece — one favourable « avec réserves » — then « prête à
//! publier » and « publiée » through the lifecycle, which checks the visas and the grid.

use super::tenders::Tender;
use super::{Demo, timeline};
use crate::docgen::DocKind;
use crate::error::AppError;
use crate::visas::rules::VisaDecision;
use crate::visas::service::{self as visas, AnswerInput};

/// The piece on which one référent gives its visa with reserves.
pub const RESERVED_PIECE: DocKind = DocKind::Cctp;

/// The reserve (its référent is the second member's).
pub const RESERVE: &str = "Visa favorable sous réserve : préciser au CCTP la reprise des dossiers papier du service d'aide à domicile avant la mise en service.";

/// Visas and publication of consultation `cid`.
///
/// # Errors
/// The refusal of the service concerned.
pub async fn run(d: &Demo, t: &Tender, cid: i32) -> Result<(), AppError> {
    let _ = t;
    let (st, gid) = (&d.st, d.gid);
    let coord = d.people.coordonnateur.actor();
    d.set(timeline::DCE, 11, 0);
    crate::transitions::transition(st, &coord, gid, cid, "pieces_en_visa", None).await?;
    let round = visas::submit(
        &st.db,
        st.clock.now(),
        &coord,
        gid,
        cid,
        &crate::pieces::context::DCE_KINDS,
        d.cal.day(timeline::VISAS + 2),
        &st.settings.base_url,
    )
    .await?;
    let rid = round.round.id;
    for (i, m) in d.people.members.iter().enumerate() {
        d.set(
            timeline::VISAS,
            9 + u32::try_from(i).unwrap_or(0) / 2,
            (u32::try_from(i).unwrap_or(0) % 2) * 30,
        );
        for p in &round.pieces {
            let reserved = i == 1 && p.piece_kind == RESERVED_PIECE.as_str();
            let input = AnswerInput {
                piece_version_id: p.piece_version_id,
                member_id: None,
                decision: if reserved {
                    VisaDecision::FavorableAvecReserves
                } else {
                    VisaDecision::Favorable
                },
                comment: reserved.then(|| RESERVE.to_owned()),
            };
            visas::answer(
                &st.db,
                st.clock.now(),
                &m.referent,
                gid,
                cid,
                rid,
                &input,
                &st.settings.base_url,
            )
            .await?;
        }
    }
    d.set(timeline::PUBLICATION, 9, 0);
    crate::transitions::transition(st, &coord, gid, cid, "prete_publier", None).await?;
    d.set(timeline::PUBLICATION, 9, 30);
    crate::transitions::transition(st, &coord, gid, cid, "publiee", None).await?;
    Ok(())
}
