//! Passkeys: the Passkeys part of My Account (list, Add, Remove), the "Sign in with a
//! passkey" button of the sign-in page and "Confirm with a passkey" on the re-authentication
//! page, and the JSON endpoints `public/passkeys.js` calls for the WebAuthn ceremonies.
//! Everything but the ceremonies works without JavaScript; where a ceremony is offered,
//! the page says it needs JavaScript until the script shows its button.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tower_sessions::Session;

use crate::entities::passkeys as passkey_rows;
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::links::{self, Way};
use crate::identity::oidc::Continuation;
use crate::identity::passkeys::{self, PasskeyError, MAX_NAME_CHARS};
use crate::identity::{events, session};
use crate::observability::metrics::{self, SignInMethod};
use crate::state::AppState;
use crate::ui::components::csrf_field;
use crate::ui::pages::errors::error_page;
use crate::ui::pages::oidc;
use crate::ui::PageCtx;

/// The Passkeys part of My Account.
pub(crate) const PASSKEYS: &str = "/account#passkeys";
const SCRIPT: &str = "/static/passkeys.js";

/// Whether this request may run a passkey ceremony: the server's address is a host name
/// and the request came to it (a reseller's custom host is another site for the browser,
/// and the passkeys belong to the public host).
pub(crate) fn offered(state: &AppState, ctx: &PageCtx) -> bool {
    ctx.custom_host.is_none() && passkeys::relying_party(&state.settings.base_url).is_some()
}

// ---- JSON answers ----

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

fn refused(ctx: &PageCtx, error: PasskeyError) -> AppResult<Response> {
    match error {
        PasskeyError::Failed(error) => json_failure(error),
        refused => Ok(json_error(refused.status(), refused.localized(ctx))),
    }
}

/// An [`AppError`] as JSON when a person can act on it (4xx), else the error itself.
fn json_failure(error: AppError) -> AppResult<Response> {
    let status = error.status();
    if !status.is_client_error() {
        return Err(error);
    }
    let mut response = json_error(status, error.public_message());
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    Ok(response)
}

fn go_to(location: &str) -> Response {
    Json(serde_json::json!({ "redirect": location })).into_response()
}

/// Only the script's JSON requests are answered in JSON; anything else sent here (a form,
/// a link) gets the branded error page.
fn from_the_script(ctx: &PageCtx, headers: &HeaderMap) -> AppResult<()> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/json") {
        Ok(())
    } else {
        Err(AppError::bad_request(ctx.t("passkey-script-only")))
    }
}

/// A JSON body, or what is wrong with it.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, PasskeyError> {
    serde_json::from_slice(body).map_err(|e| PasskeyError::NotAnAnswer(e.to_string()))
}

fn unavailable_here(state: &AppState, ctx: &PageCtx) -> Response {
    let base = &state.settings.base_url;
    let message = match ctx.custom_host {
        Some(_) => tr!(ctx, "passkey-used-at", address = base),
        None => PasskeyError::Unavailable(base.clone()).localized(ctx),
    };
    json_error(StatusCode::CONFLICT, message)
}

// ---- Adding and removing ----

#[derive(Debug, Deserialize)]
struct NewPasskey {
    name: String,
}

/// `POST /account/passkeys/options`: the options to create a passkey (JSON `{name}` in),
/// or `{confirm: true}` when the user must confirm it is them first (the script then
/// sends the form to `/account/passkeys/confirm`).
pub(crate) async fn registration_options(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    from_the_script(&ctx, &headers)?;
    let Some(viewer) = ctx.viewer.as_ref() else {
        return Ok(json_error(StatusCode::UNAUTHORIZED, ctx.t("error-sign-in-first")));
    };
    if !offered(&state, &ctx) {
        return Ok(unavailable_here(&state, &ctx));
    }
    let new: NewPasskey = match parse(&body) {
        Ok(new) => new,
        Err(error) => return refused(&ctx, error),
    };
    // Adding a way in needs a recent sign-in, as connecting a provider does.
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        let message = ctx.t("passkey-confirm-first");
        return Ok(
            (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": message, "confirm": true }))).into_response()
        );
    }
    match passkeys::start_registration(&state.db, &session, &state.settings.base_url, &viewer.user, &new.name).await {
        Ok(options) => Ok(Json(options).into_response()),
        Err(error) => refused(&ctx, error),
    }
}

