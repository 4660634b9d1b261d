//! The page shell and small shared pieces of markup.

use leptos::prelude::*;

use super::PageCtx;
use crate::pagination::Paged;

/// The HTML document around every page: brand title, logo, favicon, colours, navigation by role, footer.
pub(crate) fn shell(ctx: &PageCtx, title: &str, body: impl IntoView + 'static) -> impl IntoView {
    let brand = ctx.brand.clone();
    let company = brand.company_name.clone();
    let tab_title = if title.is_empty() { company.clone() } else { format!("{title} · {company}") };
    let favicon = brand.favicon_url.clone().unwrap_or_else(|| "/static/favicon.svg".into());
    let css = brand.css_variables();
    let nonce = ctx.nonce.clone();
    let logo = brand.logo_url.clone().map(|src| {
        let alt = format!("{company} logo");
        view! { <img class="brand-logo" src=src alt=alt height="40"/> }
    });
    let viewer = ctx.viewer.clone();
    let admin_link =
        viewer.as_ref().filter(|v| v.is_provider_admin()).map(|_| view! { <li><a href="/admin">"Admin"</a></li> });
    let reseller_link = viewer
        .as_ref()
        .filter(|v| v.is_reseller_admin() || v.is_provider_admin())
        .map(|_| view! { <li><a href="/reseller">"Customers"</a></li> });
    let account_links = viewer.as_ref().map(|_| {
        view! {
            <li><a href="/cart">"Cart"</a></li>
            <li><a href="/account">"My Account"</a></li>
        }
    });
    let session_box = match viewer {
        Some(v) => {
            let who = format!("{} ({})", v.user.name, v.account.name);
            let token = ctx.csrf_token.clone();
            view! {
                <form class="sign-out" method="post" action="/logout">
                    <span class="who">{who}</span>
                    <input type="hidden" name="csrf_token" value=token/>
                    <button type="submit" class="link-button">"Sign out"</button>
                </form>
            }
            .into_any()
        }
        None => view! { <a class="button" href="/login">"Sign in"</a> }.into_any(),
    };
    let flash = ctx.flash.clone().map(|message| view! { <p class="flash" role="status">{message}</p> });
    let footer_text = brand.footer_text.clone().map(|text| view! { <p>{text}</p> });
    let support = brand.support_email.clone().map(|email| {
        let href = format!("mailto:{email}");
        view! { <p>"Support: " <a href=href>{email}</a></p> }
    });
    let copyright = format!("© {company}");
    let heading = (!title.is_empty()).then(|| title.to_string());
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{tab_title}</title>
                <link rel="icon" href=favicon/>
                <link rel="stylesheet" href="/static/stratus.css"/>
                <style nonce=nonce>{css}</style>
            </head>
            <body>
                <a class="skip-link" href="#main">"Skip to content"</a>
                <header class="site-header">
                    <a class="brand" href="/">
                        {logo}
                        <span class="brand-name">{company}</span>
                    </a>
                    <nav aria-label="Main">
                        <ul>
                            <li><a href="/">"Catalogue"</a></li>
                            {account_links}
                            {reseller_link}
                            {admin_link}
                        </ul>
                    </nav>
                    <div class="session">{session_box}</div>
                </header>
                <main id="main">
                    {flash}
                    {heading.map(|h| view! { <h1>{h}</h1> })}
                    {body}
                </main>
                <footer class="site-footer">
                    {footer_text}
                    {support}
                    <p>{copyright}</p>
                </footer>
            </body>
        </html>
    }
}

/// The hidden CSRF field every state-changing form carries.
/// A `<textarea>` with `value` inside it, escaped. Leptos writes a textarea's children
/// as raw text (as for `<script>`), so a value is never passed as children: this is the
/// one way a textarea gets its text.
pub(crate) fn textarea(name: &'static str, rows: &'static str, value: &str) -> impl IntoView {
    let escaped = escape_text(value);
    view! { <textarea name=name rows=rows inner_html=escaped></textarea> }
}

/// Escapes text for HTML: `&`, `<`, `>`, `"` and `'`.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn csrf_field(ctx: &PageCtx) -> impl IntoView {
    let token = ctx.csrf_token.clone();
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

/// A form-level error message.
pub(crate) fn form_error(message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="form-error" role="alert">{m}</p> })
}

/// Every message of a refused form, as one alert.
pub(crate) fn form_errors(messages: Vec<String>) -> impl IntoView {
    (!messages.is_empty()).then(|| {
        let items: Vec<_> = messages.into_iter().map(|m| view! { <li>{m}</li> }).collect();
        view! { <div class="form-error" role="alert"><ul>{items}</ul></div> }
    })
}

/// "Page 2 of 5" with previous/next links; `base` is the path (and query) without `page=`.
pub(crate) fn pager<T>(paged: &Paged<T>, base: &str) -> impl IntoView {
    // `base` may carry a query already (a search): the page number joins it.
    let joiner = if base.contains('?') { '&' } else { '?' };
    let previous = paged.has_previous().then(|| {
        let href = format!("{base}{joiner}page={}", paged.page - 1);
        view! { <a rel="prev" href=href>"← Previous"</a> }
    });
    let next = paged.has_next().then(|| {
        let href = format!("{base}{joiner}page={}", paged.page + 1);
        view! { <a rel="next" href=href>"Next →"</a> }
    });
    let label = format!("Page {} of {} · {} in all", paged.page, paged.pages, paged.total);
    view! {
        <nav class="pager" aria-label="Pages">
            {previous}
            <span>{label}</span>
            {next}
        </nav>
    }
}

/// A short empty-state message.
/// The footer of a table of priced lines (three columns before the amounts, one after):
/// net subtotal, VAT at `rate`, total, in `currency`.
pub(crate) fn totals_footer(
    net: i64,
    tax: i64,
    total: i64,
    rate: crate::billing::tax::VatRate,
    currency: &str,
) -> impl IntoView {
    let money = |amount: i64| crate::billing::money::format(amount, currency);
    view! {
        <tfoot>
            <tr><th colspan="3">"Subtotal (net)"</th><th class="num">{money(net)}</th><th></th></tr>
            <tr><th colspan="3">{format!("VAT ({})", rate.label())}</th><th class="num">{money(tax)}</th><th></th></tr>
            <tr><th colspan="3">"Total"</th><th class="num">{money(total)}</th><th></th></tr>
        </tfoot>
    }
}

pub(crate) fn empty(message: &'static str) -> impl IntoView {
    view! { <p class="empty">{message}</p> }
}
