//! The lock file beside an SQLite database (`stratus.db.lock` next to `stratus.db`).
//! Every `serve` holds it shared for its lifetime (several servers may share one file);
//! `restore` takes it exclusively, without waiting, so it refuses while any server runs
//! and a server refuses to start while a restore runs. The operating system releases it
//! when a process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{AppError, AppResult};

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

/// The database file an `sqlite:` URL names; `None` for PostgreSQL and for in-memory
/// databases, which have no file.
pub(crate) fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

/// `stratus.db` → `stratus.db.lock`, in the same folder.
pub(crate) fn lock_path(database_file: &Path) -> PathBuf {
    let mut name = database_file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    database_file.with_file_name(name)
}

fn open(database_file: &Path) -> AppResult<(File, PathBuf)> {
    let path = lock_path(database_file);
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| AppError::Config(format!("cannot open the lock file {}: {e}", path.display())))?;
    Ok((file, path))
}

/// For `serve` and every command that opens the database: holds the SQLite database's
/// lock shared while it runs, so `restore` waits for it (nothing for PostgreSQL).
pub fn hold_shared(database_url: &str) -> AppResult<Option<DatabaseLock>> {
    let Some(database_file) = sqlite_file(database_url) else {
        return Ok(None);
    };
    let (file, path) = open(&database_file)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(DatabaseLock { _file: file })),
        Err(TryLockError::WouldBlock) => Err(AppError::Conflict(format!(
            "{} is being restored (its lock file {} is held by `stratus restore`): try again when the restore has finished.",
            database_file.display(),
            path.display()
        ))),
        Err(TryLockError::Error(e)) => Err(AppError::Config(format!("cannot lock {}: {e}", path.display()))),
    }
}

/// For `restore`: the database's lock, exclusively, or a refusal when any server holds it.
pub(crate) fn take_exclusive(database_file: &Path) -> AppResult<DatabaseLock> {
    let (file, path) = open(database_file)?;
    match file.try_lock() {
        Ok(()) => Ok(DatabaseLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(AppError::Conflict(format!(
            "a Stratus server is using {} (its lock file {} is held): stop every `stratus serve` on this database, then run the restore again.",
            database_file.display(),
            path.display()
        ))),
        Err(TryLockError::Error(e)) => Err(AppError::Config(format!("cannot lock {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_file_comes_from_the_url_without_its_options() {
        assert_eq!(sqlite_file("sqlite://data/stratus.db?mode=rwc"), Some(PathBuf::from("data/stratus.db")));
        assert_eq!(sqlite_file("sqlite:///srv/stratus/s.db"), Some(PathBuf::from("/srv/stratus/s.db")));
        assert_eq!(sqlite_file("sqlite:s.db"), Some(PathBuf::from("s.db")));
    }

    #[test]
    fn postgresql_and_memory_databases_have_no_file() {
        assert_eq!(sqlite_file("postgres://stratus@db/stratus"), None);
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://shared?mode=memory&cache=shared"), None);
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(lock_path(Path::new("data/stratus.db")), PathBuf::from("data/stratus.db.lock"));
    }

    #[test]
    fn servers_share_the_lock_and_a_restore_is_refused_until_every_one_has_gone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let first = hold_shared(&url).unwrap().expect("a lock for SQLite");
        let second = hold_shared(&url).unwrap().expect("servers share the lock");
        assert!(matches!(take_exclusive(&file), Err(AppError::Conflict(_))));
        drop(first);
        assert!(matches!(take_exclusive(&file), Err(AppError::Conflict(_))), "one server still holds it");
        drop(second);
        let restore = take_exclusive(&file).expect("no server left");
        assert!(matches!(hold_shared(&url), Err(AppError::Conflict(_))), "no server starts during a restore");
        drop(restore);
        assert!(hold_shared(&url).unwrap().is_some());
    }
}
