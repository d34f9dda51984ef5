//! The JSON context of each piece of the DCE, built from the database (registry, consultation,
//! legal calendar, needs) and the DCE data; field names are those of
//! `documents/examples/<kind>.json`.
//!
//! [`build`] is pure: it always returns a complete context (placeholders where data is missing,
//! so that a clause can be checked early) together with the [`Gap`]s; [`Built::for_kind`]
//! refuses a kind while one of its gaps remains, with French messages naming what to fill in.

use super::parts;
use crate::consultations::rules::procedure::ProcedureKind;
use crate::consultations::service as consultations;
use crate::docgen::DocKind;
use crate::dossier::rules;
use crate::error::{AppError, FieldErrors};
use crate::registry::seed::MemberKind;
use crate::registry::service::{self as registry, MemberWithEstablishments};
use crate::scoring::{Criterion, CriterionKind, SubCriterion};
use chrono::{DateTime, NaiveDate, SecondsFormat, Timelike, Utc};
use chrono_tz::Europe::Paris;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

/// The five pieces of the DCE generated here (R2132-1), in the order of the procedure.
pub const DCE_KINDS: [DocKind; 5] = [
    DocKind::Rc,
    DocKind::Ae,
    DocKind::Ccap,
    DocKind::Cctp,
    DocKind::Bpu,
];

pub(super) const ALL: &[DocKind] = &DCE_KINDS;
pub(super) const RC: &[DocKind] = &[DocKind::Rc];
pub(super) const RC_AE: &[DocKind] = &[DocKind::Rc, DocKind::Ae];
pub(super) const RC_AE_CCAP: &[DocKind] = &[DocKind::Rc, DocKind::Ae, DocKind::Ccap];
pub(super) const CCAP: &[DocKind] = &[DocKind::Ccap];
pub(super) const CCTP: &[DocKind] = &[DocKind::Cctp];
pub(super) const BPU: &[DocKind] = &[DocKind::Bpu];

/// « le RC », « l'acte d'engagement »…: the piece named in a French sentence.
#[must_use]
pub fn with_article(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Rc => "le RC",
        DocKind::Ae => "l'acte d'engagement",
        DocKind::Ccap => "le CCAP",
        DocKind::Cctp => "le CCTP",
        DocKind::Bpu => "le BPU",
        _ => "la pièce",
    }
}

/// Short code of a piece in file names: `RC`, `AE`, `CCAP`, `CCTP`, `BPU`.
#[must_use]
pub fn short_code(kind: DocKind) -> String {
    kind.as_str().to_uppercase()
}

/// Parses the `{kind}` of a URL: one of the five DCE kinds.
///
/// # Errors
/// `NotFound` for any other value.
pub fn dce_kind(s: &str) -> Result<DocKind, AppError> {
    DCE_KINDS
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or(AppError::NotFound)
}

/// Something a piece needs and the database does not say yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub kinds: &'static [DocKind],
    /// Imperative French sentence without its end (« Fixez la date limite… »).
    pub message: String,
}

/// The facts every piece is built from: the consultation's dossier.
use crate::dossier::Dossier;

/// A complete context and what is missing for each kind.
#[derive(Clone, Debug)]
pub struct Built {
    pub ctx: Value,
    pub gaps: Vec<Gap>,
}

impl Built {
    /// The gaps that block `kind`, as French sentences.
    #[must_use]
    pub fn gaps_for(&self, kind: DocKind) -> Vec<String> {
        self.gaps
            .iter()
            .filter(|g| g.kinds.contains(&kind))
            .map(|g| format!("{} avant de générer {}.", g.message, with_article(kind)))
            .collect()
    }

    /// The context of `kind`, or a 422 listing what to fill in.
    ///
    /// # Errors
    /// `Validation` with every gap of `kind`.
    pub fn for_kind(&self, kind: DocKind) -> Result<Value, AppError> {
        let gaps = self.gaps_for(kind);
        if !gaps.is_empty() {
            let mut errs = FieldErrors::new();
            errs.insert(kind.as_str().to_owned(), gaps);
            return Err(AppError::Validation(errs));
        }
        let mut ctx = self.ctx.clone();
        if kind == DocKind::Ae {
            ctx["document"]["title"] = json!("Acte d'engagement (ATTRI1)");
        }
        Ok(ctx)
    }
}

