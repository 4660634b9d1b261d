//! What an operator runs: `stratus migrate` (and `--status`), `serve --no-migrate`, the
//! refusal of a schema newer than the binary, one self-contained binary, and SQLite
//! backups and restores. These run the real binary as a process, as an operator would.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::cookie::Jar;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use std::process::{Child, Command};

use crate::support::{fresh_database_url, new_client, Browser, DEMO_PASSWORD};

const STRATUS: &str = env!("CARGO_BIN_EXE_stratus");
const ADMIN_PASSWORD: &str = "a long operator passphrase";
const FROM_THE_FUTURE: &str = "m20991231_000099_from_a_newer_binary";

/// One installation: a working folder (empty at first), its database, and a folder for
/// the servers' output.
struct Site {
    dir: tempfile::TempDir,
    logs: tempfile::TempDir,
    database_url: String,
    secret_key: String,
}

/// What a finished command printed.
#[derive(Debug)]
struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// A running `stratus serve`, killed when dropped.
struct Server {
    child: Child,
    browser: Browser,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn browser(base: String) -> Browser {
    let jar = Arc::new(Jar::default());
    Browser { base, client: new_client(jar.clone()), jar }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Site {
    /// On the suite's database (SQLite, or PostgreSQL with STRATUS_TEST_DATABASE_URL).
    async fn new() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database_url(logs.path()).await;
        Site { dir, logs, database_url, secret_key: stratus::secrets::generate_key() }
    }

    /// On the embedded SQLite default, `data/stratus.db` in the working folder.
    fn sqlite() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite://{}?mode=rwc", dir.path().join("data/stratus.db").display());
        Site { dir, logs, database_url, secret_key: stratus::secrets::generate_key() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary in the site's folder, with nothing from the test's environment.
    fn command(&self) -> Command {
        let mut command = Command::new(STRATUS);
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("DATABASE_URL", &self.database_url)
            .env("STRATUS_SECRET_KEY", &self.secret_key)
            .env("STRATUS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "warn");
        command
    }

    async fn run(&self, args: &[&str]) -> Ran {
        let mut command = self.command();
        command.args(args);
        // Off the test's runtime, so its tasks (a server's clients) keep running meanwhile.
        let output = tokio::task::spawn_blocking(move || command.output()).await.expect("join").expect("run stratus");
        Ran {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `stratus serve` on a free loopback port, once it answers `/healthz`; what it
    /// printed when it exits instead.
    async fn serve(&self, args: &[&str], env: &[(&str, &str)]) -> Result<Server, Ran> {
        let addr = format!("127.0.0.1:{}", free_port());
        let out = self.logs.path().join(format!("{addr}.out"));
        let err = self.logs.path().join(format!("{addr}.err"));
        let mut child = self
            .command()
            .args(["serve", "--addr", &addr])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::from(std::fs::File::create(&out).expect("log file")))
            .stderr(Stdio::from(std::fs::File::create(&err).expect("log file")))
            .spawn()
            .expect("spawn stratus serve");
        let browser = browser(format!("http://{addr}"));
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return Err(Ran { ok: status.success(), stdout: read(&out), stderr: read(&err) });
            }
            if let Ok(response) = browser.client.get(browser.url("/healthz")).send().await {
                if response.status() == StatusCode::OK {
                    return Ok(Server { child, browser });
                }
            }
            assert!(Instant::now() < deadline, "the server did not start: {}", read(&err));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A row only a newer binary's migration would have written.
    async fn apply_a_migration_from_a_newer_binary(&self) {
        let db = Database::connect(&self.database_url).await.expect("connect");
        let insert = format!("INSERT INTO seaql_migrations (version, applied_at) VALUES ('{FROM_THE_FUTURE}', 0)");
        db.execute_unprepared(&insert).await.expect("insert");
        db.close().await.ok();
    }
}

impl Server {
    /// As a crash or `kill -9` would end it (SIGKILL).
    fn kill(self) {
        drop(self);
    }
}

/// Whether the site's server lets this provider admin in.
async fn admin_signs_in(server: &Server, email: &str) -> bool {
    server.browser.sign_in_with(email, ADMIN_PASSWORD).await.status() == StatusCode::SEE_OTHER
}

fn migration_count() -> usize {
    stratus::operations::migrations::known_migrations().len()
}

#[tokio::test]
async fn migrate_applies_the_pending_migrations_alone_and_status_lists_them() {
    let site = Site::new().await;
    let before = site.run(&["migrate", "--status"]).await;
    assert!(!before.ok, "pending migrations make --status fail");
    assert_eq!(before.stdout.lines().filter(|l| l.starts_with("pending  m")).count(), migration_count());
    assert!(before.stderr.contains("run `stratus migrate`"), "{}", before.stderr);

    let migrated = site.run(&["migrate"]).await;
    assert!(migrated.ok, "{migrated:?}");
    assert!(migrated.stdout.contains("Applied m20261126_000001_create_schema"), "{}", migrated.stdout);
    assert_eq!(migrated.stdout.lines().filter(|l| l.starts_with("Applied m")).count(), migration_count());

    let after = site.run(&["migrate", "--status"]).await;
    assert!(after.ok, "{after:?}");
    assert_eq!(after.stdout.lines().filter(|l| l.starts_with("applied  m")).count(), migration_count());
    assert!(!after.stdout.lines().any(|l| l.starts_with("pending ")));

    let again = site.run(&["migrate"]).await;
    assert!(again.ok && again.stdout.contains("Nothing to apply"), "{again:?}");
}

#[tokio::test]
async fn instances_migrating_at_once_on_postgresql_take_turns() {
    if std::env::var("STRATUS_TEST_DATABASE_URL").map_or(true, |url| url.is_empty()) {
        return; // SQLite: one machine's servers; PostgreSQL is where instances start together.
    }
    let site = Site::new().await;
    let together = futures_util::future::join_all((0..3).map(|_| site.run(&["migrate"]))).await;
    assert!(together.iter().all(|ran| ran.ok), "{together:?}");
    let applied: usize =
        together.iter().map(|ran| ran.stdout.lines().filter(|l| l.starts_with("Applied m")).count()).sum();
    assert_eq!(applied, migration_count(), "each migration applied once: {together:?}");
}

#[tokio::test]
async fn every_command_refuses_a_schema_newer_than_the_binary() {
    let site = Site::new().await;
    assert!(site.run(&["migrate"]).await.ok);
    site.apply_a_migration_from_a_newer_binary().await;

    let refused = site.serve(&[], &[]).await.err().expect("serve refuses a newer schema");
    assert!(!refused.ok);
    assert!(refused.stderr.contains(FROM_THE_FUTURE), "{}", refused.stderr);
    assert!(refused.stderr.contains("newer than this binary"), "{}", refused.stderr);
    assert!(refused.stderr.contains("never migrated down"), "{}", refused.stderr);

    let migrate = site.run(&["migrate"]).await;
    assert!(!migrate.ok && migrate.stderr.contains(FROM_THE_FUTURE), "{migrate:?}");
    let status = site.run(&["migrate", "--status"]).await;
    assert!(!status.ok, "{status:?}");
    assert!(status.stdout.contains(&format!("unknown  {FROM_THE_FUTURE}")), "{}", status.stdout);
    let admin = site.run(&["create-admin", "--email", "ops@example.com", "--name", "Ops"]).await;
    assert!(!admin.ok && admin.stderr.contains(FROM_THE_FUTURE), "{admin:?}");
    let no_migrate = site.serve(&["--no-migrate"], &[]).await.err().expect("refused without migrating too");
    assert!(no_migrate.stderr.contains(FROM_THE_FUTURE), "{}", no_migrate.stderr);
}

#[tokio::test]
async fn no_migrate_refuses_pending_migrations_and_serves_a_schema_already_migrated() {
    let site = Site::new().await;
    let refused = site.serve(&["--no-migrate"], &[]).await.err().expect("pending migrations stop the start");
    assert!(!refused.ok);
    assert!(refused.stderr.contains("run `stratus migrate` first"), "{}", refused.stderr);
    let status = site.run(&["migrate", "--status"]).await;
    assert_eq!(
        status.stdout.lines().filter(|l| l.starts_with("pending  m")).count(),
        migration_count(),
        "--no-migrate applied nothing"
    );

    assert!(site.run(&["migrate"]).await.ok);
    let server = site.serve(&[], &[("STRATUS_NO_MIGRATE", "true")]).await.expect("an up-to-date schema is served");
    let (status, body) = server.browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("/static/stratus.css"));
}

#[tokio::test]
async fn the_binary_serves_its_stylesheet_and_images_from_an_empty_folder() {
    let site = Site::new().await;
    assert_eq!(std::fs::read_dir(site.dir.path()).expect("dir").count(), 0, "nothing beside the binary");
    let server = site.serve(&[], &[]).await.expect("serve");
    let css = server.browser.get("/static/stratus.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let css = css.text().await.expect("body");
    assert_eq!(css, include_str!("../../style/stratus.css"));
    let favicon = server.browser.get("/static/favicon.svg").await;
    assert_eq!(favicon.status(), StatusCode::OK);
    let (status, page) = server.browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/static/stratus.css"), "{page}");
    let created: Vec<String> = std::fs::read_dir(site.dir.path())
        .expect("dir")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!created.iter().any(|name| name == "style" || name == "public"), "{created:?}");
}

#[tokio::test]
async fn a_backup_taken_while_the_server_writes_restores_what_was_there_before_it() {
    let site = Site::sqlite();
    let server = site.serve(&["--demo"], &[]).await.expect("serve");
    let before = site.run(&["create-admin", "--email", "before@example.com", "--name", "Before"]).await;
    assert!(before.ok, "{before:?}");

    // Sign-ins keep writing sessions and security events while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let sign_ins = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, sign_ins, base) = (stop.clone(), sign_ins.clone(), server.browser.base.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let person = browser(base.clone());
                let response = person.sign_in_with("ana@contoso.demo", DEMO_PASSWORD).await;
                assert_eq!(response.status(), StatusCode::SEE_OTHER);
                sign_ins.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while sign_ins.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let backup = site.run(&["backup", "backup.db"]).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("sign-ins");
    assert!(backup.ok, "{backup:?}");
    assert!(backup.stdout.contains("backup.db"), "{}", backup.stdout);

    let after = site.run(&["create-admin", "--email", "after@example.com", "--name", "After"]).await;
    assert!(after.ok, "{after:?}");
    assert!(admin_signs_in(&server, "after@example.com").await);
    // Killed: what it wrote last may still be in the -wal file the restore must discard.
    server.kill();

    let restored = site.run(&["restore", "backup.db"]).await;
    assert!(restored.ok, "{restored:?}");
    assert!(restored.stdout.contains("Restored"), "{}", restored.stdout);
    assert!(!site.path("data/stratus.db-wal").exists());

    let server = site.serve(&[], &[]).await.expect("serve the restored database");
    assert!(admin_signs_in(&server, "before@example.com").await, "written before the backup: restored");
    assert!(!admin_signs_in(&server, "after@example.com").await, "written after the backup: gone");
    server.browser.sign_in("ana@contoso.demo").await;
}

#[tokio::test]
async fn a_restore_is_refused_while_any_server_holds_the_database() {
    let site = Site::sqlite();
    let first = site.serve(&[], &[]).await.expect("serve");
    let second = site.serve(&[], &[]).await.expect("several servers share one SQLite file");
    assert!(site.run(&["backup", "backup.db"]).await.ok);

    let refused = site.run(&["restore", "backup.db"]).await;
    assert!(!refused.ok);
    assert!(refused.stderr.contains("stop every `stratus serve`"), "{}", refused.stderr);
    first.kill();
    let still = site.run(&["restore", "backup.db"]).await;
    assert!(!still.ok, "the second server still holds it: {still:?}");
    assert_eq!(second.browser.page("/healthz").await.0, StatusCode::OK, "the refused restore left it alone");
    second.kill();

    assert!(site.run(&["restore", "backup.db"]).await.ok, "no server left");
}

#[tokio::test]
async fn a_restore_refuses_a_file_that_is_not_a_stratus_database_and_keeps_the_database() {
    let site = Site::sqlite();
    assert!(site.run(&["create-admin", "--email", "ops@example.com", "--name", "Ops"]).await.ok);

    std::fs::write(site.path("notes.txt"), "not a database, just some notes\n".repeat(200)).expect("write");
    let text = site.run(&["restore", "notes.txt"]).await;
    assert!(!text.ok && text.stderr.contains("not an SQLite database"), "{text:?}");

    let other = format!("sqlite://{}?mode=rwc", site.path("other.db").display());
    let db = Database::connect(&other).await.expect("connect");
    db.execute_unprepared("CREATE TABLE notes (body TEXT)").await.expect("create");
    db.close().await.ok();
    let foreign = site.run(&["restore", "other.db"]).await;
    assert!(!foreign.ok && foreign.stderr.contains("not Stratus's"), "{foreign:?}");

    assert!(site.run(&["backup", "newer.db"]).await.ok);
    let newer = Site { database_url: format!("sqlite://{}", site.path("newer.db").display()), ..Site::sqlite() };
    newer.apply_a_migration_from_a_newer_binary().await;
    let refused = site.run(&["restore", "newer.db"]).await;
    assert!(!refused.ok && refused.stderr.contains(FROM_THE_FUTURE), "{refused:?}");

    let missing = site.run(&["restore", "missing.db"]).await;
    assert!(!missing.ok && missing.stderr.contains("no backup file"), "{missing:?}");
    let server = site.serve(&[], &[]).await.expect("serve");
    assert!(admin_signs_in(&server, "ops@example.com").await, "the database was not replaced");
    assert!(!site.path("data/stratus.db.restoring").exists(), "nothing left behind");
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let site = Site::sqlite();
    assert!(site.run(&["migrate"]).await.ok);
    std::fs::write(site.path("precious.db"), "keep me").expect("write");
    let refused = site.run(&["backup", "precious.db"]).await;
    assert!(!refused.ok && refused.stderr.contains("already exists"), "{refused:?}");
    assert_eq!(read(&site.path("precious.db")), "keep me");
    let made = site.run(&["backup", "fresh.db"]).await;
    assert!(made.ok, "{made:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(site.path("fresh.db")).expect("the backup").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup holds password hashes: its owner's only");
    }
    let nothing =
        Site { database_url: format!("sqlite://{}", site.path("absent/none.db").display()), ..Site::sqlite() };
    let absent = nothing.run(&["backup", "x.db"]).await;
    assert!(!absent.ok && absent.stderr.contains("there is no SQLite database"), "{absent:?}");
}

#[tokio::test]
async fn backup_and_restore_send_postgresql_to_its_own_tools() {
    let site = Site { database_url: "postgres://stratus@127.0.0.1:1/stratus".into(), ..Site::sqlite() };
    let backup = site.run(&["backup", "stratus.dump"]).await;
    assert!(!backup.ok && backup.stderr.contains("pg_dump -Fc"), "{backup:?}");
    let restore = site.run(&["restore", "stratus.dump"]).await;
    assert!(!restore.ok && restore.stderr.contains("pg_restore"), "{restore:?}");
    assert!(!site.path("stratus.dump").exists());
}
