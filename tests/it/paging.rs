//! Long admin lists page by keyset (issue 21, item 4): First / Previous / Next / Last are
//! plain links carrying a cursor, and walking them sees every row once, in the list's order.

use reqwest::StatusCode;
use sea_orm::{EntityTrait, QueryOrder};
use stratus::entities::{audit_log, products};

use crate::catalogue_admin::{create, product_form};
use crate::support::{body_cells, pager_label, pager_link, Browser, TestApp};

/// The text of each cell of the (first) table's body rows.
fn cells(body: &str) -> Vec<Vec<String>> {
    let Some(start) = body.find("<tbody>") else { return vec![] };
    body_cells(&body[start..start + body[start..].find("</tbody>").unwrap()])
}

/// The rows of each page from `start` on, following the `rel` link ("next" or "prev"),
/// checking the labels count one by one to the end.
async fn walk(browser: &Browser, start: &str, rel: &str) -> Vec<Vec<Vec<String>>> {
    let mut pages = vec![];
    let mut path = start.to_string();
    let mut previous: Option<u64> = None;
    loop {
        let (status, body) = browser.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        pages.push(cells(&body));
        let (page, of) = pager_label(&body);
        if let Some(before) = previous {
            assert_eq!(page, if rel == "next" { before + 1 } else { before - 1 }, "{path}");
        }
        previous = Some(page);
        match pager_link(&body, rel) {
            Some(next) => {
                assert!(next.contains("after=") || next.contains("before="), "a cursor link: {next}");
                path = next;
            }
            None => {
                assert_eq!(page, if rel == "next" { of } else { 1 });
                return pages;
            }
        }
        assert!(pages.len() < 100, "too many pages");
    }
}

#[tokio::test]
async fn the_catalogue_and_the_audit_log_walk_page_by_page_every_row_once() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    // Thirty products whose names repeat, so the order's tie-break (the id) matters.
    for i in 0..30 {
        let code = format!("PAGING-{i:02}");
        let name = format!("Paging product {}", i % 7);
        let response = create(&app.browser, &product_form(&[("code", &code), ("name", &name)])).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{code}");
    }

    let expected: Vec<String> = products::Entity::find()
        .order_by_asc(products::Column::Name)
        .order_by_asc(products::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert!(expected.len() > 25, "more than a page: {}", expected.len());
    let forward = walk(&app.browser, "/admin/catalogue", "next").await;
    let codes = |pages: &[Vec<Vec<String>>]| pages.concat().iter().map(|row| row[1].clone()).collect::<Vec<_>>();
    assert_eq!(codes(&forward), expected, "every product once, by name then id");
    let (_, first) = app.page("/admin/catalogue").await;
    let mut backward = walk(&app.browser, &pager_link(&first, "last").expect("a Last link"), "prev").await;
    backward.reverse();
    assert_eq!(backward, forward, "Previous from the last page steps through the same pages");

    let expected: Vec<(String, String)> = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.target))
        .collect();
    assert!(expected.len() > 25, "more than a page of changes: {}", expected.len());
    let forward = walk(&app.browser, "/admin/audit", "next").await;
    let entries: Vec<(String, String)> =
        forward.concat().into_iter().map(|row| (row[2].clone(), row[3].clone())).collect();
    assert_eq!(entries, expected, "every change once, newest first");
    let (_, first) = app.page("/admin/audit").await;
    let mut backward = walk(&app.browser, &pager_link(&first, "last").expect("a Last link"), "prev").await;
    backward.reverse();
    assert_eq!(backward, forward);
}
