//! The checked-in SDL and route documents stay in sync with the code.

use medgraph::graphql::{build_schema, sdl};

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
    let schema = build_schema(None, &medgraph::config::Config::default());
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
