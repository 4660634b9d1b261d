//! The provider → reseller → customer tree, users and roles, and the one scoping
//! rule that answers "what may this user see".

pub mod bootstrap;
pub mod customers;
pub(crate) mod members;
pub mod resellers;
pub mod scope;
pub mod signup;
pub mod store;
pub mod tax_id;

use crate::entities::enums::{AccountStatus, AccountTier, UserRole};
use crate::entities::{accounts, users};

/// The signed-in user and the account they belong to.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub user: users::Model,
    pub account: accounts::Model,
}

impl Viewer {
    pub(crate) fn is_provider_admin(&self) -> bool {
        self.user.role == UserRole::ProviderAdmin && self.account.tier == AccountTier::Provider
    }

    pub(crate) fn is_reseller_admin(&self) -> bool {
        self.user.role == UserRole::ResellerAdmin && self.account.tier == AccountTier::Reseller
    }

    pub(crate) fn is_customer_admin(&self) -> bool {
        self.user.role == UserRole::CustomerAdmin && self.account.tier == AccountTier::Customer
    }

    /// An admin of its own account, whatever the tier.
    pub(crate) fn is_account_admin(&self) -> bool {
        self.is_provider_admin() || self.is_reseller_admin() || self.is_customer_admin()
    }
}

/// The admin role of an account of `tier`.
pub(crate) fn admin_role(tier: AccountTier) -> UserRole {
    match tier {
        AccountTier::Provider => UserRole::ProviderAdmin,
        AccountTier::Reseller => UserRole::ResellerAdmin,
        AccountTier::Customer => UserRole::CustomerAdmin,
    }
}

/// Why a user may not be signed in (any more), or `Ok`: a deactivated user, an invitation
/// not accepted yet, an account that is suspended or waits for approval. Checked at every
/// sign-in and on every signed-in request, so a session ends at its next request.
pub(crate) fn may_sign_in(user: &users::Model, account: &accounts::Model) -> Result<(), &'static str> {
    if !user.active {
        return Err("This user was deactivated. Ask your account's administrator.");
    }
    if user.joined_at.is_none() {
        return Err("This invitation has not been accepted yet: follow the link in its e-mail.");
    }
    match account.status {
        AccountStatus::Active => Ok(()),
        AccountStatus::Suspended => Err("This account is suspended. Ask your provider."),
        AccountStatus::PendingApproval => {
            Err("This account waits for approval. You will get an e-mail once it is approved.")
        }
    }
}

impl UserRole {
    pub(crate) fn label(self) -> &'static str {
        match self {
            UserRole::CustomerUser => "Customer user",
            UserRole::CustomerAdmin => "Customer admin",
            UserRole::ResellerAdmin => "Reseller admin",
            UserRole::ProviderAdmin => "Provider admin",
        }
    }
}

pub(crate) const MAX_NAME_CHARS: usize = 200;

/// Checks a person's or account's display name; the error is the form message.
pub(crate) fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("A name has at most {MAX_NAME_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.".into());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Ana Pérez "), Ok("Ana Pérez".into()));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(201)).is_err());
        assert!(check_name("a\u{0}b").is_err());
    }
}
