//! API clients and their access tokens. A client belongs to the provider or a reseller and
//! sees what that account sees. Client secrets and access tokens are random (256 bits)
//! and stored only as SHA-256 hashes: shown once, never readable again. Revoking a client
//! deletes its tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::scope::AccountScope;
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::AccountTier;
use crate::entities::{accounts, api_clients, api_tokens};
use crate::error::AppResult;
use crate::identity::events;

/// How long an access token lives.
pub(crate) const TOKEN_SECONDS: i64 = 3_600;
/// The most clients one account may have.
pub(crate) const MAX_CLIENTS: u64 = 50;

fn random_text(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The stored form of a secret or token.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A client just created, with its secret (shown once).
#[derive(Debug, Clone)]
pub struct NewClient {
    pub client: api_clients::Model,
    pub secret: String,
}

/// Why a client was not created.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("API clients belong to the provider or a reseller, not to a customer.")]
    CustomerAccount,
    #[error("Name the client (at most 100 characters), for example the system that will use it.")]
    BadName,
    #[error("An active client named “{0}” exists already; choose another name.")]
    NameTaken(String),
    #[error("An account may have at most {MAX_CLIENTS} API clients.")]
    TooMany,
    #[error(transparent)]
    Failed(#[from] crate::error::AppError),
}

crate::error::refusals!(ClientError);

fn audit_target(account: &accounts::Model) -> String {
    format!("API client of {}", account.code)
}

/// Creates a client for a provider or reseller account (the admin page, and `stratus
/// api-client create`), with its audit entry and security event.
pub async fn create(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    name: &str,
) -> Result<NewClient, ClientError> {
    let txn = db.begin().await?;
    let new = create_with(&txn, account, name, format!("stc_{}", random_text(12)), random_text(32)).await?;
    let client = &new.client;
    let changes = [
        Change::set("client id", &client.client_id),
        Change::set("name", &client.name),
        Change::secret("client secret"),
    ];
    audit::record(&txn, by, Some(account.id), "API client created", &audit_target(account), &changes).await?;
    let detail = format!("API client “{}” ({}) created", client.name, client.client_id);
    events::record(&txn, events::SETTINGS_CHANGED, by.user_id, by.account_id, Some(detail), None).await?;
    txn.commit().await?;
    Ok(new)
}

/// [`create`] with the id and secret given: only for the demo data's client, whose
/// secret is printed at every start like the demo password.
pub(crate) async fn create_with<C: ConnectionTrait>(
    db: &C,
    account: &accounts::Model,
    name: &str,
    client_id: String,
    secret: String,
) -> Result<NewClient, ClientError> {
    let name = name.trim();
    if account.tier == AccountTier::Customer {
        return Err(ClientError::CustomerAccount);
    }
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ClientError::BadName);
    }
    let mine = api_clients::Entity::find().filter(api_clients::Column::AccountId.eq(account.id));
    if mine
        .clone()
        .filter(api_clients::Column::Name.eq(name))
        .filter(api_clients::Column::Active.eq(true))
        .one(db)
        .await?
        .is_some()
    {
        return Err(ClientError::NameTaken(name.to_string()));
    }
    if mine.count(db).await? >= MAX_CLIENTS {
        return Err(ClientError::TooMany);
    }
    let client = api_clients::ActiveModel {
        account_id: Set(account.id),
        name: Set(name.to_string()),
        client_id: Set(client_id),
        secret_hash: Set(hash(&secret)),
        active: Set(true),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewClient { client, secret })
}

/// The account's clients, newest first.
pub(crate) async fn of_account<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Vec<api_clients::Model>> {
    Ok(api_clients::Entity::find()
        .filter(api_clients::Column::AccountId.eq(account_id))
        .order_by_desc(api_clients::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the account's clients and deletes its tokens, with its audit entry and
/// security event; `false` when the account has no such active client.
pub(crate) async fn revoke(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    id: i32,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    let found = api_clients::Entity::find_by_id(id)
        .filter(api_clients::Column::AccountId.eq(account.id))
        .filter(api_clients::Column::Active.eq(true))
        .one(&txn)
        .await?;
    let Some(client) = found else { return Ok(false) };
    api_clients::ActiveModel {
        id: Set(client.id),
        active: Set(false),
        revoked_at: Set(Some(Utc::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    api_tokens::Entity::delete_many().filter(api_tokens::Column::ApiClientId.eq(client.id)).exec(&txn).await?;
    let changes = [Change::new("client", id, "(revoked)")];
    audit::record(&txn, by, Some(account.id), "API client revoked", &audit_target(account), &changes).await?;
    let detail = format!("API client {id} revoked");
    events::record(&txn, events::SETTINGS_CHANGED, by.user_id, by.account_id, Some(detail), None).await?;
    txn.commit().await?;
    Ok(true)
}

/// The active client whose id and secret these are.
pub(crate) async fn authenticate<C: ConnectionTrait>(
    db: &C,
    client_id: &str,
    secret: &str,
) -> AppResult<Option<api_clients::Model>> {
    if client_id.len() > 100 || secret.len() > 200 {
        return Ok(None);
    }
    let found = api_clients::Entity::find()
        .filter(api_clients::Column::ClientId.eq(client_id))
        .filter(api_clients::Column::Active.eq(true))
        .one(db)
        .await?;
    let presented = hash(secret);
    Ok(found.filter(|client| bool::from(client.secret_hash.as_bytes().ct_eq(presented.as_bytes()))))
}

/// A new access token for `client`, and its lifetime in seconds. The client's expired
/// tokens are cleared on the way.
pub(crate) async fn issue_token<C: ConnectionTrait>(
    db: &C,
    client: &api_clients::Model,
    now: DateTime<Utc>,
) -> AppResult<(String, i64)> {
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::ApiClientId.eq(client.id))
        .filter(api_tokens::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    let token = random_text(32);
    api_tokens::ActiveModel {
        api_client_id: Set(client.id),
        token_hash: Set(hash(&token)),
        expires_at: Set(now + Duration::seconds(TOKEN_SECONDS)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, TOKEN_SECONDS))
}

/// Who calls the API with a token.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub client: api_clients::Model,
    pub scope: AccountScope,
}

/// The scope an account's clients see: everything for the provider, itself and its
/// customers for a reseller.
pub(crate) fn scope_of(account: &accounts::Model) -> AccountScope {
    match account.tier {
        AccountTier::Provider => AccountScope::All,
        AccountTier::Reseller => AccountScope::Reseller(account.id),
        AccountTier::Customer => AccountScope::Own(account.id),
    }
}

/// The caller a bearer token stands for: unexpired, of an active client.
pub(crate) async fn caller_of_token<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Caller>> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let found = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(hash(token)))
        .filter(api_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    let Some(token) = found else { return Ok(None) };
    let Some((client, Some(account))) = api_clients::Entity::find_by_id(token.api_client_id)
        .filter(api_clients::Column::Active.eq(true))
        .find_also_related(accounts::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // A suspended account's clients call nothing until it is reactivated.
    if account.status != crate::entities::enums::AccountStatus::Active {
        return Ok(None);
    }
    let scope = scope_of(&account);
    Ok(Some(Caller { client, scope }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_stored_as_hashes() {
        let (a, b) = (random_text(32), random_text(32));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits, base64url");
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
