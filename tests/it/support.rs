//! Starts the real server on port 0 against a fresh temporary database (SQLite by
//! default; PostgreSQL when STRATUS_TEST_DATABASE_URL names a server) and drives it
//! over HTTP with a cookie-keeping client that does not follow redirects.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use stratus::config::{SecretKeySource, Settings};

pub const DEMO_PASSWORD: &str = "demo-password";

pub struct TestApp {
    pub browser: Browser,
    pub database_url: String,
    pub secrets: Arc<stratus::secrets::SecretBox>,
    pub db: DatabaseConnection,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

/// One person's browser: its own cookies, no redirects followed.
pub struct Browser {
    pub base: String,
    pub client: Client,
    pub jar: Arc<Jar>,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("STRATUS_TEST_DATABASE_URL") {
        Ok(server_url) if !server_url.is_empty() => {
            let name = format!("stratus_it_{}", uuid_like());
            let admin = Database::connect(&server_url).await.expect("connect to the PostgreSQL test server");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let (prefix, _) = server_url.rsplit_once('/').expect("postgres URL with a database name");
            format!("{prefix}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("stratus.db").display()),
    }
}

fn uuid_like() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The suite's browsers ask for English (`Accept-Language: en`), as an English browser
/// does: the demo's Stratus Cloud and Andes IT speak Spanish to a browser that asks for
/// none (`tests/it/languages.rs` drives the Spanish pages).
pub fn english() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("en"));
    headers
}

pub fn new_client(jar: Arc<Jar>) -> Client {
    Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(english())
        .build()
        .expect("client")
}

impl TestApp {
    /// A server with the demo data.
    pub async fn start() -> TestApp {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database_url(dir.path()).await;
        let secret_key = dir.path().join("secret.key");
        Self::start_at(dir, database_url, secret_key, adjust).await
    }

    /// A second instance on the same database and secret key as `other` (as two
    /// `stratus serve` on one PostgreSQL would run).
    pub async fn start_on(other: &TestApp, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let secret_key = other._dir.path().join("secret.key");
        Self::start_at(dir, other.database_url.clone(), secret_key, adjust).await
    }

    async fn start_at(
        dir: tempfile::TempDir,
        database_url: String,
        secret_key: std::path::PathBuf,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut settings = Settings {
            database_url: database_url.clone(),
            addr,
            base_url: format!("http://{addr}"),
            secret_key: SecretKeySource::File(secret_key),
            demo: true,
            // The suite's baseline demo has no identity providers; `serve --demo` has the
            // demo OpenID provider's two, which `tests/it/demo_provider.rs` turns on.
            demo_identity: false,
            webpay_timeout: std::time::Duration::from_secs(20),
            api_requests_per_minute: 600,
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
            expose_query_counts: true,
        };
        adjust(&mut settings);
        let app = stratus::server::prepare(settings).await.expect("prepare server");
        let db = app.state.db.clone();
        let secrets = app.state.secrets.clone();
        let router = app.router();
        app.start_outbox();
        app.start_tasks();
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
        });
        let jar = Arc::new(Jar::default());
        let browser = Browser { base: format!("http://{addr}"), client: new_client(jar.clone()), jar };
        TestApp { browser, database_url, secrets, db, _dir: dir, server }
    }

    /// A demo account by its code.
    pub async fn account(&self, code: &str) -> stratus::entities::accounts::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use stratus::entities::accounts;
        let found =
            accounts::Entity::find().filter(accounts::Column::Code.eq(code)).one(&self.db).await.expect("query");
        found.unwrap_or_else(|| panic!("no account {code}"))
    }

    /// The account's (first) subscription to the product with this code.
    pub async fn subscription_of(
        &self,
        account_code: &str,
        product_code: &str,
    ) -> stratus::entities::subscriptions::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use stratus::entities::{products, subscriptions};
        let account = self.account(account_code).await;
        let product = products::Entity::find().filter(products::Column::Code.eq(product_code)).one(&self.db).await;
        let product = product.expect("query").unwrap_or_else(|| panic!("no product {product_code}"));
        subscriptions::Entity::find()
            .filter(subscriptions::Column::AccountId.eq(account.id))
            .filter(subscriptions::Column::ProductId.eq(product.id))
            .one(&self.db)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("{account_code} has no {product_code}"))
    }

    /// Another browser on the same server.
    pub fn new_browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        Browser { base: self.browser.base.clone(), client: new_client(jar.clone()), jar }
    }

    /// Another browser whose `Accept-Language` is `language` (none: it asks for nothing).
    pub fn browser_asking_for(&self, language: Option<&'static str>) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(language) = language {
            headers.insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static(language));
        }
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Browser { base: self.browser.base.clone(), client, jar }
    }

    /// Another browser that names itself with this user agent.
    pub fn new_browser_named(&self, user_agent: &str) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(english())
            .user_agent(user_agent)
            .build()
            .expect("client");
        Browser { base: self.browser.base.clone(), client, jar }
    }
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET and return status and body.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// The CSRF token from the form on a page.
    pub async fn csrf(&self, path: &str) -> String {
        let (_, body) = self.page(path).await;
        csrf_in(&body).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(self.url(path)).form(fields).send().await.expect("POST")
    }

    /// POSTs a form with the session's CSRF token taken from `form_page`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(form_page).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form(action, &all).await
    }

    /// Posts the password form. With password sign-in off the form is gone, so the
    /// session's token is taken from another page's form (as a forged post would).
    pub async fn sign_in_with(&self, email: &str, password: &str) -> Response {
        let (_, body) = self.page("/login").await;
        let token = match csrf_in(&body) {
            Some(token) => token,
            None => self.csrf("/products/M365-BS").await,
        };
        self.post_form("/login", &[("email", email), ("password", password), ("csrf_token", &token)]).await
    }

    /// Signs in with the demo password and checks it worked.
    pub async fn sign_in(&self, email: &str) {
        let response = self.sign_in_with(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in of {email} failed");
    }

    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix("stratus_session=").map(str::to_string))
    }
}

