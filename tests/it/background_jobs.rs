//! Long work as background jobs (issue 20, item 5): a billing run or an import started from
//! the admin pages is queued, done by the runner and followed on its progress page; one
//! run per period at a time; a job whose instance died is taken over after its lease and
//! resumes without billing or importing anything twice; only the provider's admins see jobs.

use std::ops::ControlFlow;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use stratus::billing::run::Period;
use stratus::entities::background_jobs::{self, JobKind, JobStatus};
use stratus::entities::{accounts, invoices, usage_records};
use stratus::tasks::{self, store, NewJob, StartError, Starter, Worked};

use crate::support::{location, TestApp};

fn last_month() -> Period {
    Period::of(Utc::now().date_naive()).previous()
}

async fn job(app: &TestApp, id: i32) -> background_jobs::Model {
    background_jobs::Entity::find_by_id(id).one(&app.db).await.unwrap().expect("the job")
}

/// The claim of a job's instance runs out, as when the instance died.
async fn lease_runs_out(app: &TestApp, id: i32) {
    let mut expired: background_jobs::ActiveModel = job(app, id).await.into();
    expired.lease_until = Set(Some(Utc::now() - Duration::seconds(1)));
    expired.update(&app.db).await.unwrap();
}

/// The debit invoices billing runs issued for `period`, per account.
async fn run_invoices_per_account(app: &TestApp, period: &Period) -> Vec<(i32, u64)> {
    let mut per_account = std::collections::BTreeMap::new();
    let issued = invoices::Entity::find()
        .filter(invoices::Column::BillingPeriod.eq(period.label()))
        .filter(invoices::Column::OrderId.is_null())
        .all(&app.db)
        .await
        .unwrap();
    for invoice in issued {
        *per_account.entry(invoice.account_id).or_insert(0u64) += 1;
    }
    per_account.into_iter().collect()
}

#[tokio::test]
async fn a_billing_run_started_from_the_page_finishes_in_the_background_and_its_page_shows_the_counts() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period.label())]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "queued, not run in the request");
    let path = location(&response);
    assert!(path.starts_with("/admin/jobs/"), "{path}");

    let body = app.wait_for_job(&path).await;
    let accounts = accounts::Entity::find().count(&app.db).await.unwrap();
    assert!(
        body.contains(&format!("{accounts} of {accounts} accounts done, 3 invoice(s) issued, no problems.")),
        "{body}"
    );
    assert!(body.contains(&format!("Billing run for {}: 3 invoice(s) issued", period.label())), "{body}");
    let contoso = format!("INV-{}-CONTOSO", period.first().format("%Y%m"));
    assert!(body.contains(&format!("href=\"/invoices/{contoso}\"")), "the invoices issued are listed");
    assert!(body.contains("<dd>Done</dd>"), "{body}");
    assert!(!body.contains("http-equiv=\"refresh\""), "a finished job's page stays still");

    // Admin → Jobs lists it, and the audit log has who started it.
    let (status, list) = app.page("/admin/jobs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("href=\"{path}\"")) && list.contains(&format!("Billing run {}", period.label())));
    let started = app.audit_by("admin@stratus.demo").await;
    assert!(started.iter().any(|e| e.action == "billing run started"), "{started:?}");
    assert_eq!(run_invoices_per_account(&app, &period).await.len(), 3);
}

