//! The CAO's forms, checked field by field (pure): a mandate, a séance with its agenda, a vote.

use super::model::parse_role;
use super::rules::composition::{Designation, SeatRole};
use super::rules::deliberation::VoteChoice;
use crate::error::FieldErrors;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Largest number of agenda items in one séance form.
pub const MAX_ITEMS: usize = 8;

fn push(errs: &mut FieldErrors, field: &str, msg: impl Into<String>) {
    errs.entry(field.to_owned()).or_default().push(msg.into());
}

fn date(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        push(errs, field, format!("{label} est obligatoire"));
        return None;
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_or_else(
        |_| {
            push(
                errs,
                field,
                format!("{label} « {v} » n'est pas une date (AAAA-MM-JJ)"),
            );
            None
        },
        Some,
    )
}

fn text(errs: &mut FieldErrors, field: &str, label: &str, v: &str, max: usize) -> String {
    let v = v.trim();
    if v.is_empty() {
        push(errs, field, format!("{label} est obligatoire"));
    } else if v.chars().count() > max {
        push(
            errs,
            field,
            format!("{label} ne peut pas dépasser {max} caractères"),
        );
    }
    v.to_owned()
}

fn optional_id(errs: &mut FieldErrors, field: &str, label: &str, v: &str) -> Option<i32> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    v.parse().map_or_else(
        |_| {
            push(errs, field, format!("{label} « {v} » est invalide"));
            None
        },
        Some,
    )
}

/// Raw input of the mandate form (all strings).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignmentInput {
    pub member_id: String,
    pub person_name: String,
    pub person_email: String,
    pub user_id: String,
    pub role: String,
    pub consultative_kind: String,
    pub designation_date: String,
    pub designation_body: String,
    /// `oui`, `non` or empty (not stated).
    pub voting_member_of_own_cao: String,
    pub valid_from: String,
    pub valid_to: String,
}

/// A checked mandate, before the checks that need the stored CAO.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentDraft {
    pub member_id: Option<i32>,
    pub person_name: String,
    pub person_email: Option<String>,
    pub user_id: Option<i32>,
    pub role: SeatRole,
    pub designation: Designation,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Checks the mandate form.
///
/// # Errors
/// French messages per field.
pub fn validate_assignment_input(i: &AssignmentInput) -> Result<AssignmentDraft, FieldErrors> {
    let mut errs = FieldErrors::new();
    let member_id = optional_id(&mut errs, "member_id", "le membre", &i.member_id);
    let person_name = text(
        &mut errs,
        "person_name",
        "le nom de la personne",
        &i.person_name,
        120,
    );
    let email = i.person_email.trim().to_lowercase();
    let person_email = if email.is_empty() {
        None
    } else if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        push(
            &mut errs,
            "person_email",
            format!("« {email} » n'est pas une adresse électronique valide"),
        );
        None
    } else {
        Some(email)
    };
    let user_id = optional_id(&mut errs, "user_id", "le compte", &i.user_id);
    let kind = Some(i.consultative_kind.as_str()).filter(|k| !k.trim().is_empty());
    let role = parse_role(&i.role, kind)
        .map_err(|e| push(&mut errs, "role", e))
        .ok();
    let designation_date = date(
        &mut errs,
        "designation_date",
        "la date de désignation",
        &i.designation_date,
    );
    let body = text(
        &mut errs,
        "designation_body",
        "l'organe qui a désigné",
        &i.designation_body,
        200,
    );
    let voting = match i.voting_member_of_own_cao.trim() {
        "" => None,
        "oui" | "on" | "true" => Some(true),
        "non" | "false" => Some(false),
        other => {
            push(
                &mut errs,
                "voting_member_of_own_cao",
                format!("« {other} » : répondre oui ou non"),
            );
            None
        }
    };
    let valid_from = date(&mut errs, "valid_from", "le début du mandat", &i.valid_from);
    let valid_to = if i.valid_to.trim().is_empty() {
        None
    } else {
        date(&mut errs, "valid_to", "la fin du mandat", &i.valid_to)
    };
    match (role, designation_date, valid_from) {
        (Some(role), Some(d), Some(from)) if errs.is_empty() => Ok(AssignmentDraft {
            member_id,
            person_name,
            person_email,
            user_id,
            role,
            designation: Designation {
                date: d,
                body,
                voting_member_of_own_cao: voting,
            },
            valid_from: from,
            valid_to,
        }),
        _ => Err(errs),
    }
}

