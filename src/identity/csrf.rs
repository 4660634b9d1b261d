//! CSRF protection for every state-changing request from pages: a per-session token
//! in each form, checked here before any handler runs, plus an Origin/Referer
//! same-origin check. Endpoints that third parties call cross-site carry their own
//! protection and are listed in [`is_exempt`].

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::error::{AppError, AppResult, ErrorPage};

const CSRF: &str = "csrf";
pub const FIELD: &str = "csrf_token";
/// Largest form body the guard reads (forms with uploads use multipart and come later).
pub const MAX_FORM_BYTES: usize = 256 * 1024;
pub const REFUSED: &str =
    "This form has expired or did not come from this site. Go back, reload the page and try again.";

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's token, created on first use.
pub async fn token(session: &Session) -> AppResult<String> {
    if let Some(token) = session.get::<String>(CSRF).await? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(CSRF, token.clone()).await?;
    Ok(token)
}

/// Replaces the token (at sign-in).
pub async fn rotate(session: &Session) -> AppResult<()> {
    session.insert(CSRF, new_token()).await?;
    Ok(())
}

pub fn tokens_match(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

/// Paths a third party legitimately posts to cross-site; each checks its own secret.
pub fn is_exempt(path: &str) -> bool {
    path == "/checkout/webpay/return"
        || path.starts_with("/rswebpaytransaction/")
        || path.starts_with("/webpayserver/")
        || path == "/oauth/token"
        || path.starts_with("/api/")
        || (path.starts_with("/auth/oidc/") && path.ends_with("/callback"))
}

/// The host[:port] part of an origin or referer URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Same-origin check: an Origin (or else Referer) header, when present, must name the
/// host the request was sent to. `None` for both passes; the token still has to match.
pub fn same_origin(origin: Option<&str>, referer: Option<&str>, host: Option<&str>) -> bool {
    let claimed = match (origin, referer) {
        (Some("null"), _) => return false,
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        (None, None) => return true,
    };
    match (authority(claimed), host) {
        (Some(claimed), Some(host)) => claimed.eq_ignore_ascii_case(host),
        _ => false,
    }
}

fn refuse() -> Response {
    let mut response = (StatusCode::FORBIDDEN, REFUSED).into_response();
    response.extensions_mut().insert(ErrorPage { message: REFUSED.into() });
    response
}

/// Middleware: refuses a state-changing request whose origin is foreign or whose form
/// token does not match the session's.
pub async fn guard(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) || is_exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let origin_ok = {
        let header_str = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
        same_origin(header_str(header::ORIGIN), header_str(header::REFERER), header_str(header::HOST))
    };
    if !origin_ok {
        return refuse();
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return refuse();
    };
    let expected = match session.get::<String>(CSRF).await {
        Ok(Some(token)) => token,
        Ok(None) => return refuse(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        // File uploads (multipart) carry the token in the form's action URL, since the guard
        // does not parse multipart bodies (nor hold them in memory); other requests may send
        // it as a header.
        let submitted = if content_type.starts_with("multipart/form-data") {
            request.uri().query().and_then(|q| form_urlencoded_field(q.as_bytes(), FIELD))
        } else {
            request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        return match submitted {
            Some(token) if tokens_match(&expected, &token) => next.run(request).await,
            _ => refuse(),
        };
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return AppError::bad_request("The form is too large.").into_response(),
    };
    match form_urlencoded_field(&bytes, FIELD) {
        Some(token) if tokens_match(&expected, &token) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        _ => refuse(),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    url_pairs(body).find(|(k, _)| k == name).map(|(_, v)| v)
}

fn url_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_the_host_when_given() {
        assert!(same_origin(Some("http://127.0.0.1:3000"), None, Some("127.0.0.1:3000")));
        assert!(same_origin(None, Some("https://shop.andes.demo/cart?x=1"), Some("shop.andes.demo")));
        assert!(!same_origin(Some("https://evil.example"), None, Some("shop.andes.demo")));
        assert!(!same_origin(Some("null"), None, Some("shop.andes.demo")));
        assert!(!same_origin(Some("https://shop.andes.demo.evil.example"), None, Some("shop.andes.demo")));
        assert!(same_origin(None, None, Some("x")));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", ""));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn exempt_paths_are_only_the_third_party_returns() {
        assert!(is_exempt("/checkout/webpay/return"));
        assert!(is_exempt("/auth/oidc/3/callback"));
        assert!(!is_exempt("/auth/oidc/3/connect"));
        assert!(!is_exempt("/account/password"));
    }

    #[test]
    fn reads_the_token_field_from_a_form_body() {
        assert_eq!(form_urlencoded_field(b"a=1&csrf_token=x%2By&b=2", FIELD), Some("x+y".into()));
        assert_eq!(form_urlencoded_field(b"\xff\xfe", FIELD), None);
    }
}
