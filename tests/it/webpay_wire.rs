//! The WebPay Plus client against Transbank's documented wire format, not the simulator
//! (which shares the client's types, so a mistake in both would agree with itself): a bare
//! HTTP server answers each call with a recorded answer from `tests/fixtures/webpay/` and
//! keeps what the client sent, which must be the documented method, path, headers and body.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::Value;
use stratus::payments::webpay::client::{WebpayClient, WebpayError};
use stratus::payments::webpay::{
    CardDetail, CreateAnswer, CreateRequest, Credentials, RefundAnswer, TransactionAnswer, INTEGRATION_API_KEY_SECRET,
    INTEGRATION_COMMERCE_CODE,
};

const BASE: &str = "/rswebpaytransaction/api/webpay/v1.2";
/// The reference's token (its create answer).
const TOKEN: &str = "e9d555262db0f989e49d724b4db0b0af367cc415cde41f500a776550fc5fddd3";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/webpay/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A server that answers every request with `status` and the bytes of `answer`, and keeps
/// what it was sent.
struct Transbank {
    host: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl Transbank {
    async fn answering(status: u16, answer: &str) -> Transbank {
        let body = fixture(answer);
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let kept = seen.clone();
        let handler = move |method: Method, uri: Uri, headers: HeaderMap, body_in: Bytes| {
            let kept = kept.clone();
            let body = body.clone();
            async move {
                let path = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
                kept.lock().unwrap().push(Seen { method, path, headers, body: body_in });
                let status = StatusCode::from_u16(status).unwrap();
                (status, [("content-type", "application/json")], body).into_response()
            }
        };
        let router = axum::Router::new().fallback(handler);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        Transbank { host, seen, _server: server }
    }

    fn client(&self) -> WebpayClient {
        WebpayClient::new(&self.host, Credentials::integration(), Duration::from_secs(5)).unwrap()
    }

    /// The one request the client made.
    fn request(&self) -> Seen {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "one request per call: {seen:?}");
        seen[0].clone()
    }
}

/// The method, path and the reference's three headers; the secret as given, the code too.
fn assert_documented(seen: &Seen, method: Method, path: &str) {
    assert_eq!(seen.method, method);
    assert_eq!(seen.path, path);
    let header = |name: &str| {
        let values: Vec<_> = seen.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert_eq!(values.len(), 1, "{name} once: {values:?}");
        values[0].clone()
    };
    assert_eq!(header("tbk-api-key-id"), INTEGRATION_COMMERCE_CODE);
    assert_eq!(header("tbk-api-key-secret"), INTEGRATION_API_KEY_SECRET);
    assert_eq!(header("content-type"), "application/json");
}

fn body_json(seen: &Seen) -> Value {
    serde_json::from_slice(&seen.body).unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&seen.body)))
}

/// The reference's commit and status answer, field by field.
fn documented_transaction() -> TransactionAnswer {
    TransactionAnswer {
        vci: Some("TSY".into()),
        amount: Some(10_000),
        status: Some("AUTHORIZED".into()),
        buy_order: Some("ordenCompra12345678".into()),
        session_id: Some("sesion1234557545".into()),
        card_detail: Some(CardDetail { card_number: Some("6623".into()) }),
        accounting_date: Some("0522".into()),
        transaction_date: Some("2019-05-22T16:41:21.063Z".into()),
        authorization_code: Some("1213".into()),
        payment_type_code: Some("VN".into()),
        response_code: Some(0),
        installments_amount: None,
        installments_number: Some(0),
        balance: None,
    }
}

#[tokio::test]
async fn create_sends_the_documented_request_and_reads_the_documented_answer() {
    let transbank = Transbank::answering(200, "create.answer.json").await;
    let request = CreateRequest {
        buy_order: "ordenCompra12345678".into(),
        session_id: "sesion1234557545".into(),
        amount: 10_000,
        return_url: "http://www.comercio.cl/webpay/retorno".into(),
    };
    let answer = transbank.client().create(&request).await.unwrap();
    let seen = transbank.request();
    assert_documented(&seen, Method::POST, &format!("{BASE}/transactions"));
    assert_eq!(body_json(&seen), fixture_json("create.request.json"), "the body, as a JSON value");
    assert_eq!(
        answer,
        CreateAnswer {
            token: TOKEN.into(),
            url: "https://webpay3gint.transbank.cl/webpayserver/initTransaction".into()
        }
    );
}

