//! What every page reads and rarely changes, kept in memory: the brand each host and
//! viewer resolves to, the sign-in settings, the usable identity providers, and the
//! catalogue each audience sees on a given day (products, prices, reservation offers).
//!
//! Triggers (migration 000019) move `config_versions.version` in the same transaction as
//! any change to the tables these come from. The page context reads that number once per
//! request, before anything is looked up ([`ConfigCache::validate`]); a new number empties
//! the memory. So a change made on any instance is seen by every instance at its next
//! request, and a page costs one primary-key read instead of the lookups.
//!
//! An entry is kept only if the number has not moved since the miss that computed it
//! began, so a value read just before a change is never kept after that change is seen.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::branding::RequestBrand;
use crate::catalog::pricing::Audience;
use crate::catalog::store::Listed;
use crate::entities::{auth_settings, identity_providers};
use crate::error::AppResult;

/// More distinct (host, viewer account) pairs than this empties the brand memory (a flood
/// of made-up Host headers cannot grow it without bound).
const MOST_BRANDS: usize = 10_000;

/// More catalogues than this (one per audience and day) empties that memory.
const MOST_CATALOGUES: usize = 1_000;

/// A catalogue's key: whose prices, and the day they are effective on.
pub(crate) type CatalogueKey = (Audience, chrono::NaiveDate);

/// The brand memory's key: the request's host name when it is a custom host (any other
/// Host header resolves alike and shares the empty name), and the viewer's account.
pub(crate) type BrandKey = (String, Option<i32>);

#[derive(Default)]
pub(crate) struct ConfigCache {
    inner: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    /// The number the values below belong to (none: nothing read yet).
    version: Option<i64>,
    brands: HashMap<BrandKey, RequestBrand>,
    auth_settings: Option<auth_settings::Model>,
    usable_providers: Option<Vec<identity_providers::Model>>,
    catalogues: HashMap<CatalogueKey, Arc<Vec<Listed>>>,
    /// Every reseller's (and the provider's) custom host name.
    custom_hosts: Option<Arc<HashSet<String>>>,
}

/// The version a miss began under: keeping its value requires it still to be current.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MissedAt(Option<i64>);

