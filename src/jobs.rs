//! Background work. Each job is safe to run on many instances at once.

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tower_sessions::session_store::ExpiredDeletion;

use crate::error::AppResult;
use crate::identity::session::DbSessionStore;
use crate::payments::webpay::checkout;
use crate::state::AppState;
use crate::subscriptions::{future_actions, lifecycle};

pub(crate) const SESSION_CLEANUP_EVERY: Duration = Duration::from_secs(600);

/// Tells the jobs to stop: each finishes the pass it is in, then ends.
pub(crate) type StopJobs = tokio::sync::watch::Receiver<bool>;

/// For jobs that run as long as the process (the tests' servers).
pub(crate) fn never_told_to_stop() -> StopJobs {
    static NEVER: std::sync::OnceLock<tokio::sync::watch::Sender<bool>> = std::sync::OnceLock::new();
    NEVER.get_or_init(|| tokio::sync::watch::channel(false).0).subscribe()
}

/// Waits for `pause` unless told to stop first: `false` when told to stop (every job's
/// loop waits for its next pass through this).
pub(crate) async fn pause_unless_stopped(stop: &mut StopJobs, pause: impl std::future::Future) -> bool {
    tokio::select! {
        biased;
        _ = stop.wait_for(|stopping| *stopping) => false,
        _ = pause => true,
    }
}

/// Starts the background jobs of a running server; each ends after its current pass once
/// `stop` turns true. Every job is safe on many instances at once: each item is claimed
/// by one instance (a conditional update under a lease) before it is worked on.
pub(crate) fn spawn(
    state: &AppState,
    session_store: &DbSessionStore,
    stop: &StopJobs,
) -> Vec<tokio::task::JoinHandle<()>> {
    let store = session_store.clone();
    let sessions_db = state.db.clone();
    let mut handles = Vec::new();
    let mut stop_cleanup = stop.clone();
    handles.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(SESSION_CLEANUP_EVERY);
        while pause_unless_stopped(&mut stop_cleanup, tick.tick()).await {
            // A DELETE of expired rows: harmless when several instances run it.
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "expired-session cleanup failed");
            }
            if let Err(e) = crate::identity::session::delete_idle(&sessions_db).await {
                tracing::warn!(error = %e, "idle session-list cleanup failed");
            }
            if let Err(e) = crate::identity::rate_limit::delete_old_counts(&sessions_db).await {
                tracing::warn!(error = %e, "rate-limit count clean-up failed");
            }
            match delete_expired_invitations(&sessions_db).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired invitations removed"),
                Err(e) => tracing::warn!(error = %e, "expired-invitation cleanup failed"),
            }
        }
    }));
    handles.extend(spawn_outbox(state, stop));
    handles.push(crate::tasks::spawn(state, stop));
    let (db, state, mut stop) = (state.db.clone(), state.clone(), stop.clone());
    handles.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.settings.jobs_every);
        while pause_unless_stopped(&mut stop, tick.tick()).await {
            if let Err(e) = run_subscription_jobs(&db).await {
                tracing::warn!(error = %e, "subscription jobs failed");
            }
            // Lost answers are verified even while online payment is switched off: the money
            // moved before it was.
            let verified = match state.webpay_gateway().await {
                Ok(settings) => checkout::verify_lost_answers(&db, &state.checkout(&settings)).await,
                Err(e) => Err(e),
            };
            match verified {
                Ok(0) => {}
                Ok(settled) => tracing::info!(settled, "WebPay payments verified"),
                Err(e) => tracing::warn!(error = %e, "WebPay verification failed"),
            }
        }
    }));
    handles
}

/// Starts the outbox job when an SMTP server is configured (without one, mail waits).
pub(crate) fn spawn_outbox(state: &AppState, stop: &StopJobs) -> Option<tokio::task::JoinHandle<()>> {
    let sender = state.mail_sender.clone()?;
    let (db, wake, mail, mut stop) =
        (state.db.clone(), state.mail_wake.clone(), state.settings.mail.clone(), stop.clone());
    Some(tokio::spawn(async move {
        loop {
            match crate::mail::outbox::deliver_due(&db, &sender, &mail, Utc::now()).await {
                Ok(done) if done.sent + done.retrying + done.failed > 0 => {
                    tracing::info!(sent = done.sent, retrying = done.retrying, failed = done.failed, "outbox");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox delivery failed"),
            }
            // The next pass: after the poll interval, or as soon as a message is written.
            if !pause_unless_stopped(&mut stop, tokio::time::timeout(mail.poll, wake.notified())).await {
                break;
            }
        }
    }))
}

/// Removes invitations nobody accepted once their link has expired (with the session
/// clean-up, every ten minutes).
pub async fn delete_expired_invitations(db: &DatabaseConnection) -> AppResult<u64> {
    crate::accounts::members::delete_expired_invitations(db, Utc::now()).await
}

/// Runs due future actions (each claimed atomically, so exactly once across instances),
/// then renews the auto-renewing subscriptions whose term has ended.
pub async fn run_subscription_jobs(db: &DatabaseConnection) -> AppResult<()> {
    let now = Utc::now();
    let report = future_actions::run_due(db, now).await?;
    if report.executed + report.failed > 0 {
        tracing::info!(executed = report.executed, failed = report.failed, "future actions run");
    }
    let renewed = lifecycle::renew_due(db, now.date_naive()).await?;
    if renewed > 0 {
        tracing::info!(renewed, "subscriptions renewed");
    }
    Ok(())
}
