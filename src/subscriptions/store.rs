//! Reading subscriptions within the viewer's scope.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::accounts::scope::AccountScope;
use crate::entities::{products, subscriptions};
use crate::error::AppResult;

/// Subscriptions of one account with their products, by name.
pub(crate) async fn subscriptions_of(
    db: &DatabaseConnection,
    scope: AccountScope,
    account_id: i32,
) -> AppResult<Vec<(subscriptions::Model, Option<products::Model>)>> {
    Ok(subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(account_id))
        .filter(scope.condition(subscriptions::Column::AccountId))
        .find_also_related(products::Entity)
        .order_by_asc(subscriptions::Column::Name)
        .order_by_asc(subscriptions::Column::Id)
        .all(db)
        .await?)
}
