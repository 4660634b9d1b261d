//! Paying an order through WebPay Plus, over real HTTP: the order page, the built-in
//! simulator's payment page, and the return URL in each of Transbank's cases.

use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use stratus::entities::enums::OrderStatus;
use stratus::entities::{invoices, orders, payments, subscriptions, webpay_transactions};

use crate::support::{location, Browser, TestApp};

const ORDER: &str = "/orders/SO-0000001";

/// Starts paying the demo order as Tina; answers WebPay's form URL and the token.
async fn start_payment(app: &TestApp) -> (String, String) {
    let response = app.submit(ORDER, &format!("{ORDER}/pay"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("Continue to WebPay"));
    let token_at = body.find("name=\"token_ws\" value=\"").unwrap() + 23;
    let action_at = body[..token_at].rfind("action=\"").unwrap() + 8;
    let url = body[action_at..].split('"').next().unwrap().to_string();
    let token = body[token_at..].split('"').next().unwrap().to_string();
    (url, token)
}

/// The shopper on the simulator's page; answers the fields WebPay sends back to the shop.
async fn at_webpay(app: &TestApp, url: &str, token: &str, action: &str, card: &str) -> Vec<(String, String)> {
    let page = app.client.post(url).form(&[("token_ws", token)]).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Pay CLP 765170"));
    let response = app
        .client
        .post(app.url("/webpayserver/pay"))
        .form(&[("token_ws", token), ("card_number", card), ("action", action), ("return_method", "post")])
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains("/checkout/webpay/return"), "{body}");
    body.match_indices("<input type=\"hidden\" name=\"")
        .map(|(at, marker)| {
            let rest = &body[at + marker.len()..];
            let name = rest.split('"').next().unwrap().to_string();
            let value = rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (name, value)
        })
        .collect()
}

/// WebPay's cross-site POST back (no session cookie, no CSRF token).
async fn return_to_shop(app: &TestApp, fields: &[(String, String)]) -> reqwest::Response {
    let outsider = app.new_browser();
    outsider.client.post(app.url("/checkout/webpay/return")).form(fields).send().await.unwrap()
}

async fn order(app: &TestApp) -> orders::Model {
    orders::Entity::find().filter(orders::Column::Number.eq("SO-0000001")).one(&app.db).await.unwrap().unwrap()
}

async fn signed_in_tina() -> TestApp {
    let app = TestApp::start().await;
    app.sign_in("tina@tailspin.demo").await;
    app
}

fn page_of(app: &Browser) -> impl std::future::Future<Output = (StatusCode, String)> + '_ {
    app.page(ORDER)
}

