//! The `api_tokens` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub api_client_id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::api_clients::Entity",
        from = "Column::ApiClientId",
        to = "super::api_clients::Column::Id"
    )]
    ApiClient,
}

impl Related<super::api_clients::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiClient.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
