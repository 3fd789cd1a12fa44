//! Identity tests of the social dialect (`/api/v2/user*`): plain resources, `Authorization:
//! Bearer`, 201/204/202 on success and `{message, errors}` with 401/403/404/409/422 on failure.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, PNG_1X1, TestApp};

/// Asserts a failure with a message.
fn assert_error(answer: &(StatusCode, Value), status: StatusCode) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert!(answer.1["message"].is_string(), "{}", answer.1);
}

/// Asserts a 422 whose `errors` names `field`: the legacy name the client sent, never the
/// schema's `schema_field` for it.
fn assert_field_error(answer: &(StatusCode, Value), field: &str, schema_field: &str) {
    assert_error(answer, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &answer.1["errors"];
    if schema_field != field {
        assert!(
            errors.get(schema_field).is_none(),
            "schema name leaked: {}",
            answer.1
        );
    }
    let messages = errors
        .get(field)
        .unwrap_or_else(|| panic!("no error for {field}: {}", answer.1));
    assert!(
        messages.as_array().is_some_and(|m| !m.is_empty()),
        "{}",
        answer.1
    );
}

async fn me(app: &TestApp, token: &str) -> Value {
    let (status, user) = app.call_as("GET", "/api/v2/user", None, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    user
}

/// Sends a code through GraphQL (the social dialect documents no sending endpoint).
async fn send_code(app: &TestApp, channel: &str, destination: &str, purpose: &str) -> String {
    let r = app
        .graphql(
            "mutation($c: Channel!, $d: String!, $p: Purpose!) { sendVerificationCode(channel: $c, destination: $d, purpose: $p) { accepted } }",
            json!({"c": channel, "d": destination, "p": purpose}),
            None,
        )
        .await;
    assert_eq!(r["data"]["sendVerificationCode"]["accepted"], true, "{r}");
    app.last_code(destination).expect("a code in the outbox")
}

fn wrong(code: &str) -> String {
    let last = if code.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &code[..5])
}

/// Kills every live code for `destination` by moving its expiry into the past.
async fn expire_codes(app: &TestApp, destination: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entity::verification_code::Entity::update_many()
        .col_expr(
            entity::verification_code::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .filter(entity::verification_code::Column::Destination.eq(destination))
        .exec(&app.state.services.db)
        .await
        .unwrap();
}

async fn login(app: &TestApp, identifier: &str, password: &str) -> Value {
    app.graphql(
        "mutation($i: LoginInput!) { login(input: $i) { token } }",
        json!({"i": {"identifier": identifier, "password": password}}),
        None,
    )
    .await
}

#[tokio::test]
async fn the_caller_sees_their_own_user_object() {
    let app = common::app().await;
    let (id, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let user = me(&app, &token).await;
    let keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "avatar",
            "bio",
            "commodities_count",
            "created_at",
            "currency",
            "email",
            "extra",
            "feed_topics_count",
            "has_follower",
            "has_following",
            "id",
            "invite_code",
            "location",
            "name",
            "phone",
            "sex",
            "updated_at",
            "verification",
            "vip",
            "wallet"
        ]
    );
    assert_eq!(user["id"], id);
    assert_eq!(user["name"], "xiaoxiao");
    assert_eq!(user["phone"], "15694005009");
    assert_eq!(user["email"], "xiaoxiao@example.com");
    assert_eq!(user["sex"], 0);
    assert_eq!(user["avatar"], "", "the String form of avatar, never null");
    for stamp in ["created_at", "updated_at"] {
        let text = user[stamp].as_str().unwrap();
        assert!(
            text.len() == 20 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
            "{text}"
        );
    }

    // No token, a bogus token, a token after logout.
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, None).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, Some("bogus"))
            .await,
        StatusCode::UNAUTHORIZED,
    );
    let out = app
        .graphql("mutation { logout }", json!({}), Some(&token))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, Some(&token)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn one_user_by_id_phone_email_or_name_without_private_fields() {
    let app = common::app().await;
    let (id, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let (_, other) = app
        .account("lisi", "15694005010", "secret-pass-1", &[])
        .await;
    for key in [
        id.to_string(),
        "15694005009".to_owned(),
        "xiaoxiao@example.com".to_owned(),
        "xiaoxiao".to_owned(),
    ] {
        let uri = format!("/api/v2/users/{key}");
        let (status, user) = app.call_as("GET", &uri, None, Some(&other)).await;
        assert_eq!(status, StatusCode::OK, "{key}: {user}");
        assert_eq!(user["id"], id);
        assert_eq!(user["name"], "xiaoxiao");
        assert!(user.get("phone").is_none(), "no phone for others: {user}");
        assert!(user.get("email").is_none(), "no email for others: {user}");
        let (_, anonymous) = app.call_as("GET", &uri, None, None).await;
        assert_eq!(anonymous, user, "anonymous readers see the same");
        let (_, own) = app.call_as("GET", &uri, None, Some(&token)).await;
        assert_eq!(own["phone"], "15694005009", "oneself sees the phone");
        assert_eq!(own["email"], "xiaoxiao@example.com");
    }
    for unknown in ["999999", "15600000000", "nobody@example.com", "nobody"] {
        assert_error(
            &app.call_as("GET", &format!("/api/v2/users/{unknown}"), None, None)
                .await,
            StatusCode::NOT_FOUND,
        );
    }
}

#[tokio::test]
async fn user_lists_page_filter_and_order() {
    let app = common::app().await;
    let mut ids = Vec::new();
    for (i, name) in ["anna", "bert", "carl", "dora", "emil"].iter().enumerate() {
        let (id, _) = app
            .account(name, &format!("1560000000{i}"), "secret-pass-1", &[])
            .await;
        ids.push(id);
    }
    let list = |value: &Value| -> Vec<i64> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("a bare array: {value}"))
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    let get = |uri: &'static str| app.call_as("GET", uri, None, None);

    let (status, all) = get("/api/v2/users").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(list(&all), newest_first);
    assert!(all[0].get("phone").is_none() && all[0].get("email").is_none());

    let (_, page) = get("/api/v2/users?limit=2&order=asc").await;
    assert_eq!(list(&page), ids[..2]);
    let uri = format!("/api/v2/users?limit=2&order=asc&since={}", ids[1]);
    let (_, next) = app.call_as("GET", &uri, None, None).await;
    assert_eq!(list(&next), ids[2..4]);
    let uri = format!("/api/v2/users?limit=2&since={}", ids[3]);
    let (_, next) = app.call_as("GET", &uri, None, None).await;
    assert_eq!(list(&next), [ids[2], ids[1]]);

    let (_, by_name) = get("/api/v2/users?name=or").await;
    assert_eq!(list(&by_name), [ids[3]]);
    let (_, by_names) = get("/api/v2/users?fetch_by=username&name=anna,emil&order=asc").await;
    assert_eq!(list(&by_names), [ids[0], ids[4]]);
    let uri = format!("/api/v2/users?id={},{}&order=asc", ids[1], ids[2]);
    let (_, by_ids) = app.call_as("GET", &uri, None, None).await;
    assert_eq!(list(&by_ids), [ids[1], ids[2]]);
    let uri = format!("/api/v2/users?id={}", ids[4]);
    let (_, by_id) = app.call_as("GET", &uri, None, None).await;
    assert_eq!(list(&by_id), [ids[4]]);

    // Active users: the most recently logged-in first, paged by offset.
    for name in ["carl", "anna"] {
        assert!(login(&app, name, "secret-pass-1").await["data"]["login"]["token"].is_string());
    }
    let (_, active) = get("/api/v2/users?active=1&limit=2").await;
    assert_eq!(list(&active), [ids[0], ids[2]]);
    let (_, active) = get("/api/v2/users?active=1&limit=2&offset=1").await;
    assert_eq!(list(&active), [ids[2], ids[4]]);

    // Bad parameters are 422 with the parameter named.
    for (uri, field, schema_field) in [
        ("/api/v2/users?limit=0", "limit", "first"),
        ("/api/v2/users?limit=51", "limit", "first"),
        ("/api/v2/users?limit=x", "limit", "first"),
        ("/api/v2/users?order=sideways", "order", "order"),
        ("/api/v2/users?id=1,x", "id", "ids"),
        ("/api/v2/users?fetch_by=email&name=a", "fetch_by", "fetchBy"),
        ("/api/v2/users?fetch_by=username", "name", "usernames"),
        ("/api/v2/users?active=1&offset=-1", "offset", "after"),
    ] {
        assert_field_error(&get(uri).await, field, schema_field);
    }
}

