//! External identity providers (Azure AD / Entra ID, Google, any OpenID provider):
//! the rules for their settings, and reading and writing them.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait, TryIntoModel,
};

use super::events;
use crate::audit::{self, AuditActor, Change, MASKED};
use crate::entities::enums::IdpKind;
use crate::entities::identity_providers;
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Lang, Localize};
use crate::images::{self, ImageType};
use crate::secrets::SecretBox;

pub(crate) const GOOGLE_ISSUER: &str = "https://accounts.google.com";
pub(crate) const MAX_NAME_CHARS: usize = 100;

impl IdpKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            IdpKind::AzureAd => "Microsoft Entra ID (Azure AD)",
            IdpKind::Google => "Google",
            IdpKind::Oidc => "OpenID Connect",
        }
    }

    /// The bundled logo for this kind.
    pub(crate) fn default_logo(self) -> &'static str {
        match self {
            IdpKind::AzureAd => "/static/idp/microsoft.svg",
            IdpKind::Google => "/static/idp/google.svg",
            IdpKind::Oidc => "/static/idp/openid.svg",
        }
    }
}

/// Settings of a provider as an admin (or the TOML file) gives them, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    pub name: String,
    pub kind: IdpKind,
    pub issuer: String,
    pub client_id: String,
    /// `None` keeps the stored secret (editing without retyping it).
    pub client_secret: Option<String>,
    pub allowed_tenants: Vec<String>,
    pub hosted_domain: Option<String>,
    pub active: bool,
    pub visible: bool,
    pub allow_automatic_registration: bool,
    /// Automatic registration may use an e-mail not marked verified.
    pub trust_unverified_email: bool,
    pub logo: Option<String>,
}

/// The raw values of the admin form or a `[[identity_provider]]` table.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFields {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub tenants: Vec<String>,
    #[serde(default)]
    pub hosted_domain: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub allow_automatic_registration: bool,
    /// Unset: on for Entra ID (which rarely sends `email_verified`), off otherwise.
    #[serde(default)]
    pub trust_unverified_email: Option<bool>,
    #[serde(default)]
    pub logo: Option<String>,
}

fn yes() -> bool {
    true
}

/// Why an issuer URL is refused: it is not a URL, not a plain one, or not https.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IssuerProblem {
    Url,
    Plain,
    Https,
}

impl IssuerProblem {
    fn english(self) -> &'static str {
        match self {
            IssuerProblem::Url => "The issuer must be a URL such as https://login.example.com.",
            IssuerProblem::Plain => "The issuer must be a plain URL with a host and no query.",
            IssuerProblem::Https => "The issuer must use https (plain http only for 127.0.0.1, localhost or [::1]).",
        }
    }

    /// The refusal in the admin's language (Admin → Identity providers).
    fn localized(self, loc: &impl Localize) -> String {
        loc.t(match self {
            IssuerProblem::Url => msg!("admin-idp-issuer-not-url"),
            IssuerProblem::Plain => msg!("admin-idp-issuer-not-plain"),
            IssuerProblem::Https => msg!("admin-idp-issuer-not-https"),
        })
    }
}

/// Loopback hosts may use plain http (development and tests); everything else must be https.
pub(crate) fn check_issuer_url(url: &str) -> Result<(), String> {
    issuer_problem(url).map_err(|problem| problem.english().to_string())
}

fn issuer_problem(url: &str) -> Result<(), IssuerProblem> {
    let (scheme, rest) = url.split_once("://").ok_or(IssuerProblem::Url)?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(IssuerProblem::Plain);
    }
    let loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    match scheme {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(IssuerProblem::Https),
    }
}

