//! The users of an account (inviting, roles, deactivating, removing an invitation) and the
//! invitation link that lets an invited user join.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::members::{self, AcceptError, ChangeForm, InviteForm, Member, MemberChange, MemberError};
use crate::accounts::{admin_role, MAX_NAME_CHARS};
use crate::entities::accounts;
use crate::error::{AppError, AppResult};
use crate::identity::local::MAX_EMAIL_CHARS;
use crate::identity::oidc::{FlowStart, Joining, Purpose};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::session::set_flash;
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::pages::oidc::{provider_buttons, redirect_to_provider, WaysIn};
use crate::ui::{page_with_status, PageCtx};

fn users_url(account: &accounts::Model) -> String {
    format!("/accounts/{}/users", account.code)
}

/// `GET /accounts/{code}/users`.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let account = members::managed_account(&state.db, ctx.viewer()?, &code).await?;
    render(&state, &ctx, account, StatusCode::OK, None, None).await
}

async fn render(
    state: &AppState,
    ctx: &PageCtx,
    account: accounts::Model,
    status: StatusCode,
    error: Option<String>,
    invite: Option<InviteForm>,
) -> AppResult<Response> {
    let viewer_id = ctx.viewer()?.user.id;
    let people = members::members_of(&state.db, &account).await?;
    let title = format!("Users of {}", account.name);
    let ctx2 = ctx.clone();
    Ok(page_with_status(status, ctx, &title, move || {
        let rows: Vec<_> = people.into_iter().map(|m| member_row(&ctx2, &account, viewer_id, m)).collect();
        view! {
            {form_error(error)}
            <p><a href=format!("/accounts/{}", account.code)>{format!("← {}", account.name)}</a></p>
            <section class="panel">
                <h2>"Users"</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th>"Status"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </section>
            {invite_form(&ctx2, &account, invite.unwrap_or(InviteForm { name: String::new(), email: String::new(), role: String::new() }))}
        }
    }))
}

fn status_label(m: &Member) -> String {
    match (&m.user.joined_at, m.user.active) {
        (_, false) => "Deactivated".into(),
        (None, true) => match &m.invited_by {
            Some(by) => format!("Invited by {by}, not joined yet"),
            None => "Invited, not joined yet".into(),
        },
        (Some(at), true) => format!("Joined {}", at.format("%Y-%m-%d")),
    }
}

fn member_row(ctx: &PageCtx, account: &accounts::Model, viewer_id: i32, m: Member) -> impl IntoView {
    let action = format!("/accounts/{}/users/{}", account.code, m.user.id);
    let myself = m.user.id == viewer_id;
    let roles = members::roles_for(account.tier);
    let role_form = (roles.len() > 1 && !myself).then(|| {
        let options: Vec<_> = roles
            .iter()
            .map(|r| view! { <option value=r.as_str() selected=*r == m.user.role>{r.label()}</option> })
            .collect();
        view! {
            <form class="inline" method="post" action=action.clone()>
                {csrf_field(ctx)}
                <input type="hidden" name="intent" value="role"/>
                <select name="role" aria-label="Role">{options}</select>
                <button type="submit" class="secondary">"Change role"</button>
            </form>
        }
    });
    let (intent, label) = match (m.user.joined_at.is_some(), m.user.active) {
        (_, false) => ("reactivate", "Reactivate"),
        (false, true) => ("remove", "Remove invitation"),
        (true, true) => ("deactivate", "Deactivate"),
    };
    let sure = intent != "reactivate";
    let state_form = (!myself).then(|| {
        view! {
            <form class="inline" method="post" action=action.clone()>
                {csrf_field(ctx)}
                <input type="hidden" name="intent" value=intent/>
                {sure.then(|| view! { <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " Sure"</label> })}
                <button type="submit" class=if sure { "danger" } else { "secondary" }>{label}</button>
            </form>
        }
    });
    let status = status_label(&m);
    view! {
        <tr>
            <td>{m.user.name.clone()}{myself.then_some(" (you)")}</td>
            <td>{m.user.email.clone()}</td>
            <td>{m.user.role.label()}</td>
            <td>{status}</td>
            <td>{role_form}{state_form}</td>
        </tr>
    }
}

