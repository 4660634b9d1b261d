//! An account's page (a reseller opening its customer, an admin opening any account),
//! and the subscription and invoice tables that My Account shows too.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::billing::{money, store as billing_store};
use crate::entities::{invoices, products, subscriptions};
use crate::error::AppResult;
use crate::pagination::{PageQuery, Paged};
use crate::server::AppState;
use crate::subscriptions::store as subscriptions_store;
use crate::ui::components::{empty, pager};
use crate::ui::{page, PageCtx};

pub fn subscriptions_table(rows: Vec<(subscriptions::Model, Option<products::Model>)>) -> impl IntoView {
    if rows.is_empty() {
        return empty("No subscriptions yet.").into_any();
    }
    let body: Vec<_> = rows
        .into_iter()
        .map(|(s, p)| {
            let product = p.map(|p| p.name).unwrap_or_default();
            let status = s.status.as_str().replace('_', " ");
            view! {
                <tr>
                    <td><a href=format!("/subscriptions/{}", s.id)>{s.name}</a></td>
                    <td>{product}</td>
                    <td class="num">{s.quantity}</td>
                    <td><span class="tag">{status}</span></td>
                    <td>{s.term_end_date.to_string()}</td>
                    <td>{if s.auto_renew { "Yes" } else { "No" }}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th>"Subscription"</th><th>"Product"</th><th class="num">"Quantity"</th><th>"Status"</th><th>"Term ends"</th><th>"Auto-renew"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn invoices_table(paged: &Paged<invoices::Model>, base: &str) -> impl IntoView {
    if paged.items.is_empty() {
        return empty("No invoices yet.").into_any();
    }
    let body: Vec<_> = paged
        .items
        .iter()
        .map(|i| {
            view! {
                <tr>
                    <td><a href=format!("/invoices/{}", i.number)>{i.number.clone()}</a></td>
                    <td>{i.issue_date.to_string()}</td>
                    <td>{i.invoice_type.as_str()}</td>
                    <td><span class="tag">{i.status.as_str()}</span></td>
                    <td class="num">{money::format(i.total, &i.currency)}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th>"Invoice"</th><th>"Date"</th><th>"Type"</th><th>"Status"</th><th class="num">"Total"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        {pager(paged, base)}
    }
    .into_any()
}

pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    let account = accounts_store::find_by_code(&state.db, scope, &code).await?;
    let parent = match account.parent_id {
        Some(id) => accounts_store::find_by_id(&state.db, id).await?,
        None => None,
    };
    let users = accounts_store::users_of(&state.db, account.id).await?;
    let subscriptions = subscriptions_store::subscriptions_of(&state.db, scope, account.id).await?;
    let invoices = billing_store::invoices_of(&state.db, scope, account.id, page_query).await?;
    let base = format!("/accounts/{}", account.code);
    let title = account.name.clone();
    Ok(page(&ctx, &title, move || {
        let user_rows: Vec<_> = users
            .into_iter()
            .map(|u| view! { <tr><td>{u.name}</td><td>{u.email}</td><td>{u.role.label()}</td></tr> })
            .collect();
        view! {
            <section class="panel">
                <dl class="facts">
                    <dt>"Code"</dt><dd>{account.code.clone()}</dd>
                    <dt>"Type"</dt><dd>{account.tier.label()}</dd>
                    <dt>"Billed by"</dt><dd>{parent.map(|p| p.name).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Currency"</dt><dd>{account.currency.clone()}</dd>
                </dl>
            </section>
            <section class="panel">
                <h2>"Users"</h2>
                <table><thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th></tr></thead><tbody>{user_rows}</tbody></table>
            </section>
            <section class="panel"><h2>"Subscriptions"</h2>{subscriptions_table(subscriptions)}</section>
            <section class="panel"><h2>"Invoices"</h2>{invoices_table(&invoices, &base)}</section>
        }
    }))
}
