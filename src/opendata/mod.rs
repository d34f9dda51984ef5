//! Open-data exports of a notified marché, as pure functions (no I/O):
//! - [`decp`]: the *données essentielles* (CCP R2196-1, arrêté du 22 décembre 2022), format
//!   réglementaire v2.0.3 of github.com/139bercy/format-commande-publique
//!   (`data/decp/schema_decp_v2.0.3.json`);
//! - [`ocds`]: the same facts as an Open Contracting Data Standard 1.1 release.
//!
//! The caller maps its database rows into [`ContractFacts`]; both exports check them first
//! and fail with an [`OpenDataError`] (French message naming the field) rather than publish
//! data the portal would reject.

pub mod decp;
pub mod ocds;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Number;

use crate::identifiers::{Finess, IdentifierError, Siret};

/// Why a notified marché cannot be exported (French messages naming the field at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenDataError {
    #[error(
        "référence de consultation vide : elle est nécessaire pour construire l'identifiant DECP"
    )]
    ReferenceVide,
    #[error(
        "identifiant DECP « {id} » : {len} caractères, 16 au maximum (année sur 4 + référence \
         de consultation + numéro de lot sur 2) ; raccourcissez la référence de consultation"
    )]
    IdTropLong { id: String, len: usize },
    #[error("identifiant « {id} » : le caractère « {character} » est à éviter (schéma DECP)")]
    IdCaractereInterdit { id: String, character: char },
    #[error("numéro de lot {lot} : il doit être compris entre 1 et 99")]
    LotInvalide { lot: u32 },
    #[error("aucun membre du groupement n'est marqué coordonnateur (lead)")]
    AucunCoordonnateur,
    #[error("{count} membres sont marqués coordonnateur (lead) : un seul est attendu")]
    PlusieursCoordonnateurs { count: usize },
    #[error("SIRET du coordonnateur « {name} » manquant : c'est l'identifiant de l'acheteur DECP")]
    SiretCoordonnateurManquant { name: String },
    #[error("nom manquant pour un {role}")]
    NomManquant { role: &'static str },
    #[error(transparent)]
    Identifiant(#[from] IdentifierError),
    #[error("objet du marché vide")]
    ObjetVide,
    #[error("objet du marché : {len} caractères, 1 000 au maximum (schéma DECP)")]
    ObjetTropLong { len: usize },
    #[error(
        "code CPV « {cpv} » invalide : 8 chiffres attendus, suivis ou non de « -chiffre de contrôle »"
    )]
    CpvInvalide { cpv: String },
    #[error("lieu d'exécution « {code} » invalide pour le type « {type_code} »")]
    LieuExecutionInvalide {
        code: String,
        type_code: &'static str,
    },
    #[error("durée du marché nulle : au moins 1 mois (tranches et reconductions comprises)")]
    DureeNulle,
    #[error("{field} {value} € HT invalide : au moins 1 € (schéma DECP)")]
    MontantTropFaible { field: &'static str, value: Decimal },
    #[error("{field} {value} : plus de 2 décimales")]
    MontantTropPrecis { field: &'static str, value: Decimal },
    #[error("{field} {value} : au-delà de 9 999 999 999 999,99, non représentable exactement")]
    MontantTropGrand { field: &'static str, value: Decimal },
    #[error("{field} {value} : un taux entre 0 et 1 est attendu (0,05 = 5 %)")]
    TauxInvalide { field: &'static str, value: Decimal },
    #[error("taux d'avance {taux} alors qu'aucune avance n'est attribuée : mettez 0")]
    TauxSansAvance { taux: Decimal },
    #[error("nombre d'offres reçues nul : au moins 1 pour un marché attribué")]
    AucuneOffre,
    #[error("aucun titulaire : au moins un attributaire est attendu")]
    AucunTitulaire,
    #[error("identifiant ({type_identifiant}) du titulaire « {name} » manquant")]
    IdentifiantTitulaireManquant {
        name: String,
        type_identifiant: &'static str,
    },
    #[error("{count} titulaire(s) et type de groupement « {type_groupement} » : incohérent")]
    GroupementOperateursIncoherent {
        count: usize,
        type_groupement: &'static str,
    },
    #[error("type de prix manquant : au moins un (ex. « Définitif révisable »)")]
    TypePrixManquant,
    #[error("date de publication {publication} antérieure à la notification {notification}")]
    PublicationAvantNotification {
        publication: NaiveDate,
        notification: NaiveDate,
    },
    #[error(
        "préfixe OCID « {prefix} » invalide : « ocds- » suivi de 6 lettres minuscules ou chiffres"
    )]
    OcidPrefixInvalide { prefix: String },
    #[error("l'organisation « {id} » apparaît deux fois parmi les parties OCDS")]
    PartieEnDouble { id: String },
}

/// Everything both exports need about one notified marché (one lot), mapped by the caller.
///
/// The DECP identifier is not stored: [`ContractFacts::decp_id`] derives it from the year of
/// notification, the consultation reference and the lot number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ContractFacts {
    /// Internal reference of the consultation (at most 10 characters fit the DECP id).
    pub consultation_reference: String,
    /// Lot number (1–99), `None` for a marché without lots.
    pub lot_number: Option<u32>,
    pub lot_title: Option<String>,
    /// Every member of the groupement de commandes; exactly one has `lead` (the coordonnateur).
    pub members: Vec<BuyerParty>,
    pub objet: String,
    /// DECP `nature` (Marché, marché de partenariat, de défense ou de sécurité).
    pub type_marche: TypeMarche,
    /// Fournitures, services or travaux (same codes as the consultation's nature).
    pub nature: Nature,
    pub procedure: Procedure,
    /// Empty → « Sans objet ».
    pub techniques: Vec<Technique>,
    /// Empty → « Sans objet ».
    pub modalites_execution: Vec<ModaliteExecution>,
    /// For a marché subséquent: the DECP id of its accord-cadre.
    pub id_accord_cadre: Option<String>,
    /// Main CPV code, with or without its check digit (`48000000-8`).
    pub cpv: String,
    pub lieu_execution: LieuExecution,
    /// Initial duration in months, tranches and reconductions included (rounded up).
    pub duree_mois: u32,
    pub date_notification: NaiveDate,
    /// First publication of the données essentielles.
    pub date_publication: NaiveDate,
    /// Date of the award decision (OCDS only).
    pub date_attribution: Option<NaiveDate>,
    /// Date of signature by the coordonnateur (OCDS only).
    pub date_signature: Option<NaiveDate>,
    /// Montant HT, forfaitaire or estimated maximum (€).
    pub montant: Decimal,
    pub forme_prix: FormePrix,
    pub types_prix: Vec<TypePrix>,
    pub ccag: Ccag,
    /// Offers received, irregular, unacceptable, inappropriate and abnormally low included.
    pub offres_recues: u32,
    /// Empty → « Pas de considération sociale ».
    pub considerations_sociales: Vec<ConsiderationSociale>,
    /// Empty → « Pas de considération environnementale ».
    pub considerations_environnementales: Vec<ConsiderationEnvironnementale>,
    pub marche_innovant: bool,
    pub attribution_avance: bool,
    /// 0.05 = 5 %; 0 with `attribution_avance` means « avance, taux inconnu ».
    pub taux_avance: Decimal,
    pub titulaires: Vec<Titulaire>,
    pub type_groupement_operateurs: TypeGroupementOperateurs,
    pub sous_traitance_declaree: bool,
    /// OCDS prefix registered with the Open Contracting Partnership, e.g. `ocds-abc123`.
    pub ocid_prefix: String,
}

