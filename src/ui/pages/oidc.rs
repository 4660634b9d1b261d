//! Signing in, linking and re-authenticating with an external identity provider, and
//! the Login Options actions of My Account.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::accounts::members::AcceptError;
use crate::accounts::Viewer;
use crate::entities::identity_providers;
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::callback::{Callback, CallbackOutcome, CallbackQuery};
use crate::identity::links::{self, Way};
use crate::identity::oidc::{self, Continuation, FlowStart, Handoff, Joining, Purpose};
use crate::identity::password::MAX_PASSWORD_CHARS;
use crate::identity::{events, local, providers, second_factor, session, settings};
use crate::observability::metrics::{self, SignInMethod};
use crate::state::AppState;
use crate::ui::components::{csrf_field, form_error};
use crate::ui::pages::errors::error_page;
use crate::ui::{page_with_status, PageCtx};

const LOGIN_OPTIONS: &str = "/account#login-options";

async fn usable_provider(state: &AppState, id: i32) -> AppResult<identity_providers::Model> {
    let provider = providers::get(&state.db, id).await?;
    if provider.active && provider.visible {
        Ok(provider)
    } else {
        Err(AppError::NotFound)
    }
}

/// The ways in a page that makes somebody a user offers (sign-up, an invitation): the
/// usable identity providers (id, name, logo), and a password while local login is allowed.
#[derive(Debug, Clone)]
pub(crate) struct WaysIn {
    pub providers: Vec<(i32, String, String)>,
    pub password: bool,
}

impl WaysIn {
    pub(crate) async fn offered(state: &AppState) -> AppResult<WaysIn> {
        let rules = settings::load(&state.db).await?;
        WaysIn::under(state, &rules).await
    }

    /// The same under sign-in settings already read.
    pub(crate) async fn under(state: &AppState, rules: &crate::entities::auth_settings::Model) -> AppResult<WaysIn> {
        let usable = providers::usable(&state.db).await?;
        Ok(WaysIn {
            providers: usable.iter().map(|p| (p.id, p.name.clone(), providers::logo_of(p))).collect(),
            password: rules.allow_local_login,
        })
    }

    /// The provider a form's `with` names, if the page offered it (else refused in the
    /// viewer's language).
    pub(crate) async fn chosen_for(
        &self,
        state: &AppState,
        ctx: &PageCtx,
        with: &str,
    ) -> AppResult<identity_providers::Model> {
        match self.offered_id(with) {
            Some(id) => providers::get(&state.db, id).await,
            None => Err(AppError::bad_request(ctx.t("oidc-choose-offered-provider"))),
        }
    }

    fn offered_id(&self, with: &str) -> Option<i32> {
        with.parse::<i32>().ok().filter(|id| self.providers.iter().any(|(offered, _, _)| offered == id))
    }
}

/// Submit buttons, one per provider, that send their form with `with=<id>` and without the
/// browser's checks of the password fields (`formnovalidate`: the server checks what it needs).
pub(crate) fn provider_buttons(providers: Vec<(i32, String, String)>, verb: &'static str) -> impl IntoView {
    provider_buttons_labelled(providers, move |name| format!("{verb} {name}"))
}

/// [`provider_buttons`] with each button's words made from the provider's name (a whole
/// sentence in the viewer's language: "Sign up with …").
pub(crate) fn provider_buttons_labelled(
    providers: Vec<(i32, String, String)>,
    label: impl Fn(&str) -> String,
) -> AnyView {
    let buttons: Vec<_> = providers
        .into_iter()
        .map(|(id, name, logo)| {
            let label = label(&name);
            view! {
                <li><button type="submit" class="secondary idp-button" name="with" value=id.to_string() formnovalidate>
                    <img src=logo alt="" width="20" height="20"/> " " {label}
                </button></li>
            }
        })
        .collect();
    view! { <ul class="idp-buttons">{buttons}</ul> }.into_any()
}

