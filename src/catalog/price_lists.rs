//! Changing prices: the provider's list price and cost per product and currency (and per
//! term and payment plan for a reserved instance), and a reseller's price list. Each
//! change is a new row valid from a date, so the history stays; a row that has started
//! is never rewritten (a change starts today or later). The checks are plain functions;
//! the writes carry their audit entry in the same transaction.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::pricing::{in_effect, ResellerPrice};
use crate::accounts::Viewer;
use crate::audit::{self, AuditActor, Change};
use crate::billing::money;
use crate::entities::enums::{AccountTier, ProductKind, RiPaymentPlan};
use crate::entities::{accounts, prices, products, reseller_prices, reservation_prices};
use crate::error::{refusals, AppError, AppResult};
use crate::i18n::{msg, tr, Localize};

/// The currencies a price may be in.
pub(crate) const CURRENCIES: &[&str] = &["CLP", "USD"];

/// The largest price accepted (in minor units): far above any licence, far below overflow.
pub(crate) const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The largest markup, in hundredths of a percent (1000 %).
pub(crate) const MAX_MARKUP_BASIS_POINTS: i32 = 100_000;

/// Why a price change was refused; the text is the form's message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PriceError {
    #[error("Choose a currency: {}.", CURRENCIES.join(" or "))]
    Currency,
    #[error("{what}: {why}")]
    Amount { what: String, why: AmountProblem },
    #[error("Markup: a percent from 0 to 1000 with at most two decimals, such as 12.5.")]
    Markup,
    #[error("The date must be a day such as 2026-12-01.")]
    Date,
    #[error("A price change starts today or later: prices already charged are kept as they were.")]
    Past,
    #[error("The list price ({}) is below the cost to resellers ({}).", money::format(*list, currency), money::format(*cost, currency))]
    ListBelowCost { list: i64, cost: i64, currency: String },
    #[error("A reserved instance is priced per term (1 or 3 years) and payment plan.")]
    Reservation,
    #[error("The price in effect from {0} has already started and cannot be changed: set a new one from a later day.")]
    Started(NaiveDate),
    #[error("{product} has no {currency} cost on {from}, so there is nothing to price over.")]
    NoCost { product: String, currency: String, from: NaiveDate },
    #[error("{} is below your cost of {} from {from}: set at least your cost.", money::format(*price, currency), money::format(*cost, currency))]
    BelowCost { price: i64, cost: i64, currency: String, from: NaiveDate },
    #[error("A reserved instance's price for your customers is a markup over your cost (each term and plan has its own cost).")]
    FixedReservation,
    #[error("A consumption product is billed on usage: your customers' price is a markup over your usage cost.")]
    FixedConsumption,
    #[error("Choose a fixed price or a markup percent.")]
    Kind,
    #[error(
        "A change to a price already in use starts tomorrow or later: purchases and renewals today keep today's price."
    )]
    StartsTomorrow,
    #[error("A price for the same day was saved at the same moment: look at the list and try again.")]
    SavedMeanwhile,
    #[error(transparent)]
    Failed(#[from] AppError),
}

refusals!(PriceError);

/// What is wrong with an amount typed in a form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AmountProblem {
    #[error("enter an amount")]
    Empty,
    #[error("write a number without signs or thousands separators")]
    NotANumber,
    #[error("{currency} has {digits} decimals")]
    Decimals { currency: String, digits: u32 },
    #[error("too large")]
    TooLarge,
}

