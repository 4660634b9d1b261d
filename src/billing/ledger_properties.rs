//! A property test of the ledger: random sequences of purchases of every product kind,
//! quantity changes, suspensions, scheduled quantity changes, cancellations, refunds,
//! usage and billing runs (some repeated) over 24 simulated months, for a CLP and a USD
//! account. The charges, credits and refunds are made by the production rules
//! (`ledger`, `tax`, `credits`, `subscriptions::policy`, `subscriptions::rules`); the
//! properties are checked against an independent, day-by-day account of what was in force:
//!
//! - every licence-day from a subscription's start to its cancellation or term end,
//!   suspended or not, is charged exactly once (`max(quantity in force, licences bought
//!   for that day)`), and no run charges past the end the subscription had when it ran
//!   (days paid ahead and then cancelled are for the cancellation credit);
//! - credits never exceed the line they credit, refunds never exceed their invoice;
//! - every invoice's total is its net plus the VAT of the one rule;
//! - a repeated run charges nothing;
//! - amounts are summed per currency only;
//! - prices change on random days (the provider's list price and cost, and — for the CLP
//!   account, a reseller's customer — the reseller's markup): every purchase is priced on
//!   its day and every run line at the prices of the first day of the term it charges
//!   (the production `PriceBook`), checked against an independent reading of the price
//!   history; a customer's price is never below the reseller's cost.
//!
//! `cargo test` runs 24 cases; `PROPTEST_CASES=2000 cargo test --lib ledger_properties`
//! runs more (see the README).

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;

use super::credits::{credit_amount, refund_split};
use super::ledger::{self, Charged, Cycle, Paid, QuantityTimeline, Target};
use super::money::Money;
use super::tax::{self, Totals, VatRate};
use crate::catalog::pricing::{Audience, PriceBook, UnitPrice};
use crate::entities::enums::{BillingCycle, ProductKind, RiPaymentPlan};
use crate::entities::{prices, products, reseller_prices, reservation_prices};
use crate::subscriptions::policy::{cancellation_policy, CancelWhen};
use crate::subscriptions::rules::{add_months, renewed_term_end};

const DAYS: i64 = 730;

/// A product of the simulated catalogue: kind, cycle, term months, reservation plan, price.
struct Product {
    kind: ProductKind,
    billing_cycle: BillingCycle,
    term_months: u32,
    ri_term_years: Option<i32>,
    ri_plan: Option<RiPaymentPlan>,
    price: i64,
}

const CATALOGUE: [Product; 8] = [
    Product {
        kind: ProductKind::LicenseSubscription,
        billing_cycle: BillingCycle::Monthly,
        term_months: 12,
        ri_term_years: None,
        ri_plan: None,
        price: 11_500,
    },
    Product {
        kind: ProductKind::LicenseSubscription,
        billing_cycle: BillingCycle::Annual,
        term_months: 12,
        ri_term_years: None,
        ri_plan: None,
        price: 345_600,
    },
    Product {
        kind: ProductKind::SoftwareSubscription,
        billing_cycle: BillingCycle::Monthly,
        term_months: 1,
        ri_term_years: None,
        ri_plan: None,
        price: 7_900,
    },
    Product {
        kind: ProductKind::PerpetualLicense,
        billing_cycle: BillingCycle::OneTime,
        term_months: 1,
        ri_term_years: None,
        ri_plan: None,
        price: 890_000,
    },
    Product {
        kind: ProductKind::ReservedInstance,
        billing_cycle: BillingCycle::OneTime,
        term_months: 12,
        ri_term_years: Some(1),
        ri_plan: Some(RiPaymentPlan::Upfront),
        price: 620_000,
    },
    Product {
        kind: ProductKind::ReservedInstance,
        billing_cycle: BillingCycle::OneTime,
        term_months: 36,
        ri_term_years: Some(3),
        ri_plan: Some(RiPaymentPlan::Upfront),
        price: 1_560_000,
    },
    Product {
        kind: ProductKind::ReservedInstance,
        billing_cycle: BillingCycle::OneTime,
        term_months: 12,
        ri_term_years: Some(1),
        ri_plan: Some(RiPaymentPlan::Monthly),
        price: 54_000,
    },
    Product {
        kind: ProductKind::Consumption,
        billing_cycle: BillingCycle::Monthly,
        term_months: 1,
        ri_term_years: None,
        ri_plan: None,
        price: 0,
    },
];

