//! The checked-in SDL and route documents stay in sync with the code.

use medgraph::graphql::{build_schema, build_trusted_schema, sdl};
use serde_json::Value;

#[test]
fn schema_graphql_matches_the_running_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let current = sdl();
    if checked_in != current {
        if std::env::var("UPDATE_SCHEMA").is_ok() {
            std::fs::write(path, &current).unwrap();
            return;
        }
        panic!(
            "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` \
             (or UPDATE_SCHEMA=1 cargo test schema)"
        );
    }
}

#[tokio::test]
async fn every_route_document_validates_against_the_schema() {
    let schema = build_trusted_schema(None, &medgraph::config::Config::default());
    let routes = medgraph::rest::all_routes();
    assert!(routes.len() >= 4);
    medgraph::validate_route_documents(&schema, &routes)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_broken_route_document_is_refused() {
    let schema = build_schema(None, &medgraph::config::Config::default());
    let mut route = medgraph::rest::all_routes().remove(0);
    route.document = "query { regions { nodes { noSuchField } } }";
    let err = medgraph::validate_route_documents(&schema, &[route])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("noSuchField"), "{err}");
}

/// What GraphiQL's documentation pane shows: every type, field, argument, input field and enum
/// value of the schema has a description (GraphQL's own introspection types and scalars aside).
#[tokio::test]
async fn every_type_field_argument_and_enum_value_is_described() {
    let schema = build_trusted_schema(None, &medgraph::config::Config::default());
    let query = r#"{ __schema { types {
        name kind description
        fields(includeDeprecated: true) { name description args { name description } }
        inputFields { name description }
        enumValues(includeDeprecated: true) { name description }
    } } }"#;
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let described = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    let mut missing = Vec::new();
    let types = data["__schema"]["types"].as_array().unwrap();
    assert!(types.len() > 100);
    for ty in types {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        let builtin = ["String", "Int", "Float", "Boolean", "ID"].contains(&name);
        if !builtin && !described(ty) {
            missing.push(format!("type {name}"));
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            if !described(field) {
                missing.push(format!("field {name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("argument {name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            if !described(input) {
                missing.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if !described(value) {
                missing.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} schema elements have no description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
