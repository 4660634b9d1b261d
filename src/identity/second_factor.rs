//! Second factors after a password: an authenticator app (RFC 6238 codes, through
//! `totp-rs`), single-use recovery codes, the step between a right password and a signed-in
//! session, and the provider's rule of who must have a second factor.
//!
//! Only password sign-ins are followed by a code. A sign-in through an identity provider is
//! that provider's responsibility, and a passkey is two factors by itself.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use totp_rs::{Secret, Totp};
use tower_sessions::Session;

use super::devices::Device;
use super::{events, local, session, settings};
use crate::entities::enums::{SecondFactorRule, UserRole};
use crate::entities::{recovery_codes, totp_authenticators, users};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{self, Notice};
use crate::mail::Site;
use crate::secrets::SecretBox;

/// How many recovery codes a user gets at a time.
pub(crate) const RECOVERY_CODES: usize = 10;
/// How long the step between a right password and its code may take.
const PENDING_SECONDS: i64 = 5 * 60;
/// Where a signed-in user who must set up a second factor is sent.
pub(crate) const SET_UP_PATH: &str = "/account/login-options/authenticator";
/// Where the code is asked for after a right password.
pub(crate) const CODE_PATH: &str = "/login/second-factor";

const PENDING: &str = "second_factor_pending";
const MUST_SET_UP: &str = "second_factor_must_set_up";

// ---------------------------------------------------------------------------------------
// Pure rules

/// Whether the rule makes a user of this role have a second factor.
pub(crate) fn required_for(rule: SecondFactorRule, role: UserRole) -> bool {
    match rule {
        SecondFactorRule::Off => false,
        SecondFactorRule::Administrators => matches!(role, UserRole::ProviderAdmin | UserRole::ResellerAdmin),
        SecondFactorRule::Everyone => true,
    }
}

/// What a code field holds: six digits of an authenticator app, or a recovery code.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TypedCode {
    App(String),
    Recovery(String),
    Nothing,
}

/// Reads a typed code: spaces and dashes do not matter, nor letter case.
pub(crate) fn read_code(typed: &str) -> TypedCode {
    let plain: String =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_lowercase).take(64).collect();
    if plain.is_empty() {
        TypedCode::Nothing
    } else if plain.len() == 6 && plain.chars().all(|c| c.is_ascii_digit()) {
        TypedCode::App(plain)
    } else {
        TypedCode::Recovery(plain)
    }
}

/// The letters of recovery codes: no 0/o or 1/l/i to misread.
const RECOVERY_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Ten new recovery codes, as shown: `xxxx-xxxx-xxxx` (59 random bits each).
pub(crate) fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let letters: Vec<char> =
                (0..12).map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char).collect();
            letters.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// How a recovery code is stored: SHA-256 of the user and the code as read (a random
