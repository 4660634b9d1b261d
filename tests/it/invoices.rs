//! Invoices: the detail page with each item's Usage, scoped like everything else, and
//! the links between credit and debit invoices.

use reqwest::StatusCode;

use crate::support::{run_invoice_number, TestApp};

/// Pesos as the English pages write them: `CLP 1,234,567`, a minus sign in front when negative.
fn clp(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{}CLP {grouped}", if amount < 0 { "-" } else { "" })
}

#[tokio::test]
async fn a_customer_reads_an_invoice_with_the_usage_of_every_item() {
    use chrono::{Datelike, Months, Utc};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use stratus::entities::usage_records;
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    // Contoso's invoice for the month before last, from the demo's billing run.
    let number = run_invoice_number("CONTOSO", 2);
    let (_, account) = app.page("/account").await;
    assert!(account.contains(&format!("href=\"/invoices/{number}\"")), "My Account links to the invoice");
    let (status, body) = app.page(&format!("/invoices/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!("<title>Invoice {number} · Andes IT</title>")));
    for usage in ["Microsoft 365", "Add-on", "MS Azure", "Acronis", "Discount"] {
        assert!(body.contains(&format!("<td>{usage}</td>")), "{usage}");
    }
    // Its 5% loyalty discount, of 25 licences and add-ons, 10 Acronis workloads and the
    // legacy Azure used from the 20th of the month before to the 19th.
    let month = Utc::now().date_naive().with_day(1).unwrap() - Months::new(2);
    let window = ((month - Months::new(1)).with_day(20).unwrap(), month.with_day(19).unwrap());
    let legacy = app.subscription_of("CONTOSO", "AZURE-LEGACY").await;
    let used: i64 = usage_records::Entity::find()
        .filter(usage_records::Column::SubscriptionId.eq(legacy.id))
        .filter(usage_records::Column::UsageDate.between(window.0, window.1))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.amount)
        .sum();
    assert!(used > 0, "the demo has legacy Azure usage that month");
    let charged = 25 * 11_500 + 25 * 1_900 + used + 10 * 7_900;
    let discount = charged * 5 / 100;
    assert!(body.contains(&clp(-discount)), "the discount line is negative: {}", clp(-discount));
    assert!(body.contains("Billed by</dt><dd>Andes IT"));

    // Fabrikam's, read by Fabio: its reservation (paid upfront, for the term that began
    // that month) and its Azure plan, billed by Pacific Partners.
    let fabio = app.new_browser();
    fabio.sign_in("fabio@fabrikam.demo").await;
    let (status, body) = fabio.page(&format!("/invoices/{}", run_invoice_number("FABRIKAM", 2))).await;
    assert_eq!(status, StatusCode::OK);
    for usage in ["Reserved Instance", "Azure Plan"] {
        assert!(body.contains(&format!("<td>{usage}</td>")), "{usage}");
    }
    assert!(body.contains(&clp(2 * 620_000)), "two reserved instances, a year upfront");
    assert!(body.contains("Billed by</dt><dd>Pacific Partners"));
}

#[tokio::test]
async fn invoices_are_scoped_like_their_accounts() {
    let app = TestApp::start().await;
    let contoso = run_invoice_number("CONTOSO", 2);
    let contoso = format!("/invoices/{contoso}");
    app.sign_in("fabio@fabrikam.demo").await;
    assert_eq!(app.page(&contoso).await.0, StatusCode::NOT_FOUND, "another customer's");
    assert_eq!(app.page("/invoices/NOPE").await.0, StatusCode::NOT_FOUND);
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    assert_eq!(andes.page(&contoso).await.0, StatusCode::OK, "the reseller's customer's");
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert_eq!(pacific.page(&contoso).await.0, StatusCode::NOT_FOUND);
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
    let body = app.finished_job(response).await;
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
    let body = app.finished_job(upload_usage(&app, &csv).await).await;
    assert!(body.contains("0 row(s) imported, 5 refused."), "{body}");
    assert!(body.contains("reference `u-1` was already imported"));
    assert_eq!(usage_records::Entity::find().count(&app.db).await.unwrap(), before + 2);
}