/// Starts a flow and sends the browser to the provider. The answer comes back to the public
/// base URL; a flow begun on a reseller's custom host is handed over there first.
pub(crate) async fn redirect_to_provider(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    provider: &identity_providers::Model,
    start: FlowStart,
) -> AppResult<Response> {
    if ctx.custom_host.is_some() {
        return hand_over(state, ctx, provider, start);
    }
    let user_id = start.user_id;
    match oidc::begin(&state.oidc_cache, provider, &state.settings.base_url, start).await {
        Ok((url, flow)) => {
            session::store_flow(session, &flow).await?;
            Ok(Redirect::to(&url).into_response())
        }
        Err(reason) => {
            events::record(
                &state.db,
                events::IDP_SIGN_IN_FAILED,
                user_id,
                None,
                Some(format!("{}: {reason}", provider.name)),
                None,
            )
            .await?;
            Ok(error_page(
                ctx,
                StatusCode::BAD_GATEWAY,
                &tr!(ctx, "oidc-unreachable", provider = provider.name.clone()),
            ))
        }
    }
}

/// A flow begun on a reseller's custom host goes on at the public base URL, where every
/// callback is (the browser has another session there): a sign-in starts there afresh, a
/// sign-up or an invitation is handed over sealed and confirmed there. Connecting a provider
/// needs the session of the public host.
fn hand_over(
    state: &AppState,
    ctx: &PageCtx,
    provider: &identity_providers::Model,
    start: FlowStart,
) -> AppResult<Response> {
    let base = &state.settings.base_url;
    let id = provider.id;
    match (start.purpose, start.joining) {
        (Purpose::Login, _) => {
            let next = crate::error::encode_query_value(&start.return_to);
            Ok(Redirect::to(&format!("{base}/auth/oidc/{id}/login?next={next}")).into_response())
        }
        (purpose @ (Purpose::SignUp | Purpose::Join), Some(joining)) => {
            let now = chrono::Utc::now().timestamp();
            let sealed = Handoff::new(id, purpose, joining, now).seal(&state.secrets)?;
            let sealed = crate::error::encode_query_value(&sealed);
            Ok(Redirect::to(&format!("{base}/auth/oidc/{id}/continue?handoff={sealed}")).into_response())
        }
        _ => Ok(error_page(ctx, StatusCode::CONFLICT, &tr!(ctx, "oidc-connect-at", address = base))),
    }
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct HandoffForm {
    #[serde(default)]
    pub handoff: String,
}

/// What a handed-over flow is for, in words, and the brand of the shop it is for; None
/// when it no longer can be done.
async fn handoff_purpose(
    state: &AppState,
    ctx: &PageCtx,
    handoff: &Handoff,
    provider: &str,
) -> AppResult<Option<(String, crate::branding::Brand)>> {
    let (what, account) = match &handoff.joining {
        Joining::SignUp { seller_id, company } => {
            let Some(seller) = crate::accounts::signup::seller_still_selling(&state.db, *seller_id).await? else {
                return Ok(None);
            };
            let what = tr!(
                ctx,
                "oidc-handoff-sign-up",
                company = company.name.clone(),
                seller = seller.name.clone(),
                provider = provider
            );
            (what, seller)
        }
        Joining::Invitation { token_id } => {
            match crate::accounts::members::invitation_of_token(&state.db, *token_id).await? {
                Some(found) => {
                    let what = tr!(
                        ctx,
                        "oidc-handoff-join",
                        account = found.account.name.clone(),
                        email = found.user.email.clone(),
                        provider = provider
                    );
                    (what, found.account)
                }
                None => return Ok(None),
            }
        }
    };
    let (brand, _) = crate::branding::for_account(&state.db, &account).await?;
    Ok(Some((what, brand)))
}

/// The handoff of a request on the public host, with its provider; a refusal otherwise.
async fn opened_handoff(
    state: &AppState,
    ctx: &PageCtx,
    id: i32,
    sealed: &str,
) -> AppResult<Result<(identity_providers::Model, Handoff, String, crate::branding::Brand), Response>> {
    if ctx.custom_host.is_some() {
        return Err(AppError::NotFound);
    }
    let provider = usable_provider(state, id).await?;
    let now = chrono::Utc::now().timestamp();
    let gone = |message: String| error_page(ctx, StatusCode::GONE, &message);
    let Some(handoff) = Handoff::open(&state.secrets, sealed, id, now) else {
        return Ok(Err(gone(ctx.t("oidc-handoff-not-valid"))));
    };
    match handoff_purpose(state, ctx, &handoff, &provider.name).await? {
        Some((what, brand)) => Ok(Ok((provider, handoff, what, brand))),
        None => Ok(Err(gone(ctx.t("oidc-handoff-ended")))),
    }
}

/// `GET /auth/oidc/{id}/continue?handoff=…`: what the handed-over flow is for, and the
/// button that starts it (nothing starts without the person's say-so on this host).
pub(crate) async fn continue_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<i32>,
    Query(form): Query<HandoffForm>,
) -> AppResult<Response> {
    let (provider, _, what, brand) = match opened_handoff(&state, &ctx, id, &form.handoff).await? {
        Ok(opened) => opened,
        Err(refused) => return Ok(refused),
    };
    // In the brand of the shop the person came from.
    let ctx = PageCtx { brand, ..ctx };
    let ctx2 = ctx.clone();
    let title = ctx.t("oidc-continue-title");
    let button = tr!(ctx, "oidc-continue-with", provider = provider.name.clone());
    Ok(page_with_status(StatusCode::OK, &ctx, &title, move || {
        view! {
            <form class="stacked card" method="post" action=format!("/auth/oidc/{id}/continue")>
                {csrf_field(&ctx2)}
                <input type="hidden" name="handoff" value=form.handoff/>
                <p>{what}</p>
                <button type="submit">{button}</button>
            </form>
        }
    }))
}

