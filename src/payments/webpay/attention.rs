//! Admin → Orders needing attention: paid orders whose subscriptions could not be created
//! (Retry, or refund them), approvals not taken whose automatic refund did not go through
//! (Refund), commits WebPay never confirmed (checked in Transbank's portal), and refunds
//! whose answer was lost (checked with WebPay's status). Nothing that moved money is dropped.

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::checkout::{self, refund_state, state};
use super::client::WebpayClient;
use crate::accounts::scope::AccountScope;
use crate::billing::money;
use crate::catalog::orders as order_views;
use crate::entities::enums::OrderStatus;
use crate::entities::{orders, payments, refunds, webpay_transactions};
use crate::error::{refusals, AppError, AppResult};
use crate::subscriptions::history::Actor;

/// Why an admin's action on the queue is refused or did not work; each displays the
/// admin's message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AttentionError {
    #[error("Order {number} is not waiting to be set up.")]
    NotWaitingForSetup { number: String },
    /// Retried and refused again (the order's flag now says so).
    #[error("The order's subscriptions could not be created: {0}")]
    SubscriptionsNotCreated(order_views::OrderError),
    #[error("WebPay order {buy_order} has no refund waiting.")]
    NoRefundWaiting { buy_order: String },
    #[error("WebPay order {buy_order} is being refunded already.")]
    BeingRefunded { buy_order: String },
    /// The refund was asked and did not go through: what the transaction's flag says.
    #[error("{}", .attention.as_deref().unwrap_or("The refund did not go through."))]
    RefundNotDone { attention: Option<String> },
    #[error("WebPay order {buy_order} is not waiting to be checked.")]
    NotWaitingToBeChecked { buy_order: String },
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(AttentionError);

impl AttentionError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    /// A refund's flag (`attention`) is stored as written and shown as it is. For the admin
    /// attention page.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        use crate::i18n::tr;
        match self {
            AttentionError::NotWaitingForSetup { number } => {
                tr!(loc, "order-attention-not-waiting-for-setup", number = number.as_str())
            }
            AttentionError::SubscriptionsNotCreated(error) => {
                tr!(loc, "order-attention-subscriptions-not-created", reason = error.localized(loc))
            }
            AttentionError::NoRefundWaiting { buy_order } => {
                tr!(loc, "order-attention-no-refund-waiting", buy_order = buy_order.as_str())
            }
            AttentionError::BeingRefunded { buy_order } => {
                tr!(loc, "order-attention-being-refunded", buy_order = buy_order.as_str())
            }
            AttentionError::RefundNotDone { attention } => match attention {
                Some(attention) => attention.clone(),
                None => loc.t("order-attention-refund-not-done"),
            },
            AttentionError::NotWaitingToBeChecked { buy_order } => {
                tr!(loc, "order-attention-not-waiting-to-be-checked", buy_order = buy_order.as_str())
            }
            AttentionError::Failed(_) => loc.t("error-internal"),
        }
    }
}

/// Everything waiting for an admin, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Queue {
    /// Paid orders whose subscriptions could not be created (`attention` says why).
    pub orders: Vec<orders::Model>,
    /// Transactions an admin must act on (`attention` says why), with their order.
    pub transactions: Vec<(webpay_transactions::Model, Option<orders::Model>)>,
    /// Refunds whose answer was lost.
    pub refunds: Vec<RefundWaiting>,
}

/// A refund whose answer was lost, its order, and whether WebPay's status can still settle
/// it (else an admin records what Transbank's portal shows).
#[derive(Debug, Clone)]
pub(crate) struct RefundWaiting {
    pub refund: refunds::Model,
    pub order: orders::Model,
    pub status_readable: bool,
}

impl Queue {
    pub(crate) fn is_empty(&self) -> bool {
        self.orders.is_empty() && self.transactions.is_empty() && self.refunds.is_empty()
    }
}