/// A GUID such as an Entra ID tenant id.
pub(crate) fn is_guid(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    parts.len() == 5 && parts.iter().zip(lengths).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether an Entra ID issuer is a multi-tenant endpoint (`common`, `organizations`, or `{tenantid}`).
pub(crate) fn is_multi_tenant_issuer(issuer: &str) -> bool {
    ["/common/", "/organizations/", "/{tenantid}/"].iter().any(|marker| format!("{issuer}/").contains(marker))
}

/// Checks the fields; every problem is one message (in English).
pub fn check(fields: &ProviderFields, creating: bool) -> Result<ProviderSettings, Vec<String>> {
    check_in(fields, creating, &Lang::En)
}

/// [`check`], every problem said in `loc`'s language (Admin → Identity providers).
pub(crate) fn check_in(
    fields: &ProviderFields,
    creating: bool,
    loc: &impl Localize,
) -> Result<ProviderSettings, Vec<String>> {
    let mut errors = Vec::new();
    let name = fields.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        errors.push(tr!(loc, "admin-idp-name-length", max = MAX_NAME_CHARS));
    }
    let kind = IdpKind::parse(fields.kind.trim());
    if kind.is_none() {
        errors.push(loc.t("admin-idp-kind-unknown"));
    }
    let mut issuer = fields.issuer.trim().trim_end_matches('/').to_string();
    if kind == Some(IdpKind::Google) && issuer.is_empty() {
        issuer = GOOGLE_ISSUER.to_string();
    }
    if issuer.len() > 500 {
        errors.push(loc.t("admin-idp-issuer-too-long"));
    } else if let Err(problem) = issuer_problem(&issuer) {
        errors.push(problem.localized(loc));
    }
    let client_id = fields.client_id.trim().to_string();
    if client_id.is_empty() || client_id.len() > 255 {
        errors.push(loc.t("admin-idp-client-id-missing"));
    }
    let secret = fields.client_secret.trim();
    if secret.len() > 1000 {
        errors.push(loc.t("admin-idp-client-secret-too-long"));
    }
    if creating && secret.is_empty() {
        errors.push(loc.t("admin-idp-client-secret-missing"));
    }
    let allowed_tenants: Vec<String> =
        fields.tenants.iter().map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty()).collect();
    if allowed_tenants.iter().any(|t| !is_guid(t)) {
        errors.push(loc.t("admin-idp-tenant-not-guid"));
    }
    if kind == Some(IdpKind::AzureAd) && is_multi_tenant_issuer(&issuer) && allowed_tenants.is_empty() {
        errors.push(loc.t("admin-idp-tenants-needed"));
    }
    if kind != Some(IdpKind::AzureAd) && !allowed_tenants.is_empty() {
        errors.push(loc.t("admin-idp-tenants-entra-only"));
    }
    let hosted_domain = fields.hosted_domain.as_ref().map(|d| d.trim().to_ascii_lowercase()).filter(|d| !d.is_empty());
    if let Some(domain) = &hosted_domain {
        if kind != Some(IdpKind::Google) {
            errors.push(loc.t("admin-idp-hosted-domain-google-only"));
        } else if !domain.contains('.') || !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            errors.push(loc.t("admin-idp-hosted-domain-invalid"));
        }
    }
    let logo = fields.logo.as_ref().map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
    if let Some(logo) = &logo {
        if logo.len() > 500 || !crate::branding::is_safe_url(logo) {
            errors.push(loc.t("admin-idp-logo-invalid"));
        }
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ProviderSettings {
            name,
            kind,
            issuer,
            client_id,
            client_secret: (!secret.is_empty()).then(|| secret.to_string()),
            allowed_tenants,
            hosted_domain,
            active: fields.active,
            visible: fields.visible,
            allow_automatic_registration: fields.allow_automatic_registration,
            trust_unverified_email: fields.trust_unverified_email.unwrap_or(kind == IdpKind::AzureAd),
            logo,
        }),
        _ => Err(errors),
    }
}

/// Largest logo an admin may upload.
pub(crate) const MAX_LOGO_BYTES: usize = 100 * 1024;

/// The image types an identity provider's logo may be uploaded as.
const LOGO_TYPES: &[ImageType] = &[ImageType::Png, ImageType::Jpeg, ImageType::Webp, ImageType::Svg];

