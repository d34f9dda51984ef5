//! The acte d'engagement of the attributaire: filled from the award for its signature, then the
//! signed file uploaded by the coordonnateur, checked (type, size) and fingerprinted; the NOTI5
//! notifies that file and no other (R2182-4: the notification is the sending of a copy of the
//! contract signed by the buyer), and the archive keeps it.

use super::letters::{LotRef, Party};
use super::rules::AttributionStatus;
use super::store;
use crate::audit::Actor;
use crate::db::entities::{attribution, signed_acte};
use crate::error::AppError;
use crate::pieces::award::{Award, AwardedLot, Operator, ae_for_award};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::str::FromStr;

/// Largest signed file accepted (a scanned PDF of a few pages with its signature).
pub const MAX_SIGNED_BYTES: usize = 10 * 1024 * 1024;

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Checks an uploaded signed acte: a PDF or a DOCX whose content matches its extension, not
/// empty, at most [`MAX_SIGNED_BYTES`]. Returns the media type, or the French reason.
///
/// # Errors
/// The French reason of the refusal.
pub fn check_signed_file(name: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let name = name.trim();
    if name.is_empty() || bytes.is_empty() {
        return Err("Choisissez le fichier de l'acte d'engagement signé (PDF ou DOCX) : aucun fichier n'a été reçu.".into());
    }
    if bytes.len() > MAX_SIGNED_BYTES {
        return Err(format!(
            "Le fichier « {name} » fait {} Mo : l'acte d'engagement signé ne doit pas dépasser 10 Mo.",
            bytes.len().div_ceil(1024 * 1024)
        ));
    }
    let lower = name.to_lowercase();
    if lower.ends_with(".pdf") {
        if bytes.starts_with(b"%PDF-") {
            return Ok(PDF);
        }
        return Err(format!(
            "Le fichier « {name} » porte l'extension .pdf mais n'est pas un PDF : déposez le fichier signé lui-même."
        ));
    }
    if lower.ends_with(".docx") {
        let is_docx = bytes.starts_with(b"PK\x03\x04")
            && zip::ZipArchive::new(Cursor::new(bytes))
                .is_ok_and(|mut z| z.by_name("word/document.xml").is_ok());
        if is_docx {
            return Ok(DOCX);
        }
        return Err(format!(
            "Le fichier « {name} » porte l'extension .docx mais n'est pas un document Word : déposez le fichier signé lui-même."
        ));
    }
    Err(format!(
        "Le fichier « {name} » n'est ni un PDF ni un document Word (.docx) : l'acte d'engagement signé se dépose dans l'un de ces deux formats."
    ))
}

/// The acte d'engagement of the DCE (`dce_ae`, the context of `DocKind::Ae`) filled for the
/// attributaire of one lot by the one AE rule (`pieces::award::ae_for_award`): its identity
/// and SIRET (ATTRI1 B1), the lot, the amount HT of its offer, the TTC at the consultation's
/// VAT rate, both in words, and the duration of the DCE.
///
/// # Errors
/// `Conflict` in French when the award cannot fill the AE (an invalid SIRET, an amount out
/// of bounds, an unreadable VAT rate).
pub fn fill_ae(
    dce_ae: &Value,
    party: &Party,
    lot: &LotRef,
    amount_ht: Decimal,
) -> Result<Value, AppError> {
    let vat_rate = dce_ae["price"]["vat_rate"]
        .as_str()
        .or_else(|| dce_ae["consultation"]["vat_rate"].as_str())
        .and_then(|v| Decimal::from_str(v).ok())
        .ok_or_else(|| {
            AppError::Conflict(
                "Le taux de TVA de la consultation est illisible : corrigez-le avant de remplir l'acte d'engagement.".into(),
            )
        })?;
    let award = Award {
        attributaire: Operator {
            name: party.name.clone(),
            address: party.address.clone(),
            email: party.email.clone(),
            siret: party.siret.clone(),
            ..Operator::default()
        },
        group: None,
        lots: vec![AwardedLot {
            number: lot.number,
            title: lot.title.clone(),
            amount_ht: Some(amount_ht),
            lines: vec![],
        }],
        vat_rate,
        duration_months: dce_ae["duration"]["months"]
            .as_u64()
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(0),
        advance_refused: false,
        signed_at: None,
    };
    let mut ctx = ae_for_award(dce_ae, &award).map_err(|e| {
        AppError::Conflict(format!(
            "L'acte d'engagement de {} ne peut pas être rempli : {e}.",
            party.name
        ))
    })?;
    ctx["document"]["title"] = json!("Acte d'engagement (ATTRI1) de l'attributaire");
    Ok(ctx)
}

