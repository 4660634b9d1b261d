//! The state every handler, middleware and job shares: the database, the settings, the
//! secret box, the rate limits and the outbound HTTP clients. Low in the tree: it knows
//! the capabilities it holds, never the pages or the router.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::error::AppResult;
use crate::identity;
use crate::identity::rate_limit::RateLimiter;
use crate::payments::webpay;
use crate::secrets::SecretBox;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub secrets: Arc<SecretBox>,
    pub sign_in_limiter: Arc<RateLimiter>,
    /// API calls per API client (by its row id).
    pub api_limiter: Arc<RateLimiter<i32>>,
    /// CSV exports running now (each holds a database connection).
    pub exports: Arc<crate::billing::report_query::ExportSlots>,
    /// Calls to identity providers, with their discovery documents and keys kept.
    pub oidc_cache: Arc<identity::discovery::ProviderCache>,
    /// "Sign in with …" flows started per client address.
    pub flow_limiter: Arc<RateLimiter>,
    /// The budget for logging WebPay returns that match nothing.
    pub unmatched_returns: Arc<webpay::events::UnmatchedReturnLog>,
    /// For calls to WebPay (timeouts set; the gateway settings are read per payment).
    pub webpay_http: reqwest::Client,
    /// The SMTP connection the outbox job sends through (none: mail waits in the outbox).
    pub mail_sender: Option<crate::mail::smtp::SmtpSender>,
    /// Wakes the outbox job when a request has just written a message.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// The brand last shown on each host, for the page shown while the database is down.
    pub(crate) last_known_brands: Arc<crate::outage::LastKnownBrands>,
    /// Brands, sign-in settings and identity providers as of the last config version read.
    pub(crate) config_cache: Arc<crate::config_cache::ConfigCache>,
    /// This instance's background-job runner: its name and the Notify that wakes it.
    pub tasks: Arc<crate::tasks::TaskQueue>,
}

impl AppState {
    /// Where links in e-mails point.
    pub(crate) fn site(&self) -> crate::mail::Site {
        crate::mail::Site::new(&self.settings.base_url)
    }

    /// Tells the outbox job that a message is waiting (call after the transaction commits).
    pub(crate) fn mail_written(&self) {
        self.mail_wake.notify_one();
    }

    /// The gateway settings in use, switched on or not (returns and refunds still need them).
    pub(crate) async fn webpay_gateway(&self) -> AppResult<webpay::gateway::GatewaySettings> {
        let demo_host = self.settings.demo.then_some(self.settings.base_url.as_str());
        webpay::gateway::load(&self.db, &self.secrets, demo_host).await
    }

    /// What a checkout needs of these settings: the client, whether its transactions are
    /// TEST ones, and whether this install counts those as paid (`--demo`, or the setting).
    pub(crate) fn checkout(&self, settings: &webpay::gateway::GatewaySettings) -> webpay::checkout::Gateway {
        webpay::checkout::Gateway::of(
            settings,
            &self.webpay_http,
            self.settings.demo,
            self.site(),
            self.settings.webpay_timeout,
        )
    }

    /// The client's address: `X-Forwarded-For` only from a trusted proxy.
    pub(crate) fn client_ip(&self, peer: std::net::SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        identity::client_address::client_ip(peer.ip(), forwarded, &self.settings.trusted_proxies)
    }

    /// How recent a sign-in must be to change the ways in without confirming again.
    pub(crate) fn recent_sign_in_seconds(&self) -> i64 {
        self.settings.auth.recent_sign_in_minutes.map_or(identity::oidc::RECENT_SIGN_IN_SECONDS, |m| i64::from(m) * 60)
    }
}
