//! Pages: full content without JavaScript, the brand on every page, 404s, headers, cart.

use reqwest::StatusCode;
use stratus::server::{route_table, RouteKind};

use crate::branding::{assert_brand, concrete_path, expected_page, Persona, STRATUS};
use crate::support::{location, TestApp};

fn assert_full_page(path: &str, body: &str) {
    assert!(body.starts_with("<!DOCTYPE html>"), "{path}: not a full document");
    assert!(body.contains("</main>") && body.contains("</html>"), "{path}: incomplete");
    assert!(!body.contains("Loading"), "{path}: shows a loading placeholder");
    // Content never waits for script: the only script is an optional enhancement file.
    for (at, _) in body.match_indices("<script") {
        assert!(body[at..].starts_with("<script src=\"/static/"), "{path}: an inline script");
    }
}

/// Pages reached only from a flow (a confirmation's `?then=`, an identity provider the demo
/// data does not have, WebPay's return with its fields): walked without it they answer with a
/// branded 4xx page.
const NEED_CONTEXT: [&str; 15] = [
    // The walk's user 1 is the admin: not a reset of one's own factors.
    "/admin/users/{id}/reset-second-factors",
    "/account/reauth",
    "/auth/oidc/{id}/login",
    "/auth/oidc/{id}/continue",
    "/auth/oidc/{id}/callback",
    "/admin/identity-providers/{id}",
    "/checkout/webpay/return",
    // Links from e-mails, and the mail a provider admin opens: none exists yet.
    "/password-reset/{token}",
    "/verify-email/{token}",
    "/invitation/{token}",
    "/admin/outbox/{id}",
    "/admin/outbox/{id}/html",
    // A job's progress: the demo has started no billing run or import.
    "/admin/jobs/{id}",
    // A reseller's price list: the provider's prices are under Admin → Prices.
    "/reseller/prices",
    // A download of the report its query defines; without one it says what is missing.
    "/reports/export.csv",
];

const REDIRECTED: [&str; 3] = ["/login", "/account/login-options/local", "/login/second-factor"];

#[tokio::test]
async fn every_page_renders_complete_html_without_javascript_for_the_provider_admin() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let admin = Persona {
        label: "provider admin",
        email: Some("admin@stratus.demo"),
        host: None,
        account: "STRATUS",
        expected: &STRATUS,
    };
    for (pattern, kind) in route_table() {
        if kind != RouteKind::Page {
            continue;
        }
        let path = concrete_path(pattern, &admin);
        let response = app.get(&path).await;
        // Pages that do not apply to a signed-in admin with a password (/login, setting a
        // first password) send it onwards, to another page of the site.
        let (status, body) = if response.status() == StatusCode::SEE_OTHER {
            assert!(REDIRECTED.contains(&pattern), "{path} redirects");
            let next = location(&response);
            assert!(next.starts_with('/'), "{path} -> {next}");
            app.page(&next).await
        } else {
            (response.status(), response.text().await.unwrap())
        };
        if NEED_CONTEXT.contains(&pattern) {
            let expected = expected_page(pattern, &admin).status();
            assert!(expected.is_client_error(), "{path}: {expected}");
            assert_eq!(status, expected, "{path}");
        } else {
            assert_eq!(status, StatusCode::OK, "{path}");
        }
        assert_full_page(&path, &body);
        assert_brand(&path, &body, &STRATUS);
    }
}

#[tokio::test]
async fn a_customer_of_a_branded_reseller_sees_the_resellers_brand() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    for path in ["/", "/products/M365-BS", "/cart", "/account", "/accounts/CONTOSO", "/logout"] {
        let (status, body) = app.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_full_page(path, &body);
        assert!(body.contains("Andes IT"), "{path}");
        assert!(body.contains("--brand-primary:#0b6e4f"), "{path}");
        assert!(!body.contains("Stratus Cloud SpA"), "{path}: another brand's footer");
    }
}

