//! The GraphQL-over-HTTP endpoint: transports, content types, limits, errors, Node, me.

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::common::{app, app_with, first_code};

fn post(body: &str, content_type: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn post_json_and_graphql_response_media_type() {
    let app = app().await;
    let accepting = |body: &'static str| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, headers, body) = app.send(accepting(r#"{"query":"{ __typename }"}"#)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/graphql-response+json");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["data"]["__typename"], "Query");

    // A request that never executes is a 400 under graphql-response+json...
    let (status, _, _) = app.send(accepting(r#"{"query":"{ nope }"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // ...and a 200 with errors under application/json.
    let (status, v) = app
        .send_json(post(r#"{"query":"{ nope }"}"#, "application/json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
}

#[tokio::test]
async fn get_serves_queries_only_and_graphiql_for_browsers() {
    let app = app().await;
    let (status, v) = app.get_json("/graphql?query=%7B__typename%7D").await;
    assert_eq!(
        (status, &v["data"]["__typename"]),
        (StatusCode::OK, &json!("Query"))
    );
    let (status, headers, _) = app
        .send(
            Request::get("/graphql?query=mutation%7BmarkNotificationsRead%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    let (status, html) = app.get_html("/graphql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("graphiql"));
}

#[tokio::test]
async fn production_mode_hides_graphiql_and_introspection() {
    let app = app_with(|c| c.production = true).await;
    let (status, _) = app.get_html("/graphql").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let v = app
        .graphql("{ __schema { types { name } } }", json!({}), None)
        .await;
    assert_eq!(
        v["data"]["__schema"],
        Value::Null,
        "introspection is off: {v}"
    );
    // Field suggestions are off too: no error hints at real field names (a default server
    // does hint, which shows the query is one that would get a suggestion).
    let typo = "{ regions { nodes { nam } } }";
    let hints = |v: &Value| {
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("Did you mean"))
    };
    let v = app.graphql(typo, json!({}), None).await;
    assert!(!hints(&v), "{v}");
    let v = crate::common::app()
        .await
        .graphql(typo, json!({}), None)
        .await;
    assert!(hints(&v), "{v}");
}

#[tokio::test]
async fn csrf_prone_content_types_are_refused() {
    let app = app().await;
    for ct in ["application/x-www-form-urlencoded", "text/plain"] {
        let (status, v) = app.send_json(post("query={__typename}", ct)).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
        assert_eq!(first_code(&v), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn malformed_json_and_oversized_bodies() {
    let app = app_with(|c| c.http.body_limit_bytes = 1024).await;
    let (status, v) = app
        .send_json(post("{\"query\": ", "application/json"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
    let big = format!(r#"{{"query":"{{ __typename }} #{}"}}"#, "x".repeat(4096));
    let (status, v) = app.send_json(post(&big, "application/json")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
}

#[tokio::test]
async fn batches_are_refused_unless_enabled() {
    let app = app().await;
    let batch = r#"[{"query":"{ __typename }"},{"query":"{ __typename }"}]"#;
    let (status, v) = app.send_json(post(batch, "application/json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("batch")
    );
    let app = app_with(|c| c.graphql.batching = true).await;
    let (status, v) = app.send_json(post(batch, "application/json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn depth_complexity_aliases_and_length_limits() {
    let app = app_with(|c| {
        // The deepest route document (the income ranking's users with their verification
        // images) needs 7.
        c.graphql.max_depth = 7;
        c.graphql.max_aliases = 3;
        c.graphql.max_query_length = 2000;
    })
    .await;
    let deep =
        "{ regions { nodes { parent { parent { parent { parent { parent { name } } } } } } } }";
    let v = app.graphql(deep, json!({}), None).await;
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{v}"
    );
    assert_eq!(first_code(&v), "BAD_USER_INPUT");

    let app = crate::common::app().await;
    let costly = "{ regions(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { name code pinyin } } } } } } }";
    let v = app.graphql(costly, json!({}), None).await;
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex"),
        "{v}"
    );

    let app = app_with(|c| c.graphql.max_aliases = 3).await;
    let (status, v) = app
        .send_json(post(
            r#"{"query":"{ a: __typename b: __typename c: __typename d: __typename }"}"#,
            "application/json",
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aliases")
    );

    let app = app_with(|c| c.graphql.max_query_length = 100).await;
    let long = format!(r#"{{"query":"{{ __typename }} #{}"}}"#, "x".repeat(200));
    let (status, _) = app.send_json(post(&long, "application/json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn page_sizes_are_bounded() {
    let app = app().await;
    let v = app
        .graphql(
            "{ regions(first: 101) { nodes { name } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
    assert_eq!(v["errors"][0]["extensions"]["field"], "first");
    let v = app
        .graphql(
            "{ regions(after: \"garbage\") { nodes { name } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
}

#[tokio::test]
async fn node_resolves_global_ids() {
    let app = app().await;
    let v = app
        .graphql("{ region(code: 330100) { id name } }", json!({}), None)
        .await;
    let id = v["data"]["region"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["region"]["name"], "杭州市");
    let v = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id ... on Region { code } } }",
            json!({"id": id}),
            None,
        )
        .await;
    assert_eq!(v["data"]["node"]["code"], 330100);
    assert_eq!(v["data"]["node"]["id"], id.as_str());
    // Many ids of one type cost one statement.
    let ids: Vec<String> = [110000, 120000, 130000, 140000, 150000]
        .iter()
        .map(|code| medgraph::graphql::node::global_id("Region", code).0)
        .collect();
    let before = app.statements();
    let v = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Region { name } } }",
            json!({"ids": ids}),
            None,
        )
        .await;
    assert_eq!(v["data"]["nodes"][4]["name"], "内蒙古自治区");
    assert_eq!(app.statements() - before, 1);
    let v = app
        .graphql("{ node(id: \"not-an-id\") { id } }", json!({}), None)
        .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
}

#[tokio::test]
async fn me_and_tokens() {
    let app = app().await;
    let v = app.graphql("{ me { username } }", json!({}), None).await;
    assert_eq!(v["data"]["me"], Value::Null);
    let (user_id, token) = app.user_with_token("alice").await;
    let v = app
        .graphql(
            "{ me { username unreadNotificationCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(v["data"]["me"]["username"], "alice");
    assert_eq!(v["data"]["me"]["unreadNotificationCount"], 0);
    // A revoked token is refused with UNAUTHENTICATED, not treated as anonymous.
    let db = &app.state.services.db;
    let auth = medgraph::auth::resolve_token(db, Some(&token))
        .await
        .unwrap();
    assert_eq!(auth.viewer.as_ref().unwrap().user_id, user_id);
    medgraph::auth::revoke_token(db, auth.viewer.unwrap().token_id)
        .await
        .unwrap();
    let v = app
        .graphql("{ me { username } }", json!({}), Some(&token))
        .await;
    assert_eq!(first_code(&v), "UNAUTHENTICATED");
    let v = app
        .graphql("{ me { username } }", json!({}), Some("forged"))
        .await;
    assert_eq!(first_code(&v), "UNAUTHENTICATED");
}

#[tokio::test]
async fn notifications_are_private_to_their_owner() {
    let app = app().await;
    let (alice, alice_token) = app.user_with_token("alice").await;
    let (_, bob_token) = app.user_with_token("bob").await;
    let db = &app.state.services.db;
    let bus = app.state.services.bus.clone();
    medgraph::domain::notifications::notify(db, bus.as_ref(), alice, "system", "Hello", "body")
        .await
        .unwrap();
    let v = app
        .graphql(
            "{ me { id notifications(first: 5) { totalCount nodes { id title read } } } }",
            json!({}),
            Some(&alice_token),
        )
        .await;
    let me = &v["data"]["me"];
    assert_eq!(me["notifications"]["totalCount"], 1);
    assert_eq!(me["notifications"]["nodes"][0]["title"], "Hello");
    let user_id = me["id"].as_str().unwrap().to_owned();
    let note_id = me["notifications"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bob sees Alice's public profile but not her notifications, by any path.
    let q = "query($id: ID!) { node(id: $id) { ... on User { username notifications { totalCount } } } }";
    let v = app
        .graphql(q, json!({"id": user_id}), Some(&bob_token))
        .await;
    assert_eq!(first_code(&v), "FORBIDDEN");
    let v = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": note_id}),
            Some(&bob_token),
        )
        .await;
    assert_eq!(v["data"]["node"], Value::Null);
    let v = app
        .graphql(
            "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
            json!({"ids": [note_id]}),
            Some(&bob_token),
        )
        .await;
    assert_eq!(
        v["data"]["markNotificationsRead"], 0,
        "Bob cannot mark Alice's notification"
    );
    let v = app
        .graphql(
            "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
            json!({"ids": [note_id]}),
            Some(&alice_token),
        )
        .await;
    assert_eq!(v["data"]["markNotificationsRead"], 1);
    let v = app
        .graphql("mutation { markNotificationsRead }", json!({}), None)
        .await;
    assert_eq!(first_code(&v), "UNAUTHENTICATED");
}

/// graphql-js's `getIntrospectionQuery()` with every option on (what GraphiQL, graphql-codegen,
/// Rover and IDE plugins send), generated by the npm package into the fixture.
const STANDARD_INTROSPECTION: &str = include_str!("fixtures/introspection_query.graphql");

#[tokio::test]
async fn the_standard_introspection_query_passes_the_default_limits() {
    let app = app().await;
    let before = app.statements();
    let v = app.graphql(STANDARD_INTROSPECTION, json!({}), None).await;
    assert!(v.get("errors").is_none(), "{v}");
    let schema = &v["data"]["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(schema["mutationType"]["name"], "Mutation");
    assert_eq!(schema["subscriptionType"]["name"], "Subscription");
    assert!(schema["types"].as_array().unwrap().len() > 100);
    // Answered from the schema in memory.
    assert_eq!(app.statements(), before);
    // The same limits still refuse a deep data query.
    let deep = format!(
        "{{ me {{ {}id{} }} }}",
        "followers { nodes { ".repeat(8),
        " } }".repeat(8)
    );
    let v = app.graphql(&deep, json!({}), None).await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT", "{v}");
    // An introspection query that fans out over the type graph is refused by its own rule.
    let fanning =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (status, v) = app
        .send_json(post(
            &json!({ "query": fanning }).to_string(),
            "application/json",
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("introspection"),
        "{v}"
    );
}

#[tokio::test]
async fn request_errors_have_no_data_key() {
    let app = app().await;
    for query in [
        "{ noSuchField }",
        "{ posts(first: ",
        "query A { __typename } query A { __typename }",
    ] {
        for accept in ["application/json", "application/graphql-response+json"] {
            let request = Request::post("/graphql")
                .header("content-type", "application/json")
                .header("accept", accept)
                .body(Body::from(json!({ "query": query }).to_string()))
                .unwrap();
            let (status, v) = app.send_json(request).await;
            assert!(v.get("data").is_none(), "{query} as {accept}: {v}");
            assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()));
            let expected = if accept == "application/json" {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            assert_eq!(status, expected, "{query} as {accept}");
        }
    }
    // A field error during execution keeps `data` (null where the error is).
    let v = app
        .graphql("{ me { wallet { balance } } }", json!({}), None)
        .await;
    assert!(v.get("data").is_some(), "{v}");
}

#[tokio::test]
async fn graphiql_and_docs_load_their_scripts_from_this_server() {
    let app = app().await;
    for page in ["/graphql", "/docs"] {
        let (status, html) = app.get_html(page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let loaded: Vec<&str> = html
            .split("src=\"")
            .skip(1)
            .chain(html.split("href=\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        for url in &loaded {
            assert!(
                url.starts_with('/') || url.starts_with("data:"),
                "{page} loads {url} from elsewhere"
            );
        }
        // Every script element the page opens is closed once: no embedded content ends one.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("</script>").count(),
            "{page}"
        );
        let assets: Vec<&str> = html
            .split("src=\"")
            .skip(1)
            .chain(html.split("href=\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|url| url.starts_with("/assets/"))
            .collect();
        assert!(!assets.is_empty(), "{page}");
        for asset in assets {
            // Browsers take it gzipped; a client that cannot gets the plain file.
            let (status, headers, gz) = app
                .send(
                    Request::get(asset)
                        .header("accept-encoding", "gzip, deflate, br")
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{asset}");
            assert_eq!(headers["content-encoding"], "gzip", "{asset}");
            assert!(
                headers["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            let (status, headers, plain) = app
                .send(Request::get(asset).body(Body::empty()).unwrap())
                .await;
            assert_eq!(status, StatusCode::OK, "{asset}");
            assert!(headers.get("content-encoding").is_none(), "{asset}");
            assert!(plain.len() > gz.len(), "{asset}");
        }
    }
    let (status, _, _) = app
        .send(
            Request::get("/assets/vendor/nothing.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