impl PriceError {
    /// The refusal said in `loc`'s language (the price forms'); `Display` stays English.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            PriceError::Currency => tr!(loc, "prices-error-currency", currencies = CURRENCIES.join(" / ")),
            PriceError::Amount { what, why } => {
                let why = match why {
                    AmountProblem::Decimals { currency, digits } => {
                        tr!(loc, "prices-error-amount-decimals", currency = currency.as_str(), digits = *digits)
                    }
                    other => loc.t(match other {
                        AmountProblem::Empty => msg!("prices-error-amount-empty"),
                        AmountProblem::NotANumber => msg!("prices-error-amount-not-a-number"),
                        _ => msg!("prices-error-amount-too-large"),
                    }),
                };
                tr!(loc, "prices-error-amount", what = what.as_str(), why = why)
            }
            PriceError::Markup => loc.t("prices-error-markup"),
            // The form reads `YYYY-MM-DD` (what a date field sends): the example is written so.
            PriceError::Date => {
                tr!(loc, "prices-error-date", example = example_day().format("%Y-%m-%d").to_string())
            }
            PriceError::Past => loc.t("prices-error-past"),
            PriceError::ListBelowCost { list, cost, currency } => tr!(
                loc,
                "prices-error-list-below-cost",
                list = loc.money(*list, currency),
                cost = loc.money(*cost, currency)
            ),
            PriceError::Reservation => loc.t("prices-error-reservation"),
            PriceError::Started(from) => tr!(loc, "prices-error-started", from = loc.day(*from)),
            PriceError::NoCost { product, currency, from } => tr!(
                loc,
                "prices-error-no-cost",
                product = product.as_str(),
                currency = currency.as_str(),
                from = loc.day(*from)
            ),
            PriceError::BelowCost { price, cost, currency, from } => tr!(
                loc,
                "prices-error-below-cost",
                price = loc.money(*price, currency),
                cost = loc.money(*cost, currency),
                from = loc.day(*from)
            ),
            PriceError::FixedReservation => loc.t("prices-error-fixed-reservation"),
            PriceError::FixedConsumption => loc.t("prices-error-fixed-consumption"),
            PriceError::Kind => loc.t("prices-error-kind"),
            PriceError::StartsTomorrow => loc.t("prices-error-starts-tomorrow"),
            PriceError::SavedMeanwhile => loc.t("prices-error-saved-meanwhile"),
            PriceError::Failed(error) => error.to_string(),
        }
    }
}

/// The day the date message gives as an example.
fn example_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

/// An amount typed in a form, in the currency's major unit (`12.50` USD, `9990` CLP, or
/// grouped as the pages write it: `9.990`, `1.234,50`), as minor units; refused when
/// negative, too precise for the currency or too large.
pub(crate) fn parse_amount(text: &str, currency: &str, what: &str) -> Result<i64, PriceError> {
    let text = text.trim().replace([' ', '_'], "");
    parse_plain_amount(&without_grouping(&text, money::minor_digits(currency)), currency, what)
}

/// [`parse_amount`] without thousands separators: one `.` or `,` is the decimal point
/// (a machine's file, which the price import reads).
pub(crate) fn parse_plain_amount(text: &str, currency: &str, what: &str) -> Result<i64, PriceError> {
    let bad = |why: AmountProblem| PriceError::Amount { what: what.to_string(), why };
    let text = text.trim().replace([' ', '_'], "");
    if text.is_empty() {
        return Err(bad(AmountProblem::Empty));
    }
    let digits = money::minor_digits(currency);
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad(AmountProblem::NotANumber));
    }
    if fraction.len() > digits as usize {
        return Err(bad(AmountProblem::Decimals { currency: currency.to_string(), digits }));
    }
    let scale = 10i64.pow(digits);
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad(AmountProblem::TooLarge))? };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = digits as usize).parse().map_err(|_| bad(AmountProblem::TooLarge))?
    };
    let amount =
        whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(|| bad(AmountProblem::TooLarge))?;
    if amount > MAX_AMOUNT {
        return Err(bad(AmountProblem::TooLarge));
    }
    Ok(amount)
}

/// An amount as the pages write it in either language, with its thousands separators
/// taken out and its decimal separator made a `.`: `$9.990` is 9990 pesos, `1.234,50` and
/// `1,234.50` are the same dollars. With both separators the last one is the decimal one;
/// a separator that repeats, or that has exactly three digits after it where the currency
/// has fewer decimals, groups thousands.
fn without_grouping(text: &str, digits: u32) -> String {
    let Some(last) = text.rfind(['.', ',']) else { return text.to_string() };
    let mark = &text[last..=last];
    let other = if mark == "." { ',' } else { '.' };
    let grouping_only =
        !text.contains(other) && (text.matches(mark).count() > 1 || (text.len() - last - 1 == 3 && digits < 3));
    let (whole, fraction) = if grouping_only { (text, None) } else { (&text[..last], Some(&text[last + 1..])) };
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    let well_grouped =
        groups.len() == 1 || (matches!(groups[0].len(), 1..=3) && groups[1..].iter().all(|group| group.len() == 3));
    if !well_grouped {
        // Not a number written with thousands: left as typed, for the check that refuses it.
        return text.to_string();
    }
    let whole = groups.concat();
    match fraction {
        Some(fraction) => format!("{whole}.{fraction}"),
        None => whole,
    }
}

