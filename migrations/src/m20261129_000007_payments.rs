//! Payments that need a person: a paid order whose subscriptions could not be created
//! (`orders.attention`), an approved WebPay transaction that was not taken as its order's
//! payment and is refunded (`webpay_transactions.not_taken_reason`, `attention` when the
//! automatic refund did not go through), transactions made in Transbank's integration
//! environment (`test`), and whether this install counts those as paid
//! (`payment_gateways.test_payments`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orders {
    Table,
    Attention,
}

#[derive(DeriveIden)]
enum WebpayTransactions {
    Table,
    Test,
    NotTakenReason,
    Attention,
}

#[derive(DeriveIden)]
enum PaymentGateways {
    Table,
    TestPayments,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        let columns: Vec<(DynIden, ColumnDef)> = vec![
            (Orders::Table.into_iden(), ColumnDef::new(Orders::Attention).text().null().to_owned()),
            (
                WebpayTransactions::Table.into_iden(),
                ColumnDef::new(WebpayTransactions::Test).boolean().not_null().default(false).to_owned(),
            ),
            (
                WebpayTransactions::Table.into_iden(),
                ColumnDef::new(WebpayTransactions::NotTakenReason).text().null().to_owned(),
            ),
            (
                WebpayTransactions::Table.into_iden(),
                ColumnDef::new(WebpayTransactions::Attention).text().null().to_owned(),
            ),
            (
                PaymentGateways::Table.into_iden(),
                ColumnDef::new(PaymentGateways::TestPayments).boolean().not_null().default(false).to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            manager.alter_table(Table::alter().table(table).add_column(&mut column).to_owned()).await?;
        }
        // Earlier versions paid through Transbank's integration environment unless an admin
        // set up production with a commerce code of its own: those transactions were TEST.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE webpay_transactions SET test = TRUE WHERE NOT EXISTS (SELECT 1 FROM payment_gateways g \
                 WHERE g.kind = 'webpay_plus' AND g.environment = 'production' \
                 AND g.commerce_code NOT IN ('597055555532', '597055555540'))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns: Vec<(DynIden, DynIden)> = vec![
            (Orders::Table.into_iden(), Orders::Attention.into_iden()),
            (WebpayTransactions::Table.into_iden(), WebpayTransactions::Test.into_iden()),
            (WebpayTransactions::Table.into_iden(), WebpayTransactions::NotTakenReason.into_iden()),
            (WebpayTransactions::Table.into_iden(), WebpayTransactions::Attention.into_iden()),
            (PaymentGateways::Table.into_iden(), PaymentGateways::TestPayments.into_iden()),
        ];
        for (table, column) in columns {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
