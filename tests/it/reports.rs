//! The report builder over invoices and invoice items: Usage criteria, sums only, sorting,
//! paging, the CSV download (parsed back and compared with the table), saved reports, the
//! ready reports, reseller scoping and refused definitions.

use std::collections::BTreeSet;

use chrono::{Datelike, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use stratus::billing::run::Period;
use stratus::entities::{invoice_items, invoices, saved_reports, subscriptions};

use crate::support::{body_cells, cursor_of, pager_label, pager_link, run_invoice_number, unescape, Browser, TestApp};

/// The text of each cell of the results table's body rows.
fn table_rows(body: &str) -> Vec<Vec<String>> {
    let Some(start) = body.find("<table class=\"report\">") else { return vec![] };
    let table = &body[start..body[start..].find("</table>").map_or(body.len(), |end| start + end)];
    match table.find("<tbody>") {
        Some(tbody) => body_cells(&table[tbody..]),
        None => vec![],
    }
}

fn headers(body: &str) -> Vec<String> {
    let start = body.find("<thead>").expect("a table head");
    let head = &body[start..start + body[start..].find("</thead>").unwrap()];
    head.split("<a href=")
        .skip(1)
        .map(|cell| {
            let open = cell.find('>').unwrap() + 1;
            let close = cell.find("</a>").unwrap();
            unescape(&cell[open..close]).trim_end_matches([' ', '▲', '▼']).to_string()
        })
        .collect()
}

/// Every row of every page of a report, following the Next links from the first page.
async fn all_pages(browser: &Browser, query: &str) -> Vec<Vec<String>> {
    walk(browser, &format!("/reports?{query}"), "next").await.concat()
}

/// The rows of each page from `start` on, following the pager's `rel` link ("next" or
/// "prev") while there is one, each page's "Page N of M" label checked on the way.
async fn walk(browser: &Browser, start: &str, rel: &str) -> Vec<Vec<Vec<String>>> {
    let mut pages = vec![];
    let mut path = start.to_string();
    let mut label = None;
    // A walk from an edited cursor may start anywhere: its labels are only a guess.
    let labelled = !start.contains("after=") && !start.contains("before=");
    for _ in 1..100 {
        let (status, body) = browser.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        pages.push(table_rows(&body));
        let (page, of) = pager_label(&body);
        if !labelled {
            match pager_link(&body, rel) {
                Some(next) => path = next,
                None => return pages,
            }
            continue;
        }
        if let Some((before, total)) = label {
            assert_eq!(of, total, "{path}");
            assert_eq!(page, if rel == "next" { before + 1 } else { before - 1 }, "{path}");
        }
        label = Some((page, of));
        match pager_link(&body, rel) {
            Some(next) => path = next,
            None => {
                assert_eq!(page, if rel == "next" { of } else { 1 }, "the walk ends at an end: {path}");
                return pages;
            }
        }
    }
    panic!("too many pages");
}

async fn csv_of(browser: &Browser, query: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let response = browser.get(&format!("/reports/export.csv?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

async fn bill_last_month(app: &TestApp) -> Period {
    let period = Period::of(Utc::now().date_naive()).previous();
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period.label())]).await;
    let done = app.finished_job(response).await;
    assert!(done.contains("invoice(s) issued"), "{done}");
    period
}

#[tokio::test]
async fn usage_discount_finds_exactly_the_debit_invoices_with_discount_lines() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let mut expected = BTreeSet::new();
    for (item, invoice) in invoice_items::Entity::find().find_also_related(invoices::Entity).all(&app.db).await.unwrap()
    {
        let invoice = invoice.unwrap();
        if item.usage == "Discount" && invoice.invoice_type.to_string() == "debit" {
            expected.insert(invoice.number);
        }
    }
    // Contoso (5% on everything) and Tailspin (10% on its licences) have discounts, and a
    // billing-run invoice for every month from their first subscription's to last month
    // (the demo's runs and this one); every one has its discount line. Fabrikam has none.
    let mut discounted = BTreeSet::new();
    for code in ["CONTOSO", "TAILSPIN"] {
        let account = app.account(code).await;
        let first = subscriptions::Entity::find()
            .filter(subscriptions::Column::AccountId.eq(account.id))
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .map(|s| s.start_date)
            .min()
            .unwrap();
        let today = Utc::now().date_naive();
        let months = (today.year() - first.year()) * 12 + today.month() as i32 - first.month() as i32;
        discounted.extend((1..=months as u32).map(|months_ago| run_invoice_number(code, months_ago)));
    }
    assert_eq!(discounted.len(), 14 + 10, "Contoso since its legacy Azure, Tailspin since its licences");
    assert_eq!(expected, discounted);

    let rows = all_pages(&app.browser, "field=invoice_number&field=total&usage=Discount&type=debit&sums=on").await;
    let found: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(found, expected);
    assert_eq!(rows.len(), expected.len(), "one row per invoice");
    assert!(rows.iter().all(|r| r[1].starts_with('-')), "summed discounts are negative: {rows:?}");

    let (status, body) = app.page("/reports?ready=debit-invoices-with-discounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h2>Debit invoices with discount lines</h2>"));
    let ready: BTreeSet<String> = table_rows(&body).iter().map(|r| r[0].clone()).collect();
    assert_eq!(ready, expected);
}

