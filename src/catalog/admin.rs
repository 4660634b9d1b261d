//! The provider admin's catalogue: every product, published or not, with how many
//! subscriptions use each; creating and editing a product with its reserved-instance
//! options; publishing and unpublishing it. An unpublished product is not sold (the
//! catalogue, its page and the cart only know published ones) while the subscriptions
//! that use it keep running and billing. Each change is audited in its own transaction.
//! The rules are in [`super::product_rules`]; this module reads and writes the rows.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::product_rules::{self, check_code, status_word, ProductError, ProductFields};
use crate::accounts::Viewer;
use crate::audit::{self, AuditActor, Change};
use crate::entities::enums::{ProductKind, SubscriptionStatus};
use crate::entities::{products, reservation_options, subscription_addons, subscriptions};
use crate::error::{AppError, AppResult};
use crate::i18n::{tr, Lang, Localize};
use crate::pagination::{fetch_page, Keyset, PageQuery, Paged, Term};

/// A product in the catalogue list.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub product: products::Model,
    /// Subscriptions and add-ons that use it and are not canceled.
    pub in_use: u64,
}

/// A product as its edit page shows it.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub product: products::Model,
    pub fields: ProductFields,
    pub in_use: u64,
}

fn provider_only(viewer: &Viewer) -> AppResult<()> {
    if viewer.is_provider_admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Every product, by name, with how many subscriptions use each: the provider admin's only.
pub(crate) async fn list(db: &DatabaseConnection, viewer: &Viewer, page: PageQuery) -> AppResult<Paged<Row>> {
    provider_only(viewer)?;
    let keyset = Keyset::new("products", vec![Term::asc(products::Column::Name), Term::asc(products::Column::Id)]);
    let key = |p: &products::Model| vec![p.name.clone().into(), p.id.into()];
    let paged = fetch_page(db, products::Entity::find(), &keyset, key, &page).await?;
    let ids: Vec<i32> = paged.items.iter().map(|p| p.id).collect();
    let counts = in_use_counts(db, ids).await?;
    Ok(paged.map(|product| {
        let in_use = counts.get(&product.id).copied().unwrap_or(0);
        Row { product, in_use }
    }))
}

/// How many subscriptions and add-ons that are not canceled use each of `ids`. A canceled
/// one no longer depends on its product: it neither renews nor bills again.
async fn in_use_counts<C: ConnectionTrait>(db: &C, ids: Vec<i32>) -> AppResult<HashMap<i32, u64>> {
    let mut counts = HashMap::new();
    if ids.is_empty() {
        return Ok(counts);
    }
    let subscriptions: Vec<(i32, i64)> = subscriptions::Entity::find()
        .select_only()
        .column(subscriptions::Column::ProductId)
        .column_as(Expr::col(subscriptions::Column::Id).count(), "uses")
        .filter(subscriptions::Column::ProductId.is_in(ids.clone()))
        .filter(subscriptions::Column::Status.ne(SubscriptionStatus::Canceled))
        .group_by(subscriptions::Column::ProductId)
        .into_tuple()
        .all(db)
        .await?;
    let addons: Vec<(i32, i64)> = subscription_addons::Entity::find()
        .select_only()
        .column(subscription_addons::Column::ProductId)
        .column_as(Expr::col(subscription_addons::Column::Id).count(), "uses")
        .filter(subscription_addons::Column::ProductId.is_in(ids))
        .filter(subscription_addons::Column::Status.ne(SubscriptionStatus::Canceled))
        .group_by(subscription_addons::Column::ProductId)
        .into_tuple()
        .all(db)
        .await?;
    for (id, uses) in subscriptions.into_iter().chain(addons) {
        *counts.entry(id).or_insert(0) += u64::try_from(uses).unwrap_or(0);
    }
    Ok(counts)
}

/// How many subscriptions and add-ons that are not canceled use the product.
pub(crate) async fn in_use<C: ConnectionTrait>(db: &C, product_id: i32) -> AppResult<u64> {
    Ok(in_use_counts(db, vec![product_id]).await?.remove(&product_id).unwrap_or(0))
}

/// A product by code (any case) for the provider admin; 404 for anything else.
pub(crate) async fn find<C: ConnectionTrait>(db: &C, viewer: &Viewer, code: &str) -> AppResult<Loaded> {
    provider_only(viewer)?;
    let code = check_code(code).map_err(|_| AppError::NotFound)?;
    let product =
        products::Entity::find().filter(products::Column::Code.eq(code)).one(db).await?.ok_or(AppError::NotFound)?;
    let base_code = match product.base_product_id {
        Some(id) => products::Entity::find_by_id(id).one(db).await?.map(|p| p.code),
        None => None,
    };
    let options = reservation_options::Entity::find()
        .filter(reservation_options::Column::ProductId.eq(product.id))
        .order_by_asc(reservation_options::Column::Id)
        .all(db)
        .await?;
    let fields = ProductFields::of(&product, base_code, &options);
    let in_use = in_use(db, product.id).await?;
    Ok(Loaded { product, fields, in_use })
}

/// (code, name) of every product an add-on may be for (any product but an add-on), by name.
pub(crate) async fn base_choices(db: &DatabaseConnection) -> AppResult<Vec<(String, String)>> {
    Ok(products::Entity::find()
        .filter(products::Column::Kind.ne(ProductKind::Addon))
        .order_by_asc(products::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code, p.name))
        .collect())
}

