//! Background work. Each job is safe to run on many instances at once.

use std::time::Duration;

use tower_sessions::session_store::ExpiredDeletion;

use crate::server::App;

pub const SESSION_CLEANUP_EVERY: Duration = Duration::from_secs(600);

/// Starts the background jobs of a running server.
pub fn spawn(app: &App) {
    let store = app.session_store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SESSION_CLEANUP_EVERY);
        loop {
            tick.tick().await;
            // A DELETE of expired rows: harmless when several instances run it.
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "expired-session cleanup failed");
            }
        }
    });
}
