//! Tests of [`super::procedure::propose`]: every threshold boundary, every date switch and the
//! three consultations of the seed groupement.

use super::procedure::*;
use chrono::NaiveDate;
use rust_decimal::{Decimal, dec};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn run(nature: Nature, amount: Decimal, launch: NaiveDate) -> ProcedureProposal {
    propose(&ProcedureInput::single(nature, amount, launch)).expect("valid proposal")
}

fn proc_of(nature: Nature, amount: Decimal, launch: NaiveDate) -> ProcedureKind {
    run(nature, amount, launch).procedure
}

use Nature::*;
use ProcedureKind::*;

#[test]
fn fs_formalised_boundary_2026() {
    let at = d(2026, 6, 1);
    assert_eq!(proc_of(Services, dec!(215999.99), at), ProcedureAdaptee);
    assert_eq!(proc_of(Services, dec!(216000), at), AppelOffresOuvert);
    assert_eq!(proc_of(Fournitures, dec!(215999.99), at), ProcedureAdaptee);
    assert_eq!(proc_of(Fournitures, dec!(216000), at), AppelOffresOuvert);
}

#[test]
fn fs_formalised_boundary_2024_2025_and_2022_2023() {
    assert_eq!(
        proc_of(Services, dec!(220999.99), d(2025, 6, 1)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Services, dec!(221000), d(2025, 6, 1)),
        AppelOffresOuvert
    );
    assert_eq!(
        proc_of(Services, dec!(214999.99), d(2023, 6, 1)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Services, dec!(215000), d(2023, 6, 1)),
        AppelOffresOuvert
    );
}

#[test]
fn switch_31_december_2025_to_1_january_2026() {
    // 218 000 € HT: below 221 000 (2025), above 216 000 (2026).
    assert_eq!(
        proc_of(Services, dec!(218000), d(2025, 12, 31)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Services, dec!(218000), d(2026, 1, 1)),
        AppelOffresOuvert
    );
    // 215 000 € HT: formalised on 31 Dec 2023, MAPA on 1 Jan 2024.
    assert_eq!(
        proc_of(Services, dec!(215000), d(2023, 12, 31)),
        AppelOffresOuvert
    );
    assert_eq!(
        proc_of(Services, dec!(215000), d(2024, 1, 1)),
        ProcedureAdaptee
    );
    // Works: 5 500 000 € HT.
    assert_eq!(
        proc_of(Travaux, dec!(5500000), d(2025, 12, 31)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Travaux, dec!(5500000), d(2026, 1, 1)),
        AppelOffresOuvert
    );
    let p = run(Services, dec!(218000), d(2026, 1, 1));
    let t = &p.thresholds[2];
    assert_eq!((t.value, t.valid_from), (dec!(216000), d(2026, 1, 1)));
}

#[test]
fn dispense_fs_boundaries_and_1_april_2026_switch() {
    assert_eq!(
        proc_of(Services, dec!(39999.99), d(2026, 3, 31)),
        SansPubliciteNiMiseEnConcurrence
    );
    assert_eq!(
        proc_of(Services, dec!(40000), d(2026, 3, 31)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Services, dec!(50000), d(2026, 3, 31)),
        ProcedureAdaptee
    );
    assert_eq!(
        proc_of(Services, dec!(50000), d(2026, 4, 1)),
        SansPubliciteNiMiseEnConcurrence
    );
    assert_eq!(
        proc_of(Fournitures, dec!(59999.99), d(2026, 4, 1)),
        SansPubliciteNiMiseEnConcurrence
    );
    assert_eq!(
        proc_of(Fournitures, dec!(60000), d(2026, 4, 1)),
        ProcedureAdaptee
    );
    let p = run(Services, dec!(50000), d(2026, 4, 1));
    assert_eq!(p.publicity.code, Publicity::None);
    assert!(!p.env_criterion_required);
    assert!(p.decp_required); // 50 000 ≥ 40 000 (R2196-1)
    assert!(p.reasons[1].contains("R2122-8"));
    let small = run(Services, dec!(39999.99), d(2026, 4, 1));
    assert!(!small.decp_required);
}

