use sea_orm::entity::prelude::*;

/// One pli of the register (`crate::offers::register`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pli")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub lot_id: Option<i32>,
    pub bidder_name: String,
    /// Checked with `identifiers::Siret`, stored compact (14 digits).
    pub siret: String,
    pub address: String,
    pub contact_email: String,
    pub received_at: DateTimeUtc,
    /// `profil_acheteur`, `papier`, `support_physique`.
    pub channel: String,
    /// Decimal string HT; entered only after the offers deadline.
    pub price_ht: Option<String>,
    /// Received after the offers deadline: never opened.
    pub hors_delai: bool,
    /// A later pli of the same bidder for the same lot, before the deadline, replaces it (R2151-6).
    pub superseded: bool,
    /// `a_examiner`, `recevable`, `a_completer`, `irrecevable`.
    pub candidature_status: String,
    pub candidature_reason: Option<String>,
    /// `a_examiner`, `admissible`, `irreguliere`, `inacceptable`, `inappropriee`.
    pub offer_status: String,
    pub offer_reason: Option<String>,
    pub regularisation: Option<String>,
    pub oab_requested_on: Option<Date>,
    pub oab_answer: Option<String>,
    /// `justifiee` or `rejetee`.
    pub oab_decision: Option<String>,
    pub oab_decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the pli was entered in Coordo (the system's time).
    pub entered_at: Option<DateTimeUtc>,
    /// Receipt reference of a pli transcribed from the buyer's platform (its time is then the
    /// platform's); `None` for a pli registered in Coordo at its reception.
    pub platform_receipt: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
