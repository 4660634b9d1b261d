//! The reseller area: the customers a reseller bills (for the provider admin: its direct customers).

use axum::extract::{Query, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::store as accounts_store;
use crate::error::AppResult;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{empty, pager};
use crate::ui::{page, PageCtx};

pub(crate) async fn customers(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.seller_admin()?;
    let customers = accounts_store::customers_of(&state.db, viewer.account.id, page_query).await?;
    let campaign = match viewer.is_reseller_admin() {
        true => Some(super::invitations::load(&state, &ctx).await?),
        false => None,
    };
    let ctx2 = ctx.clone();
    let reseller = viewer.account.name.clone();
    let brand_link = viewer.is_reseller_admin().then(|| {
        let href = format!("/brands/{}", viewer.account.code);
        view! { <p><a href=href>"Your storefront's brand: name, logo, colours, footer"</a></p> }
    });
    let reports_link = view! {
        <p><a href="/reports">"Reports: your customers' invoices and invoice items"</a>
           " · " <a href="/api-clients">"API clients"</a> " · " <a href="/reseller/audit">"Audit log"</a></p>
    };
    Ok(page(&ctx, "Customers", move || {
        let rows: Vec<_> = customers
            .items
            .iter()
            .map(|c| {
                let href = format!("/accounts/{}", c.code);
                view! {
                    <tr>
                        <td><a href=href>{c.name.clone()}</a></td>
                        <td>{c.code.clone()}</td>
                        <td>{c.currency.clone()}</td>
                    </tr>
                }
            })
            .collect();
        let table = (!rows.is_empty()).then(|| {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>"Customer"</th><th>"Code"</th><th>"Currency"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        view! {
            {brand_link}
            {reports_link}
            <p class="muted">{format!("Customers that {reseller} bills.")}</p>
            {customers.items.is_empty().then(|| empty("You have no customers yet."))}
            {table}
            {pager(&customers, "/reseller")}
            {campaign.map(|c| super::invitations::section(&ctx2, c))}
        }
    }))
}
