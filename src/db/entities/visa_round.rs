use sea_orm::entity::prelude::*;

/// One visa round: the coordonnateur's request for every member's visa on the exact versions
/// listed in `visa_round_piece` (convention art. 5.4, 6.2).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visa_round")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub requested_at: DateTimeUtc,
    /// The request date in Europe/Paris (start of the tacit delay).
    pub requested_on: Date,
    pub due_on: Date,
    /// Tacit approval after this many jours ouvrés (groupement setting when the round opened).
    pub tacit_jours_ouvres: Option<i32>,
    /// Cached `rules::RoundStatus`: `en_cours`, `complet`, `bloque`.
    pub status: String,
    pub created_by_user_id: Option<i32>,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
