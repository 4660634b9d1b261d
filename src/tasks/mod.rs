//! Long work as background jobs: a billing run, a usage import and a price import started
//! from the admin pages are recorded in `background_jobs` and done by one instance's
//! runner. An instance claims a job with a conditional UPDATE (queued, or running with a
//! lease that has run out), renews its lease as it writes its progress, and a job whose
//! instance crashed is taken over after the lease and resumes where its progress says:
//!
//! - a billing run account by account: each account's invoice and the job's progress are
//!   committed together, so a resumed run never bills an account twice (and the run
//!   skips accounts already billed for the period anyway);
//! - a usage import batch by batch, the same way (rows are taken in file order);
//! - a price import all or nothing: the file is written in one transaction (a refused row
//!   writes nothing), so a crash rolls it back and the instance that takes it over imports
//!   the whole file again.
//!
//! One billing run per period at a time holds across instances: a job's `active_key` is
//! set while it is queued or running, under a unique index.

pub mod runner;
pub mod store;

use chrono::{DateTime, Utc};

use crate::accounts::Viewer;
use crate::audit::AuditActor;
use crate::entities::background_jobs::{self, JobKind, JobStatus};
use crate::i18n::{msg, tr, Localize};

pub use runner::{work, Finished, Watch, Worked};
pub use store::StartError;
pub use store::{NewJob, Progress};

/// How long a claim holds without being renewed before another instance may take the job.
pub const LEASE_SECONDS: i64 = 60;
/// How often an idle runner looks for work (it is woken at once for a job created on its
/// own instance).
pub(crate) const POLL: std::time::Duration = std::time::Duration::from_secs(3);
/// Starts this instance's runner (from `jobs::spawn`, and `App::start_tasks` in tests).
pub(crate) fn spawn(state: &crate::state::AppState, stop: &crate::jobs::StopJobs) -> tokio::task::JoinHandle<()> {
    runner::spawn(state, stop)
}

/// Problems kept in the job, in the order they were met (the rest are counted).
pub const MAX_PROBLEMS_KEPT: usize = 100;
/// The longest problem kept, in characters.
const MAX_PROBLEM_CHARS: usize = 500;

/// This instance's runner: its name in `claimed_by`, and what wakes it.
#[derive(Debug)]
pub struct TaskQueue {
    pub instance: String,
    wake: tokio::sync::Notify,
}

impl TaskQueue {
    pub fn new() -> TaskQueue {
        TaskQueue { instance: instance_id(), wake: tokio::sync::Notify::new() }
    }

    /// Tells the runner a job was just queued (call after the transaction commits).
    pub(crate) fn queued(&self) {
        self.wake.notify_one();
    }

    /// Resolves when a job was queued on this instance.
    pub(crate) async fn wake_notified(&self) {
        self.wake.notified().await
    }
}

impl Default for TaskQueue {
    fn default() -> Self {
        TaskQueue::new()
    }
}

/// A name for this process that no other instance has: host, process id and a random part.
pub fn instance_id() -> String {
    use rand::RngCore;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "stratus".into());
    let host: String = host.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    format!("{host}-{}-{:08x}", std::process::id(), rand::thread_rng().next_u32())
}

/// Who started a job: shown on its page, and the audit log's actor for what it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starter {
    pub user_id: Option<i32>,
    pub account_id: Option<i32>,
    pub name: String,
    pub email: Option<String>,
    pub ip: Option<String>,
}

impl Starter {
    pub(crate) fn of(viewer: &Viewer, ip: Option<String>) -> Starter {
        Starter {
            user_id: Some(viewer.user.id),
            account_id: Some(viewer.account.id),
            name: viewer.user.name.clone(),
            email: Some(viewer.user.email.clone()),
            ip,
        }
    }

    /// The command line, on behalf of the provider's account (whose admins see its jobs).
    pub async fn command_line(db: &sea_orm::DatabaseConnection) -> crate::error::AppResult<Starter> {
        let provider = crate::accounts::store::provider_account(db).await?;
        Ok(Starter {
            user_id: None,
            account_id: provider.map(|p| p.id),
            name: "command line".into(),
            email: None,
            ip: None,
        })
    }

    /// Who the audit log names.
    pub(crate) fn actor(&self) -> AuditActor {
        match self.user_id {
            Some(user_id) => AuditActor {
                user_id: Some(user_id),
                account_id: self.account_id,
                email: self.email.clone(),
                ip: self.ip.clone(),
            },
            None => AuditActor::system(&self.name, self.ip.clone()),
        }
    }

    pub(crate) fn of_job(job: &background_jobs::Model) -> Starter {
        Starter {
            user_id: job.started_by_user_id,
            account_id: job.account_id,
            name: job.started_by_name.clone(),
            email: job.started_by_email.clone(),
            ip: job.started_from_ip.clone(),
        }
    }
}