/// `POST /auth/oidc/{id}/continue`: starts the handed-over flow in this host's session.
pub(crate) async fn continue_flow(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Form(form): Form<HandoffForm>,
) -> AppResult<Response> {
    let (provider, handoff, _, _) = match opened_handoff(&state, &ctx, id, &form.handoff).await? {
        Ok(opened) => opened,
        Err(refused) => return Ok(refused),
    };
    if ctx.viewer.is_some() {
        return Err(AppError::bad_request(ctx.t("oidc-signed-in-here")));
    }
    state
        .flow_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-flows", seconds = wait))
        .await?;
    let start =
        FlowStart { joining: Some(handoff.joining), ..FlowStart::new(handoff.purpose, None, "/account".into()) };
    redirect_to_provider(&state, &ctx, &session, &provider, start).await
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct NextQuery {
    pub next: Option<String>,
}

/// `GET /auth/oidc/{id}/login`: "Sign in with …".
pub(crate) async fn start_login(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    let provider = usable_provider(&state, id).await?;
    // Each start keeps a flow in a session: bounded per address.
    state
        .flow_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-flows", seconds = wait))
        .await?;
    let return_to = session::safe_return_path(query.next.as_deref());
    redirect_to_provider(&state, &ctx, &session, &provider, FlowStart::new(Purpose::Login, None, return_to)).await
}

/// `GET /auth/oidc/{id}/callback`: the provider's answer. Exempt from the CSRF form check;
/// the state bound to the session is its protection.
pub(crate) async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
    Query(query): Query<CallbackQuery>,
) -> AppResult<Response> {
    let viewer = ctx.viewer.as_ref().map(|v| &v.user);
    let callback = Callback {
        db: &state.db,
        providers: &state.oidc_cache,
        secrets: &state.secrets,
        base_url: &state.settings.base_url,
        session: &session,
        device: &ctx.device,
        viewer,
    };
    let flash = |message: String| async { session::set_flash(&session, message).await };
    let outcome = callback.complete(id, query).await?;
    if let Some(signed_in) = outcome.signed_in() {
        metrics::sign_in(SignInMethod::IdentityProvider, signed_in);
    }
    match outcome {
        CallbackOutcome::Refused(refusal) => Ok(error_page(&ctx, StatusCode::BAD_REQUEST, &refusal.localized(&ctx))),
        CallbackOutcome::SignedIn { return_to } => Ok(Redirect::to(&return_to).into_response()),
        CallbackOutcome::Registered { provider } => {
            flash(tr!(ctx, "oidc-welcome-created", provider = provider)).await?;
            Ok(Redirect::to("/account").into_response())
        }
        CallbackOutcome::NotRegistered { provider } => {
            let message = tr!(ctx, "oidc-not-registered", provider = provider);
            Ok(error_page(&ctx, StatusCode::CONFLICT, &message))
        }
        CallbackOutcome::NotConnected { provider } => {
            let message = tr!(ctx, "oidc-not-connected", provider = provider);
            Ok(error_page(&ctx, StatusCode::FORBIDDEN, &message))
        }
        CallbackOutcome::Linked { provider } => {
            flash(tr!(ctx, "oidc-linked", provider = provider)).await?;
            Ok(Redirect::to(LOGIN_OPTIONS).into_response())
        }
        CallbackOutcome::AlreadyLinked { provider } => {
            flash(tr!(ctx, "oidc-already-linked", provider = provider)).await?;
            Ok(Redirect::to(LOGIN_OPTIONS).into_response())
        }
        CallbackOutcome::LinkedToAnotherUser { provider } => {
            let message = tr!(ctx, "oidc-linked-to-another-user", provider = provider);
            Ok(error_page(&ctx, StatusCode::CONFLICT, &message))
        }
        CallbackOutcome::SomebodyElse { provider } => {
            let message = tr!(ctx, "oidc-somebody-else", provider = provider);
            Ok(error_page(&ctx, StatusCode::FORBIDDEN, &message))
        }
        CallbackOutcome::Reauthenticated { then } => {
            let viewer = ctx.viewer()?;
            continue_after_reauth(&state, &ctx, &session, viewer, then).await
        }
        outcome => joining_answer(&ctx, &session, outcome).await,
    }
}

