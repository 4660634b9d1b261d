//! Settings from flags, `STRATUS_*` environment variables and an optional TOML file.
//!
//! Precedence: flags > environment > the TOML file > built-in defaults. clap resolves
//! flags and environment; what neither gave falls back to the file, then to defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::branding::check::BrandFields;
use crate::error::{AppError, AppResult};
use crate::identity::providers::ProviderFields;
pub use crate::observability::logging::LogFormat;
use crate::payments::webpay::gateway::GatewayFields;

pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://data/stratus.db?mode=rwc";
pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug, Parser)]
#[command(name = "stratus", version, about = "Storefront and billing for resellers of cloud services")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Log lines as text or as one JSON object per line (every command).
    #[arg(long, global = true, env = "STRATUS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Create a provider admin (and the provider account on a fresh installation).
    /// The password comes from STRATUS_ADMIN_PASSWORD, or is generated and printed once.
    CreateAdmin(CreateAdminArgs),
    /// Sign-in settings from the server's shell.
    Auth(AuthArgs),
    /// Run the local WebPay Plus simulator (Transbank's REST API and a payment page with
    /// the integration test cards), answering to the public integration credentials.
    WebpaySim(WebpaySimArgs),
    /// Run the demo OpenID provider alone (what `serve --demo` serves under /demo-idp):
    /// a multi-tenant Entra ID and a Google, each with one client, signing in whoever is
    /// picked on its page.
    DemoIdp(DemoIdpArgs),
    /// Consumption records.
    Usage(UsageArgs),
    /// The catalogue's products and prices.
    Catalogue(CatalogueArgs),
    /// Billing runs.
    Billing(BillingArgs),
    /// REST API clients.
    ApiClient(ApiClientArgs),
    /// Apply the pending schema migrations and exit (`--status` lists them instead).
    Migrate(MigrateArgs),
    /// Copy the SQLite database to a new file, consistently, while servers run.
    Backup(BackupArgs),
    /// Replace the SQLite database with a backup (every server must be stopped).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// List every migration as applied, pending or unknown (applied by a newer binary)
    /// and change nothing; exits non-zero when any is pending or unknown.
    #[arg(long)]
    pub status: bool,
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write; an existing file is refused, never overwritten.
    pub file: PathBuf,
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (made by `stratus backup`) to put in the database's place.
    pub file: PathBuf,
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ApiClientArgs {
    #[command(subcommand)]
    pub command: ApiClientCommand,
}

#[derive(Debug, Subcommand)]
pub enum ApiClientCommand {
    /// Create an API client for the provider or a reseller; prints its id and secret once.
    Create {
        /// The account's code.
        #[arg(long)]
        account: String,
        /// What the client is for.
        #[arg(long)]
        name: String,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Debug, Args)]
