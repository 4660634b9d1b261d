//! Paying an order with WebPay Plus: start a transaction (one live attempt per order), judge
//! what comes back to the return URL (each token processed once), and settle a paid order
//! (subscriptions, a paid debit invoice and a payment record) in one transaction. An
//! approval that cannot be taken as the order's payment (the order was paid meanwhile, its
//! total changed, a TEST payment where test payments do not count) is recorded and refunded
//! in full at once, or queued for an admin; a lost answer is verified with `status`.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::client::{WebpayClient, WebpayError};
use super::events;
use super::gateway::GatewaySettings;
use super::{is_paid, CreateRequest, TransactionAnswer, MAX_BUY_ORDER, MAX_SESSION_ID};
use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::billing::money;
use crate::billing::order_invoice;
use crate::catalog::orders;
use crate::entities::enums::{InvoiceType, OrderStatus, RefundStatus, TransactionState};
use crate::entities::{invoices, payments, refunds, webpay_transactions};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::observability::metrics;
use crate::subscriptions::history::Actor;

/// Why a payment cannot start, or a return matches nothing; each displays the shopper's message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckoutError {
    #[error("Order {number} is {}; it cannot be paid now.", .status.label())]
    NotPayable { number: String, status: OrderStatus },
    #[error("WebPay takes payments in Chilean pesos (CLP) only.")]
    NotInPesos,
    #[error("This order has nothing to pay.")]
    NothingToPay,
    /// The order stopped waiting for payment while the attempt was being started.
    #[error("Order {number} cannot be paid now; reload it to see why.")]
    ChangedMeanwhile { number: String },
    #[error(
        "A payment of this order is being confirmed with WebPay. Its result will show on this page shortly; there \
         is no need to pay again."
    )]
    BeingConfirmed,
    #[error("This order has been tried too many times; contact support.")]
    TooManyAttempts,
    #[error("A newer payment of this order was started in another window; continue there.")]
    Superseded,
    #[error("WebPay could not start the payment just now. Nothing was charged; please try again shortly.")]
    NotStarted,
    #[error("This payment return does not match any order. Nothing was charged to an order.")]
    UnmatchedReturn,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(CheckoutError);

impl CheckoutError {
    /// The shopper's message in their language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            CheckoutError::NotPayable { number, status } => {
                tr!(loc, "order-not-payable", number = number.as_str(), status = orders::status_label(loc, *status))
            }
            CheckoutError::NotInPesos => loc.t("order-webpay-not-in-pesos"),
            CheckoutError::NothingToPay => loc.t("order-nothing-to-pay"),
            CheckoutError::ChangedMeanwhile { number } => {
                tr!(loc, "order-changed-meanwhile", number = number.as_str())
            }
            CheckoutError::BeingConfirmed => loc.t("order-payment-being-confirmed"),
            CheckoutError::TooManyAttempts => loc.t("order-too-many-attempts"),
            CheckoutError::Superseded => loc.t("order-payment-superseded"),
            CheckoutError::NotStarted => loc.t("order-webpay-not-started"),
            CheckoutError::UnmatchedReturn => loc.t("order-unmatched-return"),
            CheckoutError::Failed(_) => loc.t("error-internal"),
        }
    }
}

/// Why an approved payment does not pay its order (it is then refunded); each displays the
/// reason recorded for the shopper and the admin.
#[derive(Debug, thiserror::Error)]
enum NotTaken {
    #[error(
        "This payment of {paid} (WebPay order {buy_order}) was approved after this order had already been paid, so \
         it was not needed."
    )]
    AlreadyPaid { paid: String, buy_order: String },
    #[error("This payment of {paid} was approved after the order was canceled, so it does not pay it.")]
    OrderCanceled { paid: String },
    #[error(
        "WebPay approved {paid}, but the order's total had changed to {total} meanwhile, so it does not pay the order."
    )]
    TotalChanged { paid: String, total: String },
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(NotTaken);

/// Why a paid order's subscriptions were not created (none were: all or nothing); displays
/// the reason an admin reads on the order.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProvisionError {
    /// Refused by the order's rules, or broken while creating them (rolled back either way).
    #[error("The order's subscriptions could not be created: {0}")]
    NotCreated(orders::OrderError),
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(ProvisionError);

/// Why a refund is refused or did not go through; each displays the admin's message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RefundError {
    #[error("Only a paid order can be refunded.")]
    NotPaid,
    #[error("This order was not paid through WebPay.")]
    NotPaidThroughWebpay,
    #[error("Refund between 1 and {left} pesos (what is left of this payment).")]
    AmountOutOfRange { left: i64 },
    #[error("WebPay refused the refund: {message}")]
    RefusedByWebpay { message: String },
    #[error("The refund did not go through: {0}.")]
    NotThrough(WebpayError),
    /// An admin may record a refund only once no answer can come any more.
    #[error(
        "The refund of {amount} of order {number} is still being sent to WebPay; record it only if no answer comes."
    )]
    StillSending { amount: String, number: String },
    #[error("The refund of {amount} of order {number} is settled already.")]
    AlreadySettled { amount: String, number: String },
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(RefundError);

impl RefundError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            RefundError::NotPaid => loc.t("order-refund-not-paid"),
            RefundError::NotPaidThroughWebpay => loc.t("order-refund-not-through-webpay"),
            RefundError::AmountOutOfRange { left } => {
                tr!(loc, "order-refund-amount-out-of-range", left = *left)
            }
            RefundError::RefusedByWebpay { message } => {
                tr!(loc, "order-refund-refused-by-webpay", message = message.as_str())
            }
            RefundError::NotThrough(error) => tr!(loc, "order-refund-not-through", reason = error.to_string()),
            RefundError::StillSending { amount, number } => {
                tr!(loc, "order-refund-still-sending", amount = amount.as_str(), number = number.as_str())
            }
            RefundError::AlreadySettled { amount, number } => {
                tr!(loc, "order-refund-already-settled", amount = amount.as_str(), number = number.as_str())
            }
            RefundError::Failed(_) => loc.t("error-internal"),
        }
    }
}

/// Where a transaction stands, as stored.
pub mod state {
    use crate::entities::enums::TransactionState;

    pub(crate) const CREATING: TransactionState = TransactionState::Creating;
    pub(crate) const CREATE_FAILED: TransactionState = TransactionState::CreateFailed;
    pub(crate) const CREATED: TransactionState = TransactionState::Created;
    /// Replaced by a newer attempt of the same order before it came back: never committed.
    pub(crate) const SUPERSEDED: TransactionState = TransactionState::Superseded;
    pub(crate) const COMMITTING: TransactionState = TransactionState::Committing;
    /// A commit's answer being recorded: taken from `committing` by exactly one settler.
    pub(crate) const SETTLING: TransactionState = TransactionState::Settling;
    pub(crate) const AUTHORIZED: TransactionState = TransactionState::Authorized;
    pub(crate) const REJECTED: TransactionState = TransactionState::Rejected;
    pub(crate) const CANCELLED: TransactionState = TransactionState::Cancelled;
    pub(crate) const TIMED_OUT: TransactionState = TransactionState::TimedOut;
    pub(crate) const FORM_ERROR: TransactionState = TransactionState::FormError;
    pub(crate) const VERIFYING: TransactionState = TransactionState::Verifying;
    pub(crate) const FAILED: TransactionState = TransactionState::Failed;
    /// Approved, but not taken as the order's payment (`not_taken_reason` says why): the
    /// full refund is being asked of WebPay.
    pub(crate) const REFUNDING: TransactionState = TransactionState::Refunding;
    /// Approved, not taken, and refunded in full through WebPay.
    pub(crate) const REFUNDED: TransactionState = TransactionState::Refunded;
    /// Approved, not taken, and the automatic refund did not go through: an admin's
    /// (`attention` says why). WebPay's status is still checked in the background.
    pub(crate) const REFUND_NEEDED: TransactionState = TransactionState::RefundNeeded;
    /// The commit answer was lost and WebPay's status could not be read within its 7 days:
    /// an admin checks in Transbank's portal (`attention`).
    pub(crate) const UNVERIFIED: TransactionState = TransactionState::Unverified;
}

/// Where a refund of a paid order stands, as stored in `refunds.status`.
pub mod refund_state {
    use crate::entities::enums::RefundStatus;

    /// Sent to WebPay, no answer yet. Counts as refunded until settled.
    pub(crate) const SENDING: RefundStatus = RefundStatus::Sending;
    /// WebPay's answer was lost; its status will tell. Counts as refunded until then.
    pub(crate) const VERIFYING: RefundStatus = RefundStatus::Verifying;
    pub(crate) const REVERSED: RefundStatus = RefundStatus::Reversed;
    pub(crate) const NULLIFIED: RefundStatus = RefundStatus::Nullified;
    /// Refused by WebPay, or WebPay's status shows it did not happen.
    pub(crate) const FAILED: RefundStatus = RefundStatus::Failed;
}

