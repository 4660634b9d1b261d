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
use crate::catalog::reservations;
use crate::entities::enums::OrderStatus;
use crate::entities::{orders as order_rows, webpay_transactions};
use crate::error::AppResult;
use crate::identity::session::set_flash;
use crate::pagination::Paged;
use crate::payments::webpay::{checkout, payment_type_label};
use crate::server::AppState;
use crate::ui::components::{csrf_field, empty, form_errors};
use crate::ui::pages::errors::error_page;
use crate::ui::{page_with_status, PageCtx};
use serde::Deserialize;

/// `POST /orders`: the cart becomes an order waiting for payment.
pub async fn place(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match orders::place_from_cart(&state.db, viewer).await? {
        Ok(order) => {
            set_flash(&session, format!("Order {} was placed.", order.number)).await?;
            Ok(Redirect::to(&format!("/orders/{}", order.number)).into_response())
        }
        Err(message) => Ok(error_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &message)),
    }
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    status: StatusCode,
    view: OrderView,
    errors: Vec<String>,
) -> AppResult<Response> {
    let latest = checkout::transactions_of(&state.db, view.order.id).await?.into_iter().next();
    Ok(render_with(ctx, status, view, latest, errors))
}

fn render_with(
    ctx: &PageCtx,
    status: StatusCode,
    view: OrderView,
    latest: Option<webpay_transactions::Model>,
    errors: Vec<String>,
) -> Response {
    let order = view.order.clone();
    let is_admin = ctx.viewer.as_ref().is_some_and(|v| v.is_provider_admin());
    let title = format!("Order {}", order.number);
    let unpaid = order.status == OrderStatus::PendingPayment;
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, &title, move || {
        let currency = order.currency.clone();
        let rows: Vec<_> = view
            .items
            .iter()
            .map(|(item, product)| {
                let reservation = item.ri_reservation_type.as_deref().map(|t| {
                    reservations::describe(
                        t,
                        item.ri_term_years,
                        item.ri_scope.as_deref(),
                        item.ri_region.as_deref(),
                        item.ri_payment_plan,
                        Some(item.ri_auto_renew),
                    )
                });
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
        let subtotal = money::format(order.subtotal, &currency);
        let vat_label = format!(
            "VAT ({})",
            crate::billing::tax::VatRate::from_basis_points(order.vat_basis_points).unwrap_or_default().label()
        );
        let tax = money::format(order.tax, &currency);
        let total = money::format(order.total, &currency);
        let outcome = latest.as_ref().map(|t| {
            let receipt = (t.status == checkout::state::AUTHORIZED).then(|| {
                let payment_type = t.payment_type_code.as_deref().map(payment_type_label).unwrap_or("Card");
                view! {
                    <dl class="facts receipt">
                        <dt>"Amount"</dt><dd>{money::format(t.amount, &currency)}</dd>
                        <dt>"Authorization code"</dt><dd>{t.authorization_code.clone().unwrap_or_default()}</dd>
                        <dt>"Card"</dt><dd>{format!("•••• {}", t.card_last_digits.clone().unwrap_or_default())}</dd>
                        <dt>"Payment type"</dt><dd>{payment_type}</dd>
                        <dt>"Instalments"</dt><dd>{t.installments_number.unwrap_or(0).to_string()}</dd>
                        <dt>"WebPay order"</dt><dd>{t.buy_order.clone()}</dd>
                    </dl>
                }
            });
            view! {
                <section class="panel" id="payment">
                    <h2>"Payment"</h2>
                    <p role="status">{checkout::outcome_message(t)}</p>
                    {receipt}
                </section>
            }
        });
        let refund_form = (is_admin && order.status == OrderStatus::Paid).then(|| {
            let action = format!("/orders/{}/refund", order.number);
            view! {
                <form class="stacked card" method="post" action=action>
                    {csrf_field(&ctx2)}
                    <h2>"Refund"</h2>
                    <label>"Amount in pesos" <input type="number" name="amount" min="1" max=order.total.to_string() value=order.total.to_string() required/></label>
                    <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " Refund this amount to the customer's card through WebPay"</label>
                    <button type="submit" class="danger">"Refund"</button>
                </form>
            }
        });
        let pay_button = (unpaid && !rows.is_empty()).then(|| {
            let action = format!("/orders/{}/pay", order.number);
            view! {
                <form method="post" action=action>
                    {csrf_field(&ctx2)}
                    <button type="submit">"Pay with WebPay"</button>
                </form>
            }
        });
        view! {
            {form_errors(errors)}
            <p>"Status: " <span class="tag">{order.status.label()}</span></p>
            {outcome}
            {pay_button}
            {refund_form}
            {if rows.is_empty() {
                empty("This order has no items left.").into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr><th>"Product"</th><th class="num">"Quantity"</th><th class="num">"Unit price"</th><th class="num">"Total"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>{rows}</tbody>
                            <tfoot>
                                <tr><th colspan="3">"Subtotal (net)"</th><th class="num">{subtotal}</th><th></th></tr>
                                <tr><th colspan="3">{vat_label}</th><th class="num">{tax}</th><th></th></tr>
                                <tr><th colspan="3">"Total"</th><th class="num">{total}</th><th></th></tr>
                            </tfoot>
                        </table>
                    </div>
                }.into_any()
            }}
        }
    })
}

