//! Use cases on the séances of the CAO up to the quorum: creation with the agenda, convocation,
//! attendance, carence and second convocation — each in one audited transaction.

use super::forms::{SeanceDraft, Target};
use super::model::{SeanceStatus, convocation_recipients, may_manage, person_key};
use super::rules::composition::SeatRole;
use super::rules::convocation::convocation_warning;
use super::rules::quorum::{QuorumOutcome, voting_roll};
use super::store::{self, STARTS_AT_FMT, SeanceData};
use crate::audit;
use crate::auth::CurrentUser;
use crate::calendar::french_date;
use crate::db::entities::{cao_agenda_item, cao_attendance, cao_seance, consultation, lot};
use crate::error::AppError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Today in Paris.
#[must_use]
pub fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Refuses a caller who does not manage the séance (see [`may_manage`]).
///
/// # Errors
/// `Forbidden` (French).
pub fn ensure_manager(user: &CurrentUser, data: &SeanceData) -> Result<(), AppError> {
    if may_manage(user, &data.cao, data.date()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "la conduite de la séance (convocation, présences, votes, observations, clôture) est réservée au coordonnateur et au président de la CAO".into(),
        ))
    }
}

/// Refuses an action outside the expected states.
///
/// # Errors
/// `Conflict` naming the state.
pub fn ensure_status(
    data: &SeanceData,
    allowed: &[SeanceStatus],
    action: &str,
) -> Result<(), AppError> {
    if allowed.contains(&data.status) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "La séance n° {} est « {} » : impossible de {action}.",
            data.seance.number,
            data.status.label()
        )))
    }
}

fn seance_snapshot(s: &cao_seance::Model) -> serde_json::Value {
    serde_json::json!({
        "numero": s.number, "debut": s.starts_at, "lieu": s.place, "distance": s.remote,
        "etat": s.status, "seconde_convocation": s.second_convocation,
        "seance_precedente": s.previous_seance_id, "convocation_envoyee_le": s.convocation_sent_on,
    })
}

async fn record<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    action: &'static str,
    sid: i32,
    summary: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        tx,
        now,
        &user.actor(),
        audit::Event {
            groupement_id: Some(gid),
            action,
            entity: "cao_seance",
            entity_id: sid.to_string(),
            summary,
        },
    )
    .await?;
    Ok(())
}

/// The points of the agenda for one target, checked against the groupement: one per lot of a
/// consultation that has lots (a lot is awarded on its own), the consultation itself otherwise.
async fn resolve_target<C: ConnectionTrait>(
    tx: &C,
    gid: i32,
    n: usize,
    t: Target,
) -> Result<Vec<(consultation::Model, Option<lot::Model>, String)>, AppError> {
    let unknown = || {
        AppError::field(
            &format!("item{n}"),
            format!("point {n} : cette consultation ou ce lot n'appartient pas au groupement"),
        )
    };
    let (cid, one) = match t {
        Target::Consultation(cid) => (cid, None),
        Target::Lot(lid) => {
            let l = lot::Entity::find_by_id(lid)
                .one(tx)
                .await?
                .ok_or_else(unknown)?;
            (l.consultation_id, Some(l))
        }
    };
    let c = consultation::Entity::find_by_id(cid)
        .filter(consultation::Column::GroupementId.eq(gid))
        .one(tx)
        .await?
        .ok_or_else(unknown)?;
    let lots: Vec<Option<lot::Model>> = match one {
        Some(l) => vec![Some(l)],
        None => {
            let all = lot::Entity::find()
                .filter(lot::Column::ConsultationId.eq(cid))
                .order_by_asc(lot::Column::Number)
                .all(tx)
                .await?;
            if all.is_empty() {
                vec![None]
            } else {
                all.into_iter().map(Some).collect()
            }
        }
    };
    Ok(lots
        .into_iter()
        .map(|l| {
            let mut title = format!("Consultation {} – {}", c.reference, c.objet);
            if let Some(l) = &l {
                title.push_str(&format!(", lot {} ({})", l.number, l.label));
            }
            (c.clone(), l, title)
        })
        .collect())
}

