//! Invoices, their items and Usage, billing runs and reports. Money lives here too.

pub mod credits;
pub mod discounts;
pub mod ledger;
#[cfg(test)]
mod ledger_properties;
pub mod money;
pub mod order_invoice;
pub mod report;
pub mod report_query;
pub mod run;
pub mod saved_reports;
pub mod store;
pub mod tax;
pub mod usage;
pub mod usage_import;
