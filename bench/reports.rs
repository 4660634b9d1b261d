//! Benchmark of the report builder and its CSV export over many invoice items.
//!
//! `cargo bench --bench reports` fills a fresh SQLite database per size (100,000 and
//! 1,000,000 invoice items by default; `REPORT_BENCH_SIZES=10000,100000` to choose) in one
//! process, then measures it in another, so each measuring process's peak memory
//! (VmHWM) belongs to the report alone:
//! - the first page of every field sorted by Total (descending), and a page deep inside
//!   (the middle one, reached by keyset from the cursor of the middle row, as a Next link does);
//! - the same first page for a reseller (scoped to its customers);
//! - "sums only" grouped by Account and Usage;
//! - the CSV export of every field of every item, read to the end like a download.
//!
//! `BENCH_DATABASE_URL=postgres://…` measures a PostgreSQL database instead (it must be
//! empty; it is filled once with the largest size).

#[path = "support.rs"]
mod support;

use std::time::Instant;

use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use stratus::accounts::scope::AccountScope;
use stratus::billing::report::{Definition, Field};
use stratus::billing::report_query::Runnable;
use stratus::entities::{accounts, subscriptions};
use stratus::pagination::PageQuery;

const USAGES: &[&str] = &[
    "Microsoft 365",
    "Azure Plan",
    "MS Azure",
    "Discount",
    "Acronis",
    "Add-on",
    "Minimum Commitment",
    "Reserved Instance",
];
const ITEMS_PER_INVOICE: usize = 10;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--child").map(|i| &args[i + 1..]) {
        Some([step, url, items, ..]) if step == "fill" => fill(url, items.parse().expect("a size")).await,
        Some([step, url, ..]) if step == "measure" => measure(url).await,
        _ => drive(&args[0]).await,
    }
}

/// Runs a fill and a measure process per size and prints the table.
async fn drive(me: &str) {
    let sizes: Vec<usize> = std::env::var("REPORT_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("REPORT_BENCH_SIZES: numbers"))
        .collect();
    let postgres = std::env::var("BENCH_DATABASE_URL").ok();
    println!(
        "Report builder benchmark ({}), {} items per invoice",
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        ITEMS_PER_INVOICE
    );
    println!(
        "{:>10} | {:>8} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>12} | {:>11}",
        "items", "fill s", "page 1 ms", "deep pg ms", "reseller ms", "sums ms", "CSV s", "CSV MB", "peak RSS MB"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    for items in sizes {
        let url = match &postgres {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", dir.path().join(format!("bench-{items}.db")).display()),
        };
        let started = Instant::now();
        run_child(me, &["fill", &url, &items.to_string()]);
        let fill_seconds = started.elapsed().as_secs_f64();
        let line = run_child(me, &["measure", &url]);
        let v: Vec<&str> = line.split_whitespace().collect();
        println!(
            "{:>10} | {:>8.1} | {:>10} | {:>10} | {:>11} | {:>10} | {:>10} | {:>12} | {:>11}",
            v[0], fill_seconds, v[1], v[2], v[3], v[4], v[5], v[6], v[7]
        );
    }
}

fn run_child(me: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(me).arg("--child").args(args).output().expect("run the benchmark");
    if !output.status.success() {
        panic!("{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The demo data, then `items` invoice items on demo customers' invoices, in batches.
async fn fill(url: &str, items: usize) {
    let db = stratus::server::connect_and_migrate(url).await.expect("database");
    stratus::demo::load_once(&db).await.expect("demo data");
    let customers = accounts::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&accounts::Column::Tier, stratus::entities::enums::AccountTier::Customer))
        .order_by_asc(accounts::Column::Id)
        .all(&db)
        .await
        .expect("customers");
    let mut subscriptions_of = Vec::new();
    for customer in &customers {
        let ids: Vec<i32> = subscriptions::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(&subscriptions::Column::AccountId, customer.id))
            .all(&db)
            .await
            .expect("subscriptions")
            .into_iter()
            .map(|s| s.id)
            .collect();
        subscriptions_of.push(ids);
    }
    let existing: i64 = count(&db, "SELECT COUNT(*) AS n FROM invoice_items").await;
    let wanted = items.saturating_sub(existing as usize);
    let invoices = wanted.div_ceil(ITEMS_PER_INVOICE);
    let mut next = support::xorshift(0x2545_f491_4f6c_dd1d);
    let batch = 1_000;
    let mut made = 0usize;
    let mut number = existing as usize;
    while made < invoices {
        let txn = db.begin().await.expect("transaction");
        let this_batch = batch.min(invoices - made);
        let mut invoice_rows = Vec::with_capacity(this_batch);
        for i in 0..this_batch {
            let c = (made + i) % customers.len();
            let customer = &customers[c];
            let month = (made + i) % 24;
            invoice_rows.push(format!(
                "('BENCH-{:09}', {}, {}, '{}', 'paid', 'CLP', '{}', '{}', 0, 0, 0, '2026-01-01 00:00:00+00:00')",
                number + i,
                customer.id,
                customer.parent_id.unwrap_or(customer.id),
                if (made + i).is_multiple_of(20) { "credit" } else { "debit" },
                first_of(month, 1),
                &first_of(month, 1)[..7],
            ));
        }
        txn.execute_unprepared(&format!(
            "INSERT INTO invoices (number, account_id, bill_to_account_id, invoice_type, status, currency, issue_date, \
             billing_period, subtotal, tax, total, created_at) VALUES {}",
            invoice_rows.join(",")
        ))
        .await
        .expect("invoices");
        let first_id: i64 =
            count(&txn, &format!("SELECT id AS n FROM invoices WHERE number = 'BENCH-{number:09}'")).await;
        let mut item_rows = Vec::with_capacity(this_batch * ITEMS_PER_INVOICE);
        for i in 0..this_batch {
            let c = (made + i) % customers.len();
            let month = (made + i) % 24;
            for j in 0..ITEMS_PER_INVOICE {
                let subscriptions = &subscriptions_of[c];
                let subscription = subscriptions.get(j % subscriptions.len().max(1)).copied();
                let usage = USAGES[(next() % USAGES.len() as u64) as usize];
                let quantity = 1 + (next() % 50) as i64;
                let unit_price = (next() % 100_000) as i64 * if usage == "Discount" { -1 } else { 1 };
                item_rows.push(format!(
                    "({}, {}, 'Bench item {j}', '{}', '{}', {quantity}, {unit_price}, {}, {}, {}, '{usage}')",
                    first_id + i as i64,
                    subscription.map_or("NULL".to_string(), |s| s.to_string()),
                    first_of(month, 1),
                    first_of(month, 28),
                    unit_price * 85 / 100,
                    quantity * unit_price,
                    quantity * unit_price * 85 / 100,
                ));
            }
        }
        txn.execute_unprepared(&format!(
            "INSERT INTO invoice_items (invoice_id, subscription_id, description, period_start, period_end, quantity, \
             unit_price, unit_cost, total, total_cost, usage) VALUES {}",
            item_rows.join(",")
        ))
        .await
        .expect("items");
        txn.commit().await.expect("commit");
        made += this_batch;
        number += this_batch;
    }
    if url.starts_with("postgres") {
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
}

fn first_of(month_index: usize, day: u32) -> String {
    let year = 2025 + (month_index / 12) as i32;
    let month = (month_index % 12) as u32 + 1;
    format!("{year:04}-{month:02}-{day:02}")
}

async fn count<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    let row = db
        .query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_string()))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<Option<i64>>("", "n").expect("a number").unwrap_or(0)
}