/// Why online payment cannot be used now ([`NOT_AVAILABLE_YET`], [`SWITCHED_OFF`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unavailable {
    NotAvailableYet,
    SwitchedOff,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unavailable::NotAvailableYet => NOT_AVAILABLE_YET,
            Unavailable::SwitchedOff => SWITCHED_OFF,
        })
    }
}

impl Unavailable {
    /// The shopper's message in their language.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        loc.t(match self {
            Unavailable::NotAvailableYet => msg!("order-payment-not-available-yet"),
            Unavailable::SwitchedOff => msg!("order-payment-switched-off"),
        })
    }
}

/// What the shopper reads when the gateway was never set up.
pub(crate) const NOT_AVAILABLE_YET: &str = "Online payment is not available yet. Please contact us to pay this order.";
/// What the shopper reads when the admin switched online payment off.
pub(crate) const SWITCHED_OFF: &str = "Online payment is switched off just now. Please try again later.";

/// How long a commit or refund may stay unanswered before the background job treats its
/// answer as lost (longer than any WebPay call may take).
const STALE_MINUTES: i64 = 5;

/// The gateway a checkout talks to: its client, whether its transactions are TEST ones
/// (Transbank's integration environment), and whether this install counts those as paid.
#[derive(Debug, Clone)]
pub struct Gateway {
    pub client: WebpayClient,
    pub test: bool,
    pub takes_test_payments: bool,
    /// Where the links of payment receipts point.
    pub site: crate::mail::Site,
    /// How long a WebPay call may take (the client's timeout): a commit unanswered for
    /// longer, plus [`WRITE_WITHIN`], was abandoned by a process that died meanwhile.
    pub answer_within: std::time::Duration,
}

/// How long writing a commit's answer may take once it arrived (a few statements, each
/// bounded by the database's statement timeout).
const WRITE_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

impl Gateway {
    pub(crate) fn of(
        settings: &GatewaySettings,
        http: &reqwest::Client,
        demo: bool,
        site: crate::mail::Site,
        answer_within: std::time::Duration,
    ) -> Gateway {
        Gateway {
            site,
            answer_within,
            client: settings.client(http),
            test: settings.is_test(),
            takes_test_payments: settings.takes_test_payments(demo),
        }
    }
}

/// What the shopper reads about a transaction.
pub(crate) fn outcome_message(transaction: &webpay_transactions::Model) -> String {
    let reason = || transaction.not_taken_reason.clone().unwrap_or_else(|| "This payment was not needed.".into());
    match transaction.status {
        state::AUTHORIZED => "Payment approved.".into(),
        state::REJECTED => "Your card was declined. No money was taken; you can try again with another card.".into(),
        state::CANCELLED => "You cancelled the payment at WebPay. The order is still waiting for payment.".into(),
        state::TIMED_OUT => "The WebPay form timed out before the payment was made. You can try again.".into(),
        state::FORM_ERROR => "WebPay reported an error on its payment form. No money was taken; try again.".into(),
        state::SUPERSEDED => "This payment attempt was replaced by a newer one. No money was taken for it: WebPay \
                              charges an approved card only once the shop confirms the attempt, and this one was not \
                              confirmed."
            .into(),
        state::VERIFYING | state::COMMITTING => {
            "We did not hear back from WebPay in time. We are verifying the payment; this page will show the result."
                .into()
        }
        state::REFUNDING => format!("{} It is being refunded in full through WebPay.", reason()),
        state::REFUNDED => format!("{} It was refunded in full through WebPay.", reason()),
        state::REFUND_NEEDED => {
            format!("{} It will be refunded in full; our staff have been told and are on it.", reason())
        }
        state::UNVERIFIED => "WebPay could not confirm this payment. Our staff are checking it with Transbank; if \
                              money was taken, it will be refunded."
            .into(),
        state::CREATED | state::CREATING => "The payment was started at WebPay but not finished.".into(),
        _ => "The payment could not be completed. No money was taken; you can try again.".into(),
    }
}

/// Pesos as the reasons were stored (`CLP 1.234.567`): the amount, or none.
fn stored_pesos(text: &str) -> Option<i64> {
    let digits = text.trim().strip_prefix("CLP ")?.replace('.', "");
    digits.parse().ok()
}

/// The reason an approval was not taken ([`NotTaken`] and the checks before it), stored in
/// English as it was written, said in the reader's language: told apart by its wording,
/// with the amounts and buy orders it names. A reason worded otherwise is shown as stored,
/// and English readers read it exactly as stored.
pub(crate) fn not_taken_reason_in(loc: &impl Localize, transaction: &webpay_transactions::Model) -> Option<String> {
    let stored = transaction.not_taken_reason.as_deref()?;
    if loc.lang() == crate::i18n::Lang::En {
        return Some(stored.to_string());
    }
    let paid = || loc.money(transaction.amount, "CLP");
    let between = |from: &str, to: &str| -> Option<String> {
        let start = stored.find(from)? + from.len();
        let end = stored[start..].find(to)? + start;
        Some(stored[start..end].to_string())
    };
    let said = if stored.starts_with("This was a TEST payment") {
        Some(loc.t("order-not-taken-test"))
    } else if stored.starts_with("This payment of ") && stored.contains("had already been paid") {
        Some(tr!(loc, "order-not-taken-already-paid", paid = paid(), buy_order = transaction.buy_order.as_str()))
    } else if stored.starts_with("This payment of ") && stored.contains("after the order was canceled") {
        Some(tr!(loc, "order-not-taken-order-canceled", paid = paid()))
    } else if stored.starts_with("WebPay approved ") && stored.contains("the order's total had changed to ") {
        between("changed to ", " meanwhile")
            .and_then(|total| stored_pesos(&total))
            .map(|total| tr!(loc, "order-not-taken-total-changed", paid = paid(), total = loc.money(total, "CLP")))
    } else if stored.starts_with("WebPay approved ") && stored.contains("not what this attempt asked for") {
        let amount = between("WebPay approved ", " for WebPay order ").and_then(|a| stored_pesos(&a));
        let buy_order = between(" for WebPay order ", ", which is not");
        amount.zip(buy_order).map(|(amount, buy_order)| {
            tr!(loc, "order-not-taken-other-answer", amount = loc.money(amount, "CLP"), buy_order = buy_order)
        })
    } else {
        None
    };
    Some(said.unwrap_or_else(|| stored.to_string()))
}

/// [`outcome_message`] in the reader's language (the reason an approval was not taken by
/// [`not_taken_reason_in`]).
pub(crate) fn outcome_message_in(loc: &impl Localize, transaction: &webpay_transactions::Model) -> String {
    let reason = || not_taken_reason_in(loc, transaction).unwrap_or_else(|| loc.t("order-outcome-not-needed"));
    match transaction.status {
        state::AUTHORIZED => loc.t("order-outcome-approved"),
        state::REJECTED => loc.t("order-outcome-rejected"),
        state::CANCELLED => loc.t("order-outcome-cancelled"),
        state::TIMED_OUT => loc.t("order-outcome-timed-out"),
        state::FORM_ERROR => loc.t("order-outcome-form-error"),
        state::SUPERSEDED => loc.t("order-outcome-superseded"),
        state::VERIFYING | state::COMMITTING => loc.t("order-outcome-verifying"),
        state::REFUNDING => tr!(loc, "order-outcome-refunding", reason = reason()),
        state::REFUNDED => tr!(loc, "order-outcome-refunded", reason = reason()),
        state::REFUND_NEEDED => tr!(loc, "order-outcome-refund-needed", reason = reason()),
        state::UNVERIFIED => loc.t("order-outcome-unverified"),
        state::CREATED | state::CREATING => loc.t("order-outcome-not-finished"),
        _ => loc.t("order-outcome-not-completed"),
    }
}

