//! CSRF protection for every state-changing request from pages: a token in each form,
//! checked here before any handler runs, plus an Origin/Referer same-origin check.
//! A signed-in session keeps its own token; an anonymous visitor gets none stored
//! anywhere: its forms carry a signed double-submit token, an HMAC (under the server's
//! key) of a random value in the visitor's `stratus_csrf` cookie, so reading a page
//! costs no database write. Routes the router's table marks as assets or cross-site
//! pages (third parties call them) are not checked; each carries its own protection.

use axum::body::{to_bytes, Body};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::error::{AppError, AppResult, ErrorPage};
use crate::secrets::SecretBox;

const CSRF: &str = "csrf";
/// The anonymous visitor's cookie: a random value its forms' tokens are signed from.
pub(crate) const COOKIE: &str = "stratus_csrf";
/// Its name over https: the `__Host-` prefix keeps other subdomains from setting it.
pub(crate) const SECURE_COOKIE: &str = "__Host-stratus_csrf";

/// The cookie's name, by whether cookies are sent over https only.
pub(crate) fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}
const ANONYMOUS_PURPOSE: &str = "csrf-anonymous-v1";
pub(crate) const FIELD: &str = "csrf_token";
/// Largest form body the guard reads (forms with uploads use multipart and come later).
pub(crate) const MAX_FORM_BYTES: usize = 256 * 1024;
pub(crate) const REFUSED: &str =
    "This form has expired or did not come from this site. Go back, reload the page and try again.";

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The token a page's forms carry, and the cookie value to set when the visitor has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageToken {
    pub token: String,
    pub new_cookie: Option<String>,
}

/// The session's token when it has one (a signed-in session), else the anonymous
/// visitor's signed token; nothing is written to the database either way.
pub(crate) async fn page_token(
    session: &Session,
    cookies: Option<&str>,
    secrets: &SecretBox,
    secure: bool,
) -> AppResult<PageToken> {
    if let Some(token) = session.get::<String>(CSRF).await? {
        return Ok(PageToken { token, new_cookie: None });
    }
    Ok(match visitor_seed(cookies, cookie_name(secure)) {
        Some(seed) => PageToken { token: anonymous_token(secrets, seed), new_cookie: None },
        None => {
            let seed = new_token();
            PageToken { token: anonymous_token(secrets, &seed), new_cookie: Some(seed) }
        }
    })
}

fn anonymous_token(secrets: &SecretBox, seed: &str) -> String {
    URL_SAFE_NO_PAD.encode(secrets.sign(ANONYMOUS_PURPOSE, seed.as_bytes()))
}

/// The visitor's cookie value from a `Cookie` header: the first one named `name` that this
/// server could have made (a malformed one planted beside it is passed over).
fn visitor_seed<'a>(cookies: Option<&'a str>, name: &str) -> Option<&'a str> {
    cookies?
        .split(';')
        .filter_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
        .find(|seed| seed.len() == 43 && seed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// The `Set-Cookie` value for a new visitor cookie (for this browser session only).
pub(crate) fn cookie_header(seed: &str, secure: bool) -> String {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={seed}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// What the guard needs: the key tokens are signed with, and the cookie's name.
#[derive(Debug, Clone)]
pub(crate) struct GuardKeys {
    pub secrets: Arc<SecretBox>,
    pub secure: bool,
}

/// Replaces the token (at sign-in).
pub(crate) async fn rotate(session: &Session) -> AppResult<()> {
    session.insert(CSRF, new_token()).await?;
    Ok(())
}

pub(crate) fn tokens_match(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

/// The host[:port] part of an origin or referer URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Same-origin check: an Origin (or else Referer) header, when present, must name the
/// host the request was sent to. `None` for both passes; the token still has to match.
pub(crate) fn same_origin(origin: Option<&str>, referer: Option<&str>, host: Option<&str>) -> bool {
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
    response
        .extensions_mut()
        .insert(ErrorPage { message: REFUSED.into(), message_id: Some(crate::i18n::msg!("error-csrf-refused")) });
    response
}

/// Middleware: refuses a state-changing request whose origin is foreign or whose form
/// token does not match the session's (signed in) or the visitor cookie's (anonymous).
pub(crate) async fn guard(State(keys): State<GuardKeys>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        || crate::routing::props_of(&request).csrf_exempt()
    {
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
        Ok(None) => {
            let cookies = request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok());
            match visitor_seed(cookies, cookie_name(keys.secure)) {
                Some(seed) => anonymous_token(&keys.secrets, seed),
                None => return refuse(),
            }
        }
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
    fn the_visitor_cookie_is_read_only_when_well_formed() {
        let seed = "a".repeat(43);
        let header = format!("x=1; {COOKIE}={seed}; stratus_session=abc");
        assert_eq!(visitor_seed(Some(&header), COOKIE), Some(seed.as_str()));
        assert_eq!(visitor_seed(Some(&format!("{COOKIE}=short")), COOKIE), None);
        assert_eq!(visitor_seed(Some(&format!("{COOKIE}={}", "a\"".repeat(22))), COOKIE), None);
        assert_eq!(visitor_seed(Some("stratus_csrfx=1"), COOKIE), None);
        assert_eq!(visitor_seed(None, COOKIE), None);
        // A malformed one planted first is passed over.
        let tossed = format!("{COOKIE}=planted; {COOKIE}={seed}");
        assert_eq!(visitor_seed(Some(&tossed), COOKIE), Some(seed.as_str()));
        // Over https only the __Host- cookie counts.
        assert_eq!(visitor_seed(Some(&header), cookie_name(true)), None);
        let secure = format!("{SECURE_COOKIE}={seed}");
        assert_eq!(visitor_seed(Some(&secure), cookie_name(true)), Some(seed.as_str()));
        assert!(
            cookie_header(&seed, true).starts_with("__Host-stratus_csrf=")
                && cookie_header(&seed, true).contains("; Secure")
        );
    }

    #[test]
    fn anonymous_tokens_are_bound_to_the_cookie_and_the_key() {
        let secrets = SecretBox::from_key(&[3u8; 32]);
        let (one, two) = ("a".repeat(43), "b".repeat(43));
        assert_eq!(anonymous_token(&secrets, &one), anonymous_token(&secrets, &one));
        assert_ne!(anonymous_token(&secrets, &one), anonymous_token(&secrets, &two));
        assert_ne!(anonymous_token(&secrets, &one), anonymous_token(&SecretBox::from_key(&[4u8; 32]), &one));
    }

    #[test]
    fn reads_the_token_field_from_a_form_body() {
        assert_eq!(form_urlencoded_field(b"a=1&csrf_token=x%2By&b=2", FIELD), Some("x+y".into()));
        assert_eq!(form_urlencoded_field(b"\xff\xfe", FIELD), None);
    }
}
