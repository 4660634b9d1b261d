//! Every message Stratus sends, and what it says. Each function writes one message (or
//! one per recipient) to the outbox on the caller's connection or transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::compose::Letter;
use super::{enqueue, Keeping, Recipient, Site};
use crate::billing::money;
use crate::entities::enums::MailKind;
use crate::entities::{accounts, invoices, orders, users};
use crate::error::{AppError, AppResult};

/// Minutes a password-reset link works.
pub(crate) const RESET_MINUTES: i64 = 30;
/// Hours an e-mail verification link works.
pub(crate) const VERIFY_HOURS: i64 = 48;

/// What a message carrying a single-use link says.
struct LinkLetter {
    kind: MailKind,
    subject: &'static str,
    paragraph: String,
    label: &'static str,
    /// The link's path on the recipient's site.
    path: String,
    after: &'static str,
}

/// Writes a message whose link only its recipient may follow (blanked once sent).
async fn single_use_link<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    says: LinkLetter,
) -> AppResult<()> {
    let to = Recipient::user(db, user).await?;
    let greeting = to.greeting();
    let letter = |base: &str| Letter {
        subject: says.subject.into(),
        greeting,
        paragraphs: vec![says.paragraph],
        action: Some((says.label.into(), format!("{base}{}", says.path))),
        after: vec![says.after.into()],
    };
    enqueue(db, site, says.kind, &to, letter, Keeping { sensitive: true, dedupe_key: None }).await?;
    Ok(())
}

/// "Forgot your password?": the link to choose a new one.
pub(crate) async fn password_reset<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    token: &str,
) -> AppResult<()> {
    let says = LinkLetter {
        kind: MailKind::PasswordReset,
        subject: "Reset your password",
        paragraph: format!(
            "Someone asked to reset the password of {}. The link below works once, for {RESET_MINUTES} minutes. Choosing a new password signs you out everywhere else.",
            user.email
        ),
        label: "Choose a new password",
        path: format!("/password-reset/{token}"),
        after: "If you did not ask for this, ignore this message: your password stays as it is.",
    };
    single_use_link(db, site, user, says).await
}

