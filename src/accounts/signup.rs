//! Sign-up on the storefront: a new customer account and its first user, its admin. On
//! the provider's host the account is the provider's customer; on a reseller's custom host
//! (branding enabled), that reseller's. With "new accounts wait for approval" the account
//! waits for its seller; either way the address is confirmed by a mailed link before the
//! first purchase. The answer never says whether an e-mail already has an account: the
//! owner of that address is told by e-mail instead.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::check_name;
use super::tax_id::{check_tax_id, TaxIdError};
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::{AccountStatus, AccountTier, UserRole};
use crate::entities::{accounts, users};
use crate::error::{AppError, AppResult};
use crate::identity::{local, password, settings};
use crate::mail::Site;

/// The countries the form offers (ISO 3166-1 alpha-2, name).
pub(crate) const COUNTRIES: &[(&str, &str)] = &[
    ("CL", "Chile"),
    ("AR", "Argentina"),
    ("BO", "Bolivia"),
    ("BR", "Brazil"),
    ("CO", "Colombia"),
    ("EC", "Ecuador"),
    ("ES", "Spain"),
    ("MX", "Mexico"),
    ("PE", "Peru"),
    ("US", "United States"),
    ("UY", "Uruguay"),
];

/// The message id of a country's name in [`COUNTRIES`] (the list shows it in the viewer's
/// language; the code is what is stored).
pub(crate) fn country_message(code: &str) -> Option<&'static str> {
    use crate::i18n::msg;
    Some(match code {
        "CL" => msg!("signup-country-cl"),
        "AR" => msg!("signup-country-ar"),
        "BO" => msg!("signup-country-bo"),
        "BR" => msg!("signup-country-br"),
        "CO" => msg!("signup-country-co"),
        "EC" => msg!("signup-country-ec"),
        "ES" => msg!("signup-country-es"),
        "MX" => msg!("signup-country-mx"),
        "PE" => msg!("signup-country-pe"),
        "US" => msg!("signup-country-us"),
        "UY" => msg!("signup-country-uy"),
        _ => return None,
    })
}

/// What the sign-up form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct SignUpForm {
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub tax_id: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub billing_email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
    /// "Sign up with" an identity provider (its id) instead of a password.
    #[serde(default)]
    pub with: String,
}

/// The company part of a checked sign-up (also what a sign-up through an identity
/// provider keeps in the session while the person is at the provider).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct NewCompany {
    pub name: String,
    pub tax_id: String,
    pub country: String,
    pub billing_email: String,
}

/// A checked sign-up with a password: the company and the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSignUp {
    pub company: NewCompany,
    pub name: String,
    pub email: String,
}

/// One refused field: its form name and why.
pub(crate) type FieldError = (&'static str, String);

/// Checks the company's fields (all errors at once, each naming its field).
pub(crate) fn check_company(form: &SignUpForm) -> Result<NewCompany, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = check_name(&form.company_name).map_err(|e| errors.push(("company_name", e))).ok();
    let country = COUNTRIES
        .iter()
        .find(|(code, _)| *code == form.country)
        .map(|(code, _)| code.to_string())
        .ok_or_else(|| errors.push(("country", "Choose a country from the list.".into())))
        .ok();
    let tax_id = match &country {
        Some(country) => {
            check_tax_id(country, &form.tax_id).map_err(|e: TaxIdError| errors.push(("tax_id", e.to_string()))).ok()
        }
        None => None,
    };
    let billing_email = local::check_email(&form.billing_email).map_err(|e| errors.push(("billing_email", e))).ok();
    match (name, tax_id, country, billing_email) {
        (Some(name), Some(tax_id), Some(country), Some(billing_email)) => {
            Ok(NewCompany { name, tax_id, country, billing_email })
        }
        _ => Err(errors),
    }
}

/// Checks every field of a sign-up with a password (all errors at once).
pub(crate) fn check(form: &SignUpForm) -> Result<NewSignUp, Vec<FieldError>> {
    let company = check_company(form);
    let mut errors = company.as_ref().err().cloned().unwrap_or_default();
    let name = check_name(&form.name).map_err(|e| errors.push(("name", e))).ok();
    let email = local::check_email(&form.email).map_err(|e| errors.push(("email", e))).ok();
    if let Err(e) = password::check_new_password(&form.password, &form.confirmation) {
        errors.push(("password", e.to_string()));
    }
    match (company, name, email) {
        (Ok(company), Some(name), Some(email)) if errors.is_empty() => Ok(NewSignUp { company, name, email }),
        _ => Err(errors),
    }
}

