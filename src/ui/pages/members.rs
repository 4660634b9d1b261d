//! The users of an account (inviting, roles, deactivating, removing an invitation) and the
//! invitation link that lets an invited user join.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::members::{
    self, role_in_sentence, role_label, AcceptError, ChangeForm, InviteForm, Member, MemberChange, MemberError,
};
use crate::accounts::{admin_role, MAX_NAME_CHARS};
use crate::entities::accounts;
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Lang, Localize};
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
    let title = tr!(ctx, "members-title", account = account.name.as_str());
    let ctx2 = ctx.clone();
    let (users, th_name, th_email, th_role, th_status) = (
        ctx.t("members-users"),
        ctx.t("members-th-name"),
        ctx.t("members-th-email"),
        ctx.t("members-th-role"),
        ctx.t("members-th-status"),
    );
    Ok(page_with_status(status, ctx, &title, move || {
        let rows: Vec<_> = people.into_iter().map(|m| member_row(&ctx2, &account, viewer_id, m)).collect();
        view! {
            {form_error(error)}
            <p><a href=format!("/accounts/{}", account.code)>{format!("← {}", account.name)}</a></p>
            <section class="panel">
                <h2>{users}</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th>{th_name}</th><th>{th_email}</th><th>{th_role}</th><th>{th_status}</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </section>
            {invite_form(&ctx2, &account, invite.unwrap_or(InviteForm { name: String::new(), email: String::new(), role: String::new() }))}
        }
    }))
}

fn status_label(ctx: &PageCtx, m: &Member) -> String {
    match (&m.user.joined_at, m.user.active) {
        (_, false) => ctx.t("members-status-deactivated"),
        (None, true) => match &m.invited_by {
            Some(by) => tr!(ctx, "members-status-invited-by", by = by.as_str()),
            None => ctx.t("members-status-invited"),
        },
        (Some(at), true) => tr!(ctx, "members-status-joined", date = ctx.date(at)),
    }
}

