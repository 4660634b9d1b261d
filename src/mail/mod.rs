//! E-mail that is never lost. A message is rendered in its recipient's brand and written to
//! the outbox in the same transaction as the change that causes it ([`enqueue`]); the
//! outbox job ([`outbox::deliver_due`]) sends it over SMTP, one instance per message under
//! a lease, retrying with back-off. Without SMTP configured, messages stay in the outbox,
//! where a provider admin reads them (Admin → Outbox).

pub(crate) mod compose;
pub(crate) mod messages;
pub(crate) mod outbox;
pub mod smtp;
pub(crate) mod tokens;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::entities::enums::{MailKind, OutboxStatus};
use crate::entities::{accounts, outbox_messages, users};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Lang, Locale, Localize};
use compose::Letter;

/// Where links in messages point: the public base URL, or a reseller's custom host on the
/// same scheme and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub base_url: String,
}

impl Site {
    pub fn new(base_url: &str) -> Site {
        Site { base_url: base_url.trim_end_matches('/').to_string() }
    }

    /// The base of links for a brand with `custom_host` (or the public base URL).
    pub(crate) fn base_for(&self, custom_host: Option<&str>) -> String {
        let Some(host) = custom_host else { return self.base_url.clone() };
        let (scheme, rest) = self.base_url.split_once("://").unwrap_or(("https", ""));
        let authority = rest.split('/').next().unwrap_or("");
        let port = authority.rsplit_once(':').map(|(_, p)| p).filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
        match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipient {
    pub account: accounts::Model,
    pub user_id: Option<i32>,
    pub address: String,
    pub name: Option<String>,
    /// The language the user chose (My Account, the footer's switcher); none: the brand's.
    pub language: Option<Lang>,
    /// The time zone the user chose; none: the brand's.
    pub time_zone: Option<chrono_tz::Tz>,
}

impl Recipient {
    pub(crate) async fn user<C: ConnectionTrait>(db: &C, user: &users::Model) -> AppResult<Recipient> {
        let account = accounts::Entity::find_by_id(user.account_id).one(db).await?.ok_or(AppError::NotFound)?;
        Ok(Recipient::member(&account, user))
    }

    /// A user of `account` (already read).
    pub(crate) fn member(account: &accounts::Model, user: &users::Model) -> Recipient {
        Recipient {
            account: account.clone(),
            user_id: Some(user.id),
            address: user.email.clone(),
            name: Some(user.name.clone()),
            language: user.language.as_deref().and_then(Lang::from_tag),
            time_zone: user.time_zone.as_deref().and_then(crate::i18n::time_zone),
        }
    }

    /// The language and time zone a message to this recipient is written in: the user's
    /// choice, else the default of the brand the message comes in (else English).
    pub(crate) fn locale(&self, brand: &crate::branding::Brand) -> Locale {
        Locale {
            lang: self.language.unwrap_or(brand.default_language),
            time_zone: self.time_zone.unwrap_or(brand.time_zone),
        }
    }

    /// "Hello Ana," / "Hola, Ana:" (the first word of the name), or "Hello," without one.
    pub(crate) fn greeting(&self, loc: &impl Localize) -> String {
        match self.name.as_deref().and_then(|n| n.split_whitespace().next()) {
            Some(first) if !first.contains('@') => tr!(loc, "mail-greeting", name = first),
            _ => loc.t("mail-greeting-no-name"),
        }
    }
}

/// How a message is kept: a single-use link is blanked once sent; a dedupe key makes a
/// second message with the same key a no-op (an invitation once per provider, an invoice
/// notice once per invoice).
#[derive(Debug, Clone, Default)]
pub(crate) struct Keeping {
    pub sensitive: bool,
    pub dedupe_key: Option<String>,
}

/// Renders `letter` in the recipient's brand and language and writes it to the outbox on
/// `db` (the caller's transaction, when it has one). `letter` is given the recipient's link
/// base (for the action link) and [`Locale`] (the user's language and time zone, else the
/// brand's: [`Recipient::locale`]), and writes every word in it. Returns false when a
/// message with the same dedupe key exists.
pub(crate) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    kind: MailKind,
    to: &Recipient,
    letter: impl FnOnce(&str, &Locale) -> Letter,
    keeping: Keeping,
) -> AppResult<bool> {
    let (brand, host) = crate::branding::for_account(db, &to.account).await?;
    let base = site.base_for(host.as_deref());
    let locale = to.locale(&brand);
    let mut rendered = compose::render(&brand, &base, &letter(&base, &locale), &locale);
    // The outbox keeps subjects of at most 300 characters (long account and brand names).
    if rendered.subject.chars().count() > 300 {
        rendered.subject = rendered.subject.chars().take(299).collect::<String>() + "…";
    }
    let now = Utc::now();
    let row = outbox_messages::ActiveModel {
        kind: Set(kind),
        account_id: Set(Some(to.account.id)),
        user_id: Set(to.user_id),
        from_name: Set(brand.company_name.clone()),
        reply_to: Set(brand.support_email.clone()),
        to_address: Set(to.address.clone()),
        to_name: Set(to.name.clone()),
        subject: Set(rendered.subject),
        text_body: Set(rendered.text),
        html_body: Set(rendered.html),
        sensitive: Set(keeping.sensitive),
        dedupe_key: Set(keeping.dedupe_key),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    };
    let inserted = outbox_messages::Entity::insert(row)
        .on_conflict(OnConflict::column(outbox_messages::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(inserted > 0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::branding::Brand;
    use crate::entities::enums::{AccountStatus, AccountTier, UserRole};

    pub(crate) fn user(language: Option<&str>, time_zone: Option<&str>) -> (accounts::Model, users::Model) {
        let account = accounts::Model {
            id: 3,
            code: "CONTOSO".into(),
            name: "Contoso Chile".into(),
            tier: AccountTier::Customer,
            parent_id: Some(2),
            currency: "CLP".into(),
            branding_enabled: false,
            csp_cutoff_day: 1,
            created_at: Utc::now(),
            legal_name: None,
            tax_id: None,
            country: "CL".into(),
            address: None,
            billing_email: None,
            status: AccountStatus::Active,
        };
        let user = users::Model {
            id: 7,
            account_id: 3,
            email: "ana@contoso.demo".into(),
            name: "Ana Pérez".into(),
            role: UserRole::CustomerAdmin,
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
            created_at: Utc::now(),
            language: language.map(Into::into),
            time_zone: time_zone.map(Into::into),
        };
        (account, user)
    }

    fn brand(language: Lang) -> Brand {
        Brand { default_language: language, time_zone: chrono_tz::America::Santiago, ..Brand::fallback() }
    }

    #[test]
    fn a_mail_speaks_the_users_language_else_the_brands_in_the_users_time_zone_else_the_brands() {
        let (account, chose_nothing) = user(None, None);
        let to = Recipient::member(&account, &chose_nothing);
        assert_eq!(to.locale(&brand(Lang::EsCl)), Locale { lang: Lang::EsCl, time_zone: chrono_tz::America::Santiago });
        assert_eq!(to.locale(&brand(Lang::En)).lang, Lang::En);
        assert_eq!(to.locale(&Brand::fallback()).lang, Lang::En, "no brand: English");

        let (account, chose_english) = user(Some("en"), Some("Europe/Madrid"));
        let to = Recipient::member(&account, &chose_english);
        assert_eq!(to.locale(&brand(Lang::EsCl)), Locale { lang: Lang::En, time_zone: chrono_tz::Europe::Madrid });

        let (account, unreadable) = user(Some("klingon"), Some("Mars/Olympus"));
        let to = Recipient::member(&account, &unreadable);
        assert_eq!(to.locale(&brand(Lang::EsCl)), Locale { lang: Lang::EsCl, time_zone: chrono_tz::America::Santiago });
    }

    #[test]
    fn the_greeting_names_the_first_word_of_the_name_in_the_letters_language() {
        let (account, ana) = user(None, None);
        let mut to = Recipient::member(&account, &ana);
        assert_eq!(to.greeting(&Lang::En), "Hello Ana,");
        assert_eq!(to.greeting(&Lang::EsCl), "Hola, Ana:");
        to.name = Some("ana@contoso.demo".into());
        assert_eq!(to.greeting(&Lang::En), "Hello,");
        to.name = None;
        assert_eq!(to.greeting(&Lang::EsCl), "Hola:");
    }

    #[test]
    fn links_follow_the_custom_host_on_the_same_scheme_and_port() {
        let local = Site::new("http://127.0.0.1:3000/");
        assert_eq!(local.base_for(None), "http://127.0.0.1:3000");
        assert_eq!(local.base_for(Some("shop.andes.demo")), "http://shop.andes.demo:3000");
        let public = Site::new("https://cloud.example");
        assert_eq!(public.base_for(Some("shop.andes.cl")), "https://shop.andes.cl");
    }
}
