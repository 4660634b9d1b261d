//! Soak test (not in CI): mixed traffic against two `stratus serve` processes on one
//! PostgreSQL database, for minutes, watching errors, latency and memory.
//!
//! `BENCH_DATABASE_URL=postgres://stratus:stratus@127.0.0.1:5432/postgres cargo bench --bench soak`
//!
//! It creates a fresh database on that server, starts the release binary twice on it
//! (`serve --demo`, the second once the first has loaded the demo), and runs 32
//! connections (`SOAK_CONNECTIONS`) for 10 minutes (`SOAK_MINUTES`), each a person doing,
//! in turn: browse the catalogue and a product, My Account, and the REST API (a filtered
//! `GET /api/futureactions` with a token fetched at each sign-in); each signs in (and gets
//! a token) every 50th round; one connection per demo customer also puts a licence in its
//! cart and takes it out again; two provider admins also download the report CSV.
//! Requests alternate between the instances. Every minute it prints the requests and errors of
//! that minute, its p50/p99 and each process's resident memory (VmRSS); at the end the
//! totals. An error is any transport failure or a status other than the one the step
//! expects; the run fails if there was one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use sea_orm::{ConnectionTrait, Database};

const DEMO_PASSWORD: &str = "demo-password";
const PEOPLE: &[&str] = &["ana@contoso.demo", "beatriz@contoso.demo", "fabio@fabrikam.demo", "tina@tailspin.demo"];

struct Instance {
    child: std::process::Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kb: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        kb / 1024.0
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

async fn start(dir: &std::path::Path, database_url: &str, key: &str, name: &str) -> Instance {
    let port = free_port();
    let config = dir.join("soak.toml");
    std::fs::write(&config, "[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n").expect("config");
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).expect("log");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", database_url)
        .env("STRATUS_ADDR", format!("127.0.0.1:{port}"))
        .env("STRATUS_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("STRATUS_SECRET_KEY", key)
        .env("STRATUS_CONFIG", &config)
        // The soak measures the system, not the per-client API limit.
        .env("STRATUS_API_REQUESTS_PER_MINUTE", "1000000")
        .env("RUST_LOG", "warn")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start stratus");
    // Killed and reaped when dropped, also when it never gets ready.
    let instance = Instance { child, base: format!("http://127.0.0.1:{port}") };
    let client = Client::new();
    for _ in 0..300 {
        let ready = client.get(format!("{}/readyz", instance.base)).send().await;
        if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            return instance;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{name} did not start; see {}", dir.join(format!("{name}.log")).display());
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Latencies of the current minute, in microseconds.
    latencies: Mutex<Vec<u32>>,
    first_errors: Mutex<Vec<String>>,
}

impl Tally {
    fn record(&self, started: Instant, outcome: Result<(), String>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let micros = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
        if let Ok(mut latencies) = self.latencies.lock() {
            latencies.push(micros);
        }
        if let Err(what) = outcome {
            self.errors.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut first) = self.first_errors.lock() {
                if first.len() < 10 {
                    first.push(what);
                }
            }
        }
    }
}

/// One person's client: its own cookies and client address (so the per-address sign-in
/// limit counts people, as behind a load balancer).
struct Person {
    client: Client,
    bases: [String; 2],
    turn: usize,
    tally: Arc<Tally>,
}

impl Person {
    fn base(&mut self) -> String {
        self.turn += 1;
        self.bases[self.turn % 2].clone()
    }

