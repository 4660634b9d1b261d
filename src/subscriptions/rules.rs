//! Pure subscription rules: month arithmetic, ramp-up periods, and when a future action
//! may be scheduled and what it blocks. No I/O; each refusal is an error variant that
//! displays the form message.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

use super::policy::{cancellation_policy, CancelWhen};
use crate::catalog::Quantity;
use crate::entities::enums::{FutureActionType, ProductKind, SubscriptionStatus};
use crate::i18n::{msg, tr, Localize};

/// The most months a ramp-up period may last, counted from the subscription's start.
pub(crate) const MAX_RAMP_UP_MONTHS: u32 = 3;

/// `date` plus whole months, clamped to the last day of the month (31 Jan + 1 → 28/29 Feb).
pub(crate) fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The last day of a term of `months` that starts on `start` (1 Jan + 12 → 31 Dec).
pub(crate) fn term_end(start: NaiveDate, months: u32) -> NaiveDate {
    add_months(start, months) - Duration::days(1)
}

/// The last day of the calendar month `day` is in (a term of one month from its first day).
pub(crate) fn last_of_month(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    term_end(day.with_day(1).unwrap_or(day), 1)
}

/// How many months one term of a subscription lasts: a reservation's 1 or 3 years (kept
/// within 1 to 3), else the product's term (at least a month).
pub(crate) fn term_months(kind: ProductKind, product_term_months: i32, ri_term_years: Option<i32>) -> u32 {
    match kind {
        ProductKind::ReservedInstance => ri_term_years.unwrap_or(1).clamp(1, 3) as u32 * 12,
        _ => product_term_months.max(1) as u32,
    }
}

/// The last day of the term that contains `today`, moving on from `current_end` by whole
/// terms of `term_months` (how an auto-renewing subscription renews).
pub(crate) fn renewed_term_end(current_end: NaiveDate, term_months: u32, today: NaiveDate) -> NaiveDate {
    let mut next_end = current_end;
    while next_end < today {
        next_end = term_end(next_end + Duration::days(1), term_months.max(1));
    }
    next_end
}

/// Midnight UTC at the start of `date`.
pub(crate) fn start_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The moment the current term ends (and a renewal starts): the day after its last day.
pub fn term_boundary(term_end_date: NaiveDate) -> DateTime<Utc> {
    start_of(term_end_date + Duration::days(1))
}

/// Why a ramp-up period cannot be chosen or extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RampUpError {
    #[error("A ramp-up period lasts at most {MAX_RAMP_UP_MONTHS} months.")]
    TooLong,
    #[error("Only consumption products with a minimum commitment have a ramp-up period.")]
    NoMinimumCommitment,
    #[error("Trial subscriptions have no ramp-up period.")]
    Trial,
    #[error("This subscription has no ramp-up period to extend.")]
    NoneToExtend,
    #[error("The ramp-up period ended on {end}; it cannot be re-activated.")]
    Ended { end: NaiveDate },
    #[error("Extend by 1 to {MAX_RAMP_UP_MONTHS} months.")]
    ExtensionMonths,
    #[error(
        "A ramp-up period ends at most {MAX_RAMP_UP_MONTHS} months after the start ({limit}); {end} plus {months} \
         month(s) is {new_end}."
    )]
    BeyondLimit { limit: NaiveDate, end: NaiveDate, months: u32, new_end: NaiveDate },
}

/// The end of the ramp-up period chosen when a subscription is created: 0 months means
/// none; 1–3 months from the start date. Only new, paid (not trial) consumption
/// subscriptions whose product has a minimum commitment may have one.
pub(crate) fn ramp_up_end(
    start: NaiveDate,
    months: u32,
    has_minimum_commitment: bool,
    is_trial: bool,
) -> Result<Option<NaiveDate>, RampUpError> {
    if months == 0 {
        return Ok(None);
    }
    if months > MAX_RAMP_UP_MONTHS {
        return Err(RampUpError::TooLong);
    }
    if !has_minimum_commitment {
        return Err(RampUpError::NoMinimumCommitment);
    }
    if is_trial {
        return Err(RampUpError::Trial);
    }
    Ok(Some(add_months(start, months)))
}

