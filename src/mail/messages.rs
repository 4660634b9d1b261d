//! Every message Stratus sends, and what it says. Each function writes one message (or
//! one per recipient) to the outbox on the caller's connection or transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::compose::Letter;
use super::{enqueue, Keeping, Recipient, Site};
use crate::entities::enums::{MailKind, UserRole};
use crate::entities::{accounts, invoices, orders, users};
use crate::error::{AppError, AppResult};
use crate::i18n::{msg, tr, Locale, Localize};

/// Minutes a password-reset link works.
pub(crate) const RESET_MINUTES: i64 = 30;
/// Hours an e-mail verification link works.
pub(crate) const VERIFY_HOURS: i64 = 48;

/// What a message carrying a single-use link says, in the recipient's language.
struct LinkLetter {
    subject: String,
    paragraph: String,
    label: String,
    after: String,
}

/// Writes a message whose link (`path` on the recipient's site) only its recipient may
/// follow (blanked once sent); `says` writes it in the recipient's language.
async fn single_use_link<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    kind: MailKind,
    path: String,
    says: impl FnOnce(&Locale) -> LinkLetter,
) -> AppResult<()> {
    let to = Recipient::user(db, user).await?;
    let letter = |base: &str, loc: &Locale| {
        let says = says(loc);
        Letter {
            subject: says.subject,
            greeting: to.greeting(loc),
            paragraphs: vec![says.paragraph],
            action: Some((says.label, format!("{base}{path}"))),
            after: vec![says.after],
        }
    };
    enqueue(db, site, kind, &to, letter, Keeping { sensitive: true, dedupe_key: None }).await?;
    Ok(())
}

/// "Forgot your password?": the link to choose a new one.
pub(crate) async fn password_reset<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    token: &str,
) -> AppResult<()> {
    let says = |loc: &Locale| LinkLetter {
        subject: loc.t("mail-reset-subject"),
        paragraph: tr!(loc, "mail-reset-paragraph", email = &user.email, minutes = RESET_MINUTES),
        label: loc.t("mail-reset-action"),
        after: loc.t("mail-reset-after"),
    };
    single_use_link(db, site, user, MailKind::PasswordReset, format!("/password-reset/{token}"), says).await
}

/// A new account's address is confirmed by following this link.
pub(crate) async fn email_verification<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    token: &str,
) -> AppResult<()> {
    let says = |loc: &Locale| LinkLetter {
        subject: loc.t("mail-verify-subject"),
        paragraph: tr!(loc, "mail-verify-paragraph", email = &user.email, hours = VERIFY_HOURS),
        label: loc.t("mail-verify-action"),
        after: loc.t("mail-verify-after"),
    };
    single_use_link(db, site, user, MailKind::EmailVerification, format!("/verify-email/{token}"), says).await
}

/// A role as an invitation names it, in lower case: "as customer admin".
fn role_name(loc: &impl Localize, role: UserRole) -> String {
    loc.t(match role {
        UserRole::CustomerUser => msg!("mail-role-customer-user"),
        UserRole::CustomerAdmin => msg!("mail-role-customer-admin"),
        UserRole::ResellerAdmin => msg!("mail-role-reseller-admin"),
        UserRole::ProviderAdmin => msg!("mail-role-provider-admin"),
    })
}

/// An invitation to join an account: who invited, and the link that sets a password.
pub(crate) async fn user_invitation<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    account: &accounts::Model,
    user: &users::Model,
    invited_by: &str,
    token: &str,
) -> AppResult<()> {
    let (brand, _) = crate::branding::for_account(db, account).await?;
    let to = Recipient::member(account, user);
    let days = crate::accounts::members::INVITATION_DAYS;
    let (account_name, brand) = (account.name.as_str(), brand.company_name.as_str());
    let letter = |base: &str, loc: &Locale| Letter {
        subject: tr!(loc, "mail-invitation-subject", account = account_name, brand = brand),
        greeting: to.greeting(loc),
        paragraphs: vec![tr!(
            loc,
            "mail-invitation-paragraph",
            inviter = invited_by,
            account = account_name,
            brand = brand,
            role = role_name(loc, user.role),
            days = days
        )],
        action: Some((loc.t("mail-invitation-action"), format!("{base}/invitation/{token}"))),
        after: vec![loc.t("mail-invitation-after")],
    };
    enqueue(db, site, MailKind::UserInvitation, &to, letter, Keeping { sensitive: true, dedupe_key: None }).await?;
    Ok(())
}