#[tokio::test]
async fn commit_and_status_send_no_body_and_read_every_documented_field() {
    for (method, answer) in [(Method::PUT, "commit.answer.json"), (Method::GET, "status.answer.json")] {
        let transbank = Transbank::answering(200, answer).await;
        let client = transbank.client();
        let read = if method == Method::PUT { client.commit(TOKEN).await } else { client.status(TOKEN).await };
        let read = read.unwrap_or_else(|e| panic!("{answer}: {e:?}"));
        let seen = transbank.request();
        assert_documented(&seen, method, &format!("{BASE}/transactions/{TOKEN}"));
        assert!(seen.body.is_empty(), "{answer}: no body, got {:?}", seen.body);
        assert_eq!(read, documented_transaction(), "{answer}");
        // Nothing documented is dropped: written back, it is the same JSON.
        assert_eq!(serde_json::to_value(&read).unwrap(), fixture_json(answer), "{answer}");
        assert!(stratus::payments::webpay::is_paid(&read, 10_000, "ordenCompra12345678"));
    }
}

#[tokio::test]
async fn a_refund_sends_the_amount_and_reads_a_nullification_with_decimals() {
    let transbank = Transbank::answering(200, "refund.nullified.answer.json").await;
    let answer = transbank.client().refund(TOKEN, 1_000).await;
    let seen = transbank.request();
    assert_documented(&seen, Method::POST, &format!("{BASE}/transactions/{TOKEN}/refunds"));
    assert_eq!(body_json(&seen), fixture_json("refund.request.json"));
    // The reference writes "nullified_amount": 1000.00 and "balance": 0.00: whole pesos.
    assert_eq!(
        answer.unwrap(),
        RefundAnswer::Nullified {
            authorization_code: Some("123456".into()),
            authorization_date: Some("2019-03-20T20:18:20Z".into()),
            nullified_amount: Some(1_000),
            balance: Some(0),
            response_code: Some(0),
        }
    );

    let transbank = Transbank::answering(200, "refund.reversed.answer.json").await;
    assert_eq!(transbank.client().refund(TOKEN, 1_000).await.unwrap(), RefundAnswer::Reversed);
}

#[tokio::test]
async fn transbanks_errors_keep_their_status_and_message() {
    let cases = [
        (401, "error.not-authorized.json", "Not Authorized"),
        (400, "error.token-required.json", "token is required"),
        (
            422,
            "error.commit-invalid-status.json",
            "Invalid status 0 for transaction while authorizing. Commerce will be notified by webpay to authorize",
        ),
        (422, "error.status-expired.json", "The transactions date has passed max time (7 days) to recover the status"),
        (422, "error.refund-invalid-amount.json", "Invalid value for parameter: amount"),
        (500, "error.token-required.json", "token is required"),
    ];
    for (status, answer, message) in cases {
        let transbank = Transbank::answering(status, answer).await;
        let client = transbank.client();
        let calls = [
            client.commit(TOKEN).await.map(|_| ()),
            client.status(TOKEN).await.map(|_| ()),
            client.refund(TOKEN, 1_000).await.map(|_| ()),
        ];
        for error in calls {
            let error = error.unwrap_err();
            assert_eq!(error, WebpayError::Api { status, message: message.into() }, "{answer}");
            assert_eq!(error.is_lost_answer(), status >= 500, "{answer}: only a server error may be a lost answer");
        }
    }
}

#[test]
fn amounts_are_whole_pesos_however_transbank_writes_them() {
    let read = |json: &str| serde_json::from_str::<TransactionAnswer>(json).map(|a| a.amount);
    assert_eq!(read(r#"{"amount": 15000}"#).unwrap(), Some(15_000));
    assert_eq!(read(r#"{"amount": 15000.00}"#).unwrap(), Some(15_000));
    assert_eq!(read(r#"{"amount": "15000"}"#).unwrap(), Some(15_000));
    assert_eq!(read(r#"{"amount": null}"#).unwrap(), None);
    assert_eq!(read(r#"{}"#).unwrap(), None);
    // A fraction of a peso is no amount: never taken as 15000 or 15001.
    assert!(read(r#"{"amount": 15000.5}"#).is_err());
    assert!(read(r#"{"amount": "15000.5"}"#).is_err());
    assert!(read(r#"{"amount": "fifteen"}"#).is_err());
}