#[test]
fn works_boundaries() {
    let at = d(2026, 6, 1);
    assert_eq!(
        proc_of(Travaux, dec!(99999.99), at),
        SansPubliciteNiMiseEnConcurrence
    );
    assert_eq!(proc_of(Travaux, dec!(100000), at), ProcedureAdaptee);
    assert_eq!(proc_of(Travaux, dec!(5403999.99), at), ProcedureAdaptee);
    assert_eq!(proc_of(Travaux, dec!(5404000), at), AppelOffresOuvert);
    assert_eq!(
        proc_of(Travaux, dec!(99999.99), d(2025, 12, 31)),
        SansPubliciteNiMiseEnConcurrence
    );
    assert_eq!(
        run(Travaux, dec!(100000), at).publicity.code,
        Publicity::BoampOuJal
    );
}

#[test]
fn publicity_step_90000() {
    let at = d(2026, 6, 1);
    assert_eq!(
        run(Services, dec!(89999.99), at).publicity.code,
        Publicity::Adaptee
    );
    assert_eq!(
        run(Services, dec!(90000), at).publicity.code,
        Publicity::BoampOuJal
    );
    assert_eq!(
        run(Services, dec!(216000), at).publicity.code,
        Publicity::JoueEtBoamp
    );
}

#[test]
fn buyer_kinds() {
    let at = d(2026, 12, 1);
    let mut input = ProcedureInput::single(Services, dec!(150000), at);
    input.buyer_kind = BuyerKind::AutoritePubliqueCentrale;
    let p = propose(&input).expect("valid");
    assert_eq!(p.procedure, AppelOffresOuvert); // 150 000 ≥ 140 000
    assert!(!p.cao_required);
    input.buyer_kind = BuyerKind::AutrePouvoirAdjudicateur;
    input.lots[0].amount_ht = dec!(350000);
    let p = propose(&input).expect("valid");
    assert_eq!(p.procedure, AppelOffresOuvert);
    assert!(!p.cao_required);
    // Works threshold is the same for every buyer.
    input.nature = Travaux;
    input.buyer_kind = BuyerKind::AutoritePubliqueCentrale;
    assert_eq!(propose(&input).expect("valid").procedure, ProcedureAdaptee);
}

#[test]
fn minimum_offer_days() {
    let at = d(2026, 12, 1);
    let mut input = ProcedureInput::single(Services, dec!(350000), at);
    assert_eq!(propose(&input).expect("ok").min_offer_days, Some(30));
    input.electronic_reception = false;
    assert_eq!(propose(&input).expect("ok").min_offer_days, Some(35));
    input.preinformation = true;
    assert_eq!(propose(&input).expect("ok").min_offer_days, Some(15));
    input.preinformation = false;
    input.urgence = true;
    let p = propose(&input).expect("ok");
    assert_eq!(p.min_offer_days, Some(15));
    assert!(
        p.reasons
            .iter()
            .any(|r| r.contains("urgence") && r.contains("R2161-3"))
    );
}

#[test]
fn env_criterion_switch_21_august_2026() {
    assert!(!run(Services, dec!(100000), d(2026, 8, 20)).env_criterion_required);
    assert!(run(Services, dec!(100000), d(2026, 8, 21)).env_criterion_required);
    assert!(run(Services, dec!(300000), d(2026, 8, 21)).env_criterion_required);
}

#[test]
fn options_and_renewals_are_summed() {
    let mut lot = LotInput::new("Logiciel", dec!(150000));
    lot.options_ht = dec!(40000);
    lot.renewals_ht = dec!(30000);
    let input = ProcedureInput {
        lots: vec![lot],
        ..ProcedureInput::single(Services, dec!(1), d(2026, 12, 1))
    };
    let p = propose(&input).expect("valid");
    assert_eq!(p.total_amount_ht, dec!(220000));
    assert_eq!(p.procedure, AppelOffresOuvert);
    assert!(p.reasons[0].contains("dont 70 000,00 € HT d'options et de reconductions"));
}