#[derive(Debug, Clone)]
enum Event {
    Buy {
        product: usize,
        quantity: i64,
        auto_renew: bool,
    },
    Add {
        subscription: usize,
        quantity: i64,
    },
    Lower {
        subscription: usize,
        by: i64,
    },
    Suspend {
        subscription: usize,
    },
    Resume {
        subscription: usize,
    },
    Cancel {
        subscription: usize,
    },
    Refund {
        invoice: usize,
        percent: i64,
    },
    Usage {
        subscription: usize,
        amount: i64,
    },
    RepeatRun,
    /// The provider changes a product's list price (and its cost, 80 % of it) from a day.
    PriceChange {
        product: usize,
        percent: i64,
        in_days: i64,
    },
    /// The reseller changes its markup on a product from a day.
    Markup {
        product: usize,
        basis_points: i32,
        in_days: i64,
    },
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..CATALOGUE.len(), 1i64..20, any::<bool>())
            .prop_map(|(product, quantity, auto_renew)| Event::Buy { product, quantity, auto_renew }),
        2 => (0usize..16, 1i64..5).prop_map(|(subscription, quantity)| Event::Add { subscription, quantity }),
        1 => (0usize..16, 1i64..5).prop_map(|(subscription, by)| Event::Lower { subscription, by }),
        1 => (0usize..16).prop_map(|subscription| Event::Suspend { subscription }),
        1 => (0usize..16).prop_map(|subscription| Event::Resume { subscription }),
        1 => (0usize..16).prop_map(|subscription| Event::Cancel { subscription }),
        1 => (0usize..16, 1i64..=100).prop_map(|(invoice, percent)| Event::Refund { invoice, percent }),
        1 => (0usize..16, 1i64..200_000).prop_map(|(subscription, amount)| Event::Usage { subscription, amount }),
        1 => Just(Event::RepeatRun),
        1 => (0..CATALOGUE.len(), -30i64..=60, 0i64..90)
            .prop_map(|(product, percent, in_days)| Event::PriceChange { product, percent, in_days }),
        1 => (0..CATALOGUE.len(), 0i32..=5_000, 0i64..90)
            .prop_map(|(product, basis_points, in_days)| Event::Markup { product, basis_points, in_days }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Purchase,
    Run,
}

#[derive(Debug, Clone)]
struct Line {
    subscription: usize,
    from: NaiveDate,
    to: NaiveDate,
    quantity: i64,
    amount: i64,
    /// The unit price charged, and the day whose prices it is (the purchase day, or the
    /// first day of the term a run charges).
    unit_price: i64,
    priced_on: NaiveDate,
    source: Source,
    /// The subscription's last day when the line was made (a run may charge a term ahead,
    /// never past the end the subscription had then).
    last_then: NaiveDate,
}

#[derive(Debug, Clone)]
struct Invoice {
    net: i64,
    tax: i64,
    total: i64,
    lines: Vec<usize>,
    is_purchase: bool,
    refunded: Totals,
}

#[derive(Debug, Clone)]
struct Subscription {
    product: usize,
    cycle: Cycle,
    start: NaiveDate,
    term_end: NaiveDate,
    auto_renew: bool,
    quantity: QuantityTimeline,
    suspended: bool,
    /// The last day, once canceled.
    canceled_last: Option<NaiveDate>,
    /// A quantity change scheduled for the next term (ChangeQtyOnNext).
    next_term_quantity: Option<i64>,
    usage: Vec<(NaiveDate, i64)>,
}

impl Subscription {
    fn last(&self) -> NaiveDate {
        self.canceled_last.map_or(self.term_end, |last| last.min(self.term_end))
    }
    fn current_quantity(&self) -> i64 {
        self.quantity.changes.last().map_or(self.quantity.initial, |(_, q)| *q)
    }
    fn is_open(&self, today: NaiveDate) -> bool {
        self.canceled_last.is_none() && today <= self.term_end
    }
}

