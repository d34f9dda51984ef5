//! Handlebars helpers of the templates: French formatting and exact decimal arithmetic.
//!
//! | helper | example | output |
//! | --- | --- | --- |
//! | `date_fr` | `{{date_fr consultation.launch_date}}` / `weekday=true` | « 1er décembre 2026 » / « mardi 1er décembre 2026 » |
//! | `time_fr` | `{{time_fr consultation.offers_deadline}}` | « 12 h 00 » |
//! | `datetime_fr` | `{{datetime_fr consultation.offers_deadline}}` | « 15 janvier 2027 à 12 h 00 » |
//! | `money` | `{{money lot.total_ht}}` | « 1 234,56 € » (see [`super::format`]) |
//! | `money_words` | `{{money_words price.amount_ht}}` | « trois cent cinquante mille euros » |
//! | `decimal` | `{{decimal score 2}}` | « 18,75 » |
//! | `percent` | `{{percent criterion.weight}}` | « 40 % » |
//! | `mul`, `add`, `sub` | `{{money (mul a b)}}` | exact decimal string |
//! | `sum` | `{{sum criteria "weight"}}` | exact sum of a list (of numbers, or of a key of objects) |
//! | `inc` | `{{inc @index}}` | index + 1 |
//!
//! Handlebars' own `eq`, `ne`, `gt`, `lt`, `and`, `or`, `not`, `len`, `if`, `each`, `with` are available.
//! Numbers may be JSON strings (« "1234.56" », the rust_decimal serde form) or JSON numbers.

use super::format;
use super::words;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use rust_decimal::Decimal;
use serde_json::Value;

type HelperFn = fn(&Helper<'_>) -> Result<Value, String>;

/// A helper computing a JSON value from its parameters, with a French error prefixed by its name.
struct ValueHelper {
    name: &'static str,
    f: HelperFn,
}

impl HelperDef for ValueHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        (self.f)(h).map(ScopedJson::Derived).map_err(|m| {
            RenderError::from(RenderErrorReason::Other(format!(
                "fonction « {} » : {m}",
                self.name
            )))
        })
    }
}

/// Registers every helper of this module on `hb`.
pub fn register(hb: &mut Handlebars<'_>) {
    let table: [(&'static str, HelperFn); 12] = [
        ("date_fr", date_fr),
        ("time_fr", time_fr),
        ("datetime_fr", datetime_fr),
        ("money", money),
        ("money_words", money_words),
        ("decimal", decimal),
        ("percent", percent),
        ("mul", mul),
        ("add", add),
        ("sub", sub),
        ("sum", sum),
        ("inc", inc),
    ];
    for (name, f) in table {
        hb.register_helper(name, Box::new(ValueHelper { name, f }));
    }
    hb.register_helper("contrat", Box::new(ContractHelper));
    hb.register_helper("accord_cadre", Box::new(AccordCadreHelper));
}

/// The technique d'achat of the document's consultation (`consultation.technique.code`), read
/// from the root context: `None` for a context stored before the technique existed, whose
/// pieces were all written as an accord-cadre.
fn technique_of(ctx: &Context) -> Option<String> {
    ctx.data()
        .pointer("/consultation/technique/code")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `{{contrat "le"}}`: the contract's name as the sentence needs it — `le`, `Le`, `du`, `au`,
/// `nom` — « l'accord-cadre », « le marché spécifique » or « le marché » after the
/// consultation's technique d'achat, so that no piece calls an ordinary marché an accord-cadre.
struct ContractHelper;

impl HelperDef for ContractHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let form = text_arg(h, 0).and_then(|f| {
            format::contract_words(technique_of(ctx).as_deref(), &f)
                .map(|w| Value::String(w.to_owned()))
        });
        form.map(ScopedJson::Derived).map_err(|m| {
            RenderError::from(RenderErrorReason::Other(format!(
                "fonction « contrat » : {m}"
            )))
        })
    }
}

/// `{{#if (accord_cadre)}}`: whether the consultation is an accord-cadre (a context stored
/// before the technique existed was one).
struct AccordCadreHelper;

impl HelperDef for AccordCadreHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        _: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let yes = technique_of(ctx).is_none_or(|t| t == "accord_cadre");
        Ok(ScopedJson::Derived(Value::Bool(yes)))
    }
}

