//! The page-context middleware: once per request it loads the viewer, resolves the
//! brand, ensures the CSRF token and makes a CSP nonce; on the way out it turns every
//! error response into the branded error page and sets the Content-Security-Policy.

use axum::body::to_bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use tower_sessions::Session;

use super::{pages, PageCtx};
use crate::accounts::store as accounts_store;
use crate::branding;
use crate::error::{AppResult, ErrorPage};
use crate::i18n::{self, Lang, Locale, Localize};
use crate::identity::devices::Device;
use crate::identity::{csrf, second_factor, session, settings};
use crate::state::AppState;

pub(crate) fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' https: http: data:; \
         object-src 'none'; base-uri 'none'; form-action 'self' https: http://127.0.0.1:* http://localhost:*; \
         frame-ancestors 'none'"
    )
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the context needs of the request (taken out first: a borrowed request is not `Send`).
struct RequestFacts {
    host: Option<String>,
    cookies: Option<String>,
    device: Device,
    is_get: bool,
    path: String,
    accept_language: Option<String>,
}

/// The page context, and the visitor's new CSRF cookie when it had none.
async fn build(state: &AppState, session: &Session, request: &RequestFacts) -> AppResult<(PageCtx, Option<String>)> {
    state.config_cache.validate(&state.db).await?;
    let viewer = match session::signed_in_user_id(session).await? {
        Some(user_id) => {
            let viewer = accounts_store::viewer_for_user(&state.db, user_id).await?;
            let current = match &viewer {
                Some(viewer) => session::is_current(&state.db, session, &viewer.user, &request.device).await?,
                None => false,
            };
            // A user that is gone, or a session another one signed out: anonymous now.
            if !current {
                session::end(&state.db, session).await?;
                None
            } else {
                viewer
            }
        }
        None => None,
    };
    let branding::RequestBrand { brand, unavailable, custom_host, storefront_of } =
        branding::resolve_remembered(&state.db, &state.config_cache, request.host.as_deref(), viewer.as_ref()).await?;
    let secure = state.settings.secure_cookies();
    let csrf = csrf::page_token(session, request.cookies.as_deref(), &state.secrets, secure).await?;
    let flash = if request.is_get { session::take_flash(session).await? } else { None };
    let locale = request_locale(request, viewer.as_ref(), &brand);
    let ctx = PageCtx {
        brand,
        viewer,
        csrf_token: csrf.token,
        nonce: new_nonce(),
        flash,
        path: request.path.clone(),
        is_get: request.is_get,
        device: request.device.clone(),
        unavailable,
        custom_host,
        storefront_of,
        locale,
    };
    Ok((ctx, csrf.new_cookie))
}

/// The request's language (the user's saved choice, else the switcher's cookie, else the
/// browser's, else the brand's) and time zone (the user's, else the brand's).
fn request_locale(request: &RequestFacts, viewer: Option<&crate::accounts::Viewer>, brand: &branding::Brand) -> Locale {
    let saved = viewer.and_then(|v| v.user.language.as_deref()).and_then(Lang::from_tag);
    let chosen = saved.or_else(|| request.cookies.as_deref().and_then(i18n::chosen_in_cookies));
    let lang = i18n::negotiate(chosen, request.accept_language.as_deref(), Some(brand.default_language));
    let time_zone =
        viewer.and_then(|v| v.user.time_zone.as_deref()).and_then(i18n::time_zone).unwrap_or(brand.time_zone);
    Locale { lang, time_zone }
}

/// The context of the outage page, when the database could not build the real one: no
/// viewer, and the brand last shown on the request's host.
fn outage_ctx(state: &AppState, request: RequestFacts) -> PageCtx {
    let host = request.host.as_deref().map(branding::host_name);
    let brand = state.last_known_brands.for_host(host.as_deref());
    let locale = request_locale(&request, None, &brand);
    PageCtx {
        brand,
        viewer: None,
        csrf_token: String::new(),
        nonce: new_nonce(),
        flash: None,
        is_get: request.is_get,
        path: request.path,
        device: request.device,
        unavailable: false,
        custom_host: None,
        storefront_of: None,
        locale,
    }
}