pub struct BillingArgs {
    #[command(subcommand)]
    pub command: BillingCommand,
}

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Issue the debit invoices of a month that has ended (the same run as Admin → Billing
    /// run); accounts already billed for it are left alone.
    Run {
        /// The month, as YYYY-MM.
        #[arg(long)]
        period: String,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// The public base URL the invoice e-mails link to.
        #[arg(long, env = "STRATUS_BASE_URL", default_value = "http://127.0.0.1:3000")]
        base_url: String,
    },
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    #[command(subcommand)]
    pub command: UsageCommand,
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Import a usage CSV file (the same format as Admin → Usage import); prints the report.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Debug, Args)]
pub struct CatalogueArgs {
    #[command(subcommand)]
    pub command: CatalogueCommand,
}

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Import a price list CSV file (the same format as Admin → Prices → Import a price
    /// list): checked whole, written all or nothing; prints the summary or every refused
    /// row, and exits non-zero on refusal.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Debug, Args)]
pub struct WebpaySimArgs {
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:3200")]
    pub addr: String,
}

#[derive(Debug, Args)]
pub struct DemoIdpArgs {
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:3300")]
    pub addr: String,
    /// A redirect URI both clients accept (exactly), e.g.
    /// http://127.0.0.1:3000/auth/oidc/1/callback; repeat for several.
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AuthCommand {
    /// Turn password sign-in on or off: the way back in when an identity provider fails.
    AllowLocalLogin {
        #[arg(value_parser = ["on", "off"])]
        value: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CreateAdminArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// Name of the provider account, used only when it does not exist yet.
    #[arg(long, default_value = "Stratus")]
    pub provider_name: String,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Database URL: sqlite://path?mode=rwc or postgres://user:pass@host/db
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "STRATUS_ADDR")]
    pub addr: Option<String>,
    /// Public base URL (used for redirects and cookie flags), e.g. https://shop.example.com
    #[arg(long, env = "STRATUS_BASE_URL")]
    pub base_url: Option<String>,
    /// Key that encrypts stored secrets: 32 bytes, base64 encoded.
    #[arg(long, env = "STRATUS_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Optional TOML configuration file.
    #[arg(long, env = "STRATUS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Load the demo data into an empty database.
    #[arg(long, env = "STRATUS_DEMO")]
    pub demo: bool,
    /// Seconds to wait for WebPay's answer before counting it as lost (1–120; default 20).
    #[arg(long, env = "STRATUS_WEBPAY_TIMEOUT_SECONDS")]
    pub webpay_timeout_seconds: Option<u64>,
    /// API calls each API client may make per minute on this instance (default 600).
    #[arg(long, env = "STRATUS_API_REQUESTS_PER_MINUTE")]
    pub api_requests_per_minute: Option<u32>,
    /// SMTP server for e-mail: smtp://host:port, smtp://host:587?tls=required or
    /// smtps://user:pass@host:465. Without one, mail waits in Admin → Outbox.
    #[arg(long, env = "STRATUS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of every e-mail, e.g. "Stratus Cloud <no-reply@example.com>".
    #[arg(long, env = "STRATUS_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// On SIGTERM or Ctrl-C: seconds to let requests in flight finish (1–600; default 30).
    #[arg(long, env = "STRATUS_SHUTDOWN_GRACE_SECONDS")]
    pub shutdown_grace_seconds: Option<u64>,
    /// Seconds between passes of the background jobs (due future actions, renewals,
    /// WebPay verification; 1–3600; default 60).
    #[arg(long, env = "STRATUS_JOBS_EVERY_SECONDS")]
    pub jobs_every_seconds: Option<u64>,
    /// Never migrate at start-up (run `stratus migrate` separately); refuse to start
    /// while migrations are pending.
    #[arg(long, env = "STRATUS_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Serve Prometheus metrics at /metrics on this separate address, e.g. 127.0.0.1:9464
    /// (off when not given; never on the public address).
    #[arg(long, env = "STRATUS_METRICS_ADDR")]
    pub metrics_addr: Option<String>,
    /// Add an `X-Db-Statements` header to every response: how many database statements
    /// the request issued (development and benchmarks; off by default).
    #[arg(long, env = "STRATUS_EXPOSE_QUERY_COUNTS")]
    pub expose_query_counts: bool,
}

/// The optional TOML file. Unknown keys are refused so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    #[serde(default)]
    pub server: FileServer,
    #[serde(default)]
    pub auth: FileAuth,
    /// `[[identity_provider]]` tables, applied at start-up by name.
    #[serde(default)]
    pub identity_provider: Vec<ProviderFields>,
    /// `[[brand]]` tables, applied at start-up to the account they name.
    #[serde(default)]
    pub brand: Vec<BrandFields>,
    /// `[webpay]`: the payment gateway's settings (`test_payments = true` on a staging
    /// install), applied at start-up. Without one, online payment stays off until an admin
    /// configures it (`--demo` sets up its simulator).
    pub webpay: Option<GatewayFields>,
    /// `[smtp]`: `url` and `from` (flags and environment win).
    #[serde(default)]
    pub smtp: FileSmtp,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSmtp {
    pub url: Option<String>,
    pub from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileServer {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub base_url: Option<String>,
    pub secret_key: Option<String>,
    /// Proxies (networks) whose `X-Forwarded-For` is believed, e.g. `["10.0.0.0/8"]`.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAuth {
    /// Failed password attempts before an account is locked (3–25).
    pub max_failed_logins: Option<i32>,
    /// Minutes an account stays locked (1–1440).
    pub lockout_minutes: Option<i32>,
    /// How recent a sign-in must be to connect or set a way in without confirming
    /// again (0–60 minutes; 0 always asks). Default 10.
    pub recent_sign_in_minutes: Option<i32>,
}

/// Where the key that encrypts stored secrets comes from.
#[derive(Debug, Clone)]
pub enum SecretKeySource {
    Given(String),
    /// Read from (or generated into) this file: only for the embedded SQLite default.
    File(PathBuf),
}

/// Resolved settings the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub addr: SocketAddr,
    pub base_url: String,
    pub secret_key: SecretKeySource,
    pub demo: bool,
    /// With `demo`: serve the demo OpenID provider (`/demo-idp/…`) and register its two
    /// identity providers with the demo data. Off when the TOML file declares identity
    /// providers: what the file declares replaces the demo's.
    pub demo_identity: bool,
    /// How long a WebPay call may take before its answer counts as lost.
    pub webpay_timeout: std::time::Duration,
    /// API calls per client and minute (per instance).
    pub api_requests_per_minute: u32,
    pub auth: FileAuth,
    pub identity_providers: Vec<ProviderFields>,
    pub brands: Vec<BrandFields>,
    pub webpay: Option<GatewayFields>,
    /// `[server] trusted_proxies`: only these peers' `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<crate::identity::client_address::Cidr>,
    /// A CSV download whose client reads nothing for this long is cut off (30 s).
    pub export_stall: std::time::Duration,
    /// E-mail: the SMTP server (none: mail waits in the outbox) and the outbox job's pace.
    pub mail: MailSettings,
    /// How long a shutdown waits for requests in flight and the jobs' current pass.
    pub shutdown_grace: std::time::Duration,
    /// The pause between passes of the background jobs.
    pub jobs_every: std::time::Duration,
    /// `--metrics-addr`: where `/metrics` is served (none: nowhere).
    pub metrics_addr: Option<SocketAddr>,
    /// `--expose-query-counts`: each response says how many statements it cost.
    pub expose_query_counts: bool,
}

/// How e-mail leaves.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: Option<crate::mail::smtp::SmtpSettings>,
    /// How often the outbox job looks for due messages (it is also woken by new ones).
    pub poll: std::time::Duration,
    /// The first retry's delay; each further one doubles, up to an hour.
    pub retry_base: std::time::Duration,
    /// How long one SMTP conversation may take (lettre bounds only the connect); well
    /// inside the outbox's two-minute lease, so a stalled server cannot let another
    /// instance send the message too.
    pub send_timeout: std::time::Duration,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp: None,
            poll: std::time::Duration::from_secs(5),
            retry_base: std::time::Duration::from_secs(30),
            send_timeout: std::time::Duration::from_secs(60),
        }
    }
}

