//! Price import (issue 19, item 4): a Microsoft-style price list uploaded under Admin →
//! Prices, or imported with `stratus catalogue import FILE`, creates unpublished products
//! and sets future prices; one refused row writes nothing; only the provider's admins may.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::catalog::price_import::{self, ImportError};
use stratus::entities::enums::{BillingCycle, ProductKind, RiPaymentPlan};
use stratus::entities::{audit_log, prices, products, reservation_prices};

use crate::support::{command_line, location, Browser, TestApp};

const HEADER: &str = "ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,UnitPrice,EffectiveStartDate,EffectiveEndDate,Segment,ERP Price";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A file of `rows` under the header.
fn file(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

/// A price list starting `from`: a new SKU in USD and CLP, another new one yearly, the
/// demo's annual Microsoft 365 E3 and a term and plan of its reserved instance.
fn good_rows(from: NaiveDate) -> Vec<String> {
    let at = format!("{from}T00:00:00.0000000Z");
    vec![
        format!("Microsoft 365 Business Basic,CFQ7TTC0LH18,0001,Microsoft 365 Business Basic,P1M,Monthly,CL,USD,6.60,{at},,Commercial,7.20"),
        format!("Microsoft 365 Business Basic,CFQ7TTC0LH18,0001,Microsoft 365 Business Basic,P1M,Monthly,CL,CLP,6300,{at},,Commercial,6900"),
        format!("Windows 365 Enterprise,CFQ7TTC0HHS9,0001,\"Windows 365 Enterprise 2 vCPU, 4 GB\",P1Y,Annual,CL,USD,345.60,{from},,Commercial,384.00"),
        format!("Microsoft 365 E3,M365,E3,Microsoft 365 E3,P1Y,Annual,CL,CLP,310000,{from},,Commercial,355000"),
        format!("Azure Reserved VM Instance D2s v5,RI,D2SV5,,P3Y,OneTime,CL,CLP,1500000,{from},,Commercial,1650000"),
    ]
}

async fn upload(browser: &Browser, csv: &[u8]) -> reqwest::Response {
    // Every signed-in page carries the session's token (in its sign-out form).
    let csrf = browser.csrf("/account").await;
    let part = reqwest::multipart::Part::bytes(csv.to_vec()).file_name("prices.csv").mime_str("text/csv").unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let url = browser.url(&format!("/admin/prices/import?csrf_token={}", stratus::error::encode_query_value(&csrf)));
    browser.client.post(url).multipart(form).send().await.unwrap()
}

async fn product(app: &TestApp, code: &str) -> Option<products::Model> {
    products::Entity::find().filter(products::Column::Code.eq(code)).one(&app.db).await.unwrap()
}

/// (products, list price rows, reservation price rows, audit entries).
async fn counts(app: &TestApp) -> (u64, u64, u64, u64) {
    (
        products::Entity::find().count(&app.db).await.unwrap(),
        prices::Entity::find().count(&app.db).await.unwrap(),
        reservation_prices::Entity::find().count(&app.db).await.unwrap(),
        audit_log::Entity::find().count(&app.db).await.unwrap(),
    )
}

/// The refusal part of Admin → Prices, for a failing assertion.
fn excerpt(body: &str) -> String {
    let at = body.find("id=\"import\"").unwrap_or(0);
    body[at..].chars().take(1_500).collect()
}

#[tokio::test]
async fn a_price_list_creates_unpublished_products_and_future_prices_that_admin_prices_shows() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let (_, page) = app.page("/admin/prices").await;
    assert!(page.contains("Import a price list (CSV)") && page.contains("enctype=\"multipart/form-data\""));
    let from = today() + Duration::days(10);
    let before = counts(&app).await;

    // Checked whole when posted, then imported in the background: its job page says so.
    let response = upload(&app, file(&good_rows(from)).as_bytes()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", excerpt(&response.text().await.unwrap()));
    assert!(location(&response).starts_with("/admin/jobs/"), "{}", location(&response));
    let job = app.wait_for_job(&location(&response)).await;
    assert!(job.contains("Price list imported: 2 products created (unpublished), 5 prices set."), "{job}");
    assert!(job.contains("5 of 5 prices set"), "{job}");
    let (_, page) = app.page("/admin/prices").await;

    // The new products: unpublished licence subscriptions with the rows' offers.
    let basic = product(&app, "CFQ7TTC0LH18-0001").await.expect("created");
    assert_eq!(
        (basic.name.as_str(), basic.vendor.as_str(), basic.kind, basic.billing_cycle, basic.term_months, basic.active),
        (
            "Microsoft 365 Business Basic",
            "Microsoft",
            ProductKind::LicenseSubscription,
            BillingCycle::Monthly,
            1,
            false
        )
    );
    let windows = product(&app, "CFQ7TTC0HHS9-0001").await.expect("created");
    assert_eq!(
        (windows.name.as_str(), windows.billing_cycle, windows.term_months),
        ("Windows 365 Enterprise 2 vCPU, 4 GB", BillingCycle::Annual, 12)
    );
    assert_eq!(
        app.get("/products/CFQ7TTC0LH18-0001").await.status(),
        StatusCode::NOT_FOUND,
        "not sold until published"
    );

    // Admin → Prices shows them unpublished, with their price from its date, and the demo's
    // products with their next change; today's prices are untouched.
    assert!(page.contains("Microsoft 365 Business Basic</a> (unpublished)"), "{page}");
    let shown_from = stratus::i18n::format::date(stratus::i18n::Lang::En, from);
    assert!(page.contains(&format!("from {shown_from}: US$7.20 (cost US$6.60)")), "{page}");
    assert!(page.contains(&format!("from {shown_from}: CLP 6,900 (cost CLP 6,300)")));
    assert!(page.contains(&format!("from {shown_from}: CLP 355,000 (cost CLP 310,000)")));
    assert!(page.contains("CLP 345,600"), "the E3's price today stays");
    let (status, history) = app.page("/admin/prices/RI-D2SV5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains(&shown_from) && history.contains("3-year term, upfront"), "{history}");
    let reservation = reservation_prices::Entity::find()
        .filter(reservation_prices::Column::EffectiveFrom.eq(from))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the reservation's price");
    assert_eq!(
        (reservation.term_years, reservation.payment_plan, reservation.amount, reservation.unit_cost),
        (3, RiPaymentPlan::Upfront, 1_650_000, 1_500_000)
    );

    // One entry per product and per price, like the forms', and one for the import.
    let after = counts(&app).await;
    assert_eq!((after.0 - before.0, after.1 - before.1, after.2 - before.2), (2, 4, 1));
    let entries = app.audit_by("admin@stratus.demo").await;
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "product created").count(), 2);
    assert_eq!(actions.iter().filter(|a| **a == "price changed").count(), 5);
    assert!(actions.contains(&"price list import started"), "{actions:?}");
    let summary = entries.last().unwrap();
    assert_eq!(summary.action, "price list imported");
    assert_eq!(summary.changes, "products created: 2\nprices set: 5");
    let created = entries.iter().find(|e| e.target == "product CFQ7TTC0LH18-0001").unwrap();
    assert!(created.changes.contains("status: unpublished"), "{}", created.changes);

    // The same file again: the prices are replaced (not started yet), nothing is created.
    let response = upload(&app, file(&good_rows(from)).as_bytes()).await;
    let job = app.finished_job(response).await;
    assert!(job.contains("Price list imported: 0 products created (unpublished), 5 prices set."), "{job}");
    let again = counts(&app).await;
    assert_eq!((again.0, again.1, again.2), (after.0, after.1, after.2), "replaced, not added");
}