/// A transaction row only this caller moved from `from` to `to` (a conditional update),
/// so a token is processed once even when its return arrives twice or on two instances.
pub(crate) async fn claim<C: ConnectionTrait>(
    db: &C,
    id: i32,
    from: TransactionState,
    to: TransactionState,
) -> AppResult<bool> {
    let result = webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, to.into())
        .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
        .filter(webpay_transactions::Column::Id.eq(id))
        .filter(webpay_transactions::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The browser's next stop after starting a payment: WebPay's form, given the token.
#[derive(Debug, Clone)]
pub(crate) struct Redirection {
    pub url: String,
    pub token: String,
    /// Made in Transbank's integration environment.
    pub test: bool,
}

/// Starts paying an order: a new buy order per attempt, the transaction stored before
/// WebPay is called. The order has one live attempt: a new one replaces (supersedes) the
/// attempts not yet back from WebPay, and none starts while another is being committed or
/// verified. A [`CheckoutError`] refusal is the message for the shopper.
pub(crate) async fn start(
    db: &DatabaseConnection,
    gateway: &Gateway,
    viewer: &Viewer,
    number: &str,
    base_url: &str,
) -> Result<Redirection, CheckoutError> {
    let view = orders::load(db, AccountScope::of(viewer), number).await?;
    let order = view.order;
    if order.status != OrderStatus::PendingPayment {
        return Err(CheckoutError::NotPayable { number: order.number, status: order.status });
    }
    if order.currency != "CLP" {
        return Err(CheckoutError::NotInPesos);
    }
    if order.total <= 0 {
        return Err(CheckoutError::NothingToPay);
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    // Touching the order row first serialises the starts of one order (a row lock on
    // PostgreSQL; SQLite has one writer) and checks it is still payable.
    let payable = crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::UpdatedAt, now.into())
        .filter(crate::entities::orders::Column::Id.eq(order.id))
        .filter(crate::entities::orders::Column::Status.eq(OrderStatus::PendingPayment))
        .exec(&txn)
        .await?;
    if payable.rows_affected != 1 {
        txn.rollback().await?;
        return Err(CheckoutError::ChangedMeanwhile { number: order.number });
    }
    // Supersede first, then look for an attempt being committed: a return that claimed its
    // row before this update is seen below; one that comes after finds its row superseded.
    webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, state::SUPERSEDED.into())
        .col_expr(webpay_transactions::Column::UpdatedAt, now.into())
        .filter(webpay_transactions::Column::OrderId.eq(order.id))
        .filter(webpay_transactions::Column::Status.is_in([state::CREATING, state::CREATED]))
        .exec(&txn)
        .await?;
    let busy = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::OrderId.eq(order.id))
        .filter(webpay_transactions::Column::Status.is_in([state::COMMITTING, state::VERIFYING]))
        .count(&txn)
        .await?;
    if busy > 0 {
        txn.rollback().await?;
        return Err(CheckoutError::BeingConfirmed);
    }
    let attempt = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::OrderId.eq(order.id))
        .count(&txn)
        .await?
        + 1;
    let buy_order = format!("{}-{attempt}", order.number);
    // Random: a timed-out return must name it, so nobody can end another shopper's attempt
    // from its (predictable) buy order alone.
    let session_id = format!("s{:032x}", rand::random::<u128>());
    if buy_order.len() > MAX_BUY_ORDER || session_id.len() > MAX_SESSION_ID {
        txn.rollback().await?;
        return Err(CheckoutError::TooManyAttempts);
    }
    let row = webpay_transactions::ActiveModel {
        order_id: Set(order.id),
        buy_order: Set(buy_order.clone()),
        session_id: Set(session_id.clone()),
        token: Set(None),
        amount: Set(order.total),
        status: Set(state::CREATING),
        test: Set(gateway.test),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let request = CreateRequest {
        buy_order,
        session_id,
        amount: order.total,
        return_url: format!("{}/checkout/webpay/return", base_url.trim_end_matches('/')),
    };
    let answer = gateway.client.create(&request).await;
    let outcome = match &answer {
        Ok(_) => format!("token issued for {} pesos", request.amount),
        Err(error) => error.to_string(),
    };
    events::record(db, Some(order.id), Some(&request.buy_order), events::action::CREATE, outcome).await?;
    let (next, token, raw) = match &answer {
        Ok(created) => (state::CREATED, Some(created.token.clone()), None),
        Err(error) => (state::CREATE_FAILED, None, Some(error.to_string())),
    };
    // Conditional: a newer attempt may have superseded this one while WebPay answered.
    let moved = webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, next.into())
        .col_expr(webpay_transactions::Column::Token, token.into())
        .col_expr(webpay_transactions::Column::RawResponse, raw.into())
        .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
        .filter(webpay_transactions::Column::Id.eq(row.id))
        .filter(webpay_transactions::Column::Status.eq(state::CREATING))
        .exec(db)
        .await?;
    match answer {
        Ok(_) if moved.rows_affected != 1 => Err(CheckoutError::Superseded),
        Ok(created) => Ok(Redirection { url: created.url, token: created.token, test: gateway.test }),
        Err(error) => {
            tracing::warn!(order = %order.number, %error, "WebPay create failed");
            Err(CheckoutError::NotStarted)
        }
    }
}

/// What arrived at the return URL.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReturnParams {
    pub token_ws: Option<String>,
    pub tbk_token: Option<String>,
    pub tbk_orden_compra: Option<String>,
    pub tbk_id_sesion: Option<String>,
}

/// Transbank's four return cases, from which fields are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReturnCase {
    /// `token_ws` alone: commit and judge.
    Commit(String),
    /// `TBK_TOKEN` (+ TBK_ fields): the shopper cancelled.
    Cancelled(String),
    /// Only `TBK_ORDEN_COMPRA` and `TBK_ID_SESION`: the form timed out.
    TimedOut(String),
    /// `token_ws` and `TBK_TOKEN`: an error on the form.
    FormError(String),
    /// Anything else.
    Unusable,
}

/// Classifies a return by the fields it carries (pure).
pub(crate) fn classify(params: &ReturnParams) -> ReturnCase {
    // Control characters (a NUL, which PostgreSQL refuses in text) make a field unusable.
    let present = |v: &Option<String>| {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty() && !s.chars().any(char::is_control)).map(str::to_string)
    };
    match (present(&params.token_ws), present(&params.tbk_token), present(&params.tbk_orden_compra)) {
        (Some(token), Some(_), _) => ReturnCase::FormError(token),
        (Some(token), None, _) => ReturnCase::Commit(token),
        (None, Some(token), _) => ReturnCase::Cancelled(token),
        (None, None, Some(order)) => ReturnCase::TimedOut(order),
        _ => ReturnCase::Unusable,
    }
}

/// The attempt a return was about: the order page shows its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Returned {
    pub order_number: String,
    pub buy_order: String,
}

/// Handles a return; answers the attempt to show, or [`CheckoutError::UnmatchedReturn`]. Only a
/// live (`created`) attempt is committed: a superseded one is left uncommitted, so WebPay
/// never captures it.
pub(crate) async fn handle_return(
    db: &DatabaseConnection,
    gateway: &Gateway,
    unmatched_log: &events::UnmatchedReturnLog,
    params: &ReturnParams,
) -> Result<Returned, CheckoutError> {
    let case = classify(params);
    let lookup = |column: webpay_transactions::Column, value: String| async move {
        if value.len() > 64 {
            return Ok::<_, AppError>(None);
        }
        Ok(webpay_transactions::Entity::find().filter(column.eq(value)).one(db).await?)
    };
    let (found, next_state) = match &case {
        ReturnCase::Commit(token) => (lookup(webpay_transactions::Column::Token, token.clone()).await?, None),
        ReturnCase::FormError(token) => {
            (lookup(webpay_transactions::Column::Token, token.clone()).await?, Some(state::FORM_ERROR))
        }
        ReturnCase::Cancelled(token) => {
            (lookup(webpay_transactions::Column::Token, token.clone()).await?, Some(state::CANCELLED))
        }
        ReturnCase::TimedOut(buy_order) => {
            (lookup(webpay_transactions::Column::BuyOrder, buy_order.clone()).await?, Some(state::TIMED_OUT))
        }
        ReturnCase::Unusable => (None, None),
    };
    // A timed-out return names the attempt by its buy order; its session id must match too.
    let found = match (&case, found) {
        (ReturnCase::TimedOut(_), Some(t))
            if params.tbk_id_sesion.as_deref().map(str::trim) != Some(t.session_id.as_str()) =>
        {
            None
        }
        (_, found) => found,
    };
    let Some(transaction) = found else {
        // Anyone can post these: a line each up to a budget, then only counted.
        if let Some(left_out) = unmatched_log.admit(std::time::Instant::now()) {
            let shown: String = format!("{case:?}").chars().take(120).collect();
            tracing::warn!(case = %shown, left_out, "WebPay return that matches no transaction");
            let buy_order =
                params.tbk_orden_compra.as_deref().filter(|b| b.len() <= 64 && !b.chars().any(char::is_control));
            let earlier = if left_out > 0 { format!(" ({left_out} earlier ones not logged)") } else { String::new() };
            let line = format!("matches no transaction: {shown}{earlier}");
            events::record(db, None, buy_order, events::action::RETURN, line).await?;
        }
        return Err(CheckoutError::UnmatchedReturn);
    };
    let returned = Returned {
        order_number: orders_number(db, transaction.order_id).await?,
        buy_order: transaction.buy_order.clone(),
    };
    let log = |outcome: String| {
        events::record(db, Some(transaction.order_id), Some(&transaction.buy_order), events::action::RETURN, outcome)
    };
    if let Some(next) = next_state {
        // Never committed; a repeat finds the row already moved and changes nothing.
        let moved = claim(db, transaction.id, state::CREATED, next).await?;
        if moved {
            metrics::webpay_payment(next);
        }
        log(if moved { format!("{next}, not committed") } else { format!("repeated ({next})") }).await?;
        return Ok(returned);
    }
    if !claim(db, transaction.id, state::CREATED, state::COMMITTING).await? {
        // Processed before (or being processed), or replaced by a newer attempt (then never
        // committed): the order page shows the recorded result.
        let why = if transaction.status == state::SUPERSEDED { "superseded; not committed" } else { "repeated" };
        log(format!("{why}; already {}", transaction.status)).await?;
        return Ok(returned);
    }
    log("token_ws: committing".into()).await?;
    let token = transaction.token.clone().unwrap_or_default();
    let answer = gateway.client.commit(&token).await;
    let outcome = match &answer {
        Ok(a) => format!(
            "status {}, response_code {}, amount {}",
            a.status.as_deref().unwrap_or("-"),
            a.response_code.map_or("-".into(), |c| c.to_string()),
            a.amount.map_or("-".into(), |c| c.to_string())
        ),
        Err(error) => error.to_string(),
    };
    events::record(db, Some(transaction.order_id), Some(&transaction.buy_order), events::action::COMMIT, outcome)
        .await?;
    match answer {
        Ok(answer) => settle(db, gateway, &transaction, &answer).await?,
        Err(error) if error.is_lost_answer() => {
            tracing::warn!(buy_order = %transaction.buy_order, %error, "WebPay commit answer lost; verifying");
            mark_verifying(db, &transaction).await?;
        }
        Err(error) => {
            tracing::warn!(buy_order = %transaction.buy_order, %error, "WebPay commit refused");
            record_failure(db, &transaction, &error).await?;
        }
    }
    Ok(returned)
}

