//! The convocations of a séance: one letter per person convened, each its own DOCX (so that its
//! pages are numbered « page X / Y » of that letter alone), addressed by name to the seat-holder —
//! the titulaire or the suppléant of a member (convention art. 5.4: one titulaire and one
//! suppléant per member, CGCT L1414-3), or a consultative member invited by the président
//! (CGCT L1414-3 III). Omitting a member of the commission is a substantial irregularity
//! (DOMAIN Part B §3.2): every seat-holder of the composition gets its letter, e-mail or not.

use super::docs::{self, Letterhead};
use super::rules::composition::{Composition, SeatRole};
use super::store::SeanceData;
use crate::docgen::DocKind;
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use std::io::{Cursor, Write};

/// One person convened and the seat they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convoked {
    pub person_key: String,
    pub name: String,
    /// `None` when no address is recorded: the letter is then delivered by other means.
    pub email: Option<String>,
    pub role: SeatRole,
    /// The member represented (none for a consultative member not attached to a member).
    pub member: Option<String>,
    /// The other holder of the same member's seat: the suppléant of a titulaire, the titulaire
    /// of a suppléant.
    pub counterpart: Option<String>,
    pub presides: bool,
    /// For a consultative member: its quality (AMOA, comptable public…).
    pub quality: Option<String>,
}

impl Convoked {
    /// « membre titulaire de la commission d'appel d'offres du groupement, représentant X ».
    #[must_use]
    pub fn seat_label(&self) -> String {
        let member = self
            .member
            .as_deref()
            .map(|m| format!(", représentant {m}"))
            .unwrap_or_default();
        match self.role {
            SeatRole::Titulaire if self.presides => format!(
                "président de la commission d'appel d'offres du groupement, membre titulaire{member}"
            ),
            SeatRole::Titulaire => {
                format!("membre titulaire de la commission d'appel d'offres du groupement{member}")
            }
            SeatRole::Suppleant => {
                format!("membre suppléant de la commission d'appel d'offres du groupement{member}")
            }
            SeatRole::Consultatif(_) => format!(
                "{}, invité(e) avec voix consultative{member}",
                self.quality
                    .as_deref()
                    .unwrap_or("membre à voix consultative")
            ),
        }
    }

    /// The file name of this person's convocation.
    #[must_use]
    pub fn file_name(&self, seance_number: &str, index: usize) -> String {
        let safe: String = self
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let safe = safe.trim_matches('_');
        format!(
            "convocation_cao_{seance_number}_{:02}_{safe}.docx",
            index + 1
        )
    }
}

