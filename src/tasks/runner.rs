//! The runner: a loop on every instance that claims a job, works it while writing its
//! progress under its lease, and ends it. [`work`] is also what the command line runs
//! (on a job it recorded already claimed), with a progress bar as its watcher.

use std::ops::ControlFlow;

use chrono::Utc;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::store::{self, Ending, Progress};
use super::{summary_text, Starter, SummaryLine, LEASE_SECONDS, POLL};
use crate::billing::run::{AccountBilled, Period, RunAccounts, RunReport};
use crate::billing::usage_import::{self, ImportReport};
use crate::catalog::price_import::{self, ImportError, Imported};
use crate::entities::background_jobs::{self, JobKind, JobStatus};
use crate::error::{AppError, AppResult};
use crate::mail::Site;
use crate::state::AppState;

/// What a job's worker reports as it goes; `Break` stops the work where it is, leaving
/// the job to be taken over once the lease runs out (as if this process had died).
pub type Watch<'a> = &'a mut (dyn FnMut(&Progress) -> ControlFlow<()> + Send);

/// What the part of a job done here did, once the job ended.
#[derive(Debug, Clone)]
pub enum Finished {
    BillingRun(RunReport),
    UsageImport(ImportReport),
    PriceImport(Imported),
    /// Ended as failed: the file or the parameters were refused (the job's page says why).
    Refused(String),
}

/// How working a job ended here.
#[derive(Debug, Clone)]
pub enum Worked {
    Finished(Finished),
    /// The watcher stopped it.
    Stopped,
    /// Another instance holds it now (this one's lease ran out): nothing was written after.
    Lost,
}

/// Starts this instance's runner.
pub(crate) fn spawn(state: &AppState, stop: &crate::jobs::StopJobs) -> tokio::task::JoinHandle<()> {
    let (state, mut stop) = (state.clone(), stop.clone());
    tokio::spawn(async move {
        // Told to stop, it takes no new job; one under way goes on until the process ends
        // (then another instance resumes it once its lease has run out).
        while !*stop.borrow() {
            match run_next(&state).await {
                // Look for the next one at once.
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "background jobs: claiming failed"),
            }
            let pause = tokio::time::timeout(POLL, state.tasks.wake_notified());
            if !crate::jobs::pause_unless_stopped(&mut stop, pause).await {
                break;
            }
        }
    })
}

/// Claims one job and works it: `false` when there was none to claim.
pub(crate) async fn run_next(state: &AppState) -> AppResult<bool> {
    let instance = state.tasks.instance.as_str();
    let Some(job) = store::claim_next(&state.db, instance, Utc::now()).await? else { return Ok(false) };
    let (id, kind) = (job.id, job.kind);
    tracing::info!(job = id, kind = ?kind, resumed_at = job.cursor, "background job claimed");
    let site = state.site();
    match work(&state.db, Some(&site), job, instance, &mut |_| ControlFlow::Continue(())).await {
        Ok(Worked::Finished(finished)) => {
            if let Finished::BillingRun(report) = &finished {
                if !report.issued.is_empty() {
                    state.mail_written();
                }
            }
            tracing::info!(job = id, kind = ?kind, "background job ended");
        }
        Ok(Worked::Lost) => tracing::warn!(job = id, "background job taken over by another instance"),
        Ok(Worked::Stopped) => {}
        Err(e) => tracing::warn!(job = id, error = %e, "background job failed"),
    }
    Ok(true)
}

/// Works a job `instance` has claimed, from where its progress says, to its end. An error
/// ends the job as failed (its page says so) and is returned.
pub async fn work(
    db: &DatabaseConnection,
    site: Option<&Site>,
    job: background_jobs::Model,
    instance: &str,
    watch: Watch<'_>,
) -> AppResult<Worked> {
    // The lease is renewed beside the work too: one slow account, batch or the price
    // import's single transaction must not let another instance take the job meanwhile
    // (every write of the work still checks that this instance holds it).
    let heartbeat = heartbeat(db.clone(), job.id, instance.to_string());
    let worked = match job.kind {
        JobKind::BillingRun => billing_run(db, site, &job, instance, watch).await,
        JobKind::UsageImport => usage_import(db, &job, instance, watch).await,
        JobKind::PriceImport => price_import(db, &job, instance, watch).await,
    };
    heartbeat.abort();
    if let Err(e) = &worked {
        store::fail(db, job.id, instance, &failure_text(e)).await?;
    }
    worked
}

/// What a failed job's page says of an error.
fn failure_text(error: &AppError) -> String {
    match error {
        AppError::Database(_) | AppError::Internal(_) | AppError::Session(_) | AppError::Config(_) => {
            "The job stopped on an error (the server log has it). Start it again: it resumes where it stopped.".into()
        }
        other => other.to_string(),
    }
}

