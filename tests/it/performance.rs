//! What a page view costs the database: the statements the busiest pages issue, counted
//! by the server itself (`X-Db-Statements`: sea-orm's statement hook plus the session
//! store's calls), each held to a fixed budget; and the memory of brands and settings
//! that keeps that budget, which must still show every change at once, on every instance.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

use crate::support::*;

async fn statements(browser: &Browser, path: &str) -> u32 {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let count = response.headers().get("x-db-statements").expect("the count header").to_str().expect("text");
    count.parse().expect("a number")
}

/// Every budget is the page's count today: a change that adds a statement to one of these
/// pages (an N+1, a lookup per request) fails here and has to say why.
#[tokio::test]
async fn the_busiest_pages_stay_within_their_statement_budgets() {
    let app = TestApp::start().await;
    let anonymous = app.new_browser();
    // The first view of each kind fills the memory; the budgets are for the views after it.
    for path in ["/", "/products/M365-BS", "/login"] {
        statements(&anonymous, path).await;
    }
    let anonymous_budgets = [("/", 1), ("/products/M365-BS", 1), ("/login", 1)];
    for (path, budget) in anonymous_budgets {
        let used = statements(&anonymous, path).await;
        eprintln!("anonymous {path}: {used} statements");
        assert!(used <= budget, "anonymous {path}: {used} statements, budget {budget}");
    }

    app.sign_in("ana@contoso.demo").await;
    let subscription = app.subscription_of("CONTOSO", "M365-BS").await;
    let invoice = run_invoice_number("CONTOSO", 2);
    let signed_in_budgets = [
        // 13: Login Options reads whether an authenticator app is connected, and the
        // viewer's passkeys are listed (issue 22).
        ("/account".to_string(), 13),
        ("/".to_string(), 5),
        ("/products/M365-BS".to_string(), 5),
        (format!("/subscriptions/{}", subscription.id), 13),
        (format!("/invoices/{invoice}"), 9),
    ];
    for (path, _) in &signed_in_budgets {
        statements(&app, path).await;
    }
    for (path, budget) in &signed_in_budgets {
        let used = statements(&app, path).await;
        eprintln!("ana@contoso.demo {path}: {used} statements");
        assert!(used <= *budget, "ana@contoso.demo {path}: {used} statements, budget {budget}");
    }
}

async fn execute(app: &TestApp, sql: &str) {
    let backend = app.db.get_database_backend();
    app.db.execute(Statement::from_string(backend, sql)).await.expect(sql);
}

/// Two servers on one database: what one changes, the other shows at its next request,
/// although both keep brands and settings in memory.
#[tokio::test]
async fn a_change_to_a_brand_the_sign_in_settings_or_the_catalogue_shows_at_once_on_every_instance() {
    let a = TestApp::start().await;
    let b = TestApp::start_on(&a, |_| {}).await;
    let visitor = b.new_browser();
    let (_, page) = visitor.page("/").await;
    assert!(page.contains("Stratus Cloud"), "the provider's brand");
    let (_, login) = visitor.page("/login").await;
    assert!(login.contains("name=\"password\""), "the password form");

    // Written on A's connection, as any code path there would (the triggers see them all).
    execute(&a, "UPDATE brands SET company_name = 'Nimbus Cloud' WHERE company_name = 'Stratus Cloud'").await;
    execute(&a, "UPDATE auth_settings SET allow_local_login = false").await;

    let (_, page) = visitor.page("/").await;
    assert!(page.contains("Nimbus Cloud"), "B still showed the old brand");
    let (_, login) = visitor.page("/login").await;
    assert!(!login.contains("name=\"password\""), "B still offered the password form");

    // The catalogue too: a product renamed on A is listed under its new name on B.
    let (_, catalogue) = visitor.page("/products/M365-BS").await;
    assert!(!catalogue.contains("Renamed Basic"));
    execute(&a, "UPDATE products SET name = 'Renamed Basic' WHERE code = 'M365-BS'").await;
    let (_, catalogue) = visitor.page("/").await;
    assert!(catalogue.contains("Renamed Basic"), "B still listed the old name");

    // A reseller suspended on A: its storefront on B is unavailable at the next request.
    let andes = b.new_browser();
    let shop = || andes.client.get(andes.url("/")).header("host", "shop.andes.demo").send();
    assert_eq!(shop().await.expect("GET").status(), StatusCode::OK);
    execute(&a, "UPDATE accounts SET status = 'suspended' WHERE code = 'ANDES'").await;
    let after = shop().await.expect("GET");
    assert_eq!(after.status(), StatusCode::SERVICE_UNAVAILABLE, "the suspended reseller's storefront still answered");
    assert!(after.text().await.expect("body").contains("temporarily unavailable"));
}
