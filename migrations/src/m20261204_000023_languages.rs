//! Languages and time zones: a brand's default language and time zone (what a visitor
//! whose browser asks for no supported language gets), and each user's own choice of
//! both (none: follow the browser and the brand).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Brands {
    Table,
    DefaultLanguage,
    TimeZone,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
    TimeZone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let brand_columns = [
            ColumnDef::new(Brands::DefaultLanguage).string_len(16).not_null().default("en").to_owned(),
            ColumnDef::new(Brands::TimeZone).string_len(64).not_null().default("America/Santiago").to_owned(),
        ];
        for mut column in brand_columns {
            manager.alter_table(Table::alter().table(Brands::Table).add_column(&mut column).to_owned()).await?;
        }
        let user_columns = [
            ColumnDef::new(Users::Language).string_len(16).null().to_owned(),
            ColumnDef::new(Users::TimeZone).string_len(64).null().to_owned(),
        ];
        for mut column in user_columns {
            manager.alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Users::Language, Users::TimeZone] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        for column in [Brands::DefaultLanguage, Brands::TimeZone] {
            manager.alter_table(Table::alter().table(Brands::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
