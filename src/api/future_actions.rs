//! `GET /api/futureactions` and `GET /api/futureactions/{actionId}`: the future actions
//! the caller's account sees (a reseller: its own and its customers'), every property of
//! the contract filterable and orderable.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Alias, Expr, JoinType, NullOrdering, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};
use serde_json::{json, Map, Value as JsonValue};

use crate::accounts::scope::AccountScope;
use crate::api::filter::{PropertyType, Value};
use crate::api::query::{self, Columns, ListParams};
use crate::api::{authorize, ApiError};
use crate::entities::enums::{FutureActionStatus, FutureActionType};
use crate::entities::{accounts, future_actions, subscription_addons, subscriptions};
use crate::state::AppState;

/// The resource's properties, in the contract's order (in `properties.rs`, which the
/// fuzz target compiles too).
pub use crate::api::properties::FUTURE_ACTIONS as PROPERTIES;

/// What each property says, for the OpenAPI document.
pub(crate) const DESCRIPTIONS: &[&str] = &[
    "The future action's id.",
    "CancellationOnEnd, ChangeQtyOnNext or CancellationOnSpecific.",
    "Pending, Executed, Revoked or Failed.",
    "When it will run (term end, next renewal, or the chosen date).",
    "Subscription or Addon.",
    "The subscription it is scheduled on (or whose add-on it is).",
    "The subscription's name.",
    "The add-on, when target is Addon.",
    "The add-on's name, when target is Addon.",
    "The customer that owns the subscription.",
    "The customer's name.",
    "The subscription's (or add-on's) quantity now.",
    "The quantity it will change to (ChangeQtyOnNext only).",
    "When it was scheduled.",
    "When it last changed.",
];

const ADDON: &str = "api_addon";

struct FutureActionColumns;

impl Columns for FutureActionColumns {
    fn column(&self, index: usize) -> SimpleExpr {
        let action = |column| Expr::col((future_actions::Entity, column)).into();
        match PROPERTIES[index].name {
            "id" => action(future_actions::Column::Id),
            "actionType" => action(future_actions::Column::ActionType),
            "status" => action(future_actions::Column::Status),
            "scheduledDate" => action(future_actions::Column::ScheduledAt),
            "target" => Expr::case(
                Expr::col((future_actions::Entity, future_actions::Column::AddonId)).is_null(),
                "Subscription",
            )
            .finally("Addon")
            .into(),
            "subscriptionId" => action(future_actions::Column::SubscriptionId),
            "subscriptionName" => Expr::col((subscriptions::Entity, subscriptions::Column::Name)).into(),
            "addonId" => action(future_actions::Column::AddonId),
            "addonName" => Expr::col((Alias::new(ADDON), subscription_addons::Column::Name)).into(),
            "accountId" => action(future_actions::Column::AccountId),
            "accountName" => Expr::col((accounts::Entity, accounts::Column::Name)).into(),
            "quantity" => Expr::case(
                Expr::col((future_actions::Entity, future_actions::Column::AddonId)).is_null(),
                Expr::col((subscriptions::Entity, subscriptions::Column::Quantity)),
            )
            .finally(Expr::col((Alias::new(ADDON), subscription_addons::Column::Quantity)))
            .into(),
            "newQuantity" => action(future_actions::Column::NewQuantity),
            "createdAt" => action(future_actions::Column::CreatedAt),
            _ => action(future_actions::Column::UpdatedAt),
        }
    }

    fn db_value(&self, index: usize, value: &Value) -> sea_orm::Value {
        match value {
            Value::Integer(n) => (*n).into(),
            Value::DateTime(at) => (*at).into(),
            Value::Boolean(b) => (*b).into(),
            // Statuses are stored in lower case; the other choices as the API spells them.
            Value::Text(text) if PROPERTIES[index].name == "status" => text.to_ascii_lowercase().into(),
            Value::Text(text) => text.clone().into(),
        }
    }
}

/// The future actions in `scope`, joined with what the properties show.
fn base(scope: AccountScope) -> SelectStatement {
    let mut query = Query::select();
    query
        .from(future_actions::Entity)
        .join(
            JoinType::InnerJoin,
            subscriptions::Entity,
            Expr::col((subscriptions::Entity, subscriptions::Column::Id))
                .equals((future_actions::Entity, future_actions::Column::SubscriptionId)),
        )
        .join_as(
            JoinType::LeftJoin,
            subscription_addons::Entity,
            Alias::new(ADDON),
            Expr::col((Alias::new(ADDON), subscription_addons::Column::Id))
                .equals((future_actions::Entity, future_actions::Column::AddonId)),
        )
        .join(
            JoinType::InnerJoin,
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id))
                .equals((future_actions::Entity, future_actions::Column::AccountId)),
        )
        .cond_where(scope.condition(future_actions::Column::AccountId));
    query
}

