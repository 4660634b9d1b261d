//! The ledger's one rule for recurring charges: **every licence-day of a subscription (or
//! add-on) is charged once**, from its start to its cancellation or the end of its term,
//! suspended or not, and never after.
//!
//! Every path that charges — a paid order, a billing run, a renewal — records on its
//! invoice line the subscription and the days (`period_start..=period_end`) and licences
//! it pays for ([`Paid`]). "Has this day of this subscription been charged?" is answered
//! from those lines, here, by [`due_in_month`]: a billing run charges only the licence-days
//! no earlier line paid for. Pure: no I/O.

use chrono::{Duration, NaiveDate};

use super::money::{self, MoneyError};
use crate::entities::enums::{BillingCycle, ProductKind, RiPaymentPlan};
use crate::subscriptions::rules::{add_months, term_end, term_months};

/// What a recurring charge is for: a subscription, or one of its add-ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Target {
    pub subscription_id: i32,
    pub addon_id: Option<i32>,
}

/// `quantity` licences of `target` paid for every day of `from..=to` (one invoice line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paid {
    pub target: Target,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub quantity: i64,
}

/// How a subscription or add-on is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cycle {
    /// Per calendar month, in arrears, prorated by day.
    Monthly,
    /// Per term of `months` months counted from the start (annual licences: 12; a
    /// reservation paid upfront: its 1- or 3-year term), charged in the month it starts.
    Term { months: u32 },
    /// Once, when bought (perpetual licences).
    Once,
    /// On usage, in arrears (consumption): charged from usage records, not here.
    Usage,
}

/// The cycle of a product's subscription (a reservation's from its term and plan).
pub(crate) fn cycle_of(
    kind: ProductKind,
    billing_cycle: BillingCycle,
    ri_term_years: Option<i32>,
    ri_payment_plan: Option<RiPaymentPlan>,
) -> Cycle {
    match kind {
        ProductKind::Consumption => Cycle::Usage,
        ProductKind::PerpetualLicense => Cycle::Once,
        ProductKind::ReservedInstance if ri_payment_plan == Some(RiPaymentPlan::Monthly) => Cycle::Monthly,
        ProductKind::ReservedInstance => Cycle::Term { months: term_months(kind, 1, ri_term_years) },
        _ => match billing_cycle {
            BillingCycle::Monthly => Cycle::Monthly,
            BillingCycle::Annual => Cycle::Term { months: 12 },
            BillingCycle::OneTime => Cycle::Once,
        },
    }
}

/// The days a purchase paid on `day` pays for: one cycle from that day (a month, a term,
/// or the day itself for a one-time purchase).
pub(crate) fn purchase_period(cycle: Cycle, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    match cycle {
        Cycle::Monthly => (day, term_end(day, 1)),
        Cycle::Term { months } => (day, term_end(day, months)),
        Cycle::Once | Cycle::Usage => (day, day),
    }
}

/// The quantity in force on each day: `initial` until the first change, then each
/// change's new quantity from the day it was made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct QuantityTimeline {
    pub initial: i64,
    /// (the day it took effect, the new quantity), oldest first.
    pub changes: Vec<(NaiveDate, i64)>,
}

impl QuantityTimeline {
    pub(crate) fn constant(quantity: i64) -> QuantityTimeline {
        QuantityTimeline { initial: quantity, changes: vec![] }
    }

    pub(crate) fn on(&self, day: NaiveDate) -> i64 {
        self.changes.iter().take_while(|(from, _)| *from <= day).last().map_or(self.initial, |(_, q)| *q)
    }
}

/// What the ledger knows of one target.
#[derive(Debug, Clone)]
pub(crate) struct Charged<'a> {
    pub cycle: Cycle,
    /// The day its terms are counted from: its own start, or an add-on's subscription's.
    pub anchor: NaiveDate,
    /// The first day it runs.
    pub start: NaiveDate,
    /// Its last day: the day before its cancellation, or the end of its current term.
    pub last: NaiveDate,
    pub quantity: &'a QuantityTimeline,
    /// Every line already charged for it (other targets' are ignored).
    pub paid: &'a [Paid],
    pub target: Target,
}

