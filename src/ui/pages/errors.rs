//! The branded error pages (404 and every other error).

use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::{page_with_status, PageCtx};

pub(crate) fn error_page(ctx: &PageCtx, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::SERVICE_UNAVAILABLE => "Temporarily unavailable",
        s if s.is_server_error() => "Something went wrong",
        _ => "We could not accept that request",
    };
    let message = message.to_string();
    let code = format!("Error {}", status.as_u16());
    page_with_status(status, ctx, title, move || {
        view! {
            <section class="panel error">
                <p>{message}</p>
                <p class="muted">{code}</p>
                <p><a class="button" href="/">"Back to the catalogue"</a></p>
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
    let mut response = error_page(ctx, StatusCode::SERVICE_UNAVAILABLE, crate::error::DATABASE_UNREACHABLE);
    let headers = response.headers_mut();
    headers.insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(crate::error::RETRY_AFTER_OUTAGE));
    headers.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}

/// What a suspended reseller's custom host answers for every page (503, in its brand).
pub(crate) fn unavailable(ctx: &PageCtx) -> Response {
    let name = ctx.brand.company_name.clone();
    let mut response = crate::ui::page_with_status(
        StatusCode::SERVICE_UNAVAILABLE,
        ctx,
        "Temporarily unavailable",
        move || {
            view! { <p class="card">{format!("The {name} storefront is temporarily unavailable. Please try again later.")}</p> }
        },
    );
    response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("3600"));
    response
}