#[tokio::test]
async fn a_second_run_of_a_period_under_way_is_refused_with_a_link_to_it() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    // The period is being billed on another instance (as `stratus billing run` holds it).
    let by = Starter::command_line(&app.db).await.unwrap();
    let holder =
        store::start_claimed(&app.db, NewJob::billing_run(&period, by.clone()), "another-instance").await.unwrap();

    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period.label())]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body = response.text().await.unwrap();
    assert!(body.contains(&format!("A billing run for {} is already under way", period.label())), "{body}");
    assert!(body.contains(&format!("href=\"/admin/jobs/{}\"", holder.id)), "{body}");

    // Its page reloads itself while it runs, without JavaScript.
    let response = app.get(&format!("/admin/jobs/{}", holder.id)).await;
    assert_eq!(response.headers().get("refresh").and_then(|v| v.to_str().ok()), Some("2"));
    let page = response.text().await.unwrap();
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"), "{page}");
    assert!(page.contains("<dd>Running</dd>") && page.contains("command line"), "{page}");

    // The command refuses it too, and so does the database for any instance.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["billing", "run", "--period", &period.label(), "--database-url", &app.database_url])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already under way"), "{output:?}");
    let again = store::enqueue(&app.db, NewJob::billing_run(&period, by)).await;
    assert!(matches!(again, Err(StartError::Busy { job_id, .. }) if job_id == holder.id), "{again:?}");
    assert!(run_invoices_per_account(&app, &period).await.is_empty(), "nothing billed meanwhile");

    // Another period is free.
    let earlier = period.previous().previous();
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &earlier.label())]).await;
    assert!(app.finished_job(response).await.contains("<dd>Done</dd>"));
}

#[tokio::test]
async fn a_run_whose_instance_died_is_taken_over_and_finishes_without_billing_anybody_twice() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    let by = Starter::command_line(&app.db).await.unwrap();
    let started = store::start_claimed(&app.db, NewJob::billing_run(&period, by), "crashed-instance").await.unwrap();
    let site = stratus::mail::Site::new(&app.base);
    // The instance bills until its first invoice is written, then dies.
    let mut until_first_invoice = |progress: &tasks::Progress| {
        if progress.issued >= 1 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let worked = tasks::work(&app.db, Some(&site), started.clone(), "crashed-instance", &mut until_first_invoice).await;
    assert!(matches!(worked, Ok(Worked::Stopped)), "{worked:?}");
    let partly = job(&app, started.id).await;
    assert_eq!((partly.status, partly.issued), (JobStatus::Running, 1));
    assert!(partly.done < partly.total, "{partly:?}");
    let path = format!("/admin/jobs/{}", started.id);
    let (_, page) = app.page(&path).await;
    assert!(
        page.contains(&format!("{} of {} accounts done, 1 invoice(s) issued", partly.done, partly.total)),
        "{page}"
    );

    // Its lease runs out: this instance's runner takes the job over and resumes it.
    lease_runs_out(&app, started.id).await;
    let body = app.wait_for_job(&path).await;
    let finished = job(&app, started.id).await;
    assert_eq!(finished.status, JobStatus::Done, "{finished:?}");
    assert_ne!(finished.claimed_by.as_deref(), Some("crashed-instance"));
    assert_eq!((finished.done, finished.issued), (finished.total, 3), "the counters went on from where it stopped");
    assert!(body.contains(&format!("{0} of {0} accounts done, 3 invoice(s) issued", finished.total)), "{body}");
    let per_account = run_invoices_per_account(&app, &period).await;
    assert_eq!(per_account.len(), 3);
    assert!(per_account.iter().all(|(_, n)| *n == 1), "each account billed once: {per_account:?}");

    // The instance that died comes back with its old claim: it may not write anything.
    let stale =
        tasks::work(&app.db, Some(&site), started, "crashed-instance", &mut |_| ControlFlow::Continue(())).await;
    assert!(matches!(stale, Ok(Worked::Lost)), "{stale:?}");
    assert_eq!(run_invoices_per_account(&app, &period).await, per_account);
    assert_eq!(job(&app, finished.id).await.status, JobStatus::Done);
}

