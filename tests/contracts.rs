//! The contract files themselves (`src/rest/contracts/<dialect>.json`): they parse, name real
//! routes, their schemas compile, the documents' examples satisfy them, and README's
//! "contract-tested" column states how many routes each dialect's contract test file checks.

use std::collections::BTreeSet;

use medgraph::rest::{Dialect, all_routes, contract};

use crate::common::contract::{tested_routes, validator, violations};

/// Each dialect's contract test file.
fn test_source(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Forum => include_str!("contract_forum.rs"),
        Dialect::Volunteer => include_str!("contract_volunteer.rs"),
        Dialect::Medassist => include_str!("contract_medassist.rs"),
        Dialect::Social => include_str!("contract_social.rs"),
        Dialect::Counseling => include_str!("contract_counseling.rs"),
    }
}

fn routes_of(dialect: Dialect) -> BTreeSet<String> {
    all_routes()
        .into_iter()
        .filter(|r| r.dialect == dialect)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn contract_files_parse_and_name_their_dialect() {
    for dialect in Dialect::ALL {
        let parsed: contract::Contract = serde_json::from_str(contract::source_text(dialect))
            .unwrap_or_else(|e| panic!("src/rest/contracts/{}.json: {e}", dialect.name()));
        assert_eq!(parsed.dialect, dialect.name());
        assert!(
            std::path::Path::new("../shared/seeds")
                .join(&parsed.source)
                .exists()
                || !std::path::Path::new("../shared/seeds").exists(),
            "{}: source {} is not a seed document",
            dialect.name(),
            parsed.source
        );
    }
}

#[test]
fn every_contract_names_a_served_route_once() {
    for dialect in Dialect::ALL {
        let served = routes_of(dialect);
        let mut seen = BTreeSet::new();
        for route in &contract::contract(dialect).routes {
            let key = format!("{} {}", route.method, route.path);
            assert!(
                served.contains(&key),
                "{}: {key} is not a route",
                dialect.name()
            );
            assert!(seen.insert(key.clone()), "{}: {key} twice", dialect.name());
        }
    }
}

#[test]
fn contract_schemas_compile_and_the_documents_examples_satisfy_them() {
    for (name, schema) in contract::structures() {
        validator(schema);
        assert!(
            name.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
            "structure names are PascalCase with the dialect's prefix: {name}"
        );
    }
    for dialect in Dialect::ALL {
        for route in &contract::contract(dialect).routes {
            let key = format!("{} {}", route.method, route.path);
            let (Some(schema), Some(example)) = (&route.schema, &route.response) else {
                continue;
            };
            let errors = violations(schema, example);
            assert!(
                errors.is_empty(),
                "{}: the documented example of {key} breaks its own schema (fix the fixture, or \
                 note the contradiction and keep the form we serve):\n{}",
                dialect.name(),
                errors.join("\n")
            );
        }
    }
}

#[test]
fn readme_states_how_many_routes_are_contract_tested() {
    let readme = include_str!("../README.md");
    let mut wrong = Vec::new();
    for dialect in Dialect::ALL {
        let served = routes_of(dialect);
        let tested = tested_routes(test_source(dialect));
        for route in &tested {
            assert!(
                served.contains(route),
                "tests/contract_{}.rs checks {route}, which is not a route",
                dialect.name()
            );
        }
        let claim = format!("{}/{}", tested.len(), served.len());
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", dialect.name())))
            .unwrap_or_else(|| panic!("README's dialect table has no {} row", dialect.name()));
        let last = row
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap_or("")
            .trim();
        if last != claim {
            wrong.push(format!(
                "{}: README says {last}, the tests check {claim}; not yet: {:?}",
                dialect.name(),
                served.difference(&tested).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "README's contract-tested column:\n{}",
        wrong.join("\n")
    );
}

/// A validator of `schema` inside the OpenAPI document `doc` (its `$ref`s resolve to the
/// document's own components).
fn openapi_validator(doc: &serde_json::Value, schema: &serde_json::Value) -> jsonschema::Validator {
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"].clone()
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .unwrap_or_else(|e| panic!("the OpenAPI schema does not compile: {e}\n{schema}"))
}

/// Every dialect's OpenAPI answers are its contracts: each structure is a component, each
/// route's success schema of `data` is the contract's (a bare reference wrapped in `allOf`), and
/// the example a client generator shows satisfies it.
#[tokio::test]
async fn the_openapi_document_answers_with_the_contract_schemas() {
    let app = crate::common::app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, http::StatusCode::OK);
    for (name, _) in contract::structures() {
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is not a component"
        );
    }
    let mut checked = 0;
    for route in all_routes() {
        let Some(contract) = contract::route(route.dialect, route.method.as_str(), route.path)
        else {
            continue;
        };
        let Some(documented) = &contract.schema else {
            continue;
        };
        let key = format!("{} {}", route.method, route.path);
        let status = if route.dialect == Dialect::Social {
            route.status.as_u16()
        } else {
            200
        };
        if status == 204 {
            continue;
        }
        let answer = &doc["paths"][route.path][route.method.as_str().to_lowercase()]["responses"]
            [status.to_string()]["content"]["application/json"];
        let (data, example) = if route.dialect == Dialect::Social {
            (&answer["schema"], &answer["example"])
        } else {
            (
                &answer["schema"]["properties"]["data"],
                &answer["example"]["data"],
            )
        };
        // A reference stands bare, also as social's whole body (no `allOf` of one schema).
        assert_eq!(data, documented, "{}: {key}", route.dialect.name());
        if !example.is_null() {
            // Against the document's own components, as a client generator reads them.
            let errors: Vec<String> = openapi_validator(&doc, data)
                .iter_errors(example)
                .map(|e| format!("at {}: {e}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{}: the OpenAPI example of {key} breaks its schema: {errors:?}",
                route.dialect.name()
            );
        }
        checked += 1;
    }
    // 179 routes have contracts; the social ones answering 204 have no body to describe.
    assert!(checked >= 160, "only {checked} routes were checked");
}
