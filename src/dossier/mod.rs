//! The dossier of a consultation: every fact a procedure rests on, loaded once per action —
//! the groupement and the members taking part, the consultation with its lots, needs, procedure
//! and legal calendar, the DCE data written by the coordonnateur, and the award-criteria grid.
//!
//! Pieces, letters, lifecycle checks and exports are derived from one `Dossier` rather than
//! each area reloading (or re-deriving) what another holds: the RC announces exactly the grid
//! the CAO scores with, and the publication is refused on the same facts the RC is written from.

pub mod analysis;
pub mod dce_data;
pub mod grid;
pub mod price_lines;
pub mod rules;

use crate::consultations::service::{self as consultations, Detail};
use crate::db::entities::{groupement, sad_admis};
use crate::error::AppError;
use crate::registry::service::{self as registry, MemberWithEstablishments};
use crate::scoring::Criterion;
use chrono::NaiveDate;
use dce_data::DceData;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// What the database holds for one consultation.
#[derive(Clone, Debug)]
pub struct Dossier {
    pub groupement: groupement::Model,
    /// The members taking part: active on the launch date (convention art. 15), every member
    /// not withdrawn while the consultation is not launched yet.
    pub members: Vec<MemberWithEstablishments>,
    pub detail: Detail,
    pub data: DceData,
    /// The award criteria, as the scoring engine reads them (R2152-11, R2152-12).
    pub criteria: Vec<Criterion>,
    /// The OAB detection method: the RC (art. 9.3) and the rapport d'analyse word it with the
    /// same clause (`clauses/oab_detection`).
    pub oab_method: crate::scoring::OabMethod,
    /// The price lines of the BPU/DQE, by lot (none: one line per lot from the needs).
    pub price_lines: Vec<price_lines::PriceLine>,
    /// The candidates admitted in the SAD's category, for a marché spécifique (else none).
    pub admitted: Vec<sad_admis::Model>,
}

impl Dossier {
    /// The date of the dated rules: the launch date, else today (`Detail::reference_date`).
    #[must_use]
    pub fn reference_date(&self) -> NaiveDate {
        self.detail.reference_date
    }

    /// What forbids publishing the award criteria (empty grid, no environmental criterion from
    /// 21 August 2026): French sentences.
    #[must_use]
    pub fn award_criteria_problems(&self) -> Vec<String> {
        rules::award_criteria_problems(self.reference_date(), &self.criteria)
    }

    /// What the technique d'achat forbids publishing: an accord-cadre without maximum or
    /// beyond four years unjustified, a marché spécifique without admitted candidates.
    #[must_use]
    pub fn technique_problems(&self) -> Vec<String> {
        crate::consultations::rules::technique_choice::publication_problems(
            &self.detail.c.technique_choice(),
            self.detail.total_ht,
            self.data.duration_months,
            self.admitted.len(),
            self.reference_date(),
        )
    }
}

/// Loads the dossier of consultation `cid` of groupement `gid`.
///
/// # Errors
/// `NotFound`; database errors.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    today: NaiveDate,
) -> Result<Dossier, AppError> {
    let detail = consultations::detail(db, gid, cid, today).await?;
    let groupement = registry::groupement(db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    let launch = detail.c.launch_date;
    let members = registry::members(db, gid)
        .await?
        .into_iter()
        .filter(|m| match launch {
            Some(l) => rules::member_active_on(m.member.withdrawn_on, l),
            None => m.member.withdrawn_on.is_none(),
        })
        .collect();
    let data = dce_data::dce_data(db, cid).await?;
    let criteria = grid::tree(&grid::rows(db, cid).await?)?;
    let oab_method = analysis::oab_method(&analysis::settings(db, cid).await?);
    let price_lines = price_lines::load(db, cid).await?;
    let admitted = sad_admis::Entity::find()
        .filter(sad_admis::Column::ConsultationId.eq(cid))
        .order_by_asc(sad_admis::Column::Position)
        .all(db)
        .await?;
    Ok(Dossier {
        admitted,
        groupement,
        members,
        detail,
        data,
        criteria,
        oab_method,
        price_lines,
    })
}