/// Collects gaps while the context is built.
#[derive(Default)]
pub(super) struct Gaps(pub Vec<Gap>);

impl Gaps {
    pub(super) fn add(&mut self, kinds: &'static [DocKind], message: impl Into<String>) {
        self.0.push(Gap {
            kinds,
            message: message.into(),
        });
    }

    /// `s`, or a gap and an empty string when it is blank.
    pub(super) fn text(&mut self, kinds: &'static [DocKind], s: &str, what: &str) -> String {
        if s.trim().is_empty() {
            self.add(kinds, format!("Renseignez {what} dans « Données du DCE »"));
        }
        s.trim().to_owned()
    }

    /// The number, or a gap and `0`.
    pub(super) fn number<T: ToString>(
        &mut self,
        kinds: &'static [DocKind],
        v: Option<T>,
        what: &str,
    ) -> String {
        v.map_or_else(
            || {
                self.add(kinds, format!("Renseignez {what} dans « Données du DCE »"));
                "0".to_owned()
            },
            |x| x.to_string(),
        )
    }
}

/// The CCAG as the RC cites it, and its full name in the list of contractual pieces.
#[must_use]
pub fn ccag_texts(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "fcs" => (
            "CCAG-FCS (arrêté du 30 mars 2021)",
            "le cahier des clauses administratives générales des marchés publics de fournitures courantes et de services (CCAG-FCS)",
        ),
        "pi" => (
            "CCAG-PI (arrêté du 30 mars 2021)",
            "le cahier des clauses administratives générales des marchés publics de prestations intellectuelles (CCAG-PI)",
        ),
        "tic" => (
            "CCAG-TIC (arrêté du 30 mars 2021, modifié par l'arrêté du 29 décembre 2022)",
            "le cahier des clauses administratives générales des marchés publics de techniques de l'information et de la communication (CCAG-TIC)",
        ),
        "travaux" => (
            "CCAG-Travaux (arrêté du 30 mars 2021)",
            "le cahier des clauses administratives générales des marchés publics de travaux (CCAG-Travaux)",
        ),
        "moe" => (
            "CCAG-MOE (arrêté du 30 mars 2021)",
            "le cahier des clauses administratives générales des marchés publics de maîtrise d'œuvre (CCAG-MOE)",
        ),
        "mi" => (
            "CCAG-MI (arrêté du 30 mars 2021)",
            "le cahier des clauses administratives générales des marchés publics industriels (CCAG-MI)",
        ),
        _ => return None,
    })
}

/// French label and legal basis of a procedure, as the RC and the AE write them.
#[must_use]
pub fn procedure_texts(p: ProcedureKind) -> (&'static str, &'static str) {
    match p {
        // L2124-2, R2124-1, R2124-2 1°, R2161-2 to R2161-5.
        ProcedureKind::AppelOffresOuvert => (
            "appel d'offres ouvert",
            "articles L2124-2, R2124-1, R2124-2 1° et R2161-2 à R2161-5 du code de la commande publique",
        ),
        // L2123-1, R2123-1.
        ProcedureKind::ProcedureAdaptee => (
            "procédure adaptée",
            "articles L2123-1 et R2123-1 du code de la commande publique",
        ),
        // R2122-8.
        ProcedureKind::SansPubliciteNiMiseEnConcurrence => (
            "marché sans publicité ni mise en concurrence préalables",
            "article R2122-8 du code de la commande publique",
        ),
    }
}

