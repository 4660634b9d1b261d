//! The branded error pages (404 and every other error).

use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{msg, tr, Localize};
use crate::ui::{page_with_status, PageCtx};

pub(crate) fn error_page(ctx: &PageCtx, status: StatusCode, message: &str) -> Response {
    let title = ctx.t(match status {
        StatusCode::NOT_FOUND => msg!("error-title-not-found"),
        StatusCode::FORBIDDEN => msg!("error-title-forbidden"),
        StatusCode::TOO_MANY_REQUESTS => msg!("error-title-too-many"),
        StatusCode::SERVICE_UNAVAILABLE => msg!("error-title-unavailable"),
        s if s.is_server_error() => msg!("error-title-internal"),
        _ => msg!("error-title-refused"),
    });
    let message = message.to_string();
    let code = tr!(ctx, "error-code", code = status.as_u16().to_string());
    let back = ctx.t("error-back-to-catalogue");
    page_with_status(status, ctx, &title, move || {
        view! {
            <section class="panel error">
                <p>{message}</p>
                <p class="muted">{code}</p>
                <p><a class="button" href="/">{back}</a></p>
            </section>
        }
    })
}

/// The fallback for every unknown URL.
pub(crate) async fn not_found() -> AppError {
    AppError::NotFound
}

/// What every page answers while the database cannot be reached (503, in the brand last
/// shown on the host).
pub(crate) fn database_unreachable(ctx: &PageCtx) -> Response {
    let mut response = error_page(ctx, StatusCode::SERVICE_UNAVAILABLE, &ctx.t("error-database-unreachable"));
    let headers = response.headers_mut();
    headers.insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(crate::error::RETRY_AFTER_OUTAGE));
    headers.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

/// What a suspended reseller's custom host answers for every page (503, in its brand).
pub(crate) fn unavailable(ctx: &PageCtx) -> Response {
    let message = tr!(ctx, "error-storefront-unavailable", company = ctx.brand.company_name.clone());
    let title = ctx.t("error-title-unavailable");
    let mut response = crate::ui::page_with_status(StatusCode::SERVICE_UNAVAILABLE, ctx, &title, move || {
        view! { <p class="card">{message}</p> }
    });
    response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("3600"));
    response
}
