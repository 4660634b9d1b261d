//! Subscription lifecycle in the database: create, change quantity, suspend/resume,
//! cancel, renew, add-ons and ramp-up extensions. Every change writes one history record.
//! Rules come from [`super::rules`] and [`super::policy`]; a refusal is a
//! [`SubscriptionError`] that displays the message the user sees, and nothing is changed
//! when one is returned.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

use super::history::{self, Actor, Change};
use super::policy::{cancellation_policy, CancelWhen, CancellationPolicy};
use super::rules;
use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::catalog::Quantity;
use crate::entities::enums::{
    FutureActionStatus, FutureActionType, HistoryField, ProductKind, RiPaymentPlan, SubscriptionStatus,
};
use crate::entities::{future_actions, products, subscription_addons, subscriptions};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{tr, Localize};

/// Why a subscription (or add-on) could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum SubscriptionError {
    #[error("The quantity must be between 1 and {}.", Quantity::MAX)]
    QuantityOutOfRange,
    /// Licences bought would take the quantity past the limit.
    #[error("The quantity must stay between 1 and {}.", Quantity::MAX)]
    QuantityWouldLeaveRange,
    #[error("The quantity is already {0}.")]
    SameQuantity(i32),
    #[error("Only an active subscription's quantity can change.")]
    QuantityNeedsActive,
    #[error(transparent)]
    RampUp(#[from] rules::RampUpError),
    #[error("A reservation needs a term of 1 or 3 years and a payment plan.")]
    ReservationTerms,
    #[error("{product} is not an add-on.")]
    NotAnAddon { product: String },
    #[error("Add-ons can only be added to an active subscription.")]
    AddonNeedsActive,
    /// Licences bought for a subscription that is not active (named).
    #[error("{name} is not active.")]
    NotActive { name: String },
    /// A pending quantity change blocks it.
    #[error(transparent)]
    Blocked(#[from] rules::Blocked),
    /// The cancellation policy does not allow it; its message says what it allows.
    #[error("{0}")]
    Policy(super::policy::PolicyText),
    #[error("Only an active subscription can be suspended.")]
    NotActiveToSuspend,
    #[error("It is not suspended.")]
    NotSuspended,
    #[error("It is already canceled.")]
    AlreadyCanceled,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(SubscriptionError);

impl SubscriptionError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        // The limit as the English message always wrote it (no grouping).
        let max = || Quantity::MAX;
        match self {
            SubscriptionError::QuantityOutOfRange => tr!(loc, "subscription-quantity-out-of-range", max = max()),
            SubscriptionError::QuantityWouldLeaveRange => {
                tr!(loc, "subscription-quantity-would-leave-range", max = max())
            }
            SubscriptionError::SameQuantity(quantity) => {
                tr!(loc, "subscription-same-quantity", quantity = *quantity)
            }
            SubscriptionError::QuantityNeedsActive => loc.t("subscription-quantity-needs-active"),
            SubscriptionError::RampUp(error) => error.localized(loc),
            SubscriptionError::ReservationTerms => loc.t("subscription-reservation-terms"),
            SubscriptionError::NotAnAddon { product } => {
                tr!(loc, "subscription-not-an-addon", product = product.as_str())
            }
            SubscriptionError::AddonNeedsActive => loc.t("subscription-addon-needs-active"),
            SubscriptionError::NotActive { name } => tr!(loc, "subscription-not-active", name = name.as_str()),
            SubscriptionError::Blocked(blocked) => blocked.localized(loc),
            SubscriptionError::Policy(text) => text.localized(loc),
            SubscriptionError::NotActiveToSuspend => loc.t("subscription-not-active-to-suspend"),
            SubscriptionError::NotSuspended => loc.t("subscription-not-suspended"),
            SubscriptionError::AlreadyCanceled => loc.t("subscription-already-canceled"),
            SubscriptionError::Failed(_) => loc.t("error-internal"),
        }
    }

    /// The error for a page: a refusal as a 422 with its message in the reader's language.
    pub(crate) fn into_app_error(self, loc: &impl Localize) -> AppError {
        match self {
            SubscriptionError::Failed(error) => error,
            refused => AppError::Unprocessable(refused.localized(loc)),
        }
    }
}

/// A subscription with what its page and its rules need.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub subscription: subscriptions::Model,
    pub product: products::Model,
    pub addons: Vec<subscription_addons::Model>,
    /// Pending future actions of the subscription and its add-ons.
    pub pending: Vec<future_actions::Model>,
}

