//! The account lifecycle: what an account is on file for (legal name, tax id, country,
//! address, billing e-mail) and whether it is active, suspended or waiting for approval;
//! whether a user is active and whether they have joined (an invitation not yet accepted
//! has not); sign-up switches; and the audit log of administrative changes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    LegalName,
    TaxId,
    Country,
    Address,
    BillingEmail,
    Status,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Active,
    JoinedAt,
    InvitedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthSettings {
    Table,
    AllowSignUp,
    SignUpNeedsApproval,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorAccountId,
    ActorEmail,
    AccountId,
    Action,
    Target,
    Changes,
    Ip,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            ColumnDef::new(Accounts::LegalName).string_len(200).null().to_owned(),
            ColumnDef::new(Accounts::TaxId).string_len(40).null().to_owned(),
            ColumnDef::new(Accounts::Country).string_len(2).not_null().default("CL").to_owned(),
            ColumnDef::new(Accounts::Address).string_len(300).null().to_owned(),
            ColumnDef::new(Accounts::BillingEmail).string_len(320).null().to_owned(),
            ColumnDef::new(Accounts::Status).string_len(32).not_null().default("active").to_owned(),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(Accounts::Table).add_column(&mut column).to_owned()).await?;
        }
        for column in [
            ColumnDef::new(Users::Active).boolean().not_null().default(true).to_owned(),
            ColumnDef::new(Users::JoinedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Users::InvitedBy).integer().null().to_owned(),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned()).await?;
        }
        let joined = Query::update().table(Users::Table).value(Users::JoinedAt, Expr::col(Users::CreatedAt)).to_owned();
        manager.exec_stmt(joined).await?;
        for column in [
            ColumnDef::new(AuthSettings::AllowSignUp).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(AuthSettings::SignUpNeedsApproval).boolean().not_null().default(true).to_owned(),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(AuthSettings::Table).add_column(&mut column).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(ColumnDef::new(AuditLog::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditLog::At).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditLog::ActorUserId).integer())
                    .col(ColumnDef::new(AuditLog::ActorAccountId).integer())
                    .col(ColumnDef::new(AuditLog::ActorEmail).string_len(320))
                    .col(ColumnDef::new(AuditLog::AccountId).integer())
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::Target).string_len(300).not_null())
                    .col(ColumnDef::new(AuditLog::Changes).text().not_null())
                    .col(ColumnDef::new(AuditLog::Ip).string_len(64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_account")
                    .table(AuditLog::Table)
                    .col(AuditLog::AccountId)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        for column in [AuthSettings::AllowSignUp, AuthSettings::SignUpNeedsApproval] {
            manager.alter_table(Table::alter().table(AuthSettings::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Users::Active, Users::JoinedAt, Users::InvitedBy] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        for column in [
            Accounts::LegalName,
            Accounts::TaxId,
            Accounts::Country,
            Accounts::Address,
            Accounts::BillingEmail,
            Accounts::Status,
        ] {
            manager.alter_table(Table::alter().table(Accounts::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
