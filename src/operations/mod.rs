//! What an operator runs beside `serve`: migrations on their own and their status, the
//! check that a database is not newer than this binary, and backups and restores of the
//! embedded SQLite database with the lock that keeps a restore away from running servers.

pub mod backup;
pub mod database_lock;
pub mod migrations;
