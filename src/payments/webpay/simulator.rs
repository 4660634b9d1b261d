//! A local WebPay Plus: the same REST API on the same paths (with the two headers and the
//! field limits checked), a payment page where a shopper enters a test card, cancels, lets
//! the form time out or makes it fail, and the return to the shop in each of Transbank's
//! four cases. It keeps its transactions so commit, status and refund answer consistently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Deserialize;

use super::{
    check_create, check_token, CardDetail, CreateAnswer, CreateRequest, Credentials, ErrorBody, Pesos, RefundAnswer,
    TransactionAnswer, API_PATH,
};

/// How late a "slow commit" answers: longer than the shop waits.
const SLOW_COMMIT_SECONDS: u64 = 30;

/// The integration environment's test cards: number → (payment type, approved).
const TEST_CARDS: &[(&str, &str, bool)] = &[
    ("4051885600446623", "VN", true),
    ("370000000002032", "VN", true),
    ("4051884239937763", "VD", true),
    ("4051886000056590", "VP", true),
    ("5186059559590568", "VN", false),
    ("5186008541233829", "VD", false),
    ("5186174110629480", "VP", false),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Created; the shopper has not finished the form.
    Initialized,
    Authorized {
        card: String,
        payment_type: String,
        authorization_code: String,
    },
    Failed {
        card: String,
        payment_type: String,
    },
    /// Cancelled by the shopper, timed out or failed on the form: never committable.
    Aborted,
}

/// How the simulator answers the shop's commit of a transaction (chosen on the payment page,
/// to try what the shop does when an answer is lost). The commit itself always happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CommitAnswer {
    OnTime,
    /// Later than the shop waits.
    Late,
    /// HTTP 500 with Transbank's error body.
    ServerError,
    /// HTTP 200 with a body that is not JSON.
    Unreadable,
}

/// How the simulator answers refunds of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefundMode {
    Normal,
    /// The refund is done, but answered with HTTP 500.
    LostAnswer,
    /// Refused with HTTP 422; nothing refunded.
    Refused,
}

#[derive(Debug, Clone)]
struct Transaction {
    request: CreateRequest,
    created_at: DateTime<Utc>,
    outcome: Outcome,
    committed: bool,
    /// What is left after refunds.
    balance: i64,
    refund_status: Option<&'static str>,
    commit_answer: CommitAnswer,
    refund_mode: RefundMode,
}

/// The simulator's state; clone it freely.
#[derive(Clone)]
pub struct Simulator {
    credentials: Credentials,
    /// Where browsers reach the simulator (its payment page's host).
    public_url: Arc<Mutex<String>>,
    transactions: Arc<Mutex<HashMap<String, Transaction>>>,
}

impl Simulator {
    pub fn new(credentials: Credentials, public_url: &str) -> Simulator {
        Simulator {
            credentials,
            public_url: Arc::new(Mutex::new(public_url.trim_end_matches('/').to_string())),
            transactions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn public_url(&self) -> String {
        self.public_url.lock().map(|u| u.clone()).unwrap_or_default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Transaction>) -> T) -> Option<T> {
        self.transactions.lock().ok().map(|mut map| f(&mut map))
    }

    /// The routes: the REST API under its base path, and the payment pages.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route(&format!("{API_PATH}/transactions"), post(create))
            // Transbank's SDKs (Python, Ruby, Elixir) post create with a trailing slash.
            .route(&format!("{API_PATH}/transactions/"), post(create))
            .route(&format!("{API_PATH}/transactions/{{token}}"), put(commit).get(status))
            .route(&format!("{API_PATH}/transactions/{{token}}/refunds"), post(refund))
            .route("/webpayserver/initTransaction", get(payment_page_get).post(payment_page_post))
            .route("/webpayserver/pay", post(pay))
            .with_state(self.clone())
    }
}

/// `POST /transactions` as it arrives: the amount may be a string, as Transbank takes it
/// (the Python SDK 6.x sends `"amount": "15000"`).
#[derive(Debug, Deserialize)]
struct WireCreateRequest {
    buy_order: String,
    session_id: String,
    amount: Pesos,
    return_url: String,
}

/// `POST /transactions/{token}/refunds` as it arrives.
#[derive(Debug, Deserialize)]
struct WireRefundRequest {
    amount: Pesos,
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(ErrorBody { error_message: message.to_string() })).into_response()
}

