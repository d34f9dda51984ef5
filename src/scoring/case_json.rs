//! The `coordo score CASE.json` format: strict parsing of the case file and the JSON output.
//!
//! Input: `criteria` (root criteria with `kind` `price` + `formula`, or `evaluated` + `scale`,
//! optional `environmental` and `sub_criteria`), `offers`, `notes`; optional extensions
//! `consensus` (`offer`, `criterion`, `note`, `reason`) and `divergence_ratio`. Weights, amounts
//! and notes are decimal strings. Unknown fields are rejected (a typo must not silently drop a
//! weight).
//!
//! Output: `ranking` (rank order, ties by offer id; totals and points as strings rounded half
//! away from zero to 2 decimals) and `excluded` (offer id order).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::{Map, Value, json};

use crate::scoring::criteria::{Criterion, CriterionKind, SubCriterion};
use crate::scoring::error::ScoringError;
use crate::scoring::fmt::format_points;
use crate::scoring::formulas::PriceFormula;
use crate::scoring::model::{
    ConsensusNote, DEFAULT_DIVERGENCE_RATIO, Note, Offer, OfferStatus, ScoringCase,
};
use crate::scoring::ranking::{ScoringResult, score};

/// Decimals are read from strings only: a JSON number may already have gone through a binary
/// float, which is not exact.
struct DecimalString;

impl Visitor<'_> for DecimalString {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v.trim())
            .map_err(|_| E::custom(format!("« {v} » n'est pas un nombre décimal valide")))
    }
}

fn decimal_string<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_str(DecimalString)
}