/// The sender when none is configured: `Stratus <no-reply@host of the base URL>`, or
/// `no-reply@localhost` when that host is an address.
fn default_from(base_host: &str) -> String {
    let domain = if base_host.contains('.') && base_host.bytes().any(|b| b.is_ascii_alphabetic()) {
        base_host
    } else {
        "localhost"
    };
    format!("Stratus <no-reply@{domain}>")
}

impl Settings {
    /// The host of the base URL (lower-case, no port): no brand may claim it as a custom host.
    pub(crate) fn base_host(&self) -> String {
        let authority = self.base_url.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("");
        crate::branding::host_name(authority)
    }

    /// True when cookies must carry the Secure flag.
    pub(crate) fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Resolves flags/env (already merged by clap) with the TOML file and defaults.
    pub fn resolve(args: ServeArgs) -> Result<Settings, AppError> {
        let file = match &args.config {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        let database_url =
            args.database_url.or(file.server.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let addr_text = args.addr.or(file.server.addr).unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_text
            .parse()
            .map_err(|_| AppError::Config(format!("--addr: `{addr_text}` is not an address like 127.0.0.1:3000")))?;
        let base_url = match args.base_url.or(file.server.base_url) {
            Some(url) => validate_base_url(&url)?,
            None => format!("http://{addr}"),
        };
        let secret_key = match args.secret_key.or(file.server.secret_key) {
            Some(key) => SecretKeySource::Given(key),
            None if is_postgres_url(&database_url) => {
                return Err(AppError::Config(
                    "--secret-key (STRATUS_SECRET_KEY) is required with PostgreSQL: 32 random bytes, base64".into(),
                ))
            }
            None => SecretKeySource::File(sqlite_data_dir(&database_url).join("secret.key")),
        };
        if let Some(n) = file.auth.max_failed_logins {
            if !(3..=25).contains(&n) {
                return Err(AppError::Config(format!("[auth] max_failed_logins must be 3 to 25, not {n}")));
            }
        }
        if let Some(n) = file.auth.recent_sign_in_minutes {
            if !(0..=60).contains(&n) {
                return Err(AppError::Config(format!("[auth] recent_sign_in_minutes must be 0 to 60, not {n}")));
            }
        }
        if let Some(n) = file.auth.lockout_minutes {
            if !(1..=1440).contains(&n) {
                return Err(AppError::Config(format!("[auth] lockout_minutes must be 1 to 1440, not {n}")));
            }
        }
        let webpay_timeout = args.webpay_timeout_seconds.unwrap_or(20);
        if !(1..=120).contains(&webpay_timeout) {
            return Err(AppError::Config(format!("--webpay-timeout-seconds must be 1 to 120, not {webpay_timeout}")));
        }
        let api_requests_per_minute = args.api_requests_per_minute.unwrap_or(600);
        if !(1..=1_000_000).contains(&api_requests_per_minute) {
            return Err(AppError::Config(format!(
                "--api-requests-per-minute must be 1 to 1000000, not {api_requests_per_minute}"
            )));
        }
        let shutdown_grace = in_range("--shutdown-grace-seconds", args.shutdown_grace_seconds, 30, 1..=600)?;
        let jobs_every = in_range("--jobs-every-seconds", args.jobs_every_seconds, 60, 1..=3600)?;
        let trusted_proxies = file
            .server
            .trusted_proxies
            .iter()
            .map(|text| crate::identity::client_address::Cidr::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Config(format!("[server] trusted_proxies: {e}")))?;
        let demo_identity = args.demo && file.identity_provider.is_empty();
        let metrics_addr = args.metrics_addr.as_deref().map(|text| parse_metrics_addr(text, addr)).transpose()?;
        let smtp = match args.smtp_url.or(file.smtp.url) {
            Some(url) => {
                let host = crate::branding::host_name(
                    base_url.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or(""),
                );
                let from = args.smtp_from.or(file.smtp.from).unwrap_or_else(|| default_from(&host));
                let smtp = crate::mail::smtp::SmtpSettings { url, from };
                smtp.check().map_err(AppError::Config)?;
                Some(smtp)
            }
            None => None,
        };
        Ok(Settings {
            mail: MailSettings { smtp, ..MailSettings::default() },
            trusted_proxies,
            export_stall: std::time::Duration::from_secs(30),
            database_url,
            addr,
            base_url,
            secret_key,
            demo: args.demo,
            demo_identity,
            webpay_timeout: std::time::Duration::from_secs(webpay_timeout),
            api_requests_per_minute,
            auth: file.auth,
            identity_providers: file.identity_provider,
            brands: file.brand,
            webpay: file.webpay,
            shutdown_grace: std::time::Duration::from_secs(shutdown_grace),
            jobs_every: std::time::Duration::from_secs(jobs_every),
            metrics_addr,
            expose_query_counts: args.expose_query_counts,
        })
    }
}

/// A number of seconds given by `flag`, or its default; refused outside `range`.
fn in_range(flag: &str, given: Option<u64>, default: u64, range: std::ops::RangeInclusive<u64>) -> AppResult<u64> {
    let value = given.unwrap_or(default);
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(AppError::Config(format!("{flag} must be {} to {}, not {value}", range.start(), range.end())))
    }
}

/// `--metrics-addr`: an address, and not the public one.
fn parse_metrics_addr(text: &str, public: SocketAddr) -> Result<SocketAddr, AppError> {
    let addr: SocketAddr = text
        .parse()
        .map_err(|_| AppError::Config(format!("--metrics-addr: `{text}` is not an address like 127.0.0.1:9464")))?;
    if addr == public && addr.port() != 0 {
        return Err(AppError::Config(format!(
            "--metrics-addr {addr} is the address pages are served on; metrics need one of their own"
        )));
    }
    Ok(addr)
}

pub(crate) fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn load_file(path: &Path) -> Result<FileConfig, AppError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AppError::Config(format!("cannot read {}: {e}", path.display())))?;
    parse_file(&text).map_err(|e| AppError::Config(format!("{}: {e}", path.display())))
}

