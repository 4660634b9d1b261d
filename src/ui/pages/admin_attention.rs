//! Admin → Orders needing attention: paid orders whose subscriptions could not be created,
//! approvals not taken whose refund did not go through, commits WebPay never confirmed,
//! and refunds whose answer was lost — each with its reason and what can be done.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::session::set_flash;
use crate::payments::webpay::attention::{self, AttentionError, Queue};
use crate::payments::webpay::checkout::{captured_amount, outcome_message, state as tx_state, RefundError};
use crate::state::AppState;
use crate::subscriptions::history::Actor;
use crate::ui::components::{csrf_field, empty, form_errors};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page_with_status, PageCtx};

fn render(ctx: &PageCtx, status: StatusCode, queue: Queue, errors: Vec<String>) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-attention-title"), move || {
        let nothing = queue.is_empty().then(|| empty(loc.t("admin-attention-nothing")));
        let orders: Vec<_> = queue
            .orders
            .iter()
            .map(|order| {
                let href = format!("/orders/{}", order.number);
                let retry = format!("/admin/attention/orders/{}/retry", order.number);
                let refund = format!("/orders/{}#refund", order.number);
                view! {
                    <tr>
                        <td><a href=href>{order.number.clone()}</a></td>
                        <td>{order.paid_at.map(|p| loc.datetime(&p)).unwrap_or_default()}</td>
                        <td class="num">{loc.money(order.total, &order.currency)}</td>
                        <td>{order.attention.clone().unwrap_or_default()}</td>
                        <td>
                            <form class="inline" method="post" action=retry>
                                {csrf_field(&ctx2)}
                                <button type="submit">{loc.t("admin-attention-retry")}</button>
                            </form>
                            " " <a href=refund>{loc.t("admin-attention-refund-link")}</a>
                        </td>
                    </tr>
                }
            })
            .collect();
        let transactions: Vec<_> = queue
            .transactions
            .iter()
            .map(|(t, order)| {
                let order_cell = order.as_ref().map(|o| {
                    let href = format!("/orders/{}", o.number);
                    view! { <a href=href>{o.number.clone()}</a> }
                });
                let action = match t.status {
                    tx_state::REFUND_NEEDED => {
                        let action = format!("/admin/attention/transactions/{}/refund", t.id);
                        let label = tr!(loc, "admin-attention-refund-in-full", amount = loc.money(captured_amount(t), "CLP"));
                        view! {
                            <form class="inline" method="post" action=action>
                                {csrf_field(&ctx2)}
                                <label class="check"><input type="checkbox" name="confirm" value="yes" required/>" "{label}</label>
                                " " <button type="submit" class="danger">{loc.t("admin-attention-refund")}</button>
                            </form>
                        }
                        .into_any()
                    }
                    _ => {
                        let action = format!("/admin/attention/transactions/{}/checked", t.id);
                        view! {
                            <form class="inline" method="post" action=action>
                                {csrf_field(&ctx2)}
                                <label class="check"><input type="checkbox" name="confirm" value="yes" required/>" "{loc.t("admin-attention-checked-in-portal")}</label>
                                " " <button type="submit" class="secondary">{loc.t("admin-attention-mark-checked")}</button>
                            </form>
                        }
                        .into_any()
                    }
                };
                let test = t.test.then(|| view! { " " <span class="tag warn">{loc.t("admin-test-tag")}</span> });
                view! {
                    <tr>
                        <td>{order_cell}</td>
                        <td>{t.buy_order.clone()}{test}</td>
                        <td class="num">{loc.money(captured_amount(t), "CLP")}</td>
                        <td>
                            {t.not_taken_reason.clone().map(|_| view! { <p>{outcome_message(t)}</p> })}
                            <p>{t.attention.clone().unwrap_or_default()}</p>
                        </td>
                        <td>{action}</td>
                    </tr>
                }
            })
            .collect();
        let refunds: Vec<_> = queue
            .refunds
            .iter()
            .map(|waiting| {
                let (refund, order) = (&waiting.refund, &waiting.order);
                let href = format!("/orders/{}#refunds", order.number);
                let verify = waiting.status_readable.then(|| {
                    let verify = format!("/orders/{}/refunds/verify", order.number);
                    view! {
                        <form class="inline" method="post" action=verify>
                            {csrf_field(&ctx2)}
                            <button type="submit" class="secondary">{loc.t("admin-attention-check-with-webpay")}</button>
                        </form>
                    }
                });
                let resolve = format!("/admin/attention/refunds/{}/resolve", refund.id);
                let reason = if waiting.status_readable {
                    loc.t("admin-attention-refund-lost")
                } else {
                    loc.t("admin-attention-refund-lost-expired")
                };
                view! {
                    <tr>
                        <td><a href=href>{order.number.clone()}</a></td>
                        <td>{loc.datetime(&refund.created_at)}</td>
                        <td class="num">{loc.money(refund.amount, &order.currency)}</td>
                        <td>{reason}</td>
                        <td>
                            {verify}
                            <form class="stacked" method="post" action=resolve>
                                {csrf_field(&ctx2)}
                                <label>{loc.t("admin-attention-portal-shows")} " "
                                    <select name="outcome" required>
                                        <option value="">"—"</option>
                                        <option value="refunded">{loc.t("admin-attention-was-refunded")}</option>
                                        <option value="not_refunded">{loc.t("admin-attention-was-not-refunded")}</option>
                                    </select>
                                </label>
                                <label class="check"><input type="checkbox" name="confirm" value="yes" required/>" "{loc.t("admin-attention-checked-in-portal")}</label>
                                <button type="submit" class="secondary">{loc.t("admin-attention-record")}</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect();
        let orders_table = (!orders.is_empty()).then(|| view! {
            <h2>{loc.t("admin-attention-orders-heading")}</h2>
            <p>{loc.t("admin-attention-orders-intro")}</p>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-order")}</th><th>{loc.t("admin-attention-paid")}</th><th class="num">{loc.t("admin-col-total")}</th><th>{loc.t("admin-col-reason")}</th><th>{loc.t("admin-col-actions")}</th></tr></thead>
                    <tbody>{orders}</tbody>
                </table>
            </div>
        });
        let transactions_table = (!transactions.is_empty()).then(|| view! {
            <h2>{loc.t("admin-attention-transactions-heading")}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-order")}</th><th>{loc.t("admin-attention-webpay-order")}</th><th class="num">{loc.t("admin-col-amount")}</th><th>{loc.t("admin-col-reason")}</th><th>{loc.t("admin-col-action")}</th></tr></thead>
                    <tbody>{transactions}</tbody>
                </table>
            </div>
        });
        let refunds_table = (!refunds.is_empty()).then(|| view! {
            <h2>{loc.t("admin-attention-refunds-heading")}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-order")}</th><th>{loc.t("admin-attention-asked")}</th><th class="num">{loc.t("admin-col-amount")}</th><th>{loc.t("admin-col-reason")}</th><th>{loc.t("admin-col-action")}</th></tr></thead>
                    <tbody>{refunds}</tbody>
                </table>
            </div>
        });
        view! {
            {admin_nav(&ctx.locale)}
            <p><a href="/admin/payments">{loc.t("admin-attention-back-to-payments")}</a></p>
            {form_errors(errors)}
            {nothing}
            {orders_table}
            {transactions_table}
            {refunds_table}
        }
    })
}