/// A member of the groupement de commandes (convention constitutive, CCP L2113-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct BuyerParty {
    pub name: String,
    pub siret: Option<String>,
    /// FINESS juridique.
    pub finess: String,
    /// True for the coordonnateur (L2113-7), who runs the procedure and signs.
    pub lead: bool,
}

/// An attributaire, identified as DECP `titulaires[].titulaire` wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Titulaire {
    pub name: String,
    pub type_identifiant: TypeIdentifiant,
    /// SIRET (14 digits) when `type_identifiant` is SIRET, which DECP prefers.
    pub identifiant: Option<String>,
}

/// DECP `lieuExecution`: an INSEE code (preferred) or a postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct LieuExecution {
    pub code: String,
    pub type_code: TypeCodeLieu,
}

/// Defines a closed list whose serde form is the snake_case code and whose `label()` is the
/// exact French string of DECP schema v2.0.3 (checked against the schema in `decp` tests).
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// French label (for DECP fields, the schema's exact string).
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }
    };
}

labelled_enum!(
    /// DECP `nature`.
    TypeMarche { Marche => "Marché", MarcheDePartenariat => "Marché de partenariat",
    MarcheDefenseOuSecurite => "Marché de défense ou de sécurité" }
);
labelled_enum!(
    /// Fournitures, services, travaux (CCP L1111-2 to L1111-4); OCDS `mainProcurementCategory`.
    Nature { Fournitures => "Fournitures", Services => "Services", Travaux => "Travaux" }
);
labelled_enum!(
    /// DECP `procedure`; codes: aoo, aor, mapa, negociee, dialogue, sans_publicite.
    Procedure { Mapa => "Procédure adaptée", Aoo => "Appel d'offres ouvert",
    Aor => "Appel d'offres restreint", Negociee => "Procédure avec négociation",
    SansPublicite => "Marché passé sans publicité ni mise en concurrence préalable",
    Dialogue => "Dialogue compétitif" }
);
labelled_enum!(
    /// DECP `techniques.technique` (« Sans objet » is an empty list).
    Technique { AccordCadre => "Accord-cadre", Concours => "Concours",
    SystemeQualification => "Système de qualification",
    SystemeAcquisitionDynamique => "Système d'acquisition dynamique",
    CatalogueElectronique => "Catalogue électronique",
    EnchereElectronique => "Enchère électronique" }
);
labelled_enum!(
    /// DECP `modalitesExecution.modaliteExecution` (« Sans objet » is an empty list).
    ModaliteExecution { Tranches => "Tranches", BonsDeCommande => "Bons de commande",
    MarchesSubsequents => "Marchés subséquents" }
);
labelled_enum!(
    /// DECP `ccag`; codes fcs, pi, tic, travaux, moe, mi, aucun. The schema spells « Maitrise ».
    Ccag { Travaux => "Travaux", Moe => "Maitrise d'œuvre",
    Fcs => "Fournitures courantes et services", Mi => "Marchés industriels",
    Pi => "Prestations intellectuelles",
    Tic => "Techniques de l'information et de la communication", Aucun => "Pas de CCAG" }
);
labelled_enum!(
    /// DECP `formePrix`.
    FormePrix { Unitaire => "Unitaire", Forfaitaire => "Forfaitaire", Mixte => "Mixte" }
);
labelled_enum!(
    /// DECP `typesPrix.typePrix`.
    TypePrix { DefinitifFerme => "Définitif ferme", DefinitifActualisable => "Définitif actualisable",
    DefinitifRevisable => "Définitif révisable", Provisoire => "Provisoire" }
);
labelled_enum!(
    /// DECP `lieuExecution.typeCode`.
    TypeCodeLieu { CodePostal => "Code postal", CodeCommune => "Code commune",
    CodeArrondissement => "Code arrondissement", CodeCanton => "Code canton",
    CodeDepartement => "Code département", CodeRegion => "Code région", CodePays => "Code pays" }
);
labelled_enum!(
    /// DECP `considerationsSociales.considerationSociale` (empty list → « Pas de … »).
    ConsiderationSociale { ClauseSociale => "Clause sociale", CritereSocial => "Critère social",
    MarcheReserve => "Marché réservé" }
);
labelled_enum!(
    /// DECP `considerationsEnvironnementales.considerationEnvironnementale` (empty → « Pas de … »).
    ConsiderationEnvironnementale { ClauseEnvironnementale => "Clause environnementale",
    CritereEnvironnemental => "Critère environnemental" }
);
labelled_enum!(
    /// DECP `typeGroupementOperateurs`.
    TypeGroupementOperateurs { Conjoint => "Conjoint", Solidaire => "Solidaire",
    PasDeGroupement => "Pas de groupement" }
);
labelled_enum!(
    /// DECP `titulaire.typeIdentifiant`.
    TypeIdentifiant { Siret => "SIRET", Tva => "TVA", Tahiti => "TAHITI", Ridet => "RIDET",
    Frwf => "FRWF", Irep => "IREP", HorsUe => "HORS-UE" }
);