/// A new reseller's first admin is invited: "You are invited to {brand}", with the link
/// `{base}/invitation/{token}` that works for `days` days.
pub(crate) async fn first_admin_invitation<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    account: &accounts::Model,
    user: &users::Model,
    token: &str,
    days: i64,
) -> AppResult<()> {
    let to = Recipient::member(account, user);
    let (brand, _) = crate::branding::for_account(db, account).await?;
    let (brand, name) = (brand.company_name.as_str(), account.name.as_str());
    let letter = |base: &str, loc: &Locale| Letter {
        subject: tr!(loc, "mail-first-admin-subject", brand = brand),
        greeting: to.greeting(loc),
        paragraphs: vec![tr!(loc, "mail-first-admin-paragraph", account = name, brand = brand, days = days)],
        action: Some((loc.t("mail-invitation-action"), format!("{base}/invitation/{token}"))),
        after: vec![loc.t("mail-first-admin-after")],
    };
    enqueue(db, site, MailKind::UserInvitation, &to, letter, Keeping { sensitive: true, dedupe_key: None }).await?;
    Ok(())
}

/// Somebody signed up with an address that already has an account: its owner is told
/// (the sign-up page never says so).
pub(crate) async fn sign_up_with_your_address<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
) -> AppResult<()> {
    let to = Recipient::user(db, user).await?;
    let email = user.email.as_str();
    let letter = |base: &str, loc: &Locale| Letter {
        subject: loc.t("mail-signup-taken-subject"),
        greeting: to.greeting(loc),
        paragraphs: vec![tr!(loc, "mail-signup-taken-paragraph", email = email)],
        action: Some((loc.t("mail-sign-in-action"), format!("{base}/login"))),
        after: vec![loc.t("mail-signup-taken-after")],
    };
    // At most one an hour per address, however often somebody tries.
    let hour = chrono::Utc::now().format("%Y%m%d%H");
    let keeping = Keeping { sensitive: false, dedupe_key: Some(format!("sign-up-taken:{}:{hour}", user.id)) };
    enqueue(db, site, MailKind::SecurityNotice, &to, letter, keeping).await?;
    Ok(())
}

/// A change to the ways into an account, told to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    PasswordChanged,
    PasswordReset,
    PasswordSet,
    PasswordRemoved,
    ProviderConnected(String),
    ProviderDisconnected(String),
    PasskeyAdded(String),
    PasskeyRemoved(String),
    AccountLocked { until: DateTime<Utc> },
    AuthenticatorConnected,
    AuthenticatorDisconnected,
    RecoveryCodesRenewed,
    RecoveryCodeUsed { left: u64 },
    SecondFactorsReset,
}

impl Notice {
    fn subject(&self, loc: &impl Localize) -> String {
        match self {
            Notice::PasswordChanged | Notice::PasswordReset => loc.t("mail-notice-password-changed-subject"),
            Notice::PasswordSet => loc.t("mail-notice-password-set-subject"),
            Notice::PasswordRemoved => loc.t("mail-notice-password-removed-subject"),
            Notice::ProviderConnected(name) => tr!(loc, "mail-notice-provider-connected-subject", provider = name),
            Notice::ProviderDisconnected(name) => {
                tr!(loc, "mail-notice-provider-disconnected-subject", provider = name)
            }
            Notice::PasskeyAdded(_) => loc.t("mail-notice-passkey-added-subject"),
            Notice::PasskeyRemoved(_) => loc.t("mail-notice-passkey-removed-subject"),
            Notice::AccountLocked { .. } => loc.t("mail-notice-locked-subject"),
            Notice::AuthenticatorConnected => loc.t("mail-notice-authenticator-connected-subject"),
            Notice::AuthenticatorDisconnected => loc.t("mail-notice-authenticator-removed-subject"),
            Notice::RecoveryCodesRenewed => loc.t("mail-notice-recovery-renewed-subject"),
            Notice::RecoveryCodeUsed { .. } => loc.t("mail-notice-recovery-used-subject"),
            Notice::SecondFactorsReset => loc.t("mail-notice-factors-reset-subject"),
        }
    }

