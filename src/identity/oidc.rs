//! The OpenID Connect authorization-code flow with PKCE (S256), state and nonce, for
//! five purposes: sign in, link an identity to the signed-in user, re-authenticate, sign
//! up (a new account), and accept an invitation (join an account).
//!
//! The pending flow lives in the server-side session, bound to its purpose, user,
//! provider, return path and creation time. The callback trusts nothing it receives:
//! the state must match, the provider must be the one the flow started with (mix-up
//! defence), and the ID token is verified with openidconnect (signature from the
//! provider's keys, fetched at every callback so a key rotation never breaks sign-in;
//! `iss`, `aud`, `exp`, `nonce`; RS256 only, so `alg: none` is refused).

use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, ClaimsVerificationError, ClientId, ClientSecret, IdToken, IdTokenClaims, IssuerUrl, Nonce,
    PkceCodeChallenge, SignatureVerificationError,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::discovery;
use super::providers::{self, is_guid, is_multi_tenant_issuer};
use crate::entities::enums::IdpKind;
use crate::entities::identity_providers;
use crate::secrets::SecretBox;

pub(crate) const SESSION_KEY: &str = "oidc_flow";
pub(crate) const FLOW_TTL_SECONDS: i64 = 600;
/// How recent a sign-in must be to connect or set a way in without re-authenticating
/// (unless `[auth] recent_sign_in_minutes` says otherwise).
pub(crate) const RECENT_SIGN_IN_SECONDS: i64 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Purpose {
    Login,
    Link,
    Reauth,
    /// A new customer account, its company given on the sign-up form ([`Joining::SignUp`]).
    SignUp,
    /// An invited user joins with this identity instead of a password ([`Joining::Invitation`]).
    Join,
}

/// What a sign-up or an invitation carries through the provider, kept in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Joining {
    /// The company from the sign-up form, and whose customer it becomes (by the host it
    /// was started on).
    SignUp { seller_id: i32, company: crate::accounts::signup::NewCompany },
    /// The invitation token's row (never the link itself).
    Invitation { token_id: i32 },
}

/// What to do once a re-authentication succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Continuation {
    Link(i32),
    SetPassword,
    /// Back to Login Options, where the confirmed user chooses again (a disconnect).
    LoginOptions,
    /// On to setting up an authenticator app.
    Authenticator,
    /// Back to an administrator's reset of this user's second factors.
    ResetSecondFactors(i32),
    /// Back to Passkeys, where the confirmed user adds or removes one again.
    Passkeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingFlow {
    pub purpose: Purpose,
    pub provider_id: i32,
    pub user_id: Option<i32>,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: i64,
    pub then: Option<Continuation>,
    #[serde(default)]
    pub joining: Option<Joining>,
}

/// Where a flow starts: its purpose and what it carries.
#[derive(Debug, Clone)]
pub(crate) struct FlowStart {
    pub purpose: Purpose,
    pub user_id: Option<i32>,
    pub return_to: String,
    pub then: Option<Continuation>,
    pub joining: Option<Joining>,
}

impl FlowStart {
    pub(crate) fn new(purpose: Purpose, user_id: Option<i32>, return_to: String) -> FlowStart {
        FlowStart { purpose, user_id, return_to, then: None, joining: None }
    }
}

/// How long a handed-over flow may wait for the person to continue on the public host.
pub(crate) const HANDOFF_TTL_SECONDS: i64 = 600;
const HANDOFF_PURPOSE: &str = "oidc-handoff-v1";

/// A sign-up or an invitation begun on a reseller's custom host, handed to the public host
/// where every callback is (the browser's session there is another one). Sealed with the
/// server's key, so nobody can make or alter one; the public host shows what it is for and
/// starts the flow only when the person confirms there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Handoff {
    #[serde(rename = "for")]
    pub kind: String,
    pub provider_id: i32,
    pub purpose: Purpose,
    pub joining: Joining,
    pub expires_at: i64,
}

