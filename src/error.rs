//! The one error type. Handlers return `Result<_, AppError>` and use `?`.
//!
//! A capability whose rules can refuse a request has its own error enum (for example
//! `identity::local::PasswordChangeError`): one variant per refusal, each displaying the
//! words a person reads, plus `Failed(AppError)` for what is not a refusal (`#[from]`,
//! so `?` works inside). Code branches on the variants; a handler that shows a refusal
//! beside its form matches `Failed(e) => Err(e)` first, and `From<…> for AppError` turns
//! any other variant into [`AppError::Unprocessable`] (422); [`refusals!`] writes those
//! conversions.
//!
//! `IntoResponse` answers with the status and a short message and marks the
//! response with an [`ErrorPage`]; the page-context middleware turns every such
//! response into the branded HTML error page, so no handler renders errors itself.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The page needs a signed-in user: answered with a redirect to the sign-in page.
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// The request is understood but a rule refuses it (422); the message says why.
    #[error("{0}")]
    Unprocessable(String),
    /// 429 with `Retry-After` (seconds).
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// The server is at capacity for this kind of work: 503 with `Retry-After`.
    #[error("{0}")]
    Busy(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("session store: {0}")]
    Session(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// Marker left on error responses; the middleware renders the branded page from it.
#[derive(Debug, Clone)]
pub(crate) struct ErrorPage {
    pub message: String,
    /// The message's id in the bundles when the words are ours (not found, internal, the
    /// database away), so the page says them in the viewer's language.
    pub message_id: Option<&'static str>,
}

impl AppError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ if self.database_away() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Config(_) | AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// What a person may read: internals are never shown.
    pub(crate) fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "The page you asked for does not exist or is not yours to see.".into(),
            AppError::SignInRequired { .. } => "Please sign in first.".into(),
            AppError::BadRequest(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::Unprocessable(m)
            | AppError::TooManyRequests(m, _)
            | AppError::Busy(m) => m.clone(),
            _ if self.database_away() => DATABASE_UNREACHABLE.into(),
            _ => "Something went wrong on our side. Please try again in a moment.".into(),
        }
    }

    /// The bundle id of [`Self::public_message`] when it is one of ours, not a refusal's words.
    pub(crate) fn public_message_id(&self) -> Option<&'static str> {
        match self {
            AppError::NotFound => Some(crate::i18n::msg!("error-not-found")),
            AppError::SignInRequired { .. } => Some(crate::i18n::msg!("error-sign-in-first")),
            AppError::BadRequest(_)
            | AppError::Forbidden(_)
            | AppError::Conflict(_)
            | AppError::Unprocessable(_)
            | AppError::TooManyRequests(..)
            | AppError::Busy(_) => None,
            _ if self.database_away() => Some(crate::i18n::msg!("error-database-unreachable")),
            _ => Some(crate::i18n::msg!("error-internal")),
        }
    }

    /// Seconds a client should wait before trying again, for the answers that have one.
    pub(crate) fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Busy(_) => Some(5),
            AppError::TooManyRequests(_, seconds) => Some(*seconds),
            _ if self.database_away() => Some(RETRY_AFTER_OUTAGE),
            _ => None,
        }
    }

    /// Whether this is the database being away (a 503 to retry), not a fault of the work.
    pub(crate) fn database_away(&self) -> bool {
        matches!(self, AppError::Database(e) if database_unreachable(e))
    }
}

/// What a person reads while the database cannot be reached.
pub(crate) const DATABASE_UNREACHABLE: &str =
    "We cannot reach our database right now. Nothing you sent was lost or half-saved; please try again in a moment.";

/// `Retry-After` while the database cannot be reached (seconds).
pub(crate) const RETRY_AFTER_OUTAGE: u64 = 10;

/// Whether a database error means the database cannot be reached or cannot take the work
/// now (connection refused or lost, the pool's wait ran out, the server shutting down,
/// a statement timed out, SQLite busy past its timeout) — a 503 to try again, not a bug.
pub(crate) fn database_unreachable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match error {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    let RuntimeErr::SqlxError(error) = runtime else {
        return false;
    };
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => error.code().is_some_and(|code| transient_database_code(&code)),
        _ => false,
    }
}

/// PostgreSQL's connection (08), resources (53) and operator (57: shut down, statement
/// timeout) classes; SQLite's BUSY (5) and LOCKED (6).
fn transient_database_code(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || code.starts_with("57") || code == "5" || code == "6"
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Session(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired { next } = &self {
            let location = format!("/login?next={}", encode_query_value(next));
            return axum::response::Redirect::to(&location).into_response();
        }
        let status = self.status();
        if self.database_away() {
            tracing::warn!(error = %self, "database unreachable");
        } else if status.is_server_error() && !matches!(self, AppError::Busy(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.public_message();
        let mut response = (status, message.clone()).into_response();
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorPage { message, message_id: self.public_message_id() });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// For a capability's error enum with a `Failed(AppError)` variant: `?` on a database
/// error inside the capability, and the conversion into [`AppError`] (a failure as it is,
/// any refusal as [`AppError::Unprocessable`] with its words).
macro_rules! refusals {
    ($error:ident) => {
        impl From<sea_orm::DbErr> for $error {
            fn from(error: sea_orm::DbErr) -> Self {
                $error::Failed(error.into())
            }
        }

        impl From<$error> for $crate::error::AppError {
            fn from(error: $error) -> Self {
                match error {
                    $error::Failed(error) => error,
                    refused => $crate::error::AppError::Unprocessable(refused.to_string()),
                }
            }
        }
    };
}
pub(crate) use refusals;

/// Percent-encodes a value for a query string.
pub fn encode_query_value(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).map(|s| s[2..].to_string()).unwrap_or_default()
}

/// Whether a database error is a unique-constraint violation (SQLite or PostgreSQL), as
/// sea-orm classifies it: the one check for "somebody inserted the same row a moment ago".
pub(crate) fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_details() {
        let err = AppError::Internal("password=hunter2 at db.rs:12".into());
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.public_message().contains("hunter2"));
        let err = AppError::Database(sea_orm::DbErr::Custom("select * from users".into()));
        assert!(!err.public_message().contains("select"));
    }

    #[test]
    fn an_unreachable_database_is_a_503_to_retry_and_a_broken_query_a_500() {
        use sea_orm::{DbErr, RuntimeErr};
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let unreachable = [
            DbErr::Conn(RuntimeErr::SqlxError(sqlx::Error::Io(refused))),
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::PoolTimedOut)),
            DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout),
        ];
        for error in unreachable {
            let error = AppError::Database(error);
            assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE, "{error}");
            assert_eq!(error.retry_after(), Some(RETRY_AFTER_OUTAGE));
            assert_eq!(error.public_message(), DATABASE_UNREACHABLE);
        }
        let broken = AppError::Database(DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::RowNotFound)));
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(broken.retry_after(), None);
        for (code, transient) in [("08006", true), ("57P01", true), ("57014", true), ("53300", true), ("5", true)] {
            assert_eq!(transient_database_code(code), transient, "{code}");
        }
        for code in ["23505", "42P01", "40001", "19"] {
            assert!(!transient_database_code(code), "{code}");
        }
    }
}
