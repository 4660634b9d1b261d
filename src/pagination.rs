//! Page numbers for long lists: `?page=N`, a fixed page size, and the total.

use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QuerySelect, Select};
use serde::Deserialize;

use crate::error::AppResult;

pub const PAGE_SIZE: u64 = 25;

/// The `?page=` query parameter (1-based; anything not a positive number is refused by the extractor).
#[derive(Debug, Clone, Copy, Deserialize, Default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

impl PageQuery {
    pub fn number(&self) -> u64 {
        self.page.unwrap_or(1).clamp(1, 1_000_000)
    }
}

#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

impl<T> Paged<T> {
    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }

    /// The same page with each item turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { items: self.items.into_iter().map(f).collect(), page: self.page, pages: self.pages, total: self.total }
    }
}

/// Number of pages needed for `total` rows (at least one, so an empty list shows "page 1 of 1").
pub fn page_count(total: u64, size: u64) -> u64 {
    total.div_ceil(size).max(1)
}

/// Runs `select` for one page of `PAGE_SIZE` rows, counting the total.
pub async fn fetch_page<C, E, M>(db: &C, select: Select<E>, query: PageQuery) -> AppResult<Paged<M>>
where
    C: ConnectionTrait,
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
{
    let total = select.clone().count(db).await?;
    let pages = page_count(total, PAGE_SIZE);
    let page = query.number().min(pages);
    let items = select.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all(db).await?;
    Ok(Paged { items, page, pages, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counts() {
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(25, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(PageQuery { page: Some(0) }.number(), 1);
    }
}
