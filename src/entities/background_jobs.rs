//! The `background_jobs` table: long work started from the admin pages (or the command
//! line), done by one instance under a lease, with its progress.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum JobKind {
    /// A billing run of the period in `parameters` (`YYYY-MM`).
    #[sea_orm(string_value = "billing_run")]
    BillingRun,
    /// A usage import of the CSV in `input`.
    #[sea_orm(string_value = "usage_import")]
    UsageImport,
    /// A price list import of the CSV in `input`.
    #[sea_orm(string_value = "price_import")]
    PriceImport,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum JobStatus {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "failed")]
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "background_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: JobKind,
    /// The billing period, or the uploaded file's name.
    pub parameters: String,
    /// Set while the job is queued or running (`billing_run:2026-10`), unique: one run per
    /// period at a time, across instances.
    #[sea_orm(unique)]
    pub active_key: Option<String>,
    /// The uploaded file of an import.
    pub input: Option<Vec<u8>>,
    pub status: JobStatus,
    /// Accounts (billing) or rows (imports) to go through.
    pub total: i32,
    /// How many of them are done.
    pub done: i32,
    /// Invoices issued (billing) or rows imported / prices set (imports).
    pub issued: i32,
    /// Where to resume: the last account id billed, or the rows done of an import.
    pub cursor: i32,
    /// The first problems, one per line (at most `tasks::MAX_PROBLEMS_KEPT`).
    #[sea_orm(column_type = "Text")]
    pub problems: String,
    /// Every problem so far, kept or not.
    pub problem_count: i32,
    /// What the job did, once it is done.
    #[sea_orm(column_type = "Text")]
    pub summary: Option<String>,
    /// The account of who started it (the provider's).
    pub account_id: Option<i32>,
    pub started_by_user_id: Option<i32>,
    pub started_by_name: String,
    pub started_by_email: Option<String>,
    pub started_from_ip: Option<String>,
    /// The instance working on it.
    pub claimed_by: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
