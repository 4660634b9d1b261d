//! The transition campaign on the admin pages (the provider admin's Authentication options,
//! the reseller's Customers), and the notice on My Account.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::identity::campaign::{self, ProviderCampaign};
use crate::identity::session::set_flash;
use crate::state::AppState;
use crate::ui::components::csrf_field;
use crate::ui::PageCtx;

/// Who the viewer may invite: every user for the provider admin, a reseller admin's
/// customers' users; and the page the campaign lives on.
fn campaign_scope(ctx: &PageCtx) -> AppResult<(AccountScope, &'static str)> {
    let viewer = ctx.seller_admin()?;
    Ok(if viewer.is_provider_admin() {
        (AccountScope::All, "/admin/authentication")
    } else {
        (AccountScope::Customers(viewer.account.id), "/reseller")
    })
}

/// The campaign of the viewer's scope, ready to show.
pub(crate) async fn load(state: &AppState, ctx: &PageCtx) -> AppResult<Vec<ProviderCampaign>> {
    let (scope, _) = campaign_scope(ctx)?;
    campaign::overview(&state.db, scope).await
}

/// "Inform your users": per active provider, the counts and the button that invites.
pub(crate) fn section(ctx: &PageCtx, campaigns: Vec<ProviderCampaign>) -> impl IntoView {
    let ctx = ctx.clone();
    let rows: Vec<_> = campaigns
        .into_iter()
        .map(|c| {
            let counts = tr!(
                ctx,
                "invitation-counts",
                provider = c.provider.clone(),
                invited = c.invited,
                connected = c.connected_since,
                without = c.still_without
            );
            let invite = tr!(ctx, "invitation-invite", count = c.not_invited, provider = c.provider.clone());
            let button = (c.not_invited > 0).then(|| {
                view! {
                    <form method="post" action=format!("/invitations/{}", c.provider_id)>
                        {csrf_field(&ctx)}
                        <button type="submit">{invite}</button>
                    </form>
                }
            });
            view! { <li class="campaign"><p>{counts}</p>{button}</li> }
        })
        .collect();
    let empty = rows.is_empty().then(|| ctx.t("invitation-no-provider"));
    view! {
        <section class="panel" id="inform-users">
            <h2>{ctx.t("invitation-heading")}</h2>
            <p class="muted">{ctx.t("invitation-intro")}</p>
            {empty.map(|text| view! { <p>{text}</p> })}
            <ul class="campaigns">{rows}</ul>
        </section>
    }
}

/// `POST /invitations/{provider_id}`: invites the scope's users who have no way in through
/// an active provider and were not invited for this one yet.
pub(crate) async fn invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(provider_id): Path<i32>,
) -> AppResult<Response> {
    let (scope, back) = campaign_scope(&ctx)?;
    let viewer = ctx.viewer()?;
    let sent = campaign::invite(&state.db, &state.site(), scope, provider_id, viewer.user.id).await?;
    if sent > 0 {
        state.mail_written();
    }
    set_flash(&session, tr!(ctx, "invitation-sent", count = sent)).await?;
    Ok(Redirect::to(&format!("{back}#inform-users")).into_response())
}

/// The notices on My Account: one per provider the user was invited to and has not connected.
pub(crate) fn notice(ctx: &PageCtx, pending: Vec<(i32, String)>) -> impl IntoView {
    pending
        .into_iter()
        .map(|(provider_id, name)| {
            view! {
                <div class="card notice connect-notice">
                    <p>{tr!(ctx, "invitation-notice-before", provider = name)}<a href="#login-options">{ctx.t("invitation-notice-link")}</a>{ctx.t("invitation-notice-after")}</p>
                    <form method="post" action=format!("/account/connect-notice/{provider_id}/dismiss")>
                        {csrf_field(ctx)}
                        <button type="submit" class="secondary">{ctx.t("invitation-dismiss")}</button>
                    </form>
                </div>
            }
        })
        .collect::<Vec<_>>()
}

/// `POST /account/connect-notice/{provider_id}/dismiss`.
pub(crate) async fn dismiss(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(provider_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !campaign::dismiss(&state.db, viewer.user.id, provider_id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(Redirect::to("/account").into_response())
}