/// A new account's address is confirmed by following this link.
pub(crate) async fn email_verification<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    user: &users::Model,
    token: &str,
) -> AppResult<()> {
    let says = LinkLetter {
        kind: MailKind::EmailVerification,
        subject: "Confirm your e-mail address",
        paragraph: format!(
            "Please confirm that {} is your address. The link works once, for {VERIFY_HOURS} hours.",
            user.email
        ),
        label: "Confirm my address",
        path: format!("/verify-email/{token}"),
        after: "If you did not create an account, ignore this message.",
    };
    single_use_link(db, site, user, says).await
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
    let greeting = to.greeting();
    let days = crate::accounts::members::INVITATION_DAYS;
    let letter = |base: &str| {
        Letter {
        subject: format!("You are invited to {} at {}", account.name, brand.company_name),
        greeting,
        paragraphs: vec![format!(
            "{invited_by} invited you to join {} at {} as {}. The link below works once, for {days} days: choose a password and you are in.",
            account.name,
            brand.company_name,
            user.role.label().to_lowercase()
        )],
        action: Some(("Accept the invitation".into(), format!("{base}/invitation/{token}"))),
        after: vec!["If you did not expect this, ignore this message: nothing happens unless you follow the link.".into()],
    }
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
    let greeting = to.greeting();
    let email = user.email.clone();
    let letter = |base: &str| Letter {
        subject: "Someone signed up with your address".into(),
        greeting,
        paragraphs: vec![format!(
            "Someone tried to create a new account with {email}, which already has one. Nothing was created."
        )],
        action: Some(("Sign in".into(), format!("{base}/login"))),
        after: vec!["If you forgot your password, choose \"Forgot your password?\" on the sign-in page.".into()],
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
    fn subject(&self) -> String {
        match self {
            Notice::PasswordChanged | Notice::PasswordReset => "Your password was changed".into(),
            Notice::PasswordSet => "A password was added to your account".into(),
            Notice::PasswordRemoved => "Your password was removed".into(),
            Notice::ProviderConnected(name) => format!("{name} was connected to your account"),
            Notice::ProviderDisconnected(name) => format!("{name} was disconnected from your account"),
            Notice::PasskeyAdded(_) => "A passkey was added to your account".into(),
            Notice::PasskeyRemoved(_) => "A passkey was removed from your account".into(),
            Notice::AccountLocked { .. } => "Your account was locked".into(),
            Notice::AuthenticatorConnected => "An authenticator app was connected to your account".into(),
            Notice::AuthenticatorDisconnected => "The authenticator app was removed from your account".into(),
            Notice::RecoveryCodesRenewed => "New recovery codes were made for your account".into(),
            Notice::RecoveryCodeUsed { .. } => "A recovery code was used to sign in".into(),
            Notice::SecondFactorsReset => "Your second factors were reset by an administrator".into(),
        }
    }

    fn what_happened(&self, email: &str) -> String {
        match self {
            Notice::PasswordChanged => format!("The password of {email} was changed."),
            Notice::PasswordReset => {
                format!("The password of {email} was reset through a mailed link; every other session was signed out.")
            }
            Notice::PasswordSet => format!("A password was set for {email}: it can now sign in with a password."),
            Notice::PasswordRemoved => format!("The password of {email} was removed: it signs in through its identity providers only."),
            Notice::ProviderConnected(name) => format!("{name} can now sign in to {email}."),
            Notice::ProviderDisconnected(name) => format!("{name} can no longer sign in to {email}."),
            Notice::PasskeyAdded(name) => format!(
                "The passkey “{name}” can now sign in to {email}. If you did not add it, remove it under My Account → Passkeys (a new password alone does not), then change your password."
            ),
            Notice::PasskeyRemoved(name) => format!("The passkey “{name}” can no longer sign in to {email}."),
            Notice::AccountLocked { until } => format!(
                "{email} was locked after too many wrong passwords or second-factor codes, until {} UTC. If that was not you, change your password once it opens: wrong codes mean somebody knew it.",
                until.format("%Y-%m-%d %H:%M")
            ),
            Notice::AuthenticatorConnected => format!(
                "An authenticator app was connected to {email}: signing in with its password now also asks for a code from the app."
            ),
            Notice::AuthenticatorDisconnected => format!(
                "The authenticator app of {email} was removed, with its recovery codes: signing in with its password no longer asks for a code."
            ),
            Notice::RecoveryCodesRenewed => {
                format!("New recovery codes were made for {email}; the earlier ones no longer work.")
            }
            Notice::RecoveryCodeUsed { left } => format!(
                "A recovery code was used to sign in to {email}; {left} are left. Make new ones under Login Options when few are left."
            ),
            Notice::SecondFactorsReset => format!(
                "An administrator removed the authenticator app, recovery codes and passkeys of {email}, as asked when they were lost. Set up a second factor again under Login Options."
            ),
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
    let greeting = to.greeting();
    let subject = notice.subject();
    let body = notice.what_happened(&user.email);
    let letter = |base: &str| Letter {
        subject,
        greeting,
        paragraphs: vec![body],
        action: Some(("Review your login options".into(), format!("{base}/account"))),
        after: vec!["If this was not you, reset your password and tell your administrator.".into()],
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

/// A new invoice, told once to each user of the invoiced account.
pub(crate) async fn invoice_issued<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    invoice: &invoices::Model,
) -> AppResult<()> {
    let account = accounts::Entity::find_by_id(invoice.account_id).one(db).await?.ok_or(AppError::NotFound)?;
    for user in people_of(db, invoice.account_id).await? {
        let to = Recipient::member(&account, &user);
        let greeting = to.greeting();
        let total = money::format(invoice.total, &invoice.currency);
        let period = invoice.billing_period.clone().map(|p| format!(" for {p}")).unwrap_or_default();
        let (number, issued) = (invoice.number.clone(), invoice.issue_date);
        let letter = |base: &str| Letter {
            subject: format!("Invoice {number}"),
            greeting,
            paragraphs: vec![format!("Invoice {number}{period} was issued on {issued}: {total}, VAT included.")],
            action: Some(("View the invoice".into(), format!("{base}/invoices/{number}"))),
            after: vec![],
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
    for user in people {
        let to = Recipient::member(&account, &user);
        let greeting = to.greeting();
        let total = money::format(order.total, &order.currency);
        let number = order.number.clone();
        let mut paragraphs = vec![format!("We received your payment of {total} for order {number}. Thank you.")];
        if let Some(code) = authorization_code {
            paragraphs.push(format!("Authorization code: {code}."));
        }
        let letter = |base: &str| Letter {
            subject: format!("Payment received for order {number}"),
            greeting,
            paragraphs,
            action: Some(("View the order".into(), format!("{base}/orders/{number}"))),
            after: vec![],
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
    let greeting = to.greeting();
    let name = provider_name.to_string();
    let letter = |base: &str| {
        Letter {
        subject: format!("Sign in with {name}"),
        greeting,
        paragraphs: vec![
            format!("You can now sign in with your {name} account. Connect it once from Login Options, then use \"Sign in with {name}\" on the sign-in page."),
            "Signing in with a password may be switched off later: connecting now keeps your access.".into(),
        ],
        action: Some(("Open Login Options".into(), format!("{base}/account"))),
        after: vec![],
    }
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
    let greeting = to.greeting();
    let (brand, _) = crate::branding::for_account(db, account).await?;
    let (brand, name) = (brand.company_name, account.name.clone());
    let letter = |base: &str| Letter {
        subject: format!("Your account at {brand} is ready"),
        greeting,
        paragraphs: vec![format!("{brand} approved the account of {name}. You can sign in and buy now.")],
        action: Some(("Sign in".into(), format!("{base}/login"))),
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
