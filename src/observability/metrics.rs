//! Prometheus metrics: one recorder per process (installed once, so the many servers the
//! integration tests start in one process share it), counters recorded where things
//! happen, and `GET /metrics` on its own listener (`--metrics-addr`), never on the
//! public one. The database pool and the job queues belong to the database a scrape's
//! server uses, so they are read at scrape time and rendered by a recorder of their own.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;

use super::queues::{self, Queue};
use crate::entities::enums::{RefundStatus, TransactionState};
use crate::error::{AppError, AppResult};

pub(crate) const HTTP_REQUESTS: &str = "stratus_http_requests_total";
pub(crate) const HTTP_DURATION: &str = "stratus_http_request_duration_seconds";
pub(crate) const SIGN_INS: &str = "stratus_sign_ins_total";
pub(crate) const WEBPAY_PAYMENTS: &str = "stratus_webpay_payments_total";
pub(crate) const WEBPAY_REFUNDS: &str = "stratus_webpay_refunds_total";
pub(crate) const POOL_CONNECTIONS: &str = "stratus_db_pool_connections";
pub(crate) const POOL_MAX: &str = "stratus_db_pool_max_connections";
pub(crate) const QUEUE_DEPTH: &str = "stratus_queue_depth";
pub(crate) const QUEUE_AGE: &str = "stratus_queue_oldest_age_seconds";

/// The route label of a request no route matched (never the raw path: its values are unbounded).
pub(crate) const UNMATCHED_ROUTE: &str = "unmatched";

/// Latency buckets (seconds): pages answer in milliseconds; sign-ins hash a password; a
/// WebPay commit may wait for Transbank up to its timeout.
const LATENCY_BUCKETS: [f64; 13] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0];

/// How often histogram samples are folded in between scrapes (bounds their memory).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// How long a scrape may wait for the queue queries (the database may be down).
const QUEUE_READ_TIMEOUT: Duration = Duration::from_secs(5);

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls answer the same handle). None when
/// another recorder was installed first: the counters then go there, and `/metrics`
/// shows only what is read at scrape time.
pub(crate) fn install() -> Option<&'static PrometheusHandle> {
    RECORDER.get_or_init(install_now).as_ref()
}

fn install_now() -> Option<PrometheusHandle> {
    let recorder = match PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_string()), &LATENCY_BUCKETS)
    {
        Ok(builder) => builder.build_recorder(),
        Err(error) => {
            tracing::warn!(%error, "metrics are off");
            return None;
        }
    };
    let handle = recorder.handle();
    if let Err(error) = metrics::set_global_recorder(recorder) {
        tracing::warn!(%error, "another metrics recorder is installed; Stratus's counters go there");
        return None;
    }
    describe();
    let upkeep = handle.clone();
    let started = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
        std::thread::sleep(UPKEEP_EVERY);
        upkeep.run_upkeep();
    });
    if let Err(error) = started {
        tracing::warn!(%error, "metrics upkeep thread not started; histograms are folded in at each scrape");
    }
    Some(handle)
}

/// HELP lines, and every sign-in and WebPay series at zero so dashboards see them before
/// the first event.
fn describe() {
    use metrics::Unit;
    metrics::describe_counter!(
        HTTP_REQUESTS,
        Unit::Count,
        "HTTP requests answered, by route template, method and status."
    );
    metrics::describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to the response head, by route template and method."
    );
    metrics::describe_counter!(SIGN_INS, Unit::Count, "Sign-in attempts by method and result.");
    metrics::describe_counter!(WEBPAY_PAYMENTS, Unit::Count, "WebPay payment attempts by the state they settled in.");
    metrics::describe_counter!(WEBPAY_REFUNDS, Unit::Count, "WebPay refunds by the status they settled in.");
    for method in SignInMethod::ALL {
        for result in [true, false] {
            metrics::counter!(SIGN_INS, "method" => method.label(), "result" => result_label(result)).absolute(0);
        }
    }
}

/// Counts a request by its route template, method and status, and its latency.
pub(crate) async fn track_requests(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None => UNMATCHED_ROUTE.to_owned(),
    };
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method, "status" => status).increment(1);
    metrics::histogram!(HTTP_DURATION, "route" => route, "method" => method).record(elapsed);
    response
}

/// The method as a label: the standard ones by name, any other as `other` (clients may
/// send any token as a method).
pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// How someone signed in (the `method` label of [`SIGN_INS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignInMethod {
    /// The login form's e-mail and password.
    Password,
    /// An identity provider's callback.
    IdentityProvider,
    /// `POST /oauth/token`: an API client's credentials (and the password grant's user).
    ApiToken,
    /// `POST /auth/passkey`: a passkey (WebAuthn) assertion.
    Passkey,
}

impl SignInMethod {
    const ALL: [SignInMethod; 4] =
        [SignInMethod::Password, SignInMethod::IdentityProvider, SignInMethod::ApiToken, SignInMethod::Passkey];

    fn label(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::IdentityProvider => "identity_provider",
            SignInMethod::ApiToken => "api_token",
            SignInMethod::Passkey => "passkey",
        }
    }
}

fn result_label(succeeded: bool) -> &'static str {
    if succeeded {
        "success"
    } else {
        "failure"
    }
}

/// Counts a sign-in attempt.
pub(crate) fn sign_in(method: SignInMethod, succeeded: bool) {
    metrics::counter!(SIGN_INS, "method" => method.label(), "result" => result_label(succeeded)).increment(1);
}

/// Counts a payment attempt settled in `state` (authorized, rejected, verifying when the
/// answer was lost, refunding when approved but not taken, …).
pub(crate) fn webpay_payment(state: TransactionState) {
    metrics::counter!(WEBPAY_PAYMENTS, "outcome" => state.as_str()).increment(1);
}

