//! Rebranding: every route of the application, walked as each kind of visitor, carries the
//! brand the resolution rule picks and no other; brand editing, its permissions, the
//! premium switch, uploads, the configuration file and injection attempts.

use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use stratus::branding::check::BrandFields;
use stratus::entities::{accounts, brand_hosts, brands};
use stratus::server::{route_table, RouteKind};

use crate::support::{csrf_in, location, run_invoice_number, Browser, TestApp};

/// What identifies a brand on a page.
#[derive(Debug)]
pub struct BrandMarks {
    pub name: &'static str,
    pub primary: &'static str,
    pub accent: &'static str,
    pub footer: &'static str,
}

pub const STRATUS: BrandMarks = BrandMarks {
    name: "Stratus Cloud",
    primary: "#1f4e79",
    accent: "#e07a1f",
    footer: "Stratus Cloud SpA · Santiago, Chile",
};
pub const ANDES: BrandMarks = BrandMarks {
    name: "Andes IT",
    primary: "#0b6e4f",
    accent: "#c8553d",
    footer: "Andes IT Ltda. · Su socio en la nube, de Arica a Punta Arenas",
};
pub const PACIFIC: BrandMarks =
    BrandMarks { name: "Pacific Partners", primary: "#3a3a8c", accent: "#8c3a6b", footer: "Pacific Partners" };
const ALL_BRANDS: [&BrandMarks; 3] = [&STRATUS, &ANDES, &PACIFIC];

/// Asserts that an HTML page carries `expected` (title, header name, colours, footer) and
/// none of the other demo brands' marks.
pub fn assert_brand(what: &str, body: &str, expected: &BrandMarks) {
    assert!(body.starts_with("<!DOCTYPE html>"), "{what}: not a full HTML page:\n{body:.300}");
    assert!(body.contains(&format!("{}</title>", expected.name)), "{what}: tab title is not {}", expected.name);
    assert!(
        body.contains(&format!("<span class=\"brand-name\">{}</span>", expected.name)),
        "{what}: header name is not {}",
        expected.name
    );
    assert!(
        body.contains(&format!(":root{{--brand-primary:{};--brand-accent:{};}}", expected.primary, expected.accent)),
        "{what}: colours are not {}'s",
        expected.name
    );
    let footer = body.split("<footer").nth(1).unwrap_or_default();
    assert!(footer.contains(expected.footer), "{what}: footer is not {}'s", expected.name);
    for other in ALL_BRANDS.iter().filter(|b| b.name != expected.name) {
        assert!(!body.contains(&format!("{}</title>", other.name)), "{what}: {}'s title", other.name);
        assert!(!body.contains(&format!("class=\"brand-name\">{}<", other.name)), "{what}: {}'s name", other.name);
        assert!(!body.contains(&format!("--brand-primary:{}", other.primary)), "{what}: {}'s colour", other.name);
        assert!(!body.contains(&format!("--brand-accent:{}", other.accent)), "{what}: {}'s accent", other.name);
        assert!(!footer.contains(&format!("<p>{}</p>", other.footer)), "{what}: {}'s footer", other.name);
    }
}

/// Somebody walking the application.
pub struct Persona {
    pub label: &'static str,
    pub email: Option<&'static str>,
    pub host: Option<&'static str>,
    /// The code their own account's pages use.
    pub account: &'static str,
    pub expected: &'static BrandMarks,
}

/// A demo-data value for every path parameter; a new parameter must be added here.
pub fn concrete_path(pattern: &str, persona: &Persona) -> String {
    let mut parts = Vec::new();
    let contoso_invoice = run_invoice_number("CONTOSO", 2);
    for segment in pattern.split('/') {
        let value = match segment {
            "{code}"
                if ["/products/", "/admin/catalogue/", "/admin/prices/"].iter().any(|p| pattern.starts_with(p)) =>
            {
                "M365-BS"
            }
            "{code}" if pattern.starts_with("/admin/accounts/") || pattern.starts_with("/admin/resellers/") => "ANDES",
            // The provider's direct customer: the provider admin's to manage, nobody else's.
            "{code}" if pattern.starts_with("/reseller/customers/") => "TAILSPIN",
            "{code}" => persona.account,
            "{id}" | "{brand_id}" => "1",
            "{image}" => "logo",
            "{number}" if pattern.starts_with("/invoices/") => contoso_invoice.as_str(),
            "{number}" => "SO-0000001",
            "{*file}" => "stratus.css",
            "{token}" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "{provider_id}" => "1",
            s if s.starts_with('{') => panic!("route {pattern}: add a demo value for {s} to concrete_path"),
            s => s,
        };
        parts.push(value.to_string());
    }
    parts.join("/")
}

