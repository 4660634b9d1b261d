//! Load benchmark (not in CI): the release server under `wrk` on loopback, page by page,
//! over a data set the size of a busy installation. Run by `bench/load.sh`, or
//!
//! `cargo bench --bench load` (SQLite), with `BENCH_DATABASE_URL=postgres://…/postgres`
//! PostgreSQL too (a role that may create databases; a fresh database, dropped after).
//!
//! For each database: the demo data plus, in total, 20 resellers, 10,000 customers (one user
//! each), 50,000 subscriptions, 100,000 future actions and 1,000,000 invoice items (10 per
//! invoice) — `LOAD_SCALE=0.01` for a hundredth — written with multi-row INSERTs in large
//! transactions. Then `stratus serve` (the release binary, default settings but for
//! `[server] trusted_proxies = ["127.0.0.1/32"]`, so the sign-in load can come from many
//! client addresses through `X-Forwarded-For`), personas signed in (`LOAD_SESSIONS`
//! sessions each, rotated, as many people would be), API clients and their tokens
//! (`LOAD_API_CLIENTS`, so the default per-client limit of 600 a minute is never hit), and
//! `wrk -t2 -cN -d<LOAD_SECONDS>s --latency` for N in `LOAD_CONNECTIONS` (1,16,64) against
//! each endpoint (`LOAD_ENDPOINTS=healthz,account` to choose). Every endpoint is checked
//! to answer as expected before and after its runs; a run with a transport error, a
//! timeout, an error status or responses much smaller than the page (a redirect) fails the
//! benchmark after the table is printed. `LOAD_GZIP=1` sends `Accept-Encoding: gzip` as
//! browsers do (off by default: the numbers of issue 21 were taken without it).
//!
//! Output: the machine and the date, then one Markdown table per database (req/s, p50,
//! p99, share of `/healthz` at the same connection count in the same run, the response's
//! size plain and gzip, the server's peak RSS during that run) and the sign-in POST apart.

#[path = "support.rs"]
mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, Utc};
use reqwest::header::{ACCEPT_ENCODING, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use stratus::entities::enums::{AccountTier, ProductKind};
use stratus::entities::{accounts, invoices, products, subscriptions, users};

const DEMO_PASSWORD: &str = "demo-password";
/// A reseller's customer (Contoso Chile, a customer of Andes IT).
const CUSTOMER: &str = "ana@contoso.demo";
const PROVIDER_ADMIN: &str = "admin@stratus.demo";
const ITEMS_PER_INVOICE: usize = 10;
/// Rows per INSERT statement, and statements per transaction.
const ROWS_PER_INSERT: usize = 2_000;
const INSERTS_PER_TRANSACTION: usize = 50;
/// An account may have at most 50 API clients (`api::clients::MAX_CLIENTS`).
const CLIENTS_PER_RESELLER: usize = 50;

/// The full-size data set (issue 21), scaled by `LOAD_SCALE`; totals, the demo's rows included.
struct Sizes {
    resellers: usize,
    customers: usize,
    subscriptions: usize,
    actions: usize,
    items: usize,
}

impl Sizes {
    fn scaled(scale: f64) -> Sizes {
        let of = |n: f64| (n * scale).round().max(1.0) as usize;
        Sizes {
            resellers: of(20.0),
            customers: of(10_000.0),
            subscriptions: of(50_000.0),
            actions: of(100_000.0),
            items: of(1_000_000.0),
        }
    }
}

struct Options {
    scale: f64,
    seconds: u64,
    connections: Vec<usize>,
    sessions: usize,
    api_clients: usize,
    gzip: bool,
    timeout: u64,
    only: Option<Vec<String>>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value.trim().parse().unwrap_or_else(|_| panic!("{name}: cannot read “{value}”")),
        Err(_) => default,
    }
}

impl Options {
    fn from_env() -> Options {
        let connections = std::env::var("LOAD_CONNECTIONS")
            .unwrap_or_else(|_| "1,16,64".into())
            .split(',')
            .map(|n| n.trim().parse().expect("LOAD_CONNECTIONS: numbers"))
            .collect();
        let only = std::env::var("LOAD_ENDPOINTS")
            .ok()
            .map(|list| list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
        Options {
            scale: env_or("LOAD_SCALE", 1.0),
            seconds: env_or("LOAD_SECONDS", 10),
            connections,
            sessions: env_or("LOAD_SESSIONS", 16usize).max(1),
            api_clients: env_or("LOAD_API_CLIENTS", 100usize).max(1),
            gzip: std::env::var("LOAD_GZIP").is_ok_and(|v| !v.is_empty() && v != "0"),
            timeout: env_or("LOAD_TIMEOUT", 60),
            only,
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.iter().any(|o| o == name))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = Options::from_env();
    if std::process::Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed (apt-get install -y wrk; bench/load.sh does it)");
        std::process::exit(2);
    }
    let mut backends = vec![("SQLite", None)];
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        backends.push(("PostgreSQL", Some(url)));
    }
    println!("{}", machine());
    let sizes = Sizes::scaled(options.scale);
    println!(
        "Data set: LOAD_SCALE={} of 20 resellers, 10,000 customers, 50,000 subscriptions, 100,000 future actions and \
         1,000,000 invoice items (totals, the demo's rows included). wrk for {} s per run{}.",
        options.scale,
        options.seconds,
        if options.gzip { ", with Accept-Encoding: gzip" } else { ", without Accept-Encoding" }
    );
    let mut failed = false;
    for (name, server_url) in backends {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, drop_after) = match &server_url {
            Some(server_url) => {
                let (url, database) = fresh_postgres(server_url).await;
                (url, Some((server_url.clone(), database)))
            }
            None => (format!("sqlite://{}?mode=rwc", dir.path().join("load.db").display()), None),
        };
        failed |= run_backend(name, &url, dir.path(), &options, &sizes).await;
        if let Some((server_url, database)) = drop_after {
            let admin = Database::connect(&server_url).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await.ok();
        }
    }
    if failed {
        eprintln!("load: some runs had errors (see the notes above)");
        std::process::exit(1);
    }
}

