//! The audit log: the business trail of every administrative change (accounts, users and
//! roles, invitations, brands, gateway settings, identity providers, authentication
//! options, discounts): who, when, from where, and what changed, old → new, with secrets
//! masked. Security events (sign-ins, lockouts) stay in `identity::events`.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::accounts::scope::AccountScope;
use crate::accounts::Viewer;
use crate::entities::audit_log;
use crate::error::AppResult;
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// Who made a change, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    pub user_id: Option<i32>,
    pub account_id: Option<i32>,
    pub email: Option<String>,
    pub ip: Option<String>,
}

impl AuditActor {
    pub(crate) fn of(viewer: &Viewer, ip: Option<String>) -> AuditActor {
        AuditActor {
            user_id: Some(viewer.user.id),
            account_id: Some(viewer.account.id),
            email: Some(viewer.user.email.clone()),
            ip,
        }
    }

    /// A change nobody signed in made (sign-up, the configuration file, the command line).
    pub fn system(what: &str, ip: Option<String>) -> AuditActor {
        AuditActor { user_id: None, account_id: None, email: Some(what.to_string()), ip }
    }
}

/// One field's change. Secrets are recorded as [`MASKED`] on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// What a secret is recorded as.
pub(crate) const MASKED: &str = "••••••";

impl Change {
    pub(crate) fn new(field: &'static str, old: impl ToString, new: impl ToString) -> Change {
        Change { field, old: old.to_string(), new: new.to_string() }
    }

    /// A value set where there was none.
    pub(crate) fn set(field: &'static str, new: impl ToString) -> Change {
        Change { field, old: String::new(), new: new.to_string() }
    }

    /// A secret that changed: recorded without its value.
    pub(crate) fn secret(field: &'static str) -> Change {
        Change { field, old: MASKED.into(), new: MASKED.into() }
    }
}

impl Change {
    /// Whether this changes something (a secret recorded as changed always does).
    fn changes_something(&self) -> bool {
        self.old != self.new || self.old == MASKED
    }
}

/// Whether any of `changes` changes something: a save that changes nothing need not be written.
pub(crate) fn any_change(changes: &[Change]) -> bool {
    changes.iter().any(Change::changes_something)
}

/// The changes that change something, one per line: `field: old → new`.
pub(crate) fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .filter(|c| c.changes_something())
        .map(|c| match (c.old.is_empty(), c.new.is_empty()) {
            (true, false) => format!("{}: {}", c.field, c.new),
            (false, true) => format!("{}: {} → (none)", c.field, c.old),
            _ => format!("{}: {} → {}", c.field, c.old, c.new),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Records a change to something of `account_id` (the account whose tree it belongs to).
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    by: &AuditActor,
    account_id: Option<i32>,
    action: &str,
    target: &str,
    changes: &[Change],
) -> AppResult<()> {
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor_user_id: Set(by.user_id),
        actor_account_id: Set(by.account_id),
        actor_email: Set(by.email.clone()),
        account_id: Set(account_id),
        action: Set(action.to_string()),
        target: Set(target.to_string()),
        changes: Set(describe(changes)),
        ip: Set(by.ip.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The log within `scope`, newest first: everything for the provider, a reseller's own
/// account and its customers' for a reseller admin.
pub(crate) async fn list(
    db: &DatabaseConnection,
    scope: AccountScope,
    page: PageQuery,
) -> AppResult<Paged<audit_log::Model>> {
    let query = audit_log::Entity::find().filter(scope.condition(audit_log::Column::AccountId));
    let keyset = Keyset::new("audit", vec![Term::desc(audit_log::Column::At), Term::desc(audit_log::Column::Id)]);
    fetch_page(db, query, &keyset, |entry| vec![entry.at.into(), entry.id.into()], &page).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_is_described_and_secrets_never_are() {
        let changes = [
            Change::new("name", "Contoso", "Contoso Ltda."),
            Change::new("currency", "CLP", "CLP"),
            Change::set("billing e-mail", "pagos@contoso.cl"),
            Change::new("address", "Av. Apoquindo 1", ""),
            Change::secret("client secret"),
        ];
        assert_eq!(
            describe(&changes),
            "name: Contoso → Contoso Ltda.\nbilling e-mail: pagos@contoso.cl\naddress: Av. Apoquindo 1 → (none)\nclient secret: •••••• → ••••••"
        );
    }
}
