//! The WebPay call log: one row per call to WebPay and per return from it, with its outcome.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebpayEvents {
    Table,
    Id,
    OrderId,
    BuyOrder,
    Action,
    Outcome,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebpayEvents::Table)
                    .col(ColumnDef::new(WebpayEvents::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(WebpayEvents::OrderId).integer().null())
                    .col(ColumnDef::new(WebpayEvents::BuyOrder).string_len(64).null())
                    .col(ColumnDef::new(WebpayEvents::Action).string_len(32).not_null())
                    .col(ColumnDef::new(WebpayEvents::Outcome).text().not_null())
                    .col(ColumnDef::new(WebpayEvents::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        for column in [WebpayEvents::OrderId, WebpayEvents::BuyOrder] {
            let name = format!("idx_webpay_events_{}", column.to_string());
            manager.create_index(Index::create().name(name).table(WebpayEvents::Table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WebpayEvents::Table).to_owned()).await
    }
}
