//! A demo OpenID provider, served by `serve --demo` from the same process (and alone by
//! `stratus demo-idp`), so the demo shows signing in with a provider and Login Options
//! with nothing to set up — as the WebPay simulator does for payments.
//!
//! It plays two sites, each with one registered client: a multi-tenant Microsoft Entra ID
//! (tokens carry `tid` and `oid`) and Google (tokens carry `hd` for Workspace accounts).
//! Stratus talks to it over HTTP exactly as to a real provider: discovery, the signing
//! keys (an RSA key generated at start-up), an authorization page where one picks or
//! types an identity (no password, no JavaScript), and a token endpoint that checks the
//! client's secret, the exact redirect URI and PKCE (S256) and redeems each code once,
//! within a minute. ID tokens are signed RS256 and carry `iss`, `aud`, `nonce`,
//! `auth_time`, `email` and `email_verified`.
//!
//! It is its own site from Stratus's point of view: it is mounted outside Stratus's
//! layers (no Stratus session, brand or CSRF token) and sets its own headers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EndUserEmail, EndUserName, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, LocalizedClaim, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::oidc::{ProviderClaims, VerifiedIdentity};
use super::providers::{is_guid, ProviderFields};
use crate::ui::components::escape_text as escape;

/// Where the demo provider's paths start.
pub const PATH: &str = "/demo-idp";
/// Contoso Chile's Entra ID tenant: the one the demo's Entra provider allows.
pub const CONTOSO_TENANT: &str = "c0a70500-5c11-4e1d-9a7e-00000000c0de";
/// Fabrikam's tenant: a real tenant at the demo provider, not on the allow-list.
pub(crate) const FABRIKAM_TENANT: &str = "fab1ca7e-0000-4f0b-8a11-0000000fab00";
/// How long a code may wait for its redemption.
const CODE_SECONDS: i64 = 60;
/// Codes waiting at once; past this the authorization page answers 503.
const MAX_PENDING_CODES: usize = 10_000;
/// The longest value any parameter may have.
const MAX_PARAM_CHARS: usize = 512;
const ID_TOKEN_SECONDS: i64 = 300;

/// Which provider the demo provider is playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Entra,
    Google,
}

impl Site {
    fn label(self) -> &'static str {
        match self {
            Site::Entra => "Microsoft Entra ID",
            Site::Google => "Google",
        }
    }
}

/// A client registered at the demo provider, and the Stratus provider that uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoClient {
    pub site: Site,
    /// The name of the identity provider the demo data registers in Stratus.
    pub provider_name: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
}

pub const ENTRA: DemoClient = DemoClient {
    site: Site::Entra,
    provider_name: "Contoso Entra ID (demo)",
    client_id: "5e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    client_secret: "demo-entra-client-secret",
};

pub const GOOGLE: DemoClient = DemoClient {
    site: Site::Google,
    provider_name: "Google (demo)",
    client_id: "stratus-demo.apps.googleusercontent.demo",
    client_secret: "demo-google-client-secret",
};

pub const CLIENTS: [DemoClient; 2] = [ENTRA, GOOGLE];

/// The issuer a provider is configured with: Entra ID's multi-tenant `organizations`
/// endpoint, or Google's single issuer.
pub fn configured_issuer(public_url: &str, site: Site) -> String {
    let public_url = public_url.trim_end_matches('/');
    match site {
        Site::Entra => format!("{public_url}{PATH}/entra/organizations/v2.0"),
        Site::Google => format!("{public_url}{PATH}/google"),
    }
}

/// The issuer a token names: for Entra ID the tenant's own.
fn token_issuer(public_url: &str, site: Site, tenant: Option<&str>) -> String {
    let public_url = public_url.trim_end_matches('/');
    match site {
        Site::Entra => format!("{public_url}{PATH}/entra/{}/v2.0", tenant.unwrap_or("{tenantid}")),
        Site::Google => format!("{public_url}{PATH}/google"),
    }
}

