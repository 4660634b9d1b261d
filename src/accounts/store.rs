//! Reading accounts and users, always through the viewer's scope.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::scope::AccountScope;
use super::Viewer;
use crate::entities::enums::AccountTier;
use crate::entities::{accounts, users};
use crate::error::{AppError, AppResult};
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// The viewer for a signed-in user id, or `None` when the user no longer exists.
pub(crate) async fn viewer_for_user(db: &DatabaseConnection, user_id: i32) -> AppResult<Option<Viewer>> {
    // One statement: the user and the account it belongs to.
    let found = users::Entity::find_by_id(user_id).find_also_related(accounts::Entity).one(db).await?;
    let Some((user, Some(account))) = found else {
        return Ok(None);
    };
    // Deactivated, or the account suspended since: the session is over.
    if super::may_sign_in(&user, &account).is_err() {
        return Ok(None);
    }
    Ok(Some(Viewer { user, account }))
}

pub(crate) async fn provider_account(db: &DatabaseConnection) -> AppResult<Option<accounts::Model>> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Tier.eq(AccountTier::Provider))
        .order_by_asc(accounts::Column::Id)
        .one(db)
        .await?)
}

pub(crate) async fn find_by_id(db: &DatabaseConnection, id: i32) -> AppResult<Option<accounts::Model>> {
    Ok(accounts::Entity::find_by_id(id).one(db).await?)
}

/// An account by its code, or 404 when it does not exist or lies outside the scope.
/// Whether a code from a URL could name an account at all (short, no control characters,
/// which PostgreSQL would refuse): anything else is a 404 without asking the database.
pub(crate) fn plausible_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && !code.chars().any(char::is_control)
}

pub(crate) async fn find_by_code(
    db: &DatabaseConnection,
    scope: AccountScope,
    code: &str,
) -> AppResult<accounts::Model> {
    if !plausible_code(code) {
        return Err(AppError::NotFound);
    }
    accounts::Entity::find()
        .filter(accounts::Column::Code.eq(code))
        .filter(scope.condition(accounts::Column::Id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Accounts by name (then id), as the account lists page them.
fn by_name(list: &str) -> Keyset {
    Keyset::new(list, vec![Term::asc(accounts::Column::Name), Term::asc(accounts::Column::Id)])
}

fn account_key(account: &accounts::Model) -> Vec<sea_orm::Value> {
    vec![account.name.clone().into(), account.id.into()]
}

/// Accounts in scope, optionally of one tier, by name.
pub(crate) async fn list(
    db: &DatabaseConnection,
    scope: AccountScope,
    tier: Option<AccountTier>,
    page: PageQuery,
) -> AppResult<Paged<accounts::Model>> {
    let mut select = accounts::Entity::find().filter(scope.condition(accounts::Column::Id));
    if let Some(tier) = tier {
        select = select.filter(accounts::Column::Tier.eq(tier));
    }
    fetch_page(db, select, &by_name("accounts"), account_key, &page).await
}

/// The customers of one reseller (its children), by name.
pub(crate) async fn customers_of(
    db: &DatabaseConnection,
    reseller_id: i32,
    page: PageQuery,
) -> AppResult<Paged<accounts::Model>> {
    let select = accounts::Entity::find().filter(accounts::Column::ParentId.eq(reseller_id));
    fetch_page(db, select, &by_name("customers"), account_key, &page).await
}

pub(crate) async fn users_of(db: &DatabaseConnection, account_id: i32) -> AppResult<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::AccountId.eq(account_id))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await?)
}

/// Users in scope, by e-mail.
pub(crate) async fn list_users(
    db: &DatabaseConnection,
    scope: AccountScope,
    page: PageQuery,
) -> AppResult<Paged<users::Model>> {
    let select = users::Entity::find().filter(scope.condition(users::Column::AccountId));
    let keyset = Keyset::new("users", vec![Term::asc(users::Column::Email), Term::asc(users::Column::Id)]);
    fetch_page(db, select, &keyset, |u| vec![u.email.clone().into(), u.id.into()], &page).await
}

/// A user in scope, or 404.
pub(crate) async fn find_user(db: &DatabaseConnection, scope: AccountScope, user_id: i32) -> AppResult<users::Model> {
    users::Entity::find_by_id(user_id)
        .filter(scope.condition(users::Column::AccountId))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Saves a user's display name (already checked with `check_name`).
pub(crate) async fn rename_user(db: &DatabaseConnection, user: &users::Model, name: String) -> AppResult<users::Model> {
    let mut active: users::ActiveModel = user.clone().into();
    active.name = Set(name);
    Ok(active.update(db).await?)
}

/// (code, name) of the accounts in scope, by name (at most 500): suggestions for a field.
pub(crate) async fn names_in_scope(db: &DatabaseConnection, scope: AccountScope) -> AppResult<Vec<(String, String)>> {
    use sea_orm::QuerySelect;
    Ok(accounts::Entity::find()
        .filter(scope.condition(accounts::Column::Id))
        .order_by_asc(accounts::Column::Name)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.name))
        .collect())
}
