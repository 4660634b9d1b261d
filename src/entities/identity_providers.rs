//! The `identity_providers` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "identity_providers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub kind: IdpKind,
    pub issuer: String,
    pub client_id: String,
    #[sea_orm(column_type = "Text")]
    pub client_secret_enc: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub allowed_tenants: Option<String>,
    pub hosted_domain: Option<String>,
    pub active: bool,
    pub visible: bool,
    pub allow_automatic_registration: bool,
    /// Automatic registration may use an e-mail the provider does not mark verified.
    pub trust_unverified_email: bool,
    #[sea_orm(column_type = "Text")]
    pub logo: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
