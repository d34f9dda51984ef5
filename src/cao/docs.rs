//! The CAO's documents: the contexts of the convocation, the procès-verbal and the
//! procès-verbal de carence (field names of `documents/examples/*.json`), rendered to DOCX by
//! the document engine.

use super::forms::ItemKind;
use super::model::CONVENTION_DATE;
use super::rules::composition::{Composition, MemberSeat};
use super::rules::convocation::convocation_shortfall;
use super::rules::deliberation::DeliberationResult;
use super::rules::quorum::VotingRoll;
use super::store::{self, SeanceData};
use crate::db::entities::{app_user, cao_seance, consultation, groupement, lot, member};
use crate::docgen::format::{decimal_fr, money_fr};
use crate::docgen::{DocEngine, DocKind, Look};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;

/// Who writes: the groupement and its coordonnateur (convention art. 5.4).
#[derive(Clone, Debug)]
pub struct Letterhead {
    pub groupement: groupement::Model,
    pub coordonnateur: member::Model,
    /// Address of the commission's secretariat (the coordonnateur's service marchés).
    pub email: String,
    /// The groupement's reference document (styles, letterhead), `None` for the built-in look.
    pub reference: Option<std::sync::Arc<crate::docgen::ReferenceDoc>>,
}

/// Loads the letterhead of a groupement.
///
/// # Errors
/// No coordonnateur member, database errors.
pub async fn letterhead<C: ConnectionTrait>(db: &C, gid: i32) -> Result<Letterhead, AppError> {
    let groupement = store::groupement(db, gid).await?;
    let coordonnateur = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .filter(member::Column::Role.eq("coordonnateur"))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("Le groupement n'a pas de coordonnateur désigné.".into())
        })?;
    let email = app_user::Entity::find()
        .filter(app_user::Column::GroupementId.eq(gid))
        .filter(app_user::Column::Role.eq("coordonnateur"))
        .order_by_asc(app_user::Column::Id)
        .one(db)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    Ok(Letterhead {
        groupement,
        coordonnateur,
        email,
        reference: crate::reference_doc::current(db, gid).await?,
    })
}

/// The town of a postal address (« …, 59393 Wattrelos » → « Wattrelos »).
#[must_use]
pub fn town(address: &str) -> String {
    let words: Vec<&str> = address
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .rposition(|w| w.len() == 5 && w.chars().all(|c| c.is_ascii_digit()))
        .map(|i| words[i + 1..].join(" "))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| address.trim().to_owned())
}

fn paris(dt: NaiveDateTime) -> String {
    crate::calendar::paris_datetime(dt.date(), dt.hour(), dt.minute()).to_rfc3339()
}

fn utc_paris(dt: DateTime<Utc>) -> String {
    dt.with_timezone(&chrono_tz::Europe::Paris).to_rfc3339()
}

/// The parts every CAO document shares: buyer, groupement, consultation(s), document.
fn common(data: &SeanceData, lh: &Letterhead, doc_date: NaiveDate, now: DateTime<Utc>) -> Value {
    let c = &lh.coordonnateur;
    let (y, m, d) = CONVENTION_DATE;
    let convention = lh
        .groupement
        .convention_adopted_on
        .or_else(|| NaiveDate::from_ymd_opt(y, m, d));
    let mut refs: Vec<(&str, &str)> = Vec::new();
    for i in &data.items {
        let r = (
            i.consultation.reference.as_str(),
            i.consultation.objet.as_str(),
        );
        if !refs.contains(&r) {
            refs.push(r);
        }
    }
    let references: Vec<&str> = refs.iter().map(|r| r.0).collect();
    let objects: Vec<&str> = refs.iter().map(|r| r.1).collect();
    json!({
        "buyer": {
            "name": c.name, "address": c.address, "finess_juridique": c.finess_juridique,
            "representative": {"name": c.representative_name, "title": c.representative_title},
            "email": lh.email,
        },
        "groupement": {
            "name": lh.groupement.name, "legal_basis": lh.groupement.legal_basis,
            "convention_date": convention.map(|d| d.to_string()),
        },
        "consultation": {"reference": references.join(" ; "), "object": objects.join(" ; ")},
        "document": {"date": doc_date.to_string(), "created_at": utc_paris(now), "place": town(&c.address)},
    })
}

