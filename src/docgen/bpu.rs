//! Totals of the BPU / DQE, computed exactly with `Decimal` before rendering (never in the
//! template): the DQE is the BPU's unit prices × the estimated quantities of each member of the
//! groupement (DOMAIN §7); each member orders and pays its own part (convention art. 6.2).
//!
//! Input, in the context: `groupement.members[].{name, finess_juridique}` and
//! `bpu.{vat_rate, lots[].{number, title, items[].{code, label, unit, unit_price, quantities}}}`
//! where `quantities` maps a member's FINESS juridique to its quantity and `unit_price` may be
//! null (blank BPU of the DCE). Output, added to each lot: `items[].{total_quantity, amount_ht}`,
//! `members[].{name, finess_juridique, lines[], total_ht}`, `total_ht`, `vat_amount`,
//! `total_ttc`, `priced`; and to `bpu`: `member_totals[]`, `total_ht`, `vat_amount`,
//! `total_ttc`, `priced`. Amounts are decimal strings; unpriced ones are null.

use super::DocError;
use super::helpers::value_to_decimal;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

fn dec_at(v: Option<&Value>, path: &str) -> Result<Option<Decimal>, DocError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let d = value_to_decimal(v).map_err(|m| DocError::context(path, m))?;
            if d.is_sign_negative() && !d.is_zero() {
                return Err(DocError::context(path, format!("valeur négative ({d})")));
            }
            Ok(Some(d))
        }
    }
}

fn text_at(v: &Value, key: &str, path: &str) -> Result<String, DocError> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| DocError::context(format!("{path}.{key}"), "texte requis"))
}

fn overflow(path: &str) -> DocError {
    DocError::context(path, "dépassement de capacité du calcul")
}