#[tokio::test]
async fn a_file_with_one_bad_row_writes_nothing_and_names_its_line() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let from = today() + Duration::days(3);
    let before = counts(&app).await;

    let mut rows = good_rows(from);
    // Line 4: yesterday. Line 8: the E3 is sold yearly. Line 9: line 2 again. Line 10: the
    // E3's price in use changed today.
    let yesterday = rows[2].replace(&from.to_string(), &(today() - Duration::days(1)).to_string());
    rows.insert(2, yesterday);
    rows.push("Microsoft 365 E3,M365,E3,Microsoft 365 E3,P1Y,Monthly,CL,CLP,31000,2099-01-01,,Commercial,35500".into());
    let again = rows[0].clone();
    rows.push(again);
    rows.push(format!(
        "Microsoft 365 E3,M365,E3,Microsoft 365 E3,P1Y,Annual,CL,CLP,310000,{},,Commercial,355000",
        today()
    ));
    let response = upload(&app, file(&rows).as_bytes()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    let refused = excerpt(&body);
    assert!(refused.contains("4 rows were refused, so nothing was imported."), "{refused}");
    assert!(refused.contains("<td class=\"num\">4</td><td>EffectiveStartDate"), "{refused}");
    assert!(
        refused.contains("<td class=\"num\">8</td><td>M365-E3 is sold P1Y Annual; this row is P1Y Monthly"),
        "{refused}"
    );
    assert!(
        refused.contains("<td class=\"num\">9</td><td>Line 2 already prices CFQ7TTC0LH18-0001 in USD from"),
        "{refused}"
    );
    assert!(refused.contains(&format!("<td class=\"num\">10</td><td>M365-E3 in CLP from {}: A change to a price already in use starts tomorrow or later", today())), "{refused}");
    assert_eq!(counts(&app).await, before, "nothing written, not even the good rows");
    assert!(product(&app, "CFQ7TTC0LH18-0001").await.is_none());

    // Files that are not a price list are refused whole with their reason, never a 500.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let response = upload(&app, png).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("The file is not UTF-8 text"));
    let response = upload(&app, b"subscription,date,amount\nx,2026-11-01,5\n").await;
    assert!(response.text().await.unwrap().contains("The first line must name the columns; it lacks ProductId"));
    let response = upload(&app, HEADER.as_bytes()).await;
    assert!(response.text().await.unwrap().contains("The file has no price rows."));
    let response = upload(&app, &vec![b'x'; price_import::MAX_BYTES + 1]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("The file is larger than 5 MB"));
    let response = upload(&app, b"").await;
    assert!(response.text().await.unwrap().contains("Choose a CSV file."));
    assert_eq!(counts(&app).await, before);

    // Many refused rows: the first 50 are listed, the rest counted.
    let many: Vec<String> = (0..60).map(|i| format!("X,{i},T,,P2Y,Monthly,CL,USD,1,{from},,,1")).collect();
    let body = upload(&app, file(&many).as_bytes()).await.text().await.unwrap();
    assert!(body.contains("60 rows were refused") && body.contains("… and 10 more refused rows."));
    assert!(body.contains("<td class=\"num\">51</td>") && !body.contains("<td class=\"num\">52</td>"));
}

