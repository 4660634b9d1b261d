//! Passkeys (WebAuthn discoverable credentials): one row per passkey a user registered.
//! `credential_id` is the credential's id in base64url, unique across users (a sign-in
//! finds its passkey by it); `user_handle` is the random id the authenticator keeps for
//! the user (the same for all of one user's passkeys) and hands back at sign-in;
//! `passkey` is webauthn-rs's `Passkey` as JSON (public key, signature counter, backup
//! state), rewritten after each sign-in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    UserHandle,
    Passkey,
    CreatedAt,
    LastUsedAt,
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
                    .table(Passkeys::Table)
                    .col(ColumnDef::new(Passkeys::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Passkeys::UserId).integer().not_null())
                    .col(ColumnDef::new(Passkeys::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Passkeys::CredentialId).string_len(1400).not_null().unique_key())
                    .col(ColumnDef::new(Passkeys::UserHandle).string_len(36).not_null())
                    .col(ColumnDef::new(Passkeys::Passkey).text().not_null())
                    .col(ColumnDef::new(Passkeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Passkeys::LastUsedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Passkeys::Table, Passkeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_passkeys_user").table(Passkeys::Table).col(Passkeys::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The security events of these kinds: the code before this migration cannot read them.
        let forget = Query::delete()
            .from_table(SecurityEvents::Table)
            .and_where(Expr::col(SecurityEvents::Kind).is_in([
                "passkey_added",
                "passkey_removed",
                "passkey_clone_suspected",
            ]))
            .to_owned();
        manager.exec_stmt(forget).await?;
        manager.drop_table(Table::drop().table(Passkeys::Table).to_owned()).await
    }
}