/// The town of a postal address: « 57 rue Paul Bert, BP 40005, 59426 Armentières Cedex » →
/// « Armentières ».
#[must_use]
pub fn town_of(address: &str) -> Option<String> {
    let last = address.rsplit(',').next()?.trim();
    let mut words: Vec<&str> = last.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| w.len() == 5 && w.chars().all(|c| c.is_ascii_digit()))
    {
        words.remove(0);
    } else {
        return None;
    }
    while words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("cedex") || w.chars().all(|c| c.is_ascii_digit()))
    {
        words.pop();
    }
    (!words.is_empty()).then(|| words.join(" "))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

fn member_json(m: &MemberWithEstablishments) -> Value {
    let kind: Option<MemberKind> = serde_json::from_value(json!(m.member.kind)).ok();
    let role_label = match m.member.role.as_deref() {
        Some("coordonnateur") => "coordonnateur".to_owned(),
        Some("porteur") => "porteur de projet".to_owned(),
        Some(other) => other.to_owned(),
        None => String::new(),
    };
    json!({
        "name": m.member.name,
        "kind_label": kind.map_or_else(|| m.member.kind.clone(), |k| k.label().to_owned()),
        "finess_juridique": m.member.finess_juridique,
        "address": m.member.address,
        "representative": {"name": m.member.representative_name, "title": m.member.representative_title},
        "role_label": role_label,
        "has_own_cao": m.member.has_own_cao,
        "establishments": m.establishments.iter().map(|e| {
            let sirets = registry::sirets(e);
            json!({
                "name": e.name, "kind": e.kind, "finess": e.finess,
                "capacity": e.capacity.clone().unwrap_or_default(),
                "siret": sirets.join(", "), "sirets": sirets,
            })
        }).collect::<Vec<_>>(),
    })
}