/// Facts checked once, shared by the DECP and OCDS exports.
pub(crate) struct Checked<'a> {
    pub id: String,
    pub lead: &'a BuyerParty,
    pub buyer_siret: String,
    /// CPV without check digit (8 digits), which the schema prefers.
    pub cpv: String,
    pub objet: String,
    pub montant: Number,
    pub taux_avance: Number,
    /// Normalised identifiers of the titulaires, in order.
    pub titulaire_ids: Vec<String>,
}

impl ContractFacts {
    /// DECP id: year of notification (4) + consultation reference + lot number on 2 digits
    /// (`00` without lots), the layout of the historical DECP id (année de notification, numéro
    /// interne, 2-character sequence), within the 1–16 characters of `IdentifiantMarche`.
    pub fn decp_id(&self) -> Result<String, OpenDataError> {
        let reference = self.consultation_reference.trim();
        if reference.is_empty() {
            return Err(OpenDataError::ReferenceVide);
        }
        let lot = match self.lot_number {
            None => 0,
            Some(n @ 1..=99) => n,
            Some(lot) => return Err(OpenDataError::LotInvalide { lot }),
        };
        let id = format!("{:04}{reference}{lot:02}", self.date_notification.year());
        decp::check_identifier(&id)?;
        Ok(id)
    }

