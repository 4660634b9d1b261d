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

async fn upload_usage(app: &TestApp, csv: &str) -> reqwest::Response {
    let csrf = app.csrf("/admin/usage").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("usage.csv").mime_str("text/csv").unwrap(),
    );
    let url = app.url(&format!("/admin/usage?csrf_token={}", stratus::error::encode_query_value(&csrf)));
    app.client.post(url).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn usage_files_load_good_rows_report_bad_ones_and_never_load_a_row_twice() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use stratus::entities::{subscriptions, usage_records};
    let app = TestApp::start().await;
    let contoso = app.account("CONTOSO").await;
    let subscription = app.subscription_of("CONTOSO", "AZURE-PLAN").await;
    let external = subscription.external_id.clone().unwrap();
    let licences = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(contoso.id))
        .filter(subscriptions::Column::ExternalId.ne(external.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .external_id
        .unwrap();
    let before = usage_records::Entity::find().count(&app.db).await.unwrap();

    // Customers have no such page.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/admin/usage").await.0, StatusCode::NOT_FOUND);

    app.sign_in("admin@stratus.demo").await;
    // Not our format: refused whole, nothing loaded.
    let response = upload_usage(&app, "sub,day,amount\nx,2026-11-01,5\n").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("The first line must be: subscription,date,resource,quantity,amount,cost,reference"));
    assert_eq!(usage_records::Entity::find().count(&app.db).await.unwrap(), before);

    let csv = format!(
        "subscription,date,resource,quantity,amount,cost,reference\n\
         {external},2026-11-01,\"vm D2s v5, eastus\",24,12000,10000,u-1\n\
         {external},2026-11-02,storage,100,3500,3000,u-2\n\
         {external},2026-11-31,storage,1,1,1,u-3\n\
         nobody,2026-11-02,storage,1,1,1,u-4\n\
         {licences},2026-11-02,storage,1,1,1,u-5\n"
    );
    let response = upload_usage(&app, &csv).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("2 row(s) imported, 3 refused."), "{body}");
    assert!(body.contains("date must be YYYY-MM-DD (got `2026-11-31`)"));
    assert!(body.contains("no subscription has the external id `nobody`"));
    assert!(body.contains("is not a consumption subscription"));
    let loaded = usage_records::Entity::find()
        .filter(usage_records::Column::SubscriptionId.eq(subscription.id))
        .all(&app.db)
        .await
        .unwrap();
    let new: Vec<_> = loaded.iter().filter(|r| r.source_ref.as_deref().is_some_and(|s| s.starts_with("u-"))).collect();
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|r| r.usage_family == "Azure Plan" && r.account_id == contoso.id && r.currency == "CLP"));

    // The same file again: every row was already imported.
    let body = upload_usage(&app, &csv).await.text().await.unwrap();
    assert!(body.contains("0 row(s) imported, 5 refused."));
    assert!(body.contains("reference `u-1` was already imported"));
    assert_eq!(usage_records::Entity::find().count(&app.db).await.unwrap(), before + 2);
}