/// What an agenda item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Consultation(i32),
    Lot(i32),
}

impl Target {
    /// Reads `C<id>` (a whole consultation) or `L<id>` (one lot).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (kind, id) = s.split_at_checked(1)?;
        let id: i32 = id.parse().ok()?;
        match kind {
            "C" => Some(Self::Consultation(id)),
            "L" => Some(Self::Lot(id)),
            _ => None,
        }
    }
}

/// What the commission decides on an agenda item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// The choice of the attributaire of the lot (or of the marché): the procès-verbal names
    /// the best-ranked bidder, its SIRET and the amount from the ranking.
    Attribution,
    /// Any other decision (admission of the candidatures, sans suite…).
    Autre,
}

impl ItemKind {
    /// Stored code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Attribution => "attribution",
            Self::Autre => "autre",
        }
    }

    /// Reads a stored code; unknown or absent (items created before the distinction) is `Autre`.
    #[must_use]
    pub fn from_stored(s: Option<&str>) -> Self {
        match s {
            Some("attribution") => Self::Attribution,
            _ => Self::Autre,
        }
    }
}

/// One checked agenda item. Its bidders are never typed: they are the plis registered for the
/// lot (see `super::store::ItemData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDraft {
    pub target: Target,
    pub kind: ItemKind,
    /// Empty for an attribution item whose decision is left to the default wording.
    pub proposed_decision: String,
}

/// A checked séance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeanceDraft {
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub remote: bool,
    pub secretary: String,
    pub items: Vec<ItemDraft>,
}

fn get<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map_or("", String::as_str)
}

/// Date, time and place of a séance (`date`, `time`, `place`, `remote`).
///
/// # Errors
/// French messages per field.
pub fn validate_when_where(
    f: &HashMap<String, String>,
) -> Result<(NaiveDateTime, String, bool), FieldErrors> {
    let mut errs = FieldErrors::new();
    let day = date(&mut errs, "date", "la date de la séance", get(f, "date"));
    let t = get(f, "time").trim();
    let time = match NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            push(
                &mut errs,
                "time",
                format!("l'heure de la séance « {t} » est invalide (HH:MM)"),
            );
            None
        }
    };
    let place = text(
        &mut errs,
        "place",
        "le lieu de la séance",
        get(f, "place"),
        300,
    );
    let remote = matches!(get(f, "remote"), "on" | "oui" | "true");
    match (day, time) {
        (Some(d), Some(t)) if errs.is_empty() => Ok((d.and_time(t), place, remote)),
        _ => Err(errs),
    }
}

