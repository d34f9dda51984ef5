//! Reading the stored CAO: the members and mandates, a séance with everything recorded in it,
//! and the rules' view of it (composition at its date, voting roll, quorum).

use super::forms::ItemKind;
use super::model::{SeanceStatus, StoredCao, person_key, rules_member};
use super::rules::composition::Composition;
use super::rules::deliberation::{AgendaItem, ConflictDeclaration, DeliberationConfig, Vote};
use super::rules::quorum::{QuorumOutcome, VotingRoll, quorum, voting_roll};
use crate::db::entities::{
    cao_agenda_item, cao_attendance, cao_conflict_declaration, cao_deliberation, cao_observation,
    cao_seance, cao_seat_assignment, cao_signoff, cao_vote, consultation, groupement, lot, member,
    pli,
};
use crate::error::AppError;
use crate::registry::service::GroupementSettings;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Stored form of a séance's start (Paris wall-clock time).
pub const STARTS_AT_FMT: &str = "%Y-%m-%dT%H:%M";

/// Members and mandates of a groupement's CAO.
///
/// # Errors
/// Database errors.
pub async fn stored_cao<C: ConnectionTrait>(db: &C, gid: i32) -> Result<StoredCao, AppError> {
    let members = member::Entity::find()
        .filter(member::Column::GroupementId.eq(gid))
        .order_by_asc(member::Column::Position)
        .all(db)
        .await?;
    let assignments = cao_seat_assignment::Entity::find()
        .filter(cao_seat_assignment::Column::GroupementId.eq(gid))
        .order_by_asc(cao_seat_assignment::Column::Id)
        .all(db)
        .await?;
    Ok(StoredCao {
        members: members.iter().map(rules_member).collect(),
        assignments,
    })
}

/// The groupement (`NotFound` when absent).
///
/// # Errors
/// `NotFound`, database errors.
pub async fn groupement<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<groupement::Model, AppError> {
    groupement::Entity::find_by_id(gid)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The groupement's own rules (casting vote, convocation delay).
///
/// # Errors
/// `NotFound`, database errors.
pub async fn settings<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<GroupementSettings, AppError> {
    Ok(GroupementSettings::from_json(
        &groupement(db, gid).await?.settings,
    ))
}

/// Séances of a groupement, latest first.
///
/// # Errors
/// Database errors.
pub async fn seances<C: ConnectionTrait>(
    db: &C,
    gid: i32,
) -> Result<Vec<cao_seance::Model>, AppError> {
    Ok(cao_seance::Entity::find()
        .filter(cao_seance::Column::GroupementId.eq(gid))
        .order_by_desc(cao_seance::Column::StartsAt)
        .order_by_desc(cao_seance::Column::Id)
        .all(db)
        .await?)
}

/// One séance row of a groupement.
///
/// # Errors
/// `NotFound`, database errors.
pub async fn seance_row<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    sid: i32,
) -> Result<cao_seance::Model, AppError> {
    cao_seance::Entity::find_by_id(sid)
        .filter(cao_seance::Column::GroupementId.eq(gid))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Parses the stored start of a séance.
#[must_use]
pub fn starts_at(s: &cao_seance::Model) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(&s.starts_at, STARTS_AT_FMT).ok()
}

/// A bidder of an agenda item: the sender of a pli of the register for the item's lot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bidder {
    pub name: String,
    /// 14 digits, as registered.
    pub siret: String,
}

