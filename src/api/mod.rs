//! REST API v3.0 (`../shared/reference/api-v3.md`): the token endpoint, bearer
//! authentication with a per-client rate limit, the collection conventions
//! (`$filter`, `$orderby`, `$top`, `$skip`, the `{data,total,top,skip}` envelope), JSON
//! errors, the future-actions resource and the OpenAPI document.

pub mod clients;
pub mod filter;
pub mod future_actions;
pub mod openapi;
pub mod properties;
pub mod query;
pub mod token;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;
use clients::Caller;
use filter::QueryError;

/// An API error: `{"error": {"code", "message", "position"}}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub position: Option<usize>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), position: None, retry_after: None }
    }

    pub(crate) fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NotFound", "No such object.")
    }

    pub(crate) fn unauthorized(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    pub(crate) fn parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidParameter", message)
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: error.code,
            message: error.message,
            position: error.position,
            retry_after: None,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        match error {
            AppError::NotFound => ApiError::not_found(),
            AppError::BadRequest(message) => ApiError::parameter(message),
            other if other.status() == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %other, "API request: service unavailable");
                let mut error =
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", other.public_message());
                error.retry_after = other.retry_after();
                error
            }
            other => {
                tracing::error!(error = %other, "API request failed");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "Something went wrong; try again.")
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> ApiError {
        ApiError::from(AppError::from(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "position": self.position}});
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The caller of an API request: a valid bearer token, within its client's rate limit.
pub(crate) async fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(ApiError::unauthorized("Send an access token: Authorization: Bearer <token>.")),
    };
    let Some(caller) = clients::caller_of_token(&state.db, token, Utc::now()).await? else {
        return Err(ApiError::unauthorized("The access token is not valid, has expired or was revoked."));
    };
    if let Err(seconds) = state.api_limiter.hit(caller.client.id).await? {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!("This client made too many requests; try again in {seconds} s."),
        );
        error.retry_after = Some(seconds);
        return Err(error);
    }
    Ok(caller)
}
