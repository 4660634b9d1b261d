//! A seller's customers: a reseller admin (or the provider admin, for its direct
//! customers) creates customer accounts, edits them, suspends and reactivates them, and
//! approves or rejects the ones that signed up and wait for approval. Always scoped to
//! the seller's own customers ([`AccountScope::Customers`]): anything else is a 404.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::scope::AccountScope;
use super::signup::{FieldError, COUNTRIES};
use super::tax_id::check_tax_id;
use super::{check_name, Viewer};
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::{AccountStatus, AccountTier};
use crate::entities::{accounts, orders, subscriptions, users};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{tr, Lang, Localize};
use crate::identity::local;
use crate::mail::Site;

/// The currencies an account is billed in.
pub(crate) const CURRENCIES: &[&str] = &["CLP", "USD"];
pub(crate) const MAX_CODE_CHARS: usize = 20;
pub(crate) const MAX_ADDRESS_CHARS: usize = 300;

/// What the customer form sends (every field as text; [`check`] decides).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct CustomerForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub legal_name: String,
    #[serde(default)]
    pub tax_id: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub billing_email: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub csp_cutoff_day: String,
}

impl CustomerForm {
    /// The form filled with an account's values (for editing it).
    pub(crate) fn of(account: &accounts::Model) -> CustomerForm {
        CustomerForm {
            code: account.code.clone(),
            name: account.name.clone(),
            legal_name: account.legal_name.clone().unwrap_or_default(),
            tax_id: account.tax_id.clone().unwrap_or_default(),
            country: account.country.clone(),
            address: account.address.clone().unwrap_or_default(),
            billing_email: account.billing_email.clone().unwrap_or_default(),
            currency: account.currency.clone(),
            csp_cutoff_day: account.csp_cutoff_day.to_string(),
        }
    }
}

/// A checked customer form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CustomerFields {
    pub code: String,
    pub name: String,
    pub legal_name: String,
    pub tax_id: String,
    pub country: String,
    pub address: Option<String>,
    pub billing_email: String,
    pub currency: String,
    pub csp_cutoff_day: i32,
}

/// An account code: upper-case letters, digits and hyphens, 2 to 20 characters (lower
/// case is upper-cased).
#[cfg(test)]
pub(crate) fn check_code(text: &str) -> Result<String, String> {
    check_code_in(text, &Lang::En)
}

fn check_code_in(text: &str, loc: &impl Localize) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    let length = code.chars().count();
    if !(2..=MAX_CODE_CHARS).contains(&length) {
        return Err(tr!(loc, "customers-error-code-length", max = MAX_CODE_CHARS));
    }
    if !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
        return Err(loc.t("customers-error-code-characters"));
    }
    Ok(code)
}

/// A name (display or legal) checked by [`check_name`], its refusal said in `loc`'s language.
fn check_name_in(text: &str, loc: &impl Localize) -> Result<String, String> {
    check_name(text).map_err(|_| {
        let name = text.trim();
        if name.is_empty() {
            loc.t("customers-error-name-empty")
        } else if name.chars().count() > super::MAX_NAME_CHARS {
            tr!(loc, "customers-error-name-length", max = super::MAX_NAME_CHARS)
        } else {
            loc.t("customers-error-name-control")
        }
    })
}

/// An optional postal address: at most 300 characters, line breaks allowed.
fn check_address(text: &str, loc: &impl Localize) -> Result<Option<String>, String> {
    let address = text.trim();
    if address.chars().count() > MAX_ADDRESS_CHARS {
        return Err(tr!(loc, "customers-error-address-length", max = MAX_ADDRESS_CHARS));
    }
    if address.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(loc.t("customers-error-address-control"));
    }
    Ok((!address.is_empty()).then(|| address.to_string()))
}

fn check_cutoff_day(text: &str, loc: &impl Localize) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(day) if (1..=28).contains(&day) => Ok(day),
        _ => Err(loc.t("customers-error-cutoff-day")),
    }
}

/// Checks every field (all errors at once, each naming its field), with English messages.
pub(crate) fn check(form: &CustomerForm) -> Result<CustomerFields, Vec<FieldError>> {
    check_in(form, &Lang::En)
}

