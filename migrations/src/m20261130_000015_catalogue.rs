//! Products administration: a product's family (Microsoft 365, Azure, Acronis, Dynamics
//! 365, Windows Server, Other), the catalogue's grouping, apart from the free-text usage
//! family invoices carry. Existing products get the family their vendor, usage family and
//! name point to (the same rule as `catalog::product_rules::legacy_family`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    Family,
    Vendor,
    UsageFamily,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(ColumnDef::new(Products::Family).string_len(32).not_null().default("other"))
                    .to_owned(),
            )
            .await?;
        // Lowest priority first: a later rule overrides an earlier one.
        let name_has = |text: &str| Expr::col(Products::Name).like(format!("%{text}%"));
        let rules: [(&str, SimpleExpr); 5] = [
            (
                "microsoft_365",
                Expr::col(Products::UsageFamily)
                    .eq("Microsoft 365")
                    .or(name_has("Microsoft 365"))
                    .or(name_has("Office 365")),
            ),
            ("windows_server", name_has("Windows Server")),
            ("dynamics_365", name_has("Dynamics 365")),
            ("azure", Expr::col(Products::UsageFamily).is_in(["Azure Plan", "MS Azure"]).or(name_has("Azure"))),
            ("acronis", Expr::col(Products::Vendor).eq("Acronis")),
        ];
        for (family, condition) in rules {
            let update =
                Query::update().table(Products::Table).value(Products::Family, family).and_where(condition).to_owned();
            manager.exec_stmt(update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Products::Table).drop_column(Products::Family).to_owned()).await
    }
}