    /// What happened, in the recipient's language; a lock's end in the recipient's time zone.
    fn what_happened(&self, loc: &impl Localize, email: &str) -> String {
        match self {
            Notice::PasswordChanged => tr!(loc, "mail-notice-password-changed", email = email),
            Notice::PasswordReset => tr!(loc, "mail-notice-password-reset", email = email),
            Notice::PasswordSet => tr!(loc, "mail-notice-password-set", email = email),
            Notice::PasswordRemoved => tr!(loc, "mail-notice-password-removed", email = email),
            Notice::ProviderConnected(name) => {
                tr!(loc, "mail-notice-provider-connected", provider = name, email = email)
            }
            Notice::ProviderDisconnected(name) => {
                tr!(loc, "mail-notice-provider-disconnected", provider = name, email = email)
            }
            Notice::PasskeyAdded(name) => tr!(loc, "mail-notice-passkey-added", passkey = name, email = email),
            Notice::PasskeyRemoved(name) => tr!(loc, "mail-notice-passkey-removed", passkey = name, email = email),
            Notice::AccountLocked { until } => {
                tr!(loc, "mail-notice-locked", email = email, until = loc.datetime(until))
            }
            Notice::AuthenticatorConnected => tr!(loc, "mail-notice-authenticator-connected", email = email),
            Notice::AuthenticatorDisconnected => tr!(loc, "mail-notice-authenticator-removed", email = email),
            Notice::RecoveryCodesRenewed => tr!(loc, "mail-notice-recovery-renewed", email = email),
            Notice::RecoveryCodeUsed { left } => tr!(loc, "mail-notice-recovery-used", email = email, left = *left),
            Notice::SecondFactorsReset => tr!(loc, "mail-notice-factors-reset", email = email),
        }
    }
}

/// Tells the user about a change to how their account is signed into.
pub(crate) async fn security_notice<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    notice: Notice,
) -> AppResult<()> {
    let to = Recipient::user(db, user).await?;
    let letter = |base: &str, loc: &Locale| Letter {
        subject: notice.subject(loc),
        greeting: to.greeting(loc),
        paragraphs: vec![notice.what_happened(loc, &user.email)],
        action: Some((loc.t("mail-notice-action"), format!("{base}/account"))),
        after: vec![loc.t("mail-notice-after")],
    };
    enqueue(db, site, MailKind::SecurityNotice, &to, letter, Keeping::default()).await?;
    Ok(())
}

/// The people of an account who hear about its invoices and payments: its users, oldest first.
async fn people_of<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::AccountId.eq(account_id))
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?)
}

/// A new invoice, told once to each user of the invoiced account (each in their language).
pub(crate) async fn invoice_issued<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    invoice: &invoices::Model,
) -> AppResult<()> {
    let account = accounts::Entity::find_by_id(invoice.account_id).one(db).await?.ok_or(AppError::NotFound)?;
    let number = invoice.number.as_str();
    for user in people_of(db, invoice.account_id).await? {
        let to = Recipient::member(&account, &user);
        let letter = |base: &str, loc: &Locale| {
            let (total, issued) = (loc.money(invoice.total, &invoice.currency), loc.day(invoice.issue_date));
            let paragraph = match invoice.billing_period.as_deref() {
                Some(period) => tr!(
                    loc,
                    "mail-invoice-paragraph-period",
                    number = number,
                    period = period,
                    issued = issued,
                    total = total
                ),
                None => tr!(loc, "mail-invoice-paragraph", number = number, issued = issued, total = total),
            };
            Letter {
                subject: tr!(loc, "mail-invoice-subject", number = number),
                greeting: to.greeting(loc),
                paragraphs: vec![paragraph],
                action: Some((loc.t("mail-invoice-action"), format!("{base}/invoices/{number}"))),
                after: vec![],
            }
        };
        let keeping = Keeping { sensitive: false, dedupe_key: Some(format!("invoice:{}:{}", invoice.id, user.id)) };
        enqueue(db, site, MailKind::InvoiceIssued, &to, letter, keeping).await?;
    }
    Ok(())
}