struct Ledger {
    currency: &'static str,
    /// Prices in this account's currency are the catalogue's times this.
    price_factor: i64,
    rate: VatRate,
    subscriptions: Vec<Subscription>,
    lines: Vec<Line>,
    invoices: Vec<Invoice>,
    /// Credits per line.
    credits: Vec<(usize, i64)>,
    last_run: Option<(NaiveDate, NaiveDate)>,
    /// Whose prices: the CLP account is a reseller's customer, the USD one the provider's.
    audience: Audience,
    /// The price history as the production tables hold it.
    price_rows: Vec<prices::Model>,
    reservation_rows: Vec<reservation_prices::Model>,
    markup_rows: Vec<reseller_prices::Model>,
    /// The same history as the simulation wrote it: (product, from, list) and (product, from, markup).
    list_changes: Vec<(usize, NaiveDate, i64)>,
    markups: Vec<(usize, NaiveDate, i32)>,
}

const RESELLER: i32 = 99;
const SINCE_EVER: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The simulated product as the catalogue's table holds it.
fn product_model(index: usize) -> products::Model {
    let p = &CATALOGUE[index];
    products::Model {
        id: index as i32,
        kind: p.kind,
        billing_cycle: p.billing_cycle,
        term_months: p.term_months as i32,
        ri_term_years: p.ri_term_years,
        ..crate::catalog::test_product(p.kind, "")
    }
}

/// Resellers buy at 80 % of the list price in the simulation.
fn cost_of(list: i64) -> i64 {
    list * 80 / 100
}

impl Ledger {
    fn new(currency: &'static str, price_factor: i64, rate: VatRate, audience: Audience) -> Ledger {
        let mut ledger = Ledger {
            currency,
            price_factor,
            rate,
            subscriptions: vec![],
            lines: vec![],
            invoices: vec![],
            credits: vec![],
            last_run: None,
            audience,
            price_rows: vec![],
            reservation_rows: vec![],
            markup_rows: vec![],
            list_changes: vec![],
            markups: vec![],
        };
        for (product, p) in CATALOGUE.iter().enumerate() {
            ledger.set_list(product, SINCE_EVER, p.price * price_factor);
        }
        ledger
    }

    /// Writes a list price (and its cost) from `from`, replacing one set for the same day.
    fn set_list(&mut self, product: usize, from: NaiveDate, list: i64) {
        let p = &CATALOGUE[product];
        let cost = cost_of(list);
        match (p.ri_term_years, p.ri_plan) {
            (Some(term_years), Some(payment_plan)) => {
                self.reservation_rows.retain(|r| !(r.product_id == product as i32 && r.effective_from == from));
                self.reservation_rows.push(reservation_prices::Model {
                    id: 0,
                    product_id: product as i32,
                    term_years,
                    payment_plan,
                    currency: self.currency.into(),
                    amount: list,
                    unit_cost: cost,
                    effective_from: from,
                    created_at: None,
                });
            }
            _ => {
                self.price_rows.retain(|r| !(r.product_id == product as i32 && r.effective_from == from));
                self.price_rows.push(prices::Model {
                    id: 0,
                    product_id: product as i32,
                    currency: self.currency.into(),
                    amount: list,
                    unit_cost: cost,
                    effective_from: from,
                    created_at: None,
                });
            }
        }
        self.list_changes.retain(|(q, f, _)| !(*q == product && *f == from));
        self.list_changes.push((product, from, list));
    }

    /// The production price book's unit price of `product` on `on`.
    fn unit(&self, product: usize, on: NaiveDate) -> UnitPrice {
        let book = PriceBook::from_rows(
            self.audience,
            self.price_rows.clone(),
            self.reservation_rows.clone(),
            self.markup_rows.clone(),
        );
        let p = &CATALOGUE[product];
        book.unit_price(&product_model(product), p.ri_term_years.zip(p.ri_plan), self.currency, on)
            .expect("every simulated product has a price")
    }

