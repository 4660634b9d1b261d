//! API clients: the provider admin and reseller admins create clients for their account
//! (the secret is shown once), revoke them (their tokens stop working at once), and the
//! provider admin switches the password grant.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use leptos::prelude::*;
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::clients::{self, NewClient};
use crate::audit::AuditActor;
use crate::entities::api_clients;
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::identity::session::set_flash;
use crate::identity::settings;
use crate::state::AppState;
use crate::ui::components::{csrf_field, empty, form_errors};
use crate::ui::{page_with_status, PageCtx};

struct PageData {
    clients: Vec<api_clients::Model>,
    created: Option<NewClient>,
    errors: Vec<String>,
    password_grant: Option<bool>,
    token_url: String,
}

/// A refusal of `clients::create` said in `loc`'s language (the API keeps the English).
fn refusal_text(loc: &impl Localize, refused: &clients::ClientError) -> String {
    match refused {
        clients::ClientError::CustomerAccount => loc.t("api-clients-error-customer"),
        clients::ClientError::BadName => loc.t("api-clients-error-name"),
        clients::ClientError::NameTaken(name) => tr!(loc, "api-clients-error-name-taken", name = name.as_str()),
        clients::ClientError::TooMany => tr!(loc, "api-clients-error-too-many", max = clients::MAX_CLIENTS),
        clients::ClientError::Failed(error) => error.to_string(),
    }
}

fn render(ctx: &PageCtx, status: StatusCode, data: PageData) -> Response {
    let ctx2 = ctx.clone();
    let title = ctx.t("api-clients-title");
    page_with_status(status, ctx, &title, move || {
        let PageData { clients, created, errors, password_grant, token_url } = data;
        let ctx = &ctx2;
        let created = created.map(|new| {
            view! {
                <section class="panel" role="status">
                    <p><strong>{ctx.t("api-clients-copy-secret")}</strong></p>
                    <dl>
                        <dt>{ctx.t("api-clients-client-id")}</dt><dd><code class="client-id">{new.client.client_id.clone()}</code></dd>
                        <dt>{ctx.t("api-clients-secret")}</dt><dd><code class="client-secret">{new.secret.clone()}</code></dd>
                    </dl>
                </section>
            }
        });
        let rows: Vec<_> = clients
            .iter()
            .map(|client| {
                let status = match client.revoked_at {
                    Some(at) => tr!(ctx, "api-clients-revoked-at", at = ctx.datetime(&at)),
                    None => ctx.t("api-clients-active"),
                };
                let revoke = client.active.then(|| {
                    let action = format!("/api-clients/{}/revoke", client.id);
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(ctx)}
                            <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " " {ctx.t("api-clients-revoke-confirm")}</label>
                            <button type="submit" class="danger">{ctx.t("api-clients-revoke")}</button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <td>{client.name.clone()}</td>
                        <td><code>{client.client_id.clone()}</code></td>
                        <td>{ctx.date(&client.created_at)}</td>
                        <td>{status}</td>
                        <td>{revoke}</td>
                    </tr>
                }
            })
            .collect();
        let list = if rows.is_empty() {
            empty(ctx.t("api-clients-none")).into_any()
        } else {
            view! {
                <div class="table-wrap"><table>
                    <thead><tr><th>{ctx.t("api-clients-th-name")}</th><th>{ctx.t("api-clients-client-id")}</th><th>{ctx.t("api-clients-th-created")}</th><th>{ctx.t("api-clients-th-status")}</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
            .into_any()
        };
        let grant = password_grant.map(|on| {
            view! {
                <form class="stacked card" method="post" action="/api-clients/password-grant">
                    {csrf_field(ctx)}
                    <h2>{ctx.t("api-clients-grant-heading")}</h2>
                    <p>{ctx.t("api-clients-grant-intro")}</p>
                    <label class="check"><input type="checkbox" name="enabled" value="on" checked=on/> " " {ctx.t("api-clients-grant-accept")}</label>
                    <button type="submit" class="secondary">{ctx.t("api-clients-save")}</button>
                </form>
            }
        });
        let intro_before = ctx.t("api-clients-intro-before");
        let intro_link = ctx.t("api-clients-intro-link");
        let intro_token = ctx.t("api-clients-intro-token");
        let intro_basic = ctx.t("api-clients-intro-basic");
        let intro_after = ctx.t("api-clients-intro-after");
        view! {
            <h1>{ctx.t("api-clients-title")}</h1>
            {form_errors(errors)}
            {created}
            <p>{intro_before} <a href="/api/openapi.json">{intro_link}</a> {intro_token} " "
               <code>{token_url}</code> " " {intro_basic} " "
               <code>"grant_type=client_credentials"</code> {intro_after}</p>
            {list}
            <form class="stacked card" method="post" action="/api-clients">
                {csrf_field(ctx)}
                <h2>{ctx.t("api-clients-new-heading")}</h2>
                <label>{ctx.t("api-clients-name-label")} " " <input name="name" maxlength="100" required/></label>
                <button type="submit">{ctx.t("api-clients-create")}</button>
            </form>
            {grant}
        }
    })
}

async fn page_data(
    state: &AppState,
    ctx: &PageCtx,
    created: Option<NewClient>,
    errors: Vec<String>,
) -> AppResult<PageData> {
    let viewer = ctx.seller_admin()?;
    let password_grant =
        if viewer.is_provider_admin() { Some(settings::load(&state.db).await?.password_grant_enabled) } else { None };
    Ok(PageData {
        clients: clients::of_account(&state.db, viewer.account.id).await?,
        created,
        errors,
        password_grant,
        token_url: format!("{}/oauth/token", state.settings.base_url.trim_end_matches('/')),
    })
}

/// `GET /api-clients`.
pub(crate) async fn list(State(state): State<AppState>, Extension(ctx): Extension<PageCtx>) -> AppResult<Response> {
    let data = page_data(&state, &ctx, None, vec![]).await?;
    Ok(render(&ctx, StatusCode::OK, data))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateForm {
    #[serde(default)]
    name: String,
}

/// `POST /api-clients`: answers with the page showing the new secret (never stored).
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let by = AuditActor::of(viewer, ctx.device.ip_text());
    match clients::create(&state.db, &by, &viewer.account, &form.name).await {
        Ok(new) => {
            let data = page_data(&state, &ctx, Some(new), vec![]).await?;
            Ok(render(&ctx, StatusCode::OK, data))
        }
        Err(clients::ClientError::Failed(error)) => Err(error),
        Err(refused) => {
            let data = page_data(&state, &ctx, None, vec![refusal_text(&ctx, &refused)]).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, data))
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /api-clients/{id}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let viewer = ctx.seller_admin()?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    if form.confirm != "yes" {
        let data = page_data(&state, &ctx, None, vec![ctx.t("api-clients-tick-to-revoke")]).await?;
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, data));
    }
    let by = AuditActor::of(viewer, ctx.device.ip_text());
    if !clients::revoke(&state.db, &by, &viewer.account, id).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, ctx.t("api-clients-revoked")).await?;
    Ok(Redirect::to("/api-clients").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct GrantForm {
    enabled: Option<String>,
}

/// `POST /api-clients/password-grant` (provider admin).
pub(crate) async fn set_password_grant(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    let viewer = ctx.provider_admin()?;
    let enabled = form.enabled.is_some();
    settings::set_password_grant(&state.db, &AuditActor::of(viewer, ctx.device.ip_text()), enabled).await?;
    let said = if enabled { ctx.t("api-clients-grant-on") } else { ctx.t("api-clients-grant-off") };
    set_flash(&session, said).await?;
    Ok(Redirect::to("/api-clients").into_response())
}
