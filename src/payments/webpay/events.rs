//! The WebPay log: every call to WebPay and every return from it, with its outcome, for the
//! admin's transaction log. Never holds credentials.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::entities::{orders, webpay_events, webpay_transactions};
use crate::error::AppResult;
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// What was logged: create, commit, status, refund, or a return.
pub mod action {
    pub(crate) const CREATE: &str = "create";
    pub(crate) const COMMIT: &str = "commit";
    pub(crate) const STATUS: &str = "status";
    pub(crate) const REFUND: &str = "refund";
    pub(crate) const RETURN: &str = "return";
}

/// How many lines about returns that match nothing may be written per minute, whoever
/// sends them: anyone can post a return, so the rest are only counted, and the next line
/// written says how many were left out.
pub const UNMATCHED_RETURNS_PER_MINUTE: u32 = 10;

/// The budget for lines about returns that match nothing (per instance).
#[derive(Debug)]
pub struct UnmatchedReturnLog {
    window: std::sync::Mutex<(std::time::Instant, u32, u64)>,
}

impl Default for UnmatchedReturnLog {
    fn default() -> Self {
        UnmatchedReturnLog { window: std::sync::Mutex::new((std::time::Instant::now(), 0, 0)) }
    }
}

impl UnmatchedReturnLog {
    /// `Some(left out before this one)` when a line may be written now, `None` when the
    /// minute's budget is spent (the return is then only counted).
    pub(crate) fn admit(&self, now: std::time::Instant) -> Option<u64> {
        let mut window = match self.window.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (started, written, left_out) = &mut *window;
        if now.duration_since(*started) >= std::time::Duration::from_secs(60) {
            *started = now;
            *written = 0;
        }
        if *written >= UNMATCHED_RETURNS_PER_MINUTE {
            *left_out += 1;
            return None;
        }
        *written += 1;
        Some(std::mem::take(left_out))
    }
}

/// Writes one log line. Values from the outside are cut to their column sizes.
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    order_id: Option<i32>,
    buy_order: Option<&str>,
    action: &str,
    outcome: impl Into<String>,
) -> AppResult<()> {
    let outcome: String = outcome.into().chars().take(2000).collect();
    webpay_events::ActiveModel {
        order_id: Set(order_id),
        buy_order: Set(buy_order.map(|b| b.chars().take(64).collect())),
        action: Set(action.to_string()),
        outcome: Set(outcome),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The log, newest first, optionally only lines whose order number or buy order starts with `search`.
pub(crate) async fn log(
    db: &DatabaseConnection,
    search: Option<&str>,
    page: PageQuery,
) -> AppResult<Paged<(webpay_events::Model, Option<orders::Model>)>> {
    let mut select = webpay_events::Entity::find().find_also_related(orders::Entity);
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let prefix = format!("{}%", search.replace(['%', '_'], ""));
        select = select.filter(
            sea_orm::Condition::any()
                .add(webpay_events::Column::BuyOrder.like(prefix.clone()))
                .add(orders::Column::Number.like(prefix)),
        );
    }
    let keyset = Keyset::new("webpay-events", vec![Term::desc(webpay_events::Column::Id)]);
    fetch_page(db, select, &keyset, |(event, _)| vec![event.id.into()], &page).await
}

/// Which of these buy orders are TEST transactions (Transbank's integration environment).
pub(crate) async fn test_buy_orders(
    db: &DatabaseConnection,
    buy_orders: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    if buy_orders.is_empty() {
        return Ok(Default::default());
    }
    let rows = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::BuyOrder.is_in(buy_orders.iter().cloned()))
        .filter(webpay_transactions::Column::Test.eq(true))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| t.buy_order).collect())
}

#[cfg(test)]
mod budget_tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn unmatched_returns_are_written_up_to_the_budget_then_counted() {
        let log = UnmatchedReturnLog::default();
        let t0 = Instant::now();
        for _ in 0..UNMATCHED_RETURNS_PER_MINUTE {
            assert_eq!(log.admit(t0), Some(0));
        }
        assert_eq!(log.admit(t0), None);
        assert_eq!(log.admit(t0 + Duration::from_secs(30)), None);
        assert_eq!(log.admit(t0 + Duration::from_secs(61)), Some(2), "the next line says two were left out");
        assert_eq!(log.admit(t0 + Duration::from_secs(62)), Some(0));
    }
}
