//! Per identity provider: whether automatic registration may use an e-mail the provider
//! does not mark verified (`email_verified`). Off by default; on for the Entra ID providers
//! that already exist, which registered that way before (Entra rarely sends the claim and
//! its tenant allow-list vouches for its users).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdentityProviders {
    Table,
    Kind,
    TrustUnverifiedEmail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IdentityProviders::Table)
                    .add_column(
                        ColumnDef::new(IdentityProviders::TrustUnverifiedEmail).boolean().not_null().default(false),
                    )
                    .to_owned(),
            )
            .await?;
        let backfill = Query::update()
            .table(IdentityProviders::Table)
            .value(IdentityProviders::TrustUnverifiedEmail, true)
            .and_where(Expr::col(IdentityProviders::Kind).eq("azure_ad"))
            .to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IdentityProviders::Table)
                    .drop_column(IdentityProviders::TrustUnverifiedEmail)
                    .to_owned(),
            )
            .await
    }
}
