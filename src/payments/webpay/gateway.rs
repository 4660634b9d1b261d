//! The WebPay gateway's settings: commerce code, API key secret (sealed at rest, shown
//! masked), environment (integration, production, or a base URL such as the simulator's),
//! active flag, and whether test payments count. Stored in `payment_gateways`, editable by
//! the provider admin and declarable as `[webpay]` in the configuration file. A fresh
//! install takes no online payment until an admin configures it; `--demo` runs its simulator.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::Deserialize;

use super::client::WebpayClient;
use super::{Credentials, INTEGRATION_COMMERCE_CODE, INTEGRATION_HOST, PRODUCTION_HOST};
use crate::audit::{self, AuditActor, Change};
use crate::entities::payment_gateways;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Localize};
use crate::secrets::SecretBox;

pub(crate) const KIND: &str = "webpay_plus";

/// Where the gateway sends requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Environment {
    Integration,
    Production,
    /// Another base URL: the local simulator or a proxy.
    Url(String),
}

impl Environment {
    pub(crate) fn parse(text: &str) -> Result<Environment, String> {
        match text.trim() {
            "integration" => Ok(Environment::Integration),
            "production" => Ok(Environment::Production),
            url if (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 255
                && !url.contains(char::is_whitespace) =>
            {
                Ok(Environment::Url(url.trim_end_matches('/').to_string()))
            }
            _ => Err("The environment is integration, production, or an http(s):// base URL.".into()),
        }
    }

    pub(crate) fn as_stored(&self) -> String {
        match self {
            Environment::Integration => "integration".into(),
            Environment::Production => "production".into(),
            Environment::Url(url) => url.clone(),
        }
    }

    pub(crate) fn host(&self) -> &str {
        match self {
            Environment::Integration => INTEGRATION_HOST,
            Environment::Production => PRODUCTION_HOST,
            Environment::Url(url) => url,
        }
    }
}

/// The settings in use. `Debug` never shows the secret (Credentials masks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GatewaySettings {
    pub credentials: Credentials,
    pub environment: Environment,
    pub active: bool,
    /// The operator said this install takes test payments (a staging install).
    pub test_payments: bool,
    /// An admin (or the configuration file) set the gateway up; false on a fresh install.
    pub configured: bool,
}

/// Transbank's public commerce codes, which exist only in the integration environment
/// (WebPay Plus, and WebPay Plus with deferred capture).
const INTEGRATION_COMMERCE_CODES: [&str; 2] = [INTEGRATION_COMMERCE_CODE, "597055555540"];

impl GatewaySettings {
    /// Before an admin configures the gateway: online payment is off (the form offers
    /// Transbank's public integration credentials to start from). Under `--demo` the
    /// simulator this process serves is set up and on.
    pub(crate) fn default_for(demo_host: Option<&str>) -> GatewaySettings {
        GatewaySettings {
            credentials: Credentials::integration(),
            environment: demo_host.map_or(Environment::Integration, |h| Environment::Url(h.to_string())),
            active: demo_host.is_some(),
            test_payments: false,
            configured: demo_host.is_some(),
        }
    }

    /// Transactions go to Transbank's integration (test) environment: its host, or its
    /// public commerce codes (which the simulators answer to). No real money moves.
    pub(crate) fn is_test(&self) -> bool {
        self.environment == Environment::Integration
            || self.environment.host().trim_end_matches('/') == INTEGRATION_HOST
            || INTEGRATION_COMMERCE_CODES.contains(&self.credentials.commerce_code.as_str())
    }

    /// Whether an approval made in the integration environment counts as paid here: under
    /// `--demo`, or where the operator said so (`test_payments`).
    pub(crate) fn takes_test_payments(&self, demo: bool) -> bool {
        demo || self.test_payments
    }

    pub(crate) fn client(&self, http: &reqwest::Client) -> WebpayClient {
        WebpayClient::with_http(http.clone(), self.environment.host(), self.credentials.clone())
    }
}

/// The form or the `[webpay]` table. `Debug` never shows the secret.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayFields {
    pub commerce_code: String,
    /// Empty keeps the stored secret.
    #[serde(default)]
    pub api_key_secret: String,
    pub environment: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// Count approvals made in Transbank's integration environment as paid (a staging install).
    #[serde(default)]
    pub test_payments: bool,
}

