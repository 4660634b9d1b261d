//! Passkeys (WebAuthn discoverable credentials, through webauthn-rs): registering one for
//! the signed-in user, signing in with one without typing an e-mail, listing and removing
//! them. The relying party is the public base URL (its host is the RP id, the URL the only
//! origin). Each ceremony's state waits in the session and is taken out once: a replayed
//! answer, or one for another browser's challenge, finds nothing to finish. A passkey
//! verifies its user (user verification is required), so a passkey sign-in is complete on
//! its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};

use super::events;
use super::oidc::Continuation;
use crate::entities::{accounts, passkeys, users};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{self, Notice};
use crate::mail::Site;

const REGISTRATION: &str = "passkey_registration";
const SIGN_IN: &str = "passkey_sign_in";
/// How long a ceremony may take, from its options to its answer (the authenticator is
/// given the same).
pub(crate) const CEREMONY_SECONDS: i64 = 300;
/// The most passkeys one user may have.
pub(crate) const MAX_PER_USER: u64 = 20;
pub(crate) const MAX_NAME_CHARS: usize = 60;

/// Why a passkey could not be added or used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasskeyError {
    #[error(
        "Passkeys are not available on this server: its public address ({0}) is not a host name. Passkeys need \
         one, such as localhost or shop.example.com."
    )]
    Unavailable(String),
    /// The script's request is not the JSON it should be.
    #[error("The request is not what a passkey answer looks like ({0}). Reload the page and try again.")]
    NotAnAnswer(String),
    #[error("No passkey request is waiting in this browser (it was used already, or it expired). Please start again.")]
    NoCeremony,
    #[error("The passkey's answer was not accepted ({0}). Please start again.")]
    Refused(String),
    #[error("This passkey is not registered here. Sign in another way and add it under My Account → Passkeys.")]
    Unknown,
    #[error(
        "This passkey was refused: its signature counter did not move forward, a sign that it may have been copied. \
         Sign in another way, remove it and add a new one."
    )]
    Cloned,
    #[error("This passkey is registered already.")]
    AlreadyRegistered,
    #[error("You have {MAX_PER_USER} passkeys already: remove one first.")]
    TooMany,
    #[error("{0}")]
    BadName(&'static str),
    /// The user or the account may not sign in (deactivated, suspended, …).
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(PasskeyError);

impl From<tower_sessions::session::Error> for PasskeyError {
    fn from(e: tower_sessions::session::Error) -> Self {
        PasskeyError::Failed(e.into())
    }
}

impl PasskeyError {
    /// The refusal in the viewer's language (the script shows it).
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            PasskeyError::Unavailable(base) => tr!(loc, "passkey-unavailable", address = base),
            PasskeyError::NotAnAnswer(why) => tr!(loc, "passkey-not-an-answer", reason = why),
            PasskeyError::NoCeremony => loc.t("passkey-no-ceremony"),
            PasskeyError::Refused(why) => tr!(loc, "passkey-refused", reason = why),
            PasskeyError::Unknown => loc.t("passkey-unknown"),
            PasskeyError::Cloned => loc.t("passkey-cloned"),
            PasskeyError::AlreadyRegistered => loc.t("passkey-already-registered"),
            PasskeyError::TooMany => tr!(loc, "passkey-too-many", count = MAX_PER_USER),
            PasskeyError::BadName(name) if name.starts_with("Give") => loc.t("passkey-name-missing"),
            PasskeyError::BadName(_) => tr!(loc, "passkey-name-too-long", count = MAX_NAME_CHARS),
            PasskeyError::NotAllowed(reason) => super::sign_in_refusal(loc, reason),
            PasskeyError::Failed(error) => error.to_string(),
        }
    }

    /// The HTTP status a JSON answer carries.
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            PasskeyError::Unavailable(_) => StatusCode::CONFLICT,
            PasskeyError::NotAnAnswer(_)
            | PasskeyError::NoCeremony
            | PasskeyError::Refused(_)
            | PasskeyError::BadName(_) => StatusCode::BAD_REQUEST,
            PasskeyError::Unknown | PasskeyError::Cloned => StatusCode::UNAUTHORIZED,
            PasskeyError::AlreadyRegistered | PasskeyError::TooMany => StatusCode::CONFLICT,
            PasskeyError::NotAllowed(_) => StatusCode::FORBIDDEN,
            PasskeyError::Failed(e) => e.status(),
        }
    }
}

