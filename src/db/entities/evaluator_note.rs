use sea_orm::entity::prelude::*;

/// One evaluator's note of one offer on one evaluated leaf criterion, with its justification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluator_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub evaluator_id: i32,
    pub pli_id: i32,
    pub criterion_id: i32,
    /// Decimal string on the criterion's scale.
    pub note: String,
    pub justification: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
