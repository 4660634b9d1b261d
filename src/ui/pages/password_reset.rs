//! "Forgot your password?", the mailed link that chooses a new one, and the link that
//! confirms an e-mail address.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::identity::local::MAX_EMAIL_CHARS;
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::reset::{self, ResetError};
use crate::identity::{session, settings};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::{page_with_status, PageCtx};

fn message_page(ctx: &PageCtx, status: StatusCode, title: &str, message: String) -> Response {
    let back = ctx.t("reset-back-to-sign-in");
    page_with_status(status, ctx, title, move || {
        view! {
            <div class="card">
                <p>{message}</p>
                <p><a href="/login">{back}</a></p>
            </div>
        }
    })
}

fn ask_page(ctx: &PageCtx, status: StatusCode, error: Option<String>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("reset-ask-title");
    let intro = ctx.t("reset-ask-intro");
    let email_label = ctx.t("reset-email");
    let send = ctx.t("reset-send-link");
    let back = ctx.t("reset-back-to-sign-in");
    page_with_status(status, ctx, &title, move || {
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action="/password-reset">
                {csrf_field(&ctx2)}
                <p>{intro}</p>
                <label>{email_label} <input type="email" name="email" autocomplete="username" maxlength=MAX_EMAIL_CHARS.to_string() required autofocus/></label>
                <button type="submit">{send}</button>
            </form>
            <p><a href="/login">{back}</a></p>
        }
    })
}

pub(crate) async fn ask_form(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    if !settings::load(&state.db).await?.allow_local_login {
        return Ok(message_page(&ctx, StatusCode::NOT_FOUND, &ctx.t("reset-ask-title"), ctx.t("login-local-off")));
    }
    Ok(ask_page(&ctx, StatusCode::OK, None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct AskForm {
    pub email: String,
}

pub(crate) async fn ask(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<AskForm>,
) -> AppResult<Response> {
    state
        .sign_in_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-requests", seconds = wait))
        .await?;
    if form.email.trim().is_empty() || form.email.chars().count() > MAX_EMAIL_CHARS {
        return Ok(ask_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(ctx.t("reset-email-missing"))));
    }
    // The work happens after the answer, so how long the answer takes says nothing about
    // whether the address has an account.
    let worker = state.clone();
    tokio::spawn(async move {
        match reset::request(&worker.db, &worker.site(), &form.email).await {
            Ok(true) => worker.mail_written(),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "a password-reset request failed"),
        }
    });
    Ok(message_page(&ctx, StatusCode::OK, &ctx.t("reset-check-mail-title"), ctx.t("reset-request-answer")))
}

fn choose_page(ctx: &PageCtx, status: StatusCode, token: String, email: String, error: Option<String>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("reset-choose-title");
    let intro = tr!(ctx, "reset-choose-intro", email = email.clone());
    let new_label = ctx.t("reset-new-password");
    let again_label = ctx.t("reset-new-password-again");
    let set = ctx.t("reset-set-password");
    page_with_status(status, ctx, &title, move || {
        let action = format!("/password-reset/{token}");
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <p>{intro}</p>
                <input type="hidden" name="username" value=email autocomplete="username"/>
                <label>{new_label} <input type="password" name="new_password" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required autofocus/></label>
                <label>{again_label} <input type="password" name="confirmation" autocomplete="new-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <button type="submit">{set}</button>
            </form>
        }
    })
}

fn link_not_valid(ctx: &PageCtx) -> Response {
    let title = ctx.t("reset-link-not-valid-title");
    let message = ResetError::LinkNotValid.localized(ctx);
    let ask = ctx.t("reset-ask-new-link");
    let sign_in = ctx.t("reset-sign-in");
    page_with_status(StatusCode::GONE, ctx, &title, move || {
        view! {
            <div class="card">
                <p>{message}</p>
                <p><a href="/password-reset">{ask}</a> " · " <a href="/login">{sign_in}</a></p>
            </div>
        }
    })
}

pub(crate) async fn choose_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match reset::user_of_link(&state.db, &token).await? {
        Some(user) => Ok(choose_page(&ctx, StatusCode::OK, token, user.email, None)),
        None => Ok(link_not_valid(&ctx)),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ChooseForm {
    pub new_password: String,
    pub confirmation: String,
}

pub(crate) async fn choose(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    state
        .sign_in_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-requests", seconds = wait))
        .await?;
    match reset::complete(&state.db, &state.site(), &token, &form.new_password, &form.confirmation).await {
        Ok(user) => {
            state.mail_written();
            // A user who may not sign in (a suspended account, say) is told so, not signed in.
            let account = crate::accounts::store::find_by_id(&state.db, user.account_id).await?;
            if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
                let reason = crate::identity::sign_in_refusal(&ctx, reason);
                let message = tr!(ctx, "reset-changed-but", reason = reason);
                return Ok(message_page(&ctx, StatusCode::OK, &ctx.t("reset-changed-title"), message));
            }
            // A mailed link and a new password are one factor: the authenticator app still asks.
            let to = crate::identity::second_factor::after_password(
                &state.db,
                &session,
                &user,
                &ctx.device,
                "/account".into(),
            )
            .await?;
            session::set_flash(&session, ctx.t("reset-changed")).await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(ResetError::Failed(e)) => Err(e),
        Err(ResetError::LinkNotValid) => Ok(link_not_valid(&ctx)),
        Err(e @ ResetError::NewPassword(_)) => {
            let email = reset::user_of_link(&state.db, &token).await?.map(|u| u.email).unwrap_or_default();
            Ok(choose_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, token, email, Some(e.localized(&ctx))))
        }
    }
}

pub(crate) async fn verify_email(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    match reset::verify_email(&state.db, &token).await? {
        Some(user) => Ok(message_page(
            &ctx,
            StatusCode::OK,
            &ctx.t("reset-address-confirmed-title"),
            tr!(ctx, "reset-address-confirmed", email = user.email),
        )),
        None => Ok(message_page(
            &ctx,
            StatusCode::GONE,
            &ctx.t("reset-link-not-valid-title"),
            ctx.t("reset-verify-link-not-valid"),
        )),
    }
}