/// Who sells to an account signed up under the request's brand: the reseller whose brand
/// it is (its custom host, branding enabled, the reseller active), else the provider.
pub(crate) async fn seller_for_brand(
    db: &DatabaseConnection,
    brand_account: Option<i32>,
) -> AppResult<accounts::Model> {
    if let Some(id) = brand_account {
        if let Some(reseller) = seller_still_selling(db, id).await? {
            return Ok(reseller);
        }
    }
    super::store::provider_account(db).await?.ok_or_else(|| AppError::Internal("no provider account".into()))
}

/// `seller_id` while it may take new customers through sign-up: the provider, or a
/// reseller that is active and shows its own brand. None otherwise (a sign-up begun under
/// a reseller that stopped meanwhile is refused, never moved to another seller).
pub(crate) async fn seller_still_selling(
    db: &DatabaseConnection,
    seller_id: i32,
) -> AppResult<Option<accounts::Model>> {
    let seller = accounts::Entity::find_by_id(seller_id).one(db).await?;
    Ok(seller.filter(|s| match s.tier {
        AccountTier::Provider => true,
        AccountTier::Reseller => crate::branding::shows_own_brand(s) && s.status == AccountStatus::Active,
        AccountTier::Customer => false,
    }))
}

/// What happened to a sign-up. The page answers the same for each (and before the work is
/// done), so nobody learns whether an address has an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignUpOutcome {
    /// Created; active or waiting for the seller's approval. The address needs confirming.
    Created(AccountStatus),
    /// The e-mail already has an account: its owner was told by e-mail (at most once an hour).
    AddressTaken,
}

/// A new account code: the company name's first letters and digits, upper-case, and six
/// random characters (a sign-up never has to search for a free code).
fn new_code(company_name: &str) -> String {
    use rand::Rng;
    let stem: String =
        company_name.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect::<String>().to_ascii_uppercase();
    let stem = if stem.is_empty() { "CUSTOMER".to_string() } else { stem };
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..6).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{stem}-{tail}")
}

/// The first admin of a new account.
#[derive(Debug, Clone)]
pub(crate) struct FirstAdmin {
    pub name: String,
    pub email: String,
    /// None for somebody who signs in through an identity provider only.
    pub password_hash: Option<String>,
    /// The address is already confirmed (an identity provider vouched for it).
    pub email_verified: bool,
}