async fn orders_number(db: &DatabaseConnection, order_id: i32) -> AppResult<String> {
    Ok(crate::entities::orders::Entity::find_by_id(order_id).one(db).await?.ok_or(AppError::NotFound)?.number)
}

async fn mark_verifying(db: &DatabaseConnection, transaction: &webpay_transactions::Model) -> AppResult<()> {
    let txn = db.begin().await?;
    if !claim(&txn, transaction.id, state::COMMITTING, state::VERIFYING).await? {
        txn.rollback().await?;
        return Ok(());
    }
    crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::Status, OrderStatus::PaymentVerifying.as_str().into())
        .filter(crate::entities::orders::Column::Id.eq(transaction.order_id))
        .filter(crate::entities::orders::Column::Status.eq(OrderStatus::PendingPayment))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    metrics::webpay_payment(state::VERIFYING);
    Ok(())
}

async fn record_failure(
    db: &DatabaseConnection,
    transaction: &webpay_transactions::Model,
    error: &WebpayError,
) -> AppResult<()> {
    // Only from `committing`: never over a row the job settled meanwhile.
    let moved = webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, state::FAILED.into())
        .col_expr(webpay_transactions::Column::RawResponse, Some(error.to_string()).into())
        .col_expr(webpay_transactions::Column::ProcessedAt, Some(Utc::now()).into())
        .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
        .filter(webpay_transactions::Column::Id.eq(transaction.id))
        .filter(webpay_transactions::Column::Status.eq(state::COMMITTING))
        .exec(db)
        .await?;
    if moved.rows_affected == 1 {
        metrics::webpay_payment(state::FAILED);
    }
    Ok(())
}

/// True when WebPay took the money: approved, whatever the amount or buy order.
fn captured(answer: &TransactionAnswer) -> bool {
    answer.response_code == Some(0) && answer.status.as_deref() == Some("AUTHORIZED")
}

/// The commit (or status) answer's fields on the transaction row, in `status`.
async fn record_answer<C: ConnectionTrait>(
    db: &C,
    transaction: &webpay_transactions::Model,
    answer: &TransactionAnswer,
    status: TransactionState,
    not_taken_reason: Option<String>,
) -> AppResult<()> {
    let mut row: webpay_transactions::ActiveModel = transaction.clone().into();
    row.status = Set(status);
    row.not_taken_reason = Set(not_taken_reason);
    row.response_code = Set(answer.response_code.and_then(|c| i32::try_from(c).ok()));
    row.authorization_code = Set(answer.authorization_code.clone().filter(|c| c.len() <= 6));
    row.card_last_digits =
        Set(answer.card_detail.as_ref().and_then(|c| c.card_number.clone()).filter(|c| c.len() <= 4));
    row.payment_type_code = Set(answer.payment_type_code.clone().filter(|c| c.len() <= 2));
    row.installments_number = Set(answer.installments_number.and_then(|n| i32::try_from(n).ok()));
    row.installments_amount = Set(answer.installments_amount);
    row.raw_response = Set(serde_json::to_string(answer).ok());
    row.processed_at = Set(Some(Utc::now()));
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    Ok(())
}