fn invite_form(ctx: &PageCtx, account: &accounts::Model, form: InviteForm) -> impl IntoView {
    let roles = members::roles_for(account.tier);
    let chosen = members::check_invite(&form, account.tier).map(|n| n.role).unwrap_or(admin_role(account.tier));
    let role_field = if roles.len() > 1 {
        let options: Vec<_> = roles
            .iter()
            .map(|r| view! { <option value=r.as_str() selected=*r == chosen>{r.label()}</option> })
            .collect();
        view! { <label>"Role" <select name="role">{options}</select></label> }.into_any()
    } else {
        view! { <input type="hidden" name="role" value=roles[0].as_str()/> }.into_any()
    };
    view! {
        <section class="panel" id="invite">
            <h2>"Invite a user"</h2>
            <p class="muted">{format!("We e-mail them a link that works once, for {} days, to choose a password and join.", members::INVITATION_DAYS)}</p>
            <form class="stacked" method="post" action=users_url(account)>
                {csrf_field(ctx)}
                <label>"Name" <input name="name" value=form.name maxlength=MAX_NAME_CHARS.to_string() required/></label>
                <label>"E-mail" <input type="email" name="email" value=form.email maxlength=MAX_EMAIL_CHARS.to_string() required/></label>
                {role_field}
                <button type="submit">"Send the invitation"</button>
            </form>
        </section>
    }
}

/// `POST /accounts/{code}/users`: invite a user.
pub(crate) async fn invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let account = members::managed_account(&state.db, viewer, &code).await?;
    match members::invite(&state.db, &state.site(), viewer, ctx.device.ip_text(), &account, &form).await {
        Ok(user) => {
            state.mail_written();
            set_flash(&session, format!("An invitation was sent to {}.", user.email)).await?;
            Ok(Redirect::to(&users_url(&account)).into_response())
        }
        Err(MemberError::Failed(e)) => Err(e),
        Err(e) => {
            render(&state, &ctx, account, StatusCode::UNPROCESSABLE_ENTITY, Some(e.to_string()), Some(form)).await
        }
    }
}

/// `POST /accounts/{code}/users/{id}`: change a role, deactivate, reactivate, remove an invitation.
pub(crate) async fn change(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let account = members::managed_account(&state.db, viewer, &code).await?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    let outcome = match MemberChange::parse(&form) {
        Ok(change) => members::apply(&state.db, viewer, ctx.device.ip_text(), &account, id, &change)
            .await
            .map(|user| change.done(&user)),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(done) => {
            set_flash(&session, done).await?;
            Ok(Redirect::to(&users_url(&account)).into_response())
        }
        Err(MemberError::Failed(e)) => Err(e),
        Err(e) => render(&state, &ctx, account, StatusCode::UNPROCESSABLE_ENTITY, Some(e.to_string()), None).await,
    }
}

/// What the invitation page shows and offers.
struct AcceptPage {
    token: String,
    found: members::Invitation,
    ways: WaysIn,
    error: Option<String>,
}

fn accept_page(ctx: &PageCtx, status: StatusCode, page: AcceptPage) -> Response {
    let ctx2 = ctx.clone();
    let AcceptPage { token, found, ways, error } = page;
    page_with_status(status, ctx, "Accept the invitation", move || {
        let by = found.invited_by.map(|name| format!("{name} invited you")).unwrap_or_else(|| "You are invited".into());
        let intro = format!("{by} to join {} as {}.", found.account.name, found.user.role.label().to_lowercase());
        let has_providers = !ways.providers.is_empty();
        let with_provider = has_providers.then(|| {
            view! {
                <p>"Join with the account you already use at work, and sign in with it from now on:"</p>
                {provider_buttons(ways.providers, "Join with")}
            }
        });
        let email = found.user.email.clone();
        let with_password = ways.password.then(|| {
            let lead = if has_providers { "Or choose a password for " } else { "Choose a password for " };
            view! {
                <p>{lead} <strong>{email.clone()}</strong> "."</p>
                <input type="hidden" name="username" value=email autocomplete="username"/>
                <label>"Password" <input type="password" name="new_password" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <label>"Password again" <input type="password" name="confirmation" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <button type="submit">"Join"</button>
            }
        });
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action=format!("/invitation/{token}")>
                {csrf_field(&ctx2)}
                <p>{intro}</p>
                {with_provider}
                {with_password}
            </form>
        }
    })
}

