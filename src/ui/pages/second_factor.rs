//! Second factors in pages: the code asked after a right password, the authenticator app's
//! set-up, disconnect and recovery codes under Login Options, and an administrator's reset
//! for a user who lost every second factor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use base64::Engine;
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::error::AppResult;
use crate::i18n::{tr, Localize};
use crate::identity::oidc::Continuation;
use crate::identity::second_factor::{self, EnrolError, SecondStep, SET_UP_PATH};
use crate::identity::session;
use crate::observability::metrics::{self, SignInMethod};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::pages::errors::error_page;
use crate::ui::pages::oidc::reauthenticate;
use crate::ui::{page_with_status, PageCtx};

const LOGIN_OPTIONS: &str = "/account#login-options";

/// The most characters a code field takes (a recovery code with spaces is 14).
const MAX_CODE_CHARS: usize = 64;

#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    pub code: String,
}

fn code_page(ctx: &PageCtx, status: StatusCode, error: Option<String>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("second-factor-code-title");
    let intro = ctx.t("second-factor-code-intro");
    let code_label = ctx.t("second-factor-code");
    let submit = ctx.t("second-factor-code-submit");
    let lost = ctx.t("second-factor-code-lost");
    page_with_status(status, ctx, &title, move || {
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action=second_factor::CODE_PATH>
                {csrf_field(&ctx2)}
                <p>{intro}</p>
                <label>{code_label} <input type="text" name="code" inputmode="text" autocomplete="one-time-code" maxlength=MAX_CODE_CHARS.to_string() required autofocus/></label>
                <button type="submit">{submit}</button>
                <p class="muted">{lost}</p>
            </form>
        }
    })
}

fn start_again(ctx: &PageCtx) -> Response {
    error_page(ctx, StatusCode::GONE, &ctx.t("second-factor-start-again"))
}

/// `GET /login/second-factor`.
pub(crate) async fn code_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    if ctx.viewer.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    if second_factor::pending_user(&state.db, &session).await?.is_none() {
        return Ok(start_again(&ctx));
    }
    Ok(code_page(&ctx, StatusCode::OK, None))
}

/// `POST /login/second-factor`: the code after a right password.
pub(crate) async fn submit_code(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "login-too-many", seconds = wait)).await?;
    if form.code.chars().count() > MAX_CODE_CHARS {
        return Ok(code_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(ctx.t("second-factor-wrong-code"))));
    }
    let step =
        second_factor::complete_sign_in(&state.db, &state.secrets, &state.site(), &session, &ctx.device, &form.code)
            .await?;
    state.mail_written();
    match step {
        SecondStep::SignedIn(return_to) => {
            metrics::sign_in(SignInMethod::Password, true);
            Ok(Redirect::to(&return_to).into_response())
        }
        SecondStep::Refused => {
            metrics::sign_in(SignInMethod::Password, false);
            Ok(code_page(&ctx, StatusCode::UNAUTHORIZED, Some(ctx.t("second-factor-wrong-code"))))
        }
        SecondStep::NothingPending => Ok(start_again(&ctx)),
        SecondStep::NotAllowed(reason) => {
            Ok(error_page(&ctx, StatusCode::FORBIDDEN, &crate::identity::sign_in_refusal(&ctx, reason)))
        }
    }
}

/// The set-up page shows for a session that just proved it is the user, or one that must
/// set up a second factor before anything else (it has just signed in).
async fn may_set_up(state: &AppState, session: &Session, ctx: &PageCtx) -> AppResult<bool> {
    let viewer = ctx.viewer()?;
    let rule = crate::identity::settings::load_remembered(&state.db, &state.config_cache).await?.require_second_factor;
    Ok(second_factor::must_set_up(session, rule, viewer.user.role).await?
        || session::recently_authenticated(session, state.recent_sign_in_seconds()).await?)
}

