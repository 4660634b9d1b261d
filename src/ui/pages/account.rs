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
    let options = login_options(state, viewer).await?;
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
    Ok(page_with_status(status, ctx, "My Account", move || {
        view! {
            {super::invitations::notice(&ctx2, invited.clone())}
            {user.email_verified_at.is_none().then(|| view! {
                <div class="card notice verify-notice">
                    <p>{format!("Confirm {} with the link we sent you: you can buy once it is confirmed.", user.email)}</p>
                    <form method="post" action="/account/verify-email">
                        {csrf_field(&ctx2)}
                        <button type="submit" class="secondary" name="resend" value="yes">"Send the link again"</button>
                    </form>
                </div>
            })}
            <section class="panel" id="profile">
                <h2>"Profile"</h2>
                <dl class="facts">
                    <dt>"E-mail"</dt><dd>{user.email.clone()}</dd>
                    <dt>"Account"</dt><dd>{account.name.clone()}</dd>
                    <dt>"Role"</dt><dd>{user.role.label()}</dd>
                </dl>
                {manages_users.then(|| view! { <p><a href=format!("/accounts/{}/users", account.code)>"Users of your account"</a></p> })}
                {form_error(errors.profile)}
                <form class="stacked" method="post" action="/account/profile">
                    {csrf_field(&ctx2)}
                    <label>"Name" <input name="name" value=user.name.clone() maxlength=MAX_NAME_CHARS.to_string() required autocomplete="name"/></label>
                    <button type="submit">"Save profile"</button>
                </form>
            </section>
            <section class="panel" id="password">
                <h2>"Password"</h2>
                {form_error(errors.password)}
                {if has_password {
                    view! {
                        <form class="stacked" method="post" action="/account/password">
                            {csrf_field(&ctx2)}
                            <label>"Current password" <input type="password" name="current_password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <label>"New password" <input type="password" name="new_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <label>"Repeat the new password" <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                            <button type="submit">"Change password"</button>
                        </form>
                        <p class="muted">"Changing it signs out every other session of yours."</p>
                    }.into_any()
                } else {
                    view! { <p>{crate::identity::local::NO_PASSWORD_YET}</p> }.into_any()
                }}
            </section>
            {sessions_section(&ctx2, sessions, this_session)}
            {options.map(|rows| login_options_section(&ctx2, rows))}
            {passkeys.map(|loaded| super::passkeys::passkeys_section(&ctx2, loaded))}
            <section class="panel" id="subscriptions">
                <h2>"Subscriptions"</h2>
                {subscriptions_table(&ctx2, subscriptions)}
            </section>
            <section class="panel" id="subscription-changes">
                <h2>"Recent subscription changes"</h2>
                {history_table(&ctx2, changes)}
            </section>
            <section class="panel" id="orders">
                <h2>"Orders"</h2>
                {orders_table(&ctx2, &orders)}
            </section>
            <section class="panel" id="invoices">
                <h2>"Invoices"</h2>
                {invoices_table(&ctx2, &invoices, "/account")}
            </section>
            <section class="panel" id="security-activity">
                <h2>"Recent security activity"</h2>
                {security_activity(recent)}
            </section>
        }
    }))
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
            set_flash(&session, "Profile saved.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(message) => {
            let errors = FormErrors { profile: Some(message), ..Default::default() };
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
    state.sign_in_limiter.admit(ctx.device.address(), "Too many attempts.").await?;
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
            set_flash(&session, "Your password was changed. Every other session of yours was signed out.").await?;
            Ok(Redirect::to("/account").into_response())
        }
        Err(local::PasswordChangeError::Failed(error)) => Err(error),
        Err(refused) => {
            let errors = FormErrors { password: Some(refused.to_string()), ..Default::default() };
            render(&state, &ctx, &session, viewer, StatusCode::UNPROCESSABLE_ENTITY, errors, PageQuery::default()).await
        }
    }
}

