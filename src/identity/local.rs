//! Local sign-in (e-mail + password) with lockout, password change and unlock.

use crate::mail::messages::{self, Notice};
use crate::mail::Site;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::TransactionTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::{events, password, settings};
use crate::entities::{auth_settings, users};
use crate::error::{AppError, AppResult};

// The one message for every failed sign-in (so nobody learns which e-mails exist) and the
// one when password sign-in is off are the pages' `login-failed` and `login-local-off`.
pub(crate) const MAX_EMAIL_CHARS: usize = 254;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SignInOutcome {
    SignedIn(Box<users::Model>),
    /// The password was right; the user's authenticator app has the last word.
    CodeNeeded(Box<users::Model>),
    Failed,
    LocalLoginOff,
    /// The password was right, but the user or account may not sign in: why.
    NotAllowed(&'static str),
}

/// Normalises an e-mail for lookup.
pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A minimal shape check for e-mail fields; the error is the form message.
pub(crate) fn check_email(email: &str) -> Result<String, String> {
    let email = normalize_email(email);
    if email.is_empty() {
        return Err("Enter your e-mail address.".into());
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!("An e-mail address has at most {MAX_EMAIL_CHARS} characters."));
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
                && !email.contains(char::is_control) =>
        {
            Ok(email)
        }
        _ => Err("Enter an e-mail address like name@example.com.".into()),
    }
}

/// Whether a user is locked at `now`.
pub(crate) fn is_locked(user: &users::Model, now: DateTime<Utc>) -> bool {
    user.locked_until.is_some_and(|until| until > now)
}

/// The longest a lockout lasts, however many came before it.
pub(crate) const MAX_LOCKOUT_MINUTES: i64 = 24 * 60;

/// After a failed attempt that brought the count to `failed_logins`, for a user already
/// locked out `lockouts` times in a row: lock until when, if at all. Each lockout in a row
/// lasts twice as long as the one before, up to [`MAX_LOCKOUT_MINUTES`].
pub(crate) fn lock_after_failure(
    failed_logins: i32,
    lockouts: i32,
    rules: &auth_settings::Model,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let doublings = lockouts.clamp(0, 16) as u32;
    let minutes = i64::from(rules.lockout_minutes).saturating_mul(1 << doublings).min(MAX_LOCKOUT_MINUTES);
    (failed_logins >= rules.max_failed_logins).then(|| now + Duration::minutes(minutes))
}

/// Lockouts in a row that still count: a day after the last one ended, guessing starts
/// over from the configured lockout (so nobody stays locked out for good by a few
/// guesses a day).
pub(crate) fn lockouts_in_a_row(user: &users::Model, now: DateTime<Utc>) -> i32 {
    match user.locked_until {
        Some(until) if now - until < Duration::days(1) => user.lockouts,
        _ => 0,
    }
}

/// What a password is being checked for; failures count the same whatever the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedFor {
    SignIn,
    Reauthentication,
    PasswordGrant,
    PasswordChange,
}

impl CheckedFor {
    fn label(self) -> &'static str {
        match self {
            CheckedFor::SignIn => "wrong password",
            CheckedFor::Reauthentication => "re-authentication: wrong password",
            CheckedFor::PasswordGrant => "API password grant: wrong password",
            CheckedFor::PasswordChange => "password change: wrong current password",
        }
    }
}

/// The one password check for sign-in, re-authentication and the API's password grant:
/// off when local login is off, refused while the user is locked, every failure counted
/// atomically (parallel guesses cannot slip past the limit) with its security event, and
/// the lockout applied once the limit is reached. True when the password is right (the
/// failure count is then reset).
pub async fn verify_credentials(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    pass: &str,
    ip: Option<String>,
    purpose: CheckedFor,
) -> AppResult<bool> {
    let rules = settings::load(db).await?;
    let now = Utc::now();
    // A refused attempt without counting it: its security event, and `false`.
    let refused = |reason: &'static str, ip: Option<String>| async move {
        events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), Some(reason.into()), ip)
            .await
            .map(|()| false)
    };
    if !rules.allow_local_login || is_locked(user, now) {
        password::verify_off_thread(None, pass).await?;
        return refused(if rules.allow_local_login { "account locked" } else { "password sign-in is off" }, ip).await;
    }
    if password::verify_off_thread(user.password_hash.clone(), pass).await? {
        // With an authenticator app, only a right code clears the failures: otherwise the
        // password alone would reset the count and codes could be guessed without end.
        if super::second_factor::is_connected(db, user.id).await? {
            let open = users::Entity::find_by_id(user.id).filter(not_locked()).one(db).await?.is_some();
            return if open { Ok(true) } else { refused("account locked", ip).await };
        }
        // A right password that raced a lockout (guesses queued beside it locked the user
        // meanwhile) does not get in.
        let reset = users::Entity::update_many()
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .col_expr(users::Column::Lockouts, Expr::value(0))
            .col_expr(users::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(users::Column::Id.eq(user.id))
            .filter(not_locked())
            .exec(db)
            .await?;
        if reset.rows_affected == 1 {
            return Ok(true);
        }
        return refused("account locked", ip).await;
    }
    count_failed_attempt(db, site, user, ip, purpose.label()).await?;
    Ok(false)
}