/// A new customer account of `seller` and its first admin, inserted in the caller's
/// transaction with the audit entry and, for an unconfirmed address, the mail that
/// confirms it. `company` is None for an account registered automatically through an
/// identity provider (the person's name names it). None back: the e-mail was taken at
/// the same moment (the caller rolls back).
pub(crate) async fn create_account(
    txn: &sea_orm::DatabaseTransaction,
    site: &Site,
    seller: &accounts::Model,
    company: Option<&NewCompany>,
    status: AccountStatus,
    admin: FirstAdmin,
    by: &AuditActor,
) -> AppResult<Option<(accounts::Model, users::Model)>> {
    let now = Utc::now();
    let display_name = company.map_or(&admin.name, |c| &c.name);
    let code = new_code(display_name);
    let mut row = accounts::ActiveModel {
        tier: Set(AccountTier::Customer),
        parent_id: Set(Some(seller.id)),
        code: Set(code.clone()),
        name: Set(display_name.clone()),
        currency: Set(seller.currency.clone()),
        branding_enabled: Set(false),
        csp_cutoff_day: Set(1),
        status: Set(status),
        created_at: Set(now),
        ..Default::default()
    };
    if let Some(company) = company {
        row.legal_name = Set(Some(company.name.clone()));
        row.tax_id = Set(Some(company.tax_id.clone()));
        row.country = Set(company.country.clone());
        row.billing_email = Set(Some(company.billing_email.clone()));
    }
    let account = row.insert(txn).await?;
    let inserted = users::ActiveModel {
        account_id: Set(account.id),
        email: Set(admin.email.clone()),
        name: Set(admin.name.clone()),
        role: Set(UserRole::CustomerAdmin),
        password_hash: Set(admin.password_hash),
        failed_logins: Set(0),
        created_at: Set(now),
        joined_at: Set(Some(now)),
        active: Set(true),
        email_verified_at: Set(admin.email_verified.then_some(now)),
        ..Default::default()
    }
    .insert(txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(e) if crate::error::is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut changes = vec![Change::set("code", &code), Change::set("name", display_name)];
    if let Some(company) = company {
        changes.push(Change::set("tax id", &company.tax_id));
        changes.push(Change::set("country", &company.country));
        changes.push(Change::set("billing e-mail", &company.billing_email));
    }
    changes.push(Change::set("status", status.as_str()));
    changes.push(Change::set("first admin", &admin.email));
    audit::record(txn, by, Some(account.id), "account signed up", &format!("account {code}"), &changes).await?;
    if user.email_verified_at.is_none() {
        crate::identity::reset::send_verification(txn, site, &user).await?;
    }
    Ok(Some((account, user)))
}

/// The status a new account starts in, by the provider's sign-up rules.
pub(crate) fn initial_status(rules: &crate::entities::auth_settings::Model) -> AccountStatus {
    if rules.sign_up_needs_approval {
        AccountStatus::PendingApproval
    } else {
        AccountStatus::Active
    }
}

/// Creates the account and its admin (after [`check`]), in one transaction with its
/// audit entry and the mail that confirms the address.
pub(crate) async fn sign_up(
    db: &DatabaseConnection,
    site: &Site,
    seller: &accounts::Model,
    new: NewSignUp,
    password_text: &str,
    ip: Option<String>,
) -> AppResult<SignUpOutcome> {
    let rules = settings::load(db).await?;
    if !rules.allow_sign_up {
        return Err(AppError::NotFound);
    }
    // Both paths hash: the time taken says nothing either.
    let hash = password::hash_off_thread(password_text).await?;
    let taken = users::Entity::find().filter(users::Column::Email.eq(&new.email)).one(db).await?;
    if let Some(owner) = taken {
        crate::mail::messages::sign_up_with_your_address(db, site, &owner).await?;
        return Ok(SignUpOutcome::AddressTaken);
    }
    let status = initial_status(&rules);
    let by = AuditActor::system(&format!("sign-up by {}", new.email), ip);
    let admin = FirstAdmin { name: new.name, email: new.email, password_hash: Some(hash), email_verified: false };
    let txn = db.begin().await?;
    match create_account(&txn, site, seller, Some(&new.company), status, admin, &by).await? {
        Some(_) => {
            txn.commit().await?;
            Ok(SignUpOutcome::Created(status))
        }
        // The same address signed up at the same moment: one account, and no hint.
        None => {
            txn.rollback().await?;
            Ok(SignUpOutcome::AddressTaken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SignUpForm {
        SignUpForm {
            company_name: "Viña Andina SpA".into(),
            tax_id: "76.086.428-5".into(),
            country: "CL".into(),
            billing_email: "pagos@andina.cl".into(),
            name: "Marta Soto".into(),
            email: "Marta@Andina.cl".into(),
            password: "a long enough password".into(),
            confirmation: "a long enough password".into(),
            with: String::new(),
        }
    }

    #[test]
    fn a_good_form_is_checked_and_normalised() {
        let new = check(&form()).unwrap();
        assert_eq!(new.email, "marta@andina.cl");
        assert_eq!(new.company.tax_id, "76.086.428-5");
        let company_only = SignUpForm { name: String::new(), email: String::new(), password: String::new(), ..form() };
        assert_eq!(check_company(&company_only), Ok(new.company), "a sign-up through a provider needs no password");
    }

    #[test]
    fn every_bad_field_is_named_with_its_reason() {
        let bad = SignUpForm {
            tax_id: "76.086.428-4".into(),
            billing_email: "not an address".into(),
            confirmation: "different".into(),
            company_name: "x".repeat(201),
            ..form()
        };
        let fields: Vec<&str> = check(&bad).unwrap_err().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["company_name", "tax_id", "billing_email", "password"]);
        let abroad = SignUpForm { country: "AR".into(), tax_id: "30-71234567-1".into(), ..form() };
        assert!(check(&abroad).is_ok());
        let nowhere = SignUpForm { country: "XX".into(), ..form() };
        assert_eq!(check(&nowhere).unwrap_err()[0].0, "country");
    }
}