impl std::fmt::Debug for GatewayFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayFields")
            .field("commerce_code", &self.commerce_code)
            .field("api_key_secret", &"***")
            .field("environment", &self.environment)
            .field("active", &self.active)
            .field("test_payments", &self.test_payments)
            .finish()
    }
}

fn yes() -> bool {
    true
}

/// Checks the fields; `current` supplies the secret when the form leaves it empty.
pub(crate) fn check(fields: &GatewayFields, current: &GatewaySettings) -> Result<GatewaySettings, Vec<String>> {
    check_in(fields, current, &Lang::En)
}

/// [`check`], every problem said in `loc`'s language (Admin → Payments).
pub(crate) fn check_in(
    fields: &GatewayFields,
    current: &GatewaySettings,
    loc: &impl Localize,
) -> Result<GatewaySettings, Vec<String>> {
    let mut errors = Vec::new();
    let code = fields.commerce_code.trim();
    if code.is_empty() || code.len() > 20 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(loc.t("admin-payments-bad-commerce-code"));
    }
    let environment_changes = Environment::parse(&fields.environment).is_ok_and(|e| e != current.environment);
    let secret = match fields.api_key_secret.trim() {
        // The stored secret goes only where it was entered for: a new environment (another
        // URL) must be given the secret again, or it would be sent somewhere else.
        "" if environment_changes => {
            errors.push(loc.t("admin-payments-secret-again"));
            String::new()
        }
        "" => current.credentials.api_key_secret.clone(),
        s if s.len() <= 200 && !s.contains(char::is_whitespace) => s.to_string(),
        _ => {
            errors.push(loc.t("admin-payments-bad-secret"));
            String::new()
        }
    };
    let environment = Environment::parse(&fields.environment).unwrap_or_else(|_| {
        errors.push(loc.t("admin-payments-bad-environment"));
        Environment::Integration
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(GatewaySettings {
        credentials: Credentials { commerce_code: code.to_string(), api_key_secret: secret },
        environment,
        active: fields.active,
        test_payments: fields.test_payments,
        configured: true,
    })
}

/// The settings in use: the stored row, or the defaults.
pub(crate) async fn load(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    demo_host: Option<&str>,
) -> AppResult<GatewaySettings> {
    let Some(row) = payment_gateways::Entity::find().filter(payment_gateways::Column::Kind.eq(KIND)).one(db).await?
    else {
        return Ok(GatewaySettings::default_for(demo_host));
    };
    let secret = secrets
        .open(&row.api_key_secret_enc)
        .map_err(|_| AppError::Config("the WebPay secret cannot be read with this server's secret key".into()))?;
    Ok(GatewaySettings {
        credentials: Credentials { commerce_code: row.commerce_code, api_key_secret: secret },
        environment: Environment::parse(&row.environment).unwrap_or(Environment::Integration),
        active: row.active,
        test_payments: row.test_payments,
        configured: true,
    })
}

/// What saving `new` over `current` changes; the secret only as changed, never its value.
fn changes(current: &GatewaySettings, new: &GatewaySettings) -> Vec<Change> {
    let mut changes = vec![
        Change::new("commerce code", &current.credentials.commerce_code, &new.credentials.commerce_code),
        Change::new("environment", current.environment.host(), new.environment.host()),
        Change::new("active", current.active, new.active),
        Change::new("test payments", current.test_payments, new.test_payments),
    ];
    if new.credentials.api_key_secret != current.credentials.api_key_secret {
        changes.push(Change::secret("API key secret"));
    }
    changes
}

/// Saves `settings` over `current` (what they were checked against: the admin form, the
/// `[webpay]` table) with the audit entry of what changed, in one transaction. Once
/// configured, a save that changes nothing writes nothing (a restart with the same file).
pub(crate) async fn save(
    db: &DatabaseConnection,
    by: &AuditActor,
    secrets: &SecretBox,
    current: &GatewaySettings,
    settings: &GatewaySettings,
) -> AppResult<()> {
    let changes = changes(current, settings);
    if current.configured && !audit::any_change(&changes) {
        return Ok(());
    }
    let sealed = secrets.seal(&settings.credentials.api_key_secret)?;
    let txn = db.begin().await?;
    let existing = payment_gateways::Entity::find().filter(payment_gateways::Column::Kind.eq(KIND)).one(&txn).await?;
    let mut row = match existing {
        Some(row) => row.into(),
        None => payment_gateways::ActiveModel { kind: Set(KIND.into()), ..Default::default() },
    };
    row.commerce_code = Set(settings.credentials.commerce_code.clone());
    row.api_key_secret_enc = Set(sealed);
    row.environment = Set(settings.environment.as_stored());
    row.active = Set(settings.active);
    row.test_payments = Set(settings.test_payments);
    row.updated_at = Set(Utc::now());
    row.save(&txn).await?;
    audit::record(&txn, by, by.account_id, "payment gateway changed", "WebPay Plus", &changes).await?;
    txn.commit().await?;
    Ok(())
}

/// The secret as the admin page shows it: its last four characters.
pub(crate) fn masked(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("••••••••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, secret: &str, environment: &str) -> GatewayFields {
        GatewayFields {
            commerce_code: code.into(),
            api_key_secret: secret.into(),
            environment: environment.into(),
            active: true,
            test_payments: false,
        }
    }

    #[test]
    fn a_fresh_install_takes_no_online_payment_and_the_demo_runs_its_simulator() {
        let fresh = GatewaySettings::default_for(None);
        assert!(!fresh.active && !fresh.configured);
        let demo = GatewaySettings::default_for(Some("http://127.0.0.1:3000"));
        assert!(demo.active && demo.configured);
        assert_eq!(demo.environment, Environment::Url("http://127.0.0.1:3000".into()));
    }

    #[test]
    fn the_integration_environment_is_test_and_counts_only_where_the_operator_said_so() {
        let current = GatewaySettings::default_for(None);
        let integration = check(&fields("597055555532", "", "integration"), &current).unwrap();
        assert!(integration.is_test());
        let by_host = check(&fields("597012345678", "x", "https://webpay3gint.transbank.cl/"), &current).unwrap();
        assert!(by_host.is_test());
        let simulator = check(&fields("597055555532", "x", "http://127.0.0.1:3200"), &current).unwrap();
        assert!(simulator.is_test(), "the public integration commerce code");
        let production = check(&fields("597012345678", "x", "production"), &current).unwrap();
        assert!(!production.is_test());
        assert!(!integration.takes_test_payments(false));
        assert!(integration.takes_test_payments(true), "--demo");
        let staging = GatewayFields { test_payments: true, ..fields("597055555532", "", "integration") };
        assert!(check(&staging, &current).unwrap().takes_test_payments(false));
        let table: GatewayFields =
            toml::from_str("commerce_code = \"597055555532\"\nenvironment = \"integration\"\ntest_payments = true")
                .unwrap();
        assert!(table.test_payments && table.active);
    }

    #[test]
    fn settings_are_checked_and_an_empty_secret_keeps_the_stored_one() {
        let current = GatewaySettings { environment: Environment::Production, ..GatewaySettings::default_for(None) };
        let kept = check(&fields("597055555532", "", "production"), &current).unwrap();
        assert_eq!(kept.credentials.api_key_secret, current.credentials.api_key_secret);
        assert_eq!(kept.environment.host(), PRODUCTION_HOST);
        // Pointing it elsewhere needs the secret again: the stored one is never sent to a new place.
        let moved = check(&fields("597055555532", "", "https://collector.example"), &current).unwrap_err();
        assert!(moved[0].starts_with("Enter the API key secret again"), "{moved:?}");
        let custom = check(&fields("597055555532", "abc", "http://127.0.0.1:3200/"), &current).unwrap();
        assert_eq!(custom.environment, Environment::Url("http://127.0.0.1:3200".into()));
        let errors = check(&fields("59705x", "a b", "staging"), &current).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(masked("579B532A7440BB0C"), "••••••••BB0C");
        assert!(!format!("{kept:?}").contains("579B532A"));
        let typed = fields("597055555532", "579B532A7440BB0C", "production");
        assert!(!format!("{typed:?}").contains("579B532A"), "the typed secret is never shown either");
    }
}
