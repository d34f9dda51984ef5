//! Use cases on consultations: create, edit, lots and needs, procedure choice — each in one
//! audited transaction — and the read model of a consultation. Lifecycle transitions, which
//! read every area, live above them all (the `transitions` module).

use super::lifecycle::Status;
use super::model::{self, ConsultationDraft, NeedDraft};
use super::rules::deadlines::{self, ConsultationCalendar, DeadlineInput};
use super::rules::procedure::{
    self, LotInput, Nature, ProcedureInput, ProcedureKind, ProcedureProposal,
};
use crate::audit::{self, Actor};
use crate::db::entities::{consultation, lot, member, need};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::HashMap;
use std::str::FromStr;

const DEADLINE_FMT: &str = "%Y-%m-%dT%H:%M";

/// A lot with its members' needs.
#[derive(Clone, Debug)]
pub struct LotWithNeeds {
    pub lot: lot::Model,
    pub needs: Vec<(need::Model, String)>,
    pub total_ht: Decimal,
}

/// Everything the consultation page and API show.
#[derive(Clone, Debug)]
pub struct Detail {
    pub c: consultation::Model,
    pub status: Status,
    pub nature: Nature,
    pub lots: Vec<LotWithNeeds>,
    pub total_ht: Decimal,
    /// The engine's proposal, or why there is none yet.
    pub proposal: Result<ProcedureProposal, String>,
    /// The procedure in force: the chosen one, else the proposed one.
    pub procedure: Option<ProcedureKind>,
    pub calendar: Option<Result<ConsultationCalendar, String>>,
    /// The date that chose the dated parameters (launch date, else today).
    pub reference_date: NaiveDate,
}

/// The three stored amounts of a need (HT, options, renewals), read back or refused: an
/// altered amount stops the computation instead of counting as 0 € (it would lower the
/// value compared with the thresholds, or an accord-cadre's maximum).
///
/// # Errors
/// `Internal` naming the need and the amount.
pub fn need_amounts(n: &need::Model) -> Result<(Decimal, Decimal, Decimal), AppError> {
    let read = |what: &str, raw: &str| {
        crate::db::stored::decimal(&format!("{what} du besoin n° {}", n.id), raw)
    };
    Ok((
        read("montant HT", &n.amount_ht)?,
        read("options HT", &n.options_ht)?,
        read("reconductions HT", &n.renewals_ht)?,
    ))
}

/// A need's total HT, options and renewals included (R2121-1).
///
/// # Errors
/// As [`need_amounts`].
pub fn need_total(n: &need::Model) -> Result<Decimal, AppError> {
    let (a, o, r) = need_amounts(n)?;
    Ok(a + o + r)
}

/// Parses the stored offers deadline.
#[must_use]
pub fn offers_deadline(c: &consultation::Model) -> Option<NaiveDateTime> {
    c.offers_deadline
        .as_deref()
        .and_then(|s| NaiveDateTime::parse_from_str(s, DEADLINE_FMT).ok())
}

fn procedure_code(p: ProcedureKind) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_procedure(s: &str) -> Result<ProcedureKind, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_owned())).map_err(|_| {
        format!("procédure « {s} » inconnue : sans_publicite_ni_mise_en_concurrence, procedure_adaptee ou appel_offres_ouvert")
    })
}

/// Consultations of a groupement, newest first.
///
/// # Errors
/// Database errors.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<Vec<consultation::Model>, AppError> {
    Ok(consultation::Entity::find()
        .filter(consultation::Column::GroupementId.eq(gid))
        .order_by_desc(consultation::Column::Id)
        .all(db)
        .await?)
}

