//! Future actions in the database: schedule and revoke them (with history), run the due
//! ones exactly once even with several instances, and list them per caller's scope.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::history::{self, Actor, Change};
use super::lifecycle::{self, Loaded, TargetChange};
use super::rules::{self, ScheduleRequest};
use crate::accounts::scope::AccountScope;
use crate::entities::enums::{FutureActionStatus, FutureActionType, HistoryField, SubscriptionStatus};
use crate::entities::future_actions;
use crate::error::{is_unique_violation, refusals, AppError, AppResult};
use crate::i18n::{msg, Localize};

/// Why a future action could not be scheduled or revoked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FutureActionError {
    #[error("An add-on is cancelled at the end of the term or together with its subscription.")]
    AddonOnDate,
    #[error(transparent)]
    Schedule(#[from] rules::ScheduleError),
    /// The one-pending-action index: somebody scheduled one a moment ago.
    #[error("Another action was scheduled a moment ago; revoke it first.")]
    ScheduledMeanwhile,
    #[error("This action is already {}.", .0.as_str())]
    NotPending(FutureActionStatus),
    #[error("This action is being run right now and can no longer be revoked.")]
    BeingRun,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(FutureActionError);

impl FutureActionError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            FutureActionError::AddonOnDate => loc.t("subscription-addon-on-date"),
            FutureActionError::Schedule(error) => error.localized(loc),
            FutureActionError::ScheduledMeanwhile => loc.t("subscription-scheduled-meanwhile"),
            FutureActionError::NotPending(status) => loc.t(match status {
                FutureActionStatus::Pending => msg!("subscription-action-already-pending"),
                FutureActionStatus::Executed => msg!("subscription-action-already-executed"),
                FutureActionStatus::Revoked => msg!("subscription-action-already-revoked"),
                FutureActionStatus::Failed => msg!("subscription-action-already-failed"),
            }),
            FutureActionError::BeingRun => loc.t("subscription-action-being-run"),
            FutureActionError::Failed(_) => loc.t("error-internal"),
        }
    }

    /// The error for a page: a refusal as a 422 with its message in the reader's language.
    pub(crate) fn into_app_error(self, loc: &impl Localize) -> AppError {
        match self {
            FutureActionError::Failed(error) => error,
            refused => AppError::Unprocessable(refused.localized(loc)),
        }
    }
}

