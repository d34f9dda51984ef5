//! Dated legal parameters (DOMAIN.md Appendix A). Each value is valid on a date range and is
//! chosen by the **launch date** of the consultation (date the consultation is engaged or the avis
//! is sent to publication — décret 2025-1386 art. 4). A date outside every range is an error:
//! there is no silent fallback to the nearest value.

use super::RulesError;
use crate::calendar::french_date;
use chrono::NaiveDate;
use rust_decimal::{Decimal, dec};
use serde::Serialize;

/// One legal figure with its validity range (bounds included) and legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DatedParam<T> {
    pub value: T,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub legal_basis: &'static str,
}

impl<T: Copy> DatedParam<T> {
    /// True when `date` lies within `[valid_from, valid_to]`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to)
    }
}

/// The successive values of one legal figure.
#[derive(Debug)]
pub struct ParamSeries<T: 'static> {
    /// Stable snake_case key, e.g. `seuil_dispense_fs`.
    pub code: &'static str,
    /// French label shown to users.
    pub label: &'static str,
    pub entries: &'static [DatedParam<T>],
}

impl<T: Copy> ParamSeries<T> {
    /// The value in force at `date`, or a French error naming the parameter and its coverage.
    pub fn at(&self, date: NaiveDate) -> Result<DatedParam<T>, RulesError> {
        self.entries
            .iter()
            .find(|p| p.covers(date))
            .copied()
            .ok_or_else(|| RulesError::ParamOutOfRange {
                param: self.label,
                date: french_date(date),
                coverage: self.coverage(),
            })
    }

    /// French description of the covered range: "défini du 1er janvier 2022 au 31 décembre 2027".
    pub fn coverage(&self) -> String {
        let first = self.entries.iter().map(|p| p.valid_from).min();
        let open_ended = self.entries.iter().any(|p| p.valid_to.is_none());
        let last = self.entries.iter().filter_map(|p| p.valid_to).max();
        match (first, open_ended, last) {
            (Some(from), true, _) => format!("défini à partir du {}", french_date(from)),
            (Some(from), false, Some(to)) => {
                format!("défini du {} au {}", french_date(from), french_date(to))
            }
            _ => "aucune valeur définie".to_string(),
        }
    }
}

/// A threshold as shown in a proposal (JSON): value as a decimal string, validity and basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub value: Decimal,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub legal_basis: &'static str,
}

impl ParamSeries<Decimal> {
    /// The threshold in force at `date` in its displayable form.
    pub fn info_at(&self, date: NaiveDate) -> Result<ThresholdInfo, RulesError> {
        let p = self.at(date)?;
        Ok(ThresholdInfo {
            name: self.code,
            label: self.label,
            value: p.value,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            legal_basis: p.legal_basis,
        })
    }
}

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(x) => x,
        None => panic!("invalid constant date"),
    }
}

const fn p<T>(
    value: T,
    from: NaiveDate,
    to: Option<NaiveDate>,
    legal_basis: &'static str,
) -> DatedParam<T> {
    DatedParam {
        value,
        valid_from: from,
        valid_to: to,
        legal_basis,
    }
}

/// Entry into force of the code de la commande publique (ordonnance 2018-1074, décret 2018-1075).
const CCP_START: NaiveDate = date(2019, 4, 1);

/// Dispense de publicité et de mise en concurrence, fournitures et services (R2122-8):
/// 40 000 € HT until 31 March 2026, 60 000 € HT from 1 April 2026 (décret 2025-1386 art. 3–4).
pub static DISPENSE_FS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_dispense_fs",
    label: "seuil de dispense de publicité et de mise en concurrence (fournitures et services)",
    entries: &[
        p(
            dec!(40000),
            date(2020, 1, 1),
            Some(date(2026, 3, 31)),
            "R2122-8 (décret n° 2019-1344)",
        ),
        p(
            dec!(60000),
            date(2026, 4, 1),
            None,
            "R2122-8 modifié par le décret n° 2025-1386 du 29 décembre 2025",
        ),
    ],
};