/// A recurring charge a billing run adds: `quantity` licences for `from..=to`, priced as
/// that share of `window` (the month, or the term) at the unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Due {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub quantity: i64,
    pub amount: i64,
    pub window: (NaiveDate, NaiveDate),
}

impl Due {
    /// Whether it charges the whole window (no proration note needed).
    pub(crate) fn is_whole(&self) -> bool {
        (self.from, self.to) == self.window
    }

    /// The days it charges.
    pub(crate) fn days(&self) -> i64 {
        days(self.from, self.to)
    }

    /// The days of its window.
    pub(crate) fn window_days(&self) -> i64 {
        days(self.window.0, self.window.1)
    }

    /// Its share of `per_window` (a price or a cost per licence and window): the licences
    /// times the days it charges, prorated over the window, rounded down.
    pub(crate) fn share_of(&self, per_window: i64) -> Result<i64, MoneyError> {
        let full = per_window.checked_mul(self.quantity).ok_or(MoneyError::Overflow)?;
        money::prorated(full, self.days(), self.window_days())
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The windows a billing run for the month `first..=last` charges: the month itself for
/// monthly cycles; for term cycles, each term (counted from `anchor`) that starts in the
/// month and that the subscription has reached (`term_last` is the end of its current
/// term), and the term it started in when it started in the month (an add-on joining its
/// subscription's term part-way); none otherwise.
pub(crate) fn windows(
    cycle: Cycle,
    anchor: NaiveDate,
    start: NaiveDate,
    term_last: NaiveDate,
    month: (NaiveDate, NaiveDate),
) -> Vec<(NaiveDate, NaiveDate)> {
    match cycle {
        Cycle::Monthly => vec![month],
        Cycle::Term { months } => (0..=1200u32)
            .map(|k| add_months(anchor, k * months))
            .take_while(|from| *from <= month.1 && *from <= term_last)
            .map(|from| (from, term_end(from, months)))
            .filter(|(from, to)| {
                let starts_in_month = *from >= month.0;
                let joined_in_month = month.0 <= start && start <= month.1 && *from < start && start <= *to;
                starts_in_month || joined_in_month
            })
            .collect(),
        Cycle::Once | Cycle::Usage => vec![],
    }
}

/// What a billing run for `month` owes for a target at `unit_price` per licence per
/// window: for each window, the licence-days between the target's start and last day
/// that no line paid for yet, grouped into runs of days with the same number of unpaid
/// licences, each prorated by day (rounded down). Suspended days count like any other.
pub(crate) fn due_in_month(
    charged: &Charged,
    month: (NaiveDate, NaiveDate),
    unit_price: i64,
) -> Result<Vec<Due>, MoneyError> {
    let mut due = Vec::new();
    let paid: Vec<&Paid> = charged.paid.iter().filter(|p| p.target == charged.target).collect();
    for window in windows(charged.cycle, charged.anchor, charged.start, charged.last, month) {
        let from = window.0.max(charged.start);
        let to = window.1.min(charged.last);
        let mut run: Option<(NaiveDate, NaiveDate, i64)> = None;
        let mut day = from;
        while day <= to {
            let paid: i64 = paid.iter().filter(|p| p.from <= day && day <= p.to).map(|p| p.quantity).sum();
            let unpaid = (charged.quantity.on(day) - paid).max(0);
            run = match run {
                Some((a, _, q)) if q == unpaid => Some((a, day, q)),
                Some(open) => {
                    push_due(&mut due, open, window, unit_price)?;
                    Some((day, day, unpaid))
                }
                None => Some((day, day, unpaid)),
            };
            day += Duration::days(1);
        }
        if let Some(open) = run {
            push_due(&mut due, open, window, unit_price)?;
        }
    }
    Ok(due)
}

fn push_due(
    due: &mut Vec<Due>,
    (from, to, quantity): (NaiveDate, NaiveDate, i64),
    window: (NaiveDate, NaiveDate),
    unit_price: i64,
) -> Result<(), MoneyError> {
    if quantity <= 0 {
        return Ok(());
    }
    let mut charge = Due { from, to, quantity, amount: 0, window };
    charge.amount = charge.share_of(unit_price)?;
    due.push(charge);
    Ok(())
}

/// The first and last day of the calendar month `day` is in (for the tests' ledgers).
#[cfg(test)]
pub(crate) fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    (day.with_day(1).unwrap_or(day), crate::subscriptions::rules::last_of_month(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const T: Target = Target { subscription_id: 1, addon_id: None };

    fn charged<'a>(
        cycle: Cycle,
        start: &str,
        last: &str,
        quantity: &'a QuantityTimeline,
        paid: &'a [Paid],
    ) -> Charged<'a> {
        Charged { cycle, anchor: d(start), start: d(start), last: d(last), quantity, paid, target: T }
    }

    #[test]
    fn a_monthly_licence_bought_on_the_10th_is_charged_for_the_days_its_purchase_did_not_pay() {
        let five = QuantityTimeline::constant(5);
        let (from, to) = purchase_period(Cycle::Monthly, d("2026-11-10"));
        assert_eq!((from, to), (d("2026-11-10"), d("2026-12-09")));
        let paid = [Paid { target: T, from, to, quantity: 5 }];
        let sub = charged(Cycle::Monthly, "2026-11-10", "2027-11-09", &five, &paid);
        assert!(due_in_month(&sub, month_of(d("2026-11-01")), 30_000).unwrap().is_empty(), "November is paid");
        let december = due_in_month(&sub, month_of(d("2026-12-01")), 31_000).unwrap();
        assert_eq!(december.len(), 1);
        assert_eq!((december[0].from, december[0].to, december[0].quantity), (d("2026-12-10"), d("2026-12-31"), 5));
        assert_eq!(december[0].amount, 31_000 * 5 * 22 / 31);
        let again =
            [paid.to_vec(), vec![Paid { target: T, from: d("2026-12-10"), to: d("2026-12-31"), quantity: 5 }]].concat();
        let sub = Charged { paid: &again, ..sub };
        assert!(due_in_month(&sub, month_of(d("2026-12-01")), 31_000).unwrap().is_empty(), "charged once");
    }

    #[test]
    fn an_annual_licence_is_charged_per_term_year_and_only_once() {
        let ten = QuantityTimeline::constant(10);
        let first_year = purchase_period(Cycle::Term { months: 12 }, d("2026-05-20"));
        let paid = [Paid { target: T, from: first_year.0, to: first_year.1, quantity: 10 }];
        let sub = charged(Cycle::Term { months: 12 }, "2026-05-20", "2028-05-19", &ten, &paid);
        assert!(due_in_month(&sub, month_of(d("2026-05-01")), 100).unwrap().is_empty(), "paid by the order");
        let may = due_in_month(&sub, month_of(d("2027-05-01")), 100).unwrap();
        assert_eq!(
            may,
            vec![Due {
                from: d("2027-05-20"),
                to: d("2028-05-19"),
                quantity: 10,
                amount: 1_000,
                window: (d("2027-05-20"), d("2028-05-19"))
            }]
        );
        assert!(may[0].is_whole());
        let not_renewed = Charged { last: d("2027-05-19"), ..sub };
        assert!(due_in_month(&not_renewed, month_of(d("2027-05-01")), 100).unwrap().is_empty(), "never after");
    }

    #[test]
    fn licences_added_mid_month_are_charged_from_the_day_they_were_added() {
        let timeline = QuantityTimeline { initial: 5, changes: vec![(d("2026-11-16"), 8)] };
        let added = [Paid { target: T, from: d("2026-11-16"), to: d("2026-12-15"), quantity: 3 }];
        let sub = charged(Cycle::Monthly, "2026-01-01", "2027-12-31", &timeline, &added);
        let november = due_in_month(&sub, month_of(d("2026-11-01")), 3_000).unwrap();
        assert_eq!(november.len(), 1, "{november:?}");
        assert_eq!((november[0].from, november[0].to, november[0].quantity), (d("2026-11-01"), d("2026-11-30"), 5));
        let december = due_in_month(&sub, month_of(d("2026-12-01")), 3_100).unwrap();
        assert_eq!(
            december.iter().map(|x| (x.from.day(), x.to.day(), x.quantity)).collect::<Vec<_>>(),
            vec![(1, 15, 5), (16, 31, 8)]
        );
    }

    #[test]
    fn suspended_days_are_charged_and_days_after_the_end_are_not() {
        let two = QuantityTimeline::constant(2);
        let sub = charged(Cycle::Monthly, "2026-01-01", "2026-11-10", &two, &[]);
        let november = due_in_month(&sub, month_of(d("2026-11-01")), 30_000).unwrap();
        assert_eq!((november[0].to, november[0].amount), (d("2026-11-10"), 20_000));
        assert!(due_in_month(&sub, month_of(d("2026-12-01")), 30_000).unwrap().is_empty());
    }

    #[test]
    fn cycles_follow_the_product_and_a_reservations_plan() {
        use BillingCycle::*;
        use ProductKind::*;
        assert_eq!(cycle_of(LicenseSubscription, Monthly, None, None), Cycle::Monthly);
        assert_eq!(cycle_of(LicenseSubscription, Annual, None, None), Cycle::Term { months: 12 });
        assert_eq!(cycle_of(PerpetualLicense, OneTime, None, None), Cycle::Once);
        assert_eq!(cycle_of(Consumption, Monthly, None, None), Cycle::Usage);
        assert_eq!(
            cycle_of(ReservedInstance, OneTime, Some(3), Some(RiPaymentPlan::Upfront)),
            Cycle::Term { months: 36 }
        );
        assert_eq!(cycle_of(ReservedInstance, OneTime, Some(3), None), Cycle::Term { months: 36 });
        assert_eq!(cycle_of(ReservedInstance, OneTime, Some(1), Some(RiPaymentPlan::Monthly)), Cycle::Monthly);
        assert_eq!(purchase_period(Cycle::Once, d("2026-11-10")), (d("2026-11-10"), d("2026-11-10")));
        assert_eq!(purchase_period(Cycle::Term { months: 36 }, d("2026-02-28")).1, d("2029-02-27"));
    }

    #[test]
    fn an_annual_add_on_follows_its_subscriptions_terms() {
        let one = QuantityTimeline::constant(1);
        let addon = Charged {
            anchor: d("2026-01-01"),
            ..charged(Cycle::Term { months: 12 }, "2026-07-01", "2027-12-31", &one, &[])
        };
        let july = due_in_month(&addon, month_of(d("2026-07-01")), 365).unwrap();
        assert_eq!(
            (july[0].from, july[0].to, july[0].amount),
            (d("2026-07-01"), d("2026-12-31"), 184),
            "the rest of the term"
        );
        let january = due_in_month(&addon, month_of(d("2027-01-01")), 365).unwrap();
        assert_eq!((january[0].from, january[0].to, january[0].amount), (d("2027-01-01"), d("2027-12-31"), 365));
    }

    #[test]
    fn overflowing_charges_are_errors() {
        let q = QuantityTimeline::constant(3);
        let sub = charged(Cycle::Monthly, "2026-01-01", "2026-12-31", &q, &[]);
        assert!(due_in_month(&sub, month_of(d("2026-11-01")), i64::MAX).is_err());
    }
}
