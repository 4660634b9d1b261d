//! Reserved instances are priced from the catalogue: one price per product, term (1 or 3
//! years), payment plan (`upfront` for the whole term, `monthly` per month) and currency,
//! and each product lists the reservation types, scopes and regions it offers. Cart and
//! order items carry the payment plan and the customer's auto-renew choice, and the
//! subscription a paid order creates keeps the plan. Existing reserved-instance products
//! keep being sold: their one reservation becomes their offer and their price its 1-year
//! (or their term's) upfront price; existing reservations were all paid upfront.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReservationPrices {
    Table,
    Id,
    ProductId,
    TermYears,
    PaymentPlan,
    Currency,
    Amount,
    UnitCost,
}

#[derive(DeriveIden)]
enum ReservationOptions {
    Table,
    Id,
    ProductId,
    Dimension,
    Value,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    RiPaymentPlan,
    RiAutoRenew,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    RiPaymentPlan,
    RiAutoRenew,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    RiPaymentPlan,
}

/// What existing data becomes (portable SQL: SQLite and PostgreSQL).
const BACKFILL: &[&str] = &[
    "UPDATE cart_items SET ri_payment_plan = 'upfront' WHERE ri_term_years IS NOT NULL",
    "UPDATE order_items SET ri_payment_plan = 'upfront' WHERE ri_term_years IS NOT NULL",
    "UPDATE subscriptions SET ri_payment_plan = 'upfront' WHERE ri_term_years IS NOT NULL",
    "INSERT INTO reservation_options (product_id, dimension, value) SELECT id, 'reservation_type', ri_reservation_type \
     FROM products WHERE kind = 'reserved_instance' AND ri_reservation_type IS NOT NULL",
    "INSERT INTO reservation_options (product_id, dimension, value) SELECT id, 'scope', ri_scope \
     FROM products WHERE kind = 'reserved_instance' AND ri_scope IS NOT NULL",
    "INSERT INTO reservation_options (product_id, dimension, value) SELECT id, 'region', ri_region \
     FROM products WHERE kind = 'reserved_instance' AND ri_region IS NOT NULL",
    "INSERT INTO reservation_prices (product_id, term_years, payment_plan, currency, amount, unit_cost) \
     SELECT p.id, COALESCE(p.ri_term_years, 1), 'upfront', pr.currency, pr.amount, pr.unit_cost \
     FROM products p JOIN prices pr ON pr.product_id = p.id WHERE p.kind = 'reserved_instance'",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReservationPrices::Table)
                    .col(ColumnDef::new(ReservationPrices::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ReservationPrices::ProductId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reservation_prices_product_id")
                            .from(ReservationPrices::Table, ReservationPrices::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(ReservationPrices::TermYears).integer().not_null())
                    .col(ColumnDef::new(ReservationPrices::PaymentPlan).string_len(16).not_null())
                    .col(ColumnDef::new(ReservationPrices::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(ReservationPrices::Amount).big_integer().not_null())
                    .col(ColumnDef::new(ReservationPrices::UnitCost).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reservation_prices_product_term_plan_currency")
                    .table(ReservationPrices::Table)
                    .col(ReservationPrices::ProductId)
                    .col(ReservationPrices::TermYears)
                    .col(ReservationPrices::PaymentPlan)
                    .col(ReservationPrices::Currency)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReservationOptions::Table)
                    .col(ColumnDef::new(ReservationOptions::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ReservationOptions::ProductId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reservation_options_product_id")
                            .from(ReservationOptions::Table, ReservationOptions::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(ReservationOptions::Dimension).string_len(32).not_null())
                    .col(ColumnDef::new(ReservationOptions::Value).string_len(100).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reservation_options_product_dimension_value")
                    .table(ReservationOptions::Table)
                    .col(ReservationOptions::ProductId)
                    .col(ReservationOptions::Dimension)
                    .col(ReservationOptions::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(CartItems::Table)
                    .add_column(ColumnDef::new(CartItems::RiPaymentPlan).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CartItems::Table)
                    .add_column(ColumnDef::new(CartItems::RiAutoRenew).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .add_column(ColumnDef::new(OrderItems::RiPaymentPlan).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .add_column(ColumnDef::new(OrderItems::RiAutoRenew).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Subscriptions::Table)
                    .add_column(ColumnDef::new(Subscriptions::RiPaymentPlan).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in BACKFILL {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Subscriptions::Table).drop_column(Subscriptions::RiPaymentPlan).to_owned(),
            )
            .await?;
        for column in [OrderItems::RiAutoRenew, OrderItems::RiPaymentPlan] {
            manager.alter_table(Table::alter().table(OrderItems::Table).drop_column(column).to_owned()).await?;
        }
        for column in [CartItems::RiAutoRenew, CartItems::RiPaymentPlan] {
            manager.alter_table(Table::alter().table(CartItems::Table).drop_column(column).to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(ReservationOptions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ReservationPrices::Table).to_owned()).await
    }
}