fn set_up_page(
    ctx: &PageCtx,
    status: StatusCode,
    enrolment: second_factor::Enrolment,
    qr: String,
    required: bool,
    error: Option<String>,
) -> Response {
    let ctx2 = ctx.clone();
    let qr_src = format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(qr));
    let title = ctx.t("second-factor-set-up-title");
    let required_before = ctx.t("second-factor-required-before");
    let required_link = ctx.t("second-factor-required-sign-out");
    let required_after = ctx.t("second-factor-required-after");
    let step_one = ctx.t("second-factor-step-scan");
    let qr_alt = ctx.t("second-factor-qr-alt");
    let type_key = ctx.t("second-factor-type-key");
    let step_two = ctx.t("second-factor-step-code");
    let connect = ctx.t("second-factor-connect-app");
    page_with_status(status, ctx, &title, move || {
        let required_note = required.then(|| {
            view! {
                <p class="notice">{required_before}
                    <a href="/logout">{required_link}</a>{required_after}</p>
            }
        });
        view! {
            {required_note}
            {form_error(error)}
            <section class="card stacked">
                <p>{step_one}</p>
                <img class="qr" src=qr_src alt=qr_alt width="200" height="200"/>
                <p>{type_key} " " <code class="totp-secret">{enrolment.secret}</code></p>
                <form class="stacked" method="post" action=SET_UP_PATH>
                    {csrf_field(&ctx2)}
                    <label>{step_two}
                        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength=MAX_CODE_CHARS.to_string() required autofocus/></label>
                    <button type="submit">{connect}</button>
                </form>
            </section>
        }
    })
}

async fn render_set_up(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let issuer = ctx.brand.company_name.clone();
    let enrolment = second_factor::begin_enrolment(&state.db, &state.secrets, session, &viewer.user, &issuer).await?;
    let Some(enrolment) = enrolment else {
        // Set up in another session meanwhile: this one has a second factor too.
        second_factor::set_must_set_up(session, false).await?;
        session::set_flash(session, ctx.t("second-factor-connected-already")).await?;
        return Ok(Redirect::to(LOGIN_OPTIONS).into_response());
    };
    let qr = second_factor::qr_svg(&enrolment.url)?;
    let rule = crate::identity::settings::load_remembered(&state.db, &state.config_cache).await?.require_second_factor;
    let required = second_factor::must_set_up(session, rule, viewer.user.role).await?;
    Ok(no_store(set_up_page(ctx, status, enrolment, qr, required, error)))
}

/// A page with a secret on it (the app's key, recovery codes): never kept by a cache.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

/// `GET /account/login-options/authenticator`.
pub(crate) async fn set_up_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    if !may_set_up(&state, &session, &ctx).await? {
        return Ok(Redirect::to(LOGIN_OPTIONS).into_response());
    }
    render_set_up(&state, &ctx, &session, StatusCode::OK, None).await
}

/// `POST /account/login-options/authenticator`: confirms the app with a current code and
/// shows the recovery codes, once.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !may_set_up(&state, &session, &ctx).await? {
        return Ok(error_page(&ctx, StatusCode::FORBIDDEN, &ctx.t("second-factor-confirm-first")));
    }
    let typed: String = form.code.chars().take(MAX_CODE_CHARS).collect();
    let confirmed =
        second_factor::confirm_enrolment(&state.db, &state.secrets, &state.site(), &session, &viewer.user, &typed)
            .await;
    match confirmed {
        Ok(codes) => {
            state.mail_written();
            second_factor::set_must_set_up(&session, false).await?;
            // Sessions signed in with the password alone end: from now on it takes a code.
            session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
            Ok(recovery_codes_page(&ctx, ctx.t("second-factor-connected"), codes))
        }
        Err(EnrolError::Failed(error)) => Err(error),
        Err(refused) => {
            render_set_up(&state, &ctx, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(refused.localized(&ctx))).await
        }
    }
}

/// The recovery codes, shown this once (only their hashes are kept).
fn recovery_codes_page(ctx: &PageCtx, headline: String, codes: Vec<String>) -> Response {
    let title = ctx.t("second-factor-recovery-title");
    let keep = ctx.t("second-factor-recovery-keep");
    let saved = ctx.t("second-factor-recovery-saved");
    no_store(page_with_status(StatusCode::OK, ctx, &title, move || {
        let items: Vec<_> = codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect();
        view! {
            <section class="card stacked">
                <p><strong>{headline}</strong></p>
                <p>{keep}</p>
                <ol class="recovery-codes">{items}</ol>
                <p><a class="button" href=LOGIN_OPTIONS>{saved}</a></p>
            </section>
        }
    }))
}

