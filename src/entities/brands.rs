//! The `brands` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "brands")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub account_id: i32,
    pub company_name: String,
    #[sea_orm(column_type = "Text")]
    pub logo_url: Option<String>,
    pub logo_content_type: Option<String>,
    pub logo_data: Option<Vec<u8>>,
    #[sea_orm(column_type = "Text")]
    pub favicon_url: Option<String>,
    pub favicon_content_type: Option<String>,
    pub favicon_data: Option<Vec<u8>>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub footer_text: Option<String>,
    pub updated_at: DateTimeUtc,
    /// The language of a visitor whose browser asks for none we speak (`es-CL`, `en`).
    pub default_language: String,
    /// The IANA time zone dates are shown in, unless the user chose another.
    pub time_zone: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