fn authorized(sim: &Simulator, headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    header("Tbk-Api-Key-Id") == sim.credentials.commerce_code
        && header("Tbk-Api-Key-Secret") == sim.credentials.api_key_secret
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn create(State(sim): State<Simulator>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !authorized(&sim, &headers) {
        return error(StatusCode::UNAUTHORIZED, "Not Authorized");
    }
    let Ok(request) = serde_json::from_slice::<WireCreateRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid request body");
    };
    let request = CreateRequest {
        buy_order: request.buy_order,
        session_id: request.session_id,
        amount: request.amount.0,
        return_url: request.return_url,
    };
    if let Err(message) = check_create(&request) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, &format!("Invalid value: {message}"));
    }
    let token = new_token();
    let amount = request.amount;
    let transaction = Transaction {
        request,
        created_at: Utc::now(),
        outcome: Outcome::Initialized,
        committed: false,
        balance: amount,
        refund_status: None,
        commit_answer: CommitAnswer::OnTime,
        refund_mode: RefundMode::Normal,
    };
    sim.with(|map| map.insert(token.clone(), transaction));
    let url = format!("{}/webpayserver/initTransaction", sim.public_url());
    Json(CreateAnswer { token, url }).into_response()
}

fn answer_of(t: &Transaction) -> TransactionAnswer {
    let mut answer = TransactionAnswer {
        amount: Some(t.request.amount),
        buy_order: Some(t.request.buy_order.clone()),
        session_id: Some(t.request.session_id.clone()),
        transaction_date: Some(t.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        accounting_date: Some(t.created_at.format("%m%d").to_string()),
        ..Default::default()
    };
    match &t.outcome {
        Outcome::Initialized => answer.status = Some("INITIALIZED".into()),
        Outcome::Aborted => answer.status = Some("FAILED".into()),
        Outcome::Authorized { card, payment_type, authorization_code } => {
            answer.status = Some(t.refund_status.unwrap_or("AUTHORIZED").into());
            answer.vci = Some("TSY".into());
            answer.response_code = Some(0);
            answer.card_detail = Some(CardDetail { card_number: Some(card[card.len() - 4..].to_string()) });
            answer.authorization_code = Some(authorization_code.clone());
            answer.payment_type_code = Some(payment_type.clone());
            answer.installments_number = Some(0);
            answer.balance = Some(t.balance);
        }
        Outcome::Failed { card, payment_type } => {
            answer.status = Some("FAILED".into());
            answer.vci = Some("TSY".into());
            answer.response_code = Some(-1);
            answer.card_detail = Some(CardDetail { card_number: Some(card[card.len() - 4..].to_string()) });
            answer.authorization_code = Some("000000".into());
            answer.payment_type_code = Some(payment_type.clone());
            answer.installments_number = Some(0);
        }
    }
    answer
}

async fn commit(State(sim): State<Simulator>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !authorized(&sim, &headers) {
        return error(StatusCode::UNAUTHORIZED, "Not Authorized");
    }
    let result = sim.with(|map| match map.get_mut(&token) {
        None => Err((StatusCode::NOT_FOUND, "Transaction not found")),
        Some(t) if t.committed => {
            Err((StatusCode::UNPROCESSABLE_ENTITY, "Transaction already locked by other process"))
        }
        Some(t) => match t.outcome {
            Outcome::Initialized | Outcome::Aborted => {
                Err((StatusCode::UNPROCESSABLE_ENTITY, "Invalid status '10' for transaction while authorizing"))
            }
            _ => {
                t.committed = true;
                Ok((answer_of(t), t.commit_answer))
            }
        },
    });
    // The commit is done; only its answer is late, an error or unreadable (what a lost
    // answer looks like to the shop).
    match result {
        Some(Ok((answer, CommitAnswer::OnTime))) => Json(answer).into_response(),
        Some(Ok((answer, CommitAnswer::Late))) => {
            tokio::time::sleep(std::time::Duration::from_secs(SLOW_COMMIT_SECONDS)).await;
            Json(answer).into_response()
        }
        Some(Ok((_, CommitAnswer::ServerError))) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        Some(Ok((_, CommitAnswer::Unreadable))) => {
            (StatusCode::OK, Html("<html><body>Service temporarily unavailable</body></html>")).into_response()
        }
        Some(Err((status, message))) => error(status, message),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "simulator state unavailable"),
    }
}

async fn status(State(sim): State<Simulator>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    if !authorized(&sim, &headers) {
        return error(StatusCode::UNAUTHORIZED, "Not Authorized");
    }
    match sim.with(|map| map.get(&token).map(answer_of)) {
        Some(Some(answer)) => Json(answer).into_response(),
        _ => error(StatusCode::NOT_FOUND, "Transaction not found"),
    }
}

