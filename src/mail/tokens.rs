//! Single-use tokens carried by mailed links (password reset, e-mail verification): 256
//! random bits, sent once, stored only as their SHA-256 hash, valid for a limited time,
//! spent by a conditional update so two clicks cannot both use one.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entities::enums::TokenPurpose;
use crate::entities::{user_tokens, users};
use crate::error::AppResult;

fn hash(raw: &str) -> String {
    Sha256::digest(raw.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `raw` could be a token at all (43 URL-safe base64 characters); anything else is
/// refused before the database is asked.
pub(crate) fn well_formed(raw: &str) -> bool {
    raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Issues a token for `user` and returns it (the only time it exists in clear).
pub(crate) async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    purpose: TokenPurpose,
    valid_for: Duration,
) -> AppResult<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let raw = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    user_tokens::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(hash(&raw)),
        created_at: Set(now),
        expires_at: Set(now + valid_for),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(raw)
}

/// The unspent, unexpired token `raw` for `purpose`, with its user.
pub(crate) async fn find_valid<C: ConnectionTrait>(
    db: &C,
    raw: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> AppResult<Option<(user_tokens::Model, users::Model)>> {
    if !well_formed(raw) {
        return Ok(None);
    }
    valid_with_user(db, user_tokens::Column::TokenHash.eq(hash(raw)), purpose, now).await
}

/// The same for a token row found earlier by its link (a flow that went through an
/// identity provider keeps the row's id, never the link).
pub(crate) async fn find_valid_by_id<C: ConnectionTrait>(
    db: &C,
    id: i32,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> AppResult<Option<(user_tokens::Model, users::Model)>> {
    valid_with_user(db, user_tokens::Column::Id.eq(id), purpose, now).await
}

async fn valid_with_user<C: ConnectionTrait>(
    db: &C,
    which: sea_orm::sea_query::SimpleExpr,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> AppResult<Option<(user_tokens::Model, users::Model)>> {
    let found = user_tokens::Entity::find()
        .filter(which)
        .filter(user_tokens::Column::Purpose.eq(purpose))
        .filter(user_tokens::Column::UsedAt.is_null())
        .filter(user_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    let Some(token) = found else { return Ok(None) };
    let user = users::Entity::find_by_id(token.user_id).one(db).await?;
    Ok(user.map(|user| (token, user)))
}

/// Spends the token; false when it was already spent (by a second click or another tab).
pub(crate) async fn spend<C: ConnectionTrait>(db: &C, token_id: i32, now: DateTime<Utc>) -> AppResult<bool> {
    let spent = user_tokens::Entity::update_many()
        .col_expr(user_tokens::Column::UsedAt, Expr::value(now))
        .filter(user_tokens::Column::Id.eq(token_id))
        .filter(user_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// Spends every outstanding token of the user for `purpose` (after a reset, the other
/// reset links stop working).
pub(crate) async fn spend_all<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> AppResult<()> {
    user_tokens::Entity::update_many()
        .col_expr(user_tokens::Column::UsedAt, Expr::value(now))
        .filter(user_tokens::Column::UserId.eq(user_id))
        .filter(user_tokens::Column::Purpose.eq(purpose))
        .filter(user_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// How many tokens for `purpose` the user was sent since `since` (a per-address limit).
pub(crate) async fn issued_since<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    purpose: TokenPurpose,
    since: DateTime<Utc>,
) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(user_tokens::Entity::find()
        .filter(user_tokens::Column::UserId.eq(user_id))
        .filter(user_tokens::Column::Purpose.eq(purpose))
        .filter(user_tokens::Column::CreatedAt.gt(since))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_shaped_strings_are_looked_up() {
        assert!(well_formed(&"a".repeat(43)));
        assert!(!well_formed(&"a".repeat(42)));
        assert!(!well_formed(&format!("{}%", "a".repeat(42))));
        assert_eq!(hash("x").len(), 64);
    }
}