pub(crate) async fn queue(db: &DatabaseConnection) -> AppResult<Queue> {
    let orders = orders::Entity::find()
        .filter(orders::Column::Attention.is_not_null())
        .filter(orders::Column::Status.eq(OrderStatus::Paid))
        .order_by_asc(orders::Column::Id)
        .all(db)
        .await?;
    let transactions = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Attention.is_not_null())
        .find_also_related(orders::Entity)
        .order_by_asc(webpay_transactions::Column::Id)
        .all(db)
        .await?;
    let waiting = refunds::Entity::find()
        .filter(refunds::Column::Status.is_in([refund_state::VERIFYING, refund_state::SENDING]))
        .find_also_related(payments::Entity)
        .order_by_asc(refunds::Column::Id)
        .all(db)
        .await?;
    let mut refunds = Vec::new();
    for (refund, payment) in waiting {
        let Some(payment) = payment else { continue };
        let Some(order) = orders::Entity::find_by_id(payment.order_id).one(db).await? else { continue };
        let transaction = match payment.webpay_transaction_id {
            Some(id) => webpay_transactions::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        let status_readable = transaction.as_ref().is_some_and(checkout::status_readable);
        refunds.push(RefundWaiting { refund, order, status_readable });
    }
    Ok(Queue { orders, transactions, refunds })
}

/// Creates a flagged paid order's subscriptions again (all or nothing); on success the flag
/// is cleared. A refusal says why it still cannot be done (the flag then says so too).
pub(crate) async fn retry(db: &DatabaseConnection, actor: &Actor, number: &str) -> Result<(), AttentionError> {
    let txn = db.begin().await?;
    let view = order_views::load(&txn, AccountScope::All, number).await?;
    if view.order.status != OrderStatus::Paid || view.order.attention.is_none() {
        return Err(AttentionError::NotWaitingForSetup { number: number.to_string() });
    }
    // The flag is the claim: of two retries at once, one runs.
    let claimed = orders::Entity::update_many()
        .col_expr(orders::Column::Attention, Option::<String>::None.into())
        .col_expr(orders::Column::UpdatedAt, Utc::now().into())
        .filter(orders::Column::Id.eq(view.order.id))
        .filter(orders::Column::Attention.is_not_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AttentionError::NotWaitingForSetup { number: number.to_string() });
    }
    match order_views::create_subscriptions(&txn, &view, actor).await {
        Ok(linked) => {
            // The invoice issued with the payment now names the subscriptions it paid for.
            crate::billing::order_invoice::link_subscriptions(&txn, &linked).await?;
            txn.commit().await?;
            Ok(())
        }
        Err(order_views::OrderError::Failed(error)) => Err(error.into()),
        Err(refused) => {
            txn.rollback().await?;
            let not_created = AttentionError::SubscriptionsNotCreated(refused);
            checkout::flag_order(db, view.order.id, Some(not_created.to_string())).await?;
            Err(not_created)
        }
    }
}

/// Refunds in full, through WebPay, an approval that was not taken and whose automatic
/// refund did not go through. WebPay's status is asked first, so money already given back
/// (a lost answer, or a refund in Transbank's portal) is recorded rather than asked again.
/// Answers the admin's message.
pub(crate) async fn refund_transaction(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    id: i32,
) -> Result<String, AttentionError> {
    let transaction = webpay_transactions::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if transaction.status != state::REFUND_NEEDED {
        return Err(AttentionError::NoRefundWaiting { buy_order: transaction.buy_order });
    }
    // When the status cannot be read (after 7 days, or an outage) the refund is asked all the
    // same: WebPay refuses one beyond what is left of the transaction.
    if checkout::refund_shown_by_status(db, webpay, &transaction).await? == Some(true) {
        return Ok(format!(
            "WebPay's status shows WebPay order {} was already refunded in full.",
            transaction.buy_order
        ));
    }
    if !checkout::claim(db, id, state::REFUND_NEEDED, state::REFUNDING).await? {
        return Err(AttentionError::BeingRefunded { buy_order: transaction.buy_order });
    }
    let amount = checkout::captured_amount(&transaction);
    checkout::refund_not_taken(db, webpay, &transaction, amount, state::REFUNDING).await?;
    let after = webpay_transactions::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if after.status == state::REFUNDED {
        Ok(format!("{} of WebPay order {} was refunded in full.", money::format(amount, "CLP"), after.buy_order))
    } else {
        Err(AttentionError::RefundNotDone { attention: after.attention })
    }
}

/// An admin checked in Transbank's portal a commit WebPay never confirmed: off the queue.
pub(crate) async fn mark_checked(db: &DatabaseConnection, id: i32) -> Result<String, AttentionError> {
    let transaction = webpay_transactions::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if transaction.status != state::UNVERIFIED || transaction.attention.is_none() {
        return Err(AttentionError::NotWaitingToBeChecked { buy_order: transaction.buy_order });
    }
    webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Attention, Option::<String>::None.into())
        .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
        .filter(webpay_transactions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(format!("WebPay order {} was marked as checked.", transaction.buy_order))
}
