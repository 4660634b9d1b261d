//! The WebPay Plus client against the local simulator, over real HTTP: every return case,
//! commit/status/refund answers, credentials, limits and lost answers.

use std::time::Duration;

use reqwest::StatusCode;
use stratus::payments::webpay::client::{WebpayClient, WebpayError};
use stratus::payments::webpay::simulator::Simulator;
use stratus::payments::webpay::{is_paid, CreateRequest, Credentials, RefundAnswer};

const RETURN_URL: &str = "http://127.0.0.1:9/checkout/webpay/return";

struct Sim {
    base: String,
    browser: reqwest::Client,
    _server: tokio::task::JoinHandle<()>,
}

async fn start_simulator() -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let simulator = Simulator::new(Credentials::integration(), &base);
    let router = simulator.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.ok();
    });
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Sim { base, browser, _server: server }
}

fn client(sim: &Sim) -> WebpayClient {
    WebpayClient::new(&sim.base, Credentials::integration(), Duration::from_secs(5)).unwrap()
}

fn order(buy_order: &str, amount: i64) -> CreateRequest {
    CreateRequest { buy_order: buy_order.into(), session_id: "session-1".into(), amount, return_url: RETURN_URL.into() }
}

/// The shopper on the simulator's page: `action` is pay, cancel, timeout or error.
/// Answers the hidden fields of the form that goes back to the shop (or the GET redirect).
async fn shopper(
    sim: &Sim,
    url: &str,
    token: &str,
    action: &str,
    card: &str,
    method: &str,
) -> (String, Vec<(String, String)>) {
    let page = sim.browser.post(url).form(&[("token_ws", token)]).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Pay CLP"));
    let response = sim
        .browser
        .post(format!("{}/webpayserver/pay", sim.base))
        .form(&[("token_ws", token), ("card_number", card), ("action", action), ("return_method", method)])
        .send()
        .await
        .unwrap();
    if response.status() == StatusCode::SEE_OTHER {
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let (target, query) = location.split_once('?').unwrap();
        return ("GET ".to_string() + target, serde_urlencoded::from_str(query).unwrap());
    }
    let body = response.text().await.unwrap();
    let action_at = body.find("action=\"").expect("a return form") + 8;
    let target = body[action_at..].split('"').next().unwrap().to_string();
    let fields = body
        .match_indices("<input type=\"hidden\" name=\"")
        .map(|(at, marker)| {
            let rest = &body[at + marker.len()..];
            let name = rest.split('"').next().unwrap().to_string();
            let value = rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            (name, value)
        })
        .collect();
    ("POST ".to_string() + &target, fields)
}

fn names(fields: &[(String, String)]) -> Vec<&str> {
    fields.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn approved_credit_and_debit_cards_commit_once_with_a_receipt() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    for (card, last4, payment_type) in [("4051 8856 0044 6623", "6623", "VN"), ("4051884239937763", "7763", "VD")] {
        let buy_order = format!("SO-0000001-{last4}");
        let created = webpay.create(&order(&buy_order, 23_000)).await.unwrap();
        assert_eq!(created.token.len(), 64);
        assert!(created.url.ends_with("/webpayserver/initTransaction"));
        let (target, fields) = shopper(&sim, &created.url, &created.token, "pay", card, "post").await;
        assert_eq!(target, format!("POST {RETURN_URL}"));
        assert_eq!(fields, vec![("token_ws".to_string(), created.token.clone())]);

        let answer = webpay.commit(&created.token).await.unwrap();
        assert!(is_paid(&answer, 23_000, &buy_order), "{answer:?}");
        assert_eq!(answer.card_detail.unwrap().card_number.as_deref(), Some(last4));
        assert_eq!(answer.payment_type_code.as_deref(), Some(payment_type));
        assert_eq!(answer.authorization_code.map(|c| c.len()), Some(6));
        // The same token again: Transbank refuses a second commit; status still answers.
        let again = webpay.commit(&created.token).await.unwrap_err();
        assert!(matches!(again, WebpayError::Api { status: 422, .. }), "{again:?}");
        let status = webpay.status(&created.token).await.unwrap();
        assert_eq!(status.status.as_deref(), Some("AUTHORIZED"));
    }
}

#[tokio::test]
async fn a_rejected_card_commits_as_failed_and_is_not_paid() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    let created = webpay.create(&order("SO-2", 5_000)).await.unwrap();
    shopper(&sim, &created.url, &created.token, "pay", "5186059559590568", "post").await;
    let answer = webpay.commit(&created.token).await.unwrap();
    assert_eq!((answer.status.as_deref(), answer.response_code), (Some("FAILED"), Some(-1)));
    assert!(!is_paid(&answer, 5_000, "SO-2"));
}