#[tokio::test]
async fn unknown_urls_give_the_branded_404() {
    let app = TestApp::start().await;
    let (status, body) = app.page("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_full_page("/no/such/page", &body);
    assert!(body.contains("Page not found"));
    assert!(body.contains("Stratus Cloud"));

    app.sign_in("ana@contoso.demo").await;
    let (status, body) = app.page("/products/NO-SUCH-PRODUCT").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Andes IT"));

    let response = app.client.get(app.url("/nothing-here")).header("host", "shop.andes.demo").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Andes IT"));
}

#[tokio::test]
async fn the_resellers_custom_host_shows_its_brand_to_anonymous_visitors() {
    let app = TestApp::start().await;
    let response = app.client.get(app.url("/")).header("host", "shop.andes.demo").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("<title>Catalogue · Andes IT</title>"));
    assert!(body.contains("/static/brands/andes.svg"));
    let (_, body) = app.page("/").await;
    assert!(body.contains("<title>Catalogue · Stratus Cloud</title>"));
}

#[tokio::test]
async fn security_headers_are_set_and_the_style_nonce_matches() {
    let app = TestApp::start().await;
    let response = app.get("/").await;
    let headers = response.headers().clone();
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("script-src 'self';"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin");
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap().to_lowercase();
    assert!(cookie.contains("httponly") && cookie.contains("samesite=lax"), "{cookie}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    let body = response.text().await.unwrap();
    assert!(body.contains(&format!("nonce=\"{nonce}\"")));
    let (_, again) = app.page("/").await;
    assert!(!again.contains(&format!("nonce=\"{nonce}\"")), "a nonce is used once");
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::start().await;
    let (status, body) = app.page("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, body) = app.page("/readyz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
}

#[tokio::test]
async fn the_catalogue_shows_prices_in_clp_and_usd() {
    let app = TestApp::start().await;
    let (_, body) = app.page("/").await;
    assert!(body.contains("Microsoft 365 Business Standard"));
    assert!(body.contains("CLP 11,500 per month"));
    assert!(body.contains("US$12.50 per month"));
    assert!(body.contains("Azure Reserved VM Instance D2s v5"));
}

#[tokio::test]
async fn the_cart_adds_updates_and_removes_items_including_reserved_instances() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let response =
        app.submit("/products/M365-BS", "/cart/items", &[("product_code", "M365-BS"), ("quantity", "3")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .submit(
            "/products/RI-D2SV5",
            "/cart/items",
            &[
                ("product_code", "RI-D2SV5"),
                ("quantity", "1"),
                ("ri_reservation_type", "Virtual Machines D2s v5"),
                ("ri_term_years", "3"),
                ("ri_payment_plan", "upfront"),
                ("ri_scope", "single"),
                ("ri_region", "brazilsouth"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page("/cart").await;
    assert!(body.contains("3 year(s) · single scope · brazilsouth"));
    assert!(body.contains("CLP 1,594,500"), "34.500 + 1.560.000, the 3-year upfront price");

    // A USD-only product cannot join a CLP cart.
    let response =
        app.submit("/products/ACRONIS-USD", "/cart/items", &[("product_code", "ACRONIS-USD"), ("quantity", "1")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Your cart is in CLP"));

    // Remove the reserved instance: the total drops to the licences alone.
    let marker = "/cart/items/";
    let ids: Vec<String> = body
        .match_indices(marker)
        .filter_map(|(i, _)| body[i + marker.len()..].split('/').next().map(str::to_string))
        .collect();
    let ri_item = ids.iter().rev().find(|id| body.contains(&format!("/cart/items/{id}/remove"))).unwrap().clone();
    let response = app.submit("/cart", &format!("/cart/items/{ri_item}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.page("/cart").await;
    assert!(!body.contains("brazilsouth"));
    assert!(body.contains("CLP 34,500"));

    // Another customer cannot touch this cart's items.
    let other = app.new_browser();
    other.sign_in("ana@contoso.demo").await;
    let first = ids.first().unwrap();
    let response = other.submit("/cart", &format!("/cart/items/{first}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