/// The parameter at `idx`, refusing an absent or null value with its path.
fn arg<'a>(h: &'a Helper<'_>, idx: usize) -> Result<&'a Value, String> {
    let p = h
        .param(idx)
        .ok_or_else(|| format!("paramètre n° {} manquant", idx + 1))?;
    let path = p
        .relative_path()
        .map_or_else(String::new, |p| format!(" « {p} »"));
    if p.is_value_missing() {
        return Err(format!("valeur absente du contexte{path}"));
    }
    if p.value().is_null() {
        return Err(format!("valeur vide (null){path}"));
    }
    Ok(p.value())
}

fn text_arg(h: &Helper<'_>, idx: usize) -> Result<String, String> {
    match arg(h, idx)? {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!("texte attendu, trouvé {other}")),
    }
}

/// A decimal from a JSON string or number.
pub fn value_to_decimal(v: &Value) -> Result<Decimal, String> {
    match v {
        Value::String(s) => format::parse_decimal(s),
        Value::Number(n) => format::parse_decimal(&n.to_string()),
        other => Err(format!("nombre attendu, trouvé {other}")),
    }
}

fn dec_arg(h: &Helper<'_>, idx: usize) -> Result<Decimal, String> {
    value_to_decimal(arg(h, idx)?)
}

fn dec_value(d: Decimal) -> Value {
    Value::String(d.normalize().to_string())
}

fn date_fr(h: &Helper<'_>) -> Result<Value, String> {
    let date = format::parse_date(&text_arg(h, 0)?)?;
    let weekday = h
        .hash_get("weekday")
        .is_some_and(|v| v.value().as_bool() == Some(true));
    Ok(Value::String(if weekday {
        format::date_fr_with_weekday(date)
    } else {
        format::date_fr(date)
    }))
}

fn time_fr(h: &Helper<'_>) -> Result<Value, String> {
    let dt = format::parse_datetime(&text_arg(h, 0)?)?;
    Ok(Value::String(format::time_fr(dt.time())))
}

fn datetime_fr(h: &Helper<'_>) -> Result<Value, String> {
    let dt = format::parse_datetime(&text_arg(h, 0)?)?;
    Ok(Value::String(format::datetime_fr(dt)))
}

fn money(h: &Helper<'_>) -> Result<Value, String> {
    Ok(Value::String(format::money_fr(dec_arg(h, 0)?)))
}

fn money_words(h: &Helper<'_>) -> Result<Value, String> {
    let d = dec_arg(h, 0)?;
    words::money_words_fr(d)
        .map(Value::String)
        .ok_or_else(|| format!("montant impossible à écrire en lettres ({d})"))
}

fn decimal(h: &Helper<'_>) -> Result<Value, String> {
    let d = dec_arg(h, 0)?;
    let dp =
        match h.param(1) {
            None => None,
            Some(p) => {
                Some(p.value().as_u64().filter(|n| *n <= 10).ok_or_else(|| {
                    "le nombre de décimales doit être un entier de 0 à 10".to_owned()
                })? as u32)
            }
        };
    Ok(Value::String(format::decimal_fr(d, dp)))
}

fn percent(h: &Helper<'_>) -> Result<Value, String> {
    Ok(Value::String(format::percent_fr(dec_arg(h, 0)?)))
}

fn mul(h: &Helper<'_>) -> Result<Value, String> {
    let (a, b) = (dec_arg(h, 0)?, dec_arg(h, 1)?);
    a.checked_mul(b)
        .map(dec_value)
        .ok_or_else(|| format!("dépassement de capacité ({a} × {b})"))
}

fn add(h: &Helper<'_>) -> Result<Value, String> {
    let mut total = Decimal::ZERO;
    for idx in 0..h.params().len() {
        let d = dec_arg(h, idx)?;
        total = total
            .checked_add(d)
            .ok_or_else(|| "dépassement de capacité".to_owned())?;
    }
    Ok(dec_value(total))
}

fn sub(h: &Helper<'_>) -> Result<Value, String> {
    let (a, b) = (dec_arg(h, 0)?, dec_arg(h, 1)?);
    a.checked_sub(b)
        .map(dec_value)
        .ok_or_else(|| format!("dépassement de capacité ({a} − {b})"))
}

fn sum(h: &Helper<'_>) -> Result<Value, String> {
    let Value::Array(items) = arg(h, 0)? else {
        return Err("une liste est attendue en premier paramètre".to_owned());
    };
    let key = match h.param(1) {
        None => None,
        Some(p) => Some(
            p.value()
                .as_str()
                .ok_or_else(|| "le nom de champ doit être un texte".to_owned())?,
        ),
    };
    let mut total = Decimal::ZERO;
    for (i, item) in items.iter().enumerate() {
        let v = match key {
            Some(k) => item
                .get(k)
                .ok_or_else(|| format!("élément n° {} sans champ « {k} »", i + 1))?,
            None => item,
        };
        let d = value_to_decimal(v).map_err(|m| format!("élément n° {} : {m}", i + 1))?;
        total = total
            .checked_add(d)
            .ok_or_else(|| "dépassement de capacité".to_owned())?;
    }
    Ok(dec_value(total))
}

