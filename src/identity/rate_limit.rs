//! A fixed-window limit per key: sign-in attempts per client address (on top of the
//! per-account lockout), "sign in with …" flows started, API calls per API client.
//!
//! On PostgreSQL — where several `stratus serve` share one database — a limit counts in
//! the database (`rate_limit_counts`, one row per limit, client and minute, incremented
//! atomically), so it holds for the whole system: 30 sign-ins a minute are 30 across
//! every instance. On the embedded SQLite default it counts in this process's memory
//! (one writer process; a database write per sign-in attempt would only cost).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::error::{AppError, AppResult};

/// The most keys a limiter tracks; past it (after dropping expired ones) new keys wait.
pub(crate) const MAX_KEYS: usize = 100_000;

/// What a limit counts by: an IPv6 client by its /64 (one subscriber's whole network,
/// which it can rotate through freely), anything else as it is.
pub trait LimitKey: Hash + Eq + Copy + std::fmt::Display {
    fn bucket(self) -> Self {
        self
    }
}

impl LimitKey for i32 {}

impl LimitKey for IpAddr {
    fn bucket(self) -> Self {
        // An IPv4 client seen through a dual-stack socket (`::ffff:a.b.c.d`) is that IPv4
        // client, not the /64 every IPv4 client would share.
        match self.to_canonical() {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => {
                let segments = v6.segments();
                IpAddr::from([segments[0], segments[1], segments[2], segments[3], 0, 0, 0, 0])
            }
        }
    }
}

#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    limit: u32,
    window: Duration,
    hits: Mutex<Hits<K>>,
    /// Counted in the database every instance shares, under this name (PostgreSQL).
    shared: Option<(DatabaseConnection, &'static str)>,
}

#[derive(Debug)]
struct Hits<K> {
    by_key: HashMap<K, (Instant, u32)>,
    swept: Option<Instant>,
}

impl<K: LimitKey> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit, window, hits: Mutex::new(Hits { by_key: HashMap::new(), swept: None }), shared: None }
    }

    /// The same limit counted in `db` when it is PostgreSQL (several instances), under
    /// `scope`; in memory on SQLite.
    pub fn counted_in(mut self, db: &DatabaseConnection, scope: &'static str) -> Self {
        if db.get_database_backend() == DbBackend::Postgres {
            self.shared = Some((db.clone(), scope));
        }
        self
    }

    /// Counts one attempt where this limit counts; `Ok(Err(seconds))` to wait.
    pub(crate) async fn hit(&self, key: K) -> AppResult<Result<(), u64>> {
        match &self.shared {
            None => Ok(self.check(key, Instant::now())),
            Some((db, scope)) => {
                let now = chrono::Utc::now().timestamp();
                let hits = count_shared(db, scope, &key.bucket().to_string(), window_start(now, self.window)).await?;
                Ok(shared_verdict(hits, self.limit, now, self.window))
            }
        }
    }

    /// Counts one attempt; `Err(seconds)` to wait when over the limit.
    pub(crate) fn check(&self, key: K, now: Instant) -> Result<(), u64> {
        let key = key.bucket();
        let mut hits = match self.hits.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Hits { by_key: hits, swept } = &mut *hits;
        if hits.len() >= MAX_KEYS && !hits.contains_key(&key) {
            // Expired entries go, at most once a second (a sweep walks the whole map).
            if swept.is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1)) {
                let window = self.window;
                hits.retain(|_, (start, _)| now.duration_since(*start) < window);
                *swept = Some(now);
            }
            if hits.len() >= MAX_KEYS {
                return Err(self.window.as_secs().max(1));
            }
        }
        let entry = hits.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// [`hit`](Self::hit) as a request's answer: a 429 (`Retry-After`) whose words `say`
    /// makes from the seconds to wait, in the viewer's language.
    pub(crate) async fn admit_said(&self, key: K, say: impl FnOnce(u64) -> String) -> AppResult<()> {
        self.hit(key).await?.map_err(|wait| AppError::TooManyRequests(say(wait), wait))
    }
}

/// The start (Unix seconds) of the fixed window `now` falls in: every instance agrees.
fn window_start(now: i64, window: Duration) -> i64 {
    let length = (window.as_secs() as i64).max(1);
    now - now.rem_euclid(length)
}

