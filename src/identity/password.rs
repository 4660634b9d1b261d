//! Password hashing with argon2id and the rules for a new password.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{AppError, AppResult};

pub(crate) const MIN_PASSWORD_CHARS: usize = 10;
pub(crate) const MAX_PASSWORD_CHARS: usize = 256;

pub(crate) fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// True when `password` matches the stored hash; a malformed hash never matches.
pub(crate) fn verify(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// How many password checks run at once: one per core, off Tokio's workers, so a burst of
/// sign-ins never stalls the pages.
fn checks() -> &'static tokio::sync::Semaphore {
    static CHECKS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// What a sign-in answers when every password checker is busy (a 503 with Retry-After).
pub(crate) const BUSY: &str = "Too many sign-ins at once. Please try again in a few seconds.";

/// [`verify`] (or, without a hash, the same work against a dummy) on a blocking thread,
/// at most one per core; when all are busy for 2 s the caller gets a "busy" error (503).
pub(crate) async fn verify_off_thread(stored_hash: Option<String>, password: &str) -> AppResult<bool> {
    let password = password.to_string();
    off_thread(move || match stored_hash {
        Some(hash) => verify(&hash, &password),
        None => {
            verify_against_dummy(&password);
            false
        }
    })
    .await
}

/// [`hash`] on a blocking thread under the same limit as checks.
pub(crate) async fn hash_off_thread(password: &str) -> AppResult<String> {
    let password = password.to_string();
    off_thread(move || hash(&password)).await?
}

/// Runs Argon2 work on a blocking thread, at most one per core. The permit travels with
/// the work, so a client that hangs up does not free a slot while its hash still runs.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let permit = tokio::time::timeout(std::time::Duration::from_secs(2), checks().acquire())
        .await
        .map_err(|_| AppError::Busy(BUSY.into()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // Released on the blocking thread once the work is done (even if it panicked).
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|e| AppError::Internal(format!("password work: {e}")))
}

/// Spends the same work as a real verification, so an unknown e-mail is not faster to answer.
pub(crate) fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(dummy, password);
}

/// Why a new password is refused; each displays the message shown beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NewPasswordError {
    #[error("The new password must have at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("The new password can have at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
    #[error("The new password cannot be only spaces.")]
    OnlySpaces,
    #[error("The two new passwords do not match.")]
    Mismatch,
}

impl NewPasswordError {
    /// The refusal in the viewer's language.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            NewPasswordError::TooShort => tr!(loc, "identity-password-too-short", count = MIN_PASSWORD_CHARS),
            NewPasswordError::TooLong => tr!(loc, "identity-password-too-long", count = MAX_PASSWORD_CHARS),
            NewPasswordError::OnlySpaces => loc.t("identity-password-only-spaces"),
            NewPasswordError::Mismatch => loc.t("identity-password-mismatch"),
        }
    }
}

/// Checks a new password against the rules and its confirmation.
pub(crate) fn check_new_password(password: &str, confirmation: &str) -> Result<(), NewPasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(NewPasswordError::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(NewPasswordError::TooLong);
    }
    if password.trim().is_empty() {
        return Err(NewPasswordError::OnlySpaces);
    }
    if password != confirmation {
        return Err(NewPasswordError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "correct horse batterx"));
        assert!(!verify("not a hash", "x"));
    }

    #[tokio::test]
    async fn when_every_checker_is_busy_a_check_answers_busy_instead_of_waiting_on() {
        let all = checks().available_permits() as u32;
        let held = checks().acquire_many(all).await.unwrap();
        let started = std::time::Instant::now();
        let answer = verify_off_thread(None, "guess").await;
        assert!(matches!(answer, Err(AppError::Busy(_))), "{answer:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(4), "it gave up after its wait");
        drop(held);
        assert!(!verify_off_thread(None, "guess").await.unwrap(), "checks run again once a checker is free");
    }

    #[test]
    fn new_password_rules() {
        assert_eq!(check_new_password("short", "short"), Err(NewPasswordError::TooShort));
        assert_eq!(check_new_password("long enough pw", "long enough pX"), Err(NewPasswordError::Mismatch));
        assert_eq!(check_new_password("          ", "          "), Err(NewPasswordError::OnlySpaces));
        assert_eq!(check_new_password(&"x".repeat(257), &"x".repeat(257)), Err(NewPasswordError::TooLong));
        assert_eq!(check_new_password("long enough pw", "long enough pw"), Ok(()));
    }
}
