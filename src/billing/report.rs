//! The report builder's definitions for the entity "Invoices and Invoice Items": which
//! fields, which criteria, sums only or not, and the sort. Pure: read from and written to
//! query strings (so a report is a link and works without JavaScript) and JSON (saved
//! reports). `report_query` runs them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::billing::run::Period;
use crate::billing::usage;
use crate::error::encode_query_value;
use crate::i18n::{msg, tr, Lang, Localize};

/// How a field's values look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Date,
    /// Whole numbers (money in the currency's minor unit); summed in "sums only".
    Number,
}

macro_rules! fields {
    ($($variant:ident = $key:literal, $label:literal, $kind:ident;)*) => {
        /// A column of the report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Field { $(#[serde(rename = $key)] $variant,)* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The name in query strings and saved definitions.
            pub fn key(self) -> &'static str {
                match self { $(Field::$variant => $key,)* }
            }

            /// The English column heading (the pages and the CSV say [`Field::heading`];
            /// a test keeps the two the same).
            #[cfg(test)]
            pub(crate) fn label(self) -> &'static str {
                match self { $(Field::$variant => $label,)* }
            }

            pub(crate) fn kind(self) -> Kind {
                match self { $(Field::$variant => Kind::$kind,)* }
            }

            pub(crate) fn parse(key: &str) -> Option<Field> {
                match key { $($key => Some(Field::$variant),)* _ => None }
            }
        }
    };
}

fields! {
    InvoiceNumber = "invoice_number", "Invoice #", Text;
    InvoiceType = "invoice_type", "Invoice Type", Text;
    InvoiceDate = "invoice_date", "Invoice Date", Date;
    Account = "account", "Account", Text;
    BillingTo = "billing_to", "Billing To", Text;
    Subscription = "subscription", "Subscription", Text;
    SubscriptionExternalId = "subscription_external_id", "Subscription External Id", Text;
    Product = "product", "Product", Text;
    Usage = "usage", "Usage", Text;
    StartDate = "start_date", "Start Date", Date;
    EndDate = "end_date", "End Date", Date;
    Currency = "currency", "Currency", Text;
    Quantity = "quantity", "Quantity", Number;
    UnitPrice = "unit_price", "Unit Price", Number;
    UnitCost = "unit_cost", "Unit Cost", Number;
    Total = "total", "Total", Number;
    TotalCost = "total_cost", "Total Cost", Number;
}

impl Field {
    /// The column heading (and CSV header) in `loc`'s language.
    pub(crate) fn heading(self, loc: &impl Localize) -> String {
        loc.t(match self {
            Field::InvoiceNumber => msg!("reports-field-invoice-number"),
            Field::InvoiceType => msg!("reports-field-invoice-type"),
            Field::InvoiceDate => msg!("reports-field-invoice-date"),
            Field::Account => msg!("reports-field-account"),
            Field::BillingTo => msg!("reports-field-billing-to"),
            Field::Subscription => msg!("reports-field-subscription"),
            Field::SubscriptionExternalId => msg!("reports-field-subscription-external-id"),
            Field::Product => msg!("reports-field-product"),
            Field::Usage => msg!("reports-field-usage"),
            Field::StartDate => msg!("reports-field-start-date"),
            Field::EndDate => msg!("reports-field-end-date"),
            Field::Currency => msg!("reports-field-currency"),
            Field::Quantity => msg!("reports-field-quantity"),
            Field::UnitPrice => msg!("reports-field-unit-price"),
            Field::UnitCost => msg!("reports-field-unit-cost"),
            Field::Total => msg!("reports-field-total"),
            Field::TotalCost => msg!("reports-field-total-cost"),
        })
    }

    /// Unit Cost and Total Cost: what the seller paid the provider for what it sold (the
    /// provider's cost to resellers), so price minus cost is a reseller's margin. Sellers
    /// (the provider's and resellers' admins) report them; a customer never sees a cost.
    pub(crate) fn is_providers_cost(self) -> bool {
        matches!(self, Field::UnitCost | Field::TotalCost)
    }
}

/// Why a definition naming a cost is refused to anybody but a seller.
pub(crate) const COSTS_ARE_THE_PROVIDERS: &str =
    "Unit Cost and Total Cost are what a seller pays the provider; only sellers' admins can report them.";

