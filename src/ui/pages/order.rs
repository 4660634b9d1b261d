//! Orders: placing one from the cart, the order page, removing items while unpaid.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::catalog::orders::{self, OrderView};
use crate::catalog::reservations::ReservationLabel;
use crate::entities::enums::OrderStatus;
use crate::entities::{orders as order_rows, refunds, webpay_transactions};
use crate::error::{encode_query_value, AppResult};
use crate::i18n::{msg, tr, Localize};
use crate::identity::session::set_flash;
use crate::pagination::Paged;
use crate::payments::webpay::checkout::{self, RefundOutcome};
use crate::payments::webpay::gateway::GatewaySettings;
use crate::payments::webpay::MAX_BUY_ORDER;
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
            set_flash(&session, tr!(ctx, "order-placed", number = order.number.as_str())).await?;
            Ok(Redirect::to(&format!("/orders/{}", order.number)).into_response())
        }
        Err(orders::OrderError::Failed(error)) => Err(error),
        Err(refused) => Ok(error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &refused.localized(&ctx))),
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
    unavailable: Option<checkout::Unavailable>,
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
fn unavailable(settings: &GatewaySettings) -> Option<checkout::Unavailable> {
    if !settings.configured {
        Some(checkout::Unavailable::NotAvailableYet)
    } else if !settings.active {
        Some(checkout::Unavailable::SwitchedOff)
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

fn render_with(ctx: &PageCtx, status: StatusCode, loaded: Loaded, errors: Vec<String>) -> Response {
    let order = loaded.view.order.clone();
    let is_admin = ctx.viewer.as_ref().is_some_and(|v| v.is_provider_admin());
    let title = tr!(ctx, "order-title", number = order.number.as_str());
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
                let reservation = item.reservation_label(ctx2.locale());
                let ramp_up = item.ramp_up_months.map(|m| tr!(ctx2, "order-ramp-up", months = m));
                let remove = unpaid.then(|| {
                    let action = format!("/orders/{}/items/{}/remove", order.number, item.id);
                    let label = tr!(ctx2, "order-remove-from-order", product = product.name.as_str());
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <button type="submit" class="danger" aria-label=label>{ctx2.t("order-remove")}</button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <td>
                            {item.description.clone()}
                            {reservation.map(|r| view! { <br/><span class="muted">{r}</span> })}
                            {ramp_up.map(|text| view! { <br/><span class="muted">{text}</span> })}
                        </td>
                        <td class="num">{item.quantity}</td>
                        <td class="num">{ctx2.money(item.unit_price, &currency)}</td>
                        <td class="num">{ctx2.money(item.total, &currency)}</td>
                        <td>{remove}</td>
                    </tr>
                }
            })
            .collect();
        let rate = crate::billing::tax::VatRate::from_basis_points(order.vat_basis_points).unwrap_or_default();
        let footer = totals_footer(&ctx2, order.subtotal, order.tax, order.total, rate, &currency);
        let payment = shown.split_first().map(|(main, others)| {
            let receipt = (main.status == checkout::state::AUTHORIZED).then(|| {
                let payment_type = payment_type_label(&ctx2, main.payment_type_code.as_deref().unwrap_or_default());
                view! {
                    <dl class="facts receipt">
                        <dt>{ctx2.t("order-receipt-amount")}</dt><dd>{ctx2.money(main.amount, &currency)}</dd>
                        <dt>{ctx2.t("order-receipt-authorization-code")}</dt><dd>{main.authorization_code.clone().unwrap_or_default()}</dd>
                        <dt>{ctx2.t("order-receipt-card")}</dt><dd>{format!("•••• {}", main.card_last_digits.clone().unwrap_or_default())}</dd>
                        <dt>{ctx2.t("order-receipt-payment-type")}</dt><dd>{payment_type}</dd>
                        <dt>{ctx2.t("order-receipt-instalments")}</dt><dd>{main.installments_number.unwrap_or(0).to_string()}</dd>
                        <dt>{ctx2.t("order-receipt-webpay-order")}</dt><dd>{main.buy_order.clone()}</dd>
                        {main.test.then(|| view! { <dt>{ctx2.t("order-receipt-environment")}</dt><dd><span class="tag warn">{ctx2.t("order-test-tag")}</span></dd> })}
                    </dl>
                }
            });
            let test = main.test.then(|| view! { <p class="notice"><span class="tag warn">{ctx2.t("order-test-tag")}</span>" "{ctx2.t("order-test-notice")}</p> });
            let others: Vec<_> = others
                .iter()
                .map(|t| {
                    let tag = t.test.then(|| view! { <span class="tag warn">{ctx2.t("order-test-tag")}</span>" " });
                    let heading = tr!(ctx2, "order-webpay-order-heading", buy_order = t.buy_order.as_str());
                    view! { <p>{tag}<strong>{heading}</strong>{checkout::outcome_message_in(&ctx2, t)}</p> }
                })
                .collect();
            view! {
                <section class="panel" id="payment">
                    <h2>{ctx2.t("order-payment")}</h2>
                    <p role="status">{checkout::outcome_message_in(&ctx2, main)}</p>
                    {test}
                    {receipt}
                    {others}
                </section>
            }
        });
        let setting_up = (order.status == OrderStatus::Paid && order.attention.is_some()).then(|| {
            let reason = order.attention.clone().filter(|_| is_admin).map(|reason| {
                view! { <p class="muted">{reason}" "<a href="/admin/attention">{ctx2.t("order-needing-attention")}</a></p> }
            });
            view! {
                <section class="panel" id="setting-up">
                    <p role="status">{ctx2.t("order-being-set-up")}</p>
                    {reason}
                </section>
            }
        });
        let refunds = (is_admin && !loaded.refunds.is_empty()).then(|| {
            let unsettled = loaded
                .refunds
                .iter()
                .any(|r| [checkout::refund_state::VERIFYING, checkout::refund_state::SENDING].contains(&r.status));
            let items: Vec<_> = loaded
                .refunds
                .iter()
                .map(|r| {
                    let label = match r.status {
                        checkout::refund_state::VERIFYING | checkout::refund_state::SENDING => {
                            ctx2.t("order-refund-being-verified")
                        }
                        checkout::refund_state::FAILED => ctx2.t("order-refund-not-refunded"),
                        other => other.to_string(),
                    };
                    let line = tr!(
                        ctx2,
                        "order-refund-line",
                        when = ctx2.datetime(&r.created_at),
                        amount = ctx2.money(r.amount, &currency),
                        status = label
                    );
                    view! { <li>{line}</li> }
                })
                .collect();
            let verify = unsettled.then(|| {
                let action = format!("/orders/{}/refunds/verify", order.number);
                view! {
                    <form class="inline" method="post" action=action>
                        {csrf_field(&ctx2)}
                        <button type="submit" class="secondary">{ctx2.t("order-check-with-webpay")}</button>
                    </form>
                }
            });
            view! {
                <section class="panel" id="refunds">
                    <h2>{ctx2.t("order-refunds")}</h2>
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
                    <h2>{ctx2.t("order-refund")}</h2>
                    <label>{ctx2.t("order-refund-amount")} " " <input type="number" name="amount" min="1" max=left.to_string() value=left.to_string() required/></label>
                    <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {ctx2.t("order-refund-confirm")}</label>
                    <button type="submit" class="danger">{ctx2.t("order-refund")}</button>
                </form>
            }
        });
        let pay = (unpaid && !rows.is_empty()).then(|| match loaded.unavailable {
            Some(message) => view! { <p class="notice" role="status">{message.localized(&ctx2)}</p> }.into_any(),
            None => {
                let action = format!("/orders/{}/pay", order.number);
                view! {
                    <form method="post" action=action>
                        {csrf_field(&ctx2)}
                        <button type="submit">{ctx2.t("order-pay-with-webpay")}</button>
                    </form>
                }
                .into_any()
            }
        });
        view! {
            {form_errors(errors)}
            <p>{ctx2.t("order-status")} " " <span class="tag">{orders::status_label(&ctx2, order.status)}</span></p>
            {setting_up}
            {payment}
            {pay}
            {refunds}
            {refund_form}
            {if rows.is_empty() {
                empty(ctx2.t("order-no-items-left")).into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th>{ctx2.t("order-product")}</th>
                                <th class="num">{ctx2.t("order-quantity")}</th>
                                <th class="num">{ctx2.t("order-unit-price")}</th>
                                <th class="num">{ctx2.t("order-total")}</th>
                                <th><span class="visually-hidden">{ctx2.t("order-actions")}</span></th>
                            </tr></thead>
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
        Some(message) => Err(message.localized(&ctx)),
        None => {
            let gateway = state.checkout(&settings);
            match checkout::start(&state.db, &gateway, viewer, &number, &state.settings.base_url).await {
                Ok(redirection) => Ok(redirection),
                Err(checkout::CheckoutError::Failed(error)) => return Err(error),
                Err(refused) => Err(refused.localized(&ctx)),
            }
        }
    };
    match started {
        Ok(redirection) => {
            let title = ctx.t("order-continue-to-webpay");
            let test_notice = ctx.t("order-webpay-test-notice");
            let test_tag = ctx.t("order-test-tag");
            let explanation = ctx.t("order-webpay-explanation");
            let button = title.clone();
            Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
                let test = redirection.test.then(|| {
                    view! {
                        <p class="notice"><span class="tag warn">{test_tag}</span>" "{test_notice}</p>
                    }
                });
                view! {
                    <section class="panel">
                        {test}
                        <p>{explanation}</p>
                        <form method="post" action=redirection.url>
                            <input type="hidden" name="token_ws" value=redirection.token/>
                            <button type="submit">{button}</button>
                        </form>
                    </section>
                }
            }))
        }
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
            return Ok(error_page(&ctx, StatusCode::BAD_REQUEST, &ctx.t("order-return-unreadable")));
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
        Err(unmatched) => Ok(error_page(&ctx, StatusCode::BAD_REQUEST, &unmatched.localized(&ctx))),
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
        (_, confirm) if confirm != "yes" => Err(ctx.t("order-refund-tick-confirmation")),
        (Err(_), _) => Err(ctx.t("order-refund-whole-pesos")),
        (Ok(amount), _) => {
            let webpay = state.webpay_gateway().await?.client(&state.webpay_http);
            let refunded = match checkout::refund(&state.db, &webpay, &number, amount).await {
                Ok(done) => Ok(done),
                Err(checkout::RefundError::Failed(error)) => return Err(error),
                Err(refused) => Err(refused.localized(&ctx)),
            };
            refunded.map(|done| match done {
                RefundOutcome::Refunded { kind, amount, credit_invoice } => tr!(
                    ctx,
                    "order-refunded",
                    kind = kind.as_str(),
                    amount = ctx.money(amount, "CLP"),
                    credit_invoice = credit_invoice
                ),
                RefundOutcome::BeingVerified { amount } => {
                    tr!(ctx, "order-refund-answer-lost", amount = ctx.money(amount, "CLP"))
                }
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
        0 => ctx.t("order-refunds-none-settled"),
        n => tr!(ctx, "order-refunds-settled", count = n),
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
                tr!(ctx, "order-last-item-removed", number = order.number.as_str())
            } else {
                tr!(ctx, "order-item-removed", total = ctx.money(order.total, &order.currency))
            };
            set_flash(&session, message).await?;
            Ok(Redirect::to(&format!("/orders/{number}")).into_response())
        }
        Err(orders::OrderError::Failed(error)) => Err(error),
        Err(refused) => {
            let view = orders::load(&state.db, scope, &number).await?;
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![refused.localized(&ctx)]).await
        }
    }
}

