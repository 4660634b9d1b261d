//! Background jobs: long work (a billing run, a usage import, a price import) started from
//! the admin pages is recorded here and done by one instance's runner, which claims it
//! under a lease, writes its progress as it goes, and resumes it after a crash.
//! `active_key` is set while a job is queued or running and cleared when it ends: its
//! unique index is what holds "one billing run per period at a time" across instances.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BackgroundJobs {
    Table,
    Id,
    Kind,
    Parameters,
    ActiveKey,
    Input,
    Status,
    Total,
    Done,
    Issued,
    Cursor,
    Problems,
    ProblemCount,
    Summary,
    AccountId,
    StartedByUserId,
    StartedByName,
    StartedByEmail,
    StartedFromIp,
    ClaimedBy,
    LeaseUntil,
    CreatedAt,
    StartedAt,
    FinishedAt,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BackgroundJobs::Table)
                    .col(ColumnDef::new(BackgroundJobs::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(BackgroundJobs::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(BackgroundJobs::Parameters).string_len(200).not_null().default(""))
                    .col(ColumnDef::new(BackgroundJobs::ActiveKey).string_len(100).null())
                    .col(ColumnDef::new(BackgroundJobs::Input).binary().null())
                    .col(ColumnDef::new(BackgroundJobs::Status).string_len(32).not_null())
                    .col(ColumnDef::new(BackgroundJobs::Total).integer().not_null().default(0))
                    .col(ColumnDef::new(BackgroundJobs::Done).integer().not_null().default(0))
                    .col(ColumnDef::new(BackgroundJobs::Issued).integer().not_null().default(0))
                    .col(ColumnDef::new(BackgroundJobs::Cursor).integer().not_null().default(0))
                    .col(ColumnDef::new(BackgroundJobs::Problems).text().not_null().default(""))
                    .col(ColumnDef::new(BackgroundJobs::ProblemCount).integer().not_null().default(0))
                    .col(ColumnDef::new(BackgroundJobs::Summary).text().null())
                    .col(ColumnDef::new(BackgroundJobs::AccountId).integer().null())
                    .col(ColumnDef::new(BackgroundJobs::StartedByUserId).integer().null())
                    .col(ColumnDef::new(BackgroundJobs::StartedByName).string_len(200).not_null())
                    .col(ColumnDef::new(BackgroundJobs::StartedByEmail).string_len(320).null())
                    .col(ColumnDef::new(BackgroundJobs::StartedFromIp).string_len(64).null())
                    .col(ColumnDef::new(BackgroundJobs::ClaimedBy).string_len(100).null())
                    .col(ColumnDef::new(BackgroundJobs::LeaseUntil).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(BackgroundJobs::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(BackgroundJobs::StartedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(BackgroundJobs::FinishedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(BackgroundJobs::Error).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_background_jobs_active_key")
                    .table(BackgroundJobs::Table)
                    .col(BackgroundJobs::ActiveKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_background_jobs_status")
                    .table(BackgroundJobs::Table)
                    .col(BackgroundJobs::Status)
                    .col(BackgroundJobs::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BackgroundJobs::Table).to_owned()).await
    }
}
