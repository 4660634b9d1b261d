//! The `users` table.

use super::enums::*;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: UserRole,
    #[sea_orm(column_type = "Text")]
    pub password_hash: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub failed_logins: i32,
    pub last_login_at: Option<DateTimeUtc>,
    pub password_changed_at: Option<DateTimeUtc>,
    /// Sessions that began in another generation are signed out (see `identity::session`).
    pub session_generation: i32,
    /// Lockouts in a row since the last right password (each lasts twice as long).
    pub lockouts: i32,
    /// When the user proved the address (a mailed link, an admin, or a provider vouching).
    pub email_verified_at: Option<DateTimeUtc>,
    /// False once deactivated: cannot sign in; history kept.
    pub active: bool,
    /// When the user joined; none while an invitation waits to be accepted.
    pub joined_at: Option<DateTimeUtc>,
    pub invited_by: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The user's language (`es-CL`, `en`); none: the browser's, else the brand's.
    pub language: Option<String>,
    /// The user's IANA time zone; none: the brand's.
    pub time_zone: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::accounts::Entity", from = "Column::AccountId", to = "super::accounts::Column::Id")]
    Account,
}

impl Related<super::accounts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
