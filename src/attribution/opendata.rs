//! The données essentielles (R2196-1, arrêté du 22 décembre 2022, schema DECP v2.0.3) and the
//! OCDS release of each notified lot, from what Coordo stores: the mapping only; the formats
//! live in `crate::opendata`.

use super::{rules::AttributionStatus, store};
use crate::consultations::rules::procedure::ProcedureKind;
use crate::consultations::rules::technique::Technique as TechniqueAchat;
use crate::consultations::service as consultation_service;
use crate::db::entities::{establishment, member, offer_criterion};
use crate::error::AppError;
use crate::opendata::{
    BuyerParty, Ccag, ConsiderationEnvironnementale, ContractFacts, FormePrix, LieuExecution,
    ModaliteExecution, Nature, Procedure, Technique, Titulaire, TypeCodeLieu,
    TypeGroupementOperateurs, TypeIdentifiant, TypeMarche, TypePrix,
};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// OCID prefix until the groupement registers its own with the Open Contracting Partnership.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-coordo";

fn ccag(code: &str) -> Ccag {
    match code {
        "fcs" => Ccag::Fcs,
        "pi" => Ccag::Pi,
        "tic" => Ccag::Tic,
        "travaux" => Ccag::Travaux,
        "moe" => Ccag::Moe,
        "mi" => Ccag::Mi,
        _ => Ccag::Aucun,
    }
}

fn postal_code(address: &str) -> Option<String> {
    address
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 5)
        .map(str::to_owned)
}

/// A legal person's SIRET: the first SIRET of its establishments (same SIREN).
async fn siret_of<C: ConnectionTrait>(
    db: &C,
    m: &member::Model,
) -> Result<Option<String>, AppError> {
    let es = establishment::Entity::find()
        .filter(establishment::Column::MemberId.eq(m.id))
        .all(db)
        .await?;
    Ok(es
        .iter()
        .filter_map(|e| serde_json::from_str::<Vec<String>>(&e.sirets).ok())
        .flatten()
        .next())
}

/// The facts of every notified lot of a consultation.
///
/// # Errors
/// `Conflict` when nothing is notified yet or a datum is missing (French); database errors.
pub async fn facts<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<Vec<ContractFacts>, AppError> {
    let today = now.with_timezone(&Paris).date_naive();
    let d = consultation_service::detail(db, gid, cid, today).await?;
    let notified = d.c.notified_on.ok_or_else(|| {
        AppError::Conflict("Le marché n'est pas encore notifié : les données essentielles se publient après la notification (R2196-1).".into())
    })?;
    let data = crate::pieces::service::dce_data(db, cid).await?;
    let duree = data.duration_months.ok_or_else(|| {
        AppError::Conflict("Renseignez la durée du marché (mois) dans « Données du DCE ».".into())
    })?;
    let mut members = Vec::new();
    for m in store::active_members(db, gid, today).await? {
        let lead = m.role.as_deref() == Some("coordonnateur");
        members.push(BuyerParty {
            name: m.name.clone(),
            siret: siret_of(db, &m).await?,
            finess: m.finess_juridique.clone(),
            lead,
        });
    }
    let coord_address = store::active_members(db, gid, today)
        .await?
        .into_iter()
        .find(|m| m.role.as_deref() == Some("coordonnateur"))
        .map(|m| m.address)
        .unwrap_or_default();
    let lieu_execution = LieuExecution {
        code: postal_code(&coord_address).unwrap_or_else(|| "59000".into()),
        type_code: TypeCodeLieu::CodePostal,
    };
    let environmental = offer_criterion::Entity::find()
        .filter(offer_criterion::Column::ConsultationId.eq(cid))
        .filter(offer_criterion::Column::Environmental.eq(true))
        .one(db)
        .await?
        .is_some();
    let (techniques, modalites) = decp_technique(&d.c);
    let procedure = match d.procedure {
        // A marché spécifique is passed under the SAD, set up as an appel d'offres restreint
        // (R2162-38).
        Some(_) if d.c.technique == TechniqueAchat::Sad => Procedure::Aor,
        Some(ProcedureKind::AppelOffresOuvert) => Procedure::Aoo,
        Some(ProcedureKind::ProcedureAdaptee) => Procedure::Mapa,
        Some(ProcedureKind::SansPubliciteNiMiseEnConcurrence) => Procedure::SansPublicite,
        None => {
            return Err(AppError::Conflict(
                "La procédure de la consultation n'est pas déterminée.".into(),
            ));
        }
    };
    let nature = match d.c.nature.as_str() {
        "fournitures" => Nature::Fournitures,
        "travaux" => Nature::Travaux,
        _ => Nature::Services,
    };
    let plis = crate::offers::register::list(db, cid).await?;
    let mut out = Vec::new();
    for a in store::attributions(db, cid).await? {
        if !matches!(
            store::status(&a),
            AttributionStatus::Notifiee | AttributionStatus::EnVigueur
        ) {
            continue;
        }
        let p = plis
            .iter()
            .find(|p| p.id == a.pli_id)
            .ok_or(AppError::NotFound)?;
        let lot = d.lots.iter().find(|l| Some(l.lot.id) == a.lot_id);
        let amount = crate::db::stored::decimal(
            &format!("montant HT de l'attribution n° {}", a.id),
            &a.amount_ht,
        )?;
        let maximum = lot.map_or(amount, |l| l.total_ht.max(amount));
        out.push(ContractFacts {
            consultation_reference: d.c.reference.clone(),
            lot_number: lot.and_then(|l| u32::try_from(l.lot.number).ok()),
            lot_title: lot.map(|l| l.lot.label.clone()),
            members: members.clone(),
            objet: d.c.objet.clone(),
            type_marche: TypeMarche::Marche,
            nature,
            procedure,
            techniques: techniques.clone(),
            modalites_execution: modalites.clone(),
            id_accord_cadre: None,
            cpv: d.c.cpv.clone(),
            lieu_execution: lieu_execution.clone(),
            duree_mois: duree,
            date_notification: notified,
            date_publication: today,
            date_attribution: Some(a.decided_at.with_timezone(&Paris).date_naive()),
            date_signature: a.signed_on,
            // An accord-cadre is published with its maximum (DECP `montant`: fixed or maximum).
            montant: maximum,
            forme_prix: FormePrix::Unitaire,
            types_prix: vec![TypePrix::DefinitifRevisable],
            ccag: ccag(&d.c.ccag),
            offres_recues: u32::try_from(
                plis.iter()
                    .filter(|x| x.lot_id == a.lot_id && !x.hors_delai && !x.superseded)
                    .count(),
            )
            .unwrap_or(u32::MAX),
            considerations_sociales: Vec::new(),
            considerations_environnementales: if environmental {
                vec![ConsiderationEnvironnementale::CritereEnvironnemental]
            } else {
                Vec::new()
            },
            marche_innovant: false,
            attribution_avance: false,
            taux_avance: Decimal::ZERO,
            titulaires: vec![Titulaire {
                name: p.bidder_name.clone(),
                type_identifiant: TypeIdentifiant::Siret,
                identifiant: Some(p.siret.clone()),
            }],
            type_groupement_operateurs: TypeGroupementOperateurs::PasDeGroupement,
            sous_traitance_declaree: false,
            ocid_prefix: DEFAULT_OCID_PREFIX.into(),
        });
    }
    if out.is_empty() {
        return Err(AppError::Conflict(
            "Aucun marché notifié dans cette consultation.".into(),
        ));
    }
    Ok(out)
}

