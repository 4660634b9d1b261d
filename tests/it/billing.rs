//! Billing runs: the demo's last month billed from the admin page and from the command,
//! without duplicates; ramp-ups waiving the minimum commitment; bad periods refused.

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use stratus::billing::run::Period;
use stratus::entities::{invoice_items, invoices, subscriptions};

use crate::support::TestApp;

fn last_month() -> Period {
    Period::of(Utc::now().date_naive()).previous()
}

/// (description start, usage, total) of each item of an invoice, in order.
async fn items_of(app: &TestApp, number: &str) -> (invoices::Model, Vec<(String, String, i64)>) {
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::Number.eq(number))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{number} was not issued"));
    let items = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .order_by_asc(invoice_items::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|item| (item.description, item.usage, item.total))
        .collect();
    (invoice, items)
}

/// Starts a run from the page: a refusal's status and page, or the run's job page once
/// it has finished in the background (200).
async fn run_billing(app: &TestApp, period: &str) -> (StatusCode, String) {
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", period)]).await;
    match response.status() {
        StatusCode::SEE_OTHER => (StatusCode::OK, app.finished_job(response).await),
        status => (status, response.text().await.unwrap()),
    }
}

#[tokio::test]
async fn a_billing_run_bills_last_month_of_the_demo_once() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    let (_, form) = app.page("/admin/billing").await;
    assert!(form.contains(&format!("value=\"{}\"", period.label())), "last month is filled in");

    let (status, body) = run_billing(&app, &period.label()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("3 invoice(s) issued"), "{body}");
    let yyyymm = period.first().format("%Y%m");
    let contoso_number = format!("INV-{yyyymm}-CONTOSO");
    assert!(body.contains(&format!("href=\"/invoices/{contoso_number}\"")));

    // Contoso: licences, add-on, Azure plan for the calendar month, legacy Azure from the
    // 20th to the 19th (the record after the cut-off waits), no commitment top-up (its
    // ramp-up waives it), and its 5% discount.
    let (contoso, items) = items_of(&app, &contoso_number).await;
    let expected: Vec<(&str, &str, i64)> = vec![
        ("Microsoft 365 Business Standard", "Microsoft 365", 287_500),
        ("Microsoft Defender for Office 365 (Plan 1)", "Add-on", 47_500),
        ("Azure plan consumption", "Azure Plan", 84_320),
        ("Microsoft Azure (legacy CSP) consumption", "MS Azure", 45_100),
        ("Acronis Cyber Protect Cloud", "Acronis", 79_000),
        ("Loyalty discount 5%", "Discount", -27_171),
    ];
    assert_eq!(items.len(), expected.len(), "{items:?}");
    for ((description, usage, total), (want_start, want_usage, want_total)) in items.iter().zip(&expected) {
        assert!(description.starts_with(want_start), "{description} / {want_start}");
        assert_eq!((usage.as_str(), *total), (*want_usage, *want_total), "{description}");
    }
    assert_eq!((contoso.subtotal, contoso.tax, contoso.total), (516_249, 98_087, 614_336));
    assert_eq!(contoso.billing_period.as_deref(), Some(period.label().as_str()));
    let andes = app.account("ANDES").await;
    assert_eq!(contoso.bill_to_account_id, andes.id, "billed by its reseller");

    // Fabrikam: the E3 is annual (not this month), the RI was paid upfront; its Azure plan
    // used 61.400 of a 100.000 minimum.
    let (fabrikam, items) = items_of(&app, &format!("INV-{yyyymm}-FABRIKAM")).await;
    assert_eq!(
        items.iter().map(|(_, u, t)| (u.as_str(), *t)).collect::<Vec<_>>(),
        vec![("Azure Plan", 61_400), ("Minimum Commitment", 38_600)]
    );
    assert_eq!(fabrikam.total, 119_000);

    // Tailspin: 10% off Business Standard only.
    let (_, items) = items_of(&app, &format!("INV-{yyyymm}-TAILSPIN")).await;
    assert_eq!(
        items.iter().map(|(_, u, t)| (u.as_str(), *t)).collect::<Vec<_>>(),
        vec![("Microsoft 365", 57_500), ("Acronis", 23_700), ("Discount", -5_750)]
    );

    // The invoice is the customer's to read.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let (status, page) = ana.page(&format!("/invoices/{contoso_number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("-CLP 27,171"));

    // Again, from the page and from the command: nothing new.
    let invoices_before = invoices::Entity::find().count(&app.db).await.unwrap();
    let items_before = invoice_items::Entity::find().count(&app.db).await.unwrap();
    let (_, again) = run_billing(&app, &period.label()).await;
    assert!(again.contains("0 invoice(s) issued"), "{again}");
    assert!(again.contains("Already billed for"), "{again}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["billing", "run", "--period", &period.label(), "--database-url", &app.database_url])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed} {}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("0 invoice(s) issued"), "{printed}");
    assert_eq!(invoices::Entity::find().count(&app.db).await.unwrap(), invoices_before);
    assert_eq!(invoice_items::Entity::find().count(&app.db).await.unwrap(), items_before);
}