/// 60-bit code needs no slow hash; the user id keeps equal codes of two users apart).
pub(crate) fn recovery_hash(user_id: i32, plain: &str) -> String {
    let digest = Sha256::digest(format!("stratus-recovery-v1:{user_id}:{plain}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new authenticator secret (160 bits, as RFC 4226 recommends).
fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut bytes = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// The RFC 6238 generator of a secret: SHA-1, six digits, 30 s, a step either side.
/// `issuer` and `account` name the entry in the app (a colon is not allowed there).
fn totp_of(secret: &[u8], issuer: &str, account: &str) -> AppResult<Totp> {
    let clean = |s: &str| s.replace(':', " ");
    totp_rs::Builder::new()
        .with_secret(Secret::new(secret.to_vec().into_boxed_slice()))
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
        .map_err(|e| AppError::Internal(format!("authenticator settings: {e}")))
}

/// The time step a code matches now (the one before and after count too), if any.
pub(crate) fn matching_step(totp: &Totp, code: &str, unix_seconds: u64) -> Option<i64> {
    totp.check(code, unix_seconds).and_then(|step| i64::try_from(step).ok())
}

fn now_unix() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

/// The QR code of an `otpauth://` URL as an SVG document (black on white).
pub(crate) fn qr_svg(url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| AppError::Internal(format!("QR code: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

// ---------------------------------------------------------------------------------------
// The authenticator app

/// Whether the user has a confirmed authenticator app.
pub(crate) async fn is_connected<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<bool> {
    Ok(totp_authenticators::Entity::find_by_id(user_id)
        .filter(totp_authenticators::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
        .is_some())
}

/// What Login Options shows of the user's authenticator app: None when there is none,
/// else how many recovery codes are left.
pub(crate) async fn status_of(db: &DatabaseConnection, user_id: i32) -> AppResult<Option<u64>> {
    if !is_connected(db, user_id).await? {
        return Ok(None);
    }
    let left = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(db)
        .await?;
    Ok(Some(left))
}

/// Which of these users have a second factor an administrator could reset.
pub(crate) async fn users_with_second_factors(
    db: &DatabaseConnection,
    user_ids: &[i32],
) -> AppResult<std::collections::HashSet<i32>> {
    if user_ids.is_empty() {
        return Ok(Default::default());
    }
    let with_app = totp_authenticators::Entity::find()
        .filter(totp_authenticators::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(totp_authenticators::Column::ConfirmedAt.is_not_null())
        .all(db)
        .await?;
    let with_passkey = crate::entities::passkeys::Entity::find()
        .filter(crate::entities::passkeys::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(with_app.into_iter().map(|row| row.user_id).chain(with_passkey.into_iter().map(|row| row.user_id)).collect())
}

/// An enrolment under way: what the user types or scans into the app.
#[derive(Clone)]
pub(crate) struct Enrolment {
    /// The secret in base32, as apps take it typed.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub url: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment { secret: <hidden> }")
    }
}

/// The secret of an enrolment under way, sealed, in the session that began it: nobody else
/// (somebody who signed in with a known password, say) can plant a key the user then adds.
const ENROLMENT: &str = "second_factor_enrolment";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingEnrolment {
    user_id: i32,
    sealed: String,
}

/// Starts (or shows again) the enrolment of this session: a new secret, kept sealed in the
/// session until a current code confirms it. None when the user has an app already.
pub(crate) async fn begin_enrolment(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    session: &Session,
    user: &users::Model,
    issuer: &str,
) -> AppResult<Option<Enrolment>> {
    if is_connected(db, user.id).await? {
        return Ok(None);
    }
    let secret = match enrolment_secret(secrets, session, user).await? {
        Some(secret) => secret,
        None => {
            let secret = new_secret();
            let base32 = Secret::new(secret.clone().into_boxed_slice()).to_base32();
            let pending = PendingEnrolment { user_id: user.id, sealed: secrets.seal(&base32)? };
            session.insert(ENROLMENT, pending).await?;
            secret
        }
    };
    let totp = totp_of(&secret, issuer, &user.email)?;
    let url = totp.to_url().map_err(|e| AppError::Internal(format!("authenticator URL: {e}")))?;
    Ok(Some(Enrolment { secret: Secret::new(secret.into_boxed_slice()).to_base32(), url }))
}

/// The secret of this session's enrolment for this user, if one is under way.
async fn enrolment_secret(secrets: &SecretBox, session: &Session, user: &users::Model) -> AppResult<Option<Vec<u8>>> {
    match session.get::<PendingEnrolment>(ENROLMENT).await? {
        Some(pending) if pending.user_id == user.id => Ok(Some(open_secret(secrets, &pending.sealed)?)),
        _ => Ok(None),
    }
}

/// Why an enrolment was not confirmed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EnrolError {
    #[error("That code did not match. Type the six digits your app shows now (they change every 30 seconds).")]
    WrongCode,
    #[error("Start again: choose Connect next to Authenticator app.")]
    NothingToConfirm,
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(EnrolError);

impl EnrolError {
    /// The refusal in the viewer's language.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            EnrolError::WrongCode => loc.t("second-factor-enrol-wrong-code"),
            EnrolError::NothingToConfirm => loc.t("second-factor-enrol-start-again"),
            EnrolError::Failed(error) => error.to_string(),
        }
    }
}

fn open_secret(secrets: &SecretBox, sealed: &str) -> AppResult<Vec<u8>> {
    Ok(Secret::try_from_base32(secrets.open(sealed)?)
        .map_err(|_| AppError::Internal("a stored authenticator secret is damaged".into()))?
        .as_bytes()
        .to_vec())
}

/// Confirms an enrolment with a current code: the app is connected, ten recovery codes
/// replace any earlier ones (returned to be shown once), with the security event and the
/// notice e-mail in the same transaction.
pub(crate) async fn confirm_enrolment(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    site: &Site,
    session: &Session,
    user: &users::Model,
    typed: &str,
) -> Result<Vec<String>, EnrolError> {
    let Some(pending) = session.get::<PendingEnrolment>(ENROLMENT).await.map_err(AppError::from)? else {
        return Err(EnrolError::NothingToConfirm);
    };
    if pending.user_id != user.id {
        return Err(EnrolError::NothingToConfirm);
    }
    let totp = totp_of(&open_secret(secrets, &pending.sealed)?, "", &user.email)?;
    let TypedCode::App(code) = read_code(typed) else { return Err(EnrolError::WrongCode) };
    let step = matching_step(&totp, &code, now_unix()).ok_or(EnrolError::WrongCode)?;
    let txn = db.begin().await?;
    // One app per user: a second tab confirming at the same time finds the row there.
    let row = totp_authenticators::ActiveModel {
        user_id: Set(user.id),
        secret_sealed: Set(pending.sealed.clone()),
        confirmed_at: Set(Some(Utc::now())),
        last_used_step: Set(Some(step)),
        created_at: Set(Utc::now()),
    };
    if let Err(e) = row.insert(&txn).await {
        txn.rollback().await?;
        return if is_connected(db, user.id).await? {
            Err(EnrolError::NothingToConfirm)
        } else {
            Err(EnrolError::Failed(AppError::Database(e)))
        };
    }
    session.remove::<PendingEnrolment>(ENROLMENT).await.map_err(AppError::from)?;
    let codes = replace_recovery_codes(&txn, user.id).await?;
    events::record_for(&txn, events::AUTHENTICATOR_CONNECTED, user, None).await?;
    messages::security_notice(&txn, site, user, Notice::AuthenticatorConnected).await?;
    txn.commit().await?;
    Ok(codes)
}

async fn replace_recovery_codes<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Vec<String>> {
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(db).await?;
    let codes = new_recovery_codes();
    let now = Utc::now();
    let rows = codes.iter().map(|code| {
        // As `read_code` reads it back: without the dashes.
        let plain = code.replace('-', "");
        recovery_codes::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(recovery_hash(user_id, &plain)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
    });
    recovery_codes::Entity::insert_many(rows).exec(db).await?;
    Ok(codes)
}

/// New recovery codes instead of the old ones (which stop working), with the event and the
/// notice e-mail. None when the user has no authenticator app.
pub(crate) async fn renew_recovery_codes(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
) -> AppResult<Option<Vec<String>>> {
    if !is_connected(db, user.id).await? {
        return Ok(None);
    }
    let txn = db.begin().await?;
    let codes = replace_recovery_codes(&txn, user.id).await?;
    events::record_for(&txn, events::RECOVERY_CODES_RENEWED, user, None).await?;
    messages::security_notice(&txn, site, user, Notice::RecoveryCodesRenewed).await?;
    txn.commit().await?;
    Ok(Some(codes))
}

/// Removes the user's authenticator app and recovery codes, with the event and the notice
/// e-mail. False when there was none.
pub(crate) async fn disconnect(db: &DatabaseConnection, site: &Site, user: &users::Model) -> AppResult<bool> {
    let txn = db.begin().await?;
    let removed = remove_app_and_codes(&txn, user.id).await?;
    if removed {
        events::record_for(&txn, events::AUTHENTICATOR_DISCONNECTED, user, None).await?;
        messages::security_notice(&txn, site, user, Notice::AuthenticatorDisconnected).await?;
    }
    txn.commit().await?;
    Ok(removed)
}

async fn remove_app_and_codes<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<bool> {
    let removed = totp_authenticators::Entity::delete_many()
        .filter(totp_authenticators::Column::UserId.eq(user_id))
        .filter(totp_authenticators::Column::ConfirmedAt.is_not_null())
        .exec(db)
        .await?;
    totp_authenticators::Entity::delete_many().filter(totp_authenticators::Column::UserId.eq(user_id)).exec(db).await?;
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(removed.rows_affected > 0)
}

/// An administrator's reset for a user who lost every second factor: the authenticator app,
/// the recovery codes and the passkeys ([`super::passkeys::remove_all`]) go, recorded as a security event and mailed to the
/// user. False when the user had none of them.
pub(crate) async fn reset_by_admin(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    admin: &users::Model,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    let app = remove_app_and_codes(&txn, user.id).await?;
    let passkeys = super::passkeys::remove_all(&txn, user.id).await?;
    let removed = app || passkeys > 0;
    if removed {
        let what = match (app, passkeys) {
            (true, 0) => "authenticator app and recovery codes".to_string(),
            (true, n) => format!("authenticator app, recovery codes and {n} passkey(s)"),
            (false, n) => format!("{n} passkey(s)"),
        };
        // A lost or stolen device may still hold a signed-in session: every one ends.
        session::end_all(&txn, user.id).await?;
        let detail = format!("{what}, by {} (user {})", admin.email, admin.id);
        events::record_for(&txn, events::SECOND_FACTORS_RESET, user, Some(detail)).await?;
        messages::security_notice(&txn, site, user, Notice::SecondFactorsReset).await?;
    }
    txn.commit().await?;
    Ok(removed)
}

// ---------------------------------------------------------------------------------------
// Checking a code

/// What a typed code did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CodeCheck {
    /// Accepted: how ("authenticator app" or "recovery code").
    Accepted(&'static str),
    /// Wrong, used before, or the user is locked (counted toward the lockout).
    Refused,
}

/// Checks a code of the user's authenticator app or one of their recovery codes. An app
/// code is accepted once: its time step must be later than the last one accepted (set in
/// the same conditional write, so two requests cannot both use it); a recovery code is
/// spent as it is accepted. A wrong code counts toward the lockout like a wrong password,
/// and a locked user is refused whatever the code. A right code clears the failures.
pub(crate) async fn check_code(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    site: &Site,
    user: &users::Model,
    typed: &str,
    ip: Option<String>,
) -> AppResult<CodeCheck> {
    // The attempt is claimed before the code is checked (one conditional write, never past
    // the limit): parallel guesses cannot outrun the lockout.
    if !local::claim_attempt(db, user).await? {
        let reason = Some("account locked".to_string());
        events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), reason, ip).await?;
        return Ok(CodeCheck::Refused);
    }
    let accepted = match read_code(typed) {
        TypedCode::App(code) => accept_app_code(db, secrets, user, &code).await?.then_some("authenticator app"),
        TypedCode::Recovery(plain) => accept_recovery_code(db, site, user, &plain).await?.then_some("recovery code"),
        TypedCode::Nothing => None,
    };
    match accepted {
        // A right code that raced a lockout (guesses beside it locked the user) does not count.
        Some(how) if local::clear_failures(db, user.id).await? => Ok(CodeCheck::Accepted(how)),
        Some(_) => Ok(CodeCheck::Refused),
        None => {
            let detail = Some("wrong or reused code".to_string());
            events::record(db, events::SECOND_FACTOR_FAILED, Some(user.id), Some(user.account_id), detail, ip.clone())
                .await?;
            local::after_counted_failure(db, site, user, ip, "second factor: wrong code").await?;
            Ok(CodeCheck::Refused)
        }
    }
}

async fn accept_app_code(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    user: &users::Model,
    code: &str,
) -> AppResult<bool> {
    let Some(row) = totp_authenticators::Entity::find_by_id(user.id)
        .filter(totp_authenticators::Column::ConfirmedAt.is_not_null())
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let totp = totp_of(&open_secret(secrets, &row.secret_sealed)?, "", &user.email)?;
    let Some(step) = matching_step(&totp, code, now_unix()) else { return Ok(false) };
    // Accepted once: only a step later than the last accepted one moves it.
    let moved = totp_authenticators::Entity::update_many()
        .col_expr(totp_authenticators::Column::LastUsedStep, Expr::value(step))
        .filter(totp_authenticators::Column::UserId.eq(user.id))
        .filter(totp_authenticators::Column::ConfirmedAt.is_not_null())
        .filter(
            sea_orm::Condition::any()
                .add(totp_authenticators::Column::LastUsedStep.is_null())
                .add(totp_authenticators::Column::LastUsedStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

async fn accept_recovery_code(
    db: &DatabaseConnection,
    site: &Site,
    user: &users::Model,
    plain: &str,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    let spent = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(Utc::now()))
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .filter(recovery_codes::Column::CodeHash.eq(recovery_hash(user.id, plain)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    let left = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(&txn)
        .await?;
    events::record_for(&txn, events::RECOVERY_CODE_USED, user, Some(format!("{left} left"))).await?;
    messages::security_notice(&txn, site, user, Notice::RecoveryCodeUsed { left }).await?;
    txn.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------
// The step between a right password and a signed-in session

/// A right password waiting for its code, kept in the (not yet signed-in) session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    user_id: i32,
    /// The user's session generation then: a password reset or a sign-out of every
    /// session meanwhile ends the wait.
    generation: i32,
    at: i64,
    return_to: String,
}

/// After a right password (a sign-in, a password reset by mail, joining by invitation):
/// a user with an authenticator app is asked for a code first; anybody else is signed in,
/// and one who must have a second factor and has none is sent to set one up and can do
/// nothing else until done. Returns where to send the browser.
pub(crate) async fn after_password(
    db: &DatabaseConnection,
    session: &Session,
    user: &users::Model,
    device: &Device,
    return_to: String,
) -> AppResult<String> {
    if is_connected(db, user.id).await? {
        // A new id: nobody who planted a session cookie shares the wait.
        session.cycle_id().await?;
        let pending =
            Pending { user_id: user.id, generation: user.session_generation, at: Utc::now().timestamp(), return_to };
        session.insert(PENDING, pending).await?;
        return Ok(CODE_PATH.to_string());
    }
    session::begin_signed_in(db, session, user, device).await?;
    let rule = settings::load(db).await?.require_second_factor;
    if required_for(rule, user.role) {
        session.insert(MUST_SET_UP, true).await?;
        return Ok(SET_UP_PATH.to_string());
    }
    Ok(return_to)
}

/// The user waiting for a code in this session, if the wait is still good.
pub(crate) async fn pending_user(db: &DatabaseConnection, session: &Session) -> AppResult<Option<users::Model>> {
    let Some(pending) = session.get::<Pending>(PENDING).await? else { return Ok(None) };
    if Utc::now().timestamp() - pending.at > PENDING_SECONDS {
        session.remove::<Pending>(PENDING).await?;
        return Ok(None);
    }
    let user = users::Entity::find_by_id(pending.user_id).one(db).await?;
    Ok(user.filter(|u| u.session_generation == pending.generation && u.active))
}

/// What became of a code typed after a password.
#[derive(Debug)]
pub(crate) enum SecondStep {
    /// Signed in: where to go.
    SignedIn(String),
    Refused,
    /// Nothing waits for a code (it expired, or never began).
    NothingPending,
    /// The right code, but the user or account may not sign in now: why.
    NotAllowed(&'static str),
}

/// Checks the code typed after a password and, when right, signs the user in (a new
/// session id, as any sign-in).
pub(crate) async fn complete_sign_in(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    site: &Site,
    session: &Session,
    device: &Device,
    typed: &str,
) -> AppResult<SecondStep> {
    let Some(user) = pending_user(db, session).await? else { return Ok(SecondStep::NothingPending) };
    // Password sign-in turned off while the code was being typed: the password no longer counts.
    if !settings::load(db).await?.allow_local_login {
        session.remove::<Pending>(PENDING).await?;
        return Ok(SecondStep::NothingPending);
    }
    let ip = device.ip_text();
    let CodeCheck::Accepted(how) = check_code(db, secrets, site, &user, typed, ip.clone()).await? else {
        return Ok(SecondStep::Refused);
    };
    let Some(pending) = session.remove::<Pending>(PENDING).await? else { return Ok(SecondStep::NothingPending) };
    let account = crate::entities::accounts::Entity::find_by_id(user.account_id).one(db).await?;
    if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
        events::record(db, events::SIGN_IN_FAILED, Some(user.id), Some(user.account_id), Some(reason.into()), ip)
            .await?;
        return Ok(SecondStep::NotAllowed(reason));
    }
    let mut active: users::ActiveModel = user.clone().into();
    active.last_login_at = Set(Some(Utc::now()));
    let user = active.update(db).await?;
    events::record(db, events::SIGN_IN, Some(user.id), Some(user.account_id), Some(format!("password and {how}")), ip)
        .await?;
    session::begin_signed_in(db, session, &user, device).await?;
    Ok(SecondStep::SignedIn(pending.return_to))
}

/// Whether this signed-in session must set up a second factor before anything else: it
/// signed in with a password, the rule requires one of the user, and the user has none
/// yet. The rule is read from memory (no statement); a rule turned off frees the session.
pub(crate) async fn must_set_up(session: &Session, rule: SecondFactorRule, role: UserRole) -> AppResult<bool> {
    if !session.get::<bool>(MUST_SET_UP).await?.unwrap_or(false) {
        return Ok(false);
    }
    if !required_for(rule, role) {
        session.remove::<bool>(MUST_SET_UP).await?;
        return Ok(false);
    }
    Ok(true)
}

/// Whether the session was told to set up a second factor (read from the session alone).
pub(crate) async fn flagged(session: &Session) -> AppResult<bool> {
    Ok(session.get::<bool>(MUST_SET_UP).await?.unwrap_or(false))
}

/// The session has a second factor now (or must set one up again after removing it).
pub(crate) async fn set_must_set_up(session: &Session, must: bool) -> AppResult<()> {
    if must {
        session.insert(MUST_SET_UP, true).await?;
    } else {
        session.remove::<bool>(MUST_SET_UP).await?;
    }
    Ok(())
}

/// Paths a session that must set up a second factor may still open.
pub(crate) fn open_while_setting_up(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    matches!(path, SET_UP_PATH | "/account/login-options/authenticator/connect" | "/logout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_must_have_a_second_factor() {
        use SecondFactorRule::*;
        use UserRole::*;
        assert!(!required_for(Off, ProviderAdmin));
        assert!(required_for(Administrators, ProviderAdmin));
        assert!(required_for(Administrators, ResellerAdmin));
        assert!(!required_for(Administrators, CustomerAdmin));
        assert!(!required_for(Administrators, CustomerUser));
        assert!(required_for(Everyone, CustomerUser));
    }

    #[test]
    fn typed_codes_are_read_whatever_the_spacing() {
        assert_eq!(read_code(" 123 456 "), TypedCode::App("123456".into()));
        assert_eq!(read_code("123-456"), TypedCode::App("123456".into()));
        assert_eq!(read_code("ABCD-efgh-2345"), TypedCode::Recovery("abcdefgh2345".into()));
        assert_eq!(read_code("12345"), TypedCode::Recovery("12345".into()));
        assert_eq!(read_code("  "), TypedCode::Nothing);
        assert!(matches!(read_code(&"9".repeat(10_000)), TypedCode::Recovery(s) if s.len() == 64));
    }

    #[test]
    fn recovery_codes_are_ten_distinct_twelve_letter_codes_that_read_back() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 14, "{code}");
            assert!(matches!(read_code(code), TypedCode::Recovery(plain) if plain.len() == 12));
            assert!(!code.contains(['0', '1', 'o', 'l', 'i']));
        }
    }

    #[test]
    fn a_recovery_hash_depends_on_the_user() {
        assert_eq!(recovery_hash(1, "abcd"), recovery_hash(1, "abcd"));
        assert_ne!(recovery_hash(1, "abcd"), recovery_hash(2, "abcd"));
        assert_eq!(recovery_hash(1, "abcd").len(), 64);
    }

    #[test]
    fn codes_match_their_step_and_the_ones_beside_it_only() {
        // RFC 6238 appendix B's SHA-1 secret, six digits.
        let totp = totp_of(b"12345678901234567890", "Stratus", "ana@contoso.demo").unwrap();
        let at = 59;
        let code = totp.generate(at).to_string();
        assert_eq!(code, "287082");
        assert_eq!(matching_step(&totp, &code, at), Some(1));
        assert_eq!(matching_step(&totp, &code, at + 30), Some(1));
        assert_eq!(matching_step(&totp, &code, at + 61), None);
        assert_eq!(matching_step(&totp, "000000", at), None);
        assert_eq!(matching_step(&totp, "abc", at), None);
    }

    #[test]
    fn an_issuer_or_account_with_a_colon_still_makes_a_url() {
        let totp = totp_of(&new_secret(), "Andes: IT", "a:b@x.cl").unwrap();
        let url = totp.to_url().unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(qr_svg(&url).unwrap().starts_with("<?xml"));
    }

    #[test]
    fn only_the_set_up_pages_and_sign_out_stay_open_while_setting_up() {
        assert!(open_while_setting_up(SET_UP_PATH));
        assert!(open_while_setting_up("/logout"));
        assert!(!open_while_setting_up("/account"));
        assert!(!open_while_setting_up("/admin/authentication"));
    }
}
