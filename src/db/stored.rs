//! Reading values stored as text (decimal amounts, weights, notes): a value that does not read
//! back is an altered row, and it stops the computation with a message naming it, instead of
//! becoming 0 (a corrupt price read as 0 € would rank first).

use crate::error::AppError;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The decimal stored for `what` (« prix HT du pli n° 12 »).
///
/// # Errors
/// `Internal`, naming the value and where it is, when it does not read as a decimal.
pub fn decimal(what: &str, raw: &str) -> Result<Decimal, AppError> {
    Decimal::from_str(raw.trim()).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "valeur illisible en base ({what}) : « {raw} » — la donnée a été altérée ; aucun calcul n'est fait avec elle"
        ))
    })
}

/// Like [`decimal`] for an optional column: absent stays absent.
///
/// # Errors
/// As [`decimal`].
pub fn optional_decimal(what: &str, raw: Option<&str>) -> Result<Option<Decimal>, AppError> {
    raw.map(|r| decimal(what, r)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_decimal_reads_back_or_names_itself() {
        assert_eq!(
            decimal("prix", "1417.98").expect("reads"),
            Decimal::new(141_798, 2)
        );
        let e = decimal("prix HT du pli n° 12", "12,3x").unwrap_err();
        let AppError::Internal(e) = e else {
            panic!("an altered row is an internal error");
        };
        assert!(e.to_string().contains("pli n° 12"), "{e}");
        assert!(e.to_string().contains("12,3x"), "{e}");
        assert_eq!(optional_decimal("x", None).expect("absent"), None);
    }
}