    /// The price on `on` read independently from the simulation's own history.
    fn expected_price(&self, product: usize, on: NaiveDate) -> i64 {
        let latest = |rows: Vec<(NaiveDate, i64)>| rows.into_iter().max_by_key(|(from, _)| *from).map(|(_, v)| v);
        let list = latest(
            self.list_changes.iter().filter(|(q, f, _)| *q == product && *f <= on).map(|(_, f, l)| (*f, *l)).collect(),
        )
        .expect("a list price since ever");
        let cost = cost_of(list);
        let markup = latest(
            self.markups
                .iter()
                .filter(|(q, f, _)| *q == product && *f <= on)
                .map(|(_, f, m)| (*f, i64::from(*m)))
                .collect(),
        );
        match (self.audience, markup) {
            (Audience::CustomersOf(_), Some(points)) => cost + (cost * points + 5_000) / 10_000,
            _ => list,
        }
    }

    /// The first day of the term of `s` that contains `day`, counted independently.
    fn term_began(s: &Subscription, day: NaiveDate) -> NaiveDate {
        let months = CATALOGUE[s.product].term_months;
        (0..1_000u32)
            .map(|k| add_months(s.start, k * months))
            .take_while(|start| *start <= day)
            .last()
            .unwrap_or(s.start)
    }

    fn invoice(&mut self, lines: Vec<Line>, is_purchase: bool) {
        if lines.is_empty() {
            return;
        }
        let first = self.lines.len();
        let net: i64 = lines.iter().map(|l| l.amount).sum();
        self.lines.extend(lines);
        let totals = tax::totals(net, self.rate).expect("no overflow in the simulation");
        self.invoices.push(Invoice {
            net: totals.net,
            tax: totals.tax,
            total: totals.total,
            lines: (first..self.lines.len()).collect(),
            is_purchase,
            refunded: Totals { net: 0, tax: 0, total: 0 },
        });
    }

    fn paid(&self) -> Vec<Paid> {
        self.lines
            .iter()
            .map(|l| Paid {
                target: Target { subscription_id: l.subscription as i32, addon_id: None },
                from: l.from,
                to: l.to,
                quantity: l.quantity,
            })
            .collect()
    }

    fn purchase(&mut self, subscription: usize, quantity: i64, today: NaiveDate) {
        let s = &self.subscriptions[subscription];
        let (from, to) = ledger::purchase_period(s.cycle, today);
        let unit_price = self.unit(s.product, today).price;
        let amount = unit_price * quantity;
        let line = Line {
            subscription,
            from,
            to,
            quantity,
            amount,
            unit_price,
            priced_on: today,
            source: Source::Purchase,
            last_then: s.last(),
        };
        self.invoice(vec![line], true);
    }

    fn renew(&mut self, today: NaiveDate) {
        for s in &mut self.subscriptions {
            if !s.auto_renew || s.canceled_last.is_some() || s.term_end >= today {
                continue;
            }
            let next_start = s.term_end + Duration::days(1);
            if let Some(quantity) = s.next_term_quantity.take() {
                s.quantity.changes.push((next_start, quantity));
            }
            s.term_end = renewed_term_end(s.term_end, CATALOGUE[s.product].term_months, today);
        }
    }

