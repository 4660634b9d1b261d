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
use crate::error::AppResult;
use crate::identity::session::set_flash;
use crate::identity::{events, local, settings};
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error, pager};
use crate::ui::{page, page_with_status, PageCtx};

pub(crate) fn admin_nav() -> impl IntoView {
    view! {
        <nav class="card" aria-label="Admin">
            <a href="/admin">"Accounts"</a> " · " <a href="/admin/resellers">"Resellers"</a> " · " <a href="/admin/users">"Users and lockouts"</a> " · "
            <a href="/admin/security">"Sign-in security"</a> " · "
            <a href="/admin/identity-providers">"Identity providers"</a> " · "
            <a href="/admin/authentication">"Authentication options"</a> " · "
            <a href="/admin/security-events">"Security events"</a> " · "
            <a href="/admin/audit">"Audit log"</a> " · "
            <a href="/admin/brands">"Brands"</a> " · "
            <a href="/admin/payments">"Payments"</a> " · "
            <a href="/admin/catalogue">"Catalogue"</a> " · "
            <a href="/admin/prices">"Prices"</a> " · "
            <a href="/admin/attention">"Orders needing attention"</a> " · "
            <a href="/admin/usage">"Usage import"</a> " · "
            <a href="/admin/billing">"Billing run"</a> " · "
            <a href="/admin/jobs">"Jobs"</a> " · "
            <a href="/admin/outbox">"Outbox"</a> " · "
            <a href="/reports">"Reports"</a> " · "
            <a href="/api-clients">"API clients"</a>
        </nav>
    }
}

pub(crate) async fn accounts(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let viewer = ctx.provider_admin()?;
    let accounts = accounts_store::list(&state.db, AccountScope::of(viewer), None, page_query).await?;
    let pager_locale = ctx.locale;
    Ok(page(&ctx, "Admin · Accounts", move || {
        let rows: Vec<_> = accounts
            .items
            .iter()
            .map(|a| {
                let href = format!("/accounts/{}", a.code);
                view! {
                    <tr>
                        <td><a href=href>{a.name.clone()}</a></td>
                        <td>{a.code.clone()}</td>
                        <td>{a.tier.label()}</td>
                        <td>{if a.branding_enabled { "Enabled" } else { "—" }}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Account"</th><th>"Code"</th><th>"Type"</th><th>"Branding"</th></tr></thead>
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
    Ok(page(&ctx, "Admin · Users", move || {
        let rows: Vec<_> = users
            .items
            .iter()
            .map(|u| {
                let locked = local::is_locked(u, now);
                let status = match u.locked_until {
                    Some(until) if locked => format!("Locked until {}", until.format("%Y-%m-%d %H:%M UTC")),
                    _ => "Active".to_string(),
                };
                let unlock = locked.then(|| {
                    let action = format!("/admin/users/{}/unlock", u.id);
                    let label = format!("Unlock {}", u.email);
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <button type="submit" aria-label=label>"Unlock"</button>
                        </form>
                    }
                });
                let reset = with_factors.contains(&u.id).then(|| {
                    let href = format!("/admin/users/{}/reset-second-factors", u.id);
                    let label = format!("Reset the second factors of {}", u.email);
                    view! { <a class="button secondary" href=href aria-label=label>"Reset second factors"</a> }
                });
                view! {
                    <tr>
                        <td>{u.email.clone()}</td>
                        <td>{u.name.clone()}</td>
                        <td>{u.role.label()}</td>
                        <td>{status}</td>
                        <td>{unlock} {reset}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"E-mail"</th><th>"Name"</th><th>"Role"</th><th>"Status"</th><th>"Action"</th></tr></thead>
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
    set_flash(&session, format!("{} can sign in again.", user.email)).await?;
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
    page_with_status(status, ctx, "Admin · Sign-in security", move || {
        view! {
            {admin_nav()}
            {form_error(error)}
            <form class="stacked card" method="post" action="/admin/security">
                {csrf_field(&ctx2)}
                <label>"Failed password attempts before an account is locked (3–25)"
                    <input type="number" name="max_failed_logins" min="3" max="25" value=max_failed required/></label>
                <label>"Minutes an account stays locked (1–1440)"
                    <input type="number" name="lockout_minutes" min="1" max="1440" value=minutes required/></label>
                <button type="submit">"Save"</button>
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
        .map_err(|_| "Failed attempts before lockout must be a whole number.".to_string())
        .and_then(settings::check_max_failed_logins)
        .and_then(|max| {
            form.lockout_minutes
                .trim()
                .parse::<i32>()
                .map_err(|_| "Lockout time must be a whole number of minutes.".to_string())
                .and_then(settings::check_lockout_minutes)
                .map(|minutes| (max, minutes))
        });
    match checked {
        Ok((max, minutes)) => {
            let by = crate::audit::AuditActor::of(viewer, ctx.device.ip_text());
            settings::save_lockout(&state.db, &by, max, minutes).await?;
            set_flash(&session, "Sign-in security saved.").await?;
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
    Ok(page(&ctx, "Admin · Security events", move || {
        let rows: Vec<_> = events
            .items
            .iter()
            .map(|(event, user)| {
                let when = event.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
                let who = user.as_ref().map(|u| u.email.clone()).unwrap_or_else(|| "—".into());
                view! {
                    <tr>
                        <td>{when}</td>
                        <td>{event.kind.label()}</td>
                        <td>{who}</td>
                        <td>{event.detail.clone().unwrap_or_default()}</td>
                        <td>{event.ip.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            {events.items.is_empty().then(|| crate::ui::components::empty("No security events yet."))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"When"</th><th>"Event"</th><th>"User"</th><th>"Detail"</th><th>"Address"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &events, "/admin/security-events")}
        }
    }))
}