#[test]
fn seed_amoa_83333_33_ht() {
    // AMOA: 100 000 € TTC at 20 % VAT = 83 333,33 € HT.
    let p = run(Services, dec!(83333.33), d(2026, 12, 1));
    assert_eq!(p.procedure, ProcedureAdaptee);
    assert_eq!(p.publicity.code, Publicity::Adaptee);
    assert!(!p.cao_required);
    assert_eq!(p.min_offer_days, None);
    assert!(p.env_criterion_required);
    assert!(!p.avis_attribution_required);
    assert!(p.decp_required);
    assert_eq!(p.thresholds.len(), 3);
}

#[test]
fn seed_dui_software_350000_ht() {
    // DUI software: 420 000 € TTC = 350 000 € HT.
    let p = run(Services, dec!(350000), d(2026, 12, 1));
    assert_eq!(p.procedure, AppelOffresOuvert);
    assert_eq!(p.procedure_label, "Appel d'offres ouvert");
    assert_eq!(p.publicity.code, Publicity::JoueEtBoamp);
    assert!(p.cao_required);
    assert_eq!(p.min_offer_days, Some(30));
    assert!(p.env_criterion_required);
    assert!(p.avis_attribution_required);
    assert!(p.reasons[1].starts_with("350 000,00 € HT ≥ seuil de procédure formalisée"));
    assert!(p.reasons[1].contains("de 216 000 € HT"));
    assert!(p.reasons[1].contains("en vigueur du 1er janvier 2026 au 31 décembre 2027"));
}

#[test]
fn seed_hardware_173637_ttc() {
    // Hardware: 173 637 € TTC / 1,2 = 144 697,50 € HT.
    let p = run(Fournitures, dec!(144697.50), d(2026, 12, 1));
    assert_eq!(p.procedure, ProcedureAdaptee);
    assert_eq!(p.publicity.code, Publicity::BoampOuJal);
    assert!(!p.cao_required);
}

#[test]
fn lots_together_worked_example() {
    // DOMAIN §1.4: software 150 000 + AMOA 90 000 as lots of one operation = 240 000 → AO for
    // both; the AMOA lot is not a small lot (90 000 ≥ 80 000; cap 48 000).
    let input = ProcedureInput {
        lots: vec![
            LotInput::new("Logiciel", dec!(150000)),
            LotInput::new("AMOA", dec!(90000)),
        ],
        ..ProcedureInput::single(Services, dec!(1), d(2026, 12, 1))
    };
    let p = propose(&input).expect("valid");
    assert_eq!(p.procedure, AppelOffresOuvert);
    assert!(
        p.lots
            .iter()
            .all(|l| l.procedure == AppelOffresOuvert && !l.small_lot_exception)
    );
    assert_eq!(p.thresholds.len(), 5);
    assert_eq!(p.thresholds[3].value, dec!(80000));
    assert_eq!(p.thresholds[4].value, dec!(20));
}

#[test]
fn small_lots_exception_within_20_percent() {
    // Total 400 000, cap 80 000; eligible 20 000, 30 000, 50 000 → 20 000 + 30 000 = 50 000 fit,
    // adding 50 000 would make 100 000 > 80 000.
    let input = ProcedureInput {
        lots: vec![
            LotInput::new("A", dec!(300000)),
            LotInput::new("B", dec!(50000)),
            LotInput::new("C", dec!(30000)),
            LotInput::new("D", dec!(20000)),
        ],
        ..ProcedureInput::single(Fournitures, dec!(1), d(2026, 12, 1))
    };
    let p = propose(&input).expect("valid");
    let procs: Vec<(ProcedureKind, bool)> = p
        .lots
        .iter()
        .map(|l| (l.procedure, l.small_lot_exception))
        .collect();
    assert_eq!(
        procs,
        vec![
            (AppelOffresOuvert, false),
            (AppelOffresOuvert, false),
            (ProcedureAdaptee, true),
            (ProcedureAdaptee, true),
        ]
    );
    assert!(
        p.lots[1].reason.contains("dépasserait 20 %"),
        "{}",
        p.lots[1].reason
    );
    assert!(p.lots[2].reason.contains("R2123-1 2°"));
}

