//! The reseller area: the customers a reseller bills (for the provider admin: its direct customers).

use axum::extract::{Query, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::store as accounts_store;
use crate::entities::accounts;
use crate::entities::enums::{AccountStatus, AccountTier};
use crate::error::AppResult;
use crate::i18n::{msg, tr, Localize};
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
        let brand = ctx.t("reseller-link-brand");
        let prices = ctx.t("reseller-link-prices");
        view! {
            <p><a href=href>{brand}</a>
               " · " <a href="/reseller/prices">{prices}</a></p>
        }
    });
    let reports_link = view! {
        <p><a href="/reports">{ctx.t("reseller-link-reports")}</a>
           " · " <a href="/api-clients">{ctx.t("reseller-link-api-clients")}</a> " · " <a href="/reseller/audit">{ctx.t("reseller-link-audit")}</a></p>
    };
    let ctx3 = ctx.clone();
    let ctx4 = ctx.clone();
    let pager_locale = ctx.locale;
    let title = ctx.t("reseller-title");
    let (th_customer, th_code, th_currency, th_status, th_manage) = (
        ctx.t("reseller-th-customer"),
        ctx.t("reseller-th-code"),
        ctx.t("reseller-th-currency"),
        ctx.t("reseller-th-status"),
        ctx.t("reseller-th-manage"),
    );
    let new_customer = ctx.t("reseller-new-customer");
    let who_bills = tr!(ctx, "reseller-customers-of", reseller = reseller.as_str());
    let no_customers = ctx.t("reseller-no-customers");
    Ok(page(&ctx, &title, move || {
        let rows: Vec<_> = customers
            .items
            .iter()
            .map(|c| {
                let href = format!("/accounts/{}", c.code);
                let manage = (c.tier == AccountTier::Customer).then(|| {
                    let edit = format!("/reseller/customers/{}", c.code);
                    let users = format!("/accounts/{}/users", c.code);
                    view! { <a href=edit>{ctx4.t("reseller-edit")}</a> " · " <a href=users>{ctx4.t("reseller-users")}</a> }
                });
                view! {
                    <tr>
                        <td><a href=href>{c.name.clone()}</a></td>
                        <td>{c.code.clone()}</td>
                        <td>{c.currency.clone()}</td>
                        <td><span class="tag">{status_text(&ctx4, c.status)}</span></td>
                        <td>{manage}</td>
                    </tr>
                }
            })
            .collect();
        let table = (!rows.is_empty()).then(|| {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{th_customer}</th><th>{th_code}</th><th>{th_currency}</th><th>{th_status}</th><th>{th_manage}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        view! {
            {pending_section(&ctx3, pending)}
            <p><a class="button" href="/reseller/customers/new">{new_customer}</a></p>
            {brand_link}
            {reports_link}
            <p class="muted">{who_bills}</p>
            {customers.items.is_empty().then(|| empty(no_customers))}
            {table}
            {pager(&pager_locale, &customers, "/reseller")}
            {campaign.map(|c| super::invitations::section(&ctx2, c))}
        }
    }))
}

/// An account's status as people read it, in their language (the stored value stays as it is).
pub(crate) fn status_text(loc: &impl Localize, status: AccountStatus) -> String {
    loc.t(match status {
        AccountStatus::Active => msg!("reseller-status-active"),
        AccountStatus::Suspended => msg!("reseller-status-suspended"),
        AccountStatus::PendingApproval => msg!("reseller-status-pending"),
    })
}

/// The sign-ups that wait for the seller: approve, or reject (deletes them, confirmed).
fn pending_section(ctx: &PageCtx, pending: Vec<accounts::Model>) -> impl IntoView {
    (!pending.is_empty()).then(|| {
        let items: Vec<_> = pending
            .into_iter()
            .map(|a| {
                let approve = format!("/reseller/customers/{}/approve", a.code);
                let reject = format!("/reseller/customers/{}/reject", a.code);
                let facts = tr!(
                    ctx,
                    "reseller-pending-facts",
                    name = a.name.as_str(),
                    code = a.code.as_str(),
                    tax_id = a.tax_id.clone().unwrap_or_default(),
                    country = a.country.as_str(),
                    email = a.billing_email.clone().unwrap_or_default(),
                    at = ctx.datetime(&a.created_at)
                );
                let approve_label = tr!(ctx, "reseller-approve", name = a.name.as_str());
                let reject_label = tr!(ctx, "reseller-reject", name = a.name.as_str());
                let delete_label = ctx.t("reseller-reject-confirm");
                view! {
                    <li class="card">
                        <p>{facts}</p>
                        <form method="post" action=approve class="inline">
                            {csrf_field(ctx)}
                            <button type="submit" name="approve" value="yes">{approve_label}</button>
                        </form>
                        <form method="post" action=reject class="inline">
                            {csrf_field(ctx)}
                            <label><input type="checkbox" name="confirm" value="yes" required/>
                                " " {delete_label}</label>
                            <button type="submit" name="reject" value="yes" class="secondary">{reject_label}</button>
                        </form>
                    </li>
                }
            })
            .collect();
        view! {
            <section class="panel">
                <h2>{ctx.t("reseller-pending-heading")}</h2>
                <ul class="plain">{items}</ul>
            </section>
        }
    })
}