#[tokio::test]
async fn only_the_providers_admins_may_import_a_price_list() {
    let app = TestApp::start().await;
    let before = counts(&app).await;
    let csv = file(&good_rows(today() + Duration::days(1)));
    for email in ["admin@andes.demo", "ana@contoso.demo", "tina@tailspin.demo"] {
        let browser = app.new_browser();
        browser.sign_in(email).await;
        assert_eq!(upload(&browser, csv.as_bytes()).await.status(), StatusCode::NOT_FOUND, "{email}");
    }
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn the_command_line_imports_the_same_format_audited_as_the_command_line() {
    let app = TestApp::start().await;
    let from = today() + Duration::days(1);
    let before = counts(&app).await;

    // Refused: every row with its line, nothing written.
    let mut rows = good_rows(from);
    rows[1] = rows[1].replace(",6900", ",6000");
    rows.push(",NEW,1,,P1M,Monthly,CL,USD,1,2099-01-01,,,2".into());
    let Err(ImportError::Refused(refused)) =
        price_import::import(&app.db, &command_line(), file(&rows).as_bytes(), today()).await
    else {
        panic!("refused")
    };
    let lines: Vec<u64> = refused.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 7], "{refused:?}");
    assert_eq!(refused[0].1, "The list price (CLP 6.000) is below the cost to resellers (CLP 6.300).");
    assert!(refused[1].1.starts_with("There is no product NEW-1: give its SkuTitle or ProductTitle"));
    assert_eq!(counts(&app).await, before);

    let imported = price_import::import(&app.db, &command_line(), file(&good_rows(from)).as_bytes(), today())
        .await
        .expect("imported");
    assert_eq!(imported.summary(), "2 products created (unpublished), 5 prices set.");
    let entries = app.audit_by("command line").await;
    assert_eq!(entries.len(), 2 + 5 + 1);
    let summary = entries.last().unwrap();
    assert_eq!((summary.action.as_str(), summary.target.as_str()), ("price list imported", "price list"));
    let provider = app.account("STRATUS").await;
    assert!(entries.iter().all(|e| e.account_id == Some(provider.id) && e.actor_user_id.is_none()));
    let e3 = entries.iter().find(|e| e.target == "price of M365-E3 in CLP").expect("the E3's change");
    assert!(e3.changes.contains("list price: CLP 345.600 → CLP 355.000"), "{}", e3.changes);

    // A new product's first price may start today, whatever the order of its rows.
    let later = today() + Duration::days(30);
    let rows =
        [later, today()].map(|day| format!("Teams Essentials,CFQ7TTC0RL18,0001,,P1M,Monthly,CL,CLP,4000,{day},,,4500"));
    let imported =
        price_import::import(&app.db, &command_line(), file(&rows).as_bytes(), today()).await.expect("imported");
    assert_eq!(imported.summary(), "1 product created (unpublished), 2 prices set.");

    // The provider admin sees it in the audit log, made by the command line.
    app.sign_in("admin@stratus.demo").await;
    let (_, log) = app.page("/admin/audit").await;
    assert!(log.contains("price list imported") && log.contains("command line"));
}