/// The DECP document of the consultation (one record per notified lot).
///
/// # Errors
/// As [`facts`], and the French message of an invalid datum.
pub async fn decp<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, AppError> {
    let mut records = Vec::new();
    for f in facts(db, gid, cid, now).await? {
        records.push(
            crate::opendata::decp::record(&f)
                .map_err(|e| AppError::Conflict(format!("Données essentielles : {e}")))?,
        );
    }
    Ok(crate::opendata::decp::document(&records))
}

/// The OCDS releases of the consultation (a release package without publisher metadata).
///
/// # Errors
/// As [`facts`], and the French message of an invalid datum.
pub async fn ocds<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, AppError> {
    let mut releases = Vec::new();
    for f in facts(db, gid, cid, now).await? {
        releases.push(
            crate::opendata::ocds::release(&f, now)
                .map_err(|e| AppError::Conflict(format!("OCDS : {e}")))?,
        );
    }
    Ok(serde_json::json!({
        "uri": format!("coordo:consultation:{cid}"),
        "version": "1.1",
        "publishedDate": now.to_rfc3339(),
        "publisher": {"name": "Coordo"},
        "releases": releases,
    }))
}

/// DECP `techniques` and `modalitesExecution` of the consultation's technique d'achat
/// (arrêté du 22 décembre 2022, schema 2.0): « Sans objet » is an empty list.
fn decp_technique(
    c: &crate::db::entities::consultation::Model,
) -> (Vec<Technique>, Vec<ModaliteExecution>) {
    match c.technique {
        TechniqueAchat::Aucune => (Vec::new(), Vec::new()),
        TechniqueAchat::Sad => (vec![Technique::SystemeAcquisitionDynamique], Vec::new()),
        TechniqueAchat::AccordCadre => {
            let (bons, subsequents) = c.execution.map_or((false, false), |e| e.modes());
            let mut m = Vec::new();
            if bons {
                m.push(ModaliteExecution::BonsDeCommande);
            }
            if subsequents {
                m.push(ModaliteExecution::MarchesSubsequents);
            }
            (vec![Technique::AccordCadre], m)
        }
    }
}
