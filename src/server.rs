//! Builds the axum Router from AppState, with its layers, and runs it.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::{sqlite_data_dir, Settings};
use crate::error::{AppError, AppResult};
use crate::identity::demo_provider::DemoProvider;
use crate::identity::rate_limit::RateLimiter;
use crate::identity::session::DbSessionStore;
use crate::payments::webpay::{self, client::WebpayClient, simulator::Simulator};
pub use crate::routing::RouteKind;
use crate::routing::RouteProps;
use crate::secrets::SecretBox;
pub use crate::state::AppState;
use crate::ui::pages::{
    account, accounts, admin, admin_attention, admin_billing, admin_catalogue, admin_identity, admin_jobs,
    admin_outbox, admin_payments, admin_resellers, admin_usage, api_clients, audit_log, brands, cart, customers,
    errors, home, invitations, invoice, login, members, oidc, order, passkeys, password_reset, preferences, prices,
    product, reports, reseller, second_factor, signup, subscription,
};
use crate::ui::{assets, context};
use crate::{branding, demo, identity, jobs, observability, operations};

/// Largest request body accepted anywhere.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;
pub(crate) const SESSION_COOKIE: &str = "stratus_session";

/// A prepared server: database migrated, demo data loaded if asked, ready to route.
pub struct App {
    pub state: AppState,
    pub session_store: DbSessionStore,
    /// `--demo`: the demo OpenID provider the demo's identity providers sign in with.
    demo_provider: Option<DemoProvider>,
}

/// How long opening a database connection, waiting for a free one, and one statement
/// (PostgreSQL) may take: past them a request answers 503, it never hangs.
pub(crate) const CONNECT_WITHIN: Duration = Duration::from_secs(5);
pub(crate) const ACQUIRE_WITHIN: Duration = Duration::from_secs(5);
pub(crate) const STATEMENT_WITHIN: Duration = Duration::from_secs(30);

pub async fn connect(database_url: &str) -> AppResult<DatabaseConnection> {
    open(database_url, StatementLimits::Requests).await
}

/// Whether a connection's statements are bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatementLimits {
    /// Requests and jobs: a stuck query ends as an error (a 503 to retry), never a request
    /// that hangs; a transaction left idle is ended by the server.
    Requests,
    /// Migrations: an index build or a backfill may take minutes, and the advisory lock
    /// is held by a transaction that waits while the migrations run.
    None,
}

async fn open(database_url: &str, limits: StatementLimits) -> AppResult<DatabaseConnection> {
    let is_sqlite = database_url.starts_with("sqlite:");
    if is_sqlite {
        let dir = sqlite_data_dir(database_url);
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(database_url.to_string());
    options
        .max_connections(match limits {
            StatementLimits::None => 2,
            StatementLimits::Requests => pool_size(is_sqlite)?,
        })
        .min_connections(1)
        .connect_timeout(CONNECT_WITHIN)
        .acquire_timeout(ACQUIRE_WITHIN)
        // A ping before every statement's connection is a round trip to its worker thread
        // (SQLite) that cannot find anything wrong with a file; PostgreSQL keeps it, so a
        // connection the server dropped during an outage is replaced, not used.
        .test_before_acquire(!is_sqlite)
        .sqlx_logging(false);
    if limits == StatementLimits::Requests {
        options.map_sqlx_postgres_opts(|options| {
            options.options([
                ("statement_timeout", format!("{}", STATEMENT_WITHIN.as_millis())),
                ("idle_in_transaction_session_timeout", "60000".to_string()),
            ])
        });
    }
    let mut db = Database::connect(options).await?;
    observability::query_count::watch(&mut db);
    if is_sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
    }
    Ok(db)
}

