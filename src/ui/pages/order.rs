//! Orders: placing one from the cart, the order page, removing items while unpaid.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::billing::money;
use crate::catalog::orders::{self, OrderView};
use crate::catalog::reservations::ReservationLabel;
use crate::entities::enums::OrderStatus;
use crate::entities::{orders as order_rows, refunds, webpay_transactions};
use crate::error::{encode_query_value, AppResult};
use crate::identity::session::set_flash;
use crate::pagination::Paged;
use crate::payments::webpay::checkout::{self, RefundOutcome};
use crate::payments::webpay::gateway::GatewaySettings;
use crate::payments::webpay::{payment_type_label, MAX_BUY_ORDER};
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, form_errors, totals_footer};
use crate::ui::pages::errors::error_page;
use crate::ui::{page_with_status, PageCtx};
use serde::Deserialize;

/// `POST /orders`: the cart becomes an order waiting for payment.
pub(crate) async fn place(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match orders::place_from_cart(&state.db, viewer).await {
        Ok(order) => {
            set_flash(&session, format!("Order {} was placed.", order.number)).await?;
            Ok(Redirect::to(&format!("/orders/{}", order.number)).into_response())
        }
        Err(orders::OrderError::Failed(error)) => Err(error),
        Err(refused) => Ok(error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &refused.to_string())),
    }
}

/// What the order page shows besides the order: its WebPay attempts (newest first), the
/// refunds of its payment, what is left to refund, whether online payment is available,
/// and the attempt the shopper just came back from.
struct Loaded {
    view: OrderView,
    transactions: Vec<webpay_transactions::Model>,
    refunds: Vec<refunds::Model>,
    left_to_refund: i64,
    unavailable: Option<&'static str>,
    attempt: Option<String>,
}

async fn load(state: &AppState, view: OrderView, attempt: Option<String>) -> AppResult<Loaded> {
    let transactions = checkout::transactions_of(&state.db, view.order.id).await?;
    let refunds = checkout::refunds_of(&state.db, view.order.id).await?;
    let left_to_refund = checkout::left_of(&state.db, view.order.id).await?;
    let settings = state.webpay_gateway().await?;
    Ok(Loaded { view, transactions, refunds, left_to_refund, unavailable: unavailable(&settings), attempt })
}

/// Why online payment cannot be used now, for the shopper; None when it can.
fn unavailable(settings: &GatewaySettings) -> Option<&'static str> {
    if !settings.configured {
        Some(checkout::NOT_AVAILABLE_YET)
    } else if !settings.active {
        Some(checkout::SWITCHED_OFF)
    } else {
        None
    }
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    view: OrderView,
    errors: Vec<String>,
) -> AppResult<Response> {
    let loaded = load(state, view, None).await?;
    Ok(render_with(ctx, status, loaded, errors))
}

/// The transactions the payment panel tells about: first the one that says where the order
/// stands (the approved one of a paid order, else the attempt the shopper came back from,
/// else the latest), then the attempt come back from, then every approval that was not
/// taken (the shopper is told where that money goes).
fn shown(loaded: &Loaded) -> Vec<&webpay_transactions::Model> {
    let attempt = loaded.attempt.as_deref().and_then(|b| loaded.transactions.iter().find(|t| t.buy_order == b));
    let main = if loaded.view.order.status == OrderStatus::Paid {
        loaded.transactions.iter().find(|t| t.status == checkout::state::AUTHORIZED)
    } else {
        None
    }
    .or(attempt)
    .or(loaded.transactions.first());
    let not_taken = loaded.transactions.iter().filter(|t| t.not_taken_reason.is_some());
    let mut shown: Vec<&webpay_transactions::Model> = Vec::new();
    for t in main.into_iter().chain(attempt).chain(not_taken) {
        if !shown.iter().any(|s| s.id == t.id) {
            shown.push(t);
        }
    }
    shown
}

