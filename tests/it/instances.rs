//! Stratus as production runs it: the real `stratus serve` binary, as separate processes
//! on one database, killed and stopped as an operator or a crash would.
//!
//! - Two instances on one PostgreSQL are one system: a session, an OIDC flow and a WebPay
//!   payment begun on one continue on the other; their job loops race over 500 due
//!   future actions and each runs once; the sign-in limit counts across both.
//! - `kill -9` between WebPay's commit answer and the database write: after a restart the
//!   order is paid exactly once (the verification job settles it).
//! - SIGTERM during a slow request: the request completes and the process exits 0.
//! - The database going away under a running server: branded 503s, then recovery by itself.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use reqwest::cookie::Jar;
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};
use stratus::entities::enums::{FutureActionStatus, FutureActionType, SubscriptionStatus};
use stratus::entities::{future_actions, orders, payments, subscriptions, user_identities, webpay_transactions};
use stratus::payments::webpay::{self, simulator::Simulator, Credentials};

use crate::support::{csrf_in, fresh_database_url, location, new_client, Browser, DEMO_PASSWORD};
use crate::test_op::{TestOp, CLIENT_ID, CLIENT_SECRET};

/// The PostgreSQL server the suite runs against, if any (the multi-instance and outage
/// tests need one: the embedded SQLite default is one process's file).
fn postgres() -> Option<String> {
    std::env::var("STRATUS_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("addr").port()
}

/// One database, secret key and configuration file that instances share.
struct Deployment {
    dir: tempfile::TempDir,
    database_url: String,
    secret_key: String,
    config: PathBuf,
    /// The public base URL every instance is configured with (a load balancer's).
    base_url: String,
}

impl Deployment {
    async fn new(config: &str) -> Deployment {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database_url(dir.path()).await;
        Deployment::on(dir, database_url, config)
    }

    fn on(dir: tempfile::TempDir, database_url: String, config: &str) -> Deployment {
        let path = dir.path().join("stratus.toml");
        std::fs::write(&path, config).expect("write the configuration");
        let base_url = format!("http://127.0.0.1:{}", free_port());
        Deployment { dir, database_url, secret_key: stratus::secrets::generate_key(), config: path, base_url }
    }

    /// Starts `stratus serve --demo` on its own port and waits until it is ready.
    async fn start(&self, name: &str, env: &[(&str, &str)]) -> Instance {
        let port = free_port();
        let log_path = self.dir.path().join(format!("{name}.log"));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).expect("log file");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"));
        command
            .args(["serve", "--demo"])
            .env("DATABASE_URL", &self.database_url)
            .env("STRATUS_ADDR", format!("127.0.0.1:{port}"))
            .env("STRATUS_BASE_URL", &self.base_url)
            .env("STRATUS_SECRET_KEY", &self.secret_key)
            .env("STRATUS_CONFIG", &self.config)
            .env("STRATUS_JOBS_EVERY_SECONDS", "1")
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        let child = command.spawn().expect("start stratus serve");
        let mut instance = Instance { child, base: format!("http://127.0.0.1:{port}"), log: log_path };
        instance.wait_ready().await;
        instance
    }
}

struct Instance {
    child: std::process::Child,
    /// Where this instance listens (requests go straight to it, past the shared base URL).
    base: String,
    log: PathBuf,
}