/// The decision proposed on an attribution item left blank in the form.
#[must_use]
pub fn default_award_decision(lot: Option<&lot::Model>) -> String {
    let what = lot.map_or_else(
        || "le marché".to_owned(),
        |l| format!("le lot {} ({})", l.number, l.label),
    );
    format!(
        "Attribuer {what} au soumissionnaire dont l'offre est classée première au vu du rapport d'analyse des offres (article L2152-7 du code de la commande publique)"
    )
}

async fn next_number<C: ConnectionTrait>(
    tx: &C,
    gid: i32,
    start: NaiveDateTime,
) -> Result<String, AppError> {
    let year = start.date().year();
    let mut n = cao_seance::Entity::find()
        .filter(cao_seance::Column::GroupementId.eq(gid))
        .filter(cao_seance::Column::StartsAt.starts_with(format!("{year}-")))
        .count(tx)
        .await?
        + 1;
    loop {
        let number = format!("{year}-{n:02}");
        let taken = cao_seance::Entity::find()
            .filter(cao_seance::Column::GroupementId.eq(gid))
            .filter(cao_seance::Column::Number.eq(&number))
            .count(tx)
            .await?
            > 0;
        if !taken {
            return Ok(number);
        }
        n += 1;
    }
}

struct NewSeance<'a> {
    starts_at: NaiveDateTime,
    place: &'a str,
    remote: bool,
    secretary: &'a str,
    previous: Option<i32>,
}

