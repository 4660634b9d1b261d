//! The paid debit invoice of an order: the order's net subtotal, VAT and total, and one
//! line per item that names the subscription it bought and the days it pays for — one
//! cycle from the day of payment, by the ledger's rule — so no billing run charges those
//! days again and a cancellation finds what to credit.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::ledger;
use super::store::{insert_lines, InvoiceLine};
use super::usage;
use crate::catalog::orders::OrderView;
use crate::entities::enums::{InvoiceStatus, InvoiceType};
use crate::entities::{accounts, invoice_items, invoices};
use crate::error::{AppError, AppResult};

/// The number of an order's invoice.
pub(crate) fn number(order_number: &str) -> String {
    format!("INV-{order_number}")
}

/// Issues the paid invoice of a paid order whose items are linked to their subscriptions.
pub(crate) async fn issue<C: ConnectionTrait>(db: &C, view: &OrderView) -> AppResult<invoices::Model> {
    let order = &view.order;
    let account = accounts::Entity::find_by_id(order.account_id).one(db).await?.ok_or(AppError::NotFound)?;
    let paid_on = order.paid_at.unwrap_or_else(Utc::now).date_naive();
    let invoice = invoices::ActiveModel {
        number: Set(number(&order.number)),
        account_id: Set(order.account_id),
        bill_to_account_id: Set(account.parent_id.unwrap_or(account.id)),
        invoice_type: Set(InvoiceType::Debit),
        status: Set(InvoiceStatus::Paid),
        currency: Set(order.currency.clone()),
        issue_date: Set(paid_on),
        billing_period: Set(None),
        subtotal: Set(order.subtotal),
        tax: Set(order.tax),
        total: Set(order.total),
        vat_basis_points: Set(order.vat_basis_points),
        credits_invoice_id: Set(None),
        order_id: Set(Some(order.id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let lines = view
        .items
        .iter()
        .map(|(item, product)| {
            let cycle = ledger::cycle_of(product.kind, product.billing_cycle, item.ri_term_years, item.ri_payment_plan);
            let (from, to) = ledger::purchase_period(cycle, paid_on);
            let total_cost = super::money::line_total(item.unit_cost, item.quantity)
                .ok_or_else(|| AppError::Internal("order item cost overflow".into()))?;
            Ok(InvoiceLine {
                subscription_id: item.subscription_id,
                addon_id: None,
                product_id: Some(product.id),
                description: item.description.clone(),
                period_start: Some(from),
                period_end: Some(to),
                quantity: i64::from(item.quantity),
                unit_price: item.unit_price,
                unit_cost: item.unit_cost,
                total: item.total,
                total_cost,
                usage: usage::classify(product, usage::Charge::Recurring),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    insert_lines(db, invoice.id, lines).await?;
    Ok(invoice)
}

/// Names, on the lines of an order's invoice issued before its subscriptions existed (a
/// retried set-up), the subscription each item created. Lines follow the items' order.
pub(crate) async fn link_subscriptions<C: ConnectionTrait>(db: &C, view: &OrderView) -> AppResult<()> {
    let Some(invoice) = invoices::Entity::find()
        .filter(invoices::Column::OrderId.eq(view.order.id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let lines = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .order_by_asc(invoice_items::Column::Id)
        .all(db)
        .await?;
    for (line, (item, product)) in lines.iter().zip(&view.items) {
        if line.subscription_id.is_none() && line.product_id == Some(product.id) {
            invoice_items::Entity::update_many()
                .col_expr(invoice_items::Column::SubscriptionId, item.subscription_id.into())
                .filter(invoice_items::Column::Id.eq(line.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
