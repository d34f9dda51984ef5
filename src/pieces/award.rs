//! The attributaire's acte d'engagement (ATTRI1 filled in): a pure function from the context of
//! the DCE's blank AE and what the award decided — who (identity, SIRET, signatory, possibly a
//! groupement of operators), which lot(s), for how much — to the context of the AE to sign.
//!
//! Amounts: HT per lot (or the sum of its price lines, quantity × unit price, rounded to the
//! cent), VAT at the consultation's rate rounded to the cent, half away from zero
//! (`docgen::bpu::vat`), TTC = HT + VAT; in words by the `money_words` helper of the template
//! (`docgen::words::money_words_fr`, also returned here in `price.amount_*_words`). The buyer's
//! sections (D, E, F) are those of the DCE context: the coordonnateur signs for every member
//! after their written validation (convention art. 6.2).
//!
//! The attribution area fills the attributaire's AE with it (`attribution::signed::fill_ae`),
//! downloaded for signature before the NOTI5.

use crate::docgen::bpu::vat;
use crate::docgen::words::money_words_fr;
use crate::identifiers::Siret;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The signatory of an operator: « Nom Prénom » and quality.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    pub title: String,
}

/// One economic operator (the titulaire, or a member of a groupement of operators).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    pub legal_form: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    /// 14 digits; checked (Luhn, La Poste rule) by [`ae_for_award`].
    pub siret: String,
    pub signatory: Signatory,
    /// Bank account (ATTRI1 B3); empty when unknown.
    pub bank: String,
    pub iban: String,
    pub bic: String,
    /// In a groupement: the services this member performs and their amount HT (conjoint).
    pub services: String,
    pub amount_ht: Option<Decimal>,
}

/// Joint and several or not (ATTRI1 B2), and the mandataire (C2, R2142-23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupNature {
    Conjoint,
    Solidaire,
}

/// A groupement of economic operators holding the marché: `members[0]` is the mandataire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorGroup {
    pub nature: GroupNature,
    /// In a groupement conjoint, whether the mandataire is jointly liable with each member.
    pub mandataire_solidaire: bool,
    pub members: Vec<Operator>,
}

/// One price line of a lot (BPU code, quantity of the DQE, unit price offered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    pub code: String,
    pub label: String,
    pub unit: String,
    pub quantity: Decimal,
    pub unit_price_ht: Decimal,
}

/// A lot awarded: its amount HT, or its price lines (then the amount is their sum).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardedLot {
    pub number: i32,
    pub title: String,
    pub amount_ht: Option<Decimal>,
    pub lines: Vec<PriceLine>,
}

/// What the award decided, for one attributaire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// The titulaire, or the mandataire of `group`.
    pub attributaire: Operator,
    pub group: Option<OperatorGroup>,
    pub lots: Vec<AwardedLot>,
    /// VAT rate in percent (`20` for 20 %).
    pub vat_rate: Decimal,
    pub duration_months: u32,
    /// The attributaire renounced the avance (ATTRI1 B4).
    pub advance_refused: bool,
    /// Place and date of the attributaire's signature, when known.
    pub signed_at: Option<(String, NaiveDate)>,
}

/// Why an award cannot fill the AE (French messages, shown as they are).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AwardError {
    #[error("aucun lot attribué")]
    NoLot,
    #[error("le lot {0} n'a ni montant ni ligne de prix")]
    NoAmount(i32),
    #[error(
        "le lot {lot} : le montant HT ({amount}) diffère de la somme de ses lignes de prix ({lines})"
    )]
    LinesMismatch {
        lot: i32,
        amount: Decimal,
        lines: Decimal,
    },
    #[error("montant négatif ou hors des limites")]
    BadAmount,
    #[error("{0}")]
    Siret(String),
    #[error("le nom de l'attributaire est vide")]
    NoName,
    #[error("le groupement d'opérateurs économiques n'a pas de membre")]
    EmptyGroup,
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount as the contexts write it: two decimals (« 268420.00 »).
fn amount_str(d: Decimal) -> String {
    format!("{:.2}", cents(d))
}

fn check_siret(o: &Operator) -> Result<String, AwardError> {
    Siret::parse_field("siret", &o.siret)
        .map(|s| s.to_string())
        .map_err(|e| AwardError::Siret(format!("{} : {e}", o.name)))
}

