//! The `payment_gateways` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "payment_gateways")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub kind: String,
    pub commerce_code: String,
    #[sea_orm(column_type = "Text")]
    pub api_key_secret_enc: String,
    pub environment: String,
    pub active: bool,
    pub updated_at: DateTimeUtc,
    /// Transactions made in the integration environment count as paid (a staging install).
    pub test_payments: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
