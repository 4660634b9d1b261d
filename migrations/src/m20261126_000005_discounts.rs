//! Discounts an account gets on its invoices: a percentage (in basis points) of what a
//! billing run charges it, for one product or for everything. Billing runs turn them into
//! negative `Discount` lines on the debit invoice.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Discounts {
    Table,
    Id,
    AccountId,
    ProductId,
    BasisPoints,
    Description,
    CreatedAt,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Discounts::Table)
                    .col(ColumnDef::new(Discounts::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Discounts::AccountId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_discounts_account_id")
                            .from(Discounts::Table, Discounts::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(Discounts::ProductId).integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_discounts_product_id")
                            .from(Discounts::Table, Discounts::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .col(ColumnDef::new(Discounts::BasisPoints).integer().not_null())
                    .col(ColumnDef::new(Discounts::Description).string_len(200).not_null())
                    .col(ColumnDef::new(Discounts::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_discounts_account_id")
                    .table(Discounts::Table)
                    .col(Discounts::AccountId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Discounts::Table).to_owned()).await
    }
}