/// A markup percent typed in a form (`12.5`) as hundredths of a percent.
pub(crate) fn parse_markup(text: &str) -> Result<i32, PriceError> {
    let bad = || PriceError::Markup;
    let text = text.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || !(whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i32 = whole.parse().map_err(|_| bad())?;
    let fraction: i32 = if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().map_err(|_| bad())? };
    let points = whole.checked_mul(100).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)?;
    if points > MAX_MARKUP_BASIS_POINTS {
        return Err(bad());
    }
    Ok(points)
}

/// A date typed in a form: `YYYY-MM-DD`, today or later.
pub(crate) fn parse_from(text: &str, today: NaiveDate) -> Result<NaiveDate, PriceError> {
    let from = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| PriceError::Date)?;
    check_from(from, today)
}

/// A change's first day: today or later (what has been charged stays as it was).
pub(crate) fn check_from(from: NaiveDate, today: NaiveDate) -> Result<NaiveDate, PriceError> {
    if from < today {
        return Err(PriceError::Past);
    }
    Ok(from)
}

pub(crate) fn check_currency(currency: &str) -> Result<String, PriceError> {
    CURRENCIES.iter().find(|c| **c == currency.trim()).map(|c| c.to_string()).ok_or(PriceError::Currency)
}

/// A checked change to the provider's price of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListPriceChange {
    pub currency: String,
    /// For a reserved instance: the term in years and the payment plan.
    pub reservation: Option<(i32, RiPaymentPlan)>,
    pub list: i64,
    pub cost: i64,
    pub from: NaiveDate,
}

/// Checks the provider's new list price and cost for `product`.
pub(crate) fn check_list_price(
    product: &products::Model,
    currency: &str,
    reservation: Option<(i32, RiPaymentPlan)>,
    list: i64,
    cost: i64,
    from: NaiveDate,
) -> Result<ListPriceChange, PriceError> {
    check_list_price_of(product.kind, currency, reservation, list, cost, from)
}

/// [`check_list_price`] for a product of `kind` (one the price import is about to create).
pub(crate) fn check_list_price_of(
    kind: ProductKind,
    currency: &str,
    reservation: Option<(i32, RiPaymentPlan)>,
    list: i64,
    cost: i64,
    from: NaiveDate,
) -> Result<ListPriceChange, PriceError> {
    let currency = check_currency(currency)?;
    let reservation = match (kind, reservation) {
        (ProductKind::ReservedInstance, Some((term, plan))) if term == 1 || term == 3 => Some((term, plan)),
        (ProductKind::ReservedInstance, _) => return Err(PriceError::Reservation),
        (_, _) => None,
    };
    if list < cost {
        return Err(PriceError::ListBelowCost { list, cost, currency });
    }
    Ok(ListPriceChange { currency, reservation, list, cost, from })
}

/// A change to a price already in use starts tomorrow or later (terms that began today,
/// and purchases made today, were charged today's price); the very first price of a
/// product in a currency may start today (nothing was sold without one).
pub(crate) fn starts_in_time(in_use: bool, from: NaiveDate, today: NaiveDate) -> Result<(), PriceError> {
    if in_use && from <= today {
        Err(PriceError::StartsTomorrow)
    } else {
        Ok(())
    }
}

/// A unique-index refusal on insert: the same day was saved at the same moment.
fn saved_meanwhile(error: sea_orm::DbErr) -> PriceError {
    if crate::error::is_unique_violation(&error) {
        PriceError::SavedMeanwhile
    } else {
        PriceError::Failed(error.into())
    }
}

/// Refuses to rewrite a row that has already started.
fn not_started(existing_from: Option<NaiveDate>, today: NaiveDate) -> Result<(), PriceError> {
    match existing_from {
        Some(from) if from <= today => Err(PriceError::Started(from)),
        _ => Ok(()),
    }
}

/// Saves a provider price change from its date (a future row on the same date is
/// replaced), with its audit entry, in a transaction of its own.
pub(crate) async fn set_list_price(
    db: &DatabaseConnection,
    by: &AuditActor,
    provider_account: i32,
    product: &products::Model,
    change: ListPriceChange,
    today: NaiveDate,
) -> Result<(), PriceError> {
    let txn = db.begin().await?;
    write_list_price(&txn, by, provider_account, product, &change, today).await?;
    txn.commit().await?;
    Ok(())
}