/// The machine the numbers were taken on.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim()))
        .unwrap_or("unknown CPU");
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let wrk = std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().to_string())
        .unwrap_or_default();
    format!(
        "Machine: {cpus} CPUs ({model}), {memory} memory, load average {} at the start; {}; {}",
        load.join(" "),
        wrk.split(" Copyright").next().unwrap_or(&wrk).trim(),
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}

async fn fresh_postgres(server_url: &str) -> (String, String) {
    let name = format!("stratus_load_{}", std::process::id());
    let admin = Database::connect(server_url).await.expect("connect to PostgreSQL");
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create");
    admin.close().await.ok();
    let (prefix, _) = server_url.rsplit_once('/').expect("a URL with a database name");
    (format!("{prefix}/{name}"), name)
}

/// Returns whether any run failed.
async fn run_backend(name: &str, url: &str, dir: &Path, options: &Options, sizes: &Sizes) -> bool {
    let started = Instant::now();
    let db = stratus::server::connect_and_migrate(url).await.expect("database");
    let data = fill(&db, sizes).await;
    let fill_seconds = started.elapsed().as_secs_f64();
    let clients = make_api_clients(&db, &data, options.api_clients).await;
    db.close().await.ok();
    println!(
        "\n## {name}\n\nData generated in {fill_seconds:.1} s (migrations, demo data and the fill): {}.",
        data.counted
    );

    let server = Server::start(dir, url).await;
    let people = People::sign_in(&server, options.sessions).await;
    let tokens = fetch_tokens(&server, &clients).await;
    let mut endpoints = endpoints(&data, &people, &tokens, options);
    if options.wants("sign-in") {
        endpoints.push(sign_in_endpoint(login_form(&server, "10.253.0.2").await));
    }
    let mut failed = false;
    let mut probes = HashMap::new();
    for endpoint in &endpoints {
        match probe(&server, endpoint).await {
            Ok(sizes) => {
                probes.insert(endpoint.name, sizes);
            }
            Err(why) => {
                eprintln!("{name}: {} does not answer as expected before the load: {why}", endpoint.name);
                failed = true;
            }
        }
    }
    // Every page at one connection count, then the next (each share of `/healthz` from the
    // same minutes); the sign-in POST last, as it adds sessions.
    let (sign_ins, pages): (Vec<&Endpoint>, Vec<&Endpoint>) =
        endpoints.iter().filter(|e| probes.contains_key(e.name)).partition(|e| matches!(e.load, Load::SignIn { .. }));
    let mut rows: Vec<Row> = Vec::new();
    let mut run_number = 0;
    for group in [pages, sign_ins] {
        for &connections in &options.connections {
            for endpoint in group.iter().filter(|e| e.only_at.is_none_or(|only| only == connections)) {
                run_number += 1;
                let row = run(&server, endpoint, connections, options, run_number, dir, probes[endpoint.name]).await;
                failed |= row.failed;
                rows.push(row);
            }
        }
    }
    for endpoint in endpoints.iter().filter(|e| probes.contains_key(e.name)) {
        if let Err(why) = probe(&server, endpoint).await {
            eprintln!("{name}: {} does not answer as expected after the load: {why}", endpoint.name);
            failed = true;
        }
    }
    let (sign_ins, pages): (Vec<&Endpoint>, Vec<&Endpoint>) =
        endpoints.iter().partition(|e| matches!(e.load, Load::SignIn { .. }));
    print_table(&pages, &rows, &probes);
    if !sign_ins.is_empty() {
        println!("\nThe sign-in POST (argon2id, apart):");
        print_table(&sign_ins, &rows, &probes);
    }
    drop(server);
    failed
}

// --- The data set -----------------------------------------------------------------------

/// What the endpoints need to know about the data.
struct Data {
    /// Every reseller, the demo's first (Andes IT, then Pacific Partners).
    resellers: Vec<i32>,
    /// Each reseller's bench subscriptions (to ask the API about), by reseller id.
    subscriptions_of_reseller: HashMap<i32, Vec<i32>>,
    /// Contoso's newest invoice and its Microsoft 365 subscription (Ana's pages).
    invoice_number: String,
    subscription_id: i32,
    /// The report's page count (25 rows a page) over every item.
    report_pages: u64,
    /// The Next link's cursor onto the report's middle page (reports page by keyset).
    report_middle: String,
    /// What the database holds, counted after the fill.
    counted: String,
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn timestamp(day: NaiveDate) -> String {
    day.format("%Y-%m-%dT00:00:00+00:00").to_string()
}

async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> i64 {
    count(db, &format!("SELECT CAST(MAX(id) AS BIGINT) AS n FROM {table}")).await
}

async fn count<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    let row = db
        .query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_string()))
        .await
        .expect(sql)
        .expect("a row");
    row.try_get::<Option<i64>>("", "n").expect("a number").unwrap_or(0)
}

/// Writes `rows` (each a parenthesised tuple of SQL literals) under `head` (`INSERT INTO t
/// (columns) VALUES`), many rows per statement, many statements per transaction.
async fn insert_all(db: &DatabaseConnection, head: &str, rows: impl Iterator<Item = String>) {
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let txn = db.begin().await.expect("begin");
        for _ in 0..INSERTS_PER_TRANSACTION {
            let chunk: Vec<String> = rows.by_ref().take(ROWS_PER_INSERT).collect();
            if chunk.is_empty() {
                break;
            }
            let mut sql = String::with_capacity(head.len() + chunk.len() * 160);
            sql.push_str(head);
            sql.push(' ');
            sql.push_str(&chunk.join(","));
            txn.execute_unprepared(&sql).await.unwrap_or_else(|e| panic!("{head}: {e}"));
        }
        txn.commit().await.expect("commit");
    }
}