impl DemoClient {
    /// The identity provider the demo data registers for this client: active, visible, no
    /// automatic registration; Entra ID allows Contoso's tenant only.
    pub(crate) fn provider_fields(&self, public_url: &str) -> ProviderFields {
        ProviderFields {
            name: self.provider_name.into(),
            kind: match self.site {
                Site::Entra => "azure_ad".into(),
                Site::Google => "google".into(),
            },
            issuer: configured_issuer(public_url, self.site),
            client_id: self.client_id.into(),
            client_secret: self.client_secret.into(),
            tenants: match self.site {
                Site::Entra => vec![CONTOSO_TENANT.into()],
                Site::Google => vec![],
            },
            hosted_domain: None,
            active: true,
            visible: true,
            allow_automatic_registration: false,
            trust_unverified_email: None,
            logo: None,
        }
    }
}

/// Somebody at the demo provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DemoIdentity {
    pub email: String,
    pub name: String,
    /// Entra ID only: the person's tenant.
    pub tenant: Option<String>,
}

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().into()
}

impl DemoIdentity {
    /// Entra ID's object id (`oid`), the same for the same tenant and e-mail every time.
    fn object_id(&self) -> String {
        let d = digest(&["oid", self.tenant.as_deref().unwrap_or(""), &self.email.to_ascii_lowercase()]);
        let hex: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
    }

    /// The token's `sub`: Google's is a long number; Entra ID's is per application.
    fn subject(&self, site: Site) -> String {
        match site {
            Site::Google => {
                let d = digest(&["sub", &self.email.to_ascii_lowercase()]);
                let n = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
                format!("10{:019}", n % 10_000_000_000_000_000_000)
            }
            Site::Entra => URL_SAFE_NO_PAD.encode(&digest(&["pairwise", &self.object_id()])[..24]),
        }
    }

    /// Google's hosted domain: the e-mail's domain, except for consumer accounts.
    fn hosted_domain(&self) -> Option<String> {
        let domain = self.email.rsplit_once('@')?.1.to_ascii_lowercase();
        (domain != "gmail.com").then_some(domain)
    }

    /// What Stratus verifies from this person's ID token (how the demo data links a user).
    pub(crate) fn verified(&self, public_url: &str, site: Site) -> VerifiedIdentity {
        let (subject, tenant_id) = match site {
            Site::Entra => (self.object_id(), self.tenant.clone()),
            Site::Google => (self.subject(site), None),
        };
        VerifiedIdentity {
            issuer: token_issuer(public_url, site, self.tenant.as_deref()),
            subject,
            tenant_id,
            email: Some(self.email.clone()),
            email_verified: site == Site::Google,
            name: Some(self.name.clone()),
        }
    }
}

/// The people offered on the authorization page of each site.
const PEOPLE: &[(Site, &str, &str, Option<&str>, &str)] = &[
    (Site::Entra, "ana@contoso.demo", "Ana Pérez", Some(CONTOSO_TENANT), "Contoso tenant"),
    (Site::Entra, "carlos@contoso.demo", "Carlos Soto", Some(CONTOSO_TENANT), "Contoso tenant"),
    (Site::Entra, "fabio@fabrikam.demo", "Fabio Morales", Some(FABRIKAM_TENANT), "Fabrikam tenant"),
    (Site::Google, "ana@contoso.demo", "Ana Pérez", None, "Google Workspace, contoso.demo"),
    (Site::Google, "fabio@fabrikam.demo", "Fabio Morales", None, "Google Workspace, fabrikam.demo"),
    (Site::Google, "tina@tailspin.demo", "Tina Araya", None, "Google Workspace, tailspin.demo"),
];

/// The demo person with this e-mail at this site.
pub(crate) fn person(site: Site, email: &str) -> Option<DemoIdentity> {
    PEOPLE.iter().find(|p| p.0 == site && p.1 == email).map(|p| DemoIdentity {
        email: p.1.into(),
        name: p.2.into(),
        tenant: p.3.map(Into::into),
    })
}

/// A client as registered: its redirect URIs, compared exactly.
#[derive(Debug, Clone)]
pub struct Registration {
    pub client: DemoClient,
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    site: Site,
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    identity: DemoIdentity,
    auth_time: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

struct Inner {
    public_url: String,
    key: CoreRsaPrivateSigningKey,
    jwks: Value,
    registrations: Vec<Registration>,
    codes: Mutex<HashMap<String, Grant>>,
}

/// The demo provider; clone it freely.
#[derive(Clone)]
pub struct DemoProvider {
    inner: Arc<Inner>,
}

fn random_text(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A new RSA key (2048 bits) with a fresh key id. Slow: call it off the async workers.
fn generate_key() -> Result<CoreRsaPrivateSigningKey, String> {
    use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| format!("RSA key: {e}"))?;
    let pem = key.to_pkcs1_pem(LineEnding::LF).map_err(|e| format!("RSA key: {e}"))?;
    let kid = JsonWebKeyId::new(format!("demo-{}", random_text(6)));
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(kid))
}

