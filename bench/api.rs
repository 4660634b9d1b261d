//! Benchmark of `GET /api/futureactions` with a selective filter, an ordering and a page,
//! over 10,000, 100,000 and 1,000,000 future actions, through the real server and HTTP.
//!
//! `cargo bench --bench api` runs SQLite; with `BENCH_DATABASE_URL=postgres://…/postgres`
//! (a role that may create databases) it runs PostgreSQL too, one fresh database per size.
//! `API_BENCH_SIZES=10000,100000` chooses the sizes, `API_BENCH_REQUESTS` the number of
//! requests per size (default 2,000, four at a time on one keep-alive client).
//!
//! Each size: the demo data, then subscriptions (one per ten actions) and future actions
//! spread over three years; then the server on a loopback port, an API client and a token,
//! and the requests. The request asks for one subscription's non-pending actions in a
//! date window, newest first, 20 per page — what an integration syncing one subscription
//! does — with a different subscription every time.

#[path = "support.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use stratus::config::{SecretKeySource, Settings};
use stratus::entities::{accounts, future_actions, products, subscriptions};

const BATCH: usize = 1_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes: Vec<usize> = std::env::var("API_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("API_BENCH_SIZES: numbers"))
        .collect();
    let requests: usize = std::env::var("API_BENCH_REQUESTS").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let mut backends = vec![("SQLite", None)];
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        backends.push(("PostgreSQL", Some(url)));
    }
    println!("GET /api/futureactions?$filter=subscriptionId eq N and status ne 'Pending' and scheduledDate ge …&$orderby=scheduledDate desc&$top=20");
    println!("{requests} requests per size, 4 concurrent, one process (server and client share 2 cores)");
    println!(
        "{:>11} | {:>10} | {:>8} | {:>8} | {:>8} | {:>8}",
        "database", "actions", "fill s", "req/s", "p50 ms", "p99 ms"
    );
    for (name, server_url) in backends {
        for &size in &sizes {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = match &server_url {
                Some(server_url) => fresh_postgres(server_url, size).await,
                None => format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()),
            };
            let started = Instant::now();
            let db = stratus::server::connect_and_migrate(&url).await.expect("database");
            let subscription_ids = fill(&db, size).await;
            let fill_seconds = started.elapsed().as_secs_f64();
            let (rps, p50, p99) = measure(&url, dir.path(), &subscription_ids, requests).await;
            println!("{name:>11} | {size:>10} | {fill_seconds:>8.1} | {rps:>8.0} | {p50:>8.2} | {p99:>8.2}");
            db.close().await.ok();
        }
    }
}

async fn fresh_postgres(server_url: &str, size: usize) -> String {
    let name = format!("stratus_bench_api_{size}_{}", std::process::id());
    let admin = Database::connect(server_url).await.expect("connect to PostgreSQL");
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create");
    admin.close().await.ok();
    let (prefix, _) = server_url.rsplit_once('/').expect("a URL with a database name");
    format!("{prefix}/{name}")
}