/// Amount HT of a lot: its lines' sum (each line rounded to the cent), or its amount; both
/// given must agree.
fn lot_amount(l: &AwardedLot) -> Result<(Decimal, Vec<Value>), AwardError> {
    let mut lines = Vec::new();
    let mut sum = Decimal::ZERO;
    for p in &l.lines {
        let amount = cents(
            p.quantity
                .checked_mul(p.unit_price_ht)
                .ok_or(AwardError::BadAmount)?,
        );
        if amount.is_sign_negative() {
            return Err(AwardError::BadAmount);
        }
        sum += amount;
        lines.push(json!({
            "code": p.code, "label": p.label, "unit": p.unit,
            "quantity": p.quantity.normalize().to_string(),
            "unit_price_ht": p.unit_price_ht.to_string(),
            "amount_ht": amount_str(amount),
        }));
    }
    let amount = match (l.amount_ht, l.lines.is_empty()) {
        (Some(a), true) => cents(a),
        (None, false) => sum,
        (Some(a), false) if cents(a) == sum => sum,
        (Some(a), false) => {
            return Err(AwardError::LinesMismatch {
                lot: l.number,
                amount: a,
                lines: sum,
            });
        }
        (None, true) => return Err(AwardError::NoAmount(l.number)),
    };
    if amount.is_sign_negative() {
        return Err(AwardError::BadAmount);
    }
    Ok((amount, lines))
}

fn operator_json(o: &Operator, siret: &str) -> Value {
    json!({
        "name": o.name, "legal_form": o.legal_form, "address": o.address, "email": o.email,
        "phone": o.phone, "siret": siret,
        "signatory": {"name": o.signatory.name, "title": o.signatory.title},
    })
}

