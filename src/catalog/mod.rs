//! Products, prices and the cart; the provider admin's catalogue (`admin`, `product_rules`).

pub(crate) mod admin;
pub mod cart;
pub mod orders;
pub mod price_import;
pub mod price_lists;
pub mod pricing;
pub(crate) mod product_rules;
pub mod reservations;
pub mod store;

pub use reservations::{reservation_price, ReservationChoice, ReservationOffer, ReservationOptions};

use crate::billing::money;
use crate::entities::enums::{BillingCycle, ProductKind};
use crate::entities::{prices, products};

impl ProductKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            ProductKind::LicenseSubscription => "Licence subscription",
            ProductKind::Consumption => "Consumption",
            ProductKind::PerpetualLicense => "Perpetual licence",
            ProductKind::SoftwareSubscription => "Software subscription",
            ProductKind::ReservedInstance => "Reserved instance",
            ProductKind::Addon => "Add-on",
        }
    }
}

impl BillingCycle {
    pub(crate) fn label(self) -> &'static str {
        match self {
            BillingCycle::Monthly => "per month",
            BillingCycle::Annual => "per year",
            BillingCycle::OneTime => "one-time",
        }
    }
}

impl products::Model {
    /// Whether a subscription to it is charged at least a minimum each month: a
    /// consumption product with a minimum above zero.
    pub(crate) fn has_minimum_commitment(&self) -> bool {
        self.kind == ProductKind::Consumption && self.minimum_commitment.unwrap_or(0) > 0
    }
}

/// The price to show and charge: the one in the preferred currency, else the first by currency code.
pub(crate) fn pick_price<'a>(prices: &'a [prices::Model], preferred_currency: &str) -> Option<&'a prices::Model> {
    prices
        .iter()
        .find(|p| p.currency == preferred_currency)
        .or_else(|| prices.iter().min_by(|a, b| a.currency.cmp(&b.currency)))
}

/// How a product's price reads in the catalogue: consumption is billed on usage, the rest per cycle.
pub(crate) fn price_label(product: &products::Model, prices: &[prices::Model], preferred_currency: &str) -> String {
    let Some(price) = pick_price(prices, preferred_currency) else {
        return "Price on request".into();
    };
    if product.kind == ProductKind::Consumption {
        return match product.minimum_commitment.filter(|_| product.has_minimum_commitment()) {
            Some(minimum) => format!("Billed on usage · minimum {} per month", money::format(minimum, &price.currency)),
            None => "Billed on usage".into(),
        };
    }
    format!("{} {}", money::format(price.amount, &price.currency), product.billing_cycle.label())
}

/// How many of a product: a cart line, an order item, a subscription or add-on, a change
/// at renewal. Always 1 to [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Quantity(i32);

impl Quantity {
    /// The one largest quantity: what a subscription may hold, and so what one cart line
    /// may buy or a change may ask for.
    pub(crate) const MAX: i32 = 100_000;

    /// A quantity typed into a form, or added up; refused outside 1 to [`Quantity::MAX`].
    pub(crate) fn new(quantity: i32) -> Result<Quantity, QuantityOutOfRange> {
        if (1..=Quantity::MAX).contains(&quantity) {
            Ok(Quantity(quantity))
        } else {
            Err(QuantityOutOfRange)
        }
    }

    pub(crate) fn get(self) -> i32 {
        self.0
    }
}

/// A quantity outside 1 to [`Quantity::MAX`]; displays the form message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Quantity must be between 1 and {}.", Quantity::MAX)]
pub(crate) struct QuantityOutOfRange;

/// A product for unit tests: monthly, one-month term, no commitment, active.
#[cfg(test)]
pub(crate) fn test_product(kind: crate::entities::enums::ProductKind, usage_family: &str) -> products::Model {
    products::Model {
        id: 1,
        code: "P".into(),
        name: "P".into(),
        description: String::new(),
        kind,
        vendor: String::new(),
        family: crate::entities::enums::ProductFamily::Other,
        usage_family: usage_family.into(),
        billing_cycle: crate::entities::enums::BillingCycle::Monthly,
        term_months: 1,
        minimum_commitment: None,
        base_product_id: None,
        ri_reservation_type: None,
        ri_term_years: None,
        ri_scope: None,
        ri_region: None,
        active: true,
        created_at: chrono::Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(currency: &str, amount: i64) -> prices::Model {
        prices::Model {
            id: 1,
            product_id: 1,
            currency: currency.into(),
            amount,
            unit_cost: 0,
            effective_from: chrono::NaiveDate::MIN,
            created_at: None,
        }
    }

    #[test]
    fn prefers_the_account_currency() {
        let prices = vec![price("USD", 100), price("CLP", 90_000)];
        assert_eq!(pick_price(&prices, "CLP").unwrap().currency, "CLP");
        assert_eq!(pick_price(&prices, "EUR").unwrap().currency, "CLP");
        assert_eq!(pick_price(&prices[..1], "CLP").unwrap().currency, "USD");
        assert!(pick_price(&[], "CLP").is_none());
    }

    #[test]
    fn consumption_reads_as_billed_on_usage() {
        let mut product = products::Model {
            code: "AZ".into(),
            name: "Azure plan".into(),
            vendor: "Microsoft".into(),
            minimum_commitment: Some(100_000),
            ..test_product(ProductKind::Consumption, "Azure Plan")
        };
        let prices = vec![price("CLP", 0)];
        assert_eq!(price_label(&product, &prices, "CLP"), "Billed on usage · minimum CLP 100.000 per month");
        product.kind = ProductKind::LicenseSubscription;
        assert_eq!(price_label(&product, &[price("CLP", 11_500)], "CLP"), "CLP 11.500 per month");
        assert_eq!(price_label(&product, &[], "CLP"), "Price on request");
    }

    #[test]
    fn quantities_are_checked() {
        assert_eq!(Quantity::new(0), Err(QuantityOutOfRange));
        assert_eq!(Quantity::new(-1), Err(QuantityOutOfRange));
        assert_eq!(Quantity::new(100_001), Err(QuantityOutOfRange));
        assert_eq!(QuantityOutOfRange.to_string(), "Quantity must be between 1 and 100000.");
        assert_eq!(Quantity::new(3).map(Quantity::get), Ok(3));
        assert_eq!(Quantity::new(100_000).map(Quantity::get), Ok(Quantity::MAX));
    }
}