fn president(comp: Option<&Composition>, lh: &Letterhead, letter: bool) -> Value {
    let name = comp.and_then(Composition::president).map_or_else(
        || "le président de la commission".to_owned(),
        |p| p.person_name.clone(),
    );
    let quality = if letter {
        format!(
            "président de la commission d'appel d'offres, représentant le {}, coordonnateur",
            lh.coordonnateur.name
        )
    } else {
        format!("représentant du {}, coordonnateur", lh.coordonnateur.name)
    };
    json!({"name": name, "quality": quality})
}

fn designation(s: &MemberSeat) -> String {
    s.titulaire.as_ref().map_or_else(
        || "représentant non désigné".to_owned(),
        |t| {
            let how = if t.designation.voting_member_of_own_cao == Some(true) {
                "membre à voix délibérative de sa propre CAO"
            } else {
                "désigné selon les règles propres du membre"
            };
            format!(
                "{how} ({}, {})",
                t.designation.body,
                crate::calendar::french_date(t.designation.date)
            )
        },
    )
}

fn name(h: Option<&super::rules::composition::SeatHolder>) -> String {
    h.map_or_else(|| "(siège vacant)".to_owned(), |h| h.person_name.clone())
}

/// One attendance line per member seat (PV and PV de carence).
fn attendance(comp: &Composition, roll: Option<&VotingRoll>, present: &[String]) -> Vec<Value> {
    comp.seats
        .iter()
        .map(|s| {
            let voter = roll.and_then(|r| r.voters.iter().find(|v| v.member_key == s.member_key));
            let supp_present = s
                .suppleant
                .as_ref()
                .is_some_and(|h| present.contains(&h.person_key));
            let (status, label) = match voter {
                Some(v) if v.replacing_titulaire => {
                    ("represented", "représenté par son suppléant".to_owned())
                }
                Some(_) if supp_present => (
                    "present",
                    "présent (titulaire) ; suppléant présent sans voix délibérative".to_owned(),
                ),
                Some(_) => ("present", "présent (titulaire)".to_owned()),
                None => ("absent", "absent".to_owned()),
            };
            json!({
                "member": s.member_name,
                "titulaire": name(s.titulaire.as_ref()),
                "suppleant": name(s.suppleant.as_ref()),
                "designation": designation(s),
                "president": s.presides,
                "present": voter.is_some(),
                "status": status,
                "status_label": label,
                "sitting": voter.map_or_else(|| "—".to_owned(), |v| v.person_name.clone()),
            })
        })
        .collect()
}

fn composition(data: &SeanceData) -> Result<&Composition, AppError> {
    data.composition
        .as_ref()
        .map_err(|e| AppError::Conflict(format!("Composition de la CAO invalide : {e}")))
}

pub(super) fn render(kind: DocKind, ctx: &Value, lh: &Letterhead) -> Result<Vec<u8>, AppError> {
    let engine = DocEngine::new().map_err(|e| anyhow::anyhow!("{e}"))?;
    let look = Look {
        clauses: BTreeMap::new(),
        reference: lh.reference.clone(),
    };
    engine
        .render_docx(kind, ctx, &look)
        .map(|d| d.docx)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{}: {e}", kind.as_str())))
}

