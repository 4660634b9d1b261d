//! Reading and writing `background_jobs`: queuing a job (with its audit entry), claiming
//! one under a lease, writing progress only while the claim holds, finishing, listing.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::{Condition, Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait, UpdateMany,
};

use super::{billing_key, Starter, LEASE_SECONDS};
use crate::audit::{self, Change};
use crate::entities::background_jobs::{self, JobKind, JobStatus};
use crate::entities::enums::InvoiceType;
use crate::entities::invoices;
use crate::error::{AppError, AppResult};
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// Why a job was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("A billing run for {period} is already under way (job {job_id}): wait for it to finish.")]
    Busy { period: String, job_id: i32 },
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl StartError {
    /// The refusal in the viewer's language (the English `Display` stays for the API and logs).
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            StartError::Busy { period, job_id } => {
                crate::i18n::tr!(loc, "admin-job-busy", period = period.clone(), job = job_id.to_string())
            }
            StartError::Failed(e) => e.to_string(),
        }
    }
}

impl From<sea_orm::DbErr> for StartError {
    fn from(e: sea_orm::DbErr) -> Self {
        StartError::Failed(e.into())
    }
}

impl From<StartError> for AppError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::Failed(e) => e,
            busy => AppError::Conflict(busy.to_string()),
        }
    }
}

/// A job to start.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub parameters: String,
    pub input: Option<Vec<u8>>,
    /// Rows or accounts to go through, when known before it starts.
    pub total: i32,
    pub by: Starter,
}

impl NewJob {
    pub fn billing_run(period: &crate::billing::run::Period, by: Starter) -> NewJob {
        NewJob { kind: JobKind::BillingRun, parameters: period.label(), input: None, total: 0, by }
    }

    pub fn import(kind: JobKind, file_name: &str, bytes: Vec<u8>, total: usize, by: Starter) -> NewJob {
        let name: String = file_name.chars().filter(|c| !c.is_control()).take(150).collect();
        let parameters = if name.trim().is_empty() { "upload".to_string() } else { name };
        NewJob { kind, parameters, input: Some(bytes), total: i32::try_from(total).unwrap_or(i32::MAX), by }
    }

    fn active_key(&self) -> Option<String> {
        (self.kind == JobKind::BillingRun).then(|| billing_key(&self.parameters))
    }

    fn audit_action(&self) -> &'static str {
        match self.kind {
            JobKind::BillingRun => "billing run started",
            JobKind::UsageImport => "usage import started",
            JobKind::PriceImport => "price list import started",
        }
    }
}

/// A lease from now, to the millisecond (which every database keeps exactly).
fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(3) + Duration::seconds(LEASE_SECONDS)
}

/// Records a job, queued for any instance's runner, with its audit entry: refused while
/// another run of the same period is queued or running (on any instance).
pub async fn enqueue(db: &DatabaseConnection, job: NewJob) -> Result<background_jobs::Model, StartError> {
    insert_retrying(db, job, None).await
}

/// Records a job already claimed by `instance` (the command line runs its work itself, but
/// holds the period like any run, and is taken over by a server if it dies).
pub async fn start_claimed(
    db: &DatabaseConnection,
    job: NewJob,
    instance: &str,
) -> Result<background_jobs::Model, StartError> {
    insert_retrying(db, job, Some(instance)).await
}

/// Inserts, again when the run that held the period ended between the insert and the look
/// for it (`job_id` 0).
async fn insert_retrying(
    db: &DatabaseConnection,
    job: NewJob,
    claimed_by: Option<&str>,
) -> Result<background_jobs::Model, StartError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match insert(db, job.clone(), claimed_by).await {
            Err(StartError::Busy { job_id: 0, .. }) if tries < 3 => continue,
            other => return other,
        }
    }
}

