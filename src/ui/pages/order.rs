//! Orders: placing one from the cart, the order page, removing items while unpaid.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::billing::money;
use crate::catalog::orders::{self, OrderView};
use crate::entities::enums::OrderStatus;
use crate::entities::orders as order_rows;
use crate::error::AppResult;
use crate::identity::session::set_flash;
use crate::pagination::Paged;
use crate::server::AppState;
use crate::ui::components::{csrf_field, empty, form_errors};
use crate::ui::pages::errors::error_page;
use crate::ui::{page_with_status, PageCtx};

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

fn render(ctx: &PageCtx, status: StatusCode, view: OrderView, errors: Vec<String>) -> Response {
    let order = view.order.clone();
    let title = format!("Order {}", order.number);
    let unpaid = order.status == OrderStatus::PendingPayment;
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, &title, move || {
        let currency = order.currency.clone();
        let rows: Vec<_> = view
            .items
            .iter()
            .map(|(item, product)| {
                let reservation = item.ri_reservation_type.clone().map(|t| {
                    format!(
                        "{t} · {} year(s) · {} scope · {}",
                        item.ri_term_years.unwrap_or(1),
                        item.ri_scope.clone().unwrap_or_default(),
                        item.ri_region.clone().unwrap_or_default()
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
                        <td>{item.description.clone()} {reservation.map(|r| view! { <br/><span class="muted">{r}</span> })}</td>
                        <td class="num">{item.quantity}</td>
                        <td class="num">{money::format(item.unit_price, &currency)}</td>
                        <td class="num">{money::format(item.total, &currency)}</td>
                        <td>{remove}</td>
                    </tr>
                }
            })
            .collect();
        let total = money::format(order.total, &currency);
        view! {
            {form_errors(errors)}
            <p>"Status: " <span class="tag">{order.status.label()}</span></p>
            {if rows.is_empty() {
                empty("This order has no items left.").into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr><th>"Product"</th><th class="num">"Quantity"</th><th class="num">"Unit price"</th><th class="num">"Total"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>{rows}</tbody>
                            <tfoot><tr><th colspan="3">"Total"</th><th class="num">{total}</th><th></th></tr></tfoot>
                        </table>
                    </div>
                }.into_any()
            }}
        }
    })
}

/// `GET /orders/{number}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let view = orders::load(&state.db, AccountScope::of(viewer), &number).await?;
    Ok(render(&ctx, StatusCode::OK, view, vec![]))
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
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, view, vec![message]))
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
