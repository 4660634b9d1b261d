//! List prices are net and VAT is a separate line: an order keeps its net subtotal and
//! its VAT next to the total, and the provider admin sets the VAT rate (`billing_settings`).
//! Orders placed before this migration were priced VAT-inclusive; they keep their total,
//! read as net with no separate VAT.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orders {
    Table,
    Subtotal,
    Tax,
    VatBasisPoints,
    Total,
}

#[derive(DeriveIden)]
enum Invoices {
    Table,
    VatBasisPoints,
}

#[derive(DeriveIden)]
enum BillingSettings {
    Table,
    Id,
    VatBasisPoints,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Orders::Subtotal, Orders::Tax] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .add_column(ColumnDef::new(column).big_integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        // The rate an order or invoice was taxed at; older orders had no separate VAT (0),
        // older invoices were all taxed at 19%.
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(ColumnDef::new(Orders::VatBasisPoints).integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Invoices::Table)
                    .add_column(ColumnDef::new(Invoices::VatBasisPoints).integer().not_null().default(1900))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update().table(Orders::Table).value(Orders::Subtotal, Expr::col(Orders::Total)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingSettings::Table)
                    .col(ColumnDef::new(BillingSettings::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(BillingSettings::VatBasisPoints).integer().not_null())
                    .col(ColumnDef::new(BillingSettings::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BillingSettings::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Invoices::Table).drop_column(Invoices::VatBasisPoints).to_owned())
            .await?;
        for column in [Orders::VatBasisPoints, Orders::Tax, Orders::Subtotal] {
            manager.alter_table(Table::alter().table(Orders::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
