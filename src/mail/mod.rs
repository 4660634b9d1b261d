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
        }
    }

    /// "Hello Ana," (the first word of the name), or "Hello," without one.
    pub(crate) fn greeting(&self) -> String {
        match self.name.as_deref().and_then(|n| n.split_whitespace().next()) {
            Some(first) if !first.contains('@') => format!("Hello {first},"),
            _ => "Hello,".into(),
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

/// Renders `letter` in the recipient's brand and writes it to the outbox on `db` (the
/// caller's transaction, when it has one). `path_of` builds the action link from the
/// recipient's link base. Returns false when a message with the same dedupe key exists.
pub(crate) async fn enqueue<C: ConnectionTrait>(
    db: &C,
    site: &Site,
    kind: MailKind,
    to: &Recipient,
    letter: impl FnOnce(&str) -> Letter,
    keeping: Keeping,
) -> AppResult<bool> {
    let (brand, host) = crate::branding::for_account(db, &to.account).await?;
    let base = site.base_for(host.as_deref());
    let mut rendered = compose::render(&brand, &base, &letter(&base));
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
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_custom_host_on_the_same_scheme_and_port() {
        let local = Site::new("http://127.0.0.1:3000/");
        assert_eq!(local.base_for(None), "http://127.0.0.1:3000");
        assert_eq!(local.base_for(Some("shop.andes.demo")), "http://shop.andes.demo:3000");
        let public = Site::new("https://cloud.example");
        assert_eq!(public.base_for(Some("shop.andes.cl")), "https://shop.andes.cl");
    }
}
