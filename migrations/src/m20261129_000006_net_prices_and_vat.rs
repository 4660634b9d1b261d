//! List prices are net and VAT is a separate line: an order keeps its net subtotal and
//! its VAT next to the total, and the provider admin sets the VAT rate (`billing_settings`).
//!
//! Existing data is brought to the new rules:
//! - orders placed before were priced VAT-inclusive: a paid one takes its net and VAT from
//!   its invoice; an unpaid one keeps its total, and its items become net (÷ 1.19), so the
//!   customer pays what was shown;
//! - a paid order's items and invoice lines are linked to the subscriptions the order
//!   created (same account and product, started the day it was paid), and each line gets
//!   the days it paid for (one cycle from that day), so billing runs do not charge those
//!   days again and cancellations find what to credit.
//!
//! Prices in the catalogue are not changed: from now on they are read as net.

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
        backfill(manager).await?;
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
        // The back-filled links and periods are kept: they are true either way.
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

/// Brings orders and their invoice lines placed before this migration to the new rules.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let paid_date = if postgres { "(o.paid_at AT TIME ZONE 'UTC')::date" } else { "substr(o.paid_at, 1, 10)" };
    let months = "CASE WHEN p.kind = 'reserved_instance' THEN 12 * COALESCE(s.ri_term_years, 1) \
                  WHEN p.kind IN ('perpetual_license', 'consumption') THEN 0 \
                  WHEN p.billing_cycle = 'annual' THEN 12 WHEN p.billing_cycle = 'monthly' THEN 1 ELSE 0 END";
    let period_end = if postgres {
        format!("(invoice_items.period_start + make_interval(months => {months}) - interval '1 day')::date")
    } else {
        format!("date(invoice_items.period_start, '+' || ({months}) || ' months', '-1 day')")
    };
    let order_invoice = "SELECT i.id FROM invoices i WHERE i.order_id = orders.id AND i.invoice_type = 'debit'";
    let statements = [
        // Paid orders: net and VAT as their invoice says.
        format!(
            "UPDATE orders SET vat_basis_points = 1900, \
             subtotal = (SELECT i.subtotal FROM invoices i WHERE i.order_id = orders.id AND i.invoice_type = 'debit'), \
             tax = (SELECT i.tax FROM invoices i WHERE i.order_id = orders.id AND i.invoice_type = 'debit') \
             WHERE EXISTS ({order_invoice})"
        ),
        // Unpaid ones: the items become net; the total stays what the customer was shown.
        "UPDATE order_items SET unit_price = unit_price * 100 / 119, total = total * 100 / 119 \
         WHERE order_id IN (SELECT o.id FROM orders o WHERE NOT EXISTS \
         (SELECT 1 FROM invoices i WHERE i.order_id = o.id AND i.invoice_type = 'debit'))"
            .to_string(),
        format!(
            "UPDATE orders SET vat_basis_points = 1900, \
             subtotal = (SELECT COALESCE(SUM(oi.total), 0) FROM order_items oi WHERE oi.order_id = orders.id) \
             WHERE NOT EXISTS ({order_invoice})"
        ),
        format!("UPDATE orders SET tax = total - subtotal WHERE NOT EXISTS ({order_invoice})"),
        // A paid order's items, linked to the subscriptions it created.
        format!(
            "UPDATE order_items SET subscription_id = (SELECT s.id FROM subscriptions s, orders o \
             WHERE o.id = order_items.order_id AND s.account_id = o.account_id \
             AND s.product_id = order_items.product_id AND s.start_date = {paid_date} ORDER BY s.id LIMIT 1) \
             WHERE subscription_id IS NULL AND order_id IN (SELECT id FROM orders WHERE status = 'paid')"
        ),
        // Their invoice lines: the subscription, and the days the payment covered.
        "UPDATE invoice_items SET subscription_id = (SELECT oi.subscription_id FROM order_items oi, invoices i \
         WHERE i.id = invoice_items.invoice_id AND oi.order_id = i.order_id \
         AND oi.product_id = invoice_items.product_id ORDER BY oi.id LIMIT 1) \
         WHERE subscription_id IS NULL AND invoice_id IN \
         (SELECT id FROM invoices WHERE order_id IS NOT NULL AND invoice_type = 'debit')"
            .to_string(),
        format!(
            "UPDATE invoice_items SET period_end = (SELECT CASE WHEN ({months}) = 0 THEN invoice_items.period_start \
             ELSE {period_end} END FROM subscriptions s, products p \
             WHERE s.id = invoice_items.subscription_id AND p.id = s.product_id) \
             WHERE period_end IS NULL AND period_start IS NOT NULL AND subscription_id IS NOT NULL \
             AND invoice_id IN (SELECT id FROM invoices WHERE order_id IS NOT NULL AND invoice_type = 'debit')"
        ),
    ];
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}
