//! Links between users and external identities, and the Login Options rules.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter, Set, TransactionTrait,
};

use super::oidc::VerifiedIdentity;
use crate::accounts::check_name;
use crate::accounts::signup::{create_account, FirstAdmin, NewCompany};
use crate::audit::AuditActor;
use crate::entities::enums::AccountStatus;
use crate::entities::{accounts, identity_providers, user_identities, users};
use crate::error::{AppError, AppResult};

/// The Login Options section is shown when local login is allowed and at least one external
/// provider is active and visible, or local login is off and at least two are.
pub(crate) fn show_login_options(allow_local_login: bool, usable_providers: usize) -> bool {
    if allow_local_login {
        usable_providers >= 1
    } else {
        usable_providers >= 2
    }
}

/// A way into an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    Password,
    Provider(i32),
    /// A passkey (by its id): usable whatever the providers and Allow Local Login are.
    Passkey(i32),
}

/// Whether removing `removing` leaves a usable way in: a link to an active provider, a
/// password while local login is allowed, or a passkey.
pub(crate) fn can_remove(ways: &[Way], active_providers: &[i32], allow_local_login: bool, removing: Way) -> bool {
    ways.iter().filter(|w| **w != removing).any(|w| match w {
        Way::Password => allow_local_login,
        Way::Provider(id) => active_providers.contains(id),
        Way::Passkey(_) => true,
    })
}

pub(crate) async fn links_of(db: &DatabaseConnection, user_id: i32) -> AppResult<Vec<user_identities::Model>> {
    Ok(user_identities::Entity::find().filter(user_identities::Column::UserId.eq(user_id)).all(db).await?)
}

/// The user an external identity is linked to.
pub(crate) async fn find_linked_user(
    db: &DatabaseConnection,
    provider: &identity_providers::Model,
    identity: &VerifiedIdentity,
) -> AppResult<Option<(user_identities::Model, users::Model)>> {
    let link = user_identities::Entity::find()
        .filter(user_identities::Column::ProviderId.eq(provider.id))
        .filter(user_identities::Column::Issuer.eq(&identity.issuer))
        .filter(user_identities::Column::Subject.eq(&identity.subject))
        .one(db)
        .await?;
    match link {
        Some(link) => Ok(users::Entity::find_by_id(link.user_id).one(db).await?.map(|user| (link, user))),
        None => Ok(None),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LinkOutcome {
    Linked,
    AlreadyYours,
    LinkedToAnotherUser,
}

/// Links an identity to a user; one already linked to somebody else is refused. A new
/// link, its security event and the e-mail telling the user are written together.
pub(crate) async fn link(
    db: &DatabaseConnection,
    site: &crate::mail::Site,
    user: &users::Model,
    provider: &identity_providers::Model,
    identity: &VerifiedIdentity,
) -> AppResult<LinkOutcome> {
    use sea_orm::TransactionTrait;
    if let Some((_, owner)) = find_linked_user(db, provider, identity).await? {
        return Ok(if owner.id == user.id { LinkOutcome::AlreadyYours } else { LinkOutcome::LinkedToAnotherUser });
    }
    let txn = db.begin().await?;
    match new_link(user.id, provider, identity, None).insert(&txn).await {
        Ok(_) => {
            let name = provider.name.clone();
            super::events::record_for(&txn, super::events::LINKED, user, Some(name.clone())).await?;
            let notice = crate::mail::messages::Notice::ProviderConnected(name);
            crate::mail::messages::security_notice(&txn, site, user, notice).await?;
            txn.commit().await?;
            Ok(LinkOutcome::Linked)
        }
        Err(e) => {
            txn.rollback().await?;
            // The unique (provider, issuer, subject) constraint: a parallel link won the race.
            if find_linked_user(db, provider, identity).await?.is_some() {
                Ok(LinkOutcome::LinkedToAnotherUser)
            } else {
                Err(AppError::Database(e))
            }
        }
    }
}

/// The row that links a user to an external identity, keyed by (provider, issuer, subject).
pub(crate) fn new_link(
    user_id: i32,
    provider: &identity_providers::Model,
    identity: &VerifiedIdentity,
    last_login_at: Option<chrono::DateTime<Utc>>,
) -> user_identities::ActiveModel {
    user_identities::ActiveModel {
        user_id: Set(user_id),
        provider_id: Set(provider.id),
        issuer: Set(identity.issuer.clone()),
        subject: Set(identity.subject.clone()),
        tenant_id: Set(identity.tenant_id.clone()),
        email_at_link: Set(identity.email.clone()),
        linked_at: Set(Utc::now()),
        last_login_at: Set(last_login_at),
        ..Default::default()
    }
}

/// Disconnects a provider from the user: the links go, the event is recorded and the user
/// is told by e-mail, in one transaction.
pub(crate) async fn unlink(
    db: &DatabaseConnection,
    site: &crate::mail::Site,
    user: &users::Model,
    provider: &identity_providers::Model,
) -> AppResult<bool> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let links = user_identities::Entity::find()
        .filter(user_identities::Column::UserId.eq(user.id))
        .filter(user_identities::Column::ProviderId.eq(provider.id))
        .all(&txn)
        .await?;
    let found = !links.is_empty();
    for link in links {
        link.delete(&txn).await?;
    }
    if found {
        let name = provider.name.clone();
        super::events::record_for(&txn, super::events::UNLINKED, user, Some(name.clone())).await?;
        let notice = crate::mail::messages::Notice::ProviderDisconnected(name);
        crate::mail::messages::security_notice(&txn, site, user, notice).await?;
    }
    txn.commit().await?;
    Ok(found)
}

pub(crate) async fn touch(db: &DatabaseConnection, link: user_identities::Model) -> AppResult<()> {
    let mut row: user_identities::ActiveModel = link.into();
    row.last_login_at = Set(Some(Utc::now()));
    row.update(db).await?;
    Ok(())
}

/// Why automatic registration created nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegistrationError {
    /// One answer whatever the reason (no e-mail, one the provider did not verify, or one
    /// already registered), so nobody learns which e-mails have an account here.
    #[error(
        "No account could be created here for this {provider} sign-in. If you already have an account, sign in \
         the way you usually do, then connect {provider} under My Account → Login Options; otherwise ask your \
         administrator."
    )]
    NotCreated { provider: String },
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(RegistrationError);

