//! A small in-process OpenID provider for the Rust suite. It signs its own ID tokens
//! (RS256, a fixture key), so tests can make it misbehave in every way an attacker or a
//! broken provider could: wrong nonce, issuer or audience, expired, bad signature,
//! `alg: none`, replayed codes, foreign tenants.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EndUserEmail, EndUserName, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, LocalizedClaim, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, StandardClaims, SubjectIdentifier,
};
use serde::Deserialize;
use serde_json::{json, Value};
use stratus::identity::oidc::ProviderClaims;

pub const TEST_JWK: &str = include_str!("fixtures/test-op-jwk.json");
pub const TEST_KEY_PEM: &str = include_str!("fixtures/test-op-rsa.pem");
pub const CLIENT_ID: &str = "stratus-client";
pub const CLIENT_SECRET: &str = "s3cret-value-WXYZ";

/// Who signs in at the provider and how the provider misbehaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub subject: String,
    pub email: String,
    /// What the ID token says of the e-mail (`email_verified`), if anything.
    pub email_verified: Option<bool>,
    pub tid: Option<String>,
    pub oid: Option<String>,
    pub wrong_issuer_in_discovery: bool,
    pub no_keys: bool,
    pub token_issuer: Option<String>,
    pub audience: Option<String>,
    pub nonce: Option<Option<String>>,
    pub expired: bool,
    pub bad_signature: bool,
    pub alg_none: bool,
    pub unknown_kid: bool,
    pub iss_in_callback: Option<String>,
    /// Report a sign-in from an hour ago (a provider that ignored prompt=login).
    pub stale_auth_time: bool,
    /// The last authorization request's query, for checking what Stratus asked for.
    pub last_authorize_query: Option<HashMap<String, String>>,
    /// The key id the provider publishes and signs with (a rotation changes it).
    pub key_id: String,
    /// How often Stratus fetched the discovery document and the keys.
    pub discovery_fetches: usize,
    pub jwks_fetches: usize,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            subject: "subject-1".into(),
            email: "person@idp.example".into(),
            email_verified: Some(true),
            tid: None,
            oid: None,
            wrong_issuer_in_discovery: false,
            no_keys: false,
            token_issuer: None,
            audience: None,
            nonce: None,
            expired: false,
            bad_signature: false,
            alg_none: false,
            unknown_kid: false,
            iss_in_callback: None,
            stale_auth_time: false,
            last_authorize_query: None,
            key_id: "test-key-1".into(),
            discovery_fetches: 0,
            jwks_fetches: 0,
        }
    }
}

#[derive(Debug, Clone)]
struct Grant {
    nonce: Option<String>,
    challenge: String,
    redirect_uri: String,
    used: bool,
}

#[derive(Clone)]
struct OpState {
    issuer: String,
    behaviour: Arc<Mutex<Behaviour>>,
    grants: Arc<Mutex<HashMap<String, Grant>>>,
}

pub struct TestOp {
    pub issuer: String,
    pub behaviour: Arc<Mutex<Behaviour>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestOp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn discovery(State(op): State<OpState>) -> Json<Value> {
    op.behaviour.lock().unwrap().discovery_fetches += 1;
    let behaviour = op.behaviour.lock().unwrap().clone();
    let issuer =
        if behaviour.wrong_issuer_in_discovery { "https://evil.example".to_string() } else { op.issuer.clone() };
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{}/authorize", op.issuer),
        "token_endpoint": format!("{}/token", op.issuer),
        "jwks_uri": format!("{}/jwks", op.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(op): State<OpState>) -> Json<Value> {
    let behaviour = {
        let mut behaviour = op.behaviour.lock().unwrap();
        behaviour.jwks_fetches += 1;
        behaviour.clone()
    };
    if behaviour.no_keys {
        return Json(json!({ "keys": [] }));
    }
    let mut key: Value = serde_json::from_str(TEST_JWK).expect("fixture JWK");
    key["kid"] = Value::String(behaviour.key_id.clone());
    Json(json!({ "keys": [key] }))
}

async fn authorize(State(op): State<OpState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let (Some(redirect_uri), Some(state), Some(challenge)) =
        (query.get("redirect_uri"), query.get("state"), query.get("code_challenge"))
    else {
        return (StatusCode::BAD_REQUEST, "missing parameters").into_response();
    };
    if query.get("code_challenge_method").map(String::as_str) != Some("S256")
        || query.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        return (StatusCode::BAD_REQUEST, "PKCE S256 and the client id are required").into_response();
    }
    op.behaviour.lock().unwrap().last_authorize_query = Some(query.clone());
    let code = format!("code-{}", op.grants.lock().unwrap().len() + 1);
    op.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: query.get("nonce").cloned(),
            challenge: challenge.clone(),
            redirect_uri: redirect_uri.clone(),
            used: false,
        },
    );
    let mut location = format!("{redirect_uri}?code={code}&state={}", urlencode(state));
    if let Some(iss) = op.behaviour.lock().unwrap().iss_in_callback.clone() {
        location.push_str(&format!("&iss={}", urlencode(&iss)));
    }
    Redirect::to(&location).into_response()
}

fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap()[2..].to_string()
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

fn token_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(State(op): State<OpState>, headers: HeaderMap, Form(request): Form<TokenRequest>) -> Response {
    let expected_auth = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected_auth.as_str()) {
        return token_error("invalid_client");
    }
    if request.grant_type != "authorization_code" {
        return token_error("unsupported_grant_type");
    }
    let grant = {
        let mut grants = op.grants.lock().unwrap();
        match grants.get_mut(&request.code) {
            Some(grant) if !grant.used => {
                grant.used = true;
                grant.clone()
            }
            _ => return token_error("invalid_grant"),
        }
    };
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(request.code_verifier));
    if challenge.as_str() != grant.challenge || request.redirect_uri != grant.redirect_uri {
        return token_error("invalid_grant");
    }
    let behaviour = op.behaviour.lock().unwrap().clone();
    Json(json!({ "access_token": "at", "token_type": "Bearer", "id_token": id_token(&op.issuer, &behaviour, grant.nonce) })).into_response()
}

/// Signs an ID token as the behaviour says.
pub fn id_token(issuer: &str, behaviour: &Behaviour, nonce: Option<String>) -> String {
    let now = chrono::Utc::now();
    let (issued, expires) = if behaviour.expired {
        (now - chrono::Duration::hours(2), now - chrono::Duration::hours(1))
    } else {
        (now, now + chrono::Duration::minutes(5))
    };
    let standard = StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(behaviour.subject.clone()))
        .set_email(Some(EndUserEmail::new(behaviour.email.clone())))
        .set_email_verified(behaviour.email_verified)
        .set_name(Some(LocalizedClaim::from(EndUserName::new("Idp Person".into()))));
    let extra = ProviderClaims { oid: behaviour.oid.clone(), tid: behaviour.tid.clone(), hd: None };
    let token_issuer = behaviour.token_issuer.clone().unwrap_or_else(|| issuer.to_string());
    let audience = behaviour.audience.clone().unwrap_or_else(|| CLIENT_ID.to_string());
    let nonce = behaviour.nonce.clone().unwrap_or(nonce);
    let claims = IdTokenClaims::new(
        IssuerUrl::new(token_issuer).unwrap(),
        vec![Audience::new(audience)],
        expires,
        issued,
        standard,
        extra,
    )
    .set_nonce(nonce.map(Nonce::new))
    .set_auth_time(Some(if behaviour.stale_auth_time { now - chrono::Duration::hours(1) } else { now }));
    let kid = if behaviour.unknown_kid { "rotated-away" } else { behaviour.key_id.as_str() };
    let key =
        CoreRsaPrivateSigningKey::from_pem(TEST_KEY_PEM, Some(JsonWebKeyId::new(kid.into()))).expect("fixture key");
    let token =
        IdToken::<ProviderClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>::new(
            claims,
            &key,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .expect("sign");
    let raw = serde_json::to_value(&token).unwrap().as_str().unwrap().to_string();
    let mut parts: Vec<String> = raw.split('.').map(str::to_string).collect();
    if behaviour.bad_signature {
        let mut signature = URL_SAFE_NO_PAD.decode(&parts[2]).unwrap();
        signature[0] ^= 0xff;
        parts[2] = URL_SAFE_NO_PAD.encode(signature);
    }
    if behaviour.alg_none {
        parts[0] = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        parts[2] = String::new();
    }
    parts.join(".")
}

impl TestOp {
    pub async fn start() -> TestOp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind test OP");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let behaviour = Arc::new(Mutex::new(Behaviour::default()));
        let state = OpState { issuer: issuer.clone(), behaviour: behaviour.clone(), grants: Arc::default() };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(state);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        TestOp { issuer, behaviour, server }
    }

    pub fn set(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut self.behaviour.lock().unwrap());
    }
}