/// Extends an active ramp-up: the new end is the current end plus `months`, never more than
/// 3 months after the start. An ended ramp-up cannot be re-activated.
pub(crate) fn extend_ramp_up(
    start: NaiveDate,
    current_end: Option<NaiveDate>,
    months: u32,
    today: NaiveDate,
) -> Result<NaiveDate, RampUpError> {
    let Some(end) = current_end else {
        return Err(RampUpError::NoneToExtend);
    };
    if end <= today {
        return Err(RampUpError::Ended { end });
    }
    if months == 0 || months > MAX_RAMP_UP_MONTHS {
        return Err(RampUpError::ExtensionMonths);
    }
    let limit = add_months(start, MAX_RAMP_UP_MONTHS);
    let new_end = add_months(end, months);
    if new_end > limit {
        return Err(RampUpError::BeyondLimit { limit, end, months, new_end });
    }
    Ok(new_end)
}

/// True while a ramp-up period waives the minimum commitment on `day`.
pub(crate) fn ramp_up_waives(start: NaiveDate, ramp_up_end: Option<NaiveDate>, day: NaiveDate) -> bool {
    ramp_up_end.is_some_and(|end| day >= start && day < end)
}

/// Whether a quantity change can wait for the next renewal: the subscription renews by
/// itself and is prepaid.
pub(crate) fn changes_quantity_at_renewal(auto_renew: bool, prepaid: bool) -> bool {
    auto_renew && prepaid
}

/// What a future action is scheduled on: a subscription, or one of its add-ons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetFacts {
    pub status: SubscriptionStatus,
    pub quantity: i32,
    /// The subscription's (an add-on follows its subscription's).
    pub auto_renew: bool,
    pub prepaid: bool,
    pub term_end_date: NaiveDate,
    /// When a cancellation "at the end" takes effect: the term's end, or for consumption
    /// the end of the billing period.
    pub cancellation_end: DateTime<Utc>,
    /// Whether the cancellation policy allows cancelling at the end (of term or period).
    pub may_cancel_at_end: bool,
    /// The subscription's product kind and purchase day: the cancellation policy's inputs.
    pub kind: ProductKind,
    pub purchased_on: NaiveDate,
    /// The pending action on this subscription or add-on, if any, and when it runs.
    pub pending: Option<(FutureActionType, DateTime<Utc>)>,
}

/// What the customer asked to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScheduleRequest {
    pub action_type: FutureActionType,
    pub date: Option<NaiveDate>,
    pub new_quantity: Option<i32>,
}

/// A future action that passed [`check_schedule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScheduledAction {
    pub action_type: FutureActionType,
    pub scheduled_at: DateTime<Utc>,
    pub new_quantity: Option<i32>,
}

pub(crate) fn action_label(action_type: FutureActionType) -> &'static str {
    match action_type {
        FutureActionType::CancellationOnEnd => "cancellation at the end of the term",
        FutureActionType::ChangeQtyOnNext => "quantity change at the next renewal",
        FutureActionType::CancellationOnSpecific => "cancellation on a chosen date",
    }
}

/// A day as the messages show it.
fn day(at: &DateTime<Utc>) -> impl std::fmt::Display + '_ {
    at.format("%Y-%m-%d")
}

/// Why a future action cannot be scheduled (or, for a cancellation on a date, run).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ScheduleError {
    #[error("This is already being canceled at the end of its term.")]
    PendingForCancel,
    #[error("This is suspended; resume it before scheduling a change.")]
    Suspended,
    #[error("This is canceled.")]
    Canceled,
    /// One pending action at a time.
    #[error("A {} is already scheduled for {}; revoke it first.", action_label(*.action_type), day(.at))]
    AlreadyScheduled { action_type: FutureActionType, at: DateTime<Utc> },
    #[error("Its cancellation policy does not allow cancelling at the end of the term.")]
    NoCancellationAtEnd,
    #[error("A quantity change at renewal needs auto-renew to be on.")]
    NeedsAutoRenew,
    #[error("A quantity change at renewal is only for prepaid subscriptions.")]
    NotPrepaid,
    #[error("Enter the quantity for the next term.")]
    QuantityMissing,
    #[error("The new quantity must be between 1 and {}.", Quantity::MAX)]
    QuantityOutOfRange,
    #[error("The quantity is already {0}.")]
    SameQuantity(i32),
    #[error("Choose the date the cancellation takes effect.")]
    DateMissing,
    #[error("Choose a date after today.")]
    DateNotAfterToday,
    #[error("Choose a date within the current term (until {term_end}).")]
    DateAfterTerm { term_end: NaiveDate },
    /// The cancellation policy on that date does not allow cancelling (its message says why).
    #[error("It cannot be cancelled on {date}: {policy}")]
    NotCancellableOn { date: NaiveDate, policy: super::policy::PolicyText },
}