/// The answer to a sign-up or an invitation that went through a provider.
async fn joining_answer(ctx: &PageCtx, session: &Session, outcome: CallbackOutcome) -> AppResult<Response> {
    let title = ctx.t("oidc-welcome-title");
    let card = |status: StatusCode, message: String| {
        page_with_status(status, ctx, &title, move || view! { <p class="card">{message}</p> })
    };
    let reason_of = |reason: &str| crate::identity::sign_in_refusal(ctx, reason);
    Ok(match outcome {
        CallbackOutcome::SignedUp { provider, not_yet: None } => {
            session::set_flash(session, tr!(ctx, "oidc-welcome-created", provider = provider)).await?;
            Redirect::to("/account").into_response()
        }
        CallbackOutcome::SignedUp { provider, not_yet: Some(reason) } => {
            card(StatusCode::OK, tr!(ctx, "oidc-signed-up-not-yet", provider = provider, reason = reason_of(reason)))
        }
        CallbackOutcome::NotSignedUp { provider } => {
            card(StatusCode::CONFLICT, tr!(ctx, "oidc-not-signed-up", provider = provider))
        }
        CallbackOutcome::Joined { provider, not_yet: None } => {
            session::set_flash(session, tr!(ctx, "oidc-joined", provider = provider)).await?;
            Redirect::to("/account").into_response()
        }
        CallbackOutcome::Joined { provider, not_yet: Some(reason) } => {
            card(StatusCode::OK, tr!(ctx, "oidc-joined-not-yet", provider = provider, reason = reason_of(reason)))
        }
        CallbackOutcome::InvitationNotValid => card(StatusCode::GONE, AcceptError::LinkNotValid.to_string()),
        other => return Err(AppError::Internal(format!("unexpected sign-in outcome {other:?}"))),
    })
}

