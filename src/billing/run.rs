//! Billing runs: one debit invoice per account and month with the recurring charges of its
//! licence subscriptions and add-ons (prorated for partial months), its consumption from
//! `usage_records` (Azure plan on the calendar month, legacy Azure on the account's CSP
//! cut-off day), the minimum commitment unless a ramp-up waives it, and its discounts.
//! A period already billed for an account is left alone, so a run can be repeated.

use crate::mail::Site;
use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::billing::ledger::{self, Charged, Paid, QuantityTimeline};
use crate::billing::money;
use crate::billing::store::{insert_lines, InvoiceLine};
use crate::billing::tax;
use crate::billing::usage::{self, Charge};
use crate::catalog::pricing::{self, Audience, PriceBook, UnitPrice};
use crate::entities::enums::{
    AccountStatus, AccountTier, HistoryField, InvoiceStatus, InvoiceType, ProductKind, RiPaymentPlan,
    SubscriptionStatus,
};
use crate::entities::{
    accounts, discounts, invoice_items, invoices, products, subscription_addons, subscription_history, subscriptions,
    usage_records,
};
use crate::error::{AppError, AppResult};
use crate::subscriptions::rules::ramp_up_waives;

/// A calendar month to bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    first: NaiveDate,
}

impl Period {
    /// Reads `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Period, String> {
        let text = text.trim();
        let shown: String = text.chars().take(20).collect();
        let bad = || format!("“{shown}” is not a billing period: write the month as YYYY-MM, for example 2026-10.");
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        if year < 2000 {
            return Err(bad());
        }
        NaiveDate::from_ymd_opt(year, month, 1).map(|first| Period { first }).ok_or_else(bad)
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Period {
        Period { first: date.with_day(1).unwrap_or(date) }
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> NaiveDate {
        crate::subscriptions::rules::last_of_month(self.first)
    }

    /// The month before.
    pub fn previous(&self) -> Period {
        Period::of(self.first - Duration::days(1))
    }

    /// `YYYY-MM`, as stored in `invoices.billing_period`.
    pub fn label(&self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    /// The legacy CSP usage window billed in this month: from the cut-off day of the
    /// previous month to the day before the cut-off day of this one. A cut-off on the 1st
    /// is the calendar month; days past the 28th count as the 28th.
    pub(crate) fn cutoff_window(&self, cutoff_day: i32) -> (NaiveDate, NaiveDate) {
        let day = cutoff_day.clamp(1, 28) as u32;
        if day == 1 {
            return (self.first, self.last());
        }
        let end = self.first.with_day(day).unwrap_or(self.first) - Duration::days(1);
        let start = self.previous().first.with_day(day).unwrap_or(self.first);
        (start, end)
    }

    /// Refuses a month that has not ended on `today`: usage keeps arriving until then.
    pub fn check_ended(&self, today: NaiveDate) -> Result<(), String> {
        if self.last() < today {
            Ok(())
        } else {
            Err(format!("{} can be billed once it has ended, from {}.", self.label(), self.last() + Duration::days(1)))
        }
    }
}

/// What is owed up to a monthly minimum commitment after `consumed`.
pub(crate) fn commitment_shortfall(minimum: i64, consumed: i64) -> i64 {
    minimum.saturating_sub(consumed).max(0)
}

/// A discount of `basis_points` (500 = 5%) on `base`, rounded down; nothing on a negative base.
pub(crate) fn discount_amount(base: i64, basis_points: i32) -> i64 {
    if base <= 0 || basis_points <= 0 {
        return 0;
    }
    (i128::from(base) * i128::from(basis_points.min(10_000)) / 10_000) as i64
}

/// The number of a billing-run invoice.
pub(crate) fn invoice_number(period: Period, account_code: &str) -> String {
    format!("INV-{}-{}", period.first.format("%Y%m"), account_code)
}

/// The discount lines for `discounts` over the lines already charged. Together they never
/// take more than the charges they apply to, so an invoice never goes below zero.
pub(crate) fn discount_lines(
    lines: &[InvoiceLine],
    discounts: &[discounts::Model],
    period: Period,
) -> Vec<InvoiceLine> {
    let discountable = |line: &&InvoiceLine| line.usage != usage::MINIMUM_COMMITMENT && line.usage != usage::DISCOUNT;
    // What the discounts may take: the charges, after any negative line (never below zero).
    let mut left: i64 = lines.iter().filter(discountable).map(|line| line.total).fold(0, i64::saturating_add).max(0);
    discounts
        .iter()
        .filter_map(|discount| {
            let base: i64 = lines
                .iter()
                .filter(discountable)
                .filter(|line| discount.product_id.is_none() || line.product_id == discount.product_id)
                .map(|line| line.total)
                .fold(0, i64::saturating_add);
            let amount = discount_amount(base, discount.basis_points).min(left);
            left -= amount;
            (amount > 0).then(|| InvoiceLine {
                subscription_id: None,
                addon_id: None,
                product_id: discount.product_id,
                description: discount.description.clone(),
                period_start: Some(period.first()),
                period_end: Some(period.last()),
                quantity: 1,
                unit_price: -amount,
                unit_cost: 0,
                total: -amount,
                total_cost: 0,
                usage: usage::DISCOUNT.into(),
            })
        })
        .collect()
}

/// An invoice a run issued.
#[derive(Debug, Clone)]
pub struct IssuedInvoice {
    pub number: String,
    pub account: String,
    pub lines: usize,
    pub total: i64,
    pub currency: String,
}

/// What a billing run did.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub period: String,
    pub issued: Vec<IssuedInvoice>,
    /// Accounts whose period had already been billed.
    pub already_billed: Vec<String>,
    /// Accounts with nothing to charge.
    pub nothing_to_bill: usize,
    /// Charges that could not be made (a product without a price in the account's currency).
    pub problems: Vec<String>,
    /// Customers not billed because their reseller is suspended: a run of the same period
    /// after the reseller is reactivated bills them.
    pub skipped_suspended: Vec<String>,
}

/// What billing one account did.
#[derive(Debug, Clone)]
pub(crate) enum AccountBilled {
    Issued(IssuedInvoice),
    /// The period had already been billed for it (by an earlier run, or another instance).
    AlreadyBilled,
    /// Nothing to charge.
    Nothing,
    /// Its reseller is suspended: a run after the reseller is reactivated bills it.
    ResellerSuspended,
}

impl RunReport {
    /// Adds what billing `account` did.
    pub(crate) fn record(&mut self, account: &accounts::Model, billed: AccountBilled) {
        match billed {
            AccountBilled::Issued(invoice) => self.issued.push(invoice),
            AccountBilled::AlreadyBilled => self.already_billed.push(account.name.clone()),
            AccountBilled::Nothing => self.nothing_to_bill += 1,
            AccountBilled::ResellerSuspended => self.skipped_suspended.push(account.name.clone()),
        }
    }
}

/// The accounts a run goes through, in id order (a run resumed after a crash continues
/// after the last account it billed), and the resellers that are suspended.
#[derive(Debug, Clone)]
pub(crate) struct RunAccounts {
    pub accounts: Vec<accounts::Model>,
    suspended_resellers: std::collections::HashSet<i32>,
}

impl RunAccounts {
    /// Renews the terms that ended first (the job may lag, and no renewed day may be
    /// missed), then lists every account.
    pub(crate) async fn load<C: ConnectionTrait + TransactionTrait>(
        db: &C,
        today: NaiveDate,
    ) -> AppResult<RunAccounts> {
        crate::subscriptions::lifecycle::renew_due(db, today).await?;
        let accounts = accounts::Entity::find().order_by_asc(accounts::Column::Id).all(db).await?;
        let suspended_resellers = accounts
            .iter()
            .filter(|a| a.tier == AccountTier::Reseller && a.status == AccountStatus::Suspended)
            .map(|a| a.id)
            .collect();
        Ok(RunAccounts { accounts, suspended_resellers })
    }

