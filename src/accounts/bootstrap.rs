//! The first provider admin of a fresh installation (`stratus create-admin`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::{check_name, store};
use crate::branding::Brand;
use crate::entities::enums::{AccountTier, UserRole};
use crate::entities::{accounts, brands, users};
use crate::error::AppError;
use crate::identity::{local, password};

/// Why the first admin was not created.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BootstrapError {
    /// The e-mail or a name is not acceptable (the message says how).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Password(#[from] password::NewPasswordError),
    #[error("A user with the e-mail {0} already exists.")]
    EmailTaken(String),
    #[error("{0}")]
    Failed(String),
}

impl From<sea_orm::DbErr> for BootstrapError {
    fn from(error: sea_orm::DbErr) -> Self {
        BootstrapError::Failed(error.to_string())
    }
}

impl From<AppError> for BootstrapError {
    fn from(error: AppError) -> Self {
        BootstrapError::Failed(error.to_string())
    }
}

/// Creates the provider account (when there is none) and a provider admin in it.
pub async fn create_provider_admin(
    db: &DatabaseConnection,
    provider_name: &str,
    email: &str,
    name: &str,
    new_password: &str,
) -> Result<(), BootstrapError> {
    let email = local::check_email(email).map_err(BootstrapError::Invalid)?;
    let (name, provider_name) = match (check_name(name), check_name(provider_name)) {
        (Ok(name), Ok(provider_name)) => (name, provider_name),
        (Err(message), _) | (_, Err(message)) => return Err(BootstrapError::Invalid(message)),
    };
    password::check_new_password(new_password, new_password)?;
    if users::Entity::find().filter(users::Column::Email.eq(&email)).one(db).await?.is_some() {
        return Err(BootstrapError::EmailTaken(email));
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
    let by = crate::audit::AuditActor::system("command line", None);
    let changes = [
        crate::audit::Change::set("e-mail", &email),
        crate::audit::Change::set("role", UserRole::ProviderAdmin.label()),
    ];
    let target = format!("user {email} of {}", provider.code);
    crate::audit::record(&txn, &by, Some(provider.id), "provider admin created", &target, &changes).await?;
    users::ActiveModel {
        joined_at: Set(Some(Utc::now())),
        account_id: Set(provider.id),
        email: Set(email),
        name: Set(name),
        role: Set(UserRole::ProviderAdmin),
        password_hash: Set(Some(hash)),
        failed_logins: Set(0),
        email_verified_at: Set(Some(Utc::now())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}