/// [`check`], the messages said in `loc`'s language (the e-mail address's are English:
/// they come from the identity checks).
pub(crate) fn check_in(form: &CustomerForm, loc: &impl Localize) -> Result<CustomerFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut field =
        |name: &'static str, result: Result<String, String>| result.map_err(|e| errors.push((name, e))).ok();
    let code = field("code", check_code_in(&form.code, loc));
    let name = field("name", check_name_in(&form.name, loc));
    let legal_name = field("legal_name", check_name_in(&form.legal_name, loc));
    let country = field(
        "country",
        COUNTRIES
            .iter()
            .find(|(code, _)| *code == form.country)
            .map(|(code, _)| code.to_string())
            .ok_or_else(|| loc.t("customers-error-country")),
    );
    let tax_id = match &country {
        Some(country) => field("tax_id", check_tax_id(country, &form.tax_id).map_err(|e| e.localized(loc))),
        None => None,
    };
    let billing_email = field(
        "billing_email",
        local::check_email(&form.billing_email).map_err(|e| crate::identity::field_message(loc, &e)),
    );
    let currency = field(
        "currency",
        CURRENCIES
            .iter()
            .find(|c| **c == form.currency)
            .map(|c| c.to_string())
            .ok_or_else(|| loc.t("customers-error-currency")),
    );
    let address = check_address(&form.address, loc).map_err(|e| errors.push(("address", e))).ok();
    let csp_cutoff_day =
        check_cutoff_day(&form.csp_cutoff_day, loc).map_err(|e| errors.push(("csp_cutoff_day", e))).ok();
    match (code, name, legal_name, tax_id, country, address, billing_email, currency, csp_cutoff_day) {
        (
            Some(code),
            Some(name),
            Some(legal_name),
            Some(tax_id),
            Some(country),
            Some(address),
            Some(billing_email),
            Some(currency),
            Some(csp_cutoff_day),
        ) if errors.is_empty() => Ok(CustomerFields {
            code,
            name,
            legal_name,
            tax_id,
            country,
            address,
            billing_email,
            currency,
            csp_cutoff_day,
        }),
        _ => Err(errors),
    }
}

/// Why a change to a customer account was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CustomerError {
    #[error("The code {0} is already in use: choose another.")]
    CodeInUse(String),
    #[error("{0} already has a user: invite another address.")]
    EmailInUse(String),
    #[error("Tick the box to confirm that the account and its users are deleted.")]
    NotConfirmed,
    #[error("Only an account that waits for approval can be approved or rejected.")]
    NotPending,
    #[error("This account has orders or subscriptions: suspend it instead.")]
    HasBusiness,
    #[error("An account that waits for approval is approved, not reactivated.")]
    WaitsForApproval,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(CustomerError);

impl CustomerError {
    /// The refusal said in `loc`'s language (the pages'); `Display` stays English.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            CustomerError::CodeInUse(code) => tr!(loc, "customers-error-code-in-use", code = code.as_str()),
            CustomerError::EmailInUse(email) => tr!(loc, "customers-error-email-in-use", email = email.as_str()),
            CustomerError::NotConfirmed => loc.t("customers-error-not-confirmed"),
            CustomerError::NotPending => loc.t("customers-error-not-pending"),
            CustomerError::HasBusiness => loc.t("customers-error-has-business"),
            CustomerError::WaitsForApproval => loc.t("customers-error-waits-for-approval"),
            CustomerError::Failed(error) => error.to_string(),
        }
    }

    /// The refusal as the error page shows it, in `loc`'s language.
    pub(crate) fn into_app_error(self, loc: &impl Localize) -> AppError {
        match self {
            CustomerError::Failed(error) => error,
            refused => AppError::Unprocessable(refused.localized(loc)),
        }
    }

    /// The form field a refusal is about, if any.
    pub(crate) fn field(&self) -> Option<&'static str> {
        match self {
            CustomerError::CodeInUse(_) => Some("code"),
            CustomerError::EmailInUse(_) => Some("admin_email"),
            CustomerError::NotConfirmed => Some("confirm"),
            _ => None,
        }
    }
}

