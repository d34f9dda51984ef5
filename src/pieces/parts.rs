//! The kind-specific parts of the DCE context: lists of the RC, the blank acte d'engagement
//! (ATTRI1), the CCAP and CCTP parameters, and the BPU/DQE built from the members' needs.

use super::ccag::{self, Ccag};
use super::context::{BPU, CCAP, CCTP, Gaps, RC, RC_AE, town_of};
use crate::docgen::DocKind;
use crate::dossier::Dossier;
use crate::dossier::dce_data::DceData;
use crate::registry::service::MemberWithEstablishments;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::str::FromStr;

const AE: &[DocKind] = &[DocKind::Ae];

/// The generated pieces of the DCE (R2132-1), then the coordonnateur's annexes.
pub(super) fn rc_lists(ctx: &mut Value, data: &DceData, g: &mut Gaps) {
    let mut pieces: Vec<String> = vec![
        "le présent règlement de la consultation (RC)".into(),
        "l'acte d'engagement (ATTRI1)".into(),
        "le cahier des clauses administratives particulières (CCAP)".into(),
        "le cahier des clauses techniques particulières (CCTP)".into(),
        "le bordereau des prix unitaires et le détail quantitatif estimatif (BPU/DQE)".into(),
    ];
    pieces.extend(data.extra_dce_pieces.iter().cloned());
    if data.candidature_documents.is_empty() {
        g.add(
            RC,
            "Renseignez la liste des pièces de la candidature dans « Données du DCE »",
        );
    }
    if data.offer_documents.is_empty() {
        g.add(
            RC,
            "Renseignez la liste des pièces de l'offre dans « Données du DCE »",
        );
    }
    ctx["dce_pieces"] = json!(pieces);
    ctx["candidature_documents"] = json!(data.candidature_documents);
    ctx["offer_documents"] = json!(data.offer_documents);
}

