//! Prices with effective dates and reseller price lists (issue 19): a price change applies
//! to new terms only; a reseller's markup reaches its customer's catalogue, cart, order,
//! invoice and billing run; a reseller never prices below its cost nor sees another's
//! list; a customer never sees a cost.

use chrono::{Datelike, Months, NaiveDate, Utc};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use stratus::billing::run::{self, Period};
use stratus::entities::{invoice_items, invoices, order_items, prices, products, reseller_prices, subscriptions};

use crate::support::TestApp;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn tomorrow() -> NaiveDate {
    today() + chrono::Duration::days(1)
}

/// The day of a price list entry comes (the suite cannot move the clock, so the entries
/// move to `day`, as if they had been saved the day before it).
async fn entries_from(app: &TestApp, day: NaiveDate) {
    use sea_orm::{ActiveModelTrait, Set};
    for entry in reseller_prices::Entity::find().all(&app.db).await.unwrap() {
        let mut entry: reseller_prices::ActiveModel = entry.into();
        entry.effective_from = Set(day);
        entry.update(&app.db).await.unwrap();
    }
}

async fn the_day_comes(app: &TestApp) {
    entries_from(app, today()).await;
}

fn first_of_next_month() -> NaiveDate {
    today().with_day(1).unwrap() + Months::new(1)
}

async fn product(app: &TestApp, code: &str) -> products::Model {
    products::Entity::find().filter(products::Column::Code.eq(code)).one(&app.db).await.unwrap().unwrap()
}

/// The billing run of `period`, as it would run on `on` (a later day: the month has ended).
async fn bill(app: &TestApp, period: Period, on: NaiveDate) {
    run::run(&app.db, None, period, on).await.expect("billing run");
}

/// The unit prices (and costs) a run's invoice charged a subscription.
async fn charged(app: &TestApp, account: &str, period: Period, subscription_id: i32) -> Vec<(i64, i64)> {
    let number = format!("INV-{}-{account}", period.first().format("%Y%m"));
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::Number.eq(&number))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{number} was not issued"));
    invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .filter(invoice_items::Column::SubscriptionId.eq(subscription_id))
        .filter(invoice_items::Column::AddonId.is_null())
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|item| (item.unit_price, item.unit_cost))
        .collect()
}

