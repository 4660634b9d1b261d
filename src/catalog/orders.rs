//! Orders: placed from the cart with amounts computed on the server, items (reserved
//! instances included) removable while unpaid, and a paid order's subscriptions.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::cart;
use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::billing::money;
use crate::billing::tax::{self, VatRate};
use crate::entities::enums::OrderStatus;
use crate::entities::{cart_items, carts, order_items, orders, products};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};
use crate::subscriptions::history::Actor;
use crate::subscriptions::lifecycle::{self, NewSubscription, SubscriptionError};

/// Why an order could not be placed, changed or provisioned.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("Your cart is empty.")]
    CartEmpty,
    #[error("{0} is no longer sold: remove it from your cart to place the order.")]
    NoLongerSold(String),
    #[error("{0} has no price in your cart's currency: remove it from your cart to place the order.")]
    NoPrice(String),
    #[error("Confirm your e-mail address before your first purchase: follow the link we sent you (My Account sends it again).")]
    EmailNotConfirmed,
    #[error("Only an order that is waiting for payment can change.")]
    NotWaitingForPayment,
    #[error("The order is not paid.")]
    NotPaid,
    /// One of a paid order's subscriptions could not be created or increased.
    #[error(transparent)]
    Subscription(SubscriptionError),
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(OrderError);

impl OrderError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            OrderError::CartEmpty => loc.t("order-cart-empty"),
            OrderError::NoLongerSold(product) => tr!(loc, "order-no-longer-sold", product = product.as_str()),
            OrderError::NoPrice(product) => tr!(loc, "order-no-price", product = product.as_str()),
            OrderError::EmailNotConfirmed => loc.t("order-email-not-confirmed"),
            OrderError::NotWaitingForPayment => loc.t("order-not-waiting-for-payment"),
            OrderError::NotPaid => loc.t("order-not-paid"),
            OrderError::Subscription(error) => error.localized(loc),
            OrderError::Failed(_) => loc.t("error-internal"),
        }
    }
}

/// An order's status as people read it, in their language.
pub(crate) fn status_label(loc: &impl Localize, status: OrderStatus) -> String {
    loc.t(match status {
        OrderStatus::PendingPayment => msg!("order-status-pending-payment"),
        OrderStatus::PaymentVerifying => msg!("order-status-payment-verifying"),
        OrderStatus::Paid => msg!("order-status-paid"),
        OrderStatus::Canceled => msg!("order-status-canceled"),
    })
}

impl From<SubscriptionError> for OrderError {
    fn from(error: SubscriptionError) -> Self {
        match error {
            SubscriptionError::Failed(error) => OrderError::Failed(error),
            refused => OrderError::Subscription(refused),
        }
    }
}

/// An order with its items and their products.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: orders::Model,
    pub items: Vec<(order_items::Model, products::Model)>,
}

impl OrderStatus {
    pub(crate) fn label(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "Waiting for payment",
            OrderStatus::PaymentVerifying => "Payment being verified",
            OrderStatus::Paid => "Paid",
            OrderStatus::Canceled => "Canceled",
        }
    }
}

/// The order number shown to people and sent (as buy_order) to the payment gateway.
pub(crate) fn order_number(id: i32) -> String {
    format!("SO-{id:07}")
}