async fn refund(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&sim, &headers) {
        return error(StatusCode::UNAUTHORIZED, "Not Authorized");
    }
    let Ok(WireRefundRequest { amount: Pesos(amount) }) = serde_json::from_slice::<WireRefundRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Invalid request body");
    };
    let result = sim.with(|map| {
        let t = map.get_mut(&token).ok_or((StatusCode::NOT_FOUND, "Transaction not found"))?;
        let Outcome::Authorized { payment_type, authorization_code, .. } = t.outcome.clone() else {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "Transaction is not authorized"));
        };
        if !t.committed {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "Transaction is not committed"));
        }
        if t.refund_mode == RefundMode::Refused {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "The transaction cannot be refunded"));
        }
        if amount <= 0 || amount > t.balance {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "Invalid amount"));
        }
        let whole = amount == t.balance && t.balance == t.request.amount;
        if !whole && matches!(payment_type.as_str(), "VD" | "VP") {
            return Err((StatusCode::UNPROCESSABLE_ENTITY, "Debit and prepaid cards can only be refunded in full"));
        }
        let recent = Utc::now() - t.created_at < chrono::Duration::hours(3);
        let lost = t.refund_mode == RefundMode::LostAnswer;
        if whole && recent {
            t.balance = 0;
            t.refund_status = Some("REVERSED");
            return Ok((RefundAnswer::Reversed, lost));
        }
        t.balance -= amount;
        t.refund_status = Some(if t.balance == 0 { "NULLIFIED" } else { "PARTIALLY_NULLIFIED" });
        let answer = RefundAnswer::Nullified {
            authorization_code: Some(authorization_code),
            authorization_date: Some(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            nullified_amount: Some(amount),
            balance: Some(t.balance),
            response_code: Some(0),
        };
        Ok((answer, lost))
    });
    match result {
        // Refunded, but the answer is lost on the way back.
        Some(Ok((_, true))) => error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        Some(Ok((answer, false))) => Json(answer).into_response(),
        Some(Err((status, message))) => error(status, message),
        None => error(StatusCode::INTERNAL_SERVER_ERROR, "simulator state unavailable"),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenParam {
    #[serde(default)]
    token_ws: String,
}

async fn payment_page_get(State(sim): State<Simulator>, Query(param): Query<TokenParam>) -> Response {
    payment_page(&sim, &param.token_ws, None)
}

async fn payment_page_post(State(sim): State<Simulator>, Form(param): Form<TokenParam>) -> Response {
    payment_page(&sim, &param.token_ws, None)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn simulator_document(title: &str, body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body>\
         <p><strong>WebPay Plus — local simulator</strong></p>{body}</body></html>",
        title = escape(title)
    ))
    .into_response()
}

