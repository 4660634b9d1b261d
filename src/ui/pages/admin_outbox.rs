//! Admin → Outbox: every e-mail, whether it was sent, why not, and (without SMTP) what it
//! says — how `serve --demo` shows its mail.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::entities::enums::OutboxStatus;
use crate::entities::outbox_messages;
use crate::error::AppResult;
use crate::identity::session::set_flash;
use crate::mail::outbox;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, pager};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page, PageCtx};

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// "Sent 2026-11-30 10:00", "Waiting: no SMTP server", "Retrying at … (2 attempts): reason".
fn status_text(message: &outbox_messages::Model, smtp_configured: bool) -> String {
    match message.status {
        OutboxStatus::Sent => format!("Sent {}", message.sent_at.map(when).unwrap_or_default()),
        OutboxStatus::Failed => {
            format!("Failed after {} attempts: {}", message.attempts, message.last_error.clone().unwrap_or_default())
        }
        OutboxStatus::Pending if !smtp_configured => "Kept here: no SMTP server is configured".into(),
        OutboxStatus::Pending => match &message.last_error {
            Some(reason) => format!(
                "Waiting to retry at {} ({} attempts so far): {reason}",
                when(message.next_attempt_at),
                message.attempts
            ),
            None => "Waiting to be sent".into(),
        },
    }
}

fn smtp_banner(state: &AppState) -> String {
    match &state.settings.mail.smtp {
        Some(smtp) => format!("Mail is sent through {} from {}.", smtp.server(), smtp.from),
        None => "No SMTP server is configured (--smtp-url or [smtp] url): messages are kept here and not sent.".into(),
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Query(page_query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    ctx.provider_admin()?;
    let messages = outbox::list(&state.db, page_query).await?;
    let configured = state.settings.mail.smtp.is_some();
    let banner = smtp_banner(&state);
    let pager_locale = ctx.locale;
    Ok(page(&ctx, "Admin · Outbox", move || {
        let rows: Vec<_> = messages
            .items
            .iter()
            .map(|m| {
                view! {
                    <tr>
                        <td>{when(m.created_at)}</td>
                        <td>{m.to_address.clone()}</td>
                        <td><a href=format!("/admin/outbox/{}", m.id)>{m.subject.clone()}</a></td>
                        <td>{m.kind.label()}</td>
                        <td>{status_text(m, configured)}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav()}
            <p class="card">{banner}</p>
            {messages.items.is_empty().then(|| crate::ui::components::empty("No e-mail has been written yet."))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Written"</th><th>"To"</th><th>"Subject"</th><th>"Message"</th><th>"Status"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {pager(&pager_locale, &messages, "/admin/outbox")}
        }
    }))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<i32>,
) -> AppResult<Html<String>> {
    ctx.provider_admin()?;
    let message = outbox::find(&state.db, id).await?;
    let configured = state.settings.mail.smtp.is_some();
    let shown = outbox::body_shown(&message, configured, state.settings.demo);
    let status = status_text(&message, configured);
    let ctx2 = ctx.clone();
    Ok(page(&ctx, "Admin · Outbox message", move || {
        let to = match &message.to_name {
            Some(name) => format!("{name} <{}>", message.to_address),
            None => message.to_address.clone(),
        };
        let body = if shown {
            view! {
                <pre class="card mail-text">{message.text_body.clone()}</pre>
                <p><a href=format!("/admin/outbox/{}/html", message.id)>"View the HTML part"</a></p>
            }
            .into_any()
        } else {
            view! { <p class="card">"This message holds a single-use link meant for its recipient only, so its text is not shown."</p> }.into_any()
        };
        let retry = (message.status == OutboxStatus::Failed).then(|| {
            view! {
                <form method="post" action=format!("/admin/outbox/{}/retry", message.id)>
                    {csrf_field(&ctx2)}
                    <button type="submit">"Send again"</button>
                </form>
            }
        });
        view! {
            {admin_nav()}
            <dl class="card">
                <dt>"From"</dt><dd>{message.from_name.clone()}</dd>
                <dt>"To"</dt><dd>{to}</dd>
                <dt>"Subject"</dt><dd>{message.subject.clone()}</dd>
                <dt>"Message"</dt><dd>{message.kind.label()}</dd>
                <dt>"Written"</dt><dd>{when(message.created_at)}</dd>
                <dt>"Status"</dt><dd>{status}</dd>
            </dl>
            {retry}
            {body}
            <p><a href="/admin/outbox">"Back to the outbox"</a></p>
        }
    }))
}

/// The HTML part, as the recipient's mail program would show it: in a sandbox, no script.
pub(crate) async fn html(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let message = outbox::find(&state.db, id).await?;
    if !outbox::body_shown(&message, state.settings.mail.smtp.is_some(), state.settings.demo) {
        return Err(crate::error::AppError::NotFound);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'",
            ),
        ],
        message.html_body,
    )
        .into_response())
}

pub(crate) async fn retry(
    State(state): State<AppState>,
    Extension(ctx): Extension<PageCtx>,
    session: Session,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    ctx.provider_admin()?;
    let message = outbox::find(&state.db, id).await?;
    if outbox::retry(&state.db, id).await? {
        state.mail_written();
        set_flash(&session, format!("The message to {} will be sent again.", message.to_address)).await?;
    } else {
        set_flash(&session, "That message has not failed: nothing to send again.").await?;
    }
    Ok(Redirect::to(&format!("/admin/outbox/{id}")).into_response())
}
