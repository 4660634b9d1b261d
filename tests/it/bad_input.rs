//! Bad input answers 4xx with a message, never 500, and changes nothing.

use reqwest::StatusCode;

use crate::support::{cursor_of, pager_label, pager_link, TestApp};

async fn assert_client_error(response: reqwest::Response, what: &str) -> String {
    let status = response.status();
    assert!(status.is_client_error(), "{what}: expected 4xx, got {status}");
    let body = response.text().await.unwrap();
    assert!(body.contains("</html>"), "{what}: a page with a message");
    body
}

#[tokio::test]
async fn malformed_form_bodies_answer_4xx_with_a_message() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let body = assert_client_error(
        app.submit("/account", "/account/password", &[("new_password", "x")]).await,
        "missing fields",
    )
    .await;
    assert!(body.contains("confirm_password"), "the message names the missing field");
    assert_client_error(
        app.submit("/products/M365-BS", "/cart/items", &[("product_code", "M365-BS"), ("quantity", "many")]).await,
        "not a number",
    )
    .await;
    assert_client_error(
        app.submit("/products/M365-BS", "/cart/items", &[("product_code", "M365-BS"), ("quantity", "0")]).await,
        "zero",
    )
    .await;
    assert_client_error(
        app.submit("/products/M365-BS", "/cart/items", &[("product_code", "M365-BS"), ("quantity", "99999999999")])
            .await,
        "overflow",
    )
    .await;
    assert_client_error(app.submit("/cart", "/cart/items/abc/remove", &[]).await, "bad id").await;
    assert_client_error(app.submit("/cart", "/cart/items/999999/remove", &[]).await, "someone else's id").await;
}

#[tokio::test]
async fn unknown_enum_values_are_refused_with_a_message() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let body = assert_client_error(
        app.submit(
            "/products/RI-D2SV5",
            "/cart/items",
            &[
                ("product_code", "RI-D2SV5"),
                ("quantity", "1"),
                ("ri_reservation_type", "Virtual Machines D2s v5"),
                ("ri_term_years", "1"),
                ("ri_payment_plan", "upfront"),
                ("ri_scope", "global"),
                ("ri_region", "eastus"),
            ],
        )
        .await,
        "unknown scope",
    )
    .await;
    assert!(body.contains("single or shared"));
    let body = assert_client_error(
        app.submit(
            "/products/RI-D2SV5",
            "/cart/items",
            &[
                ("product_code", "RI-D2SV5"),
                ("quantity", "1"),
                ("ri_reservation_type", "Virtual Machines D2s v5"),
                ("ri_term_years", "2"),
                ("ri_payment_plan", "upfront"),
                ("ri_scope", "shared"),
                ("ri_region", "eastus"),
            ],
        )
        .await,
        "unknown term",
    )
    .await;
    assert!(body.contains("1 or 3 years"));
    let (_, cart) = app.page("/cart").await;
    assert!(cart.contains("Your cart is empty."), "nothing was added");
}

#[tokio::test]
async fn over_long_fields_and_non_utf8_bytes_are_refused() {
    let app = TestApp::start().await;
    let long = "a".repeat(5_000);
    let body = assert_client_error(app.sign_in_with(&format!("{long}@contoso.demo"), "x").await, "long e-mail").await;
    assert!(body.contains("That e-mail and password did not work."));
    assert_client_error(app.sign_in_with("ana@contoso.demo", &"p".repeat(10_000)).await, "long password").await;

    let token = app.csrf("/login").await;
    let mut raw = format!("csrf_token={token}&email=").into_bytes();
    raw.extend_from_slice(b"\xff\xfe%FF%FE@contoso.demo&password=\xc3\x28");
    let response = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_client_error(response, "non-UTF-8").await;

    app.sign_in("ana@contoso.demo").await;
    let body = assert_client_error(
        app.submit("/account", "/account/profile", &[("name", &"n".repeat(300))]).await,
        "long name",
    )
    .await;
    assert!(body.contains("at most 200 characters"));
}

#[tokio::test]
async fn bad_query_strings_and_huge_bodies_are_refused() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    assert_client_error(app.get("/admin?page=abc").await, "page=abc").await;
    assert_client_error(app.get("/admin?page=-1").await, "page=-1").await;
    // A damaged page link is refused; one edited past the end shows the last page: its
    // label and its rows.
    assert_client_error(app.get("/admin?after=abc").await, "after=abc").await;
    let foreign = cursor_of(r#"{"l":"audit","k":[{"u":"2026-01-01T00:00:00Z"},{"i":1}]}"#);
    assert_client_error(app.get(&format!("/admin?before={foreign}")).await, "another list's cursor").await;
    let (_, first) = app.page("/admin").await;
    let (_, pages) = pager_label(&first);
    let rows = |body: &str| body[body.find("<table").unwrap()..body.find("</table>").unwrap()].to_string();
    // (The demo's accounts may fit on one page: then it is the last one too.)
    let (_, last) = app.page(&pager_link(&first, "last").unwrap_or_else(|| "/admin".into())).await;
    assert_eq!(pager_label(&last), (pages, pages));
    let past = cursor_of(r#"{"l":"accounts","k":[{"t":"zzzzzzzz"},{"i":2147483647}]}"#);
    let (status, past) = app.page(&format!("/admin?after={past}&page=999")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pager_label(&past), (pages, pages), "past the end shows the last page");
    assert_eq!(rows(&past), rows(&last), "the last page's accounts");
    assert!(rows(&past).contains("<td"), "not an empty page");
    let token = app.csrf("/account").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let response = app
        .client
        .post(app.url("/account/profile"))
        .form(&[("csrf_token", token.as_str()), ("name", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    let response = app.client.get(app.url("/account/password")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn admin_forms_refuse_non_numbers() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let body = assert_client_error(
        app.submit("/admin/security", "/admin/security", &[("max_failed_logins", "five"), ("lockout_minutes", "15")])
            .await,
        "non-number",
    )
    .await;
    assert!(body.contains("whole number"));
}