impl Loaded {
    /// The pending action on the subscription itself (`None`) or on one add-on.
    pub(crate) fn pending_for(&self, addon_id: Option<i32>) -> Option<&future_actions::Model> {
        self.pending.iter().find(|a| a.addon_id == addon_id)
    }

    pub(crate) fn pending_pair(&self, addon_id: Option<i32>) -> Option<(FutureActionType, chrono::DateTime<Utc>)> {
        self.pending_for(addon_id).map(|a| (a.action_type, a.scheduled_at))
    }

    /// The cancellation policy as seen on `today`.
    pub(crate) fn policy(&self, today: NaiveDate) -> CancellationPolicy {
        // A subscription starts on the day its order is paid: that is the purchase day.
        cancellation_policy(self.product.kind, self.subscription.start_date, self.subscription.term_end_date, today)
    }

    /// The facts the future-action rules check, for the subscription or one of its add-ons.
    pub(crate) fn target_facts(&self, addon_id: Option<i32>, today: NaiveDate) -> Option<rules::TargetFacts> {
        let policy = self.policy(today);
        let s = &self.subscription;
        let (status, quantity, term_end_date) = match addon_id {
            None => (s.status, s.quantity, s.term_end_date),
            Some(id) => {
                let addon = self.addons.iter().find(|a| a.id == id)?;
                (addon.status, addon.quantity, addon.term_end_date)
            }
        };
        let cancellation_end = if policy.allows(CancelWhen::EndOfPeriod) {
            rules::start_of(super::policy::end_of_billing_period(today) + chrono::Duration::days(1))
        } else {
            rules::term_boundary(term_end_date)
        };
        Some(rules::TargetFacts {
            status,
            quantity,
            auto_renew: s.auto_renew,
            prepaid: s.prepaid,
            term_end_date,
            cancellation_end,
            may_cancel_at_end: policy.allows(CancelWhen::EndOfTerm) || policy.allows(CancelWhen::EndOfPeriod),
            kind: self.product.kind,
            purchased_on: s.start_date,
            pending: self.pending_pair(addon_id),
        })
    }

    /// The changes that can be scheduled today on the subscription (`None`) or one of its
    /// add-ons, as a page offers them (each is still checked by the rules when scheduled):
    /// a cancellation at the end when the policy allows one, a quantity change at renewal
    /// when the subscription renews prepaid, and (for the subscription) a cancellation on
    /// a date while the policy would still allow cancelling tomorrow.
    pub(crate) fn schedulable_actions(&self, addon_id: Option<i32>, today: NaiveDate) -> Vec<FutureActionType> {
        let Some(target) = self.target_facts(addon_id, today) else { return vec![] };
        let tomorrow = today + chrono::Duration::days(1);
        [
            (FutureActionType::CancellationOnEnd, target.may_cancel_at_end),
            (FutureActionType::ChangeQtyOnNext, rules::changes_quantity_at_renewal(target.auto_renew, target.prepaid)),
            (
                FutureActionType::CancellationOnSpecific,
                addon_id.is_none() && self.policy(tomorrow).allows(CancelWhen::Immediately),
            ),
        ]
        .into_iter()
        .filter_map(|(action, offered)| offered.then_some(action))
        .collect()
    }
}

/// Loads a subscription the scope allows (404 otherwise).
pub(crate) async fn load<C: ConnectionTrait>(db: &C, scope: AccountScope, id: i32) -> AppResult<Loaded> {
    let (subscription, product) = subscriptions::Entity::find_by_id(id)
        .filter(scope.condition(subscriptions::Column::AccountId))
        .find_also_related(products::Entity)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let product = product.ok_or(AppError::NotFound)?;
    let addons = subscription_addons::Entity::find()
        .filter(subscription_addons::Column::SubscriptionId.eq(id))
        .order_by_asc(subscription_addons::Column::Name)
        .order_by_asc(subscription_addons::Column::Id)
        .all(db)
        .await?;
    let pending = future_actions::Entity::find()
        .filter(future_actions::Column::SubscriptionId.eq(id))
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .order_by_asc(future_actions::Column::ScheduledAt)
        .all(db)
        .await?;
    Ok(Loaded { subscription, product, addons, pending })
}

