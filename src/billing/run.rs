//! Billing runs: one debit invoice per account and month with the recurring charges of its
//! licence subscriptions and add-ons (prorated for partial months), its consumption from
//! `usage_records` (Azure plan on the calendar month, legacy Azure on the account's CSP
//! cut-off day), the minimum commitment unless a ramp-up waives it, and its discounts.
//! A period already billed for an account is left alone, so a run can be repeated.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr, TransactionTrait,
};

use crate::billing::store::{insert_lines, InvoiceLine};
use crate::billing::usage::{self, Charge};
use crate::entities::enums::{BillingCycle, InvoiceStatus, InvoiceType, ProductKind, SubscriptionStatus};
use crate::entities::{
    accounts, discounts, invoice_items, invoices, prices, products, subscription_addons, subscriptions, usage_records,
};
use crate::error::AppResult;
use crate::subscriptions::rules::{add_months, ramp_up_waives};

/// Value-added tax on billing-run invoices, in percent of the subtotal.
pub const VAT_PERCENT: i64 = 19;

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
        add_months(self.first, 1) - Duration::days(1)
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
    pub fn cutoff_window(&self, cutoff_day: i32) -> (NaiveDate, NaiveDate) {
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

/// The share of `full` (the charge for the whole of `period`) for the days on which the
/// subscription was active (`active` is its first day and, when it ended, its last), with
/// the days charged. `None` when it was not active in the period.
pub fn prorate(
    full: i64,
    period: (NaiveDate, NaiveDate),
    active: (NaiveDate, Option<NaiveDate>),
) -> Option<(i64, NaiveDate, NaiveDate)> {
    let from = period.0.max(active.0);
    let to = active.1.map_or(period.1, |last| last.min(period.1));
    if to < from {
        return None;
    }
    let period_days = (period.1 - period.0).num_days() + 1;
    let active_days = (to - from).num_days() + 1;
    let amount = i128::from(full) * i128::from(active_days) / i128::from(period_days);
    Some((amount as i64, from, to))
}

/// The first day of the annual term year (counted from `start`) that begins in `period`.
pub fn annual_term_starting_in(start: NaiveDate, period: (NaiveDate, NaiveDate)) -> Option<NaiveDate> {
    (0..=1200u32).map(|years| add_months(start, years * 12)).take_while(|d| *d <= period.1).find(|d| *d >= period.0)
}

/// What is owed up to a monthly minimum commitment after `consumed`.
pub fn commitment_shortfall(minimum: i64, consumed: i64) -> i64 {
    minimum.saturating_sub(consumed).max(0)
}

/// A discount of `basis_points` (500 = 5%) on `base`, rounded down; nothing on a negative base.
pub fn discount_amount(base: i64, basis_points: i32) -> i64 {
    if base <= 0 || basis_points <= 0 {
        return 0;
    }
    (i128::from(base) * i128::from(basis_points.min(10_000)) / 10_000) as i64
}

/// The VAT on a subtotal (none on a negative one).
pub fn tax_of(subtotal: i64) -> i64 {
    (i128::from(subtotal.max(0)) * i128::from(VAT_PERCENT) / 100) as i64
}

/// The number of a billing-run invoice.
pub fn invoice_number(period: Period, account_code: &str) -> String {
    format!("INV-{}-{}", period.first.format("%Y%m"), account_code)
}

/// The discount lines for `discounts` over the lines already charged.
pub fn discount_lines(lines: &[InvoiceLine], discounts: &[discounts::Model], period: Period) -> Vec<InvoiceLine> {
    discounts
        .iter()
        .filter_map(|discount| {
            let base: i64 = lines
                .iter()
                .filter(|line| line.usage != usage::MINIMUM_COMMITMENT && line.usage != usage::DISCOUNT)
                .filter(|line| discount.product_id.is_none() || line.product_id == discount.product_id)
                .map(|line| line.total)
                .sum();
            let amount = discount_amount(base, discount.basis_points);
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
}

enum Outcome {
    Issued(IssuedInvoice),
    AlreadyBilled,
    Nothing,
}

/// Bills `period` for every account. Each account is billed in its own transaction.
pub async fn run(db: &DatabaseConnection, period: Period, today: NaiveDate) -> AppResult<RunReport> {
    let mut report = RunReport { period: period.label(), ..Default::default() };
    let accounts = accounts::Entity::find().order_by_asc(accounts::Column::Id).all(db).await?;
    for account in accounts {
        match bill_account(db, &account, period, today, &mut report.problems).await? {
            Outcome::Issued(invoice) => report.issued.push(invoice),
            Outcome::AlreadyBilled => report.already_billed.push(account.name.clone()),
            Outcome::Nothing => report.nothing_to_bill += 1,
        }
    }
    Ok(report)
}

async fn bill_account(
    db: &DatabaseConnection,
    account: &accounts::Model,
    period: Period,
    today: NaiveDate,
    problems: &mut Vec<String>,
) -> AppResult<Outcome> {
    let txn = db.begin().await?;
    let billed = invoices::Entity::find()
        .filter(invoices::Column::AccountId.eq(account.id))
        .filter(invoices::Column::BillingPeriod.eq(period.label()))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoices::Column::OrderId.is_null())
        .one(&txn)
        .await?;
    if billed.is_some() {
        return Ok(Outcome::AlreadyBilled);
    }
    let mut lines = charges(&txn, account, period, problems).await?;
    if lines.is_empty() {
        return Ok(Outcome::Nothing);
    }
    let account_discounts =
        discounts::Entity::find().filter(discounts::Column::AccountId.eq(account.id)).all(&txn).await?;
    lines.extend(discount_lines(&lines, &account_discounts, period));
    let subtotal: i64 = lines.iter().map(|l| l.total).sum();
    let tax = tax_of(subtotal);
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
        subtotal: Set(subtotal),
        tax: Set(tax),
        total: Set(subtotal + tax),
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
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(Outcome::AlreadyBilled)
        }
        Err(e) => return Err(e.into()),
    };
    let count = lines.len();
    insert_lines(&txn, invoice.id, lines).await?;
    txn.commit().await?;
    Ok(Outcome::Issued(IssuedInvoice {
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
    let price_list: HashMap<i32, prices::Model> = prices::Entity::find()
        .filter(prices::Column::Currency.eq(account.currency.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.product_id, p))
        .collect();
    // Charges already made for this month, by a paid order's invoice for example.
    let charged: HashSet<(Option<i32>, Option<i32>)> = invoice_items::Entity::find()
        .inner_join(invoices::Entity)
        .filter(invoices::Column::AccountId.eq(account.id))
        .filter(invoices::Column::InvoiceType.eq(InvoiceType::Debit))
        .filter(invoice_items::Column::PeriodStart.between(period.first(), period.last()))
        .all(txn)
        .await?
        .into_iter()
        .map(|item| (item.subscription_id, item.addon_id))
        .collect();
    let recurring = Recurring { period, price_list: &price_list, charged: &charged, currency: &account.currency };
    // The add-ons of all the account's subscriptions, in one query.
    let mut addons_of: HashMap<i32, Vec<(subscription_addons::Model, Option<products::Model>)>> = HashMap::new();
    for (addon, addon_product) in subscription_addons::Entity::find()
        .find_also_related(products::Entity)
        .filter(subscription_addons::Column::SubscriptionId.is_in(subscriptions.iter().map(|(s, _)| s.id)))
        .filter(subscription_addons::Column::Status.ne(SubscriptionStatus::Suspended))
        .order_by_asc(subscription_addons::Column::Id)
        .all(txn)
        .await?
    {
        addons_of.entry(addon.subscription_id).or_default().push((addon, addon_product));
    }

    let mut lines = Vec::new();
    for (subscription, product) in subscriptions {
        let Some(product) = product else { continue };
        let active = (subscription.start_date, last_active_day(subscription.canceled_at));
        let suspended = subscription.status == SubscriptionStatus::Suspended;
        match product.kind {
            ProductKind::Consumption => {
                lines.extend(consumption(txn, account, period, &subscription, &product).await?);
            }
            ProductKind::LicenseSubscription | ProductKind::SoftwareSubscription if !suspended => {
                let target = Target { subscription: &subscription, addon: None, product: &product, active };
                match recurring.line(&target) {
                    Ok(line) => lines.extend(line),
                    Err(problem) => problems.push(problem),
                }
            }
            // One-time purchases are invoiced when their order is paid.
            _ => {}
        }
        if suspended {
            continue;
        }
        for (addon, addon_product) in addons_of.remove(&subscription.id).unwrap_or_default() {
            let Some(addon_product) = addon_product else { continue };
            let target = Target {
                subscription: &subscription,
                addon: Some(&addon),
                product: &addon_product,
                active: (addon.start_date, last_active_day(addon.canceled_at)),
            };
            match recurring.line(&target) {
                Ok(line) => lines.extend(line),
                Err(problem) => problems.push(problem),
            }
        }
    }
    Ok(lines)
}

/// What a recurring charge is for.
struct Target<'a> {
    subscription: &'a subscriptions::Model,
    addon: Option<&'a subscription_addons::Model>,
    product: &'a products::Model,
    active: (NaiveDate, Option<NaiveDate>),
}

/// The facts every recurring charge of an account's month needs.
struct Recurring<'a> {
    period: Period,
    price_list: &'a HashMap<i32, prices::Model>,
    charged: &'a HashSet<(Option<i32>, Option<i32>)>,
    currency: &'a str,
}

impl Recurring<'_> {
    /// The charge for a licence subscription or add-on: monthly cycles every month
    /// (prorated), annual cycles in the month a term year starts, one-time never.
    fn line(&self, target: &Target) -> Result<Option<InvoiceLine>, String> {
        let (quantity, name) = match target.addon {
            Some(addon) => (addon.quantity, addon.name.as_str()),
            None => (target.subscription.quantity, target.subscription.name.as_str()),
        };
        if self.charged.contains(&(Some(target.subscription.id), target.addon.map(|a| a.id))) || quantity <= 0 {
            return Ok(None);
        }
        let period = (self.period.first(), self.period.last());
        let Some(price) = self.price_list.get(&target.product.id) else {
            return match target.product.billing_cycle {
                BillingCycle::OneTime => Ok(None),
                _ => Err(format!(
                    "{} has no {} price, so “{name}” of subscription {} was not charged.",
                    target.product.name, self.currency, target.subscription.id
                )),
            };
        };
        let quantity = i64::from(quantity);
        let (total, total_cost, from, to, note) = match target.product.billing_cycle {
            BillingCycle::Monthly => {
                let Some((total, from, to)) = prorate(quantity * price.amount, period, target.active) else {
                    return Ok(None);
                };
                let (total_cost, _, _) =
                    prorate(quantity * price.unit_cost, period, target.active).unwrap_or((0, from, to));
                let whole = from == period.0 && to == period.1;
                let note =
                    (!whole).then(|| format!(" (prorated, {} of {} days)", days(from, to), days(period.0, period.1)));
                (total, total_cost, from, to, note)
            }
            BillingCycle::Annual => {
                let Some(from) = annual_term_starting_in(target.active.0, period) else {
                    return Ok(None);
                };
                if target.active.1.is_some_and(|last| last < from) {
                    return Ok(None);
                }
                let to = add_months(from, 12) - Duration::days(1);
                (quantity * price.amount, quantity * price.unit_cost, from, to, None)
            }
            BillingCycle::OneTime => return Ok(None),
        };
        Ok(Some(InvoiceLine {
            subscription_id: Some(target.subscription.id),
            addon_id: target.addon.map(|a| a.id),
            product_id: Some(target.product.id),
            description: format!("{name}{}", note.unwrap_or_default()),
            period_start: Some(from),
            period_end: Some(to),
            quantity,
            unit_price: price.amount,
            unit_cost: price.unit_cost,
            total,
            total_cost,
            usage: usage::classify(target.product, Charge::Recurring),
        }))
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The consumption line of a consumption subscription, and its minimum-commitment top-up.
async fn consumption(
    txn: &DatabaseTransaction,
    account: &accounts::Model,
    period: Period,
    subscription: &subscriptions::Model,
    product: &products::Model,
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
    let amount: i64 = records.iter().map(|r| r.0).sum();
    let cost: i64 = records.iter().map(|r| r.1).sum();
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
    let in_force = matches!(subscription.status, SubscriptionStatus::Active | SubscriptionStatus::PendingForCancel)
        && subscription.start_date <= window.1;
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
    fn partial_months_are_prorated_by_day() {
        let november = (d("2026-11-01"), d("2026-11-30"));
        assert_eq!(prorate(30_000, november, (d("2026-01-15"), None)), Some((30_000, november.0, november.1)));
        assert_eq!(prorate(30_000, november, (d("2026-11-21"), None)), Some((10_000, d("2026-11-21"), november.1)));
        assert_eq!(
            prorate(30_000, november, (d("2026-01-01"), Some(d("2026-11-10")))),
            Some((10_000, november.0, d("2026-11-10")))
        );
        assert_eq!(prorate(30_000, november, (d("2026-12-01"), None)), None, "starts after the month");
        assert_eq!(prorate(30_000, november, (d("2026-01-01"), Some(d("2026-10-31")))), None, "ended before it");
    }

    #[test]
    fn annual_cycles_charge_in_the_month_a_term_year_starts() {
        let may = (d("2027-05-01"), d("2027-05-31"));
        assert_eq!(annual_term_starting_in(d("2026-05-20"), may), Some(d("2027-05-20")));
        assert_eq!(annual_term_starting_in(d("2026-06-20"), may), None);
        assert_eq!(annual_term_starting_in(d("2027-05-02"), may), Some(d("2027-05-02")));
        assert_eq!(annual_term_starting_in(d("2024-02-29"), (d("2025-02-01"), d("2025-02-28"))), Some(d("2025-02-28")));
    }

    #[test]
    fn commitments_discounts_and_tax() {
        assert_eq!(commitment_shortfall(100_000, 61_400), 38_600);
        assert_eq!(commitment_shortfall(100_000, 133_400), 0);
        assert_eq!(discount_amount(400_000, 500), 20_000);
        assert_eq!(discount_amount(-5, 500), 0);
        assert_eq!(discount_amount(100, 20_000), 100, "never more than the base");
        assert_eq!(tax_of(100_000), 19_000);
        assert_eq!(tax_of(-10), 0);
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
}
