use sea_orm::entity::prelude::*;

/// Settings of the analysis of the offers of one consultation (`crate::offers`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_analysis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub consultation_id: i32,
    /// JSON of `scoring::OabMethod`; `None` = the default ratio 0.8.
    pub oab_method: Option<String>,
    /// Deadline to complete candidatures, the same for all (R2144-2), Paris `YYYY-MM-DDTHH:MM`.
    pub completion_deadline: Option<String>,
    /// Set when the coordonnateur asked for the ranking on the submitted sheets only.
    pub ranking_forced_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