/// Whether the user is unlocked as the database says now (not as read before a check,
/// which may have waited for a free checker).
fn not_locked() -> sea_orm::Condition {
    sea_orm::Condition::any().add(users::Column::LockedUntil.is_null()).add(users::Column::LockedUntil.lte(Utc::now()))
}

/// Counts one wrong answer (a password, a second-factor code) toward the user's lockout,
/// with its security event: atomically, so parallel attempts cannot slip past the
/// threshold; an attempt that raced a lockout (the user is locked by now) counts no more.
/// The attempt that reaches the limit locks the user and mails them.
pub(crate) async fn count_failed_attempt(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    ip: Option<String>,
    what: &str,
) -> AppResult<()> {
    let counted = users::Entity::update_many()
        .col_expr(users::Column::FailedLogins, Expr::col(users::Column::FailedLogins).add(1))
        .filter(users::Column::Id.eq(user.id))
        .filter(not_locked())
        .exec(db)
        .await?;
    if counted.rows_affected == 0 {
        let reason = Some("account locked".to_string());
        return events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), reason, ip).await;
    }
    after_counted_failure(db, site, user, ip, what).await
}

/// Claims one attempt before checking a second-factor code: the failure count goes up by
/// one while the user is not locked and under the limit (so at most the limit's worth of
/// codes are ever being checked). False when none is left (locked, or the limit's worth
/// already in flight).
pub(crate) async fn claim_attempt(db: &DatabaseConnection, user: &users::Model) -> AppResult<bool> {
    let rules = settings::load(db).await?;
    let claimed = users::Entity::update_many()
        .col_expr(users::Column::FailedLogins, Expr::col(users::Column::FailedLogins).add(1))
        .filter(users::Column::Id.eq(user.id))
        .filter(not_locked())
        .filter(users::Column::FailedLogins.lt(rules.max_failed_logins))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// After a right second-factor code: the failures start over, unless the user was locked
/// meanwhile (then false: the code does not get in).
pub(crate) async fn clear_failures(db: &DatabaseConnection, user_id: i32) -> AppResult<bool> {
    let cleared = users::Entity::update_many()
        .col_expr(users::Column::FailedLogins, Expr::value(0))
        .col_expr(users::Column::Lockouts, Expr::value(0))
        .filter(users::Column::Id.eq(user_id))
        .filter(not_locked())
        .exec(db)
        .await?;
    Ok(cleared.rows_affected == 1)
}

/// A failure already counted: its security event, and the lockout (with its e-mail) when
/// the count reached the limit.
pub(crate) async fn after_counted_failure(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    ip: Option<String>,
    what: &str,
) -> AppResult<()> {
    let rules = settings::load(db).await?;
    let now = Utc::now();
    let (failed, lockouts) = users::Entity::find_by_id(user.id)
        .one(db)
        .await?
        .map_or((0, 0), |u| (u.failed_logins, lockouts_in_a_row(&u, now)));
    events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), Some(what.into()), ip.clone())
        .await?;
    if let Some(until) = lock_after_failure(failed, lockouts, &rules, now) {
        // Only the attempt that reached the limit locks (and resets the count); the user
        // hears of it by e-mail, written with the lock.
        let txn = db.begin().await?;
        let locked = users::Entity::update_many()
            .col_expr(users::Column::LockedUntil, Expr::value(until))
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .col_expr(users::Column::Lockouts, Expr::value(lockouts + 1))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::FailedLogins.gte(rules.max_failed_logins))
            .filter(not_locked())
            .exec(&txn)
            .await?;
        if locked.rows_affected == 1 {
            messages::security_notice(&txn, site, user, Notice::AccountLocked { until }).await?;
            events::record(
                &txn,
                events::LOCKED_OUT,
                Some(user.id),
                Some(user.account_id),
                Some(format!("after {failed} failed attempts, until {}", until.format("%Y-%m-%d %H:%M UTC"))),
                ip,
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

pub(crate) async fn sign_in(
    db: &DatabaseConnection,
    site: &Site,
    email: &str,
    pass: &str,
    ip: Option<String>,
) -> AppResult<SignInOutcome> {
    let rules = settings::load(db).await?;
    if !rules.allow_local_login {
        return Ok(SignInOutcome::LocalLoginOff);
    }
    let email = normalize_email(email);
    let user = users::Entity::find().filter(users::Column::Email.eq(&email)).one(db).await?;
    let Some(user) = user else {
        password::verify_off_thread(None, pass).await?;
        events::record(db, events::SIGN_IN_FAILED, None, None, Some("unknown e-mail".into()), ip).await?;
        return Ok(SignInOutcome::Failed);
    };
    if !verify_credentials(db, site, &user, pass, ip.clone(), CheckedFor::SignIn).await? {
        return Ok(SignInOutcome::Failed);
    }
    // `verify_credentials` has reset the failure count already. Only a right password
    // learns that the user or account is closed.
    let account = crate::entities::accounts::Entity::find_by_id(user.account_id).one(db).await?;
    if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
        events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), Some(reason.into()), ip)
            .await?;
        return Ok(SignInOutcome::NotAllowed(reason));
    }
    if super::second_factor::is_connected(db, user.id).await? {
        return Ok(SignInOutcome::CodeNeeded(Box::new(user)));
    }
    let mut active: users::ActiveModel = user.clone().into();
    active.last_login_at = Set(Some(Utc::now()));
    let user = active.update(db).await?;
    events::record(db, events::SIGN_IN, Some(user.id), Some(user.account_id), Some("password".into()), ip).await?;
    Ok(SignInOutcome::SignedIn(Box::new(user)))
}

