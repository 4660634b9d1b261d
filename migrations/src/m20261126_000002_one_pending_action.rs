//! At most one pending future action per subscription and per add-on, enforced by the
//! database so that two requests (or two instances) cannot both schedule one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A partial expression index: SQLite and PostgreSQL both have them.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_future_actions_one_pending \
                 ON future_actions (subscription_id, COALESCE(addon_id, 0)) WHERE status = 'pending'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX ux_future_actions_one_pending").await?;
        Ok(())
    }
}
