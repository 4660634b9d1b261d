//! Money end to end: every licence-day is billed once whichever path charges it (a paid
//! order, a billing run, a renewal), one VAT rule for orders and runs, suspended
//! licences still billed, and cancellation credits found for what an order charged.

use chrono::{Duration, Months, NaiveDate, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use stratus::billing::run::{self, Period};
use stratus::entities::enums::{InvoiceType, OrderStatus};
use stratus::entities::{invoice_items, invoices, products, subscriptions};

use crate::support::TestApp;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The newest subscription of an account to a product (the one an order just created).
async fn newest(app: &TestApp, account: &str, product_code: &str) -> subscriptions::Model {
    let account = app.account(account).await;
    let product = products::Entity::find().filter(products::Column::Code.eq(product_code)).one(&app.db).await;
    let product = product.unwrap().unwrap();
    subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(account.id))
        .filter(subscriptions::Column::ProductId.eq(product.id))
        .order_by_desc(subscriptions::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// The lines billing runs (not orders) charged to a subscription.
async fn run_lines(app: &TestApp, subscription_id: i32) -> Vec<invoice_items::Model> {
    invoice_items::Entity::find()
        .inner_join(invoices::Entity)
        .filter(invoices::Column::OrderId.is_null())
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoice_items::Column::SubscriptionId.eq(subscription_id))
        .order_by_asc(invoice_items::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

async fn invoice(app: &TestApp, number: &str) -> invoices::Model {
    let found = invoices::Entity::find().filter(invoices::Column::Number.eq(number)).one(&app.db).await.unwrap();
    found.unwrap_or_else(|| panic!("no invoice {number}"))
}

/// Tina returns the Windows Server licence she just bought ("Cancel now", within 30 days).
async fn return_the_perpetual_licence(app: &TestApp) {
    let bought = newest(app, "TAILSPIN", "WINSRV-2022").await;
    let page = format!("/subscriptions/{}", bought.id);
    let response = app.submit(&page, &format!("{page}/cancel"), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "returned within 30 days");
}

/// The provider admin refunds `amount` pesos of an order through its page (confirmed).
async fn refund(admin: &crate::support::Browser, order_page: &str, amount: &str) -> reqwest::Response {
    admin.submit(order_page, &format!("{order_page}/refund"), &[("amount", amount), ("confirm", "yes")]).await
}

/// Runs billing for `period` as if on the first day after it.
async fn bill(app: &TestApp, period: Period) {
    run::run(&app.db, Some(&stratus::mail::Site::new(&app.base)), period, period.last() + Duration::days(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_monthly_licence_bought_mid_month_is_billed_once_for_each_day() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let order = app.buy(&[("M365-BS", "2")]).await;
    assert_eq!(order.status, OrderStatus::Paid);
    let bought = newest(&app, "TAILSPIN", "M365-BS").await;
    assert_eq!((bought.start_date, bought.quantity), (today(), 2));

    // The order paid for a month from today: this month's run charges it nothing more.
    let this_month = Period::of(today());
    bill(&app, this_month).await;
    assert!(run_lines(&app, bought.id).await.is_empty(), "charged again for days the order paid");

    // Next month's run charges only the days after that month.
    let next_month = Period::of(this_month.last() + Duration::days(1));
    bill(&app, next_month).await;
    let paid_until = today().checked_add_months(Months::new(1)).unwrap() - Duration::days(1);
    let lines = run_lines(&app, bought.id).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!((line.period_start, line.period_end), (Some(paid_until + Duration::days(1)), Some(next_month.last())));
    assert_eq!(line.quantity, 2);
    let charged_days = days(paid_until + Duration::days(1), next_month.last());
    assert_eq!(line.total, 2 * 11_500 * charged_days / days(next_month.first(), next_month.last()));

    // The order's own invoice line says which subscription and which days it paid for.
    let paid = invoice(&app, &format!("INV-{}", order.number)).await;
    let item = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(paid.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.subscription_id, Some(bought.id));
    assert_eq!((item.period_start, item.period_end), (Some(today()), Some(paid_until)));
}

#[tokio::test]
async fn an_annual_licence_bought_through_an_order_is_billed_again_only_when_it_renews() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    app.buy(&[("M365-E3", "3")]).await;
    let bought = newest(&app, "TAILSPIN", "M365-E3").await;
    bill(&app, Period::of(today())).await;
    assert!(run_lines(&app, bought.id).await.is_empty(), "the order paid for the whole first year");

    // A year on it renews, and the run for that month invoices the new year like the first.
    let next_year = today().checked_add_months(Months::new(12)).unwrap();
    stratus::subscriptions::lifecycle::renew_due(&app.db, next_year).await.unwrap();
    bill(&app, Period::of(next_year)).await;
    let lines = run_lines(&app, bought.id).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    let year_end = next_year.checked_add_months(Months::new(12)).unwrap() - Duration::days(1);
    assert_eq!((lines[0].period_start, lines[0].period_end), (Some(next_year), Some(year_end)));
    assert_eq!((lines[0].quantity, lines[0].total), (3, 3 * 345_600));
}

#[tokio::test]
async fn a_perpetual_licence_returned_within_30_days_is_credited_in_full_with_its_vat() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let order = app.buy(&[("WINSRV-2022", "1")]).await;
    return_the_perpetual_licence(&app).await;
    let debit = invoice(&app, &format!("INV-{}", order.number)).await;
    let credit = invoice(&app, &format!("CR-{}-1", debit.number)).await;
    assert_eq!((credit.subtotal, credit.tax, credit.total), (890_000, 169_100, 1_059_100));
    assert_eq!(credit.total, debit.total, "the whole payment comes back");
}

#[tokio::test]
async fn the_same_licences_cost_the_same_net_and_the_same_vat_by_order_and_by_billing_run() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    for (code, quantity) in [("M365-BS", "2")] {
        let fields = [("product_code", code), ("quantity", quantity)];
        app.submit(&format!("/products/{code}"), "/cart/items", &fields).await;
    }
    let (_, cart) = app.page("/cart").await;
    assert!(cart.contains("VAT (19%)") && cart.contains("CLP 4,370") && cart.contains("CLP 27,370"), "{cart}");
    let order = app.buy(&[]).await;
    // Net list price × quantity, VAT on top, and WebPay charged the total.
    assert_eq!((order.subtotal, order.tax, order.total), (23_000, 4_370, 27_370));
    let paid = invoice(&app, &format!("INV-{}", order.number)).await;
    assert_eq!((paid.subtotal, paid.tax, paid.total), (23_000, 4_370, 27_370));

    // The first whole month a run bills: the same net for the same licences, and the run's
    // invoice applies the same VAT rule to its subtotal.
    let bought = newest(&app, "TAILSPIN", "M365-BS").await;
    let whole_month = Period::of(today().checked_add_months(Months::new(2)).unwrap());
    for period in [Period::of(today()), Period::of(today().checked_add_months(Months::new(1)).unwrap()), whole_month] {
        bill(&app, period).await;
    }
    let lines = run_lines(&app, bought.id).await;
    let whole = lines.iter().find(|l| l.period_start == Some(whole_month.first())).expect("the whole month");
    assert_eq!((whole.quantity, whole.total), (2, 23_000));
    let run_invoice = invoices::Entity::find_by_id(whole.invoice_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(run_invoice.tax, (run_invoice.subtotal * 19 + 50) / 100, "19%, rounded to the peso");
    assert_eq!(run_invoice.total, run_invoice.subtotal + run_invoice.tax);
}

#[tokio::test]
async fn the_provider_admin_sets_the_vat_rate_that_new_carts_and_orders_use() {
    let app = TestApp::start().await;
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    let response = tina.submit("/cart", "/admin/billing/vat", &[("rate", "0")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "customers cannot set it");

    app.sign_in("admin@stratus.demo").await;
    let (_, page) = app.page("/admin/billing").await;
    assert!(page.contains("name=\"rate\" value=\"19\""), "19% is the default");
    for bad in ["ten", "101", "-1", "19.555", ""] {
        let response = app.submit("/admin/billing", "/admin/billing/vat", &[("rate", bad)]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(response.text().await.unwrap().contains("The VAT rate is a percentage"), "{bad}");
    }
    let response = app.submit("/admin/billing", "/admin/billing/vat", &[("rate", "10")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("The VAT rate is now 10%."));

    let fields = [("product_code", "M365-BS"), ("quantity", "2")];
    tina.submit("/products/M365-BS", "/cart/items", &fields).await;
    let (_, cart) = tina.page("/cart").await;
    assert!(cart.contains("VAT (10%)") && cart.contains("CLP 2,300") && cart.contains("CLP 25,300"), "{cart}");
    let placed = tina.submit("/cart", "/orders", &[]).await;
    let (_, order_page) = tina.page(&crate::support::location(&placed)).await;
    assert!(order_page.contains("VAT (10%)") && order_page.contains("CLP 25,300"), "{order_page}");
}

#[tokio::test]
async fn a_suspended_licence_is_still_billed_for_its_month() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let licence = app.subscription_of("CONTOSO", "ACRONIS-CP").await;
    let page = format!("/subscriptions/{}", licence.id);
    let response = app.submit(&page, &format!("{page}/suspension"), &[("suspend", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let last_month = Period::of(today()).previous();
    bill(&app, last_month).await;
    let charged: Vec<(i64, i64)> = run_lines(&app, licence.id)
        .await
        .iter()
        .filter(|l| l.period_start >= Some(last_month.first()))
        .map(|l| (l.quantity, l.total))
        .collect();
    assert_eq!(charged, vec![(10, 10 * 7_900)], "a suspension does not end the commitment");
}

#[tokio::test]
async fn a_refund_and_a_cancellation_credit_together_never_give_back_more_than_was_paid() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let order = app.buy(&[("WINSRV-2022", "1")]).await;
    let order_page = format!("/orders/{}", order.number);
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let response = refund(&admin, &order_page, "500000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The licence is returned within 30 days: the full refund is only what is left.
    return_the_perpetual_licence(&app).await;
    let debit = invoice(&app, &format!("INV-{}", order.number)).await;
    let credits =
        invoices::Entity::find().filter(invoices::Column::CreditsInvoiceId.eq(debit.id)).all(&app.db).await.unwrap();
    assert_eq!(credits.len(), 2);
    let sum = |f: fn(&invoices::Model) -> i64| credits.iter().map(f).sum::<i64>();
    assert_eq!(sum(|c| c.total), debit.total, "everything paid comes back, not more");
    assert_eq!((sum(|c| c.subtotal), sum(|c| c.tax)), (debit.subtotal, debit.tax));
}

#[tokio::test]
async fn an_annual_licence_paid_before_the_upgrade_is_not_charged_again_after_it() {
    use migration::MigratorTrait;
    use sea_orm::{Database, Set};
    use stratus::entities::enums::*;
    use stratus::entities::{accounts, invoice_items, order_items, orders, prices};

    // A database as the previous version left it: an annual licence bought and paid on
    // 10 November at a VAT-inclusive 119.000, its invoice line naming no subscription.
    let dir = tempfile::tempdir().unwrap();
    let db = Database::connect(crate::support::fresh_database_url(dir.path()).await).await.unwrap();
    migration::Migrator::up(&db, Some(5)).await.unwrap();
    let d = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    let paid_at = d("2026-11-10").and_hms_opt(15, 30, 0).unwrap().and_utc();
    // The account is written without reading it back: the entity knows columns that later
    // migrations add.
    let account_row = accounts::ActiveModel {
        tier: Set(AccountTier::Customer),
        parent_id: Set(None),
        code: Set("OLD".into()),
        name: Set("Old Customer".into()),
        currency: Set("CLP".into()),
        branding_enabled: Set(false),
        csp_cutoff_day: Set(1),
        created_at: Set(paid_at),
        ..Default::default()
    };
    let account_id = accounts::Entity::insert(account_row).exec(&db).await.unwrap().last_insert_id;
    // Written without reading it back either: later migrations add columns to products too.
    let product = products::ActiveModel {
        code: Set("LIC-A".into()),
        name: Set("Annual licence".into()),
        description: Set(String::new()),
        kind: Set(ProductKind::LicenseSubscription),
        vendor: Set("Microsoft".into()),
        usage_family: Set("Microsoft 365".into()),
        billing_cycle: Set(BillingCycle::Annual),
        term_months: Set(12),
        minimum_commitment: Set(None),
        base_product_id: Set(None),
        ri_reservation_type: Set(None),
        ri_term_years: Set(None),
        ri_scope: Set(None),
        ri_region: Set(None),
        active: Set(true),
        created_at: Set(paid_at),
        ..Default::default()
    };
    let product_id = products::Entity::insert(product).exec(&db).await.unwrap().last_insert_id;
    // Written without reading the row back: the entity knows later columns.
    prices::Entity::insert(prices::ActiveModel {
        product_id: Set(product_id),
        currency: Set("CLP".into()),
        amount: Set(119_000),
        unit_cost: Set(0),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap();
    let order_id = orders::Entity::insert(orders::ActiveModel {
        number: Set("SO-0000009".into()),
        account_id: Set(account_id),
        user_id: Set(None),
        status: Set(OrderStatus::Paid),
        currency: Set("CLP".into()),
        total: Set(119_000),
        created_at: Set(paid_at),
        updated_at: Set(paid_at),
        paid_at: Set(Some(paid_at)),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap()
    .last_insert_id;
    let item_id = order_items::Entity::insert(order_items::ActiveModel {
        order_id: Set(order_id),
        product_id: Set(product_id),
        subscription_id: Set(None),
        description: Set("Annual licence".into()),
        quantity: Set(1),
        unit_price: Set(119_000),
        total: Set(119_000),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap()
    .last_insert_id;
    let subscription_id = subscriptions::Entity::insert(subscriptions::ActiveModel {
        account_id: Set(account_id),
        product_id: Set(product_id),
        name: Set("Annual licence".into()),
        quantity: Set(1),
        status: Set(SubscriptionStatus::Active),
        start_date: Set(d("2026-11-10")),
        term_end_date: Set(d("2027-11-09")),
        auto_renew: Set(true),
        prepaid: Set(true),
        created_at: Set(paid_at),
        updated_at: Set(paid_at),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap()
    .last_insert_id;
    let invoice_id = invoices::Entity::insert(invoices::ActiveModel {
        number: Set("INV-SO-0000009".into()),
        account_id: Set(account_id),
        bill_to_account_id: Set(account_id),
        invoice_type: Set(InvoiceType::Debit),
        status: Set(InvoiceStatus::Paid),
        currency: Set("CLP".into()),
        issue_date: Set(d("2026-11-10")),
        billing_period: Set(None),
        subtotal: Set(100_000),
        tax: Set(19_000),
        total: Set(119_000),
        credits_invoice_id: Set(None),
        order_id: Set(Some(order_id)),
        created_at: Set(paid_at),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap()
    .last_insert_id;
    let line_id = invoice_items::Entity::insert(invoice_items::ActiveModel {
        invoice_id: Set(invoice_id),
        subscription_id: Set(None),
        addon_id: Set(None),
        product_id: Set(Some(product_id)),
        description: Set("Annual licence".into()),
        period_start: Set(Some(d("2026-11-10"))),
        period_end: Set(None),
        quantity: Set(1),
        unit_price: Set(119_000),
        unit_cost: Set(0),
        total: Set(119_000),
        total_cost: Set(0),
        usage: Set("Microsoft 365".into()),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap()
    .last_insert_id;

    // It was paid through the old default gateway: Transbank's integration environment.
    let attempt_id =
        stratus::entities::webpay_transactions::Entity::insert(stratus::entities::webpay_transactions::ActiveModel {
            order_id: Set(order_id),
            buy_order: Set("SO-0000009-1".into()),
            session_id: Set("u1-o9-1".into()),
            token: Set(Some("t9".into())),
            amount: Set(119_000),
            status: Set(stratus::entities::enums::TransactionState::Authorized),
            created_at: Set(paid_at),
            updated_at: Set(paid_at),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap()
        .last_insert_id;

    // The upgrade links the order to its subscription and says what it paid for.
    migration::Migrator::up(&db, None).await.unwrap();
    let attempt = stratus::entities::webpay_transactions::Entity::find_by_id(attempt_id).one(&db).await.unwrap();
    assert!(attempt.unwrap().test, "a payment through the integration environment is marked TEST");
    let line = invoice_items::Entity::find_by_id(line_id).one(&db).await.unwrap().unwrap();
    assert_eq!((line.subscription_id, line.period_end), (Some(subscription_id), Some(d("2027-11-09"))));
    let item = order_items::Entity::find_by_id(item_id).one(&db).await.unwrap().unwrap();
    assert_eq!(item.subscription_id, Some(subscription_id));
    let order = orders::Entity::find_by_id(order_id).one(&db).await.unwrap().unwrap();
    assert_eq!((order.subtotal, order.tax, order.total, order.vat_basis_points), (100_000, 19_000, 119_000, 1900));

    // November's run does not charge the year the order paid for.
    let november = Period::parse("2026-11").unwrap();
    run::run(&db, None, november, d("2026-12-01")).await.unwrap();
    let charged = invoice_items::Entity::find()
        .filter(invoice_items::Column::SubscriptionId.eq(subscription_id))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(charged.len(), 1, "only the order's line: {charged:?}");
}

#[tokio::test]
async fn a_reservation_paid_monthly_is_billed_every_month_and_one_paid_upfront_at_each_renewed_term() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let reservation = |plan: &'static str, region: &'static str| {
        vec![
            ("product_code", "RI-D2SV5"),
            ("quantity", "1"),
            ("ri_reservation_type", "Virtual Machines D2s v5"),
            ("ri_term_years", "1"),
            ("ri_payment_plan", plan),
            ("ri_scope", "shared"),
            ("ri_region", region),
            ("ri_auto_renew", "on"),
        ]
    };
    for fields in [reservation("monthly", "eastus"), reservation("upfront", "brazilsouth")] {
        let response = app.submit("/products/RI-D2SV5", "/cart/items", &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let order = app.buy(&[]).await;
    // The order charges the first month of one and the whole first year of the other.
    assert_eq!(order.subtotal, 54_000 + 620_000);
    let in_region = |region: &'static str| {
        let db = app.db.clone();
        async move {
            subscriptions::Entity::find()
                .filter(subscriptions::Column::RiRegion.eq(region))
                .order_by_desc(subscriptions::Column::Id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (monthly, upfront) = (in_region("eastus").await, in_region("brazilsouth").await);

    // Two months on, the monthly plan has been billed a whole month; the upfront one nothing.
    for months in 0..=2 {
        bill(&app, Period::of(today().checked_add_months(Months::new(months)).unwrap())).await;
    }
    let whole_month = Period::of(today().checked_add_months(Months::new(2)).unwrap());
    let monthly_lines = run_lines(&app, monthly.id).await;
    assert!(monthly_lines.iter().any(|l| l.period_start == Some(whole_month.first()) && l.total == 54_000));
    assert!(run_lines(&app, upfront.id).await.is_empty(), "the year was paid upfront");

    // A year on, the upfront reservation renews (the customer chose it) and its new term is
    // invoiced like the first, at the catalogue's price.
    let next_year = today().checked_add_months(Months::new(12)).unwrap();
    bill(&app, Period::of(next_year)).await;
    let renewed = run_lines(&app, upfront.id).await;
    assert_eq!(renewed.len(), 1, "{renewed:?}");
    assert_eq!((renewed[0].period_start, renewed[0].total), (Some(next_year), 620_000));
}

#[tokio::test]
async fn a_returned_licence_cannot_be_refunded_again_through_webpay() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let order = app.buy(&[("WINSRV-2022", "1")]).await;
    return_the_perpetual_licence(&app).await;

    let order_page = format!("/orders/{}", order.number);
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let response = refund(&admin, &order_page, "1000").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Refund between 1 and 0 pesos"));
    let debit = invoice(&app, &format!("INV-{}", order.number)).await;
    let credited: i64 = invoices::Entity::find()
        .filter(invoices::Column::CreditsInvoiceId.eq(debit.id))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|c| c.total)
        .sum();
    assert_eq!(credited, debit.total, "given back once");
}

#[tokio::test]
async fn a_licence_returned_while_its_refund_is_being_verified_is_not_credited_twice() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let fields = [("product_code", "WINSRV-2022"), ("quantity", "1")];
    app.submit("/products/WINSRV-2022", "/cart/items", &fields).await;
    let placed = app.submit("/cart", "/orders", &[]).await;
    let order_page = crate::support::location(&placed);
    // WebPay will refund this payment, but its answers to refunds get lost.
    app.pay_with(&order_page, "4051 8856 0044 6623", "pay_refund_lost").await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let response = refund(&admin, &order_page, "1059100").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // Meanwhile Tina returns the licence: the whole payment is already on its way back.
    return_the_perpetual_licence(&app).await;
    let number = order_page.trim_start_matches("/orders/");
    let debit = invoice(&app, &format!("INV-{number}")).await;
    let credits = || async {
        invoices::Entity::find().filter(invoices::Column::CreditsInvoiceId.eq(debit.id)).all(&app.db).await.unwrap()
    };
    assert!(credits().await.is_empty(), "no credit beside the pending refund");

    // WebPay's status confirms the refund: one credit, for what was paid.
    let verify = admin.submit(&order_page, &format!("{order_page}/refunds/verify"), &[]).await;
    assert_eq!(verify.status(), StatusCode::SEE_OTHER);
    let credited: Vec<(i64, i64, i64)> = credits().await.iter().map(|c| (c.subtotal, c.tax, c.total)).collect();
    assert_eq!(credited, vec![(debit.subtotal, debit.tax, debit.total)]);
}