pub(crate) async fn continue_after_reauth(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    viewer: &Viewer,
    then: Option<Continuation>,
) -> AppResult<Response> {
    match then {
        Some(Continuation::Link(provider_id)) => {
            let provider = usable_provider(state, provider_id).await?;
            let start = FlowStart::new(Purpose::Link, Some(viewer.user.id), LOGIN_OPTIONS.into());
            redirect_to_provider(state, ctx, session, &provider, start).await
        }
        Some(Continuation::SetPassword) => Ok(Redirect::to("/account/login-options/local").into_response()),
        Some(Continuation::Authenticator) => Ok(Redirect::to(second_factor::SET_UP_PATH).into_response()),
        Some(Continuation::ResetSecondFactors(user_id)) => {
            session::set_flash(session, ctx.t("oidc-reauth-reset-again")).await?;
            Ok(Redirect::to(&format!("/admin/users/{user_id}/reset-second-factors")).into_response())
        }
        Some(Continuation::LoginOptions) => {
            session::set_flash(session, ctx.t("oidc-reauth-disconnect-again")).await?;
            Ok(Redirect::to(LOGIN_OPTIONS).into_response())
        }
        Some(Continuation::Passkeys) => {
            session::set_flash(session, ctx.t("oidc-reauth-passkeys-again")).await?;
            Ok(Redirect::to(super::passkeys::PASSKEYS).into_response())
        }
        None => Ok(Redirect::to(LOGIN_OPTIONS).into_response()),
    }
}

/// Where a confirmation goes on to, as the re-authentication page and a passkey's
/// confirmation name it.
fn then_path(then: Continuation) -> String {
    match then {
        Continuation::Link(id) => format!("link:{id}"),
        Continuation::SetPassword => "password".into(),
        Continuation::LoginOptions => "options".into(),
        Continuation::Passkeys => "passkeys".into(),
        Continuation::Authenticator => "authenticator".into(),
        Continuation::ResetSecondFactors(id) => format!("reset:{id}"),
    }
}

/// Asks the viewer to prove it is them before `then`: with their password (or a passkey
/// beside it), else with a linked active provider (`prompt=login&max_age=0`), else with a
/// passkey.
pub(crate) async fn reauthenticate(
    state: &AppState,
    ctx: &PageCtx,
    session: &Session,
    viewer: &Viewer,
    then: Continuation,
) -> AppResult<Response> {
    let reauth_page = Redirect::to(&format!("/account/reauth?then={}", then_path(then))).into_response();
    if password_usable(state, viewer).await? {
        return Ok(reauth_page);
    }
    for link in links::links_of(&state.db, viewer.user.id).await? {
        if let Ok(provider) = usable_provider(state, link.provider_id).await {
            let start = FlowStart {
                then: Some(then),
                ..FlowStart::new(Purpose::Reauth, Some(viewer.user.id), LOGIN_OPTIONS.into())
            };
            return redirect_to_provider(state, ctx, session, &provider, start).await;
        }
    }
    if passkey_usable(state, ctx, viewer).await? {
        return Ok(reauth_page);
    }
    Ok(error_page(ctx, StatusCode::CONFLICT, &ctx.t("oidc-no-way-to-confirm")))
}

async fn password_usable(state: &AppState, viewer: &Viewer) -> AppResult<bool> {
    Ok(viewer.user.password_hash.is_some() && settings::load(&state.db).await?.allow_local_login)
}

