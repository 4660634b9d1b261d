//! The `auth_settings` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "auth_settings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub allow_local_login: bool,
    pub max_failed_logins: i32,
    pub lockout_minutes: i32,
    pub password_grant_enabled: bool,
    /// Admin → Authentication options → "Allow sign-up".
    pub allow_sign_up: bool,
    /// New accounts from sign-up wait for their seller's approval.
    pub sign_up_needs_approval: bool,
    /// Admin → Authentication options → "Require a second factor": who must have one.
    pub require_second_factor: super::enums::SecondFactorRule,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
