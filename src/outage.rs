//! What the server answers while its database cannot be reached: every page a branded
//! 503 with `Retry-After` (in the brand last shown on that host), never a 500 and never
//! a hung request, and back to normal by itself when the database returns (the pool
//! tests each connection before handing it out, so dead ones are replaced).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::DatabaseConnection;

use crate::branding::Brand;
use crate::error::RETRY_AFTER_OUTAGE;

/// How long a check of the database may take before it counts as unreachable.
const PING_WITHIN: Duration = Duration::from_secs(2);

/// Whether the database answers now (checked only after a request failed).
pub(crate) async fn database_reachable(db: &DatabaseConnection) -> bool {
    matches!(tokio::time::timeout(PING_WITHIN, db.ping()).await, Ok(Ok(())))
}

/// The last brand shown on each host to a visitor who was not signed in, for the outage
/// page (which cannot read brands from the database).
#[derive(Debug, Default)]
pub(crate) struct LastKnownBrands {
    by_host: Mutex<HashMap<String, Brand>>,
}

/// Hosts remembered at most (a host header is the client's to choose).
const MAX_HOSTS: usize = 1024;

impl LastKnownBrands {
    /// The map (a panic elsewhere while it was held leaves it usable: it is only a cache).
    fn hosts(&self) -> MutexGuard<'_, HashMap<String, Brand>> {
        self.by_host.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn remember(&self, host: &str, brand: &Brand) {
        let mut by_host = self.hosts();
        if by_host.get(host) == Some(brand) || (by_host.len() >= MAX_HOSTS && !by_host.contains_key(host)) {
            return;
        }
        by_host.insert(host.to_string(), brand.clone());
    }

    /// The brand last shown on `host`, else Stratus's own.
    pub(crate) fn for_host(&self, host: Option<&str>) -> Brand {
        let by_host = self.hosts();
        host.and_then(|host| by_host.get(host).cloned()).unwrap_or_else(Brand::fallback)
    }
}

/// The outermost check: a 500 that leaves while the database is unreachable becomes a 503
/// with `Retry-After` (the session layer answers 500 when it cannot save a session, past
/// the page-context layer that renders the branded outage page).
pub(crate) async fn guard(State(db): State<DatabaseConnection>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR && !database_reachable(&db).await {
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_OUTAGE));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outage_page_uses_the_brand_last_shown_on_its_host() {
        let brands = LastKnownBrands::default();
        let andes = Brand { company_name: "Andes IT".into(), ..Brand::fallback() };
        brands.remember("shop.andes.demo", &andes);
        assert_eq!(brands.for_host(Some("shop.andes.demo")).company_name, "Andes IT");
        assert_eq!(brands.for_host(Some("other.demo")).company_name, Brand::fallback().company_name);
        assert_eq!(brands.for_host(None).company_name, Brand::fallback().company_name);
        for n in 0..MAX_HOSTS + 10 {
            brands.remember(&format!("host{n}.demo"), &andes);
        }
        assert_eq!(brands.hosts().len(), MAX_HOSTS, "bounded");
    }
}
