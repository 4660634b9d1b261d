//! The `invoice_items` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "invoice_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub invoice_id: i32,
    pub subscription_id: Option<i32>,
    pub addon_id: Option<i32>,
    pub product_id: Option<i32>,
    pub description: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub quantity: i64,
    pub unit_price: i64,
    pub unit_cost: i64,
    pub total: i64,
    pub total_cost: i64,
    pub usage: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::invoices::Entity", from = "Column::InvoiceId", to = "super::invoices::Column::Id")]
    Invoice,
    #[sea_orm(
        belongs_to = "super::subscriptions::Entity",
        from = "Column::SubscriptionId",
        to = "super::subscriptions::Column::Id"
    )]
    Subscription,
    #[sea_orm(
        belongs_to = "super::subscription_addons::Entity",
        from = "Column::AddonId",
        to = "super::subscription_addons::Column::Id"
    )]
    Addon,
    #[sea_orm(belongs_to = "super::products::Entity", from = "Column::ProductId", to = "super::products::Column::Id")]
    Product,
}

impl Related<super::invoices::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invoice.def()
    }
}

impl Related<super::subscriptions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Subscription.def()
    }
}

impl Related<super::subscription_addons::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Addon.def()
    }
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
