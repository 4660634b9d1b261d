//! Home: the catalogue.

use axum::extract::State;
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::catalog::store;
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::state::AppState;
use crate::ui::components::empty;
use crate::ui::{page, PageCtx};

pub(crate) async fn show(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Html<String>> {
    let audience = crate::ui::pages::product::audience(&state, &ctx).await?;
    let products = store::active_products_remembered(&state.db, &state.config_cache, audience).await?;
    let currency = ctx.viewer.as_ref().map_or_else(|| "CLP".to_string(), |v| v.account.currency.clone());
    let cards: Vec<_> = products
        .iter()
        .map(|listed| {
            let price = listed.price_label(&ctx, &currency);
            let href = format!("/products/{}", listed.product.code);
            let kind = crate::catalog::product_kind_label(&ctx, listed.product.kind);
            let vendor = listed.product.vendor.clone();
            let name = listed.product.name.clone();
            view! {
                <li>
                    <article class="card">
                        <span class="tag">{kind}</span>
                        <h2><a href=href>{name}</a></h2>
                        <p class="muted">{vendor}</p>
                        <p class="price">{price}</p>
                    </article>
                </li>
            }
        })
        .collect();
    let is_empty = cards.is_empty();
    let lead = tr!(ctx, "home-lead", company = ctx.brand.company_name.as_str());
    let no_products = ctx.t("home-empty");
    Ok(page(&ctx, &ctx.t("home-title"), move || {
        view! {
            <p class="lead">{lead}</p>
            {is_empty.then(|| empty(no_products))}
            <ul class="catalogue">{cards}</ul>
        }
    }))
}