    /// Bills a month as a billing run does; answers how many lines it added.
    fn run(&mut self, month: (NaiveDate, NaiveDate)) -> usize {
        let paid = self.paid();
        let mut lines = Vec::new();
        for (index, s) in self.subscriptions.iter().enumerate() {
            match s.cycle {
                Cycle::Monthly | Cycle::Term { .. } => {
                    let charged = Charged {
                        cycle: s.cycle,
                        anchor: s.start,
                        start: s.start,
                        last: s.last(),
                        quantity: &s.quantity,
                        paid: &paid,
                        target: Target { subscription_id: index as i32, addon_id: None },
                    };
                    let due = ledger::due_in_month(&charged, month, 0).expect("no overflow");
                    let months = crate::subscriptions::rules::term_months(
                        CATALOGUE[s.product].kind,
                        CATALOGUE[s.product].term_months as i32,
                        CATALOGUE[s.product].ri_term_years,
                    );
                    for due in due {
                        let price_on = |on| Some(self.unit(s.product, on));
                        let parts = crate::catalog::pricing::priced_by_term(&due, s.start, months, price_on)
                            .expect("every simulated product has a price");
                        for (due, unit) in parts {
                            lines.push(Line {
                                subscription: index,
                                from: due.from,
                                to: due.to,
                                quantity: due.quantity,
                                amount: due.share_of(unit.price).expect("no overflow"),
                                unit_price: unit.price,
                                priced_on: Self::term_began(s, due.from),
                                source: Source::Run,
                                last_then: s.last(),
                            });
                        }
                    }
                }
                Cycle::Usage if self.last_run.is_none_or(|(first, _)| first < month.0) => {
                    let used: i64 =
                        s.usage.iter().filter(|(day, _)| month.0 <= *day && *day <= month.1).map(|u| u.1).sum();
                    if used > 0 {
                        lines.push(Line {
                            subscription: index,
                            from: month.0,
                            to: month.1,
                            quantity: 0,
                            amount: used,
                            unit_price: 0,
                            priced_on: month.0,
                            source: Source::Run,
                            last_then: s.last(),
                        });
                    }
                }
                Cycle::Usage | Cycle::Once => {}
            }
        }
        let added = lines.len();
        self.invoice(lines, false);
        self.last_run = Some(month);
        added
    }

    fn cancel(&mut self, subscription: usize, today: NaiveDate) {
        let s = &self.subscriptions[subscription];
        if !s.is_open(today) || s.start > today {
            return;
        }
        let product = &CATALOGUE[s.product];
        let policy = cancellation_policy(product.kind, s.start, s.term_end, today);
        if !policy.allows(CancelWhen::Immediately) {
            return;
        }
        // The credit goes against the latest line that charged the subscription.
        let charged = self.lines.iter().enumerate().rev().find(|(_, l)| l.subscription == subscription && l.amount > 0);
        if let Some((index, line)) = charged {
            let amount = credit_amount(policy.credit, line.amount, Some((line.from, line.to)), today);
            if amount > 0 {
                self.credits.push((index, amount));
            }
        }
        self.subscriptions[subscription].canceled_last = Some(today - Duration::days(1));
    }

    fn refund(&mut self, invoice: usize, percent: i64) {
        let purchases: Vec<usize> = (0..self.invoices.len()).filter(|i| self.invoices[*i].is_purchase).collect();
        if purchases.is_empty() {
            return;
        }
        let index = purchases[invoice % purchases.len()];
        let debit = &self.invoices[index];
        let left = debit.total - debit.refunded.total;
        let gross = (left * percent / 100).max(1);
        if left <= 0 || gross > left {
            return;
        }
        let debited = Totals { net: debit.net, tax: debit.tax, total: debit.total };
        let split = refund_split(debited, debit.refunded, gross, self.rate).expect("no overflow");
        let refunded = &mut self.invoices[index].refunded;
        refunded.net += split.net;
        refunded.tax += split.tax;
        refunded.total += split.total;
    }