/// Parses the TOML configuration; the error names the line and the key.
pub(crate) fn parse_file(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// Checks a public base URL (for `serve` and for the CLI's `billing run` links).
pub fn validate_base_url(url: &str) -> Result<String, AppError> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| AppError::Config(format!("--base-url `{url}` must start with http:// or https://")))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err(AppError::Config(format!(
            "--base-url `{url}` must be a scheme and host only, like https://shop.example.com"
        )));
    }
    Ok(trimmed.to_string())
}

/// The folder holding an SQLite database file (`data/` for the default URL).
pub(crate) fn sqlite_data_dir(database_url: &str) -> PathBuf {
    let path =
        database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:").split('?').next().unwrap_or("");
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stratus.toml");
        std::fs::write(&path, "[server]\naddr = \"127.0.0.1:4000\"\nbase_url = \"https://file.example\"\n").unwrap();
        let args =
            ServeArgs { base_url: Some("https://flag.example/".into()), config: Some(path), ..Default::default() };
        let settings = Settings::resolve(args).unwrap();
        assert_eq!(settings.base_url, "https://flag.example");
        assert_eq!(settings.addr.to_string(), "127.0.0.1:4000");
        assert_eq!(settings.database_url, DEFAULT_DATABASE_URL);
        assert!(settings.secure_cookies());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_their_name() {
        let err = parse_file("[server]\nport = 3\n").unwrap_err();
        assert!(err.contains("port"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[auth]\nmax_failed_logins = 2\n").unwrap();
        let err = Settings::resolve(ServeArgs { config: Some(path), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("max_failed_logins"));
    }

    #[test]
    fn brands_are_read_from_the_file() {
        let file = parse_file(
            "[[brand]]\naccount = \"ANDES\"\ncompany_name = \"Andes IT\"\nprimary_color = \"#0b6e4f\"\naccent_color = \"#c8553d\"\nhosts = [\"shop.andes.example\"]\nbranding_enabled = true\n",
        )
        .unwrap();
        assert_eq!(file.brand.len(), 1);
        assert_eq!(file.brand[0].hosts.as_deref(), Some(&["shop.andes.example".to_string()][..]));
        assert_eq!(file.brand[0].branding_enabled, Some(true));
        let err = parse_file("[[brand]]\naccount = \"A\"\ncompany_name = \"A\"\nprimary_color = \"#000000\"\naccent_color = \"#000000\"\ncolour = \"x\"\n").unwrap_err();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn the_base_host_has_no_scheme_port_or_path() {
        let settings = Settings::resolve(ServeArgs {
            base_url: Some("https://Shop.Example.com:8443/".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(settings.base_host(), "shop.example.com");
    }

    #[test]
    fn identity_providers_are_read_from_the_file() {
        let file = parse_file(
            "[[identity_provider]]\nname = \"Contoso Entra\"\nkind = \"azure_ad\"\nissuer = \"https://login.microsoftonline.com/organizations/v2.0\"\nclient_id = \"abc\"\nclient_secret = \"s\"\ntenants = [\"72f988bf-86f1-41af-91ab-2d7cd011db47\"]\nactive = true\n",
        )
        .unwrap();
        assert_eq!(file.identity_provider.len(), 1);
        assert_eq!(file.identity_provider[0].tenants.len(), 1);
        assert!(file.identity_provider[0].visible, "visible by default");
        let err =
            parse_file("[[identity_provider]]\nname = \"x\"\nkind = \"oidc\"\nclient_id = \"a\"\nsecret = \"typo\"\n")
                .unwrap_err();
        assert!(err.contains("secret"), "{err}");
    }

    #[test]
    fn the_demo_identity_provider_comes_with_demo_unless_the_file_declares_providers() {
        assert!(Settings::resolve(ServeArgs { demo: true, ..Default::default() }).unwrap().demo_identity);
        assert!(!Settings::resolve(ServeArgs::default()).unwrap().demo_identity);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[[identity_provider]]\nname = \"A\"\nkind = \"oidc\"\nissuer = \"https://idp.example\"\nclient_id = \"a\"\nclient_secret = \"s\"\n",
        )
        .unwrap();
        let declared = Settings::resolve(ServeArgs { demo: true, config: Some(path), ..Default::default() }).unwrap();
        assert!(!declared.demo_identity, "declared providers replace the demo's");
    }

    #[test]
    fn metrics_are_off_unless_given_their_own_address() {
        assert_eq!(Settings::resolve(ServeArgs::default()).unwrap().metrics_addr, None);
        let given = ServeArgs { metrics_addr: Some("127.0.0.1:9464".into()), ..Default::default() };
        assert_eq!(Settings::resolve(given).unwrap().metrics_addr, Some("127.0.0.1:9464".parse().unwrap()));
        let same = ServeArgs {
            addr: Some("127.0.0.1:3000".into()),
            metrics_addr: Some("127.0.0.1:3000".into()),
            ..Default::default()
        };
        assert!(Settings::resolve(same).unwrap_err().to_string().contains("--metrics-addr"));
        let bad = ServeArgs { metrics_addr: Some("9464".into()), ..Default::default() };
        assert!(Settings::resolve(bad).unwrap_err().to_string().contains("--metrics-addr"));
    }

    #[test]
    fn every_command_takes_the_log_format() {
        let cli = Cli::try_parse_from(["stratus", "serve", "--log-format", "json"]).unwrap();
        assert_eq!(cli.log_format, LogFormat::Json);
        let cli = Cli::try_parse_from(["stratus", "--log-format", "json", "billing", "run", "--period", "2026-01"]);
        assert_eq!(cli.unwrap().log_format, LogFormat::Json);
        assert_eq!(Cli::try_parse_from(["stratus"]).unwrap().log_format, LogFormat::Text);
        assert!(Cli::try_parse_from(["stratus", "--log-format", "xml"]).is_err());
    }

    #[test]
    fn postgres_needs_a_secret_key() {
        let args = ServeArgs { database_url: Some("postgres://x@localhost/db".into()), ..Default::default() };
        assert!(Settings::resolve(args).is_err());
    }

    #[test]
    fn sqlite_key_file_sits_beside_the_database() {
        assert_eq!(sqlite_data_dir(DEFAULT_DATABASE_URL), PathBuf::from("data"));
        assert_eq!(sqlite_data_dir("sqlite:///tmp/x/s.db?mode=rwc"), PathBuf::from("/tmp/x"));
    }
}
