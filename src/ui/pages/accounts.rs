//! An account's page (a reseller opening its customer, an admin opening any account),
//! and the subscription and invoice tables that My Account shows too.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::billing::{discounts, store as billing_store};
use crate::entities::enums::{AccountStatus, AccountTier, UserRole};
use crate::entities::{invoices, products, subscriptions};
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, Localize};
use crate::identity::session::set_flash;
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::subscriptions::store as subscriptions_store;
use crate::ui::components::{csrf_field, empty, form_errors, pager};
use crate::ui::{page_with_status, PageCtx};

pub(crate) fn subscriptions_table(
    loc: &impl Localize,
    rows: Vec<(subscriptions::Model, Option<products::Model>)>,
) -> impl IntoView {
    if rows.is_empty() {
        return empty(loc.t("accounts-no-subscriptions")).into_any();
    }
    let (yes, no) = (loc.t("accounts-yes"), loc.t("accounts-no"));
    let body: Vec<_> = rows
        .into_iter()
        .map(|(s, p)| {
            let product = p.map(|p| p.name).unwrap_or_default();
            let status = crate::subscriptions::rules::status_label(loc, s.status);
            let term_end = loc.day(s.term_end_date);
            let auto_renew = if s.auto_renew { yes.clone() } else { no.clone() };
            view! {
                <tr>
                    <td><a href=format!("/subscriptions/{}", s.id)>{s.name}</a></td>
                    <td>{product}</td>
                    <td class="num">{s.quantity}</td>
                    <td><span class="tag">{status}</span></td>
                    <td>{term_end}</td>
                    <td>{auto_renew}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{loc.t("accounts-subscription")}</th>
                    <th>{loc.t("accounts-product")}</th>
                    <th class="num">{loc.t("accounts-quantity")}</th>
                    <th>{loc.t("accounts-status")}</th>
                    <th>{loc.t("accounts-term-ends")}</th>
                    <th>{loc.t("accounts-auto-renew")}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

pub(crate) fn invoices_table(loc: &impl Localize, paged: &Paged<invoices::Model>, base: &str) -> impl IntoView {
    if paged.items.is_empty() {
        return empty(loc.t("accounts-no-invoices")).into_any();
    }
    let body: Vec<_> = paged
        .items
        .iter()
        .map(|i| {
            view! {
                <tr>
                    <td><a href=format!("/invoices/{}", i.number)>{i.number.clone()}</a></td>
                    <td>{loc.day(i.issue_date)}</td>
                    <td>{super::invoice::type_label(loc, i.invoice_type)}</td>
                    <td><span class="tag">{super::invoice::status_label(loc, i.status)}</span></td>
                    <td class="num">{loc.money(i.total, &i.currency)}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{loc.t("accounts-invoice")}</th>
                    <th>{loc.t("accounts-date")}</th>
                    <th>{loc.t("accounts-type")}</th>
                    <th>{loc.t("accounts-status")}</th>
                    <th class="num">{loc.t("accounts-total")}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        {pager(loc, paged, base)}
    }
    .into_any()
}

/// A user's role as people read it, in their language.
fn role_label(loc: &impl Localize, role: UserRole) -> String {
    loc.t(match role {
        UserRole::CustomerUser => msg!("accounts-role-customer-user"),
        UserRole::CustomerAdmin => msg!("accounts-role-customer-admin"),
        UserRole::ResellerAdmin => msg!("accounts-role-reseller-admin"),
        UserRole::ProviderAdmin => msg!("accounts-role-provider-admin"),
    })
}

/// An account's tier as people read it, in their language.
fn tier_label(loc: &impl Localize, tier: AccountTier) -> String {
    loc.t(match tier {
        AccountTier::Provider => msg!("accounts-tier-provider"),
        AccountTier::Reseller => msg!("accounts-tier-reseller"),
        AccountTier::Customer => msg!("accounts-tier-customer"),
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, &code, page_query, StatusCode::OK, vec![]).await
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    page_query: PageQuery,
    status: StatusCode,
    errors: Vec<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let scope = AccountScope::of(viewer);
    let account = accounts_store::find_by_code(&state.db, scope, code).await?;
    let parent = match account.parent_id {
        Some(id) => accounts_store::find_by_id(&state.db, id).await?,
        None => None,
    };
    let users = accounts_store::users_of(&state.db, account.id).await?;
    let subscriptions = subscriptions_store::subscriptions_of(&state.db, scope, account.id).await?;
    let invoices = billing_store::invoices_of(&state.db, scope, account.id, page_query).await?;
    let manages_discounts = discounts::may_manage(viewer, &account);
    let manages_users = crate::accounts::members::may_manage(viewer, &account);
    let account_discounts =
        if manages_discounts { discounts::of_account(&state.db, account.id).await? } else { vec![] };
    let product_choices =
        if manages_discounts { crate::catalog::store::product_names(&state.db).await? } else { vec![] };
    let base = format!("/accounts/{}", account.code);
    let title = account.name.clone();
    let ctx2 = ctx.clone();
    Ok(page_with_status(status, ctx, &title, move || {
        let user_rows: Vec<_> = users
            .into_iter()
            .map(|u| view! { <tr><td>{u.name}</td><td>{u.email}</td><td>{role_label(&ctx2, u.role)}</td></tr> })
            .collect();
        let suspended = (account.status == AccountStatus::Suspended).then(|| {
            view! { <p class="notice">{ctx2.t("accounts-suspended-notice")}</p> }
        });
        let discounts_section =
            manages_discounts.then(|| discounts_panel(&ctx2, &account.code, account_discounts, product_choices));
        view! {
            {form_errors(errors)}
            <section class="panel">
                <dl class="facts">
                    <dt>{ctx2.t("accounts-code")}</dt><dd>{account.code.clone()}</dd>
                    <dt>{ctx2.t("accounts-type")}</dt><dd>{tier_label(&ctx2, account.tier)}</dd>
                    <dt>{ctx2.t("accounts-billed-by")}</dt><dd>{parent.map(|p| p.name).unwrap_or_else(|| "—".into())}</dd>
                    <dt>{ctx2.t("accounts-currency")}</dt><dd>{account.currency.clone()}</dd>
                    <dt>{ctx2.t("accounts-status")}</dt><dd>{super::reseller::status_text(&ctx2, account.status)}</dd>
                </dl>
                {suspended}
            </section>
            <section class="panel">
                <h2>{ctx2.t("accounts-users")}</h2>
                {manages_users.then(|| view! { <p><a href=format!("/accounts/{}/users", account.code)>{ctx2.t("accounts-manage-users")}</a></p> })}
                <table><thead><tr>
                    <th>{ctx2.t("accounts-name")}</th><th>{ctx2.t("accounts-email")}</th><th>{ctx2.t("accounts-role")}</th>
                </tr></thead><tbody>{user_rows}</tbody></table>
            </section>
            <section class="panel"><h2>{ctx2.t("accounts-subscriptions")}</h2>{subscriptions_table(&ctx2, subscriptions)}</section>
            {discounts_section}
            <section class="panel"><h2>{ctx2.t("accounts-invoices")}</h2>{invoices_table(&ctx2, &invoices, &base)}</section>
        }
    }))
}

fn discounts_panel(
    ctx: &PageCtx,
    code: &str,
    rows: Vec<discounts::DiscountRow>,
    products: Vec<(String, String)>,
) -> impl IntoView {
    let list = if rows.is_empty() {
        empty(ctx.t("accounts-no-discounts")).into_any()
    } else {
        let body: Vec<_> = rows
            .into_iter()
            .map(|(discount, product)| {
                let action = format!("/accounts/{code}/discounts/{}/remove", discount.id);
                view! {
                    <tr>
                        <td>{discount.description.clone()}</td>
                        <td>{product.map(|p| p.name).unwrap_or_else(|| ctx.t("accounts-discount-everything"))}</td>
                        <td class="num">{discounts::percent_label(discount.basis_points)}</td>
                        <td>
                            <form class="inline" method="post" action=action>
                                {csrf_field(ctx)}
                                <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {ctx.t("accounts-sure")}</label>
                                <button type="submit" class="danger">{ctx.t("accounts-remove")}</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect();
        view! {
            <div class="table-wrap"><table>
                <thead><tr>
                    <th>{ctx.t("accounts-discount")}</th><th>{ctx.t("accounts-discount-on")}</th>
                    <th class="num">{ctx.t("accounts-discount-percent")}</th><th></th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table></div>
        }
        .into_any()
    };
    let options: Vec<_> =
        products.into_iter().map(|(code, name)| view! { <option value=code>{name}</option> }).collect();
    let action = format!("/accounts/{code}/discounts");
    view! {
        <section class="panel">
            <h2>{ctx.t("accounts-discounts")}</h2>
            <p>{ctx.t("accounts-discounts-intro")}</p>
            {list}
            <form class="stacked" method="post" action=action>
                {csrf_field(ctx)}
                <label>{ctx.t("accounts-discount-description")} " " <input name="description" maxlength="200" required/></label>
                <label>{ctx.t("accounts-discount-percent")} " " <input name="percent" inputmode="decimal" maxlength="7" required placeholder="5"/></label>
                <label>{ctx.t("accounts-discount-on")} " " <select name="product"><option value="">{ctx.t("accounts-discount-everything")}</option>{options}</select></label>
                <button type="submit">{ctx.t("accounts-add-discount")}</button>
            </form>
        </section>
    }
}

/// The account a discount form acts on, when the viewer may manage its discounts.
async fn managed_account(state: &AppState, ctx: &PageCtx, code: &str) -> AppResult<crate::entities::accounts::Model> {
    let viewer = ctx.viewer()?;
    let account = accounts_store::find_by_code(&state.db, AccountScope::of(viewer), code).await?;
    if !discounts::may_manage(viewer, &account) {
        return Err(AppError::NotFound);
    }
    Ok(account)
}

/// `POST /accounts/{code}/discounts`.
pub(crate) async fn add_discount(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(fields): Form<discounts::DiscountFields>,
) -> AppResult<Response> {
    let account = managed_account(&state, &ctx, &code).await?;
    let by = crate::audit::AuditActor::of(ctx.viewer()?, ctx.device.ip_text());
    match discounts::add(&state.db, &by, &account, &fields).await {
        Ok(()) => {
            set_flash(&session, ctx.t("accounts-discount-added")).await?;
            Ok(Redirect::to(&format!("/accounts/{}", account.code)).into_response())
        }
        Err(discounts::DiscountError::Invalid(errors)) => {
            render(&state, &ctx, &account.code, PageQuery::default(), StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /accounts/{code}/discounts/{id}/remove`.
pub(crate) async fn remove_discount(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let account = managed_account(&state, &ctx, &code).await?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    if form.confirm != "yes" {
        let errors = vec![ctx.t("accounts-discount-confirm")];
        return render(&state, &ctx, &account.code, PageQuery::default(), StatusCode::UNPROCESSABLE_ENTITY, errors)
            .await;
    }
    let by = crate::audit::AuditActor::of(ctx.viewer()?, ctx.device.ip_text());
    if !discounts::remove(&state.db, &by, &account, id).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, ctx.t("accounts-discount-removed")).await?;
    Ok(Redirect::to(&format!("/accounts/{}", account.code)).into_response())
}