    /// Bills `period` for one account in its own transaction (a savepoint when `db` is
    /// itself a transaction), unless its reseller is suspended. Charges that cannot be
    /// made are added to `problems`.
    pub(crate) async fn bill<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        site: Option<&Site>,
        account: &accounts::Model,
        period: Period,
        today: NaiveDate,
        problems: &mut Vec<String>,
    ) -> AppResult<AccountBilled> {
        if account.parent_id.is_some_and(|parent| self.suspended_resellers.contains(&parent)) {
            return Ok(AccountBilled::ResellerSuspended);
        }
        bill_account(db, site, account, period, today, problems).await
    }
}

/// Bills `period` for every account, issuing the invoices on `today`. Each account is
/// billed in its own transaction (a savepoint when `db` is itself a transaction). Each
/// invoice's users are told by e-mail, written with the invoice (links on `site`), unless
/// `site` is `None` (the demo's past months, issued before anyone had an inbox).
pub async fn run<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    site: Option<&Site>,
    period: Period,
    today: NaiveDate,
) -> AppResult<RunReport> {
    let run = RunAccounts::load(db, today).await?;
    let mut report = RunReport { period: period.label(), ..Default::default() };
    for account in &run.accounts {
        let billed = run.bill(db, site, account, period, today, &mut report.problems).await?;
        report.record(account, billed);
    }
    Ok(report)
}