fn status_change(
    subscription_id: i32,
    addon_id: Option<i32>,
    old: SubscriptionStatus,
    new: SubscriptionStatus,
) -> Change {
    Change {
        subscription_id,
        addon_id,
        field: HistoryField::Status,
        old: Some(old.as_str().into()),
        new: Some(new.as_str().into()),
    }
}

/// What a new subscription is created with (from a paid order, or the demo data).
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub account_id: i32,
    pub product: products::Model,
    pub quantity: i32,
    pub start_date: NaiveDate,
    pub ramp_up_months: u32,
    pub is_trial: bool,
    pub external_id: Option<String>,
    pub ri_reservation_type: Option<String>,
    pub ri_term_years: Option<i32>,
    pub ri_scope: Option<String>,
    pub ri_region: Option<String>,
    /// How a reservation is paid (reserved instances only).
    pub ri_payment_plan: Option<RiPaymentPlan>,
    /// Whether the customer chose to renew a reservation when its term ends.
    pub ri_auto_renew: bool,
}

/// Whether a new subscription renews by itself: a perpetual licence never, a reservation
/// when the customer chose so, everything else yes.
pub(crate) fn renews_automatically(kind: ProductKind, ri_auto_renew: bool) -> bool {
    match kind {
        ProductKind::PerpetualLicense => false,
        ProductKind::ReservedInstance => ri_auto_renew,
        ProductKind::LicenseSubscription
        | ProductKind::Consumption
        | ProductKind::SoftwareSubscription
        | ProductKind::Addon => true,
    }
}