const TEST_NOTICE: &str = "TEST payment: made in Transbank's integration environment; no real money moved.";

fn render_with(ctx: &PageCtx, status: StatusCode, loaded: Loaded, errors: Vec<String>) -> Response {
    let order = loaded.view.order.clone();
    let is_admin = ctx.viewer.as_ref().is_some_and(|v| v.is_provider_admin());
    let title = format!("Order {}", order.number);
    let unpaid = order.status == OrderStatus::PendingPayment;
    let ctx2 = ctx.clone();
    let shown: Vec<webpay_transactions::Model> = shown(&loaded).into_iter().cloned().collect();
    page_with_status(status, ctx, &title, move || {
        let currency = order.currency.clone();
        let rows: Vec<_> = loaded
            .view
            .items
            .iter()
            .map(|(item, product)| {
                let reservation = item.reservation_label();
                let remove = unpaid.then(|| {
                    let action = format!("/orders/{}/items/{}/remove", order.number, item.id);
                    let label = format!("Remove {} from the order", product.name);
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <button type="submit" class="danger" aria-label=label>"Remove"</button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <td>
                            {item.description.clone()}
                            {reservation.map(|r| view! { <br/><span class="muted">{r}</span> })}
                            {item.ramp_up_months.map(|m| view! { <br/><span class="muted">{format!("Ramp-up: {m} month(s) without the minimum commitment")}</span> })}
                        </td>
                        <td class="num">{item.quantity}</td>
                        <td class="num">{money::format(item.unit_price, &currency)}</td>
                        <td class="num">{money::format(item.total, &currency)}</td>
                        <td>{remove}</td>
                    </tr>
                }
            })
            .collect();
        let rate = crate::billing::tax::VatRate::from_basis_points(order.vat_basis_points).unwrap_or_default();
        let footer = totals_footer(&ctx, order.subtotal, order.tax, order.total, rate, &currency);
        let payment = shown.split_first().map(|(main, others)| {
            let receipt = (main.status == checkout::state::AUTHORIZED).then(|| {
                let payment_type = main.payment_type_code.as_deref().map(payment_type_label).unwrap_or("Card");
                view! {
                    <dl class="facts receipt">
                        <dt>"Amount"</dt><dd>{money::format(main.amount, &currency)}</dd>
                        <dt>"Authorization code"</dt><dd>{main.authorization_code.clone().unwrap_or_default()}</dd>
                        <dt>"Card"</dt><dd>{format!("•••• {}", main.card_last_digits.clone().unwrap_or_default())}</dd>
                        <dt>"Payment type"</dt><dd>{payment_type}</dd>
                        <dt>"Instalments"</dt><dd>{main.installments_number.unwrap_or(0).to_string()}</dd>
                        <dt>"WebPay order"</dt><dd>{main.buy_order.clone()}</dd>
                        {main.test.then(|| view! { <dt>"Environment"</dt><dd><span class="tag warn">"TEST"</span></dd> })}
                    </dl>
                }
            });
            let test = main.test.then(|| view! { <p class="notice"><span class="tag warn">"TEST"</span>" "{TEST_NOTICE}</p> });
            let others: Vec<_> = others
                .iter()
                .map(|t| {
                    let tag = t.test.then(|| view! { <span class="tag warn">"TEST"</span>" " });
                    view! { <p>{tag}<strong>{format!("WebPay order {}: ", t.buy_order)}</strong>{checkout::outcome_message(t)}</p> }
                })
                .collect();
            view! {
                <section class="panel" id="payment">
                    <h2>"Payment"</h2>
                    <p role="status">{checkout::outcome_message(main)}</p>
                    {test}
                    {receipt}
                    {others}
                </section>
            }
        });
        let setting_up = (order.status == OrderStatus::Paid && order.attention.is_some()).then(|| {
            let reason = order.attention.clone().filter(|_| is_admin).map(|reason| {
                view! { <p class="muted">{reason}" "<a href="/admin/attention">"Orders needing attention"</a></p> }
            });
            view! {
                <section class="panel" id="setting-up">
                    <p role="status">"Your order is paid and being set up. Its subscriptions will appear in your account as soon as they are ready; there is nothing you need to do."</p>
                    {reason}
                </section>
            }
        });
        let refunds = (is_admin && !loaded.refunds.is_empty()).then(|| {
            let unsettled = loaded.refunds.iter().any(|r| {
                [checkout::refund_state::VERIFYING, checkout::refund_state::SENDING].contains(&r.status)
            });
            let items: Vec<_> = loaded
                .refunds
                .iter()
                .map(|r| {
                    let label = match r.status {
                        checkout::refund_state::VERIFYING | checkout::refund_state::SENDING => {
                            "answer lost, being verified with WebPay (counts as refunded until then)".to_string()
                        }
                        checkout::refund_state::FAILED => "not refunded".to_string(),
                        other => other.to_string(),
                    };
                    view! { <li>{format!("{} {}: {label}", r.created_at.format("%Y-%m-%d %H:%M"), money::format(r.amount, &currency))}</li> }
                })
                .collect();
            let verify = unsettled.then(|| {
                let action = format!("/orders/{}/refunds/verify", order.number);
                view! {
                    <form class="inline" method="post" action=action>
                        {csrf_field(&ctx2)}
                        <button type="submit" class="secondary">"Check with WebPay"</button>
                    </form>
                }
            });
            view! {
                <section class="panel" id="refunds">
                    <h2>"Refunds"</h2>
                    <ul>{items}</ul>
                    {verify}
                </section>
            }
        });
        let left = loaded.left_to_refund;
        let refund_form = (is_admin && order.status == OrderStatus::Paid && left > 0).then(|| {
            let action = format!("/orders/{}/refund", order.number);
            view! {
                <form class="stacked card" id="refund" method="post" action=action>
                    {csrf_field(&ctx2)}
                    <h2>"Refund"</h2>
                    <label>"Amount in pesos" <input type="number" name="amount" min="1" max=left.to_string() value=left.to_string() required/></label>
                    <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " Refund this amount to the customer's card through WebPay"</label>
                    <button type="submit" class="danger">"Refund"</button>
                </form>
            }
        });
        let pay = (unpaid && !rows.is_empty()).then(|| match loaded.unavailable {
            Some(message) => view! { <p class="notice" role="status">{message}</p> }.into_any(),
            None => {
                let action = format!("/orders/{}/pay", order.number);
                view! {
                    <form method="post" action=action>
                        {csrf_field(&ctx2)}
                        <button type="submit">"Pay with WebPay"</button>
                    </form>
                }
                .into_any()
            }
        });
        view! {
            {form_errors(errors)}
            <p>"Status: " <span class="tag">{order.status.label()}</span></p>
            {setting_up}
            {payment}
            {pay}
            {refunds}
            {refund_form}
            {if rows.is_empty() {
                empty("This order has no items left.").into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr><th>"Product"</th><th class="num">"Quantity"</th><th class="num">"Unit price"</th><th class="num">"Total"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>{rows}</tbody>
                            {footer}
                        </table>
                    </div>
                }.into_any()
            }}
        }
    })
}