/// A payment taken for an order: to whoever placed it, or else to the account's users.
pub(crate) async fn payment_receipt<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    order: &orders::Model,
    authorization_code: Option<&str>,
) -> AppResult<()> {
    let account = accounts::Entity::find_by_id(order.account_id).one(db).await?.ok_or(AppError::NotFound)?;
    let placed_by = match order.user_id {
        Some(id) => users::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let people = match placed_by {
        Some(user) => vec![user],
        None => people_of(db, order.account_id).await?,
    };
    let number = order.number.as_str();
    for user in people {
        let to = Recipient::member(&account, &user);
        let letter = |base: &str, loc: &Locale| {
            let total = loc.money(order.total, &order.currency);
            let mut paragraphs = vec![tr!(loc, "mail-receipt-paragraph", total = total, number = number)];
            if let Some(code) = authorization_code {
                paragraphs.push(tr!(loc, "mail-receipt-authorization", code = code));
            }
            Letter {
                subject: tr!(loc, "mail-receipt-subject", number = number),
                greeting: to.greeting(loc),
                paragraphs,
                action: Some((loc.t("mail-receipt-action"), format!("{base}/orders/{number}"))),
                after: vec![],
            }
        };
        let keeping = Keeping { sensitive: false, dedupe_key: Some(format!("receipt:{}:{}", order.id, user.id)) };
        enqueue(db, site, MailKind::PaymentReceipt, &to, letter, keeping).await?;
    }
    Ok(())
}

/// The transition campaign: "you can now sign in with {provider}". Once per user and provider.
pub(crate) async fn connect_invitation<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    provider_id: i32,
    provider_name: &str,
) -> AppResult<bool> {
    let to = Recipient::user(db, user).await?;
    let letter = |base: &str, loc: &Locale| Letter {
        subject: tr!(loc, "mail-connect-subject", provider = provider_name),
        greeting: to.greeting(loc),
        paragraphs: vec![
            tr!(loc, "mail-connect-paragraph", provider = provider_name),
            loc.t("mail-connect-paragraph-later"),
        ],
        action: Some((loc.t("mail-connect-action"), format!("{base}/account"))),
        after: vec![],
    };
    let keeping = Keeping { sensitive: false, dedupe_key: Some(format!("invite:{provider_id}:{}", user.id)) };
    enqueue(db, site, MailKind::ConnectInvitation, &to, letter, keeping).await
}

/// A signed-up account was approved by its seller: "Your account at {brand} is ready".
pub(crate) async fn account_approved<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    account: &accounts::Model,
    user: &users::Model,
) -> AppResult<()> {
    let to = Recipient::member(account, user);
    let (brand, _) = crate::branding::for_account(db, account).await?;
    let (brand, name) = (brand.company_name.as_str(), account.name.as_str());
    let letter = |base: &str, loc: &Locale| Letter {
        subject: tr!(loc, "mail-approved-subject", brand = brand),
        greeting: to.greeting(loc),
        paragraphs: vec![tr!(loc, "mail-approved-paragraph", brand = brand, account = name)],
        action: Some((loc.t("mail-sign-in-action"), format!("{base}/login"))),
        after: vec![],
    };
    enqueue(db, site, MailKind::AccountApproved, &to, letter, Keeping::default()).await?;
    Ok(())
}

