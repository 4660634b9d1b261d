//! The signed-in user's cart: one per user, one currency per cart, totals computed here.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Set,
};

use super::pricing::{Audience, PriceBook};
use super::reservations::{check_reservation, ReservationChoice, ReservationError};
use super::{store, Quantity, QuantityOutOfRange};
use crate::accounts::Viewer;
use crate::billing::money;
use crate::billing::tax::{self, Totals, VatRate};
use crate::entities::{cart_items, carts, products, subscriptions};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{tr, Localize};
use crate::subscriptions::rules::{self, RampUpError};

/// Why a product cannot be added to the cart, or a line's quantity changed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CartError {
    #[error(transparent)]
    Quantity(#[from] QuantityOutOfRange),
    #[error(transparent)]
    RampUp(#[from] RampUpError),
    #[error("{product} has no price yet and cannot be bought.")]
    NoPrice { product: String },
    /// One currency per cart.
    #[error(
        "Your cart is in {currency}, and {product} is not sold in {currency}. Empty your cart or check it out first."
    )]
    OtherCurrency { currency: String, product: String },
    #[error("Choose the reservation's type, term, payment plan, scope and region.")]
    ReservationMissing,
    #[error(transparent)]
    Reservation(#[from] ReservationError),
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(CartError);

impl CartError {
    /// The refusal in the reader's language (`Display` stays English for the API and logs).
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            CartError::Quantity(error) => error.localized(loc),
            CartError::RampUp(error) => error.localized(loc),
            CartError::NoPrice { product } => tr!(loc, "cart-no-price", product = product.as_str()),
            CartError::OtherCurrency { currency, product } => {
                tr!(loc, "cart-other-currency", currency = currency.as_str(), product = product.as_str())
            }
            CartError::ReservationMissing => loc.t("cart-reservation-missing"),
            CartError::Reservation(error) => error.localized(loc),
            CartError::Failed(_) => loc.t("error-internal"),
        }
    }
}

/// What was added to the cart: the shopper is told (`Display` in English;
/// [`Added::localized`] in the reader's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Added {
    pub quantity: i32,
    pub product: String,
}

impl std::fmt::Display for Added {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} × {} added to your cart.", self.quantity, self.product)
    }
}

