//! Brands in the database: reading (without the image bytes), saving checked brands
//! with their custom hosts, uploaded images, and the reseller's "premium" switch.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DerivePartialModel, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::check::{self, BrandFields, CheckedBrand};
use super::Brand;
use crate::accounts::scope::AccountScope;
use crate::accounts::store as accounts_store;
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::AccountTier;
use crate::entities::{accounts, brand_hosts, brands};
use crate::error::{AppError, AppResult};
use crate::images::ImageType;
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// A brand row without its image bytes (which only the image route reads).
#[derive(Debug, Clone, PartialEq, Eq, DerivePartialModel, FromQueryResult)]
#[sea_orm(entity = "brands::Entity")]
pub(crate) struct BrandRow {
    pub id: i32,
    pub account_id: i32,
    pub company_name: String,
    pub logo_url: Option<String>,
    pub logo_content_type: Option<String>,
    pub favicon_url: Option<String>,
    pub favicon_content_type: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: Option<String>,
    pub footer_text: Option<String>,
    pub updated_at: chrono::DateTime<Utc>,
    pub default_language: String,
    pub time_zone: String,
}

/// The two images a brand may upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrandImage {
    Logo,
    Favicon,
}

impl BrandImage {
    pub(crate) fn parse(name: &str) -> Option<BrandImage> {
        match name {
            "logo" => Some(BrandImage::Logo),
            "favicon" => Some(BrandImage::Favicon),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            BrandImage::Logo => "logo",
            BrandImage::Favicon => "favicon",
        }
    }

    pub(crate) fn allowed_types(self) -> &'static [ImageType] {
        match self {
            BrandImage::Logo => check::LOGO_TYPES,
            BrandImage::Favicon => check::FAVICON_TYPES,
        }
    }

    pub(crate) fn max_bytes(self) -> usize {
        match self {
            BrandImage::Logo => check::MAX_LOGO_BYTES,
            BrandImage::Favicon => check::MAX_FAVICON_BYTES,
        }
    }

    /// Where an uploaded image is served; the version changes the URL on every save.
    pub(crate) fn url(self, brand_id: i32, version: chrono::DateTime<Utc>) -> String {
        format!("/brand-assets/{brand_id}/{}?v={}", self.name(), version.timestamp_millis())
    }
}

impl BrandRow {
    pub(crate) fn has_upload(&self, image: BrandImage) -> bool {
        match image {
            BrandImage::Logo => self.logo_content_type.is_some(),
            BrandImage::Favicon => self.favicon_content_type.is_some(),
        }
    }

    /// What pages show: uploads by their URL, stored URLs only when still safe, colours validated.
    pub(crate) fn to_brand(&self) -> Brand {
        let fallback = Brand::fallback();
        let shown = |image: BrandImage, url: &Option<String>| {
            if self.has_upload(image) {
                Some(image.url(self.id, self.updated_at))
            } else {
                url.clone().filter(|u| super::is_safe_url(u))
            }
        };
        Brand {
            account_id: Some(self.account_id),
            company_name: self.company_name.clone(),
            logo_url: shown(BrandImage::Logo, &self.logo_url),
            favicon_url: shown(BrandImage::Favicon, &self.favicon_url),
            primary_color: super::valid_color(&self.primary_color).unwrap_or(fallback.primary_color),
            accent_color: super::valid_color(&self.accent_color).unwrap_or(fallback.accent_color),
            support_email: self.support_email.clone(),
            footer_text: self.footer_text.clone(),
            default_language: crate::i18n::Lang::from_tag(&self.default_language).unwrap_or_default(),
            time_zone: crate::i18n::time_zone(&self.time_zone).unwrap_or(crate::i18n::DEFAULT_TIME_ZONE),
        }
    }
}

pub(crate) async fn of_account<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Option<BrandRow>> {
    Ok(brands::Entity::find()
        .filter(brands::Column::AccountId.eq(account_id))
        .into_partial_model::<BrandRow>()
        .one(db)
        .await?)
}

/// Every custom host name (of any brand).
pub(crate) async fn all_hosts(db: &DatabaseConnection) -> AppResult<Vec<String>> {
    Ok(brand_hosts::Entity::find().all(db).await?.into_iter().map(|row| row.host).collect())
}

/// The brand whose custom host is `host` (already without port, lower-case).
pub(crate) async fn for_host(db: &DatabaseConnection, host: &str) -> AppResult<Option<BrandRow>> {
    let Some(row) = brand_hosts::Entity::find().filter(brand_hosts::Column::Host.eq(host)).one(db).await? else {
        return Ok(None);
    };
    Ok(brands::Entity::find_by_id(row.brand_id).into_partial_model::<BrandRow>().one(db).await?)
}

