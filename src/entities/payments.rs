//! The `payments` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub invoice_id: Option<i32>,
    #[sea_orm(unique)]
    pub webpay_transaction_id: Option<i32>,
    pub account_id: i32,
    pub amount: i64,
    pub currency: String,
    pub method: String,
    pub paid_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::orders::Entity", from = "Column::OrderId", to = "super::orders::Column::Id")]
    Order,
    #[sea_orm(belongs_to = "super::invoices::Entity", from = "Column::InvoiceId", to = "super::invoices::Column::Id")]
    Invoice,
    #[sea_orm(
        belongs_to = "super::webpay_transactions::Entity",
        from = "Column::WebpayTransactionId",
        to = "super::webpay_transactions::Column::Id"
    )]
    WebpayTransaction,
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::invoices::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invoice.def()
    }
}

impl Related<super::webpay_transactions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebpayTransaction.def()
    }
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