/// Whether the viewer can confirm it is them with a passkey here (one of theirs, on the
/// public host of a server whose address passkeys work with).
async fn passkey_usable(state: &AppState, ctx: &PageCtx, viewer: &Viewer) -> AppResult<bool> {
    Ok(ctx.custom_host.is_none()
        && crate::identity::passkeys::relying_party(&state.settings.base_url).is_some()
        && crate::identity::passkeys::count(&state.db, viewer.user.id).await? > 0)
}

/// `POST /account/login-options/{id}/connect`.
pub(crate) async fn connect(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let provider = usable_provider(&state, id).await?;
    if links::links_of(&state.db, viewer.user.id).await?.iter().any(|l| l.provider_id == provider.id) {
        session::set_flash(&session, tr!(ctx, "oidc-already-linked-now", provider = provider.name.clone())).await?;
        return Ok(Redirect::to(LOGIN_OPTIONS).into_response());
    }
    if session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        let start = FlowStart::new(Purpose::Link, Some(viewer.user.id), LOGIN_OPTIONS.into());
        return redirect_to_provider(&state, &ctx, &session, &provider, start).await;
    }
    reauthenticate(&state, &ctx, &session, viewer, Continuation::Link(provider.id)).await
}

/// The viewer's ways in (links, password, passkeys), the active providers, and whether
/// local login is allowed: what [`links::can_remove`] decides on.
pub(crate) async fn ways_in(state: &AppState, viewer: &Viewer) -> AppResult<(Vec<Way>, Vec<i32>, bool)> {
    let mut ways: Vec<Way> =
        links::links_of(&state.db, viewer.user.id).await?.iter().map(|l| Way::Provider(l.provider_id)).collect();
    if viewer.user.password_hash.is_some() {
        ways.push(Way::Password);
    }
    let passkeys = crate::identity::passkeys::list(&state.db, viewer.user.id).await?;
    ways.extend(passkeys.iter().map(|p| Way::Passkey(p.id)));
    let active = providers::list(&state.db).await?.into_iter().filter(|p| p.active).map(|p| p.id).collect();
    let allow_local = settings::load(&state.db).await?.allow_local_login;
    Ok((ways, active, allow_local))
}

/// `POST /account/login-options/{id}/disconnect`.
pub(crate) async fn disconnect(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let provider = providers::get(&state.db, id).await?;
    let (ways, active, allow_local) = ways_in(&state, viewer).await?;
    if !ways.contains(&Way::Provider(id)) {
        return Err(AppError::NotFound);
    }
    if !links::can_remove(&ways, &active, allow_local, Way::Provider(id)) {
        let message = tr!(ctx, "oidc-last-way-provider", provider = provider.name.clone());
        return Ok(error_page(&ctx, StatusCode::CONFLICT, &message));
    }
    // A change to the ways in needs a recent sign-in: a stolen session alone cannot do it.
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::LoginOptions).await;
    }
    if links::unlink(&state.db, &state.site(), &viewer.user, &provider).await? {
        state.mail_written();
    }
    session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
    session::set_flash(&session, tr!(ctx, "oidc-unlinked", provider = provider.name.clone())).await?;
    Ok(Redirect::to(LOGIN_OPTIONS).into_response())
}

/// `POST /account/login-options/local/connect`: set a password (after re-authenticating).
pub(crate) async fn connect_local(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !settings::load(&state.db).await?.allow_local_login {
        return Ok(error_page(&ctx, StatusCode::FORBIDDEN, &ctx.t("login-local-off")));
    }
    if session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return Ok(Redirect::to("/account/login-options/local").into_response());
    }
    reauthenticate(&state, &ctx, &session, viewer, Continuation::SetPassword).await
}

