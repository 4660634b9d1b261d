//! Second factors: a user's authenticator app (TOTP; its secret sealed with the server's
//! key, the last time step accepted so a code works once), the user's single-use recovery
//! codes (hashed), and the provider's rule of who must have a second factor.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TotpAuthenticators {
    Table,
    UserId,
    SecretSealed,
    ConfirmedAt,
    LastUsedStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthSettings {
    Table,
    RequireSecondFactor,
}

#[derive(DeriveIden)]
enum SecurityEvents {
    Table,
    Kind,
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
                    .table(TotpAuthenticators::Table)
                    .col(ColumnDef::new(TotpAuthenticators::UserId).integer().not_null().primary_key())
                    .col(ColumnDef::new(TotpAuthenticators::SecretSealed).string_len(256).not_null())
                    .col(ColumnDef::new(TotpAuthenticators::ConfirmedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(TotpAuthenticators::LastUsedStep).big_integer().null())
                    .col(ColumnDef::new(TotpAuthenticators::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(TotpAuthenticators::Table, TotpAuthenticators::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(ColumnDef::new(RecoveryCodes::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(RecoveryCodes::UserId).integer().not_null())
                    .col(ColumnDef::new(RecoveryCodes::CodeHash).string_len(64).not_null())
                    .col(ColumnDef::new(RecoveryCodes::UsedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(RecoveryCodes::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .col(RecoveryCodes::CodeHash)
                    .to_owned(),
            )
            .await?;
        let mut column =
            ColumnDef::new(AuthSettings::RequireSecondFactor).string_len(16).not_null().default("off").to_owned();
        manager.alter_table(Table::alter().table(AuthSettings::Table).add_column(&mut column).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The security events of these kinds: the code before this migration cannot read them.
        let kinds = [
            "authenticator_app_connected",
            "authenticator_app_removed",
            "recovery_codes_renewed",
            "recovery_code_used",
            "second_factor_failed",
            "second_factors_reset",
        ];
        let forget = Query::delete()
            .from_table(SecurityEvents::Table)
            .and_where(Expr::col(SecurityEvents::Kind).is_in(kinds))
            .to_owned();
        manager.exec_stmt(forget).await?;
        manager
            .alter_table(
                Table::alter().table(AuthSettings::Table).drop_column(AuthSettings::RequireSecondFactor).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TotpAuthenticators::Table).to_owned()).await
    }
}