/// Connections per pool: `STRATUS_DB_POOL_SIZE`, else the default for the database
/// (`bench/load` measured them; see the README's Performance section).
fn pool_size(is_sqlite: bool) -> AppResult<u32> {
    let default = if is_sqlite { SQLITE_POOL_SIZE } else { POSTGRES_POOL_SIZE };
    match std::env::var("STRATUS_DB_POOL_SIZE") {
        Err(_) => Ok(default),
        Ok(text) => match text.trim().parse::<u32>() {
            Ok(size) if (MIN_POOL_SIZE..=500).contains(&size) => Ok(size),
            _ => Err(AppError::Config(format!(
                "STRATUS_DB_POOL_SIZE must be a number from {MIN_POOL_SIZE} to 500, not {text:?}"
            ))),
        },
    }
}

pub(crate) const SQLITE_POOL_SIZE: u32 = 8;
/// The CSV exports that may stream at once hold a connection each; pages need two more.
const MIN_POOL_SIZE: u32 = crate::billing::report_query::EXPORTS_AT_ONCE as u32 + 2;
pub(crate) const POSTGRES_POOL_SIZE: u32 = 20;

/// Connects for `stratus migrate`: statements without a time limit (see [`StatementLimits`]).
pub async fn connect_for_migrations(database_url: &str) -> AppResult<DatabaseConnection> {
    open(database_url, StatementLimits::None).await
}

/// Connects and brings the schema up to date (refusing a schema newer than this binary).
/// The migrations run on connections of their own, free of the statement limits.
pub async fn connect_and_migrate(database_url: &str) -> AppResult<DatabaseConnection> {
    let migrator = connect_for_migrations(database_url).await?;
    let migrated = operations::migrations::migrate(&migrator).await;
    migrator.close().await.ok();
    migrated?;
    connect(database_url).await
}

/// Connects without migrating (`serve --no-migrate`): the schema must be this binary's.
async fn connect_without_migrating(database_url: &str) -> AppResult<DatabaseConnection> {
    let db = connect(database_url).await?;
    operations::migrations::require_current(&db).await?;
    Ok(db)
}

/// What `serve` does with the schema at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaAtStart {
    /// Apply pending migrations (the default).
    Migrate,
    /// `--no-migrate`: never migrate; refuse a schema that is not already this binary's.
    MustBeCurrent,
}

/// Prepares a server that migrates at start-up.
pub async fn prepare(settings: Settings) -> AppResult<App> {
    prepare_with(settings, SchemaAtStart::Migrate).await
}