/// `POST /account/passkeys`: the browser's new credential (JSON); stores the passkey.
pub(crate) async fn register(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    from_the_script(&ctx, &headers)?;
    let Some(viewer) = ctx.viewer.as_ref() else {
        return Ok(json_error(StatusCode::UNAUTHORIZED, ctx.t("error-sign-in-first")));
    };
    let answer = match parse(&body) {
        Ok(answer) => answer,
        Err(error) => return refused(&ctx, error),
    };
    let base_url = &state.settings.base_url;
    match passkeys::finish_registration(&state.db, &session, &state.site(), base_url, &viewer.user, &answer).await {
        Ok(added) => {
            state.mail_written();
            session::set_flash(&session, tr!(ctx, "passkey-added", name = added.name)).await?;
            Ok(go_to(PASSKEYS))
        }
        Err(error) => refused(&ctx, error),
    }
}

/// `POST /account/passkeys/confirm`: the Add form sent as a form (the script does when
/// the sign-in is not recent): confirm it is you, then back to Passkeys.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return Ok(Redirect::to(PASSKEYS).into_response());
    }
    oidc::reauthenticate(&state, &ctx, &session, viewer, Continuation::Passkeys).await
}

/// `POST /account/passkeys/{id}/remove`: removes one of the viewer's passkeys unless it
/// is their last way in; needs a recent sign-in, and signs out their other sessions.
pub(crate) async fn remove(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let (ways, active, allow_local) = oidc::ways_in(&state, viewer).await?;
    if !ways.contains(&Way::Passkey(id)) {
        return Err(AppError::NotFound);
    }
    if !links::can_remove(&ways, &active, allow_local, Way::Passkey(id)) {
        return Ok(error_page(&ctx, StatusCode::CONFLICT, &ctx.t("passkey-last-way")));
    }
    // A stolen session alone cannot change the ways in.
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return oidc::reauthenticate(&state, &ctx, &session, viewer, Continuation::Passkeys).await;
    }
    if passkeys::remove(&state.db, &state.site(), &viewer.user, id).await? {
        state.mail_written();
    }
    session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
    session::set_flash(&session, ctx.t("passkey-removed")).await?;
    Ok(Redirect::to(PASSKEYS).into_response())
}

// ---- Signing in (and confirming it is you) ----

#[derive(Debug, Deserialize, Default)]
struct SignInStart {
    #[serde(default)]
    next: Option<String>,
    /// What a signed-in user confirming it is them goes on with (the re-auth page's `then`).
    #[serde(default)]
    then: Option<String>,
}

/// `POST /auth/passkey/options`: the options to sign in with any passkey of this site.
pub(crate) async fn sign_in_options(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    from_the_script(&ctx, &headers)?;
    if let Err(error) =
        state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "login-too-many", seconds = wait)).await
    {
        return json_failure(error);
    }
    if !offered(&state, &ctx) {
        return Ok(unavailable_here(&state, &ctx));
    }
    let start: SignInStart = if body.is_empty() {
        SignInStart::default()
    } else {
        match parse(&body) {
            Ok(start) => start,
            Err(error) => return refused(&ctx, error),
        }
    };
    let return_to = session::safe_return_path(start.next.as_deref());
    let then = ctx.viewer.as_ref().and_then(|_| oidc::parse_then(start.then.as_deref()));
    match passkeys::start_sign_in(&session, &state.settings.base_url, return_to, then).await {
        Ok(options) => Ok(Json(options).into_response()),
        Err(error) => refused(&ctx, error),
    }
}

