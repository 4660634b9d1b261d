//! CSRF: a form POST without, or with a wrong, token is refused and changes nothing.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use stratus::entities::users;

use crate::support::TestApp;

async fn ana_name(app: &TestApp) -> String {
    users::Entity::find().filter(users::Column::Email.eq("ana@contoso.demo")).one(&app.db).await.unwrap().unwrap().name
}

#[tokio::test]
async fn a_post_without_or_with_a_wrong_token_is_refused_and_changes_nothing() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let before = ana_name(&app).await;

    let response = app.post_form("/account/profile", &[("name", "Mallory")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(body.contains("did not come from this site"));
    assert!(body.contains("Andes IT"), "the refusal is a branded page");

    let response = app.post_form("/account/profile", &[("name", "Mallory"), ("csrf_token", "forged-token")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(ana_name(&app).await, before);

    // The right token works.
    let response = app.submit("/account", "/account/profile", &[("name", "Ana María Pérez")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(ana_name(&app).await, "Ana María Pérez");
}

#[tokio::test]
async fn a_right_token_from_a_foreign_origin_is_refused() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let token = app.csrf("/account").await;
    let response = app
        .client
        .post(app.url("/account/profile"))
        .header("origin", "https://evil.example")
        .form(&[("name", "Mallory"), ("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_ne!(ana_name(&app).await, "Mallory");
}

#[tokio::test]
async fn sign_in_and_sign_out_forms_need_the_token_too() {
    let app = TestApp::start().await;
    app.page("/login").await;
    let response = app.post_form("/login", &[("email", "ana@contoso.demo"), ("password", "demo-password")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    app.sign_in("ana@contoso.demo").await;
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/account").await.status(), StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn the_token_changes_at_sign_in() {
    let app = TestApp::start().await;
    let anonymous = app.csrf("/login").await;
    app.sign_in("ana@contoso.demo").await;
    let signed_in = app.csrf("/account").await;
    assert_ne!(anonymous, signed_in);
    let response =
        app.post_form("/account/profile", &[("name", "Old token"), ("csrf_token", anonymous.as_str())]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Rows in the session table, on whichever database the test runs.
pub async fn session_rows(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "SELECT COUNT(*) AS n FROM tower_sessions.session",
        _ => "SELECT COUNT(*) AS n FROM tower_sessions",
    };
    let row = app.db.query_one(Statement::from_string(backend, sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn anonymous_page_views_write_no_session_rows_and_their_forms_still_work() {
    let app = TestApp::start().await;
    let before = session_rows(&app).await;
    let pages = ["/", "/products/M365-BS", "/login", "/products/RI-D2SV5"];
    for i in 0..200 {
        let (status, _) = app.page(pages[i % pages.len()]).await;
        assert!(status.is_success() || status.is_redirection(), "{} answered {status}", pages[i % pages.len()]);
    }
    // Visitors without any cookie (a crawler) cost nothing either.
    for _ in 0..20 {
        app.new_browser().page("/").await;
    }
    assert_eq!(session_rows(&app).await, before, "reading pages wrote sessions");

    // The anonymous sign-in form works with the stateless token, and signing in keeps a session.
    app.sign_in("ana@contoso.demo").await;
    assert_eq!(session_rows(&app).await, before + 1);
    assert_eq!(app.get("/account").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_anonymous_token_works_only_with_its_own_cookie() {
    let app = TestApp::start().await;
    let visitor = app.new_browser();
    let victim_token = app.csrf("/login").await;
    // Another visitor's token (from its own page) is refused with this visitor's cookie.
    visitor.page("/login").await;
    let response = visitor
        .post_form(
            "/login",
            &[("email", "ana@contoso.demo"), ("password", "demo-password"), ("csrf_token", &victim_token)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Without the cookie at all, no token is accepted.
    let bare = crate::support::new_client(std::sync::Arc::new(reqwest::cookie::Jar::default()));
    let response = bare
        .post(app.url("/login"))
        .form(&[("email", "ana@contoso.demo"), ("password", "demo-password"), ("csrf_token", victim_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Its own token works.
    let own = visitor.csrf("/login").await;
    let response = visitor
        .post_form("/login", &[("email", "ana@contoso.demo"), ("password", "demo-password"), ("csrf_token", &own)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