/// The key that keeps one billing run of a period at a time.
pub(crate) fn billing_key(period: &str) -> String {
    format!("billing_run:{period}")
}

/// Whether an instance may claim a job now: a queued one, or a running one whose
/// claimant's lease has run out (it crashed, or lost the database for longer than that).
pub(crate) fn claimable(status: JobStatus, lease_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match status {
        JobStatus::Queued => true,
        JobStatus::Running => lease_until.is_none_or(|until| until < now),
        JobStatus::Done | JobStatus::Failed => false,
    }
}

/// The kept problems (one per line) with `new` ones added, at most [`MAX_PROBLEMS_KEPT`],
/// each on one line of at most [`MAX_PROBLEM_CHARS`] characters.
pub(crate) fn with_problems(kept: &str, new: &[String]) -> String {
    let mut lines: Vec<String> = kept.lines().map(str::to_string).collect();
    for problem in new {
        if lines.len() >= MAX_PROBLEMS_KEPT {
            break;
        }
        let one_line: String = problem.replace(['\r', '\n'], " ").chars().take(MAX_PROBLEM_CHARS).collect();
        lines.push(one_line);
    }
    lines.join("\n")
}

/// A line of a job's summary, stored with its numbers and names (one JSON object a line) so
/// that each viewer reads it in their own language. A stored line that is not one (a price
/// import's) is shown as it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub(crate) enum SummaryLine {
    BillingRun { period: String, issued: i32, nothing_to_bill: usize },
    AlreadyBilled { period: String, accounts: Vec<String> },
    SkippedSuspended { period: String, accounts: Vec<String> },
    UsageImported { imported: i32, refused: i32 },
}

impl SummaryLine {
    /// The line in `loc`'s language.
    pub(crate) fn said(&self, loc: &impl Localize) -> String {
        match self {
            SummaryLine::BillingRun { period, issued, nothing_to_bill } => tr!(
                loc,
                "admin-job-summary-billing",
                period = period.clone(),
                issued = *issued,
                nothing = *nothing_to_bill
            ),
            SummaryLine::AlreadyBilled { period, accounts } => {
                tr!(loc, "admin-job-summary-already-billed", period = period.clone(), accounts = accounts.join(", "))
            }
            SummaryLine::SkippedSuspended { period, accounts } => {
                tr!(loc, "admin-job-summary-skipped", period = period.clone(), accounts = accounts.join(", "))
            }
            SummaryLine::UsageImported { imported, refused } => {
                tr!(loc, "admin-job-summary-usage", imported = *imported, refused = *refused)
            }
        }
    }
}

/// A summary as stored: one line each.
pub(crate) fn summary_text(lines: &[SummaryLine]) -> String {
    lines.iter().filter_map(|line| serde_json::to_string(line).ok()).collect::<Vec<_>>().join("\n")
}

/// A stored summary's lines in `loc`'s language (a line written as text stays as it is).
pub(crate) fn summary_said(loc: &impl Localize, stored: &str) -> Vec<String> {
    stored
        .lines()
        .map(|line| serde_json::from_str::<SummaryLine>(line).map_or_else(|_| line.to_string(), |l| l.said(loc)))
        .collect()
}

/// What a kind of job is called.
pub(crate) fn kind_label(loc: &impl Localize, kind: JobKind) -> String {
    loc.t(match kind {
        JobKind::BillingRun => msg!("admin-job-kind-billing-run"),
        JobKind::UsageImport => msg!("admin-job-kind-usage-import"),
        JobKind::PriceImport => msg!("admin-job-kind-price-import"),
    })
}

/// Where a job is, in a sentence: "12 of 40 accounts done, 9 invoice(s) issued, 1 problem so far."
pub(crate) fn progress_text(loc: &impl Localize, job: &background_jobs::Model) -> String {
    let running = if job.status == JobStatus::Running || job.status == JobStatus::Queued { "yes" } else { "no" };
    let (done, total, issued, problems) = (job.done, job.total, job.issued, job.problem_count);
    match (job.status, job.kind) {
        (JobStatus::Queued, _) => loc.t("admin-job-progress-queued"),
        (_, JobKind::BillingRun) => tr!(
            loc,
            "admin-job-progress-billing",
            done = done,
            total = total,
            issued = issued,
            problems = problems,
            running = running
        ),
        (_, JobKind::UsageImport) => tr!(
            loc,
            "admin-job-progress-usage",
            done = done,
            total = total,
            issued = issued,
            problems = problems,
            running = running
        ),
        (JobStatus::Done, JobKind::PriceImport) => tr!(
            loc,
            "admin-job-progress-prices-done",
            total = total,
            issued = issued,
            problems = problems,
            running = running
        ),
        (_, JobKind::PriceImport) => {
            tr!(loc, "admin-job-progress-prices", total = total, problems = problems, running = running)
        }
    }
}

