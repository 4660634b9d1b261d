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
pub const PASSWORD_SET: &str = "password_set";
pub const PASSWORD_REMOVED: &str = "password_removed";

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
