//! The scoping rule. Every query that lists or opens something that belongs to an
//! account goes through [`AccountScope`]: the provider admin sees every account, a
//! reseller admin its own account and its customers', anybody else only their own.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};

use super::Viewer;
use crate::entities::accounts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountScope {
    All,
    /// A reseller's own account and the accounts whose parent it is.
    Reseller(i32),
    /// One account only.
    Own(i32),
    /// The accounts whose parent it is, not itself: what a seller acts on as the seller.
    Customers(i32),
}

impl AccountScope {
    pub(crate) fn of(viewer: &Viewer) -> AccountScope {
        if viewer.is_provider_admin() {
            AccountScope::All
        } else if viewer.is_reseller_admin() {
            AccountScope::Reseller(viewer.account.id)
        } else {
            AccountScope::Own(viewer.account.id)
        }
    }

    /// What the viewer sells to, as the seller: a provider admin the resellers and direct
    /// customers, a reseller admin its customers; `None` for anybody else.
    pub(crate) fn sold_by(viewer: &Viewer) -> Option<AccountScope> {
        (viewer.is_provider_admin() || viewer.is_reseller_admin()).then_some(AccountScope::Customers(viewer.account.id))
    }

    /// Whether an account (given its id and parent) is inside the scope.
    pub(crate) fn allows(&self, account_id: i32, parent_id: Option<i32>) -> bool {
        match *self {
            AccountScope::All => true,
            AccountScope::Reseller(reseller) => account_id == reseller || parent_id == Some(reseller),
            AccountScope::Own(own) => account_id == own,
            AccountScope::Customers(seller) => parent_id == Some(seller),
        }
    }

    /// A condition restricting `account_column` (an account id column of any table) to the scope.
    pub(crate) fn condition<C: ColumnTrait>(&self, account_column: C) -> Condition {
        match *self {
            AccountScope::All => Condition::all(),
            AccountScope::Own(own) => Condition::all().add(account_column.eq(own)),
            AccountScope::Reseller(reseller) => {
                Condition::any().add(account_column.eq(reseller)).add(customers_of(account_column, reseller))
            }
            AccountScope::Customers(seller) => Condition::all().add(customers_of(account_column, seller)),
        }
    }
}

/// Restricts `account_column` to the accounts whose parent is `parent`.
fn customers_of<C: ColumnTrait>(account_column: C, parent: i32) -> sea_orm::sea_query::SimpleExpr {
    account_column.in_subquery(
        Query::select()
            .column(accounts::Column::Id)
            .from(accounts::Entity)
            .and_where(Expr::col(accounts::Column::ParentId).eq(parent))
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::enums::{AccountTier, UserRole};
    use crate::entities::{accounts, users};

    fn viewer(role: UserRole, tier: AccountTier, account_id: i32) -> Viewer {
        let now = chrono::Utc::now();
        Viewer {
            user: users::Model {
                id: 1,
                account_id,
                email: "x@example.com".into(),
                name: "X".into(),
                role,
                password_hash: None,
                locked_until: None,
                failed_logins: 0,
                last_login_at: None,
                password_changed_at: None,
                session_generation: 0,
                lockouts: 0,
                email_verified_at: None,
                active: true,
                joined_at: None,
                invited_by: None,
                created_at: now,
                language: None,
                time_zone: None,
            },
            account: accounts::Model {
                id: account_id,
                tier,
                parent_id: None,
                code: "X".into(),
                name: "X".into(),
                currency: "CLP".into(),
                branding_enabled: false,
                csp_cutoff_day: 1,
                created_at: now,
                legal_name: None,
                tax_id: None,
                country: "CL".into(),
                address: None,
                billing_email: None,
                status: crate::entities::enums::AccountStatus::Active,
            },
        }
    }

    #[test]
    fn reseller_sees_itself_and_its_customers_only() {
        let scope = AccountScope::of(&viewer(UserRole::ResellerAdmin, AccountTier::Reseller, 2));
        assert_eq!(scope, AccountScope::Reseller(2));
        assert!(scope.allows(2, Some(1)));
        assert!(scope.allows(5, Some(2)));
        assert!(!scope.allows(6, Some(3)));
        assert!(!scope.allows(1, None));
    }

    #[test]
    fn customers_see_their_own_account_and_provider_admins_all() {
        let customer = AccountScope::of(&viewer(UserRole::CustomerUser, AccountTier::Customer, 5));
        assert!(customer.allows(5, Some(2)));
        assert!(!customer.allows(6, Some(2)));
        let admin = AccountScope::of(&viewer(UserRole::ProviderAdmin, AccountTier::Provider, 1));
        assert!(admin.allows(6, Some(3)));
    }

    #[test]
    fn a_seller_acts_on_the_accounts_it_sells_to_never_on_itself() {
        let andes = AccountScope::sold_by(&viewer(UserRole::ResellerAdmin, AccountTier::Reseller, 2)).unwrap();
        assert!(andes.allows(5, Some(2)), "its customer");
        assert!(!andes.allows(2, Some(1)), "not itself");
        assert!(!andes.allows(6, Some(3)), "not another reseller's customer");
        let provider = AccountScope::sold_by(&viewer(UserRole::ProviderAdmin, AccountTier::Provider, 1)).unwrap();
        assert!(provider.allows(2, Some(1)) && provider.allows(7, Some(1)), "resellers and direct customers");
        assert!(!provider.allows(5, Some(2)), "a reseller's customer buys from the reseller");
        assert_eq!(AccountScope::sold_by(&viewer(UserRole::CustomerUser, AccountTier::Customer, 5)), None);
        assert_eq!(AccountScope::sold_by(&viewer(UserRole::ResellerAdmin, AccountTier::Customer, 9)), None);
    }

    #[test]
    fn a_role_that_does_not_match_its_account_tier_grants_nothing_extra() {
        let odd = AccountScope::of(&viewer(UserRole::ProviderAdmin, AccountTier::Customer, 9));
        assert_eq!(odd, AccountScope::Own(9));
        let odd = AccountScope::of(&viewer(UserRole::ResellerAdmin, AccountTier::Customer, 9));
        assert_eq!(odd, AccountScope::Own(9));
    }
}