/// The demo data, then the rest of the data set up to `sizes` (bench rows on bench customers
/// only, so the demo personas' pages stay the demo's), with explicit ids.
async fn fill(db: &DatabaseConnection, sizes: &Sizes) -> Data {
    stratus::demo::load_once(db).await.expect("demo data");
    let all_accounts = accounts::Entity::find().order_by_asc(accounts::Column::Id).all(db).await.expect("accounts");
    let provider_id = all_accounts.iter().find(|a| a.tier == AccountTier::Provider).expect("the provider").id;
    let mut resellers: Vec<i32> =
        all_accounts.iter().filter(|a| a.tier == AccountTier::Reseller).map(|a| a.id).collect();
    let existing_customers = all_accounts.iter().filter(|a| a.tier == AccountTier::Customer).count();
    let today = Utc::now().date_naive();
    let this_month = today.with_day(1).expect("a first of the month");
    let now = timestamp(today);
    let mut next_id = max_id(db, "accounts").await as i32 + 1;

    // Resellers and customers.
    let new_resellers = sizes.resellers.saturating_sub(resellers.len());
    let mut rows = Vec::new();
    for n in 0..new_resellers {
        rows.push(format!(
            "({next_id}, 'reseller', {provider_id}, 'LOAD-R{n:04}', 'Load reseller {n}', 'CLP', FALSE, 1, '{now}')"
        ));
        resellers.push(next_id);
        next_id += 1;
    }
    let new_customers = sizes.customers.saturating_sub(existing_customers).max(1);
    let first_customer = next_id;
    let customer_reseller = |c: usize| resellers[c % resellers.len()];
    for c in 0..new_customers {
        rows.push(format!(
            "({}, 'customer', {}, 'LOAD-C{c:06}', 'Load customer {c}', 'CLP', FALSE, 1, '{now}')",
            first_customer as usize + c,
            customer_reseller(c),
        ));
    }
    insert_all(
        db,
        "INSERT INTO accounts (id, tier, parent_id, code, name, currency, branding_enabled, csp_cutoff_day, created_at) \
         VALUES",
        rows.into_iter(),
    )
    .await;
    let customer_id = |c: usize| first_customer + c as i32;

    // One user per customer, with the demo users' password hash (anyone could sign in).
    let hash = users::Entity::find()
        .filter(users::Column::Email.eq(CUSTOMER))
        .one(db)
        .await
        .expect("ana")
        .and_then(|u| u.password_hash)
        .expect("the demo password hash");
    let first_user = max_id(db, "users").await + 1;
    insert_all(
        db,
        "INSERT INTO users (id, account_id, email, name, role, password_hash, failed_logins, email_verified_at, \
         joined_at, created_at) VALUES",
        (0..new_customers).map(|c| {
            format!(
                "({}, {}, 'user{c}@load-{c}.test', 'Load user {c}', 'customer_admin', '{hash}', 0, '{now}', '{now}', \
                 '{now}')",
                first_user + c as i64,
                customer_id(c)
            )
        }),
    )
    .await;

    // Subscriptions: licences, started on a first of the month within the last year, so
    // none is due for renewal while the server runs.
    let licences: Vec<products::Model> = products::Entity::find()
        .filter(products::Column::Kind.is_in([ProductKind::LicenseSubscription, ProductKind::SoftwareSubscription]))
        .order_by_asc(products::Column::Id)
        .all(db)
        .await
        .expect("products");
    assert!(!licences.is_empty(), "the demo has licences");
    let existing_subscriptions = count(db, "SELECT COUNT(*) AS n FROM subscriptions").await as usize;
    let new_subscriptions = sizes.subscriptions.saturating_sub(existing_subscriptions).max(1);
    let first_subscription = max_id(db, "subscriptions").await + 1;
    let subscription_id = |s: usize| first_subscription + s as i64;
    let subscription_customer = |s: usize| s % new_customers;
    let subscription_product = |s: usize| &licences[(s / new_customers) % licences.len()];
    let subscription_start = |s: usize| this_month - Months::new((s % 12) as u32);
    insert_all(
        db,
        "INSERT INTO subscriptions (id, account_id, product_id, name, quantity, status, start_date, term_end_date, \
         auto_renew, prepaid, external_id, created_at, updated_at) VALUES",
        (0..new_subscriptions).map(|s| {
            let product = subscription_product(s);
            let start = subscription_start(s);
            format!(
                "({}, {}, {}, '{}', {}, 'active', '{}', '{}', TRUE, TRUE, 'load-{s:08}', '{now}', '{now}')",
                subscription_id(s),
                customer_id(subscription_customer(s)),
                product.id,
                product.name.replace('\'', "''"),
                s % 50 + 1,
                date(start),
                date(start + Months::new(12) - chrono::Duration::days(1)),
            )
        }),
    )
    .await;
    let mut subscriptions_of_reseller: HashMap<i32, Vec<i32>> = HashMap::new();
    for s in 0..new_subscriptions {
        let list = subscriptions_of_reseller.entry(customer_reseller(subscription_customer(s))).or_default();
        if list.len() < 1_000 {
            list.push(subscription_id(s) as i32);
        }
    }

    // Future actions: at most one pending per subscription (one in five has one, in the
    // future, so no job runs it during the benchmark), the rest executed or revoked over
    // the last two years.
    let existing_actions = count(db, "SELECT COUNT(*) AS n FROM future_actions").await as usize;
    let new_actions = sizes.actions.saturating_sub(existing_actions);
    let mut random = support::xorshift(0x9e37_79b9_7f4a_7c15);
    let mut action_rows = Vec::with_capacity(new_actions);
    for a in 0..new_actions {
        let s = a % new_subscriptions;
        let pending = a < new_subscriptions && s.is_multiple_of(5);
        let (status, at) = if pending {
            ("pending", today + chrono::Duration::days(1 + (random() % 300) as i64))
        } else {
            (
                if a % 2 == 0 { "executed" } else { "revoked" },
                today - chrono::Duration::days(1 + (random() % 730) as i64),
            )
        };
        let change = a % 3 == 0;
        action_rows.push(format!(
            "({}, {}, '{}', '{status}', '{}', {}, '{now}', '{now}')",
            subscription_id(s),
            customer_id(subscription_customer(s)),
            if change { "ChangeQtyOnNext" } else { "CancellationOnSpecific" },
            timestamp(at),
            if change { (a % 40 + 1).to_string() } else { "NULL".into() },
        ));
    }
    insert_all(
        db,
        "INSERT INTO future_actions (subscription_id, account_id, action_type, status, scheduled_at, new_quantity, \
         created_at, updated_at) VALUES",
        action_rows.into_iter(),
    )
    .await;

    // Invoices of ten items each, one a month per customer over the last year, billed to
    // the customer's reseller.
    let existing_items = count(db, "SELECT COUNT(*) AS n FROM invoice_items").await as usize;
    let new_invoices = sizes.items.saturating_sub(existing_items).div_ceil(ITEMS_PER_INVOICE);
    let first_invoice = max_id(db, "invoices").await + 1;
    let item = |i: usize, j: usize| {
        // The customer's subscriptions are c, c + C, c + 2C, …
        let c = i % new_customers;
        let per_customer = new_subscriptions.div_ceil(new_customers);
        let mut s = c + (j % per_customer.max(1)) * new_customers;
        if s >= new_subscriptions {
            s = c.min(new_subscriptions - 1);
        }
        let quantity = (i * 7 + j * 13) % 50 + 1;
        let unit_price = 1_000 + ((i * 31 + j * 17) % 99) * 1_000;
        (s, quantity as i64, unit_price as i64)
    };
    let month_of = |i: usize| this_month - Months::new((i / new_customers % 12 + 1) as u32);
    insert_all(
        db,
        "INSERT INTO invoices (id, number, account_id, bill_to_account_id, invoice_type, status, currency, issue_date, \
         billing_period, subtotal, tax, total, created_at) VALUES",
        (0..new_invoices).map(|i| {
            let c = i % new_customers;
            let subtotal: i64 = (0..ITEMS_PER_INVOICE).map(|j| item(i, j)).map(|(_, q, p)| q * p).sum();
            let tax = subtotal * 19 / 100;
            let period = month_of(i);
            format!(
                "({}, 'LOAD-{:09}', {}, {}, 'debit', '{}', 'CLP', '{}', '{}', {subtotal}, {tax}, {}, '{now}')",
                first_invoice + i as i64,
                first_invoice + i as i64,
                customer_id(c),
                customer_reseller(c),
                if i % 3 == 0 { "unpaid" } else { "paid" },
                date(period + Months::new(1)),
                &date(period)[..7],
                subtotal + tax,
            )
        }),
    )
    .await;
    insert_all(
        db,
        "INSERT INTO invoice_items (invoice_id, subscription_id, product_id, description, period_start, period_end, \
         quantity, unit_price, unit_cost, total, total_cost, usage) VALUES",
        (0..new_invoices)
            .flat_map(|i| {
                let period = month_of(i);
                let (start, end) = (date(period), date(period + Months::new(1) - chrono::Duration::days(1)));
                (0..ITEMS_PER_INVOICE).map(move |j| (i, j, start.clone(), end.clone()))
            })
            .map(|(i, j, start, end)| {
                let (s, quantity, unit_price) = item(i, j);
                let product = subscription_product(s);
                let unit_cost = unit_price * 85 / 100;
                format!(
                    "({}, {}, {}, '{}', '{start}', '{end}', {quantity}, {unit_price}, {unit_cost}, {}, {}, '{}')",
                    first_invoice + i as i64,
                    subscription_id(s),
                    product.id,
                    product.name.replace('\'', "''"),
                    quantity * unit_price,
                    quantity * unit_cost,
                    product.usage_family.replace('\'', "''"),
                )
            }),
    )
    .await;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Explicit ids leave the sequences behind.
        for table in ["accounts", "users", "subscriptions", "invoices"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await
            .expect("setval");
        }
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }

    let contoso = all_accounts.iter().find(|a| a.code == "CONTOSO").expect("Contoso");
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(contoso.id))
        .order_by_desc(invoices::Column::IssueDate)
        .order_by_desc(invoices::Column::Id)
        .one(db)
        .await
        .expect("invoices")
        .expect("Contoso has invoices");
    let m365 = products::Entity::find()
        .filter(products::Column::Code.eq("M365-BS"))
        .one(db)
        .await
        .expect("products")
        .expect("M365-BS");
    let subscription = subscriptions::Entity::find()
        .filter(subscriptions::Column::AccountId.eq(contoso.id))
        .filter(subscriptions::Column::ProductId.eq(m365.id))
        .one(db)
        .await
        .expect("subscriptions")
        .expect("Contoso's Microsoft 365");
    let items = count(db, "SELECT COUNT(*) AS n FROM invoice_items").await as u64;
    let mut counted = Vec::new();
    for (what, sql) in [
        ("resellers", "SELECT COUNT(*) AS n FROM accounts WHERE tier = 'reseller'"),
        ("customers", "SELECT COUNT(*) AS n FROM accounts WHERE tier = 'customer'"),
        ("users", "SELECT COUNT(*) AS n FROM users"),
        ("subscriptions", "SELECT COUNT(*) AS n FROM subscriptions"),
        ("future actions", "SELECT COUNT(*) AS n FROM future_actions"),
        ("invoices", "SELECT COUNT(*) AS n FROM invoices"),
        ("invoice items", "SELECT COUNT(*) AS n FROM invoice_items"),
    ] {
        counted.push(format!("{} {what}", thousands(count(db, sql).await as u64)));
    }
    let report_pages = items.div_ceil(25).max(1);
    let report_middle = middle_page_cursor(db, report_pages).await;
    Data {
        report_middle,
        counted: counted.join(", "),
        resellers,
        subscriptions_of_reseller,
        invoice_number: invoice.number,
        subscription_id: subscription.id,
        report_pages,
    }
}