#[tokio::test]
async fn the_minimum_commitment_is_charged_once_no_ramp_up_waives_it() {
    let app = TestApp::start().await;
    let subscription = app.subscription_of("CONTOSO", "AZURE-PLAN").await;
    assert!(subscription.ramp_up_end.is_some(), "the demo's Azure plan is in its ramp-up");
    let mut without_ramp_up: subscriptions::ActiveModel = subscription.into();
    without_ramp_up.ramp_up_months = Set(None);
    without_ramp_up.ramp_up_end = Set(None);
    without_ramp_up.update(&app.db).await.unwrap();

    // The command alone, on a month that has ended.
    let period = last_month();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["billing", "run", "--period", &period.label(), "--database-url", &app.database_url])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("3 invoice(s) issued"), "{printed}");
    let (_, items) = items_of(&app, &format!("INV-{}-CONTOSO", period.first().format("%Y%m"))).await;
    let commitment: Vec<_> = items.iter().filter(|(_, usage, _)| usage == "Minimum Commitment").collect();
    assert_eq!(commitment.len(), 1, "{items:?}");
    assert_eq!(commitment[0].2, 100_000 - 84_320);
}

#[tokio::test]
async fn bad_periods_are_refused_and_bill_nothing() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let before = invoices::Entity::find().count(&app.db).await.unwrap();
    let this_month = Period::of(Utc::now().date_naive()).label();
    for (period, message) in [
        ("2026-13", "is not a billing period"),
        ("October", "write the month as YYYY-MM"),
        ("", "is not a billing period"),
        ("2026-10'; DROP TABLE invoices; --", "is not a billing period"),
        (this_month.as_str(), "can be billed once it has ended"),
    ] {
        let (status, body) = run_billing(&app, period).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{period}");
        assert!(body.contains(message), "{period}: {body}");
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["billing", "run", "--period", "2026/10", "--database-url", &app.database_url])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("YYYY-MM"));
    assert_eq!(invoices::Entity::find().count(&app.db).await.unwrap(), before);

    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/admin/billing").await.0, StatusCode::NOT_FOUND);
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let response = andes.submit("/account", "/admin/billing", &[("period", &last_month().label())]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(invoices::Entity::find().count(&app.db).await.unwrap(), before);
}

#[tokio::test]
async fn a_reseller_gives_its_customer_a_discount_that_the_next_run_applies() {
    use stratus::entities::discounts;
    let app = TestApp::start().await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (_, page) = andes.page("/accounts/CONTOSO").await;
    assert!(page.contains("Loyalty discount 5%") && page.contains(">5%<"), "the demo's discount is listed");
    let before = discounts::Entity::find().count(&app.db).await.unwrap();
    for (percent, description, product, message) in [
        ("0", "Nothing", "", "greater than 0 and at most 100"),
        ("150", "Too much", "", "greater than 0 and at most 100"),
        ("5;DROP", "x", "", "greater than 0 and at most 100"),
        ("10", "", "", "Describe the discount"),
        ("10", "Ghost", "NOPE", "no product with the code “NOPE”"),
    ] {
        let fields = [("percent", percent), ("description", description), ("product", product)];
        let response = andes.submit("/accounts/CONTOSO", "/accounts/CONTOSO/discounts", &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{percent} {description}");
        assert!(response.text().await.unwrap().contains(message), "{message}");
    }
    assert_eq!(discounts::Entity::find().count(&app.db).await.unwrap(), before, "nothing saved");
    let fields = [("percent", "10"), ("description", "Backup promotion"), ("product", "ACRONIS-CP")];
    let response = andes.submit("/accounts/CONTOSO", "/accounts/CONTOSO/discounts", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // Others may not: another reseller, the customer itself.
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    let response = pacific.submit("/account", "/accounts/CONTOSO/discounts", &fields).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert!(!ana.page("/accounts/CONTOSO").await.1.contains("Add discount"));
    let response = ana.submit("/account", "/accounts/CONTOSO/discounts", &fields).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(discounts::Entity::find().count(&app.db).await.unwrap(), before + 1);

    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    run_billing(&app, &period.label()).await;
    let (_, items) = items_of(&app, &format!("INV-{}-CONTOSO", period.first().format("%Y%m"))).await;
    let discounts_billed: Vec<_> = items.iter().filter(|(_, usage, _)| usage == "Discount").collect();
    assert_eq!(discounts_billed.len(), 2, "{items:?}");
    assert!(discounts_billed.iter().any(|(d, _, total)| d == "Backup promotion" && *total == -7_900), "10% of 79.000");

    let added = discounts::Entity::find()
        .filter(discounts::Column::Description.eq("Backup promotion"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let remove = format!("/accounts/CONTOSO/discounts/{}/remove", added.id);
    assert_eq!(andes.submit("/accounts/CONTOSO", &remove, &[]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pacific.submit("/account", &remove, &[("confirm", "yes")]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(andes.submit("/accounts/CONTOSO", &remove, &[("confirm", "yes")]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(discounts::Entity::find().count(&app.db).await.unwrap(), before);
}