pub(crate) async fn hosts_of<C: ConnectionTrait>(db: &C, brand_id: i32) -> AppResult<Vec<String>> {
    Ok(brand_hosts::Entity::find()
        .filter(brand_hosts::Column::BrandId.eq(brand_id))
        .order_by_asc(brand_hosts::Column::Host)
        .all(db)
        .await?
        .into_iter()
        .map(|h| h.host)
        .collect())
}

/// Why a brand was not saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BrandError {
    #[error("`{0}` is already the custom host of another brand.")]
    HostTaken(String),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(BrandError);

impl BrandError {
    /// The refusal said in `loc`'s language (the brand form's); `Display` stays English.
    pub(crate) fn localized(&self, loc: &impl crate::i18n::Localize) -> String {
        match self {
            BrandError::HostTaken(host) => crate::i18n::tr!(loc, "brands-error-host-taken", host = host.as_str()),
            BrandError::Failed(error) => error.to_string(),
        }
    }
}

/// The default language and time zone a save leaves: the checked ones, else the stored
/// ones, else English and America/Santiago (the columns' defaults).
fn language_and_zone(old: Option<&BrandRow>, new: &CheckedBrand) -> (String, String) {
    let language = new
        .default_language
        .map(|lang| lang.tag().to_string())
        .or_else(|| old.map(|b| b.default_language.clone()))
        .unwrap_or_else(|| crate::i18n::Lang::En.tag().to_string());
    let zone = new
        .time_zone
        .map(|zone| zone.name().to_string())
        .or_else(|| old.map(|b| b.time_zone.clone()))
        .unwrap_or_else(|| crate::i18n::DEFAULT_TIME_ZONE.name().to_string());
    (language, zone)
}

/// What saving `new` over `old` (with its `old_hosts`) changes, field by field.
fn changes(old: Option<&BrandRow>, old_hosts: &[String], new: &CheckedBrand) -> Vec<Change> {
    let text = |value: Option<&Option<String>>| value.and_then(Clone::clone).unwrap_or_default();
    let new_hosts = match &new.hosts {
        Some(hosts) => {
            let mut hosts = hosts.clone();
            hosts.sort();
            hosts.join(", ")
        }
        None => old_hosts.join(", "),
    };
    let (language, zone) = language_and_zone(old, new);
    vec![
        Change::new("company name", old.map(|b| b.company_name.clone()).unwrap_or_default(), &new.company_name),
        Change::new("logo URL", text(old.map(|b| &b.logo_url)), new.logo_url.clone().unwrap_or_default()),
        Change::new("favicon URL", text(old.map(|b| &b.favicon_url)), new.favicon_url.clone().unwrap_or_default()),
        Change::new("primary colour", old.map(|b| b.primary_color.clone()).unwrap_or_default(), &new.primary_color),
        Change::new("accent colour", old.map(|b| b.accent_color.clone()).unwrap_or_default(), &new.accent_color),
        Change::new(
            "support e-mail",
            text(old.map(|b| &b.support_email)),
            new.support_email.clone().unwrap_or_default(),
        ),
        Change::new("footer", text(old.map(|b| &b.footer_text)), new.footer_text.clone().unwrap_or_default()),
        Change::new("hosts", old_hosts.join(", "), new_hosts),
        Change::new("default language", old.map(|b| b.default_language.clone()).unwrap_or_default(), language),
        Change::new("time zone", old.map(|b| b.time_zone.clone()).unwrap_or_default(), zone),
    ]
}

