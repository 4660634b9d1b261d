//! The cancellation policy, in one place: per product kind, what a customer may do and
//! the message they see. Pure; the subscription page and the lifecycle both ask it.

use chrono::{Duration, NaiveDate};

use crate::entities::enums::ProductKind;
use crate::i18n::{tr, Localize};

/// Days (counting the purchase day as day 1) in which a perpetual licence or a software
/// subscription may be returned.
pub(crate) const RETURN_WINDOW_DAYS: i64 = 30;

/// When a cancellation may take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelWhen {
    /// Now.
    Immediately,
    /// At the end of the current term.
    EndOfTerm,
    /// At the end of the current billing period (consumption).
    EndOfPeriod,
}

/// What is credited when cancelling now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credit {
    None,
    Full,
    Prorated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CancellationPolicy {
    pub options: Vec<CancelWhen>,
    /// Only the whole quantity can be cancelled (no partial returns).
    pub whole_quantity_only: bool,
    /// Whether the quantity may be lowered (down to 1) instead.
    pub may_lower_quantity: bool,
    pub credit: Credit,
    /// What the customer reads, in English (the API, logs, refusals' `Display`).
    pub message: String,
    /// The same, to be said in the reader's language ([`PolicyText::localized`]).
    pub text: PolicyText,
}

/// Which cancellation-policy text applies, with its days: said in English by `Display`,
/// in the reader's language by [`PolicyText::localized`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyText {
    PerpetualReturnable { last_return_day: NaiveDate },
    PerpetualWindowEnded { last_return_day: NaiveDate },
    SoftwareCancellable { last_return_day: NaiveDate },
    SoftwareWindowEnded { last_return_day: NaiveDate, term_end: NaiveDate },
    LicenceSubscription { term_end: NaiveDate },
    Consumption { period_end: NaiveDate },
    ReservedInstance { term_end: NaiveDate },
}

impl std::fmt::Display for PolicyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyText::PerpetualReturnable { last_return_day } => write!(
                f,
                "You can return this perpetual licence for a full refund until {last_return_day} \
                 (30 days from purchase). Only the whole quantity can be returned."
            ),
            PolicyText::PerpetualWindowEnded { last_return_day } => write!(
                f,
                "This perpetual licence can no longer be returned: the 30-day refund window ended on {last_return_day}."
            ),
            PolicyText::SoftwareCancellable { last_return_day } => write!(
                f,
                "You can cancel this software subscription until {last_return_day}, effective immediately, \
                 with a prorated credit for the unused time. Only the whole quantity can be cancelled."
            ),
            PolicyText::SoftwareWindowEnded { last_return_day, term_end } => write!(
                f,
                "The return window of this software subscription ended on {last_return_day}; \
                 it stays active until its term ends on {term_end}."
            ),
            PolicyText::LicenceSubscription { term_end } => write!(
                f,
                "Cancel now (with a prorated credit) or at the end of the term on {term_end}. \
                 You can also lower the quantity, down to 1."
            ),
            PolicyText::Consumption { period_end } => write!(
                f,
                "Consumption subscriptions are cancelled at the end of the billing period ({period_end}); \
                 usage up to then is billed."
            ),
            PolicyText::ReservedInstance { term_end } => write!(
                f,
                "A reserved instance runs for its whole term (until {term_end}) and cannot be cancelled here. \
                 Microsoft may allow an exchange or a prorated refund under its own rules (a yearly refund \
                 limit applies); contact support to ask."
            ),
        }
    }
}

impl PolicyText {
    /// The policy in the reader's language, its days in the reader's format.
    pub(crate) fn localized(&self, loc: &impl Localize) -> String {
        match *self {
            PolicyText::PerpetualReturnable { last_return_day } => {
                tr!(loc, "subscription-policy-perpetual-returnable", last_day = loc.day(last_return_day))
            }
            PolicyText::PerpetualWindowEnded { last_return_day } => {
                tr!(loc, "subscription-policy-perpetual-window-ended", last_day = loc.day(last_return_day))
            }
            PolicyText::SoftwareCancellable { last_return_day } => {
                tr!(loc, "subscription-policy-software-cancellable", last_day = loc.day(last_return_day))
            }
            PolicyText::SoftwareWindowEnded { last_return_day, term_end } => tr!(
                loc,
                "subscription-policy-software-window-ended",
                last_day = loc.day(last_return_day),
                term_end = loc.day(term_end)
            ),
            PolicyText::LicenceSubscription { term_end } => {
                tr!(loc, "subscription-policy-licence", term_end = loc.day(term_end))
            }
            PolicyText::Consumption { period_end } => {
                tr!(loc, "subscription-policy-consumption", period_end = loc.day(period_end))
            }
            PolicyText::ReservedInstance { term_end } => {
                tr!(loc, "subscription-policy-reserved-instance", term_end = loc.day(term_end))
            }
        }
    }
}

impl CancellationPolicy {
    pub(crate) fn allows(&self, when: CancelWhen) -> bool {
        self.options.contains(&when)
    }
}

/// The last day of the month `day` is in: where a consumption billing period ends.
pub(crate) fn end_of_billing_period(day: NaiveDate) -> NaiveDate {
    super::rules::last_of_month(day)
}

