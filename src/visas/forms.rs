//! Parsing the visa forms and JSON bodies into the service's inputs, with French errors that
//! name the field at fault.

use super::proxies::ProxyInput;
use super::rules::VisaDecision;
use super::service::AnswerInput;
use super::store::{self, RoundData};
use crate::docgen::DocKind;
use crate::error::{AppError, FieldErrors};
use chrono::NaiveDate;
use serde::Deserialize;

fn date(field: &str, label: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::field(
            field,
            format!("{label} « {} » n'est pas une date AAAA-MM-JJ", s.trim()),
        )
    })
}

fn opt_date(field: &str, label: &str, s: &str) -> Result<Option<NaiveDate>, AppError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        date(field, label, s).map(Some)
    }
}

/// A submission: the pieces (codes `rc`, `ae`…) and the due date.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitForm {
    pub pieces: Vec<String>,
    pub due_on: String,
}

impl SubmitForm {
    /// From the pairs of an HTML form (`pieces` repeated).
    #[must_use]
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        Self {
            pieces: pairs
                .iter()
                .filter(|(k, _)| k == "pieces")
                .map(|(_, v)| v.clone())
                .collect(),
            due_on: pairs
                .iter()
                .find(|(k, _)| k == "due_on")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        }
    }

    /// The kinds and the due date.
    ///
    /// # Errors
    /// Validation naming the unknown piece or the invalid date.
    pub fn parse(&self) -> Result<(Vec<DocKind>, NaiveDate), AppError> {
        let mut errors = FieldErrors::new();
        let mut kinds = Vec::new();
        for p in &self.pieces {
            match crate::pieces::context::dce_kind(p.trim()) {
                Ok(k) if !kinds.contains(&k) => kinds.push(k),
                Ok(_) => {}
                Err(_) => errors.entry("pieces".into()).or_default().push(format!(
                    "pièce « {p} » inconnue : rc, ae, ccap, cctp ou bpu"
                )),
            }
        }
        let due = if self.due_on.trim().is_empty() {
            errors
                .entry("due_on".into())
                .or_default()
                .push("l'échéance du visa est obligatoire (AAAA-MM-JJ)".into());
            None
        } else {
            match date("due_on", "l'échéance du visa", &self.due_on) {
                Ok(d) => Some(d),
                Err(AppError::Validation(e)) => {
                    errors.extend(e);
                    None
                }
                Err(e) => return Err(e),
            }
        };
        match due {
            Some(d) if errors.is_empty() => Ok((kinds, d)),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// An answer: the version (by id, or by piece code), the member, the decision, the comment.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub piece_version_id: Option<serde_json::Value>,
    pub piece: String,
    pub member_id: Option<serde_json::Value>,
    pub decision: String,
    pub comment: String,
}

fn int_of(v: Option<&serde_json::Value>) -> Option<Result<i32, ()>> {
    match v? {
        serde_json::Value::Null => None,
        serde_json::Value::Number(n) => {
            Some(n.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or(()))
        }
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(s.trim().parse().map_err(|_| ())),
        _ => Some(Err(())),
    }
}

impl AnswerForm {
    /// The service's input, the version resolved within `round`.
    ///
    /// # Errors
    /// Validation naming the field at fault.
    pub fn parse(&self, round: &RoundData) -> Result<AnswerInput, AppError> {
        let version = match int_of(self.piece_version_id.as_ref()) {
            Some(Ok(id)) => id,
            Some(Err(())) => {
                return Err(AppError::field(
                    "piece_version_id",
                    "le numéro de version doit être un entier",
                ));
            }
            None => round
                .pieces
                .iter()
                .find(|p| p.piece_kind == self.piece.trim())
                .map(|p| p.piece_version_id)
                .ok_or_else(|| {
                    AppError::field(
                        "piece",
                        format!(
                            "pièce « {} » absente du tour n° {} : choisissez l'une de ses pièces",
                            self.piece.trim(),
                            round.round.id
                        ),
                    )
                })?,
        };
        let member_id = match int_of(self.member_id.as_ref()) {
            Some(Ok(id)) => Some(id),
            Some(Err(())) => {
                return Err(AppError::field(
                    "member_id",
                    "le membre doit être désigné par son numéro",
                ));
            }
            None => None,
        };
        let decision = match store::parse_decision(&self.decision) {
            Some(d) => d,
            None => {
                return Err(AppError::field(
                    "decision",
                    format!(
                        "décision « {} » inconnue : favorable, favorable_avec_reserves ou defavorable",
                        self.decision.trim()
                    ),
                ));
            }
        };
        Ok(AnswerInput {
            piece_version_id: version,
            member_id,
            decision,
            comment: Some(self.comment.clone()),
        })
    }
}

/// French label of a decision a référent can choose.
#[must_use]
pub fn choice_label(d: VisaDecision) -> &'static str {
    match d {
        VisaDecision::Favorable => "Favorable",
        VisaDecision::FavorableAvecReserves => "Favorable avec réserves (commentaire obligatoire)",
        VisaDecision::Defavorable => "Défavorable (commentaire obligatoire)",
        VisaDecision::Tacite => "Tacite",
    }
}

/// A proxy as typed by the coordonnateur.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProxyForm {
    pub grantor_member_id: String,
    pub holder_member_id: String,
    pub given_on: String,
    pub valid_until: String,
    pub document_reference: String,
}