fn optional_decimal_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    decimal_string(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDto {
    criteria: Vec<CriterionDto>,
    offers: Vec<OfferDto>,
    #[serde(default)]
    notes: Vec<NoteDto>,
    #[serde(default)]
    consensus: Vec<ConsensusDto>,
    #[serde(default, deserialize_with = "optional_decimal_string")]
    divergence_ratio: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindDto {
    Price,
    Evaluated,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionDto {
    id: String,
    label: String,
    #[serde(deserialize_with = "decimal_string")]
    weight: Decimal,
    kind: KindDto,
    formula: Option<PriceFormula>,
    #[serde(default, deserialize_with = "optional_decimal_string")]
    scale: Option<Decimal>,
    #[serde(default)]
    environmental: bool,
    #[serde(default)]
    sub_criteria: Vec<SubCriterionDto>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubCriterionDto {
    id: String,
    label: String,
    #[serde(deserialize_with = "decimal_string")]
    weight: Decimal,
    #[serde(default)]
    environmental: bool,
    #[serde(default)]
    sub_criteria: Vec<SubCriterionDto>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferDto {
    id: String,
    bidder: String,
    #[serde(deserialize_with = "decimal_string")]
    price: Decimal,
    status: OfferStatus,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteDto {
    evaluator: String,
    offer: String,
    criterion: String,
    #[serde(deserialize_with = "decimal_string")]
    note: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsensusDto {
    offer: String,
    criterion: String,
    #[serde(deserialize_with = "decimal_string")]
    note: Decimal,
    reason: String,
}

impl From<SubCriterionDto> for SubCriterion {
    fn from(s: SubCriterionDto) -> Self {
        SubCriterion {
            id: s.id,
            label: s.label,
            weight: s.weight,
            environmental: s.environmental,
            sub_criteria: s.sub_criteria.into_iter().map(Into::into).collect(),
        }
    }
}

impl CriterionDto {
    fn into_criterion(self) -> Result<Criterion, ScoringError> {
        let malformed = |reason: &str| ScoringError::MalformedCriterion {
            criterion: self.id.clone(),
            reason: reason.to_owned(),
        };
        let kind = match (self.kind, self.formula, self.scale) {
            (KindDto::Price, Some(formula), None) => CriterionKind::Price { formula },
            (KindDto::Price, None, _) => {
                return Err(malformed(
                    "un critère de type « price » doit indiquer sa formule (« formula » : \
                     proportional, linear_relative ou min_max)",
                ));
            }
            (KindDto::Price, Some(_), Some(_)) => {
                return Err(malformed(
                    "un critère de type « price » est calculé par formule et n'a pas de barème \
                     (« scale »)",
                ));
            }
            (KindDto::Evaluated, None, Some(scale)) => CriterionKind::Evaluated { scale },
            (KindDto::Evaluated, _, None) => {
                return Err(malformed(
                    "un critère de type « evaluated » doit indiquer son barème (« scale », par \
                     exemple \"20\")",
                ));
            }
            (KindDto::Evaluated, Some(_), Some(_)) => {
                return Err(malformed(
                    "un critère de type « evaluated » est noté et n'a pas de formule de prix \
                     (« formula »)",
                ));
            }
        };
        Ok(Criterion {
            id: self.id,
            label: self.label,
            weight: self.weight,
            kind,
            environmental: self.environmental,
            sub_criteria: self.sub_criteria.into_iter().map(Into::into).collect(),
        })
    }
}

/// Parses a `coordo score` case file (shape only; use [`crate::scoring::validate`] for
/// the rules).
///
/// # Errors
/// [`ScoringError::Json`] with a French description and the position for malformed JSON, missing
/// or unknown fields, wrong types; [`ScoringError::MalformedCriterion`] for a price criterion
/// without formula or an evaluated criterion without scale.
pub fn parse_case_json(input: &str) -> Result<ScoringCase, ScoringError> {
    let dto: CaseDto = serde_json::from_str(input).map_err(|e| json_error(&e))?;
    let criteria = dto
        .criteria
        .into_iter()
        .map(CriterionDto::into_criterion)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ScoringCase {
        criteria,
        offers: dto
            .offers
            .into_iter()
            .map(|o| Offer {
                id: o.id,
                bidder: o.bidder,
                price: o.price,
                status: o.status,
            })
            .collect(),
        notes: dto
            .notes
            .into_iter()
            .map(|n| Note {
                evaluator: n.evaluator,
                offer: n.offer,
                criterion: n.criterion,
                value: n.note,
            })
            .collect(),
        consensus: dto
            .consensus
            .into_iter()
            .map(|c| ConsensusNote {
                offer: c.offer,
                criterion: c.criterion,
                value: c.note,
                reason: c.reason,
            })
            .collect(),
        divergence_ratio: dto.divergence_ratio.unwrap_or(DEFAULT_DIVERGENCE_RATIO),
    })
}

/// The `coordo score` output of a scoring result.
#[must_use]
pub fn result_to_json(result: &ScoringResult) -> Value {
    let ranking: Vec<Value> = result
        .ranking
        .iter()
        .map(|r| {
            let points: Map<String, Value> = result
                .points
                .get(&r.offer)
                .into_iter()
                .flatten()
                .map(|(criterion, p)| (criterion.clone(), Value::String(format_points(*p))))
                .collect();
            json!({
                "offer": r.offer,
                "bidder": r.bidder,
                "rank": r.rank,
                "total": format_points(r.total),
                "points": points,
            })
        })
        .collect();
    let excluded: Vec<Value> = result
        .excluded
        .iter()
        .map(|x| json!({"offer": x.offer, "status": x.status}))
        .collect();
    json!({"ranking": ranking, "excluded": excluded})
}

/// `coordo score CASE.json`: parses, validates, scores and renders the result.
///
/// # Errors
/// A parsing error, or the validation error(s) of [`crate::scoring::validate`]
/// (several are gathered in [`ScoringError::Several`]).
pub fn score_case_json(input: &str) -> Result<Value, ScoringError> {
    let case = parse_case_json(input)?;
    let result = score(&case).map_err(ScoringError::from_list)?;
    Ok(result_to_json(&result))
}

/// French rendering of a serde_json error, with its position.
fn json_error(e: &serde_json::Error) -> ScoringError {
    let full = e.to_string();
    let message = full
        .rfind(" at line ")
        .map_or(full.as_str(), |at| &full[..at]);
    let quoted = |rest: &str| rest.split('`').nth(1).unwrap_or(rest).to_owned();
    let expected = |rest: &str| {
        rest.split_once("expected ")
            .map(|(_, list)| list.replace('`', ""))
            .unwrap_or_default()
    };
    let french = if let Some(rest) = message.strip_prefix("missing field ") {
        format!("champ obligatoire « {} » manquant", quoted(rest))
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        format!(
            "champ inconnu « {} » (champs possibles : {})",
            quoted(rest),
            expected(rest).replace("one of ", "")
        )
    } else if let Some(rest) = message.strip_prefix("unknown variant ") {
        format!(
            "valeur inconnue « {} » (valeurs possibles : {})",
            quoted(rest),
            expected(rest).replace("one of ", "")
        )
    } else if let Some(rest) = message.strip_prefix("duplicate field ") {
        format!("champ « {} » en double", quoted(rest))
    } else if message.starts_with("« ") {
        message.to_owned()
    } else if message.starts_with("invalid type") && message.contains("decimal string") {
        "valeur de type inattendu : pondérations, barèmes, prix et notes s'écrivent en chaînes \
         décimales, par exemple \"40\" ou \"310000.00\""
            .to_owned()
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        format!("valeur de type inattendu ({})", serde_terms_fr(rest))
    } else if e.is_eof() {
        "le texte JSON est incomplet".to_owned()
    } else if e.is_data() {
        format!("structure inattendue ({})", serde_terms_fr(message))
    } else {
        format!("syntaxe JSON incorrecte ({message})")
    };
    if e.line() == 0 {
        ScoringError::Json(french)
    } else {
        ScoringError::Json(format!(
            "{french}, ligne {} colonne {}",
            e.line(),
            e.column()
        ))
    }
}

/// Translates the vocabulary of serde's type errors ("invalid type: integer `5`, expected a
/// string").
fn serde_terms_fr(message: &str) -> String {
    let message = match message.find("expected struct ") {
        Some(at) => format!("{}expected an object", &message[..at]),
        None => message.to_owned(),
    };
    [
        ("invalid length", "longueur invalide"),
        ("expected", "attendu"),
        ("a string", "une chaîne"),
        ("a sequence", "une liste"),
        ("an object", "un objet"),
        ("a map", "un objet"),
        ("a boolean", "un booléen"),
        ("integer", "entier"),
        ("floating point", "nombre à virgule"),
        ("string", "chaîne"),
        ("sequence", "liste"),
        ("map", "objet"),
        ("boolean", "booléen"),
        ("null", "null"),
    ]
    .iter()
    .fold(message, |m, (en, fr)| m.replace(en, fr))
}