impl DemoProvider {
    /// A provider reached at `public_url`, with a new signing key and these clients.
    pub async fn start(public_url: &str, registrations: Vec<Registration>) -> Result<DemoProvider, String> {
        let key = tokio::task::spawn_blocking(generate_key).await.map_err(|e| format!("RSA key: {e}"))??;
        let jwk = serde_json::to_value(key.as_verification_key()).map_err(|e| format!("JWK: {e}"))?;
        Ok(DemoProvider {
            inner: Arc::new(Inner {
                public_url: public_url.trim_end_matches('/').to_string(),
                key,
                jwks: json!({ "keys": [jwk] }),
                registrations,
                codes: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The provider `serve --demo` mounts: its clients are the demo data's providers (found
    /// by name), each registered with its callback URL on this server.
    pub(crate) async fn for_server(
        db: &sea_orm::DatabaseConnection,
        base_url: &str,
    ) -> crate::error::AppResult<DemoProvider> {
        let mut registrations = Vec::new();
        for client in CLIENTS {
            let found = super::providers::find_by_name(db, client.provider_name).await?;
            if let Some(provider) = found.filter(|p| p.client_id == client.client_id) {
                let redirect_uris = vec![super::oidc::redirect_uri(base_url, provider.id)];
                registrations.push(Registration { client, redirect_uris });
            }
        }
        DemoProvider::start(base_url, registrations)
            .await
            .map_err(|e| crate::error::AppError::Internal(format!("demo identity provider: {e}")))
    }

    /// Every route, under [`PATH`].
    pub(crate) fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route(&format!("{PATH}/entra/{{tenant}}/v2.0/.well-known/openid-configuration"), get(entra_discovery))
            .route(&format!("{PATH}/google/.well-known/openid-configuration"), get(google_discovery))
            .route(&format!("{PATH}/jwks"), get(jwks))
            .route(&format!("{PATH}/authorize"), get(authorize).post(choose))
            .route(&format!("{PATH}/token"), post(token))
            .with_state(self.clone())
    }

    /// The routes on their own (`stratus demo-idp`): anything else is a 404.
    pub fn standalone_router(&self) -> Router {
        self.router().fallback(not_found)
    }

    fn codes(&self) -> MutexGuard<'_, HashMap<String, Grant>> {
        self.inner.codes.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn registration(&self, client_id: &str) -> Option<&Registration> {
        self.inner.registrations.iter().find(|r| r.client.client_id == client_id)
    }

    fn discovery(&self, site: Site, issuer: String) -> Response {
        let base = format!("{}{PATH}", self.inner.public_url);
        let answer = Json(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": [if site == Site::Entra { "pairwise" } else { "public" }],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": match site {
                Site::Entra => json!(["iss", "aud", "sub", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name", "oid", "tid"]),
                Site::Google => json!(["iss", "aud", "sub", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name", "hd"]),
            },
            "authorization_response_iss_parameter_supported": true,
        }));
        with_headers(answer.into_response())
    }
}

/// The demo provider's own headers: nothing may frame or cache its pages.
fn with_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn not_found() -> Response {
    with_headers((StatusCode::NOT_FOUND, Json(json!({ "error": "not_found" }))).into_response())
}

async fn entra_discovery(State(idp): State<DemoProvider>, Path(tenant): Path<String>) -> Response {
    let issuer = match tenant.as_str() {
        "organizations" | "common" => token_issuer(&idp.inner.public_url, Site::Entra, None),
        guid if is_guid(guid) => token_issuer(&idp.inner.public_url, Site::Entra, Some(&guid.to_ascii_lowercase())),
        _ => return not_found().await,
    };
    idp.discovery(Site::Entra, issuer)
}

async fn google_discovery(State(idp): State<DemoProvider>) -> Response {
    let issuer = token_issuer(&idp.inner.public_url, Site::Google, None);
    idp.discovery(Site::Google, issuer)
}

async fn jwks(State(idp): State<DemoProvider>) -> Response {
    with_headers(Json(idp.inner.jwks.clone()).into_response())
}

/// The authorization request's parameters, and on the page's forms the person chosen.
#[derive(Debug, Default, Deserialize)]
struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    prompt: Option<String>,
    max_age: Option<String>,
    hd: Option<String>,
    /// The page's choice: a person's number, `typed`, or `cancel`.
    pick: Option<String>,
    email: Option<String>,
    name: Option<String>,
    tenant: Option<String>,
}

impl AuthorizeParams {
    fn values(&self) -> [&Option<String>; 15] {
        [
            &self.client_id,
            &self.redirect_uri,
            &self.response_type,
            &self.scope,
            &self.state,
            &self.nonce,
            &self.code_challenge,
            &self.code_challenge_method,
            &self.prompt,
            &self.max_age,
            &self.hd,
            &self.pick,
            &self.email,
            &self.name,
            &self.tenant,
        ]
    }
}

/// A request that passed every check.
struct Checked<'a> {
    registration: &'a Registration,
    redirect_uri: String,
    state: Option<String>,
    nonce: Option<String>,
    challenge: String,
    hosted_domain: Option<String>,
    sign_in_again: bool,
}

/// Why an authorization request was refused: shown here (the client or its redirect URI
/// cannot be trusted) or sent back to the client as an OAuth error.
enum Refusal {
    Page(StatusCode, String),
    Back { redirect_uri: String, state: Option<String>, error: &'static str, description: String },
}

/// PKCE's code verifier and S256 challenge share this alphabet (RFC 7636).
fn is_pkce_text(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

impl DemoProvider {
    fn check<'a>(&'a self, params: &AuthorizeParams) -> Result<Checked<'a>, Refusal> {
        if params.values().iter().any(|v| v.as_ref().is_some_and(|v| v.chars().count() > MAX_PARAM_CHARS)) {
            return Err(Refusal::Page(StatusCode::BAD_REQUEST, "A parameter of this request is too long.".into()));
        }
        let client_id = params.client_id.as_deref().unwrap_or("");
        let Some(registration) = self.registration(client_id) else {
            return Err(Refusal::Page(
                StatusCode::BAD_REQUEST,
                "This request names no client registered at the demo provider (client_id).".into(),
            ));
        };
        let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
        if !registration.redirect_uris.contains(&redirect_uri) {
            return Err(Refusal::Page(
                StatusCode::BAD_REQUEST,
                "The redirect_uri is not one registered for this client, so the demo provider will not send anybody there.".into(),
            ));
        }
        let state = params.state.clone();
        let back = |error: &'static str, description: &str| Refusal::Back {
            redirect_uri: redirect_uri.clone(),
            state: state.clone(),
            error,
            description: description.into(),
        };
        if params.response_type.as_deref() != Some("code") {
            return Err(back(
                "unsupported_response_type",
                "Only the authorization code flow (response_type=code) is supported.",
            ));
        }
        if !params.scope.as_deref().unwrap_or("").split(' ').any(|s| s == "openid") {
            return Err(back("invalid_scope", "The scope must include openid."));
        }
        let challenge = params.code_challenge.clone().unwrap_or_default();
        if params.code_challenge_method.as_deref() != Some("S256") || !is_pkce_text(&challenge, 43, 43) {
            return Err(back(
                "invalid_request",
                "PKCE with S256 is required (code_challenge, code_challenge_method=S256).",
            ));
        }
        let hosted_domain = match registration.client.site {
            Site::Google => params.hd.as_deref().map(str::to_ascii_lowercase).filter(|d| !d.is_empty() && d != "*"),
            Site::Entra => None,
        };
        Ok(Checked {
            registration,
            redirect_uri: redirect_uri.clone(),
            state: state.clone(),
            nonce: params.nonce.clone(),
            challenge,
            hosted_domain,
            sign_in_again: params.prompt.as_deref().is_some_and(|p| p.split(' ').any(|p| p == "login"))
                || params.max_age.as_deref() == Some("0"),
        })
    }

    /// The redirect back to the client with these answer fields.
    fn back(&self, site: Site, redirect_uri: &str, state: Option<&str>, mut fields: Vec<(&str, String)>) -> Response {
        if let Some(state) = state {
            fields.push(("state", state.to_string()));
        }
        let issuer = match site {
            Site::Entra => configured_issuer(&self.inner.public_url, site),
            Site::Google => token_issuer(&self.inner.public_url, site, None),
        };
        fields.push(("iss", issuer));
        let query = serde_urlencoded::to_string(&fields).unwrap_or_default();
        let separator = if redirect_uri.contains('?') { '&' } else { '?' };
        let location = format!("{redirect_uri}{separator}{query}");
        match HeaderValue::from_str(&location) {
            Ok(value) => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                response.headers_mut().insert(header::LOCATION, value);
                with_headers(response)
            }
            Err(_) => refusal_page(StatusCode::BAD_REQUEST, "The redirect URI cannot be used."),
        }
    }

    fn refuse(&self, refusal: Refusal, params: &AuthorizeParams) -> Response {
        match refusal {
            Refusal::Page(status, message) => refusal_page(status, &message),
            Refusal::Back { redirect_uri, state, error, description } => {
                let site = self.registration(params.client_id.as_deref().unwrap_or("")).map(|r| r.client.site);
                self.back(
                    site.unwrap_or(Site::Google),
                    &redirect_uri,
                    state.as_deref(),
                    vec![("error", error.into()), ("error_description", description)],
                )
            }
        }
    }
}

fn parse(query: &[u8]) -> Option<AuthorizeParams> {
    serde_urlencoded::from_bytes(query).ok()
}

fn unreadable() -> Response {
    refusal_page(StatusCode::BAD_REQUEST, "The request's parameters could not be read (a parameter given twice?).")
}

/// `GET /demo-idp/authorize`: the page where one picks or types who signs in.
async fn authorize(State(idp): State<DemoProvider>, RawQuery(query): RawQuery) -> Response {
    let Some(params) = parse(query.as_deref().unwrap_or("").as_bytes()) else {
        return unreadable();
    };
    match idp.check(&params) {
        Ok(checked) => choice_page(&params, &checked, None, StatusCode::OK),
        Err(refusal) => idp.refuse(refusal, &params),
    }
}

/// `POST /demo-idp/authorize`: the person chosen; back to the client with a code.
async fn choose(State(idp): State<DemoProvider>, body: Bytes) -> Response {
    let Some(params) = parse(&body) else {
        return unreadable();
    };
    let checked = match idp.check(&params) {
        Ok(checked) => checked,
        Err(refusal) => return idp.refuse(refusal, &params),
    };
    let site = checked.registration.client.site;
    let pick = params.pick.as_deref().unwrap_or("");
    let identity = if pick == "cancel" {
        return idp.back(
            site,
            &checked.redirect_uri,
            checked.state.as_deref(),
            vec![("error", "access_denied".into()), ("error_description", "The person cancelled the sign-in.".into())],
        );
    } else if pick == "typed" {
        match typed_identity(site, &params, checked.hosted_domain.as_deref()) {
            Ok(identity) => identity,
            Err(message) => return choice_page(&params, &checked, Some(&message), StatusCode::UNPROCESSABLE_ENTITY),
        }
    } else {
        let offered = offered(site, checked.hosted_domain.as_deref());
        match pick.parse::<usize>().ok().and_then(|n| offered.get(n)) {
            Some(identity) => identity.clone(),
            None => {
                let message = "Choose one of the people below, or type an identity.";
                return choice_page(&params, &checked, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
            }
        }
    };
    let now = Utc::now();
    let code = random_text(32);
    {
        let mut codes = idp.codes();
        codes.retain(|_, grant| (now - grant.created_at).num_seconds() <= CODE_SECONDS);
        if codes.len() >= MAX_PENDING_CODES {
            return refusal_page(StatusCode::SERVICE_UNAVAILABLE, "Too many sign-ins are waiting; try again shortly.");
        }
        codes.insert(
            code.clone(),
            Grant {
                client_id: checked.registration.client.client_id.to_string(),
                site,
                redirect_uri: checked.redirect_uri.clone(),
                challenge: checked.challenge.clone(),
                nonce: checked.nonce.clone(),
                identity,
                auth_time: now,
                created_at: now,
            },
        );
    }
    idp.back(site, &checked.redirect_uri, checked.state.as_deref(), vec![("code", code)])
}

/// The people offered at this site (only the hosted domain's, when the client asks for one).
fn offered(site: Site, hosted_domain: Option<&str>) -> Vec<DemoIdentity> {
    PEOPLE
        .iter()
        .filter(|p| p.0 == site)
        .filter_map(|p| person(site, p.1))
        .filter(|p| hosted_domain.is_none() || p.hosted_domain().as_deref() == hosted_domain)
        .collect()
}

/// An identity typed on the page, checked.
fn typed_identity(site: Site, params: &AuthorizeParams, hosted_domain: Option<&str>) -> Result<DemoIdentity, String> {
    let email = params.email.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    let well_formed = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && email.matches('@').count() == 1
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"'".contains(c));
    if !well_formed {
        return Err("Type an e-mail address such as maria@contoso.demo.".into());
    }
    let name = params.name.as_deref().unwrap_or("").trim().to_string();
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err("A name has at most 100 characters.".into());
    }
    let name = if name.is_empty() { email.split('@').next().unwrap_or("").to_string() } else { name };
    let tenant = match site {
        Site::Entra => {
            let tenant = params.tenant.as_deref().unwrap_or("").trim().to_ascii_lowercase();
            if !is_guid(&tenant) {
                return Err("Choose the person's tenant.".into());
            }
            Some(tenant)
        }
        Site::Google => None,
    };
    let identity = DemoIdentity { email, name, tenant };
    if let Some(domain) = hosted_domain {
        if identity.hosted_domain().as_deref() != Some(domain) {
            return Err(format!("This sign-in is for {domain} accounts only."));
        }
    }
    Ok(identity)
}

fn document(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Demo identity provider</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         .banner{{background:#fff3cd;border:1px solid #e0c060;padding:.6rem .8rem;border-radius:4px}}\
         button{{margin:.2rem 0;padding:.4rem .8rem}} li{{margin:.3rem 0}} [role=alert]{{color:#a00;font-weight:bold}}\
         fieldset{{margin-top:1rem}} label{{display:block;margin:.4rem 0}}</style></head>\
         <body><p class=\"banner\"><strong>Demo identity provider</strong> — part of Stratus's demo \
         (<code>serve --demo</code>). Not Microsoft, not Google: nobody is asked for a password here.</p>\
         {body}</body></html>",
        title = escape(title)
    );
    with_headers((status, Html(html)).into_response())
}

fn refusal_page(status: StatusCode, message: &str) -> Response {
    document(
        status,
        "Request refused",
        &format!("<h1>This sign-in request was refused</h1><p role=\"alert\">{}</p>", escape(message)),
    )
}

/// The request's parameters as hidden fields, so each form posts the request again.
fn hidden_fields(params: &AuthorizeParams) -> String {
    let fields = [
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("response_type", &params.response_type),
        ("scope", &params.scope),
        ("state", &params.state),
        ("nonce", &params.nonce),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
        ("prompt", &params.prompt),
        ("max_age", &params.max_age),
        ("hd", &params.hd),
    ];
    fields
        .iter()
        .filter_map(|(name, value)| {
            value.as_ref().map(|v| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(v)))
        })
        .collect()
}

fn choice_page(params: &AuthorizeParams, checked: &Checked<'_>, error: Option<&str>, status: StatusCode) -> Response {
    let site = checked.registration.client.site;
    let hidden = hidden_fields(params);
    let action = format!("{PATH}/authorize");
    let people: String = offered(site, checked.hosted_domain.as_deref())
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let note = PEOPLE.iter().find(|q| q.0 == site && q.1 == p.email).map(|q| q.4).unwrap_or("");
            format!(
                "<li><button type=\"submit\" name=\"pick\" value=\"{n}\">Sign in as {name} &lt;{email}&gt;</button> \
                 <small>{note}</small></li>",
                name = escape(&p.name),
                email = escape(&p.email),
                note = escape(note),
            )
        })
        .collect();
    let again = if checked.sign_in_again {
        "<p><strong>The application asks you to sign in again</strong> (prompt=login).</p>"
    } else {
        ""
    };
    let notice = error.map(|m| format!("<p role=\"alert\">{}</p>", escape(m))).unwrap_or_default();
    let tenant_field = match site {
        Site::Entra => format!(
            "<label>Tenant <select name=\"tenant\">\
             <option value=\"{CONTOSO_TENANT}\">Contoso ({CONTOSO_TENANT})</option>\
             <option value=\"{FABRIKAM_TENANT}\">Fabrikam ({FABRIKAM_TENANT})</option></select></label>"
        ),
        Site::Google => String::new(),
    };
    let domain_note = checked
        .hosted_domain
        .as_deref()
        .map(|d| format!("<p>Only {} accounts are offered (the application asked for hd).</p>", escape(d)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in to {site_label} (demo)</h1>\
         <p>The application <code>{client}</code> asks who you are.</p>{again}{notice}{domain_note}\
         <form method=\"post\" action=\"{action}\">{hidden}<ul>{people}</ul>\
         <p><button type=\"submit\" name=\"pick\" value=\"cancel\">Cancel and go back</button></p></form>\
         <form method=\"post\" action=\"{action}\">{hidden}<fieldset><legend>Or type an identity</legend>\
         <label>E-mail <input name=\"email\" type=\"email\" autocomplete=\"off\" value=\"{email}\"></label>\
         <label>Name <input name=\"name\" autocomplete=\"off\" value=\"{name}\"></label>{tenant_field}\
         <button type=\"submit\" name=\"pick\" value=\"typed\">Sign in as this identity</button></fieldset></form>",
        site_label = site.label(),
        client = escape(checked.registration.client.client_id),
        email = escape(params.email.as_deref().unwrap_or("")),
        name = escape(params.name.as_deref().unwrap_or("")),
    );
    document(status, &format!("Sign in to {} (demo)", site.label()), &body)
}

#[derive(Debug, Default, Deserialize)]
struct TokenParams {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (status, Json(json!({ "error": error, "error_description": description }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"demo-idp\""));
    }
    with_headers(response)
}

/// The client's credentials from HTTP Basic (client_secret_basic) or the form (client_secret_post).
fn client_credentials(headers: &HeaderMap, params: &TokenParams) -> Option<(String, String)> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        return Some((id.to_string(), secret.to_string()));
    }
    Some((params.client_id.clone()?, params.client_secret.clone()?))
}