fn member_row(ctx: &PageCtx, account: &accounts::Model, viewer_id: i32, m: Member) -> impl IntoView {
    let action = format!("/accounts/{}/users/{}", account.code, m.user.id);
    let myself = m.user.id == viewer_id;
    let roles = members::roles_for(account.tier);
    let role_form = (roles.len() > 1 && !myself).then(|| {
        let options: Vec<_> = roles
            .iter()
            .map(|r| view! { <option value=r.as_str() selected=*r == m.user.role>{role_label(ctx, *r)}</option> })
            .collect();
        view! {
            <form class="inline" method="post" action=action.clone()>
                {csrf_field(ctx)}
                <input type="hidden" name="intent" value="role"/>
                <select name="role" aria-label=ctx.t("members-th-role")>{options}</select>
                <button type="submit" class="secondary">{ctx.t("members-change-role")}</button>
            </form>
        }
    });
    let (intent, label) = match (m.user.joined_at.is_some(), m.user.active) {
        (_, false) => ("reactivate", ctx.t("members-reactivate")),
        (false, true) => ("remove", ctx.t("members-remove-invitation")),
        (true, true) => ("deactivate", ctx.t("members-deactivate")),
    };
    let sure_label = ctx.t("members-sure");
    let sure = intent != "reactivate";
    let state_form = (!myself).then(|| {
        view! {
            <form class="inline" method="post" action=action.clone()>
                {csrf_field(ctx)}
                <input type="hidden" name="intent" value=intent/>
                {sure.then(|| view! { <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {sure_label}</label> })}
                <button type="submit" class=if sure { "danger" } else { "secondary" }>{label}</button>
            </form>
        }
    });
    let status = status_label(ctx, &m);
    let you = myself.then(|| ctx.t("members-you"));
    view! {
        <tr>
            <td>{m.user.name.clone()}{you}</td>
            <td>{m.user.email.clone()}</td>
            <td>{role_label(ctx, m.user.role)}</td>
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
            .map(|r| view! { <option value=r.as_str() selected=*r == chosen>{role_label(ctx, *r)}</option> })
            .collect();
        view! { <label>{ctx.t("members-th-role")} <select name="role">{options}</select></label> }.into_any()
    } else {
        view! { <input type="hidden" name="role" value=roles[0].as_str()/> }.into_any()
    };
    view! {
        <section class="panel" id="invite">
            <h2>{ctx.t("members-invite-heading")}</h2>
            <p class="muted">{tr!(ctx, "members-invite-intro", days = members::INVITATION_DAYS)}</p>
            <form class="stacked" method="post" action=users_url(account)>
                {csrf_field(ctx)}
                <label>{ctx.t("members-th-name")} <input name="name" value=form.name maxlength=MAX_NAME_CHARS.to_string() required/></label>
                <label>{ctx.t("members-th-email")} <input type="email" name="email" value=form.email maxlength=MAX_EMAIL_CHARS.to_string() required/></label>
                {role_field}
                <button type="submit">{ctx.t("members-send-invitation")}</button>
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
            set_flash(&session, tr!(ctx, "members-invitation-sent", email = user.email.as_str())).await?;
            Ok(Redirect::to(&users_url(&account)).into_response())
        }
        Err(MemberError::Failed(e)) => Err(e),
        Err(e) => {
            let message = e.localized(&ctx);
            render(&state, &ctx, account, StatusCode::UNPROCESSABLE_ENTITY, Some(message), Some(form)).await
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
            .map(|user| change.done(&user, &ctx)),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(done) => {
            set_flash(&session, done).await?;
            Ok(Redirect::to(&users_url(&account)).into_response())
        }
        Err(MemberError::Failed(e)) => Err(e),
        Err(e) => {
            let message = e.localized(&ctx);
            render(&state, &ctx, account, StatusCode::UNPROCESSABLE_ENTITY, Some(message), None).await
        }
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
    let title = ctx.t("members-accept-title");
    let role = role_in_sentence(ctx, found.user.role);
    let intro = match &found.invited_by {
        Some(name) => {
            tr!(ctx, "members-accept-intro-by", by = name.as_str(), account = found.account.name.as_str(), role = role)
        }
        None => tr!(ctx, "members-accept-intro", account = found.account.name.as_str(), role = role),
    };
    let has_providers = !ways.providers.is_empty();
    let join_with_lead = ctx.t("members-join-with-provider");
    let join_with = join_with_verb(ctx.lang());
    let password_lead =
        if has_providers { ctx.t("members-or-choose-password") } else { ctx.t("members-choose-password") };
    let (password_label, again_label, join_label) =
        (ctx.t("members-password"), ctx.t("members-password-again"), ctx.t("members-join"));
    page_with_status(status, ctx, &title, move || {
        let with_provider = has_providers.then(|| {
            view! {
                <p>{join_with_lead}</p>
                {provider_buttons(ways.providers, join_with)}
            }
        });
        let email = found.user.email.clone();
        let with_password = ways.password.then(|| {
            view! {
                <p>{password_lead} " " <strong>{email.clone()}</strong> "."</p>
                <input type="hidden" name="username" value=email autocomplete="username"/>
                <label>{password_label} <input type="password" name="new_password" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <label>{again_label} <input type="password" name="confirmation" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <button type="submit">{join_label}</button>
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

/// "Join with" in a language, for the provider buttons (which take a `&'static str`): each
/// language's text is made once.
fn join_with_verb(lang: Lang) -> &'static str {
    static VERBS: std::sync::LazyLock<Vec<(Lang, &'static str)>> = std::sync::LazyLock::new(|| {
        Lang::ALL.into_iter().map(|lang| (lang, &*Box::leak(lang.t("members-join-with").into_boxed_str()))).collect()
    });
    VERBS.iter().find(|(l, _)| *l == lang).map_or("Join with", |(_, verb)| *verb)
}

fn link_not_valid(ctx: &PageCtx) -> Response {
    let title = ctx.t("members-link-not-valid-title");
    let message = AcceptError::LinkNotValid.localized(ctx);
    let sign_in = ctx.t("members-sign-in");
    page_with_status(StatusCode::GONE, ctx, &title, move || {
        view! {
            <div class="card">
                <p>{message}</p>
                <p><a href="/login">{sign_in}</a></p>
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
    let provider = WaysIn::offered(state).await?.chosen_for(state, ctx, with).await?;
    state
        .flow_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-flows", seconds = wait))
        .await?;
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
        return Err(AppError::bad_request(ctx.t("members-password-off")));
    }
    state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "login-too-many", seconds = wait)).await?;
    let ip = ctx.device.ip_text();
    match members::accept(&state.db, &token, &form.new_password, &form.confirmation, ip).await {
        Ok(user) => {
            // Joined; but an account suspended or waiting for approval signs nobody in.
            let account = crate::accounts::store::find_by_id(&state.db, user.account_id).await?;
            if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
                let message = tr!(ctx, "members-joined-but", reason = reason.to_string());
                let title = ctx.t("members-invitation-title");
                return Ok(crate::ui::page_with_status(StatusCode::OK, &ctx, &title, move || {
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
            set_flash(&session, ctx.t("members-welcome")).await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(AcceptError::Failed(e)) => Err(e),
        Err(AcceptError::LinkNotValid) => Ok(link_not_valid(&ctx)),
        Err(e @ (AcceptError::NewPassword(_) | AcceptError::IdentityTaken { .. })) => {
            match members::invitation_of_link(&state.db, &token).await? {
                Some(found) => {
                    let ways = WaysIn::offered(&state).await?;
                    let page = AcceptPage { token, found, ways, error: Some(e.localized(&ctx)) };
                    Ok(accept_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, page))
                }
                None => Ok(link_not_valid(&ctx)),
            }
        }
    }
}