fn select_properties(query: &mut SelectStatement) {
    for index in 0..PROPERTIES.len() {
        query.expr_as(FutureActionColumns.column(index), Alias::new(format!("p{index}")));
    }
}

/// One row as JSON, with every property of the contract.
fn to_json(row: &QueryResult) -> Result<JsonValue, sea_orm::DbErr> {
    let mut object = Map::new();
    for (index, property) in PROPERTIES.iter().enumerate() {
        let alias = format!("p{index}");
        let value = match property.kind {
            PropertyType::Integer => row.try_get::<Option<i32>>("", &alias)?.map_or(JsonValue::Null, JsonValue::from),
            PropertyType::DateTime => row
                .try_get::<Option<DateTime<Utc>>>("", &alias)?
                .map_or(JsonValue::Null, |t| JsonValue::from(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))),
            PropertyType::Text | PropertyType::Choice(_) => {
                let text: Option<String> = row.try_get("", &alias)?;
                match (property.name, text) {
                    ("status", Some(stored)) => JsonValue::from(status_name(&stored)),
                    ("actionType", Some(stored)) => JsonValue::from(
                        FutureActionType::parse(&stored).map_or(stored.clone(), |t| t.as_str().to_string()),
                    ),
                    (_, text) => text.map_or(JsonValue::Null, JsonValue::from),
                }
            }
        };
        object.insert(property.name.to_string(), value);
    }
    Ok(JsonValue::Object(object))
}

fn status_name(stored: &str) -> String {
    match FutureActionStatus::parse(stored) {
        Some(FutureActionStatus::Pending) => "Pending",
        Some(FutureActionStatus::Executed) => "Executed",
        Some(FutureActionStatus::Revoked) => "Revoked",
        Some(FutureActionStatus::Failed) => "Failed",
        None => stored,
    }
    .to_string()
}

/// A page of the collection: `{data, total, top, skip}`.
pub(crate) async fn list_page<C: ConnectionTrait>(
    db: &C,
    scope: AccountScope,
    params: &ListParams,
) -> Result<JsonValue, ApiError> {
    let backend = db.get_database_backend();
    let mut filtered = base(scope);
    if let Some(filter) = &params.filter {
        filtered.and_where(query::condition(filter, &FutureActionColumns, backend));
    }
    let mut count = filtered.clone();
    count.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"));
    let total: i64 = match db.query_one(backend.build(&count)).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let mut page = filtered;
    select_properties(&mut page);
    // Nulls sort first ascending and last descending on both databases.
    for (index, descending) in &params.order {
        let (order, nulls) =
            if *descending { (Order::Desc, NullOrdering::Last) } else { (Order::Asc, NullOrdering::First) };
        page.order_by_expr_with_nulls(FutureActionColumns.column(*index), order, nulls);
    }
    if !params.order.iter().any(|(index, _)| *index == 0) {
        page.order_by((future_actions::Entity, future_actions::Column::Id), Order::Asc);
    }
    page.limit(params.top).offset(params.skip);
    let rows = if params.top == 0 { vec![] } else { db.query_all(backend.build(&page)).await? };
    let data = rows.iter().map(to_json).collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"data": data, "total": total, "top": params.top, "skip": params.skip}))
}

/// One future action in `scope`.
pub(crate) async fn find<C: ConnectionTrait>(db: &C, scope: AccountScope, id: i32) -> Result<JsonValue, ApiError> {
    let mut one = base(scope);
    select_properties(&mut one);
    one.and_where(Expr::col((future_actions::Entity, future_actions::Column::Id)).eq(id));
    let backend = db.get_database_backend();
    match db.query_one(backend.build(&one)).await? {
        Some(row) => Ok(to_json(&row)?),
        None => Err(ApiError::not_found()),
    }
}

/// `GET /api/futureactions`.
pub(crate) async fn list(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let result = async {
        let caller = authorize(&state, &headers).await?;
        let params = query::list_params(raw.as_deref(), PROPERTIES)?;
        list_page(&state.db, caller.scope, &params).await
    }
    .await;
    match result {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /api/futureactions/{actionId}`: 404 when absent or out of scope.
pub(crate) async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let result = async {
        let caller = authorize(&state, &headers).await?;
        let id: i32 = id.parse().map_err(|_| ApiError::not_found())?;
        find(&state.db, caller.scope, id).await
    }
    .await;
    match result {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}