/// Places an order from the viewer's cart: one item per cart line at today's price,
/// status "pending payment"; the cart is emptied.
pub(crate) async fn place_from_cart<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
) -> Result<orders::Model, OrderError> {
    if viewer.user.email_verified_at.is_none() {
        return Err(OrderError::EmailNotConfirmed);
    }
    let view = cart::load(db, viewer).await?;
    if view.lines.is_empty() {
        return Err(OrderError::CartEmpty);
    }
    // An unpublished product is not sold any more, and nothing is sold without a price.
    if let Some(line) = view.lines.iter().find(|line| !line.product.active) {
        return Err(OrderError::NoLongerSold(line.product.name.clone()));
    }
    if let Some(line) = view.lines.iter().find(|line| !line.priced) {
        return Err(OrderError::NoPrice(line.product.name.clone()));
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    let placeholder = format!("pending-{}-{}", viewer.user.id, now.timestamp_nanos_opt().unwrap_or_default());
    let order = orders::ActiveModel {
        number: Set(placeholder),
        account_id: Set(viewer.account.id),
        user_id: Set(Some(viewer.user.id)),
        status: Set(OrderStatus::PendingPayment),
        currency: Set(view.currency.clone()),
        subtotal: Set(view.totals.net),
        tax: Set(view.totals.tax),
        total: Set(view.totals.total),
        vat_basis_points: Set(view.vat_rate.basis_points()),
        created_at: Set(now),
        updated_at: Set(now),
        paid_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut numbered: orders::ActiveModel = order.into();
    numbered.number = Set(order_number(*numbered.id.as_ref()));
    let order = numbered.update(&txn).await?;
    for line in &view.lines {
        order_items::ActiveModel {
            order_id: Set(order.id),
            product_id: Set(line.product.id),
            subscription_id: Set(line.item.subscription_id),
            description: Set(line.product.name.clone()),
            quantity: Set(line.item.quantity),
            unit_price: Set(line.unit_price),
            unit_cost: Set(line.unit_cost),
            total: Set(line.total),
            ri_reservation_type: Set(line.item.ri_reservation_type.clone()),
            ri_term_years: Set(line.item.ri_term_years),
            ri_scope: Set(line.item.ri_scope.clone()),
            ri_region: Set(line.item.ri_region.clone()),
            ri_payment_plan: Set(line.item.ri_payment_plan),
            ri_auto_renew: Set(line.item.ri_auto_renew),
            ramp_up_months: Set(line.item.ramp_up_months),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    if let Some(cart_id) = view.lines.first().map(|l| l.item.cart_id) {
        cart_items::Entity::delete_many().filter(cart_items::Column::CartId.eq(cart_id)).exec(&txn).await?;
        carts::Entity::delete_by_id(cart_id).exec(&txn).await?;
    }
    txn.commit().await?;
    Ok(order)
}

/// An order the scope allows, by number (404 otherwise).
pub async fn load<C: ConnectionTrait>(db: &C, scope: AccountScope, number: &str) -> AppResult<OrderView> {
    let order = orders::Entity::find()
        .filter(orders::Column::Number.eq(number))
        .filter(scope.condition(orders::Column::AccountId))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = order_items::Entity::find()
        .filter(order_items::Column::OrderId.eq(order.id))
        .find_also_related(products::Entity)
        .order_by_asc(order_items::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(item, product)| product.map(|p| (item, p)))
        .collect();
    Ok(OrderView { order, items })
}

/// The orders of one account, newest first.
pub(crate) async fn of_account(
    db: &DatabaseConnection,
    scope: AccountScope,
    account_id: i32,
    page: PageQuery,
) -> AppResult<Paged<orders::Model>> {
    let select = orders::Entity::find()
        .filter(orders::Column::AccountId.eq(account_id))
        .filter(scope.condition(orders::Column::AccountId));
    let keyset = Keyset::new("orders", vec![Term::desc(orders::Column::CreatedAt), Term::desc(orders::Column::Id)]);
    fetch_page(db, select, &keyset, |o| vec![o.created_at.into(), o.id.into()], &page).await
}

/// Removes an item (any kind, reserved instances included) from an unpaid order and
/// recomputes its total; an order left without items is canceled.
pub(crate) async fn remove_item(
    db: &DatabaseConnection,
    scope: AccountScope,
    number: &str,
    item_id: i32,
) -> Result<orders::Model, OrderError> {
    let txn = db.begin().await?;
    let view = load(&txn, scope, number).await?;
    let (item, _) = view.items.iter().find(|(i, _)| i.id == item_id).cloned().ok_or(AppError::NotFound)?;
    // A conditional update takes the order (and, on PostgreSQL, locks its row): a payment
    // settling at the same moment either comes first, and the order no longer changes, or
    // finds the total changed and does not take the order.
    let still_waiting = orders::Entity::update_many()
        .col_expr(orders::Column::UpdatedAt, Utc::now().into())
        .filter(orders::Column::Id.eq(view.order.id))
        .filter(orders::Column::Status.eq(OrderStatus::PendingPayment))
        .exec(&txn)
        .await?;
    if view.order.status != OrderStatus::PendingPayment || still_waiting.rows_affected != 1 {
        return Err(OrderError::NotWaitingForPayment);
    }
    item.delete(&txn).await?;
    let line_totals: Vec<i64> = order_items::Entity::find()
        .filter(order_items::Column::OrderId.eq(view.order.id))
        .select_only()
        .column(order_items::Column::Total)
        .into_tuple()
        .all(&txn)
        .await?;
    let rate = VatRate::from_basis_points(view.order.vat_basis_points).map_err(AppError::Internal)?;
    let net = money::checked_sum(line_totals.iter().copied()).map_err(AppError::from)?;
    let totals = tax::totals(net, rate).map_err(AppError::from)?;
    let mut order: orders::ActiveModel = view.order.into();
    order.subtotal = Set(totals.net);
    order.tax = Set(totals.tax);
    order.total = Set(totals.total);
    if line_totals.is_empty() {
        order.status = Set(OrderStatus::Canceled);
    }
    order.updated_at = Set(Utc::now());
    let order = order.update(&txn).await?;
    txn.commit().await?;
    Ok(order)
}

/// Creates (or, for an item naming a subscription, increases) the subscriptions of a paid
/// order; reserved instances become subscriptions carrying their reservation. Each item
/// is linked to the subscription it bought, so its invoice line says which subscription
/// and which days it paid for; the answer is the order with those links.
pub async fn create_subscriptions<C: ConnectionTrait>(
    db: &C,
    view: &OrderView,
    actor: &Actor,
) -> Result<OrderView, OrderError> {
    if view.order.status != OrderStatus::Paid {
        return Err(OrderError::NotPaid);
    }
    let start_date = view.order.paid_at.unwrap_or_else(Utc::now).date_naive();
    let mut linked = view.clone();
    for (item, product) in &mut linked.items {
        if let Some(subscription_id) = item.subscription_id {
            lifecycle::add_quantity(db, subscription_id, item.quantity, actor).await?;
            continue;
        }
        let new = NewSubscription {
            account_id: view.order.account_id,
            product: product.clone(),
            quantity: item.quantity,
            start_date,
            ramp_up_months: item.ramp_up_months.unwrap_or(0).clamp(0, 3) as u32,
            is_trial: false,
            external_id: None,
            ri_reservation_type: item.ri_reservation_type.clone(),
            ri_term_years: item.ri_term_years,
            ri_scope: item.ri_scope.clone(),
            ri_region: item.ri_region.clone(),
            ri_payment_plan: item.ri_payment_plan,
            ri_auto_renew: item.ri_auto_renew,
        };
        let subscription = lifecycle::create(db, new, actor).await?;
        order_items::Entity::update_many()
            .col_expr(order_items::Column::SubscriptionId, Some(subscription.id).into())
            .filter(order_items::Column::Id.eq(item.id))
            .exec(db)
            .await?;
        item.subscription_id = Some(subscription.id);
    }
    Ok(linked)
}

/// Takes back what a fully refunded order bought: each item's licences come off the
/// subscription it bought them for, and a subscription left with none is canceled, each
/// with its history record. Items never provisioned, or already canceled, are left alone.
pub(crate) async fn take_back<C: ConnectionTrait>(db: &C, view: &OrderView, actor: &Actor) -> AppResult<()> {
    for (item, _) in &view.items {
        let Some(subscription_id) = item.subscription_id else { continue };
        let loaded = lifecycle::load(db, AccountScope::All, subscription_id).await?;
        let quantity = loaded.subscription.quantity;
        if loaded.subscription.status == crate::entities::enums::SubscriptionStatus::Canceled {
            continue;
        }
        if quantity > item.quantity {
            let change = lifecycle::TargetChange::Quantity { old: quantity, new: quantity - item.quantity };
            lifecycle::write_change(db, subscription_id, None, change, actor).await?;
        } else {
            let reason = format!("order {} refunded", view.order.number);
            lifecycle::cancel_in(db, &loaded, None, actor, &reason, Utc::now()).await?;
        }
    }
    Ok(())
}
