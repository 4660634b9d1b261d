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
    /// The name on invoices (the display name is `name`).
    pub legal_name: Option<String>,
    /// RUT in Chile (checked with its verifier digit), free text elsewhere.
    pub tax_id: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub address: Option<String>,
    pub billing_email: Option<String>,
    pub status: AccountStatus,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::ParentId", to = "super::accounts::Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}