async fn insert(
    db: &DatabaseConnection,
    job: NewJob,
    claimed_by: Option<&str>,
) -> Result<background_jobs::Model, StartError> {
    let now = Utc::now();
    let key = job.active_key();
    let txn = db.begin().await?;
    let inserted = background_jobs::ActiveModel {
        kind: Set(job.kind),
        parameters: Set(job.parameters.clone()),
        active_key: Set(key.clone()),
        input: Set(job.input.clone()),
        status: Set(if claimed_by.is_some() { JobStatus::Running } else { JobStatus::Queued }),
        total: Set(job.total),
        done: Set(0),
        issued: Set(0),
        cursor: Set(0),
        problems: Set(String::new()),
        problem_count: Set(0),
        summary: Set(None),
        account_id: Set(job.by.account_id),
        started_by_user_id: Set(job.by.user_id),
        started_by_name: Set(job.by.name.clone()),
        started_by_email: Set(job.by.email.clone()),
        started_from_ip: Set(job.by.ip.clone()),
        claimed_by: Set(claimed_by.map(str::to_string)),
        lease_until: Set(claimed_by.map(|_| lease_from(now))),
        created_at: Set(now),
        started_at: Set(claimed_by.map(|_| now)),
        finished_at: Set(None),
        error: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let inserted = match inserted {
        Ok(inserted) => inserted,
        Err(e) if crate::error::is_unique_violation(&e) => {
            drop(txn);
            let active = match &key {
                Some(key) => {
                    background_jobs::Entity::find()
                        .filter(background_jobs::Column::ActiveKey.eq(key.clone()))
                        .one(db)
                        .await?
                }
                None => None,
            };
            // Finished between the insert and this look: the caller may try again.
            let job_id = active.map_or(0, |active| active.id);
            return Err(StartError::Busy { period: job.parameters, job_id });
        }
        Err(e) => return Err(e.into()),
    };
    let changes = [Change::set("job", inserted.id), Change::set("of", &job.parameters)];
    let target = format!("job {}", inserted.id);
    audit::record(&txn, &job.by.actor(), job.by.account_id, job.audit_action(), &target, &changes).await?;
    txn.commit().await?;
    Ok(inserted)
}

/// Claims the oldest job this instance may take (see [`super::claimable`]): `None` when
/// there is none, or others claimed them first.
pub async fn claim_next(
    db: &DatabaseConnection,
    instance: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<background_jobs::Model>> {
    let candidates: Vec<i32> = background_jobs::Entity::find()
        .select_only()
        .column(background_jobs::Column::Id)
        .filter(claimable_now(now))
        .order_by_asc(background_jobs::Column::Id)
        .limit(5)
        .into_tuple()
        .all(db)
        .await?;
    for id in candidates {
        if claim(db, id, instance, now).await? {
            return Ok(background_jobs::Entity::find_by_id(id).one(db).await?);
        }
    }
    Ok(None)
}

/// Queued, or running under a lease that has run out.
fn claimable_now(now: DateTime<Utc>) -> Condition {
    Condition::any().add(background_jobs::Column::Status.eq(JobStatus::Queued)).add(
        Condition::all().add(background_jobs::Column::Status.eq(JobStatus::Running)).add(
            Condition::any()
                .add(background_jobs::Column::LeaseUntil.is_null())
                .add(background_jobs::Column::LeaseUntil.lt(now)),
        ),
    )
}

/// One conditional UPDATE: exactly one instance wins a job.
async fn claim(db: &DatabaseConnection, id: i32, instance: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let started = Func::coalesce([Expr::col(background_jobs::Column::StartedAt).into(), Expr::value(now)]);
    let claimed = background_jobs::Entity::update_many()
        .col_expr(background_jobs::Column::Status, Expr::value(JobStatus::Running))
        .col_expr(background_jobs::Column::ClaimedBy, Expr::value(instance))
        .col_expr(background_jobs::Column::LeaseUntil, Expr::value(lease_from(now)))
        .col_expr(background_jobs::Column::StartedAt, started.into())
        .filter(background_jobs::Column::Id.eq(id))
        .filter(claimable_now(now))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// A job's counters as its worker keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub total: i32,
    pub done: i32,
    pub issued: i32,
    pub cursor: i32,
    pub problems: String,
    pub problem_count: i32,
}

impl Progress {
    pub(crate) fn of(job: &background_jobs::Model) -> Progress {
        Progress {
            total: job.total,
            done: job.done,
            issued: job.issued,
            cursor: job.cursor,
            problems: job.problems.clone(),
            problem_count: job.problem_count,
        }
    }

    pub(crate) fn add_problems(&mut self, new: &[String]) {
        if new.is_empty() {
            return;
        }
        self.problems = super::with_problems(&self.problems, new);
        self.problem_count = self.problem_count.saturating_add(i32::try_from(new.len()).unwrap_or(i32::MAX));
    }
}

impl Progress {
    /// An update of a job's row that writes this progress.
    fn written(&self, update: UpdateMany<background_jobs::Entity>) -> UpdateMany<background_jobs::Entity> {
        update
            .col_expr(background_jobs::Column::Total, Expr::value(self.total))
            .col_expr(background_jobs::Column::Done, Expr::value(self.done))
            .col_expr(background_jobs::Column::Issued, Expr::value(self.issued))
            .col_expr(background_jobs::Column::Cursor, Expr::value(self.cursor))
            .col_expr(background_jobs::Column::Problems, Expr::value(self.problems.clone()))
            .col_expr(background_jobs::Column::ProblemCount, Expr::value(self.problem_count))
    }
}

/// Writes the progress and renews the lease, only while `instance` still holds the job:
/// `false` when it lost it (then the caller rolls back what it did with it).
pub(crate) async fn record_progress<C: ConnectionTrait>(
    db: &C,
    id: i32,
    instance: &str,
    progress: &Progress,
) -> AppResult<bool> {
    let updated = progress
        .written(background_jobs::Entity::update_many())
        .col_expr(background_jobs::Column::LeaseUntil, Expr::value(lease_from(Utc::now())))
        .filter(held_by(id, instance))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The job `id` while `instance` still holds it (every write of a running job checks it,
/// so an instance whose lease was taken over writes nothing more).
fn held_by(id: i32, instance: &str) -> Condition {
    Condition::all()
        .add(background_jobs::Column::Id.eq(id))
        .add(background_jobs::Column::ClaimedBy.eq(instance))
        .add(background_jobs::Column::Status.eq(JobStatus::Running))
}

/// Renews the lease alone (while a job writes in one long transaction).
pub(crate) async fn renew(db: &DatabaseConnection, id: i32, instance: &str) -> AppResult<bool> {
    let updated = background_jobs::Entity::update_many()
        .col_expr(background_jobs::Column::LeaseUntil, Expr::value(lease_from(Utc::now())))
        .filter(held_by(id, instance))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ending {
    pub status: JobStatus,
    pub summary: Option<String>,
    pub error: Option<String>,
}

/// Ends a job `instance` holds, with its last progress: the period is free again and the
/// uploaded file is dropped. `false` when the job was no longer this instance's.
pub(crate) async fn finish(
    db: &DatabaseConnection,
    id: i32,
    instance: &str,
    progress: &Progress,
    ending: Ending,
) -> AppResult<bool> {
    let updated = progress
        .written(background_jobs::Entity::update_many())
        .col_expr(background_jobs::Column::Status, Expr::value(ending.status))
        .col_expr(background_jobs::Column::Summary, Expr::value(ending.summary))
        .col_expr(background_jobs::Column::Error, Expr::value(ending.error))
        .col_expr(background_jobs::Column::ActiveKey, Expr::value(Option::<String>::None))
        .col_expr(background_jobs::Column::Input, Expr::value(Option::<Vec<u8>>::None))
        .col_expr(background_jobs::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(background_jobs::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(held_by(id, instance))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The jobs started from `account_id`, newest first.
pub(crate) async fn list(
    db: &DatabaseConnection,
    account_id: i32,
    page: PageQuery,
) -> AppResult<Paged<background_jobs::Model>> {
    let query = background_jobs::Entity::find().filter(background_jobs::Column::AccountId.eq(account_id));
    let keyset = Keyset::new("jobs", vec![Term::desc(background_jobs::Column::Id)]);
    fetch_page(db, query, &keyset, |job| vec![job.id.into()], &page).await
}

/// A job started from `account_id`; another account's is not found.
pub(crate) async fn find(db: &DatabaseConnection, account_id: i32, id: i32) -> AppResult<background_jobs::Model> {
    background_jobs::Entity::find_by_id(id)
        .filter(background_jobs::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The invoices a billing run job issued (the run's invoices of its period written while
/// it ran; one run per period at a time), at most `limit`.
pub(crate) async fn invoices_issued(
    db: &DatabaseConnection,
    job: &background_jobs::Model,
    limit: u64,
) -> AppResult<Vec<invoices::Model>> {
    let (Some(started), JobKind::BillingRun) = (job.started_at, job.kind) else { return Ok(vec![]) };
    let mut query = invoices::Entity::find()
        .filter(invoices::Column::BillingPeriod.eq(job.parameters.clone()))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoices::Column::OrderId.is_null())
        .filter(invoices::Column::CreatedAt.gte(started - Duration::seconds(1)));
    if let Some(finished) = job.finished_at {
        query = query.filter(invoices::Column::CreatedAt.lte(finished));
    }
    Ok(query.order_by_asc(invoices::Column::Id).limit(limit).all(db).await?)
}

/// Ends a job `instance` holds as failed, its progress kept: the period is free again.
pub(crate) async fn fail(db: &DatabaseConnection, id: i32, instance: &str, error: &str) -> AppResult<bool> {
    let updated = background_jobs::Entity::update_many()
        .col_expr(background_jobs::Column::Status, Expr::value(JobStatus::Failed))
        .col_expr(background_jobs::Column::Error, Expr::value(error))
        .col_expr(background_jobs::Column::ActiveKey, Expr::value(Option::<String>::None))
        .col_expr(background_jobs::Column::Input, Expr::value(Option::<Vec<u8>>::None))
        .col_expr(background_jobs::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(background_jobs::Column::FinishedAt, Expr::value(Utc::now()))
        .filter(held_by(id, instance))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}