impl Added {
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        tr!(loc, "cart-added", quantity = self.quantity, product = self.product.as_str())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CartLine {
    pub item: cart_items::Model,
    pub product: products::Model,
    pub unit_price: i64,
    /// What a unit costs the seller (the provider's cost): kept on the order for margins.
    pub unit_cost: i64,
    pub total: i64,
    /// Whether the catalogue has a price for it (an order is never placed at a made-up 0).
    pub priced: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct CartView {
    pub currency: String,
    pub lines: Vec<CartLine>,
    /// The lines' net sum, the VAT on it and what the order will cost.
    pub totals: Totals,
    pub vat_rate: VatRate,
}

/// Sums line totals (net); `None` on overflow.
pub(crate) fn cart_total(lines: &[CartLine]) -> Option<i64> {
    lines.iter().try_fold(0i64, |sum, line| sum.checked_add(line.total))
}

async fn cart_of<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> AppResult<Option<carts::Model>> {
    Ok(carts::Entity::find().filter(carts::Column::UserId.eq(viewer.user.id)).one(db).await?)
}

pub(crate) async fn load<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> AppResult<CartView> {
    let vat_rate = tax::current_rate(db).await?;
    let Some(cart) = cart_of(db, viewer).await? else {
        return Ok(CartView {
            currency: viewer.account.currency.clone(),
            lines: vec![],
            totals: tax::totals(0, vat_rate)?,
            vat_rate,
        });
    };
    let items = cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart.id))
        .find_also_related(products::Entity)
        .order_by_asc(cart_items::Column::Id)
        .all(db)
        .await?;
    let audience = Audience::of_account(db, &viewer.account).await?;
    let product_ids = items.iter().map(|(item, _)| item.product_id).collect();
    let book = PriceBook::load(db, audience, Some(product_ids)).await?;
    let today = Utc::now().date_naive();
    // Licences added to a running subscription are priced at its term's first day (a
    // price change never reaches part-way into a term); anything new at today's price.
    let running: std::collections::HashMap<i32, subscriptions::Model> = subscriptions::Entity::find()
        .filter(subscriptions::Column::Id.is_in(items.iter().filter_map(|(item, _)| item.subscription_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut lines = Vec::with_capacity(items.len());
    for (item, product) in items {
        let Some(product) = product else { continue };
        let reservation = item.ri_term_years.zip(item.ri_payment_plan);
        let priced_on = match item.subscription_id.and_then(|id| running.get(&id)) {
            Some(s) => {
                let months =
                    crate::subscriptions::rules::term_months(product.kind, product.term_months, s.ri_term_years);
                super::pricing::term_start(s.start_date, months, today)
            }
            None => today,
        };
        let unit = book.unit_price(&product, reservation, &cart.currency, priced_on);
        let (unit_price, unit_cost) = unit.map_or((0, 0), |u| (u.price, u.cost));
        let total = money::line_total(unit_price, item.quantity)
            .ok_or_else(|| AppError::Internal("cart line total overflow".into()))?;
        lines.push(CartLine { item, product, unit_price, unit_cost, total, priced: unit.is_some() });
    }
    let net = cart_total(&lines).ok_or_else(|| AppError::Internal("cart total overflow".into()))?;
    Ok(CartView { currency: cart.currency, lines, totals: tax::totals(net, vat_rate)?, vat_rate })
}

/// Adds a product, answering what was added (the shopper's message); a [`CartError`] refusal when the
/// request makes no sense. A reserved instance is added only as the product offers it, at
/// a price the catalogue has.
pub(crate) async fn add<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    product_code: &str,
    quantity: i32,
    reservation: Option<ReservationChoice>,
    ramp_up_months: u32,
) -> Result<Added, CartError> {
    let audience = Audience::of_account(db, &viewer.account).await?;
    let listed = store::product_by_code(db, product_code, audience).await?;
    Quantity::new(quantity)?;
    rules::ramp_up_end(Utc::now().date_naive(), ramp_up_months, listed.product.has_minimum_commitment(), false)?;
    let existing = cart_of(db, viewer).await?;
    let currency = match &existing {
        Some(cart) => cart.currency.clone(),
        None => listed
            .currency_for(&viewer.account.currency)
            .ok_or_else(|| CartError::NoPrice { product: listed.product.name.clone() })?,
    };
    if !listed.sold_in(&currency) {
        return Err(CartError::OtherCurrency { currency, product: listed.product.name.clone() });
    }
    let reservation = match (&listed.reservation, reservation) {
        (None, _) => None,
        (Some(_), None) => return Err(CartError::ReservationMissing),
        (Some(offer), Some(choice)) => Some(check_reservation(offer, &choice, &currency)?),
    };
    let now = Utc::now();
    let cart = match existing {
        Some(cart) => cart,
        None => {
            carts::ActiveModel {
                user_id: Set(viewer.user.id),
                account_id: Set(viewer.account.id),
                currency: Set(currency),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    cart_items::ActiveModel {
        cart_id: Set(cart.id),
        product_id: Set(listed.product.id),
        subscription_id: Set(None),
        quantity: Set(quantity),
        ri_reservation_type: Set(reservation.as_ref().map(|r| r.reservation_type.clone())),
        ri_term_years: Set(reservation.as_ref().map(|r| r.term_years)),
        ri_scope: Set(reservation.as_ref().map(|r| r.scope.clone())),
        ri_region: Set(reservation.as_ref().map(|r| r.region.clone())),
        ri_payment_plan: Set(reservation.as_ref().map(|r| r.payment_plan)),
        ri_auto_renew: Set(reservation.as_ref().is_some_and(|r| r.auto_renew)),
        ramp_up_months: Set((ramp_up_months > 0).then_some(ramp_up_months as i32)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Added { quantity, product: listed.product.name.clone() })
}

async fn own_item(db: &DatabaseConnection, viewer: &Viewer, item_id: i32) -> AppResult<cart_items::Model> {
    let cart = cart_of(db, viewer).await?.ok_or(AppError::NotFound)?;
    cart_items::Entity::find_by_id(item_id)
        .filter(cart_items::Column::CartId.eq(cart.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Removes an item (any kind, reserved instances included); the cart goes when it is empty.
pub(crate) async fn remove(db: &DatabaseConnection, viewer: &Viewer, item_id: i32) -> AppResult<()> {
    let item = own_item(db, viewer, item_id).await?;
    let cart_id = item.cart_id;
    item.delete(db).await?;
    let left = cart_items::Entity::find().filter(cart_items::Column::CartId.eq(cart_id)).one(db).await?;
    if left.is_none() {
        carts::Entity::delete_by_id(cart_id).exec(db).await?;
    }
    Ok(())
}

pub(crate) async fn set_quantity(
    db: &DatabaseConnection,
    viewer: &Viewer,
    item_id: i32,
    quantity: i32,
) -> Result<(), CartError> {
    let item = own_item(db, viewer, item_id).await?;
    Quantity::new(quantity)?;
    let mut active: cart_items::ActiveModel = item.into();
    active.quantity = Set(quantity);
    active.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(total: i64) -> CartLine {
        let now = Utc::now();
        CartLine {
            item: cart_items::Model {
                id: 1,
                cart_id: 1,
                product_id: 1,
                subscription_id: None,
                quantity: 1,
                ri_reservation_type: None,
                ri_term_years: None,
                ri_scope: None,
                ri_region: None,
                ri_payment_plan: None,
                ri_auto_renew: false,
                ramp_up_months: None,
                created_at: now,
            },
            product: crate::catalog::test_product(crate::entities::enums::ProductKind::Addon, ""),
            unit_price: total,
            unit_cost: 0,
            total,
            priced: true,
        }
    }

    #[test]
    fn totals_sum_and_refuse_overflow() {
        assert_eq!(cart_total(&[line(1_000), line(2_500)]), Some(3_500));
        assert_eq!(cart_total(&[]), Some(0));
        assert_eq!(cart_total(&[line(i64::MAX), line(1)]), None);
    }
}
