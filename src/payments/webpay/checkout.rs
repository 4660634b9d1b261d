//! Paying an order with WebPay Plus: start a transaction, judge what comes back to the
//! return URL (each token processed once), and settle a paid order (subscriptions,
//! a paid debit invoice and a payment record) in one transaction.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::client::{WebpayClient, WebpayError};
use super::events;
use super::{is_paid, CreateRequest, TransactionAnswer, MAX_BUY_ORDER, MAX_SESSION_ID};
use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::billing::order_invoice;
use crate::catalog::orders;
use crate::entities::enums::{InvoiceType, OrderStatus};
use crate::entities::{invoices, payments, webpay_transactions};
use crate::error::{AppError, AppResult};
use crate::subscriptions::history::Actor;

/// Where a transaction stands, as stored.
pub mod state {
    pub const CREATING: &str = "creating";
    pub const CREATE_FAILED: &str = "create_failed";
    pub const CREATED: &str = "created";
    pub const COMMITTING: &str = "committing";
    pub const AUTHORIZED: &str = "authorized";
    pub const REJECTED: &str = "rejected";
    pub const CANCELLED: &str = "cancelled";
    pub const TIMED_OUT: &str = "timed_out";
    pub const FORM_ERROR: &str = "form_error";
    pub const VERIFYING: &str = "verifying";
    pub const FAILED: &str = "failed";
}

/// What the shopper reads about a transaction.
pub fn outcome_message(transaction: &webpay_transactions::Model) -> String {
    match transaction.status.as_str() {
        state::AUTHORIZED => "Payment approved.".into(),
        state::REJECTED => "Your card was declined. No money was taken; you can try again with another card.".into(),
        state::CANCELLED => "You cancelled the payment at WebPay. The order is still waiting for payment.".into(),
        state::TIMED_OUT => "The WebPay form timed out before the payment was made. You can try again.".into(),
        state::FORM_ERROR => "WebPay reported an error on its payment form. No money was taken; try again.".into(),
        state::VERIFYING => {
            "We did not hear back from WebPay in time. We are verifying the payment; this page will show the result."
                .into()
        }
        state::CREATED | state::CREATING => "The payment was started at WebPay but not finished.".into(),
        _ => "The payment could not be completed. No money was taken; you can try again.".into(),
    }
}