/// The relying party of the public base URL; `None` when its host is not a domain name
/// (an IP address: browsers refuse passkeys there).
pub(crate) fn relying_party(base_url: &str) -> Option<Webauthn> {
    let url = Url::parse(base_url).ok()?;
    let rp_id = url.domain()?.to_string();
    let origin = Url::parse(&url.origin().ascii_serialization()).ok()?;
    WebauthnBuilder::new(&rp_id, &origin)
        .ok()?
        .timeout(std::time::Duration::from_secs(CEREMONY_SECONDS as u64))
        .build()
        .ok()
}

fn relying_party_or_refuse(base_url: &str) -> Result<Webauthn, PasskeyError> {
    relying_party(base_url).ok_or_else(|| PasskeyError::Unavailable(base_url.to_string()))
}

/// Characters that change how text around them shows without being seen themselves
/// (direction overrides, zero-width marks): no place in a name shown in mail and events.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A passkey's name as the user typed it: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no
/// control characters nor invisible formatting ones.
pub(crate) fn check_name(name: &str) -> Result<String, PasskeyError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PasskeyError::BadName("Give the passkey a name, such as the device it is on."));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        return Err(PasskeyError::BadName("A passkey's name is at most 60 characters of plain text."));
    }
    Ok(name.to_string())
}

fn encode_credential_id(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// What a registration keeps in the session between its options and its answer.
#[derive(Serialize, Deserialize)]
struct PendingRegistration {
    user_id: i32,
    name: String,
    user_handle: Uuid,
    started_at: i64,
    state: PasskeyRegistration,
}

/// What a sign-in keeps in the session between its options and its answer.
#[derive(Serialize, Deserialize)]
struct PendingSignIn {
    started_at: i64,
    return_to: String,
    then: Option<Continuation>,
    state: DiscoverableAuthentication,
}

/// Whether a ceremony started at `started_at` may still be finished (another instance's
/// clock may be a little ahead of this one's).
fn still_fresh(started_at: i64) -> bool {
    let age = Utc::now().timestamp() - started_at;
    (-60..=CEREMONY_SECONDS).contains(&age)
}

/// The user's passkeys, oldest first.
pub(crate) async fn list<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Vec<passkeys::Model>> {
    Ok(passkeys::Entity::find()
        .filter(passkeys::Column::UserId.eq(user_id))
        .order_by_asc(passkeys::Column::CreatedAt)
        .order_by_asc(passkeys::Column::Id)
        .all(db)
        .await?)
}

/// Starts adding a passkey for `user`: the options for `navigator.credentials.create`
/// (a discoverable credential, user verification required; the user's other passkeys
/// excluded), with the ceremony's state kept in the session.
pub(crate) async fn start_registration(
    db: &DatabaseConnection,
    session: &Session,
    base_url: &str,
    user: &users::Model,
    name: &str,
) -> Result<CreationChallengeResponse, PasskeyError> {
    let rp = relying_party_or_refuse(base_url)?;
    let name = check_name(name)?;
    let existing = list(db, user.id).await?;
    if existing.len() as u64 >= MAX_PER_USER {
        return Err(PasskeyError::TooMany);
    }
    // One handle per user: an authenticator keeps one passkey per (site, user handle).
    let user_handle = match existing.first().map(|p| Uuid::parse_str(&p.user_handle)) {
        Some(Ok(handle)) => handle,
        Some(Err(_)) => return Err(AppError::Internal(format!("user {}: a passkey's user handle", user.id)).into()),
        None => Uuid::new_v4(),
    };
    let exclude: Vec<Vec<u8>> = existing.iter().filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok()).collect();
    let (mut options, state) = rp
        .start_passkey_registration(user_handle, &user.email, &user.name, Some(exclude))
        .map_err(|e| PasskeyError::Refused(e.to_string()))?;
    // A passkey is a discoverable credential: signing in with it names nobody first.
    // (webauthn-rs asks for one only as "discouraged"; its requirement type is not
    // re-exported, hence the value read from its JSON spelling.)
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key =
            Some(serde_json::from_str("\"required\"").map_err(|e| AppError::Internal(format!("resident key: {e}")))?);
        selection.require_resident_key = true;
    }
    let pending =
        PendingRegistration { user_id: user.id, name, user_handle, started_at: Utc::now().timestamp(), state };
    session.insert(REGISTRATION, pending).await?;
    Ok(options)
}