async fn bill_account<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    site: Option<&Site>,
    account: &accounts::Model,
    period: Period,
    today: NaiveDate,
    problems: &mut Vec<String>,
) -> AppResult<AccountBilled> {
    let txn = db.begin().await?;
    let billed = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(account.id))
        .filter(invoices::Column::BillingPeriod.eq(period.label()))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoices::Column::OrderId.is_null())
        .one(&txn)
        .await?;
    if billed.is_some() {
        return Ok(AccountBilled::AlreadyBilled);
    }
    let mut lines = charges(&txn, account, period, problems).await?;
    if lines.is_empty() {
        return Ok(AccountBilled::Nothing);
    }
    let account_discounts =
        discounts::Entity::find().filter(discounts::Column::AccountId.eq(account.id)).all(&txn).await?;
    lines.extend(discount_lines(&lines, &account_discounts, period));
    let rate = tax::current_rate(&txn).await?;
    let totals = tax::totals(money::checked_sum(lines.iter().map(|l| l.total))?, rate)?;
    let number = invoice_number(period, &account.code);
    let inserted = invoices::ActiveModel {
        number: Set(number.clone()),
        account_id: Set(account.id),
        bill_to_account_id: Set(account.parent_id.unwrap_or(account.id)),
        invoice_type: Set(InvoiceType::Debit),
        status: Set(InvoiceStatus::Unpaid),
        currency: Set(account.currency.clone()),
        issue_date: Set(today),
        billing_period: Set(Some(period.label())),
        subtotal: Set(totals.net),
        tax: Set(totals.tax),
        total: Set(totals.total),
        vat_basis_points: Set(rate.basis_points()),
        credits_invoice_id: Set(None),
        order_id: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let invoice = match inserted {
        Ok(invoice) => invoice,
        // Another run (another instance) billed the account in the meantime.
        Err(e) if crate::error::is_unique_violation(&e) => return Ok(AccountBilled::AlreadyBilled),
        Err(e) => return Err(e.into()),
    };
    let count = lines.len();
    insert_lines(&txn, invoice.id, lines).await?;
    if let Some(site) = site {
        crate::mail::messages::invoice_issued(&txn, site, &invoice).await?;
    }
    txn.commit().await?;
    Ok(AccountBilled::Issued(IssuedInvoice {
        number,
        account: account.name.clone(),
        lines: count,
        total: invoice.total,
        currency: invoice.currency,
    }))
}

/// The last day a subscription or add-on was active, when it was canceled.
fn last_active_day(canceled_at: Option<chrono::DateTime<Utc>>) -> Option<NaiveDate> {
    canceled_at.map(|at| at.date_naive() - Duration::days(1))
}

/// The last day a target may be charged for: the end of its current term, or the day
/// before its cancellation when that comes first.
fn last_day(term_end: NaiveDate, canceled_at: Option<chrono::DateTime<Utc>>) -> NaiveDate {
    last_active_day(canceled_at).map_or(term_end, |last| last.min(term_end))
}

/// subscription, add-on, first and last day, quantity.
type PaidRow = (Option<i32>, Option<i32>, Option<NaiveDate>, Option<NaiveDate>, i64);

