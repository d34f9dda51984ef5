//! The contexts of the letters to the bidders (NOTI1, NOTI3, NOTI5, sans suite), with the
//! field names of `documents/examples/*.json`, and the French emails that carry them. Pure:
//! the base context (buyer, groupement, consultation, court) comes from `pieces::context`.

use crate::calendar::french_date;
use crate::mail::templates::{self, EmailTemplateError};
use crate::mail::{DOCX_CONTENT_TYPE, OutgoingAttachment, OutgoingEmail, Recipient};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};

/// A bidder as the letters name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Party {
    pub name: String,
    pub address: String,
    pub email: String,
    pub siret: String,
}

/// Points on one main criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub criterion: String,
    pub max: Decimal,
    pub score: Decimal,
}

/// The lot a letter is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotRef {
    pub number: i32,
    pub title: String,
}

/// Why one bidder is rejected and how it was marked (R2181-3 al. 1; NOTI3 rubric D).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// « offre » or « candidature ».
    pub stage: &'static str,
    pub reasons: Vec<String>,
    pub marks: Vec<Mark>,
    pub total: Option<Decimal>,
    pub rank: Option<u32>,
    pub offers_ranked: usize,
}

/// The attributaire as the NOTI3 names it (R2181-3 1°; NOTI3 rubric E).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    pub name: String,
    pub marks: Vec<Mark>,
    pub total: Decimal,
    pub reasons: String,
}

/// The standstill as the NOTI3 states it (R2181-3 2°, R2182-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandstillDates {
    pub electronic: bool,
    pub days: u32,
    pub sent_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signature_from: NaiveDate,
    /// Why no standstill runs (R2182-2), when none does: the letter says so instead.
    pub exempt: Option<&'static str>,
}

fn marks_json(marks: &[Mark]) -> Value {
    json!(
        marks
            .iter()
            .map(|m| json!({
                "criterion": m.criterion,
                "max": m.max.normalize().to_string(),
                "score": m.score.round_dp(2).to_string(),
            }))
            .collect::<Vec<_>>()
    )
}

pub use crate::pieces::context::signatory;

fn letter(base: &Value, title: &str, lot: &LotRef, now: DateTime<Utc>) -> Value {
    let mut ctx = base.clone();
    let paris = now.with_timezone(&Paris);
    ctx["document"]["date"] = json!(paris.date_naive().to_string());
    ctx["document"]["created_at"] = json!(paris.to_rfc3339());
    ctx["document"]["title"] = json!(title);
    if ctx["document"]["place"].is_null() {
        ctx["document"]["place"] = json!("");
    }
    ctx["lot"] = json!(lot);
    ctx["signatory"] = signatory(base);
    ctx
}

/// How a letter is sent, as the letter states it: by e-mail to the recipient's address, or by
/// registered post with acknowledgement of receipt to its postal address. The channel decides
/// the standstill (11 days electronically, 16 otherwise, R2182-1), so the letter must name the
/// one actually used.
#[must_use]
pub fn sending(electronic: bool, to: &Party, sent_on: NaiveDate) -> Value {
    json!({
        "electronic": electronic,
        "email": to.email,
        "address": to.address,
        "sent_on": sent_on.to_string(),
        "label": if electronic {
            format!("par courriel à l'adresse {}", to.email)
        } else {
            format!(
                "par lettre recommandée avec demande d'avis de réception à l'adresse {}",
                to.address
            )
        },
    })
}

/// Whom a rejected tenderer writes to for the characteristics and relative advantages of the
/// chosen offer (R2181-4): the coordonnateur's service marchés, its e-mail, its phone if known.
#[must_use]
pub fn buyer_contact(base: &Value) -> Value {
    let buyer = &base["buyer"];
    let text = |v: &Value| v.as_str().unwrap_or_default().trim().to_owned();
    json!({
        "service": format!("service des marchés du {}, coordonnateur du groupement", text(&buyer["name"])),
        "email": text(&buyer["email"]),
        "phone": text(&buyer["phone"]),
    })
}

fn party_json(p: &Party) -> Value {
    json!({"name": p.name, "address": p.address, "email": p.email, "siret": p.siret})
}

