//! Stratus: a storefront and billing system for resellers of cloud services.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod billing;
pub mod branding;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod entities;
pub mod error;
pub mod identity;
pub(crate) mod images;
pub mod jobs;
pub mod mail;
pub mod observability;
pub mod operations;
pub(crate) mod outage;
pub mod pagination;
pub mod payments;
pub(crate) mod routing;
pub mod secrets;
pub mod server;
pub(crate) mod state;
pub mod subscriptions;
pub mod tasks;
pub(crate) mod ui;