/// `POST /demo-idp/token`: redeems a code once, for its client, with its PKCE verifier.
async fn token(State(idp): State<DemoProvider>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(params) = serde_urlencoded::from_bytes::<TokenParams>(&body) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_request", "The form could not be read.");
    };
    let registration = client_credentials(&headers, &params).and_then(|(id, secret)| {
        idp.registration(&id).filter(|r| bool::from(r.client.client_secret.as_bytes().ct_eq(secret.as_bytes())))
    });
    let Some(registration) = registration else {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client or wrong secret.");
    };
    if params.grant_type.as_deref() != Some("authorization_code") {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Only authorization_code is supported.");
    }
    let code = params.code.unwrap_or_default();
    // Taken out at once: a code is good for one try, right or wrong.
    let Some(grant) = idp.codes().remove(&code) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "Unknown, used or expired code.");
    };
    let now = Utc::now();
    if (now - grant.created_at).num_seconds() > CODE_SECONDS {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "Unknown, used or expired code.");
    }
    if grant.client_id != registration.client.client_id {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "The code was issued to another client.");
    }
    if params.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "The redirect_uri differs from the request's.");
    }
    let verifier = params.code_verifier.unwrap_or_default();
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.clone()));
    if !is_pkce_text(&verifier, 43, 128) || !bool::from(challenge.as_str().as_bytes().ct_eq(grant.challenge.as_bytes()))
    {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "The PKCE code_verifier does not match.");
    }
    match id_token(&idp, &grant, now) {
        Ok(id_token) => with_headers(
            Json(json!({
                "access_token": random_text(32),
                "token_type": "Bearer",
                "expires_in": ID_TOKEN_SECONDS,
                "scope": "openid email profile",
                "id_token": id_token,
            }))
            .into_response(),
        ),
        Err(reason) => {
            tracing::error!(%reason, "demo identity provider could not sign an ID token");
            token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "The ID token could not be signed.")
        }
    }
}

