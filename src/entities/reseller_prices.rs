//! The `reseller_prices` table: what a reseller's customers pay for a product in a
//! currency from a date — a fixed amount, or a markup over the reseller's cost.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reseller_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub reseller_id: i32,
    pub product_id: i32,
    pub currency: String,
    /// The price (net, minor units), or
    pub fixed_amount: Option<i64>,
    /// the markup over the reseller's cost, in hundredths of a percent (1250 = 12.5 %).
    pub markup_basis_points: Option<i32>,
    pub effective_from: Date,
    pub created_at: DateTimeUtc,
    pub created_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::products::Entity", from = "Column::ProductId", to = "super::products::Column::Id")]
    Product,
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