pub(crate) async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if crate::routing::props_of(&request).is_bare() {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "session layer missing").into_response();
    };
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0);
    let user_agent = request.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let device = Device::of(peer.map(|peer| state.client_ip(peer, request.headers())), user_agent);
    let facts = RequestFacts {
        device,
        host: request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_string),
        cookies: request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string),
        is_get: request.method() == Method::GET,
        path: request.uri().path_and_query().map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string()),
        accept_language: request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect()),
    };
    let (ctx, new_csrf_cookie) = match build(&state, &session, &facts).await {
        Ok(built) => built,
        Err(e) if database_down(&state, &e).await => {
            return pages::errors::database_unreachable(&outage_ctx(&state, facts));
        }
        Err(e) => return e.into_response(),
    };
    // Remembered for the outage page: a reseller's custom host, and the public host as an
    // anonymous visitor sees it (any other Host header shows the provider's brand anyway,
    // and must not crowd the real hosts out of the bounded memory).
    if let Some(host) = facts.host.as_deref().map(branding::host_name) {
        if ctx.custom_host.is_some() || (ctx.viewer.is_none() && host == state.settings.base_host()) {
            state.last_known_brands.remember(&host, &ctx.brand);
        }
    }
    // A session that must set up a second factor first goes nowhere else.
    let must_set_up = match setting_up_first(&state, &session, &ctx).await {
        Ok(must) => must,
        Err(e) => return e.into_response(),
    };
    let is_get = facts.is_get;
    request.extensions_mut().insert(ctx.clone());
    // A suspended reseller's custom host: the same page for every route (health checks and
    // static assets are bare routes and never get here).
    let response = if ctx.unavailable {
        pages::errors::unavailable(&ctx)
    } else if must_set_up && is_get {
        axum::response::Redirect::to(second_factor::SET_UP_PATH).into_response()
    } else if must_set_up {
        pages::errors::error_page(&ctx, StatusCode::FORBIDDEN, &ctx.t("second-factor-required-first"))
    } else {
        next.run(request).await
    };
    // A failure while the database is down is the outage page (in the brand already known).
    let response = if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && !crate::outage::database_reachable(&state.db).await
    {
        pages::errors::database_unreachable(&ctx)
    } else {
        response
    };
    let mut response = render_errors(&ctx, response).await;
    // A handler that sets its own policy (a sandboxed e-mail preview) keeps it.
    if !response.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(value) = HeaderValue::from_str(&content_security_policy(&ctx.nonce)) {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    if let Some(seed) = new_csrf_cookie {
        let cookie = csrf::cookie_header(&seed, state.settings.secure_cookies());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Whether this signed-in session must set up a second factor before it may open `ctx.path`.
async fn setting_up_first(state: &AppState, session: &Session, ctx: &PageCtx) -> AppResult<bool> {
    let Some(viewer) = &ctx.viewer else { return Ok(false) };
    if second_factor::open_while_setting_up(&ctx.path) || !second_factor::flagged(session).await? {
        return Ok(false);
    }
    let rule = settings::load_remembered(&state.db, &state.config_cache).await?.require_second_factor;
    second_factor::must_set_up(session, rule, viewer.user.role).await
}

/// Whether the context could not be built because the database is unreachable.
async fn database_down(state: &AppState, error: &crate::error::AppError) -> bool {
    match error.status() {
        StatusCode::SERVICE_UNAVAILABLE => true,
        StatusCode::INTERNAL_SERVER_ERROR => !crate::outage::database_reachable(&state.db).await,
        _ => false,
    }
}

/// Any 4xx/5xx that is not already an HTML page (or a JSON answer to a page's script, such
/// as a passkey ceremony's) becomes the branded error page.
async fn render_errors(ctx: &PageCtx, response: Response) -> Response {
    let status = response.status();
    let is_page_or_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_page_or_json {
        return response;
    }
    let marked = response
        .extensions()
        .get::<ErrorPage>()
        .map(|e| e.message_id.map_or_else(|| e.message.clone(), |id| ctx.t(id)));
    let kept: Vec<_> = [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE]
        .into_iter()
        .filter_map(|name| response.headers().get(&name).cloned().map(|v| (name, v)))
        .collect();
    let message = match marked {
        Some(message) => message,
        None if status.is_client_error() => {
            // A framework rejection (bad path, query or form): its text says what was wrong.
            let body = to_bytes(response.into_body(), 4096).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&body).trim().to_string();
            if text.is_empty() {
                ctx.t("error-request-not-accepted")
            } else {
                text
            }
        }
        None => ctx.t("error-internal"),
    };
    let mut page = pages::errors::error_page(ctx, status, &message);
    for (name, value) in kept {
        page.headers_mut().insert(name, value);
    }
    page
}
