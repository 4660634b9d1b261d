//! VAT, in one place. List prices are **net** (Stratus sells to companies); VAT is a
//! separate line on the cart, the order, every invoice and the receipt, computed by
//! [`vat`] on a document's net subtotal, rounded half away from zero to the currency's
//! minor unit, at the rate the provider admin sets (default 19%, Chile's IVA).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use super::money::MoneyError;
use crate::entities::billing_settings;
use crate::error::AppResult;

/// Chile's IVA, 19%, in basis points: the rate of a fresh install.
pub(crate) const DEFAULT_VAT_BASIS_POINTS: i32 = 1_900;

/// A VAT rate in basis points of the net amount (1900 = 19%), between 0% and 100%.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VatRate(i32);

impl Default for VatRate {
    fn default() -> Self {
        VatRate(DEFAULT_VAT_BASIS_POINTS)
    }
}

impl VatRate {
    pub(crate) fn from_basis_points(basis_points: i32) -> Result<VatRate, String> {
        if (0..=10_000).contains(&basis_points) {
            Ok(VatRate(basis_points))
        } else {
            Err("The VAT rate is a percentage between 0 and 100.".into())
        }
    }

    /// Reads a percentage typed into a form: `19`, `19.5`, `10,25` (at most two decimals).
    pub(crate) fn parse_percent(text: &str) -> Result<VatRate, String> {
        let bad = || "The VAT rate is a percentage between 0 and 100, such as 19 or 10.5.".to_string();
        let text = text.trim().replace(',', ".");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || fraction.len() > 2 || !digits(whole) || !digits(fraction) {
            return Err(bad());
        }
        let whole: i32 = whole.parse().map_err(|_| bad())?;
        let fraction: i32 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
        VatRate::from_basis_points(whole * 100 + fraction).map_err(|_| bad())
    }

    pub(crate) fn basis_points(self) -> i32 {
        self.0
    }

    /// `19%`, `10.5%`.
    pub(crate) fn label(self) -> String {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => format!("{whole}%"),
            f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
            f => format!("{whole}.{f:02}%"),
        }
    }
}

/// `value × numerator / denominator` rounded half away from zero.
fn round_div(value: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if value >= 0 {
        (value + half) / denominator
    } else {
        -((-value + half) / denominator)
    }
}

/// The VAT on a net amount: the one rule every cart, order, invoice and credit uses.
pub(crate) fn vat(net: i64, rate: VatRate) -> Result<i64, MoneyError> {
    let tax = round_div(i128::from(net) * i128::from(rate.0), 10_000);
    i64::try_from(tax).map_err(|_| MoneyError::Overflow)
}

/// Net, VAT and their sum for a net amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    pub net: i64,
    pub tax: i64,
    pub total: i64,
}

pub(crate) fn totals(net: i64, rate: VatRate) -> Result<Totals, MoneyError> {
    let tax = vat(net, rate)?;
    let total = net.checked_add(tax).ok_or(MoneyError::Overflow)?;
    Ok(Totals { net, tax, total })
}

/// Splits an amount that includes VAT (a refund typed in pesos) into net and VAT:
/// the net is the gross without the rate, rounded half away from zero; the VAT is the rest.
pub(crate) fn split_gross(gross: i64, rate: VatRate) -> Result<Totals, MoneyError> {
    let net = round_div(i128::from(gross) * 10_000, 10_000 + i128::from(rate.0));
    let net = i64::try_from(net).map_err(|_| MoneyError::Overflow)?;
    let tax = gross.checked_sub(net).ok_or(MoneyError::Overflow)?;
    Ok(Totals { net, tax, total: gross })
}

/// The VAT rate in force.
pub(crate) async fn current_rate<C: ConnectionTrait>(db: &C) -> AppResult<VatRate> {
    let row = billing_settings::Entity::find_by_id(1).one(db).await?;
    Ok(row.and_then(|r| VatRate::from_basis_points(r.vat_basis_points).ok()).unwrap_or_default())
}

/// Sets the VAT rate for carts and invoices from now on (provider admins: the caller checks).
pub(crate) async fn set_rate<C: ConnectionTrait>(db: &C, rate: VatRate) -> AppResult<()> {
    let row = billing_settings::ActiveModel {
        id: Set(1),
        vat_basis_points: Set(rate.basis_points()),
        updated_at: Set(Utc::now()),
    };
    match billing_settings::Entity::find_by_id(1).one(db).await? {
        Some(_) => row.update(db).await?,
        None => row.insert(db).await?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_is_rounded_half_away_from_zero_on_the_net() {
        let iva = VatRate::default();
        assert_eq!(vat(100_000, iva), Ok(19_000));
        assert_eq!(vat(643_000, iva), Ok(122_170));
        assert_eq!(vat(50, iva), Ok(10), "9.5 rounds up");
        assert_eq!(vat(47, iva), Ok(9), "8.93 rounds to 9");
        assert_eq!(vat(-50, iva), Ok(-10), "a credit is the mirror of a charge");
        assert_eq!(vat(0, iva), Ok(0));
        assert!(totals(i64::MAX, iva).is_err(), "no wrapping");
        assert_eq!(totals(643_000, iva).unwrap().total, 765_170);
    }

    #[test]
    fn a_gross_amount_splits_into_net_and_vat_that_add_back_up() {
        let iva = VatRate::default();
        assert_eq!(split_gross(765_170, iva).unwrap(), Totals { net: 643_000, tax: 122_170, total: 765_170 });
        for gross in [1, 2, 119, 1_000, 143_000, 999_999] {
            let split = split_gross(gross, iva).unwrap();
            assert_eq!(split.net + split.tax, gross);
            assert!((split.tax - vat(split.net, iva).unwrap()).abs() <= 1, "{gross}: {split:?}");
        }
    }

    #[test]
    fn rates_are_read_as_percentages() {
        assert_eq!(VatRate::parse_percent("19").unwrap().basis_points(), 1_900);
        assert_eq!(VatRate::parse_percent(" 10,5 ").unwrap().basis_points(), 1_050);
        assert_eq!(VatRate::parse_percent("0").unwrap().label(), "0%");
        assert_eq!(VatRate::parse_percent("10.25").unwrap().label(), "10.25%");
        assert_eq!(VatRate::parse_percent("10.5").unwrap().label(), "10.5%");
        for bad in ["", "-1", "101", "19.555", "abc", "1e2", "19%", "１９"] {
            assert!(VatRate::parse_percent(bad).is_err(), "{bad}");
        }
    }
}
