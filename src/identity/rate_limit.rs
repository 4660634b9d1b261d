//! A fixed-window limit per key, per instance: sign-in attempts per client address (on
//! top of the per-account lockout), API calls per API client.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most keys a limiter tracks; past it (after dropping expired ones) new keys wait.
pub(crate) const MAX_KEYS: usize = 100_000;

/// What a limit counts by: an IPv6 client by its /64 (one subscriber's whole network,
/// which it can rotate through freely), anything else as it is.
pub trait LimitKey: Hash + Eq + Copy {
    fn bucket(self) -> Self {
        self
    }
}

impl LimitKey for i32 {}

impl LimitKey for IpAddr {
    fn bucket(self) -> Self {
        match self {
            IpAddr::V4(_) => self,
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
}

#[derive(Debug)]
struct Hits<K> {
    by_key: HashMap<K, (Instant, u32)>,
    swept: Option<Instant>,
}

impl<K: LimitKey> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit, window, hits: Mutex::new(Hits { by_key: HashMap::new(), swept: None }) }
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

    /// [`check`](Self::check) as a request's answer: a 429 that says `what` happened and
    /// how long to wait (`Retry-After`).
    pub(crate) fn admit(&self, key: K, what: &str) -> crate::error::AppResult<()> {
        self.check(key, Instant::now()).map_err(|wait| {
            crate::error::AppError::TooManyRequests(format!("{what} Please wait {wait} seconds and try again."), wait)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