/// The Usage values offered as criteria (product families add their own).
pub(crate) const KNOWN_USAGES: &[&str] = &[
    usage::AZURE_PLAN,
    usage::MS_AZURE,
    usage::DISCOUNT,
    usage::MINIMUM_COMMITMENT,
    usage::RESERVED_INSTANCE,
    usage::PERPETUAL_LICENSE,
    usage::SOFTWARE_SUBSCRIPTION,
    usage::LICENSE_SUBSCRIPTION,
    usage::ADD_ON,
    usage::CONSUMPTION,
];

const MAX_USAGES: usize = 30;
const MAX_TEXT: usize = 100;

/// A report: what it shows and which items it takes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Definition {
    pub fields: Vec<Field>,
    /// Items whose start date is on or after this day.
    pub date_from: Option<NaiveDate>,
    /// Items whose end date (or start date, when open) is on or before this day.
    pub date_to: Option<NaiveDate>,
    /// Items with one of these Usages (all when empty).
    pub usages: Vec<String>,
    /// `debit` or `credit` (both when `None`).
    pub invoice_type: Option<String>,
    /// An account code.
    pub account: Option<String>,
    /// The invoices' billing period, `YYYY-MM`.
    pub billing_period: Option<String>,
    /// The invoices' currency, an ISO code such as `CLP`.
    pub currency: Option<String>,
    /// Group by the non-numeric fields and sum the numeric ones; always per currency
    /// (see [`Definition::summed_per_currency`]).
    pub sums_only: bool,
    pub sort: Option<Field>,
    pub descending: bool,
}

impl Definition {
    /// Reads a definition from query-string pairs: `field` (repeated), `from`, `to`,
    /// `usage` (repeated), `type`, `account`, `period`, `currency`, `sums`, `sort`, `dir`. Other keys
    /// (the page number, a CSRF token) are not the definition's business.
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<Definition, Vec<String>> {
        Definition::from_pairs_in(pairs, &Lang::En)
    }

