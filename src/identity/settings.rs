//! The provider's sign-in settings (one row).

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

use super::events;
use crate::audit::{self, AuditActor, Change};
use crate::entities::auth_settings;
use crate::error::AppResult;

pub(crate) const DEFAULT_MAX_FAILED_LOGINS: i32 = 5;
pub(crate) const DEFAULT_LOCKOUT_MINUTES: i32 = 15;

/// [`load`] for a page view: remembered until the config version moves (the page context
/// validated the cache for this request).
pub(crate) async fn load_remembered(
    db: &sea_orm::DatabaseConnection,
    cache: &crate::config_cache::ConfigCache,
) -> AppResult<auth_settings::Model> {
    match cache.auth_settings() {
        Ok(settings) => Ok(settings),
        Err(missed) => {
            let settings = load(db).await?;
            cache.keep_auth_settings(missed, &settings);
            Ok(settings)
        }
    }
}

/// The settings row, created with defaults when missing.
pub(crate) async fn load<C: ConnectionTrait>(db: &C) -> AppResult<auth_settings::Model> {
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
pub(crate) fn check_max_failed_logins(value: i32) -> Result<i32, String> {
    if (3..=25).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Failed attempts before lockout must be between 3 and 25 (you entered {value})."))
    }
}

pub(crate) fn check_lockout_minutes(value: i32) -> Result<i32, String> {
    if (1..=1440).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Lockout time must be between 1 and 1440 minutes (you entered {value})."))
    }
}

/// Saves the lockout threshold and time (Admin → Sign-in security, and `[auth]` in the
/// configuration file), with its audit entry and security event; a save that changes
/// nothing writes nothing.
pub(crate) async fn save_lockout(
    db: &DatabaseConnection,
    by: &AuditActor,
    max_failed_logins: i32,
    lockout_minutes: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = load(&txn).await?;
    let changes = [
        Change::new("failed attempts before lockout", before.max_failed_logins, max_failed_logins),
        Change::new("lockout minutes", before.lockout_minutes, lockout_minutes),
    ];
    if !audit::any_change(&changes) {
        return Ok(txn.commit().await?);
    }
    let mut row: auth_settings::ActiveModel = before.into();
    row.max_failed_logins = Set(max_failed_logins);
    row.lockout_minutes = Set(lockout_minutes);
    row.updated_at = Set(chrono::Utc::now());
    row.update(&txn).await?;
    audit::record(&txn, by, by.account_id, AUDIT_ACTION, "sign-in security", &changes).await?;
    let detail = format!("max_failed_logins={max_failed_logins} lockout_minutes={lockout_minutes}");
    record_event(&txn, by, detail).await?;
    txn.commit().await?;
    Ok(())
}

/// What the audit log names these settings' entries.
const AUDIT_ACTION: &str = "authentication options changed";

/// A settings change recorded as a security event: by whom, and from where when nobody
/// signed in made it (the command line).
async fn record_event<C: ConnectionTrait>(db: &C, by: &AuditActor, detail: String) -> AppResult<()> {
    let detail = match (by.user_id, &by.email) {
        (None, Some(what)) => format!("{detail} (from the {what})"),
        _ => detail,
    };
    events::record(db, events::SETTINGS_CHANGED, by.user_id, by.account_id, Some(detail), None).await
}

/// Turns password sign-in on or off (the admin page, and the command line's break-glass
/// `stratus auth allow-local-login`), with its audit entry and security event.
pub async fn set_allow_local_login(db: &DatabaseConnection, by: &AuditActor, allow: bool) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = load(&txn).await?;
    let changes = [Change::new("allow local login", before.allow_local_login, allow)];
    let mut row: auth_settings::ActiveModel = before.into();
    row.allow_local_login = Set(allow);
    row.updated_at = Set(chrono::Utc::now());
    row.update(&txn).await?;
    audit::record(&txn, by, by.account_id, AUDIT_ACTION, "Allow Local Login", &changes).await?;
    record_event(&txn, by, format!("allow_local_login={allow}")).await?;
    txn.commit().await?;
    Ok(())
}

