use sea_orm::entity::prelude::*;

/// One attempt to award a lot (or the whole consultation) to one pli, from the NOTI1 to the
/// acknowledgement of the NOTI5 (`crate::attribution`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attribution")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub lot_id: Option<i32>,
    pub pli_id: i32,
    /// 1 for the first-ranked bidder, 2 after one cascade (R2144-7), …
    pub attempt: i32,
    /// `cao` (deliberation of the commission) or `coordonnateur` (MAPA).
    pub basis: String,
    pub deliberation_id: Option<i32>,
    /// Motifs du choix de l'offre (R2181-3 1°).
    pub reasons: String,
    /// Decimal string HT: the pli's price.
    pub amount_ht: String,
    /// `attribution::rules::AttributionStatus` code.
    pub status: String,
    /// JSON array of `{label, received_on}` (NOTI1 rubric F).
    pub certificates: String,
    pub certificates_deadline: Option<DateTimeUtc>,
    pub noti1_sent_at: Option<DateTimeUtc>,
    pub failure_reason: Option<String>,
    pub signed_on: Option<Date>,
    pub signatory_name: Option<String>,
    pub signatory_quality: Option<String>,
    pub noti5_sent_at: Option<DateTimeUtc>,
    /// SHA-256 of the one-time acknowledgement token sent in the NOTI5 email.
    pub ack_token_sha256: Option<String>,
    /// Receipt of the notification: the marché takes effect on this date (R2182-4).
    pub acknowledged_at: Option<DateTimeUtc>,
    pub avis_published_on: Option<Date>,
    pub decided_at: DateTimeUtc,
    pub decided_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
