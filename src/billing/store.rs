//! Reading invoices within the viewer's scope, and writing invoice items.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::accounts::scope::AccountScope;
use crate::entities::invoices;
use crate::error::AppResult;
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// Invoices of one account (the caller checks the account is in scope), newest first.
pub(crate) async fn invoices_of(
    db: &DatabaseConnection,
    scope: AccountScope,
    account_id: i32,
    page: PageQuery,
) -> AppResult<Paged<invoices::Model>> {
    let select = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(account_id))
        .filter(scope.condition(invoices::Column::AccountId));
    let keyset =
        Keyset::new("invoices", vec![Term::desc(invoices::Column::IssueDate), Term::desc(invoices::Column::Id)]);
    fetch_page(db, select, &keyset, |i| vec![i.issue_date.into(), i.id.into()], &page).await
}

/// An invoice with its items and the invoices it is linked to.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceView {
    pub invoice: invoices::Model,
    pub items: Vec<crate::entities::invoice_items::Model>,
    pub account: crate::entities::accounts::Model,
    pub bill_to: crate::entities::accounts::Model,
    /// For a credit invoice: the debit invoice it credits.
    pub credits: Option<invoices::Model>,
    /// For a debit invoice: the credit invoices issued against it.
    pub credited_by: Vec<invoices::Model>,
    /// The order it belongs to was paid in WebPay's integration (test) environment.
    pub test_payment: bool,
}

/// One invoice the scope allows, by number (404 otherwise).
pub(crate) async fn invoice_by_number(
    db: &DatabaseConnection,
    scope: AccountScope,
    number: &str,
) -> AppResult<InvoiceView> {
    use crate::entities::{accounts, invoice_items};
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::Number.eq(number))
        .filter(scope.condition(invoices::Column::AccountId))
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let items = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .order_by_asc(invoice_items::Column::Id)
        .all(db)
        .await?;
    let account =
        accounts::Entity::find_by_id(invoice.account_id).one(db).await?.ok_or(crate::error::AppError::NotFound)?;
    let bill_to = accounts::Entity::find_by_id(invoice.bill_to_account_id)
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let credits = match invoice.credits_invoice_id {
        Some(id) => invoices::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let credited_by = invoices::Entity::find()
        .filter(invoices::Column::CreditsInvoiceId.eq(invoice.id))
        .order_by_asc(invoices::Column::Id)
        .all(db)
        .await?;
    let test_payment = match invoice.order_id {
        Some(order_id) => {
            use crate::entities::{payments, webpay_transactions};
            let paid_by = payments::Entity::find()
                .filter(payments::Column::OrderId.eq(order_id))
                .find_also_related(webpay_transactions::Entity)
                .all(db)
                .await?;
            paid_by.iter().any(|(_, transaction)| transaction.as_ref().is_some_and(|t| t.test))
        }
        None => false,
    };
    Ok(InvoiceView { invoice, items, account, bill_to, credits, credited_by, test_payment })
}

/// One item of an invoice, as it is written (billing runs, paid orders, credits, demo data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvoiceLine {
    pub subscription_id: Option<i32>,
    pub addon_id: Option<i32>,
    pub product_id: Option<i32>,
    pub description: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quantity: i64,
    pub unit_price: i64,
    pub unit_cost: i64,
    pub total: i64,
    pub total_cost: i64,
    pub usage: String,
}

/// Writes the items of invoice `invoice_id`.
pub(crate) async fn insert_lines<C: ConnectionTrait>(
    db: &C,
    invoice_id: i32,
    lines: Vec<InvoiceLine>,
) -> AppResult<()> {
    for line in lines {
        crate::entities::invoice_items::ActiveModel {
            invoice_id: Set(invoice_id),
            subscription_id: Set(line.subscription_id),
            addon_id: Set(line.addon_id),
            product_id: Set(line.product_id),
            description: Set(line.description),
            period_start: Set(line.period_start),
            period_end: Set(line.period_end),
            quantity: Set(line.quantity),
            unit_price: Set(line.unit_price),
            unit_cost: Set(line.unit_cost),
            total: Set(line.total),
            total_cost: Set(line.total_cost),
            usage: Set(line.usage),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