/// The policy for a subscription of `kind` bought on `purchased_on`, seen on `today`.
pub(crate) fn cancellation_policy(
    kind: ProductKind,
    purchased_on: NaiveDate,
    term_end: NaiveDate,
    today: NaiveDate,
) -> CancellationPolicy {
    let last_return_day = purchased_on + Duration::days(RETURN_WINDOW_DAYS - 1);
    let in_window = today >= purchased_on && today <= last_return_day;
    let none = |text: PolicyText| CancellationPolicy {
        options: vec![],
        whole_quantity_only: true,
        may_lower_quantity: false,
        credit: Credit::None,
        message: text.to_string(),
        text,
    };
    match kind {
        ProductKind::PerpetualLicense if in_window => {
            let text = PolicyText::PerpetualReturnable { last_return_day };
            CancellationPolicy {
                options: vec![CancelWhen::Immediately],
                whole_quantity_only: true,
                may_lower_quantity: false,
                credit: Credit::Full,
                message: text.to_string(),
                text,
            }
        }
        ProductKind::PerpetualLicense => none(PolicyText::PerpetualWindowEnded { last_return_day }),
        ProductKind::SoftwareSubscription if in_window => {
            let text = PolicyText::SoftwareCancellable { last_return_day };
            CancellationPolicy {
                options: vec![CancelWhen::Immediately],
                whole_quantity_only: true,
                may_lower_quantity: false,
                credit: Credit::Prorated,
                message: text.to_string(),
                text,
            }
        }
        ProductKind::SoftwareSubscription => none(PolicyText::SoftwareWindowEnded { last_return_day, term_end }),
        ProductKind::LicenseSubscription | ProductKind::Addon => {
            let text = PolicyText::LicenceSubscription { term_end };
            CancellationPolicy {
                options: vec![CancelWhen::Immediately, CancelWhen::EndOfTerm],
                whole_quantity_only: false,
                may_lower_quantity: true,
                credit: Credit::Prorated,
                message: text.to_string(),
                text,
            }
        }
        ProductKind::Consumption => {
            let text = PolicyText::Consumption { period_end: end_of_billing_period(today) };
            CancellationPolicy {
                options: vec![CancelWhen::EndOfPeriod],
                whole_quantity_only: true,
                may_lower_quantity: false,
                credit: Credit::None,
                message: text.to_string(),
                text,
            }
        }
        ProductKind::ReservedInstance => none(PolicyText::ReservedInstance { term_end }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const BOUGHT: &str = "2026-11-01";
    const TERM_END: &str = "2027-10-31";

    fn on_day(kind: ProductKind, day: i64) -> CancellationPolicy {
        cancellation_policy(kind, d(BOUGHT), d(TERM_END), d(BOUGHT) + Duration::days(day - 1))
    }

    #[test]
    fn a_perpetual_licence_is_refunded_in_full_within_30_days_whole_quantity_only() {
        let day1 = on_day(ProductKind::PerpetualLicense, 1);
        assert_eq!(day1.options, vec![CancelWhen::Immediately]);
        assert_eq!(day1.credit, Credit::Full);
        assert!(day1.whole_quantity_only);
        assert!(day1.message.contains("full refund until 2026-11-30"), "{}", day1.message);
        assert_eq!(on_day(ProductKind::PerpetualLicense, 30).options, vec![CancelWhen::Immediately]);
        let day31 = on_day(ProductKind::PerpetualLicense, 31);
        assert!(day31.options.is_empty());
        assert_eq!(
            day31.message,
            "This perpetual licence can no longer be returned: the 30-day refund window ended on 2026-11-30."
        );
    }

    #[test]
    fn a_software_subscription_has_a_prorated_return_window_immediate_only() {
        let day1 = on_day(ProductKind::SoftwareSubscription, 1);
        assert_eq!((day1.options.clone(), day1.credit), (vec![CancelWhen::Immediately], Credit::Prorated));
        assert!(day1.message.contains("prorated credit"));
        let day31 = on_day(ProductKind::SoftwareSubscription, 31);
        assert!(day31.options.is_empty());
        assert!(day31.message.contains("ended on 2026-11-30") && day31.message.contains("2027-10-31"));
    }

    #[test]
    fn licence_subscriptions_cancel_now_or_at_term_end_and_may_lower_the_quantity() {
        for day in [1, 31, 300] {
            let policy = on_day(ProductKind::LicenseSubscription, day);
            assert_eq!(policy.options, vec![CancelWhen::Immediately, CancelWhen::EndOfTerm]);
            assert!(policy.may_lower_quantity && !policy.whole_quantity_only);
            assert!(policy.message.contains("end of the term on 2027-10-31"));
        }
        assert_eq!(on_day(ProductKind::Addon, 40).options, vec![CancelWhen::Immediately, CancelWhen::EndOfTerm]);
    }

    #[test]
    fn consumption_cancels_at_the_end_of_the_billing_period() {
        let policy = cancellation_policy(ProductKind::Consumption, d(BOUGHT), d(TERM_END), d("2027-02-10"));
        assert_eq!(policy.options, vec![CancelWhen::EndOfPeriod]);
        assert!(policy.message.contains("(2027-02-28)") && policy.message.contains("usage up to then is billed"));
        assert_eq!(end_of_billing_period(d("2028-02-03")), d("2028-02-29"));
    }

    #[test]
    fn reserved_instances_say_honestly_that_they_cannot_be_cancelled_here() {
        let policy = on_day(ProductKind::ReservedInstance, 1);
        assert!(policy.options.is_empty());
        assert!(policy.message.contains("cannot be cancelled here"));
    }
}