/// The rules of a provider price change over a key's history `(from, list, cost)`: a price
/// in use changes from tomorrow, a started row is never rewritten; answers the (list, cost)
/// in effect on the change's day, for the audit log.
fn price_in_effect_before(
    history: &[(NaiveDate, i64, i64)],
    from: NaiveDate,
    today: NaiveDate,
) -> Result<Option<(i64, i64)>, PriceError> {
    starts_in_time(!history.is_empty(), from, today)?;
    not_started(history.iter().map(|r| r.0).find(|day| *day == from), today)?;
    Ok(in_effect(history.iter(), |r| r.0, from).map(|r| (r.1, r.2)))
}

/// Writes one checked provider price change and its audit entry (`price changed`) inside
/// the caller's transaction: the form saves one, the price import many. A row on the same
/// date is replaced unless it has started.
pub(crate) async fn write_list_price<C: ConnectionTrait>(
    txn: &C,
    by: &AuditActor,
    provider_account: i32,
    product: &products::Model,
    change: &ListPriceChange,
    today: NaiveDate,
) -> Result<(), PriceError> {
    let now = Utc::now();
    let before = match change.reservation {
        Some((term, plan)) => {
            let rows = reservation_prices::Entity::find()
                .filter(reservation_prices::Column::ProductId.eq(product.id))
                .filter(reservation_prices::Column::Currency.eq(&change.currency))
                .filter(reservation_prices::Column::TermYears.eq(term))
                .filter(reservation_prices::Column::PaymentPlan.eq(plan))
                .all(txn)
                .await?;
            let history: Vec<_> = rows.iter().map(|r| (r.effective_from, r.amount, r.unit_cost)).collect();
            let before = price_in_effect_before(&history, change.from, today)?;
            match rows.into_iter().find(|r| r.effective_from == change.from) {
                Some(row) => {
                    let mut row: reservation_prices::ActiveModel = row.into();
                    row.amount = Set(change.list);
                    row.unit_cost = Set(change.cost);
                    row.created_at = Set(Some(now));
                    row.update(txn).await?;
                }
                None => {
                    reservation_prices::ActiveModel {
                        product_id: Set(product.id),
                        term_years: Set(term),
                        payment_plan: Set(plan),
                        currency: Set(change.currency.clone()),
                        amount: Set(change.list),
                        unit_cost: Set(change.cost),
                        effective_from: Set(change.from),
                        created_at: Set(Some(now)),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await
                    .map_err(saved_meanwhile)?;
                }
            }
            before
        }
        None => {
            let rows = prices::Entity::find()
                .filter(prices::Column::ProductId.eq(product.id))
                .filter(prices::Column::Currency.eq(&change.currency))
                .all(txn)
                .await?;
            let history: Vec<_> = rows.iter().map(|r| (r.effective_from, r.amount, r.unit_cost)).collect();
            let before = price_in_effect_before(&history, change.from, today)?;
            match rows.into_iter().find(|r| r.effective_from == change.from) {
                Some(row) => {
                    let mut row: prices::ActiveModel = row.into();
                    row.amount = Set(change.list);
                    row.unit_cost = Set(change.cost);
                    row.created_at = Set(Some(now));
                    row.update(txn).await?;
                }
                None => {
                    prices::ActiveModel {
                        product_id: Set(product.id),
                        currency: Set(change.currency.clone()),
                        amount: Set(change.list),
                        unit_cost: Set(change.cost),
                        effective_from: Set(change.from),
                        created_at: Set(Some(now)),
                        ..Default::default()
                    }
                    .insert(txn)
                    .await
                    .map_err(saved_meanwhile)?;
                }
            }
            before
        }
    };
    let shown = |amount: Option<i64>| amount.map(|a| money::format(a, &change.currency)).unwrap_or_default();
    let changes = [
        Change::new("list price", shown(before.map(|b| b.0)), shown(Some(change.list))),
        Change::new("cost", shown(before.map(|b| b.1)), shown(Some(change.cost))),
        Change::set("from", change.from),
    ];
    let target = format!("price of {} in {}{}", product.code, change.currency, reservation_suffix(change.reservation));
    audit::record(txn, by, Some(provider_account), "price changed", &target, &changes).await?;
    Ok(())
}

/// " (1-year term, upfront payment)" for a reservation's price, else nothing.
pub(crate) fn reservation_suffix(reservation: Option<(i32, RiPaymentPlan)>) -> String {
    reservation.map(|(term, plan)| format!(" ({term}-year term, {} payment)", plan.as_str())).unwrap_or_default()
}

/// A checked entry of a reseller's price list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResellerPriceChange {
    pub price: ResellerPrice,
    pub from: NaiveDate,
}