    /// Checks every rule of the schema that the types alone cannot express.
    pub fn validate(&self) -> Result<(), OpenDataError> {
        self.check().map(|_| ())
    }

    /// The coordonnateur: the one member flagged `lead` (CCP L2113-7; convention art. 5).
    pub fn coordonnateur(&self) -> Result<&BuyerParty, OpenDataError> {
        let leads: Vec<&BuyerParty> = self.members.iter().filter(|m| m.lead).collect();
        match leads.as_slice() {
            [lead] => Ok(lead),
            [] => Err(OpenDataError::AucunCoordonnateur),
            _ => Err(OpenDataError::PlusieursCoordonnateurs { count: leads.len() }),
        }
    }

    /// Checks the facts against DECP v2.0.3 (and arrêté du 22 décembre 2022 annexe) and
    /// returns the normalised values both exports use.
    pub(crate) fn check(&self) -> Result<Checked<'_>, OpenDataError> {
        let id = self.decp_id()?;
        if let Some(ac) = self
            .id_accord_cadre
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            decp::check_identifier(ac)?;
        }
        for m in &self.members {
            if m.name.trim().is_empty() {
                return Err(OpenDataError::NomManquant {
                    role: "membre du groupement",
                });
            }
            Finess::parse_field(
                &format!("FINESS juridique du membre « {} »", m.name),
                &m.finess,
            )?;
            if let Some(s) = &m.siret {
                Siret::parse_field(&format!("SIRET du membre « {} »", m.name), s)?;
            }
        }
        let lead = self.coordonnateur()?;
        let buyer_siret = lead
            .siret
            .as_deref()
            .map(|s| Siret::parse_field("SIRET du coordonnateur", s))
            .transpose()?
            .ok_or_else(|| OpenDataError::SiretCoordonnateurManquant {
                name: lead.name.clone(),
            })?
            .to_string();
        let objet = self.decp_objet()?;
        let cpv = decp::cpv_without_check_digit(&self.cpv)?;
        decp::check_lieu(&self.lieu_execution.code, self.lieu_execution.type_code)?;
        if self.duree_mois == 0 {
            return Err(OpenDataError::DureeNulle);
        }
        if self.date_publication < self.date_notification {
            return Err(OpenDataError::PublicationAvantNotification {
                publication: self.date_publication,
                notification: self.date_notification,
            });
        }
        let montant = decp::amount_number("montant", self.montant)?;
        if self.types_prix.is_empty() {
            return Err(OpenDataError::TypePrixManquant);
        }
        if self.offres_recues == 0 {
            return Err(OpenDataError::AucuneOffre);
        }
        let taux_avance = decp::rate_number("taux d'avance", self.taux_avance)?;
        if !self.attribution_avance && !self.taux_avance.is_zero() {
            return Err(OpenDataError::TauxSansAvance {
                taux: self.taux_avance,
            });
        }
        let titulaire_ids = decp::titulaire_ids(self)?;
        Ok(Checked {
            id,
            lead,
            buyer_siret,
            cpv,
            objet,
            montant,
            taux_avance,
            titulaire_ids,
        })
    }

    /// DECP `objet` « de l'objet du marché ou du lot »: the lot is appended when there is one.
    fn decp_objet(&self) -> Result<String, OpenDataError> {
        let objet = self.objet.trim();
        if objet.is_empty() {
            return Err(OpenDataError::ObjetVide);
        }
        let full = match (self.lot_number, self.lot_title.as_deref().map(str::trim)) {
            (Some(n), Some(t)) if !t.is_empty() => format!("{objet} — lot {n} : {t}"),
            (Some(n), _) => format!("{objet} — lot {n}"),
            (None, _) => objet.to_owned(),
        };
        let len = full.chars().count();
        if len > decp::OBJET_MAX {
            return Err(OpenDataError::ObjetTropLong { len });
        }
        Ok(full)
    }
}

#[cfg(test)]
#[path = "opendata_tests.rs"]
mod tests;
