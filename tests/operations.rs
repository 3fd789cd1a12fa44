//! Health, readiness, metrics, request ids, API documents.

use axum::body::Body;
use http::{Request, StatusCode};

use crate::common::app;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = app().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    app.graphql("query Probe { __typename }", serde_json::json!({}), None)
        .await;
    let (status, _, body) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("medgraph_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    assert!(text.contains("medgraph_graphql_operations_total"), "{text}");
    assert!(text.contains("operation=\"Probe\""), "{text}");
    assert!(text.contains("medgraph_db_pool_connections"), "{text}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = app().await;
    let (_, headers, _) = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert!(headers.get("x-request-id").is_some());
    let (_, headers, _) = app
        .send(
            Request::get("/healthz")
                .header("x-request-id", "abc-123")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(headers.get("x-request-id").unwrap(), "abc-123");
}

#[tokio::test]
async fn openapi_document_lists_the_dialect_routes() {
    let app = app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/city", "/area/city", "/imgupload", "/api/upload"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["paths"]["/city"]["get"]["parameters"][0]["name"],
        "parent_id"
    );
    assert!(
        doc["paths"]["/imgupload"]["post"]["requestBody"]["content"]["multipart/form-data"]
            .is_object()
    );
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        ["forum", "volunteer", "medassist", "social", "counseling"]
    );
    let (status, html) = app.get_html("/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/city"));
}

/// What client generators need: every operation has security, a success schema (not only an
/// example), a 4xx answer with the dialect's error schema; servers and the captcha are listed.
#[tokio::test]
async fn every_openapi_operation_has_schemas_security_and_client_errors() {
    let app = crate::common::app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["servers"][0]["url"], "/");
    for scheme in ["bearerToken", "xAuthToken", "sessionCookie"] {
        assert!(
            doc["components"]["securitySchemes"][scheme].is_object(),
            "{scheme}"
        );
    }
    assert!(doc["paths"]["/captcha/app"]["get"].is_object());
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let at = format!("{method} {path}");
            assert!(op["security"].is_array(), "{at}: no security");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|k| k.starts_with('4')), "{at}: no 4xx");
            let (code, ok) = responses
                .iter()
                .find(|(k, _)| k.starts_with('2'))
                .unwrap_or_else(|| panic!("{at}: no success"));
            if code != "204" {
                let content = ok["content"].as_object().unwrap();
                assert!(
                    content.values().all(|c| c["schema"].is_object()),
                    "{at}: success without a schema"
                );
            }
        }
    }
    assert!(operations >= 173, "{operations}");
}
