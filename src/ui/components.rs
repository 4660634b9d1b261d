//! The page shell and small shared pieces of markup.

use leptos::prelude::*;

use super::PageCtx;
use crate::i18n::{tr, Lang, Localize};
use crate::pagination::{Links, Paged};

/// The HTML document around every page: brand title, logo, favicon, colours, navigation by role, footer.
pub(crate) fn shell(ctx: &PageCtx, title: &str, body: impl IntoView + 'static) -> impl IntoView {
    let brand = ctx.brand.clone();
    let company = brand.company_name.clone();
    let tab_title = if title.is_empty() { company.clone() } else { format!("{title} · {company}") };
    let favicon = brand.favicon_url.clone().unwrap_or_else(|| "/static/favicon.svg".into());
    let css = brand.css_variables();
    let nonce = ctx.nonce.clone();
    let logo = brand.logo_url.clone().map(|src| {
        let alt = tr!(ctx, "shell-logo-alt", company = company.clone());
        view! { <img class="brand-logo" src=src alt=alt height="40"/> }
    });
    let viewer = ctx.viewer.clone();
    let admin_link = viewer
        .as_ref()
        .filter(|v| v.is_provider_admin())
        .map(|_| view! { <li><a href="/admin">{ctx.t("nav-admin")}</a></li> });
    let reseller_link = viewer
        .as_ref()
        .filter(|v| v.is_reseller_admin() || v.is_provider_admin())
        .map(|_| view! { <li><a href="/reseller">{ctx.t("nav-customers")}</a></li> });
    let account_links = viewer.as_ref().map(|_| {
        view! {
            <li><a href="/cart">{ctx.t("nav-cart")}</a></li>
            <li><a href="/account">{ctx.t("nav-my-account")}</a></li>
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
                    <button type="submit" class="link-button">{ctx.t("nav-sign-out")}</button>
                </form>
            }
            .into_any()
        }
        None => view! { <a class="button" href="/login">{ctx.t("nav-sign-in")}</a> }.into_any(),
    };
    let flash = ctx.flash.clone().map(|message| view! { <p class="flash" role="status">{message}</p> });
    let footer_text = brand.footer_text.clone().map(|text| view! { <p>{text}</p> });
    let support = brand.support_email.clone().map(|email| {
        let href = format!("mailto:{email}");
        view! { <p>{ctx.t("footer-support")} " " <a href=href>{email}</a></p> }
    });
    let copyright = format!("© {company}");
    let heading = (!title.is_empty()).then(|| title.to_string());
    let lang = ctx.lang().tag();
    let switcher = language_switcher(ctx);
    view! {
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{tab_title}</title>
                <link rel="icon" href=favicon/>
                <link rel="stylesheet" href="/static/stratus.css"/>
                <style nonce=nonce>{css}</style>
            </head>
            <body>
                <a class="skip-link" href="#main">{ctx.t("shell-skip-to-content")}</a>
                <header class="site-header">
                    <a class="brand" href="/">
                        {logo}
                        <span class="brand-name">{company}</span>
                    </a>
                    <nav aria-label=ctx.t("shell-main-navigation")>
                        <ul>
                            <li><a href="/">{ctx.t("nav-catalogue")}</a></li>
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
                    {switcher}
                </footer>
            </body>
        </html>
    }
}