/// What every convocation of a séance shares: buyer, session, agenda, attachments, président
/// (the addressee is added per person by [`super::convocations::context`]).
///
/// # Errors
/// The composition at the séance's date is invalid.
pub fn convocation_base(
    data: &SeanceData,
    lh: &Letterhead,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let comp = composition(data)?;
    let mut ctx = common(
        data,
        lh,
        data.seance.convocation_sent_on.unwrap_or(today),
        now,
    );
    let mut agenda = vec!["vérification du quorum".to_owned()];
    if data
        .items
        .iter()
        .any(|i| !i.bidders.is_empty() || i.kind == ItemKind::Attribution)
    {
        agenda.push(
            "déclarations d'absence de conflit d'intérêts au regard des soumissionnaires"
                .to_owned(),
        );
    }
    agenda.extend(data.items.iter().map(|i| i.item.title.clone()));
    agenda.push("questions diverses".to_owned());
    ctx["session"] = json!({
        "date": paris(data.starts_at),
        "place": data.seance.place,
        "second_convocation": data.seance.second_convocation,
        "remote": if data.seance.remote {
            "Une participation par visioconférence est possible ; le lien est transmis sur demande"
        } else {
            "La séance se tient en présentiel"
        },
    });
    ctx["agenda"] = json!(agenda);
    ctx["attachments"] = json!([
        "le modèle de déclaration d'absence de conflit d'intérêts au regard des soumissionnaires"
    ]);
    ctx["president"] = president(Some(comp), lh, true);
    Ok(ctx)
}

fn quorum_json(data: &SeanceData) -> Value {
    let q = data.quorum();
    json!({
        "voting_members": q.as_ref().map_or(0, |q| q.seats),
        "required": q.as_ref().map_or(0, |q| q.required),
        "present": q.as_ref().map_or(0, |q| q.voting_present),
        "reached": q.as_ref().is_some_and(|q| q.reached),
    })
}

/// Context of the procès-verbal de carence (CGCT L1411-5 II); the new séance must exist.
///
/// # Errors
/// Not in carence, no second convocation yet, invalid composition.
pub fn pv_carence_context(
    data: &SeanceData,
    lh: &Letterhead,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    if data.status != super::model::SeanceStatus::Carence {
        return Err(AppError::Conflict(
            "Le procès-verbal de carence n'existe que pour une séance sans quorum dont la carence est constatée.".into(),
        ));
    }
    let next: &cao_seance::Model = data.follow_up.as_ref().ok_or_else(|| {
        AppError::Conflict(
            "Créez d'abord la séance sur seconde convocation : le procès-verbal de carence en indique la date.".into(),
        )
    })?;
    let comp = composition(data)?;
    let roll = data.roll().and_then(Result::ok);
    let mut ctx = common(data, lh, data.date(), now);
    ctx["session"] = json!({
        "date": paris(data.starts_at), "place": data.seance.place, "number": data.seance.number,
        "convened_on": data.seance.convocation_sent_on.map(|d| d.to_string()),
    });
    ctx["president"] = president(Some(comp), lh, false);
    ctx["attendance"] = json!(attendance(comp, roll.as_ref(), &data.present));
    ctx["quorum"] = quorum_json(data);
    let next_start = store::starts_at(next).unwrap_or(data.starts_at);
    ctx["new_session"] = json!({"date": paris(next_start), "place": next.place});
    Ok(ctx)
}

/// The procès-verbal de carence DOCX.
///
/// # Errors
/// As [`pv_carence_context`]; the engine fails (internal).
pub fn pv_carence_docx(
    data: &SeanceData,
    lh: &Letterhead,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    render(DocKind::PvCarence, &pv_carence_context(data, lh, now)?, lh)
}

fn names_of(data: &SeanceData, ids: &[i32]) -> String {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            data.cao
                .assignment(&id.to_string())
                .map_or_else(|| id.to_string(), |a| a.person_name.clone())
        })
        .collect();
    if names.is_empty() {
        "aucun".to_owned()
    } else {
        names.join(", ")
    }
}

