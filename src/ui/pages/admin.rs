//! The provider admin area: accounts, users and lockouts, sign-in security.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::entities::enums::{AccountTier, SecurityEventKind, UserRole};
use crate::error::AppResult;
use crate::i18n::{msg, tr, Locale, Localize};
use crate::identity::session::set_flash;
use crate::identity::{events, local, settings};
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error, pager};
use crate::ui::{page, page_with_status, PageCtx};

/// The admin area's menu, in the page's language (the locale the page renderer provides).
pub(crate) fn admin_nav(loc: &Locale) -> impl IntoView {
    view! {
        <nav class="card" aria-label=loc.t("admin-nav-label")>
            <a href="/admin">{loc.t("admin-nav-accounts")}</a> " · " <a href="/admin/resellers">{loc.t("admin-nav-resellers")}</a> " · " <a href="/admin/users">{loc.t("admin-nav-users")}</a> " · "
            <a href="/admin/security">{loc.t("admin-nav-security")}</a> " · "
            <a href="/admin/identity-providers">{loc.t("admin-nav-identity-providers")}</a> " · "
            <a href="/admin/authentication">{loc.t("admin-nav-authentication")}</a> " · "
            <a href="/admin/security-events">{loc.t("admin-nav-security-events")}</a> " · "
            <a href="/admin/audit">{loc.t("admin-nav-audit")}</a> " · "
            <a href="/admin/brands">{loc.t("admin-nav-brands")}</a> " · "
            <a href="/admin/payments">{loc.t("admin-nav-payments")}</a> " · "
            <a href="/admin/catalogue">{loc.t("admin-nav-catalogue")}</a> " · "
            <a href="/admin/prices">{loc.t("admin-nav-prices")}</a> " · "
            <a href="/admin/attention">{loc.t("admin-nav-attention")}</a> " · "
            <a href="/admin/usage">{loc.t("admin-nav-usage")}</a> " · "
            <a href="/admin/billing">{loc.t("admin-nav-billing")}</a> " · "
            <a href="/admin/jobs">{loc.t("admin-nav-jobs")}</a> " · "
            <a href="/admin/outbox">{loc.t("admin-nav-outbox")}</a> " · "
            <a href="/reports">{loc.t("admin-nav-reports")}</a> " · "
            <a href="/api-clients">{loc.t("admin-nav-api-clients")}</a>
        </nav>
    }
}

/// An account's tier as the admin pages name it.
pub(crate) fn tier_name(loc: &impl Localize, tier: AccountTier) -> String {
    loc.t(match tier {
        AccountTier::Provider => msg!("admin-tier-provider"),
        AccountTier::Reseller => msg!("admin-tier-reseller"),
        AccountTier::Customer => msg!("admin-tier-customer"),
    })
}

/// A user's role as the admin pages name it.
pub(crate) fn role_name(loc: &impl Localize, role: UserRole) -> String {
    loc.t(match role {
        UserRole::CustomerUser => msg!("admin-role-customer-user"),
        UserRole::CustomerAdmin => msg!("admin-role-customer-admin"),
        UserRole::ResellerAdmin => msg!("admin-role-reseller-admin"),
        UserRole::ProviderAdmin => msg!("admin-role-provider-admin"),
    })
}

