//! The `order_items` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "order_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub product_id: i32,
    pub subscription_id: Option<i32>,
    pub description: String,
    pub quantity: i32,
    pub unit_price: i64,
    pub total: i64,
    /// What the item cost its seller (the provider's cost), per unit: the margin's other half.
    pub unit_cost: i64,
    pub ri_reservation_type: Option<String>,
    pub ri_term_years: Option<i32>,
    pub ri_scope: Option<String>,
    pub ri_region: Option<String>,
    /// How a reservation is paid: `upfront` (the whole term) or `monthly`.
    pub ri_payment_plan: Option<super::enums::RiPaymentPlan>,
    /// Whether the customer chose to renew the reservation when its term ends.
    pub ri_auto_renew: bool,
    /// A ramp-up period (months) chosen for a consumption product with a minimum commitment.
    pub ramp_up_months: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::orders::Entity", from = "Column::OrderId", to = "super::orders::Column::Id")]
    Order,
    #[sea_orm(belongs_to = "super::products::Entity", from = "Column::ProductId", to = "super::products::Column::Id")]
    Product,
    #[sea_orm(
        belongs_to = "super::subscriptions::Entity",
        from = "Column::SubscriptionId",
        to = "super::subscriptions::Column::Id"
    )]
    Subscription,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl Related<super::subscriptions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Subscription.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