/// `POST /auth/passkey`: the browser's assertion (JSON). Signs in (a new session, as
/// every sign-in), or, for a signed-in user with their own passkey, confirms it is them.
/// Answers `{redirect}` with where to go.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    from_the_script(&ctx, &headers)?;
    if let Err(error) =
        state.sign_in_limiter.admit_said(ctx.device.address(), |wait| tr!(ctx, "login-too-many", seconds = wait)).await
    {
        return json_failure(error);
    }
    let answer = match parse(&body) {
        Ok(answer) => answer,
        Err(error) => return refused(&ctx, error),
    };
    let ip = ctx.device.ip_text();
    let verified =
        match passkeys::finish_sign_in(&state.db, &session, &state.settings.base_url, &answer, ip.clone()).await {
            Ok(verified) => verified,
            Err(error) => {
                if ctx.viewer.is_none() && !matches!(error, PasskeyError::Failed(_)) {
                    metrics::sign_in(SignInMethod::Passkey, false);
                }
                return refused(&ctx, error);
            }
        };
    if let Some(viewer) = &ctx.viewer {
        if viewer.user.id != verified.user.id {
            return Ok(json_error(StatusCode::CONFLICT, ctx.t("passkey-another-user")));
        }
        session::mark_reauthenticated(&session).await?;
        events::record_for(&state.db, events::REAUTHENTICATED, &viewer.user, Some("passkey".into())).await?;
        let next = oidc::continue_after_reauth(&state, &ctx, &session, viewer, verified.then).await?;
        let location = next.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or(PASSKEYS);
        return Ok(go_to(location));
    }
    session::begin_signed_in(&state.db, &session, &verified.user, &ctx.device).await?;
    passkeys::record_sign_in(&state.db, &verified.user, ip).await?;
    metrics::sign_in(SignInMethod::Passkey, true);
    Ok(go_to(&verified.return_to))
}

// ---- Views ----

/// The Passkeys part of My Account, as loaded.
pub(crate) struct PasskeysView {
    rows: Vec<passkey_rows::Model>,
    /// Whether passkeys can be added here (see [`offered`]).
    offered: bool,
    /// Why not, when they cannot.
    not_here: Option<String>,
}

/// Loads the viewer's passkeys. The part is shown whenever passkeys can be added here or
/// the viewer has one (whatever the Login Options display rule says about providers).
pub(crate) async fn load(state: &AppState, ctx: &PageCtx, user_id: i32) -> AppResult<Option<PasskeysView>> {
    let rows = passkeys::list(&state.db, user_id).await?;
    let offered = offered(state, ctx);
    if !offered && rows.is_empty() {
        return Ok(None);
    }
    let base = &state.settings.base_url;
    let not_here = (!offered).then(|| match ctx.custom_host {
        Some(_) => tr!(ctx, "passkey-added-and-used-at", address = base),
        None => PasskeyError::Unavailable(base.clone()).localized(ctx),
    });
    Ok(Some(PasskeysView { rows, offered, not_here }))
}

fn when(ctx: &PageCtx, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(|| ctx.t("passkey-never"), |at| ctx.datetime(&at))
}

/// What the script says when something goes wrong, in the page's language (read from
/// `data-` attributes: no inline script under the CSP; the script keeps English fallbacks).
struct ScriptWords {
    server: String,
    failed: String,
    cancelled: String,
    exists: String,
}

impl ScriptWords {
    fn of(ctx: &PageCtx) -> ScriptWords {
        ScriptWords {
            server: tr!(ctx, "passkey-js-server-answered", status = "{status}"),
            failed: ctx.t("passkey-js-failed"),
            cancelled: ctx.t("passkey-js-cancelled"),
            exists: ctx.t("passkey-js-exists"),
        }
    }
}