impl Handoff {
    pub(crate) fn new(provider_id: i32, purpose: Purpose, joining: Joining, now: i64) -> Handoff {
        Handoff { kind: HANDOFF_PURPOSE.into(), provider_id, purpose, joining, expires_at: now + HANDOFF_TTL_SECONDS }
    }

    pub(crate) fn seal(&self, secrets: &SecretBox) -> Result<String, crate::error::AppError> {
        let json = serde_json::to_string(self).map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
        secrets.seal(&json)
    }

    /// The handoff in `sealed`, for `provider_id`, while it is fresh; None for anything else.
    pub(crate) fn open(secrets: &SecretBox, sealed: &str, provider_id: i32, now: i64) -> Option<Handoff> {
        if sealed.len() > 8192 {
            return None;
        }
        let handoff: Handoff = serde_json::from_str(&secrets.open(sealed).ok()?).ok()?;
        let fits = handoff.kind == HANDOFF_PURPOSE
            && handoff.provider_id == provider_id
            && matches!(handoff.purpose, Purpose::SignUp | Purpose::Join)
            && now <= handoff.expires_at;
        fits.then_some(handoff)
    }
}

/// The claims Stratus reads beyond the standard ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProviderClaims {
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub hd: Option<String>,
}
impl AdditionalClaims for ProviderClaims {}

type ProviderIdToken =
    IdToken<ProviderClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type ProviderIdTokenClaims = IdTokenClaims<ProviderClaims, CoreGenderClaim>;

/// A verified external identity: keyed by (provider, issuer, subject), never by e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifiedIdentity {
    pub issuer: String,
    pub subject: String,
    pub tenant_id: Option<String>,
    pub email: Option<String>,
    /// The provider says it checked the e-mail (`email_verified`).
    pub email_verified: bool,
    pub name: Option<String>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The callback URL registered with every provider.
pub(crate) fn redirect_uri(base_url: &str, provider_id: i32) -> String {
    format!("{base_url}/auth/oidc/{provider_id}/callback")
}

/// Starts a flow: the provider's authorization URL and the pending flow to keep in the
/// session. Every flow's callback is on the public base URL: a reseller's custom host is
/// never a redirect URI (its owner controls its DNS, and a code sent there could be
/// replayed), so flows begun there are handed over ([`Handoff`]).
pub(crate) async fn begin(
    cache: &discovery::ProviderCache,
    provider: &identity_providers::Model,
    base_url: &str,
    start: FlowStart,
) -> Result<(String, PendingFlow), String> {
    let document = cache.document(provider).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let purpose = start.purpose;
    let flow = PendingFlow {
        purpose,
        provider_id: provider.id,
        user_id: start.user_id,
        state: random_token(),
        nonce: random_token(),
        pkce_verifier: verifier.secret().clone(),
        return_to: start.return_to,
        created_at: Utc::now().timestamp(),
        then: start.then,
        joining: start.joining,
    };
    let mut params: Vec<(&str, String)> = vec![
        ("response_type", "code".into()),
        ("client_id", provider.client_id.clone()),
        ("redirect_uri", redirect_uri(base_url, provider.id)),
        ("scope", "openid email profile".into()),
        ("state", flow.state.clone()),
        ("nonce", flow.nonce.clone()),
        ("code_challenge", challenge.as_str().to_string()),
        ("code_challenge_method", "S256".into()),
    ];
    if purpose == Purpose::Reauth {
        params.push(("prompt", "login".into()));
        params.push(("max_age", "0".into()));
    }
    if let Some(domain) = provider.hosted_domain.as_ref().filter(|_| provider.kind == IdpKind::Google) {
        params.push(("hd", domain.clone()));
    }
    let query =
        serde_urlencoded::to_string(&params).map_err(|e| format!("building the sign-in request failed: {e}"))?;
    let separator = if document.authorization_endpoint.contains('?') { '&' } else { '?' };
    Ok((format!("{}{separator}{query}", document.authorization_endpoint), flow))
}

