//! Reading invoices within the viewer's scope.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::scope::AccountScope;
use crate::entities::invoices;
use crate::error::AppResult;
use crate::pagination::{fetch_page, PageQuery, Paged};

/// Invoices of one account (the caller checks the account is in scope), newest first.
pub async fn invoices_of(
    db: &DatabaseConnection,
    scope: AccountScope,
    account_id: i32,
    page: PageQuery,
) -> AppResult<Paged<invoices::Model>> {
    let select = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(account_id))
        .filter(scope.condition(invoices::Column::AccountId))
        .order_by_desc(invoices::Column::IssueDate)
        .order_by_desc(invoices::Column::Id);
    fetch_page(db, select, page).await
}

/// An invoice with its items and the invoices it is linked to.
#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub invoice: invoices::Model,
    pub items: Vec<crate::entities::invoice_items::Model>,
    pub account: crate::entities::accounts::Model,
    pub bill_to: crate::entities::accounts::Model,
    /// For a credit invoice: the debit invoice it credits.
    pub credits: Option<invoices::Model>,
    /// For a debit invoice: the credit invoices issued against it.
    pub credited_by: Vec<invoices::Model>,
}

/// One invoice the scope allows, by number (404 otherwise).
pub async fn invoice_by_number(db: &DatabaseConnection, scope: AccountScope, number: &str) -> AppResult<InvoiceView> {
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
    Ok(InvoiceView { invoice, items, account, bill_to, credits, credited_by })
}