/// `POST /account/login-options/local/disconnect`: remove the password.
pub(crate) async fn disconnect_local(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let (ways, active, allow_local) = ways_in(&state, viewer).await?;
    if !ways.contains(&Way::Password) {
        return Err(AppError::NotFound);
    }
    if !links::can_remove(&ways, &active, allow_local, Way::Password) {
        return Ok(error_page(&ctx, StatusCode::CONFLICT, &ctx.t("oidc-last-way-password")));
    }
    if !session::recently_authenticated(&session, state.recent_sign_in_seconds()).await? {
        return reauthenticate(&state, &ctx, &session, viewer, Continuation::LoginOptions).await;
    }
    local::remove_password(&state.db, &state.site(), &viewer.user).await?;
    state.mail_written();
    session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
    session::set_flash(&session, ctx.t("oidc-password-removed")).await?;
    Ok(Redirect::to(LOGIN_OPTIONS).into_response())
}

fn set_password_page(ctx: &PageCtx, status: StatusCode, error: Option<String>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("oidc-set-password-title");
    let new_label = ctx.t("oidc-new-password");
    let repeat_label = ctx.t("oidc-repeat-password");
    let button = ctx.t("oidc-set-password");
    page_with_status(status, ctx, &title, move || {
        view! {
            {form_error(error)}
            <form class="stacked card" method="post" action="/account/login-options/local">
                {csrf_field(&ctx2)}
                <label>{new_label} <input type="password" name="new_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <label>{repeat_label} <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" maxlength=MAX_PASSWORD_CHARS.to_string() required/></label>
                <button type="submit">{button}</button>
            </form>
        }
    })
}

async fn may_set_password(state: &AppState, session: &Session, viewer: &Viewer) -> AppResult<bool> {
    Ok(viewer.user.password_hash.is_none()
        && settings::load(&state.db).await?.allow_local_login
        && session::recently_authenticated(session, state.recent_sign_in_seconds()).await?)
}

