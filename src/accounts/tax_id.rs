//! Tax ids: a Chilean RUT is checked with its verifier digit (módulo 11); elsewhere the
//! tax id is free text within bounds.

/// Most characters a tax id may have.
pub(crate) const MAX_TAX_ID_CHARS: usize = 40;

/// Why a tax id was refused (the form's message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TaxIdError {
    #[error("Enter the tax id.")]
    Missing,
    #[error("A tax id has at most {MAX_TAX_ID_CHARS} characters.")]
    TooLong,
    #[error("A RUT looks like 76.123.456-7: digits, a hyphen and the verifier digit (0–9 or K).")]
    NotARut,
    #[error("This RUT's verifier digit is wrong: check the number.")]
    WrongVerifier,
}

impl TaxIdError {
    /// The refusal said in `loc`'s language (the forms'); `Display` stays English.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::msg;
        match self {
            TaxIdError::TooLong => crate::i18n::tr!(loc, "customers-error-tax-id-length", max = MAX_TAX_ID_CHARS),
            other => loc.t(match other {
                TaxIdError::Missing => msg!("customers-error-tax-id-missing"),
                TaxIdError::NotARut => msg!("customers-error-tax-id-not-a-rut"),
                _ => msg!("customers-error-tax-id-verifier"),
            }),
        }
    }
}

/// The verifier digit of a RUT's body (módulo 11: `0`–`9` or `K`).
pub(crate) fn rut_verifier(body: u32) -> char {
    let mut sum = 0u32;
    let mut factor = 2u32;
    let mut rest = body;
    while rest > 0 {
        sum += (rest % 10) * factor;
        rest /= 10;
        factor = if factor == 7 { 2 } else { factor + 1 };
    }
    match 11 - (sum % 11) {
        11 => '0',
        10 => 'K',
        digit => char::from_digit(digit, 10).unwrap_or('0'),
    }
}

/// A RUT as typed (`76.123.456-7`, `76123456-7`, `761234567`), checked and written the
/// one way it is stored: `76.123.456-7`.
pub(crate) fn check_rut(text: &str) -> Result<String, TaxIdError> {
    let compact: String = text.chars().filter(|c| !matches!(c, '.' | '-' | ' ')).collect::<String>().to_uppercase();
    if !compact.is_ascii() || compact.len() < 2 || compact.len() > 9 {
        return Err(TaxIdError::NotARut);
    }
    let (body, verifier) = compact.split_at(compact.len() - 1);
    let verifier = verifier.chars().next().ok_or(TaxIdError::NotARut)?;
    if !body.bytes().all(|b| b.is_ascii_digit()) || !(verifier.is_ascii_digit() || verifier == 'K') {
        return Err(TaxIdError::NotARut);
    }
    let number: u32 = body.parse().map_err(|_| TaxIdError::NotARut)?;
    if number == 0 {
        return Err(TaxIdError::NotARut);
    }
    if rut_verifier(number) != verifier {
        return Err(TaxIdError::WrongVerifier);
    }
    let digits = number.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    Ok(format!("{grouped}-{verifier}"))
}

/// A tax id for an account in `country` (ISO code): a RUT in Chile, free text elsewhere.
pub(crate) fn check_tax_id(country: &str, text: &str) -> Result<String, TaxIdError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TaxIdError::Missing);
    }
    if text.chars().count() > MAX_TAX_ID_CHARS {
        return Err(TaxIdError::TooLong);
    }
    if country == "CL" {
        return check_rut(text);
    }
    if text.chars().any(char::is_control) {
        return Err(TaxIdError::NotARut);
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruts_are_checked_with_their_verifier_digit() {
        // Known RUTs: the SII's own and a K.
        assert_eq!(check_rut("60.803.000-K"), Ok("60.803.000-K".into()));
        assert_eq!(check_rut("60803000k"), Ok("60.803.000-K".into()));
        assert_eq!(check_rut("76.086.428-5"), Ok("76.086.428-5".into()));
        assert_eq!(check_rut("11.111.111-1"), Ok("11.111.111-1".into()));
        assert_eq!(check_rut("76.086.428-4"), Err(TaxIdError::WrongVerifier));
        assert_eq!(check_rut("76.086.42A-5"), Err(TaxIdError::NotARut));
        assert_eq!(check_rut("5"), Err(TaxIdError::NotARut));
        assert_eq!(check_rut("1ñ"), Err(TaxIdError::NotARut), "no panic on a multi-byte last character");
        assert_eq!(check_rut("0-0"), Err(TaxIdError::NotARut));
        assert_eq!(rut_verifier(1), '9');
    }

    #[test]
    fn other_countries_take_free_text_within_bounds() {
        assert_eq!(check_tax_id("AR", " 30-71234567-1 "), Ok("30-71234567-1".into()));
        assert_eq!(check_tax_id("CL", "76.086.428-4"), Err(TaxIdError::WrongVerifier));
        assert_eq!(check_tax_id("US", ""), Err(TaxIdError::Missing));
        assert_eq!(check_tax_id("US", &"9".repeat(41)), Err(TaxIdError::TooLong));
    }
}
