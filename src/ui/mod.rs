//! Leptos views rendered on the server. Pages only call capabilities; the shell
//! applies the request's brand to every page.

pub mod assets;
pub mod components;
pub mod context;
pub mod pages;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

use crate::accounts::Viewer;
use crate::branding::Brand;
use crate::error::AppError;

/// What every page knows about the request; built once by the page-context middleware.
#[derive(Debug, Clone)]
pub(crate) struct PageCtx {
    pub brand: Brand,
    pub viewer: Option<Viewer>,
    pub csrf_token: String,
    pub nonce: String,
    pub flash: Option<String>,
    /// Path and query of the request, for "come back here after sign-in".
    pub path: String,
    /// Whether the request was a GET (a page to come back to; an action's refusal is not).
    pub is_get: bool,
    /// Where the request comes from (client address, browser).
    pub device: crate::identity::devices::Device,
    /// The request came to the custom host of a suspended reseller: every page answers
    /// "temporarily unavailable" (503) in its brand.
    pub unavailable: bool,
    /// The request came to this custom host of the brand shown (links and sign-in flows
    /// that must come back to the same host use it).
    pub custom_host: Option<String>,
    /// The reseller whose custom host the request came to (its customers' prices are
    /// what an anonymous visitor is shown).
    pub storefront_of: Option<i32>,
    /// The request's language and the viewer's time zone (see `i18n::negotiate`).
    pub locale: crate::i18n::Locale,
}

impl crate::i18n::Localize for PageCtx {
    fn locale(&self) -> crate::i18n::Locale {
        self.locale
    }
}

impl PageCtx {
    /// The signed-in viewer, or a redirect to the sign-in page that comes back here.
    pub(crate) fn viewer(&self) -> Result<&Viewer, AppError> {
        self.viewer.as_ref().ok_or_else(|| AppError::SignInRequired { next: self.path.clone() })
    }

    /// A provider admin, else 404 (the admin area does not exist for anybody else).
    pub(crate) fn provider_admin(&self) -> Result<&Viewer, AppError> {
        Some(self.viewer()?).filter(|v| v.is_provider_admin()).ok_or(AppError::NotFound)
    }

    /// Somebody who sells to customers (a reseller admin, or the provider admin for the
    /// provider's direct customers), else 404.
    pub(crate) fn seller_admin(&self) -> Result<&Viewer, AppError> {
        Some(self.viewer()?).filter(|v| v.is_reseller_admin() || v.is_provider_admin()).ok_or(AppError::NotFound)
    }
}

/// Renders a whole page in the brand's shell.
pub(crate) fn page<V, F>(ctx: &PageCtx, title: &str, build: F) -> Html<String>
where
    F: FnOnce() -> V,
    V: IntoView + 'static,
{
    Html(render_document(ctx, title, build))
}

/// Renders a whole page with a status other than 200 (form errors, error pages).
pub(crate) fn page_with_status<V, F>(status: StatusCode, ctx: &PageCtx, title: &str, build: F) -> Response
where
    F: FnOnce() -> V,
    V: IntoView + 'static,
{
    (status, Html(render_document(ctx, title, build))).into_response()
}

fn render_document<V, F>(ctx: &PageCtx, title: &str, build: F) -> String
where
    F: FnOnce() -> V,
    V: IntoView + 'static,
{
    let owner = Owner::new();
    let html = owner.with(|| {
        let body = build();
        components::shell(ctx, title, body).to_html()
    });
    format!("<!DOCTYPE html>{html}")
}
