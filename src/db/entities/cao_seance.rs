use sea_orm::entity::prelude::*;

/// A séance of the groupement's CAO.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_seance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    /// `AAAA-NN`, numbered per year of the séance.
    pub number: String,
    /// Paris wall-clock time `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub place: String,
    pub remote: bool,
    pub secretary: String,
    /// `prevue`, `convoquee`, `tenue`, `carence`.
    pub status: String,
    /// Convened again after a carence: sits without quorum (CGCT L1411-5 II).
    pub second_convocation: bool,
    pub previous_seance_id: Option<i32>,
    pub convocation_sent_on: Option<Date>,
    pub attendance_recorded_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