/// A customer account the viewer sells to, by code; 404 for anything else (another
/// seller's customer, a reseller, a viewer who sells nothing).
pub(crate) async fn find<C: ConnectionTrait>(db: &C, viewer: &Viewer, code: &str) -> AppResult<accounts::Model> {
    let scope = AccountScope::sold_by(viewer).ok_or(AppError::NotFound)?;
    if !super::store::plausible_code(code) {
        return Err(AppError::NotFound);
    }
    accounts::Entity::find()
        .filter(accounts::Column::Code.eq(code))
        .filter(accounts::Column::Tier.eq(AccountTier::Customer))
        .filter(scope.condition(accounts::Column::Id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The viewer's customers that wait for approval, oldest first.
pub(crate) async fn pending(db: &DatabaseConnection, viewer: &Viewer) -> AppResult<Vec<accounts::Model>> {
    let scope = AccountScope::sold_by(viewer).ok_or(AppError::NotFound)?;
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Tier.eq(AccountTier::Customer))
        .filter(accounts::Column::Status.eq(AccountStatus::PendingApproval))
        .filter(scope.condition(accounts::Column::Id))
        .order_by_asc(accounts::Column::CreatedAt)
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?)
}

async fn code_in_use<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<bool> {
    Ok(accounts::Entity::find().filter(accounts::Column::Code.eq(code)).count(db).await? > 0)
}

/// An account's details as (audit field, value).
fn details(a: &accounts::Model) -> [(&'static str, String); 9] {
    [
        ("code", a.code.clone()),
        ("name", a.name.clone()),
        ("legal name", a.legal_name.clone().unwrap_or_default()),
        ("tax id", a.tax_id.clone().unwrap_or_default()),
        ("country", a.country.clone()),
        ("address", a.address.clone().unwrap_or_default()),
        ("billing e-mail", a.billing_email.clone().unwrap_or_default()),
        ("currency", a.currency.clone()),
        ("CSP cut-off day", a.csp_cutoff_day.to_string()),
    ]
}

/// The audit lines for an account's details (old → new, or set when `old` is None).
pub(crate) fn detail_changes(old: Option<&accounts::Model>, new: &accounts::Model) -> Vec<Change> {
    match old {
        Some(old) => details(old)
            .into_iter()
            .zip(details(new))
            .map(|((field, old), (_, new))| Change::new(field, old, new))
            .collect(),
        None => details(new).into_iter().map(|(field, new)| Change::set(field, new)).collect(),
    }
}

/// Writes the checked fields onto an account row (everything but the code).
pub(crate) fn apply(active: &mut accounts::ActiveModel, fields: &CustomerFields) {
    active.name = Set(fields.name.clone());
    active.legal_name = Set(Some(fields.legal_name.clone()));
    active.tax_id = Set(Some(fields.tax_id.clone()));
    active.country = Set(fields.country.clone());
    active.address = Set(fields.address.clone());
    active.billing_email = Set(Some(fields.billing_email.clone()));
    active.currency = Set(fields.currency.clone());
    active.csp_cutoff_day = Set(fields.csp_cutoff_day);
}

/// Inserts a new account of `tier` under `parent` with the checked fields, active; the
/// code must be free. Shared with the provider's resellers.
pub(crate) async fn insert_account<C: ConnectionTrait>(
    db: &C,
    tier: AccountTier,
    parent: i32,
    fields: &CustomerFields,
) -> Result<accounts::Model, CustomerError> {
    if code_in_use(db, &fields.code).await? {
        return Err(CustomerError::CodeInUse(fields.code.clone()));
    }
    let mut row = accounts::ActiveModel {
        tier: Set(tier),
        parent_id: Set(Some(parent)),
        code: Set(fields.code.clone()),
        branding_enabled: Set(false),
        status: Set(AccountStatus::Active),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut row, fields);
    match row.insert(db).await {
        Ok(account) => Ok(account),
        Err(e) if crate::error::is_unique_violation(&e) => Err(CustomerError::CodeInUse(fields.code.clone())),
        Err(e) => Err(e.into()),
    }
}

/// Creates a customer account of the viewer (active), with its audit entry.
pub(crate) async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    fields: CustomerFields,
) -> Result<accounts::Model, CustomerError> {
    if AccountScope::sold_by(viewer).is_none() {
        return Err(AppError::NotFound.into());
    }
    let txn = db.begin().await?;
    let account = insert_account(&txn, AccountTier::Customer, viewer.account.id, &fields).await?;
    let target = format!("account {}", account.code);
    let changes = detail_changes(None, &account);
    audit::record(&txn, &AuditActor::of(viewer, ip), Some(account.id), "customer created", &target, &changes).await?;
    txn.commit().await?;
    Ok(account)
}

/// Saves a customer's details (its code stays), with the audit entry of what changed.
pub(crate) async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    fields: CustomerFields,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let old = find(&txn, viewer, code).await?;
    let new = save_details(&txn, &AuditActor::of(viewer, ip), old, &fields, "customer updated").await?;
    txn.commit().await?;
    Ok(new)
}

