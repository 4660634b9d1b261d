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

use crate::entities::enums::{BillingCycle, ProductKind};
use crate::entities::{prices, products};
use crate::i18n::{msg, tr, Localize};

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

impl QuantityOutOfRange {
    /// The refusal in the reader's language.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        tr!(loc, "product-quantity-out-of-range", max = Quantity::MAX)
    }
}

/// A product kind as people read it, in their language.
pub(crate) fn product_kind_label(loc: &impl Localize, kind: ProductKind) -> String {
    loc.t(match kind {
        ProductKind::LicenseSubscription => msg!("product-kind-license-subscription"),
        ProductKind::Consumption => msg!("product-kind-consumption"),
        ProductKind::PerpetualLicense => msg!("product-kind-perpetual-license"),
        ProductKind::SoftwareSubscription => msg!("product-kind-software-subscription"),
        ProductKind::ReservedInstance => msg!("product-kind-reserved-instance"),
        ProductKind::Addon => msg!("product-kind-addon"),
    })
}

/// "per month", "per year", "one-time", in the reader's language.
pub(crate) fn billing_cycle_label(loc: &impl Localize, cycle: BillingCycle) -> String {
    loc.t(match cycle {
        BillingCycle::Monthly => msg!("product-cycle-monthly"),
        BillingCycle::Annual => msg!("product-cycle-annual"),
        BillingCycle::OneTime => msg!("product-cycle-one-time"),
    })
}

/// How a product's price reads in the catalogue, in the reader's language and money format:
/// consumption is billed on usage, the rest per cycle.
pub(crate) fn price_label(
    loc: &impl Localize,
    product: &products::Model,
    prices: &[prices::Model],
    preferred_currency: &str,
) -> String {
    let Some(price) = pick_price(prices, preferred_currency) else {
        return loc.t("product-price-on-request");
    };
    if product.kind == ProductKind::Consumption {
        return match product.minimum_commitment.filter(|_| product.has_minimum_commitment()) {
            Some(minimum) => {
                tr!(loc, "product-price-usage-minimum", minimum = loc.money(minimum, &price.currency))
            }
            None => loc.t("product-price-usage"),
        };
    }
    tr!(
        loc,
        "product-price-per-cycle",
        price = loc.money(price.amount, &price.currency),
        cycle = billing_cycle_label(loc, product.billing_cycle)
    )
}

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
        let en = crate::i18n::Lang::En;
        let es = crate::i18n::Lang::EsCl;
        assert_eq!(price_label(&en, &product, &prices, "CLP"), "Billed on usage · minimum CLP 100,000 per month");
        assert_eq!(price_label(&es, &product, &prices, "CLP"), "Se factura según el uso · mínimo $100.000 al mes");
        product.kind = ProductKind::LicenseSubscription;
        assert_eq!(price_label(&en, &product, &[price("CLP", 11_500)], "CLP"), "CLP 11,500 per month");
        assert_eq!(price_label(&es, &product, &[price("CLP", 11_500)], "CLP"), "$11.500 al mes");
        assert_eq!(price_label(&en, &product, &[], "CLP"), "Price on request");
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
