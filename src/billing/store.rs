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
