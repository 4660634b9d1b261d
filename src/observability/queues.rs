//! How much background work is due and how long it has waited, per queue, read when
//! `/metrics` is scraped. Each queue is a filter on its table and the column that says
//! since when an item is due; every read is bounded (a capped count and the one oldest row).
//! A new kind of work is a new [`Queue`] variant and its arm in [`Queue::measure`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::entities::enums::{FutureActionStatus, OutboxStatus, RefundStatus, TransactionState};
use crate::entities::{background_jobs, future_actions, outbox_messages, refunds, webpay_transactions};
use crate::error::{AppError, AppResult};

/// The most items a queue's count reads; a deeper queue shows this number.
pub(crate) const COUNT_CAP: u64 = 100_000;

/// A kind of background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queue {
    /// Future actions pending whose date has come.
    FutureActions,
    /// E-mails waiting in the outbox whose (next) attempt is due.
    Email,
    /// WebPay payments whose commit answer was lost, waiting for WebPay's status.
    WebpayVerification,
    /// Refunds sent to WebPay whose answer is not known yet.
    RefundVerification,
    /// Approvals not taken whose automatic refund did not go through (an admin's).
    RefundNeeded,
    /// Billing runs and imports queued, or interrupted (their lease ran out) and not yet
    /// taken over.
    BackgroundJobs,
}

impl Queue {
    pub(crate) const ALL: [Queue; 6] = [
        Queue::FutureActions,
        Queue::Email,
        Queue::WebpayVerification,
        Queue::RefundVerification,
        Queue::RefundNeeded,
        Queue::BackgroundJobs,
    ];

    /// The `queue` label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Queue::FutureActions => "future_actions",
            Queue::Email => "email",
            Queue::WebpayVerification => "webpay_verification",
            Queue::RefundVerification => "refund_verification",
            Queue::RefundNeeded => "refund_needed",
            Queue::BackgroundJobs => "background_jobs",
        }
    }

    async fn measure(self, db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<Depth> {
        match self {
            Queue::FutureActions => {
                use future_actions::{Column, Entity};
                let due = Condition::all()
                    .add(Column::Status.eq(FutureActionStatus::Pending))
                    .add(Column::ScheduledAt.lte(now));
                waiting::<Entity>(db, due, Column::ScheduledAt, now).await
            }
            Queue::Email => {
                use outbox_messages::{Column, Entity};
                let due =
                    Condition::all().add(Column::Status.eq(OutboxStatus::Pending)).add(Column::NextAttemptAt.lte(now));
                waiting::<Entity>(db, due, Column::NextAttemptAt, now).await
            }
            Queue::WebpayVerification => {
                use webpay_transactions::{Column, Entity};
                let due = Condition::all().add(Column::Status.eq(TransactionState::Verifying));
                waiting::<Entity>(db, due, Column::UpdatedAt, now).await
            }
            Queue::RefundVerification => {
                use refunds::{Column, Entity};
                let due = Condition::all().add(Column::Status.is_in([RefundStatus::Sending, RefundStatus::Verifying]));
                waiting::<Entity>(db, due, Column::CreatedAt, now).await
            }
            Queue::RefundNeeded => {
                use webpay_transactions::{Column, Entity};
                let due = Condition::all().add(Column::Status.eq(TransactionState::RefundNeeded));
                waiting::<Entity>(db, due, Column::UpdatedAt, now).await
            }
            Queue::BackgroundJobs => {
                use background_jobs::{Column, Entity, JobStatus};
                let interrupted =
                    Condition::all().add(Column::Status.eq(JobStatus::Running)).add(Column::LeaseUntil.lt(now));
                let due = Condition::any().add(Column::Status.eq(JobStatus::Queued)).add(interrupted);
                waiting::<Entity>(db, due, Column::CreatedAt, now).await
            }
        }
    }
}

/// A queue's depth and lag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Depth {
    pub count: u64,
    /// 0 when the queue is empty.
    pub oldest_age_seconds: f64,
}

/// Every queue, each read on its own (one that fails does not hide the others).
pub(crate) async fn measure_all(db: &DatabaseConnection, now: DateTime<Utc>) -> Vec<(Queue, AppResult<Depth>)> {
    let mut measured = Vec::with_capacity(Queue::ALL.len());
    for queue in Queue::ALL {
        measured.push((queue, queue.measure(db, now).await));
    }
    measured
}

/// The rows matching `due`: counted up to [`COUNT_CAP`], and how long ago the oldest
/// `since` was.
async fn waiting<E: EntityTrait>(
    db: &DatabaseConnection,
    due: Condition,
    since: E::Column,
    now: DateTime<Utc>,
) -> AppResult<Depth> {
    let capped = E::find().select_only().expr(Expr::val(1)).filter(due.clone()).limit(COUNT_CAP).into_query();
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("waiting"))
        .from_subquery(capped, Alias::new("capped"))
        .to_owned();
    let row = db.query_one(db.get_database_backend().build(&count)).await?;
    let count: i64 = match row {
        Some(row) => row.try_get("", "waiting")?,
        None => 0,
    };
    let oldest: Option<DateTime<Utc>> =
        E::find().select_only().column(since).filter(due).order_by_asc(since).limit(1).into_tuple().one(db).await?;
    Ok(Depth {
        count: u64::try_from(count).map_err(|_| AppError::Internal(format!("a negative count: {count}")))?,
        oldest_age_seconds: oldest.map_or(0.0, |oldest| age_seconds(now, oldest)),
    })
}

/// Seconds from `since` to `now`, never negative (clocks of several instances differ a little).
pub(crate) fn age_seconds(now: DateTime<Utc>, since: DateTime<Utc>) -> f64 {
    (now - since).num_milliseconds().max(0) as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_due_in_the_future_by_another_clock_has_waited_zero_seconds() {
        let now = Utc::now();
        assert_eq!(age_seconds(now, now - chrono::Duration::milliseconds(2500)), 2.5);
        assert_eq!(age_seconds(now, now + chrono::Duration::seconds(3)), 0.0);
    }

    #[test]
    fn every_queue_has_its_own_label() {
        let mut labels: Vec<&str> = Queue::ALL.iter().map(|q| q.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Queue::ALL.len());
    }
}
