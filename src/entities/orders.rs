//! The `orders` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub number: String,
    pub account_id: i32,
    pub user_id: Option<i32>,
    pub status: OrderStatus,
    pub currency: String,
    /// The net amount of the items (list prices are net).
    pub subtotal: i64,
    /// VAT on the subtotal, by `billing::tax::vat`.
    pub tax: i64,
    /// The VAT rate the order was taxed at (1900 = 19%).
    pub vat_basis_points: i32,
    /// What the customer pays: subtotal + tax.
    pub total: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    /// Why this paid order needs an admin (its subscriptions could not be created), or None.
    #[sea_orm(column_type = "Text")]
    pub attention: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
    #[sea_orm(belongs_to = "super::users::Entity", from = "Column::UserId", to = "super::users::Column::Id")]
    User,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