#[test]
fn small_lots_boundaries() {
    // Cap reached exactly: 320 000 + 79 999,99 + 0,01… use 320 000 + 80 000 split in two lots
    // of 40 000: cumulated 80 000 = 20 % of 400 000 → both allowed.
    let mk = |amounts: &[Decimal]| ProcedureInput {
        lots: amounts
            .iter()
            .enumerate()
            .map(|(i, a)| LotInput::new(&format!("Lot {}", i + 1), *a))
            .collect(),
        ..ProcedureInput::single(Services, dec!(1), d(2026, 12, 1))
    };
    let p = propose(&mk(&[dec!(320000), dec!(40000), dec!(40000)])).expect("valid");
    assert!(p.lots[1].small_lot_exception && p.lots[2].small_lot_exception);
    // 79 999,99 is a small lot; 80 000 is not (R2123-1 2° a: strictly below).
    let p = propose(&mk(&[dec!(400000), dec!(79999.99)])).expect("valid");
    assert!(p.lots[1].small_lot_exception);
    let p = propose(&mk(&[dec!(400000), dec!(80000)])).expect("valid");
    assert!(!p.lots[1].small_lot_exception);
    // Works: 999 999,99 in a 6 000 000 operation (cap 1 200 000).
    let mut w = mk(&[dec!(5000000), dec!(999999.99)]);
    w.nature = Travaux;
    let p = propose(&w).expect("valid");
    assert_eq!(p.procedure, AppelOffresOuvert);
    assert!(p.lots[1].small_lot_exception);
    assert_eq!(p.thresholds[3].value, dec!(1000000));
    // Below the formalised threshold, no exception: every lot follows the operation.
    let p = propose(&mk(&[dec!(100000), dec!(20000)])).expect("valid");
    assert!(
        p.lots
            .iter()
            .all(|l| l.procedure == ProcedureAdaptee && !l.small_lot_exception)
    );
    assert_eq!(p.thresholds.len(), 3);
}

#[test]
fn invalid_inputs_in_french() {
    let mut input = ProcedureInput::single(Services, dec!(0), d(2026, 12, 1));
    let e = propose(&input).expect_err("zero");
    assert_eq!(
        e.to_string(),
        "Lot « Marché unique » : le montant estimé HT doit être strictement positif (reçu : 0,00 €)."
    );
    input.lots[0].amount_ht = dec!(1000);
    input.lots[0].options_ht = dec!(-1);
    assert!(
        propose(&input)
            .expect_err("negative options")
            .to_string()
            .contains("options")
    );
    input.lots.clear();
    assert_eq!(
        propose(&input).expect_err("no lot").to_string(),
        "La consultation doit comporter au moins un lot (ou un marché unique)."
    );
    let e = propose(&ProcedureInput::single(
        Services,
        dec!(100000),
        d(2019, 3, 31),
    ))
    .expect_err("before CCP");
    assert!(e.to_string().starts_with("Aucune valeur en vigueur"));
}

#[test]
fn proposal_serializes_snake_case() {
    let p = run(Services, dec!(350000), d(2026, 12, 1));
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["procedure"], "appel_offres_ouvert");
    assert_eq!(v["publicity"]["code"], "joue_et_boamp");
    assert_eq!(v["total_amount_ht"], "350000");
    assert_eq!(v["lots"][0]["procedure"], "appel_offres_ouvert");
    let p = run(Services, dec!(30000), d(2026, 12, 1));
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["procedure"], "sans_publicite_ni_mise_en_concurrence");
    assert_eq!(v["publicity"]["code"], "none");
    let input: ProcedureInput = serde_json::from_value(serde_json::json!({
        "nature": "services",
        "lots": [{"label": "DUI", "amount_ht": "350000"}],
        "launch_date": "2026-12-01"
    }))
    .expect("defaults apply");
    assert!(input.electronic_reception);
    assert_eq!(input.buyer_kind, BuyerKind::CollectiviteOuEpl);
}

proptest::proptest! {
    #[test]
    fn procedure_is_monotonic_in_amount(a in 1i64..1_000_000_000, b in 1i64..1_000_000_000, day in 0i64..700) {
        let launch = crate::calendar::add_calendar_days(d(2026, 1, 1), day);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        for nature in [Services, Fournitures, Travaux] {
            let p_lo = proc_of(nature, Decimal::new(lo, 2), launch);
            let p_hi = proc_of(nature, Decimal::new(hi, 2), launch);
            proptest::prop_assert!(p_lo <= p_hi);
        }
    }
}
