//! Sign-in and sign-out.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::error::{AppError, AppResult};
use crate::identity::local::{self, SignInOutcome, MAX_EMAIL_CHARS};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::{events, session, settings};
use crate::server::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::{page_with_status, PageCtx};

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    pub next: Option<String>,
}

fn login_page(
    ctx: &PageCtx,
    status: StatusCode,
    local_allowed: bool,
    email: String,
    next: Option<String>,
    error: Option<String>,
) -> Response {
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, "Sign in", move || {
        let form = local_allowed.then(|| {
            let next = next.unwrap_or_default();
            view! {
                <form class="stacked card" method="post" action="/login">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="next" value=next/>
                    <label>"E-mail" <input type="email" name="email" value=email autocomplete="username" maxlength=MAX_EMAIL_CHARS.to_string() required autofocus/></label>
                    <label>"Password" <input type="password" name="password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                    <button type="submit">"Sign in"</button>
                </form>
            }
        });
        let off = (!local_allowed).then(|| view! { <p class="muted">{local::LOCAL_LOGIN_OFF}</p> });
        view! {
            {form_error(error)}
            {form}
            {off}
        }
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to(&session::safe_return_path(query.next.as_deref())).into_response());
    }
    let rules = settings::load(&state.db).await?;
    Ok(login_page(&ctx, StatusCode::OK, rules.allow_local_login, String::new(), query.next, None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    if let Err(wait) = state.sign_in_limiter.check(peer.ip(), std::time::Instant::now()) {
        let mut response = AppError::TooManyRequests(format!(
            "Too many sign-in attempts from your network. Please wait {wait} seconds and try again."
        ))
        .into_response();
        if let Ok(value) = wait.to_string().parse() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let next = form.next.filter(|n| !n.is_empty());
    if form.email.chars().count() > MAX_EMAIL_CHARS || form.password.chars().count() > MAX_PASSWORD_CHARS {
        let email = form.email.chars().take(MAX_EMAIL_CHARS).collect();
        return Ok(login_page(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            true,
            email,
            next,
            Some(local::GENERIC_FAILURE.into()),
        ));
    }
    match local::sign_in(&state.db, &form.email, &form.password, Some(peer.ip().to_string())).await? {
        SignInOutcome::SignedIn(user) => {
            session::begin_signed_in(&session, user.id).await?;
            Ok(Redirect::to(&session::safe_return_path(next.as_deref())).into_response())
        }
        SignInOutcome::Failed => {
            Ok(login_page(&ctx, StatusCode::UNAUTHORIZED, true, form.email, next, Some(local::GENERIC_FAILURE.into())))
        }
        SignInOutcome::LocalLoginOff => Ok(login_page(&ctx, StatusCode::FORBIDDEN, false, String::new(), next, None)),
    }
}

/// A confirmation page, so that "Sign out" also works from a plain link.
pub async fn confirm_logout(Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    if ctx.viewer.is_none() {
        return Ok(Redirect::to("/").into_response());
    }
    let ctx2 = ctx.clone();
    Ok(page_with_status(StatusCode::OK, &ctx, "Sign out", move || {
        view! {
            <form class="stacked card" method="post" action="/logout">
                {csrf_field(&ctx2)}
                <p>"Do you want to sign out?"</p>
                <button type="submit">"Sign out"</button>
            </form>
        }
    }))
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    if let Some(viewer) = &ctx.viewer {
        events::record(&state.db, events::SIGN_OUT, Some(viewer.user.id), Some(viewer.account.id), None, None).await?;
    }
    session::end(&session).await?;
    Ok(Redirect::to("/").into_response())
}