impl MailKind {
    /// What Admin → Outbox calls the message.
    pub(crate) fn label(self) -> &'static str {
        match self {
            MailKind::PasswordReset => "Password reset",
            MailKind::EmailVerification => "E-mail verification",
            MailKind::SecurityNotice => "Security notice",
            MailKind::InvoiceIssued => "Invoice issued",
            MailKind::PaymentReceipt => "Payment receipt",
            MailKind::ConnectInvitation => "Invitation to connect",
            MailKind::UserInvitation => "Invitation to join",
            MailKind::AccountApproved => "Account approved",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn santiago(lang: Lang) -> Locale {
        Locale { lang, time_zone: chrono_tz::America::Santiago }
    }

    #[test]
    fn a_lockout_ends_in_the_readers_language_and_time_zone() {
        let until =
            DateTime::parse_from_rfc3339("2026-11-26T17:05:00Z").map(|d| d.with_timezone(&Utc)).unwrap_or_default();
        let notice = Notice::AccountLocked { until };
        let spanish = notice.what_happened(&santiago(Lang::EsCl), "ana@contoso.demo");
        assert!(spanish.starts_with("ana@contoso.demo se bloqueó tras demasiadas"), "{spanish}");
        assert!(spanish.contains("hasta el 26-11-2026, 14:05."), "{spanish}");
        assert_eq!(notice.subject(&santiago(Lang::EsCl)), "Se bloqueó su cuenta");
        let english = notice.what_happened(&santiago(Lang::En), "ana@contoso.demo");
        assert!(english.contains("until Nov 26, 2026, 2:05\u{202f}PM. If that"), "{english}");
        assert!(!english.contains("UTC"));
        assert_eq!(notice.subject(&santiago(Lang::En)), "Your account was locked");
    }

    #[test]
    fn the_recovery_codes_left_are_counted_in_words() {
        let one = Notice::RecoveryCodeUsed { left: 1 };
        let many = Notice::RecoveryCodeUsed { left: 7 };
        assert!(one.what_happened(&Lang::En, "a@b.c").contains("a@b.c; 1 is left. Make new ones"));
        assert!(many.what_happened(&Lang::En, "a@b.c").contains("a@b.c; 7 are left. Make new ones"));
        assert!(one.what_happened(&Lang::EsCl, "a@b.c").contains("a@b.c; queda 1. Genere nuevos"));
        assert!(many.what_happened(&Lang::EsCl, "a@b.c").contains("a@b.c; quedan 7. Genere nuevos"));
    }

    #[test]
    fn every_notice_is_said_in_both_languages() {
        let until = Utc::now();
        let notices = [
            Notice::PasswordChanged,
            Notice::PasswordReset,
            Notice::PasswordSet,
            Notice::PasswordRemoved,
            Notice::ProviderConnected("Contoso SSO".into()),
            Notice::ProviderDisconnected("Contoso SSO".into()),
            Notice::PasskeyAdded("Laptop".into()),
            Notice::PasskeyRemoved("Laptop".into()),
            Notice::AccountLocked { until },
            Notice::AuthenticatorConnected,
            Notice::AuthenticatorDisconnected,
            Notice::RecoveryCodesRenewed,
            Notice::RecoveryCodeUsed { left: 3 },
            Notice::SecondFactorsReset,
        ];
        for notice in notices {
            let (english, spanish) = (notice.subject(&Lang::En), notice.subject(&Lang::EsCl));
            assert!(!english.starts_with("mail-") && !spanish.starts_with("mail-"), "{notice:?}");
            assert_ne!(english, spanish, "{notice:?}");
            let (english, spanish) =
                (notice.what_happened(&Lang::En, "a@b.c"), notice.what_happened(&Lang::EsCl, "a@b.c"));
            assert!(english.contains("a@b.c") && spanish.contains("a@b.c"), "{notice:?}");
            assert_ne!(english, spanish, "{notice:?}");
        }
        let connected = Notice::ProviderConnected("Contoso SSO".into());
        assert_eq!(connected.subject(&Lang::En), "Contoso SSO was connected to your account");
        assert_eq!(connected.subject(&Lang::EsCl), "Se conectó Contoso SSO a su cuenta");
    }

    #[test]
    fn roles_are_said_in_both_languages() {
        assert_eq!(role_name(&Lang::En, UserRole::CustomerAdmin), "customer admin");
        assert_eq!(role_name(&Lang::EsCl, UserRole::CustomerAdmin), "administrador del cliente");
        for role in UserRole::ALL {
            assert_eq!(role_name(&Lang::En, *role), role.label().to_lowercase(), "the English wording as before");
        }
    }
}