/// Every licence-day already charged to the account's subscriptions and add-ons: the debit
/// invoice lines that name a subscription and the days they pay for (paid orders, earlier
/// runs), whatever month they were issued in.
pub(crate) async fn paid_lines<C: ConnectionTrait>(db: &C, account_id: i32) -> AppResult<Vec<Paid>> {
    let rows: Vec<PaidRow> = invoice_items::Entity::find()
        .select_only()
        .column(invoice_items::Column::SubscriptionId)
        .column(invoice_items::Column::AddonId)
        .column(invoice_items::Column::PeriodStart)
        .column(invoice_items::Column::PeriodEnd)
        .column(invoice_items::Column::Quantity)
        .inner_join(invoices::Entity)
        .filter(invoices::Column::AccountId.eq(account_id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoice_items::Column::SubscriptionId.is_not_null())
        .filter(invoice_items::Column::Quantity.gt(0))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(subscription_id, addon_id, from, to, quantity)| {
            Some(Paid {
                target: ledger::Target { subscription_id: subscription_id?, addon_id },
                from: from?,
                to: to?,
                quantity,
            })
        })
        .collect())
}

/// The quantity of each of the subscriptions' targets over time, from their history.
async fn quantity_timelines<C: ConnectionTrait>(
    db: &C,
    subscription_ids: Vec<i32>,
) -> AppResult<HashMap<ledger::Target, QuantityTimeline>> {
    let records = subscription_history::Entity::find()
        .filter(subscription_history::Column::SubscriptionId.is_in(subscription_ids))
        .filter(subscription_history::Column::Field.eq(HistoryField::Quantity))
        .order_by_asc(subscription_history::Column::CreatedAt)
        .order_by_asc(subscription_history::Column::Id)
        .all(db)
        .await?;
    let mut timelines: HashMap<ledger::Target, QuantityTimeline> = HashMap::new();
    for record in records {
        let target = ledger::Target { subscription_id: record.subscription_id, addon_id: record.addon_id };
        let parse = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<i64>().ok());
        let (Some(old), Some(new)) = (parse(&record.old_value), parse(&record.new_value)) else { continue };
        let timeline = timelines.entry(target).or_insert_with(|| QuantityTimeline::constant(old));
        timeline.changes.push((record.created_at.date_naive(), new));
    }
    Ok(timelines)
}

/// Everything but discounts: recurring charges, consumption and minimum commitments.
async fn charges(
    txn: &DatabaseTransaction,
    account: &accounts::Model,
    period: Period,
    problems: &mut Vec<String>,
) -> AppResult<Vec<InvoiceLine>> {
    let subscriptions = subscriptions::Entity::find()
        .find_also_related(products::Entity)
        .filter(subscriptions::Column::AccountId.eq(account.id))
        .order_by_asc(subscriptions::Column::Id)
        .all(txn)
        .await?;
    if subscriptions.is_empty() {
        return Ok(vec![]);
    }
    // The account's prices with their history: each term is charged at the prices of its
    // first day (a change applies at the next renewal, never part-way through a term).
    let audience = Audience::of_account(txn, account).await?;
    let book = PriceBook::load(txn, audience, None).await?;
    let paid = paid_lines(txn, account.id).await?;
    let timelines = quantity_timelines(txn, subscriptions.iter().map(|(s, _)| s.id).collect()).await?;
    let recurring = Recurring { period, book: &book, paid: &paid, timelines: &timelines, currency: &account.currency };
    // The add-ons of all the account's subscriptions, in one query.
    let mut addons_of: HashMap<i32, Vec<(subscription_addons::Model, Option<products::Model>)>> = HashMap::new();
    for (addon, addon_product) in subscription_addons::Entity::find()
        .find_also_related(products::Entity)
        .filter(subscription_addons::Column::SubscriptionId.is_in(subscriptions.iter().map(|(s, _)| s.id)))
        .order_by_asc(subscription_addons::Column::Id)
        .all(txn)
        .await?
    {
        addons_of.entry(addon.subscription_id).or_default().push((addon, addon_product));
    }

    let mut lines = Vec::new();
    // A suspension does not end a commitment: suspended subscriptions and add-ons are
    // charged like active ones (only consumption stops, as nothing is used).
    for (subscription, product) in subscriptions {
        let Some(product) = product else { continue };
        let cycle = ledger::cycle_of(
            product.kind,
            product.billing_cycle,
            subscription.ri_term_years,
            subscription.ri_payment_plan,
        );
        let term_months =
            crate::subscriptions::rules::term_months(product.kind, product.term_months, subscription.ri_term_years);
        match cycle {
            ledger::Cycle::Usage => {
                lines.extend(consumption(txn, account, period, &subscription, &product, &book).await?);
            }
            ledger::Cycle::Once => {}
            ledger::Cycle::Monthly | ledger::Cycle::Term { .. } => {
                let target = Target {
                    subscription: &subscription,
                    addon: None,
                    product: &product,
                    cycle,
                    anchor: subscription.start_date,
                    term_months,
                    start: subscription.start_date,
                    last: last_day(subscription.term_end_date, subscription.canceled_at),
                };
                match recurring.lines(&target) {
                    Ok(charged) => lines.extend(charged),
                    Err(ChargeError::Failed(error)) => return Err(error),
                    Err(problem) => problems.push(problem.to_string()),
                }
            }
        }
        for (addon, addon_product) in addons_of.remove(&subscription.id).unwrap_or_default() {
            let Some(addon_product) = addon_product else { continue };
            let target = Target {
                subscription: &subscription,
                addon: Some(&addon),
                product: &addon_product,
                cycle: ledger::cycle_of(addon_product.kind, addon_product.billing_cycle, None, None),
                anchor: subscription.start_date,
                term_months,
                start: addon.start_date,
                last: last_day(addon.term_end_date, addon.canceled_at),
            };
            match recurring.lines(&target) {
                Ok(charged) => lines.extend(charged),
                Err(ChargeError::Failed(error)) => return Err(error),
                Err(problem) => problems.push(problem.to_string()),
            }
        }
    }
    Ok(lines)
}

