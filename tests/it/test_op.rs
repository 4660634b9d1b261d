//! A small in-process OpenID provider for the Rust suite: discovery and signing keys
//! (flows and signed tokens build on it).

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub const TEST_JWK: &str = include_str!("fixtures/test-op-jwk.json");

#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Put another issuer into the discovery document (a misconfigured or hostile provider).
    pub wrong_issuer_in_discovery: bool,
    /// Serve an empty key set.
    pub no_keys: bool,
}

#[derive(Clone)]
struct OpState {
    issuer: String,
    behaviour: Arc<Mutex<Behaviour>>,
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
    if op.behaviour.lock().unwrap().no_keys {
        return Json(json!({ "keys": [] }));
    }
    let key: Value = serde_json::from_str(TEST_JWK).expect("fixture JWK");
    Json(json!({ "keys": [key] }))
}

impl TestOp {
    pub async fn start() -> TestOp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind test OP");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let behaviour = Arc::new(Mutex::new(Behaviour::default()));
        let state = OpState { issuer: issuer.clone(), behaviour: behaviour.clone() };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .with_state(state);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        TestOp { issuer, behaviour, server }
    }
}
