//! Completing a sign-in flow when the provider sends the browser back: the callback is
//! checked against the flow kept in the session, the code redeemed, and then — by the
//! flow's purpose — the user signed in (or registered), the identity linked, the user
//! confirmed as themselves, a new account signed up, or an invited user joined. Sessions change and security events are written here; the
//! page only turns the [`CallbackOutcome`] into a response.

use serde::Deserialize;
use tower_sessions::Session;

use super::devices::Device;
use super::discovery::ProviderCache;
use super::links::NewAccount;
use super::links::{self, LinkOutcome};
use super::oidc::{self, CallbackRefusal, Continuation, Joining, Purpose};
use super::{events, providers, session};
use crate::accounts::members::{self, AcceptError};
use crate::accounts::signup::{self, NewCompany};
use crate::entities::enums::AccountStatus;
use crate::entities::{identity_providers, users};
use crate::error::{AppError, AppResult};
use crate::secrets::SecretBox;

/// The provider's answer, as it arrives in the callback's query string.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// What became of a callback (its security event is written already).
#[derive(Debug)]
pub(crate) enum CallbackOutcome {
    /// The answer was refused: it is shown, nothing changed.
    Refused(CallbackRefusal),
    SignedIn {
        return_to: String,
    },
    Registered {
        provider: String,
    },
    /// Automatic registration was not possible (the words never say why).
    NotRegistered {
        provider: String,
    },
    /// A valid identity nobody here has connected.
    NotConnected {
        provider: String,
    },
    Linked {
        provider: String,
    },
    AlreadyLinked {
        provider: String,
    },
    LinkedToAnotherUser {
        provider: String,
    },
    /// The viewer confirmed it is them; what they were doing goes on.
    Reauthenticated {
        then: Option<Continuation>,
    },
    /// The confirmation came from another account at the provider than the viewer's.
    SomebodyElse {
        provider: String,
    },
    /// A new account was made with this identity; `not_yet` says why its admin is not
    /// signed in yet (an account waiting for its seller's approval).
    SignedUp {
        provider: String,
        not_yet: Option<&'static str>,
    },
    /// No account was made: one answer for an e-mail the provider did not verify and for
    /// one that already has an account.
    NotSignedUp {
        provider: String,
    },
    /// The invited user joined with this identity; `not_yet` as for [`Self::SignedUp`].
    Joined {
        provider: String,
        not_yet: Option<&'static str>,
    },
    /// The invitation expired, was used or was removed while the person was at the provider.
    InvitationNotValid,
}

impl CallbackOutcome {
    /// Whether the callback signed someone in (for the sign-in counters): `Some(false)` for
    /// a refused answer (whatever the flow was for: a refused one is not known to be
    /// anything) or an identity that signs nobody in; `None` when it was not a sign-in
    /// (linking, confirming, an account that waits for approval).
    pub(crate) fn signed_in(&self) -> Option<bool> {
        match self {
            CallbackOutcome::SignedIn { .. }
            | CallbackOutcome::Registered { .. }
            | CallbackOutcome::SignedUp { not_yet: None, .. }
            | CallbackOutcome::Joined { not_yet: None, .. } => Some(true),
            CallbackOutcome::Refused(_)
            | CallbackOutcome::NotRegistered { .. }
            | CallbackOutcome::NotConnected { .. }
            | CallbackOutcome::NotSignedUp { .. } => Some(false),
            CallbackOutcome::Linked { .. }
            | CallbackOutcome::AlreadyLinked { .. }
            | CallbackOutcome::LinkedToAnotherUser { .. }
            | CallbackOutcome::Reauthenticated { .. }
            | CallbackOutcome::SomebodyElse { .. }
            | CallbackOutcome::SignedUp { not_yet: Some(_), .. }
            | CallbackOutcome::Joined { not_yet: Some(_), .. }
            | CallbackOutcome::InvitationNotValid => None,
        }
    }
}

/// What completing a callback needs of the server and of the request.
pub(crate) struct Callback<'a> {
    pub db: &'a sea_orm::DatabaseConnection,
    pub providers: &'a ProviderCache,
    pub secrets: &'a SecretBox,
    pub base_url: &'a str,
    pub session: &'a Session,
    pub device: &'a Device,
    /// The signed-in user, if any.
    pub viewer: Option<&'a users::Model>,
}