    fn apply(&mut self, event: &Event, today: NaiveDate) {
        let pick = |n: usize, len: usize| (len > 0).then(|| n % len);
        let count = self.subscriptions.len();
        match *event {
            Event::Buy { product, quantity, auto_renew } => {
                let p = &CATALOGUE[product];
                let cycle = ledger::cycle_of(p.kind, p.billing_cycle, p.ri_term_years, p.ri_plan);
                let quantity = if matches!(cycle, Cycle::Usage) { 1 } else { quantity };
                let auto_renew = match p.kind {
                    ProductKind::PerpetualLicense => false,
                    ProductKind::ReservedInstance => auto_renew,
                    _ => true,
                };
                self.subscriptions.push(Subscription {
                    product,
                    cycle,
                    start: today,
                    term_end: add_months(today, p.term_months) - Duration::days(1),
                    auto_renew,
                    quantity: QuantityTimeline::constant(quantity),
                    suspended: false,
                    canceled_last: None,
                    next_term_quantity: None,
                    usage: vec![],
                });
                self.purchase(count, quantity, today);
            }
            Event::Add { subscription, quantity } => {
                let Some(i) = pick(subscription, count) else { return };
                let s = &mut self.subscriptions[i];
                if !s.is_open(today) || s.suspended || !matches!(s.cycle, Cycle::Monthly | Cycle::Term { .. }) {
                    return;
                }
                let now = s.current_quantity() + quantity;
                s.quantity.changes.push((today, now));
                self.purchase(i, quantity, today);
            }
            Event::Lower { subscription, by } => {
                let Some(i) = pick(subscription, count) else { return };
                let s = &mut self.subscriptions[i];
                if !s.is_open(today) || s.suspended || CATALOGUE[s.product].kind != ProductKind::LicenseSubscription {
                    return;
                }
                let lower = (s.current_quantity() - by).max(1);
                match s.cycle {
                    // Monthly licences may lower now, down to 1; terms paid ahead change at renewal.
                    Cycle::Monthly => s.quantity.changes.push((today, lower)),
                    _ if s.auto_renew => s.next_term_quantity = Some(lower),
                    _ => {}
                }
            }
            Event::Suspend { subscription } | Event::Resume { subscription } => {
                let Some(i) = pick(subscription, count) else { return };
                self.subscriptions[i].suspended = matches!(event, Event::Suspend { .. });
            }
            Event::Cancel { subscription } => {
                if let Some(i) = pick(subscription, count) {
                    self.cancel(i, today);
                }
            }
            Event::Refund { invoice, percent } => self.refund(invoice, percent),
            Event::Usage { subscription, amount } => {
                let Some(i) = pick(subscription, count) else { return };
                let s = &mut self.subscriptions[i];
                // Consumption accrues only while running: nothing is used while suspended.
                if s.cycle == Cycle::Usage && s.is_open(today) && !s.suspended {
                    s.usage.push((today, amount));
                }
            }
            Event::RepeatRun => {
                if let Some(month) = self.last_run {
                    let added = self.run(month);
                    assert_eq!(added, 0, "a repeated run of {month:?} charged again");
                }
            }
            Event::PriceChange { product, percent, in_days } => {
                let list = CATALOGUE[product].price * self.price_factor * (100 + percent) / 100;
                self.set_list(product, today + Duration::days(in_days), list);
            }
            Event::Markup { product, basis_points, in_days } => {
                if self.audience == Audience::Provider {
                    return;
                }
                let from = today + Duration::days(in_days);
                self.markup_rows.retain(|r| !(r.product_id == product as i32 && r.effective_from == from));
                self.markup_rows.push(reseller_prices::Model {
                    id: 0,
                    reseller_id: RESELLER,
                    product_id: product as i32,
                    currency: self.currency.into(),
                    fixed_amount: None,
                    markup_basis_points: Some(basis_points),
                    effective_from: from,
                    created_at: chrono::Utc::now(),
                    created_by: None,
                });
                self.markups.retain(|(q, f, _)| !(*q == product && *f == from));
                self.markups.push((product, from, basis_points));
            }
        }
    }

