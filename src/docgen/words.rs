//! Amounts in French words, for the acte d'engagement (ATTRI1 B1: price « en chiffres et en
//! lettres »). Traditional spelling (rectifications of 1990 not applied): « vingt et un »,
//! « quatre-vingts », « deux cents », « deux cent mille », « deux millions d'euros ».

use rust_decimal::{Decimal, RoundingStrategy};

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];
const TENS: [&str; 7] = [
    "",
    "dix",
    "vingt",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
];

/// 0..=99; `final_word` tells whether nothing follows (« quatre-vingts » takes an s only then).
fn below_hundred(n: u64, final_word: bool) -> String {
    match n {
        0..=16 => UNITS[n as usize].to_owned(),
        17..=19 => format!("dix-{}", UNITS[(n - 10) as usize]),
        20..=69 => {
            let (t, u) = (n / 10, n % 10);
            match u {
                0 => TENS[t as usize].to_owned(),
                1 => format!("{} et un", TENS[t as usize]),
                _ => format!("{}-{}", TENS[t as usize], UNITS[u as usize]),
            }
        }
        70..=79 => {
            if n == 71 {
                "soixante et onze".to_owned()
            } else {
                format!("soixante-{}", below_hundred(n - 60, true))
            }
        }
        80 if final_word => "quatre-vingts".to_owned(),
        80 => "quatre-vingt".to_owned(),
        _ => format!("quatre-vingt-{}", below_hundred(n - 80, true)),
    }
}

/// 0..=999 (0 gives an empty string).
fn below_thousand(n: u64, final_word: bool) -> String {
    let (h, rest) = (n / 100, n % 100);
    let mut out = String::new();
    if h > 0 {
        if h > 1 {
            out.push_str(UNITS[h as usize]);
            out.push(' ');
        }
        out.push_str("cent");
        if h > 1 && rest == 0 && final_word {
            out.push('s');
        }
    }
    if rest > 0 {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&below_hundred(rest, final_word));
    }
    out
}

/// A whole number in French words (« trois cent cinquante mille »).
pub fn integer_fr(n: u64) -> String {
    if n == 0 {
        return UNITS[0].to_owned();
    }
    let scales: [(u64, &str); 3] = [
        (1_000_000_000_000, "billion"),
        (1_000_000_000, "milliard"),
        (1_000_000, "million"),
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut rest = n;
    for (size, name) in scales {
        let count = rest / size;
        rest %= size;
        if count > 0 {
            // « cent » and « vingt » keep their s before a noun (million, milliard).
            let plural = if count > 1 { "s" } else { "" };
            parts.push(format!("{} {name}{plural}", integer_fr(count)));
        }
    }
    let thousands = rest / 1000;
    rest %= 1000;
    if thousands == 1 {
        parts.push("mille".to_owned());
    } else if thousands > 1 {
        // « mille » is not a noun: « deux cent mille », « quatre-vingt mille ».
        parts.push(format!("{} mille", below_thousand(thousands, false)));
    }
    if rest > 0 {
        parts.push(below_thousand(rest, true));
    }
    parts.join(" ")
}

/// An amount in euros in words, rounded to the cent: « trois cent cinquante mille euros »,
/// « un million d'euros », « douze euros et cinquante centimes ». `None` when negative or too large.
pub fn money_words_fr(amount: Decimal) -> Option<String> {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        return None;
    }
    let cents_total: u64 = (rounded * Decimal::ONE_HUNDRED).trunc().try_into().ok()?;
    let (euros, cents) = (cents_total / 100, cents_total % 100);
    let mut out = integer_fr(euros);
    let exact_million = euros >= 1_000_000 && euros % 1_000_000 == 0;
    out.push_str(match (euros, exact_million) {
        (0 | 1, _) => " euro",
        (_, true) => " d'euros",
        _ => " euros",
    });
    if cents > 0 {
        let unit = if cents == 1 { "centime" } else { "centimes" };
        out.push_str(&format!(" et {} {unit}", below_hundred(cents, true)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn small_numbers_follow_traditional_spelling() {
        let cases = [
            (1, "un"),
            (17, "dix-sept"),
            (21, "vingt et un"),
            (70, "soixante-dix"),
            (71, "soixante et onze"),
            (77, "soixante-dix-sept"),
            (80, "quatre-vingts"),
            (81, "quatre-vingt-un"),
            (91, "quatre-vingt-onze"),
            (99, "quatre-vingt-dix-neuf"),
            (100, "cent"),
            (101, "cent un"),
            (200, "deux cents"),
            (280, "deux cent quatre-vingts"),
            (1000, "mille"),
            (1001, "mille un"),
        ];
        for (n, words) in cases {
            assert_eq!(integer_fr(n), words, "{n}");
        }
    }

    #[test]
    fn large_numbers_agree_cent_and_vingt_before_mille_and_million() {
        assert_eq!(integer_fr(200_000), "deux cent mille");
        assert_eq!(integer_fr(80_000), "quatre-vingt mille");
        assert_eq!(integer_fr(350_000), "trois cent cinquante mille");
        assert_eq!(integer_fr(420_000), "quatre cent vingt mille");
        assert_eq!(integer_fr(200_000_000), "deux cents millions");
        assert_eq!(
            integer_fr(1_234_567),
            "un million deux cent trente-quatre mille cinq cent soixante-sept"
        );
        assert_eq!(integer_fr(2_000_000_001), "deux milliards un");
    }

    #[test]
    fn money_in_words_handles_euro_and_cents() {
        assert_eq!(
            money_words_fr(dec!(350000)).unwrap(),
            "trois cent cinquante mille euros"
        );
        assert_eq!(money_words_fr(dec!(1)).unwrap(), "un euro");
        assert_eq!(
            money_words_fr(dec!(0.01)).unwrap(),
            "zéro euro et un centime"
        );
        assert_eq!(
            money_words_fr(dec!(2000000)).unwrap(),
            "deux millions d'euros"
        );
        assert_eq!(
            money_words_fr(dec!(420000.805)).unwrap(),
            "quatre cent vingt mille euros et quatre-vingt-un centimes"
        );
        assert_eq!(
            money_words_fr(dec!(12.50)).unwrap(),
            "douze euros et cinquante centimes"
        );
        assert!(money_words_fr(dec!(-5)).is_none());
    }
}
