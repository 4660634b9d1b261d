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
}

/// A checked sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSignUp {
    pub company_name: String,
    pub tax_id: String,
    pub country: String,
    pub billing_email: String,
    pub name: String,
    pub email: String,
}

/// One refused field: its form name and why.
pub(crate) type FieldError = (&'static str, String);

/// Checks every field (all errors at once, each naming its field).
pub(crate) fn check(form: &SignUpForm) -> Result<NewSignUp, Vec<FieldError>> {
    let mut errors = Vec::new();
    let company_name = check_name(&form.company_name).map_err(|e| errors.push(("company_name", e))).ok();
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
    let name = check_name(&form.name).map_err(|e| errors.push(("name", e))).ok();
    let email = local::check_email(&form.email).map_err(|e| errors.push(("email", e))).ok();
    if let Err(e) = password::check_new_password(&form.password, &form.confirmation) {
        errors.push(("password", e.to_string()));
    }
    match (company_name, tax_id, country, billing_email, name, email) {
        (Some(company_name), Some(tax_id), Some(country), Some(billing_email), Some(name), Some(email))
            if errors.is_empty() =>
        {
            Ok(NewSignUp { company_name, tax_id, country, billing_email, name, email })
        }
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
        let owner = accounts::Entity::find_by_id(id).one(db).await?;
        if let Some(owner) = owner.filter(|o| {
            o.tier == AccountTier::Reseller && crate::branding::shows_own_brand(o) && o.status == AccountStatus::Active
        }) {
            return Ok(owner);
        }
    }
    super::store::provider_account(db).await?.ok_or_else(|| AppError::Internal("no provider account".into()))
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
    let now = Utc::now();
    let status = if rules.sign_up_needs_approval { AccountStatus::PendingApproval } else { AccountStatus::Active };
    let txn = db.begin().await?;
    let code = new_code(&new.company_name);
    let account = accounts::ActiveModel {
        tier: Set(AccountTier::Customer),
        parent_id: Set(Some(seller.id)),
        code: Set(code.clone()),
        name: Set(new.company_name.clone()),
        legal_name: Set(Some(new.company_name.clone())),
        tax_id: Set(Some(new.tax_id.clone())),
        country: Set(new.country.clone()),
        billing_email: Set(Some(new.billing_email.clone())),
        currency: Set(seller.currency.clone()),
        branding_enabled: Set(false),
        csp_cutoff_day: Set(1),
        status: Set(status),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let inserted = users::ActiveModel {
        account_id: Set(account.id),
        email: Set(new.email.clone()),
        name: Set(new.name.clone()),
        role: Set(UserRole::CustomerAdmin),
        password_hash: Set(Some(hash)),
        failed_logins: Set(0),
        created_at: Set(now),
        joined_at: Set(Some(now)),
        active: Set(true),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // The same address signed up at the same moment: one account, and no hint.
        Err(e) if crate::error::is_unique_violation(&e) => {
            txn.rollback().await?;
            return Ok(SignUpOutcome::AddressTaken);
        }
        Err(e) => return Err(e.into()),
    };
    let by = AuditActor::system(&format!("sign-up by {}", new.email), ip);
    let changes = [
        Change::set("code", &code),
        Change::set("name", &new.company_name),
        Change::set("tax id", &new.tax_id),
        Change::set("country", &new.country),
        Change::set("billing e-mail", &new.billing_email),
        Change::set("status", status.as_str()),
        Change::set("first admin", &new.email),
    ];
    audit::record(&txn, &by, Some(account.id), "account signed up", &format!("account {code}"), &changes).await?;
    crate::identity::reset::send_verification(&txn, site, &user).await?;
    txn.commit().await?;
    Ok(SignUpOutcome::Created(status))
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
        }
    }

    #[test]
    fn a_good_form_is_checked_and_normalised() {
        let new = check(&form()).unwrap();
        assert_eq!(new.email, "marta@andina.cl");
        assert_eq!(new.tax_id, "76.086.428-5");
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
