use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "establishment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub member_id: i32,
    pub name: String,
    /// `SSIAD`, `SAAD`, `SPASAD`, `ESAD`.
    pub kind: String,
    /// FINESS géographique.
    pub finess: String,
    /// Capacity as written in the convention ("59 bénéficiaires" is kept as is).
    pub capacity: Option<String>,
    /// JSON array of SIRET strings (an establishment may have several).
    pub sirets: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::member::Entity",
        from = "Column::MemberId",
        to = "super::member::Column::Id"
    )]
    Member,
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