/// Why a due action did not run (recorded on it as its result; nothing changed).
#[derive(Debug, thiserror::Error)]
enum NotRun {
    #[error("the add-on no longer exists")]
    AddonGone,
    #[error("already canceled")]
    AlreadyCanceled,
    /// A cancellation on a date the cancellation policy no longer allows.
    #[error(transparent)]
    NotCancellable(rules::ScheduleError),
    #[error("no new quantity")]
    NoNewQuantity,
    #[error("the subscription is {}", .0.as_str())]
    NotActive(SubscriptionStatus),
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(NotRun);

/// A claim older than this is taken to belong to a runner that died.
const STALE_CLAIM_MINUTES: i64 = 10;

fn describe(action_type: FutureActionType, at: DateTime<Utc>, new_quantity: Option<i32>) -> String {
    match new_quantity {
        Some(q) => format!("{} on {} (to {q})", action_type.as_str(), at.format("%Y-%m-%d")),
        None => format!("{} on {}", action_type.as_str(), at.format("%Y-%m-%d")),
    }
}

/// Schedules a future action on a subscription or one of its add-ons. CancellationOnEnd
/// puts the target in `pending_for_cancel` until it runs.
pub(crate) async fn schedule(
    db: &DatabaseConnection,
    scope: AccountScope,
    subscription_id: i32,
    addon_id: Option<i32>,
    request: ScheduleRequest,
    actor: &Actor,
    today: NaiveDate,
) -> Result<future_actions::Model, FutureActionError> {
    let txn = db.begin().await?;
    let action = schedule_in(&txn, scope, subscription_id, addon_id, request, actor, today).await?;
    txn.commit().await?;
    Ok(action)
}

/// [`schedule`] inside the caller's transaction (the demo data schedules as of its own
/// "today"); nothing is written when it refuses.
pub(crate) async fn schedule_in<C: ConnectionTrait>(
    txn: &C,
    scope: AccountScope,
    subscription_id: i32,
    addon_id: Option<i32>,
    request: ScheduleRequest,
    actor: &Actor,
    today: NaiveDate,
) -> Result<future_actions::Model, FutureActionError> {
    let loaded = lifecycle::load(txn, scope, subscription_id).await?;
    let facts = loaded.target_facts(addon_id, today).ok_or(AppError::NotFound)?;
    if addon_id.is_some() && request.action_type == FutureActionType::CancellationOnSpecific {
        return Err(FutureActionError::AddonOnDate);
    }
    let scheduled = rules::check_schedule(&facts, &request, today)?;
    let now = Utc::now();
    let inserted = future_actions::ActiveModel {
        subscription_id: Set(subscription_id),
        addon_id: Set(addon_id),
        account_id: Set(loaded.subscription.account_id),
        action_type: Set(scheduled.action_type),
        status: Set(FutureActionStatus::Pending),
        scheduled_at: Set(scheduled.scheduled_at),
        new_quantity: Set(scheduled.new_quantity),
        result: Set(None),
        created_by: Set(actor.user_id),
        claimed_at: Set(None),
        executed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let action = match inserted {
        Ok(action) => action,
        // The one-pending-action index: somebody scheduled one a moment ago.
        Err(e) if is_unique_violation(&e) => return Err(FutureActionError::ScheduledMeanwhile),
        Err(e) => return Err(e.into()),
    };
    let record = Change {
        subscription_id,
        addon_id,
        field: HistoryField::FutureAction,
        old: None,
        new: Some(format!("scheduled {}", describe(action.action_type, action.scheduled_at, action.new_quantity))),
    };
    history::write(txn, record, actor).await?;
    if action.action_type == FutureActionType::CancellationOnEnd {
        let pending = TargetChange::Status { old: facts.status, new: SubscriptionStatus::PendingForCancel };
        lifecycle::write_change(txn, loaded.subscription.id, addon_id, pending, actor).await?;
    }
    Ok(action)
}

/// One future action the scope allows (404 otherwise).
pub(crate) async fn find_in_scope(
    db: &DatabaseConnection,
    scope: AccountScope,
    id: i32,
) -> AppResult<future_actions::Model> {
    future_actions::Entity::find_by_id(id)
        .filter(scope.condition(future_actions::Column::AccountId))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Revokes a pending action (in scope). A revoked CancellationOnEnd makes the target active again.
pub(crate) async fn revoke(
    db: &DatabaseConnection,
    scope: AccountScope,
    action_id: i32,
    actor: &Actor,
) -> Result<future_actions::Model, FutureActionError> {
    let txn = db.begin().await?;
    let action = future_actions::Entity::find_by_id(action_id)
        .filter(scope.condition(future_actions::Column::AccountId))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if action.status != FutureActionStatus::Pending {
        return Err(FutureActionError::NotPending(action.status));
    }
    let now = Utc::now();
    let updated = future_actions::Entity::update_many()
        .col_expr(future_actions::Column::Status, FutureActionStatus::Revoked.as_str().into())
        .col_expr(future_actions::Column::Result, Some(format!("revoked by {}", actor.name)).into())
        .col_expr(future_actions::Column::UpdatedAt, now.into())
        .filter(future_actions::Column::Id.eq(action.id))
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .filter(future_actions::Column::ClaimedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(FutureActionError::BeingRun);
    }
    let loaded = lifecycle::load(&txn, scope, action.subscription_id).await?;
    let record = Change {
        subscription_id: action.subscription_id,
        addon_id: action.addon_id,
        field: HistoryField::FutureAction,
        old: Some(describe(action.action_type, action.scheduled_at, action.new_quantity)),
        new: Some("revoked".into()),
    };
    history::write(&txn, record, actor).await?;
    if action.action_type == FutureActionType::CancellationOnEnd {
        let status = match action.addon_id {
            None => Some(loaded.subscription.status),
            Some(id) => loaded.addons.iter().find(|a| a.id == id).map(|a| a.status),
        };
        if status == Some(SubscriptionStatus::PendingForCancel) {
            let back =
                TargetChange::Status { old: SubscriptionStatus::PendingForCancel, new: SubscriptionStatus::Active };
            lifecycle::write_change(&txn, loaded.subscription.id, action.addon_id, back, actor).await?;
        }
    }
    txn.commit().await?;
    Ok(action)
}

/// Claims due actions atomically: a row is ours only if our conditional update changed it,
/// so two runners (or instances) never both claim one.
pub(crate) async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<future_actions::Model>> {
    let stale = now - Duration::minutes(STALE_CLAIM_MINUTES);
    let unclaimed = Condition::any()
        .add(future_actions::Column::ClaimedAt.is_null())
        .add(future_actions::Column::ClaimedAt.lt(stale));
    let candidates = future_actions::Entity::find()
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .filter(future_actions::Column::ScheduledAt.lte(now))
        .filter(unclaimed.clone())
        .order_by_asc(future_actions::Column::ScheduledAt)
        .order_by_asc(future_actions::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for action in candidates {
        let result = future_actions::Entity::update_many()
            .col_expr(future_actions::Column::ClaimedAt, Expr::value(now))
            .filter(future_actions::Column::Id.eq(action.id))
            .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
            .filter(unclaimed.clone())
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
            claimed.push(future_actions::Model { claimed_at: Some(now), ..action });
        }
    }
    Ok(claimed)
}

/// What running the due actions did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub executed: usize,
    pub failed: usize,
}

/// Runs every due action this runner could claim. Each runs in one transaction that also
/// moves the row from pending to executed (or failed), so its effect happens once.
pub async fn run_due(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<RunReport> {
    let mut report = RunReport::default();
    for action in claim_due(db, now, 100).await? {
        let txn = db.begin().await?;
        let (status, result) = match execute(&txn, &action, now.date_naive()).await {
            Ok(done) => (FutureActionStatus::Executed, done),
            Err(NotRun::Failed(error)) => return Err(error),
            Err(reason) => (FutureActionStatus::Failed, reason.to_string()),
        };
        let finished = future_actions::Entity::update_many()
            .col_expr(future_actions::Column::Status, status.as_str().into())
            .col_expr(future_actions::Column::Result, Some(result.clone()).into())
            .col_expr(future_actions::Column::ExecutedAt, Some(now).into())
            .col_expr(future_actions::Column::UpdatedAt, now.into())
            .filter(future_actions::Column::Id.eq(action.id))
            .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
            .exec(&txn)
            .await?;
        if finished.rows_affected != 1 {
            // Somebody else finished it (or revoked it) meanwhile: undo ours.
            txn.rollback().await?;
            continue;
        }
        if status == FutureActionStatus::Failed {
            let record = Change {
                subscription_id: action.subscription_id,
                addon_id: action.addon_id,
                field: HistoryField::FutureAction,
                old: Some(describe(action.action_type, action.scheduled_at, action.new_quantity)),
                new: Some(format!("failed: {result}")),
            };
            history::write(&txn, record, &Actor::system()).await?;
            report.failed += 1;
        } else {
            report.executed += 1;
        }
        txn.commit().await?;
    }
    Ok(report)
}

/// Applies one action's effect on `today`, answering what it did; `Err` is why it did not
/// run (recorded, nothing changed). A cancellation on a date checks the cancellation policy again: a return
/// window may have closed since it was scheduled.
async fn execute<C: ConnectionTrait>(
    db: &C,
    action: &future_actions::Model,
    today: NaiveDate,
) -> Result<String, NotRun> {
    let loaded = lifecycle::load(db, AccountScope::All, action.subscription_id).await?;
    let system = Actor::system();
    let status = match action.addon_id {
        None => Some(loaded.subscription.status),
        Some(id) => loaded.addons.iter().find(|a| a.id == id).map(|a| a.status),
    };
    let Some(status) = status else {
        return Err(NotRun::AddonGone);
    };
    if status == SubscriptionStatus::Canceled {
        return Err(NotRun::AlreadyCanceled);
    }
    if action.action_type == FutureActionType::CancellationOnSpecific {
        let facts = loaded.target_facts(action.addon_id, today).ok_or(NotRun::AddonGone)?;
        rules::check_cancellation_on(&facts, today).map_err(NotRun::NotCancellable)?;
    }
    match action.action_type {
        FutureActionType::CancellationOnEnd | FutureActionType::CancellationOnSpecific => {
            let reason = format!("{} executed", action.action_type.as_str());
            // A runner that comes late still ends it when it was due: no day past it is charged.
            let effective = action.scheduled_at.min(Utc::now());
            lifecycle::cancel_in(db, &without(&loaded, action.id), action.addon_id, &system, &reason, effective)
                .await?;
            Ok("canceled".into())
        }
        FutureActionType::ChangeQtyOnNext => {
            let Some(quantity) = action.new_quantity else {
                return Err(NotRun::NoNewQuantity);
            };
            if status != SubscriptionStatus::Active {
                return Err(NotRun::NotActive(status));
            }
            let old = match action.addon_id {
                None => loaded.subscription.quantity,
                Some(id) => loaded.addons.iter().find(|a| a.id == id).map_or(0, |a| a.quantity),
            };
            let change = TargetChange::Quantity { old, new: quantity };
            lifecycle::write_change(db, action.subscription_id, action.addon_id, change, &system).await?;
            Ok(format!("quantity {old} → {quantity}"))
        }
    }
}

/// The loaded subscription without one action among its pending ones (the one running).
fn without(loaded: &Loaded, action_id: i32) -> Loaded {
    Loaded { pending: loaded.pending.iter().filter(|a| a.id != action_id).cloned().collect(), ..loaded.clone() }
}
