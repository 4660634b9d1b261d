//! A product's page with its add-to-cart form.

use axum::extract::{Path, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::catalog::pricing::Audience;
use crate::catalog::reservations::{self, ReservationOffer};
use crate::catalog::{store, Quantity};
use crate::entities::enums::RiPaymentPlan;
use crate::entities::products;
use crate::error::AppError;
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::state::AppState;
use crate::ui::components::csrf_field;
use crate::ui::{page, PageCtx};

/// Whose prices the catalogue shows: the viewer's (a reseller's customer its reseller's;
/// a reseller admin what its customers pay), else the storefront's (a reseller's custom
/// host shows that reseller's prices, the provider's site list prices).
pub(crate) async fn audience(state: &AppState, ctx: &PageCtx) -> AppResult<Audience> {
    use crate::entities::enums::AccountTier;
    match &ctx.viewer {
        Some(viewer) if viewer.account.tier == AccountTier::Reseller => Ok(Audience::CustomersOf(viewer.account.id)),
        Some(viewer) => Audience::of_account(&state.db, &viewer.account).await,
        None => Ok(match ctx.storefront_of {
            Some(reseller) => Audience::CustomersOf(reseller),
            None => Audience::Provider,
        }),
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Html<String>> {
    // The audience's catalogue of today, from memory when nothing changed since.
    let catalogue = store::active_products_remembered(&state.db, &state.config_cache, audience(&state, &ctx).await?);
    let listed =
        catalogue.await?.iter().find(|listed| listed.product.code == code).cloned().ok_or(AppError::NotFound)?;
    let preferred = ctx.viewer.as_ref().map_or_else(|| "CLP".to_string(), |v| v.account.currency.clone());
    let product = listed.product.clone();
    let sold_in = listed.currency_for(&preferred);
    let has_price = sold_in.is_some();
    let price = listed.price_label(&ctx, &preferred);
    let reservation = listed.reservation.clone().zip(sold_in);
    let currency = preferred;
    let minimum =
        product.minimum_commitment.filter(|_| product.has_minimum_commitment()).map(|m| ctx.money(m, &currency));
    let title = product.name.clone();
    let ctx2 = ctx.clone();
    Ok(page(&ctx, &title, move || {
        let (price_table, ri_fields) = match &reservation {
            Some((offer, currency)) => {
                (Some(prices_view(&ctx2, offer, currency)), Some(reservation_fields(&ctx2, &product, offer, currency)))
            }
            None => (None, None),
        };
        let ramp_up_field = minimum.map(|minimum| ramp_up_field(&ctx2, minimum));
        let buy = has_price.then(|| {
            let code = product.code.clone();
            view! {
                <form class="stacked card" method="post" action="/cart/items">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="product_code" value=code/>
                    <label>{ctx2.t("product-quantity")} " " <input type="number" name="quantity" value="1" min="1" max=Quantity::MAX.to_string() required/></label>
                    {ri_fields}
                    {ramp_up_field}
                    <button type="submit">{ctx2.t("product-add-to-cart")}</button>
                </form>
            }
        });
        view! {
            <section class="panel">
                <p><span class="tag">{crate::catalog::product_kind_label(&ctx2, product.kind)}</span> " " <span class="muted">{product.vendor.clone()}</span></p>
                <p>{product.description.clone()}</p>
                <p class="price">{price}</p>
                {price_table}
            </section>
            {buy}
        }
    }))
}

/// The ramp-up choice of a product with a monthly minimum commitment (`minimum`, formatted).
fn ramp_up_field(ctx: &PageCtx, minimum: String) -> impl IntoView {
    let months = |n: u32| tr!(ctx, "product-ramp-up-months", months = n);
    view! {
        <label>{tr!(ctx, "product-ramp-up-label", minimum = minimum)}
            <select name="ramp_up_months">
                <option value="0">{ctx.t("product-ramp-up-none")}</option>
                <option value="1">{months(1)}</option>
                <option value="2">{months(2)}</option>
                <option value="3">{months(3)}</option>
            </select>
        </label>
    }
}

/// The reservation's prices in `currency`: a row per term, a column per payment plan.
fn prices_view(ctx: &PageCtx, offer: &ReservationOffer, currency: &str) -> impl IntoView {
    let cell = |amount: Option<i64>| amount.map_or_else(|| "—".to_string(), |a| ctx.money(a, currency));
    let rows: Vec<_> = reservations::price_table(&offer.prices, currency)
        .into_iter()
        .map(|(term, upfront, monthly)| {
            view! {
                <tr><th scope="row">{reservations::term_label(ctx, term)}</th><td class="num">{cell(upfront)}</td><td class="num">{cell(monthly)}</td></tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <caption>{ctx.t("product-ri-prices-caption")}</caption>
                <thead><tr>
                    <th>{ctx.t("product-ri-term-heading")}</th>
                    <th class="num">{reservations::plan_label_in(ctx, RiPaymentPlan::Upfront)}</th>
                    <th class="num">{reservations::plan_label_in(ctx, RiPaymentPlan::Monthly)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A select of `values`, the product's preselected one (if offered) selected.
fn select(name: &'static str, values: Vec<(String, String)>, preselected: Option<String>) -> impl IntoView {
    let options: Vec<_> = values
        .into_iter()
        .map(|(value, label)| {
            let selected = preselected.as_deref() == Some(value.as_str());
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect();
    view! { <select name=name required>{options}</select> }
}

/// The reservation's choices: only what the product offers and what is priced in `currency`.
fn reservation_fields(
    ctx: &PageCtx,
    product: &products::Model,
    offer: &ReservationOffer,
    currency: &str,
) -> impl IntoView {
    let same = |values: &[String]| values.iter().map(|v| (v.clone(), v.clone())).collect::<Vec<_>>();
    let scopes = offer
        .scopes
        .iter()
        .map(|scope| {
            let label = match scope.as_str() {
                "single" => ctx.t("product-ri-scope-single"),
                "shared" => ctx.t("product-ri-scope-shared"),
                other => other.to_string(),
            };
            (scope.clone(), label)
        })
        .collect();
    let terms = reservations::terms_in(&offer.prices, currency)
        .into_iter()
        .map(|t| (t.to_string(), reservations::term_label(ctx, t)))
        .collect();
    let plans = reservations::plans_in(&offer.prices, currency)
        .into_iter()
        .map(|p| (p.as_str().to_string(), reservations::plan_describe_in(ctx, p)))
        .collect();
    view! {
        <fieldset>
            <legend>{ctx.t("product-ri-legend")}</legend>
            <label>{ctx.t("product-ri-type")} " " {select("ri_reservation_type", same(&offer.reservation_types), product.ri_reservation_type.clone())}</label>
            <label>{ctx.t("product-ri-term-heading")} " " {select("ri_term_years", terms, product.ri_term_years.map(|t| t.to_string()))}</label>
            <label>{ctx.t("product-ri-payment")} " " {select("ri_payment_plan", plans, Some(RiPaymentPlan::Upfront.as_str().to_string()))}</label>
            <label>{ctx.t("product-ri-scope")} " " {select("ri_scope", scopes, product.ri_scope.clone())}</label>
            <label>{ctx.t("product-ri-region")} " " {select("ri_region", same(&offer.regions), product.ri_region.clone())}</label>
            <label class="check"><input type="checkbox" name="ri_auto_renew" value="on"/> " " {ctx.t("product-ri-auto-renew")}</label>
        </fieldset>
    }
}