/// Dispense, travaux (R2122-8): 100 000 € HT, temporary until 31 Dec 2025, permanent from 2026.
pub static DISPENSE_WORKS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_dispense_travaux",
    label: "seuil de dispense de publicité et de mise en concurrence (travaux)",
    entries: &[
        p(
            dec!(100000),
            date(2020, 12, 8),
            Some(date(2025, 12, 31)),
            "R2122-8 (dispositif temporaire : loi n° 2020-1525 art. 142, décrets n° 2022-1683 et n° 2024-1217)",
        ),
        p(
            dec!(100000),
            date(2026, 1, 1),
            None,
            "R2122-8 modifié par le décret n° 2025-1386 du 29 décembre 2025 (seuil pérennisé)",
        ),
    ],
};

/// MAPA of collectivités/EPL: free publicity below 90 000 € HT, BOAMP or JAL (+ profil
/// d'acheteur) from 90 000 € HT (R2131-12 1° and 2°).
pub static PUBLICITY_BOAMP_JAL: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_publicite_boamp_jal",
    label: "seuil de publicité au BOAMP ou dans un JAL (procédure adaptée)",
    entries: &[p(dec!(90000), CCP_START, None, "R2131-12")],
};

/// Free, direct and complete access to the DCE on the profil d'acheteur (R2132-2).
pub static DCE_FREE_ACCESS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_acces_dce_profil_acheteur",
    label: "seuil de mise à disposition gratuite du DCE sur le profil d'acheteur",
    entries: &[
        p(
            dec!(40000),
            date(2020, 1, 1),
            Some(date(2026, 3, 31)),
            "R2132-2",
        ),
        p(
            dec!(60000),
            date(2026, 4, 1),
            None,
            "R2132-2 modifié par le décret n° 2025-1386 du 29 décembre 2025",
        ),
    ],
};

