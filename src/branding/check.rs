//! The rules for what a brand may contain and who may edit it. Pure functions; the
//! error texts are the form messages.

use serde::Deserialize;

use super::{is_safe_url, valid_color};
use crate::accounts::Viewer;
use crate::entities::accounts;
use crate::entities::enums::AccountTier;
use crate::i18n::{msg, tr, Lang, Localize};
use crate::images::ImageType;

pub(crate) const MAX_COMPANY_NAME_CHARS: usize = 80;
pub(crate) const MAX_FOOTER_CHARS: usize = 300;
pub(crate) const MAX_URL_CHARS: usize = 500;
pub(crate) const MAX_HOSTS: usize = 10;
pub(crate) const MAX_LOGO_BYTES: usize = 200 * 1024;
pub(crate) const MAX_FAVICON_BYTES: usize = 64 * 1024;
pub(crate) const LOGO_TYPES: &[ImageType] = &[ImageType::Png, ImageType::Jpeg, ImageType::Webp, ImageType::Svg];
pub(crate) const FAVICON_TYPES: &[ImageType] = &[ImageType::Png, ImageType::Svg, ImageType::Ico];

/// A brand as typed in the form or declared in the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandFields {
    /// The account's code; only the configuration file names it (forms know it from the URL).
    #[serde(default)]
    pub account: String,
    pub company_name: String,
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub favicon_url: String,
    pub primary_color: String,
    pub accent_color: String,
    #[serde(default)]
    pub support_email: String,
    #[serde(default)]
    pub footer_text: String,
    /// Custom hosts; `None` keeps the stored ones (a reseller's form has no host field).
    pub hosts: Option<Vec<String>>,
    /// The "premium" switch of a reseller; configuration file only.
    pub branding_enabled: Option<bool>,
    /// The language a visitor whose browser asks for none gets (`es-CL`, `en`); empty keeps
    /// the stored one.
    #[serde(default)]
    pub default_language: String,
    /// The IANA time zone dates are shown in for visitors and users who chose none
    /// (`America/Santiago`); empty keeps the stored one.
    #[serde(default)]
    pub time_zone: String,
}

/// A brand that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedBrand {
    pub company_name: String,
    pub logo_url: Option<String>,
    pub favicon_url: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    pub support_email: Option<String>,
    pub footer_text: Option<String>,
    pub hosts: Option<Vec<String>>,
    /// `None` keeps the stored language (a new brand gets English).
    pub default_language: Option<Lang>,
    /// `None` keeps the stored time zone (a new brand gets America/Santiago).
    pub time_zone: Option<chrono_tz::Tz>,
}

/// A field of the brand form, as its messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    CompanyName,
    LogoAddress,
    FaviconAddress,
    PrimaryColour,
    AccentColour,
    FooterText,
}

impl Label {
    fn say(self, loc: &impl Localize) -> String {
        loc.t(match self {
            Label::CompanyName => msg!("brands-label-company-name"),
            Label::LogoAddress => msg!("brands-label-logo-address"),
            Label::FaviconAddress => msg!("brands-label-favicon-address"),
            Label::PrimaryColour => msg!("brands-label-primary-colour"),
            Label::AccentColour => msg!("brands-label-accent-colour"),
            Label::FooterText => msg!("brands-label-footer-text"),
        })
    }
}

fn has_markup(text: &str) -> bool {
    text.contains(['<', '>'])
}

fn check_text(
    loc: &impl Localize,
    label: Label,
    value: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<String>,
) -> Option<String> {
    let value = value.trim();
    let label = label.say(loc);
    if value.is_empty() {
        if required {
            errors.push(tr!(loc, "brands-error-enter", label = label));
        }
        return None;
    }
    if value.chars().count() > max {
        errors.push(tr!(loc, "brands-error-too-long", label = label, max = max));
    } else if has_markup(value) {
        errors.push(tr!(loc, "brands-error-markup", label = label));
    } else if value.chars().any(char::is_control) {
        errors.push(tr!(loc, "brands-error-control", label = label));
    } else {
        return Some(value.to_string());
    }
    None
}