/// What a job's status reads as at `now`: a running job whose lease ran out is waiting
/// for another instance to take it over.
pub(crate) fn status_label(loc: &impl Localize, job: &background_jobs::Model, now: DateTime<Utc>) -> String {
    loc.t(match job.status {
        JobStatus::Queued => msg!("admin-job-queued"),
        JobStatus::Running if claimable(job.status, job.lease_until, now) => msg!("admin-job-interrupted"),
        JobStatus::Running => msg!("admin-job-running"),
        JobStatus::Done => msg!("admin-job-done"),
        JobStatus::Failed => msg!("admin-job-failed"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use chrono::Duration;

    fn job(kind: JobKind, status: JobStatus) -> background_jobs::Model {
        background_jobs::Model {
            id: 1,
            kind,
            parameters: "2026-10".into(),
            active_key: None,
            input: None,
            status,
            total: 40,
            done: 12,
            issued: 9,
            cursor: 0,
            problems: String::new(),
            problem_count: 1,
            summary: None,
            account_id: Some(1),
            started_by_user_id: Some(1),
            started_by_name: "Admin".into(),
            started_by_email: None,
            started_from_ip: None,
            claimed_by: None,
            lease_until: None,
            created_at: Utc::now(),
            started_at: None,
            finished_at: None,
            error: None,
        }
    }

    #[test]
    fn a_job_is_claimable_when_queued_or_when_its_claimants_lease_ran_out() {
        let now = Utc::now();
        assert!(claimable(JobStatus::Queued, None, now));
        assert!(claimable(JobStatus::Running, Some(now - Duration::seconds(1)), now), "the claimant crashed");
        assert!(!claimable(JobStatus::Running, Some(now + Duration::seconds(30)), now), "somebody works on it");
        assert!(!claimable(JobStatus::Running, Some(now), now), "the lease runs to its last instant");
        assert!(!claimable(JobStatus::Done, None, now));
        assert!(!claimable(JobStatus::Failed, Some(now - Duration::hours(1)), now));
    }

    #[test]
    fn a_running_job_whose_lease_ran_out_reads_as_interrupted() {
        let now = Utc::now();
        let mut running = job(JobKind::BillingRun, JobStatus::Running);
        running.lease_until = Some(now + Duration::seconds(30));
        assert_eq!(status_label(&Lang::En, &running, now), "Running");
        running.lease_until = Some(now - Duration::seconds(30));
        assert!(status_label(&Lang::En, &running, now).starts_with("Interrupted"));
        assert_eq!(status_label(&Lang::En, &job(JobKind::BillingRun, JobStatus::Done), now), "Done");
    }

    #[test]
    fn progress_reads_as_counts_done_of_total_with_the_problems_so_far() {
        assert_eq!(
            progress_text(&Lang::En, &job(JobKind::BillingRun, JobStatus::Running)),
            "12 of 40 accounts done, 9 invoice(s) issued, 1 problem so far."
        );
        let mut done = job(JobKind::BillingRun, JobStatus::Done);
        done.problem_count = 0;
        assert_eq!(progress_text(&Lang::En, &done), "12 of 40 accounts done, 9 invoice(s) issued, no problems.");
        assert_eq!(
            progress_text(&Lang::En, &job(JobKind::BillingRun, JobStatus::Queued)),
            "Waiting for an instance to start it."
        );
        let mut usage = job(JobKind::UsageImport, JobStatus::Failed);
        usage.problem_count = 3;
        assert_eq!(progress_text(&Lang::En, &usage), "12 of 40 rows done, 9 imported, 3 problems.");
        assert_eq!(
            progress_text(&Lang::En, &job(JobKind::PriceImport, JobStatus::Running)),
            "40 prices to set, all or nothing, 1 problem so far."
        );
        assert_eq!(
            progress_text(&Lang::EsCl, &job(JobKind::BillingRun, JobStatus::Running)),
            "12 de 40 cuentas listas, 9 factura(s) emitida(s), 1 problema hasta ahora."
        );
        assert_eq!(status_label(&Lang::EsCl, &job(JobKind::BillingRun, JobStatus::Done), Utc::now()), "Terminada");
    }

    #[test]
    fn problems_are_kept_one_per_line_and_bounded() {
        let kept = with_problems("", &["first\nline".to_string(), "second".to_string()]);
        assert_eq!(kept, "first line\nsecond");
        let many: Vec<String> = (0..150).map(|i| format!("problem {i}")).collect();
        let kept = with_problems(&kept, &many);
        assert_eq!(kept.lines().count(), MAX_PROBLEMS_KEPT);
        assert_eq!(kept.lines().last(), Some("problem 97"));
        let long = with_problems("", &["x".repeat(2_000)]);
        assert_eq!(long.chars().count(), MAX_PROBLEM_CHARS);
    }

    #[test]
    fn one_billing_run_per_period_is_one_key_per_period() {
        assert_eq!(billing_key("2026-10"), "billing_run:2026-10");
        assert_ne!(billing_key("2026-10"), billing_key("2026-11"));
    }
}
