//! The first provider admin of a fresh installation (`stratus create-admin`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::{check_name, store};
use crate::branding::Brand;
use crate::entities::enums::{AccountTier, UserRole};
use crate::entities::{accounts, brands, users};
use crate::error::AppResult;
use crate::identity::{local, password};

/// Creates the provider account (when there is none) and a provider admin in it.
/// `Ok(Err(message))` when the input is refused.
pub async fn create_provider_admin(
    db: &DatabaseConnection,
    provider_name: &str,
    email: &str,
    name: &str,
    new_password: &str,
) -> AppResult<Result<(), String>> {
    let email = match local::check_email(email) {
        Ok(email) => email,
        Err(message) => return Ok(Err(message)),
    };
    let (name, provider_name) = match (check_name(name), check_name(provider_name)) {
        (Ok(name), Ok(provider_name)) => (name, provider_name),
        (Err(message), _) | (_, Err(message)) => return Ok(Err(message)),
    };
    if let Err(message) = password::check_new_password(new_password, new_password) {
        return Ok(Err(message.to_string()));
    }
    if users::Entity::find().filter(users::Column::Email.eq(&email)).one(db).await?.is_some() {
        return Ok(Err(format!("A user with the e-mail {email} already exists.")));
    }
    let hash = password::hash(new_password)?;
    let txn = db.begin().await?;
    let provider = match store::provider_account(db).await? {
        Some(provider) => provider,
        None => {
            let now = Utc::now();
            let provider = accounts::ActiveModel {
                tier: Set(AccountTier::Provider),
                parent_id: Set(None),
                code: Set("PROVIDER".into()),
                name: Set(provider_name.clone()),
                currency: Set("CLP".into()),
                branding_enabled: Set(true),
                csp_cutoff_day: Set(1),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let defaults = Brand::fallback();
            brands::ActiveModel {
                account_id: Set(provider.id),
                company_name: Set(provider_name),
                primary_color: Set(defaults.primary_color),
                accent_color: Set(defaults.accent_color),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            provider
        }
    };
    users::ActiveModel {
        account_id: Set(provider.id),
        email: Set(email),
        name: Set(name),
        role: Set(UserRole::ProviderAdmin),
        password_hash: Set(Some(hash)),
        failed_logins: Set(0),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}