fn payment_page(sim: &Simulator, token: &str, message: Option<&str>) -> Response {
    if check_token(token).is_err() {
        return simulator_document("Unknown transaction", "<p>There is no such transaction.</p>");
    }
    let Some(Some(t)) = sim.with(|map| map.get(token).cloned()) else {
        return simulator_document("Unknown transaction", "<p>There is no such transaction.</p>");
    };
    if t.outcome != Outcome::Initialized {
        return simulator_document("Already done", "<p>This transaction was already completed.</p>");
    }
    let notice = message.map(|m| format!("<p role=\"alert\">{}</p>", escape(m))).unwrap_or_default();
    simulator_document(
        "Pay with WebPay",
        &format!(
            "<h1>Pay CLP {amount}</h1><p>Order {order}</p>{notice}\
             <form method=\"post\" action=\"/webpayserver/pay\">\
             <input type=\"hidden\" name=\"token_ws\" value=\"{token}\">\
             <p><label>Card number <input name=\"card_number\" inputmode=\"numeric\" autocomplete=\"off\"></label></p>\
             <p><label>CVV <input name=\"cvv\" inputmode=\"numeric\" autocomplete=\"off\"></label></p>\
             <p><label>Return to the shop by <select name=\"return_method\">\
             <option value=\"post\">POST (the usual)</option><option value=\"get\">GET</option></select></label></p>\
             <p><button type=\"submit\" name=\"action\" value=\"pay\">Pay</button> \
             <button type=\"submit\" name=\"action\" value=\"cancel\">Cancel and return to the shop</button></p>\
             <fieldset><legend>Try what the shop does when an answer goes wrong</legend>\
             <p><button type=\"submit\" name=\"action\" value=\"pay_slow\">Pay, but answer the shop's commit late</button> \
             <button type=\"submit\" name=\"action\" value=\"pay_commit_500\">Pay, but answer the commit with HTTP 500</button> \
             <button type=\"submit\" name=\"action\" value=\"pay_commit_garbage\">Pay, but answer the commit unreadably</button></p>\
             <p><button type=\"submit\" name=\"action\" value=\"pay_refund_lost\">Pay, but lose the answers to refunds (refunds still happen)</button> \
             <button type=\"submit\" name=\"action\" value=\"pay_refund_refused\">Pay, but refuse refunds</button></p></fieldset>\
             <p><button type=\"submit\" name=\"action\" value=\"timeout\">Let the form time out</button> \
             <button type=\"submit\" name=\"action\" value=\"error\">Make the form fail</button></p>\
             </form><p><small>Approving cards: 4051 8856 0044 6623 (VISA credit), 4051 8842 3993 7763 \
             (Redcompra debit), 4051 8860 0005 6590 (prepaid), 3700 0000 0002 032 (AMEX). Rejecting: \
             5186 0595 5959 0568.</small></p>",
            amount = t.request.amount,
            order = escape(&t.request.buy_order),
        ),
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct PayForm {
    #[serde(default)]
    token_ws: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    return_method: String,
}

/// The shopper's choice; then back to the shop with the fields Transbank sends in that case.
async fn pay(State(sim): State<Simulator>, Form(form): Form<PayForm>) -> Response {
    let token = form.token_ws.clone();
    if check_token(&token).is_err() {
        return simulator_document("Unknown transaction", "<p>There is no such transaction.</p>");
    }
    let card: String = form.card_number.chars().filter(char::is_ascii_digit).collect();
    let chosen = sim.with(|map| {
        let t = map.get_mut(&token)?;
        if t.outcome != Outcome::Initialized {
            return None;
        }
        let fields: Vec<(&str, String)> = match form.action.as_str() {
            "cancel" => {
                t.outcome = Outcome::Aborted;
                vec![
                    ("TBK_TOKEN", token.clone()),
                    ("TBK_ORDEN_COMPRA", t.request.buy_order.clone()),
                    ("TBK_ID_SESION", t.request.session_id.clone()),
                ]
            }
            "timeout" => {
                t.outcome = Outcome::Aborted;
                vec![("TBK_ORDEN_COMPRA", t.request.buy_order.clone()), ("TBK_ID_SESION", t.request.session_id.clone())]
            }
            "error" => {
                t.outcome = Outcome::Aborted;
                vec![
                    ("token_ws", token.clone()),
                    ("TBK_TOKEN", token.clone()),
                    ("TBK_ORDEN_COMPRA", t.request.buy_order.clone()),
                    ("TBK_ID_SESION", t.request.session_id.clone()),
                ]
            }
            action => {
                let (_, payment_type, approved) = TEST_CARDS.iter().find(|(number, _, _)| *number == card)?;
                t.commit_answer = match action {
                    "pay_slow" => CommitAnswer::Late,
                    "pay_commit_500" => CommitAnswer::ServerError,
                    "pay_commit_garbage" => CommitAnswer::Unreadable,
                    _ => CommitAnswer::OnTime,
                };
                t.refund_mode = match action {
                    "pay_refund_lost" => RefundMode::LostAnswer,
                    "pay_refund_refused" => RefundMode::Refused,
                    _ => RefundMode::Normal,
                };
                t.outcome = if *approved {
                    Outcome::Authorized {
                        card: card.clone(),
                        payment_type: (*payment_type).into(),
                        authorization_code: format!("{:06}", rand::random::<u32>() % 1_000_000),
                    }
                } else {
                    Outcome::Failed { card: card.clone(), payment_type: (*payment_type).into() }
                };
                vec![("token_ws", token.clone())]
            }
        };
        Some((t.request.return_url.clone(), fields))
    });
    let Some(Some((return_url, fields))) = chosen else {
        return payment_page(&sim, &token, Some("That is not one of the test cards."));
    };
    if form.return_method == "get" {
        let query = serde_urlencoded::to_string(&fields).unwrap_or_default();
        return Redirect::to(&format!("{return_url}?{query}")).into_response();
    }
    let inputs: String = fields
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value)))
        .collect();
    simulator_document(
        "Back to the shop",
        &format!(
            "<form method=\"post\" action=\"{}\">{inputs}<p><button type=\"submit\">Return to the shop</button></p></form>",
            escape(&return_url)
        ),
    )
}
