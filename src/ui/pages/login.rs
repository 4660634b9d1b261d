//! Sign-in and sign-out.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::identity::local::{self, SignInOutcome, MAX_EMAIL_CHARS};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::{events, providers, second_factor, session, settings};
use crate::observability::metrics::{self, SignInMethod};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::{page_with_status, PageCtx};

#[derive(Debug, Deserialize, Default)]
pub(crate) struct NextQuery {
    pub next: Option<String>,
}

/// What the sign-in page shows.
struct LoginView {
    local_allowed: bool,
    /// "New here? Create an account" (while sign-up is open).
    sign_up: bool,
    /// "Sign in with …" buttons: (provider id, name, logo).
    buttons: Vec<(i32, String, String)>,
    /// "Sign in with a passkey" (on the public host of a server passkeys work on).
    passkey: bool,
    email: String,
    next: Option<String>,
    error: Option<String>,
}

async fn login_view(state: &AppState, ctx: &PageCtx, next: Option<String>) -> AppResult<LoginView> {
    let rules = settings::load_remembered(&state.db, &state.config_cache).await?;
    let buttons = providers::usable_remembered(&state.db, &state.config_cache)
        .await?
        .iter()
        .map(|p| (p.id, p.name.clone(), providers::logo_of(p)))
        .collect();
    Ok(LoginView {
        local_allowed: rules.allow_local_login,
        sign_up: rules.allow_sign_up,
        buttons,
        passkey: super::passkeys::offered(state, ctx),
        email: String::new(),
        next,
        error: None,
    })
}

fn next_query(next: Option<&str>) -> String {
    next.map(|n| format!("?next={}", crate::error::encode_query_value(n))).unwrap_or_default()
}

fn login_page(ctx: &PageCtx, status: StatusCode, login: LoginView) -> Response {
    let ctx2 = ctx.clone();
    let LoginView { local_allowed, sign_up, buttons, passkey, email, next, error } = login;
    let idp_query = next_query(next.as_deref());
    let title = ctx.t("login-title");
    let email_label = ctx.t("login-email");
    let password_label = ctx.t("login-password");
    let submit = ctx.t("login-submit");
    let forgot = ctx.t("login-forgot");
    let local_off = ctx.t("login-local-off");
    let new_here = ctx.t("login-new-here");
    let create_account = ctx.t("login-create-account");
    page_with_status(status, ctx, &title, move || {
        let passkey = passkey.then(|| super::passkeys::sign_in_button(&ctx2, next.clone()));
        let form = local_allowed.then(|| {
            let next = next.unwrap_or_default();
            view! {
                <form class="stacked card" method="post" action="/login">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="next" value=next/>
                    <label>{email_label} <input type="email" name="email" value=email autocomplete="username" maxlength=MAX_EMAIL_CHARS.to_string() required autofocus/></label>
                    <label>{password_label} <input type="password" name="password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                    <button type="submit">{submit}</button>
                    <p><a href="/password-reset">{forgot}</a></p>
                </form>
            }
        });
        let off = (!local_allowed).then(|| view! { <p class="muted">{local_off}</p> });
        let has_buttons = !buttons.is_empty();
        let buttons: Vec<_> = buttons
            .into_iter()
            .map(|(id, name, logo)| {
                let href = format!("/auth/oidc/{id}/login{idp_query}");
                let label = tr!(ctx2, "login-with-provider", provider = name);
                view! {
                    <li><a class="button secondary idp-button" href=href><img src=logo alt="" width="20" height="20"/> " " {label}</a></li>
                }
            })
            .collect();
        view! {
            {form_error(error)}
            {form}
            {off}
            {has_buttons.then(|| view! { <ul class="idp-buttons">{buttons}</ul> })}
            {passkey}
            {sign_up.then(|| view! { <p>{new_here} " " <a href="/sign-up">{create_account}</a></p> })}
        }
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to(&session::safe_return_path(query.next.as_deref())).into_response());
    }
    let login = login_view(&state, &ctx, query.next).await?;
    // One way in: go straight to it (unless somebody could sign in with a passkey instead).
    let one_way = !login.local_allowed && login.buttons.len() == 1;
    if one_way && !(login.passkey && crate::identity::passkeys::any(&state.db).await?) {
        let location = format!("/auth/oidc/{}/login{}", login.buttons[0].0, next_query(login.next.as_deref()));
        return Ok(Redirect::to(&location).into_response());
    }
    Ok(login_page(&ctx, StatusCode::OK, login))
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: Option<String>,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "login-too-many", seconds = wait)).await?;
    let mut login = login_view(&state, &ctx, form.next.filter(|n| !n.is_empty())).await?;
    if form.email.chars().count() > MAX_EMAIL_CHARS || form.password.chars().count() > MAX_PASSWORD_CHARS {
        login.email = form.email.chars().take(MAX_EMAIL_CHARS).collect();
        login.error = Some(ctx.t("login-failed"));
        return Ok(login_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, login));
    }
    let outcome = local::sign_in(&state.db, &state.site(), &form.email, &form.password, ctx.device.ip_text()).await?;
    // A right password waiting for its code is counted when the code comes.
    if !matches!(outcome, SignInOutcome::CodeNeeded(_)) {
        metrics::sign_in(SignInMethod::Password, matches!(outcome, SignInOutcome::SignedIn(_)));
    }
    match outcome {
        SignInOutcome::SignedIn(user) | SignInOutcome::CodeNeeded(user) => {
            let return_to = session::safe_return_path(login.next.as_deref());
            let to = second_factor::after_password(&state.db, &session, &user, &ctx.device, return_to).await?;
            Ok(Redirect::to(&to).into_response())
        }
        SignInOutcome::Failed => {
            login.email = form.email;
            login.error = Some(ctx.t("login-failed"));
            Ok(login_page(&ctx, StatusCode::UNAUTHORIZED, login))
        }
        SignInOutcome::LocalLoginOff => Ok(login_page(&ctx, StatusCode::FORBIDDEN, login)),
        SignInOutcome::NotAllowed(reason) => {
            login.email = form.email;
            login.error = Some(crate::identity::sign_in_refusal(&ctx, reason));
            Ok(login_page(&ctx, StatusCode::FORBIDDEN, login))
        }
    }
}

/// A confirmation page, so that "Sign out" also works from a plain link.
pub(crate) async fn confirm_logout(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    if ctx.viewer.is_none() {
        return Ok(Redirect::to("/").into_response());
    }
    let ctx2 = ctx.clone();
    let title = ctx.t("login-sign-out-title");
    let question = ctx.t("login-sign-out-question");
    let button = ctx.t("login-sign-out-button");
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
        view! {
            <form class="stacked card" method="post" action="/logout">
                {csrf_field(&ctx2)}
                <p>{question}</p>
                <button type="submit">{button}</button>
            </form>
        }
    }))
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    if let Some(viewer) = &ctx.viewer {
        events::record(&state.db, events::SIGN_OUT, Some(viewer.user.id), Some(viewer.account.id), None, None).await?;
    }
    session::end(&state.db, &session).await?;
    Ok(Redirect::to("/").into_response())
}