fn declarations_text(data: &SeanceData, now: DateTime<Utc>) -> String {
    let mut parts = Vec::new();
    for i in &data.items {
        let free: Vec<i32> = i
            .declarations
            .iter()
            .filter(|d| !d.has_conflict)
            .map(|d| d.assignment_id)
            .collect();
        let mut s = format!("Point {} ({}) : ", i.item.position, i.item.title);
        match i.bidders_at(now) {
            Ok(names) => s.push_str(&format!("soumissionnaires {} ; ", names.join(", "))),
            Err(why) => s.push_str(&format!("{why} ; ")),
        }
        s.push_str(&format!(
            "absence de conflit d'intérêts déclarée par {}",
            names_of(data, &free)
        ));
        for d in i.declarations.iter().filter(|d| d.has_conflict) {
            s.push_str(&format!(
                " ; {} a déclaré un conflit d'intérêts{} et s'est déporté",
                names_of(data, &[d.assignment_id]),
                d.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
        }
        s.push('.');
        parts.push(s);
    }
    if parts.is_empty() {
        "Aucune déclaration n'a été enregistrée.".to_owned()
    } else {
        parts.join(" ")
    }
}

fn decision_text(result: &str, proposed: &str) -> String {
    let r: Option<DeliberationResult> =
        serde_json::from_value(Value::String(result.to_owned())).ok();
    match r {
        Some(DeliberationResult::Adoptee) => format!("Adopté : {proposed}"),
        Some(DeliberationResult::AdopteeVoixPreponderante) => format!(
            "Adopté, la voix du président étant prépondérante : {proposed}"
        ),
        Some(DeliberationResult::Rejetee) => "La proposition est rejetée.".to_owned(),
        Some(DeliberationResult::RejeteeVoixPreponderante) => {
            "La proposition est rejetée, la voix du président étant prépondérante.".to_owned()
        }
        Some(DeliberationResult::PartageSansDecision) => {
            "Partage égal des voix sans voix prépondérante du président : aucune décision n'est prise."
                .to_owned()
        }
        Some(DeliberationResult::QuorumNonAtteint) | None => {
            "Pas de délibération : le quorum n'est pas atteint pour ce point.".to_owned()
        }
    }
}

/// Context of the procès-verbal of a séance held (composition, attendance, quorum,
/// declarations, each deliberation with its votes, observations).
///
/// # Errors
/// The séance is not closed; invalid composition.
pub fn pv_context(
    data: &SeanceData,
    lh: &Letterhead,
    awards: &Awards,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    if data.status != super::model::SeanceStatus::Tenue {
        return Err(AppError::Conflict(
            "Le procès-verbal est établi une fois la séance close (tous les points délibérés)."
                .into(),
        ));
    }
    let comp = composition(data)?;
    let roll = data.roll().and_then(Result::ok);
    let mut ctx = common(data, lh, data.date(), now);
    ctx["session"] = json!({
        "date": paris(data.starts_at), "place": data.seance.place, "number": data.seance.number,
        "after_carence": data.seance.second_convocation,
        "carence_date": data.previous.as_ref().and_then(store::starts_at).map(|d| d.date().to_string()),
        "secretary": data.seance.secretary,
        "closed_at": data.seance.closed_at.map_or_else(|| paris(data.starts_at), utc_paris),
    });
    ctx["president"] = president(Some(comp), lh, false);
    ctx["attendance"] = json!(attendance(comp, roll.as_ref(), &data.present));
    ctx["quorum"] = quorum_json(data);
    let guests: Vec<String> = comp
        .consultative
        .iter()
        .filter(|c| data.present.contains(&c.holder.person_key))
        .map(|c| format!("{}, {}", c.holder.person_name, c.kind.label_fr()))
        .collect();
    ctx["guests"] = if guests.is_empty() {
        json!(["aucune personne"])
    } else {
        json!(guests)
    };
    ctx["convocation"] = convocation_json(data);
    ctx["declarations"] = json!(declarations_text(data, now));
    ctx["deliberations"] = data
        .items
        .iter()
        .map(|i| {
            let by = |c: &str| -> Vec<i32> {
                i.votes.iter().filter(|v| v.choice == c).map(|v| v.assignment_id).collect()
            };
            let d = i.deliberation.as_ref();
            let adopted = d.is_some_and(|d| adopted(&d.result));
            let award: Vec<String> = match i.kind {
                ItemKind::Attribution => awards
                    .get(&i.item.id)
                    .map(|lots| lots.iter().map(|a| award_line(a, adopted)).collect())
                    .unwrap_or_default(),
                ItemKind::Autre => Vec::new(),
            };
            json!({
                "award": award,
                "number": i.item.position,
                "title": i.item.title,
                "summary": format!(
                    "Décision proposée : {} {} Ont voté pour : {} ; contre : {} ; abstention : {}.",
                    i.item.proposed_decision,
                    d.map(|d| d.explanation.as_str()).unwrap_or_default(),
                    names_of(data, &by("pour")),
                    names_of(data, &by("contre")),
                    names_of(data, &by("abstention")),
                ),
                "decision": decision_text(d.map_or("", |d| d.result.as_str()), &i.item.proposed_decision),
                "votes": {
                    "for": d.map_or(0, |d| d.pour),
                    "against": d.map_or(0, |d| d.contre),
                    "abstention": d.map_or(0, |d| d.abstention),
                },
            })
        })
        .collect();
    let observations: Vec<String> = data
        .observations
        .iter()
        .map(|o| format!("{} : {}", o.author, o.text))
        .collect();
    ctx["observations"] = if observations.is_empty() {
        json!(["Aucune observation n'a été demandée au procès-verbal."])
    } else {
        json!(observations)
    };
    Ok(ctx)
}

/// The procès-verbal DOCX.
///
/// # Errors
/// As [`pv_context`]; the engine fails (internal).
pub fn pv_docx(
    data: &SeanceData,
    lh: &Letterhead,
    awards: &Awards,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    render(DocKind::PvCao, &pv_context(data, lh, awards, now)?, lh)
}

/// The convocation as the procès-verbal states it: when it was sent and, when the delay fixed
/// by the groupement was not respected, the shortfall in words (see
/// [`super::rules::convocation::convocation_shortfall`]).
fn convocation_json(data: &SeanceData) -> Value {
    let sent = data.seance.convocation_sent_on;
    let shortfall = sent.and_then(|s| {
        convocation_shortfall(s, data.date(), data.settings.convocation_jours_francs)
            .map(|f| f.statement_fr())
    });
    json!({
        "sent_on": sent.map(|d| d.to_string()),
        "required": data.settings.convocation_jours_francs,
        "shortfall": shortfall.unwrap_or_default(),
    })
}

/// Whether a stored deliberation result adopts the proposal.
fn adopted(result: &str) -> bool {
    matches!(
        serde_json::from_value(Value::String(result.to_owned())),
        Ok(DeliberationResult::Adoptee | DeliberationResult::AdopteeVoixPreponderante)
    )
}

/// What the ranking gives for one lot of an attribution item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwardOutcome {
    /// The offer ranked first (R2152-7): bidder, SIRET, price HT and points.
    First {
        name: String,
        siret: String,
        amount_ht: Option<Decimal>,
        points: Decimal,
    },
    /// Several offers share the first rank: they must be told apart before any attribution.
    Tie(Vec<String>),
    /// No usable ranking yet (French reason).
    Blocked(String),
    /// No pli was received for the lot.
    NoPli,
}

/// One lot of an attribution item and what its ranking gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotAward {
    /// « lot 1 (Solution DUI) », or « le marché » for a consultation without lots.
    pub label: String,
    pub outcome: AwardOutcome,
}

