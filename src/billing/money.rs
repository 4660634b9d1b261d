//! Money is an integer amount of the currency's minor unit plus an ISO code. Never floats.

/// Decimal places of a currency's minor unit (CLP has none).
pub fn minor_digits(currency: &str) -> u32 {
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
pub fn line_total(unit_price: i64, quantity: i32) -> Option<i64> {
    unit_price.checked_mul(i64::from(quantity))
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
    fn line_totals_refuse_overflow() {
        assert_eq!(line_total(11_000, 3), Some(33_000));
        assert_eq!(line_total(i64::MAX, 2), None);
    }
}
