use sea_orm::entity::prelude::*;

/// One dated mandate in the groupement's CAO (convention art. 5.4; CGCT L1414-3 III).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cao_seat_assignment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    /// The member represented; `None` for a consultative person external to the members.
    pub member_id: Option<i32>,
    pub person_name: String,
    pub person_email: Option<String>,
    /// The account of the person, when it has one (signs and declares for this seat).
    pub user_id: Option<i32>,
    /// `titulaire`, `suppleant` or `consultatif`.
    pub role: String,
    /// For `consultatif`: `amoa`, `expert`, `comptable_public`, `dgccrf`, `agent_membre`.
    pub consultative_kind: Option<String>,
    pub designation_date: Date,
    pub designation_body: String,
    pub voting_member_of_own_cao: Option<bool>,
    pub valid_from: Date,
    /// Last day of the mandate (inclusive).
    pub valid_to: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
