//! The one place a price comes from: the catalogue, the cart, orders, billing runs and the
//! subscription page all ask a [`PriceBook`].
//!
//! The provider keeps, per product and currency (and per term and payment plan for a
//! reserved instance), its **list price** for its direct customers and its **cost** to
//! resellers, each row valid from a date until the next row. A reseller keeps, per product
//! and currency, its customers' price as a fixed amount or a markup over its cost, valid
//! from a date; products without an entry sell at the provider's list price. A price
//! applies to purchases from its date, and to a running subscription from the start of
//! its next term (never part-way through one): billing asks for the price on the day the
//! charged term began.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::enums::{AccountTier, ProductKind, RiPaymentPlan};
use crate::entities::{accounts, prices, products, reseller_prices, reservation_prices};
use crate::error::AppResult;

/// Whose prices a page or a charge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Audience {
    /// The provider's direct customers, and visitors of the provider's site: list prices.
    Provider,
    /// A reseller's customers, visitors of its custom host, and the reseller admin looking
    /// at its storefront: the reseller's price list, else the provider's list price.
    CustomersOf(i32),
    /// A reseller buying for itself: its cost.
    Reseller,
}

impl Audience {
    /// The audience of an account that buys, read from the database (its parent's tier).
    pub(crate) async fn of_account<C: ConnectionTrait>(db: &C, account: &accounts::Model) -> AppResult<Audience> {
        let parent = match account.parent_id {
            Some(id) if account.tier == AccountTier::Customer => accounts::Entity::find_by_id(id).one(db).await?,
            _ => None,
        };
        Ok(Audience::of_buyer(account, parent.as_ref()))
    }

    /// The audience of an account that buys: a customer of a reseller pays that reseller's
    /// prices, a direct customer (or the provider) list prices, a reseller its cost.
    pub(crate) fn of_buyer(account: &accounts::Model, parent: Option<&accounts::Model>) -> Audience {
        match (account.tier, parent) {
            (AccountTier::Customer, Some(parent)) if parent.tier == AccountTier::Reseller => {
                Audience::CustomersOf(parent.id)
            }
            (AccountTier::Reseller, _) => Audience::Reseller,
            _ => Audience::Provider,
        }
    }
}

/// A price and what it costs the seller (the provider's cost), per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnitPrice {
    pub price: i64,
    pub cost: i64,
}

/// A reseller's price for its customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResellerPrice {
    Fixed(i64),
    /// Hundredths of a percent over the cost (1250 = 12.5 %).
    Markup(i32),
}

impl ResellerPrice {
    pub(crate) fn of(row: &reseller_prices::Model) -> Option<ResellerPrice> {
        match (row.fixed_amount, row.markup_basis_points) {
            (Some(amount), None) => Some(ResellerPrice::Fixed(amount)),
            (None, Some(points)) => Some(ResellerPrice::Markup(points)),
            _ => None,
        }
    }

    /// The customers' price over `cost`; None when it does not fit in an amount.
    pub(crate) fn over(self, cost: i64) -> Option<i64> {
        match self {
            ResellerPrice::Fixed(amount) => Some(amount),
            ResellerPrice::Markup(points) => marked_up(cost, points),
        }
    }
}

/// `cost` plus `basis_points` hundredths of a percent of it, rounded half up to the unit.
pub(crate) fn marked_up(cost: i64, basis_points: i32) -> Option<i64> {
    let extra = i128::from(cost) * i128::from(basis_points);
    let rounded = (extra + 5_000).div_euclid(10_000);
    i64::try_from(i128::from(cost) + rounded).ok()
}

/// Of rows valid from their dates, the one in effect on `on`: the latest that starts on
/// or before it.
pub(crate) fn in_effect<T>(
    rows: impl IntoIterator<Item = T>,
    from: impl Fn(&T) -> NaiveDate,
    on: NaiveDate,
) -> Option<T> {
    rows.into_iter().filter(|row| from(row) <= on).max_by_key(|row| from(row))
}

/// The first day of the term of a subscription (started on `start`, terms of
/// `term_months`) that contains `day`: the day whose prices the term is charged at.
pub(crate) fn term_start(start: NaiveDate, term_months: u32, day: NaiveDate) -> NaiveDate {
    use crate::subscriptions::rules::add_months;
    if day <= start || term_months == 0 {
        return start;
    }
    let mut begin = start;
    for k in 1..=2400u32 {
        let next = add_months(start, k * term_months);
        if next > day {
            break;
        }
        begin = next;
    }
    begin
}

