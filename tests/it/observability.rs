//! What an operator watches: `/metrics` only on its own listener, requests counted by
//! route template, sign-ins by method, WebPay outcomes, the pool and the job queues read
//! at scrape time, request ids, and JSON log lines from the real binary.
//!
//! The servers of this binary share one metrics recorder, so counters are compared before
//! and after, on labels each test produces itself.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use stratus::entities::enums::{FutureActionStatus, FutureActionType};
use stratus::entities::{future_actions, subscriptions};

use crate::support::{command_line, TestApp, DEMO_PASSWORD};

/// Starts the metrics listener for `app`'s database (as `--metrics-addr` does) and scrapes it.
async fn scrape(app: &TestApp) -> String {
    let addr = stratus::observability::serve_metrics("127.0.0.1:0".parse().unwrap(), app.db.clone()).await.unwrap();
    let response = reqwest::get(format!("http://{addr}/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    response.text().await.unwrap()
}

/// The value of the sample `name` whose labels include all of `labels` (0 when absent).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, label_text) = match series.split_once('{') {
                Some((series_name, rest)) => (series_name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let present: Vec<&str> = label_text.split(',').collect();
            let matches = series_name == name && wanted.iter().all(|w| present.contains(&w.as_str()));
            matches.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

#[tokio::test]
async fn metrics_are_never_served_on_the_public_address() {
    let app = TestApp::start().await;
    let (status, _) = app.page("/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let text = scrape(&app).await;
    assert!(text.contains("# TYPE stratus_http_requests_total counter"), "{text}");
}

#[tokio::test]
async fn requests_are_counted_by_route_template_never_by_their_path() {
    let app = TestApp::start().await;
    let product = [("route", "/products/{code}"), ("method", "GET"), ("status", "404")];
    let before = scrape(&app).await;
    for path in ["/products/OBS-NOT-THERE-1", "/products/OBS-NOT-THERE-2"] {
        assert_eq!(app.page(path).await.0, StatusCode::NOT_FOUND);
    }
    // A method no page takes, on a path no route has (the form check refuses it first).
    let gone = app.client.delete(app.url("/obs-nowhere/secret-token-123")).send().await.unwrap();
    let status = gone.status().as_u16().to_string();
    assert!(gone.status().is_client_error(), "{status}");
    let unmatched = [("route", "unmatched"), ("method", "DELETE"), ("status", status.as_str())];
    let after = scrape(&app).await;
    let counted = |text: &str, labels: &[(&str, &str)]| sample(text, "stratus_http_requests_total", labels);
    assert!(counted(&after, &product) >= counted(&before, &product) + 2.0, "{after}");
    assert!(counted(&after, &unmatched) >= counted(&before, &unmatched) + 1.0, "{after}");
    let timed = [("route", "/products/{code}"), ("method", "GET")];
    let latencies = |text: &str| sample(text, "stratus_http_request_duration_seconds_count", &timed);
    assert!(latencies(&after) >= latencies(&before) + 2.0, "{after}");
    assert!(after.contains("stratus_http_request_duration_seconds_bucket{route=\"/products/{code}\""), "{after}");
    for raw in ["OBS-NOT-THERE", "obs-nowhere", "secret-token-123"] {
        assert!(!after.contains(raw), "the raw path {raw} is a label: {after}");
    }
}

#[tokio::test]
async fn sign_ins_are_counted_by_method_and_result() {
    let app = TestApp::start().await;
    let password_ok = [("method", "password"), ("result", "success")];
    let password_failed = [("method", "password"), ("result", "failure")];
    let token_ok = [("method", "api_token"), ("result", "success")];
    let token_failed = [("method", "api_token"), ("result", "failure")];
    let before = scrape(&app).await;
    let refused = app.sign_in_with("ana@contoso.demo", "not-the-password").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    app.sign_in("ana@contoso.demo").await;
    let account = app.account("ANDES").await;
    let client = stratus::api::clients::create(&app.db, &command_line(), &account, "metrics").await.unwrap();
    let token = |secret: &str| {
        app.client
            .post(app.url("/oauth/token"))
            .basic_auth(&client.client.client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    assert_eq!(token("wrong-secret").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(token(&client.secret).await.unwrap().status(), StatusCode::OK);
    let after = scrape(&app).await;
    for labels in [&password_ok, &password_failed, &token_ok, &token_failed] {
        let (was, is) =
            (sample(&before, "stratus_sign_ins_total", labels), sample(&after, "stratus_sign_ins_total", labels));
        assert!(is >= was + 1.0, "{labels:?}: {was} then {is}");
    }
    // Every method's series is there from the start, at zero until its first attempt.
    assert!(after.contains("stratus_sign_ins_total{method=\"identity_provider\",result=\"failure\"}"), "{after}");
    assert!(!after.contains(DEMO_PASSWORD) && !after.contains(&client.secret));
}

#[tokio::test]
async fn a_paid_and_refunded_order_counts_its_webpay_outcomes() {
    let app = TestApp::start().await;
    let authorized = [("outcome", "authorized")];
    let refunded = |text: &str| {
        ["REVERSED", "NULLIFIED"].iter().map(|o| sample(text, "stratus_webpay_refunds_total", &[("outcome", o)])).sum()
    };
    let before = scrape(&app).await;
    app.sign_in("ana@contoso.demo").await;
    let order = app.buy(&[("M365-BS", "1")]).await;
    let paid = scrape(&app).await;
    let (was, is) = (
        sample(&before, "stratus_webpay_payments_total", &authorized),
        sample(&paid, "stratus_webpay_payments_total", &authorized),
    );
    assert!(is >= was + 1.0, "{was} then {is}");
    let admin = app.new_browser();
    admin.sign_in("admin@stratus.demo").await;
    let page = format!("/orders/{}", order.number);
    let total = order.total.to_string();
    let response = admin.submit(&page, &format!("{page}/refund"), &[("amount", &total), ("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = scrape(&app).await;
    let (was, is): (f64, f64) = (refunded(&paid), refunded(&after));
    assert!(is >= was + 1.0, "{was} then {is}: {after}");
}

#[tokio::test]
async fn the_pool_and_the_due_future_actions_are_read_when_scraped() {
    let app = TestApp::start().await;
    let queue = [("queue", "future_actions")];
    let before = scrape(&app).await;
    let max = sample(&before, "stratus_db_pool_max_connections", &[]);
    assert!(max >= 1.0, "{before}");
    let in_use = sample(&before, "stratus_db_pool_connections", &[("state", "in_use")]);
    let idle = sample(&before, "stratus_db_pool_connections", &[("state", "idle")]);
    assert!(before.contains("stratus_db_pool_connections{state=\"idle\"}"), "{before}");
    assert!(in_use + idle >= 1.0 && in_use + idle <= max, "{in_use} in use, {idle} idle, {max} at most");
    // At most one pending action per subscription: one subscription each.
    let pending = future_actions::Entity::find()
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
        .all(&app.db)
        .await
        .unwrap();
    let free: Vec<subscriptions::Model> = subscriptions::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| !pending.iter().any(|p| p.subscription_id == s.id))
        .collect();
    assert!(free.len() >= 5, "the demo has enough subscriptions");
    let now = Utc::now();
    for (subscription, (hours, status)) in free.iter().zip([
        (-2, FutureActionStatus::Pending),
        (-1, FutureActionStatus::Pending),
        (-1, FutureActionStatus::Pending),
        (-5, FutureActionStatus::Executed),
        (24, FutureActionStatus::Pending),
    ]) {
        future_actions::ActiveModel {
            subscription_id: Set(subscription.id),
            addon_id: Set(None),
            account_id: Set(subscription.account_id),
            action_type: Set(FutureActionType::CancellationOnSpecific),
            status: Set(status),
            scheduled_at: Set(now + chrono::Duration::hours(hours)),
            new_quantity: Set(None),
            result: Set(None),
            created_by: Set(None),
            claimed_at: Set(None),
            executed_at: Set(None),
            created_at: Set(now - chrono::Duration::days(1)),
            updated_at: Set(now - chrono::Duration::days(1)),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let after = scrape(&app).await;
    let depth = |text: &str| sample(text, "stratus_queue_depth", &queue);
    assert_eq!(depth(&after), depth(&before) + 3.0, "only pending ones that are due: {after}");
    let age = sample(&after, "stratus_queue_oldest_age_seconds", &queue);
    assert!((7200.0..7800.0).contains(&age), "the oldest due one waits since two hours ago: {age}");
    for other in ["email", "webpay_verification", "refund_verification", "refund_needed"] {
        assert!(after.contains(&format!("stratus_queue_depth{{queue=\"{other}\"}}")), "{other}: {after}");
    }
}

#[tokio::test]
async fn a_request_id_is_kept_when_sane_and_made_otherwise() {
    let app = TestApp::start().await;
    let id_of = |response: &reqwest::Response| response.headers()["x-request-id"].to_str().unwrap().to_string();
    let given = app.client.get(app.url("/")).header("X-Request-Id", "lb-7f3a.42").send().await.unwrap();
    assert_eq!(id_of(&given), "lb-7f3a.42");
    let made = app.get("/no-such-page").await;
    let made_id = id_of(&made);
    assert_eq!(made_id.len(), 32, "{made_id}");
    let again = id_of(&app.get("/").await);
    assert_ne!(again, made_id, "each request gets its own");
    for insane in ["two words".to_string(), "x".repeat(65)] {
        let replaced = app.client.get(app.url("/")).header("X-Request-Id", &insane).send().await.unwrap();
        let id = id_of(&replaced);
        assert_ne!(id, insane);
        assert_eq!(id.len(), 32);
    }
}

/// A free port on loopback (bound and let go: the server binds it right after).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let (port, metrics_port) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["serve", "--log-format", "json"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("stratus.db").display()))
        .env("STRATUS_ADDR", format!("127.0.0.1:{port}"))
        .env("STRATUS_METRICS_ADDR", format!("127.0.0.1:{metrics_port}"))
        .env_remove("RUST_LOG")
        .env_remove("STRATUS_LOG_FORMAT")
        .env_remove("STRATUS_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await {
            ready = response.status() == StatusCode::OK;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server did not start");
    let response =
        client.get(format!("{base}/password-reset/secret-token-xyz?code=hush")).header("X-Request-Id", "json-test-42");
    let response = response.send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "json-test-42");
    assert_eq!(client.get(format!("{base}/metrics")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let metrics = client.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains("route=\"/password-reset/{token}\""), "{metrics}");
    // The log line of that request is written once its response is: give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let stdout = server.0.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout).lines().map(Result::unwrap).collect();
    assert!(!lines.is_empty());
    let mut of_the_request = Vec::new();
    for line in &lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON object ({e}): {line}"));
        assert!(object["level"].is_string() && object["timestamp"].is_string(), "{line}");
        if object["span"]["request_id"] == "json-test-42" {
            of_the_request.push(object);
        }
    }
    assert!(!of_the_request.is_empty(), "no line carries the request id: {lines:#?}");
    let finished = of_the_request.iter().find(|o| o["message"] == "finished processing request");
    let finished = finished.unwrap_or_else(|| panic!("no access line: {of_the_request:#?}"));
    assert_eq!(finished["span"]["route"], "/password-reset/{token}");
    assert!(finished["status"].is_u64() && finished["latency"].is_string(), "{finished}");
    let all = lines.join("\n");
    assert!(!all.contains("secret-token-xyz") && !all.contains("hush"), "tokens reach the log: {all}");
}