#[tokio::test]
async fn a_price_change_from_next_month_leaves_running_terms_alone_and_applies_at_their_renewal() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let from = first_of_next_month();
    let fields = [
        ("product", "M365-BS"),
        ("currency", "CLP"),
        ("list_price", "13000"),
        ("cost", "10500"),
        ("from", &from.to_string()),
    ];
    let saved = app.submit("/admin/prices", "/admin/prices", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{:?}", saved.text().await);
    let (_, page) = app.page("/admin/prices").await;
    let shown_from = stratus::i18n::format::date(stratus::i18n::Lang::En, from);
    assert!(page.contains(&format!("from {shown_from}: CLP 13,000 (cost CLP 10,500)")), "the next change is listed");
    let (_, history) = app.page("/admin/prices/M365-BS").await;
    assert!(history.contains("CLP 11,500") && history.contains("CLP 13,000"), "the history keeps both");
    let (_, audit) = app.page("/admin/audit").await;
    assert!(audit.contains("list price: CLP 11.500 → CLP 13.000"), "audited");
    // A change cannot reach back: a day already begun is refused and nothing is written.
    let before = prices::Entity::find().count(&app.db).await.unwrap();
    let past =
        [("from", "2020-01-01"), ("list_price", "1"), ("cost", "1"), ("product", "M365-BS"), ("currency", "CLP")];
    let refused = app.submit("/admin/prices", "/admin/prices", &past).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("starts today or later"));
    assert_eq!(prices::Entity::find().count(&app.db).await.unwrap(), before);
    // A price in use changes tomorrow at the earliest: today's purchases and renewals were
    // charged today's price.
    let today_text = today().to_string();
    let now = [
        ("from", today_text.as_str()),
        ("list_price", "1"),
        ("cost", "1"),
        ("product", "M365-BS"),
        ("currency", "CLP"),
    ];
    let refused = app.submit("/admin/prices", "/admin/prices", &now).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("starts tomorrow or later"));
    assert_eq!(prices::Entity::find().count(&app.db).await.unwrap(), before);

    // Today's catalogue still sells at today's price.
    let (_, catalogue) = app.new_browser().page("/").await;
    assert!(catalogue.contains("CLP 11,500 per month") && !catalogue.contains("CLP 13,000"));

    // Contoso's licences began their 12-month term three months ago: next month is still
    // that term, charged at its price; the renewal is charged at the new one.
    let contoso = app.account("CONTOSO").await;
    let subscription = app.subscription_of("CONTOSO", "M365-BS").await;
    let next_month = Period::of(from);
    bill(&app, next_month, from + Months::new(1)).await;
    assert_eq!(charged(&app, "CONTOSO", next_month, subscription.id).await, [(11_500, 9_800)]);
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    let (_, page) = ana.page(&format!("/subscriptions/{}", subscription.id)).await;
    let renewal = subscription.term_end_date + chrono::Duration::days(1);
    assert!(page.contains("CLP 11,500 per month"), "this term's price");
    let renews_on = renewal.format("%b %-d, %Y");
    assert!(page.contains(&format!("CLP 13,000 per month from {renews_on}")), "the price it renews at: {page}");
    assert!(!page.contains("your cost"), "a customer never sees a cost");

    let renewal_month = Period::of(renewal);
    bill(&app, renewal_month, renewal + Months::new(1)).await;
    assert_eq!(charged(&app, "CONTOSO", renewal_month, subscription.id).await, [(13_000, 10_500)]);
    let renewed = subscriptions::Entity::find_by_id(subscription.id).one(&app.db).await.unwrap().unwrap();
    assert!(renewed.term_end_date > subscription.term_end_date, "renewed");
    assert_eq!(contoso.currency, "CLP");
}