#[tokio::test]
async fn cancel_timeout_and_form_error_return_transbanks_fields_and_cannot_be_committed() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    let cases = [
        ("cancel", vec!["TBK_TOKEN", "TBK_ORDEN_COMPRA", "TBK_ID_SESION"]),
        ("timeout", vec!["TBK_ORDEN_COMPRA", "TBK_ID_SESION"]),
        ("error", vec!["token_ws", "TBK_TOKEN", "TBK_ORDEN_COMPRA", "TBK_ID_SESION"]),
    ];
    for (i, (action, expected)) in cases.into_iter().enumerate() {
        let buy_order = format!("SO-3-{i}");
        let created = webpay.create(&order(&buy_order, 1_000)).await.unwrap();
        let (_, fields) = shopper(&sim, &created.url, &created.token, action, "", "post").await;
        assert_eq!(names(&fields), expected, "{action}");
        assert!(fields.iter().any(|(n, v)| n == "TBK_ORDEN_COMPRA" && *v == buy_order));
        let commit = webpay.commit(&created.token).await.unwrap_err();
        assert!(
            matches!(&commit, WebpayError::Api { status: 422, message } if message.starts_with("Invalid status")),
            "{commit:?}"
        );
    }
}

#[tokio::test]
async fn the_return_can_come_by_get_too() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    let created = webpay.create(&order("SO-4", 1_000)).await.unwrap();
    let (target, fields) = shopper(&sim, &created.url, &created.token, "pay", "4051885600446623", "get").await;
    assert_eq!(target, format!("GET {RETURN_URL}"));
    assert_eq!(fields, vec![("token_ws".to_string(), created.token)]);
}

