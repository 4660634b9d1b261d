//! My Account: profile, password, sessions, Login Options, passkeys, subscriptions, invoices.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::accounts::{check_name, Viewer, MAX_NAME_CHARS};
use crate::billing::store as billing_store;
use crate::catalog::orders;
use crate::error::AppResult;
use crate::i18n::{msg, tr, Localize};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::session::{self, set_flash};
use crate::identity::{devices, events, links, local, providers, second_factor, settings};
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::subscriptions::history as subscription_history;
use crate::subscriptions::store as subscriptions_store;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::pages::accounts::{invoices_table, subscriptions_table};
use crate::ui::pages::order::orders_table;
use crate::ui::pages::subscription::history_table;
use crate::ui::{page_with_status, PageCtx};

#[derive(Default)]
struct FormErrors {
    profile: Option<String>,
    password: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    viewer: &Viewer,
    status: StatusCode,
    errors: FormErrors,
    page_query: PageQuery,
) -> AppResult<Response> {
    let scope = AccountScope::of(viewer);
    let subscriptions = subscriptions_store::subscriptions_of(&state.db, scope, viewer.account.id).await?;
    let invoices = billing_store::invoices_of(&state.db, scope, viewer.account.id, page_query).await?;
    let orders = orders::of_account(&state.db, scope, viewer.account.id, PageQuery::default()).await?;
    let options = login_options(state, ctx, viewer).await?;
    let passkeys = super::passkeys::load(state, ctx, viewer.user.id).await?;
    let recent = events::recent_for_user(&state.db, viewer.user.id, 10).await?;
    let sessions = session::active(&state.db, viewer.user.id).await?;
    let this_session = session::this_session_id(session).await?;
    let changes = subscription_history::recent_for_account(&state.db, scope, viewer.account.id, 10).await?;
    let invited = crate::identity::campaign::pending_for(&state.db, viewer.user.id).await?;
    let user = viewer.user.clone();
    let account = viewer.account.clone();
    let has_password = user.password_hash.is_some();
    let manages_users = viewer.is_account_admin();
    let ctx2 = ctx.clone();
    let title = ctx.t("account-title");
    let role = ctx.t(role_message(user.role));
    Ok(page_with_status(status, ctx, &title, move || {
        let ctx = &ctx2;
        view! {
            {super::invitations::notice(ctx, invited.clone())}
            {user.email_verified_at.is_none().then(|| view! {
                <div class="card notice verify-notice">
                    <p>{tr!(ctx, "account-verify-notice", email = user.email.clone())}</p>
                    <form method="post" action="/account/verify-email">
                        {csrf_field(ctx)}
                        <button type="submit" class="secondary" name="resend" value="yes">{ctx.t("account-verify-resend")}</button>
                    </form>
                </div>
            })}
            <section class="panel" id="profile">
                <h2>{ctx.t("account-profile")}</h2>
                <dl class="facts">
                    <dt>{ctx.t("account-email")}</dt><dd>{user.email.clone()}</dd>
                    <dt>{ctx.t("account-account")}</dt><dd>{account.name.clone()}</dd>
                    <dt>{ctx.t("account-role")}</dt><dd>{role}</dd>
                </dl>
                {manages_users.then(|| view! { <p><a href=format!("/accounts/{}/users", account.code)>{ctx.t("account-users-of-account")}</a></p> })}
                {form_error(errors.profile)}
                <form class="stacked" method="post" action="/account/profile">
                    {csrf_field(ctx)}
                    <label>{ctx.t("account-name")} <input name="name" value=user.name.clone() maxlength=MAX_NAME_CHARS.to_string() required autocomplete="name"/></label>
                    <button type="submit">{ctx.t("account-save-profile")}</button>
                </form>
            </section>
            {preferences_section(ctx)}
            <section class="panel" id="password">
                <h2>{ctx.t("account-password")}</h2>
                {form_error(errors.password)}
                {if has_password {
                    view! {
                        <form class="stacked" method="post" action="/account/password">
                            {csrf_field(ctx)}
                            <label>{ctx.t("account-current-password")} <input type="password" name="current_password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <label>{ctx.t("account-new-password")} <input type="password" name="new_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <label>{ctx.t("account-repeat-password")} <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <button type="submit">{ctx.t("account-change-password")}</button>
                        </form>
                        <p class="muted">{ctx.t("account-change-password-note")}</p>
                    }.into_any()
                } else {
                    view! { <p>{ctx.t("account-no-password-yet")}</p> }.into_any()
                }}
            </section>
            {sessions_section(ctx, sessions, this_session)}
            {options.map(|rows| login_options_section(ctx, rows))}
            {passkeys.map(|loaded| super::passkeys::passkeys_section(ctx, loaded))}
            <section class="panel" id="subscriptions">
                <h2>{ctx.t("account-subscriptions")}</h2>
                {subscriptions_table(ctx, subscriptions)}
            </section>
            <section class="panel" id="subscription-changes">
                <h2>{ctx.t("account-subscription-changes")}</h2>
                {history_table(ctx, changes)}
            </section>
            <section class="panel" id="orders">
                <h2>{ctx.t("account-orders")}</h2>
                {orders_table(ctx, &orders)}
            </section>
            <section class="panel" id="invoices">
                <h2>{ctx.t("account-invoices")}</h2>
                {invoices_table(ctx, &invoices, "/account")}
            </section>
            <section class="panel" id="security-activity">
                <h2>{ctx.t("account-security-activity")}</h2>
                {security_activity(ctx, recent)}
            </section>
        }
    }))
}

