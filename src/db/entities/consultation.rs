use crate::consultations::rules::technique::Technique;
use crate::consultations::rules::technique_choice::{Attributaires, Execution};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub groupement_id: i32,
    /// The coordonnateur's reference (e.g. "2026-DUI").
    pub reference: String,
    pub objet: String,
    /// `fournitures`, `services`, `travaux`.
    pub nature: String,
    pub cpv: String,
    /// `fcs`, `pi`, `tic`, `travaux`, `moe`, `mi`, `aucun`.
    pub ccag: String,
    /// VAT rate in percent, decimal string.
    pub vat_rate: String,
    /// `consultations::lifecycle::Status` code.
    pub status: String,
    /// Procedure chosen instead of the proposed one (with its justification).
    pub procedure_chosen: Option<String>,
    pub procedure_justification: Option<String>,
    pub launch_date: Option<Date>,
    pub publication_date: Option<Date>,
    /// Offers deadline, Paris wall-clock time `YYYY-MM-DDTHH:MM`.
    pub offers_deadline: Option<String>,
    pub questions_deadline: Option<Date>,
    pub offers_validity_days: Option<i32>,
    pub electronic: bool,
    pub preinformation: bool,
    pub urgence: bool,
    /// Motif of a déclaration sans suite or infructuosité.
    pub status_motif: Option<String>,
    pub rejection_letters_sent_on: Option<Date>,
    pub signed_on: Option<Date>,
    pub notified_on: Option<Date>,
    /// Technique d'achat (L2125-1): ordinary marché, accord-cadre or marché spécifique of a SAD.
    pub technique: Technique,
    /// How an accord-cadre is executed (R2162-2).
    pub execution: Option<Execution>,
    /// One or several titulaires of an accord-cadre.
    pub attributaires: Option<Attributaires>,
    /// The SAD a marché spécifique is passed under.
    pub sad_reference: Option<String>,
    /// Why an accord-cadre lasts more than four years (L2125-1 1°).
    pub technique_justification: Option<String>,
    /// A modification of the DCE is under way after publication: the pieces may be generated
    /// and visaed again until it is announced.
    pub dce_modification_open: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The technique d'achat as its rules read it (one place: the page, the dossier's
    /// publication checks and the documents derive from it).
    #[must_use]
    pub fn technique_choice(
        &self,
    ) -> crate::consultations::rules::technique_choice::TechniqueChoice {
        crate::consultations::rules::technique_choice::TechniqueChoice {
            technique: self.technique,
            execution: self.execution,
            attributaires: self.attributaires,
            sad_reference: self.sad_reference.clone(),
            justification: self.technique_justification.clone(),
        }
    }
}
