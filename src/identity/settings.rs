//! The provider's sign-in settings (one row).

use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use crate::entities::auth_settings;
use crate::error::AppResult;

pub const DEFAULT_MAX_FAILED_LOGINS: i32 = 5;
pub const DEFAULT_LOCKOUT_MINUTES: i32 = 15;

/// The settings row, created with defaults when missing.
pub async fn load(db: &DatabaseConnection) -> AppResult<auth_settings::Model> {
    if let Some(row) = auth_settings::Entity::find().one(db).await? {
        return Ok(row);
    }
    Ok(auth_settings::ActiveModel {
        allow_local_login: Set(true),
        max_failed_logins: Set(DEFAULT_MAX_FAILED_LOGINS),
        lockout_minutes: Set(DEFAULT_LOCKOUT_MINUTES),
        password_grant_enabled: Set(false),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Checks the lockout threshold an admin asks for; the error is the form message.
pub fn check_max_failed_logins(value: i32) -> Result<i32, String> {
    if (3..=25).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Failed attempts before lockout must be between 3 and 25 (you entered {value})."))
    }
}

pub fn check_lockout_minutes(value: i32) -> Result<i32, String> {
    if (1..=1440).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Lockout time must be between 1 and 1440 minutes (you entered {value})."))
    }
}

pub async fn save_lockout(db: &DatabaseConnection, max_failed_logins: i32, lockout_minutes: i32) -> AppResult<()> {
    let current = load(db).await?;
    let mut row: auth_settings::ActiveModel = current.into();
    row.max_failed_logins = Set(max_failed_logins);
    row.lockout_minutes = Set(lockout_minutes);
    row.updated_at = Set(chrono::Utc::now());
    row.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_threshold_bounds() {
        assert!(check_max_failed_logins(2).is_err());
        assert_eq!(check_max_failed_logins(3), Ok(3));
        assert_eq!(check_max_failed_logins(25), Ok(25));
        assert!(check_max_failed_logins(26).is_err());
        assert!(check_lockout_minutes(0).is_err());
    }
}