/// Whether a future action may be scheduled, and when it will run.
pub(crate) fn check_schedule(
    target: &TargetFacts,
    request: &ScheduleRequest,
    today: NaiveDate,
) -> Result<ScheduledAction, ScheduleError> {
    match target.status {
        SubscriptionStatus::Active => {}
        SubscriptionStatus::PendingForCancel => return Err(ScheduleError::PendingForCancel),
        SubscriptionStatus::Suspended => return Err(ScheduleError::Suspended),
        SubscriptionStatus::Canceled => return Err(ScheduleError::Canceled),
    }
    if let Some((action_type, at)) = target.pending {
        return Err(ScheduleError::AlreadyScheduled { action_type, at });
    }
    match request.action_type {
        FutureActionType::CancellationOnEnd => {
            if !target.may_cancel_at_end {
                return Err(ScheduleError::NoCancellationAtEnd);
            }
            Ok(ScheduledAction {
                action_type: FutureActionType::CancellationOnEnd,
                scheduled_at: target.cancellation_end,
                new_quantity: None,
            })
        }
        FutureActionType::ChangeQtyOnNext => {
            if !changes_quantity_at_renewal(target.auto_renew, target.prepaid) {
                return Err(if target.auto_renew { ScheduleError::NotPrepaid } else { ScheduleError::NeedsAutoRenew });
            }
            let quantity = request.new_quantity.ok_or(ScheduleError::QuantityMissing)?;
            Quantity::new(quantity).map_err(|_| ScheduleError::QuantityOutOfRange)?;
            if quantity == target.quantity {
                return Err(ScheduleError::SameQuantity(quantity));
            }
            Ok(ScheduledAction {
                action_type: FutureActionType::ChangeQtyOnNext,
                scheduled_at: term_boundary(target.term_end_date),
                new_quantity: Some(quantity),
            })
        }
        FutureActionType::CancellationOnSpecific => {
            let date = request.date.ok_or(ScheduleError::DateMissing)?;
            if date <= today {
                return Err(ScheduleError::DateNotAfterToday);
            }
            if date > target.term_end_date {
                return Err(ScheduleError::DateAfterTerm { term_end: target.term_end_date });
            }
            check_cancellation_on(target, date)?;
            Ok(ScheduledAction {
                action_type: FutureActionType::CancellationOnSpecific,
                scheduled_at: start_of(date),
                new_quantity: None,
            })
        }
    }
}

/// A cancellation on a date is a cancellation "now" that waits for the date: allowed when
/// the cancellation policy allows cancelling immediately on that day (never a reserved
/// instance or consumption; a perpetual licence or software subscription only inside its
/// return window). Checked when it is scheduled and again when it runs.
pub(crate) fn check_cancellation_on(target: &TargetFacts, date: NaiveDate) -> Result<(), ScheduleError> {
    let policy = cancellation_policy(target.kind, target.purchased_on, target.term_end_date, date);
    if policy.allows(CancelWhen::Immediately) {
        Ok(())
    } else {
        Err(ScheduleError::NotCancellableOn { date, policy: policy.text })
    }
}

/// Changes that a pending quantity change (ChangeQtyOnNext) blocks until it runs or is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    QuantityPurchase,
    QuantityDecrease,
    Upgrade,
    Downgrade,
    Suspend,
    Cancel,
}

impl Change {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Change::QuantityPurchase => "buy more licences",
            Change::QuantityDecrease => "lower the quantity",
            Change::Upgrade => "upgrade",
            Change::Downgrade => "downgrade",
            Change::Suspend => "suspend it",
            Change::Cancel => "cancel it",
        }
    }
}

/// A change refused because a quantity change is pending (scheduled for `at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A quantity change is scheduled for {}; revoke it before you {}.", day(.at), .change.label())]
pub struct Blocked {
    pub at: DateTime<Utc>,
    pub change: Change,
}

