//! Schema migrations for Stratus; run at start-up by the server.
pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_schema;
mod m20261126_000002_one_pending_action;
mod m20261126_000003_ramp_up_on_items;
mod m20261126_000004_webpay_events;
mod m20261126_000005_discounts;
mod m20261129_000006_net_prices_and_vat;
mod m20261129_000007_payments;
mod m20261129_000008_reservation_prices;
mod m20261129_000009_session_generation;
mod m20261130_000010_user_sessions;
mod m20261130_000011_growing_lockouts;
mod m20261130_000012_trust_unverified_email;
mod m20261130_000013_mail;
mod m20261130_000014_accounts_and_users;
mod m20261130_000015_catalogue;
mod m20261130_000016_price_history;
mod m20261201_000017_background_jobs;
mod m20261201_000018_shared_rate_limits;
mod m20261202_000019_config_version;
mod m20261202_000020_pending_actions_by_subscription;
mod m20261203_000021_second_factors;
mod m20261203_000022_passkeys;
mod m20261204_000023_languages;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_schema::Migration),
            Box::new(m20261126_000002_one_pending_action::Migration),
            Box::new(m20261126_000003_ramp_up_on_items::Migration),
            Box::new(m20261126_000004_webpay_events::Migration),
            Box::new(m20261126_000005_discounts::Migration),
            Box::new(m20261129_000006_net_prices_and_vat::Migration),
            Box::new(m20261129_000007_payments::Migration),
            Box::new(m20261129_000008_reservation_prices::Migration),
            Box::new(m20261129_000009_session_generation::Migration),
            Box::new(m20261130_000010_user_sessions::Migration),
            Box::new(m20261130_000011_growing_lockouts::Migration),
            Box::new(m20261130_000012_trust_unverified_email::Migration),
            Box::new(m20261130_000013_mail::Migration),
            Box::new(m20261130_000014_accounts_and_users::Migration),
            Box::new(m20261130_000015_catalogue::Migration),
            Box::new(m20261130_000016_price_history::Migration),
            Box::new(m20261201_000017_background_jobs::Migration),
            Box::new(m20261201_000018_shared_rate_limits::Migration),
            Box::new(m20261202_000019_config_version::Migration),
            Box::new(m20261202_000020_pending_actions_by_subscription::Migration),
            Box::new(m20261203_000021_second_factors::Migration),
            Box::new(m20261203_000022_passkeys::Migration),
            Box::new(m20261204_000023_languages::Migration),
        ]
    }
}
