//! Each request's id: a sane `X-Request-Id` from the client (or the proxy in front) is
//! kept, any other is replaced by a new one; it is echoed in the response and carried by
//! the request's log span, which names the route template, never the URI (paths and
//! query strings carry tokens: password resets, invitations, WebPay and OIDC returns).

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::metrics::UNMATCHED_ROUTE;

pub(crate) const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id kept from a request.
pub(crate) const MAX_CHARS: usize = 64;

/// The id of the request being served (a request extension).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

/// The given id if it is short printable ASCII without spaces (it goes into log lines).
pub(crate) fn accepted(given: &[u8]) -> Option<&str> {
    let sane = !given.is_empty() && given.len() <= MAX_CHARS && given.iter().all(u8::is_ascii_graphic);
    sane.then(|| std::str::from_utf8(given).ok()).flatten()
}

/// A new id: 128 random bits in hex.
pub(crate) fn generate() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Gives the request its id and echoes it in the response.
pub(crate) async fn assign(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&HEADER).and_then(|given| accepted(given.as_bytes())) {
        Some(given) => given.to_owned(),
        None => generate(),
    };
    let echoed = HeaderValue::from_str(&id);
    request.extensions_mut().insert(RequestId(id));
    let mut response = next.run(request).await;
    if let Ok(value) = echoed {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The span a request's log lines carry: its id, method and route template.
pub(crate) fn span_for<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request.extensions().get::<RequestId>().map_or("-", |id| id.0.as_str());
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str);
    tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_printable_id_is_kept_and_anything_else_replaced() {
        assert_eq!(accepted(b"abc-123_X.y:z"), Some("abc-123_X.y:z"));
        assert_eq!(accepted(b""), None);
        assert_eq!(accepted(b"two words"), None);
        assert_eq!(accepted(b"line\nbreak"), None);
        assert_eq!(accepted("caf\u{e9}".as_bytes()), None);
        assert_eq!(accepted(&[b'a'; MAX_CHARS]).map(str::len), Some(MAX_CHARS));
        assert_eq!(accepted(&[b'a'; MAX_CHARS + 1]), None);
    }

    #[test]
    fn new_ids_are_32_hex_digits_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(accepted(a.as_bytes()).is_some(), "a generated id passes on through a proxy");
    }
}
