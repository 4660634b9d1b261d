//! Prices with effective dates and reseller price lists: each price row (the provider's
//! list price and its cost to resellers) and each reservation price is valid from a date,
//! so a change applies from its date and the history is kept; a reseller sets its
//! customers' price per product (a fixed amount or a markup over its cost) from a date;
//! an order item keeps the cost it was sold at.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Prices {
    Table,
    ProductId,
    Currency,
    EffectiveFrom,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReservationPrices {
    Table,
    ProductId,
    TermYears,
    PaymentPlan,
    Currency,
    EffectiveFrom,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ResellerPrices {
    Table,
    Id,
    ResellerId,
    ProductId,
    Currency,
    FixedAmount,
    MarkupBasisPoints,
    EffectiveFrom,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    UnitCost,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

/// Before this migration every price was valid from the start.
const SINCE_EVER: &str = "2000-01-01";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for mut column in [
            ColumnDef::new(Prices::EffectiveFrom).date().not_null().default(SINCE_EVER).to_owned(),
            ColumnDef::new(Prices::CreatedAt).timestamp_with_time_zone().null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Prices::Table).add_column(&mut column).to_owned()).await?;
        }
        for mut column in [
            ColumnDef::new(ReservationPrices::EffectiveFrom).date().not_null().default(SINCE_EVER).to_owned(),
            ColumnDef::new(ReservationPrices::CreatedAt).timestamp_with_time_zone().null().to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(ReservationPrices::Table).add_column(&mut column).to_owned())
                .await?;
        }
        // One price per product and currency *from each date*.
        manager.drop_index(Index::drop().name("ux_prices_product_id_currency").table(Prices::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_prices_product_currency_from")
                    .table(Prices::Table)
                    .col(Prices::ProductId)
                    .col(Prices::Currency)
                    .col(Prices::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_reservation_prices_product_term_plan_currency")
                    .table(ReservationPrices::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_reservation_prices_product_term_plan_currency_from")
                    .table(ReservationPrices::Table)
                    .col(ReservationPrices::ProductId)
                    .col(ReservationPrices::TermYears)
                    .col(ReservationPrices::PaymentPlan)
                    .col(ReservationPrices::Currency)
                    .col(ReservationPrices::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ResellerPrices::Table)
                    .col(ColumnDef::new(ResellerPrices::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ResellerPrices::ResellerId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reseller_prices_reseller_id")
                            .from(ResellerPrices::Table, ResellerPrices::ResellerId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(ResellerPrices::ProductId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reseller_prices_product_id")
                            .from(ResellerPrices::Table, ResellerPrices::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(ResellerPrices::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(ResellerPrices::FixedAmount).big_integer().null())
                    .col(ColumnDef::new(ResellerPrices::MarkupBasisPoints).integer().null())
                    .col(ColumnDef::new(ResellerPrices::EffectiveFrom).date().not_null())
                    .col(ColumnDef::new(ResellerPrices::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ResellerPrices::CreatedBy).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_reseller_prices_reseller_product_currency_from")
                    .table(ResellerPrices::Table)
                    .col(ResellerPrices::ResellerId)
                    .col(ResellerPrices::ProductId)
                    .col(ResellerPrices::Currency)
                    .col(ResellerPrices::EffectiveFrom)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .add_column(ColumnDef::new(OrderItems::UnitCost).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        // Items already ordered get the cost their product had (one price per product and
        // currency before this migration), so their margin is not a made-up 100 %.
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE order_items SET unit_cost = COALESCE((SELECT p.unit_cost FROM prices p, orders o \
             WHERE o.id = order_items.order_id AND p.product_id = order_items.product_id \
             AND p.currency = o.currency), 0) WHERE ri_term_years IS NULL",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE order_items SET unit_cost = COALESCE((SELECT r.unit_cost FROM reservation_prices r, orders o \
             WHERE o.id = order_items.order_id AND r.product_id = order_items.product_id \
             AND r.currency = o.currency AND r.term_years = order_items.ri_term_years \
             AND r.payment_plan = order_items.ri_payment_plan), 0) WHERE ri_term_years IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ResellerPrices::Table).to_owned()).await?;
        Ok(())
    }
}