/// `POST /orders/{number}/pay`: starts a WebPay transaction and sends the browser to
/// WebPay's form with `token_ws` (a visible button; no script needed).
pub(crate) async fn pay(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let settings = state.webpay_gateway().await?;
    let started = match unavailable(&settings) {
        Some(message) => Err(message.to_string()),
        None => {
            let gateway = state.checkout(&settings);
            match checkout::start(&state.db, &gateway, viewer, &number, &state.settings.base_url).await {
                Ok(redirection) => Ok(redirection),
                Err(checkout::CheckoutError::Failed(error)) => return Err(error),
                Err(refused) => Err(refused.to_string()),
            }
        }
    };
    match started {
        Ok(redirection) => Ok(page_with_status(StatusCode::OK, &ctx, "Continue to WebPay", move || {
            let test = redirection.test.then(|| {
                view! {
                    <p class="notice"><span class="tag warn">"TEST"</span>" This payment goes to Transbank's integration (test) environment: pay with one of its test cards; no real money moves."</p>
                }
            });
            view! {
                <section class="panel">
                    {test}
                    <p>"You pay on WebPay, Transbank's payment page. You will come back here afterwards."</p>
                    <form method="post" action=redirection.url>
                        <input type="hidden" name="token_ws" value=redirection.token/>
                        <button type="submit">"Continue to WebPay"</button>
                    </form>
                </section>
            }
        })),
        Err(message) => {
            let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![message]).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WebpayReturn {
    token_ws: Option<String>,
    #[serde(rename = "TBK_TOKEN")]
    tbk_token: Option<String>,
    #[serde(rename = "TBK_ORDEN_COMPRA")]
    tbk_orden_compra: Option<String>,
    #[serde(rename = "TBK_ID_SESION")]
    tbk_id_sesion: Option<String>,
}

async fn webpay_return(state: AppState, ctx: PageCtx, fields: Result<WebpayReturn, String>) -> AppResult<Response> {
    let fields = match fields {
        Ok(fields) => fields,
        Err(reason) => {
            if let Some(left_out) = state.unmatched_returns.admit(std::time::Instant::now()) {
                tracing::warn!(%reason, left_out, "unreadable WebPay return");
            }
            return Ok(error_page(
                &ctx,
                StatusCode::BAD_REQUEST,
                "This payment return could not be read. Nothing was charged to an order.",
            ));
        }
    };
    let params = checkout::ReturnParams {
        token_ws: fields.token_ws,
        tbk_token: fields.tbk_token,
        tbk_orden_compra: fields.tbk_orden_compra,
        tbk_id_sesion: fields.tbk_id_sesion,
    };
    // The return is answered even while the gateway is switched off: the payment was made.
    let gateway = state.checkout(&state.webpay_gateway().await?);
    match checkout::handle_return(&state.db, &gateway, &state.unmatched_returns, &params).await {
        // A same-site GET: the browser brings its session again (the POST from Transbank
        // is cross-site, so SameSite=Lax keeps the cookie out of it). The page shows the
        // result of the attempt the shopper came back from.
        Ok(returned) => Ok(Redirect::to(&format!(
            "/orders/{}?attempt={}",
            returned.order_number,
            encode_query_value(&returned.buy_order)
        ))
        .into_response()),
        Err(checkout::CheckoutError::Failed(error)) => Err(error),
        Err(unmatched) => Ok(error_page(&ctx, StatusCode::BAD_REQUEST, &unmatched.to_string())),
    }
}

/// `GET /checkout/webpay/return` (Transbank returns by GET or POST; no CSRF token here).
pub(crate) async fn webpay_return_get(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    uri: axum::http::Uri,
) -> AppResult<Response> {
    let fields = serde_urlencoded::from_str::<WebpayReturn>(uri.query().unwrap_or("")).map_err(|e| e.to_string());
    webpay_return(state, ctx, fields).await
}

/// `POST /checkout/webpay/return`.
pub(crate) async fn webpay_return_post(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let fields = serde_urlencoded::from_bytes::<WebpayReturn>(&body).map_err(|e| e.to_string());
    webpay_return(state, ctx, fields).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /orders/{number}/refund`: provider admins refund all or part of a paid order.
pub(crate) async fn refund(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(number): Path<String>,
    Form(form): Form<RefundForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let outcome = match (form.amount.trim().parse::<i64>(), form.confirm.as_str()) {
        (_, confirm) if confirm != "yes" => Err("Tick the confirmation to refund.".to_string()),
        (Err(_), _) => Err("The amount is a whole number of pesos.".to_string()),
        (Ok(amount), _) => {
            let webpay = state.webpay_gateway().await?.client(&state.webpay_http);
            let refunded = match checkout::refund(&state.db, &webpay, &number, amount).await {
                Ok(done) => Ok(done),
                Err(checkout::RefundError::Failed(error)) => return Err(error),
                Err(refused) => Err(refused.to_string()),
            };
            refunded.map(|done| match done {
                RefundOutcome::Refunded { kind, amount, credit_invoice } => format!(
                    "WebPay answered {kind}: {} refunded; credit invoice {credit_invoice} issued.",
                    money::format(amount, "CLP"),
                ),
                RefundOutcome::BeingVerified { amount } => format!(
                    "WebPay's answer to the refund of {} was lost. It counts as refunded while it is being verified \
                     with WebPay's status; its credit invoice is issued once WebPay confirms it.",
                    money::format(amount, "CLP"),
                ),
            })
        }
    };
    match outcome {
        Ok(message) => {
            set_flash(&session, message).await?;
            Ok(Redirect::to(&format!("/orders/{number}")).into_response())
        }
        Err(message) => {
            let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![message]).await
        }
    }
}

/// `POST /orders/{number}/refunds/verify`: provider admins settle refunds whose answer was
/// lost from WebPay's status (the background job does the same every minute).
pub(crate) async fn verify_refunds(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
    let webpay = state.webpay_gateway().await?.client(&state.webpay_http);
    let settled = checkout::verify_refunds(&state.db, &webpay, view.order.id).await?;
    let message = match settled {
        0 => "WebPay's status settled no refund just now; the background job keeps checking.".to_string(),
        n => format!("{n} refund(s) settled from WebPay's status."),
    };
    set_flash(&session, message).await?;
    Ok(Redirect::to(&format!("/orders/{number}#refunds")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    attempt: Option<String>,
}

/// `GET /orders/{number}` (`?attempt=` names the WebPay attempt the shopper came back from).
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
    uri: axum::http::Uri,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
    // A query that does not read is ignored: the page is still the order's.
    let query = serde_urlencoded::from_str::<ShowQuery>(uri.query().unwrap_or("")).unwrap_or_default();
    let attempt = query.attempt.filter(|a| a.len() <= MAX_BUY_ORDER);
    let loaded = load(&state, view, attempt).await?;
    Ok(render_with(&ctx, StatusCode::OK, loaded, vec![]))
}

/// `POST /orders/{number}/items/{id}/remove`.
pub(crate) async fn remove_item(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((number, item_id)): Path<(String, i32)>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    match orders::remove_item(&state.db, scope, &number, item_id).await {
        Ok(order) => {
            let message = if order.status == OrderStatus::Canceled {
                format!("The last item was removed, so order {} is canceled.", order.number)
            } else {
                format!(
                    "The item was removed; the order's total is now {}.",
                    money::format(order.total, &order.currency)
                )
            };
            set_flash(&session, message).await?;
            Ok(Redirect::to(&format!("/orders/{number}")).into_response())
        }
        Err(orders::OrderError::Failed(error)) => Err(error),
        Err(refused) => {
            let view = orders::load(&state.db, scope, &number).await?;
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![refused.to_string()]).await
        }
    }
}

/// The orders table on My Account.
pub(crate) fn orders_table(paged: &Paged<order_rows::Model>) -> impl IntoView {
    if paged.items.is_empty() {
        return empty("No orders yet.").into_any();
    }
    let rows: Vec<_> = paged
        .items
        .iter()
        .map(|o| {
            let href = format!("/orders/{}", o.number);
            view! {
                <tr>
                    <td><a href=href>{o.number.clone()}</a></td>
                    <td>{o.created_at.format("%Y-%m-%d").to_string()}</td>
                    <td><span class="tag">{o.status.label()}</span></td>
                    <td class="num">{money::format(o.total, &o.currency)}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th>"Order"</th><th>"Date"</th><th>"Status"</th><th class="num">"Total"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
