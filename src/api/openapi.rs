//! `GET /api/openapi.json`: the OpenAPI 3 document, built from the same property lists the
//! `$filter` checker and the JSON rows use, so it cannot drift from what the API does.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};

use crate::api::filter::{Property, PropertyType};
use crate::api::future_actions;
use crate::api::query::{DEFAULT_TOP, MAX_TOP};
use crate::state::AppState;

fn schema_of(property: &Property, description: &str) -> Value {
    let mut schema = match property.kind {
        PropertyType::Integer => json!({"type": "integer", "format": "int32"}),
        PropertyType::Text => json!({"type": "string"}),
        PropertyType::DateTime => json!({"type": "string", "format": "date-time"}),
        PropertyType::Choice(values) => json!({"type": "string", "enum": values}),
    };
    schema["description"] = Value::from(description);
    if property.nullable {
        schema["nullable"] = Value::from(true);
    }
    schema
}

fn object_schema(properties: &[Property], descriptions: &[&str]) -> Value {
    let mut fields = Map::new();
    for (property, description) in properties.iter().zip(descriptions) {
        fields.insert(property.name.to_string(), schema_of(property, description));
    }
    let names: Vec<&str> = properties.iter().map(|p| p.name).collect();
    json!({"type": "object", "properties": fields, "required": names})
}

fn collection_parameters(properties: &[Property]) -> Value {
    let names: Vec<&str> = properties.iter().map(|p| p.name).collect();
    json!([
        {"name": "$filter", "in": "query", "schema": {"type": "string", "maxLength": crate::api::filter::MAX_LENGTH},
         "description": format!("OData 4.01 subset: eq ne gt ge lt le, and or not, parentheses, in, contains/startswith/endswith; literals 'text', integers, true/false/null, dates and date-times (also datetime'…'). Properties (any case): {}.", names.join(", "))},
        {"name": "$orderby", "in": "query", "schema": {"type": "string"},
         "description": "Comma-separated properties, each optionally asc or desc; ties broken by id. Also spelled $orderBy."},
        {"name": "$top", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_TOP, "default": DEFAULT_TOP}},
        {"name": "$skip", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}
    ])
}

/// The whole document.
pub(crate) fn document(server_url: &str) -> Value {
    let error_response = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Stratus API", "version": "3.0"},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/oauth/token": {"post": {
                "summary": "An access token for an API client",
                "security": [{"basic": []}],
                "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "required": ["grant_type"],
                    "properties": {"grant_type": {"type": "string", "enum": ["client_credentials", "password"]},
                                   "username": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {
                    "200": {"description": "A bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}},
                    "400": {"description": "invalid_request, unsupported_grant_type (the password grant while it is off) or invalid_grant"},
                    "401": {"description": "invalid_client"},
                    "429": {"description": "Too many token requests"}
                }}},
            "/api/futureactions": {"get": {
                "summary": "Future actions the caller's account sees",
                "parameters": collection_parameters(future_actions::PROPERTIES),
                "responses": {
                    "200": {"description": "A page of future actions", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["data", "total", "top", "skip"],
                        "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/FutureAction"}},
                                       "total": {"type": "integer"}, "top": {"type": "integer"}, "skip": {"type": "integer"}}}}}},
                    "400": error_response("InvalidFilter, InvalidOrderBy or InvalidParameter, with the position"),
                    "401": error_response("No token, or a bad, expired or revoked one"),
                    "429": error_response("This client's rate limit; see Retry-After")
                }}},
            "/api/futureactions/{actionId}": {"get": {
                "summary": "One future action",
                "parameters": [{"name": "actionId", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "The future action", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FutureAction"}}}},
                    "401": error_response("No token, or a bad, expired or revoked one"),
                    "404": error_response("No such future action in the caller's scope"),
                    "429": error_response("This client's rate limit; see Retry-After")
                }}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "basic": {"type": "http", "scheme": "basic"}},
            "schemas": {
                "FutureAction": object_schema(future_actions::PROPERTIES, future_actions::DESCRIPTIONS),
                "Token": {"type": "object", "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"}, "expires_in": {"type": "integer"}}},
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "position": {"type": "integer", "nullable": true}}}}}
            }
        }
    })
}

/// `GET /api/openapi.json`.
pub(crate) async fn serve(State(state): State<AppState>) -> Json<Value> {
    Json(document(&state.settings.base_url))
}
