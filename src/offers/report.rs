//! The rapport d'analyse des offres of one lot (OUV8-like, R2184-1 to R2184-6 content: offers
//! received, eliminated with their reasons, OAB procedure, notes with their justifications,
//! ranking, proposal), as the context of [`DocKind::RapportAnalyse`] with the field names of
//! `documents/examples/rapport_analyse.json`, rendered to DOCX by the document engine.

use super::admissibility::{self, PliState};
use super::analysis::{LotCase, Snapshot};
use crate::db::entities::{member, pli};
use crate::docgen::{DocEngine, DocKind};
pub use crate::dossier::rules::oab_detection;
use crate::error::AppError;
use crate::scoring::{
    CriterionKind, OabFlag, OfferStatus, ScoringResult, SubCriterion, format_points,
};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What the report needs besides the snapshot.
pub struct ReportInput<'a> {
    pub s: &'a Snapshot,
    pub lc: &'a LotCase,
    pub result: &'a ScoringResult,
    pub oab: &'a [OabFlag],
    pub buyer: Option<&'a member::Model>,
    pub groupement_name: &'a str,
    pub procedure_label: String,
    pub now: DateTime<Utc>,
}

fn pts(d: Decimal) -> String {
    format_points(d)
}

fn fr(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

fn paris(at: DateTime<Utc>) -> String {
    at.with_timezone(&Paris).to_rfc3339()
}

/// Leaves of a sub-tree with their label.
fn leaves(subs: &[SubCriterion], out: &mut Vec<(String, String, Decimal)>) {
    for s in subs {
        if s.sub_criteria.is_empty() {
            out.push((s.id.clone(), s.label.clone(), s.weight));
        } else {
            leaves(&s.sub_criteria, out);
        }
    }
}

fn offer_line(p: &pli::Model) -> Value {
    let (status, comment) = match admissibility::state(p) {
        PliState::Superseded => ("remplacée".to_owned(), "remplacée par un pli ultérieur du même soumissionnaire ; seul le dernier pli reçu est ouvert (article R2151-6)".to_owned()),
        PliState::Pending => ("à examiner".to_owned(), "examen en cours".to_owned()),
        PliState::Decided(OfferStatus::HorsDelai) => ("hors délai".to_owned(), "pli reçu après la date et l'heure limites, éliminé sans être ouvert (article R2143-2)".to_owned()),
        PliState::Decided(OfferStatus::Admissible) => ("régulière".to_owned(), p.regularisation.as_ref().map_or_else(
            || p.offer_reason.clone().unwrap_or_else(|| "offre complète, acceptable et appropriée".to_owned()),
            |r| format!("régularisée (article R2152-2) : {r}"),
        )),
        PliState::Decided(OfferStatus::Irrecevable) => ("candidature irrecevable".to_owned(), p.candidature_reason.clone().unwrap_or_default()),
        PliState::Decided(OfferStatus::OabRejetee) => ("anormalement basse".to_owned(), format!("rejetée après demande de justifications (article R2152-4) : {}", p.oab_decision_reason.clone().unwrap_or_default())),
        PliState::Decided(st) => (st.label_fr().to_owned(), p.offer_reason.clone().unwrap_or_default()),
    };
    json!({
        "name": p.bidder_name,
        "received_at": paris(p.received_at),
        "candidature_admitted": !p.hors_delai && p.candidature_status != "irrecevable",
        "offer_status": status,
        "offer_comment": comment,
        "dqe_ht": if p.hors_delai { None } else { p.price_ht.clone() },
    })
}

fn oab_block(i: &ReportInput<'_>) -> Value {
    let prices: Vec<Decimal> =
        i.lc.case
            .offers
            .iter()
            .filter(|o| o.status.is_admissible())
            .map(|o| o.price)
            .collect();
    let average = if prices.is_empty() {
        Decimal::ZERO
    } else {
        prices.iter().sum::<Decimal>() / Decimal::from(prices.len())
    };
    let plis: HashMap<&str, &pli::Model> =
        i.lc.plis
            .iter()
            .filter_map(|(o, id)| {
                i.s.plis
                    .iter()
                    .find(|p| p.id == *id)
                    .map(|p| (o.as_str(), p))
            })
            .collect();
    // Offers rejected as OAB are no longer admissible, hence no longer flagged: list them too.
    let mut flagged: Vec<Value> = i
        .oab
        .iter()
        .map(|f| json!({"candidate": f.offer, "decision": decision(plis.get(f.offer.as_str()).copied(), &f.explanation)}))
        .collect();
    for (o, p) in &plis {
        if p.oab_decision.as_deref() == Some("rejetee") {
            flagged.push(json!({"candidate": o, "decision": decision(Some(p), "")}));
        }
    }
    let conclusion = if flagged.is_empty() {
        "Aucune offre n'est inférieure au seuil ; aucune demande de justification n'a été adressée."
            .to_owned()
    } else {
        format!(
            "{} offre(s) signalée(s) ; une offre n'est écartée qu'après examen contradictoire de ses justifications (articles L2152-6 et R2152-4).",
            flagged.len()
        )
    };
    json!({
        "method": crate::offers::oab::describe(&admissibility::oab_method(&i.s.settings)),
        "average_ht": pts(average),
        "threshold_ht": i.oab.first().map(|f| pts(f.threshold)),
        "flagged": flagged,
        "conclusion": conclusion,
    })
}

fn decision(p: Option<&pli::Model>, explanation: &str) -> String {
    let Some(p) = p else {
        return explanation.to_owned();
    };
    let mut parts = Vec::new();
    if !explanation.is_empty() {
        parts.push(explanation.to_owned());
    }
    match p.oab_requested_on {
        Some(d) => parts.push(format!(
            "justifications demandées le {}",
            crate::calendar::french_date(d)
        )),
        None => parts.push("justifications à demander (article L2152-6)".to_owned()),
    }
    if let Some(a) = &p.oab_answer {
        parts.push(format!("réponse : {a}"));
    }
    match p.oab_decision.as_deref() {
        Some("rejetee") => parts.push(format!(
            "offre rejetée : {}",
            p.oab_decision_reason.clone().unwrap_or_default()
        )),
        Some("justifiee") => parts.push(format!(
            "prix justifié, offre maintenue : {}",
            p.oab_decision_reason.clone().unwrap_or_default()
        )),
        _ => {}
    }
    parts.join(" ; ")
}

/// The justification of an offer's points on an evaluated main criterion: per leaf, the
/// points, then the consensus reason or each evaluator's note and justification.
fn justification(
    i: &ReportInput<'_>,
    offer: &str,
    subs: Vec<(String, String, Decimal)>,
    scale: Decimal,
) -> String {
    let points = i.result.points.get(offer);
    let pid = i.lc.plis.get(offer).copied();
    let rows: HashMap<&str, i32> = i.s.rows.iter().map(|r| (r.code.as_str(), r.id)).collect();
    let submitted: Vec<i32> =
        i.s.sheets
            .iter()
            .filter(|x| x.submitted_at.is_some())
            .map(|x| x.evaluator_id)
            .collect();
    subs.iter()
        .map(|(code, label, weight)| {
            let p = points
                .and_then(|p| p.get(code))
                .copied()
                .unwrap_or_default();
            let crit = rows.get(code.as_str()).copied();
            let consensus =
                i.s.consensus
                    .iter()
                    .find(|c| Some(c.pli_id) == pid && Some(c.criterion_id) == crit);
            let detail = match consensus {
                Some(c) => format!(
                    "note de consensus {}/{} : {}",
                    fr(i.s.consensus_values.get(&c.id).copied().unwrap_or_default()),
                    fr(scale),
                    c.reason
                ),
                None => {
                    i.s.notes
                        .iter()
                        .filter(|n| {
                            Some(n.pli_id) == pid
                                && Some(n.criterion_id) == crit
                                && submitted.contains(&n.evaluator_id)
                        })
                        .map(|n| {
                            format!(
                                "{} {}/{} : {}",
                                i.s.names.get(&n.evaluator_id).cloned().unwrap_or_default(),
                                fr(i.s.note_values.get(&n.id).copied().unwrap_or_default()),
                                fr(scale),
                                n.justification
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" ; ")
                }
            };
            format!(
                "{label} {}/{} ({detail})",
                format_points(p).replace('.', ","),
                fr(*weight)
            )
        })
        .collect::<Vec<_>>()
        .join(" — ")
}

/// The report context (field names of `documents/examples/rapport_analyse.json`).
#[must_use]
pub fn context(i: &ReportInput<'_>) -> Value {
    let s = i.s;
    let (number, title) =
        i.lc.lot
            .as_ref()
            .map_or((1, s.c.objet.clone()), |l| (l.number, l.label.clone()));
    let criteria: Vec<Value> = s.tree.iter().map(|c| json!({
        "name": c.label, "weight": c.weight.normalize().to_string(),
        "sub_criteria": c.sub_criteria.iter().map(|x| json!({"name": x.label, "weight": x.weight.normalize().to_string()})).collect::<Vec<_>>(),
    })).collect();
    let price_formula = s.tree.iter().filter_map(|c| match c.kind {
        CriterionKind::Price { formula } => Some(format!(
            "« {} » sur {} points, formule {}, avec N = {} et Pmin, Pmax pris parmi les seules offres admises",
            c.label, fr(c.weight), formula.label_fr(), fr(c.weight)
        )),
        CriterionKind::Evaluated { .. } => None,
    }).collect::<Vec<_>>().join(" ; ");
    let mut tables = Vec::new();
    for c in &s.tree {
        let rows: Vec<Value> = i
            .result
            .ranking
            .iter()
            .map(|r| {
                let p = i
                    .result
                    .points
                    .get(&r.offer)
                    .and_then(|p| p.get(&c.id))
                    .copied()
                    .unwrap_or_default();
                let why = match c.kind {
                    CriterionKind::Price { .. } => {
                        let price =
                            i.lc.case
                                .offers
                                .iter()
                                .find(|o| o.id == r.offer)
                                .map(|o| o.price)
                                .unwrap_or_default();
                        format!(
                            "prix de {} HT",
                            crate::consultations::rules::format_eur(price)
                        )
                    }
                    CriterionKind::Evaluated { scale } => {
                        let mut l = Vec::new();
                        if c.sub_criteria.is_empty() {
                            l.push((c.id.clone(), c.label.clone(), c.weight));
                        } else {
                            leaves(&c.sub_criteria, &mut l);
                        }
                        justification(i, &r.offer, l, scale)
                    }
                };
                json!({"candidate": r.offer, "score": pts(p), "justification": why})
            })
            .collect();
        tables
            .push(json!({"name": c.label, "max": c.weight.normalize().to_string(), "rows": rows}));
    }
    // The ranking table has one column per main criterion of the consultation's grid, in the
    // grid's order (no fixed « technique / prix / environnement » split).
    let ranking_columns: Vec<Value> = s
        .tree
        .iter()
        .map(|c| json!({"name": c.label, "max": fr(c.weight)}))
        .collect();
    let ranking: Vec<Value> = i
        .result
        .ranking
        .iter()
        .map(|r| {
            let scores: Vec<String> = s
                .tree
                .iter()
                .map(|c| {
                    pts(i
                        .result
                        .points
                        .get(&r.offer)
                        .and_then(|p| p.get(&c.id))
                        .copied()
                        .unwrap_or_default())
                })
                .collect();
            json!({"rank": r.rank, "candidate": r.offer, "scores": scores, "total": pts(r.total)})
        })
        .collect();
    let first: Vec<&crate::scoring::RankedOffer> =
        i.result.ranking.iter().filter(|r| r.rank == 1).collect();
    let price_of = |o: &str| {
        i.lc.case
            .offers
            .iter()
            .find(|x| x.id == o)
            .map(|x| x.price)
            .unwrap_or_default()
    };
    let proposal = match first.as_slice() {
        [one] => json!({
            "candidate": one.offer, "amount_ht": pts(price_of(&one.offer)),
            "reasons": format!("offre économiquement la plus avantageuse au regard des critères pondérés, classée première avec {} points sur 100 ({})",
                format_points(one.total).replace('.', ","),
                s.tree.iter().map(|c| format!("{} : {}/{}", c.label,
                    format_points(i.result.points.get(&one.offer).and_then(|p| p.get(&c.id)).copied().unwrap_or_default()).replace('.', ","), fr(c.weight))).collect::<Vec<_>>().join(", ")),
        }),
        many => json!({
            "candidate": many.iter().map(|r| r.offer.clone()).collect::<Vec<_>>().join(" et "),
            "amount_ht": pts(many.first().map(|r| price_of(&r.offer)).unwrap_or_default()),
            "reasons": "offres classées premières ex aequo : elles doivent être départagées avant toute attribution",
        }),
    };
    let lot_plis: Vec<&pli::Model> = s
        .plis
        .iter()
        .filter(|p| i.lc.lot.as_ref().is_none_or(|l| p.lot_id == Some(l.id)))
        .collect();
    let analysts: Vec<String> = s
        .sheets
        .iter()
        .filter(|x| x.submitted_at.is_some())
        .map(|x| {
            format!(
                "{}, membre de la commission d'appel d'offres",
                s.names.get(&x.evaluator_id).cloned().unwrap_or_default()
            )
        })
        .collect();
    let buyer = i.buyer.map_or_else(
        || json!({"name": i.groupement_name, "address": null}),
        |m| {
            json!({
                "name": m.name, "address": m.address, "finess_juridique": m.finess_juridique,
                "representative": {"name": m.representative_name, "title": m.representative_title},
            })
        },
    );
    let deadline = super::access::deadline_utc(&s.c);
    json!({
        "buyer": buyer,
        "groupement": {"name": i.groupement_name},
        "consultation": {
            "reference": s.c.reference, "object": s.c.objet, "procedure_label": i.procedure_label,
            "launch_date": s.c.launch_date, "offers_deadline": deadline.map(paris),
            "criteria": criteria, "price_formula": if price_formula.is_empty() { "sans critère prix".to_owned() } else { price_formula },
        },
        "document": {
            "date": i.now.with_timezone(&Paris).date_naive().to_string(),
            "created_at": paris(i.now),
            "title": format!("Rapport d'analyse des offres – lot {number}"),
        },
        "lot": {"number": number, "title": title},
        "analysis": {
            "opening_date": deadline.map(paris),
            "offers_received": lot_plis.iter().filter(|p| !p.hors_delai && !p.superseded).count(),
            "late_offers": lot_plis.iter().filter(|p| p.hors_delai).count(),
            "analysts": analysts,
            "oab": oab_block(i),
        },
        "offers": lot_plis.iter().map(|p| offer_line(p)).collect::<Vec<_>>(),
        "criteria_tables": tables,
        "ranking_columns": ranking_columns,
        "ranking": ranking,
        "oab_detection": oab_detection(&admissibility::oab_method(&s.settings)),
        "proposal": proposal,
    })
}

fn engine() -> Result<&'static DocEngine, AppError> {
    static ENGINE: OnceLock<Result<DocEngine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| DocEngine::new().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("moteur de documents : {e}")))
}