/// Writes an account's details over `old` and audits what changed as `action` (customers
/// and resellers alike).
pub(crate) async fn save_details<C: ConnectionTrait>(
    txn: &C,
    by: &AuditActor,
    old: accounts::Model,
    fields: &CustomerFields,
    action: &str,
) -> Result<accounts::Model, CustomerError> {
    let mut row: accounts::ActiveModel = old.clone().into();
    apply(&mut row, fields);
    let new = row.update(txn).await?;
    let changes = detail_changes(Some(&old), &new);
    let target = format!("account {}", new.code);
    audit::record(txn, by, Some(new.id), action, &target, &changes).await?;
    Ok(new)
}

/// Sets an account's status to Active or Suspended (unchanged: nothing written), audited.
pub(crate) async fn save_status<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    ip: Option<String>,
    account: accounts::Model,
    suspend: bool,
) -> Result<accounts::Model, CustomerError> {
    if account.status == AccountStatus::PendingApproval {
        return Err(CustomerError::WaitsForApproval);
    }
    let status = if suspend { AccountStatus::Suspended } else { AccountStatus::Active };
    if account.status == status {
        return Ok(account);
    }
    let old = account.status;
    let mut row: accounts::ActiveModel = account.into();
    row.status = Set(status);
    let account = row.update(db).await?;
    let action = if suspend { "account suspended" } else { "account reactivated" };
    let changes = [Change::new("status", old.as_str(), status.as_str())];
    let target = format!("account {}", account.code);
    audit::record(db, &AuditActor::of(viewer, ip), Some(account.id), action, &target, &changes).await?;
    Ok(account)
}

/// Suspends (its users cannot sign in or buy; subscriptions are untouched) or reactivates
/// one of the viewer's customers.
pub(crate) async fn set_status(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    suspend: bool,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let account = find(&txn, viewer, code).await?;
    let account = save_status(&txn, viewer, ip, account, suspend).await?;
    txn.commit().await?;
    Ok(account)
}

/// Approves a signed-up account: Active, and every user of it hears so by e-mail.
pub(crate) async fn approve(
    db: &DatabaseConnection,
    site: &Site,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let account = find(&txn, viewer, code).await?;
    // Conditional on the status still pending: of an approve and a reject (or two
    // approves) at once, one wins and the other finds the account no longer pending.
    let approved = accounts::Entity::update_many()
        .col_expr(accounts::Column::Status, sea_orm::sea_query::Expr::value(AccountStatus::Active))
        .filter(accounts::Column::Id.eq(account.id))
        .filter(accounts::Column::Status.eq(AccountStatus::PendingApproval))
        .exec(&txn)
        .await?;
    if approved.rows_affected != 1 {
        txn.rollback().await?;
        return Err(CustomerError::NotPending);
    }
    let account = accounts::Model { status: AccountStatus::Active, ..account };
    let changes = [Change::new("status", AccountStatus::PendingApproval.as_str(), AccountStatus::Active.as_str())];
    let target = format!("account {}", account.code);
    audit::record(&txn, &AuditActor::of(viewer, ip), Some(account.id), "account approved", &target, &changes).await?;
    for user in users::Entity::find().filter(users::Column::AccountId.eq(account.id)).all(&txn).await? {
        crate::mail::messages::account_approved(&txn, site, &account, &user).await?;
    }
    txn.commit().await?;
    Ok(account)
}