/// Counts a refund settled in `status` (REVERSED, NULLIFIED, FAILED, VERIFYING when its
/// answer was lost).
pub(crate) fn webpay_refund(status: RefundStatus) {
    metrics::counter!(WEBPAY_REFUNDS, "outcome" => status.as_str()).increment(1);
}

/// The metrics listener's router: `GET /metrics` for this server's database.
pub fn metrics_router(db: DatabaseConnection) -> Router {
    install();
    Router::new().route("/metrics", get(scrape)).with_state(db)
}

/// Listens on `addr` for `/metrics` (in the background); answers the bound address.
pub async fn serve_metrics(addr: SocketAddr, db: DatabaseConnection) -> AppResult<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::Config(format!("--metrics-addr: cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().map_err(|e| AppError::Config(format!("--metrics-addr: {e}")))?;
    if !bound.ip().is_loopback() {
        tracing::warn!(
            %bound,
            "metrics are served without authentication on a non-loopback address: keep it off the public network"
        );
    }
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, metrics_router(db)).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

async fn scrape(State(db): State<DatabaseConnection>) -> Response {
    // One scrape at a time: parallel scrapes queue here instead of each taking database
    // connections for the queue reads.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut text = install().map(PrometheusHandle::render).unwrap_or_default();
    // Before the queue queries, which hold connections of their own.
    let pool = PoolStats::of(&db);
    let queues = match tokio::time::timeout(QUEUE_READ_TIMEOUT, queues::measure_all(&db, chrono::Utc::now())).await {
        Ok(measured) => measured,
        Err(_) => {
            tracing::warn!("metrics: the job queues could not be read in time");
            Vec::new()
        }
    };
    text.push_str(&render_database(pool, &queues));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// The pool and the queues, through a recorder of this scrape's own (another server in the
/// same process has another database).
fn render_database(pool: Option<PoolStats>, queues: &[(Queue, AppResult<queues::Depth>)]) -> String {
    let recorder = PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&recorder, || {
        use metrics::Unit;
        metrics::describe_gauge!(POOL_CONNECTIONS, Unit::Count, "Database connections open, by state (in_use, idle).");
        metrics::describe_gauge!(POOL_MAX, Unit::Count, "The most database connections the pool opens.");
        metrics::describe_gauge!(QUEUE_DEPTH, Unit::Count, "Background work due now and not done yet, by queue.");
        metrics::describe_gauge!(QUEUE_AGE, Unit::Seconds, "How long the oldest due item of a queue has waited.");
        if let Some(pool) = pool {
            metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(pool.in_use() as f64);
            metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(pool.idle as f64);
            metrics::gauge!(POOL_MAX).set(f64::from(pool.max));
        }
        for (queue, depth) in queues {
            match depth {
                Ok(depth) => {
                    metrics::gauge!(QUEUE_DEPTH, "queue" => queue.label()).set(depth.count as f64);
                    metrics::gauge!(QUEUE_AGE, "queue" => queue.label()).set(depth.oldest_age_seconds);
                }
                Err(error) => tracing::warn!(queue = queue.label(), %error, "metrics: queue not read"),
            }
        }
    });
    recorder.handle().render()
}

/// The connection pool as sqlx counts it. sqlx keeps its waiting acquirers in a private
/// semaphore and sea-orm acquires inside its own calls, so how many wait is not known;
/// `in_use` at `max` is the sign of waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PoolStats {
    pub size: u32,
    pub idle: usize,
    pub max: u32,
}

impl PoolStats {
    fn of(db: &DatabaseConnection) -> Option<PoolStats> {
        match db {
            DatabaseConnection::SqlxSqlitePoolConnection(_) => Some(Self::of_pool(db.get_sqlite_connection_pool())),
            DatabaseConnection::SqlxPostgresPoolConnection(_) => Some(Self::of_pool(db.get_postgres_connection_pool())),
            _ => None,
        }
    }

    fn of_pool<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolStats {
        PoolStats { size: pool.size(), idle: pool.num_idle(), max: pool.options().get_max_connections() }
    }

    /// Open connections not idle (the two are read one after the other, so never below 0).
    pub(crate) fn in_use(self) -> u64 {
        u64::from(self.size).saturating_sub(self.idle as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }

    #[test]
    fn connections_in_use_are_the_open_ones_not_idle() {
        assert_eq!(PoolStats { size: 5, idle: 2, max: 8 }.in_use(), 3);
        assert_eq!(PoolStats { size: 2, idle: 3, max: 8 }.in_use(), 0, "read apart, never negative");
    }

    #[test]
    fn the_database_gauges_render_in_prometheus_text_with_their_labels() {
        let queues = vec![
            (Queue::FutureActions, Ok(queues::Depth { count: 3, oldest_age_seconds: 7200.5 })),
            (Queue::Email, Err(AppError::Internal("down".into()))),
        ];
        let text = render_database(Some(PoolStats { size: 4, idle: 1, max: 8 }), &queues);
        assert!(text.contains("stratus_db_pool_connections{state=\"in_use\"} 3"), "{text}");
        assert!(text.contains("stratus_db_pool_connections{state=\"idle\"} 1"), "{text}");
        assert!(text.contains("stratus_db_pool_max_connections 8"), "{text}");
        assert!(text.contains("stratus_queue_depth{queue=\"future_actions\"} 3"), "{text}");
        assert!(text.contains("stratus_queue_oldest_age_seconds{queue=\"future_actions\"} 7200.5"), "{text}");
        assert!(!text.contains("queue=\"email\""), "a queue not read is left out, not shown as empty: {text}");
        assert!(text.contains("# TYPE stratus_queue_depth gauge"), "{text}");
    }
}
