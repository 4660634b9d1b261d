//! `stratus backup FILE` and `stratus restore FILE` for the embedded SQLite database.
//!
//! A backup is `VACUUM INTO`: one read transaction, so it is a consistent copy while
//! servers keep writing (WAL readers do not block writers). A restore checks the copy it
//! is about to install (SQLite's integrity check, Stratus's migrations table, a schema
//! not newer than this binary), holding the database's lock exclusively so no server can
//! run meanwhile, then swaps it in with a rename: a crash leaves the old database or the
//! new one, never half of each. PostgreSQL has its own tools (`pg_dump`, `pg_restore`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxSqliteConnector, Statement};

use crate::config::is_postgres_url;
use crate::error::{AppError, AppResult};
use crate::operations::database_lock::{self, sqlite_file};
use crate::operations::migrations::{self, SchemaStatus};

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupDone {
    pub database: PathBuf,
    pub bytes: u64,
}

/// What a restore installed.
#[derive(Debug)]
pub struct RestoreDone {
    pub database: PathBuf,
    /// The restored schema against this binary (pending migrations are applied by the
    /// next `stratus migrate` or `serve`).
    pub schema: SchemaStatus,
}

const NOT_FOR_POSTGRES_BACKUP: &str = "`stratus backup` copies the embedded SQLite database; this database is PostgreSQL: back it up whole with `pg_dump -Fc` (see the README, \"Backups and restores\").";
const NOT_FOR_POSTGRES_RESTORE: &str = "`stratus restore` replaces the embedded SQLite database; this database is PostgreSQL: restore a whole-database `pg_dump -Fc` with `pg_restore` (see the README, \"Backups and restores\").";

/// The SQLite file behind `database_url`, or the refusal for PostgreSQL and memory.
fn sqlite_database(database_url: &str, refusal_for_postgres: &str) -> AppResult<PathBuf> {
    if is_postgres_url(database_url) {
        return Err(AppError::BadRequest(refusal_for_postgres.into()));
    }
    sqlite_file(database_url).ok_or_else(|| {
        AppError::BadRequest(format!("`{database_url}` is not an SQLite database file, so there is nothing to copy."))
    })
}

fn utf8(path: &Path) -> AppResult<&str> {
    path.to_str().ok_or_else(|| AppError::BadRequest(format!("{} is not a UTF-8 path.", path.display())))
}

/// One connection to an SQLite file, as sea-orm's connection (the file is never created).
async fn open_sqlite(options: SqliteConnectOptions) -> Result<DatabaseConnection, sea_orm::sqlx::Error> {
    let options = options.create_if_missing(false).busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Copies the SQLite database to `file` (which must not exist), consistently, while
/// servers may be running and writing.
pub async fn backup(database_url: &str, file: &Path) -> AppResult<BackupDone> {
    let database = sqlite_database(database_url, NOT_FOR_POSTGRES_BACKUP)?;
    if !database.is_file() {
        return Err(AppError::BadRequest(format!(
            "there is no SQLite database at {}: check --database-url (DATABASE_URL).",
            database.display()
        )));
    }
    if file.symlink_metadata().is_ok() {
        return Err(AppError::BadRequest(format!(
            "{} already exists: a backup never overwrites a file; name a new one.",
            file.display()
        )));
    }
    let cannot = |e: sea_orm::sqlx::Error| {
        AppError::BadRequest(format!("cannot back up {} to {}: {e}", database.display(), file.display()))
    };
    let db = open_sqlite(SqliteConnectOptions::new().filename(&database)).await.map_err(cannot)?;
    // The file name is a bound parameter: SQLite takes any string expression after INTO.
    let statement = Statement::from_sql_and_values(db.get_database_backend(), "VACUUM INTO ?", [utf8(file)?.into()]);
    let outcome = db.execute(statement).await;
    db.close().await.ok();
    outcome.map_err(|e| {
        AppError::BadRequest(format!("cannot back up {} to {}: {e}", database.display(), file.display()))
    })?;
    // The copy holds password hashes and sessions: readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| AppError::Internal(format!("cannot restrict {}: {e}", file.display())))?;
    }
    let written = File::open(file).and_then(|f| f.sync_all().and_then(|()| f.metadata()));
    let bytes = written.map_err(|e| AppError::Internal(format!("cannot sync {}: {e}", file.display())))?.len();
    Ok(BackupDone { database, bytes })
}

