//! Invoices, their items and Usage, billing runs and reports. Money lives here too.

pub mod credits;
pub mod money;
pub mod run;
pub mod store;
pub mod usage;
pub mod usage_import;