/// The bidders of an item: the plis registered for its lot (for the whole consultation when the
/// item has no lot), less those replaced by a later pli (R2151-6) and those received after the
/// deadline, never opened (R2143-2). Never typed by hand.
#[must_use]
pub fn item_bidders(plis: &[pli::Model], lot_id: Option<i32>) -> Vec<Bidder> {
    let mut out: Vec<Bidder> = Vec::new();
    for p in plis
        .iter()
        .filter(|p| !p.superseded && !p.hors_delai)
        .filter(|p| lot_id.is_none() || p.lot_id == lot_id)
    {
        let b = Bidder {
            name: p.bidder_name.clone(),
            siret: p.siret.clone(),
        };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// One agenda item with what was recorded on it.
#[derive(Clone, Debug)]
pub struct ItemData {
    pub item: cao_agenda_item::Model,
    pub kind: ItemKind,
    pub consultation: consultation::Model,
    pub lot: Option<lot::Model>,
    /// The bidders from the register (see [`item_bidders`]); shown only once the plis are
    /// opened ([`ItemData::bidders_at`]).
    pub bidders: Vec<Bidder>,
    /// The offers deadline of the consultation: the plis are sealed until then.
    pub plis_deadline: Option<DateTime<Utc>>,
    pub declarations: Vec<cao_conflict_declaration::Model>,
    pub votes: Vec<cao_vote::Model>,
    pub deliberation: Option<cao_deliberation::Model>,
}

impl ItemData {
    /// The bidders' names at `now`, or why none is named (French): the plis are still sealed
    /// (no bidder is named before the offers deadline), or none is registered yet.
    ///
    /// # Errors
    /// The French reason when no name can be given.
    pub fn bidders_at(&self, now: DateTime<Utc>) -> Result<Vec<String>, String> {
        let what = match &self.lot {
            Some(l) => format!("le lot {}", l.number),
            None => "la consultation".to_owned(),
        };
        match self.plis_deadline {
            Some(d) if now >= d => {}
            Some(d) => {
                return Err(format!(
                    "plis scellés jusqu'à la date limite de remise des offres ({}) : les soumissionnaires pour {what} seront repris du registre des plis à cette date",
                    crate::calendar::french_datetime(&d.with_timezone(&chrono_tz::Europe::Paris))
                ));
            }
            None => {
                return Err(format!(
                    "la date limite de remise des offres n'est pas fixée : aucun pli n'est encore enregistré pour {what}"
                ));
            }
        }
        if self.bidders.is_empty() {
            return Err(format!(
                "aucun pli n'est enregistré pour {what} : les soumissionnaires sont repris du registre des plis"
            ));
        }
        Ok(self.bidders.iter().map(|b| b.name.clone()).collect())
    }

    /// The item as the rules see it.
    #[must_use]
    pub fn rules_item(&self) -> AgendaItem {
        AgendaItem {
            key: self.item.id.to_string(),
            title: self.item.title.clone(),
        }
    }

    /// The declarations as the rules see them.
    #[must_use]
    pub fn rules_declarations(&self) -> Vec<ConflictDeclaration> {
        self.declarations
            .iter()
            .map(|d| ConflictDeclaration {
                item_key: self.item.id.to_string(),
                person_key: person_key(d.assignment_id),
                has_conflict: d.has_conflict,
                note: d.note.clone(),
            })
            .collect()
    }

    /// The votes as the rules see them (unreadable stored choices are skipped).
    #[must_use]
    pub fn rules_votes(&self) -> Vec<Vote> {
        self.votes
            .iter()
            .filter_map(|v| {
                super::forms::parse_choice(&v.choice)
                    .ok()
                    .map(|choice| Vote {
                        person_key: person_key(v.assignment_id),
                        choice,
                    })
            })
            .collect()
    }

    /// Person keys of the voters who declared a conflict on this item.
    #[must_use]
    pub fn conflicted(&self) -> Vec<String> {
        self.declarations
            .iter()
            .filter(|d| d.has_conflict)
            .map(|d| person_key(d.assignment_id))
            .collect()
    }
}

/// A séance and everything recorded in it.
#[derive(Clone, Debug)]
pub struct SeanceData {
    pub seance: cao_seance::Model,
    pub status: SeanceStatus,
    pub starts_at: NaiveDateTime,
    pub cao: StoredCao,
    /// Composition in force on the day of the séance, or why there is none (French).
    pub composition: Result<Composition, String>,
    pub settings: GroupementSettings,
    pub items: Vec<ItemData>,
    /// Person keys of the persons present, once the attendance is recorded.
    pub present: Vec<String>,
    pub observations: Vec<cao_observation::Model>,
    pub signoffs: Vec<cao_signoff::Model>,
    pub previous: Option<cao_seance::Model>,
    /// The séance convened again after this one's carence.
    pub follow_up: Option<cao_seance::Model>,
}

impl SeanceData {
    /// Day of the séance (Paris).
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        self.starts_at.date()
    }

    /// Whether the attendance was recorded.
    #[must_use]
    pub fn attendance_recorded(&self) -> bool {
        self.seance.attendance_recorded_at.is_some()
    }

    /// The voting roll once the attendance is recorded (CGCT L1411-5 II; convention art. 5.4).
    #[must_use]
    pub fn roll(&self) -> Option<Result<VotingRoll, String>> {
        if !self.attendance_recorded() {
            return None;
        }
        Some(match &self.composition {
            Ok(c) => voting_roll(c, &self.present).map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        })
    }

    /// The quorum of the séance once the attendance is recorded.
    #[must_use]
    pub fn quorum(&self) -> Option<QuorumOutcome> {
        self.roll()
            .and_then(Result::ok)
            .map(|r| quorum(&r, self.seance.second_convocation))
    }

    /// The groupement's deliberation rules.
    #[must_use]
    pub fn config(&self) -> DeliberationConfig {
        DeliberationConfig {
            president_casting_vote: self.settings.cao_casting_vote,
        }
    }

    /// One agenda item of this séance.
    #[must_use]
    pub fn item(&self, item_id: i32) -> Option<&ItemData> {
        self.items.iter().find(|i| i.item.id == item_id)
    }
}

/// Loads a séance with its agenda, attendance, declarations, votes, results, observations and
/// signatures, and the composition at its date.
///
/// # Errors
/// `NotFound`, database errors.
pub async fn seance<C: ConnectionTrait>(
    db: &C,
    gid: i32,
    sid: i32,
) -> Result<SeanceData, AppError> {
    let seance = seance_row(db, gid, sid).await?;
    let status = SeanceStatus::from_code(&seance.status).map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = starts_at(&seance)
        .ok_or_else(|| anyhow::anyhow!("début de séance illisible : {}", seance.starts_at))?;
    let cao = stored_cao(db, gid).await?;
    let composition = cao.composition_at(start.date()).map_err(|e| e.to_string());
    let rows = cao_agenda_item::Entity::find()
        .filter(cao_agenda_item::Column::SeanceId.eq(sid))
        .order_by_asc(cao_agenda_item::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|i| i.id).collect();
    let declarations = cao_conflict_declaration::Entity::find()
        .filter(cao_conflict_declaration::Column::AgendaItemId.is_in(ids.clone()))
        .order_by_asc(cao_conflict_declaration::Column::Id)
        .all(db)
        .await?;
    let votes = cao_vote::Entity::find()
        .filter(cao_vote::Column::AgendaItemId.is_in(ids.clone()))
        .order_by_asc(cao_vote::Column::Id)
        .all(db)
        .await?;
    let deliberations = cao_deliberation::Entity::find()
        .filter(cao_deliberation::Column::AgendaItemId.is_in(ids))
        .all(db)
        .await?;
    let mut items = Vec::new();
    let mut registers: HashMap<i32, Vec<pli::Model>> = HashMap::new();
    for item in rows {
        let consultation = consultation::Entity::find_by_id(item.consultation_id)
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("consultation {} absente", item.consultation_id))?;
        if let Entry::Vacant(e) = registers.entry(consultation.id) {
            // The register keeps each pli's flags (replaced, late) up to date at every
            // registration; they are read as stored.
            e.insert(
                pli::Entity::find()
                    .filter(pli::Column::ConsultationId.eq(consultation.id))
                    .order_by_asc(pli::Column::ReceivedAt)
                    .order_by_asc(pli::Column::Id)
                    .all(db)
                    .await?,
            );
        }
        let plis = registers
            .get(&consultation.id)
            .map_or(&[][..], Vec::as_slice);
        let lot = match item.lot_id {
            Some(l) => lot::Entity::find_by_id(l).one(db).await?,
            None => None,
        };
        let id = item.id;
        items.push(ItemData {
            kind: ItemKind::from_stored(item.kind.as_deref()),
            bidders: item_bidders(plis, item.lot_id),
            plis_deadline: super::docs::plis_deadline(&consultation),
            consultation,
            lot,
            declarations: declarations
                .iter()
                .filter(|d| d.agenda_item_id == id)
                .cloned()
                .collect(),
            votes: votes
                .iter()
                .filter(|v| v.agenda_item_id == id)
                .cloned()
                .collect(),
            deliberation: deliberations
                .iter()
                .find(|d| d.agenda_item_id == id)
                .cloned(),
            item,
        });
    }
    let present = cao_attendance::Entity::find()
        .filter(cao_attendance::Column::SeanceId.eq(sid))
        .order_by_asc(cao_attendance::Column::AssignmentId)
        .all(db)
        .await?
        .into_iter()
        .map(|a| person_key(a.assignment_id))
        .collect();
    let observations = cao_observation::Entity::find()
        .filter(cao_observation::Column::SeanceId.eq(sid))
        .order_by_asc(cao_observation::Column::Id)
        .all(db)
        .await?;
    let signoffs = cao_signoff::Entity::find()
        .filter(cao_signoff::Column::SeanceId.eq(sid))
        .order_by_asc(cao_signoff::Column::Id)
        .all(db)
        .await?;
    let previous = match seance.previous_seance_id {
        Some(p) => cao_seance::Entity::find_by_id(p).one(db).await?,
        None => None,
    };
    let follow_up = cao_seance::Entity::find()
        .filter(cao_seance::Column::PreviousSeanceId.eq(sid))
        .one(db)
        .await?;
    Ok(SeanceData {
        settings: settings(db, gid).await?,
        status,
        starts_at: start,
        cao,
        composition,
        items,
        present,
        observations,
        signoffs,
        previous,
        follow_up,
        seance,
    })
}