impl Persona {
    async fn browser(&self, app: &TestApp) -> Browser {
        let browser = app.new_browser();
        if let Some(email) = self.email {
            browser.sign_in(email).await;
        }
        browser
    }
}

/// Sends a request as the persona (with its Host header) and follows redirects that stay
/// on this site; answers the final status, content type and body.
async fn visit(
    browser: &Browser,
    persona: &Persona,
    method: Method,
    path: &str,
    csrf: &str,
) -> (StatusCode, String, String) {
    let mut method = method;
    let mut path = path.to_string();
    for _ in 0..6 {
        let mut request = browser.client.request(method.clone(), browser.url(&path));
        if let Some(host) = persona.host {
            request = request.header("host", host);
        }
        if method == Method::POST {
            request = request.form(&[("csrf_token", csrf)]);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        if status.is_redirection() {
            let next = location(&response);
            if !next.starts_with('/') || next.starts_with("//") {
                // Leaves the site (an identity provider): nothing of ours to brand.
                return (status, String::new(), next);
            }
            method = Method::GET;
            path = next;
            continue;
        }
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        return (status, content_type, response.text().await.expect("body"));
    }
    panic!("{path}: too many redirects");
}

/// Walks every route of the application as `persona`: pages by GET, form actions by an
/// empty POST, and assets, which must never be HTML pages.
async fn walk_every_route(app: &TestApp, persona: &Persona) -> usize {
    let browser = persona.browser(app).await;
    // Signed in, every page has the sign-out form; anonymous, the sign-in page has a form.
    let form_page = if persona.email.is_some() { "/" } else { "/login" };
    let (_, _, body) = visit(&browser, persona, Method::GET, form_page, "").await;
    let csrf = csrf_in(&body).expect("a CSRF token");
    let mut walked = 0;
    for (pattern, kind) in route_table() {
        let path = concrete_path(pattern, persona);
        let what = format!("{} {kind:?} {path}", persona.label);
        let method = if kind == RouteKind::Action { Method::POST } else { Method::GET };
        let (status, content_type, body) = visit(&browser, persona, method, &path, &csrf).await;
        match kind {
            RouteKind::Page | RouteKind::Action => {
                if status.is_redirection() {
                    assert!(pattern.starts_with("/auth/oidc/"), "{what}: only sign-in leaves the site, went to {body}");
                } else {
                    assert!(content_type.starts_with("text/html"), "{what}: {status} {content_type}");
                    assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{what}: 500");
                    assert_brand(&what, &body, persona.expected);
                    if kind == RouteKind::Page {
                        let expected = expected_page(pattern, persona);
                        assert_eq!(status, expected.status(), "{what}: {expected:?}");
                        let sign_in_form = body.contains("action=\"/login\"");
                        assert_eq!(sign_in_form, expected == Expect::SignIn, "{what}: {expected:?}");
                    } else if admin_only_action(pattern) && persona.email.is_some() && persona.account != "STRATUS" {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{what}: the provider's admins only");
                    }
                }
            }
            RouteKind::Asset => {
                assert!(!content_type.starts_with("text/html"), "{what}: an asset route answered with a page");
                assert!(!body.contains("brand-name"), "{what}");
            }
        }
        walked += 1;
    }
    walked
}

/// What a page answers a visitor who walks to it without the flow that leads there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The page itself.
    Shown,
    /// Not for this visitor (or no such object here): the branded 404.
    NotFound,
    /// Needs what the flow brings (a confirmation, WebPay's fields, a report's query).
    BadRequest,
    /// Anonymous: sent to sign in, and the sign-in form is what shows.
    SignIn,
    /// A mailed link that does not work (expired, used, or never issued).
    Gone,
    /// Not on oneself (the walk's `{id}` 1 is the provider admin): the page says where instead.
    Conflict,
}

