//! Brands and the one rule that picks a brand for a request.
//!
//! The page-context middleware calls [`resolve`] once per request; every page,
//! error page and redirect page reads the result from there.

pub mod check;
pub mod store;

use sea_orm::DatabaseConnection;

use crate::accounts::{store as accounts_store, Viewer};
use crate::entities::accounts;
use crate::entities::enums::{AccountStatus, AccountTier};
use crate::error::AppResult;

/// What a page needs of a brand; every field already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Brand {
    pub account_id: Option<i32>,
    pub company_name: String,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: Option<String>,
    pub footer_text: Option<String>,
    /// The language of a visitor whose browser asks for none we speak.
    pub default_language: crate::i18n::Lang,
    /// The time zone dates are shown in, unless the user chose another.
    pub time_zone: chrono_tz::Tz,
}

impl Brand {
    /// Used only when the database has no provider brand yet.
    pub(crate) fn fallback() -> Brand {
        Brand {
            account_id: None,
            company_name: "Stratus".into(),
            logo_url: None,
            favicon_url: None,
            primary_color: "#1f4e79".into(),
            accent_color: "#e07a1f".into(),
            support_email: None,
            footer_text: None,
            default_language: crate::i18n::Lang::En,
            time_zone: crate::i18n::DEFAULT_TIME_ZONE,
        }
    }

    /// The CSS custom properties for this brand. Only validated colours reach it.
    pub(crate) fn css_variables(&self) -> String {
        self.css_rule(":root")
    }

    /// The brand's colours as custom properties on `selector` (a fixed selector from our code).
    pub(crate) fn css_rule(&self, selector: &'static str) -> String {
        let primary = valid_color(&self.primary_color).unwrap_or_else(|| Brand::fallback().primary_color);
        let accent = valid_color(&self.accent_color).unwrap_or_else(|| Brand::fallback().accent_color);
        format!("{selector}{{--brand-primary:{primary};--brand-accent:{accent};}}")
    }
}

/// `#rrggbb` only, lower-cased; anything else is refused.
pub(crate) fn valid_color(value: &str) -> Option<String> {
    let hex = value.strip_prefix('#')?;
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// Logo and favicon URLs: http(s) or our own paths; never `javascript:` or `data:`.
pub(crate) fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    // Only https addresses, or this site's static files and uploaded brand images: any other
    // path on the site would be fetched by every visitor's browser with their cookies.
    let allowed = lower.starts_with("https://")
        || ((lower.starts_with("/static/") || lower.starts_with("/brand-assets/")) && !lower.contains(".."));
    allowed && !url.contains(['"', '<', '>', '\'', ' ', '\\'])
}

/// The resolution order, given what matched: the custom host's brand, else the signed-in
/// user's reseller brand when branding is enabled for it, else the provider's.
pub(crate) fn pick(host_brand: Option<Brand>, reseller_brand: Option<Brand>, provider_brand: Option<Brand>) -> Brand {
    host_brand.or(reseller_brand).or(provider_brand).unwrap_or_else(Brand::fallback)
}

