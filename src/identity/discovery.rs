//! Fetching a provider's OpenID discovery document and its keys, with a client that
//! follows no redirects (SSRF) and gives up quickly.

use std::time::Duration;

use serde::Deserialize;

use crate::entities::identity_providers;

pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The HTTP client for calls to identity providers.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

#[derive(Debug, Clone, Deserialize)]
pub struct DiscoveryDocument {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

#[derive(Debug, Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

pub async fn fetch_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    what: &str,
) -> Result<T, String> {
    let response = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            format!("{what}: {url} did not answer in time")
        } else {
            format!("{what}: {url} could not be reached")
        }
    })?;
    let status = response.status();
    if status.is_redirection() {
        return Err(format!("{what}: {url} answered with a redirect ({status}), which is not followed"));
    }
    if !status.is_success() {
        return Err(format!("{what}: {url} answered {status}"));
    }
    let body = response.bytes().await.map_err(|_| format!("{what}: the answer from {url} was cut off"))?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(format!("{what}: the answer from {url} is too large"));
    }
    serde_json::from_slice(&body).map_err(|e| format!("{what}: {url} did not answer valid JSON ({e})"))
}

/// Whether the issuer in a discovery document matches the configured one
/// (Entra ID's multi-tenant documents carry `{tenantid}` in place of the tenant).
pub fn issuer_matches(configured: &str, discovered: &str) -> bool {
    let configured = configured.trim_end_matches('/');
    let discovered = discovered.trim_end_matches('/');
    if configured == discovered {
        return true;
    }
    let generic = |s: &str| {
        ["/common/", "/organizations/", "/consumers/"]
            .iter()
            .fold(format!("{s}/"), |acc, m| acc.replace(m, "/{tenantid}/"))
    };
    discovered.contains("{tenantid}") && generic(configured) == format!("{discovered}/")
}

/// Fetches a provider's discovery document and checks that it names the provider's issuer.
pub async fn document(
    client: &reqwest::Client,
    provider: &identity_providers::Model,
) -> Result<DiscoveryDocument, String> {
    let url = format!("{}/.well-known/openid-configuration", provider.issuer.trim_end_matches('/'));
    let document: DiscoveryDocument = fetch_json(client, &url, "Discovery").await?;
    if !issuer_matches(&provider.issuer, &document.issuer) {
        return Err(format!("Discovery: the document names the issuer {}, not {}", document.issuer, provider.issuer));
    }
    for endpoint in [&document.authorization_endpoint, &document.token_endpoint, &document.jwks_uri] {
        crate::identity::providers::check_issuer_url(endpoint)
            .map_err(|_| format!("Discovery: the endpoint {endpoint} is not https"))?;
    }
    Ok(document)
}

/// Fetches discovery and the JWKS; `Ok` with a summary, or `Err` saying what failed.
pub async fn check(client: &reqwest::Client, provider: &identity_providers::Model) -> Result<String, String> {
    let document = document(client, provider).await?;
    let keys: KeySet = fetch_json(client, &document.jwks_uri, "Signing keys (JWKS)").await?;
    if keys.keys.is_empty() {
        return Err(format!("Signing keys (JWKS): {} lists no keys", document.jwks_uri));
    }
    Ok(format!("Discovery and {} signing key(s) fetched from {}", keys.keys.len(), provider.issuer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_multi_tenant_documents_match_their_configured_issuer() {
        assert!(issuer_matches("https://idp.example.com/", "https://idp.example.com"));
        assert!(issuer_matches(
            "https://login.microsoftonline.com/organizations/v2.0",
            "https://login.microsoftonline.com/{tenantid}/v2.0"
        ));
        assert!(!issuer_matches("https://idp.example.com", "https://evil.example.com"));
        assert!(!issuer_matches(
            "https://login.microsoftonline.com/organizations/v2.0",
            "https://evil.example/{tenantid}/v2.0"
        ));
    }
}
