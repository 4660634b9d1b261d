//! The schema against this binary's migrations: `stratus migrate`, `--status`, and the
//! refusal of a schema newer than the binary (checked before anything is migrated).
//!
//! sea-orm-migration records each applied migration as a row of `seaql_migrations`. A
//! row whose name this binary does not carry was applied by a newer binary: that schema
//! may have columns and rules this binary would break, and a schema is never migrated
//! down, so every command refuses it.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};

use crate::error::{AppError, AppResult};

/// Where a database's schema stands against the migrations this binary carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// This binary's migrations in order, each with whether the database has applied it.
    pub(crate) known: Vec<(String, bool)>,
    /// Applied migrations this binary does not carry (a newer binary applied them).
    pub(crate) unknown: Vec<String>,
}

/// What a command may do with the database it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    UpToDate,
    /// These migrations are still to be applied.
    Pending(Vec<String>),
    /// Newer than this binary: these applied migrations are unknown to it.
    Newer(Vec<String>),
}

/// Why a command refuses to work on a database's schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaRefusal {
    #[error(
        "the database's schema is newer than this binary: it has {} applied migration(s) this binary does not know ({}). Run the newer Stratus binary that applied them; a schema is never migrated down.",
        .0.len(),
        .0.join(", ")
    )]
    Newer(Vec<String>),
    #[error(
        "the database has {} pending migration(s) ({}) and --no-migrate is set: run `stratus migrate` first.",
        .0.len(),
        .0.join(", ")
    )]
    Pending(Vec<String>),
}

impl From<SchemaRefusal> for AppError {
    fn from(refusal: SchemaRefusal) -> Self {
        AppError::Conflict(refusal.to_string())
    }
}

impl SchemaStatus {
    /// Compares the names this binary knows (in order) with the names the database lists.
    pub(crate) fn compare(known: &[String], applied: &[String]) -> SchemaStatus {
        let known_status = known.iter().map(|name| (name.clone(), applied.contains(name))).collect();
        let unknown = applied.iter().filter(|name| !known.contains(name)).cloned().collect();
        SchemaStatus { known: known_status, unknown }
    }

    /// This binary's migrations the database has not applied, in order.
    pub fn pending(&self) -> Vec<String> {
        self.known.iter().filter(|(_, applied)| !applied).map(|(name, _)| name.clone()).collect()
    }

    /// A newer schema wins over pending migrations: nothing may be applied to it.
    pub fn verdict(&self) -> Verdict {
        if !self.unknown.is_empty() {
            return Verdict::Newer(self.unknown.clone());
        }
        match self.pending() {
            pending if pending.is_empty() => Verdict::UpToDate,
            pending => Verdict::Pending(pending),
        }
    }

    /// What may be migrated: anything but a newer schema.
    pub(crate) fn refuse_newer(&self) -> Result<(), SchemaRefusal> {
        match self.verdict() {
            Verdict::Newer(unknown) => Err(SchemaRefusal::Newer(unknown)),
            Verdict::UpToDate | Verdict::Pending(_) => Ok(()),
        }
    }

    /// What may be served without migrating: exactly this binary's schema.
    pub(crate) fn refuse_unless_current(&self) -> Result<(), SchemaRefusal> {
        match self.verdict() {
            Verdict::Newer(unknown) => Err(SchemaRefusal::Newer(unknown)),
            Verdict::Pending(pending) => Err(SchemaRefusal::Pending(pending)),
            Verdict::UpToDate => Ok(()),
        }
    }

    /// The lines `stratus migrate --status` prints: every migration, then the unknown ones.
    pub fn lines(&self) -> Vec<String> {
        let known = self
            .known
            .iter()
            .map(|(name, applied)| format!("{:<8} {name}", if *applied { "applied" } else { "pending" }));
        let unknown = self.unknown.iter().map(|name| format!("{:<8} {name} (not known to this binary)", "unknown"));
        known.chain(unknown).collect()
    }
}

/// The names of this binary's migrations, in order.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations().iter().map(|migration| migration.name().to_string()).collect()
}

/// The migrations the database lists as applied; none when it has no migrations table
/// yet. Reads only (no table is created), so it works for a role without DDL rights.
pub(crate) async fn applied_migrations(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'",
        DbBackend::Postgres => {
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'seaql_migrations'"
        }
        DbBackend::MySql => "SELECT table_name FROM information_schema.tables WHERE table_name = 'seaql_migrations'",
    };
    if db.query_one(Statement::from_string(backend, exists)).await?.is_none() {
        return Ok(Vec::new());
    }
    let rows =
        db.query_all(Statement::from_string(backend, "SELECT version FROM seaql_migrations ORDER BY version")).await?;
    rows.iter().map(|row| row.try_get::<String>("", "version")).collect()
}