#[tokio::test]
async fn azure_reconciliation_sums_each_subscription_azure_plan_apart_from_ms_azure() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = bill_last_month(&app).await;
    // A second Azure plan line for Contoso in the same period: the report sums both.
    let contoso_number = format!("INV-{}-CONTOSO", period.first().format("%Y%m"));
    let invoice = invoices::Entity::find()
        .filter(invoices::Column::Number.eq(&contoso_number))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let azure_line = invoice_items::Entity::find()
        .filter(invoice_items::Column::InvoiceId.eq(invoice.id))
        .filter(invoice_items::Column::Usage.eq("Azure Plan"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut late: invoice_items::ActiveModel = azure_line.clone().into();
    late.id = sea_orm::ActiveValue::NotSet;
    late.description = Set("Azure plan late usage".into());
    late.total = Set(1_000);
    late.total_cost = Set(800);
    late.insert(&app.db).await.unwrap();

    let (status, body) = app.page(&format!("/reports?ready=azure-reconciliation&period={}", period.label())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        headers(&body),
        ["Account", "Subscription", "Subscription External Id", "Usage", "Quantity", "Total", "Total Cost", "Currency"],
        "sums per currency"
    );
    let rows: Vec<(String, String, String, String)> =
        table_rows(&body).into_iter().map(|r| (r[0].clone(), r[1].clone(), r[3].clone(), r[5].clone())).collect();
    assert_eq!(
        rows,
        vec![
            ("Contoso Chile".into(), "Azure plan".into(), "Azure Plan".into(), (84_320 + 1_000).to_string()),
            ("Fabrikam".into(), "Azure plan".into(), "Azure Plan".into(), "61400".into()),
            ("Contoso Chile".into(), "Microsoft Azure (legacy CSP)".into(), "MS Azure".into(), "45100".into()),
        ],
        "sorted by subscription, then account; the minimum commitment is not Azure usage"
    );
    assert!(body.contains(&format!("value=\"{}\"", period.label())));
}

#[tokio::test]
async fn the_csv_download_holds_exactly_what_the_table_shows() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let every_field =
        stratus::billing::report::Field::ALL.iter().map(|f| format!("field={}", f.key())).collect::<Vec<_>>().join("&");
    for query in [
        format!("{every_field}&sort=total&dir=desc"),
        "field=account&field=usage&field=quantity&field=total&field=total_cost&sums=on&sort=account".to_string(),
    ] {
        let table = all_pages(&app.browser, &query).await;
        let (header, csv_rows) = csv_of(&app.browser, &query).await;
        let (_, first) = app.page(&format!("/reports?{query}")).await;
        assert_eq!(header, headers(&first), "{query}");
        assert!(table.len() > 25 || query.contains("sums"), "more than one page: {}", table.len());
        assert_eq!(csv_rows, table, "{query}");
    }
    // A browser asks for gzip: the compressed stream must end cleanly too.
    let response = app
        .client
        .get(app.url("/reports/export.csv?field=invoice_number&field=total"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.expect("the whole compressed body");
    assert_eq!(&compressed[..2], &[0x1f, 0x8b]);

    // Rows come sorted by the column clicked, both ways.
    let totals = |rows: &[Vec<String>]| rows.iter().map(|r| r[0].parse::<i64>().unwrap()).collect::<Vec<_>>();
    let down = totals(&all_pages(&app.browser, "field=total&sort=total&dir=desc").await);
    let up = totals(&all_pages(&app.browser, "field=total&sort=total&dir=asc").await);
    assert!(down.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(up, down.iter().rev().copied().collect::<Vec<_>>());
    let total_items = invoice_items::Entity::find().count(&app.db).await.unwrap() as usize;
    assert_eq!(down.len(), total_items, "the provider sees every item");
}

#[tokio::test]
async fn a_reseller_reports_only_on_its_own_customers() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let query = "field=account&field=billing_to&field=invoice_number&field=total";
    let rows = all_pages(&andes, query).await;
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[0] == "Contoso Chile" && r[1] == "Andes IT"), "{rows:?}");
    let (_, csv_rows) = csv_of(&andes, query).await;
    assert_eq!(csv_rows, rows);
    let (_, sums) = csv_of(&andes, "field=account&field=total&sums=on").await;
    assert_eq!(sums.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["Contoso Chile"]);

    let (status, body) = andes.page("/reports?field=account&account=FABRIKAM").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("No account “FABRIKAM” among the accounts you can report on."));
    assert!(!body.contains("Fabrikam"), "not even in the suggestions");
    let response = andes.get("/reports/export.csv?field=account&account=FABRIKAM").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (status, body) = andes.page("/reports?ready=azure-reconciliation&period=2020-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No invoice items match these criteria."));

    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/reports").await.0, StatusCode::NOT_FOUND);
    let response = ana.get("/reports/export.csv?field=account").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response.text().await.unwrap().contains("Contoso Chile,"), "no CSV rows");
}