/// Finishes adding a passkey from the browser's answer: the pending registration is
/// taken out of the session (once), the answer verified, and the passkey stored with its
/// security event and the notice e-mail, in one transaction.
pub(crate) async fn finish_registration(
    db: &DatabaseConnection,
    session: &Session,
    site: &Site,
    base_url: &str,
    user: &users::Model,
    answer: &RegisterPublicKeyCredential,
) -> Result<passkeys::Model, PasskeyError> {
    let rp = relying_party_or_refuse(base_url)?;
    let pending = session.remove::<PendingRegistration>(REGISTRATION).await.unwrap_or(None);
    let Some(pending) = pending.filter(|p| p.user_id == user.id && still_fresh(p.started_at)) else {
        return Err(PasskeyError::NoCeremony);
    };
    let passkey = rp.finish_passkey_registration(answer, &pending.state).map_err(|e| refusal(&e))?;
    let credential_id = encode_credential_id(passkey.cred_id());
    let json = serde_json::to_string(&passkey).map_err(|e| AppError::Internal(format!("passkey as JSON: {e}")))?;
    if passkeys::Entity::find().filter(passkeys::Column::CredentialId.eq(&credential_id)).one(db).await?.is_some() {
        return Err(PasskeyError::AlreadyRegistered);
    }
    let txn = db.begin().await?;
    let row = passkeys::ActiveModel {
        user_id: Set(user.id),
        name: Set(pending.name.clone()),
        credential_id: Set(credential_id),
        user_handle: Set(pending.user_handle.to_string()),
        passkey: Set(json),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match row {
        Ok(row) => row,
        Err(e) => {
            txn.rollback().await?;
            return Err(if crate::error::is_unique_violation(&e) {
                PasskeyError::AlreadyRegistered
            } else {
                AppError::Database(e).into()
            });
        }
    };
    events::record_for(&txn, events::PASSKEY_ADDED, user, Some(pending.name.clone())).await?;
    messages::security_notice(&txn, site, user, Notice::PasskeyAdded(pending.name)).await?;
    txn.commit().await?;
    Ok(row)
}

/// webauthn-rs's reason, in the words a person reads.
fn refusal(error: &WebauthnError) -> PasskeyError {
    let reason = match error {
        WebauthnError::InvalidRPOrigin | WebauthnError::InvalidRPIDHash => "it was made for another site".to_string(),
        WebauthnError::MismatchedChallenge => "it answers another request".to_string(),
        WebauthnError::UserNotVerified => "the device did not verify you".to_string(),
        WebauthnError::CredentialPossibleCompromise => return PasskeyError::Cloned,
        other => other.to_string(),
    };
    PasskeyError::Refused(reason)
}

/// Starts a sign-in with any passkey of this site (the browser lets the person choose):
/// the options for `navigator.credentials.get`, with the state kept in the session. `then`
/// is what a signed-in user confirming it is them goes on with.
pub(crate) async fn start_sign_in(
    session: &Session,
    base_url: &str,
    return_to: String,
    then: Option<Continuation>,
) -> Result<RequestChallengeResponse, PasskeyError> {
    let rp = relying_party_or_refuse(base_url)?;
    let (mut options, state) =
        rp.start_discoverable_authentication().map_err(|e| PasskeyError::Refused(e.to_string()))?;
    // Started by a button, not by the e-mail field's autofill: a plain (modal) request.
    options.mediation = None;
    let pending = PendingSignIn { started_at: Utc::now().timestamp(), return_to, then, state };
    session.insert(SIGN_IN, pending).await?;
    Ok(options)
}

/// A verified passkey sign-in: whose, and what was asked for.
#[derive(Debug)]
pub(crate) struct Verified {
    pub user: users::Model,
    pub return_to: String,
    pub then: Option<Continuation>,
}

/// Finishes a sign-in from the browser's answer: the pending sign-in is taken out of the
/// session (once), the passkey found by its credential id and user handle, the assertion
/// verified (a counter that did not move forward is refused and recorded), the passkey's
/// counter and last use stored, and the user checked as one who may sign in. Failures are
/// recorded as security events; the caller begins the session.
pub(crate) async fn finish_sign_in(
    db: &DatabaseConnection,
    session: &Session,
    base_url: &str,
    answer: &PublicKeyCredential,
    ip: Option<String>,
) -> Result<Verified, PasskeyError> {
    let rp = relying_party_or_refuse(base_url)?;
    let pending = session.remove::<PendingSignIn>(SIGN_IN).await.unwrap_or(None);
    let Some(pending) = pending.filter(|p| still_fresh(p.started_at)) else {
        failed(db, None, "no pending request", ip).await?;
        return Err(PasskeyError::NoCeremony);
    };
    let Ok((user_handle, credential_id)) = rp.identify_discoverable_authentication(answer) else {
        failed(db, None, "no user handle in the answer", ip).await?;
        return Err(PasskeyError::Unknown);
    };
    let credential_id = encode_credential_id(credential_id);
    let row = passkeys::Entity::find().filter(passkeys::Column::CredentialId.eq(&credential_id)).one(db).await?;
    let Some(row) = row.filter(|r| r.user_handle == user_handle.to_string()) else {
        failed(db, None, "unknown credential", ip).await?;
        return Err(PasskeyError::Unknown);
    };
    let user = users::Entity::find_by_id(row.user_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut passkey: Passkey = serde_json::from_str(&row.passkey)
        .map_err(|e| AppError::Internal(format!("passkey {} is not readable: {e}", row.id)))?;
    let result = match rp.finish_discoverable_authentication_v2(answer, pending.state, &passkey) {
        Ok(result) => result,
        Err(error) => {
            let refused = refusal(&error);
            if matches!(refused, PasskeyError::Cloned) {
                let detail = format!("{}: the signature counter did not move forward", row.name);
                events::record(
                    db,
                    events::PASSKEY_CLONE_SUSPECTED,
                    Some(user.id),
                    Some(user.account_id),
                    Some(detail),
                    ip,
                )
                .await?;
            } else {
                failed(db, Some(&user), &format!("{}: {error}", row.name), ip).await?;
            }
            return Err(refused);
        }
    };
    passkey.update_credential(&result);
    let json = serde_json::to_string(&passkey).map_err(|e| AppError::Internal(format!("passkey as JSON: {e}")))?;
    // Only over the version read: of two answers racing with one passkey, one counts.
    let stored = passkeys::Entity::update_many()
        .col_expr(passkeys::Column::Passkey, Expr::value(json))
        .col_expr(passkeys::Column::LastUsedAt, Expr::value(Some(Utc::now())))
        .filter(passkeys::Column::Id.eq(row.id))
        .filter(passkeys::Column::Passkey.eq(row.passkey.clone()))
        .exec(db)
        .await?;
    if stored.rows_affected != 1 {
        failed(db, Some(&user), &format!("{}: used twice at once", row.name), ip).await?;
        return Err(PasskeyError::Refused("this passkey was used for another sign-in at the same moment".into()));
    }
    let account = accounts::Entity::find_by_id(user.account_id).one(db).await?;
    if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
        failed(db, Some(&user), reason, ip).await?;
        return Err(PasskeyError::NotAllowed(reason));
    }
    Ok(Verified { user, return_to: pending.return_to, then: pending.then })
}

/// A passkey sign-in that begins a session: the user's last sign-in and the event.
pub(crate) async fn record_sign_in(db: &DatabaseConnection, user: &users::Model, ip: Option<String>) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::LastLoginAt, Expr::value(Some(Utc::now())))
        .filter(users::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    events::record(db, events::SIGN_IN, Some(user.id), Some(user.account_id), Some("passkey".into()), ip).await
}