impl Instance {
    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(90) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the instance exited ({status}) while starting:\n{}", self.log_text());
            }
            let ready = client.get(format!("{}/readyz", self.base)).send().await;
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the instance was not ready within 90 s:\n{}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A browser (cookie jar) that talks to this instance.
    fn browser(&self, jar: &Arc<Jar>) -> Browser {
        Browser { base: self.base.clone(), client: new_client(jar.clone()), jar: jar.clone() }
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.id();
        let sent = std::process::Command::new("kill").args([signal, &pid.to_string()]).status().expect("kill");
        assert!(sent.success(), "kill {signal} {pid}");
    }

    /// Waits for the process to end by itself; its exit status.
    async fn exit_status(&mut self, within: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(started.elapsed() < within, "the instance did not exit within {within:?}:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- log of {} ----\n{}", self.base, self.log_text());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The WebPay simulator on its own port (outside every instance, as Transbank is), whose
/// commit answers can be held back: the commit is done, its answer waits `delay`.
struct WebpayHost {
    base: String,
    commits: Arc<AtomicUsize>,
    commit_done: Arc<tokio::sync::Notify>,
    _server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct HeldAnswers {
    delay: Duration,
    commits: Arc<AtomicUsize>,
    commit_done: Arc<tokio::sync::Notify>,
}

async fn hold_commit_answers(State(held): State<HeldAnswers>, request: Request, next: Next) -> Response {
    let is_commit = request.method() == axum::http::Method::PUT
        && request.uri().path().starts_with(&format!("{}/transactions/", webpay::API_PATH));
    let response = next.run(request).await;
    if is_commit {
        held.commits.fetch_add(1, Ordering::SeqCst);
        held.commit_done.notify_one();
        tokio::time::sleep(held.delay).await;
    }
    response
}

impl WebpayHost {
    async fn start(delay: Duration) -> WebpayHost {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let held = HeldAnswers { delay, commits: Arc::default(), commit_done: Arc::default() };
        let router = Simulator::new(Credentials::integration(), &base)
            .router::<()>()
            .layer(axum::middleware::from_fn_with_state(held.clone(), hold_commit_answers));
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        WebpayHost { base, commits: held.commits, commit_done: held.commit_done, _server: server }
    }

    /// The `[webpay]` table that points Stratus at this host.
    fn config(&self) -> String {
        format!(
            "[webpay]\ncommerce_code = \"{}\"\napi_key_secret = \"{}\"\nenvironment = \"{}\"\ntest_payments = true\n",
            webpay::INTEGRATION_COMMERCE_CODE,
            webpay::INTEGRATION_API_KEY_SECRET,
            self.base
        )
    }

    /// Pays the order at WebPay as the shopper would; answers the fields WebPay's page
    /// posts back to the shop's return URL.
    async fn pay(&self, shop: &Browser, order_page: &str) -> Vec<(String, String)> {
        let response = shop.submit(order_page, &format!("{order_page}/pay"), &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "payment started");
        let body = response.text().await.expect("body");
        let token_at = body.find("name=\"token_ws\" value=\"").expect("a token") + 23;
        let token = body[token_at..].split('"').next().unwrap_or_default().to_string();
        assert!(body.contains(&self.base), "the payment form goes to this WebPay host");
        let plain = reqwest::Client::new();
        let fields = [("token_ws", token.as_str()), ("card_number", "4051 8856 0044 6623")];
        let paid = plain
            .post(format!("{}/webpayserver/pay", self.base))
            .form(&[fields[0], fields[1], ("action", "pay"), ("return_method", "post")])
            .send()
            .await
            .expect("pay");
        let back = paid.text().await.expect("body");
        back.match_indices("<input type=\"hidden\" name=\"")
            .map(|(at, marker)| {
                let rest = &back[at + marker.len()..];
                let name = rest.split('"').next().unwrap_or_default().to_string();
                let value = rest.split("value=\"").nth(1).unwrap_or_default().split('"').next().unwrap_or_default();
                (name, value.to_string())
            })
            .collect()
    }
}

/// Puts one M365-BS licence in the cart and places the order; its page.
async fn place_order(shop: &Browser) -> String {
    let fields = [("product_code", "M365-BS"), ("quantity", "1")];
    let added = shop.submit("/products/M365-BS", "/cart/items", &fields).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER, "into the cart");
    let placed = shop.submit("/cart", "/orders", &[]).await;
    assert_eq!(placed.status(), StatusCode::SEE_OTHER, "order placed");
    location(&placed)
}

async fn order_by_page(db: &DatabaseConnection, order_page: &str) -> orders::Model {
    let number = order_page.trim_start_matches("/orders/");
    orders::Entity::find().filter(orders::Column::Number.eq(number)).one(db).await.expect("query").expect("the order")
}

async fn payments_of(db: &DatabaseConnection, order: &orders::Model) -> u64 {
    payments::Entity::find().filter(payments::Column::OrderId.eq(order.id)).count(db).await.expect("count")
}

async fn wait_until<F, Fut>(what: &str, within: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < within, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn two_instances_on_one_postgresql_are_one_system() {
    let Some(_) = postgres() else {
        eprintln!("two instances share a PostgreSQL database: run with STRATUS_TEST_DATABASE_URL (CI does)");
        return;
    };
    let webpay_host = WebpayHost::start(Duration::ZERO).await;
    let op = TestOp::start().await;
    let config = format!(
        "[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n\n{}\n[[identity_provider]]\nname = \"Provider A\"\n\
         kind = \"oidc\"\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
         active = true\nvisible = true\n",
        webpay_host.config(),
        op.issuer
    );
    let deployment = Deployment::new(&config).await;
    let a = deployment.start("a", &[]).await;
    let b = deployment.start("b", &[]).await;
    let db = Database::connect(&deployment.database_url).await.expect("connect");

    // Signed in on A, the same cookie is signed in on B.
    let jar = Arc::new(Jar::default());
    let (on_a, on_b) = (a.browser(&jar), b.browser(&jar));
    on_a.sign_in("ana@contoso.demo").await;
    let (status, account) = on_b.page("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(account.contains("ana@contoso.demo") && account.contains("Sign out"), "signed in on B");

    // An identity provider connected on A comes back to B (the callback is on the shared
    // base URL; the pending flow is in the shared session).
    let provider = stratus::entities::identity_providers::Entity::find().one(&db).await.expect("query");
    let provider = provider.expect("the provider from the configuration file");
    let started = on_a.submit("/account", &format!("/account/login-options/{}/connect", provider.id), &[]).await;
    let callback = crate::login_options::through_provider(started).await;
    let finished = on_b.get(&callback).await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER, "the callback on B completes the link");
    let links = user_identities::Entity::find().count(&db).await.expect("count");
    assert_eq!(links, 1, "Provider A is connected");
    assert!(on_b.page("/account").await.1.contains("Provider A"));

    // A payment started on A returns to B and is paid once.
    let order_page = place_order(&on_a).await;
    let returned = webpay_host.pay(&on_a, &order_page).await;
    let back = on_b.client.post(on_b.url("/checkout/webpay/return")).form(&returned).send().await.expect("return");
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "back at the shop, on B");
    let order = order_by_page(&db, &order_page).await;
    assert_eq!(order.status.as_str(), "paid");
    assert_eq!(payments_of(&db, &order).await, 1);
    // The same return posted again, to A this time: still one payment.
    on_a.client.post(on_a.url("/checkout/webpay/return")).form(&returned).send().await.expect("return again");
    assert_eq!(payments_of(&db, &order).await, 1);
    assert_eq!(webpay_host.commits.load(Ordering::SeqCst), 1, "committed at WebPay once");

    race_over_due_future_actions(&db).await;
    sign_in_limit_holds_across(&a, &b).await;
}

/// Both instances' job loops (every second) race over 500 due future actions: each runs
/// exactly once (one "quantity" history entry per action, none twice).
async fn race_over_due_future_actions(db: &DatabaseConnection) {
    let template = subscriptions::Entity::find()
        .filter(subscriptions::Column::Status.eq(SubscriptionStatus::Active))
        .one(db)
        .await
        .expect("query")
        .expect("an active demo subscription");
    let now = chrono::Utc::now();
    let txn = sea_orm::TransactionTrait::begin(db).await.expect("begin");
    let mut ids = Vec::new();
    for n in 0..500 {
        let mut copy = template.clone().into_active_model();
        copy.id = sea_orm::ActiveValue::NotSet;
        let copy = copy.insert(&txn).await.expect("a subscription");
        let action = future_actions::ActiveModel {
            subscription_id: Set(copy.id),
            addon_id: Set(None),
            account_id: Set(copy.account_id),
            action_type: Set(FutureActionType::ChangeQtyOnNext),
            status: Set(FutureActionStatus::Pending),
            scheduled_at: Set(now - chrono::Duration::minutes(1)),
            new_quantity: Set(Some(template.quantity + 1 + n % 7)),
            result: Set(None),
            created_by: Set(None),
            claimed_at: Set(None),
            executed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        ids.push(action.insert(&txn).await.expect("a future action").id);
    }
    txn.commit().await.expect("commit");
    let pending = || async {
        future_actions::Entity::find()
            .filter(future_actions::Column::Id.is_in(ids.clone()))
            .filter(future_actions::Column::Status.eq(FutureActionStatus::Pending))
            .count(db)
            .await
            .expect("count")
    };
    wait_until("every due action ran", Duration::from_secs(180), || async { pending().await == 0 }).await;
    let executed = future_actions::Entity::find()
        .filter(future_actions::Column::Id.is_in(ids.clone()))
        .filter(future_actions::Column::Status.eq(FutureActionStatus::Executed))
        .count(db)
        .await
        .expect("count");
    assert_eq!(executed, 500);
    // Each execution writes one quantity change to its subscription's history.
    let changes = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT COUNT(*) AS n, COUNT(DISTINCT subscription_id) AS subscriptions FROM subscription_history \
                 WHERE field = 'quantity' AND subscription_id IN (SELECT subscription_id FROM future_actions \
                 WHERE id IN ({}))",
                ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
            ),
        ))
        .await
        .expect("query")
        .expect("a row");
    let (n, distinct): (i64, i64) =
        (changes.try_get("", "n").expect("n"), changes.try_get("", "subscriptions").expect("d"));
    assert_eq!((n, distinct), (500, 500), "each action ran once");
}