/// Records a commit (or status) answer. Paid only when approved with our amount and buy
/// order, for an order still waiting for its payment with that total (a conditional
/// update, like `claim`), and — for a TEST transaction — where this install takes test
/// payments; then the order is completed in the same database transaction. Any other
/// approval is recorded as not taken and refunded in full at once (or queued for an admin).
pub async fn settle(
    db: &DatabaseConnection,
    gateway: &Gateway,
    transaction: &webpay_transactions::Model,
    answer: &TransactionAnswer,
) -> AppResult<()> {
    let txn = db.begin().await?;
    // Exactly one settler: a late answer after the job settled the row from WebPay's
    // status (or the other way round) finds it taken and changes nothing. An answer that
    // arrives after the job gave it up for lost (`verifying`) still settles it: it is
    // WebPay's answer, and the job then finds the row taken.
    let claimed = claim(&txn, transaction.id, state::COMMITTING, state::SETTLING).await?
        || claim(&txn, transaction.id, state::VERIFYING, state::SETTLING).await?;
    if !claimed {
        txn.rollback().await?;
        tracing::warn!(buy_order = %transaction.buy_order, "a second answer for a settled transaction was ignored");
        return Ok(());
    }
    if !captured(answer) {
        record_answer(&txn, transaction, answer, state::REJECTED, None).await?;
        // A rejected payment leaves the order payable (it may have been "verifying").
        reopen_order(&txn, transaction.order_id).await?;
        txn.commit().await?;
        metrics::webpay_payment(state::REJECTED);
        return Ok(());
    }
    let refusal = if !is_paid(answer, transaction.amount, &transaction.buy_order) {
        tracing::warn!(buy_order = %transaction.buy_order, "approved answer with another amount or buy order");
        Some(format!(
            "WebPay approved {} for WebPay order {}, which is not what this attempt asked for, so it does not pay \
             the order.",
            money::format(answer.amount.unwrap_or(transaction.amount), "CLP"),
            answer.buy_order.as_deref().unwrap_or("-")
        ))
    } else if transaction.test && !gateway.takes_test_payments {
        Some(
            "This was a TEST payment, made in Transbank's integration environment. This shop does not take test \
             payments, so it does not pay the order."
                .into(),
        )
    } else {
        match take_payment(&txn, transaction).await {
            Ok(()) => None,
            Err(NotTaken::Failed(error)) => return Err(error),
            Err(reason) => Some(reason.to_string()),
        }
    };
    if let Some(reason) = refusal {
        events::record(
            &txn,
            Some(transaction.order_id),
            Some(&transaction.buy_order),
            events::action::COMMIT,
            format!("approved, not taken as the order's payment: {reason} Refunding it in full."),
        )
        .await?;
        record_answer(&txn, transaction, answer, state::REFUNDING, Some(reason)).await?;
        reopen_order(&txn, transaction.order_id).await?;
        txn.commit().await?;
        metrics::webpay_payment(state::REFUNDING);
        let amount = answer.amount.unwrap_or(transaction.amount);
        return refund_not_taken(db, &gateway.client, transaction, amount, state::REFUNDING).await;
    }
    record_answer(&txn, transaction, answer, state::AUTHORIZED, None).await?;
    let order =
        crate::entities::orders::Entity::find_by_id(transaction.order_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let view = orders::load(&txn, AccountScope::All, &order.number).await?;
    let view = match provision(&txn, &view, &Actor::system()).await {
        Ok(linked) => linked,
        Err(ProvisionError::Failed(error)) => return Err(error),
        Err(reason) => {
            let reason = reason.to_string();
            // Paid money is never lost: the payment stands and the order waits for an admin.
            tracing::error!(order = %order.number, %reason, "paid order: its subscriptions could not be created");
            flag_order(&txn, order.id, Some(reason)).await?;
            view
        }
    };
    let invoice = order_invoice::issue(&txn, &view).await?;
    payments::ActiveModel {
        order_id: Set(order.id),
        invoice_id: Set(Some(invoice.id)),
        webpay_transaction_id: Set(Some(transaction.id)),
        account_id: Set(order.account_id),
        amount: Set(transaction.amount),
        currency: Set(order.currency.clone()),
        method: Set("webpay_plus".into()),
        paid_at: Set(order.paid_at.unwrap_or_else(Utc::now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::mail::messages::payment_receipt(&txn, &gateway.site, &order, answer.authorization_code.as_deref()).await?;
    txn.commit().await?;
    metrics::webpay_payment(state::AUTHORIZED);
    Ok(())
}

/// Marks the order paid if it still waits for this payment (a conditional update: of two
/// approvals only one pays). A [`NotTaken`] refusal says why this approval cannot pay it.
async fn take_payment(txn: &DatabaseTransaction, transaction: &webpay_transactions::Model) -> Result<(), NotTaken> {
    use crate::entities::orders::{Column, Entity};
    let now = Utc::now();
    let taken = Entity::update_many()
        .col_expr(Column::Status, OrderStatus::Paid.as_str().into())
        .col_expr(Column::PaidAt, Some(now).into())
        .col_expr(Column::UpdatedAt, now.into())
        .filter(Column::Id.eq(transaction.order_id))
        .filter(Column::Status.is_in([OrderStatus::PendingPayment, OrderStatus::PaymentVerifying]))
        .filter(Column::Total.eq(transaction.amount))
        .exec(txn)
        .await?;
    if taken.rows_affected == 1 {
        return Ok(());
    }
    let order = Entity::find_by_id(transaction.order_id).one(txn).await?.ok_or(AppError::NotFound)?;
    let paid = money::format(transaction.amount, &order.currency);
    Err(match order.status {
        OrderStatus::Paid => NotTaken::AlreadyPaid { paid, buy_order: transaction.buy_order.clone() },
        OrderStatus::Canceled => NotTaken::OrderCanceled { paid },
        _ => NotTaken::TotalChanged { paid, total: money::format(order.total, &order.currency) },
    })
}

/// Creates a paid order's subscriptions all or nothing: inside a savepoint, rolled back to
/// zero subscriptions when one of them cannot be created: [`ProvisionError::NotCreated`]
/// says why, for an admin (a failure while creating them included).
pub(crate) async fn provision(
    txn: &DatabaseTransaction,
    view: &orders::OrderView,
    actor: &Actor,
) -> Result<orders::OrderView, ProvisionError> {
    let savepoint = txn.begin().await?;
    match orders::create_subscriptions(&savepoint, view, actor).await {
        Ok(linked) => {
            savepoint.commit().await?;
            Ok(linked)
        }
        Err(not_created) => {
            savepoint.rollback().await?;
            if let orders::OrderError::Failed(error) = &not_created {
                tracing::error!(order = %view.order.number, %error, "creating a paid order's subscriptions failed");
            }
            Err(ProvisionError::NotCreated(not_created))
        }
    }
}

/// Sets (or clears) why a paid order needs an admin.
pub(crate) async fn flag_order<C: ConnectionTrait>(db: &C, order_id: i32, reason: Option<String>) -> AppResult<()> {
    crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::Attention, reason.into())
        .col_expr(crate::entities::orders::Column::UpdatedAt, Utc::now().into())
        .filter(crate::entities::orders::Column::Id.eq(order_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Refunds an approval that was not taken, in full, through WebPay; the transaction moves
/// from `from` to refunded, or to refund_needed with the reason for an admin.
pub(crate) async fn refund_not_taken(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    transaction: &webpay_transactions::Model,
    amount: i64,
    from: TransactionState,
) -> AppResult<()> {
    let token = transaction.token.clone().unwrap_or_default();
    let answer = webpay.refund(&token, amount).await;
    let logged = match &answer {
        Ok(refund) => {
            format!("{amount} pesos (approval not taken): {}", serde_json::to_string(refund).unwrap_or_default())
        }
        Err(error) => format!("{amount} pesos (approval not taken): {error}"),
    };
    events::record(db, Some(transaction.order_id), Some(&transaction.buy_order), events::action::REFUND, logged)
        .await?;
    let (next, attention) = match answer {
        Ok(_) => (state::REFUNDED, None),
        Err(error) if error.is_lost_answer() => (
            state::REFUND_NEEDED,
            Some(format!(
                "The automatic refund of {} got no answer ({error}). WebPay's status is checked in the background; \
                 if it shows no refund, refund it again.",
                money::format(amount, "CLP")
            )),
        ),
        Err(error) => (
            state::REFUND_NEEDED,
            Some(format!(
                "WebPay did not take the automatic refund of {}: {}. Refund it again, or in Transbank's portal.",
                money::format(amount, "CLP"),
                match &error {
                    WebpayError::Api { message, .. } => message.clone(),
                    other => other.to_string(),
                }
            )),
        ),
    };
    if next == state::REFUND_NEEDED {
        tracing::error!(buy_order = %transaction.buy_order, "an approval that was not taken is not refunded yet");
    }
    let moved = webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, next.into())
        .col_expr(webpay_transactions::Column::Attention, attention.into())
        .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
        .filter(webpay_transactions::Column::Id.eq(transaction.id))
        .filter(webpay_transactions::Column::Status.eq(from))
        .exec(db)
        .await?;
    if moved.rows_affected == 1 {
        metrics::webpay_payment(next);
    }
    Ok(())
}

/// What WebPay took for a transaction, from its recorded answer (what a full refund gives back).
pub(crate) fn captured_amount(transaction: &webpay_transactions::Model) -> i64 {
    transaction
        .raw_response
        .as_deref()
        .and_then(|raw| serde_json::from_str::<TransactionAnswer>(raw).ok())
        .and_then(|answer| answer.amount)
        .unwrap_or(transaction.amount)
}

/// How long Transbank answers `status` for a transaction.
pub(crate) const STATUS_DAYS: i64 = 7;

/// The background job's payment work; answers how many transactions and refunds it
/// settled. Commits left in `committing` (the process stopped mid-way) are verified like
/// lost answers; transactions whose commit answer was lost are settled from `status`
/// (after 7 days they go to an admin); refunds whose answer was lost are settled from
/// `status`; approvals not taken whose refund is pending are checked with `status`. Each
/// row is claimed before it is settled, so several instances can run this at once.
pub async fn verify_lost_answers(db: &DatabaseConnection, gateway: &Gateway) -> AppResult<usize> {
    requeue_stale_commits(db, gateway.answer_within + WRITE_WITHIN).await?;
    // Each part runs even when another failed: one bad row must not stop the rest.
    let mut settled = 0;
    for (part, result) in [
        ("commits", verify_commits(db, gateway).await),
        ("refunds", verify_all_refunds(db, &gateway.client).await),
        ("refunds needed", check_refunds_needed(db, &gateway.client).await),
    ] {
        match result {
            Ok(n) => settled += n,
            Err(error) => tracing::error!(part, %error, "WebPay verification failed"),
        }
    }
    Ok(settled)
}

/// A commit still `committing` after any WebPay call and the write of its answer would
/// have ended (`lost_after`): its answer was lost with the process that waited for it (a
/// crash or `kill -9` on any instance), so WebPay's status settles it. A refund still
/// `refunding` after [`STALE_MINUTES`] needs an admin's look.
async fn requeue_stale_commits(db: &DatabaseConnection, lost_after: std::time::Duration) -> AppResult<()> {
    let lost_after = chrono::Duration::from_std(lost_after).unwrap_or(chrono::Duration::minutes(STALE_MINUTES));
    let abandoned = Utc::now() - lost_after;
    let stuck = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Status.eq(state::COMMITTING))
        .filter(webpay_transactions::Column::UpdatedAt.lt(abandoned))
        .all(db)
        .await?;
    for transaction in stuck {
        tracing::warn!(buy_order = %transaction.buy_order, "a commit left unfinished; verifying it");
        mark_verifying(db, &transaction).await?;
    }
    let stale = Utc::now() - chrono::Duration::minutes(STALE_MINUTES);
    let refunding = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Status.eq(state::REFUNDING))
        .filter(webpay_transactions::Column::UpdatedAt.lt(stale))
        .all(db)
        .await?;
    for transaction in refunding {
        webpay_transactions::Entity::update_many()
            .col_expr(webpay_transactions::Column::Status, state::REFUND_NEEDED.into())
            .col_expr(
                webpay_transactions::Column::Attention,
                Some(
                    "The automatic refund was interrupted. WebPay's status is checked in the background; if it shows \
                      no refund, refund it again."
                        .to_string(),
                )
                .into(),
            )
            .filter(webpay_transactions::Column::Id.eq(transaction.id))
            .filter(webpay_transactions::Column::Status.eq(state::REFUNDING))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn verify_commits(db: &DatabaseConnection, gateway: &Gateway) -> AppResult<usize> {
    let waiting = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Status.eq(state::VERIFYING))
        .order_by_asc(webpay_transactions::Column::Id)
        .all(db)
        .await?;
    let mut settled = 0;
    for transaction in waiting {
        let token = transaction.token.clone().unwrap_or_default();
        if Utc::now() - transaction.created_at > chrono::Duration::days(STATUS_DAYS) {
            if claim(db, transaction.id, state::VERIFYING, state::UNVERIFIED).await? {
                metrics::webpay_payment(state::UNVERIFIED);
                let reason = format!(
                    "The answer to the commit of {} ({}) was lost and WebPay's status could not be read within {} \
                     days. Check in Transbank's portal whether it was charged; if so, refund it there.",
                    transaction.buy_order,
                    money::format(transaction.amount, "CLP"),
                    STATUS_DAYS
                );
                webpay_transactions::Entity::update_many()
                    .col_expr(webpay_transactions::Column::Attention, Some(reason).into())
                    .filter(webpay_transactions::Column::Id.eq(transaction.id))
                    .exec(db)
                    .await?;
                reopen_order(db, transaction.order_id).await?;
            }
            continue;
        }
        let answer = gateway.client.status(&token).await;
        let outcome = match &answer {
            Ok(a) => format!("status {}", a.status.as_deref().unwrap_or("-")),
            Err(error) => error.to_string(),
        };
        events::record(db, Some(transaction.order_id), Some(&transaction.buy_order), events::action::STATUS, outcome)
            .await?;
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                tracing::info!(buy_order = %transaction.buy_order, %error, "WebPay status not available yet");
                continue;
            }
        };
        if answer.status.as_deref().is_none_or(|s| s == "INITIALIZED") {
            continue;
        }
        if claim(db, transaction.id, state::VERIFYING, state::COMMITTING).await? {
            // One row's failure must not stop the others: it is retried next time.
            match settle(db, gateway, &transaction, &answer).await {
                Ok(()) => settled += 1,
                Err(error) => {
                    tracing::error!(buy_order = %transaction.buy_order, %error, "settling from WebPay's status failed");
                    claim(db, transaction.id, state::COMMITTING, state::VERIFYING).await?;
                }
            }
        }
    }
    Ok(settled)
}

/// Whether WebPay still answers `status` for a transaction (7 days after it was made).
pub(crate) fn status_readable(transaction: &webpay_transactions::Model) -> bool {
    Utc::now() - transaction.created_at <= chrono::Duration::days(STATUS_DAYS)
}

/// An admin records what Transbank's portal shows about a refund whose answer was lost
/// (for when WebPay's `status` cannot tell any more): refunded (its credit invoice is
/// issued, once) or not (failed, the amount is refundable again). Answers the admin's message.
pub(crate) async fn resolve_refund(
    db: &DatabaseConnection,
    refund_id: i32,
    happened: bool,
) -> Result<String, RefundError> {
    let refund = refunds::Entity::find_by_id(refund_id).one(db).await?.ok_or(AppError::NotFound)?;
    let payment = payments::Entity::find_by_id(refund.payment_id).one(db).await?.ok_or(AppError::NotFound)?;
    let order =
        crate::entities::orders::Entity::find_by_id(payment.order_id).one(db).await?.ok_or(AppError::NotFound)?;
    let amount = money::format(refund.amount, &payment.currency);
    // A refund still being sent is not the admin's to record: its answer may yet come.
    let sending = refund.status == refund_state::SENDING
        && Utc::now() - refund.created_at < chrono::Duration::minutes(STALE_MINUTES);
    if sending {
        return Err(RefundError::StillSending { amount, number: order.number });
    }
    let txn = db.begin().await?;
    let to = if happened { refund_state::NULLIFIED } else { refund_state::FAILED };
    let response = Some(format!(
        "recorded by an admin from Transbank's portal: {}",
        if happened { "refunded" } else { "not refunded" }
    ));
    if !settle_refund_row(&txn, refund.id, &[refund_state::VERIFYING, refund_state::SENDING], to, response).await? {
        txn.rollback().await?;
        return Err(RefundError::AlreadySettled { amount, number: order.number });
    }
    if happened {
        let credit = issue_refund_credit(&txn, &order, &order.number, refund.amount, to).await?;
        txn.commit().await?;
        return Ok(format!(
            "The refund of {amount} of order {} is recorded as done; credit invoice {} issued.",
            order.number, credit.number
        ));
    }
    txn.commit().await?;
    Ok(format!("The refund of {amount} of order {} is recorded as not done; it can be refunded again.", order.number))
}

/// What is left of a transaction after refunds, by its `status` answer; None when the
/// answer does not tell.
fn balance_of(answer: &TransactionAnswer, amount: i64) -> Option<i64> {
    match answer.status.as_deref() {
        Some("REVERSED") | Some("NULLIFIED") => Some(answer.balance.unwrap_or(0)),
        Some("PARTIALLY_NULLIFIED") => answer.balance,
        Some("AUTHORIZED") | Some("CAPTURED") => Some(answer.balance.unwrap_or(amount)),
        _ => None,
    }
}

/// Checks approvals not taken whose automatic refund did not go through: when WebPay's
/// status shows the money went back (the lost answer was a refund after all, or an admin
/// refunded it in Transbank's portal), the transaction is refunded.
async fn check_refunds_needed(db: &DatabaseConnection, webpay: &WebpayClient) -> AppResult<usize> {
    let needed = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Status.eq(state::REFUND_NEEDED))
        .filter(webpay_transactions::Column::CreatedAt.gt(Utc::now() - chrono::Duration::days(STATUS_DAYS)))
        .order_by_asc(webpay_transactions::Column::Id)
        .all(db)
        .await?;
    let mut settled = 0;
    for transaction in needed {
        if refund_shown_by_status(db, webpay, &transaction).await? == Some(true) {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Asks WebPay's status whether a not-taken approval was refunded in full; if so records
/// it. None when the status could not be read.
pub(crate) async fn refund_shown_by_status(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    transaction: &webpay_transactions::Model,
) -> AppResult<Option<bool>> {
    let token = transaction.token.clone().unwrap_or_default();
    let answer = match webpay.status(&token).await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::info!(buy_order = %transaction.buy_order, %error, "WebPay status not available");
            return Ok(None);
        }
    };
    let refunded = balance_of(&answer, captured_amount(transaction)) == Some(0);
    events::record(
        db,
        Some(transaction.order_id),
        Some(&transaction.buy_order),
        events::action::STATUS,
        format!(
            "status {} (refund of an approval not taken: {})",
            answer.status.as_deref().unwrap_or("-"),
            if refunded { "done" } else { "not done" }
        ),
    )
    .await?;
    if refunded {
        webpay_transactions::Entity::update_many()
            .col_expr(webpay_transactions::Column::Status, state::REFUNDED.into())
            .col_expr(webpay_transactions::Column::Attention, Option::<String>::None.into())
            .col_expr(webpay_transactions::Column::UpdatedAt, Utc::now().into())
            .filter(webpay_transactions::Column::Id.eq(transaction.id))
            .filter(webpay_transactions::Column::Status.is_in([state::REFUND_NEEDED, state::REFUNDING]))
            .exec(db)
            .await?;
    }
    Ok(Some(refunded))
}

/// An order that was "payment being verified" is payable again.
async fn reopen_order<C: ConnectionTrait>(db: &C, order_id: i32) -> AppResult<()> {
    crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::Status, OrderStatus::PendingPayment.as_str().into())
        .filter(crate::entities::orders::Column::Id.eq(order_id))
        .filter(crate::entities::orders::Column::Status.eq(OrderStatus::PaymentVerifying))
        .exec(db)
        .await?;
    Ok(())
}

/// The transactions of an order, newest first (the order page shows the latest result).
pub(crate) async fn transactions_of(
    db: &DatabaseConnection,
    order_id: i32,
) -> AppResult<Vec<webpay_transactions::Model>> {
    Ok(webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::OrderId.eq(order_id))
        .order_by_desc(webpay_transactions::Column::Id)
        .all(db)
        .await?)
}

