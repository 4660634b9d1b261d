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

fn render(ctx: &PageCtx, status: StatusCode, data: PageData) -> Response {
    let ctx2 = ctx.clone();
    page_with_status(status, ctx, "API clients", move || {
        let PageData { clients, created, errors, password_grant, token_url } = data;
        let created = created.map(|new| {
            view! {
                <section class="panel" role="status">
                    <p><strong>"Copy the secret now: it is not shown again."</strong></p>
                    <dl>
                        <dt>"Client id"</dt><dd><code class="client-id">{new.client.client_id.clone()}</code></dd>
                        <dt>"Secret"</dt><dd><code class="client-secret">{new.secret.clone()}</code></dd>
                    </dl>
                </section>
            }
        });
        let rows: Vec<_> = clients
            .iter()
            .map(|client| {
                let status = match client.revoked_at {
                    Some(at) => format!("Revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "Active".to_string(),
                };
                let revoke = client.active.then(|| {
                    let action = format!("/api-clients/{}/revoke", client.id);
                    view! {
                        <form class="inline" method="post" action=action>
                            {csrf_field(&ctx2)}
                            <label class="check"><input type="checkbox" name="confirm" value="yes" required/> " Its tokens stop working"</label>
                            <button type="submit" class="danger">"Revoke"</button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <td>{client.name.clone()}</td>
                        <td><code>{client.client_id.clone()}</code></td>
                        <td>{client.created_at.format("%Y-%m-%d").to_string()}</td>
                        <td>{status}</td>
                        <td>{revoke}</td>
                    </tr>
                }
            })
            .collect();
        let list = if rows.is_empty() {
            empty("No API clients yet.").into_any()
        } else {
            view! {
                <div class="table-wrap"><table>
                    <thead><tr><th>"Name"</th><th>"Client id"</th><th>"Created"</th><th>"Status"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            }
            .into_any()
        };
        let grant = password_grant.map(|on| {
            view! {
                <form class="stacked card" method="post" action="/api-clients/password-grant">
                    {csrf_field(&ctx2)}
                    <h2>"Password grant"</h2>
                    <p>"Lets a client exchange an application user's name and password for a token. "
                       "RFC 9700 forbids it for new deployments; keep it off unless an old integration needs it."</p>
                    <label class="check"><input type="checkbox" name="enabled" value="on" checked=on/> " Accept the password grant"</label>
                    <button type="submit" class="secondary">"Save"</button>
                </form>
            }
        });
        view! {
            <h1>"API clients"</h1>
            {form_errors(errors)}
            {created}
            <p>"Clients call the REST API (" <a href="/api/openapi.json">"OpenAPI document"</a> ") with a token from "
               <code>{token_url}</code> " (client id and secret in HTTP Basic auth, "
               <code>"grant_type=client_credentials"</code> "). They see what your account sees."</p>
            {list}
            <form class="stacked card" method="post" action="/api-clients">
                {csrf_field(&ctx2)}
                <h2>"New client"</h2>
                <label>"Name (the system that will use it)" <input name="name" maxlength="100" required/></label>
                <button type="submit">"Create client"</button>
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
            let data = page_data(&state, &ctx, None, vec![refused.to_string()]).await?;
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
        let data = page_data(&state, &ctx, None, vec!["Tick the confirmation to revoke the client.".into()]).await?;
        return Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, data));
    }
    let by = AuditActor::of(viewer, ctx.device.ip_text());
    if !clients::revoke(&state.db, &by, &viewer.account, id).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "The client was revoked; its tokens no longer work.").await?;
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
    set_flash(&session, if enabled { "The password grant is on." } else { "The password grant is off." }).await?;
    Ok(Redirect::to("/api-clients").into_response())
}
