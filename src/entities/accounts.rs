//! The `accounts` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tier: AccountTier,
    pub parent_id: Option<i32>,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub currency: String,
    pub branding_enabled: bool,
    pub csp_cutoff_day: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::ParentId", to = "super::accounts::Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}
