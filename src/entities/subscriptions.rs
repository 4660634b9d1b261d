//! The `subscriptions` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub product_id: i32,
    pub name: String,
    pub quantity: i32,
    pub status: SubscriptionStatus,
    pub start_date: Date,
    pub term_end_date: Date,
    pub auto_renew: bool,
    pub prepaid: bool,
    pub external_id: Option<String>,
    pub ramp_up_months: Option<i32>,
    pub ramp_up_end: Option<Date>,
    pub ri_reservation_type: Option<String>,
    pub ri_term_years: Option<i32>,
    pub ri_scope: Option<String>,
    pub ri_region: Option<String>,
    /// How a reservation is paid: `upfront` (each term) or `monthly`.
    pub ri_payment_plan: Option<RiPaymentPlan>,
    pub canceled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
    #[sea_orm(belongs_to = "super::products::Entity", from = "Column::ProductId", to = "super::products::Column::Id")]
    Product,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::products::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
