//! Contract checks: a dialect's answer against the document's schema (`src/rest/contracts/`).

use medgraph::rest::{Dialect, contract};
use serde_json::{Map, Value, json};

/// A validator for `schema`, with every dialect's named structures reachable as
/// `#/components/schemas/<Name>` (as in the OpenAPI document).
pub fn validator(schema: &Value) -> jsonschema::Validator {
    let schemas: Map<String, Value> = contract::structures()
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": {"schemas": schemas}
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}"))
}

/// The violations of `data` against `schema`, one line each with the instance path.
pub fn violations(schema: &Value, data: &Value) -> Vec<String> {
    let validator = validator(schema);
    validator
        .iter_errors(data)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

/// The contract of `"METHOD /documented/path"`.
pub fn route(dialect: Dialect, route: &str) -> &'static contract::RouteContract {
    let (method, path) = route
        .split_once(' ')
        .unwrap_or_else(|| panic!("route is written \"METHOD /path\": {route}"));
    contract::route(dialect, method, path).unwrap_or_else(|| {
        panic!(
            "no contract for {route} in src/rest/contracts/{}.json",
            dialect.name()
        )
    })
}

/// Asserts that `data` (the dialect's `data`; the whole body for social) satisfies the
/// documented schema of `route` (`"METHOD /documented/path"`), listing every violation.
#[track_caller]
pub fn assert_contract(dialect: Dialect, route_key: &str, data: &Value) {
    let contract = route(dialect, route_key);
    let schema = contract
        .schema
        .as_ref()
        .unwrap_or_else(|| panic!("{route_key} has no schema in its contract"));
    let errors = violations(schema, data);
    assert!(
        errors.is_empty(),
        "{route_key} breaks its contract:\n{}\nanswer: {}",
        errors.join("\n"),
        serde_json::to_string_pretty(data).unwrap_or_default()
    );
}

/// The documented request of `route` (`path`, `query`, `body`, `headers`; missing parts are
/// empty objects).
pub fn documented_request(dialect: Dialect, route_key: &str) -> Value {
    let mut request = route(dialect, route_key).request.clone();
    if !request.is_object() {
        request = json!({});
    }
    for part in ["path", "query", "body", "headers"] {
        if request.get(part).is_none() {
            request[part] = json!({});
        }
    }
    request
}

/// The routes (`"METHOD /path"`) a contract test file checks: the first string literal after
/// each `assert_contract(` in its source.
pub fn tested_routes(source: &str) -> std::collections::BTreeSet<String> {
    source
        .split("assert_contract(")
        .skip(1)
        .filter_map(|call| call.split('"').nth(1))
        .filter(|literal| {
            literal.split_once(' ').is_some_and(|(method, path)| {
                ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method) && path.starts_with('/')
            })
        })
        .map(str::to_owned)
        .collect()
}