/// How pages name a role.
fn role_message(role: crate::entities::enums::UserRole) -> &'static str {
    use crate::entities::enums::UserRole;
    match role {
        UserRole::CustomerUser => msg!("account-role-customer-user"),
        UserRole::CustomerAdmin => msg!("account-role-customer-admin"),
        UserRole::ResellerAdmin => msg!("account-role-reseller-admin"),
        UserRole::ProviderAdmin => msg!("account-role-provider-admin"),
    }
}

/// Language and time zone: what the pages use now, and the link to change them.
fn preferences_section(ctx: &PageCtx) -> impl IntoView {
    let viewer = ctx.viewer.as_ref();
    let language = match viewer.and_then(|v| v.user.language.as_deref()).and_then(crate::i18n::Lang::from_tag) {
        Some(lang) => lang.native_name().to_string(),
        None => tr!(ctx, "account-preferences-language-browser", language = ctx.lang().native_name()),
    };
    let zone = ctx.locale().time_zone.name();
    let time_zone = match viewer.and_then(|v| v.user.time_zone.as_deref()) {
        Some(_) => zone.to_string(),
        None => tr!(ctx, "account-preferences-time-zone-brand", zone = zone),
    };
    view! {
        <section class="panel" id="preferences">
            <h2>{ctx.t("account-preferences-heading")}</h2>
            <dl class="facts">
                <dt>{ctx.t("account-preferences-language")}</dt><dd>{language}</dd>
                <dt>{ctx.t("account-preferences-time-zone")}</dt><dd>{time_zone}</dd>
            </dl>
            <p><a href="/account/preferences">{ctx.t("account-preferences-change")}</a></p>
        </section>
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    render(&state, &ctx, &session, viewer, StatusCode::OK, FormErrors::default(), page_query).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileForm {
    pub name: String,
}

pub(crate) async fn save_profile(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    match check_name(&form.name) {
        Ok(name) => {
            accounts_store::rename_user(&state.db, &viewer.user, name).await?;
            set_flash(&session, ctx.t("account-profile-saved")).await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(message) => {
            let errors =
                FormErrors { profile: Some(crate::identity::field_message(&ctx, &message)), ..Default::default() };
            render(&state, &ctx, &session, viewer, StatusCode::UNPROCESSABLE_ENTITY, errors, PageQuery::default()).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    // The same brake as signing in: per address, and per account through the failure count.
    state
        .sign_in_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-attempts", seconds = wait))
        .await?;
    match local::change_password(
        &state.db,
        &state.site(),
        &viewer.user,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
        ctx.device.ip_text(),
    )
    .await
    {
        Ok(()) => {
            state.mail_written();
            // Whoever else holds a session of this user is signed out.
            crate::identity::session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
            set_flash(&session, ctx.t("account-password-changed")).await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(local::PasswordChangeError::Failed(error)) => Err(error),
        Err(refused) => {
            let errors = FormErrors { password: Some(refused.localized(&ctx)), ..Default::default() };
            render(&state, &ctx, &session, viewer, StatusCode::UNPROCESSABLE_ENTITY, errors, PageQuery::default()).await
        }
    }
}

/// One row of Login Options.
struct OptionRow {
    name: String,
    logo: String,
    connected: bool,
    /// (action, label's message id) of the Connect or Disconnect button; none when it cannot apply.
    button: Option<(String, &'static str)>,
    /// A second button (the authenticator app's "New recovery codes").
    extra: Option<(String, &'static str)>,
    note: Option<String>,
}

/// The Login Options rows, or `None` when the section is not shown (DESIGN.md's display rule).
async fn login_options(state: &AppState, ctx: &PageCtx, viewer: &Viewer) -> AppResult<Option<Vec<OptionRow>>> {
    let allow_local = settings::load_remembered(&state.db, &state.config_cache).await?.allow_local_login;
    let usable = providers::usable_remembered(&state.db, &state.config_cache).await?;
    let has_password = viewer.user.password_hash.is_some();
    let app = second_factor::status_of(&state.db, viewer.user.id).await?;
    // An authenticator app guards password sign-ins: offered whenever those are possible.
    let app_applies = (allow_local && has_password) || app.is_some();
    if !links::show_login_options(allow_local, usable.len()) && !app_applies {
        return Ok(None);
    }
    let linked: Vec<i32> = if usable.is_empty() {
        vec![]
    } else {
        links::links_of(&state.db, viewer.user.id).await?.iter().map(|l| l.provider_id).collect()
    };
    let mut rows: Vec<OptionRow> = usable
        .iter()
        .map(|p| {
            let connected = linked.contains(&p.id);
            let button = if connected {
                (format!("/account/login-options/{}/disconnect", p.id), msg!("account-disconnect"))
            } else {
                (format!("/account/login-options/{}/connect", p.id), msg!("account-connect"))
            };
            OptionRow {
                name: p.name.clone(),
                logo: providers::logo_of(p),
                connected,
                button: Some(button),
                extra: None,
                note: None,
            }
        })
        .collect();
    if app_applies {
        rows.push(authenticator_row(ctx, app));
    }
    rows.push(OptionRow {
        name: ctx.t("account-local"),
        logo: "/static/favicon.svg".into(),
        connected: has_password && allow_local,
        button: match (allow_local, has_password) {
            (true, true) => Some(("/account/login-options/local/disconnect".into(), msg!("account-disconnect"))),
            (true, false) => Some(("/account/login-options/local/connect".into(), msg!("account-connect"))),
            (false, _) => None,
        },
        extra: None,
        note: (!allow_local).then(|| ctx.t("account-password-sign-in-off")),
    });
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(Some(rows))
}

/// The authenticator app's row: `app` is how many recovery codes are left, when connected.
fn authenticator_row(ctx: &PageCtx, app: Option<u64>) -> OptionRow {
    const BASE: &str = "/account/login-options/authenticator";
    match app {
        Some(left) => OptionRow {
            name: ctx.t("account-authenticator-app"),
            logo: "/static/authenticator.svg".into(),
            connected: true,
            button: Some((format!("{BASE}/disconnect"), msg!("account-disconnect"))),
            extra: Some((format!("{BASE}/recovery-codes"), msg!("account-new-recovery-codes"))),
            note: Some(tr!(ctx, "account-authenticator-note", left = left, total = second_factor::RECOVERY_CODES)),
        },
        None => OptionRow {
            name: ctx.t("account-authenticator-app"),
            logo: "/static/authenticator.svg".into(),
            connected: false,
            button: Some((format!("{BASE}/connect"), msg!("account-connect"))),
            extra: None,
            note: Some(ctx.t("account-authenticator-offer")),
        },
    }
}

fn login_options_section(ctx: &PageCtx, rows: Vec<OptionRow>) -> impl IntoView {
    let items: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let mark = ctx.t(if row.connected { msg!("account-connected") } else { msg!("account-not-connected") });
            let mark_class = if row.connected { "tag ok" } else { "tag" };
            let form = |(action, label): (String, &'static str)| {
                let aria = match label {
                    "account-disconnect" => tr!(ctx, "account-disconnect-named", name = row.name.clone()),
                    "account-connect" => tr!(ctx, "account-connect-named", name = row.name.clone()),
                    _ => tr!(ctx, "account-new-recovery-codes-named", name = row.name.clone()),
                };
                let label = ctx.t(label);
                view! {
                    <form class="inline" method="post" action=action>
                        {csrf_field(ctx)}
                        <button type="submit" class="secondary" aria-label=aria>{label}</button>
                    </form>
                }
            };
            let button = row.button.clone().map(form);
            let extra = row.extra.clone().map(form);
            view! {
                <tr>
                    <td><span class=mark_class>{mark}</span></td>
                    <td><img src=row.logo alt="" width="20" height="20"/></td>
                    <td>{row.name}</td>
                    <td>{button} {extra} {row.note.map(|n| view! { <span class="muted">{n}</span> })}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <section class="panel" id="login-options">
            <h2>{ctx.t("account-login-options")}</h2>
            <p class="muted">{ctx.t("account-login-options-intro")}</p>
            <table class="login-options">
                <thead><tr><th>{ctx.t("account-login-options-state")}</th><th><span class="visually-hidden">{ctx.t("account-login-options-logo")}</span></th><th>{ctx.t("account-login-options-sign-in-with")}</th><th>{ctx.t("account-login-options-action")}</th></tr></thead>
                <tbody>{items}</tbody>
            </table>
        </section>
    }
}

/// Where the user is signed in, with a way to end any other session.
fn sessions_section(
    ctx: &PageCtx,
    sessions: Vec<crate::entities::user_sessions::Model>,
    this_session: Option<String>,
) -> impl IntoView {
    let rows: Vec<_> = sessions
        .into_iter()
        .map(|s| {
            let this = Some(&s.id) == this_session.as_ref();
            let browser = devices::describe_in(ctx, s.user_agent.as_deref());
            let full = s.user_agent.clone().unwrap_or_default();
            let started = ctx.datetime(&s.started_at);
            let seen = if this { ctx.t("account-session-now") } else { ctx.datetime(&s.last_seen_at) };
            let action = format!("/account/sessions/{}/sign-out", s.id);
            let end = if this {
                view! { <strong>{ctx.t("account-this-session")}</strong> }.into_any()
            } else {
                view! {
                    <form class="inline" method="post" action=action>
                        {csrf_field(ctx)}
                        <button type="submit" class="secondary">{ctx.t("account-session-sign-out")}</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <tr>
                    <td title=full>{browser}</td>
                    <td>{s.ip.unwrap_or_else(|| ctx.t("account-address-unknown"))}</td>
                    <td>{started}</td>
                    <td>{seen}</td>
                    <td>{end}</td>
                </tr>
            }
        })
        .collect();
    // Always offered: a copied cookie of this very session is listed as this one, and
    // signing out the others moves this session to a new id, leaving the copy behind.
    let sign_out_others = view! {
        <form class="inline" method="post" action="/account/sessions/sign-out-others">
            {csrf_field(ctx)}
            <button type="submit" class="secondary">{ctx.t("account-sign-out-others")}</button>
        </form>
    };
    view! {
        <section class="panel" id="sessions">
            <h2>{ctx.t("account-sessions")}</h2>
            <p>{ctx.t("account-sessions-intro")}</p>
            <table>
                <thead><tr><th>{ctx.t("account-session-browser")}</th><th>{ctx.t("account-session-address")}</th><th>{ctx.t("account-session-signed-in")}</th><th>{ctx.t("account-session-last-active")}</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {sign_out_others}
        </section>
    }
}

fn security_activity(ctx: &PageCtx, recent: Vec<crate::entities::security_events::Model>) -> impl IntoView {
    if recent.is_empty() {
        return crate::ui::components::empty(ctx.t("account-no-security-activity")).into_any();
    }
    let rows: Vec<_> = recent
        .into_iter()
        .map(|e| {
            let when = ctx.datetime(&e.created_at);
            let what = ctx.t(events::label_id(e.kind));
            view! { <tr><td>{when}</td><td>{what}</td><td>{e.detail.unwrap_or_default()}</td></tr> }
        })
        .collect();
    view! {
        <table>
            <thead><tr><th>{ctx.t("account-event-when")}</th><th>{ctx.t("account-event-what")}</th><th>{ctx.t("account-event-detail")}</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// `POST /account/sessions/{id}/sign-out`: one other session of the viewer ends.
pub(crate) async fn sign_out_session(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if session::this_session_id(&session).await?.as_deref() == Some(id.as_str()) {
        return Err(crate::error::AppError::bad_request(ctx.t("account-end-this-session")));
    }
    if !session::end_one(&state.db, viewer.user.id, &id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    events::record_for(&state.db, events::SESSION_ENDED, &viewer.user, None).await?;
    set_flash(&session, ctx.t("account-session-signed-out")).await?;
    Ok(Redirect::to("/account#sessions").into_response())
}

/// `POST /account/sessions/sign-out-others`: every other session of the viewer ends.
pub(crate) async fn sign_out_other_sessions(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    crate::identity::session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
    crate::identity::events::record_for(&state.db, crate::identity::events::OTHER_SESSIONS_ENDED, &viewer.user, None)
        .await?;
    set_flash(&session, ctx.t("account-other-sessions-signed-out")).await?;
    Ok(Redirect::to("/account").into_response())
}
