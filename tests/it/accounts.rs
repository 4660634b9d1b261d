//! Scoping: who may open which account's pages.

use reqwest::StatusCode;

use crate::support::{run_invoice_number, TestApp};

#[tokio::test]
async fn a_customer_sees_its_own_account_and_gets_404_for_any_other() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (status, body) = app.page("/accounts/CONTOSO").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&run_invoice_number("CONTOSO", 2)));
    let fabrikams = run_invoice_number("FABRIKAM", 2);
    for other in ["FABRIKAM", "TAILSPIN", "ANDES", "STRATUS", "NOPE"] {
        let (status, body) = app.page(&format!("/accounts/{other}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other}");
        assert!(!body.contains(&fabrikams));
        assert!(body.contains("Page not found"));
    }
    assert_eq!(app.get("/reseller").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/admin").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reseller_admin_opens_its_own_customers_and_not_another_resellers() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let (status, body) = app.page("/reseller").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Contoso Chile"));
    assert!(!body.contains("Fabrikam"));
    assert!(!body.contains("Tailspin"));

    let (status, body) = app.page("/accounts/CONTOSO").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ana@contoso.demo"));
    assert!(body.contains("Microsoft 365 Business Standard"));
    assert_eq!(app.get("/accounts/ANDES").await.status(), StatusCode::OK);
    for other in ["FABRIKAM", "PACIFIC", "TAILSPIN", "STRATUS"] {
        assert_eq!(app.get(&format!("/accounts/{other}")).await.status(), StatusCode::NOT_FOUND, "{other}");
    }
    assert_eq!(app.get("/admin/users").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_provider_admin_opens_every_account() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    for code in ["STRATUS", "ANDES", "CONTOSO", "PACIFIC", "FABRIKAM", "TAILSPIN"] {
        assert_eq!(app.get(&format!("/accounts/{code}")).await.status(), StatusCode::OK, "{code}");
    }
    let (_, body) = app.page("/admin").await;
    for name in ["Andes IT", "Contoso Chile", "Pacific Partners", "Fabrikam", "Tailspin Toys"] {
        assert!(body.contains(name), "{name}");
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_come_back() {
    let app = TestApp::start().await;
    for path in ["/account", "/cart", "/accounts/CONTOSO", "/admin", "/reseller"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(crate::support::location(&response).starts_with("/login?next="), "{path}");
    }
}

#[tokio::test]
async fn a_fresh_installation_gets_its_first_provider_admin() {
    let app = TestApp::start_with(|settings| settings.demo = false).await;
    let (status, body) = app.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("There are no products in the catalogue yet."));

    let create = |email: &'static str| {
        let db = app.db.clone();
        async move {
            stratus::accounts::bootstrap::create_provider_admin(
                &db,
                "Nimbus Cloud",
                email,
                "Nina Admin",
                "first admin password",
            )
            .await
        }
    };
    use stratus::accounts::bootstrap::BootstrapError;
    assert_eq!(create("nina@nimbus.example").await, Ok(()));
    assert_eq!(create("nina@nimbus.example").await, Err(BootstrapError::EmailTaken("nina@nimbus.example".into())));
    assert!(matches!(create("not-an-email").await, Err(BootstrapError::Invalid(_))));

    let response = app.sign_in_with("nina@nimbus.example", "first admin password").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, body) = app.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Nimbus Cloud"), "the new provider's brand");
    let (_, audit) = app.page("/admin/audit").await;
    assert!(audit.contains("provider admin created") && audit.contains("command line"), "{audit}");
    assert!(audit.contains("e-mail: nina@nimbus.example"));
}
