//! The `subscription_history` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "subscription_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub subscription_id: i32,
    pub addon_id: Option<i32>,
    pub field: HistoryField,
    #[sea_orm(column_type = "Text")]
    pub old_value: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub new_value: Option<String>,
    pub actor_kind: ActorKind,
    pub actor_user_id: Option<i32>,
    pub actor_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
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
    #[sea_orm(belongs_to = "super::users::Entity", from = "Column::ActorUserId", to = "super::users::Column::Id")]
    ActorUser,
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

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ActorUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