/// Prints: items, page-1 ms, deep-page ms, reseller ms, sums ms, CSV seconds, CSV MB, peak RSS MB.
async fn measure(url: &str) {
    let db = stratus::server::connect(url).await.expect("database");
    let items = count(&db, "SELECT COUNT(*) AS n FROM invoice_items").await;
    let every_field =
        Definition { fields: Field::ALL.to_vec(), sort: Some(Field::Total), descending: true, ..Default::default() };
    let all = runnable(&db, AccountScope::All, every_field.clone()).await;
    let (page_one, rows) = timed(all.page(&db, &PageQuery::default())).await;
    assert_eq!(rows.items.len(), 25);
    // The deep page as its Next link reads it: after the cursor of the row in the middle
    // (found here by OFFSET, untimed; a reader walking there gets it from the page before).
    let middle = all.cursor_at(&db, rows.total / 2).await.expect("the middle row").expect("a middle row");
    let (deep, deep_rows) = timed(all.page(&db, &PageQuery::after(middle))).await;
    assert_eq!(deep_rows.items.len(), 25);
    let andes = accounts::Entity::find()
        .filter(sea_orm::ColumnTrait::eq(&accounts::Column::Code, "ANDES"))
        .one(&db)
        .await
        .expect("andes")
        .expect("the demo reseller");
    let reseller = runnable(&db, AccountScope::Reseller(andes.id), every_field.clone()).await;
    let (reseller_ms, _) = timed(reseller.page(&db, &PageQuery::default())).await;
    let sums = Definition {
        fields: vec![Field::Account, Field::Usage, Field::Quantity, Field::Total, Field::TotalCost],
        sums_only: true,
        ..Default::default()
    };
    let sums = runnable(&db, AccountScope::All, sums).await;
    let (sums_ms, _) = timed(sums.page(&db, &PageQuery::default())).await;

    let export = runnable(&db, AccountScope::All, Definition { sort: None, ..every_field }).await;
    let started = Instant::now();
    let slots = std::sync::Arc::new(stratus::billing::report_query::ExportSlots::default());
    let slot = slots.take(0).expect("a free export slot");
    let mut stream =
        Box::pin(export.csv(db.clone(), slot, std::time::Duration::from_secs(3600), stratus::i18n::Lang::En));
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("a chunk");
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let csv_seconds = started.elapsed().as_secs_f64();
    assert_eq!(lines as i64, items + 1, "every item and the header");
    println!(
        "{items} {page_one:.0} {deep:.0} {reseller_ms:.0} {sums_ms:.0} {csv_seconds:.1} {:.1} {:.1}",
        bytes as f64 / 1e6,
        peak_rss_mb()
    );
}

async fn runnable(db: &DatabaseConnection, scope: AccountScope, definition: Definition) -> Runnable {
    Runnable::new(db, scope, definition).await.expect("a valid report")
}

async fn timed<T>(work: impl std::future::Future<Output = stratus::error::AppResult<T>>) -> (f64, T) {
    let started = Instant::now();
    let value = work.await.expect("the report");
    (started.elapsed().as_secs_f64() * 1000.0, value)
}

/// The process's peak resident memory (Linux `VmHWM`).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
