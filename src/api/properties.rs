//! The property lists of the API's resources: names, types and nullability, as the
//! contract gives them. The `$filter` checker, the SQL mapping, the JSON rows and the
//! OpenAPI document all read these; the fuzz target (`fuzz/`) compiles this file beside
//! `filter.rs`, so `super::filter` is the parser in both places.

use super::filter::{Property, PropertyType};

const ACTION_TYPES: &[&str] = &["CancellationOnEnd", "ChangeQtyOnNext", "CancellationOnSpecific"];
const STATUSES: &[&str] = &["Pending", "Executed", "Revoked", "Failed"];
const TARGETS: &[&str] = &["Subscription", "Addon"];

const fn property(name: &'static str, kind: PropertyType, nullable: bool) -> Property {
    Property { name, kind, nullable }
}

/// Future actions.
pub const FUTURE_ACTIONS: &[Property] = &[
    property("id", PropertyType::Integer, false),
    property("actionType", PropertyType::Choice(ACTION_TYPES), false),
    property("status", PropertyType::Choice(STATUSES), false),
    property("scheduledDate", PropertyType::DateTime, false),
    property("target", PropertyType::Choice(TARGETS), false),
    property("subscriptionId", PropertyType::Integer, false),
    property("subscriptionName", PropertyType::Text, false),
    property("addonId", PropertyType::Integer, true),
    property("addonName", PropertyType::Text, true),
    property("accountId", PropertyType::Integer, false),
    property("accountName", PropertyType::Text, false),
    property("quantity", PropertyType::Integer, false),
    property("newQuantity", PropertyType::Integer, true),
    property("createdAt", PropertyType::DateTime, false),
    property("updatedAt", PropertyType::DateTime, false),
];