/// What a new account made for an unknown identity is: whose customer, the company (None:
/// the person's name names it) and its status.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewAccount<'a> {
    pub seller: &'a accounts::Model,
    pub company: Option<&'a NewCompany>,
    pub status: AccountStatus,
    /// Whether the provider's "trust unverified e-mails" counts: for automatic registration
    /// (the admin's choice), never for a sign-up (anybody in a trusted tenant could claim
    /// somebody else's address).
    pub may_trust_unverified_email: bool,
}

/// Creates a customer account and its admin with no password for an unknown identity, and
/// links it, in one transaction (with the audit entry, and the mail that confirms an
/// address the provider did not vouch for). Only for an e-mail the provider verified (or a
/// provider trusted with unverified ones) that nobody here has.
pub(crate) async fn register(
    db: &DatabaseConnection,
    site: &crate::mail::Site,
    provider: &identity_providers::Model,
    identity: &VerifiedIdentity,
    new: NewAccount<'_>,
    ip: Option<String>,
) -> Result<users::Model, RegistrationError> {
    // A provider may be trusted with unverified e-mails (Entra ID rarely sends
    // `email_verified`; its tenant allow-list vouches for its users instead).
    let not_created = || RegistrationError::NotCreated { provider: provider.name.clone() };
    let verified = identity.email_verified || (new.may_trust_unverified_email && provider.trust_unverified_email);
    let Some(email) = identity.email.as_deref().and_then(|e| super::local::check_email(e).ok()).filter(|_| verified)
    else {
        return Err(not_created());
    };
    if users::Entity::find().filter(users::Column::Email.eq(&email)).one(db).await?.is_some() {
        return Err(not_created());
    }
    let name = identity.name.as_deref().and_then(|n| check_name(n).ok()).unwrap_or_else(|| email.clone());
    let by = AuditActor::system(&format!("sign-up through {} by {email}", provider.name), ip);
    // A provider that vouches for the address verified it; otherwise a mailed link does.
    let admin = FirstAdmin { name, email, password_hash: None, email_verified: identity.email_verified };
    let txn = db.begin().await?;
    let created = create_account(&txn, site, new.seller, new.company, new.status, admin, &by).await?;
    let Some((_, user)) = created else {
        txn.rollback().await?;
        return Err(not_created());
    };
    if let Err(e) = new_link(user.id, provider, identity, Some(Utc::now())).insert(&txn).await {
        txn.rollback().await?;
        // The same identity registered or linked at the same moment: one wins, no 500.
        return Err(if crate::error::is_unique_violation(&e) { not_created() } else { AppError::Database(e).into() });
    }
    super::events::record_for(&txn, super::events::REGISTERED, &user, Some(provider.name.clone())).await?;
    txn.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_options_display_rule() {
        assert!(!show_login_options(true, 0));
        assert!(show_login_options(true, 1));
        assert!(!show_login_options(false, 1));
        assert!(show_login_options(false, 2));
    }

    #[test]
    fn the_last_usable_way_in_cannot_be_removed() {
        let active = [1, 2];
        assert!(!can_remove(&[Way::Provider(1)], &active, true, Way::Provider(1)));
        assert!(can_remove(&[Way::Provider(1), Way::Password], &active, true, Way::Provider(1)));
        assert!(!can_remove(&[Way::Provider(1), Way::Password], &active, false, Way::Provider(1)), "password unusable");
        assert!(!can_remove(&[Way::Provider(1), Way::Provider(3)], &active, true, Way::Provider(1)), "3 is inactive");
        assert!(can_remove(&[Way::Provider(1), Way::Provider(2)], &active, false, Way::Provider(1)));
        assert!(!can_remove(&[Way::Password], &active, true, Way::Password));
    }

    #[test]
    fn a_passkey_is_a_way_in_whatever_the_settings() {
        let active = [1];
        assert!(can_remove(&[Way::Password, Way::Passkey(7)], &active, false, Way::Password));
        assert!(can_remove(&[Way::Provider(1), Way::Passkey(7)], &[], false, Way::Provider(1)), "no provider active");
        assert!(can_remove(&[Way::Passkey(7), Way::Passkey(8)], &active, true, Way::Passkey(7)));
        assert!(!can_remove(&[Way::Passkey(7)], &active, true, Way::Passkey(7)), "the last passkey");
        assert!(!can_remove(&[Way::Passkey(7), Way::Password], &active, false, Way::Passkey(7)), "password unusable");
        assert!(can_remove(&[Way::Passkey(7), Way::Provider(1)], &active, false, Way::Passkey(7)));
    }
}