    /// [`Definition::from_pairs`], the messages said in `loc`'s language (the reports page's).
    pub(crate) fn from_pairs_in(pairs: &[(String, String)], loc: &impl Localize) -> Result<Definition, Vec<String>> {
        let mut definition = Definition::default();
        let mut errors = Vec::new();
        let shown = |value: &str| value.chars().take(40).collect::<String>();
        for (key, value) in pairs {
            let value = value.trim();
            match key.as_str() {
                "field" => match Field::parse(value) {
                    Some(field) if !definition.fields.contains(&field) => definition.fields.push(field),
                    Some(_) => {}
                    None => errors.push(tr!(loc, "reports-error-unknown-field", value = shown(value))),
                },
                "from" | "to" if value.is_empty() => {}
                "from" | "to" => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    Ok(date) if key == "from" => definition.date_from = Some(date),
                    Ok(date) => definition.date_to = Some(date),
                    Err(_) => errors.push(tr!(loc, "reports-error-not-a-date", value = shown(value))),
                },
                "usage" if value.is_empty() => {}
                "usage" if value.chars().count() > MAX_TEXT => {
                    errors.push(tr!(loc, "reports-error-usage-length", max = MAX_TEXT))
                }
                "usage" if definition.usages.iter().any(|u| u == value) => {}
                "usage" => definition.usages.push(value.to_string()),
                "type" => match value {
                    "" => {}
                    "debit" | "credit" => definition.invoice_type = Some(value.to_string()),
                    _ => errors.push(tr!(loc, "reports-error-invoice-type", value = shown(value))),
                },
                "account" if value.is_empty() => {}
                "account" if value.chars().count() > 64 => {
                    errors.push(tr!(loc, "reports-error-account-length", max = 64))
                }
                "account" => definition.account = Some(value.to_string()),
                "period" if value.is_empty() => {}
                "period" => match Period::parse(value) {
                    Ok(period) => definition.billing_period = Some(period.label()),
                    Err(message) => errors.push(message),
                },
                "currency" if value.is_empty() => {}
                "currency" => match check_currency(value) {
                    Some(code) => definition.currency = Some(code),
                    None => errors.push(tr!(loc, "reports-error-not-a-currency", value = shown(value))),
                },
                "sums" => definition.sums_only = !value.is_empty() && value != "off",
                "sort" if value.is_empty() => {}
                "sort" => match Field::parse(value) {
                    Some(field) => definition.sort = Some(field),
                    None => errors.push(tr!(loc, "reports-error-unknown-sort", value = shown(value))),
                },
                "dir" => definition.descending = value == "desc",
                _ => {}
            }
        }
        errors.extend(definition.check_in(loc));
        if errors.is_empty() {
            Ok(definition)
        } else {
            Err(errors)
        }
    }

    /// The rules a definition from anywhere (a saved one too) must keep.
    pub(crate) fn check(&self) -> Vec<String> {
        self.check_in(&Lang::En)
    }

    /// [`Definition::check`], the messages said in `loc`'s language.
    pub(crate) fn check_in(&self, loc: &impl Localize) -> Vec<String> {
        let mut errors = Vec::new();
        if self.fields.is_empty() {
            errors.push(loc.t("reports-error-no-field"));
        }
        if let (Some(from), Some(to)) = (self.date_from, self.date_to) {
            if from > to {
                let (from, to) = match loc.lang() {
                    // The English message names the days as they are typed.
                    Lang::En => (from.to_string(), to.to_string()),
                    _ => (loc.day(from), loc.day(to)),
                };
                errors.push(tr!(loc, "reports-error-inverted", from = from, to = to));
            }
        }
        if self.currency.as_deref().is_some_and(|c| check_currency(c).as_deref() != Some(c)) {
            errors.push(loc.t("reports-error-currency"));
        }
        if self.usages.len() > MAX_USAGES {
            errors.push(tr!(loc, "reports-error-too-many-usages", max = MAX_USAGES));
        }
        if let Some(sort) = self.sort {
            if !self.fields.contains(&sort) {
                errors.push(tr!(loc, "reports-error-sort-not-shown", field = sort.heading(loc)));
            }
        }
        errors
    }

    /// The query-string pairs that read back as this definition.
    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = self.fields.iter().map(|f| ("field", f.key().into())).collect();
        if let Some(from) = self.date_from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = self.date_to {
            pairs.push(("to", to.to_string()));
        }
        pairs.extend(self.usages.iter().map(|u| ("usage", u.clone())));
        if let Some(kind) = &self.invoice_type {
            pairs.push(("type", kind.clone()));
        }
        if let Some(account) = &self.account {
            pairs.push(("account", account.clone()));
        }
        if let Some(period) = &self.billing_period {
            pairs.push(("period", period.clone()));
        }
        if let Some(currency) = &self.currency {
            pairs.push(("currency", currency.clone()));
        }
        if self.sums_only {
            pairs.push(("sums", "on".into()));
        }
        if let Some(sort) = self.sort {
            pairs.push(("sort", sort.key().into()));
            pairs.push(("dir", if self.descending { "desc" } else { "asc" }.into()));
        }
        pairs
    }

    /// `to_pairs` as an encoded query string (without `?`).
    pub(crate) fn query_string(&self) -> String {
        self.to_pairs()
            .iter()
            .map(|(key, value)| format!("{key}={}", encode_query_value(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The same report without the provider's cost fields (a ready report run by a reseller).
    pub(crate) fn without_providers_costs(self) -> Definition {
        let sort = self.sort.filter(|f| !f.is_providers_cost());
        let fields = self.fields.into_iter().filter(|f| !f.is_providers_cost()).collect();
        Definition { fields, sort, ..self }
    }

    /// Whether it shows or sorts by one of the provider's costs.
    pub(crate) fn names_providers_costs(&self) -> bool {
        self.fields.iter().chain(self.sort.iter()).any(|f| f.is_providers_cost())
    }

    /// The same report sorted by `field`: ascending first, then the other way.
    pub(crate) fn sorted_by(&self, field: Field) -> Definition {
        let descending = self.sort == Some(field) && !self.descending;
        Definition { sort: Some(field), descending, ..self.clone() }
    }

    /// The fields grouped on in "sums only".
    pub(crate) fn group_fields(&self) -> Vec<Field> {
        self.fields.iter().copied().filter(|f| f.kind() != Kind::Number).collect()
    }

    /// The definition as it runs: a sums-only report always shows (and so groups by) the
    /// Currency, last when it was not chosen, so that pesos are never added to dollars.
    pub(crate) fn summed_per_currency(mut self) -> Definition {
        if self.sums_only && !self.fields.contains(&Field::Currency) {
            self.fields.push(Field::Currency);
        }
        self
    }
}

/// An ISO 4217 code as typed (`usd` reads as `USD`); `None` when it is not three letters.
fn check_currency(value: &str) -> Option<String> {
    let code = value.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

/// The reports that ship ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ready {
    AzureReconciliation,
    DebitInvoicesWithDiscounts,
}

impl Ready {
    pub(crate) const ALL: &'static [Ready] = &[Ready::AzureReconciliation, Ready::DebitInvoicesWithDiscounts];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Ready::AzureReconciliation => "azure-reconciliation",
            Ready::DebitInvoicesWithDiscounts => "debit-invoices-with-discounts",
        }
    }

    pub(crate) fn parse(key: &str) -> Option<Ready> {
        Ready::ALL.iter().copied().find(|r| r.key() == key)
    }

    #[cfg(test)]
    pub(crate) fn title(self) -> &'static str {
        match self {
            Ready::AzureReconciliation => "Azure reconciliation",
            Ready::DebitInvoicesWithDiscounts => "Debit invoices with discount lines",
        }
    }

    /// The title in `loc`'s language.
    pub(crate) fn title_in(self, loc: &impl Localize) -> String {
        loc.t(match self {
            Ready::AzureReconciliation => msg!("reports-ready-azure-title"),
            Ready::DebitInvoicesWithDiscounts => msg!("reports-ready-discounts-title"),
        })
    }

    /// The description in `loc`'s language.
    pub(crate) fn description_in(self, loc: &impl Localize) -> String {
        loc.t(match self {
            Ready::AzureReconciliation => msg!("reports-ready-azure-description"),
            Ready::DebitInvoicesWithDiscounts => msg!("reports-ready-discounts-description"),
        })
    }

    /// The definition; the reconciliation takes the billing period.
    pub(crate) fn definition(self, period: Period) -> Definition {
        use Field::*;
        match self {
            Ready::AzureReconciliation => Definition {
                fields: vec![
                    Account,
                    Subscription,
                    SubscriptionExternalId,
                    Usage,
                    Quantity,
                    Total,
                    TotalCost,
                    Currency,
                ],
                usages: vec![usage::AZURE_PLAN.into(), usage::MS_AZURE.into()],
                invoice_type: Some("debit".into()),
                billing_period: Some(period.label()),
                sums_only: true,
                sort: Some(Subscription),
                ..Default::default()
            },
            Ready::DebitInvoicesWithDiscounts => Definition {
                fields: vec![InvoiceNumber, InvoiceDate, Account, BillingTo, Total, Currency],
                usages: vec![usage::DISCOUNT.into()],
                invoice_type: Some("debit".into()),
                sums_only: true,
                sort: Some(InvoiceNumber),
                ..Default::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_definition_reads_back_from_its_own_query_string() {
        let definition = Definition::from_pairs(&pairs(&[
            ("field", "invoice_number"),
            ("field", "usage"),
            ("field", "total"),
            ("field", "usage"),
            ("from", "2026-10-01"),
            ("to", "2026-10-31"),
            ("usage", "Azure Plan"),
            ("usage", "Discount"),
            ("type", "debit"),
            ("account", "CONTOSO"),
            ("period", "2026-10"),
            ("currency", "usd"),
            ("sums", "on"),
            ("sort", "total"),
            ("dir", "desc"),
            ("page", "3"),
        ]))
        .unwrap();
        assert_eq!(definition.fields, vec![Field::InvoiceNumber, Field::Usage, Field::Total], "duplicates dropped");
        assert_eq!(definition.currency.as_deref(), Some("USD"));
        assert_eq!(definition.group_fields(), vec![Field::InvoiceNumber, Field::Usage]);
        let again: Vec<(String, String)> = definition.to_pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        assert_eq!(Definition::from_pairs(&again).unwrap(), definition);
        let json = serde_json::to_string(&definition).unwrap();
        assert!(json.contains("\"invoice_number\""));
        assert_eq!(serde_json::from_str::<Definition>(&json).unwrap(), definition);
        assert!(
            definition.query_string().contains("usage=Azure%20Plan")
                || definition.query_string().contains("usage=Azure+Plan")
        );
    }

    #[test]
    fn bad_definitions_say_what_is_wrong() {
        let errors = |query: &[(&str, &str)]| Definition::from_pairs(&pairs(query)).unwrap_err().join(" | ");
        assert_eq!(errors(&[]), "Choose at least one field.");
        assert!(errors(&[("field", "password_hash")]).contains("Unknown field “password_hash”"));
        assert!(errors(&[("field", "total"), ("from", "2026-10-31"), ("to", "2026-10-01")])
            .contains("The date range is inverted: from 2026-10-31 is after to 2026-10-01."));
        assert!(errors(&[("field", "total"), ("from", "yesterday")]).contains("is not a date"));
        assert!(errors(&[("field", "total"), ("type", "proforma")]).contains("Unknown invoice type"));
        assert!(errors(&[("field", "total"), ("period", "2026-13")]).contains("YYYY-MM"));
        assert!(errors(&[("field", "total"), ("sort", "usage")]).contains("Sort by a field the report shows"));
        assert!(errors(&[("field", "total"), ("sort", "1; DROP TABLE invoices")]).contains("Unknown field"));
        assert!(errors(&[("field", "total"), ("currency", "pesos")]).contains("three-letter ISO code"));
        assert!(errors(&[("field", "total"), ("currency", "U$D")]).contains("three-letter ISO code"));
        let saved = Definition { fields: vec![Field::Total], currency: Some("usd".into()), ..Default::default() };
        assert_eq!(saved.check(), vec!["A currency is a three-letter ISO code such as CLP or USD.".to_string()]);
    }

    #[test]
    fn a_sums_only_report_always_shows_and_groups_by_the_currency() {
        use Field::*;
        let sums = Definition { fields: vec![Usage, Total], sums_only: true, ..Default::default() };
        let running = sums.clone().summed_per_currency();
        assert_eq!(running.fields, vec![Usage, Total, Currency], "added last");
        assert_eq!(running.group_fields(), vec![Usage, Currency]);
        let chosen = Definition { fields: vec![Currency, Total], sums_only: true, ..Default::default() };
        assert_eq!(chosen.clone().summed_per_currency(), chosen, "kept where it was chosen");
        let rows = Definition { fields: vec![Usage, Total], ..Default::default() };
        assert_eq!(rows.clone().summed_per_currency(), rows, "rows are not summed");
        for ready in Ready::ALL {
            let definition = ready.definition(Period::parse("2026-10").unwrap());
            assert_eq!(definition.clone().summed_per_currency(), definition, "{}", ready.title());
        }
    }

    #[test]
    fn sorting_a_column_twice_turns_it_around() {
        let definition = Definition { fields: vec![Field::Total], ..Default::default() };
        let once = definition.sorted_by(Field::Total);
        assert_eq!((once.sort, once.descending), (Some(Field::Total), false));
        assert!(once.sorted_by(Field::Total).descending);
    }

    #[test]
    fn ready_reports_are_valid_definitions() {
        let october = Period::parse("2026-10").unwrap();
        for ready in Ready::ALL {
            assert!(ready.definition(october).check().is_empty(), "{}", ready.title());
            assert_eq!(Ready::parse(ready.key()), Some(*ready));
        }
        let reconciliation = Ready::AzureReconciliation.definition(october);
        assert_eq!(reconciliation.usages, vec!["Azure Plan", "MS Azure"]);
        assert_eq!(reconciliation.billing_period.as_deref(), Some("2026-10"));
    }

    #[test]
    fn the_english_headings_are_the_fields_labels_and_spanish_has_its_own() {
        for field in Field::ALL {
            assert_eq!(field.heading(&Lang::En), field.label(), "{field:?}");
            assert_ne!(field.heading(&Lang::EsCl), field.key(), "{field:?} has a Spanish heading");
        }
        assert_eq!(Field::InvoiceDate.heading(&Lang::EsCl), "Fecha de factura");
        for ready in Ready::ALL {
            assert_eq!(ready.title_in(&Lang::En), ready.title());
        }
    }
}
