//! The WebPay Plus REST client: create, commit, status and refund over reqwest, with
//! timeouts, the two credential headers, the SDKs' limits checked first, typed answers,
//! and errors that keep Transbank's HTTP status and `error_message` — never the secret.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{
    check_create, check_token, CreateAnswer, CreateRequest, Credentials, ErrorBody, RefundAnswer, RefundRequest,
    TransactionAnswer, API_PATH,
};

/// Largest answer body read from Transbank.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// What went wrong talking to WebPay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebpayError {
    /// A value broke the SDKs' limits; nothing was sent.
    #[error("not sent: {0}")]
    Invalid(String),
    /// No answer: connection refused, reset or timed out. A commit may or may not have happened.
    #[error("no answer from WebPay ({0})")]
    Transport(String),
    /// Transbank answered with an error status.
    #[error("WebPay answered {status}: {message}")]
    Api { status: u16, message: String },
    /// An answer we could not read.
    #[error("WebPay's answer could not be read: {0}")]
    Decode(String),
}

impl WebpayError {
    /// True when the request may have been carried out by Transbank without us hearing back
    /// what happened: no answer, a server error (5xx) or an answer we could not read. Such a
    /// commit or refund is verified with `status`, never counted as failed.
    pub fn is_lost_answer(&self) -> bool {
        match self {
            WebpayError::Transport(_) | WebpayError::Decode(_) => true,
            WebpayError::Api { status, .. } => *status >= 500,
            WebpayError::Invalid(_) => false,
        }
    }
}

/// A client for one commerce on one host.
#[derive(Debug, Clone)]
pub struct WebpayClient {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
}

impl WebpayClient {
    /// The HTTP client WebPay calls share: short connect timeout, no redirects followed.
    pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, WebpayError> {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| WebpayError::Transport(e.to_string()))
    }

    /// `host` is e.g. `https://webpay3gint.transbank.cl` or the simulator's address.
    pub fn new(host: &str, credentials: Credentials, timeout: Duration) -> Result<WebpayClient, WebpayError> {
        Ok(WebpayClient::with_http(WebpayClient::http_client(timeout)?, host, credentials))
    }

    pub(crate) fn with_http(http: reqwest::Client, host: &str, credentials: Credentials) -> WebpayClient {
        let base_url = format!("{}{API_PATH}", host.trim_end_matches('/'));
        WebpayClient { http, base_url, credentials }
    }

    pub async fn create(&self, request: &CreateRequest) -> Result<CreateAnswer, WebpayError> {
        check_create(request).map_err(WebpayError::Invalid)?;
        self.call(Method::POST, "/transactions", Some(request)).await
    }

    pub async fn commit(&self, token: &str) -> Result<TransactionAnswer, WebpayError> {
        check_token(token).map_err(WebpayError::Invalid)?;
        self.call::<(), _>(Method::PUT, &format!("/transactions/{token}"), None).await
    }

    pub async fn status(&self, token: &str) -> Result<TransactionAnswer, WebpayError> {
        check_token(token).map_err(WebpayError::Invalid)?;
        self.call::<(), _>(Method::GET, &format!("/transactions/{token}"), None).await
    }

    pub async fn refund(&self, token: &str, amount: i64) -> Result<RefundAnswer, WebpayError> {
        check_token(token).map_err(WebpayError::Invalid)?;
        if amount <= 0 {
            return Err(WebpayError::Invalid("amount must be a positive whole number of pesos".into()));
        }
        self.call(Method::POST, &format!("/transactions/{token}/refunds"), Some(&RefundRequest { amount })).await
    }

    async fn call<B: Serialize, A: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<A, WebpayError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header("Tbk-Api-Key-Id", &self.credentials.commerce_code)
            .header("Tbk-Api-Key-Secret", &self.credentials.api_key_secret)
            .header("Content-Type", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        // reqwest's errors name the URL, never the headers: the secret cannot leak through them.
        let response = request.send().await.map_err(|e| WebpayError::Transport(transport_reason(&e)))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| WebpayError::Transport(transport_reason(&e)))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(WebpayError::Decode(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes")));
        }
        if !status.is_success() {
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.error_message)
                .unwrap_or_else(|_| status.canonical_reason().unwrap_or("error").to_string());
            return Err(WebpayError::Api { status: status.as_u16(), message });
        }
        if status == StatusCode::NO_CONTENT {
            return Err(WebpayError::Decode("an empty answer".into()));
        }
        serde_json::from_slice(&bytes).map_err(|e| WebpayError::Decode(e.to_string()))
    }
}

fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_no_answer_a_server_error_or_an_unreadable_answer_is_lost() {
        assert!(WebpayError::Transport("timed out".into()).is_lost_answer());
        assert!(WebpayError::Decode("expected value".into()).is_lost_answer());
        assert!(WebpayError::Api { status: 500, message: "Internal Server Error".into() }.is_lost_answer());
        assert!(WebpayError::Api { status: 503, message: "Service Unavailable".into() }.is_lost_answer());
        assert!(!WebpayError::Api { status: 422, message: "Invalid status '10'".into() }.is_lost_answer());
        assert!(!WebpayError::Api { status: 401, message: "Not Authorized".into() }.is_lost_answer());
        assert!(!WebpayError::Invalid("token".into()).is_lost_answer());
    }
}