/// `GET /admin/attention` (provider admins; 404 for anybody else).
pub(crate) async fn list(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let queue = attention::queue(&state.db).await?;
    Ok(render(&ctx, StatusCode::OK, queue, vec![]))
}

/// After an action: back to the queue with a flash, or the queue again with the refusal (a
/// capability's refusal arrives as [`AppError::Unprocessable`]; any other error is passed on).
/// A refusal of the queue's capability, said in the viewer's language (a failure as it is).
fn refused(ctx: &PageCtx, error: AttentionError) -> AppError {
    match error {
        AttentionError::Failed(e) => e,
        refused => AppError::Unprocessable(refused.localized(ctx)),
    }
}

async fn answer(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    outcome: Result<String, AppError>,
) -> AppResult<Response> {
    match outcome {
        Ok(message) => {
            set_flash(session, message).await?;
            Ok(Redirect::to("/admin/attention").into_response())
        }
        Err(AppError::Unprocessable(message)) => {
            let queue = attention::queue(&state.db).await?;
            Ok(render(ctx, StatusCode::UNPROCESSABLE_ENTITY, queue, vec![message]))
        }
        Err(error) => Err(error),
    }
}

/// A refusal of the form itself, shown like a capability's.
fn refuse(message: String) -> AppError {
    AppError::Unprocessable(message)
}

/// `POST /admin/attention/orders/{number}/retry`: creates the order's subscriptions again.
pub(crate) async fn retry(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let outcome = attention::retry(&state.db, &Actor::of(viewer), &number)
        .await
        .map(|()| tr!(ctx, "admin-attention-retried", number = number.clone()))
        .map_err(|e| refused(&ctx, e));
    answer(&state, &ctx, &session, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/attention/transactions/{id}/refund`: refunds a not-taken approval in full.
pub(crate) async fn refund(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let outcome = if form.confirm != "yes" {
        Err(refuse(ctx.t("admin-attention-tick-to-refund")))
    } else {
        let webpay = state.webpay_gateway().await?.client(&state.webpay_http);
        attention::refund_transaction(&state.db, &webpay, id).await.map_err(|e| refused(&ctx, e))
    };
    answer(&state, &ctx, &session, outcome).await
}

/// `POST /admin/attention/transactions/{id}/checked`: a commit WebPay never confirmed was
/// checked in Transbank's portal.
pub(crate) async fn checked(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let outcome = if form.confirm != "yes" {
        Err(refuse(ctx.t("admin-attention-tick-to-mark")))
    } else {
        attention::mark_checked(&state.db, id).await.map_err(|e| refused(&ctx, e))
    };
    answer(&state, &ctx, &session, outcome).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ResolveForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/attention/refunds/{id}/resolve`: records what Transbank's portal shows about
/// a refund whose answer was lost.
pub(crate) async fn resolve_refund(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<ResolveForm>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let happened = match form.outcome.as_str() {
        "refunded" => Some(true),
        "not_refunded" => Some(false),
        _ => None,
    };
    let outcome = match (happened, form.confirm.as_str()) {
        (None, _) => Err(refuse(ctx.t("admin-attention-choose-outcome"))),
        (_, confirm) if confirm != "yes" => Err(refuse(ctx.t("admin-attention-tick-to-record"))),
        (Some(happened), _) => {
            crate::payments::webpay::checkout::resolve_refund(&state.db, id, happened).await.map_err(|e| match e {
                RefundError::Failed(e) => e,
                refused => AppError::Unprocessable(refused.localized(&ctx)),
            })
        }
    };
    answer(&state, &ctx, &session, outcome).await
}