async fn failed(db: &DatabaseConnection, user: Option<&users::Model>, why: &str, ip: Option<String>) -> AppResult<()> {
    let detail = Some(format!("passkey: {why}"));
    events::record(db, events::SIGN_IN_FAILED, user.map(|u| u.id), user.map(|u| u.account_id), detail, ip).await
}

/// Removes one of the user's own passkeys, with its security event and notice e-mail, in
/// one transaction. `false` when the user has no such passkey.
pub(crate) async fn remove(db: &DatabaseConnection, site: &Site, user: &users::Model, id: i32) -> AppResult<bool> {
    let txn = db.begin().await?;
    let found = passkeys::Entity::find_by_id(id).filter(passkeys::Column::UserId.eq(user.id)).one(&txn).await?;
    let Some(found) = found else {
        txn.rollback().await?;
        return Ok(false);
    };
    passkeys::Entity::delete_by_id(found.id).exec(&txn).await?;
    events::record_for(&txn, events::PASSKEY_REMOVED, user, Some(found.name.clone())).await?;
    messages::security_notice(&txn, site, user, Notice::PasskeyRemoved(found.name)).await?;
    txn.commit().await?;
    Ok(true)
}

/// Removes every passkey of a user (an administrator's reset), inside the caller's
/// transaction, which records the event; the number removed. (`pub` for the tests.)
pub async fn remove_all<C: ConnectionTrait>(txn: &C, user_id: i32) -> AppResult<u64> {
    Ok(passkeys::Entity::delete_many().filter(passkeys::Column::UserId.eq(user_id)).exec(txn).await?.rows_affected)
}