/// One consultation of a groupement (`NotFound` for another groupement's).
///
/// # Errors
/// `NotFound`, database errors.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
) -> Result<consultation::Model, AppError> {
    consultation::Entity::find_by_id(cid)
        .filter(consultation::Column::GroupementId.eq(gid))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The read model of one consultation, rules and calendar computed.
///
/// # Errors
/// `NotFound`, database errors.
pub async fn detail<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    cid: i32,
    today: NaiveDate,
) -> Result<Detail, AppError> {
    let c = get(db, gid, cid).await?;
    let lots = lot::Entity::find()
        .filter(lot::Column::ConsultationId.eq(cid))
        .order_by_asc(lot::Column::Number)
        .all(db)
        .await?;
    let lot_ids: Vec<i32> = lots.iter().map(|l| l.id).collect();
    let needs = need::Entity::find()
        .filter(need::Column::LotId.is_in(lot_ids))
        .all(db)
        .await?;
    let names: HashMap<i32, (i32, String)> = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, (m.position, m.name)))
        .collect();
    let mut out_lots = Vec::new();
    for l in lots {
        let mut ns: Vec<(need::Model, String)> = needs
            .iter()
            .filter(|n| n.lot_id == l.id)
            .map(|n| {
                (
                    n.clone(),
                    names
                        .get(&n.member_id)
                        .map(|x| x.1.clone())
                        .unwrap_or_default(),
                )
            })
            .collect();
        ns.sort_by_key(|(n, _)| names.get(&n.member_id).map_or(i32::MAX, |x| x.0));
        let mut total_ht = Decimal::ZERO;
        for (n, _) in &ns {
            total_ht += need_total(n)?;
        }
        out_lots.push(LotWithNeeds {
            lot: l,
            needs: ns,
            total_ht,
        });
    }
    let total_ht: Decimal = out_lots.iter().map(|l| l.total_ht).sum();
    let status = Status::from_code(&c.status).map_err(|e| anyhow::anyhow!("{e}"))?;
    let nature = Nature::parse(&c.nature).map_err(|e| anyhow::anyhow!("{e}"))?;
    let reference_date = c.launch_date.unwrap_or(today);
    let proposal = if total_ht <= Decimal::ZERO {
        Err("Saisissez les besoins estimés des membres (par lot) pour obtenir la procédure proposée.".to_owned())
    } else {
        let mut lots = Vec::new();
        for l in out_lots.iter().filter(|l| l.total_ht > Decimal::ZERO) {
            let mut input = LotInput::new(
                &format!("Lot {} – {}", l.lot.number, l.lot.label),
                Decimal::ZERO,
            );
            for (n, _) in &l.needs {
                let (a, o, r) = need_amounts(n)?;
                input.amount_ht += a;
                input.options_ht += o;
                input.renewals_ht += r;
            }
            lots.push(input);
        }
        let input = ProcedureInput {
            nature,
            lots,
            launch_date: reference_date,
            buyer_kind: procedure::BuyerKind::CollectiviteOuEpl,
            electronic_reception: c.electronic,
            preinformation: c.preinformation,
            urgence: c.urgence,
        };
        procedure::propose(&input).map_err(|e| e.to_string())
    };
    let chosen = c
        .procedure_chosen
        .as_deref()
        .and_then(|s| parse_procedure(s).ok());
    let procedure = chosen.or_else(|| proposal.as_ref().ok().map(|p| p.procedure));
    let calendar = match (procedure, c.launch_date) {
        (Some(p), Some(launch)) => {
            let mut input = DeadlineInput::new(p, launch, total_ht, offers_deadline(&c));
            input.publication_date = c.publication_date;
            input.electronic_reception = c.electronic;
            input.preinformation = c.preinformation;
            input.urgence = c.urgence;
            input.technique = c.technique;
            input.questions_deadline = c.questions_deadline;
            input.offers_validity_days = c.offers_validity_days.and_then(|d| u32::try_from(d).ok());
            input.rejection_letters_sent = c.rejection_letters_sent_on;
            let (electronic, single, avis) =
                super::calendar_facts::calendar_facts(db, c.id).await?;
            input.rejection_letters_electronic = electronic;
            input.single_tenderer = single;
            input.avis_attribution_sent = avis;
            input.signature_date = c.signed_on;
            input.notification_date = c.notified_on;
            Some(deadlines::compute(&input).map_err(|e| e.to_string()))
        }
        _ => None,
    };
    Ok(Detail {
        c,
        status,
        nature,
        lots: out_lots,
        total_ht,
        proposal,
        procedure,
        calendar,
        reference_date,
    })
}