fn check_url(loc: &impl Localize, label: Label, value: &str, errors: &mut Vec<String>) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.len() > MAX_URL_CHARS || !is_safe_url(value) {
        errors.push(tr!(loc, "brands-error-url", label = label.say(loc)));
        return None;
    }
    Some(value.to_string())
}

fn check_colour(loc: &impl Localize, label: Label, value: &str, errors: &mut Vec<String>) -> String {
    valid_color(value.trim()).unwrap_or_else(|| {
        errors.push(tr!(loc, "brands-error-colour", label = label.say(loc)));
        String::new()
    })
}

/// A custom host as stored: lower-case, no port, no scheme.
#[cfg(test)]
pub(crate) fn check_host(host: &str) -> Result<String, String> {
    check_host_in(host, &Lang::En)
}

fn check_host_in(host: &str, loc: &impl Localize) -> Result<String, String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if host.len() > 253 || !host.contains('.') || !host.split('.').all(label_ok) {
        return Err(tr!(loc, "brands-error-host", host = host));
    }
    Ok(host)
}

/// Checks a brand; `own_host` is this server's host, which no brand may claim. The
/// messages are in English (the configuration file's); [`check_in`] says them in a language.
pub(crate) fn check(fields: &BrandFields, own_host: &str) -> Result<CheckedBrand, Vec<String>> {
    check_in(fields, own_host, &Lang::En)
}

/// [`check`], with the messages in `loc`'s language (the brand form's).
pub(crate) fn check_in(fields: &BrandFields, own_host: &str, loc: &impl Localize) -> Result<CheckedBrand, Vec<String>> {
    let mut errors = Vec::new();
    let company_name =
        check_text(loc, Label::CompanyName, &fields.company_name, MAX_COMPANY_NAME_CHARS, true, &mut errors);
    let logo_url = check_url(loc, Label::LogoAddress, &fields.logo_url, &mut errors);
    let favicon_url = check_url(loc, Label::FaviconAddress, &fields.favicon_url, &mut errors);
    let primary_color = check_colour(loc, Label::PrimaryColour, &fields.primary_color, &mut errors);
    let accent_color = check_colour(loc, Label::AccentColour, &fields.accent_color, &mut errors);
    let support_email = match fields.support_email.trim() {
        "" => None,
        email => match crate::identity::local::check_email(email) {
            Ok(email) if !email.contains(['<', '>', '"', '\'']) => Some(email),
            _ => {
                errors.push(loc.t("brands-error-support-email"));
                None
            }
        },
    };
    let footer_text = check_text(loc, Label::FooterText, &fields.footer_text, MAX_FOOTER_CHARS, false, &mut errors);
    let hosts = fields.hosts.as_ref().map(|hosts| {
        let mut checked: Vec<String> = Vec::new();
        for host in hosts.iter().filter(|h| !h.trim().is_empty()) {
            match check_host_in(host, loc) {
                Ok(host) if host == own_host => errors.push(tr!(loc, "brands-error-own-host", host = host)),
                Ok(host) if !checked.contains(&host) => checked.push(host),
                Ok(_) => {}
                Err(message) => errors.push(message),
            }
        }
        if checked.len() > MAX_HOSTS {
            errors.push(tr!(loc, "brands-error-too-many-hosts", max = MAX_HOSTS));
        }
        checked
    });
    let default_language = match fields.default_language.trim() {
        "" => None,
        tag => match Lang::from_tag(tag) {
            Some(lang) => Some(lang),
            None => {
                errors.push(loc.t("brands-error-language"));
                None
            }
        },
    };
    let time_zone = match fields.time_zone.trim() {
        "" => None,
        name => match crate::i18n::time_zone(name) {
            Some(zone) => Some(zone),
            None => {
                errors.push(loc.t("brands-error-time-zone"));
                None
            }
        },
    };
    match company_name {
        Some(company_name) if errors.is_empty() => Ok(CheckedBrand {
            company_name,
            logo_url,
            favicon_url,
            primary_color,
            accent_color,
            support_email,
            footer_text,
            hosts,
            default_language,
            time_zone,
        }),
        _ => Err(errors),
    }
}