/// The AE of the attributaire: `dce_ae` (the context of the DCE's blank AE, as
/// `pieces::context` builds it or `documents/examples/ae.json`) with sections A (lots), B
/// (identity, amounts HT/TTC in figures, price lines, groupement of operators, accounts, avance,
/// duration) and C (signatories) filled; D, E, F, G as in the DCE.
///
/// # Errors
/// [`AwardError`] in French: no lot, a lot without amount, lines that disagree with the amount,
/// an invalid SIRET (attributaire or member), an empty name or groupement.
pub fn ae_for_award(dce_ae: &Value, award: &Award) -> Result<Value, AwardError> {
    let a = &award.attributaire;
    if a.name.trim().is_empty() {
        return Err(AwardError::NoName);
    }
    if award.lots.is_empty() {
        return Err(AwardError::NoLot);
    }
    let siret = check_siret(a)?;
    let mut ctx = dce_ae.clone();
    let mut total_ht = Decimal::ZERO;
    let mut lots = Vec::new();
    let mut all_lines = Vec::new();
    for l in &award.lots {
        let (ht, lines) = lot_amount(l)?;
        let ttc = ht + vat(ht, award.vat_rate).ok_or(AwardError::BadAmount)?;
        total_ht += ht;
        all_lines.extend(lines);
        lots.push(json!({
            "number": l.number, "title": l.title,
            "amount_ht": amount_str(ht), "amount_ttc": amount_str(ttc),
        }));
    }
    let total_ttc = total_ht + vat(total_ht, award.vat_rate).ok_or(AwardError::BadAmount)?;
    let words = |d: Decimal| money_words_fr(d).ok_or(AwardError::BadAmount);
    ctx["lot"] = match award.lots.as_slice() {
        [one] => json!({"number": one.number, "title": one.title}),
        many => json!({
            "number": many.iter().map(|l| l.number.to_string()).collect::<Vec<_>>().join(", "),
            "title": many.iter().map(|l| l.title.clone()).collect::<Vec<_>>().join(" ; "),
        }),
    };
    ctx["lots"] = json!(lots);
    let mut contractor = operator_json(a, &siret);
    contractor["own_account"] = json!(false);
    contractor["company"] = json!(award.group.is_none());
    ctx["contractor"] = contractor;
    ctx["price"]["vat_rate"] = json!(award.vat_rate.normalize().to_string());
    ctx["price"]["amount_ht"] = json!(amount_str(total_ht));
    ctx["price"]["amount_ttc"] = json!(amount_str(total_ttc));
    ctx["price"]["amount_ht_words"] = json!(words(total_ht)?);
    ctx["price"]["amount_ttc_words"] = json!(words(total_ttc)?);
    ctx["price"]["lines"] = json!(all_lines);
    let mut accounts =
        vec![json!({"holder": a.name, "bank": a.bank, "iban": a.iban, "bic": a.bic})];
    ctx["groupement_titulaire"] = match &award.group {
        None => {
            let mut g = ctx["groupement_titulaire"].clone();
            g["individual"] = json!(true);
            g
        }
        Some(g) => {
            if g.members.is_empty() {
                return Err(AwardError::EmptyGroup);
            }
            let mut members = Vec::new();
            for (i, m) in g.members.iter().enumerate() {
                let s = check_siret(m)?;
                if i > 0 && g.nature == GroupNature::Conjoint && !m.iban.is_empty() {
                    accounts.push(
                        json!({"holder": m.name, "bank": m.bank, "iban": m.iban, "bic": m.bic}),
                    );
                }
                members.push(json!({
                    "name": m.name, "siret": s, "mandataire": i == 0, "services": m.services,
                    "amount_ht": m.amount_ht.map(amount_str),
                    "signatory": format!("{}, {}", m.signatory.name, m.signatory.title),
                }));
            }
            json!({
                "present": true,
                "individual": false,
                "conjoint": g.nature == GroupNature::Conjoint,
                "solidaire": g.nature == GroupNature::Solidaire,
                "mandataire": g.members[0].name,
                "mandataire_solidaire": g.nature == GroupNature::Conjoint && g.mandataire_solidaire,
                "mandate_sign": true, "mandate_modifications": false,
                "members": members,
            })
        }
    };
    ctx["accounts"] = json!(accounts);
    ctx["advance"] = json!({"refused": award.advance_refused, "answered": true});
    ctx["duration"]["months"] = json!(award.duration_months);
    ctx["signature"] = match &award.signed_at {
        Some((place, date)) => json!({"place": place, "date": date.to_string()}),
        None => json!({"place": "", "date": null}),
    };
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    /// A valid SIRET (Luhn on the 14 digits and on the SIREN).
    pub(crate) const SIRET: &str = "73282932000074";

    fn blank() -> Value {
        serde_json::from_str(crate::docgen::example_context(crate::docgen::DocKind::Ae))
            .expect("example")
    }

    fn award(lots: Vec<AwardedLot>) -> Award {
        Award {
            attributaire: Operator {
                name: "Éditeur Santé Domicile".into(),
                legal_form: "SAS".into(),
                siret: SIRET.into(),
                signatory: Signatory {
                    name: "Claire MARTIN".into(),
                    title: "Présidente".into(),
                },
                ..Operator::default()
            },
            group: None,
            lots,
            vat_rate: dec!(20),
            duration_months: 48,
            advance_refused: false,
            signed_at: None,
        }
    }

    fn lot(amount: Option<Decimal>, lines: Vec<PriceLine>) -> AwardedLot {
        AwardedLot {
            number: 1,
            title: "Solution DUI".into(),
            amount_ht: amount,
            lines,
        }
    }

    #[test]
    fn amounts_ht_ttc_and_words_are_filled() {
        let ctx = ae_for_award(&blank(), &award(vec![lot(Some(dec!(268420)), vec![])])).unwrap();
        assert_eq!(ctx["price"]["amount_ht"], "268420.00");
        assert_eq!(ctx["price"]["amount_ttc"], "322104.00");
        assert_eq!(
            ctx["price"]["amount_ht_words"],
            "deux cent soixante-huit mille quatre cent vingt euros"
        );
        assert_eq!(ctx["contractor"]["siret"], SIRET);
        assert_eq!(ctx["contractor"]["company"], true);
        assert_eq!(
            ctx["groupement_titulaire"]["individual"], true,
            "B2 and C2: sans objet"
        );
        assert_eq!(ctx["duration"]["months"], 48);
        assert_eq!(ctx["advance"]["answered"], true);
        // The buyer's sections stay those of the DCE.
        assert_eq!(ctx["buyer"], blank()["buyer"]);
    }

    #[test]
    fn price_lines_make_the_amount_and_must_agree_with_it() {
        let lines = vec![PriceLine {
            code: "1.1".into(),
            label: "abonnement".into(),
            unit: "utilisateur × an".into(),
            quantity: dec!(235),
            unit_price_ht: dec!(1142.2133),
        }];
        let ctx = ae_for_award(&blank(), &award(vec![lot(None, lines.clone())])).unwrap();
        // 235 × 1142.2133 = 268420.1255 → 268420.13
        assert_eq!(ctx["price"]["amount_ht"], "268420.13");
        assert_eq!(ctx["price"]["lines"][0]["amount_ht"], "268420.13");
        let err = ae_for_award(&blank(), &award(vec![lot(Some(dec!(1)), lines)])).unwrap_err();
        assert!(err.to_string().contains("diffère"), "{err}");
        let err = ae_for_award(&blank(), &award(vec![lot(None, vec![])])).unwrap_err();
        assert_eq!(err, AwardError::NoAmount(1));
        assert_eq!(
            ae_for_award(&blank(), &award(vec![])).unwrap_err(),
            AwardError::NoLot
        );
    }

    #[test]
    fn a_bad_siret_is_refused() {
        let mut a = award(vec![lot(Some(dec!(10)), vec![])]);
        a.attributaire.siret = "73282932000075".into();
        let err = ae_for_award(&blank(), &a).unwrap_err();
        assert!(matches!(err, AwardError::Siret(_)), "{err}");
    }

    #[test]
    fn a_groupement_conjoint_names_its_mandataire_and_members() {
        let mut a = award(vec![lot(Some(dec!(100000)), vec![])]);
        let mut member = a.attributaire.clone();
        member.name = "Intégrateur Nord".into();
        member.iban = "FR7630001007941234567890185".into();
        member.amount_ht = Some(dec!(40000));
        a.group = Some(OperatorGroup {
            nature: GroupNature::Conjoint,
            mandataire_solidaire: true,
            members: vec![a.attributaire.clone(), member],
        });
        let ctx = ae_for_award(&blank(), &a).unwrap();
        let g = &ctx["groupement_titulaire"];
        assert_eq!(g["present"], true);
        assert_eq!(g["conjoint"], true);
        assert_eq!(g["mandataire"], "Éditeur Santé Domicile");
        assert_eq!(g["mandataire_solidaire"], true);
        assert_eq!(g["members"][1]["amount_ht"], "40000.00");
        assert_eq!(
            ctx["accounts"].as_array().unwrap().len(),
            2,
            "conjoint: its own account"
        );
        assert_eq!(ctx["contractor"]["company"], false);
    }

    /// The award of `documents/examples/ae_attribue.json`: LOGIDOM SANTÉ, the DUI lot at
    /// 268 420 € HT in three price lines, 48 months.
    pub fn example_award() -> Award {
        let line = |code: &str, label: &str, unit: &str, q: Decimal, p: Decimal| PriceLine {
            code: code.into(),
            label: label.into(),
            unit: unit.into(),
            quantity: q,
            unit_price_ht: p,
        };
        Award {
            attributaire: Operator {
                name: "LOGIDOM SANTÉ".into(),
                legal_form: "SAS au capital de 250 000 €".into(),
                address: "12 rue de l'Innovation, 59650 Villeneuve-d'Ascq".into(),
                email: "marches-publics@logidom-sante.example".into(),
                phone: "03 20 11 22 33".into(),
                siret: "81234567600017".into(),
                signatory: Signatory {
                    name: "Mme Laure DESMET".into(),
                    title: "Présidente".into(),
                },
                bank: "Caisse d'épargne Hauts-de-France".into(),
                iban: "FR76 1234 5000 0100 0012 3456 785".into(),
                bic: "CEPAFRPP597".into(),
                ..Operator::default()
            },
            group: None,
            lots: vec![AwardedLot {
                number: 1,
                title: "Solution DUI en mode SaaS hébergée HDS".into(),
                amount_ht: Some(dec!(268420)),
                lines: vec![
                    line(
                        "1.1",
                        "abonnement annuel",
                        "utilisateur × an",
                        dec!(235),
                        dec!(1000),
                    ),
                    line(
                        "1.2",
                        "paramétrage et reprise des données",
                        "forfait",
                        dec!(1),
                        dec!(20000),
                    ),
                    line("1.3", "formation", "forfait", dec!(1), dec!(13420)),
                ],
            }],
            vat_rate: dec!(20),
            duration_months: 48,
            advance_refused: false,
            signed_at: Some((
                "Villeneuve-d'Ascq".into(),
                NaiveDate::from_ymd_opt(2027, 2, 12).expect("date"),
            )),
        }
    }

    /// `documents/examples/ae_attribue.json` is exactly what [`ae_for_award`] returns for the
    /// example award over `examples/ae.json` (rewrite it with `COORDO_WRITE_EXAMPLES=1`).
    #[test]
    fn the_attributed_example_is_the_functions_output() {
        let ctx = ae_for_award(&blank(), &example_award()).unwrap();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/documents/examples/ae_attribue.json"
        );
        if std::env::var_os("COORDO_WRITE_EXAMPLES").is_some() {
            let text = serde_json::to_string_pretty(&ctx).unwrap() + "\n";
            std::fs::write(path, text).unwrap();
        }
        let stored: Value =
            serde_json::from_str(include_str!("../../documents/examples/ae_attribue.json"))
                .unwrap();
        assert_eq!(stored, ctx);
        assert_eq!(ctx["price"]["amount_ht"], "268420.00");
        assert_eq!(ctx["contractor"]["siret"], "81234567600017");
    }

    #[test]
    fn several_lots_are_summed() {
        let mut second = lot(Some(dec!(0.5)), vec![]);
        second.number = 2;
        second.title = "Matériels".into();
        let ctx = ae_for_award(
            &blank(),
            &award(vec![lot(Some(dec!(1000)), vec![]), second]),
        )
        .unwrap();
        assert_eq!(ctx["price"]["amount_ht"], "1000.50");
        assert_eq!(ctx["price"]["amount_ttc"], "1200.60");
        assert_eq!(ctx["lot"]["number"], "1, 2");
        assert_eq!(ctx["lots"][1]["amount_ttc"], "0.60");
    }
}