fn opt_str(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

/// VAT on `ht` at `rate` percent, rounded to the cent (half away from zero).
pub fn vat(ht: Decimal, rate: Decimal) -> Option<Decimal> {
    let v = ht.checked_mul(rate)?.checked_div(Decimal::ONE_HUNDRED)?;
    Some(v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// Returns a copy of `ctx` with the BPU totals added (see the module documentation).
///
/// # Errors
/// [`DocError::Context`] naming the field: missing structure, a non-decimal or negative
/// quantity or price, a quantity for a FINESS that is not a member.
pub fn with_totals(ctx: &Value) -> Result<Value, DocError> {
    let members: Vec<(String, String)> = ctx
        .pointer("/groupement/members")
        .and_then(Value::as_array)
        .ok_or_else(|| DocError::context("groupement.members", "liste des membres requise"))?
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let path = format!("groupement.members[{i}]");
            Ok((
                text_at(m, "finess_juridique", &path)?,
                text_at(m, "name", &path)?,
            ))
        })
        .collect::<Result<_, DocError>>()?;
    let rate = dec_at(ctx.pointer("/bpu/vat_rate"), "bpu.vat_rate")?
        .ok_or_else(|| DocError::context("bpu.vat_rate", "taux de TVA requis (ex. \"20\")"))?;
    let mut out = ctx.clone();
    let lots = out
        .pointer_mut("/bpu/lots")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| DocError::context("bpu.lots", "liste des lots requise"))?;
    let mut grand: Option<Decimal> = Some(Decimal::ZERO);
    let mut grand_vat: Option<Decimal> = Some(Decimal::ZERO);
    let mut member_grand: Vec<Option<Decimal>> = vec![Some(Decimal::ZERO); members.len()];
    for (l, lot) in lots.iter_mut().enumerate() {
        let lot_path = format!("bpu.lots[{l}]");
        let items = lot
            .get_mut("items")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| {
                DocError::context(format!("{lot_path}.items"), "liste des prix requise")
            })?;
        // lines[member] = (code, label, unit, qty, price, amount)
        let mut lines: Vec<Vec<Value>> = vec![Vec::new(); members.len()];
        let mut member_totals: Vec<Option<Decimal>> = vec![Some(Decimal::ZERO); members.len()];
        let mut lot_total: Option<Decimal> = Some(Decimal::ZERO);
        for (i, item) in items.iter_mut().enumerate() {
            let path = format!("{lot_path}.items[{i}]");
            let price = dec_at(item.get("unit_price"), &format!("{path}.unit_price"))?;
            let quantities = item
                .get("quantities")
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    DocError::context(
                        format!("{path}.quantities"),
                        "quantités par membre requises",
                    )
                })?;
            for key in quantities.keys() {
                if !members.iter().any(|(f, _)| f == key) {
                    return Err(DocError::context(
                        format!("{path}.quantities"),
                        format!(
                            "membre inconnu « {key} » (FINESS juridique absent de groupement.members)"
                        ),
                    ));
                }
            }
            let mut total_qty = Decimal::ZERO;
            for (m, (finess, _)) in members.iter().enumerate() {
                let qpath = format!("{path}.quantities.{finess}");
                let Some(q) = dec_at(quantities.get(finess), &qpath)? else {
                    continue;
                };
                if q.is_zero() {
                    continue;
                }
                total_qty = total_qty.checked_add(q).ok_or_else(|| overflow(&qpath))?;
                let amount = match price {
                    Some(p) => Some(q.checked_mul(p).ok_or_else(|| overflow(&qpath))?),
                    None => None,
                };
                member_totals[m] = match (member_totals[m], amount) {
                    (Some(t), Some(a)) => Some(t.checked_add(a).ok_or_else(|| overflow(&qpath))?),
                    _ => None,
                };
                lines[m].push(json!({
                    "code": item.get("code").cloned().unwrap_or(Value::Null),
                    "label": item.get("label").cloned().unwrap_or(Value::Null),
                    "unit": item.get("unit").cloned().unwrap_or(Value::Null),
                    "quantity": q.to_string(),
                    "unit_price": opt_str(price),
                    "amount_ht": opt_str(amount),
                }));
            }
            let item_amount = match price {
                Some(p) => Some(total_qty.checked_mul(p).ok_or_else(|| overflow(&path))?),
                None => None,
            };
            lot_total = match (lot_total, item_amount) {
                (Some(t), Some(a)) => Some(t.checked_add(a).ok_or_else(|| overflow(&path))?),
                _ => None,
            };
            if let Some(obj) = item.as_object_mut() {
                obj.insert(
                    "total_quantity".into(),
                    Value::String(total_qty.to_string()),
                );
                obj.insert("amount_ht".into(), opt_str(item_amount));
            }
        }
        let lot_vat = lot_total.and_then(|t| vat(t, rate));
        let lot_ttc = lot_total.zip(lot_vat).and_then(|(t, v)| t.checked_add(v));
        let member_values: Vec<Value> = members
            .iter()
            .zip(lines)
            .zip(&member_totals)
            .filter(|((_, l), _)| !l.is_empty())
            .map(|(((finess, name), l), total)| {
                json!({"name": name, "finess_juridique": finess, "lines": l, "total_ht": opt_str(*total)})
            })
            .collect();
        for (g, t) in member_grand.iter_mut().zip(&member_totals) {
            *g = g.zip(*t).and_then(|(a, b)| a.checked_add(b));
        }
        grand = grand.zip(lot_total).and_then(|(a, b)| a.checked_add(b));
        grand_vat = grand_vat.zip(lot_vat).and_then(|(a, b)| a.checked_add(b));
        let obj = lot
            .as_object_mut()
            .ok_or_else(|| DocError::context(&lot_path, "objet attendu"))?;
        obj.insert("members".into(), Value::Array(member_values));
        obj.insert("total_ht".into(), opt_str(lot_total));
        obj.insert("vat_amount".into(), opt_str(lot_vat));
        obj.insert("total_ttc".into(), opt_str(lot_ttc));
        obj.insert("priced".into(), Value::Bool(lot_total.is_some()));
    }
    let member_totals: Vec<Value> = members
        .iter()
        .zip(&member_grand)
        .map(|((finess, name), t)| json!({"name": name, "finess_juridique": finess, "total_ht": opt_str(*t)}))
        .collect();
    let bpu: &mut Map<String, Value> = out
        .pointer_mut("/bpu")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| DocError::context("bpu", "objet requis"))?;
    bpu.insert("member_totals".into(), Value::Array(member_totals));
    bpu.insert("total_ht".into(), opt_str(grand));
    bpu.insert("vat_amount".into(), opt_str(grand_vat));
    bpu.insert(
        "total_ttc".into(),
        opt_str(grand.zip(grand_vat).and_then(|(a, b)| a.checked_add(b))),
    );
    bpu.insert("priced".into(), Value::Bool(grand.is_some()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn ctx(price_b: Value) -> Value {
        json!({
            "groupement": {"members": [
                {"name": "A", "finess_juridique": "111"},
                {"name": "B", "finess_juridique": "222"},
                {"name": "C", "finess_juridique": "333"}
            ]},
            "bpu": {"vat_rate": "20", "lots": [{"number": 1, "title": "DUI", "items": [
                {"code": "1", "label": "Licence", "unit": "u", "unit_price": "19.99", "quantities": {"111": "3", "222": "0.5"}},
                {"code": "2", "label": "Formation", "unit": "jour", "unit_price": price_b, "quantities": {"111": 2, "222": "1"}}
            ]}]}
        })
    }

    #[test]
    fn totals_per_member_lot_and_vat_are_exact() {
        let out = with_totals(&ctx(json!("850.10"))).unwrap();
        let lot = &out["bpu"]["lots"][0];
        // A: 3 × 19.99 + 2 × 850.10 = 59.97 + 1700.20 = 1760.17 ; B: 0.5 × 19.99 + 850.10 = 860.095
        assert_eq!(lot["members"][0]["total_ht"], "1760.17");
        assert_eq!(lot["members"][1]["total_ht"], "860.095");
        assert_eq!(
            lot["members"].as_array().unwrap().len(),
            2,
            "C has no quantity"
        );
        assert_eq!(lot["items"][0]["total_quantity"], "3.5");
        assert_eq!(lot["total_ht"], "2620.265");
        // 2620.265 × 20 % = 524.053 → 524.05
        assert_eq!(lot["vat_amount"], "524.05");
        assert_eq!(lot["total_ttc"], "3144.315");
        assert_eq!(out["bpu"]["member_totals"][2]["total_ht"], "0");
        assert_eq!(out["bpu"]["priced"], true);
    }

    #[test]
    fn blank_prices_give_null_amounts() {
        let out = with_totals(&ctx(Value::Null)).unwrap();
        let lot = &out["bpu"]["lots"][0];
        assert_eq!(lot["items"][1]["amount_ht"], Value::Null);
        assert_eq!(lot["total_ht"], Value::Null);
        assert_eq!(lot["members"][0]["total_ht"], Value::Null);
        assert_eq!(lot["priced"], false);
    }

    #[test]
    fn unknown_member_and_bad_quantity_are_named() {
        let mut c = ctx(json!("1"));
        c["bpu"]["lots"][0]["items"][0]["quantities"]["999"] = json!("1");
        let err = with_totals(&c).unwrap_err().to_string();
        assert!(
            err.contains("membre inconnu « 999 »") && err.contains("bpu.lots[0].items[0]"),
            "{err}"
        );
        let mut c = ctx(json!("1"));
        c["bpu"]["lots"][0]["items"][1]["quantities"]["222"] = json!("-2");
        let err = with_totals(&c).unwrap_err().to_string();
        assert!(
            err.contains("quantities.222") && err.contains("négative"),
            "{err}"
        );
    }

    #[test]
    fn vat_rounds_half_away_from_zero() {
        assert_eq!(vat(dec!(0.025), dec!(20)), Some(dec!(0.01)));
        assert_eq!(vat(dec!(350000), dec!(20)), Some(dec!(70000.00)));
    }
}