/// A charge priced term by term: the due split where a new term begins inside it (the
/// renewal day), each part at the prices of its term's first day; consecutive parts at the
/// same price stay one. None when a term has no price.
pub(crate) fn priced_by_term(
    due: &crate::billing::ledger::Due,
    anchor: NaiveDate,
    term_months: u32,
    price_on: impl Fn(NaiveDate) -> Option<UnitPrice>,
) -> Option<Vec<(crate::billing::ledger::Due, UnitPrice)>> {
    use crate::subscriptions::rules::add_months;
    let mut parts: Vec<(crate::billing::ledger::Due, UnitPrice)> = Vec::new();
    let mut from = due.from;
    while from <= due.to {
        let began = term_start(anchor, term_months, from);
        let next_term = (1..=2400u32)
            .map(|k| add_months(anchor, k * term_months.max(1)))
            .find(|start| *start > from)
            .unwrap_or(NaiveDate::MAX);
        let to = due.to.min(next_term.pred_opt().unwrap_or(due.to));
        let unit = price_on(if term_months == 0 { due.from } else { began })?;
        match parts.last_mut() {
            Some((last, last_unit)) if *last_unit == unit => last.to = to,
            _ => parts.push((crate::billing::ledger::Due { from, to, ..*due }, unit)),
        }
        from = match to.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    Some(parts)
}

/// The prices of an audience, with their history, for a set of products: ask it for a
/// product's price on a day.
#[derive(Debug, Clone)]
pub(crate) struct PriceBook {
    audience: Audience,
    prices: Vec<prices::Model>,
    reservation_prices: Vec<reservation_prices::Model>,
    reseller_prices: Vec<reseller_prices::Model>,
}

impl PriceBook {
    /// The book for `audience`, limited to `products` (None: every product).
    pub(crate) async fn load<C: ConnectionTrait>(
        db: &C,
        audience: Audience,
        products: Option<Vec<i32>>,
    ) -> AppResult<PriceBook> {
        let mut prices_query = prices::Entity::find().order_by_asc(prices::Column::Id);
        let mut reservation_query = reservation_prices::Entity::find().order_by_asc(reservation_prices::Column::Id);
        if let Some(ids) = &products {
            prices_query = prices_query.filter(prices::Column::ProductId.is_in(ids.clone()));
            reservation_query = reservation_query.filter(reservation_prices::Column::ProductId.is_in(ids.clone()));
        }
        let reseller_prices = match audience {
            Audience::CustomersOf(reseller) => {
                let mut query = reseller_prices::Entity::find()
                    .filter(reseller_prices::Column::ResellerId.eq(reseller))
                    .order_by_asc(reseller_prices::Column::Id);
                if let Some(ids) = &products {
                    query = query.filter(reseller_prices::Column::ProductId.is_in(ids.clone()));
                }
                query.all(db).await?
            }
            _ => vec![],
        };
        Ok(PriceBook {
            audience,
            prices: prices_query.all(db).await?,
            reservation_prices: reservation_query.all(db).await?,
            reseller_prices,
        })
    }

    /// A book from rows already read (tests, and the ledger's properties).
    #[cfg(test)]
    pub(crate) fn from_rows(
        audience: Audience,
        prices: Vec<prices::Model>,
        reservation_prices: Vec<reservation_prices::Model>,
        reseller_prices: Vec<reseller_prices::Model>,
    ) -> PriceBook {
        PriceBook { audience, prices, reservation_prices, reseller_prices }
    }

    /// The provider's (list price, cost) of a product on `on`; a reserved instance's for
    /// its term and payment plan.
    fn provider_price(
        &self,
        product: &products::Model,
        reservation: Option<(i32, RiPaymentPlan)>,
        currency: &str,
        on: NaiveDate,
    ) -> Option<(i64, i64)> {
        match (product.kind, reservation) {
            (ProductKind::ReservedInstance, Some((term_years, plan))) => in_effect(
                self.reservation_prices.iter().filter(|p| {
                    p.product_id == product.id
                        && p.term_years == term_years
                        && p.payment_plan == plan
                        && p.currency == currency
                }),
                |p| p.effective_from,
                on,
            )
            .map(|p| (p.amount, p.unit_cost)),
            (ProductKind::ReservedInstance, None) => None,
            _ => in_effect(
                self.prices.iter().filter(|p| p.product_id == product.id && p.currency == currency),
                |p| p.effective_from,
                on,
            )
            .map(|p| (p.amount, p.unit_cost)),
        }
    }

    /// The reseller's entry for a product in effect on `on`.
    fn reseller_entry(&self, product_id: i32, currency: &str, on: NaiveDate) -> Option<ResellerPrice> {
        in_effect(
            self.reseller_prices.iter().filter(|p| p.product_id == product_id && p.currency == currency),
            |p| p.effective_from,
            on,
        )
        .and_then(ResellerPrice::of)
    }

    /// The reseller's markup on a consumption product's usage in effect on `on` (its
    /// customers pay their usage cost plus it); None for anybody else, or without one.
    pub(crate) fn usage_markup(&self, product: &products::Model, currency: &str, on: NaiveDate) -> Option<i32> {
        match (self.audience, product.kind, self.reseller_entry(product.id, currency, on)) {
            (Audience::CustomersOf(_), ProductKind::Consumption, Some(ResellerPrice::Markup(points))) => Some(points),
            _ => None,
        }
    }

    /// What the audience pays for a unit of `product` bought (or whose term began) on
    /// `on`, and what it costs the seller; None when the catalogue has no price for it.
    /// A reserved instance is priced for its term and payment plan; a reseller's fixed
    /// price applies to other products only (a reservation's is a markup).
    pub(crate) fn unit_price(
        &self,
        product: &products::Model,
        reservation: Option<(i32, RiPaymentPlan)>,
        currency: &str,
        on: NaiveDate,
    ) -> Option<UnitPrice> {
        let (list, cost) = self.provider_price(product, reservation, currency, on)?;
        let price = match self.audience {
            Audience::Provider => list,
            Audience::Reseller => cost,
            // Never below the reseller's cost: a fixed price the provider's cost has since
            // overtaken sells at the cost (the price list marks it).
            Audience::CustomersOf(_) => match self.reseller_entry(product.id, currency, on) {
                Some(ResellerPrice::Fixed(_)) if product.kind == ProductKind::ReservedInstance => list,
                Some(entry) => entry.over(cost)?.max(cost),
                None => list,
            },
        };
        Some(UnitPrice { price, cost })
    }

    /// The price rows as this audience sees them on `on`: for each product and currency,
    /// the row in effect with its amount set to the audience's price (what the catalogue
    /// shows and sells at), by product id and then currency.
    pub(crate) fn effective_prices(&self, products: &[products::Model], on: NaiveDate) -> Vec<prices::Model> {
        let by_id: HashMap<i32, &products::Model> = products.iter().map(|p| (p.id, p)).collect();
        let mut keys: Vec<(i32, String)> = self.prices.iter().map(|p| (p.product_id, p.currency.clone())).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|(product_id, currency)| {
                let product = by_id.get(&product_id)?;
                let row = in_effect(
                    self.prices.iter().filter(|p| p.product_id == product_id && p.currency == currency),
                    |p| p.effective_from,
                    on,
                )?;
                let unit = self.unit_price(product, None, &currency, on)?;
                Some(prices::Model { amount: unit.price, unit_cost: unit.cost, ..row.clone() })
            })
            .collect()
    }

    /// The same for reservation prices: per product, term, payment plan and currency.
    pub(crate) fn effective_reservation_prices(
        &self,
        products: &[products::Model],
        on: NaiveDate,
    ) -> Vec<reservation_prices::Model> {
        let by_id: HashMap<i32, &products::Model> = products.iter().map(|p| (p.id, p)).collect();
        let mut keys: Vec<(i32, i32, RiPaymentPlan, String)> = self
            .reservation_prices
            .iter()
            .map(|p| (p.product_id, p.term_years, p.payment_plan, p.currency.clone()))
            .collect();
        keys.sort_by(|a, b| (a.0, a.1, a.2.as_str(), &a.3).cmp(&(b.0, b.1, b.2.as_str(), &b.3)));
        keys.dedup();
        keys.into_iter()
            .filter_map(|(product_id, term_years, plan, currency)| {
                let product = by_id.get(&product_id)?;
                let row = in_effect(
                    self.reservation_prices.iter().filter(|p| {
                        p.product_id == product_id
                            && p.term_years == term_years
                            && p.payment_plan == plan
                            && p.currency == currency
                    }),
                    |p| p.effective_from,
                    on,
                )?;
                let unit = self.unit_price(product, Some((term_years, plan)), &currency, on)?;
                Some(reservation_prices::Model { amount: unit.price, unit_cost: unit.cost, ..row.clone() })
            })
            .collect()
    }
}