/// Checks the séance form: when, where, the secretary and the agenda (`item<n>_target`,
/// `item<n>_kind`, `item<n>_decision` for n = 1..=[`MAX_ITEMS`]; blank rows are skipped). The
/// bidders are never typed: an `item<n>_bidders` field is refused.
///
/// # Errors
/// French messages per field.
pub fn validate_seance(f: &HashMap<String, String>) -> Result<SeanceDraft, FieldErrors> {
    let (when, mut errs) = match validate_when_where(f) {
        Ok(w) => (Some(w), FieldErrors::new()),
        Err(e) => (None, e),
    };
    let secretary = get(f, "secretary").trim();
    if secretary.chars().count() > 200 {
        push(
            &mut errs,
            "secretary",
            "le secrétaire de séance ne peut pas dépasser 200 caractères",
        );
    }
    let mut items = Vec::new();
    for n in 1..=MAX_ITEMS {
        let target = get(f, &format!("item{n}_target")).trim();
        let decision = get(f, &format!("item{n}_decision")).trim();
        let typed_bidders = !get(f, &format!("item{n}_bidders")).trim().is_empty();
        if target.is_empty() && decision.is_empty() && !typed_bidders {
            continue;
        }
        let field = format!("item{n}");
        if typed_bidders {
            push(
                &mut errs,
                &field,
                format!(
                    "point {n} : les soumissionnaires ne se saisissent pas, ils sont repris du registre des plis de la consultation, lot par lot"
                ),
            );
            continue;
        }
        let Some(t) = Target::parse(target) else {
            push(
                &mut errs,
                &field,
                format!("point {n} : choisissez la consultation ou le lot examiné"),
            );
            continue;
        };
        let kind = match get(f, &format!("item{n}_kind")).trim() {
            "" | "attribution" => ItemKind::Attribution,
            "autre" => ItemKind::Autre,
            other => {
                push(
                    &mut errs,
                    &field,
                    format!("point {n} : nature « {other} » inconnue (attribution ou autre)"),
                );
                continue;
            }
        };
        let required = kind == ItemKind::Autre;
        if (required && decision.is_empty()) || decision.chars().count() > 2000 {
            push(
                &mut errs,
                &field,
                format!(
                    "point {n} : la décision proposée est obligatoire (2000 caractères au plus)"
                ),
            );
            continue;
        }
        items.push(ItemDraft {
            target: t,
            kind,
            proposed_decision: decision.to_owned(),
        });
    }
    if items.is_empty() && errs.keys().all(|k| !k.starts_with("item")) {
        push(
            &mut errs,
            "item1",
            "l'ordre du jour doit comporter au moins un point (consultation ou lot et décision proposée)",
        );
    }
    match when {
        Some((starts_at, place, remote)) if errs.is_empty() => Ok(SeanceDraft {
            starts_at,
            place,
            remote,
            secretary: if secretary.is_empty() {
                "le service marchés du coordonnateur".to_owned()
            } else {
                secretary.to_owned()
            },
            items,
        }),
        _ => Err(errs),
    }
}

/// Reads a vote (`pour`, `contre`, `abstention`).
///
/// # Errors
/// French message naming the value.
pub fn parse_choice(s: &str) -> Result<VoteChoice, String> {
    match s.trim() {
        "pour" => Ok(VoteChoice::Pour),
        "contre" => Ok(VoteChoice::Contre),
        "abstention" => Ok(VoteChoice::Abstention),
        other => Err(format!(
            "vote « {other} » inconnu : pour, contre ou abstention"
        )),
    }
}

