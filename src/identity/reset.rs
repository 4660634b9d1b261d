//! "Forgot your password?" and e-mail verification: links mailed to the address, each
//! carrying a single-use token (see [`crate::mail::tokens`]).
//!
//! Asking for a reset never says whether the address exists. A reset sets the new
//! password, ends every session of the user, clears a lockout, spends the user's other
//! reset links and tells the user by e-mail, all in one transaction.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::password::{self, NewPasswordError};
use super::{events, local, settings};
use crate::entities::enums::TokenPurpose;
use crate::entities::users;
use crate::error::{AppError, AppResult};
use crate::mail::messages::{self, Notice, RESET_MINUTES, VERIFY_HOURS};
use crate::mail::{tokens, Site};

/// Reset links one address may be sent per hour; more requests are answered the same
/// way and send nothing.
pub(crate) const RESETS_PER_HOUR: u64 = 3;

/// Mails a reset link to `email` when it names a user who signs in with a password (and
/// local login is allowed). Returns whether a message was written; the page says the same
/// either way.
pub(crate) async fn request(db: &DatabaseConnection, site: &Site, email: &str) -> AppResult<bool> {
    if !settings::load(db).await?.allow_local_login {
        return Ok(false);
    }
    let email = local::normalize_email(email);
    let user = users::Entity::find().filter(users::Column::Email.eq(&email)).one(db).await?;
    let Some(user) = user.filter(|u| u.password_hash.is_some()) else { return Ok(false) };
    let now = Utc::now();
    // Counted inside the transaction after a write to the user's row (a row lock in
    // PostgreSQL, the one writer's lock in SQLite, taken before anything is read): requests
    // worked on at once wait for each other rather than each see room for one more link.
    let txn = db.begin().await?;
    users::Entity::update_many()
        .col_expr(users::Column::Id, Expr::col(users::Column::Id).into())
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    if tokens::issued_since(&txn, user.id, TokenPurpose::PasswordReset, now - Duration::hours(1)).await?
        >= RESETS_PER_HOUR
    {
        txn.rollback().await?;
        return Ok(false);
    }
    let token = tokens::issue(&txn, user.id, TokenPurpose::PasswordReset, Duration::minutes(RESET_MINUTES)).await?;
    messages::password_reset(&txn, site, &user, &token).await?;
    txn.commit().await?;
    Ok(true)
}

/// Why a reset link did not set a password.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResetError {
    #[error("This link has expired or was already used. Ask for a new one.")]
    LinkNotValid,
    #[error(transparent)]
    NewPassword(#[from] NewPasswordError),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(ResetError);

impl ResetError {
    /// The refusal in the viewer's language.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            ResetError::LinkNotValid => loc.t("reset-link-not-valid"),
            ResetError::NewPassword(error) => error.localized(loc),
            ResetError::Failed(error) => error.to_string(),
        }
    }
}

/// The user a reset link is for, while it works (and password sign-in is allowed).
pub(crate) async fn user_of_link(db: &DatabaseConnection, raw: &str) -> AppResult<Option<users::Model>> {
    if !settings::load(db).await?.allow_local_login {
        return Ok(None);
    }
    let found = tokens::find_valid(db, raw, TokenPurpose::PasswordReset, Utc::now()).await?;
    Ok(found.map(|(_, user)| user).filter(|user| user.password_hash.is_some()))
}

/// Sets the password a reset link was for. Returns the user, whose every session is over:
/// the caller signs this browser in afresh.
pub(crate) async fn complete(
    db: &DatabaseConnection,
    site: &Site,
    raw: &str,
    new: &str,
    confirmation: &str,
) -> Result<users::Model, ResetError> {
    if !settings::load(db).await?.allow_local_login {
        return Err(ResetError::LinkNotValid);
    }
    let now = Utc::now();
    let Some((token, user)) = tokens::find_valid(db, raw, TokenPurpose::PasswordReset, now).await? else {
        return Err(ResetError::LinkNotValid);
    };
    password::check_new_password(new, confirmation)?;
    let hash = password::hash_off_thread(new).await?;
    let txn = db.begin().await?;
    // The user's row first: two links of one user submitted at once wait for each other
    // here rather than lock their tokens in opposite orders. A user whose password was
    // removed since the link was sent gets none back through it.
    let mut update = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(users::Column::PasswordChangedAt, Expr::value(Some(now)))
        // Following the link proved the address.
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(Some(user.email_verified_at.unwrap_or(now))));
    // A lockout earned by wrong second-factor codes stays: a mailbox and a new password do
    // not buy more guesses at the code (a user without an app starts over).
    if !super::second_factor::is_connected(&txn, user.id).await? {
        update = update
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .col_expr(users::Column::Lockouts, Expr::value(0))
            .col_expr(users::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None));
    }
    let updated = update
        .filter(users::Column::Id.eq(user.id))
        .filter(users::Column::PasswordHash.is_not_null())
        .exec(&txn)
        .await?;
    // Two tabs submitting one link: only the first spends it.
    if updated.rows_affected != 1 || !tokens::spend(&txn, token.id, now).await? {
        txn.rollback().await?;
        return Err(ResetError::LinkNotValid);
    }
    tokens::spend_all(&txn, user.id, TokenPurpose::PasswordReset, now).await?;
    super::session::end_all(&txn, user.id).await?;
    events::record_for(&txn, events::PASSWORD_CHANGED, &user, Some("reset through a mailed link".into())).await?;
    messages::security_notice(&txn, site, &user, Notice::PasswordReset).await?;
    txn.commit().await?;
    let user = users::Entity::find_by_id(user.id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(user)
}

/// Mails a verification link to a user whose address nobody has vouched for yet.
pub(crate) async fn send_verification<C: sea_orm::ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
) -> AppResult<()> {
    let token = tokens::issue(db, user.id, TokenPurpose::EmailVerification, Duration::hours(VERIFY_HOURS)).await?;
    messages::email_verification(db, site, user, &token).await
}

/// Sends the verification link again, at most 3 an hour: whether it was sent.
pub(crate) async fn resend_verification(db: &DatabaseConnection, site: &Site, user: &users::Model) -> AppResult<bool> {
    let since = Utc::now() - Duration::hours(1);
    if tokens::issued_since(db, user.id, TokenPurpose::EmailVerification, since).await? >= RESETS_PER_HOUR {
        return Ok(false);
    }
    let txn = db.begin().await?;
    send_verification(&txn, site, user).await?;
    txn.commit().await?;
    Ok(true)
}

/// Follows a verification link: the address counts as verified. The user, or none when
/// the link does not work (expired, used, or never issued).
pub(crate) async fn verify_email(db: &DatabaseConnection, raw: &str) -> AppResult<Option<users::Model>> {
    let now = Utc::now();
    let Some((token, user)) = tokens::find_valid(db, raw, TokenPurpose::EmailVerification, now).await? else {
        return Ok(None);
    };
    let txn = db.begin().await?;
    if !tokens::spend(&txn, token.id, now).await? {
        return Ok(None);
    }
    users::Entity::update_many()
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .filter(users::Column::Id.eq(user.id))
        .filter(users::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(user))
}
