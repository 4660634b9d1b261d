//! The `webpay_transactions` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webpay_transactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    #[sea_orm(unique)]
    pub buy_order: String,
    pub session_id: String,
    #[sea_orm(unique)]
    pub token: Option<String>,
    pub amount: i64,
    pub status: super::enums::TransactionState,
    pub response_code: Option<i32>,
    pub authorization_code: Option<String>,
    pub card_last_digits: Option<String>,
    pub payment_type_code: Option<String>,
    pub installments_number: Option<i32>,
    pub installments_amount: Option<i64>,
    pub transaction_date: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub raw_response: Option<String>,
    pub processed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Made in Transbank's integration (test) environment: no real money.
    pub test: bool,
    /// Why an approval was not taken as its order's payment (it is refunded in full).
    #[sea_orm(column_type = "Text")]
    pub not_taken_reason: Option<String>,
    /// Why this transaction needs an admin (its automatic refund did not go through), or None.
    #[sea_orm(column_type = "Text")]
    pub attention: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::orders::Entity", from = "Column::OrderId", to = "super::orders::Column::Id")]
    Order,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