/// Replaces the SQLite database with the backup `file`, refusing while any server holds
/// the database, and refusing a file that is not a sound Stratus database this binary
/// can run.
pub async fn restore(database_url: &str, file: &Path) -> AppResult<RestoreDone> {
    let database = sqlite_database(database_url, NOT_FOR_POSTGRES_RESTORE)?;
    if !file.is_file() {
        return Err(AppError::BadRequest(format!("there is no backup file at {}.", file.display())));
    }
    let _lock = database_lock::take_exclusive(&database)?;
    // Staged beside the database, so the final rename stays on one file system.
    let staged = sibling(&database, ".restoring");
    let io = |what: &str, path: &Path, e: std::io::Error| {
        AppError::Internal(format!("cannot {what} {}: {e}", path.display()))
    };
    std::fs::copy(file, &staged).map_err(|e| io("copy the backup to", &staged, e))?;
    File::open(&staged).and_then(|f| f.sync_all()).map_err(|e| io("sync", &staged, e))?;
    let schema = match check_backup(&staged).await {
        Ok(schema) => schema,
        Err(refusal) => {
            std::fs::remove_file(&staged).ok();
            return Err(AppError::BadRequest(format!("{} cannot be restored: {refusal}", file.display())));
        }
    };
    // The old database's journals would be replayed into the new file: they go first
    // (a crash before the rename leaves the old database without them, and the restore
    // can simply be run again).
    for suffix in ["-wal", "-shm", "-journal"] {
        let journal = sibling(&database, suffix);
        match std::fs::remove_file(&journal) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("remove", &journal, e)),
        }
    }
    std::fs::rename(&staged, &database).map_err(|e| io("replace", &database, e))?;
    #[cfg(unix)]
    {
        let dir = database.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
        File::open(dir).and_then(|f| f.sync_all()).map_err(|e| io("sync", dir, e))?;
    }
    Ok(RestoreDone { database, schema })
}

/// `data/stratus.db` + `-wal` → `data/stratus.db-wal`.
fn sibling(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    database.with_file_name(name)
}

/// Why a file is not a backup this binary may restore.
#[derive(Debug, thiserror::Error)]
enum BackupRefusal {
    #[error("it is not an SQLite database ({0}).")]
    NotSqlite(String),
    #[error("it fails SQLite's integrity check: {0}")]
    Damaged(String),
    #[error("it is an SQLite database but not Stratus's: it has no Stratus migrations (seaql_migrations).")]
    NotStratus,
    #[error("{0}")]
    Newer(#[from] migrations::SchemaRefusal),
}

/// Checks an SQLite file is a sound Stratus database not newer than this binary.
async fn check_backup(path: &Path) -> Result<SchemaStatus, BackupRefusal> {
    let not_sqlite = |e: &dyn std::fmt::Display| BackupRefusal::NotSqlite(e.to_string());
    // Immutable: read as it is, without locks or a -shm file beside it.
    let options = SqliteConnectOptions::new().filename(path).read_only(true).immutable(true);
    let db = open_sqlite(options).await.map_err(|e| not_sqlite(&e))?;
    let checked = async {
        let backend = db.get_database_backend();
        let rows = db.query_all(Statement::from_string(backend, "PRAGMA integrity_check")).await;
        let rows = rows.map_err(|e| not_sqlite(&e))?;
        let findings: Vec<String> = rows.iter().filter_map(|row| row.try_get_by_index::<String>(0).ok()).collect();
        if findings != ["ok"] {
            return Err(BackupRefusal::Damaged(findings.join("; ")));
        }
        let schema = migrations::status(&db).await.map_err(|e| not_sqlite(&e))?;
        if !schema.known.iter().any(|(_, applied)| *applied) {
            return Err(BackupRefusal::NotStratus);
        }
        schema.refuse_newer()?;
        Ok(schema)
    }
    .await;
    db.close().await.ok();
    checked
}
