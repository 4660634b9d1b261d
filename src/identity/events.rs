//! Security events: every sign-in, failed attempt, lockout, unlock and setting change.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entities::enums::SecurityEventKind;
use crate::entities::security_events;
use crate::error::AppResult;

pub(crate) const SIGN_IN: SecurityEventKind = SecurityEventKind::SignIn;
pub(crate) const SIGN_IN_FAILED: SecurityEventKind = SecurityEventKind::SignInFailed;
pub(crate) const LOCKED_OUT: SecurityEventKind = SecurityEventKind::LockedOut;
pub(crate) const SIGN_OUT: SecurityEventKind = SecurityEventKind::SignOut;
pub(crate) const UNLOCKED: SecurityEventKind = SecurityEventKind::Unlocked;
pub(crate) const PASSWORD_CHANGED: SecurityEventKind = SecurityEventKind::PasswordChanged;
pub(crate) const SETTINGS_CHANGED: SecurityEventKind = SecurityEventKind::SettingsChanged;
pub(crate) const IDP_SIGN_IN: SecurityEventKind = SecurityEventKind::IdpSignIn;
pub(crate) const IDP_SIGN_IN_FAILED: SecurityEventKind = SecurityEventKind::IdpSignInFailed;
pub(crate) const LINKED: SecurityEventKind = SecurityEventKind::Linked;
pub(crate) const UNLINKED: SecurityEventKind = SecurityEventKind::Unlinked;
pub(crate) const LINK_REFUSED: SecurityEventKind = SecurityEventKind::LinkRefused;
pub(crate) const REGISTERED: SecurityEventKind = SecurityEventKind::Registered;
pub(crate) const REAUTHENTICATED: SecurityEventKind = SecurityEventKind::Reauthenticated;
pub(crate) const OTHER_SESSIONS_ENDED: SecurityEventKind = SecurityEventKind::OtherSessionsEnded;
pub(crate) const SESSION_ENDED: SecurityEventKind = SecurityEventKind::SessionEnded;
pub(crate) const PASSWORD_SET: SecurityEventKind = SecurityEventKind::PasswordSet;
pub(crate) const PASSWORD_REMOVED: SecurityEventKind = SecurityEventKind::PasswordRemoved;
pub(crate) const AUTHENTICATOR_CONNECTED: SecurityEventKind = SecurityEventKind::AuthenticatorConnected;
pub(crate) const AUTHENTICATOR_DISCONNECTED: SecurityEventKind = SecurityEventKind::AuthenticatorDisconnected;
pub(crate) const RECOVERY_CODES_RENEWED: SecurityEventKind = SecurityEventKind::RecoveryCodesRenewed;
pub(crate) const RECOVERY_CODE_USED: SecurityEventKind = SecurityEventKind::RecoveryCodeUsed;
pub(crate) const SECOND_FACTOR_FAILED: SecurityEventKind = SecurityEventKind::SecondFactorFailed;
pub(crate) const SECOND_FACTORS_RESET: SecurityEventKind = SecurityEventKind::SecondFactorsReset;
pub(crate) const PASSKEY_ADDED: SecurityEventKind = SecurityEventKind::PasskeyAdded;
pub(crate) const PASSKEY_REMOVED: SecurityEventKind = SecurityEventKind::PasskeyRemoved;
pub(crate) const PASSKEY_CLONE_SUSPECTED: SecurityEventKind = SecurityEventKind::PasskeyCloneSuspected;

/// Records an event about a user (the common case).
pub(crate) async fn record_for<C: ConnectionTrait>(
    db: &C,
    kind: SecurityEventKind,
    user: &crate::entities::users::Model,
    detail: Option<String>,
) -> AppResult<()> {
    record(db, kind, Some(user.id), Some(user.account_id), detail, None).await
}

/// The most recent events of one user, newest first.
pub(crate) async fn recent_for_user(
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

pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    kind: SecurityEventKind,
    user_id: Option<i32>,
    account_id: Option<i32>,
    detail: Option<String>,
    ip: Option<String>,
) -> AppResult<()> {
    security_events::ActiveModel {
        user_id: Set(user_id),
        account_id: Set(account_id),
        kind: Set(kind),
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
pub(crate) async fn list_all(
    db: &sea_orm::DatabaseConnection,
    page: crate::pagination::PageQuery,
) -> AppResult<crate::pagination::Paged<(security_events::Model, Option<crate::entities::users::Model>)>> {
    use crate::pagination::{fetch_page, Keyset, Term};
    use sea_orm::EntityTrait;
    let select = security_events::Entity::find().find_also_related(crate::entities::users::Entity);
    let keyset = Keyset::new(
        "security-events",
        vec![Term::desc(security_events::Column::CreatedAt), Term::desc(security_events::Column::Id)],
    );
    fetch_page(db, select, &keyset, |(e, _)| vec![e.created_at.into(), e.id.into()], &page).await
}

/// The message id of how pages name an event kind ("Signed in", "Passkey added").
pub(crate) fn label_id(kind: crate::entities::enums::SecurityEventKind) -> &'static str {
    use crate::entities::enums::SecurityEventKind as K;
    use crate::i18n::msg;
    match kind {
        K::SignIn => msg!("account-event-sign-in"),
        K::SignInFailed => msg!("account-event-sign-in-failed"),
        K::LockedOut => msg!("account-event-locked-out"),
        K::SignOut => msg!("account-event-sign-out"),
        K::Unlocked => msg!("account-event-unlocked"),
        K::PasswordChanged => msg!("account-event-password-changed"),
        K::SettingsChanged => msg!("account-event-settings-changed"),
        K::IdpSignIn => msg!("account-event-idp-sign-in"),
        K::IdpSignInFailed => msg!("account-event-idp-sign-in-failed"),
        K::Linked => msg!("account-event-linked"),
        K::Unlinked => msg!("account-event-unlinked"),
        K::LinkRefused => msg!("account-event-link-refused"),
        K::Registered => msg!("account-event-registered"),
        K::Reauthenticated => msg!("account-event-reauthenticated"),
        K::OtherSessionsEnded => msg!("account-event-other-sessions-ended"),
        K::SessionEnded => msg!("account-event-session-ended"),
        K::PasswordSet => msg!("account-event-password-set"),
        K::PasswordRemoved => msg!("account-event-password-removed"),
        K::AuthenticatorConnected => msg!("account-event-authenticator-connected"),
        K::AuthenticatorDisconnected => msg!("account-event-authenticator-disconnected"),
        K::RecoveryCodesRenewed => msg!("account-event-recovery-codes-renewed"),
        K::RecoveryCodeUsed => msg!("account-event-recovery-code-used"),
        K::SecondFactorFailed => msg!("account-event-second-factor-failed"),
        K::SecondFactorsReset => msg!("account-event-second-factors-reset"),
        K::PasskeyAdded => msg!("account-event-passkey-added"),
        K::PasskeyRemoved => msg!("account-event-passkey-removed"),
        K::PasskeyCloneSuspected => msg!("account-event-passkey-clone-suspected"),
    }
}