/// The server binary: this build's, or `LOAD_BINARY` (another build of the same schema to compare with).
fn server_binary() -> String {
    std::env::var("LOAD_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_stratus").to_string())
}

/// The cursor a Next link carries onto the middle page of the report the benchmark loads
/// (every item by Total, descending, as the provider sees it): the last row of the page before.
async fn middle_page_cursor(db: &DatabaseConnection, pages: u64) -> String {
    use stratus::billing::report::{Definition, Field};
    let definition = Definition {
        fields: vec![
            Field::InvoiceNumber,
            Field::InvoiceDate,
            Field::Account,
            Field::Product,
            Field::Usage,
            Field::Quantity,
            Field::Total,
        ],
        sort: Some(Field::Total),
        descending: true,
        ..Default::default()
    };
    let scope = stratus::accounts::scope::AccountScope::All;
    let report = stratus::billing::report_query::Runnable::new(db, scope, definition).await.expect("the report");
    let before_middle = ((pages / 2).max(2) - 1) * 25 - 1;
    report.cursor_at(db, before_middle).await.expect("the cursor").expect("a row before the middle page")
}

/// An API client with its secret and what its account may ask about.
struct ApiClient {
    client_id: String,
    secret: String,
    subscriptions: Vec<i32>,
}

/// `wanted` API clients over the resellers that have bench subscriptions (each may have 50).
async fn make_api_clients(db: &DatabaseConnection, data: &Data, wanted: usize) -> Vec<ApiClient> {
    let by = stratus::audit::AuditActor::system("load benchmark", None);
    let owners: Vec<i32> =
        data.resellers.iter().copied().filter(|r| data.subscriptions_of_reseller.contains_key(r)).collect();
    let mut made = Vec::new();
    'outer: for round in 0..CLIENTS_PER_RESELLER - 1 {
        for &owner in &owners {
            if made.len() >= wanted {
                break 'outer;
            }
            let account = accounts::Entity::find_by_id(owner).one(db).await.expect("account").expect("a reseller");
            let new = stratus::api::clients::create(db, &by, &account, &format!("load {round}"))
                .await
                .unwrap_or_else(|e| panic!("an API client for {}: {e}", account.code));
            made.push(ApiClient {
                client_id: new.client.client_id,
                secret: new.secret,
                subscriptions: data.subscriptions_of_reseller[&owner].clone(),
            });
        }
    }
    made
}