/// The orders table on My Account.
pub(crate) fn orders_table(loc: &impl Localize, paged: &Paged<order_rows::Model>) -> impl IntoView {
    if paged.items.is_empty() {
        return empty(loc.t("order-no-orders")).into_any();
    }
    let rows: Vec<_> = paged
        .items
        .iter()
        .map(|o| {
            let href = format!("/orders/{}", o.number);
            view! {
                <tr>
                    <td><a href=href>{o.number.clone()}</a></td>
                    <td>{loc.date(&o.created_at)}</td>
                    <td><span class="tag">{orders::status_label(loc, o.status)}</span></td>
                    <td class="num">{loc.money(o.total, &o.currency)}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{loc.t("order-order")}</th>
                    <th>{loc.t("order-date")}</th>
                    <th>{loc.t("order-status-heading")}</th>
                    <th class="num">{loc.t("order-total")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// What a WebPay payment type code means, for receipts, in the reader's language.
fn payment_type_label(loc: &impl Localize, code: &str) -> String {
    loc.t(match code {
        "VD" => msg!("order-payment-type-vd"),
        "VN" => msg!("order-payment-type-vn"),
        "VC" => msg!("order-payment-type-vc"),
        "SI" => msg!("order-payment-type-si"),
        "S2" => msg!("order-payment-type-s2"),
        "NC" => msg!("order-payment-type-nc"),
        "VP" => msg!("order-payment-type-vp"),
        _ => msg!("order-payment-type-card"),
    })
}