#[tokio::test]
async fn refunds_reverse_in_full_or_nullify_part_of_a_credit_card_sale() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    let pay = |buy_order: &'static str, card: &'static str| {
        let webpay = webpay.clone();
        let sim = &sim;
        async move {
            let created = webpay.create(&order(buy_order, 10_000)).await.unwrap();
            shopper(sim, &created.url, &created.token, "pay", card, "post").await;
            webpay.commit(&created.token).await.unwrap();
            created.token
        }
    };
    let full = pay("SO-5-1", "4051885600446623").await;
    assert_eq!(webpay.refund(&full, 10_000).await.unwrap(), RefundAnswer::Reversed);
    assert_eq!(webpay.status(&full).await.unwrap().status.as_deref(), Some("REVERSED"));

    let credit = pay("SO-5-2", "4051885600446623").await;
    match webpay.refund(&credit, 4_000).await.unwrap() {
        RefundAnswer::Nullified { nullified_amount, balance, response_code, .. } => {
            assert_eq!((nullified_amount, balance, response_code), (Some(4_000), Some(6_000), Some(0)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(webpay.status(&credit).await.unwrap().status.as_deref(), Some("PARTIALLY_NULLIFIED"));
    let too_much = webpay.refund(&credit, 7_000).await.unwrap_err();
    assert!(matches!(too_much, WebpayError::Api { status: 422, .. }));

    let debit = pay("SO-5-3", "4051884239937763").await;
    let partial = webpay.refund(&debit, 1_000).await.unwrap_err();
    assert!(matches!(&partial, WebpayError::Api { message, .. } if message.contains("only be refunded in full")));
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_error_without_the_secret() {
    let sim = start_simulator().await;
    let wrong = Credentials { commerce_code: "597055555532".into(), api_key_secret: "not-the-secret-XYZ".into() };
    let webpay = WebpayClient::new(&sim.base, wrong, Duration::from_secs(5)).unwrap();
    let error = webpay.create(&order("SO-6", 1_000)).await.unwrap_err();
    assert_eq!(error, WebpayError::Api { status: 401, message: "Not Authorized".into() });
    assert!(!error.to_string().contains("not-the-secret"));
    assert!(!format!("{error:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn limits_are_checked_before_sending_and_lost_answers_are_told_apart() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    let error = webpay.create(&order(&"X".repeat(27), 1_000)).await.unwrap_err();
    assert!(matches!(error, WebpayError::Invalid(ref m) if m.starts_with("buy_order")));
    assert!(matches!(webpay.commit("../admin").await.unwrap_err(), WebpayError::Invalid(_)));
    assert!(matches!(webpay.status(&"a".repeat(64)).await.unwrap_err(), WebpayError::Api { status: 404, .. }));

    // Nobody listening: the answer is lost, not refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_addr = closed.local_addr().unwrap();
    drop(closed);
    let dead =
        WebpayClient::new(&format!("http://{dead_addr}"), Credentials::integration(), Duration::from_secs(2)).unwrap();
    let error = dead.commit(&"a".repeat(64)).await.unwrap_err();
    assert!(error.is_lost_answer(), "{error:?}");

    // A server that accepts and never answers: the timeout is a lost answer too.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let _hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let slow =
        WebpayClient::new(&format!("http://{silent_addr}"), Credentials::integration(), Duration::from_millis(300))
            .unwrap();
    let error = slow.commit(&"a".repeat(64)).await.unwrap_err();
    assert_eq!(error, WebpayError::Transport("timed out".into()));
}

#[tokio::test]
async fn a_commit_answered_with_a_server_error_or_an_unreadable_body_is_a_lost_answer() {
    let sim = start_simulator().await;
    let webpay = client(&sim);
    for (i, action) in ["pay_commit_500", "pay_commit_garbage"].into_iter().enumerate() {
        let created = webpay.create(&order(&format!("SO-7-{i}"), 1_000)).await.unwrap();
        shopper(&sim, &created.url, &created.token, action, "4051885600446623", "post").await;
        let error = webpay.commit(&created.token).await.unwrap_err();
        assert!(error.is_lost_answer(), "{action}: {error:?}");
        // The commit happened: status tells.
        assert_eq!(webpay.status(&created.token).await.unwrap().status.as_deref(), Some("AUTHORIZED"));
    }
    // A refusal (4xx) is an answer, not a lost one.
    let refused = WebpayError::Api { status: 422, message: "Invalid status '10'".into() };
    assert!(!refused.is_lost_answer());
}

#[tokio::test]
async fn the_simulator_takes_what_transbanks_sdks_send() {
    // Transbank's Python SDK 6.1 posts create to `…/transactions/` with the amount as a
    // string, and refunds with `"amount": "5000"` (tests/sdk/webpay_plus.py runs the SDK itself).
    let sim = start_simulator().await;
    let api = format!("{}{}", sim.base, stratus::payments::webpay::API_PATH);
    let credentials = Credentials::integration();
    let send = |method: reqwest::Method, url: String, body: Option<serde_json::Value>| {
        let mut request = sim
            .browser
            .request(method, url)
            .header("Tbk-Api-Key-Id", &credentials.commerce_code)
            .header("Tbk-Api-Key-Secret", &credentials.api_key_secret)
            .header("Content-Type", "application/json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let create = serde_json::json!({
        "buy_order": "SDK-1", "session_id": "s-1", "amount": "15000", "return_url": RETURN_URL
    });
    let (status, created) = send(reqwest::Method::POST, format!("{api}/transactions/"), Some(create)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let token = created["token"].as_str().unwrap().to_string();
    let (status, state) = send(reqwest::Method::GET, format!("{api}/transactions/{token}"), None).await;
    assert_eq!((status, &state["amount"]), (StatusCode::OK, &serde_json::json!(15_000)), "the string is the amount");
    shopper(&sim, created["url"].as_str().unwrap(), &token, "pay", "4051885600446623", "post").await;
    let (status, committed) = send(reqwest::Method::PUT, format!("{api}/transactions/{token}"), None).await;
    assert_eq!((status, &committed["status"]), (StatusCode::OK, &serde_json::json!("AUTHORIZED")));
    let refund = serde_json::json!({"amount": "5000"});
    let (status, refunded) =
        send(reqwest::Method::POST, format!("{api}/transactions/{token}/refunds"), Some(refund)).await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    assert_eq!(
        (&refunded["nullified_amount"], &refunded["balance"]),
        (&serde_json::json!(5_000), &serde_json::json!(10_000))
    );

    // What is not an amount of pesos is still a malformed body.
    for amount in [serde_json::json!("15000.5"), serde_json::json!("lots"), serde_json::json!(15000.5)] {
        let create = serde_json::json!({
            "buy_order": "SDK-2", "session_id": "s-2", "amount": amount, "return_url": RETURN_URL
        });
        let (status, body) = send(reqwest::Method::POST, format!("{api}/transactions/"), Some(create)).await;
        assert_eq!(
            (status, &body["error_message"]),
            (StatusCode::BAD_REQUEST, &serde_json::json!("Invalid request body")),
            "{amount}"
        );
    }
}