/// Uploads an image through the medassist upload route; returns its address.
async fn upload_image(app: &TestApp, token: &str) -> String {
    let (content_type, body) = common::multipart("file", "a.png", "image/png", PNG_1X1, &[]);
    let request = Request::post("/api/upload")
        .header("content-type", content_type)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let (status, value) = app.send_json(request).await;
    assert_eq!(status, StatusCode::OK, "{value}");
    value["data"]["address"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn patch_edits_the_profile() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    app.account("taken", "15694005010", "secret-pass-1", &[])
        .await;
    let address = upload_image(&app, &token).await;

    let answer = app
        .call_as(
            "PATCH",
            "/api/v2/user",
            Some(json!({
                "name": "xiaoxiao-n",
                "bio": "好的哦",
                "sex": 2,
                "location": "四川省 成都市",
                "avatar": address,
                "bg": format!("http://example.org/files/{address}"),
            })),
            Some(&token),
        )
        .await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    let user = me(&app, &token).await;
    assert_eq!(user["name"], "xiaoxiao-n");
    assert_eq!(user["bio"], "好的哦");
    assert_eq!(user["sex"], 2);
    assert_eq!(user["location"], "四川省 成都市");
    let avatar = &user["avatar"];
    assert_eq!(avatar["node"], address.as_str());
    assert_eq!(avatar["vendor"], "local");
    assert_eq!(avatar["mime"], "image/png");
    assert_eq!(avatar["size"], PNG_1X1.len());
    assert_eq!(avatar["dimension"], json!({"width": 1, "height": 1}));
    assert!(avatar["url"].as_str().unwrap().ends_with(&address));

    // Strings for numbers are accepted, as legacy clients send them.
    let answer = app
        .call_as(
            "PATCH",
            "/api/v2/user",
            Some(json!({"sex": "1"})),
            Some(&token),
        )
        .await;
    assert_eq!(answer.0, StatusCode::NO_CONTENT, "{}", answer.1);
    assert_eq!(me(&app, &token).await["sex"], 1);

    // Failures change nothing.
    let before = me(&app, &token).await;
    for (body, field, schema_field) in [
        (json!({"sex": 5}), "sex", "gender"),
        (json!({"sex": "abc"}), "sex", "gender"),
        (json!({"name": "a"}), "name", "username"),
        (json!({"name": "12345678"}), "name", "username"),
        (json!({"bio": "x".repeat(501)}), "bio", "bio"),
        (
            json!({"avatar": "public:2021/01/05/x.jpg"}),
            "avatar",
            "avatar",
        ),
        (json!({"bg": "0".repeat(64)}), "bg", "background"),
    ] {
        let answer = app
            .call_as("PATCH", "/api/v2/user", Some(body), Some(&token))
            .await;
        assert_field_error(&answer, field, schema_field);
    }
    assert_error(
        &app.call_as(
            "PATCH",
            "/api/v2/user",
            Some(json!({"name": "taken"})),
            Some(&token),
        )
        .await,
        StatusCode::CONFLICT,
    );
    assert_error(
        &app.call_as("PATCH", "/api/v2/user", Some(json!({"bio": "x"})), None)
            .await,
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(me(&app, &token).await, before);
}

#[tokio::test]
async fn put_user_binds_a_new_phone_or_email_with_a_code() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    app.account("other", "15694005010", "secret-pass-1", &[])
        .await;
    let before = me(&app, &token).await;
    let put = |body: Value| app.call_as("PUT", "/api/v2/user", Some(body), Some(&token));

    // Missing and mistyped fields.
    assert_field_error(
        &put(json!({"phone": "15600000001"})).await,
        "verifiable_code",
        "code",
    );
    assert_field_error(
        &put(json!({"verifiable_code": "123456"})).await,
        "phone",
        "phone",
    );
    assert_field_error(
        &put(json!({"phone": "15600000001", "email": "a@b.cn", "verifiable_code": "123456"})).await,
        "email",
        "email",
    );
    assert_field_error(
        &put(json!({"phone": "12345", "verifiable_code": "123456"})).await,
        "phone",
        "destination",
    );
    // A wrong code, then an expired one.
    let code = send_code(&app, "SMS", "15600000001", "CHANGE_CONTACT").await;
    assert_field_error(
        &put(json!({"phone": "15600000001", "verifiable_code": wrong(&code)})).await,
        "verifiable_code",
        "code",
    );
    expire_codes(&app, "15600000001").await;
    assert_field_error(
        &put(json!({"phone": "15600000001", "verifiable_code": code})).await,
        "verifiable_code",
        "code",
    );
    // Without a token.
    assert_error(
        &app.call_as(
            "PUT",
            "/api/v2/user",
            Some(json!({"phone": "15600000001", "verifiable_code": code})),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(me(&app, &token).await, before, "failures change nothing");

    // The right code (sent as a number, as the document allows) binds the phone once.
    let code = send_code(&app, "SMS", "15600000002", "CHANGE_CONTACT").await;
    let numeric: i64 = code.parse().unwrap();
    if code.starts_with('0') {
        // A leading zero is lost in a JSON number; send it as a string then.
        assert_eq!(
            put(json!({"phone": "15600000002", "verifiable_code": code}))
                .await
                .0,
            StatusCode::NO_CONTENT
        );
    } else {
        let answer = put(json!({"phone": "15600000002", "verifiable_code": numeric})).await;
        assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    }
    assert_eq!(me(&app, &token).await["phone"], "15600000002");
    // Reusing it fails.
    assert_field_error(
        &put(json!({"phone": "15600000002", "verifiable_code": code})).await,
        "verifiable_code",
        "code",
    );
    // Another account's number: the code proves the number but it is taken.
    let code = send_code(&app, "SMS", "15694005010", "CHANGE_CONTACT").await;
    assert_error(
        &put(json!({"phone": "15694005010", "verifiable_code": code})).await,
        StatusCode::CONFLICT,
    );
    // An e-mail address.
    let code = send_code(&app, "EMAIL", "new@example.com", "CHANGE_CONTACT").await;
    let answer = put(json!({"email": "new@example.com", "verifiable_code": code})).await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(me(&app, &token).await["email"], "new@example.com");
}

#[tokio::test]
async fn put_password_changes_it_with_the_old_one() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let put = |body: Value| app.call_as("PUT", "/api/v2/user/password", Some(body), Some(&token));
    assert_field_error(
        &put(json!({"old_password": "secret-pass-1", "password": "new-pass-22", "password_confirmation": "new-pass-23"})).await,
        "password_confirmation",
        "passwordConfirmation",
    );
    assert_field_error(
        &put(json!({"old_password": "secret-pass-1", "password": "new-pass-22"})).await,
        "password_confirmation",
        "passwordConfirmation",
    );
    assert_field_error(
        &put(json!({"old_password": "wrong-pass-1", "password": "new-pass-22", "password_confirmation": "new-pass-22"})).await,
        "old_password",
        "oldPassword",
    );
    assert_field_error(
        &put(json!({"password": "new-pass-22", "password_confirmation": "new-pass-22"})).await,
        "old_password",
        "oldPassword",
    );
    assert_field_error(
        &put(json!({"old_password": "secret-pass-1", "password": "short", "password_confirmation": "short"})).await,
        "password",
        "newPassword",
    );
    assert_error(
        &app.call_as("PUT", "/api/v2/user/password", Some(json!({"old_password": "secret-pass-1", "password": "new-pass-22", "password_confirmation": "new-pass-22"})), None).await,
        StatusCode::UNAUTHORIZED,
    );
    assert!(login(&app, "xiaoxiao", "secret-pass-1").await["data"]["login"]["token"].is_string());

    let answer = put(json!({"old_password": "secret-pass-1", "password": "new-pass-22", "password_confirmation": "new-pass-22"})).await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert!(login(&app, "xiaoxiao", "new-pass-22").await["data"]["login"]["token"].is_string());
    let old = login(&app, "xiaoxiao", "secret-pass-1").await;
    assert!(old["errors"].is_array(), "{old}");
    // The caller's own session stays.
    me(&app, &token).await;
}

#[tokio::test]
async fn retrieve_password_with_a_code() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let put = |body: Value| app.call_as("PUT", "/api/v2/user/retrieve-password", Some(body), None);

    let code = send_code(&app, "SMS", "15694005009", "RESET").await;
    for (body, field, schema_field) in [
        (
            json!({"verifiable_type": "fax", "verifiable_code": code, "phone": "15694005009", "password": "new-pass-22"}),
            "verifiable_type",
            "channel",
        ),
        (
            json!({"verifiable_type": "sms", "verifiable_code": code, "password": "new-pass-22"}),
            "phone",
            "destination",
        ),
        (
            json!({"verifiable_type": "mail", "verifiable_code": code, "phone": "15694005009", "password": "new-pass-22"}),
            "email",
            "destination",
        ),
        (
            json!({"verifiable_type": "sms", "phone": "15694005009", "password": "new-pass-22"}),
            "verifiable_code",
            "code",
        ),
        (
            json!({"verifiable_type": "sms", "verifiable_code": code, "phone": "15694005009"}),
            "password",
            "newPassword",
        ),
        (
            json!({"verifiable_type": "sms", "verifiable_code": code, "phone": "15694005009", "password": "weak"}),
            "password",
            "newPassword",
        ),
        (
            json!({"verifiable_type": "sms", "verifiable_code": wrong(&code), "phone": "15694005009", "password": "new-pass-22"}),
            "verifiable_code",
            "code",
        ),
    ] {
        assert_field_error(&put(body).await, field, schema_field);
    }
    assert!(login(&app, "xiaoxiao", "secret-pass-1").await["data"]["login"]["token"].is_string());
    me(&app, &token).await;

    let answer = put(json!({"verifiable_type": "sms", "verifiable_code": code, "phone": "15694005009", "password": "new-pass-22"})).await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert!(login(&app, "xiaoxiao", "new-pass-22").await["data"]["login"]["token"].is_string());
    // Every session ended; the code cannot be used again.
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, Some(&token)).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_field_error(
        &put(json!({"verifiable_type": "sms", "verifiable_code": code, "phone": "15694005009", "password": "other-pass-33"})).await,
        "verifiable_code",
        "code",
    );

    // By e-mail.
    let code = send_code(&app, "EMAIL", "xiaoxiao@example.com", "RESET").await;
    let answer = put(json!({"verifiable_type": "mail", "verifiable_code": code, "email": "xiaoxiao@example.com", "password": "mail-pass-44"})).await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert!(login(&app, "xiaoxiao", "mail-pass-44").await["data"]["login"]["token"].is_string());
}