fn link_not_valid(ctx: &PageCtx) -> Response {
    page_with_status(StatusCode::GONE, ctx, "Link not valid", move || {
        view! {
            <div class="card">
                <p>{AcceptError::LinkNotValid.to_string()}</p>
                <p><a href="/login">"Sign in"</a></p>
            </div>
        }
    })
}

/// `GET /invitation/{token}`.
pub(crate) async fn accept_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match members::invitation_of_link(&state.db, &token).await? {
        Some(found) => {
            let ways = WaysIn::offered(&state).await?;
            Ok(accept_page(&ctx, StatusCode::OK, AcceptPage { token, found, ways, error: None }))
        }
        None => Ok(link_not_valid(&ctx)),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct AcceptForm {
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirmation: String,
    /// "Join with" an identity provider (its id) instead of a password.
    #[serde(default)]
    pub with: String,
}

/// "Join with …": the flow carries the invitation's token row (never the link), and the
/// invited user joins when the provider's answer comes back.
async fn join_with_provider(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    found: members::Invitation,
    with: &str,
) -> AppResult<Response> {
    let provider = WaysIn::offered(state).await?.chosen(state, with).await?;
    state.flow_limiter.admit(ctx.device.address(), "Too many sign-ins started from your network.").await?;
    let start = FlowStart {
        joining: Some(Joining::Invitation { token_id: found.token_id }),
        ..FlowStart::new(Purpose::Join, None, "/account".into())
    };
    redirect_to_provider(state, ctx, session, &provider, start).await
}

/// `POST /invitation/{token}`: choose a password, join, and be signed in.
pub(crate) async fn accept(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    if !form.with.is_empty() {
        return match members::invitation_of_link(&state.db, &token).await? {
            Some(found) => join_with_provider(&state, &ctx, &session, found, &form.with).await,
            None => Ok(link_not_valid(&ctx)),
        };
    }
    if !WaysIn::offered(&state).await?.password {
        return Err(AppError::bad_request("Joining with a password is off here: choose an identity provider."));
    }
    state.sign_in_limiter.admit(ctx.device.address(), "Too many requests from your network.").await?;
    let ip = ctx.device.ip_text();
    match members::accept(&state.db, &token, &form.new_password, &form.confirmation, ip).await {
        Ok(user) => {
            // Joined; but an account suspended or waiting for approval signs nobody in.
            let account = crate::accounts::store::find_by_id(&state.db, user.account_id).await?;
            if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
                let message = format!("You have joined. {reason}");
                return Ok(crate::ui::page_with_status(StatusCode::OK, &ctx, "Invitation", move || {
                    leptos::prelude::view! { <p class="card">{message}</p> }
                })
                .into_response());
            }
            let to = crate::identity::second_factor::after_password(
                &state.db,
                &session,
                &user,
                &ctx.device,
                "/account".into(),
            )
            .await?;
            set_flash(&session, "Welcome: you have joined. You can connect an identity provider from Login Options.")
                .await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(AcceptError::Failed(e)) => Err(e),
        Err(AcceptError::LinkNotValid) => Ok(link_not_valid(&ctx)),
        Err(e @ (AcceptError::NewPassword(_) | AcceptError::IdentityTaken { .. })) => {
            match members::invitation_of_link(&state.db, &token).await? {
                Some(found) => {
                    let ways = WaysIn::offered(&state).await?;
                    let page = AcceptPage { token, found, ways, error: Some(e.to_string()) };
                    Ok(accept_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, page))
                }
                None => Ok(link_not_valid(&ctx)),
            }
        }
    }
}