#[tokio::test]
async fn an_approved_card_pays_the_order_once_even_when_the_return_comes_twice() {
    let app = signed_in_tina().await;
    let (url, token) = start_payment(&app).await;
    let fields = at_webpay(&app, &url, &token, "pay", "4051 8856 0044 6623").await;
    let response = return_to_shop(&app, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), ORDER);
    let (_, body) = page_of(&app).await;
    assert!(body.contains("Payment approved."));
    assert!(body.contains("•••• 6623") && body.contains("Credit card, no instalments"));
    assert_eq!(order(&app).await.status, OrderStatus::Paid);

    // The same return again (Transbank may repeat it): the recorded result, nothing new.
    let again = return_to_shop(&app, &fields).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let order = order(&app).await;
    assert_eq!(
        payments::Entity::find().filter(payments::Column::OrderId.eq(order.id)).count(&app.db).await.unwrap(),
        1
    );
    let invoice = invoices::Entity::find().filter(invoices::Column::OrderId.eq(order.id)).all(&app.db).await.unwrap();
    assert_eq!(invoice.len(), 1);
    // List prices are net: 643.000 of items plus 19% VAT is what WebPay charged.
    assert_eq!(
        (invoice[0].subtotal, invoice[0].tax, invoice[0].total, invoice[0].number.as_str()),
        (643_000, 122_170, 765_170, "INV-SO-0000001")
    );
    // The order's subscriptions exist, the reservation with its scope and region.
    let reservation = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(order.account_id))
        .filter(subscriptions::Column::RiRegion.eq("brazilsouth"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(reservation, 1);
    // A paid order cannot be paid again.
    let response = app.submit(ORDER, &format!("{ORDER}/pay"), &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_debit_card_pays_too() {
    let app = signed_in_tina().await;
    let (url, token) = start_payment(&app).await;
    let fields = at_webpay(&app, &url, &token, "pay", "4051884239937763").await;
    return_to_shop(&app, &fields).await;
    let (_, body) = page_of(&app).await;
    assert!(body.contains("Payment approved.") && body.contains("Debit card"));
}

#[tokio::test]
async fn rejected_cancelled_timed_out_and_failed_forms_leave_the_order_payable_with_a_reason() {
    let app = signed_in_tina().await;
    let cases = [
        ("pay", "5186059559590568", "Your card was declined."),
        ("cancel", "", "You cancelled the payment at WebPay."),
        ("timeout", "", "The WebPay form timed out"),
        ("error", "", "WebPay reported an error on its payment form."),
    ];
    for (action, card, message) in cases {
        let (url, token) = start_payment(&app).await;
        let fields = at_webpay(&app, &url, &token, action, card).await;
        let response = return_to_shop(&app, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
        let (_, body) = page_of(&app).await;
        assert!(body.contains(message), "{action}: {message}");
        assert!(body.contains("Pay with WebPay"), "{action}: can try again");
        assert_eq!(order(&app).await.status, OrderStatus::PendingPayment);
    }
    // Each try had its own buy order.
    let tries = webpay_transactions::Entity::find().all(&app.db).await.unwrap();
    let mut buy_orders: Vec<_> = tries.iter().map(|t| t.buy_order.clone()).collect();
    buy_orders.dedup();
    assert_eq!(buy_orders, vec!["SO-0000001-1", "SO-0000001-2", "SO-0000001-3", "SO-0000001-4"]);
    assert_eq!(payments::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_approval_for_another_amount_is_not_a_payment() {
    let app = signed_in_tina().await;
    let (url, token) = start_payment(&app).await;
    let fields = at_webpay(&app, &url, &token, "pay", "4051885600446623").await;
    // Our record says another amount than WebPay approved.
    let row = webpay_transactions::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut tampered: webpay_transactions::ActiveModel = row.into();
    tampered.amount = Set(1);
    tampered.update(&app.db).await.unwrap();
    return_to_shop(&app, &fields).await;
    assert_eq!(order(&app).await.status, OrderStatus::PendingPayment);
    assert_eq!(payments::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn garbage_returns_never_500_and_never_pay() {
    let app = signed_in_tina().await;
    let long = "x".repeat(10_000);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("token_ws", "garbage")],
        vec![("token_ws", "' OR 1=1 --")],
        vec![("TBK_ORDEN_COMPRA", "SO-9999999-1"), ("TBK_ID_SESION", "x")],
        vec![("token_ws", &long)],
        vec![("TBK_TOKEN", &long), ("TBK_ORDEN_COMPRA", &long)],
    ];
    for fields in &cases {
        let post = app.new_browser().client.post(app.url("/checkout/webpay/return")).form(fields).send().await.unwrap();
        assert_eq!(post.status(), StatusCode::BAD_REQUEST, "POST {fields:?}");
        assert!(post.text().await.unwrap().contains("does not match any order"));
        let query = serde_urlencoded::to_string(fields).unwrap();
        let get = app.new_browser().get(&format!("/checkout/webpay/return?{query}")).await;
        assert_eq!(get.status(), StatusCode::BAD_REQUEST, "GET {fields:?}");
    }
    let unmatched = stratus::entities::webpay_events::Entity::find()
        .filter(stratus::entities::webpay_events::Column::Outcome.starts_with("matches no transaction"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(unmatched, 2 * cases.len() as u64, "every unmatched return is logged");
    let broken = app.new_browser().get("/checkout/webpay/return?token_ws=%ZZ").await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert_eq!(order(&app).await.status, OrderStatus::PendingPayment);
}

#[tokio::test]
async fn a_commit_that_times_out_is_settled_by_the_status_job() {
    // The shop waits 1 s for WebPay; the simulator is asked to answer this commit late.
    let app = TestApp::start_with(|settings| settings.webpay_timeout = std::time::Duration::from_secs(1)).await;
    app.sign_in("tina@tailspin.demo").await;
    let (url, token) = start_payment(&app).await;
    let fields = at_webpay(&app, &url, &token, "pay_slow", "4051885600446623").await;
    let response = return_to_shop(&app, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(order(&app).await.status, OrderStatus::PaymentVerifying);
    let (_, body) = page_of(&app).await;
    assert!(body.contains("Payment being verified") && body.contains("We are verifying the payment"));
    assert!(!body.contains("Pay with WebPay"), "no second payment while one is being verified");
    assert_eq!(payments::Entity::find().count(&app.db).await.unwrap(), 0);

    // The job asks WebPay's status and records the approval: once.
    let webpay = stratus::payments::webpay::client::WebpayClient::new(
        &app.base,
        stratus::payments::webpay::Credentials::integration(),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let verify = || stratus::payments::webpay::checkout::verify_lost_answers(&app.db, &webpay);
    assert_eq!(verify().await.unwrap(), 1);
    assert_eq!(verify().await.unwrap(), 0);
    assert_eq!(order(&app).await.status, OrderStatus::Paid);
    assert_eq!(payments::Entity::find().count(&app.db).await.unwrap(), 1);
    assert!(page_of(&app).await.1.contains("Payment approved."));
}

#[tokio::test]
async fn the_admin_sets_up_the_gateway_tests_the_connection_and_the_secret_stays_sealed() {
    use stratus::entities::payment_gateways;
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let (status, body) = app.page("/admin/payments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("value=\"597055555532\""));
    assert!(body.contains("••••••••6B1C") && !body.contains("579B532A7440BB0C"), "the secret is masked");

    // Under --demo the gateway is the built-in simulator: the test transaction works.
    let response = app.submit("/admin/payments", "/admin/payments/test", &[]).await;
    assert!(response.text().await.unwrap().contains("The connection works"));

    // Bad values are refused with every message; nothing is stored.
    let bad = [("commerce_code", "59705x"), ("api_key_secret", "two words"), ("environment_choice", "staging")];
    let response = app.submit("/admin/payments", "/admin/payments", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("The commerce code is the number Transbank gave you"));
    assert!(body.contains("The environment is integration, production, or an http(s):// base URL."));
    assert_eq!(payment_gateways::Entity::find().count(&app.db).await.unwrap(), 0);

    // A wrong secret: saved sealed, and the test says the credentials were refused.
    let simulator = app.base.clone();
    let wrong = [
        ("commerce_code", "597055555532"),
        ("api_key_secret", "WRONG-SECRET-1234"),
        ("environment_choice", "url"),
        ("environment_url", simulator.as_str()),
        ("active", "on"),
    ];
    let response = app.submit("/admin/payments", "/admin/payments", &wrong).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let row = payment_gateways::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(!row.api_key_secret_enc.contains("WRONG-SECRET"), "sealed at rest");
    let response = app.submit("/admin/payments", "/admin/payments/test", &[]).await;
    let body = response.text().await.unwrap();
    assert!(body.contains("WebPay refused the credentials (401 Not Authorized)"), "{body}");
    assert!(!body.contains("WRONG-SECRET-1234"));

    // Switched off: customers are told online payment is off.
    let off = [("commerce_code", "597055555532"), ("environment_choice", "integration")];
    app.submit("/admin/payments", "/admin/payments", &off).await;
    let tina = app.new_browser();
    tina.sign_in("tina@tailspin.demo").await;
    let response = tina.submit(ORDER, &format!("{ORDER}/pay"), &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Online payment is switched off"));
}

#[tokio::test]
async fn a_webpay_table_in_the_configuration_file_is_checked_at_start_up() {
    use stratus::payments::webpay::gateway::GatewayFields;
    let good = GatewayFields {
        commerce_code: "597055555532".into(),
        api_key_secret: "FROM-THE-FILE-9999".into(),
        environment: "production".into(),
        active: false,
    };
    let app = TestApp::start_with(move |settings| settings.webpay = Some(good)).await;
    app.sign_in("admin@stratus.demo").await;
    let (_, body) = app.page("/admin/payments").await;
    assert!(body.contains("••••••••9999"));
    assert!(body.contains("value=\"production\" checked"));

    let bad = GatewayFields { environment: "staging".into(), ..GatewayFields::default() };
    let dir = tempfile::tempdir().unwrap();
    let mut settings = crate::branding::app_settings(dir.path());
    settings.webpay = Some(bad);
    let error = stratus::server::prepare(settings).await.err().expect("refused");
    assert!(error.to_string().contains("[webpay]"), "{error}");
}

/// Pays the demo order as Tina with `card`; answers the app (Tina signed in).
async fn paid_order(card: &str) -> TestApp {
    let app = signed_in_tina().await;
    let (url, token) = start_payment(&app).await;
    let fields = at_webpay(&app, &url, &token, "pay", card).await;
    return_to_shop(&app, &fields).await;
    assert_eq!(order(&app).await.status, OrderStatus::Paid);
    app
}

async fn credits_of(app: &TestApp) -> Vec<invoices::Model> {
    let debit = invoices::Entity::find()
        .filter(invoices::Column::Number.eq("INV-SO-0000001"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    invoices::Entity::find().filter(invoices::Column::CreditsInvoiceId.eq(debit.id)).all(&app.db).await.unwrap()
}

#[tokio::test]
async fn the_admin_refunds_in_full_or_in_part_and_each_refund_is_a_credit_invoice() {
    use stratus::entities::refunds;
    let app = paid_order("4051885600446623").await;
    // Customers have no refund button and cannot post one.
    assert!(!page_of(&app).await.1.contains("Refund this amount"));
    let response = app.submit(ORDER, &format!("{ORDER}/refund"), &[("amount", "1000"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let refund = |amount: &'static str| {
        let admin = &admin;
        async move { admin.submit(ORDER, &format!("{ORDER}/refund"), &[("amount", amount), ("confirm", "yes")]).await }
    };
    // More than was paid: refused, nothing stored.
    let response = refund("800000").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Refund between 1 and 765170 pesos"));
    assert_eq!(refunds::Entity::find().count(&app.db).await.unwrap(), 0);

    // Part of a credit-card sale: NULLIFIED, and a credit invoice for that amount.
    let response = refund("143000").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, body) = admin.page(ORDER).await;
    assert!(
        body.contains("WebPay answered NULLIFIED: CLP 143.000 refunded; credit invoice CR-INV-SO-0000001-1 issued.")
    );
    let credits = credits_of(&app).await;
    assert_eq!(credits.len(), 1);
    assert_eq!(credits[0].total, 143_000);
    // The rest: 500.000 left, another NULLIFIED; then nothing is left.
    assert_eq!(refund("622170").await.status(), StatusCode::SEE_OTHER);
    let credits = credits_of(&app).await;
    assert_eq!(credits.iter().map(|c| c.total).sum::<i64>(), 765_170);
    // The credits add up to the invoice's net and VAT to the peso.
    assert_eq!(
        credits.iter().map(|c| (c.subtotal, c.tax)).fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1)),
        (643_000, 122_170)
    );
    assert!(refund("1").await.text().await.unwrap().contains("Refund between 1 and 0 pesos"));
}

#[tokio::test]
async fn a_debit_card_is_reversed_in_full_and_a_partial_refund_is_refused_by_webpay() {
    let app = paid_order("4051884239937763").await;
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let response = admin.submit(ORDER, &format!("{ORDER}/refund"), &[("amount", "1000"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("WebPay refused the refund: Debit and prepaid cards can only be refunded in full"));
    assert!(credits_of(&app).await.is_empty());
    let response = admin.submit(ORDER, &format!("{ORDER}/refund"), &[("amount", "765170"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(admin.page(ORDER).await.1.contains("WebPay answered REVERSED"));
    assert_eq!(credits_of(&app).await[0].total, 765_170);

    // The log has every call and return of the payment, found by order and by buy order.
    for search in ["SO-0000001", "SO-0000001-1"] {
        let (status, log) = admin.page(&format!("/admin/payments/transactions?q={search}")).await;
        assert_eq!(status, StatusCode::OK);
        for action in ["create", "return", "commit", "refund"] {
            assert!(log.contains(&format!("<span class=\"tag\">{action}</span>")), "{search}: {action}");
        }
        assert!(log.contains("status AUTHORIZED, response_code 0, amount 765170"));
        assert!(log.contains("Debit and prepaid cards can only be refunded in full"), "the refused refund too");
    }
    let (_, none) = admin.page("/admin/payments/transactions?q=SO-9").await;
    assert!(none.contains("No WebPay calls or returns match."));
    assert_eq!(
        admin.page(&format!("/admin/payments/transactions?q={}", "x".repeat(41))).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_payment_for_a_total_the_order_no_longer_has_does_not_pay_it() {
    let app = signed_in_tina().await;
    let (url, token) = start_payment(&app).await;
    // Meanwhile, in another tab, the reserved instance is removed from the unpaid order.
    let view = stratus::catalog::orders::load(&app.db, stratus::accounts::scope::AccountScope::All, "SO-0000001")
        .await
        .unwrap();
    let ri = view.items.iter().find(|(i, _)| i.ri_reservation_type.is_some()).unwrap().0.id;
    let response = app.submit(ORDER, &format!("{ORDER}/items/{ri}/remove"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let fields = at_webpay(&app, &url, &token, "pay", "4051885600446623").await;
    return_to_shop(&app, &fields).await;
    let order = order(&app).await;
    assert_eq!((order.status, order.subtotal, order.total), (OrderStatus::PendingPayment, 23_000, 27_370));
    assert_eq!(payments::Entity::find().count(&app.db).await.unwrap(), 0);
}