/// The demo data, `size / 10` subscriptions and `size` future actions (one in ten pending,
/// the rest executed or revoked). Returns the new subscriptions' ids.
async fn fill(db: &DatabaseConnection, size: usize) -> Vec<i32> {
    stratus::demo::load_once(db).await.expect("demo data");
    let customers: Vec<accounts::Model> = accounts::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&accounts::Column::Tier, stratus::entities::enums::AccountTier::Customer))
        .all(db)
        .await
        .expect("customers");
    let product = products::Entity::find()
        .order_by_asc(products::Column::Id)
        .one(db)
        .await
        .expect("a product")
        .expect("products");
    let now = Utc::now();
    let subscriptions_wanted = size.div_ceil(10);
    for start in (0..subscriptions_wanted).step_by(BATCH) {
        let mut insert = Query::insert();
        insert.into_table(subscriptions::Entity).columns([
            subscriptions::Column::AccountId,
            subscriptions::Column::ProductId,
            subscriptions::Column::Name,
            subscriptions::Column::Quantity,
            subscriptions::Column::Status,
            subscriptions::Column::StartDate,
            subscriptions::Column::TermEndDate,
            subscriptions::Column::AutoRenew,
            subscriptions::Column::Prepaid,
            subscriptions::Column::CreatedAt,
            subscriptions::Column::UpdatedAt,
        ]);
        for i in start..(start + BATCH).min(subscriptions_wanted) {
            let account = &customers[i % customers.len()];
            insert.values_panic([
                account.id.into(),
                product.id.into(),
                format!("Bench subscription {i}").into(),
                ((i % 50) as i32 + 1).into(),
                "active".into(),
                now.date_naive().into(),
                (now.date_naive() + Duration::days(365)).into(),
                true.into(),
                true.into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute(db.get_database_backend().build(&insert)).await.expect("subscriptions");
    }
    let rows: Vec<subscriptions::Model> = subscriptions::Entity::find()
        .filter(sea_orm::ColumnTrait::starts_with(&subscriptions::Column::Name, "Bench subscription"))
        .order_by_asc(subscriptions::Column::Id)
        .all(db)
        .await
        .expect("bench subscriptions");
    let origin = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().expect("a date");
    let mut next = support::xorshift(0x9e37_79b9_7f4a_7c15);
    for start in (0..size).step_by(BATCH) {
        let mut insert = Query::insert();
        insert.into_table(future_actions::Entity).columns([
            future_actions::Column::SubscriptionId,
            future_actions::Column::AccountId,
            future_actions::Column::ActionType,
            future_actions::Column::Status,
            future_actions::Column::ScheduledAt,
            future_actions::Column::NewQuantity,
            future_actions::Column::CreatedAt,
            future_actions::Column::UpdatedAt,
        ]);
        for i in start..(start + BATCH).min(size) {
            let subscription = &rows[i % rows.len()];
            // One pending action per subscription at most (the partial unique index).
            let status = if i < rows.len() {
                "pending"
            } else if i % 2 == 0 {
                "executed"
            } else {
                "revoked"
            };
            let change = i % 3 == 0;
            let at = origin + Duration::minutes((next() % (3 * 365 * 24 * 60)) as i64);
            insert.values_panic([
                subscription.id.into(),
                subscription.account_id.into(),
                if change { "ChangeQtyOnNext" } else { "CancellationOnSpecific" }.into(),
                status.into(),
                at.into(),
                change.then_some((i % 40) as i32 + 1).into(),
                now.into(),
                now.into(),
            ]);
        }
        db.execute(db.get_database_backend().build(&insert)).await.expect("future actions");
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    } else {
        db.execute_unprepared("ANALYZE").await.ok();
    }
    rows.into_iter().map(|s| s.id).collect()
}

/// Starts the server on `url`, makes a client and a token, and sends the requests.
async fn measure(url: &str, dir: &std::path::Path, subscription_ids: &[i32], requests: usize) -> (f64, f64, f64) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let settings = Settings {
        database_url: url.to_string(),
        addr,
        base_url: format!("http://{addr}"),
        secret_key: SecretKeySource::File(dir.join("secret.key")),
        demo: false,
        demo_identity: false,
        webpay_timeout: StdDuration::from_secs(20),
        api_requests_per_minute: 1_000_000,
        auth: Default::default(),
        identity_providers: vec![],
        brands: vec![],
        webpay: None,
        trusted_proxies: vec![],
        export_stall: std::time::Duration::from_secs(30),
        shutdown_grace: std::time::Duration::from_secs(30),
        jobs_every: std::time::Duration::from_secs(60),
        mail: Default::default(),
        metrics_addr: None,
        expose_query_counts: false,
    };
    let app = stratus::server::prepare(settings).await.expect("server");
    let db = app.state.db.clone();
    let router = app.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });
    let provider = accounts::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&accounts::Column::Code, "STRATUS"))
        .one(&db)
        .await
        .expect("provider")
        .expect("the demo provider");
    let by = stratus::audit::AuditActor::system("command line", None);
    let client = stratus::api::clients::create(&db, &by, &provider, "bench").await.expect("a client");
    let http = reqwest::Client::new();
    let base = format!("http://{addr}");
    let token: serde_json::Value = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(&client.client.client_id, Some(&client.secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    let token = token["access_token"].as_str().expect("access_token").to_string();

    let path = |n: usize| {
        let subscription = subscription_ids[(n * 7919) % subscription_ids.len()];
        let filter = format!(
            "subscriptionId eq {subscription} and status ne 'Pending' and scheduledDate ge datetime'2025-06-01'"
        );
        format!(
            "{base}/api/futureactions?$filter={}&$orderby=scheduledDate%20desc&$top=20",
            stratus::error::encode_query_value(&filter)
        )
    };
    // Warm up, and check the answers are real.
    for n in 0..20 {
        let response = http.get(path(n)).bearer_auth(&token).send().await.expect("request");
        assert!(response.status().is_success(), "{}", response.text().await.unwrap_or_default());
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (http, token) = (http.clone(), token.clone());
        let paths: Vec<String> = (0..requests).filter(|n| n % 4 == worker).map(path).collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(paths.len());
            for path in paths {
                let sent = Instant::now();
                let response = http.get(&path).bearer_auth(&token).send().await.expect("request");
                assert!(response.status().is_success());
                let _ = response.bytes().await.expect("body");
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("worker"));
    }
    let seconds = started.elapsed().as_secs_f64();
    server.abort();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (requests as f64 / seconds, at(0.50), at(0.99))
}