/// `POST /orders/{number}/pay`: starts a WebPay transaction and sends the browser to
/// WebPay's form with `token_ws` (a visible button; no script needed).
pub async fn pay(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let started = match state.webpay().await? {
        Some(webpay) => checkout::start(&state.db, &webpay, viewer, &number, &state.settings.base_url).await?,
        None => Err("Online payment is switched off just now. Please try again later.".to_string()),
    };
    match started {
        Ok(redirection) => Ok(page_with_status(StatusCode::OK, &ctx, "Continue to WebPay", move || {
            view! {
                <section class="panel">
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
pub struct WebpayReturn {
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
            tracing::warn!(%reason, "unreadable WebPay return");
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
    let webpay = state.webpay_gateway().await?.client(&state.webpay_http);
    match checkout::handle_return(&state.db, &webpay, &params).await? {
        // A same-site GET: the browser brings its session again (the POST from Transbank
        // is cross-site, so SameSite=Lax keeps the cookie out of it).
        Ok(number) => Ok(Redirect::to(&format!("/orders/{number}")).into_response()),
        Err(message) => Ok(error_page(&ctx, StatusCode::BAD_REQUEST, &message)),
    }
}

/// `GET /checkout/webpay/return` (Transbank returns by GET or POST; no CSRF token here).
pub async fn webpay_return_get(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    uri: axum::http::Uri,
) -> AppResult<Response> {
    let fields = serde_urlencoded::from_str::<WebpayReturn>(uri.query().unwrap_or("")).map_err(|e| e.to_string());
    webpay_return(state, ctx, fields).await
}

/// `POST /checkout/webpay/return`.
pub async fn webpay_return_post(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let fields = serde_urlencoded::from_bytes::<WebpayReturn>(&body).map_err(|e| e.to_string());
    webpay_return(state, ctx, fields).await
}

#[derive(Debug, Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /orders/{number}/refund`: provider admins refund all or part of a paid order.
pub async fn refund(
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
            checkout::refund(&state.db, &webpay, &number, amount).await?.map(|done| {
                format!(
                    "WebPay answered {}: {} refunded; credit invoice {} issued.",
                    done.kind,
                    money::format(done.amount, "CLP"),
                    done.credit_invoice
                )
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

/// `GET /orders/{number}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
    render(&state, &ctx, StatusCode::OK, view, vec![]).await
}

/// `POST /orders/{number}/items/{id}/remove`.
pub async fn remove_item(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((number, item_id)): Path<(String, i32)>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    match orders::remove_item(&state.db, scope, &number, item_id).await? {
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
        Err(message) => {
            let view = orders::load(&state.db, scope, &number).await?;
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![message]).await
        }
    }
}

/// The orders table on My Account.
pub fn orders_table(paged: &Paged<order_rows::Model>) -> impl IntoView {
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