/// The database's schema against this binary's migrations.
pub async fn status(db: &impl ConnectionTrait) -> Result<SchemaStatus, DbErr> {
    Ok(SchemaStatus::compare(&known_migrations(), &applied_migrations(db).await?))
}

/// The PostgreSQL advisory lock migrations are applied under ("STRATUS" in ASCII).
const MIGRATION_LOCK: i64 = 0x0053_5452_4154_5553;

/// Applies every pending migration, after refusing a newer schema; answers the names
/// applied now, in order. On PostgreSQL, instances starting together take turns (under
/// an advisory lock held by a transaction of its own): the first applies, the others
/// then find nothing pending, instead of failing on tables created a moment before.
pub async fn migrate(db: &DatabaseConnection) -> AppResult<Vec<String>> {
    let turn = match db.get_database_backend() {
        DbBackend::Postgres => {
            let turn = db.begin().await?;
            let lock = format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})");
            turn.execute(Statement::from_string(DbBackend::Postgres, lock)).await?;
            Some(turn)
        }
        DbBackend::Sqlite | DbBackend::MySql => None,
    };
    let before = status(db).await?;
    before.refuse_newer()?;
    let pending = before.pending();
    if !pending.is_empty() {
        Migrator::up(db, None).await?;
    }
    if let Some(turn) = turn {
        turn.commit().await?;
    }
    Ok(pending)
}

/// For `--no-migrate`: refuses a schema that is not exactly this binary's.
pub(crate) async fn require_current(db: &DatabaseConnection) -> AppResult<()> {
    status(db).await?.refuse_unless_current()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn a_database_with_every_known_migration_is_up_to_date() {
        let status = SchemaStatus::compare(&names(&["m1", "m2"]), &names(&["m1", "m2"]));
        assert_eq!(status.verdict(), Verdict::UpToDate);
        assert_eq!(status.refuse_unless_current(), Ok(()));
    }

    #[test]
    fn missing_migrations_are_pending_in_the_binarys_order() {
        let status = SchemaStatus::compare(&names(&["m1", "m2", "m3"]), &names(&["m2"]));
        assert_eq!(status.verdict(), Verdict::Pending(names(&["m1", "m3"])));
        assert_eq!(status.refuse_newer(), Ok(()), "pending migrations may be applied");
        assert_eq!(status.refuse_unless_current(), Err(SchemaRefusal::Pending(names(&["m1", "m3"]))));
    }

    #[test]
    fn an_empty_database_has_everything_pending() {
        let status = SchemaStatus::compare(&names(&["m1", "m2"]), &[]);
        assert_eq!(status.verdict(), Verdict::Pending(names(&["m1", "m2"])));
    }

    #[test]
    fn an_applied_migration_the_binary_does_not_know_makes_the_schema_newer() {
        let status = SchemaStatus::compare(&names(&["m1", "m2"]), &names(&["m1", "m2", "m9_future"]));
        assert_eq!(status.verdict(), Verdict::Newer(names(&["m9_future"])));
        assert_eq!(status.refuse_newer(), Err(SchemaRefusal::Newer(names(&["m9_future"]))));
    }

    #[test]
    fn a_newer_schema_is_refused_even_when_migrations_are_also_pending() {
        let status = SchemaStatus::compare(&names(&["m1", "m2"]), &names(&["m1", "m9_future"]));
        assert_eq!(status.verdict(), Verdict::Newer(names(&["m9_future"])));
        assert!(matches!(status.refuse_unless_current(), Err(SchemaRefusal::Newer(_))));
    }

    #[test]
    fn the_refusals_name_the_migrations_and_what_to_do() {
        let newer = SchemaRefusal::Newer(names(&["m9_future"])).to_string();
        assert!(newer.contains("m9_future") && newer.contains("newer Stratus binary"), "{newer}");
        assert!(newer.contains("never migrated down"), "{newer}");
        let pending = SchemaRefusal::Pending(names(&["m3"])).to_string();
        assert!(pending.contains("m3") && pending.contains("`stratus migrate`"), "{pending}");
    }

    #[test]
    fn the_status_lists_every_migration_then_the_unknown_ones() {
        let status = SchemaStatus::compare(&names(&["m1", "m2"]), &names(&["m1", "m9_future"]));
        assert_eq!(
            status.lines(),
            ["applied  m1", "pending  m2", "unknown  m9_future (not known to this binary)"].map(String::from)
        );
    }

    #[test]
    fn this_binary_knows_its_migrations_in_order() {
        let known = known_migrations();
        assert!(known.len() >= 16);
        assert_eq!(known[0], "m20261126_000001_create_schema");
        let mut sorted = known.clone();
        sorted.sort();
        assert_eq!(known, sorted, "migration names sort in the order they run");
    }
}
