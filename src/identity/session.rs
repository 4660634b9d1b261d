//! Server-side sessions in the database (tower-sessions on sea-orm's own sqlx pool),
//! and what Stratus keeps in them.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::Session;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::error::{AppError, AppResult};

const USER_ID: &str = "uid";
const AUTH_AT: &str = "auth_at";
const FLASH: &str = "flash";
const GENERATION: &str = "gen";

/// The session store for whichever database the server runs on.
#[derive(Debug, Clone)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// Builds the store on sea-orm's pool and creates its table.
    pub async fn on(db: &DatabaseConnection) -> AppResult<Self> {
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
        match self {
            DbSessionStore::Sqlite(s) => s.create(record).await,
            DbSessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            DbSessionStore::Sqlite(s) => s.save(record).await,
            DbSessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            DbSessionStore::Sqlite(s) => s.load(id).await,
            DbSessionStore::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
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
/// sessions, the sign-in time and a new CSRF token.
pub async fn begin_signed_in(session: &Session, user: &crate::entities::users::Model) -> AppResult<()> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
    session.insert(GENERATION, user.session_generation).await?;
    session.insert(AUTH_AT, chrono::Utc::now().timestamp()).await?;
    super::csrf::rotate(session).await?;
    Ok(())
}

/// Whether the session began in the user's current generation (sessions from before
/// generations existed count as generation 0).
pub async fn is_current(session: &Session, user: &crate::entities::users::Model) -> AppResult<bool> {
    Ok(session.get::<i32>(GENERATION).await?.unwrap_or(0) == user.session_generation)
}

/// Signs out every other session of the user, on every instance: the user's generation
/// moves on and only this session follows it, under a new id.
pub async fn end_other_sessions<C: ConnectionTrait>(db: &C, session: &Session, user_id: i32) -> AppResult<()> {
    use crate::entities::users;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    users::Entity::update_many()
        .col_expr(users::Column::SessionGeneration, Expr::col(users::Column::SessionGeneration).add(1))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    let user = users::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)?;
    // A copy of this very cookie (a stolen one) is another session too: a new id leaves it behind.
    session.cycle_id().await?;
    session.insert(GENERATION, user.session_generation).await?;
    Ok(())
}

/// After a re-authentication: a new session id and a fresh sign-in time.
pub async fn mark_reauthenticated(session: &Session) -> AppResult<()> {
    session.cycle_id().await?;
    session.insert(AUTH_AT, chrono::Utc::now().timestamp()).await?;
    Ok(())
}

/// Whether the session's sign-in (or last re-authentication) is recent enough to change
/// the ways in without asking again.
pub async fn recently_authenticated(session: &Session, within_seconds: i64) -> AppResult<bool> {
    if within_seconds <= 0 {
        return Ok(false);
    }
    let at = session.get::<i64>(AUTH_AT).await?.unwrap_or(0);
    Ok(chrono::Utc::now().timestamp() - at <= within_seconds)
}

pub async fn store_flow(session: &Session, flow: &super::oidc::PendingFlow) -> AppResult<()> {
    session.insert(super::oidc::SESSION_KEY, flow).await?;
    Ok(())
}

/// Takes the pending flow out of the session: a callback can use it once.
pub async fn take_flow(session: &Session) -> AppResult<Option<super::oidc::PendingFlow>> {
    Ok(session.remove::<super::oidc::PendingFlow>(super::oidc::SESSION_KEY).await.unwrap_or(None))
}

pub async fn signed_in_user_id(session: &Session) -> AppResult<Option<i32>> {
    Ok(session.get::<i32>(USER_ID).await?)
}

/// Ends the session entirely (row deleted, cookie cleared).
pub async fn end(session: &Session) -> AppResult<()> {
    session.flush().await?;
    Ok(())
}

/// A one-time message for the next page (POST → redirect → GET).
pub async fn set_flash(session: &Session, message: impl Into<String>) -> AppResult<()> {
    session.insert(FLASH, message.into()).await?;
    Ok(())
}

/// Takes the message out; a session without one is left untouched (no write).
pub async fn take_flash(session: &Session) -> AppResult<Option<String>> {
    if session.get::<String>(FLASH).await?.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<String>(FLASH).await?)
}

/// Where to go after sign-in: only a local path (`/…`, never `//host` or `/\host`), else My Account.
pub fn safe_return_path(next: Option<&str>) -> String {
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
