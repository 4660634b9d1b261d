//! E-mail: the outbox every message is written to in the transaction of the change that
//! causes it (a job sends it; one instance claims each message under a lease), the
//! single-use tokens mailed links carry (password reset, e-mail verification; stored as
//! SHA-256 hashes), the invitations of the transition campaign, and when a user's e-mail
//! was verified (existing users count as verified: an admin or a provider vouched for them).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    Kind,
    AccountId,
    UserId,
    FromName,
    ReplyTo,
    ToAddress,
    ToName,
    Subject,
    TextBody,
    HtmlBody,
    Sensitive,
    DedupeKey,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ProviderInvitations {
    Table,
    Id,
    UserId,
    ProviderId,
    InvitedBy,
    InvitedAt,
    DismissedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdentityProviders {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(ColumnDef::new(OutboxMessages::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(OutboxMessages::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(OutboxMessages::AccountId).integer())
                    .col(ColumnDef::new(OutboxMessages::UserId).integer())
                    .col(ColumnDef::new(OutboxMessages::FromName).string_len(200).not_null())
                    .col(ColumnDef::new(OutboxMessages::ReplyTo).string_len(320))
                    .col(ColumnDef::new(OutboxMessages::ToAddress).string_len(320).not_null())
                    .col(ColumnDef::new(OutboxMessages::ToName).string_len(200))
                    .col(ColumnDef::new(OutboxMessages::Subject).string_len(300).not_null())
                    .col(ColumnDef::new(OutboxMessages::TextBody).text().not_null())
                    .col(ColumnDef::new(OutboxMessages::HtmlBody).text().not_null())
                    .col(ColumnDef::new(OutboxMessages::Sensitive).boolean().not_null().default(false))
                    .col(ColumnDef::new(OutboxMessages::DedupeKey).string_len(200).unique_key())
                    .col(ColumnDef::new(OutboxMessages::Status).string_len(16).not_null())
                    .col(ColumnDef::new(OutboxMessages::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(OutboxMessages::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(OutboxMessages::ClaimedUntil).timestamp_with_time_zone())
                    .col(ColumnDef::new(OutboxMessages::LastError).text())
                    .col(ColumnDef::new(OutboxMessages::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(OutboxMessages::SentAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::Status)
                    .col(OutboxMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserTokens::Table)
                    .col(ColumnDef::new(UserTokens::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(UserTokens::UserId).integer().not_null())
                    .col(ColumnDef::new(UserTokens::Purpose).string_len(24).not_null())
                    .col(ColumnDef::new(UserTokens::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(UserTokens::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserTokens::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserTokens::UsedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserTokens::Table, UserTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_tokens_user")
                    .table(UserTokens::Table)
                    .col(UserTokens::UserId)
                    .col(UserTokens::Purpose)
                    .col(UserTokens::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProviderInvitations::Table)
                    .col(ColumnDef::new(ProviderInvitations::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ProviderInvitations::UserId).integer().not_null())
                    .col(ColumnDef::new(ProviderInvitations::ProviderId).integer().not_null())
                    .col(ColumnDef::new(ProviderInvitations::InvitedBy).integer())
                    .col(ColumnDef::new(ProviderInvitations::InvitedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ProviderInvitations::DismissedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProviderInvitations::Table, ProviderInvitations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProviderInvitations::Table, ProviderInvitations::ProviderId)
                            .to(IdentityProviders::Table, IdentityProviders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_provider_invitations_once")
                    .table(ProviderInvitations::Table)
                    .col(ProviderInvitations::UserId)
                    .col(ProviderInvitations::ProviderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::EmailVerifiedAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await?;
        let backfill =
            Query::update().table(Users::Table).value(Users::EmailVerifiedAt, Expr::col(Users::CreatedAt)).to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::EmailVerifiedAt).to_owned()).await?;
        manager.drop_table(Table::drop().table(ProviderInvitations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UserTokens::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OutboxMessages::Table).to_owned()).await
    }
}
