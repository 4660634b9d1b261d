//! The provider admin's resellers: create one with its first admin (invited by e-mail),
//! edit its details, suspend and reactivate it. A suspended reseller's own users cannot
//! sign in, its custom host answers "temporarily unavailable", its customers keep their
//! service (and sign in on the provider's host) and billing runs skip them until it is
//! reactivated.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};

use super::customers::{self, CustomerError, CustomerFields};
use super::signup::FieldError;
use super::{admin_role, check_name, Viewer};
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::{AccountTier, TokenPurpose};
use crate::entities::{accounts, users};
use crate::error::{AppError, AppResult};
use crate::identity::local;
use crate::mail::{tokens, Site};

/// Days an invitation link works.
pub(crate) const INVITATION_DAYS: i64 = 7;

/// The reseller's first admin, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FirstAdmin {
    pub name: String,
    pub email: String,
}

/// Checks the first admin's name and e-mail (each error naming its field).
pub(crate) fn check_admin(name: &str, email: &str) -> Result<FirstAdmin, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = check_name(name).map_err(|e| errors.push(("admin_name", e))).ok();
    let email = local::check_email(email).map_err(|e| errors.push(("admin_email", e))).ok();
    match (name, email) {
        (Some(name), Some(email)) => Ok(FirstAdmin { name, email }),
        _ => Err(errors),
    }
}

/// A reseller by code, for the provider admin only; 404 for anything else.
pub(crate) async fn find<C: ConnectionTrait>(db: &C, viewer: &Viewer, code: &str) -> AppResult<accounts::Model> {
    if !viewer.is_provider_admin() || !super::store::plausible_code(code) {
        return Err(AppError::NotFound);
    }
    accounts::Entity::find()
        .filter(accounts::Column::Code.eq(code))
        .filter(accounts::Column::Tier.eq(AccountTier::Reseller))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Issues the first admin's invitation (7 days) and writes its e-mail: "You are invited to
/// {brand}" with the link `{base}/invitation/{token}`.
pub(crate) async fn invite_first_admin<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    account: &accounts::Model,
    user: &users::Model,
) -> AppResult<()> {
    let token = tokens::issue(db, user.id, TokenPurpose::Invitation, Duration::days(INVITATION_DAYS)).await?;
    crate::mail::messages::first_admin_invitation(db, site, account, user, &token, INVITATION_DAYS).await?;
    Ok(())
}

/// Creates a reseller of the provider and its first admin (not joined yet: invited by
/// e-mail), audited, in one transaction.
pub(crate) async fn create(
    db: &DatabaseConnection,
    site: &Site,
    viewer: &Viewer,
    ip: Option<String>,
    fields: CustomerFields,
    admin: FirstAdmin,
) -> Result<accounts::Model, CustomerError> {
    if !viewer.is_provider_admin() {
        return Err(AppError::NotFound.into());
    }
    let txn = db.begin().await?;
    if users::Entity::find().filter(users::Column::Email.eq(&admin.email)).count(&txn).await? > 0 {
        return Err(CustomerError::EmailInUse(admin.email));
    }
    let account = customers::insert_account(&txn, AccountTier::Reseller, viewer.account.id, &fields).await?;
    let inserted = users::ActiveModel {
        account_id: Set(account.id),
        email: Set(admin.email.clone()),
        name: Set(admin.name.clone()),
        role: Set(admin_role(AccountTier::Reseller)),
        password_hash: Set(None),
        failed_logins: Set(0),
        active: Set(true),
        joined_at: Set(None),
        invited_by: Set(Some(viewer.user.id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(e) if crate::error::is_unique_violation(&e) => return Err(CustomerError::EmailInUse(admin.email)),
        Err(e) => return Err(e.into()),
    };
    let mut changes = customers::detail_changes(None, &account);
    changes.push(Change::set("first admin", &admin.email));
    let target = format!("account {}", account.code);
    audit::record(&txn, &AuditActor::of(viewer, ip), Some(account.id), "reseller created", &target, &changes).await?;
    invite_first_admin(&txn, site, &account, &user).await?;
    txn.commit().await?;
    Ok(account)
}

/// Saves a reseller's details (its code and CSP cut-off day stay), audited.
pub(crate) async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    fields: CustomerFields,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let old = find(&txn, viewer, code).await?;
    let fields = CustomerFields { code: old.code.clone(), csp_cutoff_day: old.csp_cutoff_day, ..fields };
    let new = customers::save_details(&txn, &AuditActor::of(viewer, ip), old, &fields, "reseller updated").await?;
    txn.commit().await?;
    Ok(new)
}

/// Suspends or reactivates a reseller, audited.
pub(crate) async fn set_status(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    suspend: bool,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let account = find(&txn, viewer, code).await?;
    let account = customers::save_status(&txn, viewer, ip, account, suspend).await?;
    txn.commit().await?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_admin_needs_a_name_and_an_address() {
        assert_eq!(
            check_admin(" Rosa Díaz ", "Rosa@Sur.example"),
            Ok(FirstAdmin { name: "Rosa Díaz".into(), email: "rosa@sur.example".into() })
        );
        let fields: Vec<&str> = check_admin("", "nope").unwrap_err().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["admin_name", "admin_email"]);
    }
}
