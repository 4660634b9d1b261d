//! The cart: list, change quantities, remove items (reserved instances included).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::catalog::reservations::{ReservationChoice, ReservationLabel};
use crate::catalog::{cart, Quantity};
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::identity::session::set_flash;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, totals_footer};
use crate::ui::pages::errors::error_page;
use crate::ui::{page, PageCtx};

pub(crate) async fn show(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let view_model = cart::load(&state.db, viewer).await?;
    let ctx2 = ctx.clone();
    Ok(page(&ctx, &ctx.t("cart-title"), move || cart_view(&ctx2, view_model)).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct AddForm {
    pub product_code: String,
    pub quantity: i32,
    pub ri_reservation_type: Option<String>,
    pub ri_term_years: Option<String>,
    pub ri_payment_plan: Option<String>,
    pub ri_scope: Option<String>,
    pub ri_region: Option<String>,
    /// The auto-renew checkbox of a reservation (`on` when ticked).
    pub ri_auto_renew: Option<String>,
    /// Months of ramp-up (consumption products with a minimum commitment).
    pub ramp_up_months: Option<u32>,
}

pub(crate) async fn add(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    // An anonymous visitor is sent to sign in, and back; nothing is kept for it (no session).
    let back = format!("/products/{}", crate::error::encode_query_value(&form.product_code));
    let viewer = match ctx.viewer.as_ref() {
        Some(v) => v,
        None => return Err(crate::error::AppError::SignInRequired { next: back }),
    };
    let chosen =
        [&form.ri_reservation_type, &form.ri_term_years, &form.ri_payment_plan, &form.ri_scope, &form.ri_region];
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let reservation = chosen.iter().any(|v| v.is_some()).then(|| ReservationChoice {
        reservation_type: text(&form.ri_reservation_type),
        term_years: text(&form.ri_term_years),
        payment_plan: text(&form.ri_payment_plan),
        scope: text(&form.ri_scope),
        region: text(&form.ri_region),
        auto_renew: form.ri_auto_renew.as_deref() == Some("on"),
    });
    match cart::add(&state.db, viewer, &form.product_code, form.quantity, reservation, form.ramp_up_months.unwrap_or(0))
        .await
    {
        Ok(added) => {
            set_flash(&session, added.localized(&ctx)).await?;
            Ok(Redirect::to("/cart").into_response())
        }
        Err(cart::CartError::Failed(error)) => Err(error),
        Err(refused) => Ok(error_page(&ctx, axum::http::StatusCode::UNPROCESSABLE_ENTITY, &refused.localized(&ctx))),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct QuantityForm {
    pub quantity: i32,
}

pub(crate) async fn set_quantity(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(item_id): Path<i32>,
    Form(form): Form<QuantityForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match cart::set_quantity(&state.db, viewer, item_id, form.quantity).await {
        Ok(()) => {
            set_flash(&session, ctx.t("cart-quantity-updated")).await?;
            Ok(Redirect::to("/cart").into_response())
        }
        Err(cart::CartError::Failed(error)) => Err(error),
        Err(refused) => Ok(error_page(&ctx, axum::http::StatusCode::UNPROCESSABLE_ENTITY, &refused.localized(&ctx))),
    }
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(item_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    cart::remove(&state.db, viewer, item_id).await?;
    set_flash(&session, ctx.t("cart-item-removed")).await?;
    Ok(Redirect::to("/cart").into_response())
}

/// The cart page: its lines with quantity and remove forms, totals and "Place order".
fn cart_view(ctx: &PageCtx, view_model: cart::CartView) -> AnyView {
    let currency = view_model.currency.clone();
    let rows: Vec<_> = view_model
        .lines
        .iter()
        .map(|line| {
            let reservation = line.item.reservation_label(ctx.locale());
            let qty_action = format!("/cart/items/{}/quantity", line.item.id);
            let remove_action = format!("/cart/items/{}/remove", line.item.id);
            let label = tr!(ctx, "cart-quantity-of", product = line.product.name.as_str());
            let remove_label = tr!(ctx, "cart-remove-from-cart", product = line.product.name.as_str());
            let ramp_up = line.item.ramp_up_months.map(|m| tr!(ctx, "cart-ramp-up", months = m));
            view! {
                <tr>
                    <td>
                        {line.product.name.clone()}
                        {reservation.map(|r| view! { <br/><span class="muted">{r}</span> })}
                        {ramp_up.map(|text| view! { <br/><span class="muted">{text}</span> })}
                    </td>
                    <td>
                        <form class="inline" method="post" action=qty_action>
                            {csrf_field(ctx)}
                            <input type="number" name="quantity" aria-label=label value=line.item.quantity.to_string() min="1" max=Quantity::MAX.to_string()/>
                            <button type="submit" class="secondary">{ctx.t("cart-update")}</button>
                        </form>
                    </td>
                    <td class="num">{ctx.money(line.unit_price, &currency)}</td>
                    <td class="num">{ctx.money(line.total, &currency)}</td>
                    <td>
                        <form class="inline" method="post" action=remove_action>
                            {csrf_field(ctx)}
                            <button type="submit" class="danger" aria-label=remove_label>{ctx.t("cart-remove")}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect();
    if rows.is_empty() {
        return view! {
            {empty(ctx.t("cart-empty"))}
            <p><a class="button" href="/">{ctx.t("cart-browse-catalogue")}</a></p>
        }
        .into_any();
    }
    let totals = &view_model.totals;
    let footer = totals_footer(&ctx, totals.net, totals.tax, totals.total, view_model.vat_rate, &currency);
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{ctx.t("cart-product")}</th>
                    <th>{ctx.t("cart-quantity")}</th>
                    <th class="num">{ctx.t("cart-unit-price")}</th>
                    <th class="num">{ctx.t("cart-total")}</th>
                    <th><span class="visually-hidden">{ctx.t("cart-actions")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
                {footer}
            </table>
        </div>
        <form method="post" action="/orders">
            {csrf_field(ctx)}
            <button type="submit">{ctx.t("cart-place-order")}</button>
        </form>
        <p class="muted">{ctx.t("cart-prices-note")}</p>
    }
    .into_any()
}
