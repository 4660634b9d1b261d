//! What an operator watches: Prometheus metrics (served only on `--metrics-addr`), request
//! ids and the log format. The counters are recorded where things happen (requests,
//! sign-ins, WebPay outcomes); the database pool and the job queues are read when
//! `/metrics` is scraped.

pub mod logging;
pub mod metrics;
pub(crate) mod query_count;
pub(crate) mod queues;
pub(crate) mod request_id;

pub use metrics::{metrics_router, serve_metrics};