/// Why a recurring charge was not made (a billing run reports it and goes on).
#[derive(Debug, thiserror::Error)]
enum ChargeError {
    #[error("{product} has no {currency} price, so “{name}” of subscription {subscription_id} was not charged.")]
    NoPrice { product: String, currency: String, name: String, subscription_id: i32 },
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl From<crate::billing::money::MoneyError> for ChargeError {
    fn from(error: crate::billing::money::MoneyError) -> Self {
        ChargeError::Failed(error.into())
    }
}

/// What a recurring charge is for.
struct Target<'a> {
    subscription: &'a subscriptions::Model,
    addon: Option<&'a subscription_addons::Model>,
    product: &'a products::Model,
    cycle: ledger::Cycle,
    /// Where its terms are counted from (an add-on follows its subscription's).
    anchor: NaiveDate,
    /// How long its subscription's terms last: a term is charged at its first day's prices.
    term_months: u32,
    start: NaiveDate,
    last: NaiveDate,
}

/// The facts every recurring charge of an account's month needs.
struct Recurring<'a> {
    period: Period,
    book: &'a PriceBook,
    paid: &'a [Paid],
    timelines: &'a HashMap<ledger::Target, QuantityTimeline>,
    currency: &'a str,
}

impl Recurring<'_> {
    /// The lines for a licence subscription, add-on or reservation: the licence-days of the
    /// month (monthly cycles) or of the terms starting in it that nothing has paid yet.
    /// `Err(ChargeError::NoPrice)` when the product has no price in the account's currency.
    fn lines(&self, target: &Target) -> Result<Vec<InvoiceLine>, ChargeError> {
        let (quantity, name) = match target.addon {
            Some(addon) => (addon.quantity, addon.name.as_str()),
            None => (target.subscription.quantity, target.subscription.name.as_str()),
        };
        let key = ledger::Target { subscription_id: target.subscription.id, addon_id: target.addon.map(|a| a.id) };
        let constant = QuantityTimeline::constant(i64::from(quantity));
        let charged = Charged {
            cycle: target.cycle,
            anchor: target.anchor,
            start: target.start,
            last: target.last,
            quantity: self.timelines.get(&key).unwrap_or(&constant),
            paid: self.paid,
            target: key,
        };
        let month = (self.period.first(), self.period.last());
        let due = ledger::due_in_month(&charged, month, 0)?;
        let reservation = match (target.product.kind, target.addon) {
            (ProductKind::ReservedInstance, None) => Some((
                target.subscription.ri_term_years.unwrap_or(1),
                target.subscription.ri_payment_plan.unwrap_or(RiPaymentPlan::Upfront),
            )),
            _ => None,
        };
        let mut lines = Vec::new();
        for due in due {
            // Each part of the charge at the prices of its term's first day (a renewal
            // inside the window starts a new part).
            let book = self.book;
            let price_on = |on| book.unit_price(target.product, reservation, self.currency, on);
            let Some(parts) = pricing::priced_by_term(&due, target.anchor, target.term_months, price_on) else {
                return Err(ChargeError::NoPrice {
                    product: target.product.name.clone(),
                    currency: self.currency.to_string(),
                    name: name.to_string(),
                    subscription_id: target.subscription.id,
                });
            };
            for (due, UnitPrice { price: unit_price, cost: unit_cost }) in parts {
                let note =
                    (!due.is_whole()).then(|| format!(" (prorated, {} of {} days)", due.days(), due.window_days()));
                lines.push(InvoiceLine {
                    subscription_id: Some(target.subscription.id),
                    addon_id: target.addon.map(|a| a.id),
                    product_id: Some(target.product.id),
                    description: format!("{name}{}", note.unwrap_or_default()),
                    period_start: Some(due.from),
                    period_end: Some(due.to),
                    quantity: due.quantity,
                    unit_price,
                    unit_cost,
                    total: due.share_of(unit_price)?,
                    total_cost: due.share_of(unit_cost)?,
                    usage: usage::classify(target.product, Charge::Recurring),
                });
            }
        }
        Ok(lines)
    }
}

