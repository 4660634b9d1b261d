//! Money is an integer amount of the currency's minor unit plus an ISO code. Never floats.

/// Decimal places of a currency's minor unit (CLP has none).
pub(crate) fn minor_digits(currency: &str) -> u32 {
    match currency {
        "CLP" | "JPY" | "KRW" | "PYG" => 0,
        _ => 2,
    }
}

/// Formats an amount for people: `CLP 1.234.567`, `USD 1,234.50`, `-CLP 5.000`.
pub fn format(amount: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let negative = amount < 0;
    let abs = amount.unsigned_abs();
    let divisor = 10u64.pow(digits);
    let (whole, fraction) = (abs / divisor, abs % divisor);
    let (group_sep, decimal_sep) = if currency == "CLP" { ('.', ',') } else { (',', '.') };
    let whole_text = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in whole_text.chars().enumerate() {
        if i > 0 && (whole_text.len() - i) % 3 == 0 {
            grouped.push(group_sep);
        }
        grouped.push(ch);
    }
    let sign = if negative { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{currency} {grouped}")
    } else {
        format!("{sign}{currency} {grouped}{decimal_sep}{fraction:0width$}", width = digits as usize)
    }
}

/// Multiplies a unit price by a quantity, refusing overflow.
pub(crate) fn line_total(unit_price: i64, quantity: i32) -> Option<i64> {
    unit_price.checked_mul(i64::from(quantity))
}

/// Why two amounts could not be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MoneyError {
    #[cfg(test)]
    #[error("{0} and {1} cannot be added: they are different currencies")]
    CurrencyMismatch(String, String),
    #[error("the amount is too large")]
    Overflow,
}

impl From<MoneyError> for crate::error::AppError {
    fn from(e: MoneyError) -> Self {
        crate::error::AppError::Internal(e.to_string())
    }
}

/// An amount of one currency, in its minor unit. Two currencies never add up to a number.
/// Only the ledger's property tests use it: every stored amount sits beside its currency.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Money {
    pub amount: i64,
    pub currency: String,
}

#[cfg(test)]
impl Money {
    pub(crate) fn new(amount: i64, currency: &str) -> Money {
        Money { amount, currency: currency.to_string() }
    }

    pub(crate) fn zero(currency: &str) -> Money {
        Money::new(0, currency)
    }

    /// The sum, or an error for another currency or an overflow.
    pub(crate) fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency.clone(), other.currency.clone()));
        }
        let amount = self.amount.checked_add(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, currency: self.currency.clone() })
    }

    /// Sums amounts of `currency`; an amount of another currency is an error.
    pub(crate) fn sum<'a>(currency: &str, amounts: impl IntoIterator<Item = &'a Money>) -> Result<Money, MoneyError> {
        amounts.into_iter().try_fold(Money::zero(currency), |sum, m| sum.checked_add(m))
    }
}

/// Sums whole amounts, refusing overflow.
pub(crate) fn checked_sum(amounts: impl IntoIterator<Item = i64>) -> Result<i64, MoneyError> {
    amounts.into_iter().try_fold(0i64, |sum, a| sum.checked_add(a).ok_or(MoneyError::Overflow))
}

/// `amount × numerator / denominator`, rounded down, computed without overflow; an error
/// when the result does not fit (or the denominator is not positive).
pub(crate) fn prorated(amount: i64, numerator: i64, denominator: i64) -> Result<i64, MoneyError> {
    if denominator <= 0 {
        return Err(MoneyError::Overflow);
    }
    let exact = i128::from(amount) * i128::from(numerator) / i128::from(denominator);
    i64::try_from(exact).map_err(|_| MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_clp_without_decimals_and_usd_with_cents() {
        assert_eq!(format(1_234_567, "CLP"), "CLP 1.234.567");
        assert_eq!(format(0, "CLP"), "CLP 0");
        assert_eq!(format(-5_000, "CLP"), "-CLP 5.000");
        assert_eq!(format(123_450, "USD"), "USD 1,234.50");
        assert_eq!(format(5, "USD"), "USD 0.05");
    }

    #[test]
    fn two_currencies_do_not_add_up() {
        let clp = Money::new(1_000, "CLP");
        assert_eq!(clp.checked_add(&Money::new(500, "CLP")), Ok(Money::new(1_500, "CLP")));
        assert_eq!(
            clp.checked_add(&Money::new(5, "USD")),
            Err(MoneyError::CurrencyMismatch("CLP".into(), "USD".into()))
        );
        assert_eq!(Money::new(i64::MAX, "CLP").checked_add(&Money::new(1, "CLP")), Err(MoneyError::Overflow));
        let mixed = [Money::new(1, "CLP"), Money::new(2, "USD")];
        assert!(Money::sum("CLP", &mixed).is_err());
        assert_eq!(Money::sum("CLP", &mixed[..1]).unwrap().amount, 1);
        assert_eq!(checked_sum([i64::MAX, 1]), Err(MoneyError::Overflow));
        assert_eq!(prorated(30_000, 10, 30), Ok(10_000));
        assert_eq!(prorated(i64::MAX, 3, 1), Err(MoneyError::Overflow));
    }

    #[test]
    fn line_totals_refuse_overflow() {
        assert_eq!(line_total(11_000, 3), Some(33_000));
        assert_eq!(line_total(i64::MAX, 2), None);
    }
}
