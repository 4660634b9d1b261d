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