    /// The properties, checked after every billing run.
    fn check(&self) {
        let Some((_, billed_through)) = self.last_run else { return };
        for (index, s) in self.subscriptions.iter().enumerate() {
            if !matches!(s.cycle, Cycle::Monthly | Cycle::Term { .. }) {
                continue;
            }
            let lines: Vec<&Line> = self.lines.iter().filter(|l| l.subscription == index).collect();
            let covering = |day: NaiveDate, source: Option<Source>| -> i64 {
                lines
                    .iter()
                    .filter(|l| l.from <= day && day <= l.to && source.is_none_or(|s| l.source == s))
                    .map(|l| l.quantity)
                    .sum()
            };
            let mut day = s.start;
            while day <= billed_through.min(s.last()) {
                let expected = s.quantity.on(day).max(covering(day, Some(Source::Purchase)));
                assert_eq!(
                    covering(day, None),
                    expected,
                    "subscription {index} ({:?}) on {day}: charged licences vs in force",
                    CATALOGUE[s.product].kind
                );
                day += Duration::days(1);
            }
            for line in lines.iter().filter(|l| l.source == Source::Run) {
                assert!(line.to <= line.last_then, "subscription {index}: a run charged after its last day: {line:?}");
                // A run charges a term at the prices of its first day, whatever changed since;
                // a line that crosses into a new term costs the same in both.
                let last_term = Self::term_began(s, line.to);
                assert!(
                    last_term == line.priced_on
                        || self.expected_price(s.product, last_term) == self.expected_price(s.product, line.priced_on),
                    "subscription {index}: a line priced across two terms: {line:?}"
                );
            }
            for line in &lines {
                let expected = self.expected_price(s.product, line.priced_on);
                assert_eq!(line.unit_price, expected, "subscription {index} priced on {}: {line:?}", line.priced_on);
                let cost = cost_of(
                    self.list_changes
                        .iter()
                        .filter(|(q, f, _)| *q == s.product && *f <= line.priced_on)
                        .max_by_key(|(_, f, _)| *f)
                        .map_or(0, |(_, _, l)| *l),
                );
                assert!(line.unit_price >= cost, "subscription {index}: sold below cost: {line:?}");
            }
        }
        for (index, line) in self.lines.iter().enumerate() {
            let credited: i64 = self.credits.iter().filter(|(l, _)| *l == index).map(|c| c.1).sum();
            assert!(credited <= line.amount, "line {index} credited {credited} of {}", line.amount);
        }
        for invoice in &self.invoices {
            let net: i64 = invoice.lines.iter().map(|i| self.lines[*i].amount).sum();
            assert_eq!(net, invoice.net);
            assert!(invoice.net >= 0);
            assert_eq!(tax::totals(net, self.rate), Ok(Totals { net, tax: invoice.tax, total: invoice.total }));
            assert!(invoice.refunded.total <= invoice.total);
            assert!(invoice.refunded.net <= invoice.net && invoice.refunded.tax <= invoice.tax, "{invoice:?}");
            assert_eq!(invoice.refunded.net + invoice.refunded.tax, invoice.refunded.total);
        }
    }

    fn money(&self) -> Vec<Money> {
        self.invoices.iter().map(|i| Money::new(i.total, self.currency)).collect()
    }
}

fn simulate(events: &[(i64, Event)], rate: VatRate) {
    // Two years that hold a 29 February.
    let day0 = NaiveDate::from_ymd_opt(2027, 1, 1).expect("a date");
    let mut clp = Ledger::new("CLP", 1, rate, Audience::CustomersOf(RESELLER));
    let mut usd = Ledger::new("USD", 3, rate, Audience::Provider);
    for offset in 0..DAYS {
        let today = day0 + Duration::days(offset);
        for ledger in [&mut clp, &mut usd] {
            ledger.renew(today);
            if today.day() == 1 && offset > 0 {
                ledger.run(ledger::month_of(today - Duration::days(1)));
                ledger.check();
            }
        }
        for (at, event) in events.iter().filter(|(at, _)| *at == offset) {
            let ledger = if at % 2 == 0 { &mut clp } else { &mut usd };
            ledger.apply(event, today);
        }
    }
    for ledger in [&clp, &usd] {
        ledger.check();
        assert!(Money::sum(ledger.currency, &ledger.money()).is_ok(), "one currency sums");
    }
    if !clp.invoices.is_empty() && !usd.invoices.is_empty() {
        let both: Vec<Money> = clp.money().into_iter().chain(usd.money()).collect();
        assert!(Money::sum("CLP", &both).is_err(), "CLP and USD never add up");
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_licence_day_is_charged_once_and_money_adds_up(
        events in prop::collection::vec((0..DAYS, event()), 1..60),
        rate in prop_oneof![Just(1_900), 0..=2_500],
    ) {
        simulate(&events, VatRate::from_basis_points(rate).expect("a rate"));
    }
}