/// The refunds of an order's payment, oldest first.
pub(crate) async fn refunds_of(db: &DatabaseConnection, order_id: i32) -> AppResult<Vec<refunds::Model>> {
    let Some(payment) = payments::Entity::find().filter(payments::Column::OrderId.eq(order_id)).one(db).await? else {
        return Ok(vec![]);
    };
    Ok(refunds::Entity::find()
        .filter(refunds::Column::PaymentId.eq(payment.id))
        .order_by_asc(refunds::Column::Id)
        .all(db)
        .await?)
}

/// Which of the refunds whose answer was lost happened, given how much of them WebPay's
/// balance says was refunded: the one choice of them (by amounts) that adds up to it.
/// None when no choice does, or several with different amounts do (an admin decides).
pub(crate) fn refunds_that_happened(pending: &[i64], refunded: i64) -> Option<Vec<bool>> {
    const MAX_PENDING: usize = 12;
    if pending.len() > MAX_PENDING {
        return None;
    }
    let mut found: Option<(u32, Vec<i64>)> = None;
    for mask in 0u32..(1 << pending.len()) {
        let mut chosen: Vec<i64> =
            pending.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, amount)| *amount).collect();
        if chosen.iter().sum::<i64>() != refunded {
            continue;
        }
        chosen.sort_unstable();
        match &found {
            None => found = Some((mask, chosen)),
            Some((_, amounts)) if *amounts == chosen => {}
            Some(_) => return None,
        }
    }
    found.map(|(mask, _)| (0..pending.len()).map(|i| mask & (1 << i) != 0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approved_not_taken(reason: &str) -> webpay_transactions::Model {
        let now = Utc::now();
        webpay_transactions::Model {
            id: 1,
            order_id: 1,
            buy_order: "SO-0000001-2".into(),
            session_id: "s".into(),
            token: None,
            amount: 143_000,
            status: state::REFUNDED,
            response_code: Some(0),
            authorization_code: None,
            card_last_digits: None,
            payment_type_code: None,
            installments_number: None,
            installments_amount: None,
            transaction_date: None,
            raw_response: None,
            processed_at: None,
            created_at: now,
            updated_at: now,
            test: false,
            not_taken_reason: Some(reason.into()),
            attention: None,
        }
    }

    #[test]
    fn a_reason_an_approval_was_not_taken_is_said_in_the_readers_language() {
        use crate::i18n::Lang;
        let already = approved_not_taken(
            "This payment of CLP 143.000 (WebPay order SO-0000001-2) was approved after this order had already been \
             paid, so it was not needed.",
        );
        assert_eq!(not_taken_reason_in(&Lang::En, &already), already.not_taken_reason.clone(), "English as stored");
        assert_eq!(
            not_taken_reason_in(&Lang::EsCl, &already).unwrap(),
            "Este pago de $143.000 (orden WebPay SO-0000001-2) se aprobó cuando este pedido ya estaba pagado, así \
             que no era necesario."
        );
        let changed = approved_not_taken(
            "WebPay approved CLP 143.000, but the order's total had changed to CLP 1.086.470 meanwhile, so it does \
             not pay the order.",
        );
        assert!(not_taken_reason_in(&Lang::EsCl, &changed).unwrap().contains("había cambiado a $1.086.470"));
        assert_eq!(
            outcome_message_in(&Lang::EsCl, &changed),
            "WebPay aprobó $143.000, pero entretanto el total del pedido había cambiado a $1.086.470, así que no \
             paga el pedido. Se reembolsó en su totalidad a través de WebPay."
        );
        let other = approved_not_taken("Something else entirely.");
        assert_eq!(not_taken_reason_in(&Lang::EsCl, &other).unwrap(), "Something else entirely.");
    }

    fn params(token: Option<&str>, tbk_token: Option<&str>, order: Option<&str>) -> ReturnParams {
        ReturnParams {
            token_ws: token.map(Into::into),
            tbk_token: tbk_token.map(Into::into),
            tbk_orden_compra: order.map(Into::into),
            tbk_id_sesion: order.map(|_| "s".into()),
        }
    }

    #[test]
    fn the_four_return_cases_are_told_apart_by_their_fields() {
        assert_eq!(classify(&params(Some("t"), None, None)), ReturnCase::Commit("t".into()));
        assert_eq!(classify(&params(None, Some("t"), Some("SO-1-1"))), ReturnCase::Cancelled("t".into()));
        assert_eq!(classify(&params(None, None, Some("SO-1-1"))), ReturnCase::TimedOut("SO-1-1".into()));
        assert_eq!(classify(&params(Some("t"), Some("t"), Some("SO-1-1"))), ReturnCase::FormError("t".into()));
        assert_eq!(classify(&params(None, None, None)), ReturnCase::Unusable);
        assert_eq!(classify(&params(Some("  "), None, None)), ReturnCase::Unusable);
    }

    #[test]
    fn the_balance_tells_which_lost_refunds_happened_only_when_one_choice_fits() {
        assert_eq!(refunds_that_happened(&[600_000], 600_000), Some(vec![true]));
        assert_eq!(refunds_that_happened(&[600_000], 0), Some(vec![false]), "the balance did not move");
        assert_eq!(refunds_that_happened(&[100, 250], 250), Some(vec![false, true]));
        assert_eq!(refunds_that_happened(&[100, 100], 100), Some(vec![true, false]), "the same amount either way");
        assert_eq!(refunds_that_happened(&[100, 200, 300], 300), None, "300 or 100 + 200");
        assert_eq!(refunds_that_happened(&[100], 50), None, "no choice fits");
    }

    #[test]
    fn the_status_balance_is_read_by_transaction_status() {
        let answer = |status: &str, balance: Option<i64>| TransactionAnswer {
            status: Some(status.into()),
            balance,
            ..Default::default()
        };
        assert_eq!(balance_of(&answer("REVERSED", None), 1_000), Some(0));
        assert_eq!(balance_of(&answer("NULLIFIED", Some(0)), 1_000), Some(0));
        assert_eq!(balance_of(&answer("PARTIALLY_NULLIFIED", Some(400)), 1_000), Some(400));
        assert_eq!(balance_of(&answer("PARTIALLY_NULLIFIED", None), 1_000), None);
        assert_eq!(balance_of(&answer("AUTHORIZED", None), 1_000), Some(1_000));
        assert_eq!(balance_of(&answer("FAILED", None), 1_000), None);
    }
}

/// What a refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefundOutcome {
    /// WebPay answered: REVERSED or NULLIFIED, and a credit invoice was issued.
    Refunded { kind: RefundStatus, amount: i64, credit_invoice: String },
    /// WebPay's answer was lost: the refund counts until WebPay's status settles it.
    BeingVerified { amount: i64 },
}

