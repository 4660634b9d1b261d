//! The `reservation_prices` table: a reserved instance's price per term, payment plan and
//! currency. An `upfront` amount pays the whole term; a `monthly` amount is per month.

use super::enums::RiPaymentPlan;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reservation_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub product_id: i32,
    pub term_years: i32,
    pub payment_plan: RiPaymentPlan,
    pub currency: String,
    pub amount: i64,
    pub unit_cost: i64,
    /// Valid from this day until the next row's (for the same product, term, plan and currency).
    pub effective_from: Date,
    pub created_at: Option<DateTimeUtc>,
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
