//! The `outbox_messages` table: every e-mail, written with the change that causes it and
//! sent by the outbox job.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::enums::{MailKind, OutboxStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: MailKind,
    pub account_id: Option<i32>,
    pub user_id: Option<i32>,
    /// The brand's name, shown as the sender.
    pub from_name: String,
    /// The brand's support address.
    pub reply_to: Option<String>,
    pub to_address: String,
    pub to_name: Option<String>,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    /// The body carries a single-use link: it is blanked once sent.
    pub sensitive: bool,
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
