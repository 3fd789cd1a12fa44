//! Shipping addresses (收货地址) of the social dialect and GraphQL: documented shapes and
//! statuses, every invalid field listed at once (GB18030 byte lengths), the 20-address limit,
//! one default under concurrency, and another user's address as 404.

use http::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, TestApp};

fn address(name: &str, is_default: bool) -> Value {
    json!({
        "alias": "公司",
        "name": name,
        "phone": "18818181818",
        "province": "四川省",
        "city": "成都市",
        "county": "高新区",
        "detail": "环球中心E1区9楼",
        "postcode": "610000",
        "is_default": is_default,
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, created) = app
        .call_as("POST", "/api/v2/user/addresses", Some(body), Some(token))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

/// The `errors` keys of a 422, sorted.
fn error_fields(answer: &(StatusCode, Value)) -> Vec<String> {
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    assert!(answer.1["message"].is_string(), "{}", answer.1);
    let mut fields: Vec<String> = answer.1["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors: {}", answer.1))
        .iter()
        .map(|(k, v)| {
            assert!(v.as_array().is_some_and(|m| !m.is_empty()), "{}", answer.1);
            k.clone()
        })
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn addresses_have_the_documented_shapes_and_statuses() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("zhangsan").await;

    let anonymous = app
        .call_as("GET", "/api/v2/user/addresses", None, None)
        .await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{}", anonymous.1);
    assert!(anonymous.1["message"].is_string());

    let first = create(&app, &token, address("张三", false)).await;
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "alias",
            "city",
            "county",
            "created_at",
            "detail",
            "id",
            "is_default",
            "name",
            "phone",
            "postcode",
            "province",
            "updated_at",
            "user_id"
        ]
    );
    assert_eq!(first["user_id"], uid);
    assert_eq!(first["alias"], "公司");
    assert_eq!(first["postcode"], "610000");
    assert_eq!(first["is_default"], false);
    let created_at = first["created_at"].as_str().unwrap();
    assert_eq!(created_at.len(), 19, "{created_at}");
    assert_eq!(&created_at[10..11], " ", "{created_at}");
    let id = first["id"].as_i64().unwrap();

    // Only the required fields.
    let second = create(
        &app,
        &token,
        json!({"name": "李四", "phone": "13912345678", "detail": "天府大道北段1700号", "is_default": "1"}),
    )
    .await;
    assert_eq!(
        second["alias"], "",
        "optional fields left out are \"\", never null"
    );
    assert_eq!(second["is_default"], true);

    // Newest first, a bare array.
    let (status, list) = app
        .call_as("GET", "/api/v2/user/addresses", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [second["id"].as_i64().unwrap(), id]);

    let uri = format!("/api/v2/user/addresses/{id}");
    let (status, one) = app.call_as("GET", &uri, None, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one, first);

    // PUT and PATCH answer 200 with the address; only the given fields change.
    let (status, put) = app
        .call_as("PUT", &uri, Some(json!({"alias": "家里"})), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{put}");
    assert_eq!(put["alias"], "家里");
    assert_eq!(put["name"], "张三");
    let (status, patched) = app
        .call_as(
            "PATCH",
            &uri,
            Some(json!({"is_default": true, "postcode": "100000"})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["is_default"], true);
    assert_eq!(patched["postcode"], "100000");
    // Setting one default unsets the other.
    let (_, other) = app
        .call_as(
            "GET",
            &format!("/api/v2/user/addresses/{}", second["id"]),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(other["is_default"], false, "{other}");

    let (status, body) = app.call_as("DELETE", &uri, None, Some(&token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let gone = app.call_as("GET", &uri, None, Some(&token)).await;
    assert_eq!(gone.0, StatusCode::NOT_FOUND, "{}", gone.1);
    let again = app.call_as("DELETE", &uri, None, Some(&token)).await;
    assert_eq!(again.0, StatusCode::NOT_FOUND, "{}", again.1);
}

#[tokio::test]
async fn every_invalid_field_is_listed_and_nothing_changes() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("zhangsan").await;

    let answer = app
        .call_as(
            "POST",
            "/api/v2/user/addresses",
            Some(json!({
                "alias": "😀".repeat(7),
                "name": "名".repeat(13),
                "phone": "12345",
                "province": "省".repeat(17),
                "postcode": "61000",
            })),
            Some(&token),
        )
        .await;
    assert_eq!(
        error_fields(&answer),
        [
            "alias",
            "detail",
            "is_default",
            "name",
            "phone",
            "postcode",
            "province"
        ]
    );
    assert_eq!(app.count_rows("shipping_addresses").await, 0);

    // An edit with bad fields changes nothing either.
    let created = create(&app, &token, address("张三", true)).await;
    let uri = format!("/api/v2/user/addresses/{}", created["id"]);
    let answer = app.call_as("PATCH",
        &uri,
        Some(json!({"name": " ", "phone": "1881818181", "postcode": "abcdef", "alias": "别名", "is_default": false})),
        Some(&token),
    )
    .await;
    assert_eq!(error_fields(&answer), ["name", "phone", "postcode"]);
    let (_, after) = app.call_as("GET", &uri, None, Some(&token)).await;
    assert_eq!(after, created);

    // GraphQL carries every field in extensions.fields.
    let r = app
        .graphql(
            "mutation { createShippingAddress(input: {phone: \"1\", postcode: \"1\"}) { id } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(common::first_code(&r), "BAD_USER_INPUT");
    let mut fields: Vec<&String> = r["errors"][0]["extensions"]["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("{r}"))
        .keys()
        .collect();
    fields.sort();
    assert_eq!(fields, ["detail", "isDefault", "name", "phone", "postcode"]);
    assert_eq!(app.count_rows("shipping_addresses").await, 1);
}

#[tokio::test]
async fn lengths_are_gb18030_bytes() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("zhangsan").await;
    let with = |field: &str, value: String| {
        let mut body = address("张三", false);
        body[field] = Value::String(value);
        body
    };
    let post =
        |body: Value| app.call_as("POST", "/api/v2/user/addresses", Some(body), Some(&token));

    // 24 bytes: 6 emoji, 12 Chinese characters, 24 ASCII letters.
    for name in ["😀".repeat(6), "张".repeat(12), "a".repeat(24)] {
        let (status, body) = post(with("name", name)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for name in [
        format!("{}a", "😀".repeat(6)),
        "张".repeat(13),
        "a".repeat(25),
    ] {
        assert_eq!(error_fields(&post(with("name", name)).await), ["name"]);
    }
    // detail: 160 bytes = 80 Chinese characters; 79 and an emoji (162) are too long.
    let (status, body) = post(with("detail", "路".repeat(80))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        error_fields(&post(with("detail", format!("{}😀", "路".repeat(79)))).await),
        ["detail"]
    );
    // city: 32 bytes.
    let (status, body) = post(with("city", "市".repeat(16))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        error_fields(&post(with("city", "市".repeat(16) + "x")).await),
        ["city"]
    );
}

#[tokio::test]
async fn a_user_keeps_at_most_twenty() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("zhangsan").await;
    for i in 0..20 {
        create(&app, &token, address(&format!("收件人{i}"), i == 3)).await;
    }
    let answer = app
        .call_as(
            "POST",
            "/api/v2/user/addresses",
            Some(address("多一个", false)),
            Some(&token),
        )
        .await;
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    assert!(
        answer.1["message"].as_str().unwrap().contains("20"),
        "{}",
        answer.1
    );
    assert_eq!(app.count_rows("shipping_addresses").await, 20);
    let (_, list) = app
        .call_as("GET", "/api/v2/user/addresses", None, Some(&token))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 20);
    assert_eq!(list[0]["name"], "收件人19");

    // Another user is not limited by the first one's addresses.
    let (_, other) = app.user_with_token("lisi").await;
    create(&app, &other, address("李四", true)).await;
}

#[tokio::test]
async fn concurrent_defaults_leave_exactly_one() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("zhangsan").await;
    let first = create(&app, &token, address("张三", true)).await;
    let answers = futures::future::join_all((0..10).map(|i| {
        app.call_as(
            "POST",
            "/api/v2/user/addresses",
            Some(address(&format!("收件人{i}"), true)),
            Some(&token),
        )
    }))
    .await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let defaults = app
        .count_rows_where(
            "shipping_addresses",
            &format!("user_id = {uid} AND is_default"),
        )
        .await;
    assert_eq!(defaults, 1);
    assert_eq!(app.count_rows("shipping_addresses").await, 11);

    // Concurrent edits making different addresses the default: one default survives.
    let mut uris: Vec<String> = answers
        .iter()
        .map(|(_, a)| format!("/api/v2/user/addresses/{}", a["id"]))
        .collect();
    uris.push(format!("/api/v2/user/addresses/{}", first["id"]));
    let edits = futures::future::join_all(uris.iter().map(|uri| {
        app.call_as(
            "PATCH",
            uri,
            Some(json!({"is_default": true})),
            Some(&token),
        )
    }))
    .await;
    for (status, body) in &edits {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let defaults = app
        .count_rows_where(
            "shipping_addresses",
            &format!("user_id = {uid} AND is_default"),
        )
        .await;
    assert_eq!(defaults, 1);
}

#[tokio::test]
async fn another_users_address_is_not_found() {
    let app = common::app().await;
    let (_, owner) = app.user_with_token("zhangsan").await;
    let (_, stranger) = app.user_with_token("lisi").await;
    let (_, admin) = app.admin().await;
    let created = create(&app, &owner, address("张三", true)).await;
    let uri = format!("/api/v2/user/addresses/{}", created["id"]);
    for token in [&stranger, &admin] {
        for (method, body) in [
            ("GET", None),
            ("PUT", Some(json!({"name": "王五"}))),
            ("PATCH", Some(json!({"is_default": false}))),
            ("DELETE", None),
        ] {
            let answer = app.call_as(method, &uri, body, Some(token)).await;
            assert_eq!(answer.0, StatusCode::NOT_FOUND, "{method}: {}", answer.1);
            assert!(answer.1["message"].is_string());
        }
        let (_, list) = app
            .call_as("GET", "/api/v2/user/addresses", None, Some(token))
            .await;
        assert_eq!(list, json!([]));
    }
    let (_, after) = app.call_as("GET", &uri, None, Some(&owner)).await;
    assert_eq!(after, created);
    let missing = app
        .call_as("GET", "/api/v2/user/addresses/999999", None, Some(&owner))
        .await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);

    // GraphQL: null for another user's, by id and by node.
    let global =
        medgraph::graphql::node::global_id("ShippingAddress", created["id"].as_i64().unwrap()).0;
    let q = "query($id: ID!) { shippingAddress(id: $id) { name } node(id: $id) { id } }";
    let r = app.graphql(q, json!({"id": global}), Some(&stranger)).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["shippingAddress"], Value::Null);
    assert_eq!(r["data"]["node"], Value::Null);
    let r = app.graphql(q, json!({"id": global}), Some(&owner)).await;
    assert_eq!(r["data"]["shippingAddress"]["name"], "张三", "{r}");
    assert_eq!(r["data"]["node"]["id"], global.as_str());
}

#[tokio::test]
async fn graphql_lists_and_edits_addresses() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("zhangsan").await;
    let create = "mutation($input: ShippingAddressInput!) { createShippingAddress(input: $input) { id name isDefault owner { username } } }";
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = app
            .graphql(
                create,
                json!({"input": {"name": format!("收件人{i}"), "phone": "18818181818", "detail": "环球中心", "isDefault": i == 0}}),
                Some(&token),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(
            r["data"]["createShippingAddress"]["owner"]["username"],
            "zhangsan"
        );
        ids.push(
            r["data"]["createShippingAddress"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let r = app
        .graphql(
            "{ myShippingAddresses(first: 2) { totalCount pageInfo { hasNextPage } nodes { name isDefault } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let conn = &r["data"]["myShippingAddresses"];
    assert_eq!(conn["totalCount"], 3, "{r}");
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    assert_eq!(conn["nodes"][0]["name"], "收件人2");

    let r = app
        .graphql(
            "mutation($id: ID!) { updateShippingAddress(id: $id, input: {isDefault: true}) { isDefault } }",
            json!({"id": ids[2]}),
            Some(&token),
        )
        .await;
    assert_eq!(r["data"]["updateShippingAddress"]["isDefault"], true, "{r}");
    let r = app
        .graphql(
            "mutation($id: ID!) { deleteShippingAddress(id: $id) }",
            json!({"id": ids[0]}),
            Some(&token),
        )
        .await;
    assert_eq!(r["data"]["deleteShippingAddress"], ids[0].as_str(), "{r}");
    let r = app
        .graphql(
            "{ myShippingAddresses { totalCount nodes { isDefault } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r["data"]["myShippingAddresses"]["totalCount"], 2, "{r}");
    let r = app
        .graphql("{ myShippingAddresses { totalCount } }", json!({}), None)
        .await;
    assert_eq!(common::first_code(&r), "UNAUTHENTICATED");
}