#[tokio::test]
async fn delete_phone_and_email_unbind_them() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let delete =
        |path: &'static str, body: Value| app.call_as("DELETE", path, Some(body), Some(&token));

    let code = send_code(&app, "SMS", "15694005009", "CHANGE_CONTACT").await;
    let before = me(&app, &token).await;
    assert_field_error(
        &delete(
            "/api/v2/user/phone",
            json!({"password": "wrong-pass-1", "verifiable_code": code}),
        )
        .await,
        "password",
        "password",
    );
    assert_field_error(
        &delete(
            "/api/v2/user/phone",
            json!({"password": "secret-pass-1", "verifiable_code": wrong(&code)}),
        )
        .await,
        "verifiable_code",
        "code",
    );
    assert_field_error(
        &delete("/api/v2/user/phone", json!({"verifiable_code": code})).await,
        "password",
        "password",
    );
    assert_field_error(
        &delete("/api/v2/user/phone", json!({"password": "secret-pass-1"})).await,
        "verifiable_code",
        "code",
    );
    assert_error(
        &app.call_as(
            "DELETE",
            "/api/v2/user/phone",
            Some(json!({"password": "secret-pass-1", "verifiable_code": code})),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(me(&app, &token).await, before);

    let answer = delete(
        "/api/v2/user/phone",
        json!({"password": "secret-pass-1", "verifiable_code": code}),
    )
    .await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    let user = me(&app, &token).await;
    assert_eq!(user["phone"], "", "a required string is never null");
    assert_eq!(user["email"], "xiaoxiao@example.com");

    let code = send_code(&app, "EMAIL", "xiaoxiao@example.com", "CHANGE_CONTACT").await;
    let answer = delete(
        "/api/v2/user/email",
        json!({"password": "secret-pass-1", "verifiable_code": code}),
    )
    .await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert_eq!(me(&app, &token).await["email"], "");
    // Nothing left to unbind.
    let answer = delete(
        "/api/v2/user/email",
        json!({"password": "secret-pass-1", "verifiable_code": code}),
    )
    .await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn administrators_disable_users() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (target, target_token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let (_, other) = app
        .account("lisi", "15694005010", "secret-pass-1", &[Role::Doctor])
        .await;
    let uri = format!("/api/v2/system/disabled/{target}");

    assert_error(
        &app.call_as("PUT", &uri, None, Some(&other)).await,
        StatusCode::FORBIDDEN,
    );
    assert_error(
        &app.call_as("PUT", &uri, None, None).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_error(
        &app.call_as("PUT", "/api/v2/system/disabled/999999", None, Some(&admin))
            .await,
        StatusCode::NOT_FOUND,
    );
    assert_field_error(
        &app.call_as("PUT", "/api/v2/system/disabled/abc", None, Some(&admin))
            .await,
        "user",
        "userId",
    );
    me(&app, &target_token).await;

    let answer = app.call_as("PUT", &uri, None, Some(&admin)).await;
    assert_eq!(answer, (StatusCode::NO_CONTENT, Value::Null));
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, Some(&target_token))
            .await,
        StatusCode::UNAUTHORIZED,
    );
    let relogin = login(&app, "xiaoxiao", "secret-pass-1").await;
    assert!(relogin["errors"].is_array(), "{relogin}");
    // Disabled accounts leave the public lists.
    let (_, all) = app.call_as("GET", "/api/v2/users", None, None).await;
    assert!(all.as_array().unwrap().iter().all(|u| u["id"] != target));
}

#[tokio::test]
async fn delete_user_deactivates_the_account() {
    let app = common::app().await;
    let (id, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let (_, other) = app
        .account("lisi", "15694005010", "secret-pass-1", &[])
        .await;
    assert_error(
        &app.call_as("DELETE", "/api/v2/user", None, None).await,
        StatusCode::UNAUTHORIZED,
    );
    let users = app.count_rows("users").await;

    let answer = app
        .call_as("DELETE", "/api/v2/user", None, Some(&token))
        .await;
    assert_eq!(
        answer,
        (StatusCode::ACCEPTED, json!({"message": "操作成功,再见"}))
    );
    assert_eq!(
        app.count_rows("users").await,
        users,
        "the row stays, deactivated"
    );
    assert_error(
        &app.call_as("GET", "/api/v2/user", None, Some(&token)).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_error(
        &app.call_as("DELETE", "/api/v2/user", None, Some(&token))
            .await,
        StatusCode::UNAUTHORIZED,
    );
    assert_error(
        &app.call_as("GET", &format!("/api/v2/users/{id}"), None, Some(&other))
            .await,
        StatusCode::NOT_FOUND,
    );
    let relogin = login(&app, "xiaoxiao", "secret-pass-1").await;
    assert!(relogin["errors"].is_array(), "{relogin}");
}
