//! Page numbers for long lists: `?page=N`, a fixed page size, and the total.

use sea_orm::{ConnectionTrait, PaginatorTrait, SelectorTrait};
use serde::Deserialize;

use crate::error::AppResult;

pub(crate) const PAGE_SIZE: u64 = 25;

/// The `?page=` query parameter (1-based; anything not a positive number is refused by the extractor).
#[derive(Debug, Clone, Copy, Deserialize, Default)]
pub(crate) struct PageQuery {
    pub page: Option<u64>,
}

impl PageQuery {
    pub(crate) fn number(&self) -> u64 {
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
    pub(crate) fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub(crate) fn has_next(&self) -> bool {
        self.page < self.pages
    }

    /// The same page with each item turned into something else.
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { items: self.items.into_iter().map(f).collect(), page: self.page, pages: self.pages, total: self.total }
    }
}

/// Number of pages needed for `total` rows (at least one, so an empty list shows "page 1 of 1").
pub(crate) fn page_count(total: u64, size: u64) -> u64 {
    total.div_ceil(size).max(1)
}

/// Runs any paginated select (one entity, or one with a related one) for one page of
/// `PAGE_SIZE` rows, counting the total. A page past the end shows the last page.
pub(crate) async fn fetch_page<'db, C, S>(
    db: &'db C,
    select: S,
    query: PageQuery,
) -> AppResult<Paged<<S::Selector as SelectorTrait>::Item>>
where
    C: ConnectionTrait,
    S: PaginatorTrait<'db, C>,
{
    let paginator = select.paginate(db, PAGE_SIZE);
    let total = paginator.num_items().await?;
    let pages = page_count(total, PAGE_SIZE);
    let page = query.number().min(pages);
    let items = paginator.fetch_page(page - 1).await?;
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