async fn insert_seance<C: ConnectionTrait>(
    tx: &C,
    now: DateTime<Utc>,
    gid: i32,
    s: NewSeance<'_>,
) -> Result<cao_seance::Model, AppError> {
    if s.starts_at.date() < paris_today(now) {
        return Err(AppError::field(
            "date",
            format!(
                "la date de la séance ({}) est passée",
                french_date(s.starts_at.date())
            ),
        ));
    }
    Ok(cao_seance::ActiveModel {
        groupement_id: Set(gid),
        number: Set(next_number(tx, gid, s.starts_at).await?),
        starts_at: Set(s.starts_at.format(STARTS_AT_FMT).to_string()),
        place: Set(s.place.to_owned()),
        remote: Set(s.remote),
        secretary: Set(s.secretary.to_owned()),
        status: Set(SeanceStatus::Prevue.code().to_owned()),
        second_convocation: Set(s.previous.is_some()),
        previous_seance_id: Set(s.previous),
        convocation_sent_on: Set(None),
        attendance_recorded_at: Set(None),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// Creates a séance with its agenda: lots of consultations of the groupement (a consultation
/// with lots gives one point per lot), what is decided and the decision proposed. The bidders
/// are not entered: each point takes them from the register of plis of its lot.
///
/// # Errors
/// Not a manager (403), past date, a consultation of another groupement, database errors.
pub async fn create(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    d: &SeanceDraft,
) -> Result<cao_seance::Model, AppError> {
    let tx = audit::begin(db).await?;
    let cao = store::stored_cao(&tx, gid).await?;
    if !may_manage(user, &cao, paris_today(now)) {
        return Err(AppError::Forbidden(
            "seuls le coordonnateur et le président de la CAO créent une séance".into(),
        ));
    }
    let mut resolved = Vec::new();
    for (i, item) in d.items.iter().enumerate() {
        resolved.push((item, resolve_target(&tx, gid, i + 1, item.target).await?));
    }
    let s = insert_seance(
        &tx,
        now,
        gid,
        NewSeance {
            starts_at: d.starts_at,
            place: &d.place,
            remote: d.remote,
            secretary: &d.secretary,
            previous: None,
        },
    )
    .await?;
    let mut agenda = Vec::new();
    let points = resolved
        .into_iter()
        .flat_map(|(item, points)| points.into_iter().map(move |p| (item, p)));
    for (pos, (item, (c, l, title))) in points.enumerate() {
        let decision = if item.proposed_decision.is_empty() {
            default_award_decision(l.as_ref())
        } else {
            item.proposed_decision.clone()
        };
        cao_agenda_item::ActiveModel {
            seance_id: Set(s.id),
            position: Set(i32::try_from(pos + 1).unwrap_or(i32::MAX)),
            consultation_id: Set(c.id),
            lot_id: Set(l.map(|l| l.id)),
            title: Set(title.clone()),
            proposed_decision: Set(decision.clone()),
            bidders: Set("[]".into()),
            kind: Set(Some(item.kind.code().to_owned())),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        agenda.push(serde_json::json!({"point": title, "nature": item.kind.code(), "decision_proposee": decision}));
    }
    record(
        &tx,
        now,
        user,
        gid,
        "cao.seance_creee",
        s.id,
        serde_json::json!({"after": seance_snapshot(&s), "ordre_du_jour": agenda}),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Records that the convocation was sent on `sent_on` (to every titulaire and suppléant and the
/// invited consultative members); returns the warning when the delay fixed by the groupement is
/// not respected (weekends and holidays extend it, see `convocation_warning`).
///
/// # Errors
/// Not a manager, wrong state, a date in the future or after the séance, database errors.
pub async fn record_convocation(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    sent_on: NaiveDate,
) -> Result<Option<String>, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(
        &data,
        &[SeanceStatus::Prevue, SeanceStatus::Convoquee],
        "enregistrer la convocation",
    )?;
    if data.attendance_recorded() {
        return Err(AppError::Conflict(
            "Les présences sont déjà relevées : la convocation ne peut plus être modifiée.".into(),
        ));
    }
    if sent_on > paris_today(now) {
        return Err(AppError::field(
            "sent_on",
            format!(
                "la date d'envoi ({}) est dans le futur : enregistrez la convocation une fois envoyée",
                french_date(sent_on)
            ),
        ));
    }
    let warning = convocation_warning(sent_on, data.date(), data.settings.convocation_jours_francs);
    if sent_on > data.date() {
        return Err(AppError::field(
            "sent_on",
            warning.unwrap_or_else(|| "la convocation est postérieure à la séance".into()),
        ));
    }
    let recipients = convocation_recipients(&data.cao, data.date());
    // Sent today through Coordo: one email per titulaire, suppléant and invited consultative
    // member, each with their own convocation (one DOCX addressed to them by name), in this same
    // transaction (the outbox delivers it). An earlier date records a convocation already sent
    // by other means.
    let mut queued = 0;
    if sent_on == paris_today(now) {
        let lh = super::docs::letterhead(&tx, gid).await?;
        let mut sent = data.clone();
        sent.seance.convocation_sent_on = Some(sent_on);
        let files = super::convocations::files(&sent, &lh, sent_on, now)?;
        let when = format!(
            "{} à {}",
            french_date(data.starts_at.date()),
            data.starts_at.format("%H h %M")
        );
        let agenda: Vec<String> = data
            .items
            .iter()
            .map(|i| format!("- {}", i.item.title))
            .collect();
        for f in files {
            let Some(email) = f.to.email.clone() else {
                continue;
            };
            let name = f.to.name.clone();
            let text = format!(
                "Bonjour {name},\n\nEn votre qualité de {seat}, vous êtes convoqué(e) à la séance de la commission \
                 d'appel d'offres du groupement « {g} », le {when}, lieu : {place}.\n\nOrdre du jour :\n{agenda}\n\n\
                 Votre convocation est jointe.{absent}\n\n{coord}\nCoordonnateur du groupement (convention, art. 5.4)",
                seat = f.to.seat_label(),
                g = lh.groupement.name,
                place = data.seance.place,
                agenda = agenda.join("\n"),
                absent = match (f.to.role, &f.to.counterpart) {
                    (SeatRole::Titulaire, Some(s)) => {
                        format!(" En cas d'empêchement, prévenez votre suppléant(e), {s}.")
                    }
                    _ => String::new(),
                },
                coord = lh.coordonnateur.name,
            );
            crate::mail::enqueue(
                &tx,
                now,
                &user.actor(),
                Some(gid),
                crate::mail::OutgoingEmail {
                    kind: "cao_convocation".into(),
                    to: crate::mail::Recipient::named(email, name),
                    subject: format!("Convocation à la commission d'appel d'offres du {when}"),
                    text,
                    html: None,
                    attachments: vec![crate::mail::OutgoingAttachment {
                        filename: f.file_name,
                        content_type: crate::mail::DOCX_CONTENT_TYPE.into(),
                        bytes: f.docx,
                    }],
                },
            )
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("courriel de convocation : {e}")))?;
            queued += 1;
        }
    }
    let before = seance_snapshot(&data.seance);
    let mut am: cao_seance::ActiveModel = data.seance.into();
    am.status = Set(SeanceStatus::Convoquee.code().to_owned());
    am.convocation_sent_on = Set(Some(sent_on));
    am.updated_at = Set(now);
    let row = am.update(&tx).await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.convocation",
        sid,
        serde_json::json!({
            "before": before, "after": seance_snapshot(&row),
            "destinataires": recipients.iter().map(|(n, e)| format!("{n} <{e}>")).collect::<Vec<_>>(),
            "avertissement": warning,
            "courriels_en_file": queued,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(warning)
}

/// Records who is present (person keys = mandate ids) and returns the quorum
/// (CGCT L1411-5 II; a suppléant replaces an absent titulaire, never sits beside it).
///
/// # Errors
/// Not a manager, wrong state, séance not yet begun, votes already recorded, an unknown person
/// (French, nothing written), database errors.
pub async fn record_attendance(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    present: &[String],
) -> Result<QuorumOutcome, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(&data, &[SeanceStatus::Convoquee], "relever les présences")?;
    if paris_today(now) < data.date() {
        return Err(AppError::Conflict(format!(
            "La séance du {} n'a pas encore eu lieu : les présences se relèvent le jour de la séance.",
            french_date(data.date())
        )));
    }
    if data
        .items
        .iter()
        .any(|i| !i.declarations.is_empty() || !i.votes.is_empty() || i.deliberation.is_some())
    {
        return Err(AppError::Conflict(
            "Des déclarations ou des votes sont déjà enregistrés : les présences ne peuvent plus être modifiées.".into(),
        ));
    }
    let composition = data
        .composition
        .as_ref()
        .map_err(|e| AppError::Conflict(e.clone()))?;
    let roll =
        voting_roll(composition, present).map_err(|e| AppError::field("present", e.to_string()))?;
    let outcome = super::rules::quorum::quorum(&roll, data.seance.second_convocation);
    cao_attendance::Entity::delete_many()
        .filter(cao_attendance::Column::SeanceId.eq(sid))
        .exec(&tx)
        .await?;
    let mut names = Vec::new();
    for p in present {
        let a = data
            .cao
            .assignment(p)
            .ok_or_else(|| anyhow::anyhow!("mandat {p} absent"))?;
        names.push(a.person_name.clone());
        cao_attendance::ActiveModel {
            seance_id: Set(sid),
            assignment_id: Set(a.id),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let mut am: cao_seance::ActiveModel = data.seance.into();
    am.attendance_recorded_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(&tx).await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.presences",
        sid,
        serde_json::json!({
            "presents": names,
            "votants": roll.voters.iter().map(|v| v.person_name.clone()).collect::<Vec<_>>(),
            "quorum": {"presents": outcome.voting_present, "requis": outcome.required, "sieges": outcome.seats, "atteint": outcome.reached},
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Declares the carence of a séance whose quorum is not reached (CGCT L1411-5 II).
///
/// # Errors
/// Not a manager, wrong state, attendance not recorded, quorum reached, database errors.
pub async fn declare_carence(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
) -> Result<QuorumOutcome, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(&data, &[SeanceStatus::Convoquee], "constater la carence")?;
    let Some(q) = data.quorum() else {
        return Err(AppError::Conflict(
            "Relevez d'abord les présences : la carence se constate au vu du quorum.".into(),
        ));
    };
    if q.reached {
        return Err(AppError::Conflict(format!(
            "Pas de carence : {}",
            q.explanation_fr
        )));
    }
    let mut am: cao_seance::ActiveModel = data.seance.into();
    am.status = Set(SeanceStatus::Carence.code().to_owned());
    am.updated_at = Set(now);
    am.update(&tx).await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.carence",
        sid,
        serde_json::json!({"quorum": {"presents": q.voting_present, "requis": q.required, "sieges": q.seats}, "motif": q.explanation_fr}),
    )
    .await?;
    tx.commit().await?;
    Ok(q)
}

/// Convenes the commission again after a carence: a new séance with the same agenda, which sits
/// without quorum condition (CGCT L1411-5 II).
///
/// # Errors
/// Not a manager, the séance is not in carence or already convened again, past date, database errors.
pub async fn second_convocation(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    user: &CurrentUser,
    gid: i32,
    sid: i32,
    when: (NaiveDateTime, String, bool),
) -> Result<cao_seance::Model, AppError> {
    let tx = audit::begin(db).await?;
    let data = store::seance(&tx, gid, sid).await?;
    ensure_manager(user, &data)?;
    ensure_status(
        &data,
        &[SeanceStatus::Carence],
        "la convoquer à nouveau (seule une séance en carence l'est)",
    )?;
    if let Some(f) = &data.follow_up {
        return Err(AppError::Conflict(format!(
            "La commission a déjà été convoquée à nouveau : séance n° {}.",
            f.number
        )));
    }
    let (starts_at, place, remote) = when;
    if starts_at <= data.starts_at {
        return Err(AppError::field(
            "date",
            "la nouvelle séance doit se tenir après la séance en carence",
        ));
    }
    let s = insert_seance(
        &tx,
        now,
        gid,
        NewSeance {
            starts_at,
            place: &place,
            remote,
            secretary: &data.seance.secretary,
            previous: Some(sid),
        },
    )
    .await?;
    for i in &data.items {
        cao_agenda_item::ActiveModel {
            seance_id: Set(s.id),
            position: Set(i.item.position),
            consultation_id: Set(i.item.consultation_id),
            lot_id: Set(i.item.lot_id),
            title: Set(i.item.title.clone()),
            proposed_decision: Set(i.item.proposed_decision.clone()),
            bidders: Set(i.item.bidders.clone()),
            kind: Set(i.item.kind.clone()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    // The PV de carence can now be established (it states the new séance): rendered once and
    // kept as is, in this same transaction.
    let carence = store::seance(&tx, gid, sid).await?;
    let pv = super::pv_store::establish(
        &tx,
        gid,
        &carence,
        super::pv_store::PvKind::Carence,
        &super::docs::Awards::new(),
        &user.actor().label,
        now,
    )
    .await?;
    record(
        &tx,
        now,
        user,
        gid,
        "cao.seconde_convocation",
        s.id,
        serde_json::json!({
            "after": seance_snapshot(&s), "apres_carence_de": data.seance.number,
            "proces_verbal_de_carence": {"fichier": pv.file_name, "octets": pv.size, "sha256": pv.sha256},
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// Person keys of a séance's present persons, from the attendance form (`present_<id>` boxes).
#[must_use]
pub fn present_from_form(form: &std::collections::HashMap<String, String>) -> Vec<String> {
    let mut ids: Vec<i32> = form
        .iter()
        .filter(|(_, v)| matches!(v.as_str(), "on" | "oui" | "true"))
        .filter_map(|(k, _)| k.strip_prefix("present_")?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.into_iter().map(person_key).collect()
}