/// 30 sign-in attempts a minute per client address, counted across both instances.
async fn sign_in_limit_holds_across(a: &Instance, b: &Instance) {
    // The count is per fixed minute: start early in one, so all attempts fall in it.
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 40 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", reqwest::header::HeaderValue::from_static("203.0.113.77"));
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .cookie_provider(Arc::new(Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut refused_at = None;
    for attempt in 1..=31 {
        let instance = if attempt % 2 == 0 { a } else { b };
        let form = client.get(format!("{}/login", instance.base)).send().await.expect("GET");
        let token = csrf_in(&form.text().await.expect("body")).expect("a form token");
        let email = format!("nobody{attempt}@example.com");
        let fields = [("email", email.as_str()), ("password", DEMO_PASSWORD), ("csrf_token", token.as_str())];
        let answer = client.post(format!("{}/login", instance.base)).form(&fields).send().await.expect("POST");
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            refused_at = Some(attempt);
            break;
        }
    }
    // Each instance saw about 15 attempts: per process, neither would have refused.
    assert_eq!(refused_at, Some(31), "the 31st attempt of the minute is refused, whichever instance takes it");
}

/// A shopper on `instance` places an order, pays at WebPay and comes back: answers once
/// WebPay has committed the payment, while its answer is held back and the shop's return
/// request waits for it (the order's page, and that request).
async fn return_waiting_on_webpay(
    instance: &Instance,
    webpay_host: &WebpayHost,
    jar: &Arc<Jar>,
) -> (String, tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>) {
    let shop = instance.browser(jar);
    shop.sign_in("ana@contoso.demo").await;
    let order_page = place_order(&shop).await;
    let returned = webpay_host.pay(&shop, &order_page).await;
    let commit_done = webpay_host.commit_done.notified();
    let back = {
        let (client, url) = (shop.client.clone(), shop.url("/checkout/webpay/return"));
        tokio::spawn(async move { client.post(url).form(&returned).send().await })
    };
    commit_done.await;
    (order_page, back)
}

/// `kill -9` after WebPay committed the payment and before Stratus wrote its answer: after
/// a restart the verification job asks WebPay and records the payment, once.
#[tokio::test]
async fn a_payment_cut_by_kill_9_is_paid_exactly_once_after_a_restart() {
    let webpay_host = WebpayHost::start(Duration::from_secs(5)).await;
    let deployment = Deployment::new(&webpay_host.config()).await;
    let timeout = [("STRATUS_WEBPAY_TIMEOUT_SECONDS", "10")];
    let instance = deployment.start("first", &timeout).await;
    let db = Database::connect(&deployment.database_url).await.expect("connect");
    let jar = Arc::new(Jar::default());
    let (order_page, back) = return_waiting_on_webpay(&instance, &webpay_host, &jar).await;
    // WebPay has committed; its answer is on the way. The process dies.
    let mut instance = instance;
    instance.signal("-KILL");
    instance.exit_status(Duration::from_secs(10)).await;
    assert!(back.await.expect("task").is_err(), "the shopper's request died with the process");
    let order = order_by_page(&db, &order_page).await;
    assert_eq!(payments_of(&db, &order).await, 0, "nothing was written");
    let transaction = webpay_transactions::Entity::find()
        .filter(webpay_transactions::Column::OrderId.eq(order.id))
        .one(&db)
        .await
        .expect("query")
        .expect("the transaction");
    assert_eq!(transaction.status.as_str(), "committing");

    // After the restart, the commit counts as lost once no answer can still be on its way
    // (WebPay's timeout plus the time to write it), and WebPay's status settles it.
    let restarted = deployment.start("restarted", &[("STRATUS_WEBPAY_TIMEOUT_SECONDS", "1")]).await;
    wait_until("the payment is recorded", Duration::from_secs(90), || async { payments_of(&db, &order).await > 0 })
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await; // further passes of the job change nothing
    let order = order_by_page(&db, &order_page).await;
    assert_eq!(order.status.as_str(), "paid");
    assert_eq!(payments_of(&db, &order).await, 1, "paid exactly once");
    assert_eq!(webpay_host.commits.load(Ordering::SeqCst), 1, "never committed twice");
    let (status, page) = restarted.browser(&jar).page(&order_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Pay with WebPay"), "no second payment offered");
}

/// WebPay's answer arrives after the verification job (on another instance, or a clock
/// ahead) already gave the commit up for lost: the answer still pays the order at once,
/// once (the job would find the row taken).
#[tokio::test]
async fn a_commit_answer_that_arrives_after_it_was_given_up_for_lost_still_pays_the_order_once() {
    let webpay_host = WebpayHost::start(Duration::from_secs(3)).await;
    let deployment = Deployment::new(&webpay_host.config()).await;
    // The job's first pass runs at start-up, the next in an hour: it does not settle the
    // payment from WebPay's status meanwhile, so only the answer can pay the order.
    let instance = deployment.start("only", &[("STRATUS_JOBS_EVERY_SECONDS", "3600")]).await;
    let db = Database::connect(&deployment.database_url).await.expect("connect");
    let (order_page, back) = return_waiting_on_webpay(&instance, &webpay_host, &Arc::new(Jar::default())).await;
    let order = order_by_page(&db, &order_page).await;
    // What the job does to a commit it counts as abandoned.
    let marked = webpay_transactions::Entity::update_many()
        .col_expr(webpay_transactions::Column::Status, sea_orm::sea_query::Expr::value("verifying"))
        .filter(webpay_transactions::Column::OrderId.eq(order.id))
        .filter(webpay_transactions::Column::Status.eq("committing"))
        .exec(&db)
        .await
        .expect("update");
    assert_eq!(marked.rows_affected, 1);
    let back = back.await.expect("task").expect("the shopper's return got its answer");
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let order = order_by_page(&db, &order_page).await;
    assert_eq!((order.status.as_str(), payments_of(&db, &order).await), ("paid", 1), "paid by the answer itself");
    assert_eq!(webpay_host.commits.load(Ordering::SeqCst), 1);
}

/// SIGTERM while a request waits on a slow WebPay: the request completes (the payment is
/// recorded and the shopper lands on the order), new connections are refused, and the
/// process exits 0.
#[tokio::test]
async fn sigterm_lets_a_slow_request_finish_then_exits_0() {
    let webpay_host = WebpayHost::start(Duration::from_secs(3)).await;
    let deployment = Deployment::new(&webpay_host.config()).await;
    let mut instance = deployment.start("only", &[("STRATUS_SHUTDOWN_GRACE_SECONDS", "20")]).await;
    let db = Database::connect(&deployment.database_url).await.expect("connect");
    let (order_page, back) = return_waiting_on_webpay(&instance, &webpay_host, &Arc::new(Jar::default())).await;
    instance.signal("-TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = reqwest::Client::new().get(format!("{}/healthz", instance.base)).send().await;
    assert!(refused.is_err(), "no new connections once stopping");
    let back = back.await.expect("task").expect("the slow request got its answer");
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert!(location(&back).starts_with(&format!("{order_page}?")), "back on the order page");
    let status = instance.exit_status(Duration::from_secs(20)).await;
    assert!(status.success(), "exit 0, not {status}");
    let order = order_by_page(&db, &order_page).await;
    assert_eq!((order.status.as_str(), payments_of(&db, &order).await), ("paid", 1));
    assert!(instance.log_text().contains("stopped"));
}

/// A TCP relay in front of PostgreSQL that the test can cut (every connection dropped,
/// new ones refused) and restore on the same port.
struct DatabaseLink {
    port: u16,
    target: String,
    relay: Option<tokio::task::JoinHandle<()>>,
}

impl DatabaseLink {
    async fn open(target: &str) -> DatabaseLink {
        let mut link = DatabaseLink { port: free_port(), target: target.to_string(), relay: None };
        link.restore().await;
        link
    }

    async fn restore(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.expect("bind the relay");
        let target = self.target.clone();
        self.relay = Some(tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Drops the listener and every relayed connection (the JoinSet aborts them).
    fn cut(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
    }
}

#[tokio::test]
async fn a_server_answers_503_while_its_database_is_away_and_recovers_by_itself() {
    let Some(server_url) = postgres() else {
        eprintln!("the database going away is a PostgreSQL server stopping: run with STRATUS_TEST_DATABASE_URL");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(dir.path()).await;
    let server = server_url.split('@').nth(1).and_then(|rest| rest.split('/').next()).expect("host:port");
    let mut link = DatabaseLink::open(server).await;
    let through_link = database_url.replacen(server, &format!("127.0.0.1:{}", link.port), 1);
    let deployment = Deployment::on(dir, through_link, "");
    let instance = deployment.start("only", &[]).await;
    let browser = instance.browser(&Arc::new(Jar::default()));
    let (status, page) = browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Stratus Cloud"), "the provider's brand");

    link.cut();
    let started = Instant::now();
    let response = browser.get("/products/M365-BS").await;
    let waited = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("10"));
    let page = response.text().await.expect("body");
    assert!(page.contains("Stratus Cloud") && page.contains("cannot reach our database"), "branded: {page}");
    assert!(waited < Duration::from_secs(15), "answered in {waited:?}, not hung");
    assert_eq!(browser.get("/readyz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
    let signing_in = browser.client.post(browser.url("/login")).form(&[("email", "x")]).send().await.expect("POST");
    assert_eq!(signing_in.status(), StatusCode::SERVICE_UNAVAILABLE, "a form post too");
    assert_eq!(browser.get("/healthz").await.status(), StatusCode::OK, "the process itself is alive");

    link.restore().await;
    wait_until("pages work again without a restart", Duration::from_secs(30), || async {
        browser.get("/products/M365-BS").await.status() == StatusCode::OK
    })
    .await;
    browser.sign_in("ana@contoso.demo").await;
    assert!(browser.page("/account").await.1.contains("ana@contoso.demo"));
}