/// NOTI1: the titulaire pressenti is told its offer is retained and asked for its
/// certificates before `deadline` (R2144-4; NOTI1 rubrics D to G).
#[must_use]
pub fn noti1(
    base: &Value,
    lot: &LotRef,
    candidate: &Party,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Value {
    let mut ctx = letter(base, "Information au titulaire pressenti (NOTI1)", lot, now);
    ctx["candidate"] = party_json(candidate);
    // NOTI1 always leaves by e-mail (the decision refuses a pli without an address).
    ctx["sending"] = sending(true, candidate, now.with_timezone(&Paris).date_naive());
    ctx["contact"] = buyer_contact(base);
    ctx["certificates_deadline"] = json!(deadline.with_timezone(&Paris).to_rfc3339());
    ctx["documents_france"] = json!(super::rules::CERTIFICATES_FRANCE);
    ctx["documents_abroad"] = json!(super::rules::CERTIFICATES_ABROAD);
    ctx
}

/// NOTI3: the rejection with its reasons, marks and rank, the attributaire's name, marks and
/// the reasons of its choice, the standstill and the remedies (R2181-1, R2181-3; NOTI3).
#[must_use]
pub fn noti3(
    base: &Value,
    lot: &LotRef,
    candidate: &Party,
    rejection: &Rejection,
    winner: &Winner,
    standstill: &StandstillDates,
    now: DateTime<Utc>,
) -> Value {
    let mut ctx = letter(base, "Notification de rejet (NOTI3)", lot, now);
    ctx["candidate"] = party_json(candidate);
    ctx["sending"] = sending(standstill.electronic, candidate, standstill.sent_on);
    ctx["contact"] = buyer_contact(base);
    ctx["rejection"] = json!({
        // R2181-4: only a tenderer whose offer was not rejected as irregular, unacceptable or
        // inappropriate may ask for the characteristics and relative advantages of the chosen
        // offer; a ranked offer is such an offer.
        "may_request_advantages": rejection.rank.is_some(),
        "stage": rejection.stage,
        "reasons": rejection.reasons,
        "marks": marks_json(&rejection.marks),
        "total": rejection.total.map(|t| t.round_dp(2).to_string()),
        "rank": rejection.rank,
        "offers_ranked": rejection.offers_ranked,
    });
    ctx["attributaire"] = json!({
        "name": winner.name,
        "marks": marks_json(&winner.marks),
        "total": winner.total.round_dp(2).to_string(),
        "reasons": winner.reasons,
    });
    ctx["standstill"] = json!({
        "electronic": standstill.electronic,
        "days": standstill.days,
        "sent_on": standstill.sent_on.to_string(),
        "ends_on": standstill.ends_on.to_string(),
        "signature_from": standstill.signature_from.to_string(),
        "exempt": standstill.exempt,
    });
    ctx
}

/// The contract as the NOTI5 describes it (R2182-4; NOTI5 rubrics D to F).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFacts {
    pub number: String,
    pub signed_on: NaiveDate,
    pub amount_ht: Decimal,
    pub maximum_ht: Decimal,
    /// The signed acte d'engagement attached: its file name and SHA-256.
    pub signed_acte: (String, String),
}

/// NOTI5: the notification of the signed marché to the titulaire (R2182-4).
#[must_use]
pub fn noti5(
    base: &Value,
    lot: &LotRef,
    contractor: &Party,
    contract: &ContractFacts,
    now: DateTime<Utc>,
) -> Value {
    let mut ctx = letter(base, "Notification du marché public (NOTI5)", lot, now);
    ctx["contractor"] = party_json(contractor);
    ctx["contract"] = json!({
        "number": contract.number,
        "signed_on": contract.signed_on.to_string(),
        "amount_ht": contract.amount_ht.round_dp(2).to_string(),
        "maximum_ht": contract.maximum_ht.round_dp(2).to_string(),
        "execution_start": if base.pointer("/consultation/technique/code").and_then(Value::as_str).is_none_or(|t| t == "accord_cadre") {
            "à compter de la réception de la présente notification, les prestations étant exécutées au fur et à mesure de l'émission des bons de commande par chaque membre du groupement"
        } else {
            "à compter de la réception de la présente notification, chaque membre du groupement réglant sa part des prestations"
        },
    });
    ctx["guarantee"] = json!({"kind": "none"});
    // R2182-4: the notification sends the titulaire a copy of the contract signed by the buyer;
    // the exemplaire unique (R2191-46) is delivered on request, not attached.
    ctx["attachments"] = json!([format!(
        "une copie de l'acte d'engagement signé par le titulaire et par le pouvoir adjudicateur (fichier « {} », empreinte SHA-256 {})",
        contract.signed_acte.0, contract.signed_acte.1
    )]);
    ctx
}