/// The footer's language switcher: one button per language (no script), each posting the
/// choice and coming back to this page. A signed-in user's choice is saved on the account.
fn language_switcher(ctx: &PageCtx) -> impl IntoView {
    let current = ctx.lang();
    let token = ctx.csrf_token.clone();
    // Back to this page; a refusal an action answered has no page to come back to (its
    // path takes only POST): the catalogue then.
    let back = if ctx.is_get { ctx.path.clone() } else { "/".to_string() };
    let buttons: Vec<_> = Lang::ALL
        .into_iter()
        .map(|lang| {
            let pressed = if lang == current { "true" } else { "false" };
            view! {
                <button type="submit" class="link-button" name="language" value=lang.tag() lang=lang.tag()
                    aria-pressed=pressed>{lang.native_name()}</button>
            }
        })
        .collect();
    view! {
        <form class="language-switcher" method="post" action="/language">
            <input type="hidden" name="csrf_token" value=token/>
            <input type="hidden" name="next" value=back/>
            <span>{ctx.t("footer-language")} " "</span>
            {buttons}
        </form>
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

/// "Page 2 of 5" with First / Previous / Next / Last links (plain links, no script); `base`
/// is the path and the list's own query (its filters) without the paging parameters. A
/// keyset-paged list links by cursor (`after=` / `before=` / `last=`, with `page=` only for
/// the label), a short one by `page=`.
pub(crate) fn pager<T>(loc: &impl Localize, paged: &Paged<T>, base: &str) -> impl IntoView {
    // `base` may carry a query already (a search): the paging parameters join it.
    let joiner = if base.contains('?') { '&' } else { '?' };
    let link = |query: String| format!("{base}{joiner}{query}");
    let (previous, next, last) = match &paged.links {
        Links::Numbers => (
            link(format!("page={}", paged.page.saturating_sub(1).max(1))),
            link(format!("page={}", paged.page + 1)),
            link(format!("page={}", paged.pages)),
        ),
        Links::Cursors { previous, next } => (
            link(format!(
                "before={}&page={}",
                previous.clone().unwrap_or_default(),
                paged.page.saturating_sub(1).max(1)
            )),
            link(format!("after={}&page={}", next.clone().unwrap_or_default(), paged.page + 1)),
            link("last=1".into()),
        ),
    };
    let first = base.to_string();
    let backwards = paged.has_previous().then(|| {
        view! {
            <a rel="first" href=first>{loc.t("pager-first")}</a>
            " "
            <a rel="prev" href=previous>{loc.t("pager-previous")}</a>
        }
    });
    let forwards = paged.has_next().then(|| {
        view! {
            <a rel="next" href=next>{loc.t("pager-next")}</a>
            " "
            <a rel="last" href=last>{loc.t("pager-last")}</a>
        }
    });
    let label = tr!(
        loc,
        "pager-label",
        page = loc.number(i64::try_from(paged.page).unwrap_or(i64::MAX)),
        pages = loc.number(i64::try_from(paged.pages).unwrap_or(i64::MAX)),
        total = loc.number(i64::try_from(paged.total).unwrap_or(i64::MAX))
    );
    view! {
        <nav class="pager" aria-label=loc.t("pager-pages")>
            {backwards}
            <span>{label}</span>
            {forwards}
        </nav>
    }
}

/// A short empty-state message.
/// The footer of a table of priced lines (three columns before the amounts, one after):
/// net subtotal, VAT at `rate`, total, in `currency`.
pub(crate) fn totals_footer(
    loc: &impl Localize,
    net: i64,
    tax: i64,
    total: i64,
    rate: crate::billing::tax::VatRate,
    currency: &str,
) -> impl IntoView {
    let money = |amount: i64| loc.money(amount, currency);
    let vat =
        tr!(loc, "totals-vat", rate = crate::i18n::format::hundredths(loc.lang(), i64::from(rate.basis_points())));
    view! {
        <tfoot>
            <tr><th colspan="3">{loc.t("totals-subtotal-net")}</th><th class="num">{money(net)}</th><th></th></tr>
            <tr><th colspan="3">{vat}</th><th class="num">{money(tax)}</th><th></th></tr>
            <tr><th colspan="3">{loc.t("totals-total")}</th><th class="num">{money(total)}</th><th></th></tr>
        </tfoot>
    }
}

pub(crate) fn empty(message: impl Into<String>) -> impl IntoView {
    let message = message.into();
    view! { <p class="empty">{message}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paged(page: u64, links: Links) -> Paged<u8> {
        Paged { items: vec![1], page, pages: 3, total: 60, links }
    }

    #[test]
    fn the_pager_links_by_cursor_and_keeps_the_lists_filters() {
        let middle = paged(2, Links::Cursors { previous: Some("AAA".into()), next: Some("BBB".into()) });
        let html = pager(&Lang::En, &middle, "/admin/payments/transactions?q=BO-1").to_html();
        for link in [
            r#"rel="first" href="/admin/payments/transactions?q=BO-1""#,
            r#"rel="prev" href="/admin/payments/transactions?q=BO-1&amp;before=AAA&amp;page=1""#,
            r#"rel="next" href="/admin/payments/transactions?q=BO-1&amp;after=BBB&amp;page=3""#,
            r#"rel="last" href="/admin/payments/transactions?q=BO-1&amp;last=1""#,
        ] {
            assert!(html.contains(link), "{link} in {html}");
        }
        assert!(html.contains("Page 2 of 3 · 60 in all"));
        let first = paged(1, Links::Cursors { previous: None, next: Some("BBB".into()) });
        let html = pager(&Lang::En, &first, "/admin/audit").to_html();
        assert!(!html.contains("rel=\"prev\"") && !html.contains("rel=\"first\""), "{html}");
        assert!(html.contains(r#"href="/admin/audit?after=BBB&amp;page=2""#), "{html}");
    }

    #[test]
    fn a_short_list_links_by_page_number() {
        let html = pager(&Lang::En, &paged(2, Links::Numbers), "/reports?field=total&sums=on").to_html();
        assert!(html.contains(r#"rel="prev" href="/reports?field=total&amp;sums=on&amp;page=1""#), "{html}");
        assert!(html.contains(r#"rel="next" href="/reports?field=total&amp;sums=on&amp;page=3""#), "{html}");
        assert!(html.contains(r#"rel="last" href="/reports?field=total&amp;sums=on&amp;page=3""#), "{html}");
    }
}