/// Why a callback was refused; [`CallbackRefusal::localized`] is what the person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallbackRefusal {
    NoPendingFlow,
    Expired,
    WrongProvider,
    StateMismatch,
    IssuerMismatch,
    ProviderError(String),
    Token(String),
    /// The identity is linked, but its user or account may not sign in.
    NotAllowed(&'static str),
}

impl CallbackRefusal {
    /// The refusal in the viewer's language.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            CallbackRefusal::NoPendingFlow => loc.t("oidc-no-pending-flow"),
            CallbackRefusal::Expired => loc.t("oidc-expired"),
            CallbackRefusal::WrongProvider | CallbackRefusal::IssuerMismatch => loc.t("oidc-wrong-provider"),
            CallbackRefusal::StateMismatch => loc.t("oidc-state-mismatch"),
            CallbackRefusal::ProviderError(code) => tr!(loc, "oidc-provider-error", code = code),
            CallbackRefusal::Token(reason) => tr!(loc, "oidc-token-not-verified", reason = reason),
            CallbackRefusal::NotAllowed(reason) => super::sign_in_refusal(loc, reason),
        }
    }
}

/// Checks a callback against its pending flow before anything is redeemed.
pub(crate) fn check_callback(
    flow: &PendingFlow,
    provider: &identity_providers::Model,
    state: &str,
    iss: Option<&str>,
    now: i64,
) -> Result<(), CallbackRefusal> {
    if flow.provider_id != provider.id {
        return Err(CallbackRefusal::WrongProvider);
    }
    if !bool::from(flow.state.as_bytes().ct_eq(state.as_bytes())) {
        return Err(CallbackRefusal::StateMismatch);
    }
    if now - flow.created_at > FLOW_TTL_SECONDS || now < flow.created_at - 60 {
        return Err(CallbackRefusal::Expired);
    }
    if let Some(iss) = iss {
        let expected = provider.issuer.trim_end_matches('/');
        let iss = iss.trim_end_matches('/');
        let multi_tenant_ok = is_multi_tenant_issuer(expected) && tenant_issuer_matches(expected, iss);
        if iss != expected && !multi_tenant_ok {
            return Err(CallbackRefusal::IssuerMismatch);
        }
    }
    Ok(())
}

/// For an Entra ID multi-tenant issuer: whether `iss` is the same URL with a tenant GUID in place.
fn tenant_issuer_matches(template: &str, iss: &str) -> bool {
    ["common", "organizations", "{tenantid}"].iter().any(|marker| {
        let Some((prefix, suffix)) = template.split_once(&format!("/{marker}/")) else { return false };
        iss.strip_prefix(&format!("{prefix}/"))
            .and_then(|rest| rest.strip_suffix(&format!("/{suffix}")))
            .is_some_and(is_guid)
    })
}

/// The `tid` of a token before verification (to pick the issuer a multi-tenant token must carry).
fn unverified_tenant(raw: &str) -> Option<String> {
    let payload = raw.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("tid")?.as_str().map(str::to_string)
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    error: Option<String>,
}