// --- The server ------------------------------------------------------------------------

struct Server {
    child: std::process::Child,
    base: String,
    log: PathBuf,
    http: Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start(dir: &Path, database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let config = dir.join("load.toml");
        // The sign-in load comes through a "proxy" (wrk on loopback) from many addresses.
        std::fs::write(&config, "[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n").expect("config");
        let log = dir.join("server.log");
        let file = std::fs::File::create(&log).expect("log");
        let child = std::process::Command::new(server_binary())
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("STRATUS_ADDR", format!("127.0.0.1:{port}"))
            .env("STRATUS_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("STRATUS_SECRET_KEY", stratus::secrets::generate_key())
            .env("STRATUS_CONFIG", &config)
            .env("RUST_LOG", "warn")
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .spawn()
            .expect("start stratus");
        let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), log, http };
        for _ in 0..600 {
            let ready = server.http.get(format!("{}/readyz", server.base)).send().await;
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("stratus did not start; see {}", server.log.display());
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn status_kb(&self, field: &str) -> Option<u64> {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()?
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    }

    /// Starts a new peak-RSS window (`VmHWM` back to the current RSS); false if refused.
    fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").is_ok()
    }

    /// CPU time used so far, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let get = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        get(11) + get(12)
    }

    /// Waits until the server is idle again (work left from a run — requests wrk gave up
    /// on — would weigh on the next one): two quiet half-seconds in a row, at most 5 min.
    async fn settle(&self) {
        let until = Instant::now() + Duration::from_secs(300);
        let mut quiet = 0;
        let mut last = self.cpu_ticks();
        while quiet < 2 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = self.cpu_ticks();
            quiet = if now.saturating_sub(last) <= 2 { quiet + 1 } else { 0 };
            last = now;
        }
    }
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|pair| pair.trim().to_string())
        .collect()
}

fn csrf_token(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf_token\" value=\"")? + 25;
    page[at..].split('"').next().map(str::to_string)
}

/// A sign-in page's anonymous form: its visitor cookie and token.
async fn login_form(server: &Server, address: &str) -> (String, String) {
    let page = server
        .http
        .get(format!("{}/login", server.base))
        .header("x-forwarded-for", address)
        .send()
        .await
        .expect("GET /login");
    assert_eq!(page.status(), StatusCode::OK, "GET /login");
    let cookie = set_cookies(&page).into_iter().find(|c| c.starts_with("stratus_csrf=")).expect("a visitor cookie");
    let token = csrf_token(&page.text().await.expect("the sign-in page")).expect("a CSRF token");
    (cookie, token)
}

/// Signs `email` in from `address`; the session's `Cookie` header.
async fn sign_in(server: &Server, email: &str, address: &str) -> String {
    let (cookie, token) = login_form(server, address).await;
    let response = server
        .http
        .post(format!("{}/login", server.base))
        .header(COOKIE, &cookie)
        .header(ORIGIN, &server.base)
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", DEMO_PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing {email} in");
    let mut cookies = set_cookies(&response);
    cookies.push(cookie);
    cookies.join("; ")
}

/// The personas' sessions.
struct People {
    customer: Vec<String>,
    provider_admin: Vec<String>,
}

