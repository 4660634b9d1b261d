//! REST API v3.0: tokens, `$filter`/`$orderby`/`$top`/`$skip` over the future-actions
//! resource, scoping, JSON errors with positions, the rate limit, the password grant,
//! API clients from the UI and the command line, and hostile input.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;
use stratus::api::filter::{Property, PropertyType};
use stratus::entities::enums::{FutureActionStatus, FutureActionType};
use stratus::entities::{api_tokens, future_actions, subscription_addons, subscriptions};

use crate::support::{command_line, TestApp};

struct Client {
    id: String,
    secret: String,
}

async fn client_for(app: &TestApp, code: &str) -> Client {
    let account = app.account(code).await;
    let new =
        stratus::api::clients::create(&app.db, &command_line(), &account, &format!("{code} tests")).await.unwrap();
    Client { id: new.client.client_id, secret: new.secret }
}

async fn token_response(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url("/oauth/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn token_for(app: &TestApp, client: &Client) -> String {
    let response = token_response(app, client, &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    body["access_token"].as_str().unwrap().to_string()
}

async fn call(app: &TestApp, token: Option<&str>, path_and_query: &str) -> (StatusCode, Value) {
    let mut request = app.client.get(app.url(path_and_query));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn encode(text: &str) -> String {
    stratus::error::encode_query_value(text)
}

fn ids(body: &Value) -> Vec<i64> {
    body["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

/// Adds executed and revoked actions (many may exist per subscription) so lists have
/// ties, nulls and several pages; every fourth is on an add-on. Created and updated times
/// differ from row to row and from each other, so no date-time property can stand in for
/// another.
async fn more_actions(app: &TestApp, count: usize) {
    let subscriptions =
        subscriptions::Entity::find().order_by_asc(subscriptions::Column::Id).all(&app.db).await.unwrap();
    let addons =
        subscription_addons::Entity::find().order_by_asc(subscription_addons::Column::Id).all(&app.db).await.unwrap();
    assert!(!addons.is_empty(), "the demo has add-ons");
    let base = Utc::now();
    for i in 0..count {
        let (subscription, addon) = if i % 4 == 3 {
            let addon = &addons[i % addons.len()];
            (subscriptions.iter().find(|s| s.id == addon.subscription_id).unwrap(), Some(addon))
        } else {
            (&subscriptions[i % subscriptions.len()], None)
        };
        let change = i % 3 == 0;
        future_actions::ActiveModel {
            subscription_id: Set(subscription.id),
            addon_id: Set(addon.map(|a| a.id)),
            account_id: Set(subscription.account_id),
            action_type: Set(if change {
                FutureActionType::ChangeQtyOnNext
            } else {
                FutureActionType::CancellationOnSpecific
            }),
            status: Set(if i % 2 == 0 { FutureActionStatus::Executed } else { FutureActionStatus::Revoked }),
            scheduled_at: Set(base + Duration::days((i % 7) as i64 * 10)),
            new_quantity: Set(change.then_some((i % 4) as i32 + 1)),
            result: Set(None),
            created_by: Set(None),
            claimed_at: Set(None),
            executed_at: Set(None),
            created_at: Set(base - Duration::hours(((i * 7) % 11) as i64)),
            updated_at: Set(base - Duration::minutes(((i * 5) % 13) as i64)),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
}

/// A property's value as the contract defines it, computed from the rows read with plain
/// sea-orm queries: nothing of the API's SQL mapping, JSON or enum spelling is used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Null,
    Int(i64),
    Text(String),
    Time(chrono::DateTime<Utc>),
}

/// Every future action (the provider sees them all) as property name → value.
async fn oracle(app: &TestApp) -> Vec<BTreeMap<&'static str, Expected>> {
    use stratus::entities::accounts;
    let actions = future_actions::Entity::find().all(&app.db).await.unwrap();
    let subscriptions = subscriptions::Entity::find().all(&app.db).await.unwrap();
    let addons = subscription_addons::Entity::find().all(&app.db).await.unwrap();
    let accounts = accounts::Entity::find().all(&app.db).await.unwrap();
    let int = |n: i32| Expected::Int(n.into());
    let text = |t: &str| Expected::Text(t.to_string());
    actions
        .iter()
        .map(|action| {
            let subscription = subscriptions.iter().find(|s| s.id == action.subscription_id).unwrap();
            let addon = action.addon_id.map(|id| addons.iter().find(|a| a.id == id).unwrap());
            let account = accounts.iter().find(|a| a.id == action.account_id).unwrap();
            let mut row = BTreeMap::new();
            for property in stratus::api::future_actions::PROPERTIES {
                let value = match property.name {
                    "id" => int(action.id),
                    "actionType" => text(match action.action_type {
                        FutureActionType::CancellationOnEnd => "CancellationOnEnd",
                        FutureActionType::ChangeQtyOnNext => "ChangeQtyOnNext",
                        FutureActionType::CancellationOnSpecific => "CancellationOnSpecific",
                    }),
                    "status" => text(match action.status {
                        FutureActionStatus::Pending => "Pending",
                        FutureActionStatus::Executed => "Executed",
                        FutureActionStatus::Revoked => "Revoked",
                        FutureActionStatus::Failed => "Failed",
                    }),
                    "scheduledDate" => Expected::Time(action.scheduled_at),
                    "target" => text(if addon.is_some() { "Addon" } else { "Subscription" }),
                    "subscriptionId" => int(subscription.id),
                    "subscriptionName" => text(&subscription.name),
                    "addonId" => addon.map_or(Expected::Null, |a| int(a.id)),
                    "addonName" => addon.map_or(Expected::Null, |a| text(&a.name)),
                    "accountId" => int(account.id),
                    "accountName" => text(&account.name),
                    "quantity" => int(addon.map_or(subscription.quantity, |a| a.quantity)),
                    "newQuantity" => action.new_quantity.map_or(Expected::Null, int),
                    "createdAt" => Expected::Time(action.created_at),
                    "updatedAt" => Expected::Time(action.updated_at),
                    other => panic!("the oracle does not know {other}: add it"),
                };
                row.insert(property.name, value);
            }
            row
        })
        .collect()
}

/// A property of an API row, read back into the oracle's terms.
fn read_back(property: &Property, value: &Value) -> Expected {
    match (property.kind, value) {
        (_, Value::Null) => Expected::Null,
        (PropertyType::Integer, value) => Expected::Int(value.as_i64().unwrap()),
        (PropertyType::DateTime, value) => {
            Expected::Time(chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().with_timezone(&Utc))
        }
        (_, value) => Expected::Text(value.as_str().unwrap().to_string()),
    }
}

/// The value as a `$filter` literal.
fn literal(value: &Expected) -> String {
    match value {
        Expected::Null => "null".into(),
        Expected::Int(n) => n.to_string(),
        Expected::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Expected::Time(t) => format!("datetime'{}'", t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    }
}

/// OData 4.01's comparison: null equals only null and is unequal to every value; an
/// ordering comparison with null is false.
fn odata_compare(op: &str, left: &Expected, right: &Expected) -> bool {
    match (op, left, right) {
        ("eq", l, r) => l == r,
        ("ne", l, r) => l != r,
        (_, Expected::Null, _) | (_, _, Expected::Null) => false,
        ("gt", l, r) => l > r,
        ("ge", l, r) => l >= r,
        ("lt", l, r) => l < r,
        ("le", l, r) => l <= r,
        (op, _, _) => panic!("{op}"),
    }
}

#[tokio::test]
async fn every_property_reads_orders_and_filters_like_an_independent_computation() {
    let app = TestApp::start().await;
    more_actions(&app, 30).await;
    let token = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let rows = oracle(&app).await;
    let id_of = |row: &BTreeMap<&str, Expected>| match row["id"] {
        Expected::Int(id) => id,
        _ => unreachable!(),
    };
    let list = |query: String| {
        let (app, token) = (&app, &token);
        async move {
            let (status, body) = call(app, Some(token), &format!("/api/futureactions?$top=500&{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            assert_eq!(body["total"].as_u64().unwrap() as usize, body["data"].as_array().unwrap().len(), "{query}");
            body
        }
    };

    // Every property of every row is what the rows say.
    let body = list(String::new()).await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), rows.len());
    for row in &rows {
        let id = id_of(row);
        let answered = data.iter().find(|r| r["id"].as_i64() == Some(id)).unwrap();
        for property in stratus::api::future_actions::PROPERTIES {
            assert_eq!(read_back(property, &answered[property.name]), row[property.name], "{} of {id}", property.name);
        }
        assert_eq!(answered.as_object().unwrap().len(), rows[0].len(), "{id}: the contract's properties, no more");
    }
    assert!(rows.iter().any(|r| r["target"] == Expected::Text("Addon".into())), "add-on actions are covered");

    for property in stratus::api::future_actions::PROPERTIES {
        let name = property.name;
        // Ordering, both ways: nulls first ascending and last descending, ties by id.
        for descending in [false, true] {
            let mut expected: Vec<(Expected, i64)> = rows.iter().map(|r| (r[name].clone(), id_of(r))).collect();
            expected.sort_by(|a, b| if descending { b.0.cmp(&a.0).then(a.1.cmp(&b.1)) } else { a.cmp(b) });
            let order = format!("{name} {}", if descending { "desc" } else { "asc" });
            let body = list(format!("$orderby={}", encode(&order))).await;
            assert_eq!(ids(&body), expected.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "$orderby={order}");
        }

        // $filter on the property: each comparison against values the rows have, and its negation.
        let mut values: Vec<Expected> = rows.iter().map(|r| r[name].clone()).filter(|v| *v != Expected::Null).collect();
        values.sort();
        values.dedup();
        let samples = [values[0].clone(), values[values.len() / 2].clone(), values[values.len() - 1].clone()];
        type Check = Box<dyn Fn(&Expected) -> Option<bool>>;
        let mut cases: Vec<(String, Check)> = Vec::new();
        let ordered = !matches!(property.kind, PropertyType::Choice(_));
        for sample in &samples {
            for op in ["eq", "ne", "gt", "ge", "lt", "le"] {
                if !ordered && !matches!(op, "eq" | "ne") {
                    continue;
                }
                let sample = sample.clone();
                cases.push((
                    format!("{name} {op} {}", literal(&sample)),
                    Box::new(move |v| Some(odata_compare(op, v, &sample))),
                ));
            }
        }
        let (first, last) = (samples[0].clone(), samples[2].clone());
        cases.push((
            format!("{name} in ({}, {})", literal(&first), literal(&last)),
            Box::new(move |v| Some(*v == first || *v == last)),
        ));
        if property.nullable {
            cases.push((format!("{name} eq null"), Box::new(|v| Some(*v == Expected::Null))));
            cases.push((format!("{name} ne null"), Box::new(|v| Some(*v != Expected::Null))));
        }
        if property.kind == PropertyType::Text {
            let Expected::Text(sample) = &samples[1] else { unreachable!() };
            let chars: Vec<char> = sample.chars().collect();
            let part =
                |from: usize, to: usize| chars[from.min(chars.len())..to.min(chars.len())].iter().collect::<String>();
            type Matches = fn(&str, &str) -> bool;
            let functions: [(&str, String, Matches); 3] = [
                ("contains", part(1, 4), |t, p| t.contains(p)),
                ("startswith", part(0, 3), |t, p| t.starts_with(p)),
                ("endswith", part(chars.len().saturating_sub(3), chars.len()), |t, p| t.ends_with(p)),
            ];
            for (function, piece, matches) in functions {
                let filter = format!("{function}({name},{})", literal(&Expected::Text(piece.clone())));
                // On null a function is null (unknown), as in OData.
                cases.push((
                    filter,
                    Box::new(move |v| match v {
                        Expected::Text(t) => Some(matches(t, &piece)),
                        _ => None,
                    }),
                ));
            }
        }
        for (filter, check) in &cases {
            for negated in [false, true] {
                let text = if negated { format!("not ({filter})") } else { filter.clone() };
                let body = list(format!("$filter={}", encode(&text))).await;
                let got: BTreeSet<i64> = ids(&body).into_iter().collect();
                let want: BTreeSet<i64> = rows
                    .iter()
                    .filter(|r| {
                        let result = check(&r[name]);
                        if negated { result.map(|b| !b) } else { result }.unwrap_or(false)
                    })
                    .map(id_of)
                    .collect();
                assert_eq!(got, want, "$filter={text}");
            }
        }
    }
}

#[tokio::test]
async fn every_operator_and_literal_selects_what_it_says() {
    let app = TestApp::start().await;
    more_actions(&app, 20).await;
    let token = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let (status, all) = call(&app, Some(&token), "/api/futureactions?$top=500").await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<Value> = all["data"].as_array().unwrap().clone();
    assert_eq!(all["total"].as_i64().unwrap() as usize, rows.len());
    assert_eq!((all["top"].as_i64(), all["skip"].as_i64()), (Some(500), Some(0)));
    assert_eq!(rows.len(), 24, "the demo's four and twenty more");
    let first = &rows[0];
    for property in stratus::api::future_actions::PROPERTIES {
        assert!(first.get(property.name).is_some(), "{} is in every row", property.name);
    }
    let contoso_id = rows.iter().find(|r| r["accountName"] == "Contoso Chile").unwrap()["accountId"].as_i64().unwrap();
    let in_ten_days = (Utc::now() + Duration::days(10)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let date = |r: &Value| chrono::DateTime::parse_from_rfc3339(r["scheduledDate"].as_str().unwrap()).unwrap();
    let limit = chrono::DateTime::parse_from_rfc3339(&format!("{in_ten_days}Z")).unwrap();
    type Check = Box<dyn Fn(&Value) -> bool>;
    let cases: Vec<(String, Check)> = vec![
        ("actionType eq 'ChangeQtyOnNext'".into(), Box::new(|r| r["actionType"] == "ChangeQtyOnNext")),
        ("status ne 'Executed'".into(), Box::new(|r| r["status"] != "Executed")),
        (format!("accountId gt {contoso_id}"), Box::new(move |r| r["accountId"].as_i64().unwrap() > contoso_id)),
        (format!("accountId ge {contoso_id}"), Box::new(move |r| r["accountId"].as_i64().unwrap() >= contoso_id)),
        ("quantity lt 10".into(), Box::new(|r| r["quantity"].as_i64().unwrap() < 10)),
        ("quantity le 10".into(), Box::new(|r| r["quantity"].as_i64().unwrap() <= 10)),
        (format!("scheduledDate lt datetime'{in_ten_days}'"), Box::new(move |r| date(r) < limit)),
        (format!("scheduledDate ge {in_ten_days}Z"), Box::new(move |r| date(r) >= limit)),
        ("scheduledDate gt 2000-01-01".into(), Box::new(|_| true)),
        ("scheduledDate lt datetime'2000-01-01'".into(), Box::new(|_| false)),
        ("newQuantity eq null".into(), Box::new(|r| r["newQuantity"].is_null())),
        (
            "newQuantity ne null and newQuantity ge 3".into(),
            Box::new(|r| r["newQuantity"].as_i64().is_some_and(|q| q >= 3)),
        ),
        ("target eq 'Addon'".into(), Box::new(|r| r["target"] == "Addon" && !r["addonId"].is_null())),
        ("addonName ne null".into(), Box::new(|r| !r["addonName"].is_null())),
        (
            "actionType in ('CancellationOnEnd','CancellationOnSpecific')".into(),
            Box::new(|r| r["actionType"] == "CancellationOnEnd" || r["actionType"] == "CancellationOnSpecific"),
        ),
        ("not (status eq 'Pending')".into(), Box::new(|r| r["status"] != "Pending")),
        (
            "not contains(accountName,'Chile')".into(),
            Box::new(|r| !r["accountName"].as_str().unwrap().contains("Chile")),
        ),
        ("contains(accountName,'Chile')".into(), Box::new(|r| r["accountName"].as_str().unwrap().contains("Chile"))),
        ("contains(accountName,'chile')".into(), Box::new(|_| false)),
        (
            "startswith(subscriptionName,'Microsoft 365')".into(),
            Box::new(|r| r["subscriptionName"].as_str().unwrap().starts_with("Microsoft 365")),
        ),
        ("endswith(accountName,'Toys')".into(), Box::new(|r| r["accountName"].as_str().unwrap().ends_with("Toys"))),
        (
            "((status eq 'Pending' or status eq 'Revoked') and (not (quantity gt 20)))".into(),
            Box::new(|r| {
                (r["status"] == "Pending" || r["status"] == "Revoked") && r["quantity"].as_i64().unwrap() <= 20
            }),
        ),
        (
            "status eq 'Pending' or status eq 'Revoked' and actionType eq 'ChangeQtyOnNext'".into(),
            Box::new(|r| {
                r["status"] == "Pending" || (r["status"] == "Revoked" && r["actionType"] == "ChangeQtyOnNext")
            }),
        ),
        (
            "ACTIONTYPE eq 'ChangeQtyOnNext' AND AccountName ne 'x'".into(),
            Box::new(|r| r["actionType"] == "ChangeQtyOnNext"),
        ),
        ("accountName eq 'O''Brien'".into(), Box::new(|_| false)),
        ("true".into(), Box::new(|_| true)),
    ];
    for (filter, check) in cases {
        let (status, body) =
            call(&app, Some(&token), &format!("/api/futureactions?$top=500&$filter={}", encode(&filter))).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {body}");
        let got: BTreeSet<i64> = ids(&body).into_iter().collect();
        let want: BTreeSet<i64> = rows.iter().filter(|r| check(r)).map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(got, want, "{filter}");
        assert_eq!(body["total"].as_i64().unwrap() as usize, want.len(), "{filter}");
    }
    let (_, one) = call(&app, Some(&token), &format!("/api/futureactions/{}", rows[0]["id"])).await;
    assert_eq!(one, rows[0]);
}

#[tokio::test]
async fn every_property_orders_both_ways_with_stable_pages() {
    let app = TestApp::start().await;
    more_actions(&app, 30).await;
    let token = token_for(&app, &client_for(&app, "STRATUS").await).await;
    for property in stratus::api::future_actions::PROPERTIES {
        let mut groups = Vec::new();
        for direction in ["asc", "desc"] {
            let order = format!("{} {direction}", property.name.to_uppercase());
            let (status, full) =
                call(&app, Some(&token), &format!("/api/futureactions?$top=500&$orderby={}", encode(&order))).await;
            assert_eq!(status, StatusCode::OK, "{order}: {full}");
            let rows = full["data"].as_array().unwrap().clone();
            // Page by page, seven at a time, gives the same rows in the same order.
            let mut paged = Vec::new();
            for skip in (0..rows.len()).step_by(7) {
                let (_, page) = call(
                    &app,
                    Some(&token),
                    &format!("/api/futureactions?$top=7&$skip={skip}&$orderBy={}", encode(&order)),
                )
                .await;
                paged.extend(ids(&page));
            }
            assert_eq!(paged, ids(&full), "{order}");
            // Ties are broken by id, ascending.
            for pair in rows.windows(2) {
                if pair[0][property.name] == pair[1][property.name] {
                    assert!(pair[0]["id"].as_i64() < pair[1]["id"].as_i64(), "{order}: ties by id");
                }
            }
            let mut values: Vec<Value> = rows.iter().map(|r| r[property.name].clone()).collect();
            values.dedup();
            groups.push(values);
        }
        let (ascending, mut descending) = (groups[0].clone(), groups[1].clone());
        descending.reverse();
        assert_eq!(ascending, descending, "{}: desc is asc turned around", property.name);
        if ascending.iter().all(|v| v.is_i64() || v.is_null()) {
            let numbers: Vec<i64> = ascending.iter().map(|v| v.as_i64().unwrap_or(i64::MIN)).collect();
            assert!(
                numbers.windows(2).all(|w| w[0] < w[1]),
                "{}: nulls first, then rising: {numbers:?}",
                property.name
            );
        }
    }
    let (_, body) = call(&app, Some(&token), "/api/futureactions?$orderby=scheduledDate%20desc,accountName").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 34);
}

#[tokio::test]
async fn top_and_skip_have_bounds_and_errors_say_where() {
    let app = TestApp::start().await;
    more_actions(&app, 60).await;
    let token = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let (_, body) = call(&app, Some(&token), "/api/futureactions").await;
    assert_eq!(
        (body["data"].as_array().unwrap().len(), body["top"].as_i64(), body["total"].as_i64()),
        (50, Some(50), Some(64))
    );
    let (_, body) = call(&app, Some(&token), "/api/futureactions?$top=500&$skip=60").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 4);
    let (_, body) = call(&app, Some(&token), "/api/futureactions?$top=0").await;
    assert_eq!((body["data"].as_array().unwrap().len(), body["total"].as_i64()), (0, Some(64)));
    let cases: &[(&str, &str, Option<i64>, &str)] = &[
        ("$top=501", "InvalidParameter", None, "$top must be a whole number from 0 to 500."),
        ("$top=-1", "InvalidParameter", None, "$top must be"),
        ("$skip=x", "InvalidParameter", None, "$skip must be"),
        ("$select=id", "InvalidParameter", None, "Unknown parameter $select"),
        ("$filter=quantity%20eq%20'x'", "InvalidFilter", Some(12), "quantity is an integer"),
        ("$filter=status%20eq%20'Pending'%20and%20(id%20gt%201", "InvalidFilter", Some(32), "Expected “)”"),
        ("$filter=nosuch%20eq%201", "InvalidFilter", Some(0), "Unknown property “nosuch”"),
        ("$filter=scheduledDate%20lt%20datetime'2021-02-30'", "InvalidFilter", Some(17), "is not a date"),
        ("$orderby=id%20desc,%20wrong", "InvalidOrderBy", Some(9), "Unknown property “wrong”"),
        ("$orderby=id%20upwards", "InvalidOrderBy", Some(3), "Expected asc or desc"),
    ];
    for (query, code, position, message) in cases {
        let (status, body) = call(&app, Some(&token), &format!("/api/futureactions?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body["error"]["code"], *code, "{query}: {body}");
        assert_eq!(body["error"]["position"].as_i64(), *position, "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(message), "{query}: {body}");
    }
}

#[tokio::test]
async fn tokens_are_required_valid_unexpired_and_die_with_their_client() {
    let app = TestApp::start().await;
    let (status, body) = call(&app, None, "/api/futureactions").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "Unauthorized");
    let response = app.client.get(app.url("/api/futureactions")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(call(&app, Some("made-up-token"), "/api/futureactions").await.0, StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .get(app.url("/api/futureactions"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // The token endpoint refuses wrong secrets, unknown clients and unknown grants.
    let client = client_for(&app, "STRATUS").await;
    let wrong = Client { id: client.id.clone(), secret: "guess".into() };
    let response = token_response(&app, &wrong, &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_client");
    let response = token_response(&app, &client, &[("grant_type", "authorization_code")]).await;
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    let response =
        app.client.post(app.url("/oauth/token")).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let token = token_for(&app, &client).await;
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.0, StatusCode::OK);
    let hashed = stratus::api::clients::hash(&token);
    assert!(
        api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(&token))
            .one(&app.db)
            .await
            .unwrap()
            .is_none(),
        "stored hashed"
    );
    let stored = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(&hashed))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut expired: api_tokens::ActiveModel = stored.into();
    expired.expires_at = Set(Utc::now() - Duration::seconds(1));
    expired.update(&app.db).await.unwrap();
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.0, StatusCode::UNAUTHORIZED, "expired");

    // Revoked from the UI: the token stops working at once.
    let token = token_for(&app, &client).await;
    app.sign_in("admin@stratus.demo").await;
    let (_, page) = app.page("/api-clients").await;
    assert!(page.contains(&client.id));
    let row = stratus::entities::api_clients::Entity::find()
        .filter(stratus::entities::api_clients::Column::ClientId.eq(&client.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let response = app.submit("/api-clients", &format!("/api-clients/{}/revoke", row.id), &[("confirm", "yes")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.0, StatusCode::UNAUTHORIZED, "revoked");
    let response = token_response(&app, &client, &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "a revoked client gets no new token");
}

#[tokio::test]
async fn a_reseller_sees_its_customers_actions_and_nobody_elses() {
    let app = TestApp::start().await;
    let andes = token_for(&app, &client_for(&app, "ANDES").await).await;
    let provider = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let (_, all) = call(&app, Some(&provider), "/api/futureactions").await;
    let (_, mine) = call(&app, Some(&andes), "/api/futureactions").await;
    let names: BTreeSet<&str> =
        mine["data"].as_array().unwrap().iter().map(|r| r["accountName"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["Contoso Chile"]));
    assert_eq!(mine["total"], 2);
    let fabrikam = all["data"].as_array().unwrap().iter().find(|r| r["accountName"] == "Fabrikam").unwrap();
    let (status, body) = call(&app, Some(&andes), &format!("/api/futureactions/{}", fabrikam["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "NotFound");
    assert_eq!(call(&app, Some(&andes), "/api/futureactions/999999").await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, Some(&andes), "/api/futureactions/abc").await.0, StatusCode::NOT_FOUND);
    let (_, filtered) = call(&app, Some(&andes), "/api/futureactions?$filter=accountName%20eq%20'Fabrikam'").await;
    assert_eq!(filtered["total"], 0, "a filter cannot reach outside the scope");
    let (status, _) = call(&app, Some(&provider), &format!("/api/futureactions/{}", fabrikam["id"])).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_password_grant_works_only_while_switched_on() {
    let app = TestApp::start().await;
    let andes = client_for(&app, "ANDES").await;
    let form = [("grant_type", "password"), ("username", "admin@andes.demo"), ("password", "demo-password")];
    let response = token_response(&app, &andes, &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
    assert!(body["error_description"].as_str().unwrap().contains("switched off"));

    app.sign_in("admin@stratus.demo").await;
    let response = app.submit("/api-clients", "/api-clients/password-grant", &[("enabled", "on")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = token_response(&app, &andes, &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token = response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.1["total"], 2);
    let wrong = [("grant_type", "password"), ("username", "admin@andes.demo"), ("password", "nope")];
    assert_eq!(token_response(&app, &andes, &wrong).await.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let other_account = [("grant_type", "password"), ("username", "admin@pacific.demo"), ("password", "demo-password")];
    assert_eq!(
        token_response(&app, &andes, &other_account).await.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    let andes_admin = app.new_browser();
    andes_admin.sign_in("admin@andes.demo").await;
    let (_, page) = andes_admin.page("/api-clients").await;
    assert!(!page.contains("Password grant"), "only the provider switches it");
    let response = andes_admin.submit("/api-clients", "/api-clients/password-grant", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn clients_come_from_the_ui_and_the_command_line_with_the_secret_shown_once() {
    let app = TestApp::start().await;
    let andes = app.new_browser();
    andes.sign_in("admin@andes.demo").await;
    let response = andes.submit("/api-clients", "/api-clients", &[("name", "ERP sync")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    let grab = |class: &str| {
        let start = body.find(&format!("<code class=\"{class}\">")).unwrap() + class.len() + 15;
        body[start..start + body[start..].find("</code>").unwrap()].to_string()
    };
    let client = Client { id: grab("client-id"), secret: grab("client-secret") };
    assert_eq!(call(&app, Some(&token_for(&app, &client).await), "/api/futureactions").await.1["total"], 2);
    let (_, again) = andes.page("/api-clients").await;
    assert!(again.contains(&client.id) && !again.contains(&client.secret), "the secret is not shown again");
    let response = andes.submit("/api-clients", "/api-clients", &[("name", "ERP sync")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ana = app.new_browser();
    ana.sign_in("ana@contoso.demo").await;
    assert_eq!(ana.page("/api-clients").await.0, StatusCode::NOT_FOUND);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args([
            "api-client",
            "create",
            "--account",
            "PACIFIC",
            "--name",
            "Billing export",
            "--database-url",
            &app.database_url,
        ])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    let line = |prefix: &str| printed.lines().find_map(|l| l.strip_prefix(prefix)).unwrap().trim().to_string();
    let client = Client { id: line("Client id:"), secret: line("Secret (shown once):") };
    let (_, body) = call(&app, Some(&token_for(&app, &client).await), "/api/futureactions").await;
    assert_eq!(body["data"][0]["accountName"], "Fabrikam");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["api-client", "create", "--account", "CONTOSO", "--name", "x", "--database-url", &app.database_url])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not to a customer"));
}

#[tokio::test]
async fn a_client_created_or_revoked_is_in_the_audit_log_and_from_the_command_line_too() {
    let app = TestApp::start().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["api-client", "create", "--account", "PACIFIC", "--name", "Billing export"])
        .args(["--database-url", &app.database_url])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    let secret = printed.lines().find_map(|l| l.strip_prefix("Secret (shown once):")).unwrap().trim().to_string();
    let entries = app.audit_by("command line").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!((entry.action.as_str(), entry.target.as_str()), ("API client created", "API client of PACIFIC"));
    assert_eq!(entry.account_id, Some(app.account("PACIFIC").await.id));
    assert!(entry.changes.contains("name: Billing export") && entry.changes.contains("client secret: ••••••"));
    assert!(!entry.changes.contains(&secret), "the secret is never recorded");

    let pacific = app.new_browser();
    pacific.sign_in("admin@pacific.demo").await;
    let (_, page) = pacific.page("/api-clients").await;
    let id = page
        .match_indices("/api-clients/")
        .map(|(at, _)| page[at + "/api-clients/".len()..].chars().take_while(char::is_ascii_digit).collect::<String>())
        .find(|id| !id.is_empty())
        .expect("a revoke form");
    let revoke = format!("/api-clients/{id}/revoke");
    assert_eq!(pacific.submit("/api-clients", &revoke, &[("confirm", "yes")]).await.status(), StatusCode::SEE_OTHER);
    let entry = app.newest_audit().await;
    assert_eq!(
        (entry.action.as_str(), entry.actor_email.as_deref()),
        ("API client revoked", Some("admin@pacific.demo"))
    );
}

#[tokio::test]
async fn each_client_has_a_rate_limit() {
    let app = TestApp::start_with(|settings| settings.api_requests_per_minute = 3).await;
    let first = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let second = token_for(&app, &client_for(&app, "ANDES").await).await;
    for _ in 0..3 {
        assert_eq!(call(&app, Some(&first), "/api/futureactions").await.0, StatusCode::OK);
    }
    let response = app.client.get(app.url("/api/futureactions")).bearer_auth(&first).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "TooManyRequests");
    assert_eq!(
        call(&app, Some(&second), "/api/futureactions").await.0,
        StatusCode::OK,
        "another client is not held back"
    );
}

#[tokio::test]
async fn hostile_filters_answer_400_and_change_nothing() {
    let app = TestApp::start().await;
    let token = token_for(&app, &client_for(&app, "STRATUS").await).await;
    let before = future_actions::Entity::find().count(&app.db).await.unwrap();
    let deep = format!("{}id eq 1{}", "(".repeat(200), ")".repeat(200));
    let nots = "not ".repeat(5_000);
    // A URI cannot be longer than 64 KB (the http crate), so this is the longest a client can send.
    let big = format!("accountName eq '{}'", "x".repeat(60_000));
    let cases: Vec<String> = vec![
        "id eq 1; DROP TABLE future_actions; --".into(),
        "id eq 1 or 1=1".into(),
        "accountName eq '' OR '1'='1'".into(),
        "accountName eq 'x' union select * from users".into(),
        "accountName eq 'x\u{0}'".into(),
        "id eq 1\u{202e}".into(),
        "іd eq 1".into(),
        "id eq ١".into(),
        "accountName eq 'unclosed".into(),
        "contains(accountName,'%') or".into(),
        deep,
        nots,
        big,
        "(".repeat(20_000),
        ")".into(),
        "'".into(),
        "".into(),
    ];
    for filter in &cases {
        let (status, body) = call(&app, Some(&token), &format!("/api/futureactions?$filter={}", encode(filter))).await;
        let shown: String = filter.chars().take(60).collect();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{shown}: {body}");
        assert_eq!(body["error"]["code"], "InvalidFilter", "{shown}");
    }
    // A quote doubled inside a string is data, never SQL.
    let (status, body) = call(
        &app,
        Some(&token),
        &format!("/api/futureactions?$filter={}", encode("accountName eq 'x'' OR ''1''=''1'")),
    )
    .await;
    assert_eq!((status, body["total"].as_i64()), (StatusCode::OK, Some(0)));
    let (status, body) =
        call(&app, Some(&token), &format!("/api/futureactions?$filter={}", encode("contains(accountName,'%')"))).await;
    assert_eq!((status, body["total"].as_i64()), (StatusCode::OK, Some(0)), "% is a character, not a wildcard");
    // 100 KB of filter, sent by hand since no client's URI type takes it: hyper refuses the
    // request line itself, before any handler or query runs.
    let filter = encode(&format!("accountName eq '{}'", "x".repeat(100_000)));
    let request = format!(
        "GET /api/futureactions?$filter={filter} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    let status_line = raw_request(&app, request.as_bytes()).await;
    assert_eq!(status_line, "HTTP/1.1 414 URI Too Long", "the HTTP layer refuses it before any handler runs");
    assert_eq!(future_actions::Entity::find().count(&app.db).await.unwrap(), before);
}

/// Sends bytes over a plain TCP connection and returns the response's status line.
pub async fn raw_request(app: &TestApp, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url("").trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn the_openapi_document_describes_every_property() {
    let app = TestApp::start().await;
    let (status, document) = call(&app, None, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.0.3");
    let schema = &document["components"]["schemas"]["FutureAction"]["properties"];
    let names: Vec<&str> = stratus::api::future_actions::PROPERTIES.iter().map(|p| p.name).collect();
    assert_eq!(
        schema.as_object().unwrap().keys().map(String::as_str).collect::<BTreeSet<_>>(),
        names.iter().copied().collect()
    );
    assert_eq!(schema["status"]["enum"], serde_json::json!(["Pending", "Executed", "Revoked", "Failed"]));
    assert_eq!(schema["newQuantity"]["nullable"], true);
    for path in ["/oauth/token", "/api/futureactions", "/api/futureactions/{actionId}"] {
        assert!(document["paths"].get(path).is_some(), "{path}");
    }
}

#[tokio::test]
async fn a_suspended_account_or_a_deactivated_user_gets_no_api_access() {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    use stratus::entities::enums::AccountStatus;
    use stratus::entities::{accounts, users};
    let app = TestApp::start().await;
    let andes = client_for(&app, "ANDES").await;
    let token = token_for(&app, &andes).await;
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.0, StatusCode::OK);
    app.sign_in("admin@stratus.demo").await;
    app.submit("/api-clients", "/api-clients/password-grant", &[("enabled", "on")]).await;

    // The admin deactivated: no password-grant token, though the password is right.
    let admin = users::Entity::find().filter(users::Column::Email.eq("admin@andes.demo")).one(&app.db).await.unwrap();
    let mut admin: users::ActiveModel = admin.unwrap().into();
    admin.active = Set(false);
    admin.update(&app.db).await.unwrap();
    let form = [("grant_type", "password"), ("username", "admin@andes.demo"), ("password", "demo-password")];
    let refused = token_response(&app, &andes, &form).await;
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "invalid_grant");

    // The account suspended: its tokens stop working at once.
    let mut account: accounts::ActiveModel = app.account("ANDES").await.into();
    account.status = Set(AccountStatus::Suspended);
    account.update(&app.db).await.unwrap();
    assert_eq!(call(&app, Some(&token), "/api/futureactions").await.0, StatusCode::UNAUTHORIZED);
}