impl Browser {
    /// Follows the 303 a billing run or import answers to its job's page, and reloads that
    /// page (as its refresh does) until the job has ended: the page then.
    pub async fn finished_job(&self, response: Response) -> String {
        let status = response.status();
        let path = location(&response);
        let body = response.text().await.expect("body");
        assert_eq!(status, StatusCode::SEE_OTHER, "not queued: {body}");
        assert!(path.starts_with("/admin/jobs/"), "{path}");
        self.wait_for_job(&path).await
    }

    /// Reloads a job's page until the job has ended (it refreshes itself until then).
    pub async fn wait_for_job(&self, path: &str) -> String {
        for _ in 0..300 {
            let (status, body) = self.page(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            if !body.contains("http-equiv=\"refresh\"") {
                return body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{path} did not finish in 30 s");
    }
}

pub fn csrf_in(body: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_string())
}

pub fn location(response: &Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

impl TestApp {
    /// The signed-in shopper puts `(product code, quantity)` lines in the cart, places the
    /// order and pays it through the built-in WebPay simulator with an approved card.
    pub async fn buy(&self, lines: &[(&str, &str)]) -> stratus::entities::orders::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        for (code, quantity) in lines {
            let fields = [("product_code", *code), ("quantity", *quantity)];
            let response = self.submit(&format!("/products/{code}"), "/cart/items", &fields).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{code} into the cart");
        }
        let placed = self.submit("/cart", "/orders", &[]).await;
        assert_eq!(placed.status(), StatusCode::SEE_OTHER, "order placed");
        let order_page = location(&placed);
        let number = order_page.trim_start_matches("/orders/").to_string();
        self.pay(&order_page, "4051 8856 0044 6623").await;
        let order = stratus::entities::orders::Entity::find()
            .filter(stratus::entities::orders::Column::Number.eq(number))
            .one(&self.db)
            .await
            .expect("query");
        order.expect("the order")
    }
}

impl Browser {
    /// Pays an order from its page through the simulator with `card`, as the shopper would.
    pub async fn pay(&self, order_page: &str, card: &str) {
        self.pay_with(order_page, card, "pay").await
    }

    /// Pays through the simulator with one of its actions (`pay`, or a test hook such as
    /// `pay_refund_lost`: refunds of this payment lose their answer).
    pub async fn pay_with(&self, order_page: &str, card: &str, action: &str) {
        let response = self.submit(order_page, &format!("{order_page}/pay"), &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "payment started");
        let body = response.text().await.expect("body");
        let token_at = body.find("name=\"token_ws\" value=\"").expect("a token") + 23;
        let action_at = body[..token_at].rfind("action=\"").expect("a form") + 8;
        let url = body[action_at..].split('"').next().unwrap_or_default().to_string();
        let token = body[token_at..].split('"').next().unwrap_or_default().to_string();
        self.client.post(&url).form(&[("token_ws", token.as_str())]).send().await.expect("WebPay form");
        let paid = self
            .client
            .post(self.url("/webpayserver/pay"))
            .form(&[("token_ws", token.as_str()), ("card_number", card), ("action", action), ("return_method", "post")])
            .send()
            .await
            .expect("pay");
        let back = paid.text().await.expect("body");
        let fields: Vec<(String, String)> = back
            .match_indices("<input type=\"hidden\" name=\"")
            .map(|(at, marker)| {
                let rest = &back[at + marker.len()..];
                let name = rest.split('"').next().unwrap_or_default().to_string();
                let value = rest.split("value=\"").nth(1).unwrap_or_default().split('"').next().unwrap_or_default();
                (name, value.to_string())
            })
            .collect();
        let returned =
            self.client.post(self.url("/checkout/webpay/return")).form(&fields).send().await.expect("return");
        assert_eq!(returned.status(), StatusCode::SEE_OTHER, "back at the shop");
    }
}

/// The number of the billing-run invoice of the account `code` for the month `months_ago`
/// months before this one (`INV-YYYYMM-<ACCOUNT>`, as the README numbers them). The demo
/// bills every month of its subscriptions but last month.
pub fn run_invoice_number(code: &str, months_ago: u32) -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let this_month = today.with_day(1).expect("the first of the month");
    format!("INV-{}-{code}", (this_month - chrono::Months::new(months_ago)).format("%Y%m"))
}

impl TestApp {
    /// The audit log's entries made by `actor` (a person's e-mail, or "command line",
    /// "configuration file"), oldest first.
    pub async fn audit_by(&self, actor: &str) -> Vec<stratus::entities::audit_log::Model> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        use stratus::entities::audit_log;
        audit_log::Entity::find()
            .filter(audit_log::Column::ActorEmail.eq(actor))
            .order_by_asc(audit_log::Column::Id)
            .all(&self.db)
            .await
            .expect("query")
    }