/// A transaction row only this caller moved from `from` to `to` (a conditional update),
/// so a token is processed once even when its return arrives twice or on two instances.
async fn claim<C: sea_orm::ConnectionTrait>(db: &C, id: i32, from: &str, to: &str) -> AppResult<bool> {
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
pub struct Redirection {
    pub url: String,
    pub token: String,
}

/// Starts paying an order: a new buy order per attempt, the transaction stored before
/// WebPay is called. `Err(String)` is the message for the shopper.
pub async fn start(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    viewer: &Viewer,
    number: &str,
    base_url: &str,
) -> AppResult<Result<Redirection, String>> {
    let view = orders::load(db, AccountScope::of(viewer), number).await?;
    let order = view.order;
    if order.status != OrderStatus::PendingPayment {
        return Ok(Err(format!("Order {} is {}; it cannot be paid now.", order.number, order.status.label())));
    }
    if order.currency != "CLP" {
        return Ok(Err("WebPay takes payments in Chilean pesos (CLP) only.".into()));
    }
    if order.total <= 0 {
        return Ok(Err("This order has nothing to pay.".into()));
    }
    let attempt =
        webpay_transactions::Entity::find().filter(webpay_transactions::Column::OrderId.eq(order.id)).count(db).await?
            + 1;
    let buy_order = format!("{}-{attempt}", order.number);
    let session_id = format!("u{}-o{}-{attempt}", viewer.user.id, order.id);
    if buy_order.len() > MAX_BUY_ORDER || session_id.len() > MAX_SESSION_ID {
        return Ok(Err("This order has been tried too many times; contact support.".into()));
    }
    let now = Utc::now();
    let row = webpay_transactions::ActiveModel {
        order_id: Set(order.id),
        buy_order: Set(buy_order.clone()),
        session_id: Set(session_id.clone()),
        token: Set(None),
        amount: Set(order.total),
        status: Set(state::CREATING.into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let request = CreateRequest {
        buy_order,
        session_id,
        amount: order.total,
        return_url: format!("{}/checkout/webpay/return", base_url.trim_end_matches('/')),
    };
    let mut update: webpay_transactions::ActiveModel = row.into();
    update.updated_at = Set(Utc::now());
    let answer = webpay.create(&request).await;
    let outcome = match &answer {
        Ok(_) => format!("token issued for {} pesos", request.amount),
        Err(error) => error.to_string(),
    };
    events::record(db, Some(order.id), Some(&request.buy_order), events::action::CREATE, outcome).await?;
    match answer {
        Ok(created) => {
            update.token = Set(Some(created.token.clone()));
            update.status = Set(state::CREATED.into());
            update.update(db).await?;
            Ok(Ok(Redirection { url: created.url, token: created.token }))
        }
        Err(error) => {
            tracing::warn!(order = %order.number, %error, "WebPay create failed");
            update.status = Set(state::CREATE_FAILED.into());
            update.raw_response = Set(Some(error.to_string()));
            update.update(db).await?;
            Ok(
                Err("WebPay could not start the payment just now. Nothing was charged; please try again shortly."
                    .into()),
            )
        }
    }
}

/// What arrived at the return URL.
#[derive(Debug, Clone, Default)]
pub struct ReturnParams {
    pub token_ws: Option<String>,
    pub tbk_token: Option<String>,
    pub tbk_orden_compra: Option<String>,
    pub tbk_id_sesion: Option<String>,
}

/// Transbank's four return cases, from which fields are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnCase {
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
pub fn classify(params: &ReturnParams) -> ReturnCase {
    let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    match (present(&params.token_ws), present(&params.tbk_token), present(&params.tbk_orden_compra)) {
        (Some(token), Some(_), _) => ReturnCase::FormError(token),
        (Some(token), None, _) => ReturnCase::Commit(token),
        (None, Some(token), _) => ReturnCase::Cancelled(token),
        (None, None, Some(order)) => ReturnCase::TimedOut(order),
        _ => ReturnCase::Unusable,
    }
}

/// Handles a return; answers the order number to show, or `Err` with why nothing matched.
pub async fn handle_return(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    params: &ReturnParams,
) -> AppResult<Result<String, String>> {
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
    let Some(transaction) = found else {
        tracing::warn!(?case, "WebPay return that matches no transaction");
        let buy_order = params.tbk_orden_compra.as_deref().filter(|b| b.len() <= 64);
        events::record(db, None, buy_order, events::action::RETURN, format!("matches no transaction: {case:?}"))
            .await?;
        return Ok(Err("This payment return does not match any order. Nothing was charged to an order.".into()));
    };
    let order_number = orders_number(db, transaction.order_id).await?;
    let log = |outcome: String| {
        events::record(db, Some(transaction.order_id), Some(&transaction.buy_order), events::action::RETURN, outcome)
    };
    if let Some(next) = next_state {
        // Never committed; a repeat finds the row already moved and changes nothing.
        let moved = claim(db, transaction.id, state::CREATED, next).await?;
        log(if moved { format!("{next}, not committed") } else { format!("repeated ({next})") }).await?;
        return Ok(Ok(order_number));
    }
    if !claim(db, transaction.id, state::CREATED, state::COMMITTING).await? {
        // Processed before (or being processed): the order page shows the recorded result.
        log(format!("repeated; already {}", transaction.status)).await?;
        return Ok(Ok(order_number));
    }
    log("token_ws: committing".into()).await?;
    let token = transaction.token.clone().unwrap_or_default();
    let answer = webpay.commit(&token).await;
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
        Ok(answer) => settle(db, &transaction, &answer).await?,
        Err(error) if error.is_lost_answer() => {
            tracing::warn!(buy_order = %transaction.buy_order, %error, "WebPay commit answer lost; verifying");
            mark_verifying(db, &transaction).await?;
        }
        Err(error) => {
            tracing::warn!(buy_order = %transaction.buy_order, %error, "WebPay commit refused");
            record_failure(db, &transaction, &error).await?;
        }
    }
    Ok(Ok(order_number))
}

async fn orders_number(db: &DatabaseConnection, order_id: i32) -> AppResult<String> {
    Ok(crate::entities::orders::Entity::find_by_id(order_id).one(db).await?.ok_or(AppError::NotFound)?.number)
}

async fn mark_verifying(db: &DatabaseConnection, transaction: &webpay_transactions::Model) -> AppResult<()> {
    let txn = db.begin().await?;
    claim(&txn, transaction.id, state::COMMITTING, state::VERIFYING).await?;
    crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::Status, OrderStatus::PaymentVerifying.as_str().into())
        .filter(crate::entities::orders::Column::Id.eq(transaction.order_id))
        .filter(crate::entities::orders::Column::Status.eq(OrderStatus::PendingPayment))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

async fn record_failure(
    db: &DatabaseConnection,
    transaction: &webpay_transactions::Model,
    error: &WebpayError,
) -> AppResult<()> {
    let mut row: webpay_transactions::ActiveModel = transaction.clone().into();
    row.status = Set(state::FAILED.into());
    row.raw_response = Set(Some(error.to_string()));
    row.processed_at = Set(Some(Utc::now()));
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    Ok(())
}

/// Records a commit (or status) answer: paid only when approved with our amount and buy
/// order; then the order is completed in the same database transaction.
pub async fn settle(
    db: &DatabaseConnection,
    transaction: &webpay_transactions::Model,
    answer: &TransactionAnswer,
) -> AppResult<()> {
    // The order's total must still be what this transaction charged (items can be removed
    // from an unpaid order while an old payment form is open).
    let order_total = crate::entities::orders::Entity::find_by_id(transaction.order_id).one(db).await?.map(|o| o.total);
    let approved = is_paid(answer, transaction.amount, &transaction.buy_order);
    let paid = approved && order_total == Some(transaction.amount);
    if approved && !paid {
        tracing::error!(buy_order = %transaction.buy_order, "approved for an amount the order no longer has: refund it");
        events::record(
            db,
            Some(transaction.order_id),
            Some(&transaction.buy_order),
            events::action::COMMIT,
            "approved, but the order's total changed since: not paid; refund this transaction",
        )
        .await?;
    }
    let txn = db.begin().await?;
    let mut row: webpay_transactions::ActiveModel = transaction.clone().into();
    row.status = Set(if paid { state::AUTHORIZED } else { state::REJECTED }.into());
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
    row.update(&txn).await?;
    if !paid {
        if answer.response_code == Some(0) {
            tracing::warn!(buy_order = %transaction.buy_order, "approved answer with another amount or buy order: not paid");
        }
        // A rejected payment leaves the order payable (it may have been "verifying").
        reopen_order(&txn, transaction.order_id).await?;
        txn.commit().await?;
        return Ok(());
    }
    let now = Utc::now();
    let order =
        crate::entities::orders::Entity::find_by_id(transaction.order_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let mut paid_order: crate::entities::orders::ActiveModel = order.clone().into();
    paid_order.status = Set(OrderStatus::Paid);
    paid_order.paid_at = Set(Some(now));
    paid_order.updated_at = Set(now);
    paid_order.update(&txn).await?;
    let view = orders::load(&txn, AccountScope::All, &order.number).await?;
    let view = match orders::create_subscriptions(&txn, &view, &Actor::system()).await? {
        Ok(linked) => linked,
        Err(message) => {
            // Paid money is never lost: the payment stands and the problem is logged for an admin.
            tracing::error!(order = %order.number, %message, "paid order: a subscription could not be created");
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
        paid_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How long Transbank answers `status` for a transaction.
pub const STATUS_DAYS: i64 = 7;

/// Settles transactions whose commit answer was lost: asks `status` and records what
/// Transbank says; after 7 days they are failed. Each row is claimed before it is settled.
pub async fn verify_lost_answers(db: &DatabaseConnection, webpay: &WebpayClient) -> AppResult<usize> {
    let waiting = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::Status.eq(state::VERIFYING))
        .order_by_asc(webpay_transactions::Column::Id)
        .all(db)
        .await?;
    let mut settled = 0;
    for transaction in waiting {
        let token = transaction.token.clone().unwrap_or_default();
        if Utc::now() - transaction.created_at > chrono::Duration::days(STATUS_DAYS) {
            if claim(db, transaction.id, state::VERIFYING, state::COMMITTING).await? {
                let expired = WebpayError::Api { status: 422, message: "not verified within 7 days".into() };
                record_failure(db, &transaction, &expired).await?;
                reopen_order(db, transaction.order_id).await?;
            }
            continue;
        }
        let answer = webpay.status(&token).await;
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
            settle(db, &transaction, &answer).await?;
            settled += 1;
        }
    }
    Ok(settled)
}

/// An order that was "payment being verified" is payable again.
async fn reopen_order<C: sea_orm::ConnectionTrait>(db: &C, order_id: i32) -> AppResult<()> {
    crate::entities::orders::Entity::update_many()
        .col_expr(crate::entities::orders::Column::Status, OrderStatus::PendingPayment.as_str().into())
        .filter(crate::entities::orders::Column::Id.eq(order_id))
        .filter(crate::entities::orders::Column::Status.eq(OrderStatus::PaymentVerifying))
        .exec(db)
        .await?;
    Ok(())
}

/// The transactions of an order, newest first (the order page shows the latest result).
pub async fn transactions_of(db: &DatabaseConnection, order_id: i32) -> AppResult<Vec<webpay_transactions::Model>> {
    Ok(webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::OrderId.eq(order_id))
        .order_by_desc(webpay_transactions::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

/// What a refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome {
    /// REVERSED or NULLIFIED, as WebPay answered.
    pub kind: String,
    pub amount: i64,
    pub credit_invoice: String,
}

/// Refunds part or all of a paid order through WebPay (provider admins: the caller checks).
/// The answer is stored and a credit invoice for the amount is issued against the order's
/// invoice. `Err(String)` is the admin's message; nothing is stored for a refused amount.
pub async fn refund(
    db: &DatabaseConnection,
    webpay: &WebpayClient,
    number: &str,
    amount: i64,
) -> AppResult<Result<RefundOutcome, String>> {
    use crate::entities::refunds;
    let view = orders::load(db, AccountScope::All, number).await?;
    if view.order.status != OrderStatus::Paid {
        return Ok(Err("Only a paid order can be refunded.".into()));
    }
    let Some(payment) = payments::Entity::find().filter(payments::Column::OrderId.eq(view.order.id)).one(db).await?
    else {
        return Ok(Err("This order was not paid through WebPay.".into()));
    };
    let transaction = match payment.webpay_transaction_id {
        Some(id) => webpay_transactions::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let Some(transaction) = transaction else {
        return Ok(Err("This order was not paid through WebPay.".into()));
    };
    let refunded: i64 = refunds::Entity::find()
        .filter(refunds::Column::PaymentId.eq(payment.id))
        .filter(refunds::Column::Status.ne("FAILED"))
        .all(db)
        .await?
        .iter()
        .map(|r| r.amount)
        .sum();
    let left = payment.amount - refunded;
    if amount <= 0 || amount > left {
        return Ok(Err(format!("Refund between 1 and {left} pesos (what is left of this payment).")));
    }
    let token = transaction.token.clone().unwrap_or_default();
    let answer = webpay.refund(&token, amount).await;
    let (status, response) = match &answer {
        Ok(refund @ super::RefundAnswer::Reversed) => ("REVERSED", serde_json::to_string(refund).ok()),
        Ok(refund @ super::RefundAnswer::Nullified { .. }) => ("NULLIFIED", serde_json::to_string(refund).ok()),
        Err(error) => ("FAILED", Some(error.to_string())),
    };
    let outcome = format!("{amount} pesos: {}", response.clone().unwrap_or_default());
    events::record(db, Some(view.order.id), Some(&transaction.buy_order), events::action::REFUND, outcome).await?;
    let txn = db.begin().await?;
    refunds::ActiveModel {
        payment_id: Set(payment.id),
        amount: Set(amount),
        status: Set(status.into()),
        response: Set(response),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Err(error) = answer {
        txn.commit().await?;
        tracing::warn!(order = %number, %error, "WebPay refund refused");
        return Ok(Err(match error {
            WebpayError::Api { message, .. } => format!("WebPay refused the refund: {message}"),
            other => format!("The refund did not go through: {other}. Check the transaction log before trying again."),
        }));
    }
    let debit = invoices::Entity::find()
        .filter(invoices::Column::OrderId.eq(view.order.id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let split = crate::billing::credits::split_refund(&txn, &debit, amount).await?;
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
        crate::billing::credits::issue(&txn, &debit, line, split.net, split.tax, Utc::now().date_naive()).await?;
    txn.commit().await?;
    Ok(Ok(RefundOutcome { kind: status.into(), amount, credit_invoice: credit.number }))
}