/// Changes a user's password after checking the current one (through
/// [`verify_credentials`]: a wrong one counts toward the lockout like any guess).
pub(crate) async fn change_password(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    current: &str,
    new: &str,
    confirmation: &str,
    ip: Option<String>,
) -> Result<(), PasswordChangeError> {
    // Without a password there is nothing to change: one is set from Login Options, after
    // confirming it is you, never here with no proof at all.
    if user.password_hash.is_none() {
        return Err(PasswordChangeError::NoPasswordYet);
    }
    password::check_new_password(new, confirmation)?;
    if !verify_credentials(db, site, user, current, ip, CheckedFor::PasswordChange).await? {
        return Err(PasswordChangeError::WrongCurrentPassword);
    }
    store_new_password(db, site, user, new, events::PASSWORD_CHANGED, Notice::PasswordChanged).await
}

/// Why a user without a password cannot "change" it.
pub(crate) const NO_PASSWORD_YET: &str =
    "You have no password yet. Set one under Login Options → Local → Connect, after confirming it is you.";

impl PasswordChangeError {
    /// The refusal in the viewer's language.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            PasswordChangeError::NoPasswordYet => loc.t("account-no-password-yet"),
            PasswordChangeError::WrongCurrentPassword => loc.t("account-current-password-refused"),
            PasswordChangeError::NewPassword(error) => error.localized(loc),
            PasswordChangeError::Failed(error) => error.to_string(),
        }
    }
}