/// EU formalised-procedure threshold, fournitures/services, "autres pouvoirs adjudicateurs"
/// (collectivités, EPL including CCAS) — annexe 2 CCP (avis relatif aux seuils de procédure).
pub static EU_FS_OTHER_PA: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_procedure_formalisee_fs",
    label: "seuil de procédure formalisée (fournitures et services, autres pouvoirs adjudicateurs)",
    entries: &[
        p(
            dec!(215000),
            date(2022, 1, 1),
            Some(date(2023, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2021/1952",
        ),
        p(
            dec!(221000),
            date(2024, 1, 1),
            Some(date(2025, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2023/2495",
        ),
        p(
            dec!(216000),
            date(2026, 1, 1),
            Some(date(2027, 12, 31)),
            "Annexe 2 CCP (avis du 26 décembre 2025) ; règlement délégué (UE) 2025/2152",
        ),
    ],
};

/// EU formalised-procedure threshold, fournitures/services, autorités publiques centrales (État).
pub static EU_FS_CENTRAL: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_procedure_formalisee_fs_etat",
    label: "seuil de procédure formalisée (fournitures et services, autorités publiques centrales)",
    entries: &[
        p(
            dec!(140000),
            date(2022, 1, 1),
            Some(date(2023, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2021/1952",
        ),
        p(
            dec!(143000),
            date(2024, 1, 1),
            Some(date(2025, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2023/2495",
        ),
        p(
            dec!(140000),
            date(2026, 1, 1),
            Some(date(2027, 12, 31)),
            "Annexe 2 CCP (avis du 26 décembre 2025) ; règlement délégué (UE) 2025/2152",
        ),
    ],
};

/// EU formalised-procedure threshold, travaux (all buyers).
pub static EU_WORKS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_procedure_formalisee_travaux",
    label: "seuil de procédure formalisée (travaux)",
    entries: &[
        p(
            dec!(5382000),
            date(2022, 1, 1),
            Some(date(2023, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2021/1952",
        ),
        p(
            dec!(5538000),
            date(2024, 1, 1),
            Some(date(2025, 12, 31)),
            "Annexe 2 CCP ; règlement délégué (UE) 2023/2495",
        ),
        p(
            dec!(5404000),
            date(2026, 1, 1),
            Some(date(2027, 12, 31)),
            "Annexe 2 CCP (avis du 26 décembre 2025) ; règlement délégué (UE) 2025/2152",
        ),
    ],
};

/// Small lots passed in MAPA inside a formalised operation: lot < 80 000 € HT (F&S), R2123-1 2° a).
pub static SMALL_LOT_FS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_petit_lot_fs",
    label: "seuil des petits lots (fournitures et services)",
    entries: &[p(dec!(80000), CCP_START, None, "R2123-1 2° a)")],
};

/// Small lots, travaux: lot < 1 000 000 € HT, R2123-1 2° a).
pub static SMALL_LOT_WORKS: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_petit_lot_travaux",
    label: "seuil des petits lots (travaux)",
    entries: &[p(dec!(1000000), CCP_START, None, "R2123-1 2° a)")],
};

/// Cumulated small lots ≤ 20 % of the value of all lots, R2123-1 2° b).
pub static SMALL_LOTS_CAP_PCT: ParamSeries<Decimal> = ParamSeries {
    code: "plafond_petits_lots_pct",
    label: "part maximale des petits lots dans la valeur totale (%)",
    entries: &[p(dec!(20), CCP_START, None, "R2123-1 2° b)")],
};

/// Données essentielles (DECP) published for marchés ≥ 40 000 € HT (R2196-1).
pub static DECP_THRESHOLD: ParamSeries<Decimal> = ParamSeries {
    code: "seuil_donnees_essentielles",
    label: "seuil de publication des données essentielles (DECP)",
    entries: &[p(dec!(40000), date(2020, 1, 1), None, "R2196-1")],
};

/// Appel d'offres ouvert: 35 days from sending the avis (R2161-2).
pub static AOO_DAYS_STANDARD: ParamSeries<u32> = ParamSeries {
    code: "delai_aoo",
    label: "délai minimal de réception des offres en appel d'offres ouvert",
    entries: &[p(35, CCP_START, None, "R2161-2")],
};

/// AOO with electronic transmission of offers: 30 days (R2161-3).
pub static AOO_DAYS_ELECTRONIC: ParamSeries<u32> = ParamSeries {
    code: "delai_aoo_electronique",
    label: "délai minimal en appel d'offres ouvert, offres transmises par voie électronique",
    entries: &[p(30, CCP_START, None, "R2161-3")],
};

/// AOO after an avis de préinformation: 15 days (R2161-3).
pub static AOO_DAYS_PREINFORMATION: ParamSeries<u32> = ParamSeries {
    code: "delai_aoo_preinformation",
    label: "délai minimal en appel d'offres ouvert après un avis de préinformation",
    entries: &[p(15, CCP_START, None, "R2161-3")],
};

/// AOO in duly justified urgency: 15 days (R2161-3).
pub static AOO_DAYS_URGENCY: ParamSeries<u32> = ParamSeries {
    code: "delai_aoo_urgence",
    label: "délai minimal en appel d'offres ouvert en cas d'urgence dûment justifiée",
    entries: &[p(15, CCP_START, None, "R2161-3")],
};

/// Additional information on the DCE sent at the latest 6 days before the offers deadline (R2132-6).
pub static ANSWERS_DAYS: ParamSeries<u32> = ParamSeries {
    code: "delai_reponses_questions",
    label: "délai minimal entre l'envoi des renseignements complémentaires et la remise des offres",
    entries: &[p(6, CCP_START, None, "R2132-6")],
};

/// Same, in urgency: 4 days (R2132-6).
pub static ANSWERS_DAYS_URGENCY: ParamSeries<u32> = ParamSeries {
    code: "delai_reponses_questions_urgence",
    label: "délai minimal entre les renseignements complémentaires et la remise des offres (urgence)",
    entries: &[p(4, CCP_START, None, "R2132-6")],
};

/// Standstill when the rejection notification is sent electronically: 11 days (R2182-1 al. 1).
pub static STANDSTILL_ELECTRONIC: ParamSeries<u32> = ParamSeries {
    code: "delai_suspension_electronique",
    label: "délai de suspension (notification électronique)",
    entries: &[p(11, CCP_START, None, "R2182-1 al. 1")],
};

/// Standstill otherwise: 16 days (R2182-1 al. 2).
pub static STANDSTILL_OTHER: ParamSeries<u32> = ParamSeries {
    code: "delai_suspension",
    label: "délai de suspension (notification non électronique)",
    entries: &[p(16, CCP_START, None, "R2182-1 al. 2")],
};

/// Avis d'attribution sent within 30 days of signature (R2183-1).
pub static AVIS_ATTRIBUTION_DAYS: ParamSeries<u32> = ParamSeries {
    code: "delai_avis_attribution",
    label: "délai d'envoi de l'avis d'attribution après la signature",
    entries: &[p(30, CCP_START, None, "R2183-1")],
};

/// DECP published within 2 months of notification (R2196-1).
pub static DECP_MONTHS: ParamSeries<u32> = ParamSeries {
    code: "delai_donnees_essentielles_mois",
    label: "délai de publication des données essentielles après la notification (mois)",
    entries: &[p(2, date(2020, 1, 1), None, "R2196-1")],
};

/// At least one award criterion on environmental characteristics from 21 August 2026
/// (L2152-7 as amended by loi 2021-1104 art. 35; date fixed by décret 2022-767).
pub static ENV_CRITERION_MANDATORY: ParamSeries<bool> = ParamSeries {
    code: "critere_environnemental_obligatoire",
    label: "critère d'attribution environnemental obligatoire",
    entries: &[
        p(
            false,
            CCP_START,
            Some(date(2026, 8, 20)),
            "L2152-7 (avant le 21 août 2026)",
        ),
        p(
            true,
            date(2026, 8, 21),
            None,
            "L2152-7 modifié par la loi n° 2021-1104 art. 35 ; décret n° 2022-767",
        ),
    ],
};

/// Every amount series, for checks and display.
pub static AMOUNT_SERIES: [&ParamSeries<Decimal>; 11] = [
    &DISPENSE_FS,
    &DISPENSE_WORKS,
    &PUBLICITY_BOAMP_JAL,
    &DCE_FREE_ACCESS,
    &EU_FS_OTHER_PA,
    &EU_FS_CENTRAL,
    &EU_WORKS,
    &SMALL_LOT_FS,
    &SMALL_LOT_WORKS,
    &SMALL_LOTS_CAP_PCT,
    &DECP_THRESHOLD,
];

/// Every day-count series, for checks and display.
pub static DAY_SERIES: [&ParamSeries<u32>; 10] = [
    &AOO_DAYS_STANDARD,
    &AOO_DAYS_ELECTRONIC,
    &AOO_DAYS_PREINFORMATION,
    &AOO_DAYS_URGENCY,
    &ANSWERS_DAYS,
    &ANSWERS_DAYS_URGENCY,
    &STANDSTILL_ELECTRONIC,
    &STANDSTILL_OTHER,
    &AVIS_ATTRIBUTION_DAYS,
    &DECP_MONTHS,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    fn check_series<T: Copy>(s: &ParamSeries<T>) {
        let mut entries: Vec<_> = s.entries.to_vec();
        entries.sort_by_key(|e| e.valid_from);
        for w in entries.windows(2) {
            let to = w[0]
                .valid_to
                .expect("only the last entry may be open-ended");
            assert!(to < w[1].valid_from, "{}: overlapping ranges", s.code);
            assert_eq!(to.succ_opt(), Some(w[1].valid_from), "{}: gap", s.code);
        }
        for e in &entries {
            assert!(!e.legal_basis.is_empty(), "{}: no legal basis", s.code);
            if let Some(to) = e.valid_to {
                assert!(e.valid_from <= to, "{}: empty range", s.code);
            }
        }
    }

    #[test]
    fn series_are_contiguous_and_sourced() {
        AMOUNT_SERIES.iter().for_each(|s| check_series(s));
        DAY_SERIES.iter().for_each(|s| check_series(s));
        check_series(&ENV_CRITERION_MANDATORY);
    }

    #[test]
    fn dispense_fs_switch_on_1_april_2026() {
        assert_eq!(
            DISPENSE_FS.at(d(2026, 3, 31)).map(|p| p.value),
            Ok(dec!(40000))
        );
        assert_eq!(
            DISPENSE_FS.at(d(2026, 4, 1)).map(|p| p.value),
            Ok(dec!(60000))
        );
        assert_eq!(
            DISPENSE_FS.at(d(2035, 1, 1)).map(|p| p.value),
            Ok(dec!(60000))
        );
        assert_eq!(
            DCE_FREE_ACCESS.at(d(2026, 3, 31)).map(|p| p.value),
            Ok(dec!(40000))
        );
        assert_eq!(
            DCE_FREE_ACCESS.at(d(2026, 4, 1)).map(|p| p.value),
            Ok(dec!(60000))
        );
    }

    #[test]
    fn eu_thresholds_switch_on_1_january() {
        assert_eq!(
            EU_FS_OTHER_PA.at(d(2023, 12, 31)).map(|p| p.value),
            Ok(dec!(215000))
        );
        assert_eq!(
            EU_FS_OTHER_PA.at(d(2024, 1, 1)).map(|p| p.value),
            Ok(dec!(221000))
        );
        assert_eq!(
            EU_FS_OTHER_PA.at(d(2025, 12, 31)).map(|p| p.value),
            Ok(dec!(221000))
        );
        assert_eq!(
            EU_FS_OTHER_PA.at(d(2026, 1, 1)).map(|p| p.value),
            Ok(dec!(216000))
        );
        assert_eq!(
            EU_FS_OTHER_PA.at(d(2027, 12, 31)).map(|p| p.value),
            Ok(dec!(216000))
        );
        assert_eq!(
            EU_WORKS.at(d(2025, 12, 31)).map(|p| p.value),
            Ok(dec!(5538000))
        );
        assert_eq!(
            EU_WORKS.at(d(2026, 1, 1)).map(|p| p.value),
            Ok(dec!(5404000))
        );
        assert_eq!(
            EU_FS_CENTRAL.at(d(2025, 6, 1)).map(|p| p.value),
            Ok(dec!(143000))
        );
        let works = DISPENSE_WORKS.at(d(2026, 1, 1)).expect("in force");
        assert_eq!(works.value, dec!(100000));
        assert!(works.legal_basis.contains("2025-1386"));
    }

    #[test]
    fn out_of_range_is_a_french_error() {
        let e = EU_FS_OTHER_PA
            .at(d(2028, 1, 1))
            .expect_err("not yet published");
        assert_eq!(
            e.to_string(),
            "Aucune valeur en vigueur pour le paramètre « seuil de procédure formalisée \
             (fournitures et services, autres pouvoirs adjudicateurs) » à la date du 1er janvier 2028 \
             (défini du 1er janvier 2022 au 31 décembre 2027) : la table des paramètres datés doit \
             être mise à jour avant de traiter cette consultation."
        );
        let e = DISPENSE_FS.at(d(2019, 12, 31)).expect_err("before 2020");
        assert!(
            e.to_string()
                .contains("défini à partir du 1er janvier 2020")
        );
        assert!(EU_FS_OTHER_PA.at(d(2021, 12, 31)).is_err());
    }

    #[test]
    fn env_criterion_from_21_august_2026() {
        assert_eq!(
            ENV_CRITERION_MANDATORY.at(d(2026, 8, 20)).map(|p| p.value),
            Ok(false)
        );
        assert_eq!(
            ENV_CRITERION_MANDATORY.at(d(2026, 8, 21)).map(|p| p.value),
            Ok(true)
        );
    }

    #[test]
    fn day_figures() {
        let at = d(2026, 12, 1);
        let v = |s: &ParamSeries<u32>| s.at(at).map(|p| p.value);
        assert_eq!(v(&AOO_DAYS_STANDARD), Ok(35));
        assert_eq!(v(&AOO_DAYS_ELECTRONIC), Ok(30));
        assert_eq!(v(&AOO_DAYS_PREINFORMATION), Ok(15));
        assert_eq!(v(&AOO_DAYS_URGENCY), Ok(15));
        assert_eq!(v(&STANDSTILL_ELECTRONIC), Ok(11));
        assert_eq!(v(&STANDSTILL_OTHER), Ok(16));
        assert_eq!(v(&AVIS_ATTRIBUTION_DAYS), Ok(30));
        assert_eq!(v(&DECP_MONTHS), Ok(2));
        assert_eq!(v(&ANSWERS_DAYS), Ok(6));
    }

    #[test]
    fn threshold_info_serializes_value_as_string() {
        let info = EU_FS_OTHER_PA.info_at(d(2026, 12, 1)).expect("in force");
        let json = serde_json::to_value(&info).expect("json");
        assert_eq!(json["value"], "216000");
        assert_eq!(json["valid_from"], "2026-01-01");
        assert_eq!(json["valid_to"], "2027-12-31");
        assert_eq!(json["name"], "seuil_procedure_formalisee_fs");
        let open = DISPENSE_FS.info_at(d(2026, 12, 1)).expect("in force");
        assert_eq!(
            serde_json::to_value(&open).expect("json")["valid_to"],
            serde_json::Value::Null
        );
    }
}
