//! The "Usage" of an invoice item: one classification from the product and the kind of
//! charge, so Azure plan charges (`Azure Plan`), legacy Azure (`MS Azure`) and discount
//! lines (`Discount`) can be told apart in reports and reconciled with Microsoft.

use crate::entities::enums::ProductKind;
use crate::entities::products;

pub(crate) const AZURE_PLAN: &str = "Azure Plan";
pub(crate) const MS_AZURE: &str = "MS Azure";
pub(crate) const DISCOUNT: &str = "Discount";
pub(crate) const MINIMUM_COMMITMENT: &str = "Minimum Commitment";
pub(crate) const RESERVED_INSTANCE: &str = "Reserved Instance";
pub(crate) const PERPETUAL_LICENSE: &str = "Perpetual License";
pub(crate) const SOFTWARE_SUBSCRIPTION: &str = "Software Subscription";
pub(crate) const ADD_ON: &str = "Add-on";
pub(crate) const LICENSE_SUBSCRIPTION: &str = "License Subscription";
pub(crate) const CONSUMPTION: &str = "Consumption";

/// What an invoice line charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charge {
    /// A licence, add-on or reservation for a period (or a one-time purchase).
    Recurring,
    /// Metered usage.
    Consumption,
    /// The shortfall up to a consumption product's monthly minimum.
    MinimumCommitment,
}

/// The Usage of an invoice item.
pub(crate) fn classify(product: &products::Model, charge: Charge) -> String {
    match charge {
        Charge::MinimumCommitment => return MINIMUM_COMMITMENT.into(),
        Charge::Recurring | Charge::Consumption => {}
    }
    let family = product.usage_family.trim();
    match product.kind {
        ProductKind::Consumption => {
            let lower = family.to_ascii_lowercase();
            if lower == "azure plan" {
                AZURE_PLAN.into()
            } else if lower == "ms azure" || lower.contains("legacy") {
                MS_AZURE.into()
            } else if family.is_empty() {
                CONSUMPTION.into()
            } else {
                family.into()
            }
        }
        ProductKind::ReservedInstance => RESERVED_INSTANCE.into(),
        ProductKind::PerpetualLicense => PERPETUAL_LICENSE.into(),
        ProductKind::Addon => ADD_ON.into(),
        ProductKind::SoftwareSubscription if family.is_empty() => SOFTWARE_SUBSCRIPTION.into(),
        ProductKind::LicenseSubscription if family.is_empty() => LICENSE_SUBSCRIPTION.into(),
        ProductKind::SoftwareSubscription | ProductKind::LicenseSubscription => family.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(kind: ProductKind, family: &str) -> products::Model {
        crate::catalog::test_product(kind, family)
    }

    #[test]
    fn every_product_family_has_its_usage() {
        use ProductKind::*;
        let cases = [
            (Consumption, "Azure Plan", Charge::Consumption, "Azure Plan"),
            (Consumption, "MS Azure", Charge::Consumption, "MS Azure"),
            (Consumption, "Azure (legacy CSP)", Charge::Consumption, "MS Azure"),
            (Consumption, "", Charge::Consumption, "Consumption"),
            (Consumption, "Azure Plan", Charge::MinimumCommitment, "Minimum Commitment"),
            (LicenseSubscription, "Microsoft 365", Charge::Recurring, "Microsoft 365"),
            (LicenseSubscription, "", Charge::Recurring, "License Subscription"),
            (SoftwareSubscription, "Acronis", Charge::Recurring, "Acronis"),
            (SoftwareSubscription, "", Charge::Recurring, "Software Subscription"),
            (PerpetualLicense, "Perpetual License", Charge::Recurring, "Perpetual License"),
            (ReservedInstance, "Azure", Charge::Recurring, "Reserved Instance"),
            (Addon, "Microsoft 365", Charge::Recurring, "Add-on"),
        ];
        for (kind, family, charge, expected) in cases {
            assert_eq!(classify(&product(kind, family), charge), expected, "{kind:?} {family:?} {charge:?}");
        }
    }
}