/// Everyone convened, in the convention's order: each member's titulaire then suppléant, then the
/// consultative members. A person holding several seats is convened once (by their first seat).
#[must_use]
pub fn convoked(comp: &Composition, email_of: impl Fn(&str) -> Option<String>) -> Vec<Convoked> {
    let mut out: Vec<Convoked> = Vec::new();
    let mut push = |c: Convoked| {
        let same = |o: &Convoked| {
            o.person_key == c.person_key
                || matches!((&o.email, &c.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
        };
        if !out.iter().any(same) {
            out.push(c);
        }
    };
    for s in &comp.seats {
        for (role, holder, other) in [
            (SeatRole::Titulaire, &s.titulaire, &s.suppleant),
            (SeatRole::Suppleant, &s.suppleant, &s.titulaire),
        ] {
            if let Some(h) = holder {
                push(Convoked {
                    person_key: h.person_key.clone(),
                    name: h.person_name.clone(),
                    email: email_of(&h.person_key),
                    role,
                    member: Some(s.member_name.clone()),
                    counterpart: other.as_ref().map(|o| o.person_name.clone()),
                    presides: s.presides && role == SeatRole::Titulaire,
                    quality: None,
                });
            }
        }
    }
    for c in &comp.consultative {
        let member = c.member_key.as_ref().and_then(|k| {
            comp.seats
                .iter()
                .find(|s| &s.member_key == k)
                .map(|s| s.member_name.clone())
        });
        let quality = match c.kind {
            super::rules::composition::ConsultativeKind::Amoa => "assistant à maîtrise d'ouvrage",
            k => k.label_fr(),
        };
        push(Convoked {
            person_key: c.holder.person_key.clone(),
            name: c.holder.person_name.clone(),
            email: email_of(&c.holder.person_key),
            role: SeatRole::Consultatif(c.kind),
            member,
            counterpart: None,
            presides: false,
            quality: Some(quality.to_owned()),
        });
    }
    out
}

/// The persons convened to a séance (composition on the séance's date).
///
/// # Errors
/// The composition is invalid.
pub fn recipients(data: &SeanceData) -> Result<Vec<Convoked>, AppError> {
    let comp = data
        .composition
        .as_ref()
        .map_err(|e| AppError::Conflict(format!("Composition de la CAO invalide : {e}")))?;
    Ok(convoked(comp, |key| {
        data.cao
            .assignment(key)
            .and_then(|a| a.person_email.as_deref())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
    }))
}

/// Context of one person's convocation.
///
/// # Errors
/// The composition at the séance's date is invalid.
pub fn context(
    data: &SeanceData,
    lh: &Letterhead,
    who: &Convoked,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Value, AppError> {
    let mut ctx = docs::convocation_base(data, lh, today, now)?;
    let sent_on = data.seance.convocation_sent_on.unwrap_or(today);
    let role = match who.role {
        SeatRole::Titulaire => "titulaire",
        SeatRole::Suppleant => "suppleant",
        SeatRole::Consultatif(_) => "consultatif",
    };
    ctx["recipient"] = json!({
        "name": who.name,
        "email": who.email,
        "role": role,
        "titulaire": who.role == SeatRole::Titulaire,
        "suppleant": who.role == SeatRole::Suppleant,
        "consultative": matches!(who.role, SeatRole::Consultatif(_)),
        "presides": who.presides,
        "member": who.member,
        "counterpart": who.counterpart,
        "seat_label": who.seat_label(),
    });
    ctx["sending"] = json!({
        "sent_on": sent_on.to_string(),
        "electronic": who.email.is_some(),
        "label": who.email.as_ref().map_or_else(
            || "par voie postale ou remise en main propre (aucune adresse électronique enregistrée)".to_owned(),
            |e| format!("par courriel à l'adresse {e}"),
        ),
    });
    ctx["document"]["title"] = json!(format!("Convocation de {}", who.name));
    Ok(ctx)
}

/// One convocation file: who, the file name, the DOCX.
pub struct ConvocationFile {
    pub to: Convoked,
    pub file_name: String,
    pub docx: Vec<u8>,
}

/// Every person's convocation, one DOCX each.
///
/// # Errors
/// The composition is invalid; the engine fails (internal).
pub fn files(
    data: &SeanceData,
    lh: &Letterhead,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<ConvocationFile>, AppError> {
    recipients(data)?
        .into_iter()
        .enumerate()
        .map(|(i, who)| {
            let ctx = context(data, lh, &who, today, now)?;
            let docx = docs::render(DocKind::ConvocationCao, &ctx, lh)?;
            Ok(ConvocationFile {
                file_name: who.file_name(&data.seance.number, i),
                to: who,
                docx,
            })
        })
        .collect()
}

/// The convocations of a séance as one ZIP (one DOCX per person convened).
///
/// # Errors
/// As [`files`]; writing the ZIP fails (internal).
pub fn zip(
    data: &SeanceData,
    lh: &Letterhead,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, AppError> {
    let files = files(data, lh, today, now)?;
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let err = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("convocations : {e}"));
    for f in files {
        z.start_file(f.file_name.as_str(), options)
            .map_err(|e| err(&e))?;
        z.write_all(&f.docx).map_err(|e| err(&e))?;
    }
    Ok(z.finish().map_err(|e| err(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cao::rules::composition::{
        ConsultativeKind, ConsultativeSeat, Designation, MemberSeat, SeatHolder,
    };

    fn holder(key: &str, name: &str) -> SeatHolder {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        SeatHolder {
            person_key: key.into(),
            person_name: name.into(),
            designation: Designation {
                date: d,
                body: "Conseil d'administration".into(),
                voting_member_of_own_cao: None,
            },
            valid_from: d,
            valid_to: None,
        }
    }

    fn comp() -> Composition {
        Composition {
            date: NaiveDate::from_ymd_opt(2026, 12, 8).expect("date"),
            seats: vec![
                MemberSeat {
                    member_key: "1".into(),
                    member_name: "CCAS DE WATTRELOS".into(),
                    presides: true,
                    titulaire: Some(holder("11", "Anne Président")),
                    suppleant: Some(holder("12", "Bruno Suppléant")),
                },
                MemberSeat {
                    member_key: "2".into(),
                    member_name: "SANTELYS".into(),
                    presides: false,
                    titulaire: Some(holder("21", "Claire Titulaire")),
                    suppleant: None,
                },
            ],
            consultative: vec![ConsultativeSeat {
                kind: ConsultativeKind::Amoa,
                member_key: None,
                holder: holder("31", "Denis AMOA"),
            }],
            voting_seats: 2,
            warnings_fr: vec![],
        }
    }

    #[test]
    fn each_seat_holder_is_convened_by_name_with_the_member_represented() {
        let all = convoked(&comp(), |k| (k != "21").then(|| format!("p{k}@x.fr")));
        let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Anne Président",
                "Bruno Suppléant",
                "Claire Titulaire",
                "Denis AMOA"
            ]
        );
        assert!(
            all[0]
                .seat_label()
                .starts_with("président de la commission")
        );
        assert_eq!(
            all[1].seat_label(),
            "membre suppléant de la commission d'appel d'offres du groupement, représentant CCAS DE WATTRELOS"
        );
        assert_eq!(all[1].counterpart.as_deref(), Some("Anne Président"));
        assert_eq!(all[2].email, None, "convened even without an e-mail");
        assert!(all[3].seat_label().contains("voix consultative"));
        assert_eq!(
            all[2].file_name("3", 2),
            "convocation_cao_3_03_Claire_Titulaire.docx"
        );
    }

    #[test]
    fn a_person_with_two_seats_is_convened_once() {
        let mut c = comp();
        c.seats[1].suppleant = Some(holder("12", "Bruno Suppléant"));
        assert_eq!(convoked(&c, |_| None).len(), 4);
    }
}
