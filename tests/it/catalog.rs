//! The catalogue: reserved instances priced from the catalogue per term and payment plan,
//! chosen from what the product offers, and the customer's auto-renew choice carried from
//! the cart through the order to the subscription.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use stratus::entities::enums::OrderStatus;
use stratus::entities::enums::RiPaymentPlan::{Monthly, Upfront};
use stratus::entities::{order_items, orders, subscriptions};
use stratus::subscriptions::lifecycle;

use crate::support::{location, Browser, TestApp};

const RI_PAGE: &str = "/products/RI-D2SV5";
const VM: &str = "Virtual Machines D2s v5";

/// The add-to-cart fields of a reservation: term, payment plan, scope, region.
fn reservation<'a>(term: &'a str, plan: &'a str, scope: &'a str, region: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("product_code", "RI-D2SV5"),
        ("quantity", "1"),
        ("ri_reservation_type", VM),
        ("ri_term_years", term),
        ("ri_payment_plan", plan),
        ("ri_scope", scope),
        ("ri_region", region),
    ]
}

async fn add(browser: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.submit(RI_PAGE, "/cart/items", fields).await
}

/// Places the cart as an order and returns its number.
async fn place_order(browser: &Browser) -> String {
    let response = browser.submit("/cart", "/orders", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response).trim_start_matches("/orders/").to_string()
}

/// Pays the order through the built-in WebPay simulator with an approved card, as the
/// shopper would: the commit is settled and the order's subscriptions are created.
async fn pay(app: &TestApp, number: &str) {
    app.pay(&format!("/orders/{number}"), "4051 8856 0044 6623").await;
    let order = orders::Entity::find().filter(orders::Column::Number.eq(number)).one(&app.db).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid, "{number} paid");
}