#[tokio::test]
async fn a_usage_import_cut_short_resumes_after_its_last_batch_and_loads_each_row_once() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let azure = app.subscription_of("CONTOSO", "AZURE-PLAN").await;
    let external = azure.external_id.clone().unwrap();
    let mut csv = String::from("subscription,date,resource,quantity,amount,cost,reference\n");
    for i in 0..450 {
        csv.push_str(&format!("{external},2026-11-02,vm,1,100,80,resume-{i}\n"));
    }
    csv.push_str("nobody,2026-11-02,vm,1,100,80,resume-x\n");
    let before = usage_records::Entity::find().count(&app.db).await.unwrap();
    let by = Starter::command_line(&app.db).await.unwrap();
    let new = NewJob::import(JobKind::UsageImport, "usage.csv", csv.into_bytes(), 451, by);
    let started = store::start_claimed(&app.db, new, "crashed-instance").await.unwrap();
    let mut one_batch = |_: &tasks::Progress| ControlFlow::Break(());
    let worked = tasks::work(&app.db, None, started.clone(), "crashed-instance", &mut one_batch).await;
    assert!(matches!(worked, Ok(Worked::Stopped)), "{worked:?}");
    assert_eq!(usage_records::Entity::find().count(&app.db).await.unwrap(), before + 200, "one batch written");

    lease_runs_out(&app, started.id).await;
    let body = app.wait_for_job(&format!("/admin/jobs/{}", started.id)).await;
    assert!(body.contains("450 row(s) imported, 1 refused."), "{body}");
    assert!(body.contains("451 of 451 rows done, 450 imported, 1 problem."), "{body}");
    assert!(body.contains("line 452: no subscription has the external id `nobody`"), "{body}");
    assert_eq!(usage_records::Entity::find().count(&app.db).await.unwrap(), before + 450, "no row twice");
}

#[tokio::test]
async fn only_the_providers_admins_see_jobs_and_anybody_else_gets_404() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let (_, none) = app.page("/admin/jobs").await;
    assert!(none.contains("No billing run or import has been started yet."), "{none}");
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &last_month().label())]).await;
    let path = location(&response);
    app.wait_for_job(&path).await;
    for email in ["admin@andes.demo", "ana@contoso.demo", "tina@tailspin.demo"] {
        let browser = app.new_browser();
        browser.sign_in(email).await;
        assert_eq!(browser.page(&path).await.0, StatusCode::NOT_FOUND, "{email}");
        assert_eq!(browser.page("/admin/jobs").await.0, StatusCode::NOT_FOUND, "{email}");
    }
    let stranger = app.new_browser();
    let response = stranger.get(&path).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
    for missing in ["/admin/jobs/999999", "/admin/jobs/abc", "/admin/jobs/-1"] {
        assert_eq!(app.page(missing).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
}

/// One account whose billing fails on an error (here its usage adds up past what an
/// amount can hold) is left unbilled and named among the problems; the run bills the
/// other accounts and ends done.
#[tokio::test]
async fn one_account_that_cannot_be_billed_does_not_stop_the_run_for_the_others() {
    let app = TestApp::start().await;
    app.sign_in("admin@stratus.demo").await;
    let period = last_month();
    let azure = app.subscription_of("CONTOSO", "AZURE-PLAN").await;
    for n in 0..2 {
        usage_records::ActiveModel {
            account_id: Set(azure.account_id),
            subscription_id: Set(azure.id),
            usage_family: Set("Azure Plan".into()),
            resource: Set(format!("overflow-{n}")),
            usage_date: Set(period.first()),
            quantity: Set(1),
            amount: Set(i64::MAX / 2 + 1),
            cost: Set(i64::MAX / 2 + 1),
            currency: Set("CLP".into()),
            source_ref: Set(Some(format!("overflow-{n}"))),
            imported_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let response = app.submit("/admin/billing", "/admin/billing", &[("period", &period.label())]).await;
    let body = app.finished_job(response).await;
    assert!(body.contains("Contoso") && body.contains("was not billed"), "Contoso is named: {body}");
    assert!(body.contains("2 invoice(s) issued"), "the demo's two other accounts are billed: {body}");
    let contoso = app.account("CONTOSO").await;
    let billed: Vec<i32> = run_invoices_per_account(&app, &period).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(billed.len(), 2);
    assert!(!billed.contains(&contoso.id), "nothing of Contoso's was written");
    let ended = background_jobs::Entity::find().one(&app.db).await.unwrap().expect("the job");
    assert_eq!(ended.status, JobStatus::Done);
}