pub async fn prepare_with(settings: Settings, schema: SchemaAtStart) -> AppResult<App> {
    observability::metrics::install();
    let secrets = SecretBox::load(&settings.secret_key)?;
    let db = match schema {
        SchemaAtStart::Migrate => connect_and_migrate(&settings.database_url).await?,
        SchemaAtStart::MustBeCurrent => connect_without_migrating(&settings.database_url).await?,
    };
    let session_store = DbSessionStore::on(&db).await?;
    // The TOML file's [auth] values win over what is stored (applied at every start-up).
    let current = identity::settings::load(&db).await?;
    let max = settings.auth.max_failed_logins.unwrap_or(current.max_failed_logins);
    let minutes = settings.auth.lockout_minutes.unwrap_or(current.lockout_minutes);
    let by = crate::audit::AuditActor::system("configuration file", None);
    identity::settings::save_lockout(&db, &by, max, minutes).await?;
    if settings.demo {
        let identity =
            settings.demo_identity.then(|| demo::DemoIdentity { secrets: &secrets, base_url: &settings.base_url });
        demo::load_once_with(&db, identity).await?;
    }
    // What the TOML file declares wins over the demo data's defaults.
    for declared in &settings.identity_providers {
        identity::providers::apply_declared(&db, &identity::discovery::http_client(), &secrets, declared).await?;
    }
    let own_host = settings.base_host();
    for declared in &settings.brands {
        branding::store::apply_declared(&db, declared, &own_host).await?;
    }
    if let Some(declared) = &settings.webpay {
        let current = webpay::gateway::load(&db, &secrets, None).await?;
        let checked = webpay::gateway::check(declared, &current)
            .map_err(|errors| AppError::Config(format!("[webpay]: {}", errors.join(" "))))?;
        let from_the_file = crate::audit::AuditActor::system("configuration file", None);
        webpay::gateway::save(&db, &from_the_file, &secrets, &current, &checked).await?;
    }
    let demo_provider = match settings.demo && settings.demo_identity {
        true => Some(DemoProvider::for_server(&db, &settings.base_url).await?),
        false => None,
    };
    let webpay_http = WebpayClient::http_client(settings.webpay_timeout)
        .map_err(|e| AppError::Config(format!("WebPay client: {e}")))?;
    let api_requests_per_minute = settings.api_requests_per_minute;
    let mail_sender = match &settings.mail.smtp {
        Some(smtp) => {
            Some(crate::mail::smtp::SmtpSender::new(smtp, Duration::from_secs(30)).map_err(AppError::Config)?)
        }
        None => None,
    };
    let state = AppState {
        mail_sender,
        mail_wake: Arc::default(),
        last_known_brands: Arc::default(),
        config_cache: Arc::default(),
        tasks: Arc::default(),
        db: db.clone(),
        settings: Arc::new(settings),
        secrets: Arc::new(secrets),
        sign_in_limiter: Arc::new(RateLimiter::new(30, Duration::from_secs(60)).counted_in(&db, "sign-in")),
        api_limiter: Arc::new(
            RateLimiter::new(api_requests_per_minute, Duration::from_secs(60)).counted_in(&db, "api-client"),
        ),
        exports: Arc::new(crate::billing::report_query::ExportSlots::default()),
        oidc_cache: Arc::new(identity::discovery::ProviderCache::new(identity::discovery::http_client())),
        flow_limiter: Arc::new(RateLimiter::new(20, Duration::from_secs(60)).counted_in(&db, "sign-in-flow")),
        unmatched_returns: Arc::default(),
        webpay_http,
    };
    Ok(App { state, session_store, demo_provider })
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::Internal("a request handler panicked".into()).into_response()
}

impl App {
    /// Starts the outbox job alone (the tests' servers run no other job); it runs until
    /// the process ends.
    pub fn start_outbox(&self) {
        jobs::spawn_outbox(&self.state, &jobs::never_told_to_stop());
    }

    /// Starts the background-job runner alone (billing runs and imports started from the
    /// admin pages).
    pub fn start_tasks(&self) {
        crate::tasks::spawn(&self.state, &jobs::never_told_to_stop());
    }

    pub fn router(&self) -> Router {
        let state = self.state.clone();
        let sessions = SessionManagerLayer::new(self.session_store.clone())
            .with_name(SESSION_COOKIE)
            .with_secure(state.settings.secure_cookies())
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_expiry(Expiry::OnInactivity(CookieDuration::hours(identity::session::IDLE_HOURS)));
        let static_headers = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
            .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            ));
        let Routes { router, table } = routes();
        let table: Arc<HashMap<&'static str, RouteProps>> = Arc::new(table.into_iter().collect());
        let router = router.fallback(errors::not_found).layer(
            ServiceBuilder::new()
                .layer(from_fn(observability::request_id::assign))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(observability::request_id::span_for::<axum::body::Body>)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(from_fn(observability::metrics::track_requests))
                .layer(from_fn_with_state(
                    observability::query_count::Expose(state.settings.expose_query_counts),
                    observability::query_count::count,
                ))
                .layer(from_fn_with_state(state.db.clone(), crate::outage::guard))
                .layer(from_fn_with_state(table, mark_route))
                .layer(CompressionLayer::new())
                .layer(static_headers)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                .layer(sessions)
                .layer(from_fn_with_state(state.clone(), context::layer))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(from_fn_with_state(
                    identity::csrf::GuardKeys {
                        secrets: state.secrets.clone(),
                        secure: state.settings.secure_cookies(),
                    },
                    identity::csrf::guard,
                )),
        );
        // The demo's stand-ins for Transbank and an identity provider are other sites:
        // merged after Stratus's layers (no session, brand or CSRF token).
        let router = match state.settings.demo {
            true => {
                let simulator = Simulator::new(webpay::Credentials::integration(), &state.settings.base_url);
                router.merge(simulator.router())
            }
            false => router,
        };
        match &self.demo_provider {
            Some(provider) => router.merge(provider.router()).with_state(state),
            None => router.with_state(state),
        }
    }
}