async fn items_of(app: &TestApp, number: &str) -> Vec<order_items::Model> {
    let order = orders::Entity::find().filter(orders::Column::Number.eq(number)).one(&app.db).await.unwrap().unwrap();
    order_items::Entity::find()
        .filter(order_items::Column::OrderId.eq(order.id))
        .order_by_asc(order_items::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reservation_is_priced_by_its_term_and_payment_plan() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let (status, page) = app.page(RI_PAGE).await;
    assert_eq!(status, StatusCode::OK);
    for price in ["CLP 620,000", "CLP 1,560,000", "CLP 54,000", "CLP 45,000"] {
        assert!(page.contains(price), "the price table shows {price}");
    }

    let response = add(&app, &reservation("3", "upfront", "single", "eastus")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = add(&app, &reservation("1", "monthly", "shared", "brazilsouth")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, cart) = app.page("/cart").await;
    assert!(cart.contains("3 year(s) · single scope · eastus"), "{cart}");
    assert!(cart.contains("CLP 1,560,000"), "a 3-year reservation costs the 3-year price");
    assert!(cart.contains("CLP 54,000"), "a monthly plan's line is one month");

    let number = place_order(&app).await;
    let items = items_of(&app, &number).await;
    let prices: Vec<_> = items.iter().map(|i| (i.ri_term_years, i.ri_payment_plan, i.unit_price, i.total)).collect();
    assert_eq!(prices, vec![(Some(3), Some(Upfront), 1_560_000, 1_560_000), (Some(1), Some(Monthly), 54_000, 54_000)]);
    let (_, order_page) = app.page(&format!("/orders/{number}")).await;
    assert!(order_page.contains("3 year(s) · single scope · eastus"));
}

#[tokio::test]
async fn forged_reservation_choices_are_refused_with_a_clear_message() {
    let app = TestApp::start().await;
    app.sign_in("ana@contoso.demo").await;
    let cases: [(&str, &str, &str); 6] = [
        ("ri_reservation_type", "Virtual Machines D4s v5", "Choose a reservation type this product offers"),
        ("ri_term_years", "2", "A reservation term is 1 or 3 years."),
        ("ri_term_years", "three", "A reservation term is 1 or 3 years."),
        ("ri_region", "westeurope", "brazilsouth or eastus"),
        ("ri_payment_plan", "weekly", "upfront or monthly"),
        ("ri_scope", "global", "single or shared"),
    ];
    for (field, forged, message) in cases {
        let mut fields = reservation("1", "upfront", "shared", "brazilsouth");
        for pair in fields.iter_mut().filter(|(k, _)| *k == field) {
            pair.1 = forged;
        }
        let response = add(&app, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}={forged}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{field}={forged}: no `{message}`");
    }
    // A reservation without its choices is refused too.
    let response = add(&app, &[("product_code", "RI-D2SV5"), ("quantity", "1")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, cart) = app.page("/cart").await;
    assert!(cart.contains("Your cart is empty."), "nothing was added");
}

#[tokio::test]
async fn a_reservation_renews_only_when_the_customer_chose_auto_renew() {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    let (_, page) = app.page(RI_PAGE).await;
    assert!(page.contains("name=\"ri_auto_renew\""), "an auto-renew checkbox");
    assert!(!page.contains("name=\"ri_auto_renew\" value=\"on\" checked"), "off by default");
    let response = add(&app, &reservation("1", "upfront", "shared", "brazilsouth")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut renewing = reservation("1", "upfront", "single", "eastus");
    renewing.push(("ri_auto_renew", "on"));
    let response = add(&app, &renewing).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let number = place_order(&app).await;
    pay(&app, &number).await;

    let tailspin = app.account("TAILSPIN").await;
    let reservation_in = |region: &'static str| {
        let db = app.db.clone();
        async move {
            subscriptions::Entity::find()
                .filter(subscriptions::Column::AccountId.eq(tailspin.id))
                .filter(subscriptions::Column::RiRegion.eq(region))
                .one(&db)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("a reservation in {region}"))
        }
    };
    let once = reservation_in("brazilsouth").await;
    let renews = reservation_in("eastus").await;
    assert!(!once.auto_renew, "the customer left auto-renew off");
    assert!(renews.auto_renew, "the customer ticked auto-renew");
    assert_eq!((once.ri_payment_plan, renews.ri_payment_plan), (Some(Upfront), Some(Upfront)));
    let items = items_of(&app, &number).await;
    assert_eq!(items.iter().map(|i| i.ri_auto_renew).collect::<Vec<_>>(), [false, true], "the order keeps the choice");

    // Time passes: both terms have ended. Only the auto-renewing reservation renews.
    let ended = Utc::now().date_naive() - Duration::days(1);
    for s in [&once, &renews] {
        let mut row: subscriptions::ActiveModel = s.clone().into();
        row.term_end_date = Set(ended);
        row.update(&app.db).await.unwrap();
    }
    let today = Utc::now().date_naive();
    lifecycle::renew_due(&app.db, today).await.unwrap();
    assert_eq!(reservation_in("brazilsouth").await.term_end_date, ended, "not renewed");
    let next_end = (ended + Duration::days(1)).checked_add_months(chrono::Months::new(12)).unwrap() - Duration::days(1);
    assert_eq!(reservation_in("eastus").await.term_end_date, next_end, "renewed for another year");
}

#[tokio::test]
async fn the_demo_reservations_are_priced_from_the_catalogue() {
    let app = TestApp::start().await;
    // The unpaid demo order's reservation: 1 year, upfront, shared, brazilsouth, 620.000.
    let items = items_of(&app, "SO-0000001").await;
    let ri = items.iter().find(|i| i.ri_reservation_type.is_some()).expect("a reservation line");
    assert_eq!(
        (ri.ri_reservation_type.as_deref(), ri.ri_term_years, ri.ri_payment_plan, ri.ri_scope.as_deref()),
        (Some(VM), Some(1), Some(Upfront), Some("shared"))
    );
    assert_eq!((ri.ri_region.as_deref(), ri.unit_price, ri.ri_auto_renew), (Some("brazilsouth"), 620_000, false));
    // Fabrikam's reservation was paid upfront.
    let fabrikam = app.subscription_of("FABRIKAM", "RI-D2SV5").await;
    assert_eq!((fabrikam.ri_payment_plan, fabrikam.ri_term_years), (Some(Upfront), Some(1)));
    // The catalogue card reads from the reservation prices.
    assert!(app.page("/").await.1.contains("1-year reservation: CLP 620,000 upfront or CLP 54,000 per month"));
}