/// Renews the lease every quarter of it until aborted.
fn heartbeat(db: DatabaseConnection, id: i32, instance: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(u64::try_from(LEASE_SECONDS / 4).unwrap_or(15));
        loop {
            tokio::time::sleep(every).await;
            match store::renew(&db, id, &instance).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(job = id, error = %e, "background job: lease not renewed"),
            }
        }
    })
}

/// Ends a job done here: `Lost` if another instance holds it by now.
async fn end(
    db: &DatabaseConnection,
    job: &background_jobs::Model,
    instance: &str,
    progress: &Progress,
    ending: Ending,
    finished: Finished,
) -> AppResult<Worked> {
    match store::finish(db, job.id, instance, progress, ending).await? {
        true => Ok(Worked::Finished(finished)),
        false => Ok(Worked::Lost),
    }
}

/// Ends a job as failed because what it was given is refused.
async fn refuse(
    db: &DatabaseConnection,
    job: &background_jobs::Model,
    instance: &str,
    progress: &Progress,
    reason: String,
) -> AppResult<Worked> {
    let ending = Ending { status: JobStatus::Failed, summary: None, error: Some(reason.clone()) };
    end(db, job, instance, progress, ending, Finished::Refused(reason)).await
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A billing run, account by account: each account's invoice and the job's progress are
/// committed together, so an account is billed once however often the run is resumed.
async fn billing_run(
    db: &DatabaseConnection,
    site: Option<&Site>,
    job: &background_jobs::Model,
    instance: &str,
    watch: Watch<'_>,
) -> AppResult<Worked> {
    let mut progress = Progress::of(job);
    let period = match Period::parse(&job.parameters) {
        Ok(period) => period,
        Err(reason) => return refuse(db, job, instance, &progress, reason).await,
    };
    // The day it was asked for: a run resumed after midnight issues on the same day.
    let today = job.created_at.date_naive();
    let run = RunAccounts::load(db, today).await?;
    progress.total = count(run.accounts.len());
    if !store::record_progress(db, job.id, instance, &progress).await? {
        return Ok(Worked::Lost);
    }
    let mut report = RunReport { period: period.label(), ..Default::default() };
    for account in run.accounts.iter().filter(|a| a.id > job.cursor) {
        let txn = db.begin().await?;
        let mut problems = Vec::new();
        let (txn, billed) = match run.bill(&txn, site, account, period, today, &mut problems).await {
            Ok(billed) => (txn, Some(billed)),
            // The database is away: the job stops as failed; a run started again goes on
            // from this account (those billed already are left alone).
            Err(error) if error.database_away() => return Err(error),
            // One account's error is not the others': it is left unbilled (nothing of it
            // written), named among the problems, and the run goes on.
            Err(error) => {
                txn.rollback().await?;
                tracing::error!(account = %account.code, %error, "billing run: an account was not billed");
                problems.push(not_billed(account, period));
                (db.begin().await?, None)
            }
        };
        progress.done += 1;
        progress.issued += i32::from(matches!(billed, Some(AccountBilled::Issued(_))));
        progress.cursor = account.id;
        progress.add_problems(&problems);
        if !store::record_progress(&txn, job.id, instance, &progress).await? {
            txn.rollback().await?;
            return Ok(Worked::Lost);
        }
        txn.commit().await?;
        report.problems.extend(problems);
        if let Some(billed) = billed {
            report.record(account, billed);
        }
        if watch(&progress).is_break() {
            return Ok(Worked::Stopped);
        }
    }
    let ending = Ending {
        status: JobStatus::Done,
        summary: Some(summary_text(&billing_summary(&report, &progress))),
        error: None,
    };
    end(db, job, instance, &progress, ending, Finished::BillingRun(report)).await
}

/// The problem a billing run records for an account whose billing failed on an error.
fn not_billed(account: &crate::entities::accounts::Model, period: Period) -> String {
    format!(
        "{} ({}) was not billed: an error on our side stopped it (the server log has it). Nothing of it was \
         written; a run of {} after it is fixed bills it.",
        account.name,
        account.code,
        period.label()
    )
}

/// What a billing run did, one sentence per line (the lists are of the part run last,
/// when the run was resumed).
pub(crate) fn billing_summary(report: &RunReport, progress: &Progress) -> Vec<SummaryLine> {
    let mut lines = vec![SummaryLine::BillingRun {
        period: report.period.clone(),
        issued: progress.issued,
        nothing_to_bill: report.nothing_to_bill,
    }];
    if !report.already_billed.is_empty() {
        lines.push(SummaryLine::AlreadyBilled {
            period: report.period.clone(),
            accounts: report.already_billed.clone(),
        });
    }
    if !report.skipped_suspended.is_empty() {
        lines.push(SummaryLine::SkippedSuspended {
            period: report.period.clone(),
            accounts: report.skipped_suspended.clone(),
        });
    }
    lines
}

/// "line 4: date must be YYYY-MM-DD …"
fn line_problems(rejected: &[(u64, String)]) -> Vec<String> {
    rejected.iter().map(|(line, reason)| format!("line {line}: {reason}")).collect()
}

/// A usage import, batch by batch, each batch and the job's progress committed together.
async fn usage_import(
    db: &DatabaseConnection,
    job: &background_jobs::Model,
    instance: &str,
    watch: Watch<'_>,
) -> AppResult<Worked> {
    let mut progress = Progress::of(job);
    let bytes = job.input.as_deref().unwrap_or_default();
    let (rows, refused) = match usage_import::parse(bytes) {
        Ok(parsed) => parsed,
        Err(usage_import::ImportError::Failed(e)) => return Err(e),
        Err(refused) => return refuse(db, job, instance, &progress, refused.to_string()).await,
    };
    let mut report = ImportReport { imported: 0, rejected: Vec::new() };
    // The rows refused before any is written count once, when the job starts.
    if job.done == 0 && job.problem_count == 0 {
        progress.add_problems(&line_problems(&refused));
        report.rejected.extend(refused);
    }
    progress.total = count(rows.len());
    if !store::record_progress(db, job.id, instance, &progress).await? {
        return Ok(Worked::Lost);
    }
    let repeated = usage_import::repeated_references(&rows);
    let mut from = usize::try_from(job.cursor).unwrap_or(0);
    while from < rows.len() {
        let to = (from + usage_import::BATCH).min(rows.len());
        let txn = db.begin().await?;
        let (imported, refused) = usage_import::import_rows(&txn, &rows, from..to, &repeated).await?;
        progress.done = count(to);
        progress.cursor = count(to);
        progress.issued += count(imported);
        progress.add_problems(&line_problems(&refused));
        if !store::record_progress(&txn, job.id, instance, &progress).await? {
            txn.rollback().await?;
            return Ok(Worked::Lost);
        }
        txn.commit().await?;
        report.imported += imported;
        report.rejected.extend(refused);
        from = to;
        if watch(&progress).is_break() {
            return Ok(Worked::Stopped);
        }
    }
    report.rejected.sort_by_key(|(line, _)| *line);
    let summary =
        summary_text(&[SummaryLine::UsageImported { imported: progress.issued, refused: progress.problem_count }]);
    let ending = Ending { status: JobStatus::Done, summary: Some(summary), error: None };
    end(db, job, instance, &progress, ending, Finished::UsageImport(report)).await
}

/// A price import: all or nothing, in one transaction (a crash rolls it back, and the
/// instance that takes the job over imports the whole file again).
async fn price_import(
    db: &DatabaseConnection,
    job: &background_jobs::Model,
    instance: &str,
    watch: Watch<'_>,
) -> AppResult<Worked> {
    let mut progress = Progress::of(job);
    let bytes = job.input.as_deref().unwrap_or_default();
    let by = Starter::of_job(job).actor();
    // Checked against the day it runs, not the day it was uploaded: a job that waited past
    // midnight must not change a price already in use today.
    let today = Utc::now().date_naive();
    match price_import::import_with_progress(db, &by, bytes, today, &mut |_, _| {}).await {
        Ok(imported) => {
            progress.total = count(imported.prices_set);
            progress.done = progress.total;
            progress.issued = progress.total;
            let _ = watch(&progress);
            let summary = format!("Price list imported: {}", imported.summary());
            let ending = Ending { status: JobStatus::Done, summary: Some(summary), error: None };
            end(db, job, instance, &progress, ending, Finished::PriceImport(imported)).await
        }
        Err(ImportError::Failed(e)) => Err(e),
        Err(refused) => {
            if let ImportError::Refused(rows) = &refused {
                progress.add_problems(&line_problems(rows));
                progress.problem_count = count(rows.len());
            }
            refuse(db, job, instance, &progress, refused.to_string()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_billing_summary_counts_the_whole_run_and_names_who_was_left_alone() {
        let report = RunReport {
            period: "2026-10".into(),
            nothing_to_bill: 2,
            already_billed: vec!["Contoso Chile".into()],
            skipped_suspended: vec!["Pacific".into()],
            ..Default::default()
        };
        let progress = Progress { total: 9, done: 9, issued: 6, cursor: 12, problems: String::new(), problem_count: 0 };
        assert_eq!(
            super::super::summary_said(&crate::i18n::Lang::En, &summary_text(&billing_summary(&report, &progress)))
                .join("\n"),
            "Billing run for 2026-10: 6 invoice(s) issued; 2 account(s) had nothing to bill.\n\
             Already billed for 2026-10, left alone: Contoso Chile.\n\
             Not billed, their reseller is suspended (a run of 2026-10 after it is reactivated bills them): Pacific."
        );
        assert_eq!(line_problems(&[(4, "date must be YYYY-MM-DD".into())]), vec!["line 4: date must be YYYY-MM-DD"]);
    }
}