impl Expect {
    pub fn status(self) -> StatusCode {
        match self {
            Expect::Shown | Expect::SignIn => StatusCode::OK,
            Expect::NotFound => StatusCode::NOT_FOUND,
            Expect::BadRequest => StatusCode::BAD_REQUEST,
            Expect::Gone => StatusCode::GONE,
            Expect::Conflict => StatusCode::CONFLICT,
        }
    }
}

/// Who may see each page, by the demo data: Contoso (Ana's, a customer of Andes) has
/// subscription 1 and the invoice of the month before last; Tailspin (Tina's, a direct customer) has
/// order SO-0000001; the suite's demo has no identity provider.
pub fn expected_page(pattern: &str, persona: &Persona) -> Expect {
    let provider = persona.account == "STRATUS";
    let reseller = persona.email.is_some_and(|e| e.starts_with("admin@")) && !provider;
    let customer = persona.email.is_some() && !provider && !reseller;
    let contoso_side = matches!(persona.account, "CONTOSO" | "ANDES") || provider;
    let shown_if = |allowed: bool| if allowed { Expect::Shown } else { Expect::NotFound };
    match pattern {
        p if p.starts_with("/auth/oidc/") || p == "/admin/identity-providers/{id}" && persona.email.is_some() => {
            Expect::NotFound
        }
        "/checkout/webpay/return" => Expect::BadRequest,
        "/login" if persona.email.is_none() => Expect::SignIn,
        "/" | "/login" | "/logout" | "/products/{code}" | "/password-reset" | "/sign-up" => Expect::Shown,
        "/password-reset/{token}" | "/verify-email/{token}" | "/invitation/{token}" => Expect::Gone,
        // Nobody has typed a password that waits for its code; a signed-in visitor goes on.
        "/login/second-factor" if persona.email.is_none() => Expect::Gone,
        "/login/second-factor" => Expect::Shown,
        _ if persona.email.is_none() => Expect::SignIn,
        "/account"
        | "/account/preferences"
        | "/account/login-options/local"
        | "/account/login-options/authenticator"
        | "/accounts/{code}"
        | "/cart" => Expect::Shown,
        "/account/reauth" => Expect::BadRequest,
        // Account admins: Ana is Contoso's; the other customers' users are not admins.
        "/accounts/{code}/users" => shown_if(!customer || persona.email == Some("ana@contoso.demo")),
        // The demo has written no mail yet: there is no message to open.
        "/admin/outbox/{id}" | "/admin/outbox/{id}/html" => Expect::NotFound,
        // Nor has anybody started a billing run or an import.
        "/admin/jobs/{id}" => Expect::NotFound,
        // User 1 is the provider admin: their own factors are changed in Login Options.
        "/admin/users/{id}/reset-second-factors" if provider => Expect::Conflict,
        p if p.starts_with("/admin") => shown_if(provider),
        "/api-clients"
        | "/brands/{code}"
        | "/reports"
        | "/reseller"
        | "/reseller/audit"
        | "/reseller/customers/new" => shown_if(!customer),
        "/reseller/customers/{code}" => shown_if(provider),
        // The provider's own prices are Admin → Prices; a reseller's price list is its own.
        "/reseller/prices" => shown_if(reseller),
        "/reports/export.csv" if customer => Expect::NotFound,
        "/reports/export.csv" => Expect::BadRequest,
        "/invoices/{number}" | "/subscriptions/{id}" => shown_if(contoso_side),
        "/orders/{number}" => shown_if(persona.account == "TAILSPIN" || provider),
        other => panic!("{other}: say who may see it in expected_page"),
    }
}