/// Saves a checked brand for an account, replacing its hosts when the brand names them,
/// with the audit entry of what changed, in one transaction. A logo or favicon address
/// replaces an uploaded image. A save that changes nothing writes nothing (a restart with
/// the same configuration file).
pub(crate) async fn save(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    brand: CheckedBrand,
) -> Result<BrandRow, BrandError> {
    let txn = db.begin().await?;
    let existing = of_account(&txn, account.id).await?;
    let old_hosts = match &existing {
        Some(row) => hosts_of(&txn, row.id).await?,
        None => vec![],
    };
    let changes = changes(existing.as_ref(), &old_hosts, &brand);
    if let Some(row) = existing.as_ref().filter(|_| !audit::any_change(&changes)) {
        return Ok(row.clone());
    }
    if let Some(hosts) = &brand.hosts {
        let mut taken = brand_hosts::Entity::find().filter(brand_hosts::Column::Host.is_in(hosts.clone()));
        if let Some(row) = &existing {
            taken = taken.filter(brand_hosts::Column::BrandId.ne(row.id));
        }
        if let Some(taken) = taken.one(&txn).await? {
            return Err(BrandError::HostTaken(taken.host));
        }
    }
    let mut row = match &existing {
        Some(row) => brands::ActiveModel { id: Set(row.id), ..Default::default() },
        None => brands::ActiveModel {
            account_id: Set(account.id),
            logo_content_type: Set(None),
            logo_data: Set(None),
            favicon_content_type: Set(None),
            favicon_data: Set(None),
            ..Default::default()
        },
    };
    if brand.logo_url.is_some() {
        row.logo_content_type = Set(None);
        row.logo_data = Set(None);
    }
    if brand.favicon_url.is_some() {
        row.favicon_content_type = Set(None);
        row.favicon_data = Set(None);
    }
    let (language, zone) = language_and_zone(existing.as_ref(), &brand);
    row.company_name = Set(brand.company_name);
    row.logo_url = Set(brand.logo_url);
    row.favicon_url = Set(brand.favicon_url);
    row.primary_color = Set(brand.primary_color);
    row.accent_color = Set(brand.accent_color);
    row.support_email = Set(brand.support_email);
    row.footer_text = Set(brand.footer_text);
    row.default_language = Set(language);
    row.time_zone = Set(zone);
    row.updated_at = Set(Utc::now());
    let brand_id = match existing {
        Some(_) => row.update(&txn).await?.id,
        None => row.insert(&txn).await?.id,
    };
    if let Some(hosts) = brand.hosts {
        brand_hosts::Entity::delete_many().filter(brand_hosts::Column::BrandId.eq(brand_id)).exec(&txn).await?;
        for host in hosts {
            brand_hosts::ActiveModel { brand_id: Set(brand_id), host: Set(host), ..Default::default() }
                .insert(&txn)
                .await?;
        }
    }
    let saved = of_account(&txn, account.id).await?.ok_or(AppError::NotFound)?;
    let target = format!("brand of {}", account.code);
    audit::record(&txn, by, Some(account.id), "brand changed", &target, &changes).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Stores (or with `None` removes) an uploaded image already checked by
/// [`crate::images::check`], with its audit entry (the image's type and size, never its bytes).
pub(crate) async fn set_image(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    brand_id: i32,
    image: BrandImage,
    upload: Option<(ImageType, Vec<u8>)>,
) -> AppResult<()> {
    let field = match image {
        BrandImage::Logo => "logo",
        BrandImage::Favicon => "favicon",
    };
    let change = match &upload {
        Some((image_type, bytes)) => {
            Change::set(field, format!("uploaded {} ({} bytes)", image_type.content_type(), bytes.len()))
        }
        None => Change::new(field, "uploaded image", "(removed)"),
    };
    let (content_type, data) = match upload {
        Some((image_type, bytes)) => (Some(image_type.content_type().to_string()), Some(bytes)),
        None => (None, None),
    };
    let mut row = brands::ActiveModel { id: Set(brand_id), updated_at: Set(Utc::now()), ..Default::default() };
    match image {
        BrandImage::Logo => {
            row.logo_content_type = Set(content_type);
            row.logo_data = Set(data);
            row.logo_url = Set(None);
        }
        BrandImage::Favicon => {
            row.favicon_content_type = Set(content_type);
            row.favicon_data = Set(data);
            row.favicon_url = Set(None);
        }
    }
    let txn = db.begin().await?;
    row.update(&txn).await?;
    let target = format!("brand of {}", account.code);
    audit::record(&txn, by, Some(account.id), "brand changed", &target, &[change]).await?;
    txn.commit().await?;
    Ok(())
}

/// An uploaded image: its content type and bytes.
pub(crate) async fn image(
    db: &DatabaseConnection,
    brand_id: i32,
    image: BrandImage,
) -> AppResult<Option<(String, Vec<u8>)>> {
    let Some(row) = brands::Entity::find_by_id(brand_id).one(db).await? else {
        return Ok(None);
    };
    Ok(match image {
        BrandImage::Logo => row.logo_content_type.zip(row.logo_data),
        BrandImage::Favicon => row.favicon_content_type.zip(row.favicon_data),
    })
}

/// The provider's "premium" switch for a reseller. Enabling gives a reseller without a
/// brand one named after it, in the provider's colours, which it can then edit.
pub(crate) async fn set_branding_enabled(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    enabled: bool,
) -> AppResult<()> {
    if account.tier != AccountTier::Reseller {
        return Err(AppError::NotFound);
    }
    let txn = db.begin().await?;
    if account.branding_enabled != enabled {
        let change = Change::new("branding enabled", account.branding_enabled, enabled);
        let target = format!("brand of {}", account.code);
        audit::record(&txn, by, Some(account.id), "branding switched", &target, &[change]).await?;
    }
    accounts::ActiveModel { id: Set(account.id), branding_enabled: Set(enabled), ..Default::default() }
        .update(&txn)
        .await?;
    if enabled && of_account(&txn, account.id).await?.is_none() {
        let colours = match accounts_store::provider_account(db).await? {
            Some(provider) => of_account(&txn, provider.id).await?.map(|row| row.to_brand()),
            None => None,
        }
        .unwrap_or_else(Brand::fallback);
        let name: String = account.name.chars().take(check::MAX_COMPANY_NAME_CHARS).collect();
        brands::ActiveModel {
            account_id: Set(account.id),
            company_name: Set(name),
            logo_url: Set(None),
            logo_content_type: Set(None),
            logo_data: Set(None),
            favicon_url: Set(None),
            favicon_content_type: Set(None),
            favicon_data: Set(None),
            primary_color: Set(colours.primary_color),
            accent_color: Set(colours.accent_color),
            support_email: Set(None),
            footer_text: Set(None),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The provider and every reseller, each with its brand (if any), for the admin's brand list.
pub(crate) async fn overview(
    db: &DatabaseConnection,
    page: PageQuery,
) -> AppResult<Paged<(accounts::Model, Option<BrandRow>, Vec<String>)>> {
    let select =
        accounts::Entity::find().filter(accounts::Column::Tier.is_in([AccountTier::Provider, AccountTier::Reseller]));
    let keyset = Keyset::new(
        "brands",
        vec![Term::asc(accounts::Column::Tier), Term::asc(accounts::Column::Name), Term::asc(accounts::Column::Id)],
    );
    let key = |a: &accounts::Model| vec![a.tier.into(), a.name.clone().into(), a.id.into()];
    let accounts = fetch_page(db, select, &keyset, key, &page).await?;
    let ids: Vec<i32> = accounts.items.iter().map(|a| a.id).collect();
    let rows = brands::Entity::find()
        .filter(brands::Column::AccountId.is_in(ids))
        .into_partial_model::<BrandRow>()
        .all(db)
        .await?;
    let brand_ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let hosts = brand_hosts::Entity::find()
        .filter(brand_hosts::Column::BrandId.is_in(brand_ids))
        .order_by_asc(brand_hosts::Column::Host)
        .all(db)
        .await?;
    Ok(accounts.map(|account| {
        let row = rows.iter().find(|r| r.account_id == account.id).cloned();
        let hosts_of_row = row
            .as_ref()
            .map(|r| hosts.iter().filter(|h| h.brand_id == r.id).map(|h| h.host.clone()).collect())
            .unwrap_or_default();
        (account, row, hosts_of_row)
    }))
}

/// Applies a `[[brand]]` table from the configuration file to the account it names.
pub(crate) async fn apply_declared(db: &DatabaseConnection, fields: &BrandFields, own_host: &str) -> AppResult<()> {
    let code = fields.account.trim();
    let problem = |message: String| AppError::Config(format!("[[brand]] {code}: {message}"));
    if code.is_empty() {
        return Err(AppError::Config("[[brand]]: `account` (the account's code) is required".into()));
    }
    let account = accounts_store::find_by_code(db, AccountScope::All, code)
        .await
        .map_err(|_| problem("no account has this code".into()))?;
    if account.tier == AccountTier::Customer {
        return Err(problem("only the provider and resellers have a brand".into()));
    }
    let checked = check::check(fields, own_host).map_err(|errors| problem(errors.join(" ")))?;
    let by = AuditActor::system("configuration file", None);
    match save(db, &by, &account, checked).await {
        Ok(_) => {}
        Err(BrandError::Failed(error)) => return Err(error),
        Err(refused) => return Err(problem(refused.to_string())),
    }
    if let Some(enabled) = fields.branding_enabled {
        if account.tier != AccountTier::Reseller {
            return Err(problem("branding_enabled applies to resellers only".into()));
        }
        set_branding_enabled(db, &by, &account, enabled).await?;
    }
    Ok(())
}