/// The acte d'engagement as the DCE publishes it (ATTRI1 sections A to G): the candidate's parts
/// left blank (B: identity, groupement of operators R2142-20, accounts, avance R2191-3; C:
/// signatures, mandataire R2142-23/24), the buyer's filled in (D: designation, signatory, contact
/// for assignments of receivables, comptable assignataire, imputation budgétaire; E: exemplaire
/// unique L2191-8, R2191-45/46; F: acceptance for every member, convention art. 6.2; G:
/// annexes). `super::award::ae_for_award` fills the candidate's parts for the attributaire.
pub(super) fn ae(
    ctx: &mut Value,
    f: &Dossier,
    ccag_full: Option<&str>,
    coord: Option<&MemberWithEstablishments>,
    g: &mut Gaps,
) {
    let lots: Vec<_> = f
        .detail
        .lots
        .iter()
        .filter(|l| !l.needs.is_empty())
        .collect();
    let lot = match lots.as_slice() {
        [one] => json!({"number": one.lot.number, "title": one.lot.label}),
        many => json!({
            "number": "…",
            "title": format!(
                "le candidat indique le lot ; un acte d'engagement est remis pour chacun des lots {}",
                many.iter().map(|l| l.lot.number.to_string()).collect::<Vec<_>>().join(", ")
            ),
        }),
    };
    let data = &f.data;
    let has_renewals = f.detail.lots.iter().any(|l| {
        l.needs
            .iter()
            .any(|(n, _)| Decimal::from_str(&n.renewals_ht).unwrap_or_default() > Decimal::ZERO)
    });
    let renewals = data.renewals.unwrap_or(0);
    if has_renewals && renewals == 0 {
        g.add(
            RC_AE,
            "Les besoins des membres comportent des reconductions : renseignez leur nombre et leur durée dans « Données du DCE »",
        );
    }
    if renewals > 0 && data.renewal_months.is_none() {
        g.add(
            AE,
            "Renseignez la durée d'une reconduction (mois) dans « Données du DCE »",
        );
    }
    let rep_name = coord
        .map(|m| m.member.representative_name.clone())
        .unwrap_or_default();
    let rep_title = coord
        .map(|m| m.member.representative_title.clone())
        .unwrap_or_default();
    let coord_name = coord.map(|m| m.member.name.clone()).unwrap_or_default();
    let mut contract_documents = vec![
        "le cahier des clauses administratives particulières (CCAP)".to_owned(),
        "le cahier des clauses techniques particulières (CCTP)".to_owned(),
        "le bordereau des prix unitaires (BPU)".to_owned(),
        "le mémoire technique du titulaire".to_owned(),
    ];
    if let Some(c) = ccag_full {
        contract_documents.push(c.to_owned());
    }
    let ae = &data.ae;
    let or = |s: &str, default: String| {
        if s.trim().is_empty() {
            default
        } else {
            s.trim().to_owned()
        }
    };
    let contact = [data.buyer_email.trim(), data.buyer_phone.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    ctx["lot"] = lot;
    ctx["lots"] = json!([]);
    ctx["offer"] = json!({"variant": false, "variant_label": "", "options": false});
    ctx["contractor"] = blank_contractor();
    ctx["contract_documents"] = json!(contract_documents);
    ctx["price"] = json!({
        "vat_rate": f.detail.c.vat_rate, "amount_ht": null, "amount_ttc": null, "lines": [],
        "basis": "montant du détail quantitatif estimatif (DQE), les prestations étant réglées par application des prix unitaires du BPU aux quantités réellement commandées",
    });
    ctx["groupement_titulaire"] = blank_operator_group();
    ctx["accounts"] = json!([]);
    ctx["advance"] = json!({"refused": false, "answered": false});
    ctx["duration"] = json!({
        "months": data.duration_months.unwrap_or(0),
        "start": format!(
            "à compter de la date de notification {}",
            crate::docgen::format::contract_words(Some(f.detail.c.technique.code()), "du")
                .unwrap_or("du marché")
        ),
        "renewable": renewals > 0,
        "renewals": renewals,
        "renewal_months": data.renewal_months.unwrap_or(0),
    });
    ctx["signature"] = json!({"place": "", "date": null});
    ctx["buyer_signature"] = json!({
        "signatory": rep_name,
        "quality": format!("{rep_title}, pour {coord_name}, coordonnateur du groupement de commandes"),
        "place": coord.and_then(|m| town_of(&m.member.address)).unwrap_or_default(),
        "date": null,
    });
    // ATTRI1 section D: the defaults say who answers for a groupement whose members each pay
    // their own orders (convention art. 6.2) — bons de commande only for an accord-cadre.
    let own_part =
        if f.detail.c.technique == crate::consultations::rules::technique::Technique::AccordCadre {
            "pour les bons de commande qu'il émet"
        } else {
            "pour sa part du marché"
        };
    ctx["buyer_info"] = json!({
        "info_contact": or(&ae.info_contact, if contact.is_empty() {
            format!("le service des marchés du {coord_name}")
        } else {
            format!("le service des marchés du {coord_name} ({contact})")
        }),
        "accountant": or(&ae.accountant, format!("le comptable assignataire de chaque membre du groupement, {own_part}")),
        "budget_line": or(&ae.budget_line, format!("le budget de chaque membre du groupement, {own_part}")),
    });
    ctx["annexes"] = json!([
        "l'annexe financière : le bordereau des prix unitaires et le détail quantitatif estimatif (BPU/DQE) complétés",
        "le relevé d'identité bancaire de chaque compte à créditer (section B3)",
        "en cas de groupement, les pouvoirs donnés au mandataire par chacun des membres (section C2)",
        "le cas échéant, la déclaration de sous-traitance (DC4) de chaque sous-traitant présenté, signée par le titulaire et le sous-traitant (ou son acceptation par le formulaire ATTRI2)",
    ]);
}

/// The contractor of a blank AE: every field empty (« à compléter »).
fn blank_contractor() -> Value {
    json!({
        "name": "", "legal_form": "", "address": "", "email": "", "phone": "", "siret": "",
        "signatory": {"name": "", "title": ""}, "own_account": false, "company": false,
    })
}

/// ATTRI1 B2/C2 when the candidate is not (yet) a groupement of operators.
fn blank_operator_group() -> Value {
    json!({
        "present": false, "individual": false, "conjoint": false, "solidaire": false, "mandataire": "",
        "mandataire_solidaire": false, "mandate_sign": false, "mandate_modifications": false,
        "members": [],
    })
}

/// The CCAP parameters (prices, revision, avance R2191-3, payment R2192-10, penalties) and
/// what switches by CCAG (see [`super::ccag`]): the `ccag` object, the plan of the articles,
/// the derogations of the last article, the IP option (CCAG-PI), delivery and warranty
/// (CCAG-FCS). Only TIC, PI and FCS are covered: any other CCAG is a gap of the CCAP.
pub(super) fn ccap(ctx: &mut Value, data: &DceData, ccag_code: &str, g: &mut Gaps) {
    let c = &data.ccap;
    if c.penalties.is_empty() {
        g.add(
            CCAP,
            "Renseignez au moins une pénalité dans « Données du DCE »",
        );
    }
    let ccag = Ccag::from_code(ccag_code);
    if ccag.is_none() && !ccag_code.is_empty() {
        g.add(
            CCAP,
            "Le modèle de CCAP couvre les CCAG-TIC, CCAG-PI et CCAG-FCS et la consultation se réfère à un autre CCAG : adaptez le modèle",
        );
    }
    let kind = ccag.unwrap_or(Ccag::Tic);
    let (delivery, warranty) = if kind == Ccag::Fcs {
        (
            g.number(CCAP, c.delivery_days, "le délai de livraison (jours)"),
            g.number(CCAP, c.warranty_months, "la durée de la garantie (mois)"),
        )
    } else {
        (opt_num(c.delivery_days), opt_num(c.warranty_months))
    };
    let availability = if kind == Ccag::Tic {
        g.text(
            CCAP,
            &c.availability_rate,
            "le taux de disponibilité (CCAP)",
        )
    } else {
        c.availability_rate.trim().to_owned()
    };
    let ip_option = if ccag::is_assignment(&c.ip_option) {
        "B"
    } else {
        "A"
    };
    ctx["ccag"] = kind.json();
    ctx["ccap"] = json!({
        "articles": ccag::articles_json(),
        "derogations": ccag::derogations_json(kind, ip_option),
        "ip_option": ip_option,
        "ip_assignment": ip_option == "B",
        "delivery_days": delivery.parse::<u32>().unwrap_or(0),
        "warranty_months": warranty.parse::<u32>().unwrap_or(0),
        "price_type": g.text(CCAP, &c.price_type, "la forme des prix"),
        "revision_index": g.text(CCAP, &c.revision_index, "l'indice de révision des prix"),
        "revision_formula": g.text(CCAP, &c.revision_formula, "la formule de révision des prix"),
        "revision_month": g.text(CCAP, &c.revision_month, "le mois zéro des prix"),
        "advance_rate": c.advance_rate.map(|d| d.normalize().to_string()),
        "payment_days": g.number(CCAP, c.payment_days, "le délai de paiement (jours)").parse::<u32>().unwrap_or(0),
        "retention": c.retention,
        "availability_rate": availability,
        "penalties": c.penalties.iter().map(|p| json!({
            "event": p.event, "amount": p.amount.to_string(), "unit": p.unit, "reference": p.reference,
        })).collect::<Vec<_>>(),
        "penalty_cap_percent": g.number(CCAP, c.penalty_cap_percent.map(|d| d.normalize()), "le plafond des pénalités (%)"),
        "penalty_exemption_ht": g.number(CCAP, c.penalty_exemption_ht, "le seuil d'exonération des pénalités (€ HT)"),
    });
}

fn opt_num(v: Option<u32>) -> String {
    v.unwrap_or(0).to_string()
}

/// The CCTP parameters and its perimeter: every member with a need, and for each of its
/// establishments the users, mobile devices and current tool entered in the DCE data.
///
/// What is required depends on the CCAG (see `documents/cctp.md.hbs`): the software (CCAG-TIC)
/// needs its requirements, hosting, service levels and the users of every establishment; the
/// AMOA (CCAG-PI) its missions and deliverables; the hardware (CCAG-FCS) its specifications and
/// the mobile devices of every establishment.
pub(super) fn cctp(ctx: &mut Value, f: &Dossier, g: &mut Gaps) {
    let c = &f.data.cctp;
    let kind = Ccag::from_code(&f.detail.c.ccag).unwrap_or(Ccag::Tic);
    if c.functional_requirements.is_empty() && kind != Ccag::Pi {
        g.add(
            CCTP,
            if kind == Ccag::Fcs {
                "Renseignez les spécifications des matériels (exigences) dans « Données du DCE »"
            } else {
                "Renseignez les exigences fonctionnelles dans « Données du DCE »"
            },
        );
    }
    if kind == Ccag::Pi {
        if c.amoa_missions.is_empty() {
            g.add(
                CCTP,
                "Renseignez les missions de l'AMOA dans « Données du DCE »",
            );
        }
        if c.amoa_deliverables.is_empty() {
            g.add(
                CCTP,
                "Renseignez les livrables de l'AMOA dans « Données du DCE »",
            );
        }
    }
    let with_need: BTreeSet<i32> = f
        .detail
        .lots
        .iter()
        .flat_map(|l| l.needs.iter().map(|(n, _)| n.member_id))
        .collect();
    let mut incomplete = Vec::new();
    let needs: Vec<Value> = f
        .members
        .iter()
        .filter(|m| with_need.contains(&m.member.id))
        .map(|m| {
            let ests: Vec<Value> = m
                .establishments
                .iter()
                .map(|e| {
                    let used = f.data.establishment(&e.finess);
                    let (users, devices) = (
                        used.and_then(|u| u.users),
                        used.and_then(|u| u.mobile_devices),
                    );
                    let tool = used.map(|u| u.current_tool.clone()).unwrap_or_default();
                    if users.is_none() || devices.is_none() || tool.is_empty() {
                        incomplete.push(format!("{} ({})", e.name, e.finess));
                    }
                    json!({
                        "name": e.name, "kind": e.kind, "finess": e.finess,
                        "capacity": e.capacity.clone().unwrap_or_default(),
                        "users": users.unwrap_or(0), "mobile_devices": devices.unwrap_or(0),
                        "current_tool": tool,
                    })
                })
                .collect();
            json!({"member": m.member.name, "finess_juridique": m.member.finess_juridique, "establishments": ests})
        })
        .collect();
    if !incomplete.is_empty() && kind != Ccag::Pi {
        g.add(
            CCTP,
            format!(
                "Renseignez les utilisateurs, les terminaux mobiles et l'outil actuel de {} dans « Données du DCE »",
                incomplete.join(", ")
            ),
        );
    }
    ctx["needs"] = json!(needs);
    // The software's service levels are required for the CCAG-TIC only.
    let mut soft = Gaps::default();
    let sg = if kind == Ccag::Tic {
        &mut *g
    } else {
        &mut soft
    };
    ctx["cctp"] = json!({
        "hosting": sg.text(CCTP, &c.hosting, "l'hébergement"),
        "availability_rate": sg.text(CCTP, &c.availability_rate, "le taux de disponibilité (CCTP)"),
        "recovery_hours": sg.number(CCTP, c.recovery_hours, "le délai de rétablissement (heures ouvrées)").parse::<u32>().unwrap_or(0),
        "go_live_months": sg.number(CCTP, c.go_live_months, "le délai de mise en service (mois)").parse::<u32>().unwrap_or(0),
        "functional_requirements": c.functional_requirements,
        "training": sg.text(CCTP, &c.training, "la formation"),
        "amoa_missions": c.amoa_missions,
        "amoa_deliverables": c.amoa_deliverables,
    });
}

/// The BPU/DQE as the DCE publishes it: the price lines the coordonnateur defined for each lot
/// (`dossier::price_lines`), or else one line per lot from the needs; the quantity of each
/// member keyed by its FINESS juridique (DOMAIN §7: quantities per member), the unit prices
/// left for the candidates. The buyer's estimate (R2121-1) is never printed: it would tell every candidate
/// the price the buyer expects.
pub(super) fn bpu(ctx: &mut Value, f: &Dossier, g: &mut Gaps) {
    let finess_of = |member_id: i32| {
        f.members
            .iter()
            .find(|m| m.member.id == member_id)
            .map(|m| m.member.finess_juridique.clone())
    };
    let mut lots = Vec::new();
    for l in &f.detail.lots {
        let defined: Vec<_> = f
            .price_lines
            .iter()
            .filter(|p| p.lot_id == l.lot.id)
            .collect();
        if defined.is_empty() {
            continue;
        }
        let mut items = Vec::new();
        for p in defined {
            let mut quantities = Map::new();
            for (member_id, q) in &p.quantities {
                let Some(finess) = finess_of(*member_id) else {
                    g.add(
                        BPU,
                        format!(
                            "La ligne de prix {} (lot {}) porte sur un membre qui ne participe pas à la consultation : corrigez les lignes de prix",
                            p.code, l.lot.number
                        ),
                    );
                    continue;
                };
                quantities.insert(finess, json!(q.normalize().to_string()));
            }
            items.push(json!({
                "code": p.code, "label": p.label, "unit": p.unit,
                "unit_price": Value::Null, "quantities": quantities,
            }));
        }
        lots.push(json!({"number": l.lot.number, "title": l.lot.label, "items": items}));
    }
    // Lots without defined price lines: one line from the members' needs.
    for l in f
        .detail
        .lots
        .iter()
        .filter(|l| !l.needs.is_empty() && !f.price_lines.iter().any(|p| p.lot_id == l.lot.id))
    {
        let mut quantities = Map::new();
        let mut units = BTreeSet::new();
        let mut missing = Vec::new();
        for (n, name) in &l.needs {
            let q = n
                .quantity
                .as_deref()
                .and_then(|q| Decimal::from_str(q).ok())
                .filter(|q| *q > Decimal::ZERO);
            let unit = n.unit.clone().filter(|u| !u.trim().is_empty());
            let (Some(q), Some(unit)) = (q, unit) else {
                missing.push(name.clone());
                continue;
            };
            let Some(finess) = finess_of(n.member_id) else {
                g.add(
                    BPU,
                    format!(
                        "Le besoin de {name} (lot {}) porte sur un membre retiré du groupement : supprimez-le",
                        l.lot.number
                    ),
                );
                continue;
            };
            units.insert(unit.trim().to_owned());
            quantities.insert(finess, json!(q.normalize().to_string()));
        }
        if !missing.is_empty() {
            g.add(
                BPU,
                format!(
                    "Saisissez la quantité et l'unité du besoin de {} pour le lot {} (page de la consultation)",
                    missing.join(", "),
                    l.lot.number
                ),
            );
        }
        if units.len() > 1 {
            g.add(
                BPU,
                format!(
                    "Les besoins du lot {} sont exprimés dans des unités différentes ({}) : harmonisez-les",
                    l.lot.number,
                    units.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        lots.push(json!({
            "number": l.lot.number,
            "title": l.lot.label,
            "items": [{
                "code": format!("{}.1", l.lot.number),
                "label": l.lot.label,
                "unit": units.iter().next().cloned().unwrap_or_default(),
                "unit_price": Value::Null,
                "quantities": quantities,
            }],
        }));
    }
    lots.sort_by_key(|l| l["number"].as_i64());
    ctx["bpu"] = json!({
        "vat_rate": f.detail.c.vat_rate,
        "price_note": "Le candidat indique ses prix unitaires hors taxes dans la colonne « Prix unitaire HT » ; les montants du détail quantitatif estimatif en découlent par application de ces prix aux quantités.",
        "lots": lots,
    });
}