/// Opens or closes sign-up on the storefront, and whether new accounts wait for approval,
/// with its audit entry.
pub(crate) async fn set_sign_up(
    db: &DatabaseConnection,
    by: &AuditActor,
    allow: bool,
    needs_approval: bool,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = load(&txn).await?;
    let changes = [
        Change::new("allow sign-up", before.allow_sign_up, allow),
        Change::new("new accounts wait for approval", before.sign_up_needs_approval, needs_approval),
    ];
    let mut row: auth_settings::ActiveModel = before.into();
    row.allow_sign_up = Set(allow);
    row.sign_up_needs_approval = Set(needs_approval);
    row.updated_at = Set(chrono::Utc::now());
    row.update(&txn).await?;
    audit::record(&txn, by, by.account_id, AUDIT_ACTION, "sign-up", &changes).await?;
    txn.commit().await?;
    Ok(())
}

/// Who must have a second factor (Admin → Authentication options), with its audit entry and
/// security event.
pub(crate) async fn set_second_factor_rule(
    db: &DatabaseConnection,
    by: &AuditActor,
    rule: crate::entities::enums::SecondFactorRule,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = load(&txn).await?;
    let changes = [Change::new("require a second factor", before.require_second_factor.as_str(), rule.as_str())];
    if !audit::any_change(&changes) {
        return Ok(txn.commit().await?);
    }
    let mut row: auth_settings::ActiveModel = before.into();
    row.require_second_factor = Set(rule);
    row.updated_at = Set(chrono::Utc::now());
    row.update(&txn).await?;
    audit::record(&txn, by, by.account_id, AUDIT_ACTION, "second factor", &changes).await?;
    record_event(&txn, by, format!("require_second_factor={}", rule.as_str())).await?;
    txn.commit().await?;
    Ok(())
}

/// Turns the API's password grant on or off (off by default: RFC 9700), with its audit
/// entry and security event.
pub(crate) async fn set_password_grant(db: &DatabaseConnection, by: &AuditActor, enabled: bool) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = load(&txn).await?;
    let changes = [Change::new("password grant", before.password_grant_enabled, enabled)];
    let mut row: auth_settings::ActiveModel = before.into();
    row.password_grant_enabled = Set(enabled);
    row.updated_at = Set(chrono::Utc::now());
    row.update(&txn).await?;
    audit::record(&txn, by, by.account_id, AUDIT_ACTION, "API", &changes).await?;
    record_event(&txn, by, format!("password_grant_enabled={enabled}")).await?;
    txn.commit().await?;
    Ok(())
}

/// Users who have neither a link to an active external provider nor a passkey: they
/// would be locked out if password sign-in were turned off.
pub(crate) async fn users_without_external_login(
    db: &DatabaseConnection,
) -> AppResult<Vec<crate::entities::users::Model>> {
    use crate::entities::{identity_providers, user_identities, users};
    use sea_orm::sea_query::Query;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let linked = Query::select()
        .column((user_identities::Entity, user_identities::Column::UserId))
        .from(user_identities::Entity)
        .inner_join(
            identity_providers::Entity,
            sea_orm::sea_query::Expr::col((identity_providers::Entity, identity_providers::Column::Id))
                .equals((user_identities::Entity, user_identities::Column::ProviderId)),
        )
        .and_where(
            sea_orm::sea_query::Expr::col((identity_providers::Entity, identity_providers::Column::Active)).eq(true),
        )
        .to_owned();
    let with_passkey = Query::select()
        .column((crate::entities::passkeys::Entity, crate::entities::passkeys::Column::UserId))
        .from(crate::entities::passkeys::Entity)
        .to_owned();
    Ok(users::Entity::find()
        .filter(users::Column::Id.not_in_subquery(linked))
        .filter(users::Column::Id.not_in_subquery(with_passkey))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await?)
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
