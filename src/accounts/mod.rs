//! The provider → reseller → customer tree, users and roles, and the one scoping
//! rule that answers "what may this user see".

pub mod bootstrap;
pub mod scope;
pub mod store;

use crate::entities::enums::{AccountTier, UserRole};
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
}

impl UserRole {
    pub(crate) fn label(self) -> &'static str {
        match self {
            UserRole::CustomerUser => "Customer user",
            UserRole::ResellerAdmin => "Reseller admin",
            UserRole::ProviderAdmin => "Provider admin",
        }
    }
}

impl AccountTier {
    pub(crate) fn label(self) -> &'static str {
        match self {
            AccountTier::Provider => "Provider",
            AccountTier::Reseller => "Reseller",
            AccountTier::Customer => "Customer",
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