/// Why a password could not be changed or set.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasswordChangeError {
    #[error("{}", NO_PASSWORD_YET)]
    NoPasswordYet,
    /// Wrong, or the account is locked, or password sign-in is off (one answer for all).
    #[error(
        "Your current password was not accepted: it is wrong, your account is locked after several wrong \
         attempts, or password sign-in is turned off."
    )]
    WrongCurrentPassword,
    #[error(transparent)]
    NewPassword(#[from] password::NewPasswordError),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(PasswordChangeError);

/// Stores the hash of a new password the caller has checked, recording `event` and
/// telling the user (`notice`) in the same transaction.
async fn store_new_password(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    new: &str,
    event: crate::entities::enums::SecurityEventKind,
    notice: Notice,
) -> Result<(), PasswordChangeError> {
    let hash = password::hash_off_thread(new).await?;
    let txn = db.begin().await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    // A reset link sent before the change no longer works.
    let now = Utc::now();
    crate::mail::tokens::spend_all(&txn, user.id, crate::entities::enums::TokenPurpose::PasswordReset, now).await?;
    events::record_for(&txn, event, user, None).await?;
    messages::security_notice(&txn, site, user, notice).await?;
    txn.commit().await?;
    Ok(())
}

/// Clears a lockout (admin action).
pub(crate) async fn unlock(db: &DatabaseConnection, user: &users::Model, by_user_id: i32) -> AppResult<()> {
    let mut active: users::ActiveModel = user.clone().into();
    active.locked_until = Set(None);
    active.failed_logins = Set(0);
    active.lockouts = Set(0);
    active.update(db).await?;
    events::record(
        db,
        events::UNLOCKED,
        Some(user.id),
        Some(user.account_id),
        Some(format!("by user {by_user_id}")),
        None,
    )
    .await?;
    Ok(())
}

/// Sets a password for a user who has none (Login Options → Local → Connect).
pub(crate) async fn set_password(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    new: &str,
    confirmation: &str,
) -> Result<(), PasswordChangeError> {
    password::check_new_password(new, confirmation)?;
    store_new_password(db, site, user, new, events::PASSWORD_SET, Notice::PasswordSet).await
}

/// Removes a user's password (Login Options → Local → Disconnect); the caller checks another way in remains.
pub(crate) async fn remove_password(db: &DatabaseConnection, site: &Site, user: &users::Model) -> AppResult<()> {
    let txn = db.begin().await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.password_hash = Set(None);
    active.update(&txn).await?;
    let now = Utc::now();
    crate::mail::tokens::spend_all(&txn, user.id, crate::entities::enums::TokenPurpose::PasswordReset, now).await?;
    events::record_for(&txn, events::PASSWORD_REMOVED, user, None).await?;
    messages::security_notice(&txn, site, user, Notice::PasswordRemoved).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(max: i32) -> auth_settings::Model {
        auth_settings::Model {
            id: 1,
            allow_local_login: true,
            max_failed_logins: max,
            lockout_minutes: 15,
            password_grant_enabled: false,
            allow_sign_up: false,
            sign_up_needs_approval: true,
            require_second_factor: crate::entities::enums::SecondFactorRule::Off,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn locks_on_the_threshold_attempt_and_not_before() {
        let now = Utc::now();
        assert_eq!(lock_after_failure(4, 0, &rules(5), now), None);
        assert_eq!(lock_after_failure(5, 0, &rules(5), now), Some(now + Duration::minutes(15)));
        assert!(lock_after_failure(3, 0, &rules(3), now).is_some());
    }

    #[test]
    fn lockouts_stop_counting_a_day_after_the_last_one_ended() {
        let now = Utc::now();
        let user = |ended_ago: i64| users::Model {
            id: 1,
            account_id: 1,
            email: "x@example.com".into(),
            name: "X".into(),
            role: crate::entities::enums::UserRole::CustomerUser,
            password_hash: None,
            failed_logins: 0,
            locked_until: Some(now - Duration::hours(ended_ago)),
            last_login_at: None,
            password_changed_at: None,
            session_generation: 0,
            lockouts: 4,
            email_verified_at: None,
            active: true,
            joined_at: None,
            invited_by: None,
            created_at: now,
            language: None,
            time_zone: None,
        };
        assert_eq!(lockouts_in_a_row(&user(1), now), 4);
        assert_eq!(lockouts_in_a_row(&user(25), now), 0);
        assert_eq!(lockouts_in_a_row(&users::Model { locked_until: None, ..user(1) }, now), 0);
    }

    #[test]
    fn each_lockout_in_a_row_lasts_twice_as_long_up_to_a_day() {
        let now = Utc::now();
        let minutes =
            |lockouts| lock_after_failure(5, lockouts, &rules(5), now).map(|until| (until - now).num_minutes());
        assert_eq!(minutes(1), Some(30));
        assert_eq!(minutes(2), Some(60));
        assert_eq!(minutes(6), Some(960));
        assert_eq!(minutes(7), Some(MAX_LOCKOUT_MINUTES));
        assert_eq!(minutes(1000), Some(MAX_LOCKOUT_MINUTES));
        assert_eq!(minutes(-3), Some(15));
    }

    #[test]
    fn email_shape() {
        assert_eq!(check_email("  Ana@Contoso.Demo "), Ok("ana@contoso.demo".into()));
        assert!(check_email("ana").is_err());
        assert!(check_email("ana@localhost").is_err());
        assert!(check_email("a b@c.d").is_err());
        assert!(check_email(&format!("{}@x.cl", "a".repeat(260))).is_err());
    }
}