fn paris_rfc3339(d: NaiveDate, h: u32, m: u32) -> String {
    crate::calendar::paris_datetime(d, h, m).to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The award criteria as the RC prints them: each root criterion with its weight, kind and
/// method, and its sub-criteria with their weights (points out of 100, as scored).
#[must_use]
pub fn criteria_json(criteria: &[Criterion]) -> Value {
    fn subs(s: &[SubCriterion]) -> Vec<Value> {
        s.iter()
            .map(|c| {
                json!({
                    "name": c.label, "weight": c.weight.normalize().to_string(),
                    "environmental": c.environmental, "sub_criteria": subs(&c.sub_criteria),
                })
            })
            .collect()
    }
    json!(
        criteria
            .iter()
            .map(|c| {
                let weight = c.weight.normalize().to_string();
                json!({
                    "name": c.label,
                    "weight": weight,
                    "is_price": matches!(c.kind, CriterionKind::Price { .. }),
                    "environmental": c.environmental,
                    "method": rules::method_of(c, &weight),
                    "sub_criteria": subs(&c.sub_criteria),
                })
            })
            .collect::<Vec<_>>()
    )
}

/// Builds the context of every DCE kind (pure).
#[must_use]
pub fn build(f: &Dossier, now: DateTime<Utc>) -> Built {
    let mut g = Gaps::default();
    let d = &f.detail;
    let today = now.with_timezone(&Paris).date_naive();
    let coord = f
        .members
        .iter()
        .find(|m| m.member.role.as_deref() == Some("coordonnateur"));
    if coord.is_none() {
        g.add(
            ALL,
            "Désignez le membre coordonnateur du groupement (rôle « coordonnateur » dans le registre)",
        );
    }
    let coord_name = coord.map(|m| m.member.name.clone()).unwrap_or_default();
    let coord_address = coord.map(|m| m.member.address.clone()).unwrap_or_default();
    let lots_with_needs = d.lots.iter().filter(|l| !l.needs.is_empty()).count();
    if lots_with_needs == 0 {
        g.add(
            ALL,
            "Ajoutez au moins un lot et saisissez les besoins des membres (page de la consultation)",
        );
    }
    let (procedure_label, legal_basis) = match d.procedure {
        Some(p) => {
            if p != ProcedureKind::AppelOffresOuvert {
                g.add(
                    RC,
                    format!(
                        "Le modèle de RC est rédigé pour l'appel d'offres ouvert (R2161-2 à R2161-5) et la procédure de cette consultation est « {} » : remplacez le modèle",
                        p.label()
                    ),
                );
            }
            procedure_texts(p)
        }
        None => {
            let why = d.proposal.as_ref().err().cloned().unwrap_or_default();
            g.add(
                RC_AE,
                format!("Déterminez la procédure (besoins des membres) — {why}"),
            );
            ("", "")
        }
    };
    let ccag = ccag_texts(&d.c.ccag);
    if ccag.is_none() {
        g.add(
            RC_AE_CCAP,
            "Choisissez le CCAG de la consultation (le RC, l'acte d'engagement et le CCAP s'y réfèrent)",
        );
    }
    let convention_date = f.groupement.convention_adopted_on.map_or_else(
        || {
            g.add(
                RC_AE_CCAP,
                "Renseignez la date d'adoption de la convention constitutive du groupement (registre)",
            );
            today.to_string()
        },
        |c| c.to_string(),
    );
    let calendar = d.calendar.as_ref().and_then(|c| c.as_ref().ok());
    let deadline = consultations::offers_deadline(&d.c);
    let offers_deadline = match deadline {
        Some(o) => paris_rfc3339(o.date(), o.hour(), o.minute()),
        None => {
            g.add(RC, "Fixez la date limite de remise des offres");
            paris_rfc3339(today, 12, 0)
        }
    };
    let questions_deadline = match d.c.questions_deadline {
        Some(q) => {
            let (h, m) = deadline.map_or((12, 0), |o| (o.hour(), o.minute()));
            paris_rfc3339(q, h, m)
        }
        None => {
            g.add(RC, "Fixez la date limite de dépôt des questions");
            paris_rfc3339(today, 12, 0)
        }
    };
    let answers_deadline = match (
        d.c.launch_date,
        &d.calendar,
        calendar.and_then(|c| c.answers_deadline),
    ) {
        (_, _, Some(a)) => a.to_string(),
        (None, _, None) => {
            g.add(
                RC,
                "Fixez la date de lancement (elle ouvre le calendrier légal)",
            );
            today.to_string()
        }
        (Some(_), Some(Err(e)), None) => {
            g.add(RC, format!("Corrigez le calendrier légal ({e})"));
            today.to_string()
        }
        (Some(_), _, None) => {
            g.add(
                RC,
                "Complétez le calendrier légal (date limite de réponse aux questions incalculable)",
            );
            today.to_string()
        }
    };
    let validity = d.c.offers_validity_days.map_or_else(
        || {
            g.add(
                RC_AE,
                "Fixez la durée de validité des offres (en jours, formulaire de la consultation)",
            );
            json!(0)
        },
        |v| json!(v),
    );
    let data = &f.data;
    let duration = g.number(
        RC_AE_CCAP,
        data.duration_months,
        "la durée du marché ou de l'accord-cadre (mois)",
    );
    let lots: Vec<Value> = d
        .lots
        .iter()
        .filter(|l| !l.needs.is_empty())
        .map(|l| {
            let base: Decimal = l.needs.iter().map(|(n, _)| dec(&n.amount_ht)).sum();
            json!({
                "number": l.lot.number, "title": l.lot.label,
                "estimated_amount_ht": base.to_string(), "maximum_ht": l.total_ht.to_string(),
            })
        })
        .collect();
    // A single lot is a marché unique: its reasons are written in the RC (L2113-11).
    let single_contract = lots.len() == 1;
    let single_contract_reason = if single_contract {
        g.text(
            RC,
            &data.single_contract_reason,
            "le motif de l'absence d'allotissement (article L2113-11)",
        )
    } else {
        String::new()
    };
    let members: Vec<Value> = f.members.iter().map(member_json).collect();
    for problem in f.award_criteria_problems() {
        g.add(RC, upper_first(&problem));
    }
    let mut ctx = json!({
        "buyer": {
            "name": coord_name,
            "address": coord_address,
            "finess_juridique": coord.map(|m| m.member.finess_juridique.clone()).unwrap_or_default(),
            "representative": {
                "name": coord.map(|m| m.member.representative_name.clone()).unwrap_or_default(),
                "title": coord.map(|m| m.member.representative_title.clone()).unwrap_or_default(),
            },
            "email": data.buyer_email,
            "phone": data.buyer_phone,
            "buyer_profile_url": g.text(RC, &data.buyer_profile_url, "l'adresse du profil d'acheteur"),
        },
        "groupement": {
            "name": f.groupement.name,
            "legal_basis": f.groupement.legal_basis,
            "convention_date": convention_date,
            "members": members,
        },
        "consultation": {
            "reference": d.c.reference,
            "object": d.c.objet,
            "nature": d.nature.label(),
            "vat_rate": d.c.vat_rate,
            "procedure_label": procedure_label,
            "legal_basis": legal_basis,
            "contract_form": g.text(RC, &data.contract_form, "la forme du contrat"),
            "technique": technique_json(d, &data.contract_form, &mut g),
            "ccag": ccag.map_or("", |c| c.0),
            "cpv_main": d.c.cpv,
            "cpv_additional": data.cpv_additional,
            "estimated_amount_ht": d.total_ht.to_string(),
            "launch_date": d.c.launch_date.unwrap_or(today).to_string(),
            "offers_deadline": offers_deadline,
            "questions_deadline": questions_deadline,
            "answers_deadline": answers_deadline,
            "validity_days": validity,
            "duration_months": duration.parse::<u32>().unwrap_or(0),
            "lots": lots,
            "single_contract": single_contract,
            "single_contract_reason": single_contract_reason,
            // The grid the CAO scores with, announced as is (R2152-11, R2152-12).
            "criteria": criteria_json(&f.criteria),
            "variants_allowed": data.variants_allowed,
        },
        "court": {
            "name": g.text(RC, &data.court.name, "le tribunal compétent pour les recours"),
            "address": g.text(RC, &data.court.address, "l'adresse du tribunal"),
            "phone": g.text(RC, &data.court.phone, "le téléphone du tribunal"),
            "email": g.text(RC, &data.court.email, "le courriel du greffe du tribunal"),
            "website": g.text(RC, &data.court.website, "le site internet du tribunal"),
        },
        "document": {
            "date": today.to_string(),
            "created_at": now.with_timezone(&Paris).to_rfc3339_opts(SecondsFormat::Secs, false),
        },
        "oab_detection": crate::dossier::rules::oab_detection(&f.oab_method),
    });
    if let Some(place) = town_of(&coord_address) {
        ctx["document"]["place"] = json!(place);
    }
    parts::rc_lists(&mut ctx, data, &mut g);
    parts::ae(&mut ctx, f, ccag.map(|c| c.1), coord, &mut g);
    parts::ccap(&mut ctx, data, &d.c.ccag, &mut g);
    parts::cctp(&mut ctx, f, &mut g);
    parts::bpu(&mut ctx, f, &mut g);
    Built { ctx, gaps: g.0 }
}

/// The signatory: the coordonnateur's representative, for every member (convention art. 6.2).
#[must_use]
pub fn signatory(base: &serde_json::Value) -> serde_json::Value {
    let rep = &base["buyer"]["representative"];
    let title = rep["title"].as_str().unwrap_or_default();
    let buyer = base["buyer"]["name"].as_str().unwrap_or_default();
    serde_json::json!({
        "name": rep["name"],
        "quality": format!("{title} ({buyer}), coordonnateur du groupement de commandes"),
    })
}

/// The technique d'achat as the RC states it: an accord-cadre with its execution, titulaires
/// and maximum, in total and for each member (R2162-4: each member orders its own part); a
/// marché spécifique with its SAD. A « forme du contrat » that contradicts it is a gap.
fn technique_json(
    d: &crate::consultations::service::Detail,
    contract_form: &str,
    g: &mut Gaps,
) -> Value {
    use crate::consultations::rules::technique::Technique;
    let c = &d.c;
    let says_accord_cadre = contract_form.to_lowercase().contains("accord-cadre");
    if c.technique == Technique::AccordCadre && !says_accord_cadre {
        g.add(RC, "La forme du contrat des « Données du DCE » ne dit pas « accord-cadre » alors que la technique d'achat choisie est un accord-cadre : écrivez-la (par exemple « accord-cadre à bons de commande »)");
    } else if c.technique != Technique::AccordCadre && says_accord_cadre {
        g.add(RC, "La forme du contrat des « Données du DCE » parle d'accord-cadre alors que la technique d'achat choisie n'en est pas un : choisissez la technique « accord-cadre » ou corrigez la forme du contrat");
    }
    let mut parts = Vec::new();
    for l in &d.lots {
        for (n, member) in &l.needs {
            // Read once already by the detail, which refuses an altered amount.
            match crate::consultations::service::need_total(n) {
                Ok(total) => parts.push(json!({
                    "lot": l.lot.number, "member": member, "maximum_ht": total.to_string(),
                })),
                Err(e) => g.add(RC, e.message()),
            }
        }
    }
    json!({
        "code": c.technique.code(),
        "label": c.technique.label(),
        "accord_cadre": c.technique == Technique::AccordCadre,
        "sad": c.technique == Technique::Sad,
        "execution": c.execution.map(|e| e.label()),
        "attributaires": c.attributaires.map(|a| a.label()),
        "sad_reference": c.sad_reference,
        "maximum_ht": d.total_ht.to_string(),
        "parts": parts,
        "several_lots": d.lots.len() > 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_are_read_from_addresses() {
        assert_eq!(
            town_of("place Jean Delvainquière, BP 109, 59393 Wattrelos").as_deref(),
            Some("Wattrelos")
        );
        assert_eq!(
            town_of("57 rue Paul Bert, BP 40005, 59426 Armentières Cedex").as_deref(),
            Some("Armentières")
        );
        assert_eq!(
            town_of("rue Jean Mermoz, 02110 Bohain-en-Vermandois").as_deref(),
            Some("Bohain-en-Vermandois")
        );
        assert_eq!(town_of("sans code postal"), None);
    }

    #[test]
    fn gaps_block_only_their_kinds_with_a_french_sentence() {
        let mut g = Gaps::default();
        g.add(RC, "Fixez la date limite de remise des offres");
        let text = g.text(CCTP, " ", "l'hébergement");
        assert_eq!(text, "");
        assert_eq!(g.number(CCAP, Some(30), "le délai de paiement"), "30");
        let built = Built {
            ctx: json!({"document": {"date": "2026-11-23"}}),
            gaps: g.0,
        };
        assert_eq!(
            built.gaps_for(DocKind::Rc),
            vec!["Fixez la date limite de remise des offres avant de générer le RC."]
        );
        assert_eq!(
            built.gaps_for(DocKind::Cctp),
            vec!["Renseignez l'hébergement dans « Données du DCE » avant de générer le CCTP."]
        );
        assert!(built.gaps_for(DocKind::Ccap).is_empty());
        assert!(matches!(
            built.for_kind(DocKind::Rc),
            Err(AppError::Validation(_))
        ));
        let ae = built.for_kind(DocKind::Ae).expect("no gap for the AE");
        assert_eq!(ae["document"]["title"], "Acte d'engagement (ATTRI1)");
    }

    #[test]
    fn dce_kinds_are_the_five_pieces() {
        assert_eq!(dce_kind("rc").unwrap(), DocKind::Rc);
        assert!(dce_kind("noti1").is_err());
        assert_eq!(short_code(DocKind::Ccap), "CCAP");
    }

    #[test]
    fn ccag_and_procedure_texts() {
        assert!(ccag_texts("tic").unwrap().0.starts_with("CCAG-TIC"));
        assert!(ccag_texts("aucun").is_none());
        assert_eq!(
            procedure_texts(ProcedureKind::AppelOffresOuvert).0,
            "appel d'offres ouvert"
        );
    }
}
