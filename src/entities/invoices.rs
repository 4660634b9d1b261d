//! The `invoices` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub number: String,
    pub account_id: i32,
    pub bill_to_account_id: i32,
    pub invoice_type: InvoiceType,
    pub status: InvoiceStatus,
    pub currency: String,
    pub issue_date: Date,
    pub billing_period: Option<String>,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    /// The VAT rate `tax` was computed at (1900 = 19%).
    pub vat_basis_points: i32,
    pub credits_invoice_id: Option<i32>,
    pub order_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
    #[sea_orm(
        belongs_to = "super::accounts::Entity",
        from = "Column::BillToAccountId",
        to = "super::accounts::Column::Id"
    )]
    BillToAccount,
    #[sea_orm(
        belongs_to = "super::invoices::Entity",
        from = "Column::CreditsInvoiceId",
        to = "super::invoices::Column::Id"
    )]
    CreditsInvoice,
    #[sea_orm(belongs_to = "super::orders::Entity", from = "Column::OrderId", to = "super::orders::Column::Id")]
    Order,
}

impl Related<super::orders::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
