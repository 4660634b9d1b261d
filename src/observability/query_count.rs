//! How many database statements each request issues: every statement sea-orm runs and
//! every session-store call (its own sqlx queries) while the request is served counts
//! toward the request it runs for. The count is a histogram per route on `/metrics`
//! (`stratus_db_statements_per_request`), and, with `--expose-query-counts` (development,
//! benchmarks and the tests), the `X-Db-Statements` response header.

use std::cell::Cell;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::DatabaseConnection;

use super::metrics::UNMATCHED_ROUTE;

pub(crate) const HEADER: HeaderName = HeaderName::from_static("x-db-statements");
pub(crate) const STATEMENTS_PER_REQUEST: &str = "stratus_db_statements_per_request";

tokio::task_local! {
    /// The statements of the request this task is serving (absent outside a request:
    /// the background jobs are not counted).
    static STATEMENTS: Cell<u32>;
}

/// Counts one statement toward the request being served, if any.
pub(crate) fn count_one() {
    let _ = STATEMENTS.try_with(|n| n.set(n.get().saturating_add(1)));
}

/// Makes every statement sea-orm runs on `db` (and its transactions) count.
pub(crate) fn watch(db: &mut DatabaseConnection) {
    db.set_metric_callback(|_| count_one());
}

/// Whether the response carries the count (`--expose-query-counts`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expose(pub bool);

/// Serves the request with a counter of its own, records the count and, when asked,
/// puts it in the response. Sits outside the session layer, so the session's load and
/// save count too.
pub(crate) async fn count(State(expose): State<Expose>, request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None => UNMATCHED_ROUTE.to_owned(),
    };
    let (mut response, statements) = STATEMENTS
        .scope(Cell::new(0), async move {
            let response = next.run(request).await;
            (response, STATEMENTS.with(Cell::get))
        })
        .await;
    metrics::histogram!(STATEMENTS_PER_REQUEST, "route" => route).record(f64::from(statements));
    if expose.0 {
        response.headers_mut().insert(HEADER, HeaderValue::from(statements));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn statements_count_only_inside_the_request_they_belong_to() {
        count_one();
        let counted = STATEMENTS
            .scope(Cell::new(0), async {
                count_one();
                tokio::task::yield_now().await;
                count_one();
                STATEMENTS.with(Cell::get)
            })
            .await;
        assert_eq!(counted, 2);
        assert!(STATEMENTS.try_with(Cell::get).is_err());
    }
}