impl ConfigCache {
    /// Reads the current number and forgets everything if it moved. Called once per page
    /// request before any lookup.
    pub(crate) async fn validate(&self, db: &DatabaseConnection) -> AppResult<()> {
        let statement =
            Statement::from_string(db.get_database_backend(), "SELECT version FROM config_versions WHERE id = 1");
        let version: Option<i64> = match db.query_one(statement).await? {
            Some(row) => Some(row.try_get("", "version")?),
            None => None,
        };
        let mut remembered = self.lock();
        // Only forward: a request that read the number before a faster one read the next
        // must not bring the old number (and values read under it) back. The number never
        // goes down while a server runs (a restore needs the servers stopped).
        if version.is_none() || remembered.version.is_none_or(|known| Some(known) < version) {
            *remembered = Remembered { version, ..Remembered::default() };
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        // The values are plain data: a panic elsewhere cannot leave them half-written.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lookup<T>(&self, read: impl FnOnce(&Remembered) -> Option<T>) -> Result<T, MissedAt> {
        let remembered = self.lock();
        match read(&remembered) {
            Some(value) => Ok(value),
            None => Err(MissedAt(remembered.version)),
        }
    }

    fn keep(&self, missed: MissedAt, write: impl FnOnce(&mut Remembered)) {
        let mut remembered = self.lock();
        if missed.0.is_some() && remembered.version == missed.0 {
            write(&mut remembered);
        }
    }

    pub(crate) fn brand(&self, key: &BrandKey) -> Result<RequestBrand, MissedAt> {
        self.lookup(|r| r.brands.get(key).cloned())
    }

    pub(crate) fn keep_brand(&self, missed: MissedAt, key: BrandKey, brand: &RequestBrand) {
        self.keep(missed, |r| {
            if r.brands.len() >= MOST_BRANDS {
                r.brands.clear();
            }
            r.brands.insert(key, brand.clone());
        });
    }

    pub(crate) fn auth_settings(&self) -> Result<auth_settings::Model, MissedAt> {
        self.lookup(|r| r.auth_settings.clone())
    }

    pub(crate) fn keep_auth_settings(&self, missed: MissedAt, settings: &auth_settings::Model) {
        self.keep(missed, |r| r.auth_settings = Some(settings.clone()));
    }

    pub(crate) fn custom_hosts(&self) -> Result<Arc<HashSet<String>>, MissedAt> {
        self.lookup(|r| r.custom_hosts.clone())
    }

    pub(crate) fn keep_custom_hosts(&self, missed: MissedAt, hosts: &Arc<HashSet<String>>) {
        self.keep(missed, |r| r.custom_hosts = Some(hosts.clone()));
    }

    pub(crate) fn catalogue(&self, key: &CatalogueKey) -> Result<Arc<Vec<Listed>>, MissedAt> {
        self.lookup(|r| r.catalogues.get(key).cloned())
    }

    pub(crate) fn keep_catalogue(&self, missed: MissedAt, key: CatalogueKey, listed: &Arc<Vec<Listed>>) {
        self.keep(missed, |r| {
            if r.catalogues.len() >= MOST_CATALOGUES {
                r.catalogues.clear();
            }
            r.catalogues.insert(key, listed.clone());
        });
    }

    pub(crate) fn usable_providers(&self) -> Result<Vec<identity_providers::Model>, MissedAt> {
        self.lookup(|r| r.usable_providers.clone())
    }

    pub(crate) fn keep_usable_providers(&self, missed: MissedAt, providers: &[identity_providers::Model]) {
        self.keep(missed, |r| r.usable_providers = Some(providers.to_vec()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branding::Brand;

    fn brand(name: &str) -> RequestBrand {
        RequestBrand {
            brand: Brand { company_name: name.into(), ..Brand::fallback() },
            unavailable: false,
            custom_host: None,
            storefront_of: None,
        }
    }

    fn at(cache: &ConfigCache, version: i64) {
        let mut r = cache.lock();
        if r.version != Some(version) {
            *r = Remembered { version: Some(version), ..Remembered::default() };
        }
    }

    #[test]
    fn a_value_computed_before_the_number_moved_is_not_kept() {
        let cache = ConfigCache::default();
        at(&cache, 1);
        let key = ("shop.example".to_string(), None);
        let missed = cache.brand(&key).expect_err("empty");
        at(&cache, 2);
        cache.keep_brand(missed, key.clone(), &brand("Old"));
        assert!(cache.brand(&key).is_err(), "a value from version 1 must not be served at version 2");
        let missed = cache.brand(&key).expect_err("still empty");
        cache.keep_brand(missed, key.clone(), &brand("New"));
        assert_eq!(cache.brand(&key).expect("kept").brand.company_name, "New");
        at(&cache, 3);
        assert!(cache.brand(&key).is_err(), "a new number forgets");
    }

    #[test]
    fn nothing_is_kept_before_the_number_was_read() {
        let cache = ConfigCache::default();
        let key = ("shop.example".to_string(), Some(7));
        let missed = cache.brand(&key).expect_err("empty");
        cache.keep_brand(missed, key.clone(), &brand("Any"));
        assert!(cache.brand(&key).is_err());
    }

    #[test]
    fn the_brand_memory_is_bounded() {
        let cache = ConfigCache::default();
        at(&cache, 1);
        for n in 0..(MOST_BRANDS + 5) {
            let key = (format!("h{n}.example"), None);
            let missed = cache.brand(&key).expect_err("new");
            cache.keep_brand(missed, key, &brand("B"));
        }
        assert!(cache.lock().brands.len() <= MOST_BRANDS);
    }
}