/// Actions only the provider's admins may take (logo uploads aside: their multipart body
/// is read before the viewer is known, so an empty post is a 400 for everyone; the price
/// import, `/admin/prices/import`, knows its viewer first and answers anyone else 404).
fn admin_only_action(pattern: &str) -> bool {
    let upload = pattern.ends_with("/logo");
    !upload
        && (pattern.starts_with("/admin/")
            || pattern.starts_with("/accounts/{code}/discounts")
            || pattern.starts_with("/orders/{number}/refund")
            || pattern == "/api-clients/password-grant")
}

#[tokio::test]
async fn every_route_carries_the_brand_the_rule_picks_for_each_kind_of_visitor() {
    let app = TestApp::start().await;
    let personas = [
        Persona {
            label: "customer of a branded reseller",
            email: Some("ana@contoso.demo"),
            host: None,
            account: "CONTOSO",
            expected: &ANDES,
        },
        Persona {
            label: "customer of an unbranded reseller",
            email: Some("fabio@fabrikam.demo"),
            host: None,
            account: "FABRIKAM",
            expected: &STRATUS,
        },
        Persona {
            label: "direct customer",
            email: Some("tina@tailspin.demo"),
            host: None,
            account: "TAILSPIN",
            expected: &STRATUS,
        },
        Persona {
            label: "anonymous on the reseller's custom host",
            email: None,
            host: Some("shop.andes.demo"),
            account: "ANDES",
            expected: &ANDES,
        },
        Persona {
            label: "admin of the branded reseller",
            email: Some("admin@andes.demo"),
            host: None,
            account: "ANDES",
            expected: &ANDES,
        },
        Persona {
            label: "provider admin",
            email: Some("admin@stratus.demo"),
            host: None,
            account: "STRATUS",
            expected: &STRATUS,
        },
        Persona {
            label: "admin of the unbranded reseller",
            email: Some("admin@pacific.demo"),
            host: None,
            account: "PACIFIC",
            expected: &STRATUS,
        },
    ];
    let routes = route_table().len();
    assert!(routes > 40, "the route table lists the application's routes");
    for persona in &personas {
        assert_eq!(walk_every_route(&app, persona).await, routes, "{}", persona.label);
    }
}

