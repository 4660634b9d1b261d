//! Reading the catalogue.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{prices, products};
use crate::error::{AppError, AppResult};

/// A product with its prices.
#[derive(Debug, Clone)]
pub struct Listed {
    pub product: products::Model,
    pub prices: Vec<prices::Model>,
}

/// Active products, by name, with their prices.
pub async fn active_products(db: &DatabaseConnection) -> AppResult<Vec<Listed>> {
    let products = products::Entity::find()
        .filter(products::Column::Active.eq(true))
        .order_by_asc(products::Column::Name)
        .order_by_asc(products::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = products.iter().map(|p| p.id).collect();
    let mut prices = prices::Entity::find()
        .filter(prices::Column::ProductId.is_in(ids))
        .order_by_asc(prices::Column::Currency)
        .all(db)
        .await?;
    Ok(products
        .into_iter()
        .map(|product| {
            let (mine, rest): (Vec<_>, Vec<_>) = prices.drain(..).partition(|p| p.product_id == product.id);
            prices = rest;
            Listed { product, prices: mine }
        })
        .collect())
}

/// An active product by code, or 404.
pub async fn product_by_code(db: &DatabaseConnection, code: &str) -> AppResult<Listed> {
    let product = products::Entity::find()
        .filter(products::Column::Code.eq(code))
        .filter(products::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let prices = prices::Entity::find()
        .filter(prices::Column::ProductId.eq(product.id))
        .order_by_asc(prices::Column::Currency)
        .all(db)
        .await?;
    Ok(Listed { product, prices })
}
