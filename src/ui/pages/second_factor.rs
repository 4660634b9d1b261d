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
    page_with_status(status, ctx, "Enter your code", move || {
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action=second_factor::CODE_PATH>
                {csrf_field(&ctx2)}
                <p>"Your password was right. Now enter the six-digit code your authenticator app shows, or one of your recovery codes."</p>
                <label>"Code" <input type="text" name="code" inputmode="text" autocomplete="one-time-code" maxlength=MAX_CODE_CHARS.to_string() required autofocus/></label>
                <button type="submit">"Sign in"</button>
                <p class="muted">"Lost your phone and your recovery codes? Ask your administrator to reset your second factors."</p>
            </form>
        }
    })
}

fn start_again(ctx: &PageCtx) -> Response {
    error_page(ctx, StatusCode::GONE, "This sign-in took too long or was not started here. Please sign in again.")
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
    state.sign_in_limiter.admit(ctx.device.address(), "Too many sign-in attempts from your network.").await?;
    if form.code.chars().count() > MAX_CODE_CHARS {
        return Ok(code_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(WRONG_CODE.into())));
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
            Ok(code_page(&ctx, StatusCode::UNAUTHORIZED, Some(WRONG_CODE.into())))
        }
        SecondStep::NothingPending => Ok(start_again(&ctx)),
        SecondStep::NotAllowed(reason) => Ok(error_page(&ctx, StatusCode::FORBIDDEN, reason)),
    }
}

const WRONG_CODE: &str = "That code did not work: it is wrong, was used already, or your account is locked after several wrong attempts. App codes change every 30 seconds; each recovery code works once.";

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
    page_with_status(status, ctx, "Set up an authenticator app", move || {
        let required_note = required.then(|| {
            view! {
                <p class="notice">"Your administrator requires a second factor after a password. Set up an authenticator app to go on, or "
                    <a href="/logout">"sign out"</a>" (and sign in with a passkey, if you have one: it is two factors by itself)."</p>
            }
        });
        view! {
            {required_note}
            {form_error(error)}
            <section class="card stacked">
                <p>"1. In an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …) add an account by scanning this code:"</p>
                <img class="qr" src=qr_src alt="QR code of your authenticator app's set-up" width="200" height="200"/>
                <p>"Or type this key into the app: " <code class="totp-secret">{enrolment.secret}</code></p>
                <form class="stacked" method="post" action=SET_UP_PATH>
                    {csrf_field(&ctx2)}
                    <label>"2. Enter the six-digit code the app shows now"
                        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength=MAX_CODE_CHARS.to_string() required autofocus/></label>
                    <button type="submit">"Connect the app"</button>
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
        session::set_flash(session, "Your authenticator app is connected already.").await?;
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
        return Ok(error_page(
            &ctx,
            StatusCode::FORBIDDEN,
            "Confirm it is you first: choose Connect next to Authenticator app again.",
        ));
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
            Ok(recovery_codes_page(&ctx, "Your authenticator app is connected.", codes))
        }
        Err(EnrolError::Failed(error)) => Err(error),
        Err(refused) => {
            render_set_up(&state, &ctx, &session, StatusCode::UNPROCESSABLE_ENTITY, Some(refused.to_string())).await
        }
    }
}

/// The recovery codes, shown this once (only their hashes are kept).
fn recovery_codes_page(ctx: &PageCtx, headline: &'static str, codes: Vec<String>) -> Response {
    no_store(page_with_status(StatusCode::OK, ctx, "Your recovery codes", move || {
        let items: Vec<_> = codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect();
        view! {
            <section class="card stacked">
                <p><strong>{headline}</strong></p>
                <p>"Keep these recovery codes somewhere safe (print them, or save them in a password manager). Each one works once, in place of a code from the app, if you lose your phone. They are shown only now."</p>
                <ol class="recovery-codes">{items}</ol>
                <p><a class="button" href=LOGIN_OPTIONS>"I have saved them"</a></p>
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
        session::set_flash(
            &session,
            "Your authenticator app was removed. Your administrator requires one: set up the new one now.",
        )
        .await?;
        return Ok(Redirect::to(SET_UP_PATH).into_response());
    }
    session::set_flash(&session, "Your authenticator app was removed, with its recovery codes.").await?;
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
            Ok(recovery_codes_page(&ctx, "New recovery codes: the earlier ones no longer work.", codes))
        }
        None => Err(crate::error::AppError::NotFound),
    }
}

const OWN_FACTORS: &str =
    "Your own second factors are changed under My Account → Login Options, after confirming it is you.";

/// `GET /admin/users/{id}/reset-second-factors`: the confirmation.
pub(crate) async fn reset_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(user_id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let user = accounts_store::find_user(&state.db, AccountScope::of(viewer), user_id).await?;
    if user.id == viewer.user.id {
        return Ok(error_page(&ctx, StatusCode::CONFLICT, OWN_FACTORS));
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
        view! {
            <p class="notice">"They have no password and no connected identity provider: after this they cannot sign in until you invite them again or they connect a provider's account through an invitation. A password reset by mail needs a password to replace."</p>
        }
    });
    let ctx2 = ctx.clone();
    let action = format!("/admin/users/{user_id}/reset-second-factors");
    Ok(page_with_status(StatusCode::OK, &ctx, "Admin · Reset second factors", move || {
        view! {
            <form class="stacked card" method="post" action=action>
                {csrf_field(&ctx2)}
                <p>{format!(
                    "Reset the second factors of {} ({})? Their authenticator app, recovery codes and passkeys are removed, \
                     they are told by e-mail, and the reset is recorded as a security event. Do this only when you are sure \
                     it is them asking (call them back on a number you already have).",
                    user.name, user.email
                )}</p>
                {stranded_note}
                <button type="submit" class="danger">"Reset second factors"</button>
                <a href="/admin/users">"Cancel"</a>
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
        return Ok(error_page(&ctx, StatusCode::CONFLICT, OWN_FACTORS));
    }
    // Removing somebody's second factors takes a recent sign-in: a stolen admin session alone
    // cannot strip every administrator's.
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::ResetSecondFactors(user.id)).await;
    }
    let reset = second_factor::reset_by_admin(&state.db, &state.site(), &user, &viewer.user).await?;
    let message = if reset {
        state.mail_written();
        format!(
            "The second factors of {} were reset and their sessions signed out; they were told by e-mail.",
            user.email
        )
    } else {
        format!("{} had no second factor to reset.", user.email)
    };
    session::set_flash(&session, message).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