async fn set_branding(admin: &Browser, code: &str, enabled: bool) {
    let response = admin
        .submit(
            "/admin/brands",
            &format!("/admin/accounts/{code}/branding"),
            &[("enabled", if enabled { "on" } else { "off" })],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_custom_host_wins_then_the_resellers_brand_then_the_providers() {
    let app = TestApp::start().await;
    let fabio = app.new_browser();
    fabio.sign_in("fabio@fabrikam.demo").await;
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    let on_andes_host = |b: &Browser| b.client.get(b.url("/account")).header("host", "shop.andes.demo").send();

    // A signed-in customer of another reseller, or of the provider, on Andes' host sees Andes.
    assert_brand("fabio on Andes' host", &on_andes_host(&fabio).await.unwrap().text().await.unwrap(), &ANDES);
    assert_brand("tina on Andes' host", &on_andes_host(&tina).await.unwrap().text().await.unwrap(), &ANDES);
    // Elsewhere: Pacific's branding is off, so the provider's.
    assert_brand("fabio", &fabio.page("/account").await.1, &STRATUS);

    // The provider enables branding for Pacific: its customer now sees Pacific's brand.
    app.sign_in("admin@stratus.demo").await;
    set_branding(&app.browser, "PACIFIC", true).await;
    assert_brand("fabio, Pacific enabled", &fabio.page("/account").await.1, &PACIFIC);
    assert_brand("tina", &tina.page("/account").await.1, &STRATUS);
    assert_brand("fabio on Andes' host", &on_andes_host(&fabio).await.unwrap().text().await.unwrap(), &ANDES);
}

#[tokio::test]
async fn disabling_branding_sends_a_resellers_customers_and_custom_host_back_to_the_provider() {
    let app = TestApp::start().await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_brand("ana", &ana.page("/account").await.1, &ANDES);

    app.sign_in("admin@stratus.demo").await;
    let (_, list) = app.page("/admin/brands").await;
    assert!(list.contains("Disable branding for Andes IT"));
    set_branding(&app.browser, "ANDES", false).await;
    let (_, list) = app.page("/admin/brands").await;
    assert!(list.contains("Branding is off for Andes IT"), "a flash says what happened");
    assert!(list.contains("Enable branding for Andes IT"));

    assert_brand("ana, Andes disabled", &ana.page("/account").await.1, &STRATUS);
    let anonymous = app.new_browser();
    let response = anonymous.client.get(anonymous.url("/")).header("host", "shop.andes.demo").send().await.unwrap();
    assert_brand("Andes' host, disabled", &response.text().await.unwrap(), &STRATUS);

    // The brand itself was kept: enabling again brings it back as it was.
    set_branding(&app.browser, "ANDES", true).await;
    assert_brand("ana, Andes enabled again", &ana.page("/account").await.1, &ANDES);
    let (_, audit) = app.page("/admin/audit").await;
    assert!(audit.contains("branding switched"), "each switch is in the audit log");
    assert!(audit.contains("branding enabled: true → false") && audit.contains("branding enabled: false → true"));

    // Only resellers have the switch.
    let response = app.submit("/admin/brands", "/admin/accounts/CONTOSO/branding", &[("enabled", "on")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

fn andes_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("company_name", "Andes Cloud"),
        ("logo_url", "https://cdn.andes.example/logo.png"),
        ("favicon_url", ""),
        ("primary_color", "#123456"),
        ("accent_color", "#abcdef"),
        ("support_email", "ayuda@andes.demo"),
        ("footer_text", "Andes Cloud SpA"),
        ("intent", "save"),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn andes_brand(app: &TestApp) -> brands::Model {
    let andes =
        accounts::Entity::find().filter(accounts::Column::Code.eq("ANDES")).one(&app.db).await.unwrap().unwrap();
    brands::Entity::find().filter(brands::Column::AccountId.eq(andes.id)).one(&app.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_reseller_admin_edits_its_own_brand_and_its_customers_see_it() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let (_, reseller) = app.page("/reseller").await;
    assert!(reseller.contains("href=\"/brands/ANDES\""), "the reseller area links to the brand");
    let (status, form) = app.page("/brands/ANDES").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Andes IT\""));
    assert!(form.contains("Custom hosts: shop.andes.demo. Ask your provider"), "hosts are read-only for resellers");
    assert!(!form.contains("name=\"hosts\""));

    // A crafted hosts field is ignored: custom hosts are the provider's to set.
    let response = app.submit("/brands/ANDES", "/brands/ANDES", &andes_form(&[("hosts", "shop.evil.example")])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let hosts: Vec<String> =
        brand_hosts::Entity::find().all(&app.db).await.unwrap().into_iter().map(|h| h.host).collect();
    assert_eq!(hosts, vec!["shop.andes.demo".to_string()]);

    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let (_, body) = ana.page("/account").await;
    assert!(body.contains("My Account · Andes Cloud</title>"));
    assert!(body.contains(":root{--brand-primary:#123456;--brand-accent:#abcdef;}"));
    assert!(body.contains("src=\"https://cdn.andes.example/logo.png\""));
    assert!(body.contains("Andes Cloud SpA") && body.contains("mailto:ayuda@andes.demo"));
}

#[tokio::test]
async fn preview_shows_the_brand_without_saving_it() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let before = andes_brand(&app).await;
    let response = app.submit("/brands/ANDES", "/brands/ANDES", &andes_form(&[("intent", "preview")])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("Preview (not saved yet)"));
    assert!(body.contains(".brand-preview{--brand-primary:#123456;--brand-accent:#abcdef;}"));
    assert!(body.contains("<span class=\"preview-name\">Andes Cloud</span>"));
    assert_brand("the preview page itself", &body, &ANDES);
    assert_eq!(andes_brand(&app).await, before, "nothing saved");
}

#[tokio::test]
async fn markup_css_and_script_in_a_brand_are_refused_with_a_message_and_change_nothing() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let before = andes_brand(&app).await;
    let cases = [
        (
            "primary_color",
            "#000000;}</style><script>alert(1)</script>",
            "The primary colour must be a colour written as #rrggbb",
        ),
        ("accent_color", "red", "The accent colour must be a colour written as #rrggbb"),
        ("company_name", "\"><script>alert(1)</script>", "The company name may not contain &lt; or &gt;."),
        ("footer_text", "</style><style>body{display:none}", "The footer text may not contain &lt; or &gt;."),
        (
            "logo_url",
            "javascript:alert(1)",
            "The logo address must be an https:// address, or a path under /static/ or /brand-assets/",
        ),
        ("favicon_url", "data:image/svg+xml,<svg onload=alert(1)>", "The favicon address must be an https:// address"),
        ("logo_url", "https://x.example/a.png\" onerror=\"alert(1)", "The logo address must be"),
        // Another page of the site would be fetched by every visitor's browser with their cookies.
        ("logo_url", "/account/login-options/local/disconnect", "The logo address must be"),
        ("favicon_url", "http://cdn.example/favicon.ico", "The favicon address must be an https:// address"),
    ];
    for (field, value, message) in cases {
        let response = app.submit("/brands/ANDES", "/brands/ANDES", &andes_form(&[(field, value)])).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{field}={value}: no message `{message}`");
        assert!(!body.contains("<script>alert(1)"), "{field}: echoed unescaped");
        assert!(!body.contains("--brand-primary:#000000;}"), "{field}");
        assert_brand(field, &body, &ANDES);
        assert_eq!(andes_brand(&app).await, before, "{field}: nothing saved");
    }
}

#[tokio::test]
async fn values_that_reached_the_database_another_way_still_cannot_inject() {
    let app = TestApp::start().await;
    let mut row: brands::ActiveModel = andes_brand(&app).await.into();
    row.company_name = Set("Evil</title><script>alert(1)</script>".into());
    // PostgreSQL keeps colours to 7 characters; even so, "</style" must not reach the CSS.
    row.primary_color = Set("</style".into());
    row.logo_url = Set(Some("javascript:alert(3)".into()));
    row.footer_text = Set(Some("<img src=x onerror=alert(4)>".into()));
    row.update(&app.db).await.unwrap();
    let response = app.client.get(app.url("/")).header("host", "shop.andes.demo").send().await.unwrap();
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script>alert"), "names are escaped");
    assert!(body.contains("Evil&lt;/title&gt;&lt;script&gt;"));
    assert!(body.contains(":root{--brand-primary:#1f4e79;"), "an invalid colour falls back to the default");
    assert_eq!(body.matches("</style").count(), 1, "only the style element's own end tag");
    assert!(!body.contains("javascript:"), "an unsafe logo URL is dropped");
    assert!(!body.contains("<img src=x"));
}

#[tokio::test]
async fn a_reseller_cannot_edit_another_resellers_brand_nor_the_providers() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let pacific_before = brands::Entity::find().all(&app.db).await.unwrap();
    for code in ["PACIFIC", "STRATUS", "CONTOSO", "NOPE"] {
        let (status, _) = app.page(&format!("/brands/{code}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {code}");
        let response = app.submit("/brands/ANDES", &format!("/brands/{code}"), &andes_form(&[])).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {code}");
        let response = app.submit("/brands/ANDES", &format!("/brands/{code}/logo/remove"), &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "remove on {code}");
    }
    let (status, _) = app.page("/admin/brands").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app.submit("/brands/ANDES", "/admin/accounts/PACIFIC/branding", &[("enabled", "on")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(brands::Entity::find().all(&app.db).await.unwrap(), pacific_before);
    let pacific = accounts::Entity::find().filter(accounts::Column::Code.eq("PACIFIC")).one(&app.db).await.unwrap();
    assert!(!pacific.unwrap().branding_enabled);

    // A reseller whose branding is off is told so, and cannot save.
    let pacific_admin = app.new_browser();
    pacific_admin.sign_in("admin@pacific.demo").await;
    let (status, body) = pacific_admin.page("/brands/PACIFIC").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Branding is not enabled for your account"));
    assert!(!body.contains("name=\"company_name\""));
    let response = pacific_admin.submit("/brands/PACIFIC", "/brands/PACIFIC", &andes_form(&[])).await;
    assert!(response.text().await.unwrap().contains("Branding is not enabled for your account"));
    assert_eq!(brands::Entity::find().all(&app.db).await.unwrap(), pacific_before);
}

#[tokio::test]
async fn the_provider_sets_custom_hosts_and_no_host_serves_two_brands() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    set_branding(&app.browser, "PACIFIC", true).await;
    let pacific_form = |hosts: &'static str| {
        vec![
            ("company_name", "Pacific Partners"),
            ("primary_color", "#3a3a8c"),
            ("accent_color", "#8c3a6b"),
            ("footer_text", "Pacific Partners"),
            ("hosts", hosts),
            ("intent", "save"),
        ]
    };
    let response = app.submit("/brands/PACIFIC", "/brands/PACIFIC", &pacific_form("shop.andes.demo")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("`shop.andes.demo` is already the custom host of another brand."));
    let response =
        app.submit("/brands/PACIFIC", "/brands/PACIFIC", &pacific_form("https://shop.pacific.example/")).await;
    assert!(response.text().await.unwrap().contains("is not a host name like shop.example.com"));

    let response = app
        .submit("/brands/PACIFIC", "/brands/PACIFIC", &pacific_form("Shop.Pacific.Example\nwww.pacific.example"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let anonymous = app.new_browser();
    for host in ["shop.pacific.example", "www.pacific.example:3000"] {
        let response = anonymous.client.get(anonymous.url("/")).header("host", host).send().await.unwrap();
        assert_brand(host, &response.text().await.unwrap(), &PACIFIC);
    }
    let (_, list) = app.page("/admin/brands").await;
    assert!(list.contains("shop.pacific.example, www.pacific.example"));
}

fn image_form(bytes: Vec<u8>, mime: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part("image", reqwest::multipart::Part::bytes(bytes).file_name("upload").mime_str(mime).unwrap())
}

#[tokio::test]
async fn uploaded_logos_and_favicons_are_checked_stored_and_served_safely() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let csrf = app.csrf("/brands/ANDES").await;
    let upload = |image: &str, bytes: Vec<u8>, mime: &str| {
        let url = app.url(&format!("/brands/ANDES/{image}?csrf_token={}", stratus::error::encode_query_value(&csrf)));
        app.client.post(url).multipart(image_form(bytes, mime)).send()
    };
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();

    // A page pretending to be a PNG, a type the favicon does not take, and a file too large.
    let response = upload("logo", b"<html><script>alert(1)</script>".to_vec(), "image/png").await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("content is not the image type it claims to be."), "{body}");
    let response = upload("favicon", vec![0xff, 0xd8, 0xff, 0xe0], "image/jpeg").await.unwrap();
    assert!(response.text().await.unwrap().contains("The favicon must be a PNG, SVG or ICO image."));
    let mut big = png.clone();
    big.resize(300 * 1024, 0);
    let response = upload("logo", big, "image/png").await.unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains("The logo may be at most 200 KB."), "{body}");
    let response = upload("banner", png.clone(), "image/png").await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(andes_brand(&app).await.logo_data.is_none(), "nothing stored");

    let response = upload("logo", png.clone(), "image/png").await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = upload("favicon", vec![0, 0, 1, 0, 1, 0], "image/x-icon").await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let brand = andes_brand(&app).await;
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let (_, body) = ana.page("/cart").await;
    let logo_src = format!("/brand-assets/{}/logo?v=", brand.id);
    assert!(body.contains(&format!("src=\"{logo_src}")), "the logo is the upload");
    assert!(body.contains(&format!("rel=\"icon\" href=\"/brand-assets/{}/favicon?v=", brand.id)));

    let response = ana.get(&format!("/brand-assets/{}/logo", brand.id)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), png);

    // Removing the upload goes back to no logo.
    let response = app.submit("/brands/ANDES", "/brands/ANDES/logo/remove", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The reseller's trail names each upload and removal by type and size, never its bytes.
    let (_, audit) = app.page("/reseller/audit").await;
    assert!(audit.contains("logo: uploaded image/png (16 bytes)"), "{audit}");
    assert!(audit.contains("favicon: uploaded image/x-icon (6 bytes)"));
    assert!(audit.contains("logo: uploaded image → (removed)"));
    let (_, body) = ana.page("/cart").await;
    assert!(!body.contains(&logo_src));
    assert_eq!(ana.get(&format!("/brand-assets/{}/logo", brand.id)).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn brands_declared_in_the_configuration_file_are_applied_at_start_up() {
    let pacific = BrandFields {
        account: "PACIFIC".into(),
        company_name: "Pacific Cloud".into(),
        primary_color: "#224466".into(),
        accent_color: "#884422".into(),
        footer_text: "Pacific Cloud Ltda.".into(),
        hosts: Some(vec!["shop.pacific.example".into()]),
        branding_enabled: Some(true),
        ..BrandFields::default()
    };
    let declared = pacific.clone();
    let app = TestApp::start_with(move |settings| settings.brands = vec![declared]).await;
    let response = app.client.get(app.url("/")).header("host", "shop.pacific.example").send().await.unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains("Catalogue · Pacific Cloud</title>"));
    assert!(body.contains(":root{--brand-primary:#224466;--brand-accent:#884422;}"));
    app.sign_in("fabio@fabrikam.demo").await;
    assert!(app.page("/account").await.1.contains("Pacific Cloud Ltda."));

    // A bad declaration stops the start with a message naming it.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = app_settings(dir.path());
    settings.brands = vec![BrandFields { primary_color: "red".into(), ..pacific }];
    let error = stratus::server::prepare(settings).await.err().expect("refused");
    let message = error.to_string();
    assert!(message.contains("[[brand]] PACIFIC") && message.contains("primary colour"), "{message}");
}

#[tokio::test]
async fn a_brand_from_the_configuration_file_is_audited_when_it_changes_and_only_then() {
    let pacific = BrandFields {
        account: "PACIFIC".into(),
        company_name: "Pacific Cloud".into(),
        primary_color: "#224466".into(),
        accent_color: "#884422".into(),
        footer_text: "Pacific Cloud Ltda.".into(),
        hosts: Some(vec!["shop.pacific.example".into()]),
        ..BrandFields::default()
    };
    let file = pacific.clone();
    let app = TestApp::start_with(move |settings| settings.brands = vec![file]).await;
    let entries = app.audit_by("configuration file").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0].action.as_str(), entries[0].target.as_str()), ("brand changed", "brand of PACIFIC"));
    assert!(entries[0].changes.contains("hosts: shop.pacific.example"), "{}", entries[0].changes);

    let file = pacific.clone();
    drop(TestApp::start_on(&app, move |settings| settings.brands = vec![file]).await);
    assert_eq!(app.audit_by("configuration file").await.len(), 1, "the same file changes nothing");

    let changed = BrandFields { footer_text: "Pacific Cloud SpA".into(), ..pacific };
    let _restarted = TestApp::start_on(&app, move |settings| settings.brands = vec![changed]).await;
    let entries = app.audit_by("configuration file").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].changes, "footer: Pacific Cloud Ltda. → Pacific Cloud SpA");
}

pub fn app_settings(dir: &std::path::Path) -> stratus::config::Settings {
    stratus::config::Settings {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("stratus.db").display()),
        addr: "127.0.0.1:0".parse().unwrap(),
        base_url: "http://127.0.0.1:0".into(),
        secret_key: stratus::config::SecretKeySource::File(dir.join("secret.key")),
        demo: true,
        demo_identity: false,
        webpay_timeout: std::time::Duration::from_secs(20),
        api_requests_per_minute: 600,
        auth: Default::default(),
        identity_providers: vec![],
        brands: vec![],
        webpay: None,
        trusted_proxies: vec![],
        export_stall: std::time::Duration::from_secs(30),
        shutdown_grace: std::time::Duration::from_secs(30),
        jobs_every: std::time::Duration::from_secs(60),
        mail: Default::default(),
        metrics_addr: None,
        expose_query_counts: true,
    }
}