/// `POST /account/login-options/authenticator/connect`: to the set-up page, after
/// confirming it is the user.
pub(crate) async fn connect(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if may_set_up(&state, &session, &ctx).await? {
        return Ok(Redirect::to(SET_UP_PATH).into_response());
    }
    reauthenticate(&state, &ctx, &session, viewer, Continuation::Authenticator).await
}

/// `POST /account/login-options/authenticator/disconnect`.
pub(crate) async fn disconnect(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !second_factor::is_connected(&state.db, viewer.user.id).await? {
        return Err(crate::error::AppError::NotFound);
    }
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::LoginOptions).await;
    }
    second_factor::disconnect(&state.db, &state.site(), &viewer.user).await?;
    state.mail_written();
    session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
    let rule = crate::identity::settings::load(&state.db).await?.require_second_factor;
    if second_factor::required_for(rule, viewer.user.role) && viewer.user.password_hash.is_some() {
        // Required of this user: set up the new one now (a new phone, say).
        second_factor::set_must_set_up(&session, true).await?;
        session::set_flash(&session, ctx.t("second-factor-removed-set-up-new")).await?;
        return Ok(Redirect::to(SET_UP_PATH).into_response());
    }
    session::set_flash(&session, ctx.t("second-factor-removed")).await?;
    Ok(Redirect::to(LOGIN_OPTIONS).into_response())
}

/// `POST /account/login-options/authenticator/recovery-codes`: new codes instead of the old.
pub(crate) async fn renew_recovery_codes(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::LoginOptions).await;
    }
    match second_factor::renew_recovery_codes(&state.db, &state.site(), &viewer.user).await? {
        Some(codes) => {
            state.mail_written();
            Ok(recovery_codes_page(&ctx, ctx.t("second-factor-recovery-renewed"), codes))
        }
        None => Err(crate::error::AppError::NotFound),
    }
}

/// `GET /admin/users/{id}/reset-second-factors`: the confirmation.
pub(crate) async fn reset_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(user_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let user = accounts_store::find_user(&state.db, AccountScope::of(viewer), user_id).await?;
    if user.id == viewer.user.id {
        return Ok(error_page(&ctx, StatusCode::CONFLICT, &ctx.t("second-factor-own-factors")));
    }
    // Without a password or a connected provider, the passkeys were the only way in.
    let allow_local = crate::identity::settings::load(&state.db).await?.allow_local_login;
    let active: Vec<i32> =
        crate::identity::providers::list(&state.db).await?.into_iter().filter(|p| p.active).map(|p| p.id).collect();
    let linked = crate::identity::links::links_of(&state.db, user.id).await?;
    let has_password = user.password_hash.is_some() && allow_local;
    let has_provider = linked.iter().any(|link| active.contains(&link.provider_id));
    let stranded = !has_password && !has_provider;
    let stranded_note = stranded.then(|| {
        let note = ctx.t("second-factor-reset-stranded");
        view! {
            <p class="notice">{note}</p>
        }
    });
    let ctx2 = ctx.clone();
    let action = format!("/admin/users/{user_id}/reset-second-factors");
    let title = ctx.t("second-factor-reset-title");
    let question = tr!(ctx, "second-factor-reset-question", name = user.name.clone(), email = user.email.clone());
    let button = ctx.t("second-factor-reset-button");
    let cancel = ctx.t("second-factor-reset-cancel");
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
        view! {
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <p>{question}</p>
                {stranded_note}
                <button type="submit" class="danger">{button}</button>
                <a href="/admin/users">{cancel}</a>
            </form>
        }
    }))
}

/// `POST /admin/users/{id}/reset-second-factors`.
pub(crate) async fn reset(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(user_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let user = accounts_store::find_user(&state.db, AccountScope::of(viewer), user_id).await?;
    if user.id == viewer.user.id {
        return Ok(error_page(&ctx, StatusCode::CONFLICT, &ctx.t("second-factor-own-factors")));
    }
    // Removing somebody's second factors takes a recent sign-in: a stolen admin session alone
    // cannot strip every administrator's.
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::ResetSecondFactors(user.id)).await;
    }
    let reset = second_factor::reset_by_admin(&state.db, &state.site(), &user, &viewer.user).await?;
    let message = if reset {
        state.mail_written();
        tr!(ctx, "second-factor-reset-done", email = user.email.clone())
    } else {
        tr!(ctx, "second-factor-reset-nothing", email = user.email.clone())
    };
    session::set_flash(&session, message).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