#[tokio::test]
async fn a_resellers_markup_reaches_its_customers_catalogue_cart_order_invoice_and_billing_run() {
    let app = TestApp::start().await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (status, list) = andes.page("/reseller/prices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Microsoft 365 Business Standard") && list.contains("CLP 9,800"), "its cost");
    let from = tomorrow().to_string();
    let shown_from = stratus::i18n::format::date(stratus::i18n::Lang::En, tomorrow());
    let fields = [("product", "M365-BS"), ("currency", "CLP"), ("kind", "markup"), ("markup", "20"), ("from", &from)];
    let saved = andes.submit("/reseller/prices", "/reseller/prices", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{:?}", saved.text().await);
    let (_, list) = andes.page("/reseller/prices").await;
    assert!(list.contains(&format!("your price from {shown_from}: cost + 20 %")), "scheduled");
    the_day_comes(&app).await;
    let (_, list) = andes.page("/reseller/prices").await;
    assert!(list.contains("cost + 20 %") && list.contains("CLP 11,760"), "9.800 + 20 %");

    // Ana (Contoso, Andes' customer) sees and pays Andes' price, never its cost.
    app.sign_in("ana@contoso.demo").await;
    let (_, catalogue) = app.page("/").await;
    assert!(catalogue.contains("CLP 11,760 per month"), "the reseller's price");
    assert!(!catalogue.contains("CLP 11,500 per month") && !catalogue.contains("CLP 9,800"));
    let order = app.buy(&[("M365-BS", "2")]).await;
    let item = order_items::Entity::find()
        .filter(order_items::Column::OrderId.eq(order.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((item.unit_price, item.unit_cost, item.total), (11_760, 9_800, 23_520));
    let (_, order_page) = app.page(&format!("/orders/{}", order.number)).await;
    assert!(order_page.contains("CLP 11,760") && !order_page.contains("CLP 9,800"), "{order_page}");
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::OrderId.eq(order.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the order's invoice");
    let line = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((line.unit_price, line.unit_cost), (11_760, 9_800), "the margin is on the invoice");
    let (_, invoice_page) = app.page(&format!("/invoices/{}", invoice.number)).await;
    assert!(invoice_page.contains("CLP 11,760") && !invoice_page.contains("CLP 9,800"));

    // The new subscription's term began under the markup: the next run charges it.
    let bought = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(app.account("CONTOSO").await.id))
        .filter(subscriptions::Column::ProductId.eq(product(&app, "M365-BS").await.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|s| s.id)
        .unwrap();
    let from = first_of_next_month();
    bill(&app, Period::of(from), from + Months::new(1)).await;
    assert_eq!(charged(&app, "CONTOSO", Period::of(from), bought.id).await, [(11_760, 9_800)]);

    // Andes sees its customer's subscription with its cost; Ana does not.
    let (_, as_seller) = andes.page(&format!("/subscriptions/{}", bought.id)).await;
    assert!(as_seller.contains("CLP 11,760 per month (your cost CLP 9,800)"), "{as_seller}");
    let (_, as_customer) = app.page(&format!("/subscriptions/{}", bought.id)).await;
    assert!(as_customer.contains("CLP 11,760 per month") && !as_customer.contains("CLP 9,800"));
}

#[tokio::test]
async fn a_reseller_never_prices_below_its_cost_and_sees_only_its_own_list() {
    let app = TestApp::start().await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let from = tomorrow().to_string();
    let below = [("product", "M365-BS"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "9799"), ("from", &from)];
    let refused = andes.submit("/reseller/prices", "/reseller/prices", &below).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("below your cost of CLP 9,800"));
    assert_eq!(reseller_prices::Entity::find().count(&app.db).await.unwrap(), 0, "nothing written");
    // A cost rise the provider has already set is a cost the entry will meet: refused too.
    let provider = app.new_browser();
    provider.sign_in("admin@stratus.demo").await;
    let rise_day = first_of_next_month().max(tomorrow());
    let rise_from = rise_day.to_string();
    let shown_rise_from = stratus::i18n::format::date(stratus::i18n::Lang::En, rise_day);
    let rise =
        [("product", "M365-BS"), ("currency", "CLP"), ("list_price", "13000"), ("cost", "10500"), ("from", &rise_from)];
    assert_eq!(provider.submit("/admin/prices", "/admin/prices", &rise).await.status(), StatusCode::SEE_OTHER);
    let under_rise =
        [("product", "M365-BS"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "10000"), ("from", &from)];
    let refused = andes.submit("/reseller/prices", "/reseller/prices", &under_rise).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains(&format!("below your cost of CLP 10,500 from {shown_rise_from}")));
    let (_, list) = andes.page("/reseller/prices").await;
    assert!(list.contains(&format!("your cost from {shown_rise_from}: CLP 10,500")), "the coming cost is shown");
    // Today is too late for a change: today's purchases were made at today's price.
    let today_text = today().to_string();
    let now =
        [("product", "M365-BS"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "12000"), ("from", &today_text)];
    let refused = andes.submit("/reseller/prices", "/reseller/prices", &now).await;
    assert!(refused.text().await.unwrap().contains("starts tomorrow or later"));
    let at_cost =
        [("product", "M365-BS"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "10500"), ("from", &from)];
    assert_eq!(andes.submit("/reseller/prices", "/reseller/prices", &at_cost).await.status(), StatusCode::SEE_OTHER);

    // Pacific Partners sees its own list (the provider's list price), not Andes' entry.
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    let (_, list) = pacific.page("/reseller/prices").await;
    assert!(list.contains("CLP 11,500") && !list.contains("CLP 10,500</td><td>"), "{list}");
    assert!(list.contains("<td>list price</td>"), "no entry of its own");
    // Customers and the provider have no reseller price list; customers no price admin.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    for path in ["/reseller/prices", "/admin/prices", "/admin/prices/M365-BS"] {
        assert_eq!(ana.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let posted = ana.submit("/account", "/reseller/prices", &at_cost).await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    assert_eq!(reseller_prices::Entity::find().count(&app.db).await.unwrap(), 1);
    app.sign_in("admin@stratus.demo").await;
    assert_eq!(app.get("/reseller/prices").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_customer_never_sees_a_cost_on_any_page_it_can_reach() {
    let app = TestApp::start().await;
    // Costs no list price equals: any of them on a customer's page is a leak.
    let rows = prices::Entity::find().all(&app.db).await.unwrap();
    let costs: Vec<String> = rows
        .iter()
        .filter(|p| p.currency == "CLP" && p.unit_cost > 0 && !rows.iter().any(|q| q.amount == p.unit_cost))
        .map(|p| stratus::i18n::format::money(stratus::i18n::Lang::En, p.unit_cost, "CLP"))
        .collect();
    assert!(costs.len() >= 3, "the demo has costs");
    for persona in ["ana@contoso.demo", "tina@tailspin.demo"] {
        let browser = app.new_browser();
        browser.sign_in(persona).await;
        let mut queue = vec!["/".to_string(), "/account".to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(path) = queue.pop() {
            if !seen.insert(path.clone()) || seen.len() > 150 {
                continue;
            }
            let (status, body) = browser.page(&path).await;
            if status != StatusCode::OK {
                continue;
            }
            for cost in &costs {
                assert!(!body.contains(&format!("{cost}<")), "{persona} sees the cost {cost} on {path}");
            }
            assert!(!body.to_lowercase().contains("your cost") && !body.contains("Unit Cost"), "{persona}: {path}");
            for link in body.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                let link = link.replace("&amp;", "&");
                let internal = link.starts_with('/') && !link.starts_with("//");
                let skip =
                    ["/logout", "/static/", "/brand-assets/", "/reports/export"].iter().any(|p| link.starts_with(p));
                if internal && !skip && !link.contains('#') {
                    queue.push(link);
                }
            }
        }
        assert!(seen.len() > 5, "{persona} crawled {} pages", seen.len());
    }
}

#[tokio::test]
async fn a_resellers_markup_on_consumption_is_over_its_usage_cost() {
    let app = TestApp::start().await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let from = tomorrow().to_string();
    let fixed =
        [("product", "AZURE-PLAN"), ("currency", "CLP"), ("kind", "fixed"), ("amount", "1000"), ("from", &from)];
    let refused = andes.submit("/reseller/prices", "/reseller/prices", &fixed).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("billed on usage"));
    let markup =
        [("product", "AZURE-PLAN"), ("currency", "CLP"), ("kind", "markup"), ("markup", "10"), ("from", &from)];
    assert_eq!(andes.submit("/reseller/prices", "/reseller/prices", &markup).await.status(), StatusCode::SEE_OTHER);
    // Last month's usage, billed with the markup in force since before it.
    let last_month = Period::of(today()).previous();
    entries_from(&app, last_month.first()).await;
    bill(&app, last_month, today()).await;
    let subscription = app.subscription_of("CONTOSO", "AZURE-PLAN").await;
    let number = format!("INV-{}-CONTOSO", last_month.first().format("%Y%m"));
    let invoice =
        invoices::Entity::find().filter(invoices::Column::Number.eq(&number)).one(&app.db).await.unwrap().unwrap();
    let line = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .filter(invoice_items::Column::SubscriptionId.eq(subscription.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the consumption line");
    // The demo's usage costs 26.100 + 25.000 + 22.000 = 73.100; plus 10 % = 80.410 (not
    // the imported 84.320).
    assert_eq!((line.total, line.total_cost), (80_410, 73_100), "{line:?}");
}
