//! Admin → Outbox: every e-mail, whether it was sent, why not, and (without SMTP) what it
//! says — how `serve --demo` shows its mail.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::entities::enums::{MailKind, OutboxStatus};
use crate::entities::outbox_messages;
use crate::error::AppResult;
use crate::i18n::{msg, tr, Locale, Localize};
use crate::identity::session::set_flash;
use crate::mail::outbox;
use crate::pagination::PageQuery;
use crate::state::AppState;
use crate::ui::components::{csrf_field, pager};
use crate::ui::pages::admin::admin_nav;
use crate::ui::{page, PageCtx};

/// What Admin → Outbox calls a kind of message.
fn kind_name(loc: &impl Localize, kind: MailKind) -> String {
    loc.t(match kind {
        MailKind::PasswordReset => msg!("admin-mail-password-reset"),
        MailKind::EmailVerification => msg!("admin-mail-email-verification"),
        MailKind::SecurityNotice => msg!("admin-mail-security-notice"),
        MailKind::InvoiceIssued => msg!("admin-mail-invoice-issued"),
        MailKind::PaymentReceipt => msg!("admin-mail-payment-receipt"),
        MailKind::ConnectInvitation => msg!("admin-mail-connect-invitation"),
        MailKind::UserInvitation => msg!("admin-mail-user-invitation"),
        MailKind::AccountApproved => msg!("admin-mail-account-approved"),
    })
}

/// "Sent 2026-11-30 10:00", "Waiting: no SMTP server", "Retrying at … (2 attempts): reason".
fn status_text(loc: &impl Localize, message: &outbox_messages::Model, smtp_configured: bool) -> String {
    match message.status {
        OutboxStatus::Sent => {
            tr!(loc, "admin-outbox-sent", at = message.sent_at.map(|at| loc.datetime(&at)).unwrap_or_default())
        }
        OutboxStatus::Failed => tr!(
            loc,
            "admin-outbox-failed",
            attempts = message.attempts,
            reason = message.last_error.clone().unwrap_or_default()
        ),
        OutboxStatus::Pending if !smtp_configured => loc.t("admin-outbox-kept"),
        OutboxStatus::Pending => match &message.last_error {
            Some(reason) => tr!(
                loc,
                "admin-outbox-retrying",
                at = loc.datetime(&message.next_attempt_at),
                attempts = message.attempts,
                reason = reason.clone()
            ),
            None => loc.t("admin-outbox-waiting"),
        },
    }
}

fn smtp_banner(loc: &impl Localize, state: &AppState) -> String {
    match &state.settings.mail.smtp {
        Some(smtp) => tr!(loc, "admin-outbox-smtp", server = smtp.server(), from = smtp.from.clone()),
        None => loc.t("admin-outbox-no-smtp"),
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
    let banner = smtp_banner(&ctx, &state);
    let pager_locale = ctx.locale;
    let loc: Locale = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-outbox-title"), move || {
        let rows: Vec<_> = messages
            .items
            .iter()
            .map(|m| {
                view! {
                    <tr>
                        <td>{loc.datetime(&m.created_at)}</td>
                        <td>{m.to_address.clone()}</td>
                        <td><a href=format!("/admin/outbox/{}", m.id)>{m.subject.clone()}</a></td>
                        <td>{kind_name(&loc, m.kind)}</td>
                        <td>{status_text(&loc, m, configured)}</td>
                    </tr>
                }
            })
            .collect();
        view! {
            {admin_nav(&ctx.locale)}
            <p class="card">{banner}</p>
            {messages.items.is_empty().then(|| crate::ui::components::empty(loc.t("admin-outbox-empty")))}
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{loc.t("admin-outbox-written")}</th><th>{loc.t("admin-outbox-to")}</th><th>{loc.t("admin-outbox-subject")}</th><th>{loc.t("admin-outbox-message")}</th><th>{loc.t("admin-col-status")}</th></tr></thead>
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
    let status = status_text(&ctx, &message, configured);
    let ctx2 = ctx.clone();
    let loc = ctx.locale;
    Ok(page(&ctx, &ctx.t("admin-outbox-message-title"), move || {
        let to = match &message.to_name {
            Some(name) => format!("{name} <{}>", message.to_address),
            None => message.to_address.clone(),
        };
        let body = if shown {
            view! {
                <pre class="card mail-text">{message.text_body.clone()}</pre>
                <p><a href=format!("/admin/outbox/{}/html", message.id)>{loc.t("admin-outbox-view-html")}</a></p>
            }
            .into_any()
        } else {
            view! { <p class="card">{loc.t("admin-outbox-hidden")}</p> }.into_any()
        };
        let retry = (message.status == OutboxStatus::Failed).then(|| {
            view! {
                <form method="post" action=format!("/admin/outbox/{}/retry", message.id)>
                    {csrf_field(&ctx2)}
                    <button type="submit">{loc.t("admin-outbox-send-again")}</button>
                </form>
            }
        });
        view! {
            {admin_nav(&ctx.locale)}
            <dl class="card">
                <dt>{loc.t("admin-outbox-from")}</dt><dd>{message.from_name.clone()}</dd>
                <dt>{loc.t("admin-outbox-to")}</dt><dd>{to}</dd>
                <dt>{loc.t("admin-outbox-subject")}</dt><dd>{message.subject.clone()}</dd>
                <dt>{loc.t("admin-outbox-message")}</dt><dd>{kind_name(&loc, message.kind)}</dd>
                <dt>{loc.t("admin-outbox-written")}</dt><dd>{loc.datetime(&message.created_at)}</dd>
                <dt>{loc.t("admin-col-status")}</dt><dd>{status}</dd>
            </dl>
            {retry}
            {body}
            <p><a href="/admin/outbox">{loc.t("admin-outbox-back")}</a></p>
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
        tracing::info!(message = id, kind = message.kind.label(), "outbox message to be sent again");
        state.mail_written();
        set_flash(&session, tr!(ctx, "admin-outbox-will-resend", to = message.to_address.clone())).await?;
    } else {
        set_flash(&session, ctx.t("admin-outbox-not-failed")).await?;
    }
    Ok(Redirect::to(&format!("/admin/outbox/{id}")).into_response())
}