/// Whether a product has this code, whatever its case.
async fn code_in_use<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<bool> {
    let upper = Expr::expr(Func::upper(Expr::col(products::Column::Code))).eq(code.to_ascii_uppercase());
    Ok(products::Entity::find().filter(upper).count(db).await? > 0)
}

/// The id of the base product an add-on names: a product that exists, is not an add-on
/// and is not the add-on itself (`own_id`).
async fn base_product_id<C: ConnectionTrait>(
    db: &C,
    fields: &ProductFields,
    own_id: Option<i32>,
    loc: &impl Localize,
) -> Result<Option<i32>, ProductError> {
    let Some(code) = &fields.base_product else { return Ok(None) };
    let base = products::Entity::find().filter(products::Column::Code.eq(code.as_str())).one(db).await?;
    match base {
        None => Err(ProductError::BaseProduct(tr!(loc, "admin-product-no-base-product", code = code.clone()))),
        Some(base) if Some(base.id) == own_id => Err(ProductError::BaseProduct(loc.t("admin-product-base-is-self"))),
        Some(base) if base.kind == ProductKind::Addon => {
            Err(ProductError::BaseProduct(loc.t("admin-product-base-is-addon")))
        }
        Some(base) => Ok(Some(base.id)),
    }
}

/// Writes the checked fields onto a product row (everything but the code and status).
fn apply(row: &mut products::ActiveModel, fields: &ProductFields, base_id: Option<i32>) {
    let ri = &fields.reservation;
    row.name = Set(fields.name.clone());
    row.vendor = Set(fields.vendor.clone());
    row.family = Set(fields.family);
    row.usage_family = Set(fields.usage_family.clone());
    row.kind = Set(fields.kind);
    row.billing_cycle = Set(fields.billing_cycle);
    row.term_months = Set(fields.term_months);
    row.minimum_commitment = Set(fields.minimum_commitment);
    row.base_product_id = Set(base_id);
    row.ri_reservation_type = Set(ri.preselected_type.clone());
    row.ri_term_years = Set(ri.preselected_term_years);
    row.ri_scope = Set(ri.preselected_scope.clone());
    row.ri_region = Set(ri.preselected_region.clone());
    row.description = Set(fields.description.clone());
}