/// A security event's kind as Admin → Security events names it.
fn event_name(loc: &impl Localize, kind: SecurityEventKind) -> String {
    use SecurityEventKind as K;
    loc.t(match kind {
        K::SignIn => msg!("admin-event-sign-in"),
        K::SignInFailed => msg!("admin-event-sign-in-failed"),
        K::LockedOut => msg!("admin-event-locked-out"),
        K::SignOut => msg!("admin-event-sign-out"),
        K::Unlocked => msg!("admin-event-unlocked"),
        K::PasswordChanged => msg!("admin-event-password-changed"),
        K::SettingsChanged => msg!("admin-event-settings-changed"),
        K::IdpSignIn => msg!("admin-event-idp-sign-in"),
        K::IdpSignInFailed => msg!("admin-event-idp-sign-in-failed"),
        K::Linked => msg!("admin-event-linked"),
        K::Unlinked => msg!("admin-event-unlinked"),
        K::LinkRefused => msg!("admin-event-link-refused"),
        K::Registered => msg!("admin-event-registered"),
        K::Reauthenticated => msg!("admin-event-reauthenticated"),
        K::OtherSessionsEnded => msg!("admin-event-other-sessions-ended"),
        K::SessionEnded => msg!("admin-event-session-ended"),
        K::PasswordSet => msg!("admin-event-password-set"),
        K::PasswordRemoved => msg!("admin-event-password-removed"),
        K::AuthenticatorConnected => msg!("admin-event-authenticator-connected"),
        K::AuthenticatorDisconnected => msg!("admin-event-authenticator-removed"),
        K::RecoveryCodesRenewed => msg!("admin-event-recovery-codes-renewed"),
        K::RecoveryCodeUsed => msg!("admin-event-recovery-code-used"),
        K::SecondFactorFailed => msg!("admin-event-second-factor-failed"),
        K::SecondFactorsReset => msg!("admin-event-second-factors-reset"),
        K::PasskeyAdded => msg!("admin-event-passkey-added"),
        K::PasskeyRemoved => msg!("admin-event-passkey-removed"),
        K::PasskeyCloneSuspected => msg!("admin-event-passkey-clone-suspected"),
    })
}

pub(crate) async fn accounts(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.provider_admin()?;
    let accounts = accounts_store::list(&state.db, AccountScope::of(viewer), None, page_query).await?;
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-accounts-title"), move || {
        let rows: Vec<_> = accounts
            .items
            .iter()
            .map(|a| {
                let href = format!("/accounts/{}", a.code);
                view! {
                    <tr>
                        <td><a href=href>{a.name.clone()}</a></td>
                        <td>{a.code.clone()}</td>
                        <td>{tier_name(&loc, a.tier)}</td>
                        <td>{if a.branding_enabled { loc.t("admin-accounts-branding-enabled") } else { "—".to_string() }}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-accounts-account")}</th><th>{loc.t("admin-col-code")}</th><th>{loc.t("admin-accounts-type")}</th><th>{loc.t("admin-accounts-branding")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &accounts, "/admin")}
        }
    }))
}

pub(crate) async fn users(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.provider_admin()?;
    let users = accounts_store::list_users(&state.db, AccountScope::of(viewer), page_query).await?;
    let ids: Vec<i32> = users.items.iter().map(|u| u.id).collect();
    let with_factors = crate::identity::second_factor::users_with_second_factors(&state.db, &ids).await?;
    let now = chrono::Utc::now();
    let ctx2 = ctx.clone();
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-users-title"), move || {
        let rows: Vec<_> = users
            .items
            .iter()
            .map(|u| {
                let locked = local::is_locked(u, now);
                let status = match u.locked_until {
                    Some(until) if locked => tr!(loc, "admin-users-locked-until", until = loc.datetime(&until)),
                    _ => loc.t("admin-users-active"),
                };
                let unlock = locked.then(|| {
                    let action = format!("/admin/users/{}/unlock", u.id);
                    let label = tr!(loc, "admin-users-unlock-label", email = u.email.clone());
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <button type="submit" aria-label=label>{loc.t("admin-users-unlock")}</button>
                        </form>
                    }
                });
                let reset = with_factors.contains(&u.id).then(|| {
                    let href = format!("/admin/users/{}/reset-second-factors", u.id);
                    let label = tr!(loc, "admin-users-reset-label", email = u.email.clone());
                    view! { <a class="button secondary" href=href aria-label=label>{loc.t("admin-users-reset")}</a> }
                });
                view! {
                    <tr>
                        <td>{u.email.clone()}</td>
                        <td>{u.name.clone()}</td>
                        <td>{role_name(&loc, u.role)}</td>
                        <td>{status}</td>
                        <td>{unlock} {reset}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-email")}</th><th>{loc.t("admin-col-name")}</th><th>{loc.t("admin-users-role")}</th><th>{loc.t("admin-col-status")}</th><th>{loc.t("admin-col-action")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &users, "/admin/users")}
        }
    }))
}