/// The decision of a déclaration sans suite or of infructuosité (R2185-1, R2185-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abandon {
    pub date: NaiveDate,
    pub infructueuse: bool,
    pub reason: String,
}

/// The letter to one candidate of a lot declared sans suite or infructueux (R2185-2).
#[must_use]
pub fn sans_suite(
    base: &Value,
    lot: &LotRef,
    candidate: &Party,
    decision: &Abandon,
    electronic: bool,
    now: DateTime<Utc>,
) -> Value {
    let mut ctx = letter(base, "Déclaration sans suite", lot, now);
    ctx["sending"] = sending(
        electronic,
        candidate,
        now.with_timezone(&Paris).date_naive(),
    );
    ctx["contact"] = buyer_contact(base);
    ctx["candidate"] = party_json(candidate);
    let ground = if decision.infructueuse {
        "infructuosité, aucune offre appropriée, régulière et acceptable n'ayant été remise"
    } else {
        "motif d'intérêt général"
    };
    ctx["decision"] = json!({
        "date": decision.date.to_string(),
        "ground": ground,
        "reason": decision.reason.trim().trim_end_matches('.'),
        "new_procedure": "Si le besoin demeure, une nouvelle consultation pourra être lancée ; vous en serez informé par la voie d'un nouvel avis de publicité.",
    });
    ctx
}

fn paris(dt: DateTime<Utc>) -> String {
    dt.with_timezone(&Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// What every letter email needs.
pub struct Mail<'a> {
    pub kind: &'a str,
    pub to: &'a Party,
    pub reference: &'a str,
    pub objet: &'a str,
    pub lot: &'a LotRef,
    pub buyer: &'a str,
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Renders `templates/emails/<template>.txt.hbs` with the common fields and `extra`.
fn email(m: Mail<'_>, template: &str, extra: Value) -> Result<OutgoingEmail, EmailTemplateError> {
    let mut ctx = json!({
        "reference": m.reference, "objet": m.objet, "lot": m.lot, "buyer": m.buyer,
        "recipient": m.to.name,
    });
    if let (Some(c), Value::Object(x)) = (ctx.as_object_mut(), extra) {
        c.extend(x);
    }
    let t = templates::render(template, &ctx)?;
    Ok(OutgoingEmail {
        kind: m.kind.to_owned(),
        to: Recipient::named(m.to.email.clone(), m.to.name.clone()),
        subject: t.subject,
        html: Some(t.html),
        text: t.text,
        attachments: m
            .attachments
            .into_iter()
            .map(|(filename, bytes)| OutgoingAttachment {
                filename,
                content_type: DOCX_CONTENT_TYPE.into(),
                bytes,
            })
            .collect(),
    })
}

/// The email carrying a NOTI1 (`templates/emails/noti1.txt.hbs`).
///
/// # Errors
/// A template error (a bug).
pub fn noti1_email(
    m: Mail<'_>,
    deadline: DateTime<Utc>,
) -> Result<OutgoingEmail, EmailTemplateError> {
    email(m, "noti1", json!({"deadline": paris(deadline)}))
}

/// The email carrying a NOTI3 (`templates/emails/noti3.txt.hbs`).
///
/// # Errors
/// A template error (a bug).
pub fn noti3_email(
    m: Mail<'_>,
    standstill: &StandstillDates,
) -> Result<OutgoingEmail, EmailTemplateError> {
    email(
        m,
        "noti3",
        json!({"signature_from": french_date(standstill.signature_from), "days": standstill.days, "exempt": standstill.exempt}),
    )
}

/// The email carrying a NOTI5 with the one-time acknowledgement link
/// (`templates/emails/noti5.txt.hbs`).
///
/// # Errors
/// A template error (a bug).
pub fn noti5_email(m: Mail<'_>, ack_url: &str) -> Result<OutgoingEmail, EmailTemplateError> {
    email(m, "noti5", json!({"ack_url": ack_url}))
}

/// The email carrying a sans suite or infructuosité letter (`templates/emails/sans_suite.txt.hbs`).
///
/// # Errors
/// A template error (a bug).
pub fn sans_suite_email(
    m: Mail<'_>,
    decision: &Abandon,
) -> Result<OutgoingEmail, EmailTemplateError> {
    let what = if decision.infructueuse {
        "déclarée infructueuse"
    } else {
        "déclarée sans suite"
    };
    email(
        m,
        "sans_suite",
        json!({"what": what, "date": french_date(decision.date), "reason": decision.reason.trim()}),
    )
}

#[cfg(test)]
#[path = "letters_tests.rs"]
mod tests;