/// Stored form of a vote.
#[must_use]
pub fn choice_code(c: VoteChoice) -> &'static str {
    match c {
        VoteChoice::Pour => "pour",
        VoteChoice::Contre => "contre",
        VoteChoice::Abstention => "abstention",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn good_assignment() -> AssignmentInput {
        AssignmentInput {
            member_id: "3".into(),
            person_name: "Mme Pinto".into(),
            person_email: " Pinto@Ronchin.FR ".into(),
            role: "titulaire".into(),
            designation_date: "2024-03-21".into(),
            designation_body: "CAO du CCAS de Ronchin".into(),
            voting_member_of_own_cao: "oui".into(),
            valid_from: "2024-03-21".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_mandate() {
        let d = validate_assignment_input(&good_assignment()).expect("valid");
        assert_eq!(d.member_id, Some(3));
        assert_eq!(d.person_email.as_deref(), Some("pinto@ronchin.fr"));
        assert_eq!(d.role, SeatRole::Titulaire);
        assert_eq!(d.designation.voting_member_of_own_cao, Some(true));
        assert_eq!(d.valid_to, None);
    }

    #[test]
    fn bad_mandates_name_their_fields() {
        let mut i = good_assignment();
        i.person_name = " ".into();
        i.person_email = "pas-une-adresse".into();
        i.role = "president".into();
        i.valid_from = "21/03/2024".into();
        i.voting_member_of_own_cao = "peut-être".into();
        let e = validate_assignment_input(&i).expect_err("invalid");
        assert_eq!(
            e.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "person_email",
                "person_name",
                "role",
                "valid_from",
                "voting_member_of_own_cao"
            ]
        );
        assert!(e["valid_from"][0].contains("« 21/03/2024 »"));
        let mut i = good_assignment();
        i.role = "consultatif".into();
        i.consultative_kind = "notaire".into();
        let e = validate_assignment_input(&i).expect_err("kind");
        assert!(e["role"][0].contains("« notaire »"));
    }

    #[test]
    fn a_seance_with_two_items() {
        let f = form(&[
            ("date", "2026-12-08"),
            ("time", "14:00"),
            ("place", "Salle du conseil"),
            ("remote", "on"),
            ("item1_target", "C4"),
            ("item1_decision", ""),
            ("item1_kind", "attribution"),
            ("item3_target", "L9"),
            ("item3_kind", "autre"),
            ("item3_decision", "Déclarer le lot sans suite"),
        ]);
        let s = validate_seance(&f).expect("valid");
        assert_eq!(s.starts_at.to_string(), "2026-12-08 14:00:00");
        assert!(s.remote);
        assert_eq!(s.secretary, "le service marchés du coordonnateur");
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[0].target, Target::Consultation(4));
        assert_eq!(s.items[0].kind, ItemKind::Attribution);
        assert_eq!(s.items[0].proposed_decision, "");
        assert_eq!(s.items[1].target, Target::Lot(9));
        assert_eq!(s.items[1].kind, ItemKind::Autre);
    }

    #[test]
    fn bidders_cannot_be_typed() {
        let e = validate_seance(&form(&[
            ("date", "2026-12-08"),
            ("time", "14:00"),
            ("place", "Mairie"),
            ("item1_target", "C4"),
            ("item1_decision", "Attribuer"),
            ("item1_bidders", "LOGIDOM"),
        ]))
        .expect_err("typed bidders");
        assert!(e["item1"][0].contains("registre des plis"), "{e:?}");
        let e = validate_seance(&form(&[
            ("date", "2026-12-08"),
            ("time", "14:00"),
            ("place", "Mairie"),
            ("item1_target", "C4"),
            ("item1_kind", "autre"),
        ]))
        .expect_err("other decision without text");
        assert!(e["item1"][0].contains("décision proposée"), "{e:?}");
        assert_eq!(ItemKind::from_stored(None), ItemKind::Autre);
        assert_eq!(
            ItemKind::from_stored(Some(ItemKind::Attribution.code())),
            ItemKind::Attribution
        );
    }

    #[test]
    fn bad_seances() {
        let e = validate_seance(&form(&[("date", "2026-12-08"), ("time", "25:00")]))
            .expect_err("invalid");
        assert!(e["time"][0].contains("« 25:00 »"));
        assert!(e["place"][0].contains("lieu"));
        assert!(e["item1"][0].contains("au moins un point"));
        let e = validate_seance(&form(&[
            ("date", "2026-12-08"),
            ("time", "10:00"),
            ("place", "Mairie"),
            ("item2_target", "X4"),
            ("item2_decision", "Attribuer"),
        ]))
        .expect_err("target");
        assert!(e["item2"][0].starts_with("point 2"));
        assert!(!e.contains_key("item1"));
        assert_eq!(Target::parse("L12"), Some(Target::Lot(12)));
        assert_eq!(Target::parse("C"), None);
        assert_eq!(Target::parse(""), None);
    }

    #[test]
    fn votes() {
        assert_eq!(parse_choice("pour"), Ok(VoteChoice::Pour));
        assert!(parse_choice("oui").unwrap_err().contains("« oui »"));
        for c in [VoteChoice::Pour, VoteChoice::Contre, VoteChoice::Abstention] {
            assert_eq!(parse_choice(choice_code(c)), Ok(c));
        }
    }
}