/// The provider's costs of a product in `currency` from `from` until `until` (exclusive):
/// the one in effect on `from` (None: no price then) and each change set before `until`.
/// A reserved instance's entries are markups, which never go below a cost.
async fn costs_while<C: ConnectionTrait>(
    db: &C,
    product: &products::Model,
    currency: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> AppResult<Vec<(NaiveDate, Option<i64>)>> {
    let rows = prices::Entity::find()
        .filter(prices::Column::ProductId.eq(product.id))
        .filter(prices::Column::Currency.eq(currency))
        .all(db)
        .await?;
    let mut costs = vec![(from, in_effect(rows.iter(), |r| r.effective_from, from).map(|r| r.unit_cost))];
    costs.extend(
        rows.iter()
            .filter(|r| r.effective_from > from && until.is_none_or(|until| r.effective_from < until))
            .map(|r| (r.effective_from, Some(r.unit_cost))),
    );
    Ok(costs)
}

/// Checks a reseller's price against the rules that need no database: a reservation's is a
/// markup; a fixed price must cover `cost` (the reseller's cost on its first day).
pub(crate) fn check_reseller_price(
    product: &products::Model,
    currency: &str,
    price: ResellerPrice,
    cost: Option<i64>,
    from: NaiveDate,
) -> Result<(), PriceError> {
    match (product.kind, price) {
        (ProductKind::ReservedInstance, ResellerPrice::Fixed(_)) => Err(PriceError::FixedReservation),
        (ProductKind::Consumption, ResellerPrice::Fixed(_)) => Err(PriceError::FixedConsumption),
        (ProductKind::Consumption, ResellerPrice::Markup(_)) => Ok(()),
        (ProductKind::ReservedInstance, ResellerPrice::Markup(_)) => Ok(()),
        (_, ResellerPrice::Markup(_)) if cost.is_none() => {
            Err(PriceError::NoCost { product: product.name.clone(), currency: currency.into(), from })
        }
        (_, ResellerPrice::Markup(_)) => Ok(()),
        (_, ResellerPrice::Fixed(amount)) => match cost {
            None => Err(PriceError::NoCost { product: product.name.clone(), currency: currency.into(), from }),
            Some(cost) if amount < cost => {
                Err(PriceError::BelowCost { price: amount, cost, currency: currency.to_string(), from })
            }
            Some(_) => Ok(()),
        },
    }
}

/// The reseller whose price list `viewer` manages: its own reseller account.
pub(crate) fn reseller_of(viewer: &Viewer) -> AppResult<&accounts::Model> {
    if viewer.is_reseller_admin() && viewer.account.tier == AccountTier::Reseller {
        Ok(&viewer.account)
    } else {
        Err(AppError::NotFound)
    }
}

/// Saves an entry of a reseller's price list from its date (a future entry on the same
/// date is replaced), after checking it against the reseller's cost, with its audit entry.
pub(crate) async fn set_reseller_price(
    db: &DatabaseConnection,
    by: &AuditActor,
    reseller: &accounts::Model,
    product: &products::Model,
    currency: &str,
    change: ResellerPriceChange,
    today: NaiveDate,
) -> Result<(), PriceError> {
    let currency = check_currency(currency)?;
    // The reseller's customers may have bought (or renewed) at today's price already.
    starts_in_time(true, change.from, today)?;
    let txn = db.begin().await?;
    let rows = reseller_prices::Entity::find()
        .filter(reseller_prices::Column::ResellerId.eq(reseller.id))
        .filter(reseller_prices::Column::ProductId.eq(product.id))
        .filter(reseller_prices::Column::Currency.eq(&currency))
        .all(&txn)
        .await?;
    // Checked against every cost the entry will meet: the one on its first day and the
    // provider's changes already set before the reseller's next entry.
    let until = rows.iter().map(|r| r.effective_from).filter(|f| *f > change.from).min();
    for (day, cost) in costs_while(&txn, product, &currency, change.from, until).await? {
        check_reseller_price(product, &currency, change.price, cost, day)?;
    }
    let before = in_effect(rows.iter(), |r| r.effective_from, change.from).and_then(ResellerPrice::of);
    let same_day = rows.iter().find(|r| r.effective_from == change.from).cloned();
    not_started(same_day.as_ref().map(|r| r.effective_from), today)?;
    let (fixed, markup) = match change.price {
        ResellerPrice::Fixed(amount) => (Some(amount), None),
        ResellerPrice::Markup(points) => (None, Some(points)),
    };
    match same_day {
        Some(row) => {
            let mut row: reseller_prices::ActiveModel = row.into();
            row.fixed_amount = Set(fixed);
            row.markup_basis_points = Set(markup);
            row.created_at = Set(Utc::now());
            row.created_by = Set(by.user_id);
            row.update(&txn).await?;
        }
        None => {
            reseller_prices::ActiveModel {
                reseller_id: Set(reseller.id),
                product_id: Set(product.id),
                currency: Set(currency.clone()),
                fixed_amount: Set(fixed),
                markup_basis_points: Set(markup),
                effective_from: Set(change.from),
                created_at: Set(Utc::now()),
                created_by: Set(by.user_id),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(saved_meanwhile)?;
        }
    }
    let shown = |price: Option<ResellerPrice>| match price {
        Some(ResellerPrice::Fixed(amount)) => money::format(amount, &currency),
        Some(ResellerPrice::Markup(points)) => format!("cost + {}", percent(points)),
        None => "the list price".into(),
    };
    let changes =
        [Change::new("customers' price", shown(before), shown(Some(change.price))), Change::set("from", change.from)];
    let target = format!("price list: {} in {currency}", product.code);
    audit::record(&txn, by, Some(reseller.id), "reseller price changed", &target, &changes).await?;
    txn.commit().await?;
    Ok(())
}

/// Hundredths of a percent as a percent (`1250` → `12.5 %`).
pub(crate) fn percent(points: i32) -> String {
    let whole = points / 100;
    let rest = points % 100;
    match rest {
        0 => format!("{whole} %"),
        r if r % 10 == 0 => format!("{whole}.{} %", r / 10),
        r => format!("{whole}.{r:02} %"),
    }
}

/// One line of a price list page: a product in a currency (a reserved instance per term
/// and payment plan), what holds today and the next change already set.
#[derive(Debug, Clone)]
pub(crate) struct PriceLine {
    pub currency: String,
    pub reservation: Option<(i32, RiPaymentPlan)>,
    /// (list price, cost) today.
    pub today: Option<(i64, i64)>,
    /// (from, list price, cost) of the next change.
    pub next: Option<(NaiveDate, i64, i64)>,
    /// The reseller's price for its customers today, and its entry (reseller pages only).
    pub customers_today: Option<i64>,
    pub entry_today: Option<ResellerPrice>,
    pub next_entry: Option<(NaiveDate, ResellerPrice)>,
}

/// One page of products (by name, published or not) with their price lines for the
/// provider or, with `reseller`, for that reseller's price list.
pub(crate) async fn overview(
    db: &DatabaseConnection,
    reseller: Option<i32>,
    page: crate::pagination::PageQuery,
    today: NaiveDate,
) -> AppResult<crate::pagination::Paged<(products::Model, Vec<PriceLine>)>> {
    use super::pricing::{Audience, PriceBook};
    use crate::pagination::{fetch_page, Keyset, Term};
    let keyset = Keyset::new("prices", vec![Term::asc(products::Column::Name), Term::asc(products::Column::Id)]);
    let key = |p: &products::Model| vec![p.name.clone().into(), p.id.into()];
    let paged = fetch_page(db, products::Entity::find(), &keyset, key, &page).await?;
    let ids: Vec<i32> = paged.items.iter().map(|p| p.id).collect();
    let audience = reseller.map_or(Audience::Provider, Audience::CustomersOf);
    let book = PriceBook::load(db, audience, Some(ids.clone())).await?;
    let prices = prices::Entity::find().filter(prices::Column::ProductId.is_in(ids.clone())).all(db).await?;
    let reservations = reservation_prices::Entity::find()
        .filter(reservation_prices::Column::ProductId.is_in(ids.clone()))
        .all(db)
        .await?;
    let entries = match reseller {
        Some(reseller) => {
            reseller_prices::Entity::find()
                .filter(reseller_prices::Column::ResellerId.eq(reseller))
                .filter(reseller_prices::Column::ProductId.is_in(ids))
                .all(db)
                .await?
        }
        None => vec![],
    };
    Ok(paged.map(|product| {
        let mut keys: Vec<(String, Option<(i32, RiPaymentPlan)>)> = prices
            .iter()
            .filter(|p| p.product_id == product.id)
            .map(|p| (p.currency.clone(), None))
            .chain(
                reservations
                    .iter()
                    .filter(|p| p.product_id == product.id)
                    .map(|p| (p.currency.clone(), Some((p.term_years, p.payment_plan)))),
            )
            .collect();
        keys.sort_by(|a, b| (&a.0, a.1.map(|r| (r.0, r.1.as_str()))).cmp(&(&b.0, b.1.map(|r| (r.0, r.1.as_str())))));
        keys.dedup();
        let lines = keys
            .into_iter()
            .map(|(currency, reservation)| {
                let rows: Vec<(NaiveDate, i64, i64)> = match reservation {
                    None => prices
                        .iter()
                        .filter(|p| p.product_id == product.id && p.currency == currency)
                        .map(|p| (p.effective_from, p.amount, p.unit_cost))
                        .collect(),
                    Some((term, plan)) => reservations
                        .iter()
                        .filter(|p| {
                            p.product_id == product.id
                                && p.currency == currency
                                && p.term_years == term
                                && p.payment_plan == plan
                        })
                        .map(|p| (p.effective_from, p.amount, p.unit_cost))
                        .collect(),
                };
                let now = in_effect(rows.iter(), |r| r.0, today).map(|r| (r.1, r.2));
                let next = rows.iter().filter(|r| r.0 > today).min_by_key(|r| r.0).copied();
                let mine: Vec<&reseller_prices::Model> =
                    entries.iter().filter(|e| e.product_id == product.id && e.currency == currency).collect();
                let entry_today =
                    in_effect(mine.iter(), |e| e.effective_from, today).and_then(|e| ResellerPrice::of(e));
                let next_entry = mine
                    .iter()
                    .filter(|e| e.effective_from > today)
                    .min_by_key(|e| e.effective_from)
                    .and_then(|e| ResellerPrice::of(e).map(|p| (e.effective_from, p)));
                let customers_today = book.unit_price(&product, reservation, &currency, today).map(|u| u.price);
                PriceLine { currency, reservation, today: now, next, customers_today, entry_today, next_entry }
            })
            .collect();
        (product, lines)
    }))
}

/// Every price row of a product (newest first), for its history.
pub(crate) async fn history(
    db: &DatabaseConnection,
    product: &products::Model,
) -> AppResult<(Vec<prices::Model>, Vec<reservation_prices::Model>)> {
    let prices = prices::Entity::find()
        .filter(prices::Column::ProductId.eq(product.id))
        .order_by_desc(prices::Column::EffectiveFrom)
        .order_by_asc(prices::Column::Currency)
        .all(db)
        .await?;
    let reservations = reservation_prices::Entity::find()
        .filter(reservation_prices::Column::ProductId.eq(product.id))
        .order_by_desc(reservation_prices::Column::EffectiveFrom)
        .order_by_asc(reservation_prices::Column::TermYears)
        .all(db)
        .await?;
    Ok((prices, reservations))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_product;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn amounts_are_read_in_the_currencys_major_unit() {
        assert_eq!(parse_amount("9990", "CLP", "Price").unwrap(), 9_990);
        assert_eq!(parse_amount("12.50", "USD", "Price").unwrap(), 1_250);
        assert_eq!(parse_amount("12,5", "USD", "Price").unwrap(), 1_250);
        assert_eq!(parse_amount("0", "CLP", "Price").unwrap(), 0);
        assert!(parse_amount("12.5", "CLP", "Price").unwrap_err().to_string().contains("CLP has 0 decimals"));
        assert!(parse_amount("-1", "CLP", "Price").is_err());
        // Typed as the Spanish pages show it (thousands grouped), or the English ones.
        assert_eq!(parse_amount("1.234.567", "CLP", "Price").unwrap(), 1_234_567);
        assert_eq!(parse_amount("9.990", "CLP", "Price").unwrap(), 9_990);
        assert_eq!(parse_amount("9,990", "CLP", "Price").unwrap(), 9_990);
        assert_eq!(parse_amount("1.234,50", "USD", "Price").unwrap(), 123_450);
        assert_eq!(parse_amount("1,234.50", "USD", "Price").unwrap(), 123_450);
        assert_eq!(parse_amount("1.234", "USD", "Price").unwrap(), 123_400);
        assert!(parse_amount("9.99", "CLP", "Price").unwrap_err().to_string().contains("CLP has 0 decimals"));
        assert!(parse_amount("1.234.567,5", "CLP", "Price").is_err());
        assert!(parse_amount("1..2", "CLP", "Price").is_err());
        assert!(parse_amount("", "CLP", "Price").is_err());
        assert!(parse_amount("99999999999999999999", "CLP", "Price").is_err());
    }

    #[test]
    fn markups_are_percents_with_two_decimals_at_most() {
        assert_eq!(parse_markup("12.5").unwrap(), 1_250);
        assert_eq!(parse_markup("12,25 %").unwrap(), 1_225);
        assert_eq!(parse_markup("0").unwrap(), 0);
        assert_eq!(parse_markup("1000").unwrap(), 100_000);
        assert!(parse_markup("1000.01").is_err());
        assert!(parse_markup("-5").is_err());
        assert!(parse_markup("1.234").is_err());
        assert_eq!(percent(1_250), "12.5 %");
        assert_eq!(percent(1_225), "12.25 %");
        assert_eq!(percent(2_000), "20 %");
    }

    #[test]
    fn a_change_starts_today_or_later_and_a_started_row_is_kept() {
        let today = d("2026-11-30");
        assert!(matches!(parse_from("2026-11-29", today), Err(PriceError::Past)));
        assert_eq!(parse_from("2026-11-30", today).unwrap(), today);
        assert!(matches!(parse_from("30-11-2026", today), Err(PriceError::Date)));
        assert!(not_started(Some(today), today).is_err());
        assert!(not_started(Some(d("2026-12-01")), today).is_ok(), "a future row may be replaced");
        assert!(not_started(None, today).is_ok());
        assert!(matches!(starts_in_time(true, today, today), Err(PriceError::StartsTomorrow)));
        assert!(starts_in_time(false, today, today).is_ok(), "a first price may start today");
        assert!(starts_in_time(true, d("2026-12-01"), today).is_ok());
    }

    #[test]
    fn list_prices_cover_the_cost_and_reservations_name_their_term_and_plan() {
        let licence = test_product(ProductKind::LicenseSubscription, "");
        let from = d("2026-12-01");
        assert!(check_list_price(&licence, "CLP", None, 10_000, 8_000, from).is_ok());
        assert!(matches!(
            check_list_price(&licence, "CLP", None, 7_000, 8_000, from),
            Err(PriceError::ListBelowCost { .. })
        ));
        assert!(matches!(check_list_price(&licence, "EUR", None, 1, 1, from), Err(PriceError::Currency)));
        let ri = test_product(ProductKind::ReservedInstance, "");
        assert!(matches!(check_list_price(&ri, "USD", None, 1, 1, from), Err(PriceError::Reservation)));
        assert!(matches!(
            check_list_price(&ri, "USD", Some((2, RiPaymentPlan::Upfront)), 1, 1, from),
            Err(PriceError::Reservation)
        ));
        assert!(check_list_price(&ri, "USD", Some((3, RiPaymentPlan::Monthly)), 1, 1, from).is_ok());
    }

    #[test]
    fn a_reseller_never_prices_below_its_cost() {
        let licence = test_product(ProductKind::LicenseSubscription, "");
        let from = d("2026-12-01");
        let check = |price, cost| check_reseller_price(&licence, "CLP", price, cost, from);
        assert!(check(ResellerPrice::Fixed(8_000), Some(8_000)).is_ok(), "at cost is allowed");
        assert!(matches!(check(ResellerPrice::Fixed(7_999), Some(8_000)), Err(PriceError::BelowCost { .. })));
        assert!(matches!(check(ResellerPrice::Fixed(9_000), None), Err(PriceError::NoCost { .. })));
        assert!(check(ResellerPrice::Markup(0), Some(8_000)).is_ok());
        let ri = test_product(ProductKind::ReservedInstance, "");
        assert!(matches!(
            check_reseller_price(&ri, "USD", ResellerPrice::Fixed(1), None, from),
            Err(PriceError::FixedReservation)
        ));
        assert!(check_reseller_price(&ri, "USD", ResellerPrice::Markup(500), None, from).is_ok());
    }
}
