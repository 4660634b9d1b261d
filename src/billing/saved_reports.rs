//! Saved reports: a named report definition kept for an account (provider or reseller) and
//! re-run from the list. The definition is checked again, and scoped, whenever it runs.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::billing::report::Definition;
use crate::entities::saved_reports;
use crate::error::{AppError, AppResult};

/// The most reports one account keeps.
pub(crate) const MAX_SAVED: u64 = 100;

/// A saved report with its definition read back.
#[derive(Debug, Clone)]
pub(crate) struct SavedReport {
    pub id: i32,
    pub name: String,
    pub definition: Definition,
}

/// The account's saved reports, by name. A definition that no longer reads is left out.
pub(crate) async fn list<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Vec<SavedReport>> {
    let rows = saved_reports::Entity::find()
        .filter(saved_reports::Column::AccountId.eq(account_id))
        .order_by_asc(saved_reports::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let definition = serde_json::from_str(&row.definition).ok()?;
            Some(SavedReport { id: row.id, name: row.name, definition })
        })
        .collect())
}

/// Why a report was not saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SaveReportError {
    #[error("Name the report (at most 100 characters).")]
    BadName,
    #[error("A report named “{0}” is already saved; choose another name.")]
    NameTaken(String),
    #[error("At most {MAX_SAVED} reports can be saved; delete one first.")]
    TooMany,
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(SaveReportError);

impl SaveReportError {
    /// The refusal said in `loc`'s language (the reports page's); `Display` stays English.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            SaveReportError::BadName => loc.t("reports-error-save-name"),
            SaveReportError::NameTaken(name) => {
                crate::i18n::tr!(loc, "reports-error-save-name-taken", name = name.as_str())
            }
            SaveReportError::TooMany => crate::i18n::tr!(loc, "reports-error-save-too-many", max = MAX_SAVED),
            SaveReportError::Failed(error) => error.to_string(),
        }
    }
}

/// Saves `definition` as `name` for the account; the name is unique per account.
pub(crate) async fn save<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    user_id: i32,
    name: &str,
    definition: &Definition,
) -> Result<(), SaveReportError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(SaveReportError::BadName);
    }
    let mine = saved_reports::Entity::find().filter(saved_reports::Column::AccountId.eq(account_id));
    if mine.clone().filter(saved_reports::Column::Name.eq(name)).one(db).await?.is_some() {
        return Err(SaveReportError::NameTaken(name.to_string()));
    }
    if mine.count(db).await? >= MAX_SAVED {
        return Err(SaveReportError::TooMany);
    }
    let json = serde_json::to_string(definition).map_err(|e| AppError::Internal(e.to_string()))?;
    saved_reports::ActiveModel {
        account_id: Set(account_id),
        user_id: Set(Some(user_id)),
        name: Set(name.to_string()),
        definition: Set(json),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Deletes one of the account's saved reports; `false` when it has no such report.
pub(crate) async fn delete<C: ConnectionTrait>(db: &C, account_id: i32, id: i32) -> AppResult<bool> {
    let found =
        saved_reports::Entity::find_by_id(id).filter(saved_reports::Column::AccountId.eq(account_id)).one(db).await?;
    match found {
        Some(row) => {
            row.delete(db).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}