/// What a viewer may do with an account's brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrandAccess {
    /// The provider admin: every field, custom hosts included, of any brand.
    Full,
    /// A reseller admin on its own brand: everything but the custom hosts.
    OwnBrand,
    /// A reseller admin whose branding the provider has not enabled.
    NotEnabled,
    /// Anybody else: the brand does not exist for them (404).
    None,
}

/// Who may edit which brand: only providers and resellers have one.
pub(crate) fn access(viewer: &Viewer, account: &accounts::Model) -> BrandAccess {
    if account.tier == AccountTier::Customer {
        return BrandAccess::None;
    }
    if viewer.is_provider_admin() {
        return BrandAccess::Full;
    }
    if viewer.is_reseller_admin() && viewer.account.id == account.id {
        return if account.branding_enabled { BrandAccess::OwnBrand } else { BrandAccess::NotEnabled };
    }
    BrandAccess::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::enums::UserRole;
    use crate::entities::users;

    fn andes() -> BrandFields {
        BrandFields {
            company_name: "Andes IT".into(),
            logo_url: "https://cdn.andes.example/logo.png".into(),
            primary_color: "#0B6E4F".into(),
            accent_color: "#c8553d".into(),
            support_email: "Soporte@Andes.Demo".into(),
            footer_text: "Andes IT Ltda.".into(),
            hosts: Some(vec!["Shop.Andes.Demo".into(), "".into(), "shop.andes.demo".into()]),
            ..BrandFields::default()
        }
    }

    fn errors_of(fields: BrandFields) -> Vec<String> {
        check(&fields, "127.0.0.1").expect_err("should be refused")
    }

    #[test]
    fn a_good_brand_is_normalised() {
        let brand = check(&andes(), "127.0.0.1").unwrap();
        assert_eq!(brand.primary_color, "#0b6e4f");
        assert_eq!(brand.support_email.as_deref(), Some("soporte@andes.demo"));
        assert_eq!(brand.hosts, Some(vec!["shop.andes.demo".to_string()]), "blank and repeated hosts dropped");
        assert_eq!(brand.favicon_url, None);
    }

    #[test]
    fn markup_css_and_script_are_refused_with_a_message() {
        let errors =
            errors_of(BrandFields { primary_color: "#000000;}</style><script>alert(1)</script>".into(), ..andes() });
        assert_eq!(errors, vec!["The primary colour must be a colour written as #rrggbb, for example #1f4e79."]);
        let errors = errors_of(BrandFields { company_name: "\"><script>alert(1)</script>".into(), ..andes() });
        assert_eq!(errors, vec!["The company name may not contain < or >."]);
        let errors = errors_of(BrandFields { logo_url: "javascript:alert(1)".into(), ..andes() });
        assert!(errors[0].starts_with("The logo address must be an https://"), "{errors:?}");
        let errors = errors_of(BrandFields { favicon_url: "https://x.example/\"><script>".into(), ..andes() });
        assert!(errors[0].starts_with("The favicon address"), "{errors:?}");
        let errors = errors_of(BrandFields { footer_text: "</style>".into(), ..andes() });
        assert_eq!(errors, vec!["The footer text may not contain < or >."]);
        let errors = errors_of(BrandFields { support_email: "a@b.example\"><script>".into(), ..andes() });
        assert_eq!(errors, vec!["The support e-mail must be an address like support@example.com."]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = errors_of(BrandFields {
            company_name: " ".into(),
            primary_color: "red".into(),
            accent_color: "#abc".into(),
            ..andes()
        });
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0], "Enter the company name.");
    }

    #[test]
    fn hosts_are_plain_host_names_and_never_our_own() {
        assert_eq!(check_host(" Shop.Example.COM. "), Ok("shop.example.com".into()));
        for bad in
            ["https://shop.example.com", "shop.example.com:8080", "shop", "a..b", "-a.example", "shop.example.com/x"]
        {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        let errors = errors_of(BrandFields { hosts: Some(vec!["127.0.0.1".into()]), ..andes() });
        assert!(errors[0].contains("this server's own address"), "{errors:?}");
        let many = (0..11).map(|i| format!("s{i}.example.com")).collect();
        assert_eq!(errors_of(BrandFields { hosts: Some(many), ..andes() }).len(), 1);
    }

    #[test]
    fn the_default_language_and_time_zone_are_ones_offered_or_kept() {
        let brand = check(&andes(), "127.0.0.1").unwrap();
        assert_eq!((brand.default_language, brand.time_zone), (None, None), "empty keeps the stored ones");
        let chosen = BrandFields { default_language: "en".into(), time_zone: "Pacific/Easter".into(), ..andes() };
        let brand = check(&chosen, "127.0.0.1").unwrap();
        assert_eq!(brand.default_language, Some(Lang::En));
        assert_eq!(brand.time_zone, Some(chrono_tz::Pacific::Easter));
        let unknown = BrandFields { default_language: "fr".into(), time_zone: "Mars/Olympus".into(), ..andes() };
        assert_eq!(
            errors_of(unknown.clone()),
            vec!["Choose one of the languages offered.", "Choose one of the time zones offered."]
        );
        let spanish = check_in(&unknown, "127.0.0.1", &Lang::EsCl).unwrap_err();
        assert_eq!(spanish, vec!["Elija uno de los idiomas ofrecidos.", "Elija una de las zonas horarias ofrecidas."]);
        let spanish = check_in(&BrandFields { company_name: " ".into(), ..andes() }, "127.0.0.1", &Lang::EsCl);
        assert_eq!(spanish.unwrap_err(), vec!["Ingrese el nombre de la empresa."]);
    }

    fn account(id: i32, tier: AccountTier, branding_enabled: bool) -> accounts::Model {
        accounts::Model {
            id,
            code: format!("A{id}"),
            name: format!("Account {id}"),
            tier,
            parent_id: None,
            currency: "CLP".into(),
            branding_enabled,
            csp_cutoff_day: 1,
            created_at: chrono::Utc::now(),
            legal_name: None,
            tax_id: None,
            country: "CL".into(),
            address: None,
            billing_email: None,
            status: crate::entities::enums::AccountStatus::Active,
        }
    }

    fn viewer(role: UserRole, account: accounts::Model) -> Viewer {
        let user = users::Model {
            id: 1,
            account_id: account.id,
            email: "x@example.com".into(),
            name: "X".into(),
            role,
            password_hash: None,
            failed_logins: 0,
            locked_until: None,
            last_login_at: None,
            password_changed_at: None,
            session_generation: 0,
            lockouts: 0,
            email_verified_at: None,
            active: true,
            joined_at: None,
            invited_by: None,
            created_at: chrono::Utc::now(),
            language: None,
            time_zone: None,
        };
        Viewer { user, account }
    }

    #[test]
    fn only_the_provider_and_a_reseller_on_its_own_enabled_brand_may_edit() {
        let provider = account(1, AccountTier::Provider, false);
        let andes = account(2, AccountTier::Reseller, true);
        let pacific = account(3, AccountTier::Reseller, false);
        let customer = account(4, AccountTier::Customer, false);
        let admin = viewer(UserRole::ProviderAdmin, provider.clone());
        assert_eq!(access(&admin, &andes), BrandAccess::Full);
        assert_eq!(access(&admin, &provider), BrandAccess::Full);
        assert_eq!(access(&admin, &customer), BrandAccess::None);
        let andes_admin = viewer(UserRole::ResellerAdmin, andes.clone());
        assert_eq!(access(&andes_admin, &andes), BrandAccess::OwnBrand);
        assert_eq!(access(&andes_admin, &pacific), BrandAccess::None);
        assert_eq!(access(&andes_admin, &provider), BrandAccess::None);
        let pacific_admin = viewer(UserRole::ResellerAdmin, pacific.clone());
        assert_eq!(access(&pacific_admin, &pacific), BrandAccess::NotEnabled);
        let customer_user = viewer(UserRole::CustomerUser, customer.clone());
        assert_eq!(access(&customer_user, &andes), BrandAccess::None);
    }
}
