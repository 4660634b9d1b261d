//! The `audit_log` table: every administrative change, who made it, from where, and what
//! changed (old → new, secrets masked).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<i32>,
    /// The actor's own account (a reseller's view names the provider's staff only as "the provider").
    pub actor_account_id: Option<i32>,
    pub actor_email: Option<String>,
    /// The account the change belongs to (for scoping: a reseller sees its own tree).
    pub account_id: Option<i32>,
    pub action: String,
    pub target: String,
    #[sea_orm(column_type = "Text")]
    pub changes: String,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
