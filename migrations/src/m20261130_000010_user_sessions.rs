//! The signed-in sessions of each user, as My Account lists them: when each began, when
//! and from where it was last used, and with which browser. A session row in the
//! session store carries the id of its row here; deleting the row signs that session out
//! on its next request, on every instance.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserSessions {
    Table,
    Id,
    UserId,
    StartedAt,
    LastSeenAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserSessions::Table)
                    .col(ColumnDef::new(UserSessions::Id).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(UserSessions::UserId).integer().not_null())
                    .col(ColumnDef::new(UserSessions::StartedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserSessions::LastSeenAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserSessions::Ip).string_len(64))
                    .col(ColumnDef::new(UserSessions::UserAgent).string_len(256))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserSessions::Table, UserSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_sessions_user")
                    .table(UserSessions::Table)
                    .col(UserSessions::UserId)
                    .col(UserSessions::LastSeenAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(UserSessions::Table).to_owned()).await
    }
}
