//! Security events: every sign-in, failed attempt, lockout, unlock and setting change.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entities::security_events;
use crate::error::AppResult;

pub const SIGN_IN: &str = "sign_in";
pub const SIGN_IN_FAILED: &str = "sign_in_failed";
pub const LOCKED_OUT: &str = "locked_out";
pub const SIGN_OUT: &str = "sign_out";
pub const UNLOCKED: &str = "unlocked";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const SETTINGS_CHANGED: &str = "auth_settings_changed";
pub const IDP_SIGN_IN: &str = "idp_sign_in";
pub const IDP_SIGN_IN_FAILED: &str = "idp_sign_in_failed";
pub const LINKED: &str = "identity_linked";
pub const UNLINKED: &str = "identity_unlinked";
pub const LINK_REFUSED: &str = "identity_link_refused";
pub const REGISTERED: &str = "registered_by_idp";
pub const REAUTHENTICATED: &str = "reauthenticated";
pub const OTHER_SESSIONS_ENDED: &str = "other_sessions_ended";
pub const SESSION_ENDED: &str = "session_signed_out";
pub const PASSWORD_SET: &str = "password_set";
pub const PASSWORD_REMOVED: &str = "password_removed";

/// Records an event about a user (the common case).
pub async fn record_for<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    user: &crate::entities::users::Model,
    detail: Option<String>,
) -> AppResult<()> {
    record(db, kind, Some(user.id), Some(user.account_id), detail, None).await
}

/// The most recent events of one user, newest first.
pub async fn recent_for_user(
    db: &sea_orm::DatabaseConnection,
    user_id: i32,
    limit: u64,
) -> AppResult<Vec<security_events::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(security_events::Entity::find()
        .filter(security_events::Column::UserId.eq(user_id))
        .order_by_desc(security_events::Column::CreatedAt)
        .order_by_desc(security_events::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    user_id: Option<i32>,
    account_id: Option<i32>,
    detail: Option<String>,
    ip: Option<String>,
) -> AppResult<()> {
    security_events::ActiveModel {
        user_id: Set(user_id),
        account_id: Set(account_id),
        kind: Set(kind.to_string()),
        detail: Set(detail),
        ip: Set(ip),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Every security event, newest first, with the user it concerns (provider admins only).
pub async fn list_all(
    db: &sea_orm::DatabaseConnection,
    page: crate::pagination::PageQuery,
) -> AppResult<crate::pagination::Paged<(security_events::Model, Option<crate::entities::users::Model>)>> {
    use sea_orm::{EntityTrait, QueryOrder};
    let select = security_events::Entity::find()
        .find_also_related(crate::entities::users::Entity)
        .order_by_desc(security_events::Column::CreatedAt)
        .order_by_desc(security_events::Column::Id);
    crate::pagination::fetch_page(db, select, page).await
}
