//! Fetching a provider's OpenID discovery document and its keys, with a client that
//! follows no redirects (SSRF) and gives up quickly, and keeping them for an hour
//! ([`ProviderCache`]) so starting a sign-in costs no outbound request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::entities::identity_providers;

pub(crate) const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// The HTTP client for calls to identity providers.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct DiscoveryDocument {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

#[derive(Debug, Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

pub(crate) async fn fetch_json<T: serde::de::DeserializeOwned>(
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
pub(crate) fn issuer_matches(configured: &str, discovered: &str) -> bool {
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

/// Fetches an issuer's discovery document and checks that it names that issuer.
pub(crate) async fn document(client: &reqwest::Client, issuer: &str) -> Result<DiscoveryDocument, String> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let document: DiscoveryDocument = fetch_json(client, &url, "Discovery").await?;
    if !issuer_matches(issuer, &document.issuer) {
        return Err(format!("Discovery: the document names the issuer {}, not {issuer}", document.issuer));
    }
    for endpoint in [&document.authorization_endpoint, &document.token_endpoint, &document.jwks_uri] {
        crate::identity::providers::check_issuer_url(endpoint)
            .map_err(|_| format!("Discovery: the endpoint {endpoint} is not https"))?;
    }
    Ok(document)
}

/// How long a discovery document or key set is used before it is fetched again.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(60 * 60);
/// Keys are fetched again for an unknown key id at most this often per provider, so
/// tokens naming made-up key ids cannot make Stratus hammer the provider.
pub(crate) const KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(10);

/// The HTTP client for identity providers, with their discovery documents and signing
/// keys kept per provider (by id and issuer, so editing the issuer starts afresh), per
/// instance.
#[derive(Debug)]
pub struct ProviderCache {
    http: reqwest::Client,
    entries: Mutex<HashMap<(i32, String), Cached>>,
}

#[derive(Debug, Clone)]
struct Cached {
    document: DiscoveryDocument,
    fetched: Instant,
    keys: Option<(serde_json::Value, Instant)>,
    /// When an unknown key id last made Stratus fetch the keys again.
    refetched_for_unknown_key: Option<Instant>,
}

/// A key set and whether it was fetched just now (a fresh set is not fetched again).
pub(crate) struct Keys {
    pub set: serde_json::Value,
    pub fresh: bool,
}

impl ProviderCache {
    pub(crate) fn new(http: reqwest::Client) -> Self {
        ProviderCache { http, entries: Mutex::default() }
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn key(provider: &identity_providers::Model) -> (i32, String) {
        (provider.id, provider.issuer.clone())
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<(i32, String), Cached>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn cached(&self, provider: &identity_providers::Model, now: Instant) -> Option<Cached> {
        let cached = self.entries().get(&Self::key(provider)).cloned()?;
        (now.duration_since(cached.fetched) < CACHE_TTL).then_some(cached)
    }

    /// The provider's discovery document, fetched when not kept or older than an hour.
    pub(crate) async fn document(&self, provider: &identity_providers::Model) -> Result<DiscoveryDocument, String> {
        if let Some(cached) = self.cached(provider, Instant::now()) {
            return Ok(cached.document);
        }
        let fetched = document(&self.http, &provider.issuer).await?;
        let mut entries = self.entries();
        let entry = entries.entry(Self::key(provider)).or_insert_with(|| Cached {
            document: fetched.clone(),
            fetched: Instant::now(),
            keys: None,
            refetched_for_unknown_key: None,
        });
        if entry.document != fetched {
            entry.keys = None;
        }
        entry.document = fetched.clone();
        entry.fetched = Instant::now();
        Ok(fetched)
    }

    /// The provider's signing keys: the kept set, or a fetched one when none is kept, it
    /// is older than an hour, or `refresh` asks for it (a token named an unknown key id)
    /// and no refresh was asked for within [`KEY_REFETCH_INTERVAL`].
    pub(crate) async fn keys(
        &self,
        provider: &identity_providers::Model,
        document: &DiscoveryDocument,
        refresh: bool,
    ) -> Result<Keys, String> {
        let now = Instant::now();
        {
            let mut entries = self.entries();
            let entry = entries.get_mut(&Self::key(provider));
            if let Some(entry) = entry {
                if let Some((set, fetched)) = entry.keys.clone() {
                    let refreshed_lately =
                        entry.refetched_for_unknown_key.is_some_and(|at| now.duration_since(at) < KEY_REFETCH_INTERVAL);
                    let current = now.duration_since(fetched) < CACHE_TTL;
                    if current && (!refresh || refreshed_lately) {
                        return Ok(Keys { set, fresh: false });
                    }
                    if refresh {
                        entry.refetched_for_unknown_key = Some(now);
                    }
                }
            }
        }
        let set: serde_json::Value = fetch_json(&self.http, &document.jwks_uri, "Signing keys (JWKS)").await?;
        // Only a key set is kept (an error document would break sign-in for an hour).
        serde_json::from_value::<openidconnect::core::CoreJsonWebKeySet>(set.clone())
            .map_err(|e| format!("Signing keys (JWKS): {} did not answer a key set ({e})", document.jwks_uri))?;
        if let Some(entry) = self.entries().get_mut(&Self::key(provider)) {
            if entry.document.jwks_uri == document.jwks_uri {
                entry.keys = Some((set.clone(), Instant::now()));
            }
        }
        Ok(Keys { set, fresh: true })
    }
}

/// Fetches an issuer's discovery and JWKS; `Ok` with a summary, or `Err` saying what failed.
pub(crate) async fn check(client: &reqwest::Client, issuer: &str) -> Result<String, String> {
    let document = document(client, issuer).await?;
    let keys: KeySet = fetch_json(client, &document.jwks_uri, "Signing keys (JWKS)").await?;
    if keys.keys.is_empty() {
        return Err(format!("Signing keys (JWKS): {} lists no keys", document.jwks_uri));
    }
    Ok(format!("Discovery and {} signing key(s) fetched from {issuer}", keys.keys.len()))
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
