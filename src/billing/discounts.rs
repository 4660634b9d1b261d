//! An account's discounts: a percentage of what billing runs charge it, on everything or on
//! one product. The provider admin manages any customer's or reseller's; a reseller admin
//! those of its own customers. Billing runs turn them into `Discount` lines.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::accounts::Viewer;
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::AccountTier;
use crate::entities::{accounts, discounts, products};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Lang, Localize};

/// Whether `viewer` may add or remove `account`'s discounts.
pub(crate) fn may_manage(viewer: &Viewer, account: &accounts::Model) -> bool {
    if account.tier == AccountTier::Provider {
        return false;
    }
    viewer.is_provider_admin() || (viewer.is_reseller_admin() && account.parent_id == Some(viewer.account.id))
}

/// Reads a percentage such as `5`, `12.5` or `12,5` (more than 0, at most 100, two
/// decimals at most) as basis points.
pub(crate) fn parse_percent(text: &str) -> Result<i32, String> {
    let text = text.trim().trim_end_matches('%').trim().replace(',', ".");
    let bad =
        || "Write the discount as a percentage greater than 0 and at most 100, for example 5 or 12.5.".to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if text.contains('.') && fraction.is_empty() {
        return Err(bad());
    }
    if whole.is_empty()
        || whole.len() > 3
        || fraction.len() > 2
        || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i32 = whole.parse().map_err(|_| bad())?;
    let fraction: i32 = if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().map_err(|_| bad())? };
    let basis_points = whole * 100 + fraction;
    if basis_points == 0 || basis_points > 10_000 {
        return Err(bad());
    }
    Ok(basis_points)
}

/// Basis points as people write them: `5%`, `12.5%`.
pub(crate) fn percent_label(basis_points: i32) -> String {
    let (whole, fraction) = (basis_points / 100, basis_points % 100);
    if fraction == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{fraction:02}").trim_end_matches('0'))
    }
}

/// A discount with the product it is limited to.
pub(crate) type DiscountRow = (discounts::Model, Option<products::Model>);

pub(crate) async fn of_account<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Vec<DiscountRow>> {
    Ok(discounts::Entity::find()
        .find_also_related(products::Entity)
        .filter(discounts::Column::AccountId.eq(account_id))
        .order_by_asc(discounts::Column::Id)
        .all(db)
        .await?)
}

/// What the discount form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct DiscountFields {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub percent: String,
    /// A product code; empty for everything.
    #[serde(default)]
    pub product: String,
}

/// Why a discount was not added.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscountError {
    /// Each message says what to fix in the form.
    #[error("{}", .0.join(" "))]
    Invalid(Vec<String>),
    #[error(transparent)]
    Failed(#[from] AppError),
}

crate::error::refusals!(DiscountError);

/// Checks and adds a discount, with its audit entry, in one transaction (refusals in English).
pub(crate) async fn add(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    fields: &DiscountFields,
) -> Result<(), DiscountError> {
    add_in(db, by, account, fields, &Lang::En).await
}

/// [`add`], the form's refusals said in `loc`'s language.
#[allow(dead_code)] // For Accounts → Discounts (src/ui/pages/accounts.rs), in place of `add`.
pub(crate) async fn add_in(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    fields: &DiscountFields,
    loc: &impl Localize,
) -> Result<(), DiscountError> {
    let txn = db.begin().await?;
    insert_in(&txn, account.id, fields, loc).await?;
    let product = if fields.product.is_empty() { "every product" } else { fields.product.as_str() };
    let changes = [
        Change::set("description", &fields.description),
        Change::set("percent", &fields.percent),
        Change::set("product", product),
    ];
    audit::record(&txn, by, Some(account.id), "discount added", &target(account), &changes).await?;
    txn.commit().await?;
    Ok(())
}

fn target(account: &accounts::Model) -> String {
    format!("account {}", account.code)
}

/// Checks and adds a discount, without an audit entry: for the demo data, which seeds its
/// discounts as the Discounts form adds them; people go through [`add`].
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    fields: &DiscountFields,
) -> Result<(), DiscountError> {
    insert_in(db, account_id, fields, &Lang::En).await
}

async fn insert_in<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    fields: &DiscountFields,
    loc: &impl Localize,
) -> Result<(), DiscountError> {
    let mut errors = Vec::new();
    let description = fields.description.trim();
    if description.is_empty() || description.chars().count() > 200 || description.chars().any(char::is_control) {
        errors.push(loc.t("admin-discount-describe"));
    }
    let basis_points =
        parse_percent(&fields.percent).map_err(|_| errors.push(loc.t("admin-discount-bad-percent"))).ok();
    let product_id = match fields.product.trim() {
        "" => None,
        code => match products::Entity::find().filter(products::Column::Code.eq(code)).one(db).await? {
            Some(product) => Some(product.id),
            None => {
                errors.push(tr!(loc, "admin-discount-no-product", code = code.chars().take(40).collect::<String>()));
                None
            }
        },
    };
    let Some(basis_points) = basis_points.filter(|_| errors.is_empty()) else {
        return Err(DiscountError::Invalid(errors));
    };
    discounts::ActiveModel {
        account_id: Set(account_id),
        product_id: Set(product_id),
        basis_points: Set(basis_points),
        description: Set(description.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Removes one of the account's discounts, with its audit entry; `false` when it has no
/// such discount.
pub(crate) async fn remove(
    db: &DatabaseConnection,
    by: &AuditActor,
    account: &accounts::Model,
    id: i32,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    let found = discounts::Entity::find_by_id(id).filter(discounts::Column::AccountId.eq(account.id)).one(&txn).await?;
    let Some(row) = found else { return Ok(false) };
    row.delete(&txn).await?;
    let changes = [Change::new("discount", id, "(removed)")];
    audit::record(&txn, by, Some(account.id), "discount removed", &target(account), &changes).await?;
    txn.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_as_basis_points() {
        assert_eq!(parse_percent("5"), Ok(500));
        assert_eq!(parse_percent(" 12,5 % "), Ok(1_250));
        assert_eq!(parse_percent("0.25"), Ok(25));
        assert_eq!(parse_percent("100"), Ok(10_000));
        for bad in ["", "0", "0.00", "100.01", "-5", "5.555", "abc", "1e2", "5.", ".5", "1000"] {
            assert!(parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(percent_label(500), "5%");
        assert_eq!(percent_label(1_250), "12.5%");
        assert_eq!(percent_label(25), "0.25%");
    }
}
