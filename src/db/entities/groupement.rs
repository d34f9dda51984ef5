use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groupement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable key used by `coordo import` to find the groupement again: the coordonnateur's
    /// FINESS juridique.
    #[sea_orm(unique)]
    pub import_key: String,
    pub name: String,
    pub legal_basis: String,
    pub convention_adopted_on: Option<Date>,
    /// JSON of `registry::GroupementSettings`.
    pub settings: String,
    /// JSON of the parts of the source file Coordo keeps but does not model (budget, timeline…).
    pub extra: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::member::Entity")]
    Member,
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