/// Refuses a change while a quantity change is pending.
pub(crate) fn check_not_blocked(
    pending: Option<(FutureActionType, DateTime<Utc>)>,
    change: Change,
) -> Result<(), Blocked> {
    match pending {
        Some((FutureActionType::ChangeQtyOnNext, at)) => Err(Blocked { at, change }),
        _ => Ok(()),
    }
}

// The refusals and labels above, in the reader's language (the `Display`s stay English:
// the API and the logs use them).

/// A subscription's (or add-on's) status as people read it.
pub(crate) fn status_label(loc: &impl Localize, status: SubscriptionStatus) -> String {
    loc.t(match status {
        SubscriptionStatus::Active => msg!("subscription-status-active"),
        SubscriptionStatus::PendingForCancel => msg!("subscription-status-pending-for-cancel"),
        SubscriptionStatus::Canceled => msg!("subscription-status-canceled"),
        SubscriptionStatus::Suspended => msg!("subscription-status-suspended"),
    })
}

/// [`action_label`] in the reader's language.
pub(crate) fn action_label_in(loc: &impl Localize, action_type: FutureActionType) -> String {
    loc.t(match action_type {
        FutureActionType::CancellationOnEnd => msg!("subscription-action-cancellation-on-end"),
        FutureActionType::ChangeQtyOnNext => msg!("subscription-action-change-qty-on-next"),
        FutureActionType::CancellationOnSpecific => msg!("subscription-action-cancellation-on-specific"),
    })
}

// A scheduled moment is midnight UTC of its day (`start_of`): shown as that day, not
// moved into the reader's time zone (which would show the day before in Santiago).

impl RampUpError {
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match *self {
            RampUpError::TooLong => tr!(loc, "subscription-ramp-up-too-long", months = MAX_RAMP_UP_MONTHS),
            RampUpError::NoMinimumCommitment => loc.t("subscription-ramp-up-no-minimum-commitment"),
            RampUpError::Trial => loc.t("subscription-ramp-up-trial"),
            RampUpError::NoneToExtend => loc.t("subscription-ramp-up-none-to-extend"),
            RampUpError::Ended { end } => tr!(loc, "subscription-ramp-up-ended", end = loc.day(end)),
            RampUpError::ExtensionMonths => {
                tr!(loc, "subscription-ramp-up-extension-months", months = MAX_RAMP_UP_MONTHS)
            }
            RampUpError::BeyondLimit { limit, end, months, new_end } => tr!(
                loc,
                "subscription-ramp-up-beyond-limit",
                max = MAX_RAMP_UP_MONTHS,
                limit = loc.day(limit),
                end = loc.day(end),
                months = months,
                new_end = loc.day(new_end)
            ),
        }
    }
}

impl ScheduleError {
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match self {
            ScheduleError::PendingForCancel => loc.t("subscription-schedule-pending-for-cancel"),
            ScheduleError::Suspended => loc.t("subscription-schedule-suspended"),
            ScheduleError::Canceled => loc.t("subscription-schedule-canceled"),
            ScheduleError::AlreadyScheduled { action_type, at } => tr!(
                loc,
                "subscription-schedule-already-scheduled",
                action = action_label_in(loc, *action_type),
                date = loc.day(at.date_naive())
            ),
            ScheduleError::NoCancellationAtEnd => loc.t("subscription-schedule-no-cancellation-at-end"),
            ScheduleError::NeedsAutoRenew => loc.t("subscription-schedule-needs-auto-renew"),
            ScheduleError::NotPrepaid => loc.t("subscription-schedule-not-prepaid"),
            ScheduleError::QuantityMissing => loc.t("subscription-schedule-quantity-missing"),
            ScheduleError::QuantityOutOfRange => {
                tr!(loc, "subscription-schedule-quantity-out-of-range", max = Quantity::MAX)
            }
            ScheduleError::SameQuantity(quantity) => {
                tr!(loc, "subscription-same-quantity", quantity = *quantity)
            }
            ScheduleError::DateMissing => loc.t("subscription-schedule-date-missing"),
            ScheduleError::DateNotAfterToday => loc.t("subscription-schedule-date-not-after-today"),
            ScheduleError::DateAfterTerm { term_end } => {
                tr!(loc, "subscription-schedule-date-after-term", term_end = loc.day(*term_end))
            }
            ScheduleError::NotCancellableOn { date, policy } => tr!(
                loc,
                "subscription-schedule-not-cancellable-on",
                date = loc.day(*date),
                policy = policy.localized(loc)
            ),
        }
    }
}

