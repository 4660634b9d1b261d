//! The `brand_hosts` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "brand_hosts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub brand_id: i32,
    #[sea_orm(unique)]
    pub host: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::brands::Entity", from = "Column::BrandId", to = "super::brands::Column::Id")]
    Brand,
}

impl Related<super::brands::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Brand.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