impl People {
    async fn sign_in(server: &Server, sessions: usize) -> People {
        let mut people = People { customer: Vec::new(), provider_admin: Vec::new() };
        for n in 0..sessions {
            // Each from its own address (the sign-in limit is per address).
            people.customer.push(sign_in(server, CUSTOMER, &format!("10.250.{}.{}", n / 250, n % 250 + 1)).await);
            people
                .provider_admin
                .push(sign_in(server, PROVIDER_ADMIN, &format!("10.251.{}.{}", n / 250, n % 250 + 1)).await);
        }
        people
    }
}

/// A bearer token per client, with the client's subscriptions.
async fn fetch_tokens(server: &Server, clients: &[ApiClient]) -> Vec<(String, Vec<i32>)> {
    let mut tokens = Vec::new();
    for (n, client) in clients.iter().enumerate() {
        let response = server
            .http
            .post(format!("{}/oauth/token", server.base))
            .header("x-forwarded-for", format!("10.252.{}.{}", n / 250, n % 250 + 1))
            .basic_auth(&client.client_id, Some(&client.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("POST /oauth/token");
        assert_eq!(response.status(), StatusCode::OK, "a token");
        let body: serde_json::Value = response.json().await.expect("token json");
        let token = body["access_token"].as_str().expect("access_token").to_string();
        tokens.push((token, client.subscriptions.clone()));
    }
    tokens
}

// --- Endpoints and runs ----------------------------------------------------------------

/// One request wrk may send: path and headers.
#[derive(Clone)]
struct Variant {
    path: String,
    headers: Vec<(String, String)>,
}

enum Load {
    /// The same request every time (wrk's fast path).
    Fixed(Variant),
    /// Requests taken in turn (sessions, tokens, subscriptions).
    Rotating(Vec<Variant>),
    /// The sign-in POST: the visitor cookie and token, from a new address every time.
    SignIn { cookie: String, token: String },
}

struct Endpoint {
    name: &'static str,
    label: String,
    load: Load,
    /// The status every response must have.
    expect: StatusCode,
    /// Runs at this connection count only (a page too slow to load at 64).
    only_at: Option<usize>,
}

impl Endpoint {
    fn first(&self) -> Variant {
        match &self.load {
            Load::Fixed(v) => v.clone(),
            Load::Rotating(list) => list[0].clone(),
            Load::SignIn { .. } => Variant { path: "/login".into(), headers: vec![] },
        }
    }
}

fn endpoints(data: &Data, people: &People, tokens: &[(String, Vec<i32>)], options: &Options) -> Vec<Endpoint> {
    let gzip = |mut headers: Vec<(String, String)>| {
        if options.gzip {
            headers.push(("Accept-Encoding".into(), "gzip".into()));
        }
        headers
    };
    let anonymous = |path: &str| Load::Fixed(Variant { path: path.into(), headers: gzip(vec![]) });
    let signed_in = |sessions: &[String], path: &str| {
        Load::Rotating(
            sessions
                .iter()
                .map(|cookie| Variant { path: path.into(), headers: gzip(vec![("Cookie".into(), cookie.clone())]) })
                .collect(),
        )
    };
    let report = "/reports?field=invoice_number&field=invoice_date&field=account&field=product&field=usage\
                  &field=quantity&field=total&sort=total&dir=desc";
    let deep_page = (data.report_pages / 2).max(2);
    let api = {
        let mut variants = Vec::new();
        for round in 0..10 {
            for (token, subscriptions) in tokens {
                let subscription = subscriptions[(round * 7919) % subscriptions.len()];
                let filter = format!(
                    "subscriptionId eq {subscription} and status ne 'Pending' and scheduledDate ge datetime'2025-06-01'"
                );
                let path = format!(
                    "/api/futureactions?$filter={}&$orderby=scheduledDate%20desc&$top=20",
                    stratus::error::encode_query_value(&filter)
                );
                variants
                    .push(Variant { path, headers: gzip(vec![("Authorization".into(), format!("Bearer {token}"))]) });
            }
        }
        Load::Rotating(variants)
    };
    let list = vec![
        Endpoint {
            name: "healthz",
            label: "`/healthz`".into(),
            load: anonymous("/healthz"),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "catalogue",
            label: "catalogue `/` (anonymous)".into(),
            load: anonymous("/"),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "product",
            label: "product `/products/M365-BS` (anonymous)".into(),
            load: anonymous("/products/M365-BS"),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "account",
            label: format!("My Account (`{CUSTOMER}`)"),
            load: signed_in(&people.customer, "/account"),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "invoice",
            label: format!("invoice `/invoices/{}` (Ana)", data.invoice_number),
            load: signed_in(&people.customer, &format!("/invoices/{}", data.invoice_number)),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "subscription",
            label: format!("subscription `/subscriptions/{}` (Ana)", data.subscription_id),
            load: signed_in(&people.customer, &format!("/subscriptions/{}", data.subscription_id)),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "report",
            label: "report page 1, every item by Total (provider admin)".into(),
            load: signed_in(&people.provider_admin, report),
            expect: StatusCode::OK,
            only_at: None,
        },
        Endpoint {
            name: "report-deep",
            label: format!("report page {deep_page} of {} (provider admin)", data.report_pages),
            load: signed_in(&people.provider_admin, &format!("{report}&after={}&page={deep_page}", data.report_middle)),
            expect: StatusCode::OK,
            only_at: Some(1),
        },
        Endpoint {
            name: "api",
            label: "`GET /api/futureactions` (one subscription, not pending, by date)".into(),
            load: api,
            expect: StatusCode::OK,
            only_at: None,
        },
    ];
    list.into_iter().filter(|e| options.wants(e.name)).collect()
}

/// The sign-in POST is measured apart (argon2-bound).
fn sign_in_endpoint(form: (String, String)) -> Endpoint {
    Endpoint {
        name: "sign-in",
        label: format!("sign-in POST `/login` ({CUSTOMER}, right password)"),
        load: Load::SignIn { cookie: form.0, token: form.1 },
        expect: StatusCode::SEE_OTHER,
        only_at: None,
    }
}

/// Response sizes (body bytes, plain and with gzip), after checking the status.
#[derive(Clone, Copy)]
struct BodySizes {
    plain: usize,
    gzip: usize,
    /// How long the plain request took.
    seconds: f64,
}

async fn probe(server: &Server, endpoint: &Endpoint) -> Result<BodySizes, String> {
    if let Load::SignIn { cookie, token } = &endpoint.load {
        let started = Instant::now();
        let response = sign_in_request(server, cookie, token, "10.253.0.1").await?;
        return Ok(BodySizes { plain: response, gzip: response, seconds: started.elapsed().as_secs_f64() });
    }
    let variant = endpoint.first();
    let mut sizes = [0usize; 2];
    let started = Instant::now();
    let mut seconds = 0.0;
    for (n, gzip) in [false, true].into_iter().enumerate() {
        let mut request = server.http.get(format!("{}{}", server.base, variant.path));
        for (name, value) in variant.headers.iter().filter(|(name, _)| name != "Accept-Encoding") {
            request = request.header(name, value);
        }
        if gzip {
            request = request.header(ACCEPT_ENCODING, "gzip");
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if status != endpoint.expect {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])));
        }
        sizes[n] = body.len();
        if n == 0 {
            seconds = started.elapsed().as_secs_f64();
        }
    }
    Ok(BodySizes { plain: sizes[0], gzip: sizes[1], seconds })
}

