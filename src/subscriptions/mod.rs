//! Subscriptions: lifecycle, future actions, ramp-up, history, cancellation policy.

pub mod store;
