//! Server-side sessions in the database (tower-sessions on sea-orm's own sqlx pool),
//! and what Stratus keeps in them.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::Session;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::devices::Device;
use crate::entities::{user_sessions, users};
use crate::error::{AppError, AppResult};

const USER_ID: &str = "uid";
const AUTH_AT: &str = "auth_at";
const FLASH: &str = "flash";
const GENERATION: &str = "gen";
/// The id of the session's row in `user_sessions`.
const SIGN_IN: &str = "sid";

/// A session unused this long ends (the cookie's inactivity expiry, and the session list's).
pub(crate) const IDLE_HOURS: i64 = 8;
/// How stale a session's "last active" may get before a request refreshes it (so a
/// signed-in page view does not write each time).
const LAST_SEEN_EVERY_SECONDS: i64 = 300;

/// The session store for whichever database the server runs on.
#[derive(Debug, Clone)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// Builds the store on sea-orm's pool and creates its table.
    pub(crate) async fn on(db: &DatabaseConnection) -> AppResult<Self> {
        let store = match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                DbSessionStore::Sqlite(SqliteStore::new(db.get_sqlite_connection_pool().clone()))
            }
            DatabaseBackend::Postgres => {
                DbSessionStore::Postgres(PostgresStore::new(db.get_postgres_connection_pool().clone()))
            }
            other => return Err(AppError::Config(format!("unsupported database backend {other:?}"))),
        };
        match &store {
            DbSessionStore::Sqlite(s) => s.migrate().await,
            DbSessionStore::Postgres(s) => s.migrate().await,
        }
        .map_err(|e| AppError::Session(e.to_string()))?;
        Ok(store)
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        crate::observability::query_count::count_one();
        match self {
            DbSessionStore::Sqlite(s) => s.create(record).await,
            DbSessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        crate::observability::query_count::count_one();
        match self {
            DbSessionStore::Sqlite(s) => s.save(record).await,
            DbSessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        crate::observability::query_count::count_one();
        match self {
            DbSessionStore::Sqlite(s) => s.load(id).await,
            DbSessionStore::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        crate::observability::query_count::count_one();
        match self {
            DbSessionStore::Sqlite(s) => s.delete(id).await,
            DbSessionStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.delete_expired().await,
            DbSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// Starts a signed-in session: a new session id, the user, the generation of the user's
/// sessions, the sign-in time, a new CSRF token, and a row in the user's session list.
pub(crate) async fn begin_signed_in<C: ConnectionTrait>(
    db: &C,
    session: &Session,
    user: &users::Model,
    device: &Device,
) -> AppResult<()> {
    if let Some(previous) = session.get::<String>(SIGN_IN).await? {
        user_sessions::Entity::delete_by_id(previous).exec(db).await?;
    }
    session.cycle_id().await?;
    let now = Utc::now();
    let row = user_sessions::ActiveModel {
        id: Set(random_id()),
        user_id: Set(user.id),
        started_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(device.ip_text()),
        user_agent: Set(device.user_agent.clone()),
    }
    .insert(db)
    .await?;
    session.insert(USER_ID, user.id).await?;
    session.insert(GENERATION, user.session_generation).await?;
    session.insert(SIGN_IN, row.id).await?;
    session.insert(AUTH_AT, now.timestamp()).await?;
    super::csrf::rotate(session).await?;
    Ok(())
}

fn random_id() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether the session is still signed in: it began in the user's current generation and
/// its row in the session list is still there (nobody signed it out). Refreshes the row's
/// "last active" and address now and then.
pub(crate) async fn is_current<C: ConnectionTrait>(
    db: &C,
    session: &Session,
    user: &users::Model,
    device: &Device,
) -> AppResult<bool> {
    if session.get::<i32>(GENERATION).await?.unwrap_or(0) != user.session_generation {
        return Ok(false);
    }
    let Some(id) = session.get::<String>(SIGN_IN).await? else { return Ok(false) };
    let row = user_sessions::Entity::find_by_id(id).filter(user_sessions::Column::UserId.eq(user.id)).one(db).await?;
    let Some(row) = row else { return Ok(false) };
    let now = Utc::now();
    let ip = device.ip_text();
    if (now - row.last_seen_at).num_seconds() >= LAST_SEEN_EVERY_SECONDS || row.ip != ip {
        user_sessions::Entity::update_many()
            .col_expr(user_sessions::Column::LastSeenAt, Expr::value(now))
            .col_expr(user_sessions::Column::Ip, Expr::value(ip))
            .col_expr(user_sessions::Column::UserAgent, Expr::value(device.user_agent.clone()))
            .filter(user_sessions::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(true)
}

/// The user's sessions used within [`IDLE_HOURS`], most recently active first.
pub(crate) async fn active<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<Vec<user_sessions::Model>> {
    let since = Utc::now() - chrono::Duration::hours(IDLE_HOURS);
    Ok(user_sessions::Entity::find()
        .filter(user_sessions::Column::UserId.eq(user_id))
        .filter(user_sessions::Column::LastSeenAt.gt(since))
        .order_by_desc(user_sessions::Column::LastSeenAt)
        .limit(100)
        .all(db)
        .await?)
}

/// The id of this session's row in the session list.
pub(crate) async fn this_session_id(session: &Session) -> AppResult<Option<String>> {
    Ok(session.get::<String>(SIGN_IN).await?)
}

/// Signs out one of the user's sessions (on whichever instance it is next used).
/// `false` when the user has no such session.
pub(crate) async fn end_one<C: ConnectionTrait>(db: &C, user_id: i32, id: &str) -> AppResult<bool> {
    let deleted = user_sessions::Entity::delete_many()
        .filter(user_sessions::Column::Id.eq(id))
        .filter(user_sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// Deletes the rows of sessions idle past [`IDLE_HOURS`] (their cookies have expired).
pub(crate) async fn delete_idle<C: ConnectionTrait>(db: &C) -> AppResult<u64> {
    let before = Utc::now() - chrono::Duration::hours(IDLE_HOURS) - chrono::Duration::seconds(LAST_SEEN_EVERY_SECONDS);
    let deleted =
        user_sessions::Entity::delete_many().filter(user_sessions::Column::LastSeenAt.lt(before)).exec(db).await?;
    Ok(deleted.rows_affected)
}

/// Signs out every session of the user, on every instance: the user's generation moves
/// on and the session list empties (a password reset, a deactivation).
pub(crate) async fn end_all<C: ConnectionTrait>(db: &C, user_id: i32) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::SessionGeneration, Expr::col(users::Column::SessionGeneration).add(1))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    user_sessions::Entity::delete_many().filter(user_sessions::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

/// Signs out every other session of the user, on every instance: the user's generation
/// moves on and only this session follows it, under a new id; the others leave the list.
pub(crate) async fn end_other_sessions<C: ConnectionTrait>(db: &C, session: &Session, user_id: i32) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::SessionGeneration, Expr::col(users::Column::SessionGeneration).add(1))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    let this = session.get::<String>(SIGN_IN).await?.unwrap_or_default();
    user_sessions::Entity::delete_many()
        .filter(user_sessions::Column::UserId.eq(user_id))
        .filter(user_sessions::Column::Id.ne(this))
        .exec(db)
        .await?;
    let user = users::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)?;
    // A copy of this very cookie (a stolen one) is another session too: a new id leaves it behind.
    session.cycle_id().await?;
    session.insert(GENERATION, user.session_generation).await?;
    Ok(())
}

/// After a re-authentication: a new session id and a fresh sign-in time.
pub(crate) async fn mark_reauthenticated(session: &Session) -> AppResult<()> {
    session.cycle_id().await?;
    session.insert(AUTH_AT, chrono::Utc::now().timestamp()).await?;
    Ok(())
}

/// Whether the session's sign-in (or last re-authentication) is recent enough to change
/// the ways in without asking again.
pub(crate) async fn recently_authenticated(session: &Session, within_seconds: i64) -> AppResult<bool> {
    if within_seconds <= 0 {
        return Ok(false);
    }
    let at = session.get::<i64>(AUTH_AT).await?.unwrap_or(0);
    Ok(chrono::Utc::now().timestamp() - at <= within_seconds)
}

pub(crate) async fn store_flow(session: &Session, flow: &super::oidc::PendingFlow) -> AppResult<()> {
    session.insert(super::oidc::SESSION_KEY, flow).await?;
    Ok(())
}

/// Takes the pending flow out of the session: a callback can use it once.
pub(crate) async fn take_flow(session: &Session) -> AppResult<Option<super::oidc::PendingFlow>> {
    Ok(session.remove::<super::oidc::PendingFlow>(super::oidc::SESSION_KEY).await.unwrap_or(None))
}

pub(crate) async fn signed_in_user_id(session: &Session) -> AppResult<Option<i32>> {
    Ok(session.get::<i32>(USER_ID).await?)
}

/// Ends the session entirely: its row in the session list and in the store are deleted,
/// the cookie cleared.
pub(crate) async fn end<C: ConnectionTrait>(db: &C, session: &Session) -> AppResult<()> {
    if let Some(id) = session.get::<String>(SIGN_IN).await? {
        user_sessions::Entity::delete_by_id(id).exec(db).await?;
    }
    session.flush().await?;
    Ok(())
}

/// A one-time message for the next page (POST → redirect → GET).
pub(crate) async fn set_flash(session: &Session, message: impl Into<String>) -> AppResult<()> {
    session.insert(FLASH, message.into()).await?;
    Ok(())
}

/// Takes the message out; a session without one is left untouched (no write).
pub(crate) async fn take_flash(session: &Session) -> AppResult<Option<String>> {
    if session.get::<String>(FLASH).await?.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<String>(FLASH).await?)
}

/// Where to go after sign-in: only a local path (`/…`, never `//host` or `/\host`), else My Account.
pub(crate) fn safe_return_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 512
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_string()
        }
        _ => "/account".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path(Some("/cart")), "/cart");
        assert_eq!(safe_return_path(Some("/products/M365?x=1")), "/products/M365?x=1");
        assert_eq!(safe_return_path(Some("//evil.example")), "/account");
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/account");
        assert_eq!(safe_return_path(Some("https://evil.example")), "/account");
        assert_eq!(safe_return_path(Some("/a\r\nSet-Cookie: x")), "/account");
        assert_eq!(safe_return_path(None), "/account");
    }
}