    /// The newest entry of the audit log.
    pub async fn newest_audit(&self) -> stratus::entities::audit_log::Model {
        use sea_orm::{EntityTrait, QueryOrder};
        use stratus::entities::audit_log;
        let newest = audit_log::Entity::find().order_by_desc(audit_log::Column::Id).one(&self.db).await;
        newest.expect("query").expect("an audit entry")
    }
}

/// Who `stratus auth …` and `stratus api-client …` act as, for tests that arrange as the
/// server's shell would.
pub fn command_line() -> stratus::audit::AuditActor {
    stratus::audit::AuditActor::system("command line", None)
}

/// The href of the pager's link `rel` ("first", "prev", "next" or "last") on a page.
pub fn pager_link(body: &str, rel: &str) -> Option<String> {
    let nav = &body[body.find("class=\"pager\"")?..];
    let nav = &nav[..nav.find("</nav>")?];
    let marker = format!("rel=\"{rel}\" href=\"");
    let at = nav.find(&marker)? + marker.len();
    let end = nav[at..].find('"')?;
    Some(nav[at..at + end].replace("&amp;", "&"))
}

/// The pager's "Page N of M" as (N, M).
pub fn pager_label(body: &str) -> (u64, u64) {
    let nav = &body[body.find("class=\"pager\"").unwrap_or_else(|| panic!("no pager: {body}"))..];
    let label = &nav[nav.find("Page ").expect("a page label") + 5..];
    let mut words = label.split_whitespace();
    let page = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("of"));
    (page, words.next().unwrap().parse().unwrap())
}

/// A cursor for a page link, as the server writes them (base64url of JSON), from its JSON:
/// for links the server never wrote (edited, or of another list).
pub fn cursor_of(json: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Text with the HTML escapes Leptos writes turned back.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&")
}

/// The text of each cell of the body rows in `tbody` (HTML from a table's `<tbody>` on;
/// whitespace around a cell's text is not content: an empty cell renders as a space).
pub fn body_cells(tbody: &str) -> Vec<Vec<String>> {
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let open = cell.find('>').unwrap() + 1;
                    let close = cell.find("</td>").unwrap();
                    unescape(cell[open..close].trim())
                })
                .collect()
        })
        .collect()
}

/// Interface words that must not be left in English on a Spanish page…
pub const ENGLISH_WORDS: &[&str] =
    &["My Account", "Sign out", "Catalogue", "Cart", "Subscriptions", "Invoices", "Save"];

/// …and their Spanish that must not show on an English page.
pub const SPANISH_WORDS: &[&str] =
    &["Mi cuenta", "Cerrar sesión", "Catálogo", "Carro", "Suscripciones", "Facturas", "Guardar"];

/// What a person reads on a page: its text (scripts and styles left out) and the words of
/// its labels that are attributes (button values, `aria-label`, `title`, `placeholder`, `alt`).
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        for attribute in ["aria-label=\"", "title=\"", "placeholder=\"", "alt=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                text.push(' ');
            }
        }
        if tag.starts_with("input") && (tag.contains("type=\"submit\"") || tag.contains("type=\"button\"")) {
            if let Some(at) = tag.find("value=\"") {
                let value = &tag[at + 7..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                text.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
        for raw in ["script", "style"] {
            if tag.starts_with(raw) {
                let end = format!("</{raw}>");
                rest = rest.find(&end).map_or("", |at| &rest[at..]);
            }
        }
    }
    text.push_str(rest);
    unescape(&text)
}

/// Whether `word` stands as a word (or words) in `text`: not inside a longer word.
pub fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