impl Callback<'_> {
    fn db(&self) -> &sea_orm::DatabaseConnection {
        self.db
    }

    fn site(&self) -> crate::mail::Site {
        crate::mail::Site::new(self.base_url)
    }

    async fn refused(
        &self,
        provider: &identity_providers::Model,
        refusal: CallbackRefusal,
    ) -> AppResult<CallbackOutcome> {
        let detail = format!("{}: {refusal:?}", provider.name);
        let user_id = self.viewer.map(|u| u.id);
        events::record(self.db(), events::IDP_SIGN_IN_FAILED, user_id, None, Some(detail), None).await?;
        Ok(CallbackOutcome::Refused(refusal))
    }

    /// Checks and redeems the answer for provider `id`, then does what the flow was for.
    pub(crate) async fn complete(&self, id: i32, query: CallbackQuery) -> AppResult<CallbackOutcome> {
        let provider = match providers::get(self.db(), id).await {
            Ok(provider) => provider,
            Err(AppError::NotFound) => {
                let detail = format!("callback for unknown provider {id}");
                let user_id = self.viewer.map(|u| u.id);
                events::record(self.db(), events::IDP_SIGN_IN_FAILED, user_id, None, Some(detail), None).await?;
                return Err(AppError::NotFound);
            }
            Err(e) => return Err(e),
        };
        let Some(flow) = session::take_flow(self.session).await? else {
            return self.refused(&provider, CallbackRefusal::NoPendingFlow).await;
        };
        // A provider switched off while the person was there signs nobody in any more.
        if !(provider.active && provider.visible) {
            let refusal = CallbackRefusal::NotAllowed("This identity provider is switched off here.");
            return self.refused(&provider, refusal).await;
        }
        if let Some(error) = query.error {
            let code: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
            return self.refused(&provider, CallbackRefusal::ProviderError(code)).await;
        }
        let now = chrono::Utc::now().timestamp();
        let state = query.state.as_deref().unwrap_or("");
        if let Err(refusal) = oidc::check_callback(&flow, &provider, state, query.iss.as_deref(), now) {
            return self.refused(&provider, refusal).await;
        }
        let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 4096) else {
            return self.refused(&provider, CallbackRefusal::Token("no code".into())).await;
        };
        let identity = match oidc::redeem(self.providers, &provider, self.secrets, self.base_url, &flow, &code).await {
            Ok(identity) => identity,
            Err(refusal) => return self.refused(&provider, refusal).await,
        };
        // Linking and confirming are for the user who started the flow, still signed in.
        let flow_user = self.viewer.filter(|user| Some(user.id) == flow.user_id);
        match (flow.purpose, flow_user) {
            (Purpose::Login, _) => self.sign_in(&provider, &identity, flow.return_to).await,
            (Purpose::SignUp, _) => match flow.joining {
                Some(Joining::SignUp { seller_id, company }) => {
                    self.sign_up(&provider, &identity, seller_id, &company).await
                }
                _ => self.refused(&provider, CallbackRefusal::NoPendingFlow).await,
            },
            (Purpose::Join, _) => match flow.joining {
                Some(Joining::Invitation { token_id }) => self.join(&provider, &identity, token_id).await,
                _ => self.refused(&provider, CallbackRefusal::NoPendingFlow).await,
            },
            (Purpose::Link, Some(user)) => self.link(user, &provider, &identity).await,
            (Purpose::Reauth, Some(user)) => self.confirm(user, &provider, &identity, flow.then).await,
            (Purpose::Link | Purpose::Reauth, None) => self.refused(&provider, CallbackRefusal::NoPendingFlow).await,
        }
    }

    async fn sign_in(
        &self,
        provider: &identity_providers::Model,
        identity: &oidc::VerifiedIdentity,
        return_to: String,
    ) -> AppResult<CallbackOutcome> {
        let name = provider.name.clone();
        if let Some((link, user)) = links::find_linked_user(self.db(), provider, identity).await? {
            let account = crate::accounts::store::find_by_id(self.db(), user.account_id).await?;
            if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(&user, &a).err()) {
                return self.refused(provider, CallbackRefusal::NotAllowed(reason)).await;
            }
            links::touch(self.db(), link).await?;
            session::begin_signed_in(self.db(), self.session, &user, self.device).await?;
            events::record_for(self.db(), events::IDP_SIGN_IN, &user, Some(name)).await?;
            return Ok(CallbackOutcome::SignedIn { return_to });
        }
        if !provider.allow_automatic_registration {
            let detail = format!("{name}: identity not linked");
            events::record(self.db(), events::IDP_SIGN_IN_FAILED, None, None, Some(detail), None).await?;
            return Ok(CallbackOutcome::NotConnected { provider: name });
        }
        // Automatic registration makes a direct customer of the provider.
        let seller = signup::seller_for_brand(self.db(), None).await?;
        let new = NewAccount {
            seller: &seller,
            company: None,
            status: AccountStatus::Active,
            may_trust_unverified_email: true,
        };
        match links::register(self.db(), &self.site(), provider, identity, new, self.device.ip_text()).await {
            Ok(user) => {
                session::begin_signed_in(self.db(), self.session, &user, self.device).await?;
                Ok(CallbackOutcome::Registered { provider: name })
            }
            Err(links::RegistrationError::Failed(error)) => Err(error),
            Err(links::RegistrationError::NotCreated { provider }) => Ok(CallbackOutcome::NotRegistered { provider }),
        }
    }

    async fn link(
        &self,
        user: &users::Model,
        provider: &identity_providers::Model,
        identity: &oidc::VerifiedIdentity,
    ) -> AppResult<CallbackOutcome> {
        let name = provider.name.clone();
        Ok(match links::link(self.db(), &self.site(), user, provider, identity).await? {
            LinkOutcome::Linked => {
                session::mark_reauthenticated(self.session).await?;
                CallbackOutcome::Linked { provider: name }
            }
            LinkOutcome::AlreadyYours => CallbackOutcome::AlreadyLinked { provider: name },
            LinkOutcome::LinkedToAnotherUser => {
                events::record_for(self.db(), events::LINK_REFUSED, user, Some(name.clone())).await?;
                CallbackOutcome::LinkedToAnotherUser { provider: name }
            }
        })
    }

    async fn confirm(
        &self,
        user: &users::Model,
        provider: &identity_providers::Model,
        identity: &oidc::VerifiedIdentity,
        then: Option<Continuation>,
    ) -> AppResult<CallbackOutcome> {
        let linked = links::find_linked_user(self.db(), provider, identity).await?;
        if linked.is_none_or(|(_, linked_user)| linked_user.id != user.id) {
            return Ok(CallbackOutcome::SomebodyElse { provider: provider.name.clone() });
        }
        session::mark_reauthenticated(self.session).await?;
        events::record_for(self.db(), events::REAUTHENTICATED, user, Some(provider.name.clone())).await?;
        Ok(CallbackOutcome::Reauthenticated { then })
    }

    /// Signs in `user` unless its account may not sign in (yet); returns why not.
    async fn begin_if_allowed(&self, user: &users::Model) -> AppResult<Option<&'static str>> {
        let account = crate::accounts::store::find_by_id(self.db(), user.account_id).await?;
        if let Some(reason) = account.and_then(|a| crate::accounts::may_sign_in(user, &a).err()) {
            return Ok(Some(reason));
        }
        session::begin_signed_in(self.db(), self.session, user, self.device).await?;
        Ok(None)
    }

    /// A new customer account of the seller the sign-up started under, with this identity
    /// as its first admin's way in. An identity somebody already has signs them in.
    async fn sign_up(
        &self,
        provider: &identity_providers::Model,
        identity: &oidc::VerifiedIdentity,
        seller_id: i32,
        company: &NewCompany,
    ) -> AppResult<CallbackOutcome> {
        if links::find_linked_user(self.db(), provider, identity).await?.is_some() {
            return self.sign_in(provider, identity, "/account".into()).await;
        }
        let rules = super::settings::load(self.db()).await?;
        if !rules.allow_sign_up {
            return self.refused(provider, CallbackRefusal::NotAllowed("Sign-up is closed.")).await;
        }
        // The seller again: a reseller suspended meanwhile takes no new customers, and the
        // sign-up is not moved to another seller.
        let Some(seller) = signup::seller_still_selling(self.db(), seller_id).await? else {
            let refusal = CallbackRefusal::NotAllowed("This shop does not take new accounts right now.");
            return self.refused(provider, refusal).await;
        };
        let status = signup::initial_status(&rules);
        let new = NewAccount { seller: &seller, company: Some(company), status, may_trust_unverified_email: false };
        let name = provider.name.clone();
        match links::register(self.db(), &self.site(), provider, identity, new, self.device.ip_text()).await {
            Ok(user) => {
                let not_yet = self.begin_if_allowed(&user).await?;
                Ok(CallbackOutcome::SignedUp { provider: name, not_yet })
            }
            Err(links::RegistrationError::Failed(error)) => Err(error),
            Err(links::RegistrationError::NotCreated { .. }) => {
                let detail = format!("{name}: sign-up refused (e-mail unverified or taken)");
                events::record(self.db(), events::IDP_SIGN_IN_FAILED, None, None, Some(detail), None).await?;
                Ok(CallbackOutcome::NotSignedUp { provider: name })
            }
        }
    }

    /// The invited user joins with this identity as its way in.
    async fn join(
        &self,
        provider: &identity_providers::Model,
        identity: &oidc::VerifiedIdentity,
        token_id: i32,
    ) -> AppResult<CallbackOutcome> {
        let ip = self.device.ip_text();
        match members::accept_with_identity(self.db(), &self.site(), token_id, provider, identity, ip).await {
            Ok(user) => {
                let not_yet = self.begin_if_allowed(&user).await?;
                Ok(CallbackOutcome::Joined { provider: provider.name.clone(), not_yet })
            }
            Err(AcceptError::IdentityTaken { provider }) => Ok(CallbackOutcome::LinkedToAnotherUser { provider }),
            Err(AcceptError::LinkNotValid | AcceptError::NewPassword(_)) => Ok(CallbackOutcome::InvitationNotValid),
            Err(AcceptError::Failed(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sign_ins_and_refusals_count_as_sign_in_attempts() {
        assert_eq!(CallbackOutcome::SignedIn { return_to: "/".into() }.signed_in(), Some(true));
        assert_eq!(CallbackOutcome::Registered { provider: "P".into() }.signed_in(), Some(true));
        assert_eq!(CallbackOutcome::Refused(CallbackRefusal::StateMismatch).signed_in(), Some(false));
        assert_eq!(CallbackOutcome::NotConnected { provider: "P".into() }.signed_in(), Some(false));
        assert_eq!(CallbackOutcome::Linked { provider: "P".into() }.signed_in(), None);
        assert_eq!(CallbackOutcome::SignedUp { provider: "P".into(), not_yet: Some("waiting") }.signed_in(), None);
    }
}