/// The payment of a paid order and the WebPay transaction that made it
/// ([`RefundError::NotPaidThroughWebpay`] when there is none).
async fn webpay_payment(
    db: &DatabaseConnection,
    order_id: i32,
) -> Result<(payments::Model, webpay_transactions::Model), RefundError> {
    let Some(payment) = payments::Entity::find().filter(payments::Column::OrderId.eq(order_id)).one(db).await? else {
        return Err(RefundError::NotPaidThroughWebpay);
    };
    let transaction = match payment.webpay_transaction_id {
        Some(id) => webpay_transactions::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    transaction.map(|t| (payment, t)).ok_or(RefundError::NotPaidThroughWebpay)
}

/// What is left of a payment to refund: refunds WebPay did, and those whose answer is
/// still unknown, count.
/// What is left of a payment to give back: the payment less its refunds (answered or
/// pending) and less the credits issued against its invoice for other reasons (a returned
/// licence's credit), so a refund and a credit never give back the same money twice.
async fn left_to_refund<C: ConnectionTrait>(db: &C, payment: &payments::Model) -> AppResult<i64> {
    let rows = refunds::Entity::find()
        .filter(refunds::Column::PaymentId.eq(payment.id))
        .filter(refunds::Column::Status.ne(refund_state::FAILED))
        .all(db)
        .await?;
    let refunded = money::checked_sum(rows.iter().map(|r| r.amount))?;
    let pending = money::checked_sum(
        rows.iter()
            .filter(|r| r.status == refund_state::SENDING || r.status == refund_state::VERIFYING)
            .map(|r| r.amount),
    )?;
    let credited = match payment.invoice_id {
        Some(debit_id) => crate::billing::credits::credited(db, debit_id).await?.total,
        None => 0,
    };
    // Answered refunds have their credit invoice; pending ones do not yet.
    let given_back = refunded.max(credited.saturating_add(pending));
    Ok(payment.amount.saturating_sub(given_back).max(0))
}

/// What is left of an order's payment to refund (0 when it was not paid through WebPay).
pub(crate) async fn left_of(db: &DatabaseConnection, order_id: i32) -> AppResult<i64> {
    Ok(match webpay_payment(db, order_id).await {
        Ok((payment, _)) => left_to_refund(db, &payment).await?,
        Err(RefundError::Failed(error)) => return Err(error),
        Err(_) => 0,
    })
}

/// Moves a refund row from one of `from` to `to` with WebPay's answer; true for the one
/// caller that moved it.
async fn settle_refund_row<C: ConnectionTrait>(
    db: &C,
    id: i32,
    from: &[RefundStatus],
    to: RefundStatus,
    response: Option<String>,
) -> AppResult<bool> {
    let moved = refunds::Entity::update_many()
        .col_expr(refunds::Column::Status, to.into())
        .col_expr(refunds::Column::Response, response.into())
        .filter(refunds::Column::Id.eq(id))
        .filter(refunds::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// Refunds part or all of a paid order through WebPay (provider admins: the caller checks).
/// The refund is stored before WebPay is called and counts from then on; an answered
/// refund gets a credit invoice against the order's invoice, a refused one is failed, and
/// one whose answer was lost is verified with WebPay's status (`verify_refunds`).
/// A [`RefundError`] refusal is the admin's message; nothing is stored for a refused amount.
pub(crate) async fn refund(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    number: &str,
    amount: i64,
) -> Result<RefundOutcome, RefundError> {
    let view = orders::load(db, AccountScope::All, number).await?;
    if view.order.status != OrderStatus::Paid {
        return Err(RefundError::NotPaid);
    }
    let (payment, transaction) = webpay_payment(db, view.order.id).await?;
    let left = left_to_refund(db, &payment).await?;
    if amount <= 0 || amount > left {
        return Err(RefundError::AmountOutOfRange { left });
    }
    let row = refunds::ActiveModel {
        payment_id: Set(payment.id),
        amount: Set(amount),
        status: Set(refund_state::SENDING),
        response: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let token = transaction.token.clone().unwrap_or_default();
    let answer = webpay.refund(&token, amount).await;
    let (status, response) = match &answer {
        Ok(refund @ super::RefundAnswer::Reversed) => (refund_state::REVERSED, serde_json::to_string(refund).ok()),
        Ok(refund @ super::RefundAnswer::Nullified { .. }) => {
            (refund_state::NULLIFIED, serde_json::to_string(refund).ok())
        }
        Err(error) if error.is_lost_answer() => (refund_state::VERIFYING, Some(error.to_string())),
        Err(error) => (refund_state::FAILED, Some(error.to_string())),
    };
    let outcome = format!("{amount} pesos: {}", response.clone().unwrap_or_default());
    events::record(db, Some(view.order.id), Some(&transaction.buy_order), events::action::REFUND, outcome).await?;
    let txn = db.begin().await?;
    if !settle_refund_row(&txn, row.id, &[refund_state::SENDING], status, response).await? {
        // The background job settled it from WebPay's status meanwhile.
        txn.rollback().await?;
        return Ok(RefundOutcome::BeingVerified { amount });
    }
    // Counted once the row is settled: `status` is what the commits below make of it.
    let counted = move || metrics::webpay_refund(status);
    match answer {
        Ok(_) => {
            let credit = issue_refund_credit(&txn, &view.order, number, amount, status).await?;
            txn.commit().await?;
            counted();
            Ok(RefundOutcome::Refunded { kind: status, amount, credit_invoice: credit.number })
        }
        Err(error) if error.is_lost_answer() => {
            txn.commit().await?;
            counted();
            tracing::warn!(order = %number, %error, "WebPay refund answer lost; verifying");
            Ok(RefundOutcome::BeingVerified { amount })
        }
        Err(error) => {
            txn.commit().await?;
            counted();
            tracing::warn!(order = %number, %error, "WebPay refund refused");
            Err(match error {
                WebpayError::Api { message, .. } => RefundError::RefusedByWebpay { message },
                other => RefundError::NotThrough(other),
            })
        }
    }
}

/// Settles an order's refunds whose answer was lost from WebPay's status: the balance tells
/// which of them happened (those get their credit invoice, once) and which did not (failed).
/// Answers how many were settled.
pub(crate) async fn verify_refunds(db: &DatabaseConnection, webpay: &WebpayClient, order_id: i32) -> AppResult<usize> {
    let (payment, transaction) = match webpay_payment(db, order_id).await {
        Ok(found) => found,
        Err(RefundError::Failed(error)) => return Err(error),
        Err(_) => return Ok(0),
    };
    let rows = refunds::Entity::find()
        .filter(refunds::Column::PaymentId.eq(payment.id))
        .order_by_asc(refunds::Column::Id)
        .all(db)
        .await?;
    let stale = Utc::now() - chrono::Duration::minutes(STALE_MINUTES);
    // A refund still being sent may be answered any moment: wait for it. After 7 days
    // WebPay no longer answers `status`: an admin records what Transbank's portal shows.
    if rows.iter().any(|r| r.status == refund_state::SENDING && r.created_at > stale) || !status_readable(&transaction)
    {
        return Ok(0);
    }
    let pending: Vec<&refunds::Model> =
        rows.iter().filter(|r| [refund_state::VERIFYING, refund_state::SENDING].contains(&r.status)).collect();
    if pending.is_empty() {
        return Ok(0);
    }
    let confirmed: i64 = rows
        .iter()
        .filter(|r| [refund_state::REVERSED, refund_state::NULLIFIED].contains(&r.status))
        .map(|r| r.amount)
        .sum();
    let token = transaction.token.clone().unwrap_or_default();
    let answer = webpay.status(&token).await;
    let logged = match &answer {
        Ok(a) => format!(
            "status {}, balance {} (verifying refunds)",
            a.status.as_deref().unwrap_or("-"),
            a.balance.map_or("-".into(), |b| b.to_string())
        ),
        Err(error) => format!("{error} (verifying refunds)"),
    };
    events::record(db, Some(order_id), Some(&transaction.buy_order), events::action::STATUS, logged).await?;
    let Ok(answer) = answer else {
        return Ok(0);
    };
    let Some(balance) = balance_of(&answer, payment.amount) else {
        return Ok(0);
    };
    let amounts: Vec<i64> = pending.iter().map(|r| r.amount).collect();
    let Some(happened) = refunds_that_happened(&amounts, payment.amount - confirmed - balance) else {
        tracing::warn!(buy_order = %transaction.buy_order, balance, "WebPay's balance does not tell which refunds happened");
        return Ok(0);
    };
    let kind =
        if answer.status.as_deref() == Some("REVERSED") { refund_state::REVERSED } else { refund_state::NULLIFIED };
    let order = crate::entities::orders::Entity::find_by_id(order_id).one(db).await?.ok_or(AppError::NotFound)?;
    let from = [refund_state::VERIFYING, refund_state::SENDING];
    let mut settled = 0;
    for (refund, done) in pending.into_iter().zip(happened) {
        let txn = db.begin().await?;
        let response = Some(format!(
            "settled from WebPay's status {} (balance {balance}): {}",
            answer.status.as_deref().unwrap_or("-"),
            if done { "refunded" } else { "not refunded" }
        ));
        let to = if done { kind } else { refund_state::FAILED };
        let moved = settle_refund_row(&txn, refund.id, &from, to, response).await?;
        if moved {
            if done {
                issue_refund_credit(&txn, &order, &order.number, refund.amount, kind).await?;
            }
            settled += 1;
        }
        txn.commit().await?;
        if moved {
            metrics::webpay_refund(to);
        }
    }
    Ok(settled)
}

/// `verify_refunds` for every order with a refund whose answer is unknown.
async fn verify_all_refunds(db: &DatabaseConnection, webpay: &WebpayClient) -> AppResult<usize> {
    let stale = Utc::now() - chrono::Duration::minutes(STALE_MINUTES);
    let waiting = refunds::Entity::find()
        .find_also_related(payments::Entity)
        .filter(
            sea_orm::Condition::any().add(refunds::Column::Status.eq(refund_state::VERIFYING)).add(
                sea_orm::Condition::all()
                    .add(refunds::Column::Status.eq(refund_state::SENDING))
                    .add(refunds::Column::CreatedAt.lt(stale)),
            ),
        )
        .all(db)
        .await?;
    let mut orders: Vec<i32> = waiting.into_iter().filter_map(|(_, payment)| payment.map(|p| p.order_id)).collect();
    orders.sort_unstable();
    orders.dedup();
    let mut settled = 0;
    for order_id in orders {
        match verify_refunds(db, webpay, order_id).await {
            Ok(n) => settled += n,
            Err(error) => tracing::error!(order_id, %error, "verifying an order's refunds failed"),
        }
    }
    Ok(settled)
}

/// The credit invoice for a refund WebPay did (answered, or shown by its status), against
/// the order's debit invoice.
async fn issue_refund_credit(
    txn: &DatabaseTransaction,
    order: &crate::entities::orders::Model,
    number: &str,
    amount: i64,
    status: RefundStatus,
) -> AppResult<invoices::Model> {
    let debit = invoices::Entity::find()
        .filter(invoices::Column::OrderId.eq(order.id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let split = crate::billing::credits::split_refund(txn, &debit, amount).await?;
    let line = crate::billing::credits::CreditLine {
        description: format!("WebPay refund ({status}) of order {number}"),
        subscription_id: None,
        addon_id: None,
        product_id: None,
        period_start: None,
        period_end: None,
        quantity: 1,
        usage: "Refund".into(),
    };
    let credit =
        crate::billing::credits::issue(txn, &debit, line, split.net, split.tax, Utc::now().date_naive()).await?;
    // An order refunded in full has nothing left to set up.
    let payment = payments::Entity::find().filter(payments::Column::OrderId.eq(order.id)).one(txn).await?;
    if let Some(payment) = payment {
        // Only money WebPay confirmed counts here (credits, not pending refunds).
        let credited = match payment.invoice_id {
            Some(debit_id) => crate::billing::credits::credited(txn, debit_id).await?.total,
            None => 0,
        };
        if credited >= payment.amount {
            // Refunded in full: what the order bought is taken back, and nothing is left to set up.
            let view = orders::load(txn, AccountScope::All, number).await?;
            orders::take_back(txn, &view, &Actor::system()).await?;
            if order.attention.is_some() {
                flag_order(txn, order.id, None).await?;
            }
        }
    }
    Ok(credit)
}
