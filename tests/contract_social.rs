//! Contract tests of the social dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/social.json`) with
//! `common::contract::assert_contract`.

use http::StatusCode;
use medgraph::domain::coins::{self, CoinChange, Related};
use medgraph::graphql::node::global_id;
use medgraph::rest::Dialect;
use medgraph::storage::FileKind;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::common::contract::{assert_contract, documented_request};
use crate::common::{self, PNG_1X1, TestApp};

/// `path` with the documented query appended.
fn with_query(path: &str, query: &Value) -> String {
    let pairs: Vec<String> = query
        .as_object()
        .map(|q| {
            q.iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// Sends the documented request of `route` (its query, and its body unless `body` replaces
/// it) to `uri`; asserts `status` and the contract; the answer.
async fn documented(
    app: &TestApp,
    route: &str,
    uri: &str,
    body: Option<Value>,
    token: Option<&str>,
    status: StatusCode,
) -> Value {
    let request = documented_request(Dialect::Social, route);
    let (method, _) = route.split_once(' ').unwrap();
    let uri = with_query(uri, &request["query"]);
    let body = body.or_else(|| {
        let b = request["body"].clone();
        (b.as_object().is_some_and(|o| !o.is_empty())).then_some(b)
    });
    let (got, answer) = app.call_as(method, &uri, body, token).await;
    assert_eq!(got, status, "{route}: {answer}");
    answer
}

async fn credit(app: &TestApp, user_id: i64, amount: i64) {
    let db = &app.state.services.db;
    let txn = db.begin().await.unwrap();
    coins::apply(
        &txn,
        CoinChange {
            user_id,
            amount,
            reason: "测试".into(),
            related: Related::Adjustment,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

/// Stores an image owned by `uid`; its address (the file node).
async fn image(app: &TestApp, uid: i64) -> String {
    let services = &app.state.services;
    medgraph::domain::files::upload(
        &services.db,
        &services.files,
        bytes::Bytes::from_static(PNG_1X1),
        Some("a.png"),
        FileKind::Any,
        Some(uid),
    )
    .await
    .unwrap()
    .hash
}

/// Sends a code through GraphQL (the document has no sending endpoint); the code.
async fn send_code(app: &TestApp, channel: &str, destination: &str, purpose: &str) -> String {
    let r = app
        .graphql(
            "mutation($c: Channel!, $d: String!, $p: Purpose!) { sendVerificationCode(channel: $c, destination: $d, purpose: $p) { accepted } }",
            json!({"c": channel, "d": destination, "p": purpose}),
            None,
        )
        .await;
    assert_eq!(r["data"]["sendVerificationCode"]["accepted"], true, "{r}");
    app.last_code(destination).unwrap()
}

/// A personal verification body with real images and numbers.
fn personal(front: &str) -> Value {
    json!({
        "type": "user",
        "data": {
            "id_card": {"front": front, "rear": front, "number": "510904199001016289"},
            "real_name": "杜七夜",
            "phone_number": "18712345682",
            "desc": "智艺花泽类❤️",
        }
    })
}

async fn set_city(app: &TestApp, user_id: i64, city: i32) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let db = &app.state.services.db;
    let user = entity::user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut model = user.into_active_model();
    model.city_code = Set(Some(city));
    model.update(db).await.unwrap();
}

#[tokio::test]
async fn user_objects_carry_every_documented_field() {
    let app = common::app().await;
    let (me, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let (other, other_token) = app
        .account("lisi", "15694005010", "secret-pass-1", &[])
        .await;
    let (_, admin) = app.admin().await;
    // One user with everything (avatar, verification, membership, coins), one with nothing.
    let avatar = image(&app, me).await;
    let (status, _) = app
        .call_as(
            "PATCH",
            "/api/v2/user",
            Some(json!({"avatar": avatar, "location": "四川省 成都市", "bio": "简介"})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = app
        .call_as(
            "POST",
            "/api/v2/user/verification",
            Some(personal(&avatar)),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let month = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let r = app
        .graphql(
            "mutation($u: ID!, $e: DateTime!) { grantVip(userId: $u, level: \"middle\", name: \"钻石会员\", endsAt: $e) { level } }",
            json!({"u": global_id("User", me).0, "e": month}),
            Some(&admin),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    credit(&app, me, 9).await;

    // Both as seen by others (masked) and by themselves.
    for (uid, viewer) in [
        (me, Some(other_token.as_str())),
        (other, None),
        (other, Some(token.as_str())),
    ] {
        let user = documented(
            &app,
            "GET /api/v2/users/{user}",
            &format!("/api/v2/users/{uid}"),
            None,
            viewer,
            StatusCode::OK,
        )
        .await;
        assert_contract(Dialect::Social, "GET /api/v2/users/{user}", &user);
        assert_eq!(user["feed_topics_count"], 0);
        assert_eq!(user["commodities_count"], 0);
        assert!(user.get("phone").is_none() && user.get("wallet").is_none());
    }
    let (_, seen) = app
        .call_as(
            "GET",
            &format!("/api/v2/users/{me}"),
            None,
            Some(&other_token),
        )
        .await;
    assert_eq!(
        seen["verification"]["id_card"]["number"],
        "5******04****************6****9"
    );
    assert_eq!(seen["vip"]["name"], "钻石会员");
    assert_eq!(seen["avatar"]["node"], avatar.as_str());
    let (_, bare) = app
        .call_as("GET", &format!("/api/v2/users/{other}"), None, None)
        .await;
    assert_eq!(bare["avatar"], "", "never null");
    assert_eq!(bare["bio"], "");
    assert_eq!(bare["location"], "");

    for own in [&token, &other_token] {
        let user = documented(
            &app,
            "GET /api/v2/user",
            "/api/v2/user",
            None,
            Some(own),
            StatusCode::OK,
        )
        .await;
        assert_contract(Dialect::Social, "GET /api/v2/user", &user);
    }

    let users = documented(
        &app,
        "GET /api/v2/users",
        "/api/v2/users",
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "GET /api/v2/users", &users);
    assert_eq!(users.as_array().unwrap().len(), 3);
    // An id list longer than the default page is answered whole.
    let db = &app.state.services.db;
    let mut ids = vec![me.to_string(), other.to_string()];
    for i in 0..22 {
        let name = format!("listed{i:02}");
        let user = medgraph::domain::accounts::create_user(db, &name, &name)
            .await
            .unwrap();
        ids.push(user.id.to_string());
    }
    let (status, listed) = app
        .call_as(
            "GET",
            &format!("/api/v2/users?id={}", ids.join(",")),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_contract(Dialect::Social, "GET /api/v2/users", &listed);
    assert_eq!(listed.as_array().unwrap().len(), 24, "not cut at 20");
}

#[tokio::test]
async fn recommends_and_nearby_answer_whole_lists_without_limit() {
    let app = common::app().await;
    let (me, token) = app.user_with_token("chengdu0").await;
    set_city(&app, me, 510100).await;
    let db = &app.state.services.db;
    for i in 1..=24 {
        let name = format!("chengdu{i:02}");
        let user = medgraph::domain::accounts::create_user(db, &name, &name)
            .await
            .unwrap();
        set_city(&app, user.id, 510100).await;
    }
    // The documented request pages (limit 20, offset 0); without limit, the whole list.
    let page = documented(
        &app,
        "GET /api/v2/user/recommends",
        "/api/v2/user/recommends",
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "GET /api/v2/user/recommends", &page);
    assert_eq!(page.as_array().unwrap().len(), 20);
    let (status, all) = app
        .call_as("GET", "/api/v2/user/recommends", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_contract(Dialect::Social, "GET /api/v2/user/recommends", &all);
    assert_eq!(
        all.as_array().unwrap().len(),
        24,
        "every user but the caller"
    );

    let page = documented(
        &app,
        "GET /api/v2/user/nearby",
        "/api/v2/user/nearby",
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "GET /api/v2/user/nearby", &page);
    assert_eq!(page.as_array().unwrap().len(), 20);
    let (status, all) = app
        .call_as("GET", "/api/v2/user/nearby", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_contract(Dialect::Social, "GET /api/v2/user/nearby", &all);
    assert_eq!(all.as_array().unwrap().len(), 24, "every neighbour");

    // Beyond the ceiling: the dialect's 422, naming the legacy parameter.
    for path in ["/api/v2/user/recommends", "/api/v2/user/nearby"] {
        let (status, refused) = app
            .call_as("GET", &format!("{path}?limit=1001"), None, Some(&token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused["errors"]["limit"].is_array(), "{refused}");
    }
}

#[tokio::test]
async fn income_rank_honours_the_documented_limit_of_1000() {
    let app = common::app().await;
    let (me, token) = app.user_with_token("ranked").await;
    let (other, _) = app.user_with_token("richer").await;
    credit(&app, me, 5).await;
    credit(&app, other, 50).await;
    let rank = documented(
        &app,
        "GET /api/v2/user/currency/income-rank",
        "/api/v2/user/currency/income-rank",
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "GET /api/v2/user/currency/income-rank",
        &rank,
    );
    assert_eq!(rank["rank_list"].as_array().unwrap().len(), 2);
    assert_eq!(rank["rank_list"][0]["rank"], "1");
    assert_eq!(rank["my_rank"]["rank"], "2");
    // Anonymous: no my_rank. No GraphQL wording in a refusal.
    let (status, anonymous) = app
        .call_as(
            "GET",
            "/api/v2/user/currency/income-rank?limit=1000",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{anonymous}");
    assert_contract(
        Dialect::Social,
        "GET /api/v2/user/currency/income-rank",
        &anonymous,
    );
    assert!(anonymous.get("my_rank").is_none());
    for (query, field) in [
        ("limit=1001", "limit"),
        ("limit=0", "limit"),
        ("limit=99999999999", "limit"),
        ("days=0", "days"),
        ("days=99999999999", "days"),
    ] {
        let (status, refused) = app
            .call_as(
                "GET",
                &format!("/api/v2/user/currency/income-rank?{query}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused["errors"][field].is_array(), "{query}: {refused}");
        let text = refused.to_string().to_lowercase();
        for word in [
            "graphql",
            "query",
            "complex",
            "first",
            r#"\"int\""#,
            "variable",
        ] {
            assert!(!text.contains(word), "{word} in {refused}");
        }
    }
}

#[tokio::test]
async fn profile_and_account_commands_answer_204() {
    let app = common::app().await;
    let (_, token) = app
        .account("xiaoxiao", "15694005009", "secret-pass-1", &[])
        .await;
    let patch = documented(
        &app,
        "PATCH /api/v2/user",
        "/api/v2/user",
        None,
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(Dialect::Social, "PATCH /api/v2/user", &patch);
    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(me["name"], "xiaoxiao2");
    assert_eq!(me["sex"], 2);

    let mut body = documented_request(Dialect::Social, "PUT /api/v2/user")["body"].clone();
    let code = send_code(&app, "SMS", "15600000001", "CHANGE_CONTACT").await;
    body["verifiable_code"] = json!(code);
    let put = documented(
        &app,
        "PUT /api/v2/user",
        "/api/v2/user",
        Some(body),
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(Dialect::Social, "PUT /api/v2/user", &put);
    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(me["phone"], "15600000001");

    let password = documented(
        &app,
        "PUT /api/v2/user/password",
        "/api/v2/user/password",
        None,
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(Dialect::Social, "PUT /api/v2/user/password", &password);

    app.account("retriever", "15694005011", "secret-pass-1", &[])
        .await;
    let mut body =
        documented_request(Dialect::Social, "PUT /api/v2/user/retrieve-password")["body"].clone();
    body["phone"] = json!("15694005011");
    body["verifiable_code"] = json!(send_code(&app, "SMS", "15694005011", "RESET").await);
    let reset = documented(
        &app,
        "PUT /api/v2/user/retrieve-password",
        "/api/v2/user/retrieve-password",
        Some(body),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "PUT /api/v2/user/retrieve-password",
        &reset,
    );
    let login = app
        .graphql(
            "mutation($i: LoginInput!) { login(input: $i) { token } }",
            json!({"i": {"identifier": "15694005011", "password": "new-secret-2"}}),
            None,
        )
        .await;
    assert!(login["data"]["login"]["token"].is_string(), "{login}");
}

#[tokio::test]
async fn unbinding_disabling_and_deactivating_answer_as_documented() {
    let app = common::app().await;
    let (_, phone_token) = app
        .account("phoneuser", "15694005012", "secret-pass-1", &[])
        .await;
    let (_, mail_token) = app
        .account("mailuser", "15694005013", "secret-pass-1", &[])
        .await;
    let mut body = documented_request(Dialect::Social, "DELETE /api/v2/user/phone")["body"].clone();
    body["verifiable_code"] = json!(send_code(&app, "SMS", "15694005012", "CHANGE_CONTACT").await);
    let phone = documented(
        &app,
        "DELETE /api/v2/user/phone",
        "/api/v2/user/phone",
        Some(body),
        Some(&phone_token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(Dialect::Social, "DELETE /api/v2/user/phone", &phone);
    let (_, me) = app
        .call_as("GET", "/api/v2/user", None, Some(&phone_token))
        .await;
    assert_eq!(me["phone"], "", "a required string is never null");

    let mut body = documented_request(Dialect::Social, "DELETE /api/v2/user/email")["body"].clone();
    body["verifiable_code"] =
        json!(send_code(&app, "EMAIL", "mailuser@example.com", "CHANGE_CONTACT").await);
    let email = documented(
        &app,
        "DELETE /api/v2/user/email",
        "/api/v2/user/email",
        Some(body),
        Some(&mail_token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(Dialect::Social, "DELETE /api/v2/user/email", &email);

    let (victim, _) = app.user_with_token("victim").await;
    let (_, admin) = app.admin().await;
    let disabled = documented(
        &app,
        "PUT /api/v2/system/disabled/{user}",
        &format!("/api/v2/system/disabled/{victim}"),
        None,
        Some(&admin),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "PUT /api/v2/system/disabled/{user}",
        &disabled,
    );

    let bye = documented(
        &app,
        "DELETE /api/v2/user",
        "/api/v2/user",
        None,
        Some(&mail_token),
        StatusCode::ACCEPTED,
    )
    .await;
    assert_contract(Dialect::Social, "DELETE /api/v2/user", &bye);
    let (status, _) = app
        .call_as("GET", "/api/v2/user", None, Some(&mail_token))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn verification_is_submitted_resubmitted_and_deleted() {
    let app = common::app().await;
    let (me, token) = app.user_with_token("verified").await;
    let (_, admin) = app.admin().await;
    let front = image(&app, me).await;
    // The document's example body holds masked placeholders: refused field by field.
    let (status, refused) = app
        .call_as(
            "POST",
            "/api/v2/user/verification",
            Some(
                documented_request(Dialect::Social, "POST /api/v2/user/verification")["body"]
                    .clone(),
            ),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let submitted = documented(
        &app,
        "POST /api/v2/user/verification",
        "/api/v2/user/verification",
        Some(personal(&front)),
        Some(&token),
        StatusCode::CREATED,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "POST /api/v2/user/verification",
        &submitted,
    );
    assert_eq!(submitted["state"], -1);

    let r = app
        .graphql(
            "query($u: ID!) { user(id: $u) { verification { id } } }",
            json!({"u": global_id("User", me).0}),
            Some(&admin),
        )
        .await;
    let id = r["data"]["user"]["verification"]["id"].clone();
    let r = app
        .graphql(
            "mutation($id: ID!) { reviewVerification(id: $id, approve: false, reason: \"模糊\") { state } }",
            json!({"id": id}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["reviewVerification"]["state"], "REJECTED", "{r}");
    let resubmitted = documented(
        &app,
        "PATCH /api/v2/user/verification",
        "/api/v2/user/verification",
        Some(json!({"data": personal(&front)["data"]})),
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "PATCH /api/v2/user/verification",
        &resubmitted,
    );
    let (_, me_now) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(me_now["verification"]["state"], -1);

    let deleted = documented(
        &app,
        "DELETE /api/v2/user/verification",
        "/api/v2/user/verification",
        None,
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "DELETE /api/v2/user/verification",
        &deleted,
    );
    let (_, me_now) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(
        me_now["verification"],
        Value::Null,
        "documented: null without one"
    );
}

#[tokio::test]
async fn addresses_answer_the_documented_object() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("shopper").await;
    let created = documented(
        &app,
        "POST /api/v2/user/addresses",
        "/api/v2/user/addresses",
        None,
        Some(&token),
        StatusCode::CREATED,
    )
    .await;
    assert_contract(Dialect::Social, "POST /api/v2/user/addresses", &created);
    // Optional fields left out are "", never null.
    let (status, bare) = app.call_as("POST",
        "/api/v2/user/addresses",
        Some(json!({"name": "李四", "phone": "18818181819", "detail": "天府大道", "is_default": false})),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{bare}");
    assert_contract(Dialect::Social, "POST /api/v2/user/addresses", &bare);
    assert_eq!(bare["alias"], "");
    assert_eq!(bare["postcode"], "");

    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v2/user/addresses/{id}");
    let list = documented(
        &app,
        "GET /api/v2/user/addresses",
        "/api/v2/user/addresses",
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "GET /api/v2/user/addresses", &list);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let one = documented(
        &app,
        "GET /api/v2/user/addresses/{id}",
        &path,
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "GET /api/v2/user/addresses/{id}", &one);
    let put = documented(
        &app,
        "PUT /api/v2/user/addresses/{id}",
        &path,
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "PUT /api/v2/user/addresses/{id}", &put);
    assert_eq!(put["is_default"], true);
    let patch = documented(
        &app,
        "PATCH /api/v2/user/addresses/{id}",
        &path,
        None,
        Some(&token),
        StatusCode::OK,
    )
    .await;
    assert_contract(Dialect::Social, "PATCH /api/v2/user/addresses/{id}", &patch);
    assert_eq!(patch["alias"], "家里");
    let deleted = documented(
        &app,
        "DELETE /api/v2/user/addresses/{id}",
        &path,
        None,
        Some(&token),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_contract(
        Dialect::Social,
        "DELETE /api/v2/user/addresses/{id}",
        &deleted,
    );
    let (status, _) = app.call_as("GET", &path, None, Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