impl Blocked {
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        let change = loc.t(match self.change {
            Change::QuantityPurchase => msg!("subscription-change-quantity-purchase"),
            Change::QuantityDecrease => msg!("subscription-change-quantity-decrease"),
            Change::Upgrade => msg!("subscription-change-upgrade"),
            Change::Downgrade => msg!("subscription-change-downgrade"),
            Change::Suspend => msg!("subscription-change-suspend"),
            Change::Cancel => msg!("subscription-change-cancel"),
        });
        tr!(loc, "subscription-blocked", date = loc.day(self.at.date_naive()), change = change)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_month_ends_on_its_last_day_whatever_its_length() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(last_of_month(day(2026, 2, 14)), day(2026, 2, 28));
        assert_eq!(last_of_month(day(2028, 2, 1)), day(2028, 2, 29));
        assert_eq!(last_of_month(day(2026, 12, 31)), day(2026, 12, 31));
        assert_eq!(last_of_month(day(2026, 4, 30)), day(2026, 4, 30));
    }
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn target() -> TargetFacts {
        TargetFacts {
            status: SubscriptionStatus::Active,
            quantity: 10,
            auto_renew: true,
            prepaid: true,
            term_end_date: d("2026-12-31"),
            cancellation_end: term_boundary(d("2026-12-31")),
            may_cancel_at_end: true,
            kind: ProductKind::LicenseSubscription,
            purchased_on: d("2026-01-01"),
            pending: None,
        }
    }

    fn ask(action_type: FutureActionType, date: Option<&str>, new_quantity: Option<i32>) -> ScheduleRequest {
        ScheduleRequest { action_type, date: date.map(d), new_quantity }
    }

    const TODAY: &str = "2026-11-26";

    #[test]
    fn months_clamp_to_the_end_of_the_month_and_know_leap_years() {
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2028-01-31"), 1), d("2028-02-29"));
        assert_eq!(add_months(d("2026-11-30"), 3), d("2027-02-28"));
        assert_eq!(add_months(d("2026-03-15"), 2), d("2026-05-15"));
        assert_eq!(term_end(d("2026-01-01"), 12), d("2026-12-31"));
        assert_eq!(term_end(d("2026-01-31"), 1), d("2026-02-27"));
        assert_eq!(term_months(ProductKind::ReservedInstance, 1, Some(3)), 36);
        assert_eq!(term_months(ProductKind::ReservedInstance, 1, None), 12);
        assert_eq!(term_months(ProductKind::LicenseSubscription, 12, None), 12);
        assert_eq!(term_months(ProductKind::LicenseSubscription, 0, None), 1);
    }

    #[test]
    fn ramp_up_is_zero_to_three_months_for_paid_consumption_with_a_minimum() {
        assert_eq!(ramp_up_end(d("2026-01-31"), 1, true, false), Ok(Some(d("2026-02-28"))));
        assert_eq!(ramp_up_end(d("2024-01-31"), 1, true, false), Ok(Some(d("2024-02-29"))));
        assert_eq!(ramp_up_end(d("2026-01-15"), 0, true, false), Ok(None));
        assert_eq!(ramp_up_end(d("2026-01-15"), 4, true, false), Err(RampUpError::TooLong));
        assert_eq!(ramp_up_end(d("2026-01-15"), 2, false, false), Err(RampUpError::NoMinimumCommitment));
        assert_eq!(ramp_up_end(d("2026-01-15"), 2, true, true), Err(RampUpError::Trial));
        assert_eq!(RampUpError::TooLong.to_string(), "A ramp-up period lasts at most 3 months.");
        assert!(RampUpError::NoMinimumCommitment.to_string().contains("minimum commitment"));
        assert!(RampUpError::Trial.to_string().contains("Trial"));
    }

    #[test]
    fn extending_moves_the_current_end_within_three_months_of_the_start() {
        let start = d("2026-10-15");
        let today = d(TODAY);
        assert_eq!(extend_ramp_up(start, Some(d("2026-12-15")), 1, today), Ok(d("2027-01-15")));
        let err = extend_ramp_up(start, Some(d("2026-12-15")), 2, today).unwrap_err();
        assert_eq!(
            err,
            RampUpError::BeyondLimit {
                limit: d("2027-01-15"),
                end: d("2026-12-15"),
                months: 2,
                new_end: d("2027-02-15")
            }
        );
        assert!(err.to_string().contains("at most 3 months after the start (2027-01-15)"), "{err}");
        let err = extend_ramp_up(start, Some(d("2026-11-15")), 1, today).unwrap_err();
        assert_eq!(err, RampUpError::Ended { end: d("2026-11-15") });
        assert!(err.to_string().contains("cannot be re-activated"), "{err}");
        assert_eq!(extend_ramp_up(start, None, 1, today), Err(RampUpError::NoneToExtend));
        assert_eq!(extend_ramp_up(start, Some(d("2026-12-15")), 0, today), Err(RampUpError::ExtensionMonths));
        // Month ends: 31 Jan start, 1 month → 28 Feb; +1 → 28 Mar (the current end plus a month).
        assert_eq!(extend_ramp_up(d("2027-01-31"), Some(d("2027-02-28")), 1, today), Ok(d("2027-03-28")));
    }

    #[test]
    fn the_ramp_up_waives_from_the_start_until_its_end() {
        let (start, end) = (d("2026-10-01"), Some(d("2026-12-01")));
        assert!(ramp_up_waives(start, end, d("2026-10-01")));
        assert!(ramp_up_waives(start, end, d("2026-11-30")));
        assert!(!ramp_up_waives(start, end, d("2026-12-01")));
        assert!(!ramp_up_waives(start, None, d("2026-10-01")));
    }

    #[test]
    fn each_future_action_is_scheduled_when_it_should_run() {
        let today = d(TODAY);
        let end = check_schedule(&target(), &ask(FutureActionType::CancellationOnEnd, None, None), today).unwrap();
        assert_eq!(end.scheduled_at, start_of(d("2027-01-01")));
        let qty = check_schedule(&target(), &ask(FutureActionType::ChangeQtyOnNext, None, Some(4)), today).unwrap();
        assert_eq!((qty.scheduled_at, qty.new_quantity), (start_of(d("2027-01-01")), Some(4)));
        let on =
            check_schedule(&target(), &ask(FutureActionType::CancellationOnSpecific, Some("2026-12-10"), None), today)
                .unwrap();
        assert_eq!(on.scheduled_at, start_of(d("2026-12-10")));
    }

    #[test]
    fn bad_schedules_are_refused_with_a_reason() {
        let today = d(TODAY);
        let specific =
            |date| check_schedule(&target(), &ask(FutureActionType::CancellationOnSpecific, date, None), today);
        assert_eq!(specific(Some(TODAY)), Err(ScheduleError::DateNotAfterToday));
        assert_eq!(ScheduleError::DateNotAfterToday.to_string(), "Choose a date after today.");
        assert_eq!(specific(Some("2026-01-01")), Err(ScheduleError::DateNotAfterToday));
        let err = specific(Some("2027-01-01")).unwrap_err();
        assert_eq!(err, ScheduleError::DateAfterTerm { term_end: d("2026-12-31") });
        assert!(err.to_string().contains("within the current term (until 2026-12-31)"), "{err}");
        assert_eq!(specific(None), Err(ScheduleError::DateMissing));
        let qty = |t: &TargetFacts, q| check_schedule(t, &ask(FutureActionType::ChangeQtyOnNext, None, q), today);
        assert_eq!(qty(&target(), Some(0)), Err(ScheduleError::QuantityOutOfRange));
        assert!(ScheduleError::QuantityOutOfRange.to_string().contains("between 1 and"));
        assert_eq!(qty(&target(), Some(100_001)), Err(ScheduleError::QuantityOutOfRange));
        assert_eq!(qty(&target(), Some(10)), Err(ScheduleError::SameQuantity(10)));
        assert_eq!(ScheduleError::SameQuantity(10).to_string(), "The quantity is already 10.");
        assert_eq!(qty(&target(), None), Err(ScheduleError::QuantityMissing));
        let no_auto_renew = qty(&TargetFacts { auto_renew: false, ..target() }, Some(4)).unwrap_err();
        assert_eq!(no_auto_renew, ScheduleError::NeedsAutoRenew);
        assert!(no_auto_renew.to_string().contains("auto-renew"));
        let not_prepaid = qty(&TargetFacts { prepaid: false, ..target() }, Some(4)).unwrap_err();
        assert_eq!(not_prepaid, ScheduleError::NotPrepaid);
        assert!(not_prepaid.to_string().contains("prepaid"));
        let suspended = TargetFacts { status: SubscriptionStatus::Suspended, ..target() };
        assert_eq!(qty(&suspended, Some(4)), Err(ScheduleError::Suspended));
        assert!(ScheduleError::Suspended.to_string().contains("resume it"));
        let no_end = TargetFacts { may_cancel_at_end: false, ..target() };
        assert_eq!(
            check_schedule(&no_end, &ask(FutureActionType::CancellationOnEnd, None, None), today),
            Err(ScheduleError::NoCancellationAtEnd)
        );
    }

    #[test]
    fn a_cancellation_on_a_date_obeys_the_cancellation_policy_on_that_date() {
        let today = d(TODAY);
        let bought_today = |kind| TargetFacts { kind, purchased_on: today, ..target() };
        let on = |t: &TargetFacts, date| {
            check_schedule(t, &ask(FutureActionType::CancellationOnSpecific, Some(date), None), today)
        };
        // Inside the 30-day return window (the purchase day is day 1: until 2026-12-25).
        for kind in [ProductKind::PerpetualLicense, ProductKind::SoftwareSubscription] {
            assert!(on(&bought_today(kind), "2026-12-25").is_ok(), "{kind}");
            let err = on(&bought_today(kind), "2026-12-26").unwrap_err();
            assert!(matches!(err, ScheduleError::NotCancellableOn { date, .. } if date == d("2026-12-26")), "{err}");
            let err = err.to_string();
            assert!(err.starts_with("It cannot be cancelled on 2026-12-26: "), "{err}");
            assert!(err.contains("2026-12-25"), "the window's last day: {err}");
        }
        let err = on(&bought_today(ProductKind::ReservedInstance), "2026-12-01").unwrap_err().to_string();
        assert!(err.contains("cannot be cancelled here"), "{err}");
        let err = on(&bought_today(ProductKind::Consumption), "2026-12-01").unwrap_err().to_string();
        assert!(err.contains("end of the billing period"), "{err}");
        for kind in [ProductKind::LicenseSubscription, ProductKind::Addon] {
            assert!(on(&bought_today(kind), "2026-12-31").is_ok(), "{kind}: any day of the term");
        }
        // The date checks come first.
        assert_eq!(on(&bought_today(ProductKind::ReservedInstance), TODAY), Err(ScheduleError::DateNotAfterToday));
    }

    #[test]
    fn one_pending_action_at_a_time() {
        let pending = TargetFacts {
            pending: Some((FutureActionType::CancellationOnSpecific, start_of(d("2026-12-10")))),
            ..target()
        };
        let err =
            check_schedule(&pending, &ask(FutureActionType::ChangeQtyOnNext, None, Some(3)), d(TODAY)).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::AlreadyScheduled {
                action_type: FutureActionType::CancellationOnSpecific,
                at: start_of(d("2026-12-10"))
            }
        );
        assert_eq!(
            err.to_string(),
            "A cancellation on a chosen date is already scheduled for 2026-12-10; revoke it first."
        );
    }

    #[test]
    fn a_pending_quantity_change_blocks_purchases_grades_suspension_and_cancellation() {
        let pending = Some((FutureActionType::ChangeQtyOnNext, start_of(d("2027-01-01"))));
        for change in [Change::QuantityPurchase, Change::Upgrade, Change::Downgrade, Change::Suspend, Change::Cancel] {
            let err = check_not_blocked(pending, change).unwrap_err();
            assert_eq!(err, Blocked { at: start_of(d("2027-01-01")), change });
            let err = err.to_string();
            assert!(err.starts_with("A quantity change is scheduled for 2027-01-01; revoke it before"), "{err}");
        }
        assert!(check_not_blocked(None, Change::Cancel).is_ok());
        let cancellation = Some((FutureActionType::CancellationOnSpecific, start_of(d("2026-12-10"))));
        assert!(check_not_blocked(cancellation, Change::QuantityPurchase).is_ok());
    }
}