async fn sign_in_request(server: &Server, cookie: &str, token: &str, address: &str) -> Result<usize, String> {
    let response = server
        .http
        .post(format!("{}/login", server.base))
        .header(COOKIE, cookie)
        .header(ORIGIN, &server.base)
        .header("x-forwarded-for", address)
        .form(&[("email", CUSTOMER), ("password", DEMO_PASSWORD), ("csrf_token", token)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if status != StatusCode::SEE_OTHER {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])));
    }
    Ok(body.len())
}

fn lua(text: &str) -> String {
    assert!(text.is_ascii(), "Lua strings here are ASCII");
    format!("{text:?}")
}

fn lua_headers(headers: &[(String, String)]) -> String {
    let pairs: Vec<String> = headers.iter().map(|(k, v)| format!("[{}] = {}", lua(k), lua(v))).collect();
    format!("{{ {} }}", pairs.join(", "))
}

/// What every script ends with: the numbers, on one line, for this program; the statuses
/// the response hook counted, when there is one.
const DONE: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOADRESULT %d %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
  for _, t in ipairs(threads) do
    local seen = t:get("statuses")
    if seen then
      for status, n in pairs(seen) do
        io.write(string.format("LOADSTATUS %s %d\n", tostring(status), n))
      end
    end
  end
end
"#;

const SETUP: &str = r#"
threads = {}
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end
"#;