/// Renders the report as DOCX bytes.
///
/// # Errors
/// `Internal` when the template and the context disagree (a bug).
pub fn docx(ctx: &Value, look: &crate::docgen::Look) -> Result<Vec<u8>, AppError> {
    engine()?
        .render_docx(DocKind::RapportAnalyse, ctx, look)
        .map(|d| d.docx)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rapport d'analyse : {e}")))
}

/// File name of the report of one lot: `rapport-analyse-<référence>-lot<n>.docx`.
#[must_use]
pub fn file_name(reference: &str, lot_number: i32) -> String {
    let safe: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("rapport-analyse-{safe}-lot{lot_number}.docx")
}

/// Scores one lot and renders its report: `(file name, DOCX bytes)`. The caller decides who may
/// see the ranking (see [`super::analysis::ensure_ranking_visible`]).
///
/// # Errors
/// `Conflict` when the ranking cannot be computed yet (French reasons), `NotFound`, database
/// errors, a rendering error (internal).
pub async fn lot_docx<C: sea_orm::ConnectionTrait>(
    db: &C,
    s: &Snapshot,
    lc: &LotCase,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), AppError> {
    let (gid, cid) = (s.c.groupement_id, s.c.id);
    let result = crate::scoring::score(&lc.case).map_err(|e| {
        AppError::Conflict(format!(
            "Le rapport ne peut pas être établi : {}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ; ")
        ))
    })?;
    let flags = super::analysis::oab(s, lc).unwrap_or_default();
    let members = crate::registry::service::members(db, gid).await?;
    let buyer = members
        .iter()
        .map(|m| &m.member)
        .find(|m| m.role.as_deref() == Some("coordonnateur"))
        .or_else(|| members.first().map(|m| &m.member));
    let g = crate::registry::service::groupement(db, gid)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = now.with_timezone(&Paris).date_naive();
    let detail = crate::consultations::service::detail(db, gid, cid, today).await?;
    let ctx = context(&ReportInput {
        s,
        lc,
        result: &result,
        oab: &flags,
        buyer,
        groupement_name: &g.name,
        procedure_label: detail
            .procedure
            .map(|p| p.label().to_lowercase())
            .unwrap_or_else(|| "procédure".into()),
        now,
    });
    let number = lc.lot.as_ref().map_or(1, |l| l.number);
    // The consultation's clauses in force: the OAB wording is the RC's.
    let look = crate::pieces::service::effective_look(db, gid, cid).await?;
    Ok((file_name(&s.c.reference, number), docx(&ctx, &look)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::OabMethod;
    use rust_decimal::dec;

    #[test]
    fn the_oab_method_is_given_to_the_shared_clause_in_french_numbers() {
        let v = oab_detection(&OabMethod::RatioOfMeanOfOthers { ratio: dec!(0.85) });
        assert_eq!(v["method"], "ratio_of_mean_of_others");
        assert_eq!(v["ratio_percent"], "85");
        let v = oab_detection(&OabMethod::reduced_mean());
        assert_eq!(
            (
                v["exclusion_percent"].as_str(),
                v["suspicion_percent"].as_str()
            ),
            (Some("120"), Some("90"))
        );
        let v = oab_detection(&OabMethod::MeanMinusStdDev { k: dec!(1.5) });
        assert_eq!(v["k"], "1,5");
    }

    #[test]
    fn the_report_words_each_method_with_the_shared_clause() {
        let engine = DocEngine::new().expect("engine");
        let example: Value =
            serde_json::from_str(crate::docgen::example_context(DocKind::RapportAnalyse))
                .expect("example");
        for (m, words) in [
            (
                OabMethod::default(),
                "inférieur à 80 % de la moyenne des prix des autres offres admises du lot",
            ),
            (
                OabMethod::reduced_mean(),
                "dépasse 120 % de la moyenne des prix des offres admises du lot sont écartées du calcul",
            ),
            (
                OabMethod::MeanMinusStdDev { k: Decimal::ONE },
                "diminuée de 1 fois leur écart-type",
            ),
        ] {
            let mut ctx = example.clone();
            ctx["oab_detection"] = oab_detection(&m);
            let md = engine
                .render_markdown(
                    DocKind::RapportAnalyse,
                    &ctx,
                    &std::collections::BTreeMap::new(),
                )
                .expect("render");
            assert!(md.contains(words), "{m:?}: {md}");
            assert!(md.contains("ne vaut jamais rejet automatique"));
        }
    }
}