/// Creates a subscription: one "created" record, and one "ramp_up" record when a ramp-up
/// period is activated (its start, end and months). A reservation needs its term (1 or 3
/// years) and payment plan; it auto-renews only when the customer chose so.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewSubscription,
    actor: &Actor,
) -> Result<subscriptions::Model, SubscriptionError> {
    Quantity::new(new.quantity).map_err(|_| SubscriptionError::QuantityOutOfRange)?;
    let product = &new.product;
    let ramp_up_end =
        rules::ramp_up_end(new.start_date, new.ramp_up_months, product.has_minimum_commitment(), new.is_trial)?;
    if product.kind == ProductKind::ReservedInstance
        && !(matches!(new.ri_term_years, Some(1 | 3)) && new.ri_payment_plan.is_some())
    {
        return Err(SubscriptionError::ReservationTerms);
    }
    let term_end =
        rules::term_end(new.start_date, rules::term_months(product.kind, product.term_months, new.ri_term_years));
    let now = Utc::now();
    let row = subscriptions::ActiveModel {
        account_id: Set(new.account_id),
        product_id: Set(product.id),
        name: Set(product.name.clone()),
        quantity: Set(new.quantity),
        status: Set(SubscriptionStatus::Active),
        start_date: Set(new.start_date),
        term_end_date: Set(term_end),
        auto_renew: Set(renews_automatically(product.kind, new.ri_auto_renew)),
        prepaid: Set(product.kind != ProductKind::Consumption),
        external_id: Set(new.external_id),
        ramp_up_months: Set(ramp_up_end.map(|_| new.ramp_up_months as i32)),
        ramp_up_end: Set(ramp_up_end),
        ri_reservation_type: Set(new.ri_reservation_type),
        ri_term_years: Set(new.ri_term_years),
        ri_scope: Set(new.ri_scope),
        ri_region: Set(new.ri_region),
        ri_payment_plan: Set(new.ri_payment_plan),
        canceled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let created = Change {
        subscription_id: row.id,
        addon_id: None,
        field: HistoryField::Created,
        old: None,
        new: Some(format!("quantity {}, term {} to {}", row.quantity, row.start_date, row.term_end_date)),
    };
    history::write(db, created, actor).await?;
    if let Some(end) = ramp_up_end {
        let ramp_up = Change {
            subscription_id: row.id,
            addon_id: None,
            field: HistoryField::RampUp,
            old: None,
            new: Some(format!("start {}, end {end}, {} month(s)", row.start_date, new.ramp_up_months)),
        };
        history::write(db, ramp_up, actor).await?;
    }
    Ok(row)
}

/// Attaches an add-on as of `today`; it inherits the subscription's term and billing
/// cycle. (The demo data adds add-ons in the past; nothing sells add-ons on their own yet.)
pub async fn add_addon_on<C: ConnectionTrait>(
    db: &C,
    subscription: &subscriptions::Model,
    product: &products::Model,
    quantity: i32,
    actor: &Actor,
    today: NaiveDate,
) -> Result<subscription_addons::Model, SubscriptionError> {
    if product.kind != ProductKind::Addon {
        return Err(SubscriptionError::NotAnAddon { product: product.name.clone() });
    }
    if subscription.status != SubscriptionStatus::Active {
        return Err(SubscriptionError::AddonNeedsActive);
    }
    Quantity::new(quantity).map_err(|_| SubscriptionError::QuantityOutOfRange)?;
    let now = Utc::now();
    let addon = subscription_addons::ActiveModel {
        subscription_id: Set(subscription.id),
        product_id: Set(product.id),
        name: Set(product.name.clone()),
        quantity: Set(quantity),
        status: Set(SubscriptionStatus::Active),
        start_date: Set(today.max(subscription.start_date)),
        term_end_date: Set(subscription.term_end_date),
        canceled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let change = Change {
        subscription_id: subscription.id,
        addon_id: Some(addon.id),
        field: HistoryField::AddonAdded,
        old: None,
        new: Some(format!("{} × {quantity}", addon.name)),
    };
    history::write(db, change, actor).await?;
    Ok(addon)
}

/// Sets the quantity of a subscription (`addon_id: None`) or an add-on. Increases come
/// through a paid order; decreases down to 1 where the cancellation policy allows it.
pub(crate) async fn set_quantity(
    db: &DatabaseConnection,
    scope: AccountScope,
    subscription_id: i32,
    addon_id: Option<i32>,
    quantity: i32,
    actor: &Actor,
    today: NaiveDate,
) -> Result<(), SubscriptionError> {
    let txn = db.begin().await?;
    let loaded = load(&txn, scope, subscription_id).await?;
    let facts = loaded.target_facts(addon_id, today).ok_or(AppError::NotFound)?;
    if facts.status != SubscriptionStatus::Active {
        return Err(SubscriptionError::QuantityNeedsActive);
    }
    Quantity::new(quantity).map_err(|_| SubscriptionError::QuantityOutOfRange)?;
    if quantity == facts.quantity {
        return Err(SubscriptionError::SameQuantity(quantity));
    }
    let change =
        if quantity > facts.quantity { rules::Change::QuantityPurchase } else { rules::Change::QuantityDecrease };
    rules::check_not_blocked(facts.pending, change)?;
    if change == rules::Change::QuantityDecrease && !loaded.policy(today).may_lower_quantity {
        return Err(SubscriptionError::Policy(loaded.policy(today).text));
    }
    write_change(&txn, subscription_id, addon_id, TargetChange::Quantity { old: facts.quantity, new: quantity }, actor)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds licences bought through a paid order (refused while a quantity change is pending).
pub(crate) async fn add_quantity<C: ConnectionTrait>(
    db: &C,
    subscription_id: i32,
    added: i32,
    actor: &Actor,
) -> Result<(), SubscriptionError> {
    let loaded = load(db, AccountScope::All, subscription_id).await?;
    let s = &loaded.subscription;
    if s.status != SubscriptionStatus::Active {
        return Err(SubscriptionError::NotActive { name: s.name.clone() });
    }
    rules::check_not_blocked(loaded.pending_pair(None), rules::Change::QuantityPurchase)?;
    let quantity = match s.quantity.checked_add(added).map(Quantity::new) {
        Some(Ok(q)) if added > 0 => q.get(),
        _ => return Err(SubscriptionError::QuantityWouldLeaveRange),
    };
    write_change(db, s.id, None, TargetChange::Quantity { old: s.quantity, new: quantity }, actor).await?;
    Ok(())
}

/// A new quantity or status for a subscription or one of its add-ons.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TargetChange {
    Quantity { old: i32, new: i32 },
    Status { old: SubscriptionStatus, new: SubscriptionStatus },
}

/// Writes a change to a subscription (`addon_id: None`) or to one add-on, with its one
/// history record. Callers have checked the change is allowed.
pub(crate) async fn write_change<C: ConnectionTrait>(
    db: &C,
    subscription_id: i32,
    addon_id: Option<i32>,
    change: TargetChange,
    actor: &Actor,
) -> AppResult<()> {
    let now = Utc::now();
    let (quantity, status, record) = match change {
        TargetChange::Quantity { old, new } => (
            Set(new),
            NotSet,
            Change {
                subscription_id,
                addon_id,
                field: HistoryField::Quantity,
                old: Some(old.to_string()),
                new: Some(new.to_string()),
            },
        ),
        TargetChange::Status { old, new } => (NotSet, Set(new), status_change(subscription_id, addon_id, old, new)),
    };
    match addon_id {
        None => {
            subscriptions::ActiveModel {
                id: Set(subscription_id),
                quantity,
                status,
                updated_at: Set(now),
                ..Default::default()
            }
            .update(db)
            .await?;
        }
        Some(id) => {
            subscription_addons::ActiveModel {
                id: Set(id),
                quantity,
                status,
                updated_at: Set(now),
                ..Default::default()
            }
            .update(db)
            .await?;
        }
    }
    history::write(db, record, actor).await
}

/// Suspends an active subscription or resumes a suspended one. Only its seller may: the
/// provider for a reseller's own subscriptions and for its direct customers', a reseller
/// for its customers' (never its own). Anybody else finds no such subscription (404).
pub(crate) async fn set_suspended(
    db: &DatabaseConnection,
    viewer: &Viewer,
    subscription_id: i32,
    suspend: bool,
    actor: &Actor,
) -> Result<(), SubscriptionError> {
    let seller = AccountScope::sold_by(viewer).ok_or(AppError::NotFound)?;
    let txn = db.begin().await?;
    let loaded = load(&txn, seller, subscription_id).await?;
    let s = &loaded.subscription;
    let (from, to) = if suspend {
        (SubscriptionStatus::Active, SubscriptionStatus::Suspended)
    } else {
        (SubscriptionStatus::Suspended, SubscriptionStatus::Active)
    };
    if s.status != from {
        return Err(if suspend { SubscriptionError::NotActiveToSuspend } else { SubscriptionError::NotSuspended });
    }
    if suspend {
        rules::check_not_blocked(loaded.pending_pair(None), rules::Change::Suspend)?;
    }
    write_change(&txn, s.id, None, TargetChange::Status { old: from, new: to }, actor).await?;
    txn.commit().await?;
    Ok(())
}

/// Cancels a subscription (and its add-ons) or one add-on now, where the policy allows it;
/// pending actions on what is cancelled are revoked. A refund or prorated credit the policy
/// gives becomes a credit invoice linked to the debit invoice that charged it (returned).
pub(crate) async fn cancel_now(
    db: &DatabaseConnection,
    scope: AccountScope,
    subscription_id: i32,
    addon_id: Option<i32>,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Option<crate::entities::invoices::Model>, SubscriptionError> {
    let txn = db.begin().await?;
    let loaded = load(&txn, scope, subscription_id).await?;
    let facts = loaded.target_facts(addon_id, today).ok_or(AppError::NotFound)?;
    if facts.status == SubscriptionStatus::Canceled {
        return Err(SubscriptionError::AlreadyCanceled);
    }
    rules::check_not_blocked(facts.pending, rules::Change::Cancel)?;
    let policy = loaded.policy(today);
    if !policy.allows(CancelWhen::Immediately) {
        return Err(SubscriptionError::Policy(policy.text));
    }
    cancel_in(&txn, &loaded, addon_id, actor, "canceled at the customer's request", Utc::now()).await?;
    let credit = match addon_id {
        None => crate::billing::credits::issue_for_cancellation(&txn, subscription_id, policy.credit, today).await?,
        Some(_) => None,
    };
    txn.commit().await?;
    Ok(credit)
}

/// Marks a subscription (with its add-ons) or one add-on canceled and revokes what was
/// pending on it. Used by "cancel now" and by the future-action runner.
/// `effective` is when the cancellation takes effect (the last day charged is the day
/// before): now, or the scheduled moment of a future action that runs late.
pub(crate) async fn cancel_in<C: ConnectionTrait>(
    db: &C,
    loaded: &Loaded,
    addon_id: Option<i32>,
    actor: &Actor,
    reason: &str,
    effective: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let now = Utc::now();
    let s = &loaded.subscription;
    let addons: Vec<&subscription_addons::Model> = loaded
        .addons
        .iter()
        .filter(|a| a.status != SubscriptionStatus::Canceled && (addon_id.is_none() || addon_id == Some(a.id)))
        .collect();
    for addon in &addons {
        subscription_addons::ActiveModel {
            id: Set(addon.id),
            status: Set(SubscriptionStatus::Canceled),
            canceled_at: Set(Some(effective)),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(db)
        .await?;
        history::write(db, status_change(s.id, Some(addon.id), addon.status, SubscriptionStatus::Canceled), actor)
            .await?;
    }
    if addon_id.is_none() {
        subscriptions::ActiveModel {
            id: Set(s.id),
            status: Set(SubscriptionStatus::Canceled),
            canceled_at: Set(Some(effective)),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(db)
        .await?;
        history::write(db, status_change(s.id, None, s.status, SubscriptionStatus::Canceled), actor).await?;
    }
    let affected: Vec<i32> =
        loaded.pending.iter().filter(|a| addon_id.is_none() || a.addon_id == addon_id).map(|a| a.id).collect();
    if !affected.is_empty() {
        future_actions::Entity::update_many()
            .col_expr(future_actions::Column::Status, FutureActionStatus::Revoked.as_str().into())
            .col_expr(future_actions::Column::Result, Some(reason.to_string()).into())
            .col_expr(future_actions::Column::UpdatedAt, now.into())
            .filter(future_actions::Column::Id.is_in(affected))
            .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Extends an active ramp-up period (provider admins: the caller checks). One history record.
pub(crate) async fn extend_ramp_up(
    db: &DatabaseConnection,
    scope: AccountScope,
    subscription_id: i32,
    months: u32,
    actor: &Actor,
    today: NaiveDate,
) -> Result<NaiveDate, SubscriptionError> {
    let txn = db.begin().await?;
    let loaded = load(&txn, scope, subscription_id).await?;
    let s = &loaded.subscription;
    let new_end = rules::extend_ramp_up(s.start_date, s.ramp_up_end, months, today)?;
    let total_months = s.ramp_up_months.unwrap_or(0) + months as i32;
    subscriptions::ActiveModel {
        id: Set(s.id),
        ramp_up_end: Set(Some(new_end)),
        ramp_up_months: Set(Some(total_months)),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let record = Change {
        subscription_id: s.id,
        addon_id: None,
        field: HistoryField::RampUpEnd,
        old: s.ramp_up_end.map(|d| d.to_string()),
        new: Some(new_end.to_string()),
    };
    history::write(&txn, record, actor).await?;
    txn.commit().await?;
    Ok(new_end)
}

/// Renews every auto-renewing subscription whose term ended before `today`: the next term
/// starts the day after, for the product's term length. Add-ons follow. Returns how many.
pub async fn renew_due<C: ConnectionTrait + TransactionTrait>(db: &C, today: NaiveDate) -> AppResult<usize> {
    let due = subscriptions::Entity::find()
        // A suspension does not end a commitment: suspended subscriptions renew too.
        .filter(subscriptions::Column::Status.is_in([SubscriptionStatus::Active, SubscriptionStatus::Suspended]))
        .filter(subscriptions::Column::AutoRenew.eq(true))
        .filter(subscriptions::Column::TermEndDate.lt(today))
        .find_also_related(products::Entity)
        .all(db)
        .await?;
    let mut renewed = 0;
    for (s, product) in due {
        let Some(product) = product else { continue };
        let term_months = rules::term_months(product.kind, product.term_months, s.ri_term_years);
        let next_end = rules::renewed_term_end(s.term_end_date, term_months, today);
        let txn = db.begin().await?;
        // Only if nobody renewed it meanwhile (another instance).
        let updated = subscriptions::Entity::update_many()
            .col_expr(subscriptions::Column::TermEndDate, next_end.into())
            .col_expr(subscriptions::Column::UpdatedAt, Utc::now().into())
            .filter(subscriptions::Column::Id.eq(s.id))
            .filter(subscriptions::Column::TermEndDate.eq(s.term_end_date))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 1 {
            subscription_addons::Entity::update_many()
                .col_expr(subscription_addons::Column::TermEndDate, next_end.into())
                .filter(subscription_addons::Column::SubscriptionId.eq(s.id))
                .filter(
                    subscription_addons::Column::Status
                        .is_in([SubscriptionStatus::Active, SubscriptionStatus::Suspended]),
                )
                .exec(&txn)
                .await?;
            let record = Change {
                subscription_id: s.id,
                addon_id: None,
                field: HistoryField::TermEndDate,
                old: Some(s.term_end_date.to_string()),
                new: Some(next_end.to_string()),
            };
            history::write(&txn, record, &Actor::system()).await?;
            renewed += 1;
        }
        txn.commit().await?;
    }
    Ok(renewed)
}