pub(crate) async fn unlock_user(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(user_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let user = accounts_store::find_user(&state.db, AccountScope::of(viewer), user_id).await?;
    local::unlock(&state.db, &user, viewer.user.id).await?;
    set_flash(&session, tr!(ctx, "admin-users-unlocked", email = user.email.clone())).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

fn security_page(
    ctx: &PageCtx,
    status: StatusCode,
    max_failed: String,
    minutes: String,
    error: Option<String>,
) -> Response {
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    page_with_status(status, ctx, &ctx.t("admin-security-title"), move || {
        view! {
            {admin_nav(&ctx.locale)}
            {form_error(error)}
            <form class="stacked card" method="post" action="/admin/security">
                {csrf_field(&ctx2)}
                <label>{loc.t("admin-security-max-failed")}
                    <input type="number" name="max_failed_logins" min="3" max="25" value=max_failed required/></label>
                <label>{loc.t("admin-security-minutes")}
                    <input type="number" name="lockout_minutes" min="1" max="1440" value=minutes required/></label>
                <button type="submit">{loc.t("admin-save")}</button>
            </form>
        }
    })
}

pub(crate) async fn security(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    ctx.provider_admin()?;
    let rules = settings::load(&state.db).await?;
    Ok(security_page(
        &ctx,
        StatusCode::OK,
        rules.max_failed_logins.to_string(),
        rules.lockout_minutes.to_string(),
        None,
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SecurityForm {
    pub max_failed_logins: String,
    pub lockout_minutes: String,
}

pub(crate) async fn save_security(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SecurityForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let checked = form
        .max_failed_logins
        .trim()
        .parse::<i32>()
        .map_err(|_| ctx.t("admin-security-max-not-number"))
        .and_then(|v| {
            settings::check_max_failed_logins(v).map_err(|_| tr!(ctx, "admin-security-max-out-of-range", value = v))
        })
        .and_then(|max| {
            form.lockout_minutes
                .trim()
                .parse::<i32>()
                .map_err(|_| ctx.t("admin-security-minutes-not-number"))
                .and_then(|v| {
                    settings::check_lockout_minutes(v)
                        .map_err(|_| tr!(ctx, "admin-security-minutes-out-of-range", value = v))
                })
                .map(|minutes| (max, minutes))
        });
    match checked {
        Ok((max, minutes)) => {
            let by = crate::audit::AuditActor::of(viewer, ctx.device.ip_text());
            settings::save_lockout(&state.db, &by, max, minutes).await?;
            set_flash(&session, ctx.t("admin-security-saved")).await?;
            Ok(Redirect::to("/admin/security").into_response())
        }
        Err(message) => Ok(security_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.max_failed_logins.chars().take(10).collect(),
            form.lockout_minutes.chars().take(10).collect(),
            Some(message),
        )),
    }
}

pub(crate) async fn security_events(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    ctx.provider_admin()?;
    let events = events::list_all(&state.db, page_query).await?;
    let pager_locale = ctx.locale;
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-events-title"), move || {
        let rows: Vec<_> = events
            .items
            .iter()
            .map(|(event, user)| {
                let when = loc.datetime(&event.created_at);
                let who = user.as_ref().map(|u| u.email.clone()).unwrap_or_else(|| "—".into());
                view! {
                    <tr>
                        <td>{when}</td>
                        <td>{event_name(&loc, event.kind)}</td>
                        <td>{who}</td>
                        <td>{event.detail.clone().unwrap_or_default()}</td>
                        <td>{event.ip.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            {events.items.is_empty().then(|| crate::ui::components::empty(loc.t("admin-events-empty")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-col-when")}</th><th>{loc.t("admin-events-event")}</th><th>{loc.t("admin-col-user")}</th><th>{loc.t("admin-events-detail")}</th><th>{loc.t("admin-events-address")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &events, "/admin/security-events")}
        }
    }))
}
