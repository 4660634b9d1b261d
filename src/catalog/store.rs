//! Reading the catalogue.

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use chrono::{NaiveDate, Utc};

use super::pricing::{Audience, PriceBook};
use super::reservations::{self, ReservationOffer};
use super::{pick_price, price_label};
use crate::entities::enums::ProductKind;
use crate::entities::{prices, products, reservation_options};
use crate::error::{AppError, AppResult};

/// A product with its prices; a reserved instance with what it offers and its prices per
/// term and payment plan.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub product: products::Model,
    pub prices: Vec<prices::Model>,
    /// `Some` for a reserved instance.
    pub reservation: Option<ReservationOffer>,
}

impl Listed {
    /// The currency to sell in: the preferred one, else the first by currency code.
    pub(crate) fn currency_for(&self, preferred_currency: &str) -> Option<String> {
        match &self.reservation {
            Some(offer) => offer.currency_for(preferred_currency),
            None => pick_price(&self.prices, preferred_currency).map(|p| p.currency.clone()),
        }
    }

    /// Whether the product has a price in `currency`.
    pub(crate) fn sold_in(&self, currency: &str) -> bool {
        match &self.reservation {
            Some(offer) => offer.sold_in(currency),
            None => self.prices.iter().any(|p| p.currency == currency),
        }
    }

    /// How the price reads in the catalogue, in the reader's language and money format.
    pub(crate) fn price_label(&self, loc: &impl crate::i18n::Localize, preferred_currency: &str) -> String {
        match (&self.reservation, self.currency_for(preferred_currency)) {
            (Some(offer), Some(currency)) => reservations::price_label(loc, &offer.prices, &currency),
            (Some(_), None) => loc.t("product-price-on-request"),
            (None, _) => price_label(loc, &self.product, &self.prices, preferred_currency),
        }
    }
}

/// The offers of the reserved instances among `products`, by product id, at the prices of
/// `book` on `on`.
async fn offers_of<C: ConnectionTrait>(
    db: &C,
    products: &[products::Model],
    book: &PriceBook,
    on: NaiveDate,
) -> AppResult<std::collections::HashMap<i32, ReservationOffer>> {
    let ids: Vec<i32> = products.iter().filter(|p| p.kind == ProductKind::ReservedInstance).map(|p| p.id).collect();
    let mut offers = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(offers);
    }
    let options = reservation_options::Entity::find()
        .filter(reservation_options::Column::ProductId.is_in(ids.clone()))
        .order_by_asc(reservation_options::Column::Id)
        .all(db)
        .await?;
    let mut prices = book.effective_reservation_prices(products, on);
    prices.sort_by(|a, b| (&a.currency, a.term_years).cmp(&(&b.currency, b.term_years)));
    for id in ids {
        let mine = options.iter().filter(|o| o.product_id == id).cloned().collect();
        let priced = prices.iter().filter(|p| p.product_id == id).cloned().collect();
        offers.insert(id, ReservationOffer::new(mine, priced));
    }
    Ok(offers)
}

/// [`active_products`] for a page view: remembered per audience and day until the config
/// version moves (the page context validated the cache for this request).
pub(crate) async fn active_products_remembered(
    db: &DatabaseConnection,
    cache: &crate::config_cache::ConfigCache,
    audience: Audience,
) -> AppResult<std::sync::Arc<Vec<Listed>>> {
    let today = Utc::now().date_naive();
    let key = (audience, today);
    match cache.catalogue(&key) {
        Ok(listed) => Ok(listed),
        Err(missed) => {
            let listed = std::sync::Arc::new(active_products(db, audience, today).await?);
            cache.keep_catalogue(missed, key, &listed);
            Ok(listed)
        }
    }
}

/// Active products, by name, with the prices `audience` pays on `today`.
async fn active_products(
    db: &DatabaseConnection,
    audience: Audience,
    today: chrono::NaiveDate,
) -> AppResult<Vec<Listed>> {
    let products = products::Entity::find()
        .filter(products::Column::Active.eq(true))
        .order_by_asc(products::Column::Name)
        .order_by_asc(products::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = products.iter().map(|p| p.id).collect();
    let book = PriceBook::load(db, audience, Some(ids)).await?;
    let mut prices = book.effective_prices(&products, today);
    let mut offers = offers_of(db, &products, &book, today).await?;
    Ok(products
        .into_iter()
        .map(|product| {
            let (mine, rest): (Vec<_>, Vec<_>) = prices.drain(..).partition(|p| p.product_id == product.id);
            prices = rest;
            let reservation = offers.remove(&product.id);
            Listed { product, prices: mine, reservation }
        })
        .collect())
}

/// An active product by code with the prices `audience` pays today, or 404.
pub(crate) async fn product_by_code<C: ConnectionTrait>(db: &C, code: &str, audience: Audience) -> AppResult<Listed> {
    let product = products::Entity::find()
        .filter(products::Column::Code.eq(code))
        .filter(products::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let book = PriceBook::load(db, audience, Some(vec![product.id])).await?;
    let today = Utc::now().date_naive();
    let one = std::slice::from_ref(&product);
    let prices = book.effective_prices(one, today);
    let reservation = offers_of(db, one, &book, today).await?.remove(&product.id);
    Ok(Listed { product, prices, reservation })
}

/// (code, name) of every product, by name: the choices of a product field.
pub(crate) async fn product_names(db: &DatabaseConnection) -> AppResult<Vec<(String, String)>> {
    Ok(products::Entity::find()
        .order_by_asc(products::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code, p.name))
        .collect())
}
