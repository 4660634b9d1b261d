//! Invoices: the detail page with each item's Usage, scoped like everything else, and
//! the links between credit and debit invoices.

use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn a_customer_reads_an_invoice_with_the_usage_of_every_item() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let (_, account) = app.page("/account").await;
    assert!(account.contains("href=\"/invoices/INV-DEMO-0001\""), "My Account links to the invoice");
    let (status, body) = app.page("/invoices/INV-DEMO-0001").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<title>Invoice INV-DEMO-0001 · Andes IT</title>"));
    for usage in ["Microsoft 365", "Add-on", "Azure Plan", "MS Azure", "Acronis", "Discount"] {
        assert!(body.contains(&format!("<td>{usage}</td>")), "{usage}");
    }
    assert!(body.contains("-CLP 20.000"), "the discount line is negative");
    assert!(body.contains("Billed by</dt><dd>Andes IT"));
}

#[tokio::test]
async fn invoices_are_scoped_like_their_accounts() {
    let app = TestApp::start().await;
    app.sign_in("fabio@fabrikam.demo").await;
    assert_eq!(app.page("/invoices/INV-DEMO-0001").await.0, StatusCode::NOT_FOUND, "another customer's");
    assert_eq!(app.page("/invoices/NOPE").await.0, StatusCode::NOT_FOUND);
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    assert_eq!(andes.page("/invoices/INV-DEMO-0001").await.0, StatusCode::OK, "the reseller's customer's");
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert_eq!(pacific.page("/invoices/INV-DEMO-0001").await.0, StatusCode::NOT_FOUND);
}