fn snapshot(c: &consultation::Model) -> serde_json::Value {
    serde_json::json!({
        "reference": c.reference, "objet": c.objet, "nature": c.nature, "cpv": c.cpv, "ccag": c.ccag,
        "vat_rate": c.vat_rate, "status": c.status, "launch_date": c.launch_date,
        "offers_deadline": c.offers_deadline, "procedure_chosen": c.procedure_chosen,
    })
}

fn apply(a: &mut consultation::ActiveModel, d: &ConsultationDraft) {
    a.reference = Set(d.reference.clone());
    a.objet = Set(d.objet.clone());
    a.nature = Set(model::nature_code(d.nature).to_owned());
    a.cpv = Set(d.cpv.clone());
    a.ccag = Set(d.ccag.code().to_owned());
    a.vat_rate = Set(d.vat_rate.normalize().to_string());
    a.launch_date = Set(d.launch_date);
    a.publication_date = Set(d.publication_date);
    a.offers_deadline = Set(d
        .offers_deadline
        .map(|o| o.format(DEADLINE_FMT).to_string()));
    a.questions_deadline = Set(d.questions_deadline);
    a.offers_validity_days = Set(d.offers_validity_days);
    a.electronic = Set(d.electronic);
    a.preinformation = Set(d.preinformation);
    a.urgence = Set(d.urgence);
}

async fn reference_taken<C: ConnectionTrait>(
    tx: &C,
    gid: i32,
    reference: &str,
    except: Option<i32>,
) -> Result<bool, AppError> {
    let found = consultation::Entity::find()
        .filter(consultation::Column::GroupementId.eq(gid))
        .filter(consultation::Column::Reference.eq(reference))
        .one(tx)
        .await?;
    Ok(found.is_some_and(|c| Some(c.id) != except))
}