/// The latest signed acte of an attribution.
///
/// # Errors
/// Database errors.
pub async fn latest<C: ConnectionTrait>(
    db: &C,
    attribution_id: i32,
) -> Result<Option<signed_acte::Model>, AppError> {
    Ok(signed_acte::Entity::find()
        .filter(signed_acte::Column::AttributionId.eq(attribution_id))
        .order_by_desc(signed_acte::Column::Id)
        .one(db)
        .await?)
}

/// Every signed acte of a consultation, latest of each attribution last.
///
/// # Errors
/// Database errors.
pub async fn all<C: ConnectionTrait>(
    db: &C,
    cid: i32,
) -> Result<Vec<signed_acte::Model>, AppError> {
    Ok(signed_acte::Entity::find()
        .filter(signed_acte::Column::ConsultationId.eq(cid))
        .order_by_asc(signed_acte::Column::Id)
        .all(db)
        .await?)
}

/// Stores the signed acte of attribution `aid` (coordonnateur), journaled with its SHA-256 in
/// the same transaction. Accepted once the offer is retained and until the NOTI5 leaves: the
/// notified file cannot change afterwards.
///
/// # Errors
/// `Validation` (field `fichier`) with the French reason; `NotFound`; `Conflict` outside that
/// window; database errors.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    aid: i32,
    name: &str,
    bytes: Vec<u8>,
) -> Result<signed_acte::Model, AppError> {
    let name = crate::web::upload::stored_name(name);
    let media_type = check_signed_file(&name, &bytes).map_err(|e| AppError::field("fichier", e))?;
    let tx = crate::audit::begin(db).await?;
    let c = crate::consultations::service::get(&tx, gid, cid).await?;
    let a = attribution::Entity::find_by_id(aid)
        .filter(attribution::Column::ConsultationId.eq(c.id))
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = store::status(&a);
    if !matches!(
        status,
        AttributionStatus::Retenue | AttributionStatus::Signee
    ) {
        return Err(AppError::Conflict(format!(
            "L'acte d'engagement signé se dépose quand l'offre est retenue et jusqu'à la notification (état de l'attribution : « {} »).",
            status.label()
        )));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let row = signed_acte::ActiveModel {
        consultation_id: Set(cid),
        attribution_id: Set(aid),
        file_name: Set(name.clone()),
        media_type: Set(media_type.to_owned()),
        bytes: Set(bytes),
        sha256: Set(sha256.clone()),
        size: Set(size),
        uploaded_at: Set(now),
        uploaded_by: Set(actor.label.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    store::journal(
        &tx,
        now,
        actor,
        gid,
        "attribution.acte_signe",
        &a,
        json!({"fichier": name, "type": media_type, "octets": size, "sha256": sha256}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The acte d'engagement of the DCE filled for the attributaire of attempt `aid` (identity,
/// SIRET, lot, amounts), for its signature: the file name and the DOCX (the page's download,
/// and the demo's « signed » acte).
///
/// # Errors
/// `NotFound`; an unreadable amount; the document engine; database errors.
pub async fn filled_ae(
    st: &crate::state::AppState,
    gid: i32,
    cid: i32,
    aid: i32,
) -> Result<(String, Vec<u8>), AppError> {
    let now = st.clock.now();
    let c = crate::consultations::service::get(&st.db, gid, cid).await?;
    let a = store::attributions(&st.db, cid)
        .await?
        .into_iter()
        .find(|a| a.id == aid)
        .ok_or(AppError::NotFound)?;
    let p = store::pli(&st.db, cid, a.pli_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lot = match a.lot_id {
        Some(id) => {
            crate::db::entities::lot::Entity::find_by_id(id)
                .one(&st.db)
                .await?
        }
        None => None,
    };
    let lot = super::docs::lot_ref(lot.as_ref(), &c.objet);
    let base = super::docs::base(&st.db, gid, cid, now).await?;
    let amount = Decimal::from_str(&a.amount_ht).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "montant de l'attribution {aid} illisible : {}",
            a.amount_ht
        ))
    })?;
    let ctx = fill_ae(&base.ctx, &super::ranking::party(&p), &lot, amount)?;
    let doc = super::docs::render(&st.engine, crate::docgen::DocKind::Ae, &ctx, &base.look)?;
    let filename = super::docs::filename(&c.reference, "ae", lot.number, &p.bidder_name);
    Ok((filename, doc.docx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use std::io::Write;

    fn docx_bytes(with_document: bool) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let name = if with_document {
            "word/document.xml"
        } else {
            "xl/workbook.xml"
        };
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        w.write_all(b"<x/>").expect("write");
        w.finish().expect("zip").into_inner()
    }

    #[test]
    fn a_pdf_or_a_docx_whose_content_matches_its_extension() {
        assert_eq!(check_signed_file("AE signé.pdf", b"%PDF-1.7\n..."), Ok(PDF));
        assert_eq!(check_signed_file("ae.DOCX", &docx_bytes(true)), Ok(DOCX));
        let e = check_signed_file("ae.pdf", b"<html>").expect_err("not a pdf");
        assert!(e.contains("n'est pas un PDF"), "{e}");
        let e = check_signed_file("ae.docx", &docx_bytes(false)).expect_err("a workbook");
        assert!(e.contains("n'est pas un document Word"), "{e}");
        let e = check_signed_file("ae.exe", b"MZ").expect_err("exe");
        assert!(e.contains("ni un PDF ni un document Word"), "{e}");
        let e = check_signed_file("ae.pdf", b"").expect_err("empty");
        assert!(e.contains("aucun fichier"), "{e}");
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_SIGNED_BYTES + 1, b' ');
        let e = check_signed_file("ae.pdf", &big).expect_err("too big");
        assert!(e.contains("10 Mo"), "{e}");
    }

    #[test]
    fn names_keep_their_last_component_without_control_characters() {}

    #[test]
    fn the_filled_ae_names_the_attributaire_and_its_amounts() {
        let dce: Value =
            serde_json::from_str(crate::docgen::example_context(crate::docgen::DocKind::Ae))
                .expect("example");
        assert_eq!(dce["price"]["vat_rate"], "20");
        let party = Party {
            name: "ALPHA".into(),
            address: "12 rue Nationale, 59000 Lille".into(),
            email: "alpha@exemple.fr".into(),
            siret: "73282932000074".into(),
        };
        let lot = LotRef {
            number: 1,
            title: "Solution DUI".into(),
        };
        let ae = fill_ae(&dce, &party, &lot, dec!(100000.005)).expect("filled");
        assert_eq!(ae["contractor"]["siret"], "73282932000074");
        assert_eq!(ae["price"]["amount_ht"], "100000.01");
        assert_eq!(ae["price"]["amount_ttc"], "120000.01");
        assert_eq!(ae["duration"]["months"], 48);
        assert_eq!(
            ae["price"]["amount_ht_words"],
            "cent mille euros et un centime"
        );
        let bad = Party {
            siret: "73282932000075".into(),
            ..party.clone()
        };
        let err = fill_ae(&dce, &bad, &lot, dec!(1)).unwrap_err();
        assert!(err.to_string().contains("ALPHA"), "{err}");
        assert_eq!(ae["lot"]["title"], "Solution DUI");
        assert_eq!(
            dce["contractor"]["name"], "",
            "the DCE context is untouched"
        );
    }
}