/// Whether the `hits`-th attempt of the window is allowed; else the seconds left in it.
fn shared_verdict(hits: i64, limit: u32, now: i64, window: Duration) -> Result<(), u64> {
    if hits <= i64::from(limit) {
        return Ok(());
    }
    let ends = window_start(now, window) + window.as_secs() as i64;
    Err((ends - now).max(1) as u64)
}

/// One more attempt in the shared count, atomically; answers the window's count so far.
async fn count_shared(db: &DatabaseConnection, scope: &str, bucket: &str, window_start: i64) -> AppResult<i64> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO rate_limit_counts (scope, bucket, window_start, hits) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (scope, bucket, window_start) DO UPDATE SET hits = rate_limit_counts.hits + 1 \
         RETURNING hits",
        [scope.into(), bucket.into(), window_start.into()],
    );
    let row = db.query_one(statement).await?.ok_or_else(|| AppError::Internal("no count returned".into()))?;
    Ok(i64::from(row.try_get::<i32>("", "hits")?))
}

/// Removes the shared counts of windows that have ended (with the session clean-up),
/// a bounded batch at a time so a large backlog never meets the statement time limit.
pub(crate) async fn delete_old_counts(db: &DatabaseConnection) -> AppResult<u64> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(0);
    }
    // Every limit's window is a minute: anything older than two is over.
    let before = chrono::Utc::now().timestamp() - 120;
    let mut removed = 0;
    loop {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM rate_limit_counts WHERE ctid IN \
             (SELECT ctid FROM rate_limit_counts WHERE window_start < $1 LIMIT 10000)",
            [before.into()],
        );
        let batch = db.execute(statement).await?.rows_affected();
        removed += batch;
        if batch < 10_000 {
            return Ok(removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instance_agrees_on_the_window_and_its_end() {
        let minute = Duration::from_secs(60);
        let start = 1_700_000_040; // a multiple of 60
        assert_eq!(window_start(start, minute), start);
        assert_eq!(window_start(start + 19, minute), start);
        assert_eq!(window_start(start + 59, minute), start);
        assert_eq!(window_start(start + 60, minute), start + 60);
        assert_eq!(shared_verdict(30, 30, start + 20, minute), Ok(()));
        assert_eq!(shared_verdict(31, 30, start + 20, minute), Err(40), "the window ends at start + 60");
        assert_eq!(shared_verdict(31, 30, start + 59, minute), Err(1));
    }

    #[test]
    fn refuses_past_the_limit_until_the_window_passes() {
        let limiter: RateLimiter = RateLimiter::new(2, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_err());
        assert!(limiter.check(other, t0).is_ok());
        assert!(limiter.check(ip, t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn ipv4_clients_seen_through_a_dual_stack_socket_are_counted_apart() {
        let limiter: RateLimiter = RateLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limiter.check("::ffff:192.0.2.1".parse().unwrap(), t0).is_ok());
        assert!(limiter.check("::ffff:192.0.2.2".parse().unwrap(), t0).is_ok(), "another IPv4 client");
        assert!(limiter.check("192.0.2.1".parse().unwrap(), t0).is_err(), "the same client either way");
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let limiter: RateLimiter = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        for host in ["2001:db8:1:2::1", "2001:db8:1:2::2"] {
            assert!(limiter.check(host.parse().unwrap(), t0).is_ok());
        }
        assert!(limiter.check("2001:db8:1:2:ffff::9".parse().unwrap(), t0).is_err(), "same /64");
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap(), t0).is_ok(), "another /64");
    }

    #[test]
    fn a_full_limiter_makes_new_keys_wait_until_old_ones_expire() {
        let limiter: RateLimiter<i32> = RateLimiter::new(5, Duration::from_secs(60));
        let t0 = Instant::now();
        for key in 0..MAX_KEYS as i32 {
            assert!(limiter.check(key, t0).is_ok());
        }
        assert!(limiter.check(-1, t0).is_err(), "no room for a new key");
        assert!(limiter.check(0, t0).is_ok(), "known keys still count");
        assert!(limiter.check(-1, t0 + Duration::from_secs(61)).is_ok(), "expired keys make room");
    }
}