    async fn get(&mut self, path: &str, expect: StatusCode) -> Option<String> {
        let url = format!("{}{path}", self.base());
        let started = Instant::now();
        let answer = self.client.get(&url).send().await;
        let (outcome, body) = match answer {
            Ok(response) if response.status() == expect => (Ok(()), response.text().await.ok()),
            Ok(response) => (Err(format!("GET {path}: {}", response.status())), None),
            Err(e) => (Err(format!("GET {path}: {e}")), None),
        };
        self.tally.record(started, outcome);
        body
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)], expect: StatusCode) -> Option<String> {
        let url = format!("{}{path}", self.base());
        let started = Instant::now();
        let answer = self.client.post(&url).form(form).send().await;
        let (outcome, body) = match answer {
            Ok(response) if response.status() == expect => {
                let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
                (Ok(()), location.or(response.text().await.ok()))
            }
            Ok(response) => (Err(format!("POST {path}: {}", response.status())), None),
            Err(e) => (Err(format!("POST {path}: {e}")), None),
        };
        self.tally.record(started, outcome);
        body
    }

    async fn csrf(&mut self, path: &str) -> Option<String> {
        let page = self.get(path, StatusCode::OK).await?;
        let at = page.find("name=\"csrf_token\" value=\"")? + 25;
        page[at..].split('"').next().map(str::to_string)
    }

    async fn sign_in(&mut self, email: &str) {
        if let Some(token) = self.csrf("/login").await {
            let form = [("email", email), ("password", DEMO_PASSWORD), ("csrf_token", &token)];
            self.post("/login", &form, StatusCode::SEE_OTHER).await;
        }
    }

    async fn cart_round(&mut self) {
        let Some(token) = self.csrf("/products/M365-BS").await else { return };
        let form = [("product_code", "M365-BS"), ("quantity", "1"), ("csrf_token", &token)];
        self.post("/cart/items", &form, StatusCode::SEE_OTHER).await;
        let Some(cart) = self.get("/cart", StatusCode::OK).await else { return };
        // Take every line out again, so the cart does not grow.
        let removals: Vec<String> = cart
            .match_indices("action=\"/cart/items/")
            .filter_map(|(at, _)| cart[at + 8..].split('"').next().map(str::to_string))
            .filter(|action| action.ends_with("/remove"))
            .collect();
        let token = match cart.find("name=\"csrf_token\" value=\"") {
            Some(at) => cart[at + 25..].split('"').next().unwrap_or_default().to_string(),
            None => return,
        };
        for action in removals {
            self.post(&action, &[("csrf_token", &token)], StatusCode::SEE_OTHER).await;
        }
    }

    /// A token for the demo API client (HTTP Basic), kept until the next sign-in round.
    async fn fetch_token(&mut self) -> Option<String> {
        let url = format!("{}/oauth/token", self.base());
        let started = Instant::now();
        let answer = self
            .client
            .post(&url)
            .basic_auth("stc_andes-demo", Some("demo-api-secret-andes-it"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        match answer {
            Ok(response) if response.status() == StatusCode::OK => {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                self.tally.record(started, Ok(()));
                body["access_token"].as_str().map(str::to_string)
            }
            Ok(response) => {
                self.tally.record(started, Err(format!("POST /oauth/token: {}", response.status())));
                None
            }
            Err(e) => {
                self.tally.record(started, Err(format!("POST /oauth/token: {e}")));
                None
            }
        }
    }

    async fn api_round(&mut self, token: &str) {
        let url = format!(
            "{}/api/futureactions?$filter=status eq 'Pending'&$orderby=scheduledDate desc&$top=20",
            self.base()
        );
        let started = Instant::now();
        let outcome = match self.client.get(&url).bearer_auth(token).send().await {
            Ok(response) if response.status() == StatusCode::OK => {
                response.bytes().await.map(|_| ()).map_err(|e| e.to_string())
            }
            Ok(response) => Err(format!("GET /api/futureactions: {}", response.status())),
            Err(e) => Err(format!("GET /api/futureactions: {e}")),
        };
        self.tally.record(started, outcome);
    }

    async fn export_round(&mut self) {
        let url = format!("{}/reports/export.csv?field=invoice_number&field=account&field=total", self.base());
        let started = Instant::now();
        let outcome = match self.client.get(&url).send().await {
            Ok(response) if response.status() == StatusCode::OK => {
                response.bytes().await.map(|_| ()).map_err(|e| e.to_string())
            }
            Ok(response) => Err(format!("GET /reports/export.csv: {}", response.status())),
            Err(e) => Err(format!("GET /reports/export.csv: {e}")),
        };
        self.tally.record(started, outcome);
    }
}

/// A browser of its own (cookies) from its own client address (so the per-address
/// sign-in limit counts people, as behind a load balancer).
fn browser(number: usize) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let address = format!("10.9.{}.{}", number / 200, number % 200 + 1);
    headers.insert("x-forwarded-for", address.parse().expect("header"));
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

async fn person(number: usize, bases: [String; 2], tally: Arc<Tally>, until: Instant) {
    let client = browser(number);
    let mut me = Person { client, bases, turn: number, tally };
    // Two people are provider admins who download the report now and then; one person
    // per demo customer fills and empties a cart (a cart is one user's: two connections
    // on one cart would take each other's lines away); the rest browse.
    let exporter = number < 2;
    let shopper = (2..2 + PEOPLE.len()).contains(&number);
    let email = if exporter { "admin@stratus.demo" } else { PEOPLE[number % PEOPLE.len()] };
    // Staggered, as people arrive: sign-ins are argon2-bound, a few at a time.
    tokio::time::sleep(Duration::from_millis(150 * number as u64)).await;
    let mut round = 0usize;
    let mut token = None;
    while Instant::now() < until {
        if round.is_multiple_of(50) {
            // A new visit: a fresh browser signs in (a new session, as people come back).
            me.client = browser(number);
            me.sign_in(email).await;
            token = me.fetch_token().await;
        }
        me.get("/", StatusCode::OK).await;
        me.get("/products/M365-BS", StatusCode::OK).await;
        me.get("/account", StatusCode::OK).await;
        if exporter && round.is_multiple_of(10) {
            me.export_round().await;
        }
        if shopper {
            me.cart_round().await;
        }
        if let Some(token) = token.clone() {
            me.api_round(&token).await;
        }
        round += 1;
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[at]) / 1000.0
}

#[tokio::main]
async fn main() {
    let Ok(server_url) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("The soak runs two instances on PostgreSQL: set BENCH_DATABASE_URL=postgres://…/postgres");
        std::process::exit(2);
    };
    let minutes: u64 = std::env::var("SOAK_MINUTES").ok().and_then(|n| n.parse().ok()).unwrap_or(10);
    let connections: usize = std::env::var("SOAK_CONNECTIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(32);
    let name = format!("stratus_soak_{}", std::process::id());
    let admin = Database::connect(&server_url).await.expect("connect to PostgreSQL");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create the database");
    let (prefix, _) = server_url.rsplit_once('/').expect("a URL with a database name");
    let database_url = format!("{prefix}/{name}");
    let dir = tempfile::tempdir().expect("temp dir");
    let key = stratus::secrets::generate_key();
    let a = start(dir.path(), &database_url, &key, "a").await;
    let b = start(dir.path(), &database_url, &key, "b").await;
    println!(
        "soak: {connections} connections for {minutes} min against two instances ({} and {}) on PostgreSQL",
        a.base, b.base
    );
    println!(
        "{:>6} | {:>9} | {:>6} | {:>8} | {:>8} | {:>9} | {:>9}",
        "minute", "requests", "errors", "p50 ms", "p99 ms", "A RSS MB", "B RSS MB"
    );
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let until = started + Duration::from_secs(minutes * 60);
    let mut people = Vec::new();
    for number in 0..connections {
        let bases = [a.base.clone(), b.base.clone()];
        people.push(tokio::spawn(person(number, bases, tally.clone(), until)));
    }
    let (mut seen_requests, mut seen_errors, mut all_p99) = (0, 0, Vec::new());
    for minute in 1..=minutes {
        tokio::time::sleep_until((started + Duration::from_secs(minute * 60)).into()).await;
        let mut latencies = tally.latencies.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
        latencies.sort_unstable();
        let requests = tally.requests.load(Ordering::Relaxed);
        let errors = tally.errors.load(Ordering::Relaxed);
        let p99 = percentile(&latencies, 0.99);
        all_p99.push(p99);
        println!(
            "{minute:>6} | {:>9} | {:>6} | {:>8.1} | {:>8.1} | {:>9.1} | {:>9.1}",
            requests - seen_requests,
            errors - seen_errors,
            percentile(&latencies, 0.5),
            p99,
            a.rss_mb(),
            b.rss_mb()
        );
        (seen_requests, seen_errors) = (requests, errors);
    }
    for person in people {
        let _ = person.await;
    }
    let (requests, errors) = (tally.requests.load(Ordering::Relaxed), tally.errors.load(Ordering::Relaxed));
    let seconds = started.elapsed().as_secs_f64();
    println!("total: {requests} requests in {seconds:.0} s ({:.0}/s), {errors} errors", requests as f64 / seconds);
    if let Ok(first) = tally.first_errors.lock() {
        for error in first.iter() {
            println!("  error: {error}");
        }
    }
    drop((a, b));
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok();
    if errors > 0 {
        std::process::exit(1);
    }
}