#[tokio::test]
async fn saved_reports_run_again_and_stay_with_their_account() {
    let app = TestApp::start().await;
    app.sign_in("admin@andes.demo").await;
    let query = "field=invoice_number&field=usage&field=total&usage=Discount&sort=total&dir=desc";
    let (_, body) = app.page(&format!("/reports?{query}")).await;
    assert!(body.contains("Save report"));
    let mut fields: Vec<(&str, &str)> = vec![
        ("field", "invoice_number"),
        ("field", "usage"),
        ("field", "total"),
        ("usage", "Discount"),
        ("sort", "total"),
        ("dir", "desc"),
        ("name", "Discounts"),
    ];
    let response = app.submit("/reports", "/reports/saved", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.page("/reports").await;
    assert!(list.contains(">Discounts</a>"));
    let before_name = &list[..list.find(">Discounts</a>").unwrap()];
    let link = unescape(&before_name[before_name.rfind("href=\"").unwrap() + 6..before_name.len() - 1]);
    assert!(link.starts_with("/reports?") && link.contains("usage=Discount"), "{link}");
    let rows = all_pages(&app.browser, link.trim_start_matches("/reports?")).await;
    assert_eq!(rows, all_pages(&app.browser, query).await, "the saved report runs again as it was built");
    // Andes bills Contoso alone: Contoso's discount lines, the smallest first.
    let contoso = app.account("CONTOSO").await;
    let mut expected: Vec<Vec<String>> = invoice_items::Entity::find()
        .find_also_related(invoices::Entity)
        .filter(invoice_items::Column::Usage.eq("Discount"))
        .filter(invoices::Column::AccountId.eq(contoso.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|(item, invoice)| vec![invoice.unwrap().number, item.usage, item.total.to_string()])
        .collect();
    assert!(!expected.is_empty(), "the demo's runs gave Contoso its discount");
    let totals: Vec<i64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "sorted by total, descending: {totals:?}");
    let mut found = rows.clone();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);

    let response = app.submit("/reports", "/reports/saved", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("A report named “Discounts” is already saved"));
    fields.retain(|(k, _)| *k != "field");
    fields.push(("field", "secret_column"));
    let response = app.submit("/reports", "/reports/saved", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(saved_reports::Entity::find().count(&app.db).await.unwrap(), 1);

    // Pacific neither sees nor deletes it.
    let saved = saved_reports::Entity::find().one(&app.db).await.unwrap().unwrap();
    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    assert!(!pacific.page("/reports").await.1.contains(">Discounts</a>"));
    let delete = format!("/reports/saved/{}/delete", saved.id);
    let response = pacific.submit("/reports", &delete, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Without the confirmation nothing goes; with it, it is gone.
    app.submit("/reports", &delete, &[]).await;
    assert_eq!(saved_reports::Entity::find().count(&app.db).await.unwrap(), 1);
    let response = app.submit("/reports", &delete, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved_reports::Entity::find().count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn bad_report_definitions_are_refused_with_a_clear_message() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let before = invoice_items::Entity::find().count(&app.db).await.unwrap();
    for (query, message) in [
        ("field=password_hash", "Unknown field “password_hash”: choose fields from the list."),
        (
            "field=total&from=2026-10-31&to=2026-10-01",
            "The date range is inverted: from 2026-10-31 is after to 2026-10-01.",
        ),
        ("field=total&from=31/10/2026", "is not a date: write it as YYYY-MM-DD."),
        ("field=total&type=proforma", "Unknown invoice type"),
        ("field=total&sort=usage", "Sort by a field the report shows"),
        ("sort=total", "Choose at least one field."),
        ("field=total&period=2026-13", "is not a billing period"),
        ("ready=nope", "There is no such ready report."),
        ("field=total%27%3B%20DROP%20TABLE%20invoice_items%3B--", "Unknown field"),
    ] {
        let (status, body) = app.page(&format!("/reports?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(message), "{query}: expected {message}");
        let response = app.get(&format!("/reports/export.csv?{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(
            response.headers()["content-type"].to_str().unwrap().starts_with("text/html"),
            "the branded error page"
        );
        assert!(unescape(&response.text().await.unwrap()).contains(message), "{query}");
    }
    let (status, body) = app.page("/reports?field=total&from=2026-10-31&to=2026-10-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("value=\"2026-10-31\""), "the form keeps what was typed");
    let huge = "x".repeat(50_000);
    let (status, body) = app.page(&format!("/reports?field=total&usage={huge}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("A Usage is at most 100 characters."));
    assert_eq!(invoice_items::Entity::find().count(&app.db).await.unwrap(), before);
}

/// A customer of Pacific Partners billed in US dollars, with an Acronis subscription in
/// USD since the start of last month. (No page creates an account in another currency
/// yet, so the account row is written here; the subscription and its invoice come from
/// the lifecycle and a billing run.)
async fn a_usd_customer(app: &TestApp, period: Period) {
    use stratus::entities::enums::AccountTier;
    use stratus::entities::{accounts, products};
    use stratus::subscriptions::history::Actor;
    use stratus::subscriptions::lifecycle::{self, NewSubscription};
    let pacific = app.account("PACIFIC").await;
    let globex = accounts::ActiveModel {
        tier: Set(AccountTier::Customer),
        parent_id: Set(Some(pacific.id)),
        code: Set("GLOBEX".into()),
        name: Set("Globex".into()),
        currency: Set("USD".into()),
        branding_enabled: Set(false),
        csp_cutoff_day: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let product =
        products::Entity::find().filter(products::Column::Code.eq("ACRONIS-USD")).one(&app.db).await.unwrap().unwrap();
    let new = NewSubscription {
        account_id: globex.id,
        product,
        quantity: 2,
        start_date: period.first(),
        ramp_up_months: 0,
        is_trial: false,
        external_id: None,
        ri_reservation_type: None,
        ri_term_years: None,
        ri_scope: None,
        ri_region: None,
        ri_payment_plan: None,
        ri_auto_renew: false,
    };
    lifecycle::create(&app.db, new, &Actor::system()).await.unwrap();
}

#[tokio::test]
async fn sums_are_per_currency_and_every_sums_only_report_shows_the_currency() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = Period::of(Utc::now().date_naive()).previous();
    a_usd_customer(&app, period).await;
    bill_last_month(&app).await;
    let usd = invoices::Entity::find().filter(invoices::Column::Currency.eq("USD")).all(&app.db).await.unwrap();
    assert_eq!(usd.len(), 1, "the run billed Globex in USD");

    // Acronis is sold in CLP to Contoso (10) and Tailspin (3), and in USD to Globex (2).
    let query = format!("field=usage&field=total&usage=Acronis&period={}&sums=on", period.label());
    let (status, body) = app.page(&format!("/reports?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers(&body), ["Usage", "Total", "Currency"], "sums only always shows the currency");
    let rows = table_rows(&body);
    assert_eq!(
        rows,
        vec![
            vec!["Acronis".to_string(), (13 * 7_900).to_string(), "CLP".into()],
            vec!["Acronis".to_string(), (2 * 1_250).to_string(), "USD".into()],
        ],
        "one sum per currency, never CLP plus USD"
    );
    let (header, csv_rows) = csv_of(&app.browser, &query).await;
    assert_eq!((header, csv_rows), (headers(&body), rows));

    // Currency is a field of its own, and a criterion.
    let (status, body) = app
        .page(&format!("/reports?field=account&field=currency&field=total&currency=USD&period={}", period.label()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = table_rows(&body);
    assert!(!rows.is_empty() && rows.iter().all(|r| r[0] == "Globex" && r[1] == "USD"), "{rows:?}");
    let (status, body) = app.page("/reports?field=total&currency=pesos").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("three-letter"), "{body}");
}

#[tokio::test]
async fn a_stalled_csv_download_is_cut_off_and_pages_keep_answering() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::start_with(|s| s.export_stall = std::time::Duration::from_secs(1)).await;
    // 150,000 more items on a demo invoice: a CSV far larger than the socket buffers.
    let invoice = stratus::entities::invoices::Entity::find()
        .filter(stratus::entities::invoices::Column::Number.eq(run_invoice_number("CONTOSO", 2)))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let usage = "x".repeat(60);
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO invoice_items (invoice_id, description, quantity, unit_price, unit_cost, total, total_cost, usage) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000) \
             SELECT {}, 'Bulk', 1, i, 0, i, 0, '{usage}' FROM n",
            invoice.id
        ))
        .await
        .unwrap();
    app.sign_in("admin@stratus.demo").await;
    let export = "/reports/export.csv?field=invoice_number&field=usage&field=total";
    // Two downloads that never read: the account's share of exports.
    let stalled = [app.get(export).await, app.get(export).await];
    assert!(stalled.iter().all(|r| r.status() == StatusCode::OK));
    let third = app.get(export).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.text().await.unwrap().contains("Other downloads of this account"));
    // Meanwhile every page answers.
    let started = std::time::Instant::now();
    assert_eq!(app.page("/reports").await.0, StatusCode::OK);
    assert_eq!(app.page("/admin").await.0, StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    // After a second without progress both are cut off: the body ends in an error, never
    // as a complete-looking file, and their slots are free again.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for response in stalled {
        assert!(response.bytes().await.is_err(), "a cut download does not look complete");
    }
    let again = app.get(export).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.bytes().await.unwrap().len() > 10_000_000, "a reader gets it all");
}

#[tokio::test]
async fn a_reseller_reports_its_cost_and_margin_on_its_own_customers_only() {
    // Issue 19 changed the rule: Unit Cost is what the seller paid the provider (the
    // provider's cost to resellers), so a reseller reports it to see its margin; it was the
    // provider's alone before.
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let (_, form) = app.page("/reports").await;
    assert!(form.contains("value=\"total_cost\""), "the provider reports costs");

    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let (_, form) = andes.page("/reports").await;
    assert!(form.contains("value=\"unit_cost\"") && form.contains("value=\"total_cost\""), "offered to the reseller");
    let (status, body) = andes.page("/reports?field=account&field=unit_price&field=unit_cost").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Unit Cost") && body.contains("CONTOSO"), "its customer's lines with their cost");
    assert!(!body.contains("TAILSPIN"), "never another seller's customers");
    let response = andes.get("/reports/export.csv?field=account&field=unit_cost").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.unwrap();
    assert!(csv.contains("Unit Cost") && !csv.contains("TAILSPIN"), "{csv}");
    let period = Period::of(Utc::now().date_naive()).previous().label();
    let ready = format!("/reports?ready=azure-reconciliation&period={period}");
    let (status, body) = andes.page(&ready).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Total Cost"), "the ready reconciliation keeps the cost for a seller");
    // A customer has no reports at all.
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.get("/reports?field=account&field=unit_cost").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn walking_a_report_by_its_page_links_sees_every_item_once_in_the_csv_order() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let items = invoice_items::Entity::find().count(&app.db).await.unwrap() as usize;
    assert!(items > 50, "several pages: {items}");
    let fields = "field=invoice_number&field=subscription&field=end_date&field=total";
    // Item order, and sorts by fields that are NULL for some items (no subscription, no
    // end date), both ways, and by a number.
    let mut blanks_seen = false;
    for sort in
        ["", "&sort=subscription&dir=asc", "&sort=subscription&dir=desc", "&sort=end_date&dir=desc", "&sort=total"]
    {
        let query = format!("{fields}{sort}");
        let (_, csv_rows) = csv_of(&app.browser, &query).await;
        assert_eq!(csv_rows.len(), items, "{query}");
        let forward = walk(&app.browser, &format!("/reports?{query}"), "next").await;
        assert!(forward.len() >= 3, "{query}: {} pages", forward.len());
        assert!(forward[..forward.len() - 1].iter().all(|page| page.len() == 25));
        assert_eq!(forward.concat(), csv_rows, "every item once, in the CSV's order: {query}");

        // Last, from the first page: the final rows, then Previous walks back the same pages.
        let (_, first) = app.page(&format!("/reports?{query}")).await;
        let last = pager_link(&first, "last").expect("a Last link");
        assert!(last.contains("last="), "{last}");
        let mut backward = walk(&app.browser, &last, "prev").await;
        backward.reverse();
        assert_eq!(backward, forward, "Previous from the last page: {query}");
        let (_, last_page) = app.page(&last).await;
        assert_eq!(pager_label(&last_page), (forward.len() as u64, forward.len() as u64));
        assert!(pager_link(&last_page, "next").is_none() && pager_link(&last_page, "last").is_none());
        // First, from there, is the first page.
        let (_, again) = app.page(&pager_link(&last_page, "first").expect("a First link")).await;
        assert_eq!(table_rows(&again), forward[0]);
        if sort.contains("subscription") {
            // NULLs last going up, first going down, on SQLite and PostgreSQL alike.
            let blanks = csv_rows.iter().filter(|r| r[1].is_empty()).count();
            assert!(blanks > 0 && blanks < items, "items with and without a subscription: {blanks}");
            let nulls = if sort.contains("asc") { &csv_rows[items - blanks..] } else { &csv_rows[..blanks] };
            assert!(nulls.iter().all(|r| r[1].is_empty()), "{query}: the NULLs together at their end");
            blanks_seen = true;
        }
    }
    assert!(blanks_seen);
}

#[tokio::test]
async fn a_damaged_or_foreign_page_link_is_refused_with_a_message() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let query = "field=account&field=total&sort=total&dir=desc";
    let (_, first) = app.page(&format!("/reports?{query}")).await;
    let next = pager_link(&first, "next").expect("a Next link");
    let cursor = next.split("after=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let message = "This page link is damaged or belongs to another list or sort order";
    for path in [
        format!("/reports?{query}&after=garbage!"),
        format!("/reports?{query}&before=e30"),
        format!("/reports?{query}&after={}", &cursor[..cursor.len() - 3]),
        // the cursor of another sort
        format!("/reports?field=account&field=total&sort=account&after={cursor}"),
        format!("/reports?field=account&field=total&sort=total&dir=asc&after={cursor}"),
        // a text where the item's id belongs, and a date where the total does
        format!("/reports?field=account&after={}", cursor_of(r#"{"l":"report/item/asc","k":[{"t":"1 OR 1=1"}]}"#)),
        format!(
            "/reports?{query}&after={}",
            cursor_of(r#"{"l":"report/total/desc","k":[{"d":"2026-01-01"},{"i":1}]}"#)
        ),
    ] {
        let (status, body) = app.page(&path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(body.contains(message), "{path}: {body}");
        assert!(!body.contains("<table class=\"report\">"), "no rows: {path}");
    }
    // The page link itself works, and an edited but well-formed one past the end shows
    // the last page.
    let (status, _) = app.page(&next).await;
    assert_eq!(status, StatusCode::OK);
    let past = cursor_of(r#"{"l":"report/total/desc","k":[{"i":-9000000000000},{"i":2000000000}]}"#);
    let (status, body) = app.page(&format!("/reports?{query}&after={past}")).await;
    assert_eq!(status, StatusCode::OK);
    let (page, pages) = pager_label(&body);
    assert_eq!(page, pages);
    let (_, last) = app.page(&pager_link(&first, "last").unwrap()).await;
    assert_eq!(table_rows(&body), table_rows(&last));
}

#[tokio::test]
async fn a_resellers_page_link_cannot_reach_another_resellers_rows() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    bill_last_month(&app).await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let query = "field=account&field=billing_to&field=invoice_number&field=total";
    let (_, own) = csv_of(&andes, query).await;
    assert!(!own.is_empty() && own.iter().all(|r| r[0] == "Contoso Chile"), "{own:?}");
    // The provider's own page links, and cursors edited to start before every item or
    // after the last, only move the window inside the reseller's scope.
    let (_, provider_first) = app.page(&format!("/reports?{query}")).await;
    let provider_next = pager_link(&provider_first, "next").expect("the provider has pages");
    let provider_cursor = provider_next.split("after=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let before_all = cursor_of(r#"{"l":"report/item/asc","k":[{"i":0}]}"#);
    let after_all = cursor_of(r#"{"l":"report/item/asc","k":[{"i":2147483647}]}"#);
    for path in [
        format!("/reports?{query}&after={provider_cursor}&page=2"),
        format!("/reports?{query}&after={before_all}"),
        format!("/reports?{query}&before={after_all}"),
        format!("/reports?{query}&after={after_all}"),
        format!("/reports?{query}&before={before_all}"),
        format!("/reports?{query}&last=1"),
    ] {
        for page in walk(&andes, &path, "next").await.into_iter().chain(walk(&andes, &path, "prev").await) {
            for row in &page {
                assert!(own.contains(row), "{path}: {row:?} is not the reseller's");
            }
        }
    }
    let walked = walk(&andes, &format!("/reports?{query}&after={before_all}"), "next").await.concat();
    assert_eq!(walked, own, "from before the first item: all of its own, once");
}