fn inc(h: &Helper<'_>) -> Result<Value, String> {
    let n = arg(h, 0)?
        .as_u64()
        .ok_or_else(|| "entier positif attendu".to_owned())?;
    Ok(Value::from(n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(src: &str, data: &Value) -> Result<String, RenderError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        register(&mut hb);
        hb.render_template(src, data)
    }

    #[test]
    fn the_contract_is_named_after_the_technique() {
        let t = |code: Option<&str>| match code {
            Some(c) => json!({"consultation": {"technique": {"code": c}}}),
            None => json!({"consultation": {}}),
        };
        let src = "{{contrat \"Le\"}} est conclu ; au terme {{contrat \"du\"}}{{#if (accord_cadre)}}, par bons de commande{{/if}}.";
        assert_eq!(
            render(src, &t(Some("aucune"))).unwrap(),
            "Le marché est conclu ; au terme du marché."
        );
        assert_eq!(
            render(src, &t(Some("sad"))).unwrap(),
            "Le marché spécifique est conclu ; au terme du marché spécifique."
        );
        let ac = "L'accord-cadre est conclu ; au terme de l'accord-cadre, par bons de commande.";
        assert_eq!(render(src, &t(Some("accord_cadre"))).unwrap(), ac);
        // A context stored before the technique existed keeps its accord-cadre wording.
        assert_eq!(render(src, &t(None)).unwrap(), ac);
        let e = render("{{contrat \"des\"}}", &t(None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("« des »"), "{e}");
    }

    #[test]
    fn formatting_helpers_render_french() {
        let data = json!({"d": "2026-04-01", "t": "2027-01-15T12:00:00+01:00", "m": "1234.5", "n": 350000, "w": "40"});
        assert_eq!(render("{{date_fr d}}", &data).unwrap(), "1er avril 2026");
        assert_eq!(
            render("{{date_fr t weekday=true}}", &data).unwrap(),
            "vendredi 15 janvier 2027"
        );
        assert_eq!(
            render("{{datetime_fr t}}", &data).unwrap(),
            "15 janvier 2027 à 12 h 00"
        );
        assert_eq!(
            render("{{money m}}", &data).unwrap(),
            "1\u{202F}234,50\u{A0}€"
        );
        assert_eq!(
            render("{{money_words n}}", &data).unwrap(),
            "trois cent cinquante mille euros"
        );
        assert_eq!(render("{{decimal m 2}}", &data).unwrap(), "1\u{202F}234,50");
        assert_eq!(render("{{percent w}}", &data).unwrap(), "40\u{A0}%");
    }

    #[test]
    fn arithmetic_is_exact() {
        let data = json!({"a": "0.1", "b": "0.2", "q": "3", "p": "19.99",
            "l": [{"w": "33.33"}, {"w": "33.33"}, {"w": "33.34"}]});
        assert_eq!(render("{{add a b}}", &data).unwrap(), "0.3");
        assert_eq!(render("{{mul q p}}", &data).unwrap(), "59.97");
        assert_eq!(
            render("{{money (mul q p)}}", &data).unwrap(),
            "59,97\u{A0}€"
        );
        assert_eq!(render("{{sum l \"w\"}}", &data).unwrap(), "100");
        assert_eq!(render("{{sub p a}}", &data).unwrap(), "19.89");
        assert_eq!(
            render("{{#each l}}{{inc @index}}{{/each}}", &data).unwrap(),
            "123"
        );
    }

    #[test]
    fn helper_errors_name_the_helper_and_the_missing_path() {
        let err = render("ligne 1\n{{money absent}}", &json!({})).unwrap_err();
        let msg = err.reason().to_string();
        assert!(
            msg.contains("fonction « money »") && msg.contains("« absent »"),
            "{msg}"
        );
        assert_eq!(err.line_no, Some(2));
        let err = render("{{date_fr d}}", &json!({"d": "15/01/2027"})).unwrap_err();
        assert!(err.reason().to_string().contains("n'est pas une date"));
        let err = render("{{sum l \"w\"}}", &json!({"l": [{"x": 1}]})).unwrap_err();
        assert!(
            err.reason()
                .to_string()
                .contains("élément n° 1 sans champ « w »")
        );
    }
}