/// The ranking of each lot of each attribution item, by agenda item id.
pub type Awards = HashMap<i32, Vec<LotAward>>;

/// The sentence of the procès-verbal for one lot: the attributaire named with its SIRET and the
/// amount HT when the proposal is adopted, the best-ranked offer otherwise, or why nobody can
/// be named.
#[must_use]
pub fn award_line(a: &LotAward, adopted: bool) -> String {
    let label = capitalised(&a.label);
    match &a.outcome {
        AwardOutcome::First {
            name,
            siret,
            amount_ht,
            points,
        } => {
            let amount = amount_ht.map_or_else(
                || "montant non saisi".to_owned(),
                |m| format!("pour un montant de {} HT", money_fr(m)),
            );
            let points = decimal_fr(*points, Some(2));
            if adopted {
                format!(
                    "{label} : attributaire {name}, SIRET {siret}, {amount} (offre classée première au vu du rapport d'analyse, {points} points)."
                )
            } else {
                format!(
                    "{label} : l'offre classée première au vu du rapport d'analyse est celle de {name}, SIRET {siret}, {amount} ({points} points) ; la proposition n'étant pas adoptée, aucun attributaire n'est désigné."
                )
            }
        }
        AwardOutcome::Tie(names) => format!(
            "{label} : aucun attributaire n'est désigné, les offres de {} sont classées ex aequo au premier rang et doivent être départagées.",
            names.join(" et ")
        ),
        AwardOutcome::Blocked(why) => format!(
            "{label} : aucun attributaire ne peut être désigné, {}.",
            why.trim_end_matches('.')
        ),
        AwardOutcome::NoPli => {
            format!("{label} : aucun attributaire ne peut être désigné, aucun pli n'a été reçu.")
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// A boxed future, for [`RankingSource`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The ranking of one lot as the procès-verbal names it: the lot (`None` for a consultation
/// without lots), its label (« lot 1 (Solution DUI) ») and what the ranking gives.
pub type RankedLot = (Option<i32>, String, AwardOutcome);

/// Where the CAO reads the ranking of the offers. The analysis of the offers sits above the
/// CAO (it uses the CAO's seats and decisions), so the CAO only names what it needs and the area
/// that owns the ranking provides it (see `AppState::cao_rankings`).
pub trait RankingSource: Send + Sync {
    /// The ranking of each lot of consultation `cid` that received plis.
    fn ranked_lots<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        gid: i32,
        cid: i32,
    ) -> BoxFuture<'a, Result<Vec<RankedLot>, AppError>>;
}

/// The offers deadline of a consultation as an instant (Paris wall-clock time), if fixed: the
/// plis are sealed until then and no bidder is named.
#[must_use]
pub fn plis_deadline(c: &consultation::Model) -> Option<DateTime<Utc>> {
    crate::consultations::service::offers_deadline(c).map(|d| {
        crate::calendar::paris_datetime(d.date(), d.hour(), d.minute()).with_timezone(&Utc)
    })
}

/// What the ranking of each lot gives for the attribution items of a séance, at `now` (no
/// bidder is named while the plis are sealed).
///
/// # Errors
/// Database errors.
pub async fn awards(
    source: &dyn RankingSource,
    db: &DatabaseConnection,
    gid: i32,
    data: &SeanceData,
    now: DateTime<Utc>,
) -> Result<Awards, AppError> {
    let mut rankings: HashMap<i32, Vec<RankedLot>> = HashMap::new();
    let mut out = Awards::new();
    for i in data
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Attribution)
    {
        let c = &i.consultation;
        let deadline = plis_deadline(c);
        if deadline.is_none_or(|d| now < d) {
            let why = deadline.map_or_else(
                || "la date limite de remise des offres n'est pas fixée".to_owned(),
                |d| {
                    format!(
                        "les plis sont scellés jusqu'à la date limite de remise des offres ({})",
                        crate::calendar::french_datetime(
                            &d.with_timezone(&chrono_tz::Europe::Paris)
                        )
                    )
                },
            );
            out.insert(
                i.item.id,
                vec![LotAward {
                    label: lot_label(i.lot.as_ref()),
                    outcome: AwardOutcome::Blocked(why),
                }],
            );
            continue;
        }
        if let Entry::Vacant(e) = rankings.entry(c.id) {
            e.insert(source.ranked_lots(db, gid, c.id).await?);
        }
        let rs = rankings.get(&c.id).map_or(&[][..], Vec::as_slice);
        out.insert(i.item.id, lot_awards(i.lot.as_ref(), rs));
    }
    Ok(out)
}

/// « lot 1 (Solution DUI) », or « le marché » for a consultation without lots.
#[must_use]
pub fn lot_label(lot: Option<&lot::Model>) -> String {
    lot.map_or_else(
        || "le marché".to_owned(),
        |l| format!("lot {} ({})", l.number, l.label),
    )
}

/// The lots of an item (its own lot, or every lot ranked for an item on the whole consultation)
/// and what their ranking gives; a lot that received no pli says so.
#[must_use]
pub fn lot_awards(lot: Option<&lot::Model>, rs: &[RankedLot]) -> Vec<LotAward> {
    let chosen: Vec<&RankedLot> = match lot {
        Some(l) => rs.iter().filter(|r| r.0 == Some(l.id)).collect(),
        None => rs.iter().collect(),
    };
    if chosen.is_empty() {
        return vec![LotAward {
            label: lot_label(lot),
            outcome: AwardOutcome::NoPli,
        }];
    }
    chosen
        .into_iter()
        .map(|(_, label, outcome)| LotAward {
            label: label.clone(),
            outcome: outcome.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn town_of_an_address() {
        assert_eq!(
            town("place Jean Delvainquière, BP 109, 59393 Wattrelos"),
            "Wattrelos"
        );
        assert_eq!(
            town("57 rue Paul Bert, BP 40005, 59426 Armentières Cedex"),
            "Armentières Cedex"
        );
        assert_eq!(town("Mairie"), "Mairie");
    }

    fn nbsp(s: &str) -> String {
        s.replace(['\u{a0}', '\u{202f}'], " ")
    }

    #[test]
    fn the_award_names_the_attributaire_its_siret_and_the_amount() {
        let first = LotAward {
            label: "lot 1 (Solution DUI)".into(),
            outcome: AwardOutcome::First {
                name: "ALPHA".into(),
                siret: "73282932000074".into(),
                amount_ht: Some(Decimal::new(10_000_050, 2)),
                points: Decimal::new(8754, 2),
            },
        };
        assert_eq!(
            nbsp(&award_line(&first, true)),
            "Lot 1 (Solution DUI) : attributaire ALPHA, SIRET 73282932000074, pour un montant de 100 000,50 € HT (offre classée première au vu du rapport d'analyse, 87,54 points)."
        );
        let not_adopted = nbsp(&award_line(&first, false));
        assert!(
            not_adopted.contains("aucun attributaire n'est désigné"),
            "{not_adopted}"
        );
        assert!(
            not_adopted.contains("ALPHA, SIRET 73282932000074"),
            "{not_adopted}"
        );
        let tie = LotAward {
            label: "le marché".into(),
            outcome: AwardOutcome::Tie(vec!["ALPHA".into(), "BETA".into()]),
        };
        assert_eq!(
            award_line(&tie, true),
            "Le marché : aucun attributaire n'est désigné, les offres de ALPHA et BETA sont classées ex aequo au premier rang et doivent être départagées."
        );
        let none = LotAward {
            label: "lot 2 (Télégestion)".into(),
            outcome: AwardOutcome::NoPli,
        };
        assert!(award_line(&none, true).ends_with("aucun pli n'a été reçu."));
        let blocked = LotAward {
            label: "lot 2 (Télégestion)".into(),
            outcome: AwardOutcome::Blocked("le classement n'est pas établi".into()),
        };
        assert_eq!(
            award_line(&blocked, true),
            "Lot 2 (Télégestion) : aucun attributaire ne peut être désigné, le classement n'est pas établi."
        );
        assert!(adopted("adoptee_voix_preponderante"));
        assert!(!adopted("rejetee"));
    }

    #[test]
    fn decisions_in_french() {
        assert_eq!(decision_text("adoptee", "Attribuer"), "Adopté : Attribuer");
        assert!(decision_text("partage_sans_decision", "x").contains("aucune décision"));
        assert!(decision_text("adoptee_voix_preponderante", "x").contains("prépondérante"));
        assert!(decision_text("quorum_non_atteint", "x").contains("quorum"));
        assert_eq!(decision_text("rejetee", "x"), "La proposition est rejetée.");
    }
}