/// Creates a consultation in `brouillon`.
///
/// # Errors
/// Reference already used; database errors.
pub async fn create(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    d: &ConsultationDraft,
) -> Result<consultation::Model, AppError> {
    let tx = audit::begin(db).await?;
    if reference_taken(&tx, gid, &d.reference, None).await? {
        return Err(AppError::field(
            "reference",
            format!(
                "la référence « {} » est déjà utilisée dans ce groupement",
                d.reference
            ),
        ));
    }
    let mut a = consultation::ActiveModel {
        groupement_id: Set(gid),
        status: Set(Status::Brouillon.code().to_owned()),
        procedure_chosen: Set(None),
        procedure_justification: Set(None),
        status_motif: Set(None),
        rejection_letters_sent_on: Set(None),
        signed_on: Set(None),
        notified_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut a, d);
    let row = a.insert(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.creation",
            entity: "consultation",
            entity_id: row.id.to_string(),
            summary: serde_json::json!({ "after": snapshot(&row) }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Edits a consultation that is not yet published.
///
/// # Errors
/// Published consultation, reference taken, database errors.
pub async fn update(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    d: &ConsultationDraft,
) -> Result<consultation::Model, AppError> {
    let tx = audit::begin(db).await?;
    let c = get(&tx, gid, cid).await?;
    let status = Status::from_code(&c.status).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !matches!(
        status,
        Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier
    ) {
        return Err(AppError::Conflict(format!(
            "La consultation est « {} » : ses caractéristiques ne peuvent plus être modifiées après la publication.",
            status.label()
        )));
    }
    if reference_taken(&tx, gid, &d.reference, Some(cid)).await? {
        return Err(AppError::field(
            "reference",
            format!(
                "la référence « {} » est déjà utilisée dans ce groupement",
                d.reference
            ),
        ));
    }
    let before = snapshot(&c);
    let mut a: consultation::ActiveModel = c.into();
    apply(&mut a, d);
    a.updated_at = Set(now);
    let row = a.update(&tx).await?;
    audit::record(
        &tx,
        now,
        actor,
        audit::Event {
            groupement_id: Some(gid),
            action: "consultation.modification",
            entity: "consultation",
            entity_id: cid.to_string(),
            summary: serde_json::json!({ "before": before, "after": snapshot(&row) }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

fn ensure_editable(c: &consultation::Model) -> Result<(), AppError> {
    match Status::from_code(&c.status) {
        Ok(Status::Brouillon | Status::PiecesEnVisa | Status::PretePublier) => Ok(()),
        Ok(s) => Err(AppError::Conflict(format!(
            "La consultation est « {} » : les lots et les besoins ne peuvent plus être modifiés.",
            s.label()
        ))),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!("{e}"))),
    }
}

/// Adds a lot (numbered after the last one).
///
/// # Errors
/// Empty or too long label, published consultation, database errors.
pub async fn add_lot(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    label: &str,
) -> Result<lot::Model, AppError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(AppError::field(
            "label",
            "l'intitulé du lot est obligatoire (200 caractères au plus)",
        ));
    }
    let tx = audit::begin(db).await?;
    let c = get(&tx, gid, cid).await?;
    ensure_editable(&c)?;
    let last = lot::Entity::find()
        .filter(lot::Column::ConsultationId.eq(cid))
        .order_by_desc(lot::Column::Number)
        .one(&tx)
        .await?
        .map_or(0, |l| l.number);
    let row = lot::ActiveModel {
        consultation_id: Set(cid),
        number: Set(last + 1),
        label: Set(label.to_owned()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.lot_ajoute",
        entity: "lot",
        entity_id: row.id.to_string(),
        summary: serde_json::json!({ "consultation": cid, "numero": row.number, "intitule": row.label }),
    })
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Records (or replaces) a member's estimated need on a lot.
///
/// # Errors
/// Lot or member of another consultation/groupement, published consultation, database errors.
pub async fn set_need(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    d: &NeedDraft,
) -> Result<(), AppError> {
    set_needs(db, now, actor, gid, cid, std::slice::from_ref(d)).await?;
    Ok(())
}

/// Records the needs of several members and lots at once (the needs grid), all or nothing;
/// returns how many changed (identical values are not rewritten nor journaled).
///
/// # Errors
/// As [`set_need`], for the first need at fault.
pub async fn set_needs(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    drafts: &[NeedDraft],
) -> Result<usize, AppError> {
    let tx = audit::begin(db).await?;
    let c = get(&tx, gid, cid).await?;
    ensure_editable(&c)?;
    let mut changed = 0;
    for d in drafts {
        changed += usize::from(set_need_in(&tx, now, actor, gid, &c, d).await?);
    }
    tx.commit().await?;
    Ok(changed)
}

/// Whether a stored decimal is `value` (« 35000.00 » is 35000).
fn same_number(stored: &str, value: Decimal) -> bool {
    Decimal::from_str(stored).is_ok_and(|s| s == value)
}

async fn set_need_in<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    c: &consultation::Model,
    d: &NeedDraft,
) -> Result<bool, AppError> {
    let cid = c.id;
    let lot_ok = lot::Entity::find_by_id(d.lot_id)
        .filter(lot::Column::ConsultationId.eq(cid))
        .one(tx)
        .await?
        .is_some();
    if !lot_ok {
        return Err(AppError::field(
            "lot_id",
            "ce lot n'appartient pas à la consultation",
        ));
    }
    let member = member::Entity::find_by_id(d.member_id)
        .filter(member::Column::GroupementId.eq(gid))
        .one(tx)
        .await?;
    let Some(member) = member else {
        return Err(AppError::field(
            "member_id",
            "ce membre n'appartient pas au groupement",
        ));
    };
    if member
        .withdrawn_on
        .is_some_and(|w| c.launch_date.is_none_or(|l| w <= l))
    {
        // Convention art. 15: a withdrawal affects only later procedures.
        return Err(AppError::field(
            "member_id",
            format!(
                "{} s'est retiré du groupement : il ne participe plus aux nouvelles consultations (convention, art. 15)",
                member.name
            ),
        ));
    }
    let existing = need::Entity::find()
        .filter(need::Column::LotId.eq(d.lot_id))
        .filter(need::Column::MemberId.eq(d.member_id))
        .one(tx)
        .await?;
    // The same values again change nothing (no write, no journal entry); compared as numbers,
    // so « 35000 » read from a workbook is the stored « 35000.00 ».
    if let Some(n) = &existing
        && same_number(&n.amount_ht, d.amount_ht)
        && same_number(&n.options_ht, d.options_ht)
        && same_number(&n.renewals_ht, d.renewals_ht)
        && match (n.quantity.as_deref(), d.quantity) {
            (None, None) => true,
            (Some(s), Some(q)) => same_number(s, q),
            _ => false,
        }
        && n.unit == d.unit
    {
        return Ok(false);
    }
    let before = existing.as_ref().map(|n| serde_json::json!({"montant_ht": n.amount_ht, "options_ht": n.options_ht, "reconductions_ht": n.renewals_ht}));
    let mut a = existing.map_or_else(
        || need::ActiveModel {
            lot_id: Set(d.lot_id),
            member_id: Set(d.member_id),
            ..Default::default()
        },
        Into::into,
    );
    a.amount_ht = Set(d.amount_ht.to_string());
    a.options_ht = Set(d.options_ht.to_string());
    a.renewals_ht = Set(d.renewals_ht.to_string());
    a.quantity = Set(d.quantity.map(|q| q.to_string()));
    a.unit = Set(d.unit.clone());
    let row = a.save(tx).await?;
    let id = row.id.clone().take().unwrap_or_default();
    audit::record(tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.besoin",
        entity: "need",
        entity_id: id.to_string(),
        summary: serde_json::json!({
            "consultation": cid, "lot": d.lot_id, "membre": member.name, "before": before,
            "after": {"montant_ht": d.amount_ht.to_string(), "options_ht": d.options_ht.to_string(), "reconductions_ht": d.renewals_ht.to_string()},
        }),
    })
    .await?;
    Ok(true)
}

/// Chooses another procedure than the proposed one, with the written justification kept for
/// the rapport de présentation (R2184-3 1°).
///
/// # Errors
/// No proposal yet, same procedure, short justification, database errors.
pub async fn choose_procedure(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    actor: &Actor,
    gid: i32,
    cid: i32,
    chosen: &str,
    justification: &str,
) -> Result<Vec<String>, AppError> {
    let today = now.with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let d = detail(db, gid, cid, today).await?;
    ensure_editable(&d.c)?;
    let proposal = d.proposal.map_err(AppError::BadRequest)?;
    let chosen = parse_procedure(chosen).map_err(|e| AppError::field("procedure", e))?;
    let ov = super::rules::overrides::justify_override(proposal.procedure, chosen, justification)
        .map_err(|e| AppError::field("justification", e.to_string()))?;
    let tx = audit::begin(db).await?;
    let c = get(&tx, gid, cid).await?;
    let mut a: consultation::ActiveModel = c.into();
    a.procedure_chosen = Set(Some(procedure_code(chosen)));
    a.procedure_justification = Set(Some(ov.justification.clone()));
    a.updated_at = Set(now);
    a.update(&tx).await?;
    audit::record(&tx, now, actor, audit::Event {
        groupement_id: Some(gid),
        action: "consultation.procedure_choisie",
        entity: "consultation",
        entity_id: cid.to_string(),
        summary: serde_json::json!({"proposee": procedure_code(proposal.procedure), "choisie": procedure_code(chosen), "justification": ov.justification, "avertissements": ov.warnings}),
    })
    .await?;
    tx.commit().await?;
    Ok(ov.warnings)
}
