//! `POST /oauth/token` (RFC 6749): client credentials in HTTP Basic auth; the password grant
//! only while the provider has switched it on. Errors in the RFC's own JSON form.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::api::clients;
use crate::entities::users;
use crate::identity::{local, password, settings};
use crate::observability::metrics::{self, SignInMethod};
use crate::state::AppState;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (status, Json(json!({"error": error, "error_description": description}))).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"stratus\""));
    }
    response
}

/// The client id and secret from `Authorization: Basic …`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 1_000 {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /oauth/token`.
pub(crate) async fn token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue(&state, peer, &headers, &body).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "token endpoint");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Something went wrong; try again.")
        }
    }
}

async fn issue(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: &[u8],
) -> crate::error::AppResult<Response> {
    let client_ip = state.client_ip(peer, headers);
    if let Err(seconds) = state.sign_in_limiter.hit(client_ip).await? {
        let mut response =
            oauth_error(StatusCode::TOO_MANY_REQUESTS, "slow_down", "Too many token requests; wait and retry.");
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The body must be a form (application/x-www-form-urlencoded).",
        ));
    };
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some((client_id, secret)) = basic_credentials(headers) else {
        return Ok(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Send the client id and secret with HTTP Basic authentication.",
        ));
    };
    let Some(client) = clients::authenticate(&state.db, &client_id, &secret).await? else {
        metrics::sign_in(SignInMethod::ApiToken, false);
        return Ok(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client, wrong secret, or a revoked client.",
        ));
    };
    match field("grant_type") {
        Some("client_credentials") => {}
        Some("password") => {
            if !settings::load(&state.db).await?.password_grant_enabled {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "The password grant is switched off on this platform; use client_credentials.",
                ));
            }
            let (Some(username), Some(given)) = (field("username"), field("password")) else {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The password grant needs username and password.",
                ));
            };
            let user = users::Entity::find()
                .filter(users::Column::Email.eq(username.trim().to_lowercase()))
                .filter(users::Column::AccountId.eq(client.account_id))
                .one(&state.db)
                .await?;
            // The same check as signing in: off with local login, locked users refused, every
            // failure counted toward the lockout with its security event.
            let ip = Some(client_ip.to_string());
            let accepted = match &user {
                Some(user) => {
                    local::verify_credentials(
                        &state.db,
                        &state.site(),
                        user,
                        given,
                        ip,
                        local::CheckedFor::PasswordGrant,
                    )
                    .await?
                }
                None => {
                    password::verify_off_thread(None, given).await?;
                    false
                }
            };
            // A deactivated user, an invitation not accepted, a suspended account: no token.
            let allowed = match &user {
                Some(user) => {
                    let account = crate::accounts::store::find_by_id(&state.db, user.account_id).await?;
                    account.is_some_and(|a| crate::accounts::may_sign_in(user, &a).is_ok())
                }
                None => false,
            };
            // The password grant cannot ask for a second factor: a user who has one, or must,
            // uses a client credential instead.
            let needs_code = match &user {
                Some(user) if accepted => {
                    let rule = settings::load(&state.db).await?.require_second_factor;
                    crate::identity::second_factor::is_connected(&state.db, user.id).await?
                        || crate::identity::second_factor::required_for(rule, user.role)
                }
                _ => false,
            };
            if accepted && allowed && needs_code {
                metrics::sign_in(SignInMethod::ApiToken, false);
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "This user signs in with a second factor, which the password grant cannot ask for; use client_credentials.",
                ));
            }
            if !accepted || !allowed {
                metrics::sign_in(SignInMethod::ApiToken, false);
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Wrong user name or password for this client's account.",
                ));
            }
        }
        Some(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be client_credentials.",
            ));
        }
        None => return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing.")),
    }
    let (access_token, expires_in) = clients::issue_token(&state.db, &client, Utc::now()).await?;
    metrics::sign_in(SignInMethod::ApiToken, true);
    let mut response =
        Json(json!({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in})).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