impl ProxyForm {
    /// The service's input.
    ///
    /// # Errors
    /// Validation naming the field at fault.
    pub fn parse(&self) -> Result<ProxyInput, AppError> {
        let id = |field: &str, label: &str, s: &str| {
            s.trim()
                .parse::<i32>()
                .map_err(|_| AppError::field(field, format!("choisissez le membre {label}")))
        };
        Ok(ProxyInput {
            grantor_member_id: id(
                "grantor_member_id",
                "qui donne procuration",
                &self.grantor_member_id,
            )?,
            holder_member_id: id(
                "holder_member_id",
                "qui reçoit la procuration",
                &self.holder_member_id,
            )?,
            given_on: date("given_on", "la date du pouvoir", &self.given_on)?,
            valid_until: opt_date("valid_until", "la fin de validité", &self.valid_until)?,
            document_reference: self.document_reference.clone(),
        })
    }
}

/// The tacit-visa setting: empty = off.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TacitForm {
    pub tacit_visa_jours_ouvres: String,
    pub back: String,
}

impl TacitForm {
    /// `None` = off.
    ///
    /// # Errors
    /// Validation when not a whole number.
    pub fn parse(&self) -> Result<Option<u32>, AppError> {
        let s = self.tacit_visa_jours_ouvres.trim();
        if s.is_empty() || s == "0" {
            return Ok(None);
        }
        s.parse::<u32>().map(Some).map_err(|_| {
            AppError::field(
                "tacit_visa_jours_ouvres",
                format!(
                    "« {s} » n'est pas un nombre de jours ouvrés (laisser vide pour désactiver)"
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_form_names_bad_pieces_and_dates() {
        let pairs = vec![
            ("pieces".to_owned(), "rc".to_owned()),
            ("pieces".to_owned(), "ae".to_owned()),
            ("pieces".to_owned(), "rc".to_owned()),
            ("due_on".to_owned(), "2026-05-20".to_owned()),
        ];
        let (kinds, due) = SubmitForm::from_pairs(&pairs).parse().expect("valid");
        assert_eq!(kinds, vec![DocKind::Rc, DocKind::Ae]);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 5, 20).expect("date"));
        let bad = SubmitForm {
            pieces: vec!["noti3".into()],
            due_on: "20/05/2026".into(),
        };
        let Err(AppError::Validation(e)) = bad.parse() else {
            panic!("invalid form accepted");
        };
        assert!(e["pieces"][0].contains("« noti3 »"), "{e:?}");
        assert!(e["due_on"][0].contains("« 20/05/2026 »"), "{e:?}");
    }

    #[test]
    fn tacit_form_empty_is_off() {
        let f = |s: &str| TacitForm {
            tacit_visa_jours_ouvres: s.into(),
            back: String::new(),
        };
        assert_eq!(f("").parse().expect("off"), None);
        assert_eq!(f(" 7 ").parse().expect("seven"), Some(7));
        assert!(f("sept").parse().is_err());
    }
}

/// The référent's one form for every pending visa: `decision_{round}_{version}_{member}` and
/// `comment_{round}_{version}_{member}` per piece. A piece left without a decision is skipped
/// (it stays to do); an unknown decision or a malformed key is refused, naming the field.
///
/// # Errors
/// Validation naming the field at fault; nothing chosen at all.
pub fn parse_answers(fields: &[(String, String)]) -> Result<Vec<(i32, AnswerInput)>, AppError> {
    let comment_of = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k.strip_prefix("comment_") == Some(key))
            .map(|(_, v)| v.clone())
    };
    let mut out = Vec::new();
    for (k, v) in fields {
        let Some(key) = k.strip_prefix("decision_") else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let ids: Vec<i32> = key.split('_').filter_map(|p| p.parse().ok()).collect();
        let [rid, version, member] = ids[..] else {
            return Err(AppError::field(
                k,
                "champ de visa mal formé : rechargez la page",
            ));
        };
        let decision = store::parse_decision(v).ok_or_else(|| {
            AppError::field(
                k,
                format!(
                    "décision « {} » inconnue : favorable, favorable_avec_reserves ou defavorable",
                    v.trim()
                ),
            )
        })?;
        out.push((
            rid,
            AnswerInput {
                piece_version_id: version,
                member_id: Some(member),
                decision,
                comment: comment_of(key),
            },
        ));
    }
    if out.is_empty() {
        return Err(AppError::field(
            "decision",
            "choisissez une décision pour au moins une pièce avant d'envoyer vos visas",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod answers_tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn one_form_gives_one_answer_per_chosen_piece() {
        let a = parse_answers(&f(&[
            ("csrf_token", "x"),
            ("decision_3_17_5", "favorable"),
            ("comment_3_17_5", ""),
            ("decision_3_18_5", "favorable_avec_reserves"),
            ("comment_3_18_5", "Préciser le tribunal."),
            ("decision_3_19_5", ""),
        ]))
        .expect("parsed");
        assert_eq!(a.len(), 2, "the piece without a decision stays to do");
        assert_eq!(
            (a[1].0, a[1].1.piece_version_id, a[1].1.member_id),
            (3, 18, Some(5))
        );
        assert_eq!(a[1].1.comment.as_deref(), Some("Préciser le tribunal."));
    }

    #[test]
    fn bad_fields_are_named_and_an_empty_form_is_refused() {
        assert!(parse_answers(&f(&[("decision_3_17_5", "peut-être")])).is_err());
        assert!(parse_answers(&f(&[("decision_x_17", "favorable")])).is_err());
        assert!(parse_answers(&f(&[("decision_3_17_5", "")])).is_err());
    }
}