pub(crate) async fn set_password_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !may_set_password(&state, &session, viewer).await? {
        return Ok(Redirect::to(LOGIN_OPTIONS).into_response());
    }
    Ok(set_password_page(&ctx, StatusCode::OK, None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetPasswordForm {
    pub new_password: String,
    pub confirm_password: String,
}

pub(crate) async fn set_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    if !may_set_password(&state, &session, viewer).await? {
        return Ok(error_page(&ctx, StatusCode::FORBIDDEN, &ctx.t("oidc-confirm-first-local")));
    }
    match local::set_password(&state.db, &state.site(), &viewer.user, &form.new_password, &form.confirm_password).await
    {
        Ok(()) => {
            session::end_other_sessions(&state.db, &session, viewer.user.id).await?;
            session::set_flash(&session, ctx.t("oidc-password-set")).await?;
            Ok(Redirect::to(LOGIN_OPTIONS).into_response())
        }
        Err(local::PasswordChangeError::Failed(error)) => Err(error),
        Err(refused) => Ok(set_password_page(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(refused.localized(&ctx)))),
    }
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct ReauthQuery {
    pub then: Option<String>,
}

pub(crate) fn parse_then(then: Option<&str>) -> Option<Continuation> {
    match then? {
        "password" => Some(Continuation::SetPassword),
        "options" => Some(Continuation::LoginOptions),
        "authenticator" => Some(Continuation::Authenticator),
        "passkeys" => Some(Continuation::Passkeys),
        other => match other.split_once(':')? {
            ("link", id) => id.parse().ok().map(Continuation::Link),
            ("reset", id) => id.parse().ok().map(Continuation::ResetSecondFactors),
            _ => None,
        },
    }
}

/// How the viewer can confirm it is them on the re-authentication page.
#[derive(Debug, Clone, Copy)]
struct ReauthWays {
    password: bool,
    passkey: bool,
    /// The password form asks the authenticator app's code too.
    code: bool,
}

impl ReauthWays {
    async fn of(state: &AppState, ctx: &PageCtx, viewer: &Viewer) -> AppResult<ReauthWays> {
        Ok(ReauthWays {
            password: password_usable(state, viewer).await?,
            passkey: passkey_usable(state, ctx, viewer).await?,
            code: second_factor::is_connected(&state.db, viewer.user.id).await?,
        })
    }
}

fn reauth_page(ctx: &PageCtx, status: StatusCode, then: String, ways: ReauthWays, error: Option<String>) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("oidc-reauth-title");
    let code_label = ctx.t("oidc-reauth-code");
    let intro = ctx.t("oidc-reauth-intro");
    let password_label = ctx.t("oidc-reauth-password");
    let button = ctx.t("oidc-reauth-continue");
    page_with_status(status, ctx, &title, move || {
        // The password form unless a passkey is the only way (a wrong one is refused as ever).
        let password = (ways.password || !ways.passkey).then(|| {
            let code = ways.code.then(|| {
                view! {
                    <label>{code_label}
                        <input type="text" name="code" autocomplete="one-time-code" maxlength="64" required/></label>
                }
            });
            view! {
                <p>{intro}</p>
                {form_error(error)}
                <form class="stacked card" method="post" action="/account/reauth">
                    {csrf_field(&ctx2)}
                    <input type="hidden" name="then" value=then.clone()/>
                    <label>{password_label} <input type="password" name="password" autocomplete="current-password" maxlength=MAX_PASSWORD_CHARS.to_string() required autofocus/></label>
                    {code}
                    <button type="submit">{button}</button>
                </form>
            }
        });
        let passkey = ways.passkey.then(|| super::passkeys::confirm_with_passkey(&ctx2, &then));
        view! { {password} {passkey} }
    })
}

pub(crate) async fn reauth_form(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(query): Query<ReauthQuery>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let then = query
        .then
        .filter(|t| parse_then(Some(t)).is_some())
        .ok_or_else(|| AppError::bad_request(ctx.t("oidc-nothing-to-confirm")))?;
    let ways = ReauthWays::of(&state, &ctx, viewer).await?;
    Ok(reauth_page(&ctx, StatusCode::OK, then, ways, None))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReauthForm {
    pub password: String,
    pub then: String,
    /// The authenticator app's code, for a user who has one.
    #[serde(default)]
    pub code: String,
}

pub(crate) async fn reauth(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<ReauthForm>,
) -> AppResult<Response> {
    let viewer = ctx.viewer()?;
    let then = parse_then(Some(&form.then)).ok_or_else(|| AppError::bad_request(ctx.t("oidc-nothing-to-confirm")))?;
    // The same brake as signing in: per address, and per account through the failure count.
    state
        .sign_in_limiter
        .admit_said(ctx.device.address(), |wait| tr!(ctx, "identity-too-many-attempts", seconds = wait))
        .await?;
    let ip = ctx.device.ip_text();
    let right = form.password.chars().count() <= MAX_PASSWORD_CHARS
        && local::verify_credentials(
            &state.db,
            &state.site(),
            &viewer.user,
            &form.password,
            ip,
            local::CheckedFor::Reauthentication,
        )
        .await?;
    let ways = ReauthWays::of(&state, &ctx, viewer).await?;
    if !right {
        return Ok(reauth_page(
            &ctx,
            StatusCode::UNAUTHORIZED,
            form.then,
            ways,
            Some(ctx.t("oidc-reauth-wrong-password")),
        ));
    }
    // With an authenticator app, its code too: a stolen session and a known password
    // together cannot remove the app.
    if ways.code {
        let ip = ctx.device.ip_text();
        let checked =
            second_factor::check_code(&state.db, &state.secrets, &state.site(), &viewer.user, &form.code, ip).await?;
        state.mail_written();
        if checked == second_factor::CodeCheck::Refused {
            let message = ctx.t("oidc-reauth-wrong-code");
            return Ok(reauth_page(&ctx, StatusCode::UNAUTHORIZED, form.then, ways, Some(message)));
        }
    }
    session::mark_reauthenticated(&session).await?;
    events::record_for(&state.db, events::REAUTHENTICATED, &viewer.user, Some("password".into())).await?;
    continue_after_reauth(&state, &ctx, &session, viewer, Some(then)).await
}