/// Checks an uploaded logo by its declared type and its first bytes; returns the
/// `data:` URL it is stored and shown as.
pub(crate) fn uploaded_logo(declared_type: &str, bytes: &[u8]) -> Result<String, String> {
    let image_type = images::check("logo", declared_type, bytes, LOGO_TYPES, MAX_LOGO_BYTES)?;
    Ok(format!(
        "data:{};base64,{}",
        image_type.content_type(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
    ))
}

/// A stored logo: a checked upload (`data:image/…;base64,`) or a safe URL.
fn is_stored_logo(logo: &str) -> bool {
    let uploaded =
        ["png", "jpeg", "webp", "svg+xml"].iter().any(|t| logo.starts_with(&format!("data:image/{t};base64,")))
            && logo.bytes().skip(5).all(|b| b.is_ascii_alphanumeric() || b"+/=;,:-".contains(&b));
    uploaded || crate::branding::is_safe_url(logo)
}

/// The logo to show for a provider.
pub(crate) fn logo_of(provider: &identity_providers::Model) -> String {
    provider.logo.clone().filter(|l| is_stored_logo(l)).unwrap_or_else(|| provider.kind.default_logo().into())
}

/// Stores an uploaded logo (already checked by [`uploaded_logo`]), with its audit entry and
/// security event.
pub(crate) async fn set_logo(
    db: &DatabaseConnection,
    by: &AuditActor,
    provider: &identity_providers::Model,
    logo: String,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let old = get(&txn, provider.id).await?;
    let changes = [logo_change(old.logo.as_deref(), Some(&logo))];
    let mut row: identity_providers::ActiveModel = old.into();
    row.logo = Set(Some(logo));
    row.updated_at = Set(Utc::now());
    let saved = row.update(&txn).await?;
    let event = format!("identity provider {}: logo uploaded", saved.name);
    record(&txn, by, CHANGED, &saved, &changes, event).await?;
    txn.commit().await?;
    Ok(())
}

/// Allowed tenant ids as stored (comma separated).
pub(crate) fn tenants_of(provider: &identity_providers::Model) -> Vec<String> {
    provider.allowed_tenants.as_deref().unwrap_or("").split(',').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

pub(crate) async fn list(db: &DatabaseConnection) -> AppResult<Vec<identity_providers::Model>> {
    Ok(identity_providers::Entity::find().order_by_asc(identity_providers::Column::Name).all(db).await?)
}

/// [`usable`] for a page view: remembered until the config version moves (the page
/// context validated the cache for this request).
pub(crate) async fn usable_remembered(
    db: &DatabaseConnection,
    cache: &crate::config_cache::ConfigCache,
) -> AppResult<Vec<identity_providers::Model>> {
    match cache.usable_providers() {
        Ok(providers) => Ok(providers),
        Err(missed) => {
            let providers = usable(db).await?;
            cache.keep_usable_providers(missed, &providers);
            Ok(providers)
        }
    }
}

/// Active and visible providers, by name: the ones people can sign in and link with.
pub(crate) async fn usable(db: &DatabaseConnection) -> AppResult<Vec<identity_providers::Model>> {
    Ok(identity_providers::Entity::find()
        .filter(identity_providers::Column::Active.eq(true))
        .filter(identity_providers::Column::Visible.eq(true))
        .order_by_asc(identity_providers::Column::Name)
        .all(db)
        .await?)
}

pub(crate) async fn count_active(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(identity_providers::Entity::find().filter(identity_providers::Column::Active.eq(true)).count(db).await?)
}

/// A provider by id (in a transaction: as it is before the transaction changes it).
pub(crate) async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<identity_providers::Model> {
    identity_providers::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn find_by_name<C: ConnectionTrait>(db: &C, name: &str) -> AppResult<Option<identity_providers::Model>> {
    Ok(identity_providers::Entity::find().filter(identity_providers::Column::Name.eq(name)).one(db).await?)
}

/// Why a provider was not saved or activated.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("Another provider is already called {0}.")]
    NameTaken(String),
    /// Discovery or the keys could not be fetched (the reason says which and why).
    #[error("Not activated: {0}")]
    NotActivated(String),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(ProviderError);

impl ProviderError {
    /// The refusal in the admin's language (the English `Display` stays for logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            ProviderError::NameTaken(name) => tr!(loc, "admin-idp-name-taken", name = name.clone()),
            ProviderError::NotActivated(reason) => tr!(loc, "admin-idp-not-activated-reason", reason = reason.clone()),
            ProviderError::Failed(e) => e.to_string(),
        }
    }
}

/// What the audit log calls a change to a provider, and a new one.
const CHANGED: &str = "identity provider changed";
const ADDED: &str = "identity provider added";

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// A provider's fields as the audit log shows them, the secret and the logo apart.
fn shown(settings: &ProviderSettings) -> [(&'static str, String); 10] {
    [
        ("name", settings.name.clone()),
        ("kind", settings.kind.label().into()),
        ("issuer", settings.issuer.clone()),
        ("client id", settings.client_id.clone()),
        ("allowed tenants", settings.allowed_tenants.join(", ")),
        ("hosted domain", settings.hosted_domain.clone().unwrap_or_default()),
        ("active", yes_no(settings.active).into()),
        ("visible", yes_no(settings.visible).into()),
        ("automatic registration", yes_no(settings.allow_automatic_registration).into()),
        ("trust unverified e-mail", yes_no(settings.trust_unverified_email).into()),
    ]
}

/// A stored provider's settings (its secret left as stored).
fn settings_of(provider: &identity_providers::Model) -> ProviderSettings {
    ProviderSettings {
        name: provider.name.clone(),
        kind: provider.kind,
        issuer: provider.issuer.clone(),
        client_id: provider.client_id.clone(),
        client_secret: None,
        allowed_tenants: tenants_of(provider),
        hosted_domain: provider.hosted_domain.clone(),
        active: provider.active,
        visible: provider.visible,
        allow_automatic_registration: provider.allow_automatic_registration,
        trust_unverified_email: provider.trust_unverified_email,
        logo: provider.logo.clone(),
    }
}

/// The logo's change: an address as it is, an upload as "uploaded image" (never its bytes).
fn logo_change(old: Option<&str>, new: Option<&str>) -> Change {
    let label = |logo: Option<&str>| match logo {
        Some(logo) if logo.starts_with("data:") => "uploaded image".to_string(),
        Some(logo) => logo.to_string(),
        None => String::new(),
    };
    let (before, after) = (label(old), label(new));
    if old != new && before == after {
        return Change::new("logo", before, format!("another {after}"));
    }
    Change::new("logo", before, after)
}

/// Whether `settings` brings a secret other than the stored one (one this server cannot
/// read counts as other).
fn brings_new_secret(
    secrets: &SecretBox,
    old: Option<&identity_providers::Model>,
    settings: &ProviderSettings,
) -> bool {
    let Some(given) = settings.client_secret.as_deref() else { return false };
    let stored = old.and_then(|old| old.client_secret_enc.as_deref()).and_then(|sealed| secrets.open(sealed).ok());
    stored.as_deref() != Some(given)
}

/// What saving `new` over `old` (none: a new provider) changes, field by field: set on a
/// new provider, old → new on an edit; the secret only as "changed" when a new one is given.
fn changes(old: Option<&identity_providers::Model>, new: &ProviderSettings, new_secret: bool) -> Vec<Change> {
    let mut changes: Vec<Change> = match old {
        None => shown(new).into_iter().map(|(field, value)| Change::set(field, value)).collect(),
        Some(old) => shown(&settings_of(old))
            .into_iter()
            .zip(shown(new))
            .map(|((field, before), (_, after))| Change::new(field, before, after))
            .collect(),
    };
    if new_secret {
        let secret = if old.is_some() { Change::secret("client secret") } else { Change::set("client secret", MASKED) };
        changes.insert(4, secret);
    }
    changes.push(logo_change(old.and_then(|old| old.logo.as_deref()), new.logo.as_deref()));
    changes
}

/// Records a change to a provider: the audit entry of what changed, and the security event.
async fn record<C: ConnectionTrait>(
    db: &C,
    by: &AuditActor,
    action: &str,
    provider: &identity_providers::Model,
    changes: &[Change],
    event: String,
) -> AppResult<()> {
    audit::record(db, by, by.account_id, action, &provider.name, changes).await?;
    events::record(db, events::SETTINGS_CHANGED, by.user_id, by.account_id, Some(event), None).await
}

/// Saves a provider as [`save`] does, checking first, when it is to be active, that its
/// discovery document and keys can be fetched (the admin form and the configuration file);
/// audited as [`save_audited`].
pub(crate) async fn save_checked(
    db: &DatabaseConnection,
    by: &AuditActor,
    http: &reqwest::Client,
    secrets: &SecretBox,
    existing: Option<identity_providers::Model>,
    settings: ProviderSettings,
) -> Result<identity_providers::Model, ProviderError> {
    if settings.active {
        super::discovery::check(http, &settings.issuer).await.map_err(ProviderError::NotActivated)?;
    }
    save_audited(db, by, secrets, existing, settings).await
}

/// Saves a provider with the audit entry of each field it changes and the security event,
/// in one transaction. A save that changes nothing writes nothing (a restart with the same
/// configuration file).
async fn save_audited(
    db: &DatabaseConnection,
    by: &AuditActor,
    secrets: &SecretBox,
    existing: Option<identity_providers::Model>,
    settings: ProviderSettings,
) -> Result<identity_providers::Model, ProviderError> {
    let txn = db.begin().await?;
    let old = match existing {
        Some(existing) => Some(get(&txn, existing.id).await?),
        None => None,
    };
    let changes = changes(old.as_ref(), &settings, brings_new_secret(secrets, old.as_ref(), &settings));
    if let Some(old) = old.as_ref().filter(|_| !audit::any_change(&changes)) {
        return Ok(old.clone());
    }
    let (action, verb) = if old.is_some() { (CHANGED, "updated") } else { (ADDED, "added") };
    let saved = save(&txn, secrets, old, settings).await?;
    let event = format!("identity provider {} {verb} (active: {})", saved.name, saved.active);
    record(&txn, by, action, &saved, &changes, event).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Activates a provider once its discovery document and keys can be fetched.
pub(crate) async fn activate(
    db: &DatabaseConnection,
    by: &AuditActor,
    http: &reqwest::Client,
    provider: &identity_providers::Model,
) -> Result<(), ProviderError> {
    super::discovery::check(http, &provider.issuer).await.map_err(ProviderError::NotActivated)?;
    set_active(db, by, provider, true).await?;
    Ok(())
}

/// Creates or updates (by id) a provider's row; the secret is sealed before it is stored.
/// No audit entry: what admins and the configuration file change goes through
/// [`save_checked`]; the demo data seeds its providers with this.
pub async fn save<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    existing: Option<identity_providers::Model>,
    settings: ProviderSettings,
) -> Result<identity_providers::Model, ProviderError> {
    if let Some(other) = find_by_name(db, &settings.name).await? {
        if existing.as_ref().map(|e| e.id) != Some(other.id) {
            return Err(ProviderError::NameTaken(settings.name));
        }
    }
    let now = Utc::now();
    let mut row: identity_providers::ActiveModel = match existing {
        Some(model) => model.into(),
        None => identity_providers::ActiveModel { created_at: Set(now), ..Default::default() },
    };
    row.name = Set(settings.name);
    row.kind = Set(settings.kind);
    row.issuer = Set(settings.issuer);
    row.client_id = Set(settings.client_id);
    if let Some(secret) = settings.client_secret {
        row.client_secret_enc = Set(Some(secrets.seal(&secret)?));
    }
    row.allowed_tenants = Set((!settings.allowed_tenants.is_empty()).then(|| settings.allowed_tenants.join(",")));
    row.hosted_domain = Set(settings.hosted_domain);
    row.active = Set(settings.active);
    row.visible = Set(settings.visible);
    row.allow_automatic_registration = Set(settings.allow_automatic_registration);
    row.trust_unverified_email = Set(settings.trust_unverified_email);
    row.logo = Set(settings.logo);
    row.updated_at = Set(now);
    Ok(row.save(db).await?.try_into_model()?)
}

/// Applies a `[[identity_provider]]` table from the configuration file, by name. One
/// declared active is activated only when its discovery document and keys can be fetched,
/// as from the admin form; otherwise the reason is printed and the server still starts
/// (an identity provider being down must not keep the shop down): a provider that is not
/// active yet is saved inactive, one already active stays active (it was checked when it
/// was activated, and a provider briefly down at a restart must not switch sign-in off).
pub async fn apply_declared(
    db: &DatabaseConnection,
    http: &reqwest::Client,
    secrets: &SecretBox,
    fields: &ProviderFields,
) -> AppResult<()> {
    let existing = find_by_name(db, fields.name.trim()).await?;
    let mut settings = check(fields, existing.is_none())
        .map_err(|errors| AppError::Config(format!("[[identity_provider]] {}: {}", fields.name, errors.join(" "))))?;
    // Left out of the file: an existing provider keeps what its admin chose.
    if let (None, Some(existing)) = (fields.trust_unverified_email, &existing) {
        settings.trust_unverified_email = existing.trust_unverified_email;
    }
    let in_config = |error: ProviderError| match error {
        ProviderError::Failed(error) => error,
        refused => AppError::Config(format!("[[identity_provider]] {}: {refused}", fields.name)),
    };
    let by = AuditActor::system("configuration file", None);
    match save_checked(db, &by, http, secrets, existing.clone(), settings.clone()).await {
        Ok(_) => Ok(()),
        Err(ProviderError::NotActivated(reason)) => {
            let active = existing.as_ref().is_some_and(|stored| stored.active);
            let outcome = if active { "stays active" } else { "is saved inactive" };
            tracing::warn!(provider = %fields.name, %reason, outcome, "a declared identity provider failed its check");
            println!("[[identity_provider]] {} {outcome}: {reason}", fields.name);
            let settings = ProviderSettings { active, ..settings };
            save_audited(db, &by, secrets, existing, settings).await.map(|_| ()).map_err(in_config)
        }
        Err(error) => Err(in_config(error)),
    }
}

/// Activates (once checked: [`activate`]) or deactivates a provider, with its audit entry
/// and security event.
pub(crate) async fn set_active(
    db: &DatabaseConnection,
    by: &AuditActor,
    provider: &identity_providers::Model,
    active: bool,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let old = get(&txn, provider.id).await?;
    let changes = [Change::new("active", yes_no(old.active), yes_no(active))];
    let mut row: identity_providers::ActiveModel = old.into();
    row.active = Set(active);
    row.updated_at = Set(Utc::now());
    let saved = row.update(&txn).await?;
    let event = format!("identity provider {} {}", saved.name, if active { "activated" } else { "deactivated" });
    record(&txn, by, CHANGED, &saved, &changes, event).await?;
    txn.commit().await?;
    Ok(())
}

/// A masked view of a stored secret: never more than its last four characters.
pub(crate) fn masked_secret(secrets: &SecretBox, provider: &identity_providers::Model) -> String {
    match provider.client_secret_enc.as_deref().map(|s| secrets.open(s)) {
        Some(Ok(secret)) if secret.chars().count() > 8 => {
            let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            format!("••••••••{tail}")
        }
        Some(Ok(_)) => "••••••••".into(),
        Some(Err(_)) => "cannot be read with this server's secret key — enter it again".into(),
        None => "not set".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(kind: &str, issuer: &str) -> ProviderFields {
        ProviderFields {
            name: "Contoso Entra".into(),
            kind: kind.into(),
            issuer: issuer.into(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            visible: true,
            ..Default::default()
        }
    }

    #[test]
    fn issuers_must_be_https_except_on_loopback() {
        assert!(check_issuer_url("https://login.microsoftonline.com/x/v2.0").is_ok());
        assert!(check_issuer_url("http://127.0.0.1:4010").is_ok());
        assert!(check_issuer_url("http://localhost:4010/oidc").is_ok());
        assert!(check_issuer_url("http://[::1]:4010").is_ok());
        assert!(check_issuer_url("http://idp.example.com").is_err());
        assert!(check_issuer_url("http://127.0.0.1.evil.example").is_err());
        assert!(check_issuer_url("ftp://idp.example.com").is_err());
        assert!(check_issuer_url("https://idp.example.com/?x=1").is_err());
        assert!(check_issuer_url("idp.example.com").is_err());
    }

    #[test]
    fn multi_tenant_entra_needs_an_allow_list_of_guids() {
        let mut f = fields("azure_ad", "https://login.microsoftonline.com/organizations/v2.0");
        assert!(check(&f, true).unwrap_err().iter().any(|e| e.contains("multi-tenant")));
        f.tenants = vec!["not-a-guid".into()];
        assert!(check(&f, true).is_err());
        f.tenants = vec!["72F988BF-86F1-41AF-91AB-2D7CD011DB47".into()];
        let ok = check(&f, true).unwrap();
        assert_eq!(ok.allowed_tenants, vec!["72f988bf-86f1-41af-91ab-2d7cd011db47".to_string()]);
        let single = fields("azure_ad", "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
        assert!(check(&single, true).is_ok());
    }

    #[test]
    fn google_defaults_its_issuer_and_checks_the_hosted_domain() {
        let mut f = fields("google", "");
        f.hosted_domain = Some("Contoso.CL".into());
        let ok = check(&f, true).unwrap();
        assert_eq!(ok.issuer, GOOGLE_ISSUER);
        assert_eq!(ok.hosted_domain.as_deref(), Some("contoso.cl"));
        f.hosted_domain = Some("not a domain".into());
        assert!(check(&f, true).is_err());
        let mut oidc = fields("oidc", "https://idp.example.com");
        oidc.hosted_domain = Some("example.com".into());
        assert!(check(&oidc, true).is_err());
    }

    #[test]
    fn unknown_kinds_missing_secrets_and_script_logos_are_refused() {
        assert!(check(&fields("saml", "https://idp.example.com"), true).is_err());
        let mut f = fields("oidc", "https://idp.example.com");
        f.client_secret = String::new();
        assert!(check(&f, true).is_err());
        assert_eq!(check(&f, false).unwrap().client_secret, None, "editing keeps the stored secret");
        f.logo = Some("javascript:alert(1)".into());
        assert!(check(&f, false).is_err());
    }

    #[test]
    fn uploaded_logos_are_checked_by_type_and_content() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        assert!(uploaded_logo("image/png", png).unwrap().starts_with("data:image/png;base64,"));
        assert!(uploaded_logo("image/png", b"<svg onload=alert(1)>").is_err(), "content must match the type");
        assert!(uploaded_logo("text/html", b"<html>").is_err());
        assert!(uploaded_logo("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_ok());
        assert!(uploaded_logo("image/jpeg", &vec![0xff; MAX_LOGO_BYTES + 1]).is_err());
        assert!(is_stored_logo(&uploaded_logo("image/png", png).unwrap()));
        assert!(!is_stored_logo("data:text/html;base64,PHNjcmlwdD4="));
        assert!(!is_stored_logo("data:image/png;base64,AAA\"><script>"));
    }

    fn stored(settings: &ProviderSettings, secrets: &SecretBox) -> identity_providers::Model {
        identity_providers::Model {
            id: 1,
            name: settings.name.clone(),
            kind: settings.kind,
            issuer: settings.issuer.clone(),
            client_id: settings.client_id.clone(),
            client_secret_enc: settings.client_secret.as_deref().map(|s| secrets.seal(s).unwrap()),
            allowed_tenants: None,
            hosted_domain: None,
            active: settings.active,
            visible: settings.visible,
            allow_automatic_registration: settings.allow_automatic_registration,
            trust_unverified_email: settings.trust_unverified_email,
            logo: settings.logo.clone(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn an_edit_records_what_changed_and_a_secret_only_when_a_new_one_is_given() {
        let secrets = SecretBox::from_key(&[7; 32]);
        let created = check(&fields("oidc", "https://idp.example.com"), true).unwrap();
        let added = audit::describe(&changes(None, &created, brings_new_secret(&secrets, None, &created)));
        assert!(added.lines().any(|l| l == "issuer: https://idp.example.com"), "{added}");
        assert!(added.lines().any(|l| l == "client secret: ••••••"), "{added}");
        assert!(!added.contains(": secret"), "never the secret itself");

        let old = stored(&created, &secrets);
        let same_secret = check(&fields("oidc", "https://idp.example.com"), false).unwrap();
        assert!(!brings_new_secret(&secrets, Some(&old), &same_secret), "the stored one typed again");
        assert!(!audit::any_change(&changes(Some(&old), &same_secret, false)));

        let edited = ProviderSettings {
            issuer: "https://sso.example.com".into(),
            client_secret: Some("another".into()),
            visible: false,
            ..same_secret
        };
        let new_secret = brings_new_secret(&secrets, Some(&old), &edited);
        assert_eq!(
            audit::describe(&changes(Some(&old), &edited, new_secret)),
            "issuer: https://idp.example.com → https://sso.example.com\nclient secret: •••••• → ••••••\nvisible: yes → no"
        );
        let unreadable = SecretBox::from_key(&[8; 32]);
        assert!(brings_new_secret(&unreadable, Some(&old), &created), "one this server cannot read is replaced");
    }

    #[test]
    fn logos_are_recorded_by_address_and_uploads_never_by_their_bytes() {
        let png = uploaded_logo("image/png", b"\x89PNG\r\n\x1a\nrest").unwrap();
        let other = uploaded_logo("image/png", b"\x89PNG\r\n\x1a\nelse").unwrap();
        let describe = |old: Option<&str>, new: Option<&str>| audit::describe(&[logo_change(old, new)]);
        assert_eq!(describe(None, Some(&png)), "logo: uploaded image");
        assert_eq!(describe(Some(&png), Some(&other)), "logo: uploaded image → another uploaded image");
        assert_eq!(describe(Some(&png), Some(&png)), "");
        assert_eq!(
            describe(Some("https://cdn.example.com/l.svg"), None),
            "logo: https://cdn.example.com/l.svg → (none)"
        );
    }

    #[test]
    fn guids() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4"));
        assert!(!is_guid("common"));
    }
}
