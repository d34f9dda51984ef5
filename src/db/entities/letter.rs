use sea_orm::entity::prelude::*;

/// A letter generated and sent to a candidate (NOTI1, NOTI3, NOTI5, sans suite), its DOCX kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "letter")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub consultation_id: i32,
    pub lot_id: Option<i32>,
    pub pli_id: Option<i32>,
    pub attribution_id: Option<i32>,
    /// `noti1`, `noti3`, `noti5`, `sans_suite`, `infructueuse`.
    pub kind: String,
    pub recipient_name: String,
    pub recipient_email: String,
    /// Sending date in Europe/Paris: day 1 of the standstill (R2182-1).
    pub sent_on: Date,
    pub sent_at: DateTimeUtc,
    pub electronic: bool,
    pub filename: String,
    pub docx_sha256: String,
    pub docx: Vec<u8>,
    pub mail_message_id: Option<i32>,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
