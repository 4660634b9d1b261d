//! The integration tests: one binary, one module per capability.

mod accounts;
mod api;
mod bad_input;
mod billing;
mod branding;
mod catalog;
mod checkout;
mod csrf;
mod demo_provider;
mod fuzz_corpus;
mod identity;
mod identity_providers;
mod invoices;
mod login_options;
mod mail;
mod members;
mod money;
mod pages;
mod reports;
mod smtp_sink;
mod subscriptions;
mod support;
mod test_op;
mod webpay;
mod webpay_wire;
