use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    pub name: String,
    /// `ccas`, `association`, `commune`, `epl`, `esms_public`, `autre`.
    pub kind: String,
    pub finess_juridique: String,
    pub address: String,
    pub representative_name: String,
    pub representative_title: String,
    pub copil_member: Option<String>,
    pub has_own_cao: bool,
    /// `coordonnateur` or `porteur` (convention art. 5).
    pub role: Option<String>,
    /// Withdrawal by written notice (convention art. 15): affects only later procedures.
    pub withdrawn_on: Option<Date>,
    /// Order of the member in the convention.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::groupement::Entity",
        from = "Column::GroupementId",
        to = "super::groupement::Column::Id"
    )]
    Groupement,
    #[sea_orm(has_many = "super::establishment::Entity")]
    Establishment,
}

impl Related<super::groupement::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Groupement.def()
    }
}

impl Related<super::establishment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Establishment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
