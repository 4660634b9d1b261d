//! Transbank WebPay Plus over its REST API: the messages as Transbank defines them, the
//! SDKs' field limits, the client (`client.rs`) and a local simulator (`simulator.rs`)
//! that speaks the same API. Facts: `reference/webpay-plus.md`.

pub mod attention;
pub mod checkout;
pub mod client;
pub mod events;
pub mod gateway;
pub mod simulator;

use serde::{Deserialize, Serialize};

/// The API's base path on every host.
pub const API_PATH: &str = "/rswebpaytransaction/api/webpay/v1.2";
pub(crate) const INTEGRATION_HOST: &str = "https://webpay3gint.transbank.cl";
pub(crate) const PRODUCTION_HOST: &str = "https://webpay3g.transbank.cl";
/// Transbank's public integration credentials: a fresh install's default.
pub const INTEGRATION_COMMERCE_CODE: &str = "597055555532";
pub const INTEGRATION_API_KEY_SECRET: &str = "579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C";

pub(crate) const MAX_BUY_ORDER: usize = 26;
pub(crate) const MAX_SESSION_ID: usize = 61;
pub(crate) const MAX_RETURN_URL: usize = 255;
pub(crate) const MAX_TOKEN: usize = 64;

/// The two credentials every request carries. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub commerce_code: String,
    pub api_key_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("commerce_code", &self.commerce_code)
            .field("api_key_secret", &"***")
            .finish()
    }
}

impl Credentials {
    pub fn integration() -> Credentials {
        Credentials {
            commerce_code: INTEGRATION_COMMERCE_CODE.into(),
            api_key_secret: INTEGRATION_API_KEY_SECRET.into(),
        }
    }
}

/// An amount of pesos as Transbank writes it: a JSON number, whole (`1000`) or with
/// decimals (the API reference's refund answer says `"nullified_amount": 1000.00`), or a
/// string of one (the Python SDK 6.x sends `"amount": "15000"`). Pesos have no
/// fraction, so `1000.5` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pesos(pub(crate) i64);

impl<'de> Deserialize<'de> for Pesos {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Pesos, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Whole(i64),
            Decimal(f64),
            Text(String),
        }
        let whole = |number: f64| {
            (number.fract() == 0.0 && number.abs() < 1e15).then_some(number as i64).ok_or("a whole number of pesos")
        };
        let pesos = match Wire::deserialize(deserializer)? {
            Wire::Whole(n) => Ok(n),
            Wire::Decimal(number) => whole(number),
            Wire::Text(text) => match text.trim().parse::<i64>() {
                Ok(n) => Ok(n),
                Err(_) => text.trim().parse::<f64>().map_err(|_| "a number of pesos").and_then(whole),
            },
        };
        pesos.map(Pesos).map_err(serde::de::Error::custom)
    }
}

/// An optional amount field of an answer, read as `Pesos`.
fn optional_pesos<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Pesos>::deserialize(deserializer)?.map(|p| p.0))
}

/// `POST /transactions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub buy_order: String,
    pub session_id: String,
    pub amount: i64,
    pub return_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAnswer {
    pub token: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
}

/// The answer to commit and status. Every field may be missing (a fresh transaction has
/// no card); `vci` is kept but never judged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vci: Option<String>,
    #[serde(default, deserialize_with = "optional_pesos", skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buy_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_detail: Option<CardDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i64>,
    #[serde(default, deserialize_with = "optional_pesos", skip_serializing_if = "Option::is_none")]
    pub installments_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installments_number: Option<i64>,
    #[serde(default, deserialize_with = "optional_pesos", skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
}

/// `POST /transactions/{token}/refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RefundRequest {
    pub amount: i64,
}

/// A refund's answer: a reversal (the full amount, soon after the sale) or a nullification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundAnswer {
    Reversed,
    Nullified {
        #[serde(default)]
        authorization_code: Option<String>,
        #[serde(default)]
        authorization_date: Option<String>,
        #[serde(default, deserialize_with = "optional_pesos")]
        nullified_amount: Option<i64>,
        #[serde(default, deserialize_with = "optional_pesos")]
        balance: Option<i64>,
        #[serde(default)]
        response_code: Option<i64>,
    },
}

/// Transbank's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ErrorBody {
    pub error_message: String,
}

fn buy_order_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "|_=&%.,~:/?[+!@()>-".contains(c)
}

