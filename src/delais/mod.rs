//! The legal calendar as a calculator, for the officer and for scripts: `coordo delais …` on
//! the command line and `GET /api/v1/groupements/{gid}/delais/{calcul}` on the API. Both answer
//! the same JSON — the date, the rule in words, the article — from the pure functions of
//! [`calculator`]; a bad date or count is a French message (exit 2, or 400 on the API).

mod calculator;
pub mod handlers;

pub use calculator::*;

use std::collections::BTreeMap;

/// The calculations by name, as the command line and the API spell them.
pub const CALCULS: &str = "jours-ouvres, convocation-cao, offres, reponses-questions, suspension, avis-attribution, donnees-essentielles";

/// Answers one calculation from named arguments (the API's query string), with the same
/// option names as the command line.
///
/// # Errors
/// A French message for an unknown calculation, a missing or bad argument.
pub fn answer(calcul: &str, args: &BTreeMap<String, String>) -> Result<serde_json::Value, String> {
    let required = |name: &str| {
        args.get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} manque (AAAA-MM-JJ ou nombre, selon le calcul)"))
    };
    let flag = |name: &str| {
        args.get(name)
            .is_some_and(|v| matches!(v.trim(), "" | "1" | "true" | "oui"))
    };
    let date = |name: &str| required(name).and_then(|v| parse_date(name, v));
    let count = |name: &str| required(name).and_then(|v| parse_count(name, v));
    match calcul {
        "jours-ouvres" => Ok(jours_ouvres(date("depuis")?, count("jours")?)),
        "convocation-cao" => Ok(convocation_cao(date("seance")?, count("jours-francs")?)),
        "offres" => offres(
            date("envoi")?,
            args.get("procedure").map_or("aoo", String::as_str),
            !flag("hors-voie-electronique"),
            flag("preinformation"),
            flag("urgence"),
        ),
        "reponses-questions" => reponses_questions(date("remise")?, flag("urgence")),
        "suspension" => suspension(date("envoi")?, !flag("hors-voie-electronique")),
        "avis-attribution" => avis_attribution(date("signature")?),
        "donnees-essentielles" => donnees_essentielles(date("notification")?),
        other => Err(format!(
            "calcul « {other} » inconnu : les calculs sont {CALCULS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_api_names_are_the_command_line_names() {
        let v = answer(
            "jours-ouvres",
            &args(&[("depuis", "2026-05-13"), ("jours", "2")]),
        )
        .expect("answer");
        assert_eq!(v["date"], "2026-05-18");
        let v = answer(
            "suspension",
            &args(&[("envoi", "2027-02-05"), ("hors-voie-electronique", "")]),
        )
        .expect("answer");
        assert_eq!(v["jours"], 16);
        let v = answer("offres", &args(&[("envoi", "2026-12-01")])).expect("answer");
        assert_eq!(v["date"], "2026-12-31");
        assert!(
            answer("jours-ouvres", &args(&[("depuis", "2026-05-13")]))
                .unwrap_err()
                .contains("--jours manque")
        );
        assert!(answer("lune", &args(&[])).unwrap_err().contains("inconnu"));
    }
}
