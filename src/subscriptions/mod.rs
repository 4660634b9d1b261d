//! Subscriptions: lifecycle with history, future actions, ramp-up periods and the
//! cancellation policy.

pub mod future_actions;
pub mod history;
pub mod lifecycle;
pub mod policy;
pub mod rules;
pub mod store;
