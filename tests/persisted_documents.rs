//! Automatic persisted queries (Apollo's `persistedQuery` extension) and trusted documents.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::graphql::persisted::{ManifestDocument, count_trusted, load_trusted, sha256_hex};
use serde_json::{Value, json};

use crate::common::{TestApp, app_sharing, app_with, first_code, on_postgres};

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.send_json(
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn a_hash_is_registered_once_and_known_to_every_process() {
    // On SQLite a file database, so that a second process shares it.
    let app = app_with(|c| {
        if !on_postgres() {
            c.database_url = Some(format!(
                "sqlite://{}?mode=rwc",
                c.data_dir.join("apq.db").display()
            ));
        }
    })
    .await;
    let query = "query Regions { regions(first: 2) { totalCount nodes { name } } }";
    let hash = sha256_hex(query);
    // The hash alone: not known yet.
    let (status, v) = post(&app, json!({ "extensions": apq(&hash) })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(first_code(&v), "PERSISTED_QUERY_NOT_FOUND");
    // The text with a wrong hash changes nothing.
    let (_, v) = post(
        &app,
        json!({ "query": query, "extensions": apq(&"0".repeat(64)) }),
    )
    .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT", "{v}");
    assert_eq!(app.count_rows("persisted_documents").await, 0);
    // The text with its hash: answered and registered.
    let (_, with_text) = post(&app, json!({ "query": query, "extensions": apq(&hash) })).await;
    assert!(with_text.get("errors").is_none(), "{with_text}");
    assert_eq!(app.count_rows("persisted_documents").await, 1);
    // The hash alone now runs the document, here and on another process (by GET too).
    let (_, v) = post(&app, json!({ "extensions": apq(&hash) })).await;
    assert_eq!(v["data"], with_text["data"]);
    let other = app_sharing(&app).await;
    let (_, v) = post(&other, json!({ "extensions": apq(&hash) })).await;
    assert_eq!(v["data"], with_text["data"]);
    let uri = format!("/graphql?extensions={}", urlencode(&apq(&hash).to_string()));
    let (status, v) = other.get_json(&uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"], with_text["data"]);
    // A `documentId` naming the same hash works as well.
    let (_, v) = post(&other, json!({ "documentId": hash })).await;
    assert_eq!(v["data"], with_text["data"]);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_store_keeps_at_most_the_configured_number() {
    let app = app_with(|c| c.graphql.max_persisted_queries = 2).await;
    let queries: Vec<String> = (0..4)
        .map(|i| {
            format!(
                "query Q{i} {{ regions(first: {}) {{ totalCount }} }}",
                i + 1
            )
        })
        .collect();
    for query in &queries {
        let (_, v) = post(
            &app,
            json!({ "query": query, "extensions": apq(&sha256_hex(query)) }),
        )
        .await;
        assert!(v.get("errors").is_none(), "{v}");
    }
    assert_eq!(app.count_rows("persisted_documents").await, 2);
    // The newest are kept.
    let (_, v) = post(&app, json!({ "extensions": apq(&sha256_hex(&queries[3])) })).await;
    assert!(
        v["data"]["regions"]["totalCount"].as_u64().unwrap() > 0,
        "{v}"
    );
}

#[tokio::test]
async fn trusted_mode_runs_only_documents_of_the_manifest() {
    let app = app_with(|c| c.graphql.trusted_documents = true).await;
    let trusted = "query Regions { regions(first: 1) { nodes { name } } }";
    let schema = medgraph::graphql::build_trusted_schema(None, &app.state.services.config);
    // A manifest with one invalid document loads nothing.
    let broken = vec![
        ManifestDocument {
            id: "good".into(),
            body: trusted.into(),
        },
        ManifestDocument {
            id: "bad".into(),
            body: "{ noSuchField }".into(),
        },
    ];
    let err = load_trusted(&app.state.services.db, &schema, &broken, false)
        .await
        .unwrap_err();
    assert!(err.detail().contains("bad"), "{}", err.detail());
    assert_eq!(count_trusted(&app.state.services.db).await.unwrap(), 0);
    let manifest = vec![ManifestDocument {
        id: "regions-1".into(),
        body: trusted.into(),
    }];
    let loaded = load_trusted(&app.state.services.db, &schema, &manifest, false)
        .await
        .unwrap();
    assert_eq!(loaded, 1);

    // By id (GraphQL over HTTP `documentId`, Relay `doc_id`), by its hash, or as identical text.
    for body in [
        json!({ "documentId": "regions-1" }),
        json!({ "doc_id": "regions-1" }),
        json!({ "extensions": apq(&sha256_hex(trusted)) }),
        json!({ "query": trusted }),
    ] {
        let (status, v) = post(&app, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}: {v}");
        assert!(v["data"]["regions"]["nodes"].is_array(), "{body}: {v}");
    }
    // Anything else is refused, registered or not.
    let other = "{ regions(first: 3) { nodes { name } } }";
    let (_, v) = post(&app, json!({ "query": other })).await;
    assert_eq!(first_code(&v), "FORBIDDEN", "{v}");
    let (_, v) = post(
        &app,
        json!({ "query": other, "extensions": apq(&sha256_hex(other)) }),
    )
    .await;
    assert_eq!(first_code(&v), "FORBIDDEN", "{v}");
    let (_, v) = post(&app, json!({ "documentId": "nope" })).await;
    assert_eq!(first_code(&v), "PERSISTED_QUERY_NOT_FOUND", "{v}");
    assert_eq!(count_trusted(&app.state.services.db).await.unwrap(), 1);
    // The dialects run their own documents: not subject to the manifest.
    let (status, v) = app.get_json("/city").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["error_code"], 0, "{v}");
    // Replacing the manifest drops what it no longer holds.
    let next = vec![ManifestDocument {
        id: "typename".into(),
        body: "{ __typename }".into(),
    }];
    load_trusted(&app.state.services.db, &schema, &next, true)
        .await
        .unwrap();
    assert_eq!(count_trusted(&app.state.services.db).await.unwrap(), 1);
}

/// A document sent by hash alone is checked as what it is once its text is known: the standard
/// introspection query runs under the introspection rule (not the data queries' limits, which
/// would refuse it), and a mutation by hash is still refused over GET.
#[tokio::test]
async fn a_document_sent_by_hash_is_classified_by_its_text() {
    let app = app_with(|_| {}).await;
    let introspection = include_str!("fixtures/introspection_query.graphql");
    let hash = sha256_hex(introspection);
    let (_, with_text) = post(
        &app,
        json!({ "query": introspection, "extensions": apq(&hash) }),
    )
    .await;
    assert!(with_text.get("errors").is_none(), "{with_text}");
    let (status, by_hash) = post(&app, json!({ "extensions": apq(&hash) })).await;
    assert_eq!(status, StatusCode::OK);
    assert!(by_hash.get("errors").is_none(), "{by_hash}");
    assert_eq!(by_hash["data"], with_text["data"]);

    let mutation = "mutation Logout { logout }";
    let hash = sha256_hex(mutation);
    let (_, v) = post(&app, json!({ "query": mutation, "extensions": apq(&hash) })).await;
    assert!(v.get("data").is_some(), "{v}");
    let uri = format!("/graphql?extensions={}", urlencode(&apq(&hash).to_string()));
    let (status, v) = app.get_json(&uri).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{v}");
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
}