/// Rejects a signed-up account: it and its users are deleted (confirmed by a tick; never
/// an account with orders or subscriptions). The audit entry stays with the seller.
pub(crate) async fn reject(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    confirmed: bool,
) -> Result<accounts::Model, CustomerError> {
    let txn = db.begin().await?;
    let account = find(&txn, viewer, code).await?;
    if !confirmed {
        return Err(CustomerError::NotConfirmed);
    }
    // The row first, conditional on the status still pending (see `approve`).
    let locked = accounts::Entity::update_many()
        .col_expr(accounts::Column::Status, sea_orm::sea_query::Expr::value(AccountStatus::PendingApproval))
        .filter(accounts::Column::Id.eq(account.id))
        .filter(accounts::Column::Status.eq(AccountStatus::PendingApproval))
        .exec(&txn)
        .await?;
    if locked.rows_affected != 1 {
        txn.rollback().await?;
        return Err(CustomerError::NotPending);
    }
    let orders = orders::Entity::find().filter(orders::Column::AccountId.eq(account.id)).count(&txn).await?;
    let subscriptions =
        subscriptions::Entity::find().filter(subscriptions::Column::AccountId.eq(account.id)).count(&txn).await?;
    if orders + subscriptions > 0 {
        return Err(CustomerError::HasBusiness);
    }
    let people = users::Entity::find().filter(users::Column::AccountId.eq(account.id)).all(&txn).await?;
    let changes: Vec<Change> = [
        Change::new("code", &account.code, ""),
        Change::new("name", &account.name, ""),
        Change::new("tax id", account.tax_id.clone().unwrap_or_default(), ""),
        Change::new("status", account.status.as_str(), "deleted"),
    ]
    .into_iter()
    .chain(people.iter().map(|u| Change::new("user", &u.email, "")))
    .collect();
    for user in people {
        if let Err(e) = user.delete(&txn).await {
            txn.rollback().await?;
            return if is_reference_violation(&e) { Err(CustomerError::HasBusiness) } else { Err(e.into()) };
        }
    }
    let target = format!("account {}", account.code);
    audit::record(&txn, &AuditActor::of(viewer, ip), Some(viewer.account.id), "account rejected", &target, &changes)
        .await?;
    // Anything else that names the account (an API client, say) keeps it: refused, not a 500.
    if let Err(e) = account.clone().delete(&txn).await {
        txn.rollback().await?;
        return if is_reference_violation(&e) { Err(CustomerError::HasBusiness) } else { Err(e.into()) };
    }
    txn.commit().await?;
    Ok(account)
}

/// A foreign key still pointing at the row being deleted (SQLite and PostgreSQL wording).
fn is_reference_violation(error: &sea_orm::DbErr) -> bool {
    let text = error.to_string().to_ascii_lowercase();
    text.contains("foreign key")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CustomerForm {
        CustomerForm {
            code: "vina-01".into(),
            name: "Viña Andina".into(),
            legal_name: "Viña Andina SpA".into(),
            tax_id: "76.086.428-5".into(),
            country: "CL".into(),
            address: "Av. Apoquindo 1234\nLas Condes".into(),
            billing_email: "Pagos@Andina.cl".into(),
            currency: "CLP".into(),
            csp_cutoff_day: "20".into(),
        }
    }

    #[test]
    fn a_good_form_is_checked_and_normalised() {
        let fields = check(&form()).unwrap();
        assert_eq!(fields.code, "VINA-01");
        assert_eq!(fields.billing_email, "pagos@andina.cl");
        assert_eq!(fields.csp_cutoff_day, 20);
        assert_eq!(fields.address.as_deref(), Some("Av. Apoquindo 1234\nLas Condes"));
        let no_address = CustomerForm { address: "  ".into(), ..form() };
        assert_eq!(check(&no_address).unwrap().address, None);
    }

    #[test]
    fn every_bad_field_is_named_with_its_reason() {
        let bad = CustomerForm {
            code: "A".into(),
            name: "x".repeat(201),
            legal_name: " ".into(),
            tax_id: "76.086.428-4".into(),
            address: "y".repeat(301),
            billing_email: "nope".into(),
            currency: "EUR".into(),
            csp_cutoff_day: "29".into(),
            ..form()
        };
        let fields: Vec<&str> = check(&bad).unwrap_err().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["code", "name", "legal_name", "tax_id", "billing_email", "currency", "address", "csp_cutoff_day"]
        );
        let nowhere = CustomerForm { country: "XX".into(), ..form() };
        assert_eq!(check(&nowhere).unwrap_err().iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["country"]);
    }

    #[test]
    fn codes_are_short_upper_case_letters_digits_and_hyphens() {
        assert_eq!(check_code(" acme-2 "), Ok("ACME-2".into()));
        assert!(check_code("AB").is_ok());
        assert!(check_code(&"A".repeat(20)).is_ok());
        assert!(check_code(&"A".repeat(21)).is_err());
        assert!(check_code("A").is_err());
        assert!(check_code("AC ME").is_err());
        assert!(check_code("AC_ME").is_err());
        assert!(check_code("ÑANDÚ").is_err());
    }

    #[test]
    fn the_cut_off_day_is_1_to_28() {
        assert_eq!(check_cutoff_day("1", &Lang::En), Ok(1));
        assert_eq!(check_cutoff_day("28", &Lang::En), Ok(28));
        assert!(check_cutoff_day("0", &Lang::En).is_err());
        assert!(check_cutoff_day("29", &Lang::En).is_err());
        assert!(check_cutoff_day("", &Lang::En).is_err());
    }
}
