//! The publication gate (convention art. 5.4, 6.2): every DCE piece that has a version must
//! have a complete visa round on its CURRENT version (SHA-256); visas given on an older
//! version never count. Also the current state of each piece, for the matrix and the API.

use super::rules;
use super::store::{self, RoundData};
use crate::db::entities::{piece, piece_version, visa_round_piece};
use crate::docgen::DocKind;
use crate::error::AppError;
use crate::pieces::context::{DCE_KINDS, short_code};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The current state of one DCE piece: its current version and the latest round on the piece.
#[derive(Clone, Debug)]
pub struct PieceCurrent {
    pub kind: DocKind,
    pub piece_id: i32,
    pub version_id: i32,
    pub number: i32,
    pub sha256: String,
    /// The latest round covering any version of the piece, and the version it covers.
    pub latest: Option<(RoundData, visa_round_piece::Model)>,
}

/// Every DCE piece that has a version, in DCE order, with its latest round.
///
/// # Errors
/// Database errors.
pub async fn current_pieces<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<PieceCurrent>, AppError> {
    let pieces = piece::Entity::find()
        .filter(piece::Column::ConsultationId.eq(cid))
        .all(db)
        .await?;
    let rounds = store::rounds(db, cid).await?;
    let mut out = Vec::new();
    for kind in DCE_KINDS {
        let Some(p) = pieces.iter().find(|p| p.kind == kind.as_str()) else {
            continue;
        };
        let v: Option<(i32, i32, String)> = piece_version::Entity::find()
            .select_only()
            .columns([
                piece_version::Column::Id,
                piece_version::Column::Number,
                piece_version::Column::DocxSha256,
            ])
            .filter(piece_version::Column::PieceId.eq(p.id))
            .order_by_desc(piece_version::Column::Number)
            .into_tuple()
            .one(db)
            .await?;
        let Some((version_id, number, sha256)) = v else {
            continue;
        };
        // Rounds are newest first: the first one covering the piece is the latest.
        let latest = rounds.iter().find_map(|r| {
            r.pieces
                .iter()
                .find(|rp| rp.piece_id == p.id)
                .map(|rp| (r.clone(), rp.clone()))
        });
        out.push(PieceCurrent {
            kind,
            piece_id: p.id,
            version_id,
            number,
            sha256,
            latest,
        });
    }
    Ok(out)
}

/// Convention art. 5.4 / 6.2: every DCE piece must have a complete round on its current
/// version. `Err` carries the French reason (pieces and members named).
///
/// # Errors
/// Database errors.
pub async fn publication_gate<C: ConnectionTrait>(
    db: &C,
    cid: i32,
    today: NaiveDate,
) -> Result<Result<(), String>, AppError> {
    let pieces = current_pieces(db, cid).await?;
    let states: Vec<(String, &str, Option<rules::RoundState>)> = pieces
        .iter()
        .map(|p| {
            (
                format!("{} version {}", short_code(p.kind), p.number),
                p.sha256.as_str(),
                p.latest.as_ref().map(|(r, rp)| r.piece_state(rp, today)),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, Option<&rules::RoundState>)> = states
        .iter()
        .map(|(l, h, s)| (l.as_str(), *h, s.as_ref()))
        .collect();
    Ok(rules::can_publish(&refs))
}