/// Signs the grant's ID token (RS256).
fn id_token(idp: &DemoProvider, grant: &Grant, now: DateTime<Utc>) -> Result<String, String> {
    let person = &grant.identity;
    let issuer = token_issuer(&idp.inner.public_url, grant.site, person.tenant.as_deref());
    let standard = StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(person.subject(grant.site)))
        .set_email(Some(EndUserEmail::new(person.email.clone())))
        // Google vouches for its e-mails; Entra ID does not (its `email` claim is mutable).
        .set_email_verified(Some(grant.site == Site::Google))
        .set_name(Some(LocalizedClaim::from(EndUserName::new(person.name.clone()))));
    let extra = match grant.site {
        Site::Entra => ProviderClaims { oid: Some(person.object_id()), tid: person.tenant.clone(), hd: None },
        Site::Google => ProviderClaims { oid: None, tid: None, hd: person.hosted_domain() },
    };
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).map_err(|e| format!("issuer: {e}"))?,
        vec![Audience::new(grant.client_id.clone())],
        now + chrono::Duration::seconds(ID_TOKEN_SECONDS),
        now,
        standard,
        extra,
    )
    .set_nonce(grant.nonce.clone().map(Nonce::new))
    .set_auth_time(Some(grant.auth_time));
    let token =
        IdToken::<ProviderClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>::new(
            claims,
            &idp.inner.key,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .map_err(|e| format!("signing: {e}"))?;
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_stable_and_shaped_like_the_real_ones() {
        let ana = person(Site::Entra, "ana@contoso.demo").unwrap();
        assert!(is_guid(&ana.object_id()));
        assert_eq!(ana.object_id(), person(Site::Entra, "ana@contoso.demo").unwrap().object_id());
        let other_tenant = DemoIdentity { tenant: Some(FABRIKAM_TENANT.into()), ..ana.clone() };
        assert_ne!(ana.object_id(), other_tenant.object_id(), "an oid belongs to its tenant");
        let google = person(Site::Google, "ana@contoso.demo").unwrap();
        let sub = google.subject(Site::Google);
        assert_eq!(sub.len(), 21);
        assert!(sub.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(google.hosted_domain().as_deref(), Some("contoso.demo"));
        let consumer = DemoIdentity { email: "someone@gmail.com".into(), name: "S".into(), tenant: None };
        assert_eq!(consumer.hosted_domain(), None);
    }

    #[test]
    fn typed_identities_are_checked() {
        let params = |email: &str, tenant: &str| AuthorizeParams {
            email: Some(email.into()),
            tenant: Some(tenant.into()),
            ..Default::default()
        };
        assert!(typed_identity(Site::Google, &params("maria@contoso.demo", ""), None).is_ok());
        for bad in ["", "maria", "@contoso.demo", "maria@contoso", "a@b@c.demo", "m a@x.demo", "<x>@x.demo"] {
            assert!(typed_identity(Site::Google, &params(bad, ""), None).is_err(), "{bad}");
        }
        assert!(typed_identity(Site::Entra, &params("maria@contoso.demo", "not-a-tenant"), None).is_err());
        assert!(typed_identity(Site::Entra, &params("maria@contoso.demo", CONTOSO_TENANT), None).is_ok());
        assert!(typed_identity(Site::Google, &params("maria@fabrikam.demo", ""), Some("contoso.demo")).is_err());
    }

    #[test]
    fn the_configured_entra_issuer_is_multi_tenant_and_tokens_name_the_tenant() {
        let configured = configured_issuer("http://127.0.0.1:3000/", Site::Entra);
        assert!(super::super::providers::is_multi_tenant_issuer(&configured));
        let discovered = token_issuer("http://127.0.0.1:3000", Site::Entra, None);
        assert!(super::super::discovery::issuer_matches(&configured, &discovered));
        let ana = person(Site::Entra, "ana@contoso.demo").unwrap().verified("http://127.0.0.1:3000", Site::Entra);
        assert_eq!(ana.issuer, format!("http://127.0.0.1:3000{PATH}/entra/{CONTOSO_TENANT}/v2.0"));
        assert_eq!(ana.tenant_id.as_deref(), Some(CONTOSO_TENANT));
    }

    #[test]
    fn pkce_text_has_the_rfc_alphabet_and_length() {
        assert!(is_pkce_text(&"a".repeat(43), 43, 128));
        assert!(!is_pkce_text(&"a".repeat(42), 43, 128));
        assert!(!is_pkce_text(&"a".repeat(129), 43, 128));
        assert!(!is_pkce_text(&format!("{}+", "a".repeat(42)), 43, 128));
    }
}
