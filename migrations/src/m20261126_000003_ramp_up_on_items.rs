//! The ramp-up period chosen when buying a consumption product travels with the cart item
//! and the order item to the subscription the paid order creates.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CartItems {
    Table,
    RampUpMonths,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    RampUpMonths,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CartItems::Table)
                    .add_column(ColumnDef::new(CartItems::RampUpMonths).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrderItems::Table)
                    .add_column(ColumnDef::new(OrderItems::RampUpMonths).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(CartItems::Table).drop_column(CartItems::RampUpMonths).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(OrderItems::Table).drop_column(OrderItems::RampUpMonths).to_owned())
            .await
    }
}
