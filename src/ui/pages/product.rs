//! A product's page with its add-to-cart form.

use axum::extract::{Path, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::catalog::{pick_price, price_label, store, MAX_QUANTITY};
use crate::entities::enums::ProductKind;
use crate::error::AppResult;
use crate::server::AppState;
use crate::ui::components::csrf_field;
use crate::ui::{page, PageCtx};

pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Html<String>> {
    let listed = store::product_by_code(&state.db, &code).await?;
    let currency = ctx.viewer.as_ref().map_or_else(|| "CLP".to_string(), |v| v.account.currency.clone());
    let product = listed.product.clone();
    let has_price = pick_price(&listed.prices, &currency).is_some();
    let price = price_label(&product, &listed.prices, &currency);
    let is_ri = product.kind == ProductKind::ReservedInstance;
    let minimum = product
        .minimum_commitment
        .filter(|m| *m > 0 && product.kind == ProductKind::Consumption)
        .map(|m| crate::billing::money::format(m, &currency));
    let title = product.name.clone();
    let ctx2 = ctx.clone();
    Ok(page(&ctx, &title, move || {
        let ri_fields = is_ri.then(|| {
            let ri_type = product.ri_reservation_type.clone().unwrap_or_default();
            let three_years = product.ri_term_years == Some(3);
            let shared = product.ri_scope.as_deref() == Some("shared");
            let region = product.ri_region.clone().unwrap_or_else(|| "eastus".into());
            view! {
                <fieldset>
                    <legend>"Reservation"</legend>
                    <label>"Reservation type" <input name="ri_reservation_type" value=ri_type maxlength="100" required/></label>
                    <label>"Term"
                        <select name="ri_term_years">
                            <option value="1" selected=!three_years>"1 year"</option>
                            <option value="3" selected=three_years>"3 years"</option>
                        </select>
                    </label>
                    <label>"Scope"
                        <select name="ri_scope">
                            <option value="single" selected=!shared>"Single subscription"</option>
                            <option value="shared" selected=shared>"Shared"</option>
                        </select>
                    </label>
                    <label>"Region" <input name="ri_region" value=region maxlength="64" required/></label>
                </fieldset>
            }
        });
        let ramp_up_field = minimum.map(|minimum| {
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
        });
        let buy = has_price.then(|| {
            let code = product.code.clone();
            view! {
                <form class="stacked card" method="post" action="/cart/items">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="product_code" value=code/>
                    <label>"Quantity" <input type="number" name="quantity" value="1" min="1" max=MAX_QUANTITY.to_string() required/></label>
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
            </section>
            {buy}
        }
    }))
}
