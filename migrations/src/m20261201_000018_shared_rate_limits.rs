//! Rate limits that hold across instances: on PostgreSQL, every `stratus serve` counts a
//! client's attempts in this table (one row per limit, client and fixed window), so a
//! limit of 30 sign-ins a minute is 30 for the whole system, not 30 per process. The
//! embedded SQLite default counts in memory and leaves the table empty.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimitCounts {
    Table,
    Scope,
    Bucket,
    WindowStart,
    Hits,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimitCounts::Table)
                    .col(ColumnDef::new(RateLimitCounts::Scope).string().not_null())
                    .col(ColumnDef::new(RateLimitCounts::Bucket).string().not_null())
                    .col(ColumnDef::new(RateLimitCounts::WindowStart).big_integer().not_null())
                    .col(ColumnDef::new(RateLimitCounts::Hits).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(RateLimitCounts::Scope)
                            .col(RateLimitCounts::Bucket)
                            .col(RateLimitCounts::WindowStart),
                    )
                    .to_owned(),
            )
            .await?;
        // The clean-up deletes by window.
        manager
            .create_index(
                Index::create()
                    .name("idx_rate_limit_counts_window")
                    .table(RateLimitCounts::Table)
                    .col(RateLimitCounts::WindowStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateLimitCounts::Table).to_owned()).await
    }
}
