//! One number that moves whenever what every page reads changes: the brands and their
//! hosts, the accounts (a reseller's branding switch, a suspension), the sign-in settings,
//! the identity providers and the catalogue (products, prices, price lists, reservation
//! offers). Each server keeps those in memory and reads this number
//! once per request (a primary-key read); a new number empties its memory. Triggers move
//! it in the same transaction as the change, so no code path can forget to, and every
//! instance sees the change at its next request.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns of `accounts` a brand's resolution reads (a reseller's branding switch, a
/// suspension, who belongs to whom): other account changes (a new customer's sign-up, a
/// renamed one) leave the memory alone.
const ACCOUNT_COLUMNS: &str = "tier, parent_id, branding_enabled, status";

/// The tables whose rows the servers keep in memory (`accounts` by [`ACCOUNT_COLUMNS`]).
const WATCHED: &[&str] = &[
    "accounts",
    "brands",
    "brand_hosts",
    "auth_settings",
    "identity_providers",
    "products",
    "prices",
    "reseller_prices",
    "reservation_prices",
    "reservation_options",
];

/// The UPDATE event of a table's trigger: of the read columns only, for `accounts`.
fn update_of(table: &str) -> String {
    match table {
        "accounts" => format!("UPDATE OF {ACCOUNT_COLUMNS}"),
        _ => "UPDATE".to_string(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE config_versions (id INTEGER NOT NULL PRIMARY KEY, version BIGINT NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO config_versions (id, version) VALUES (1, 1)").await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN UPDATE config_versions SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
                )
                .await?;
                for table in WATCHED {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER config_version_{table} AFTER INSERT OR DELETE OR {} ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version()",
                        update_of(table)
                    ))
                    .await?;
                }
            }
            _ => {
                for table in WATCHED {
                    for (name, event) in [
                        ("insert", "INSERT".to_string()),
                        ("update", update_of(table)),
                        ("delete", "DELETE".to_string()),
                    ] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER config_version_{table}_{name} AFTER {event} ON {table} \
                             BEGIN UPDATE config_versions SET version = version + 1 WHERE id = 1; END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for table in WATCHED {
                    db.execute_unprepared(&format!("DROP TRIGGER config_version_{table} ON {table}")).await?;
                }
                db.execute_unprepared("DROP FUNCTION bump_config_version()").await?;
            }
            _ => {
                for table in WATCHED {
                    for event in ["insert", "update", "delete"] {
                        db.execute_unprepared(&format!("DROP TRIGGER config_version_{table}_{event}")).await?;
                    }
                }
            }
        }
        db.execute_unprepared("DROP TABLE config_versions").await?;
        Ok(())
    }
}
