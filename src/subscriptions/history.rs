//! Who changed a subscription, and the one function that writes its history.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::entities::enums::{ActorKind, HistoryField, UserRole};
use crate::entities::{subscription_history, subscriptions};
use crate::error::AppResult;

/// Who made a change: a user (customer), a reseller, an admin, or the System (jobs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub user_id: Option<i32>,
    pub name: String,
}

impl Actor {
    pub(crate) fn of(viewer: &Viewer) -> Actor {
        let kind = match viewer.user.role {
            UserRole::CustomerUser | UserRole::CustomerAdmin => ActorKind::User,
            UserRole::ResellerAdmin => ActorKind::Reseller,
            UserRole::ProviderAdmin => ActorKind::Admin,
        };
        Actor { kind, user_id: Some(viewer.user.id), name: viewer.user.name.clone() }
    }

    pub fn system() -> Actor {
        Actor { kind: ActorKind::System, user_id: None, name: "System".into() }
    }
}

/// One change of one field: `old → new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub subscription_id: i32,
    pub addon_id: Option<i32>,
    pub field: HistoryField,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Writes one history record.
pub(crate) async fn write<C: ConnectionTrait>(db: &C, change: Change, actor: &Actor) -> AppResult<()> {
    subscription_history::ActiveModel {
        subscription_id: Set(change.subscription_id),
        addon_id: Set(change.addon_id),
        field: Set(change.field),
        old_value: Set(change.old),
        new_value: Set(change.new),
        actor_kind: Set(actor.kind),
        actor_user_id: Set(actor.user_id),
        actor_name: Set(actor.name.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The history of one subscription (and its add-ons), newest first.
pub(crate) async fn of_subscription(
    db: &DatabaseConnection,
    subscription_id: i32,
    limit: u64,
) -> AppResult<Vec<subscription_history::Model>> {
    Ok(subscription_history::Entity::find()
        .filter(subscription_history::Column::SubscriptionId.eq(subscription_id))
        .order_by_desc(subscription_history::Column::CreatedAt)
        .order_by_desc(subscription_history::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The latest changes to every subscription in scope of one account, newest first, with
/// the subscription's name (My Account's "Recent changes").
pub(crate) async fn recent_for_account(
    db: &DatabaseConnection,
    scope: AccountScope,
    account_id: i32,
    limit: u64,
) -> AppResult<Vec<(subscription_history::Model, Option<subscriptions::Model>)>> {
    Ok(subscription_history::Entity::find()
        .find_also_related(subscriptions::Entity)
        .filter(subscriptions::Column::AccountId.eq(account_id))
        .filter(scope.condition(subscriptions::Column::AccountId))
        .order_by_desc(subscription_history::Column::CreatedAt)
        .order_by_desc(subscription_history::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
