//! A subscription's pending actions, read on every subscription page, by one index:
//! `(subscription_id, status, scheduled_at)`. Without it SQLite (with no statistics, as a
//! fresh install has) chose the index on `(status, scheduled_at)` and read every pending
//! action of every subscription: 22 ms a page with 100,000 actions (`bench/load`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FutureActions {
    Table,
    SubscriptionId,
    Status,
    ScheduledAt,
}

const INDEX: &str = "ix_future_actions_subscription_status_scheduled_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(FutureActions::Table)
                    .col(FutureActions::SubscriptionId)
                    .col(FutureActions::Status)
                    .col(FutureActions::ScheduledAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(FutureActions::Table).to_owned()).await
    }
}