/// The router and, alongside, the table of what was registered with its properties.
struct Routes {
    router: Router<AppState>,
    table: Vec<(&'static str, RouteProps)>,
}

impl Routes {
    fn new() -> Routes {
        Routes { router: Router::new(), table: Vec::new() }
    }

    fn add(mut self, props: RouteProps, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.table.push((path, props));
        self.router = self.router.route(path, handler);
        self
    }

    fn page(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add(RouteProps { kind: RouteKind::Page, cross_site: false }, path, handler)
    }

    /// A page a third party sends the browser to cross-site (see [`RouteProps::cross_site`]).
    fn cross_site_page(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add(RouteProps { kind: RouteKind::Page, cross_site: true }, path, handler)
    }

    fn action(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add(RouteProps { kind: RouteKind::Action, cross_site: false }, path, handler)
    }

    fn asset(self, path: &'static str, handler: MethodRouter<AppState>) -> Routes {
        self.add(RouteProps { kind: RouteKind::Asset, cross_site: false }, path, handler)
    }
}

/// Marks each request with its route's properties (looked up by the matched path), for
/// the page context and the CSRF guard.
async fn mark_route(
    State(table): State<Arc<HashMap<&'static str, RouteProps>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let props = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|matched| table.get(matched.as_str()).copied())
        .unwrap_or(RouteProps::UNMATCHED);
    request.extensions_mut().insert(props);
    next.run(request).await
}

/// Every route of the application.
fn routes() -> Routes {
    Routes::new()
        .page("/", get(home::show))
        .page("/products/{code}", get(product::show))
        .page("/cart", get(cart::show))
        .action("/cart/items", post(cart::add))
        .action("/cart/items/{id}/quantity", post(cart::set_quantity))
        .action("/cart/items/{id}/remove", post(cart::remove))
        .action("/orders", post(order::place))
        .page("/orders/{number}", get(order::show))
        .action("/orders/{number}/items/{id}/remove", post(order::remove_item))
        .action("/orders/{number}/pay", post(order::pay))
        .action("/orders/{number}/refund", post(order::refund))
        .action("/orders/{number}/refunds/verify", post(order::verify_refunds))
        .cross_site_page("/checkout/webpay/return", get(order::webpay_return_get).post(order::webpay_return_post))
        .page("/login", get(login::show).post(login::submit))
        .page("/login/second-factor", get(second_factor::code_form).post(second_factor::submit_code))
        .page("/sign-up", get(signup::show).post(signup::submit))
        .action("/account/verify-email", post(signup::resend_verification))
        .page("/password-reset", get(password_reset::ask_form).post(password_reset::ask))
        .page("/password-reset/{token}", get(password_reset::choose_form).post(password_reset::choose))
        .page("/verify-email/{token}", get(password_reset::verify_email))
        .page("/invitation/{token}", get(members::accept_form).post(members::accept))
        .page("/logout", get(login::confirm_logout).post(login::logout))
        .page("/account", get(account::show))
        .page("/account/preferences", get(preferences::show).post(preferences::submit))
        .action("/language", post(preferences::switch))
        .action("/account/profile", post(account::save_profile))
        .action("/account/password", post(account::change_password))
        .page("/account/reauth", get(oidc::reauth_form).post(oidc::reauth))
        .action("/account/sessions/sign-out-others", post(account::sign_out_other_sessions))
        .action("/account/connect-notice/{provider_id}/dismiss", post(invitations::dismiss))
        .action("/invitations/{provider_id}", post(invitations::invite))
        .action("/account/sessions/{id}/sign-out", post(account::sign_out_session))
        .page("/account/login-options/local", get(oidc::set_password_form).post(oidc::set_password))
        .page("/account/login-options/authenticator", get(second_factor::set_up_form).post(second_factor::confirm))
        .action("/account/login-options/authenticator/connect", post(second_factor::connect))
        .action("/account/login-options/authenticator/disconnect", post(second_factor::disconnect))
        .action("/account/login-options/authenticator/recovery-codes", post(second_factor::renew_recovery_codes))
        .action("/account/login-options/local/connect", post(oidc::connect_local))
        .action("/account/login-options/local/disconnect", post(oidc::disconnect_local))
        .action("/account/login-options/{id}/connect", post(oidc::connect))
        .action("/account/login-options/{id}/disconnect", post(oidc::disconnect))
        .action("/account/passkeys/options", post(passkeys::registration_options))
        .action("/account/passkeys", post(passkeys::register))
        .action("/account/passkeys/confirm", post(passkeys::confirm))
        .action("/account/passkeys/{id}/remove", post(passkeys::remove))
        .action("/auth/passkey/options", post(passkeys::sign_in_options))
        .action("/auth/passkey", post(passkeys::sign_in))
        .page("/auth/oidc/{id}/login", get(oidc::start_login))
        .page("/auth/oidc/{id}/continue", get(oidc::continue_form).post(oidc::continue_flow))
        .cross_site_page("/auth/oidc/{id}/callback", get(oidc::callback))
        .page("/accounts/{code}", get(accounts::show))
        .action("/accounts/{code}/discounts", post(accounts::add_discount))
        .action("/accounts/{code}/discounts/{id}/remove", post(accounts::remove_discount))
        .page("/accounts/{code}/users", get(members::show).post(members::invite))
        .action("/accounts/{code}/users/{id}", post(members::change))
        .page("/subscriptions/{id}", get(subscription::show))
        .page("/invoices/{number}", get(invoice::show))
        .action("/subscriptions/{id}/future-actions", post(subscription::schedule))
        .action("/subscriptions/{id}/quantity", post(subscription::set_quantity))
        .action("/subscriptions/{id}/cancel", post(subscription::cancel))
        .action("/subscriptions/{id}/suspension", post(subscription::set_suspension))
        .action("/subscriptions/{id}/ramp-up", post(subscription::extend_ramp_up))
        .action("/future-actions/{id}/revoke", post(subscription::revoke))
        .page("/reseller", get(reseller::customers))
        .page("/reseller/prices", get(prices::reseller_list).post(prices::reseller_save))
        .page("/reseller/customers/new", get(customers::new_form).post(customers::create))
        .page("/reseller/customers/{code}", get(customers::edit_form).post(customers::update))
        .action("/reseller/customers/{code}/status", post(customers::set_status))
        .action("/reseller/customers/{code}/approve", post(customers::approve))
        .action("/reseller/customers/{code}/reject", post(customers::reject))
        .page("/admin", get(admin::accounts))
        .page("/admin/users", get(admin::users))
        .page("/admin/resellers", get(admin_resellers::list))
        .page("/admin/resellers/new", get(admin_resellers::new_form).post(admin_resellers::create))
        .page("/admin/resellers/{code}", get(admin_resellers::edit_form).post(admin_resellers::update))
        .action("/admin/resellers/{code}/status", post(admin_resellers::set_status))
        .action("/admin/users/{id}/unlock", post(admin::unlock_user))
        .page("/admin/users/{id}/reset-second-factors", get(second_factor::reset_form).post(second_factor::reset))
        .page("/admin/security", get(admin::security).post(admin::save_security))
        .page("/admin/identity-providers", get(admin_identity::list).post(admin_identity::create))
        .page("/admin/identity-providers/new", get(admin_identity::new_form))
        .page("/admin/identity-providers/{id}", get(admin_identity::edit_form).post(admin_identity::update))
        .action("/admin/identity-providers/{id}/activate", post(admin_identity::activate))
        .action("/admin/identity-providers/{id}/logo", post(admin_identity::upload_logo))
        .action("/admin/identity-providers/{id}/deactivate", post(admin_identity::deactivate))
        .page("/admin/security-events", get(admin::security_events))
        .page("/admin/authentication", get(admin_identity::authentication).post(admin_identity::save_authentication))
        .action("/admin/authentication/sign-up", post(admin_identity::save_sign_up))
        .action("/admin/authentication/second-factor", post(admin_identity::save_second_factor))
        .page("/admin/prices", get(prices::provider_list).post(prices::provider_save))
        .action(
            "/admin/prices/import",
            post(prices::import).layer(DefaultBodyLimit::max(crate::catalog::price_import::MAX_BYTES + 64 * 1024)),
        )
        .page("/admin/prices/{code}", get(prices::history))
        .page("/admin/audit", get(audit_log::for_provider))
        .page("/reseller/audit", get(audit_log::for_seller))
        .page("/admin/payments", get(admin_payments::settings).post(admin_payments::save_settings))
        .action("/admin/payments/test", post(admin_payments::test_connection))
        .page("/admin/payments/transactions", get(admin_payments::transactions))
        .page("/admin/catalogue", get(admin_catalogue::list))
        .page("/admin/catalogue/new", get(admin_catalogue::new_form).post(admin_catalogue::create))
        .page("/admin/catalogue/{code}", get(admin_catalogue::edit_form).post(admin_catalogue::update))
        .action("/admin/catalogue/{code}/status", post(admin_catalogue::set_status))
        .page("/admin/attention", get(admin_attention::list))
        .action("/admin/attention/orders/{number}/retry", post(admin_attention::retry))
        .action("/admin/attention/transactions/{id}/refund", post(admin_attention::refund))
        .action("/admin/attention/transactions/{id}/checked", post(admin_attention::checked))
        .action("/admin/attention/refunds/{id}/resolve", post(admin_attention::resolve_refund))
        .page("/admin/usage", get(admin_usage::form).post(admin_usage::import))
        .page("/admin/billing", get(admin_billing::form).post(admin_billing::run_billing))
        .page("/admin/outbox", get(admin_outbox::list))
        .page("/admin/outbox/{id}", get(admin_outbox::show))
        .page("/admin/outbox/{id}/html", get(admin_outbox::html))
        .action("/admin/outbox/{id}/retry", post(admin_outbox::retry))
        .action("/admin/billing/vat", post(admin_billing::set_vat))
        .page("/admin/jobs", get(admin_jobs::list))
        .page("/admin/jobs/{id}", get(admin_jobs::show))
        .page("/api-clients", get(api_clients::list).post(api_clients::create))
        .action("/api-clients/{id}/revoke", post(api_clients::revoke))
        .action("/api-clients/password-grant", post(api_clients::set_password_grant))
        .asset("/oauth/token", post(crate::api::token::token))
        .asset("/api/openapi.json", get(crate::api::openapi::serve))
        .asset("/api/futureactions", get(crate::api::future_actions::list))
        .asset("/api/futureactions/{id}", get(crate::api::future_actions::show))
        .page("/reports", get(reports::show))
        .page("/reports/export.csv", get(reports::export_csv))
        .action("/reports/saved", post(reports::save))
        .action("/reports/saved/{id}/delete", post(reports::delete))
        .page("/admin/brands", get(brands::list))
        .action("/admin/accounts/{code}/branding", post(brands::set_branding))
        .page("/brands/{code}", get(brands::edit_form).post(brands::save))
        .action("/brands/{code}/{image}", post(brands::upload_image))
        .action("/brands/{code}/{image}/remove", post(brands::remove_image))
        .asset("/brand-assets/{brand_id}/{image}", get(brands::serve_image))
        .asset("/static/{*file}", get(assets::serve))
        .asset("/healthz", get(healthz))
        .asset("/readyz", get(readyz))
}

/// Every registered route with its kind, in registration order.
pub fn route_table() -> Vec<(&'static str, RouteKind)> {
    routes().table.into_iter().map(|(path, props)| (path, props.kind)).collect()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Runs the server until SIGTERM or Ctrl-C, then shuts down gracefully: it stops
/// accepting connections, lets the requests in flight finish and the jobs end their
/// current pass, within the grace period (`--shutdown-grace-seconds`), and returns.
pub async fn run(settings: Settings, schema: SchemaAtStart) -> AppResult<()> {
    let addr = settings.addr;
    let base_url = settings.base_url.clone();
    let grace = settings.shutdown_grace;
    // Held until the server stops: `stratus restore` refuses while any server holds it.
    let _database_lock = operations::database_lock::hold_shared(&settings.database_url)?;
    let app = prepare_with(settings, schema).await?;
    let (stop_jobs, jobs_told) = tokio::sync::watch::channel(false);
    let jobs = jobs::spawn(&app.state, &app.session_store, &jobs_told);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::Config(format!("cannot listen on {addr}: {e}")))?;
    if let Some(metrics_addr) = app.state.settings.metrics_addr {
        let bound = observability::serve_metrics(metrics_addr, app.state.db.clone()).await?;
        tracing::info!(%bound, "metrics on http://{bound}/metrics");
    }
    tracing::info!(%addr, "Stratus is serving on {base_url}");
    if !observability::logging::is_json() {
        println!("Stratus is serving on {base_url}");
    }
    let (signalled, mut signal) = tokio::sync::watch::channel(None::<tokio::time::Instant>);
    let server = axum::serve(listener, app.router().into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = signalled.send(Some(tokio::time::Instant::now()));
        });
    let grace_ends = async {
        let signalled_at = match signal.wait_for(Option::is_some).await {
            Ok(at) => at.unwrap_or_else(tokio::time::Instant::now),
            Err(_) => return std::future::pending().await,
        };
        tokio::time::sleep_until(signalled_at + grace).await;
    };
    let served = tokio::select! {
        served = server.into_future() => served.map_err(|e| AppError::Internal(format!("server error: {e}"))),
        () = grace_ends => {
            tracing::warn!(grace_seconds = grace.as_secs(), "requests still in flight when the grace period ended");
            Ok(())
        }
    };
    // The jobs end their pass within what is left of the grace period.
    let _ = stop_jobs.send(true);
    let deadline = signal.borrow().unwrap_or_else(tokio::time::Instant::now) + grace;
    if tokio::time::timeout_at(deadline, futures_util::future::join_all(jobs)).await.is_err() {
        tracing::warn!("background jobs still running when the grace period ended");
    }
    tracing::info!("stopped");
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_assets_and_the_third_parties_pages_skip_the_form_check() {
        let table = routes().table;
        let exempt: Vec<&str> = table.iter().filter(|(_, p)| p.csrf_exempt()).map(|(path, _)| *path).collect();
        let cross_site: Vec<&str> = table.iter().filter(|(_, p)| p.cross_site).map(|(path, _)| *path).collect();
        assert_eq!(cross_site, ["/checkout/webpay/return", "/auth/oidc/{id}/callback"]);
        for (path, props) in &table {
            let expected = props.kind == RouteKind::Asset || cross_site.contains(path);
            assert_eq!(exempt.contains(path), expected, "{path}");
        }
        let assets_taking_posts = ["/oauth/token"];
        for path in assets_taking_posts {
            assert!(exempt.contains(&path));
        }
        assert!(!exempt.contains(&"/account/password") && !exempt.contains(&"/auth/oidc/{id}/login"));
    }

    #[test]
    fn an_unmatched_request_is_a_checked_page() {
        assert!(!RouteProps::UNMATCHED.csrf_exempt());
        assert!(!RouteProps::UNMATCHED.is_bare());
    }
}