/// One row of Login Options.
struct OptionRow {
    name: String,
    logo: String,
    connected: bool,
    /// (action, label) of the Connect or Disconnect button; none when it cannot apply.
    button: Option<(String, &'static str)>,
    /// A second button (the authenticator app's "New recovery codes").
    extra: Option<(String, &'static str)>,
    note: Option<String>,
}

/// The Login Options rows, or `None` when the section is not shown (DESIGN.md's display rule).
async fn login_options(state: &AppState, viewer: &Viewer) -> AppResult<Option<Vec<OptionRow>>> {
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
                (format!("/account/login-options/{}/disconnect", p.id), "Disconnect")
            } else {
                (format!("/account/login-options/{}/connect", p.id), "Connect")
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
        rows.push(authenticator_row(app));
    }
    rows.push(OptionRow {
        name: "Local".into(),
        logo: "/static/favicon.svg".into(),
        connected: has_password && allow_local,
        button: match (allow_local, has_password) {
            (true, true) => Some(("/account/login-options/local/disconnect".into(), "Disconnect")),
            (true, false) => Some(("/account/login-options/local/connect".into(), "Connect")),
            (false, _) => None,
        },
        extra: None,
        note: (!allow_local).then(|| "Password sign-in is turned off.".to_string()),
    });
    rows.sort_by_key(|r| r.name.to_lowercase());
    Ok(Some(rows))
}

/// The authenticator app's row: `app` is how many recovery codes are left, when connected.
fn authenticator_row(app: Option<u64>) -> OptionRow {
    const BASE: &str = "/account/login-options/authenticator";
    match app {
        Some(left) => OptionRow {
            name: "Authenticator app".into(),
            logo: "/static/authenticator.svg".into(),
            connected: true,
            button: Some((format!("{BASE}/disconnect"), "Disconnect")),
            extra: Some((format!("{BASE}/recovery-codes"), "New recovery codes")),
            note: Some(format!(
                "Asked for after your password. {left} of {} recovery codes left.",
                second_factor::RECOVERY_CODES
            )),
        },
        None => OptionRow {
            name: "Authenticator app".into(),
            logo: "/static/authenticator.svg".into(),
            connected: false,
            button: Some((format!("{BASE}/connect"), "Connect")),
            extra: None,
            note: Some("A code from your phone after your password: a second factor.".into()),
        },
    }
}

fn login_options_section(ctx: &PageCtx, rows: Vec<OptionRow>) -> impl IntoView {
    let items: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let mark = if row.connected { "Connected" } else { "Not connected" };
            let mark_class = if row.connected { "tag ok" } else { "tag" };
            let form = |(action, label): (String, &'static str)| {
                let aria = format!("{label} {}", row.name);
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
            <h2>"Login Options"</h2>
            <p class="muted">"The ways you can sign in. Connect a provider to sign in with it; at least one way must stay."</p>
            <table class="login-options">
                <thead><tr><th>"State"</th><th><span class="visually-hidden">"Logo"</span></th><th>"Sign in with"</th><th>"Action"</th></tr></thead>
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
            let browser = devices::describe(s.user_agent.as_deref());
            let full = s.user_agent.clone().unwrap_or_default();
            let started = s.started_at.format("%Y-%m-%d %H:%M UTC").to_string();
            let seen = if this { "Now".to_string() } else { s.last_seen_at.format("%Y-%m-%d %H:%M UTC").to_string() };
            let action = format!("/account/sessions/{}/sign-out", s.id);
            let end = if this {
                view! { <strong>"This session"</strong> }.into_any()
            } else {
                view! {
                    <form class="inline" method="post" action=action>
                        {csrf_field(ctx)}
                        <button type="submit" class="secondary">"Sign out"</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <tr>
                    <td title=full>{browser}</td>
                    <td>{s.ip.unwrap_or_else(|| "unknown".into())}</td>
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
            <button type="submit" class="secondary">"Sign out of all other sessions"</button>
        </form>
    };
    view! {
        <section class="panel" id="sessions">
            <h2>"Sessions"</h2>
            <p>"Where you are signed in now. Signed in somewhere you no longer use, or on a computer that is not yours? Sign that session out."</p>
            <table>
                <thead><tr><th>"Browser"</th><th>"Address"</th><th>"Signed in"</th><th>"Last active"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {sign_out_others}
        </section>
    }
}

fn security_activity(recent: Vec<crate::entities::security_events::Model>) -> impl IntoView {
    if recent.is_empty() {
        return crate::ui::components::empty("No security activity yet.").into_any();
    }
    let rows: Vec<_> = recent
        .into_iter()
        .map(|e| {
            let when = e.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
            let what = e.kind.label();
            view! { <tr><td>{when}</td><td>{what}</td><td>{e.detail.unwrap_or_default()}</td></tr> }
        })
        .collect();
    view! {
        <table>
            <thead><tr><th>"When"</th><th>"What"</th><th>"Detail"</th></tr></thead>
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
        return Err(crate::error::AppError::bad_request("To end this session, use Sign out."));
    }
    if !session::end_one(&state.db, viewer.user.id, &id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    events::record_for(&state.db, events::SESSION_ENDED, &viewer.user, None).await?;
    set_flash(&session, "That session was signed out.").await?;
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
    set_flash(&session, "Every other session of yours was signed out.").await?;
    Ok(Redirect::to("/account").into_response())
}