/// Strips the port and lower-cases a Host header.
pub(crate) fn host_name(host: &str) -> String {
    let host = host.trim();
    let without_port = if host.starts_with('[') {
        host.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    without_port.to_ascii_lowercase()
}

/// The provider always shows its brand; a reseller only when the provider enabled branding
/// for it (the "premium" switch) — on its customers' pages and on its custom hosts alike.
pub(crate) fn shows_own_brand(account: &accounts::Model) -> bool {
    match account.tier {
        AccountTier::Provider => true,
        AccountTier::Reseller => account.branding_enabled,
        AccountTier::Customer => false,
    }
}

async fn brand_of_account(db: &DatabaseConnection, account_id: i32) -> AppResult<Option<Brand>> {
    Ok(store::of_account(db, account_id).await?.map(|row| row.to_brand()))
}

/// The brand a request is shown in, and whether its host is a suspended reseller's
/// storefront (then every page is "temporarily unavailable", in that brand).
#[derive(Debug, Clone)]
pub(crate) struct RequestBrand {
    pub brand: Brand,
    pub unavailable: bool,
    /// The request's host when it is the custom host whose brand is shown.
    pub custom_host: Option<String>,
    /// The reseller whose custom host this is: an anonymous visitor sees its customers' prices.
    pub storefront_of: Option<i32>,
}

/// [`resolve`], remembered per host and viewer account until the config version moves
/// (the caller has validated `cache` for this request).
pub(crate) async fn resolve_remembered(
    db: &DatabaseConnection,
    cache: &crate::config_cache::ConfigCache,
    host: Option<&str>,
    viewer: Option<&Viewer>,
) -> AppResult<RequestBrand> {
    let custom_hosts = match cache.custom_hosts() {
        Ok(hosts) => hosts,
        Err(missed) => {
            let hosts = std::sync::Arc::new(store::all_hosts(db).await?.into_iter().collect());
            cache.keep_custom_hosts(missed, &hosts);
            hosts
        }
    };
    // Only a custom host changes the outcome: every other Host header (made-up ones too)
    // shares one key, so they cannot grow the memory.
    let name = host.map(host_name).filter(|name| custom_hosts.contains(name)).unwrap_or_default();
    let key = (name, viewer.map(|v| v.account.id));
    match cache.brand(&key) {
        Ok(brand) => Ok(brand),
        Err(missed) => {
            let brand = resolve(db, host, viewer).await?;
            cache.keep_brand(missed, key, &brand);
            Ok(brand)
        }
    }
}

/// Picks the brand for a request from its Host header and viewer, looking the host up
/// once. The page-context middleware calls this once per request; nothing else looks a
/// brand up for a page.
pub(crate) async fn resolve(
    db: &DatabaseConnection,
    host: Option<&str>,
    viewer: Option<&Viewer>,
) -> AppResult<RequestBrand> {
    let host_brand = match host.map(host_name) {
        Some(name) if !name.is_empty() => match store::for_host(db, &name).await? {
            Some(row) => match accounts_store::find_by_id(db, row.account_id).await? {
                Some(owner) if owner.status == AccountStatus::Suspended => {
                    return Ok(RequestBrand {
                        brand: row.to_brand(),
                        unavailable: true,
                        custom_host: Some(name),
                        storefront_of: None,
                    });
                }
                Some(owner) if shows_own_brand(&owner) => {
                    let reseller = (owner.tier == AccountTier::Reseller).then_some(owner.id);
                    Some((row.to_brand(), name, reseller))
                }
                _ => None,
            },
            None => None,
        },
        _ => None,
    };
    Ok(match host_brand {
        Some((brand, host, storefront_of)) => {
            RequestBrand { brand, unavailable: false, custom_host: Some(host), storefront_of }
        }
        None => RequestBrand {
            brand: for_viewer(db, viewer).await?,
            unavailable: false,
            custom_host: None,
            storefront_of: None,
        },
    })
}

/// The brand without a custom host: the viewer's reseller's (when enabled), else the provider's.
async fn for_viewer(db: &DatabaseConnection, viewer: Option<&Viewer>) -> AppResult<Brand> {
    let reseller_brand = match viewer {
        Some(viewer) => {
            let reseller = match viewer.account.tier {
                AccountTier::Reseller => Some(viewer.account.clone()),
                AccountTier::Customer => match viewer.account.parent_id {
                    Some(parent) => accounts_store::find_by_id(db, parent).await?,
                    None => None,
                },
                AccountTier::Provider => None,
            };
            match reseller.filter(|r| r.tier == AccountTier::Reseller && shows_own_brand(r)) {
                Some(r) => brand_of_account(db, r.id).await?,
                None => None,
            }
        }
        None => None,
    };
    if reseller_brand.is_some() {
        return Ok(pick(None, reseller_brand, None));
    }
    let provider_brand = match accounts_store::provider_account(db).await? {
        Some(provider) => brand_of_account(db, provider.id).await?,
        None => None,
    };
    Ok(pick(None, None, provider_brand))
}

/// The brand a user of `account` sees when signed in, and the custom host its links may
/// use (the first of the brand's hosts): what an e-mail to that user is dressed in. The
/// same rule as [`resolve`] without a Host header: a reseller's own brand (when the
/// provider enabled it) for the reseller and its customers, else the provider's.
pub(crate) async fn for_account<C: sea_orm::ConnectionTrait>(
    db: &C,
    account: &accounts::Model,
) -> AppResult<(Brand, Option<String>)> {
    use crate::entities::{accounts as accounts_entity, brand_hosts};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let reseller = match account.tier {
        AccountTier::Reseller => Some(account.clone()),
        AccountTier::Customer => match account.parent_id {
            Some(parent) => accounts_entity::Entity::find_by_id(parent).one(db).await?,
            None => None,
        },
        AccountTier::Provider => None,
    };
    // A suspended reseller's host answers "temporarily unavailable": its customers' mail
    // comes from the provider, with links to the provider's site.
    let owner = match reseller
        .filter(|r| r.tier == AccountTier::Reseller && shows_own_brand(r) && r.status == AccountStatus::Active)
    {
        Some(reseller) => Some(reseller),
        None => {
            accounts_entity::Entity::find()
                .filter(accounts_entity::Column::Tier.eq(AccountTier::Provider))
                .order_by_asc(accounts_entity::Column::Id)
                .one(db)
                .await?
        }
    };
    let Some(owner) = owner else { return Ok((Brand::fallback(), None)) };
    let Some(row) = store::of_account(db, owner.id).await? else {
        return Ok((Brand::fallback(), None));
    };
    let host = if owner.tier == AccountTier::Reseller {
        brand_hosts::Entity::find()
            .filter(brand_hosts::Column::BrandId.eq(row.id))
            .order_by_asc(brand_hosts::Column::Host)
            .one(db)
            .await?
            .map(|h| h.host)
    } else {
        None
    };
    Ok((row.to_brand(), host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Brand {
        Brand { company_name: name.into(), ..Brand::fallback() }
    }

    #[test]
    fn host_beats_reseller_beats_provider() {
        assert_eq!(pick(Some(named("H")), Some(named("R")), Some(named("P"))).company_name, "H");
        assert_eq!(pick(None, Some(named("R")), Some(named("P"))).company_name, "R");
        assert_eq!(pick(None, None, Some(named("P"))).company_name, "P");
        assert_eq!(pick(None, None, None).company_name, "Stratus");
    }

    #[test]
    fn colours_must_be_six_hex_digits() {
        assert_eq!(valid_color("#A1B2C3"), Some("#a1b2c3".into()));
        assert_eq!(valid_color("#abc"), None);
        assert_eq!(valid_color("red"), None);
        assert_eq!(valid_color("#000000;}</style><script>"), None);
        let evil = Brand { primary_color: "#000;}</style>".into(), ..Brand::fallback() };
        assert!(!evil.css_variables().contains("</style>"));
    }

    #[test]
    fn urls_are_restricted() {
        assert!(is_safe_url("https://cdn.example/logo.png"));
        assert!(is_safe_url("/static/demo/andes.svg"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("//evil.example/x.png"));
        assert!(!is_safe_url("https://x.example/\"><script>"));
        assert!(!is_safe_url("http://cdn.example/logo.png"), "https only");
        assert!(!is_safe_url("/account/login-options/local/disconnect"), "no other path on the site");
        assert!(!is_safe_url("/static/../account"));
        assert!(is_safe_url("/brand-assets/3/logo"));
    }

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("Shop.Andes.Demo:3000"), "shop.andes.demo");
        assert_eq!(host_name("[::1]:3000"), "[::1]");
    }
}