/// The consumption line of a consumption subscription, and its minimum-commitment top-up.
async fn consumption(
    txn: &DatabaseTransaction,
    account: &accounts::Model,
    period: Period,
    subscription: &subscriptions::Model,
    product: &products::Model,
    book: &PriceBook,
) -> AppResult<Vec<InvoiceLine>> {
    let usage_name = usage::classify(product, Charge::Consumption);
    let window = if usage_name == usage::MS_AZURE {
        period.cutoff_window(account.csp_cutoff_day)
    } else {
        (period.first(), period.last())
    };
    let records: Vec<(i64, i64)> = usage_records::Entity::find()
        .select_only()
        .column(usage_records::Column::Amount)
        .column(usage_records::Column::Cost)
        .filter(usage_records::Column::SubscriptionId.eq(subscription.id))
        .filter(usage_records::Column::UsageDate.between(window.0, window.1))
        .into_tuple()
        .all(txn)
        .await?;
    let cost = money::checked_sum(records.iter().map(|r| r.1))?;
    // A reseller's customers pay its markup over the usage cost (from the window's first
    // day); anybody else the usage's price as imported.
    let amount = match book.usage_markup(product, &account.currency, window.0) {
        Some(points) => {
            pricing::marked_up(cost, points).ok_or_else(|| AppError::Internal("usage markup overflow".into()))?
        }
        None => money::checked_sum(records.iter().map(|r| r.0))?,
    };
    let mut lines = Vec::new();
    if !records.is_empty() {
        lines.push(InvoiceLine {
            subscription_id: Some(subscription.id),
            addon_id: None,
            product_id: Some(product.id),
            description: format!("{} consumption, {} to {}", subscription.name, window.0, window.1),
            period_start: Some(window.0),
            period_end: Some(window.1),
            quantity: 1,
            unit_price: amount,
            unit_cost: cost,
            total: amount,
            total_cost: cost,
            usage: usage_name,
        });
    }
    let minimum = product.minimum_commitment.unwrap_or(0);
    // A suspension does not end the commitment.
    let in_force = subscription.status != SubscriptionStatus::Canceled && subscription.start_date <= window.1;
    let first_day = window.0.max(subscription.start_date);
    let waived = ramp_up_waives(subscription.start_date, subscription.ramp_up_end, first_day);
    let shortfall = commitment_shortfall(minimum, amount);
    if in_force && !waived && shortfall > 0 {
        lines.push(InvoiceLine {
            subscription_id: Some(subscription.id),
            addon_id: None,
            product_id: Some(product.id),
            description: format!(
                "Minimum commitment top-up ({} minimum)",
                crate::billing::money::format(minimum, &account.currency)
            ),
            period_start: Some(window.0),
            period_end: Some(window.1),
            quantity: 1,
            unit_price: shortfall,
            unit_cost: 0,
            total: shortfall,
            total_cost: 0,
            usage: usage::classify(product, Charge::MinimumCommitment),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_read_as_year_and_month_only() {
        let october = Period::parse("2026-10").unwrap();
        assert_eq!((october.first(), october.last()), (d("2026-10-01"), d("2026-10-31")));
        assert_eq!(Period::parse(" 2024-02 ").unwrap().last(), d("2024-02-29"));
        assert_eq!(october.previous().label(), "2026-09");
        for bad in
            ["", "2026", "2026-13", "2026-00", "26-10", "2026-1", "2026/10", "１２３４-10", "0999-01", "2026-10-01"]
        {
            let message = Period::parse(bad).unwrap_err();
            assert!(message.contains("YYYY-MM"), "{bad}: {message}");
        }
        assert!(october.check_ended(d("2026-11-01")).is_ok());
        assert_eq!(
            october.check_ended(d("2026-10-31")).unwrap_err(),
            "2026-10 can be billed once it has ended, from 2026-11-01."
        );
    }

    #[test]
    fn legacy_azure_is_billed_from_cut_off_day_to_cut_off_day() {
        let october = Period::parse("2026-10").unwrap();
        assert_eq!(october.cutoff_window(1), (d("2026-10-01"), d("2026-10-31")));
        assert_eq!(october.cutoff_window(20), (d("2026-09-20"), d("2026-10-19")));
        assert_eq!(Period::parse("2026-03").unwrap().cutoff_window(31), (d("2026-02-28"), d("2026-03-27")));
        assert_eq!(october.cutoff_window(0), october.cutoff_window(1));
    }

    #[test]
    fn commitments_and_discounts() {
        assert_eq!(commitment_shortfall(100_000, 61_400), 38_600);
        assert_eq!(commitment_shortfall(100_000, 133_400), 0);
        assert_eq!(discount_amount(400_000, 500), 20_000);
        assert_eq!(discount_amount(-5, 500), 0);
        assert_eq!(discount_amount(100, 20_000), 100, "never more than the base");
        assert_eq!(invoice_number(Period::parse("2026-10").unwrap(), "CONTOSO"), "INV-202610-CONTOSO");
    }

    #[test]
    fn discount_lines_are_negative_and_skip_commitments() {
        let line = |product: i32, total: i64, usage: &str| InvoiceLine {
            subscription_id: Some(1),
            addon_id: None,
            product_id: Some(product),
            description: String::new(),
            period_start: Some(d("2026-10-01")),
            period_end: Some(d("2026-10-31")),
            quantity: 1,
            unit_price: total,
            unit_cost: 0,
            total,
            total_cost: 0,
            usage: usage.into(),
        };
        let lines = [
            line(1, 200_000, "Microsoft 365"),
            line(2, 100_000, "Azure Plan"),
            line(2, 50_000, usage::MINIMUM_COMMITMENT),
        ];
        let discount = |product_id, basis_points| discounts::Model {
            id: 1,
            account_id: 1,
            product_id,
            basis_points,
            description: "Loyalty".into(),
            created_at: Utc::now(),
        };
        let october = Period::parse("2026-10").unwrap();
        let all =
            discount_lines(&lines, &[discount(None, 500), discount(Some(1), 1_000), discount(Some(9), 1_000)], october);
        assert_eq!(all.iter().map(|l| l.total).collect::<Vec<_>>(), vec![-15_000, -20_000]);
        assert!(all.iter().all(|l| l.usage == usage::DISCOUNT && l.unit_price == l.total));
    }

    #[test]
    fn discounts_never_take_an_invoice_below_zero() {
        let line = InvoiceLine {
            subscription_id: Some(1),
            addon_id: None,
            product_id: Some(1),
            description: String::new(),
            period_start: None,
            period_end: None,
            quantity: 1,
            unit_price: 100_000,
            unit_cost: 0,
            total: 100_000,
            total_cost: 0,
            usage: "Microsoft 365".into(),
        };
        let discount = |basis_points| discounts::Model {
            id: 1,
            account_id: 1,
            product_id: None,
            basis_points,
            description: "Promo".into(),
            created_at: Utc::now(),
        };
        let october = Period::parse("2026-10").unwrap();
        let lines = discount_lines(&[line], &[discount(10_000), discount(5_000)], october);
        assert_eq!(lines.iter().map(|l| l.total).collect::<Vec<_>>(), vec![-100_000], "100% + 50% stops at 100%");
    }
}