fn script(endpoint: &Endpoint, base: &str, gzip: bool) -> String {
    let mut lua_text = String::from("-- written by bench/load.rs\n");
    lua_text.push_str(SETUP);
    match &endpoint.load {
        Load::Fixed(variant) => {
            for (name, value) in &variant.headers {
                let _ = writeln!(lua_text, "wrk.headers[{}] = {}", lua(name), lua(value));
            }
        }
        Load::Rotating(variants) => {
            lua_text.push_str("local variants = {\n");
            for v in variants {
                let _ = writeln!(lua_text, "  {{ {}, {} }},", lua(&v.path), lua_headers(&v.headers));
            }
            lua_text.push_str(
                "}\nlocal prepared = {}\nlocal turn = 0\nfunction init(args)\n  for _, v in ipairs(variants) do\n    \
                 table.insert(prepared, wrk.format(\"GET\", v[1], v[2]))\n  end\n  turn = (tid or 0) * 7\nend\n\
                 function request()\n  turn = turn + 1\n  return prepared[(turn % #prepared) + 1]\nend\n",
            );
        }
        Load::SignIn { cookie, token } => {
            let body = format!(
                "email={}&password={DEMO_PASSWORD}&csrf_token={}",
                stratus::error::encode_query_value(CUSTOMER),
                stratus::error::encode_query_value(token)
            );
            let mut headers = vec![
                ("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()),
                ("Cookie".to_string(), cookie.clone()),
                ("Origin".to_string(), base.to_string()),
            ];
            if gzip {
                headers.push(("Accept-Encoding".into(), "gzip".into()));
            }
            let _ = write!(
                lua_text,
                "local body = {}\nlocal base_headers = {}\nlocal run = 0\nlocal turn = 0\nstatuses = {{}}\n\
                 function init(args)\n  run = tonumber(args[1]) or 0\nend\n\
                 function request()\n  turn = turn + 1\n  local h = {{}}\n  for k, v in pairs(base_headers) do h[k] = v end\n  \
                 -- A new client address every time, as many people signing in behind a proxy.\n  \
                 h[\"X-Forwarded-For\"] = string.format(\"10.%d.%d.%d\", run % 200, (tid or 0) * 16 + math.floor(turn / 250) % 16, turn % 250 + 1)\n  \
                 return wrk.format(\"POST\", \"/login\", h, body)\nend\n\
                 function response(status, headers, body)\n  statuses[status] = (statuses[status] or 0) + 1\nend\n",
                lua(&body),
                lua_headers(&headers)
            );
        }
    }
    lua_text.push_str(DONE);
    lua_text
}

struct Row {
    name: &'static str,
    connections: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    peak_rss_mb: Option<f64>,
    notes: Vec<String>,
    /// An error, a timeout, a wrong status: the benchmark fails.
    failed: bool,
    /// Responses by status (the sign-in POST only).
    statuses: Vec<(u16, u64)>,
}

async fn run(
    server: &Server,
    endpoint: &Endpoint,
    connections: usize,
    options: &Options,
    run_number: usize,
    dir: &Path,
    sizes: BodySizes,
) -> Row {
    let script_path = dir.join(format!("{}.lua", endpoint.name));
    std::fs::write(&script_path, script(endpoint, &server.base, options.gzip)).expect("script");
    let threads = connections.min(2);
    // A page slower than a fifth of the run (a deep report page) runs long enough for a
    // few responses.
    let seconds = options.seconds.max((sizes.seconds * 5.0).ceil() as u64);
    let url = format!("{}{}", server.base, endpoint.first().path);
    server.settle().await;
    let peak_window = server.reset_peak();
    let mut wrk = std::process::Command::new("wrk");
    wrk.arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg(format!("--timeout={}s", options.timeout))
        .arg("--latency")
        .arg("-s")
        .arg(&script_path)
        .arg(&url)
        .arg("--")
        .arg(run_number.to_string());
    let output = tokio::task::spawn_blocking(move || wrk.output()).await.expect("wrk").expect("run wrk");
    let peak_rss_mb = server.status_kb("VmHWM:").map(|kb| kb as f64 / 1024.0);
    server.settle().await;
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let mut row = Row {
        name: endpoint.name,
        connections,
        rps: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        peak_rss_mb,
        notes: Vec::new(),
        failed: false,
        statuses: Vec::new(),
    };
    if seconds != options.seconds {
        row.notes.push(format!("ran {seconds} s"));
    }
    if !peak_window {
        row.notes.push("peak RSS since the start (clear_refs refused)".into());
    }
    let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("LOADRESULT ")) else {
        row.failed = true;
        row.notes.push(format!("wrk failed: {} {}", stdout.trim(), String::from_utf8_lossy(&output.stderr).trim()));
        return row;
    };
    let v: Vec<u64> = line.split_whitespace().map(|n| n.parse().unwrap_or(0)).collect();
    let (requests, micros, bytes) = (v[0], v[1].max(1), v[2]);
    let (connect, read, write, status, timeout) = (v[3], v[4], v[5], v[6], v[7]);
    row.rps = requests as f64 / (micros as f64 / 1e6);
    row.p50_ms = v[8] as f64 / 1000.0;
    row.p99_ms = v[9] as f64 / 1000.0;
    for line in stdout.lines().filter_map(|l| l.strip_prefix("LOADSTATUS ")) {
        if let Some((code, n)) = line.split_once(' ') {
            let (code, n) = (code.parse().unwrap_or(0), n.parse().unwrap_or(0));
            match row.statuses.iter_mut().find(|(c, _)| *c == code) {
                Some((_, total)) => *total += n,
                None => row.statuses.push((code, n)),
            }
        }
    }
    row.statuses.sort_unstable();
    let mut problems = Vec::new();
    if requests == 0 {
        problems.push("no response completed".to_string());
    }
    for (what, n) in [("connect", connect), ("read", read), ("write", write), ("timeout", timeout)] {
        if n > 0 {
            problems.push(format!("{n} {what} errors"));
        }
    }
    let expect = endpoint.expect.as_u16();
    if let Load::SignIn { .. } = endpoint.load {
        // Counted by status: a 503 (the password checks are all busy; Retry-After) is the
        // designed answer to more sign-ins than the cores can hash, so it is shown, not failed.
        let unexpected: u64 = row.statuses.iter().filter(|(c, _)| *c != expect && *c != 503).map(|(_, n)| n).sum();
        if unexpected > 0 {
            problems.push(format!("{unexpected} responses neither {expect} nor 503"));
        }
    } else if status > 0 {
        problems.push(format!("{status} responses ≥ 400"));
    }
    // A lost session answers a small redirect instead of the page: far fewer bytes.
    if requests > 0 && matches!(endpoint.load, Load::Rotating(_) | Load::Fixed(_)) && sizes.plain > 200 {
        let expected = if options.gzip { sizes.gzip } else { sizes.plain };
        let average = bytes / requests;
        if (average as f64) < expected as f64 * 0.5 {
            problems.push(format!("responses average {average} bytes, the page has {expected}"));
        }
    }
    row.failed = !problems.is_empty();
    row.notes.extend(problems);
    row
}

// --- The table -------------------------------------------------------------------------

fn print_table(endpoints: &[&Endpoint], rows: &[Row], probes: &HashMap<&'static str, BodySizes>) {
    let healthz: HashMap<usize, f64> =
        rows.iter().filter(|r| r.name == "healthz").map(|r| (r.connections, r.rps)).collect();
    println!();
    println!("| endpoint | conns | req/s | p50 | p99 | share of `/healthz` | size (plain / gzip) | peak RSS | notes |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for &endpoint in endpoints {
        for row in rows.iter().filter(|r| r.name == endpoint.name) {
            let share = healthz
                .get(&row.connections)
                .filter(|h| **h > 0.0)
                .map_or("—".to_string(), |h| format!("{:.1}%", row.rps / h * 100.0));
            let size = probes.get(endpoint.name).map_or("—".to_string(), |s| match endpoint.load {
                Load::SignIn { .. } => "—".into(),
                _ => format!("{} / {} B", thousands(s.plain as u64), thousands(s.gzip as u64)),
            });
            let mut notes = row.notes.clone();
            if !row.statuses.is_empty() {
                let seen: Vec<String> = row.statuses.iter().map(|(c, n)| format!("{c}: {n}")).collect();
                notes.insert(0, seen.join(", "));
            }
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                endpoint.label,
                row.connections,
                thousands(row.rps.round() as u64),
                ms(row.p50_ms),
                ms(row.p99_ms),
                share,
                size,
                row.peak_rss_mb.map_or("—".into(), |mb| format!("{mb:.0} MB")),
                notes.join("; ")
            );
        }
    }
}

fn ms(value: f64) -> String {
    if value < 1.0 {
        format!("{value:.2} ms")
    } else if value >= 100.0 {
        format!("{value:.0} ms")
    } else {
        format!("{value:.1} ms")
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
