//! Invoices, their items and Usage, billing runs and reports. Money lives here too.

pub mod credits;
pub mod discounts;
pub mod money;
pub mod report;
pub mod report_query;
pub mod run;
pub mod saved_reports;
pub mod store;
pub mod usage;
pub mod usage_import;
