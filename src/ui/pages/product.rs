//! A product's page with its add-to-cart form.

use axum::extract::{Path, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::billing::money;
use crate::catalog::pricing::Audience;
use crate::catalog::reservations::{self, ReservationOffer};
use crate::catalog::{store, Quantity};
use crate::entities::enums::RiPaymentPlan;
use crate::entities::products;
use crate::error::AppError;
use crate::error::AppResult;
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
    let price = listed.price_label(&preferred);
    let reservation = listed.reservation.clone().zip(sold_in);
    let currency = preferred;
    let minimum =
        product.minimum_commitment.filter(|_| product.has_minimum_commitment()).map(|m| money::format(m, &currency));
    let title = product.name.clone();
    let ctx2 = ctx.clone();
    Ok(page(&ctx, &title, move || {
        let (price_table, ri_fields) = match &reservation {
            Some((offer, currency)) => {
                (Some(prices_view(offer, currency)), Some(reservation_fields(&product, offer, currency)))
            }
            None => (None, None),
        };
        let ramp_up_field = minimum.map(ramp_up_field);
        let buy = has_price.then(|| {
            let code = product.code.clone();
            view! {
                <form class="stacked card" method="post" action="/cart/items">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="product_code" value=code/>
                    <label>"Quantity" <input type="number" name="quantity" value="1" min="1" max=Quantity::MAX.to_string() required/></label>
                    {ri_fields}
                    {ramp_up_field}
                    <button type="submit">"Add to cart"</button>
                </form>
            }
        });
        view! {
            <section class="panel">
                <p><span class="tag">{product.kind.label()}</span> " " <span class="muted">{product.vendor.clone()}</span></p>
                <p>{product.description.clone()}</p>
                <p class="price">{price}</p>
                {price_table}
            </section>
            {buy}
        }
    }))
}

/// The ramp-up choice of a product with a monthly minimum commitment (`minimum`, formatted).
fn ramp_up_field(minimum: String) -> impl IntoView {
    view! {
        <label>{format!("Ramp-up period (waives the monthly minimum commitment of {minimum} from the start)")}
            <select name="ramp_up_months">
                <option value="0">"None"</option>
                <option value="1">"1 month"</option>
                <option value="2">"2 months"</option>
                <option value="3">"3 months"</option>
            </select>
        </label>
    }
}

/// The reservation's prices in `currency`: a row per term, a column per payment plan.
fn prices_view(offer: &ReservationOffer, currency: &str) -> impl IntoView {
    let cell = |amount: Option<i64>| amount.map_or_else(|| "—".to_string(), |a| money::format(a, currency));
    let rows: Vec<_> = reservations::price_table(&offer.prices, currency)
        .into_iter()
        .map(|(term, upfront, monthly)| {
            view! {
                <tr><th scope="row">{reservations::term_label(term)}</th><td class="num">{cell(upfront)}</td><td class="num">{cell(monthly)}</td></tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <caption>"Prices per reservation"</caption>
                <thead><tr>
                    <th>"Term"</th>
                    <th class="num">{RiPaymentPlan::Upfront.label()}</th>
                    <th class="num">{RiPaymentPlan::Monthly.label()}</th>
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
fn reservation_fields(product: &products::Model, offer: &ReservationOffer, currency: &str) -> impl IntoView {
    let same = |values: &[String]| values.iter().map(|v| (v.clone(), v.clone())).collect::<Vec<_>>();
    let scopes = offer
        .scopes
        .iter()
        .map(|scope| {
            let label = match scope.as_str() {
                "single" => "Single subscription".to_string(),
                "shared" => "Shared".to_string(),
                other => other.to_string(),
            };
            (scope.clone(), label)
        })
        .collect();
    let terms = reservations::terms_in(&offer.prices, currency)
        .into_iter()
        .map(|t| (t.to_string(), reservations::term_label(t)))
        .collect();
    let plans = reservations::plans_in(&offer.prices, currency)
        .into_iter()
        .map(|p| (p.as_str().to_string(), p.describe().to_string()))
        .collect();
    view! {
        <fieldset>
            <legend>"Reservation"</legend>
            <label>"Reservation type " {select("ri_reservation_type", same(&offer.reservation_types), product.ri_reservation_type.clone())}</label>
            <label>"Term " {select("ri_term_years", terms, product.ri_term_years.map(|t| t.to_string()))}</label>
            <label>"Payment " {select("ri_payment_plan", plans, Some(RiPaymentPlan::Upfront.as_str().to_string()))}</label>
            <label>"Scope " {select("ri_scope", scopes, product.ri_scope.clone())}</label>
            <label>"Region " {select("ri_region", same(&offer.regions), product.ri_region.clone())}</label>
            <label class="check"><input type="checkbox" name="ri_auto_renew" value="on"/> " Renew the reservation automatically when its term ends"</label>
        </fieldset>
    }
}
