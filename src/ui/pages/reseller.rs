//! The reseller area: the customers a reseller bills (for the provider admin: its direct customers).

use axum::extract::{Query, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::store as accounts_store;
use crate::entities::accounts;
use crate::entities::enums::{AccountStatus, AccountTier};
use crate::error::AppResult;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, pager};
use crate::ui::{page, PageCtx};

pub(crate) async fn customers(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.seller_admin()?;
    let customers = accounts_store::customers_of(&state.db, viewer.account.id, page_query).await?;
    let pending = crate::accounts::customers::pending(&state.db, viewer).await?;
    let campaign = match viewer.is_reseller_admin() {
        true => Some(super::invitations::load(&state, &ctx).await?),
        false => None,
    };
    let ctx2 = ctx.clone();
    let reseller = viewer.account.name.clone();
    let brand_link = viewer.is_reseller_admin().then(|| {
        let href = format!("/brands/{}", viewer.account.code);
        view! {
            <p><a href=href>"Your storefront's brand: name, logo, colours, footer"</a>
               " · " <a href="/reseller/prices">"Price list: what your customers pay"</a></p>
        }
    });
    let reports_link = view! {
        <p><a href="/reports">"Reports: your customers' invoices and invoice items"</a>
           " · " <a href="/api-clients">"API clients"</a> " · " <a href="/reseller/audit">"Audit log"</a></p>
    };
    let ctx3 = ctx.clone();
    let pager_locale = ctx.locale;
    Ok(page(&ctx, "Customers", move || {
        let rows: Vec<_> = customers
            .items
            .iter()
            .map(|c| {
                let href = format!("/accounts/{}", c.code);
                let manage = (c.tier == AccountTier::Customer).then(|| {
                    let edit = format!("/reseller/customers/{}", c.code);
                    let users = format!("/accounts/{}/users", c.code);
                    view! { <a href=edit>"Edit"</a> " · " <a href=users>"Users"</a> }
                });
                view! {
                    <tr>
                        <td><a href=href>{c.name.clone()}</a></td>
                        <td>{c.code.clone()}</td>
                        <td>{c.currency.clone()}</td>
                        <td><span class="tag">{status_label(c.status)}</span></td>
                        <td>{manage}</td>
                    </tr>
                }
            })
            .collect();
        let table = (!rows.is_empty()).then(|| {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>"Customer"</th><th>"Code"</th><th>"Currency"</th><th>"Status"</th><th>"Manage"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        view! {
            {pending_section(&ctx3, pending)}
            <p><a class="button" href="/reseller/customers/new">"New customer"</a></p>
            {brand_link}
            {reports_link}
            <p class="muted">{format!("Customers that {reseller} bills.")}</p>
            {customers.items.is_empty().then(|| empty("You have no customers yet."))}
            {table}
            {pager(&pager_locale, &customers, "/reseller")}
            {campaign.map(|c| super::invitations::section(&ctx2, c))}
        }
    }))
}

pub(crate) fn status_label(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "Active",
        AccountStatus::Suspended => "Suspended",
        AccountStatus::PendingApproval => "Waits for approval",
    }
}

/// The sign-ups that wait for the seller: approve, or reject (deletes them, confirmed).
fn pending_section(ctx: &PageCtx, pending: Vec<accounts::Model>) -> impl IntoView {
    (!pending.is_empty()).then(|| {
        let items: Vec<_> = pending
            .into_iter()
            .map(|a| {
                let approve = format!("/reseller/customers/{}/approve", a.code);
                let reject = format!("/reseller/customers/{}/reject", a.code);
                let facts = format!(
                    "{} ({}), tax id {}, {}, billing e-mail {}, signed up {}",
                    a.name,
                    a.code,
                    a.tax_id.clone().unwrap_or_default(),
                    a.country,
                    a.billing_email.clone().unwrap_or_default(),
                    a.created_at.format("%Y-%m-%d %H:%M UTC"),
                );
                view! {
                    <li class="card">
                        <p>{facts}</p>
                        <form method="post" action=approve class="inline">
                            {csrf_field(ctx)}
                            <button type="submit" name="approve" value="yes">{format!("Approve {}", a.name)}</button>
                        </form>
                        <form method="post" action=reject class="inline">
                            {csrf_field(ctx)}
                            <label><input type="checkbox" name="confirm" value="yes" required/>
                                " Delete this account and its users"</label>
                            <button type="submit" name="reject" value="yes" class="secondary">{format!("Reject {}", a.name)}</button>
                        </form>
                    </li>
                }
            })
            .collect();
        view! {
            <section class="panel">
                <h2>"Waiting for approval"</h2>
                <ul class="plain">{items}</ul>
            </section>
        }
    })
}