/// The SDKs' limits, checked before anything is sent. The error names the field.
pub(crate) fn check_create(request: &CreateRequest) -> Result<(), String> {
    let order = &request.buy_order;
    if order.is_empty() || order.chars().count() > MAX_BUY_ORDER || !order.chars().all(buy_order_char) {
        return Err(format!("buy_order must be 1 to {MAX_BUY_ORDER} letters, digits or |_=&%.,~:/?[+!@()>-"));
    }
    if request.session_id.is_empty() || request.session_id.chars().count() > MAX_SESSION_ID {
        return Err(format!("session_id must be 1 to {MAX_SESSION_ID} characters"));
    }
    if request.return_url.len() > MAX_RETURN_URL || !request.return_url.starts_with("http") {
        return Err(format!("return_url must be an http(s) address of at most {MAX_RETURN_URL} characters"));
    }
    if request.amount <= 0 {
        return Err("amount must be a positive whole number of pesos".into());
    }
    Ok(())
}

/// A token as Transbank issues them: 1–64 letters and digits (it goes into a URL path).
pub(crate) fn check_token(token: &str) -> Result<(), String> {
    if token.is_empty() || token.len() > MAX_TOKEN || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("token must be 1 to {MAX_TOKEN} letters and digits"));
    }
    Ok(())
}

/// Paid only when approved (response_code 0 and status AUTHORIZED) and the amount and
/// buy order are the ones we created.
pub fn is_paid(answer: &TransactionAnswer, expected_amount: i64, expected_buy_order: &str) -> bool {
    answer.response_code == Some(0)
        && answer.status.as_deref() == Some("AUTHORIZED")
        && answer.amount == Some(expected_amount)
        && answer.buy_order.as_deref() == Some(expected_buy_order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create() -> CreateRequest {
        CreateRequest {
            buy_order: "SO-0000001-1".into(),
            session_id: "s1".into(),
            amount: 1_000,
            return_url: "http://127.0.0.1:3000/checkout/webpay/return".into(),
        }
    }

    #[test]
    fn the_sdks_limits_are_checked_before_sending() {
        assert_eq!(check_create(&create()), Ok(()));
        let long = CreateRequest { buy_order: "X".repeat(27), ..create() };
        assert!(check_create(&long).unwrap_err().starts_with("buy_order"));
        let odd = CreateRequest { buy_order: "SO 1".into(), ..create() };
        assert!(check_create(&odd).is_err(), "a space is not allowed");
        let session = CreateRequest { session_id: "s".repeat(62), ..create() };
        assert!(check_create(&session).unwrap_err().starts_with("session_id"));
        let url = CreateRequest { return_url: format!("http://x/{}", "a".repeat(250)), ..create() };
        assert!(check_create(&url).unwrap_err().starts_with("return_url"));
        assert!(check_create(&CreateRequest { amount: 0, ..create() }).is_err());
        assert!(check_token(&"a".repeat(64)).is_ok());
        assert!(check_token(&"a".repeat(65)).is_err());
        assert!(check_token("../../x").is_err());
        assert!(check_token("").is_err());
    }

    #[test]
    fn paid_means_approved_and_the_same_amount_and_buy_order() {
        let approved = TransactionAnswer {
            status: Some("AUTHORIZED".into()),
            response_code: Some(0),
            amount: Some(1_000),
            buy_order: Some("SO-1".into()),
            ..Default::default()
        };
        assert!(is_paid(&approved, 1_000, "SO-1"));
        assert!(!is_paid(&approved, 999, "SO-1"), "another amount");
        assert!(!is_paid(&approved, 1_000, "SO-2"), "another buy order");
        let rejected = TransactionAnswer { status: Some("FAILED".into()), response_code: Some(-1), ..approved.clone() };
        assert!(!is_paid(&rejected, 1_000, "SO-1"));
        let odd = TransactionAnswer { response_code: Some(0), status: Some("REVERSED".into()), ..approved };
        assert!(!is_paid(&odd, 1_000, "SO-1"));
    }

    #[test]
    fn answers_parse_with_missing_fields_and_refund_types() {
        let fresh: TransactionAnswer = serde_json::from_str(r#"{"status":"INITIALIZED","amount":1000}"#).unwrap();
        assert_eq!(fresh.card_detail, None);
        let reversed: RefundAnswer = serde_json::from_str(r#"{"type":"REVERSED"}"#).unwrap();
        assert_eq!(reversed, RefundAnswer::Reversed);
        let nullified: RefundAnswer =
            serde_json::from_str(r#"{"type":"NULLIFIED","nullified_amount":500,"balance":500,"response_code":0}"#)
                .unwrap();
        assert!(matches!(nullified, RefundAnswer::Nullified { balance: Some(500), .. }));
        assert!(!format!("{:?}", Credentials::integration()).contains("579B532A"), "the secret is never shown");
    }
}