pub(crate) fn passkeys_section(ctx: &PageCtx, loaded: PasskeysView) -> impl IntoView {
    let PasskeysView { rows, offered, not_here } = loaded;
    let list = if rows.is_empty() {
        crate::ui::components::empty(ctx.t("passkey-none-yet")).into_any()
    } else {
        let items: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let action = format!("/account/passkeys/{}/remove", row.id);
                let aria = tr!(ctx, "passkey-remove-named", name = row.name.clone());
                view! {
                    <tr>
                        <td>{row.name.clone()}</td>
                        <td>{when(ctx, Some(row.created_at))}</td>
                        <td>{when(ctx, row.last_used_at)}</td>
                        <td>
                            <form class="inline" method="post" action=action>
                                {csrf_field(ctx)}
                                <button type="submit" class="secondary" aria-label=aria>{ctx.t("passkey-remove")}</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect();
        view! {
            <table class="passkeys">
                <thead><tr><th>{ctx.t("passkey-name")}</th><th>{ctx.t("passkey-added-on")}</th><th>{ctx.t("passkey-last-used")}</th><th>{ctx.t("passkey-action")}</th></tr></thead>
                <tbody>{items}</tbody>
            </table>
        }
        .into_any()
    };
    let add = offered.then(|| {
        let words = ScriptWords::of(ctx);
        view! {
            <form class="stacked passkey-add" id="passkey-add" method="post" action="/account/passkeys/confirm"
                data-options="/account/passkeys/options" data-finish="/account/passkeys"
                data-msg-server=words.server data-msg-failed=words.failed data-msg-cancelled=words.cancelled
                data-msg-exists=words.exists hidden>
                {csrf_field(ctx)}
                <label>{ctx.t("passkey-new-name")}
                    <input name="name" maxlength=MAX_NAME_CHARS.to_string() required placeholder=ctx.t("passkey-new-name-example")/></label>
                <button type="submit">{ctx.t("passkey-add")}</button>
                <p class="form-error passkey-error" role="alert" hidden></p>
            </form>
            <p class="muted passkey-needs-script">{ctx.t("passkey-needs-script")}</p>
            <script src=SCRIPT defer></script>
        }
    });
    view! {
        <section class="panel" id="passkeys">
            <h2>{ctx.t("passkey-heading")}</h2>
            <p class="muted">{ctx.t("passkey-intro")}</p>
            {list}
            {add}
            {not_here.map(|why| view! { <p class="muted">{why}</p> })}
        </section>
    }
}

/// "Sign in with a passkey" on the sign-in page (only where [`offered`]).
pub(crate) fn sign_in_button(ctx: &PageCtx, next: Option<String>) -> impl IntoView {
    let words = ScriptWords::of(ctx);
    view! {
        <div class="passkey-sign-in card" data-options="/auth/passkey/options" data-finish="/auth/passkey"
            data-csrf=ctx.csrf_token.clone() data-next=next.unwrap_or_default()
            data-msg-server=words.server data-msg-failed=words.failed data-msg-cancelled=words.cancelled
            data-msg-exists=words.exists>
            <button type="button" class="secondary passkey-start" hidden>{ctx.t("passkey-sign-in")}</button>
            <p class="form-error passkey-error" role="alert" hidden></p>
            <p class="muted passkey-needs-script">{ctx.t("passkey-sign-in-needs-script")}</p>
            <script src=SCRIPT defer></script>
        </div>
    }
}

/// "Confirm with a passkey" on the re-authentication page.
pub(crate) fn confirm_with_passkey(ctx: &PageCtx, then: &str) -> impl IntoView {
    let words = ScriptWords::of(ctx);
    view! {
        <div class="passkey-sign-in card" data-options="/auth/passkey/options" data-finish="/auth/passkey"
            data-csrf=ctx.csrf_token.clone() data-then=then.to_string()
            data-msg-server=words.server data-msg-failed=words.failed data-msg-cancelled=words.cancelled
            data-msg-exists=words.exists>
            <p>{ctx.t("passkey-confirm-intro")}</p>
            <button type="button" class="secondary passkey-start" hidden>{ctx.t("passkey-confirm")}</button>
            <p class="form-error passkey-error" role="alert" hidden></p>
            <p class="muted passkey-needs-script">{ctx.t("passkey-confirm-needs-script")}</p>
            <script src=SCRIPT defer></script>
        </div>
    }
}