/// Whether anybody has a passkey.
pub(crate) async fn any<C: ConnectionTrait>(db: &C) -> AppResult<bool> {
    Ok(passkeys::Entity::find().one(db).await?.is_some())
}

/// How many passkeys the user has.
pub(crate) async fn count<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<u64> {
    Ok(passkeys::Entity::find().filter(passkeys::Column::UserId.eq(user_id)).count(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_base_urls_host() {
        let rp = relying_party("https://shop.example.com").expect("a domain");
        let origins: Vec<String> = rp.get_allowed_origins().iter().map(|u| u.origin().ascii_serialization()).collect();
        assert_eq!(origins, ["https://shop.example.com"]);
        assert!(relying_party("http://localhost:3000/").is_some());
        assert!(relying_party("http://127.0.0.1:3000").is_none(), "browsers refuse passkeys on IP addresses");
        assert!(relying_party("not a url").is_none());
    }

    #[test]
    fn a_ceremony_lasts_five_minutes() {
        let now = Utc::now().timestamp();
        assert!(still_fresh(now) && still_fresh(now - CEREMONY_SECONDS) && still_fresh(now + 5));
        assert!(!still_fresh(now - CEREMONY_SECONDS - 1));
    }

    #[test]
    fn names_are_short_plain_text() {
        assert_eq!(check_name("  Laptop  ").unwrap(), "Laptop");
        assert!(matches!(check_name(" "), Err(PasskeyError::BadName(_))));
        assert!(matches!(check_name(&"x".repeat(61)), Err(PasskeyError::BadName(_))));
        assert!(matches!(check_name("a\nb"), Err(PasskeyError::BadName(_))));
        // A direction override or a zero-width mark would let a name pass for another in mail.
        assert!(matches!(check_name("Phone\u{202E}gnp.exe"), Err(PasskeyError::BadName(_))));
        assert!(matches!(check_name("Pho\u{200B}ne"), Err(PasskeyError::BadName(_))));
        assert_eq!(check_name("Teléfono de Ana").unwrap(), "Teléfono de Ana");
    }
}