/// Replaces a product's reservation options with `fields`' (none for other kinds).
async fn save_options<C: ConnectionTrait>(db: &C, product_id: i32, fields: &ProductFields) -> AppResult<()> {
    reservation_options::Entity::delete_many()
        .filter(reservation_options::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    for (dimension, value) in fields.reservation.options() {
        reservation_options::ActiveModel {
            product_id: Set(product_id),
            dimension: Set(dimension),
            value: Set(value),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn target(code: &str) -> String {
    format!("product {code}")
}

/// Creates a product, unpublished (publishing is a separate, deliberate step), with its
/// reservation options and its audit entry. The code must be free, whatever its case.
pub(crate) async fn create(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    fields: ProductFields,
    loc: &impl Localize,
) -> Result<products::Model, ProductError> {
    provider_only(viewer)?;
    let txn = db.begin().await?;
    let by = AuditActor::of(viewer, ip);
    let product = insert_in(&txn, &by, viewer.account.id, fields, loc).await?;
    txn.commit().await?;
    Ok(product)
}

/// Writes a new, unpublished product with its reservation options and its audit entry
/// (`product created`) inside the caller's transaction: the form creates one, the price
/// import many.
pub(crate) async fn insert<C: ConnectionTrait>(
    txn: &C,
    by: &AuditActor,
    provider_account: i32,
    fields: ProductFields,
) -> Result<products::Model, ProductError> {
    insert_in(txn, by, provider_account, fields, &Lang::En).await
}

/// [`insert`], a refused base product said in `loc`'s language.
async fn insert_in<C: ConnectionTrait>(
    txn: &C,
    by: &AuditActor,
    provider_account: i32,
    fields: ProductFields,
    loc: &impl Localize,
) -> Result<products::Model, ProductError> {
    if code_in_use(txn, &fields.code).await? {
        return Err(ProductError::CodeInUse(fields.code));
    }
    let base_id = base_product_id(txn, &fields, None, loc).await?;
    let mut row = products::ActiveModel {
        code: Set(fields.code.clone()),
        active: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut row, &fields, base_id);
    let product = match row.insert(txn).await {
        Ok(product) => product,
        Err(e) if crate::error::is_unique_violation(&e) => return Err(ProductError::CodeInUse(fields.code)),
        Err(e) => return Err(e.into()),
    };
    save_options(txn, product.id, &fields).await?;
    let changes: Vec<Change> = product_rules::changes(None, &fields)
        .into_iter()
        .chain([Change::set("status", status_word(product.active))])
        .collect();
    audit::record(txn, by, Some(provider_account), "product created", &target(&product.code), &changes).await?;
    Ok(product)
}

/// Saves a product's attributes (its code stays). Changing its kind, term or billing
/// cycle is refused while subscriptions use it; what changed is audited.
pub(crate) async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    fields: ProductFields,
    loc: &impl Localize,
) -> Result<products::Model, ProductError> {
    let txn = db.begin().await?;
    let old = find(&txn, viewer, code).await?;
    let fields = ProductFields { code: old.product.code.clone(), ..fields };
    product_rules::may_change(&old.product, &fields, old.in_use)?;
    let base_id = base_product_id(&txn, &fields, Some(old.product.id), loc).await?;
    let changes = product_rules::changes(Some(&old.fields), &fields);
    if !audit::any_change(&changes) {
        return Ok(old.product);
    }
    let mut row: products::ActiveModel = old.product.into();
    apply(&mut row, &fields, base_id);
    let product = row.update(&txn).await?;
    if old.fields.reservation.options() != fields.reservation.options() {
        save_options(&txn, product.id, &fields).await?;
    }
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(viewer.account.id), "product changed", &target(&product.code), &changes).await?;
    txn.commit().await?;
    Ok(product)
}

/// Publishes (sold from now on) or unpublishes (no longer sold; subscriptions that use it
/// keep running and billing) a product. Unpublishing needs `confirmed`; a product already
/// so is left as it is, with nothing written.
pub(crate) async fn set_published(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ip: Option<String>,
    code: &str,
    publish: bool,
    confirmed: bool,
) -> Result<products::Model, ProductError> {
    let txn = db.begin().await?;
    let product = find(&txn, viewer, code).await?.product;
    if !publish && !confirmed {
        return Err(ProductError::NotConfirmed);
    }
    if product.active == publish {
        return Ok(product);
    }
    let old = product.active;
    let mut row: products::ActiveModel = product.into();
    row.active = Set(publish);
    let product = row.update(&txn).await?;
    let action = if publish { "product published" } else { "product unpublished" };
    let changes = [Change::new("status", status_word(old), status_word(publish))];
    let by = AuditActor::of(viewer, ip);
    audit::record(&txn, &by, Some(viewer.account.id), action, &target(&product.code), &changes).await?;
    txn.commit().await?;
    Ok(product)
}
