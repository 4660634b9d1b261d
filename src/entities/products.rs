//! The `products` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub kind: ProductKind,
    pub vendor: String,
    /// The catalogue's grouping (Microsoft 365, Azure, …).
    pub family: ProductFamily,
    /// The invoice items' "Usage" of this product (see `billing::usage`).
    pub usage_family: String,
    pub billing_cycle: BillingCycle,
    pub term_months: i32,
    pub minimum_commitment: Option<i64>,
    /// The product an add-on is for (one: the schema holds one base product per add-on).
    pub base_product_id: Option<i32>,
    /// A reserved instance's preselected choices on its product page; what it offers is in
    /// `reservation_options` and its prices in `reservation_prices`.
    pub ri_reservation_type: Option<String>,
    pub ri_term_years: Option<i32>,
    pub ri_scope: Option<String>,
    pub ri_region: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::products::Entity",
        from = "Column::BaseProductId",
        to = "super::products::Column::Id"
    )]
    BaseProduct,
}

impl ActiveModelBehavior for ActiveModel {}