/// What a subscription is charged per unit: in its current term, and from its next
/// renewal (when it renews).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TermPrices {
    pub currency: String,
    pub this_term: Option<UnitPrice>,
    pub renewal: Option<(NaiveDate, Option<UnitPrice>)>,
}

/// The prices of a subscription's current term and of its next one, for its account.
pub(crate) async fn of_subscription<C: ConnectionTrait>(
    db: &C,
    subscription: &crate::entities::subscriptions::Model,
    product: &products::Model,
    today: NaiveDate,
) -> AppResult<TermPrices> {
    use crate::entities::enums::SubscriptionStatus;
    use crate::subscriptions::rules::term_months;
    let account =
        accounts::Entity::find_by_id(subscription.account_id).one(db).await?.ok_or(crate::error::AppError::NotFound)?;
    let audience = Audience::of_account(db, &account).await?;
    let book = PriceBook::load(db, audience, Some(vec![product.id])).await?;
    let reservation = subscription.ri_term_years.zip(subscription.ri_payment_plan);
    let months = term_months(product.kind, product.term_months, subscription.ri_term_years);
    let this_term_began = term_start(subscription.start_date, months, today.min(subscription.term_end_date));
    let this_term = book.unit_price(product, reservation, &account.currency, this_term_began);
    let renews = subscription.auto_renew && subscription.status != SubscriptionStatus::Canceled;
    let renewal = renews.then(|| {
        let next = subscription.term_end_date + chrono::Duration::days(1);
        (next, book.unit_price(product, reservation, &account.currency, next))
    });
    Ok(TermPrices { currency: account.currency, this_term, renewal })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_product;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn price(from: &str, amount: i64, unit_cost: i64) -> prices::Model {
        prices::Model {
            id: 0,
            product_id: 1,
            currency: "CLP".into(),
            amount,
            unit_cost,
            effective_from: d(from),
            created_at: None,
        }
    }

    fn entry(from: &str, fixed: Option<i64>, markup: Option<i32>) -> reseller_prices::Model {
        reseller_prices::Model {
            id: 0,
            reseller_id: 9,
            product_id: 1,
            currency: "CLP".into(),
            fixed_amount: fixed,
            markup_basis_points: markup,
            effective_from: d(from),
            created_at: chrono::Utc::now(),
            created_by: None,
        }
    }

    #[test]
    fn the_row_in_effect_is_the_latest_that_has_started() {
        let rows = [price("2000-01-01", 100, 80), price("2026-12-01", 120, 90)];
        let on = |day| in_effect(rows.iter(), |p| p.effective_from, d(day)).map(|p| p.amount);
        assert_eq!(on("1999-12-31"), None);
        assert_eq!(on("2026-11-30"), Some(100));
        assert_eq!(on("2026-12-01"), Some(120), "from its first day");
        assert_eq!(on("2030-01-01"), Some(120));
    }

    #[test]
    fn markups_round_half_up_to_the_unit() {
        assert_eq!(marked_up(10_000, 1_250), Some(11_250));
        assert_eq!(marked_up(999, 1_000), Some(1_099), "99.9 rounds to 100");
        assert_eq!(marked_up(5, 1_000), Some(6), "0.5 rounds up");
        assert_eq!(marked_up(0, 5_000), Some(0));
        assert_eq!(marked_up(i64::MAX, 10_000), None, "too large is no price");
    }

    #[test]
    fn each_audience_pays_its_price_and_the_cost_is_the_providers() {
        let product = test_product(ProductKind::LicenseSubscription, "");
        let rows = vec![price("2000-01-01", 10_000, 8_000), price("2026-12-01", 12_000, 9_000)];
        let book = |audience, entries| PriceBook::from_rows(audience, rows.clone(), vec![], entries);
        let on = d("2026-11-15");
        let direct = book(Audience::Provider, vec![]).unit_price(&product, None, "CLP", on);
        assert_eq!(direct, Some(UnitPrice { price: 10_000, cost: 8_000 }));
        assert_eq!(book(Audience::Reseller, vec![]).unit_price(&product, None, "CLP", on).unwrap().price, 8_000);
        let no_list = book(Audience::CustomersOf(9), vec![]).unit_price(&product, None, "CLP", on);
        assert_eq!(no_list.unwrap().price, 10_000, "no entry: the list price");
        let marked = book(Audience::CustomersOf(9), vec![entry("2026-11-01", None, Some(2_500))]);
        assert_eq!(marked.unit_price(&product, None, "CLP", on), Some(UnitPrice { price: 10_000, cost: 8_000 }));
        assert_eq!(
            marked.unit_price(&product, None, "CLP", d("2026-12-01")).unwrap().price,
            11_250,
            "over the new cost"
        );
        let fixed = book(Audience::CustomersOf(9), vec![entry("2026-11-20", Some(9_500), None)]);
        assert_eq!(fixed.unit_price(&product, None, "CLP", on).unwrap().price, 10_000, "not yet in effect");
        assert_eq!(fixed.unit_price(&product, None, "CLP", d("2026-11-20")).unwrap().price, 9_500);
        assert_eq!(book(Audience::Provider, vec![]).unit_price(&product, None, "USD", on), None, "no price in USD");
        let overtaken = book(Audience::CustomersOf(9), vec![entry("2026-11-01", Some(8_500), None)]);
        assert_eq!(overtaken.unit_price(&product, None, "CLP", on).unwrap().price, 8_500);
        assert_eq!(
            overtaken.unit_price(&product, None, "CLP", d("2026-12-01")).unwrap().price,
            9_000,
            "never below cost"
        );
    }

    #[test]
    fn a_term_is_charged_at_the_prices_of_its_first_day() {
        let start = d("2026-03-15");
        assert_eq!(term_start(start, 12, d("2026-03-15")), start);
        assert_eq!(term_start(start, 12, d("2027-03-14")), start, "still the first term");
        assert_eq!(term_start(start, 12, d("2027-03-15")), d("2027-03-15"), "the renewal");
        assert_eq!(term_start(start, 1, d("2026-05-20")), d("2026-05-15"));
        assert_eq!(term_start(d("2026-01-31"), 1, d("2026-03-01")), d("2026-02-28"), "month ends clamp");
        assert_eq!(term_start(start, 12, d("2026-01-01")), start, "before the start");
    }

    #[test]
    fn a_charge_across_a_renewal_is_split_at_the_new_term_and_priced_per_term() {
        use crate::billing::ledger::Due;
        let due = Due {
            from: d("2026-12-01"),
            to: d("2026-12-31"),
            quantity: 2,
            amount: 0,
            window: (d("2026-12-01"), d("2026-12-31")),
        };
        let price =
            |on: NaiveDate| Some(UnitPrice { price: if on >= d("2026-12-15") { 3_100 } else { 6_200 }, cost: 0 });
        // Monthly terms from the 15th: 1–14 December belong to the term begun 15 November.
        let parts = priced_by_term(&due, d("2026-01-15"), 1, price).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].0.from, parts[0].0.to, parts[0].1.price), (d("2026-12-01"), d("2026-12-14"), 6_200));
        assert_eq!((parts[1].0.from, parts[1].0.to, parts[1].1.price), (d("2026-12-15"), d("2026-12-31"), 3_100));
        let amounts: i64 = parts.iter().map(|(part, unit)| part.share_of(unit.price).unwrap()).sum();
        assert_eq!(amounts, 2 * 6_200 * 14 / 31 + 2 * 3_100 * 17 / 31, "each part prorated over the window");
        // The same price on both sides: one part, exactly the old amount.
        let flat = priced_by_term(&due, d("2026-01-15"), 1, |_| Some(UnitPrice { price: 6_200, cost: 0 })).unwrap();
        assert_eq!(flat.len(), 1);
        assert_eq!((flat[0].0.from, flat[0].0.to), (due.from, due.to));
        assert_eq!(priced_by_term(&due, d("2026-01-15"), 1, |_| None), None, "no price, no charge");
    }

    #[test]
    fn the_catalogue_rows_carry_the_audiences_price() {
        let product = test_product(ProductKind::LicenseSubscription, "");
        let rows = vec![price("2000-01-01", 10_000, 8_000), price("2027-01-01", 12_000, 9_000)];
        let book =
            PriceBook::from_rows(Audience::CustomersOf(9), rows, vec![], vec![entry("2000-01-01", None, Some(5_000))]);
        let shown = book.effective_prices(std::slice::from_ref(&product), d("2026-11-30"));
        assert_eq!(shown.len(), 1, "one row per product and currency");
        assert_eq!((shown[0].amount, shown[0].unit_cost), (12_000, 8_000));
    }
}
