//! The audit log: Admin → Audit log for the provider (everything), Customers → Audit log
//! for a reseller admin (its own account and its customers').

use axum::extract::{Query, State};
use axum::response::Html;
use axum::Extension;
use leptos::prelude::*;

use crate::accounts::scope::AccountScope;
use crate::error::AppResult;
use crate::i18n::Localize;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{empty, pager};
use crate::ui::{page, PageCtx};

/// `GET /admin/audit`: the provider's admins, everything.
pub(crate) async fn for_provider(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    ctx.provider_admin()?;
    show(state, ctx, page_query).await
}

/// `GET /reseller/audit`: a reseller admin's own account and its customers'.
pub(crate) async fn for_seller(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    show(state, ctx, page_query).await
}

async fn show(state: AppState, ctx: PageCtx, page_query: PageQuery) -> AppResult<Html<String>> {
    let viewer = ctx.seller_admin()?;
    let (scope, base) = if viewer.is_provider_admin() {
        (AccountScope::All, "/admin/audit")
    } else {
        (AccountScope::Reseller(viewer.account.id), "/reseller/audit")
    };
    let entries = crate::audit::list(&state.db, scope, page_query).await?;
    let provider = viewer.is_provider_admin();
    // A reseller sees its own people by name; the provider's staff only as "the provider".
    let provider_id = crate::accounts::store::provider_account(&state.db).await?.map(|a| a.id);
    let loc = ctx.locale;
    let who = move |e: &crate::entities::audit_log::Model| -> (String, String) {
        if !provider && e.actor_account_id.is_some() && e.actor_account_id == provider_id {
            (loc.t("admin-audit-the-provider"), String::new())
        } else {
            (e.actor_email.clone().unwrap_or_default(), e.ip.clone().unwrap_or_default())
        }
    };
    let pager_locale = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-audit-title"), move || {
        let rows: Vec<_> = entries
            .items
            .iter()
            .map(|e| {
                let (actor, ip) = who(e);
                view! {
                    <tr>
                        <td>{loc.datetime(&e.at)}</td>
                        <td>{actor}</td>
                        <td>{e.action.clone()}</td>
                        <td>{e.target.clone()}</td>
                        <td><pre class="changes">{e.changes.clone()}</pre></td>
                        <td>{ip}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {provider.then(|| super::admin::admin_nav(&ctx.locale))}
            <p class="muted">{loc.t("admin-audit-intro")}</p>
            {entries.items.is_empty().then(|| empty(loc.t("admin-audit-empty")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-when")}</th><th>{loc.t("admin-audit-who")}</th><th>{loc.t("admin-audit-change")}</th><th>{loc.t("admin-audit-of")}</th><th>{loc.t("admin-audit-what-changed")}</th><th>{loc.t("admin-audit-from")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &entries, base)}
        }
    }))
}