/// Redeems the code (with the PKCE verifier) and verifies the ID token.
pub(crate) async fn redeem(
    cache: &discovery::ProviderCache,
    provider: &identity_providers::Model,
    secrets: &SecretBox,
    base_url: &str,
    flow: &PendingFlow,
    code: &str,
) -> Result<VerifiedIdentity, CallbackRefusal> {
    let token_error = |reason: String| CallbackRefusal::Token(reason);
    let document = cache.document(provider).await.map_err(token_error)?;
    let secret = provider
        .client_secret_enc
        .as_deref()
        .map(|s| secrets.open(s))
        .transpose()
        .map_err(|_| token_error("the provider's client secret cannot be read; an admin must enter it again".into()))?
        .unwrap_or_default();
    let response = cache
        .http()
        .post(&document.token_endpoint)
        .basic_auth(&provider.client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri(base_url, provider.id)),
            ("code_verifier", &flow.pkce_verifier),
            ("client_id", &provider.client_id),
        ])
        .send()
        .await
        .map_err(|_| token_error("the provider's token endpoint could not be reached".into()))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|_| token_error("the token answer was cut off".into()))?;
    if body.len() > discovery::MAX_DOCUMENT_BYTES {
        return Err(token_error("the token answer is too large".into()));
    }
    let answer: TokenAnswer = serde_json::from_slice(&body)
        .map_err(|_| token_error(format!("the token endpoint answered {status} without JSON")))?;
    if let Some(error) = answer.error {
        let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        return Err(token_error(format!("the provider refused the code ({error})")));
    }
    let raw = answer.id_token.ok_or_else(|| token_error("no ID token in the answer".into()))?;

    // Which issuer the token must name: the configured one, or for multi-tenant Entra ID
    // the tenant's, for an allowed tenant only.
    let mut expected_issuer = provider.issuer.trim_end_matches('/').to_string();
    let allowed_tenants = providers::tenants_of(provider);
    if provider.kind == IdpKind::AzureAd && is_multi_tenant_issuer(&expected_issuer) {
        let tid = unverified_tenant(&raw)
            .filter(|t| is_guid(t))
            .ok_or_else(|| token_error("the token names no tenant".into()))?;
        if !allowed_tenants.iter().any(|t| t.eq_ignore_ascii_case(&tid)) {
            return Err(token_error("your organisation's tenant is not allowed to sign in here".into()));
        }
        for marker in ["common", "organizations", "{tenantid}"] {
            expected_issuer = expected_issuer.replace(&format!("/{marker}/"), &format!("/{tid}/"));
        }
    }
    let token = ProviderIdToken::from_str(&raw).map_err(|_| token_error("the ID token is malformed".into()))?;
    let issuer =
        IssuerUrl::new(expected_issuer.clone()).map_err(|_| token_error("the issuer URL is invalid".into()))?;
    let nonce = Nonce::new(flow.nonce.clone());
    let verify = |keys: discovery::Keys| -> Result<ProviderIdTokenClaims, ClaimsVerificationError> {
        let keys: CoreJsonWebKeySet = serde_json::from_value(keys.set)
            .map_err(|e| ClaimsVerificationError::Other(format!("the signing keys are not a key set ({e})")))?;
        let verifier = CoreIdTokenVerifier::new_confidential_client(
            ClientId::new(provider.client_id.clone()),
            ClientSecret::new(secret.clone()),
            issuer.clone(),
            keys,
        )
        .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, CoreJwsSigningAlgorithm::RsaSsaPssSha256]);
        token.claims(&verifier, &nonce).cloned()
    };
    let keys = cache.keys(provider, &document, false).await.map_err(token_error)?;
    let kept = !keys.fresh;
    let claims = match verify(keys) {
        // A key id the kept keys do not have: the provider may have rotated its keys.
        Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) if kept => {
            verify(cache.keys(provider, &document, true).await.map_err(token_error)?)
        }
        other => other,
    }
    .map_err(|e| token_error(format!("the ID token was refused ({e})")))?;

    if flow.purpose == Purpose::Reauth {
        let fresh = claims.auth_time().is_some_and(|at: DateTime<Utc>| at.timestamp() >= flow.created_at - 60);
        if !fresh {
            return Err(token_error("the provider did not ask you to sign in again".into()));
        }
    }
    let extra = claims.additional_claims();
    let (subject, tenant_id) = match provider.kind {
        IdpKind::AzureAd => {
            let oid = extra.oid.clone().ok_or_else(|| token_error("the token has no object id (oid)".into()))?;
            let tid = extra.tid.clone().ok_or_else(|| token_error("the token has no tenant id (tid)".into()))?;
            if !allowed_tenants.is_empty() && !allowed_tenants.iter().any(|t| t.eq_ignore_ascii_case(&tid)) {
                return Err(token_error("your organisation's tenant is not allowed to sign in here".into()));
            }
            (oid, Some(tid))
        }
        _ => (claims.subject().as_str().to_string(), None),
    };
    if let Some(domain) = provider.hosted_domain.as_ref().filter(|_| provider.kind == IdpKind::Google) {
        if extra.hd.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(domain.as_str()) {
            return Err(token_error(format!("only {domain} accounts may sign in here")));
        }
    }
    Ok(VerifiedIdentity {
        issuer: claims.issuer().as_str().trim_end_matches('/').to_string(),
        subject,
        tenant_id,
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(issuer: &str) -> identity_providers::Model {
        let now = Utc::now();
        identity_providers::Model {
            id: 7,
            name: "A".into(),
            kind: IdpKind::AzureAd,
            issuer: issuer.into(),
            client_id: "c".into(),
            client_secret_enc: None,
            allowed_tenants: None,
            hosted_domain: None,
            active: true,
            visible: true,
            allow_automatic_registration: false,
            trust_unverified_email: false,
            logo: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn flow(now: i64) -> PendingFlow {
        PendingFlow {
            purpose: Purpose::Login,
            provider_id: 7,
            user_id: None,
            state: "state-123".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/account".into(),
            created_at: now,
            then: None,
            joining: None,
        }
    }

    #[test]
    fn callbacks_must_match_state_provider_issuer_and_time() {
        let now = 1_000_000;
        let p = provider("https://idp.example.com");
        assert_eq!(check_callback(&flow(now), &p, "state-123", None, now + 5), Ok(()));
        assert_eq!(check_callback(&flow(now), &p, "state-124", None, now), Err(CallbackRefusal::StateMismatch));
        assert_eq!(check_callback(&flow(now), &p, "", None, now), Err(CallbackRefusal::StateMismatch));
        assert_eq!(check_callback(&flow(now), &p, "state-123", None, now + 601), Err(CallbackRefusal::Expired));
        assert_eq!(
            check_callback(&flow(now), &p, "state-123", Some("https://other.example.com"), now),
            Err(CallbackRefusal::IssuerMismatch)
        );
        let other = identity_providers::Model { id: 8, ..p };
        assert_eq!(check_callback(&flow(now), &other, "state-123", None, now), Err(CallbackRefusal::WrongProvider));
    }

    #[test]
    fn a_handoff_opens_only_sealed_unaltered_fresh_and_for_its_provider() {
        let secrets = SecretBox::from_key(&[7; 32]);
        let joining = Joining::Invitation { token_id: 12 };
        let sealed = Handoff::new(3, Purpose::Join, joining.clone(), 1_000).seal(&secrets).unwrap();
        let opened = Handoff::open(&secrets, &sealed, 3, 1_000 + HANDOFF_TTL_SECONDS).expect("fresh");
        assert_eq!(opened.joining, joining);
        assert_eq!(Handoff::open(&secrets, &sealed, 4, 1_000), None, "another provider");
        assert_eq!(Handoff::open(&secrets, &sealed, 3, 1_001 + HANDOFF_TTL_SECONDS), None, "expired");
        assert_eq!(Handoff::open(&SecretBox::from_key(&[8; 32]), &sealed, 3, 1_000), None, "another key");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(Handoff::open(&secrets, &String::from_utf8(altered).unwrap(), 3, 1_000), None, "altered");
        let login = Handoff { purpose: Purpose::Login, ..Handoff::new(3, Purpose::Join, joining, 1_000) };
        assert_eq!(Handoff::open(&secrets, &login.seal(&secrets).unwrap(), 3, 1_000), None, "only sign-up and join");
        assert_eq!(Handoff::open(&secrets, "garbage", 3, 1_000), None);
    }

    #[test]
    fn multi_tenant_issuers_accept_a_tenant_guid_only() {
        let template = "https://login.microsoftonline.com/organizations/v2.0";
        assert!(tenant_issuer_matches(
            template,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
        ));
        assert!(!tenant_issuer_matches(template, "https://login.microsoftonline.com/evil/v2.0"));
        assert!(!tenant_issuer_matches(template, "https://evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"));
    }

    #[test]
    fn the_unverified_tenant_is_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"tid":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#);
        assert_eq!(
            unverified_tenant(&format!("h.{payload}.s")).as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(unverified_tenant("garbage"), None);
    }
}
