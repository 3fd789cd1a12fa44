//! Identity tests of the forum dialect: `/api/UserInfo/*` and `/api/Administrator/*` with the
//! session cookie (or a token header) and the `{errorCode, data}` envelope.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, PDF, PNG_1X1, TestApp};

const DETAILS: &str = "/api/UserInfo/Details";
const MODIFY: &str = "/api/UserInfo/modifyUserInfo";
const AVATAR: &str = "/api/UserInfo/uploadAvatar";
const ADMIN_DETAILS: &str = "/api/Administrator/Details";
const ADMIN_MODIFY: &str = "/api/Administrator/modifyAdministratorInfo";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// POSTs a JSON body to a forum route as `token` (or anonymously).
async fn post(app: &TestApp, path: &str, body: Value, token: Option<&str>) -> Value {
    let auth = token.map(bearer);
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    let (status, value) = app.call("POST", path, Some(body), &headers).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the forum answers HTTP 200: {value}"
    );
    value
}

/// Asserts a forum failure: HTTP 200, `errorCode` = `code`, `data.status` false.
fn assert_failure(answer: &Value, code: u16) {
    assert_eq!(answer["errorCode"], code, "{answer}");
    assert_eq!(answer["data"]["status"], false, "{answer}");
    assert!(answer["data"]["errorType"].is_string(), "{answer}");
    assert!(answer["data"]["message"].is_string(), "{answer}");
}

async fn details(app: &TestApp, user_id: Value, token: Option<&str>) -> Value {
    post(app, DETAILS, json!({ "user_id": user_id }), token).await
}

/// Makes `user_id` a certified doctor with a full certification.
async fn certify(app: &TestApp, user_id: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = &app.state.services.db;
    let date = chrono::NaiveDate::from_ymd_opt(2009, 11, 26).unwrap();
    entity::doctor_profile::Entity::update_many()
        .col_expr(
            entity::doctor_profile::Column::CertifiedAt,
            Expr::value(date),
        )
        .col_expr(
            entity::doctor_profile::Column::CertificationTitle,
            Expr::value("主任医师"),
        )
        .col_expr(
            entity::doctor_profile::Column::Department,
            Expr::value("心内科"),
        )
        .col_expr(
            entity::doctor_profile::Column::HospitalRank,
            Expr::value("三级甲等"),
        )
        .filter(entity::doctor_profile::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .unwrap();
}

async fn set_birthday(app: &TestApp, token: &str) {
    let r = app
        .graphql(
            "mutation { updateProfile(input: {birthday: \"1981-12-16\", gender: FEMALE, bio: \"hello\"}) { id } }",
            json!({}),
            Some(token),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
}

#[tokio::test]
async fn details_show_the_caller_in_full_and_others_masked() {
    let app = common::app().await;
    let (alice, alice_token) = app
        .account("alice", "13800000001", "secret-pass-1", &[Role::Doctor])
        .await;
    let (bob, bob_token) = app
        .account("bob", "13800000002", "secret-pass-1", &[Role::Patient])
        .await;
    certify(&app, alice).await;
    set_birthday(&app, &alice_token).await;

    for me in [json!(0), json!(-1), json!("-1")] {
        let own = details(&app, me, Some(&alice_token)).await;
        assert_eq!(own["errorCode"], 200, "{own}");
        let data = &own["data"];
        assert_eq!(data["isLogin"], true);
        let info = &data["userInfo"];
        assert_eq!(info["userID"], alice);
        assert_eq!(info["userName"], "alice");
        assert_eq!(info["gender"], "女");
        assert_eq!(info["birthday"], "1981-12-16");
        assert_eq!(info["telephone"], "13800000001");
        assert_eq!(info["email"], "alice@example.com");
        assert_eq!(info["description"], "hello");
        assert_eq!(info["avatarUrl"], "", "never null");
        assert!(info["isCertified"].is_boolean());
        assert_eq!(info["isLocked"], false);
        let cert = &data["certification"];
        assert_eq!(cert["date"], "2009-11-26");
        assert_eq!(cert["professionTitle"], "主任医师");
        assert_eq!(cert["department"], "心内科");
        assert_eq!(cert["hospital_rank"], "三级甲等");
        // The community parts of the profile.
        assert_eq!(info["numOfCoin"], 0);
        assert_eq!(data["followList"], json!([]));
        assert_eq!(data["fansList"], json!([]));
        assert_eq!(data["isFollowed"], false);
    }

    // The documented request: another user's profile, sensitive fields masked.
    let other = details(&app, json!(alice), Some(&bob_token)).await;
    assert_eq!(other["errorCode"], 200, "{other}");
    let info = &other["data"]["userInfo"];
    assert_eq!(info["userID"], alice);
    let phone = info["telephone"].as_str().unwrap();
    assert!(phone.contains('*') && phone != "13800000001", "{phone}");
    let email = info["email"].as_str().unwrap();
    assert!(
        email.contains('*') && email != "alice@example.com",
        "{email}"
    );
    assert_eq!(info["birthday"], "", "birthday is hidden from others");
    assert_eq!(info["gender"], "女");
    assert_eq!(
        other["data"]["certification"]["professionTitle"],
        "主任医师"
    );
    assert_eq!(other["data"]["isLogin"], true);

    // Anyone may look at a profile; isLogin tells whether a session came along.
    let anonymous = details(&app, json!(bob), None).await;
    assert_eq!(anonymous["errorCode"], 200, "{anonymous}");
    assert_eq!(anonymous["data"]["isLogin"], false);
    assert_eq!(
        anonymous["data"]["certification"],
        json!({"date": "", "professionTitle": "", "department": "", "hospital_rank": ""}),
        "bob is no doctor: the documented object with empty values"
    );
    assert_eq!(anonymous["data"]["userInfo"]["isCertified"], false);
    assert_eq!(anonymous["data"]["userInfo"]["gender"], "保密");
    assert!(
        anonymous["data"]["userInfo"]["telephone"]
            .as_str()
            .unwrap()
            .contains('*')
    );
}

#[tokio::test]
async fn details_errors_answer_in_the_envelope() {
    let app = common::app().await;
    let (_, token) = app
        .account("carol", "13800000003", "secret-pass-1", &[])
        .await;
    // "me" without a session.
    assert_failure(&details(&app, json!(0), None).await, 401);
    // Unknown user.
    assert_failure(&details(&app, json!(999_999), Some(&token)).await, 404);
    // Missing and mistyped user_id.
    assert_failure(&post(&app, DETAILS, json!({}), Some(&token)).await, 422);
    assert_failure(&details(&app, json!("abc"), Some(&token)).await, 422);
    assert_failure(&details(&app, json!(-5), Some(&token)).await, 422);
    // A token that is not (or no longer) valid.
    assert_failure(&details(&app, json!(0), Some("not-a-token")).await, 401);
}

/// Logs in through GraphQL; returns the `Set-Cookie` header and the token.
async fn login_cookie(app: &TestApp, identifier: &str, password: &str) -> (String, String) {
    let body = json!({
        "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
        "variables": {"i": {"identifier": identifier, "password": password}},
    });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, bytes) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    let token = value["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{value}"))
        .to_owned();
    let cookie = headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("medgraph_session="))
        .expect("a session cookie");
    (cookie, token)
}

#[tokio::test]
async fn a_graphql_login_sets_a_cookie_that_alone_authenticates_forum_requests() {
    let app = common::app().await;
    let (dave, _) = app
        .account("dave", "13800000004", "secret-pass-1", &[])
        .await;
    let (set_cookie, token) = login_cookie(&app, "dave", "secret-pass-1").await;
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite="), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    let pair = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(pair, format!("medgraph_session={token}"));

    let cookie_headers = [("cookie", pair.as_str())];
    let (status, own) = app
        .call(
            "POST",
            DETAILS,
            Some(json!({"user_id": -1})),
            &cookie_headers,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["errorCode"], 200, "{own}");
    assert_eq!(own["data"]["userInfo"]["userID"], dave);
    assert_eq!(own["data"]["userInfo"]["telephone"], "13800000004");
    assert_eq!(own["data"]["isLogin"], true);
    let (_, admin) = app.call("GET", ADMIN_DETAILS, None, &cookie_headers).await;
    assert_eq!(admin["data"]["isLogin"], true, "{admin}");
    assert_eq!(admin["data"]["isAdministrator"], false);

    // After logout the cookie no longer works.
    let out = app
        .graphql("mutation { logout }", json!({}), Some(&token))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let (_, after) = app
        .call(
            "POST",
            DETAILS,
            Some(json!({"user_id": 0})),
            &cookie_headers,
        )
        .await;
    assert_failure(&after, 401);
    let (_, admin) = app.call("GET", ADMIN_DETAILS, None, &cookie_headers).await;
    assert_failure(&admin, 401);
}

#[tokio::test]
async fn modify_user_info_takes_the_documented_form() {
    let app = common::app().await;
    let (erin, token) = app
        .account("erin", "13446754484", "secret-pass-1", &[])
        .await;
    // The documented request, with this account's unmodifiable userName and telephone.
    let form = json!({
        "userName": "erin",
        "gender": "女",
        "birthday": "2017-11-08",
        "telephone": "13446754484",
        "email": "w.xdedwtkjwg@qq.com",
        "description": "新该油团深难类革好压相查意。"
    });
    let answer = post(&app, MODIFY, form.clone(), Some(&token)).await;
    assert_eq!(answer["errorCode"], 200, "{answer}");
    assert_eq!(answer["data"]["status"], true);
    assert_eq!(
        answer["data"]["userInfo"],
        json!({
            "userID": erin,
            "userName": "erin",
            "gender": "女",
            "birthday": "2017-11-08",
            "telephone": "13446754484",
            "email": "w.xdedwtkjwg@qq.com",
            "description": "新该油团深难类革好压相查意。",
            // The same userInfo as Details.
            "isCertified": false,
            "numOfCoin": 0,
            "avatarUrl": "",
            "isLocked": false
        })
    );
    assert_eq!(answer["data"]["errorType"], Value::Null);
    // Sending it again unchanged is fine; 男 and 保密 are understood.
    for (text, expected) in [("男", "男"), ("保密", "保密")] {
        let mut again = form.clone();
        again["gender"] = json!(text);
        let answer = post(&app, MODIFY, again, Some(&token)).await;
        assert_eq!(answer["data"]["userInfo"]["gender"], expected, "{answer}");
    }
}

#[tokio::test]
async fn modify_user_info_errors_change_nothing() {
    let app = common::app().await;
    let (_, token) = app
        .account("frank", "13800000006", "secret-pass-1", &[])
        .await;
    app.account("grace", "13800000007", "secret-pass-1", &[])
        .await;
    let before = details(&app, json!(0), Some(&token)).await;
    let users_before = app.count_rows("users").await;
    let base = json!({
        "userName": "frank",
        "gender": "男",
        "birthday": "1990-01-02",
        "telephone": "13800000006",
        "email": "frank-new@example.com",
        "description": "changed"
    });
    let cases: Vec<(Value, u16)> = vec![
        (json!({"telephone": "13900009999"}), 422), // telephone cannot change
        (json!({"gender": "x"}), 422),
        (json!({"birthday": "1990-13-40"}), 422),
        (json!({"birthday": "2990-01-01"}), 422),
        (json!({"email": "not-an-address"}), 422),
        (json!({"email": "grace@example.com"}), 409), // another account's address
        (json!({"description": "x".repeat(501)}), 422),
    ];
    for (change, code) in cases {
        let mut form = base.clone();
        for (k, v) in change.as_object().unwrap() {
            form[k] = v.clone();
        }
        let answer = post(&app, MODIFY, form, Some(&token)).await;
        assert_failure(&answer, code);
    }
    // Without a session, and with a dead token.
    assert_failure(&post(&app, MODIFY, base.clone(), None).await, 401);
    assert_failure(&post(&app, MODIFY, base.clone(), Some("bogus")).await, 401);
    let after = details(&app, json!(0), Some(&token)).await;
    assert_eq!(before, after, "failed edits change nothing");
    assert_eq!(app.count_rows("users").await, users_before);
}

#[tokio::test]
async fn modify_user_info_refuses_a_different_user_name() {
    let app = common::app().await;
    let (_, token) = app
        .account("heidi", "13800000008", "secret-pass-1", &[])
        .await;
    let answer = post(
        &app,
        MODIFY,
        json!({"userName": "someone-else", "telephone": "13800000008"}),
        Some(&token),
    )
    .await;
    assert_failure(&answer, 422);
    let own = details(&app, json!(0), Some(&token)).await;
    assert_eq!(own["data"]["userInfo"]["userName"], "heidi");
}

#[tokio::test]
async fn a_different_user_name_never_renames_the_account() {
    let app = common::app().await;
    let (_, token) = app
        .account("ivan", "13800000009", "secret-pass-1", &[])
        .await;
    let answer = post(
        &app,
        MODIFY,
        json!({"userName": "someone-else", "telephone": "13800000009"}),
        Some(&token),
    )
    .await;
    assert_eq!(answer["errorCode"], 422, "{answer}");
    assert_eq!(answer["data"]["status"], false);
    let own = details(&app, json!(0), Some(&token)).await;
    assert_eq!(own["data"]["userInfo"]["userName"], "ivan");
}

async fn upload(
    app: &TestApp,
    field: &str,
    bytes: &[u8],
    mime: &str,
    token: Option<&str>,
) -> Value {
    let (content_type, body) = common::multipart(field, "avatar.png", mime, bytes, &[]);
    let mut builder = Request::post(AVATAR).header("content-type", content_type);
    if let Some(token) = token {
        builder = builder.header("authorization", bearer(token));
    }
    let (status, value) = app.send_json(builder.body(Body::from(body)).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{value}");
    value
}

#[tokio::test]
async fn upload_avatar_stores_the_image_and_answers_its_url() {
    let app = common::app().await;
    let (_, token) = app
        .account("judy", "13800000010", "secret-pass-1", &[])
        .await;
    let (_, admin_token) = app.admin().await;

    // Failures first: nothing is stored and the avatar stays unset.
    assert_failure(
        &upload(&app, "image", PDF, "application/pdf", Some(&token)).await,
        422,
    );
    assert_failure(
        &upload(&app, "file", PNG_1X1, "image/png", Some(&token)).await,
        422,
    );
    assert_failure(
        &upload(&app, "image", PNG_1X1, "image/png", None).await,
        401,
    );
    assert_eq!(app.count_rows("stored_files").await, 0);
    let own = details(&app, json!(0), Some(&token)).await;
    assert_eq!(
        own["data"]["userInfo"]["avatarUrl"], "",
        "no avatar yet: never null"
    );

    let answer = upload(&app, "image", PNG_1X1, "image/png", Some(&token)).await;
    assert_eq!(answer["errorCode"], 200, "{answer}");
    assert_eq!(answer["data"]["status"], true);
    let url = answer["data"]["url"].as_str().unwrap().to_owned();
    assert!(url.contains("/files/"), "{url}");
    let own = details(&app, json!(0), Some(&token)).await;
    assert_eq!(own["data"]["userInfo"]["avatarUrl"], url.as_str());
    let path = url
        .split_once("/files/")
        .map(|(_, h)| format!("/files/{h}"))
        .unwrap();
    let (status, _, bytes) = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG_1X1);

    // An administrator uploads a portrait the same way.
    let answer = upload(&app, "image", PNG_1X1, "image/png", Some(&admin_token)).await;
    assert_eq!(answer["data"]["status"], true, "{answer}");
    let (_, admin) = app
        .call(
            "GET",
            ADMIN_DETAILS,
            None,
            &[("authorization", &bearer(&admin_token))],
        )
        .await;
    assert_eq!(admin["data"]["administrator"]["portrait"], url.as_str());
}

#[tokio::test]
async fn administrator_details_and_email_change() {
    let app = common::app().await;
    let (admin_id, admin_token) = app.admin().await;
    let (_, user_token) = app
        .account("ken", "13800000011", "secret-pass-1", &[])
        .await;
    let admin_auth = bearer(&admin_token);
    let admin_headers = [("authorization", admin_auth.as_str())];

    let (status, answer) = app.call("GET", ADMIN_DETAILS, None, &admin_headers).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errorCode"], 200, "{answer}");
    assert_eq!(
        answer["data"],
        json!({
            "administrator": {
                "id": admin_id,
                "name": "admin",
                "telephone": "13900000000",
                "email": "admin@example.com",
                "portrait": ""
            },
            "isAdministrator": true,
            "isLogin": true
        })
    );

    // Not an administrator; no session at all.
    let user_auth = bearer(&user_token);
    let (_, answer) = app
        .call(
            "GET",
            ADMIN_DETAILS,
            None,
            &[("authorization", user_auth.as_str())],
        )
        .await;
    assert_eq!(answer["data"]["isAdministrator"], false, "{answer}");
    assert_eq!(answer["data"]["isLogin"], true);
    let (_, answer) = app.call("GET", ADMIN_DETAILS, None, &[]).await;
    assert_eq!(
        answer,
        json!({"errorCode": 200, "data": {
            "administrator": {"id": 0, "name": "", "telephone": "", "email": "", "portrait": ""},
            "isAdministrator": false,
            "isLogin": false
        }})
    );

    // The documented example value "测试" is no e-mail address: refused, nothing changes.
    let refused = post(
        &app,
        ADMIN_MODIFY,
        json!({"email": "测试"}),
        Some(&admin_token),
    )
    .await;
    assert_failure(&refused, 422);
    let taken = post(
        &app,
        ADMIN_MODIFY,
        json!({"email": "ken@example.com"}),
        Some(&admin_token),
    )
    .await;
    assert_failure(&taken, 409);
    assert_failure(
        &post(&app, ADMIN_MODIFY, json!({}), Some(&admin_token)).await,
        422,
    );
    assert_failure(
        &post(&app, ADMIN_MODIFY, json!({"email": "a@b.cn"}), None).await,
        401,
    );
    let (_, unchanged) = app.call("GET", ADMIN_DETAILS, None, &admin_headers).await;
    assert_eq!(
        unchanged["data"]["administrator"]["email"],
        "admin@example.com"
    );

    let changed = post(
        &app,
        ADMIN_MODIFY,
        json!({"email": "ops@example.com"}),
        Some(&admin_token),
    )
    .await;
    assert_eq!(changed["errorCode"], 200, "{changed}");
    assert_eq!(changed["data"]["status"], true);
    assert_eq!(changed["data"]["administrator"]["email"], "ops@example.com");
    assert_eq!(changed["data"]["administrator"]["id"], admin_id);
    assert_eq!(changed["data"]["administrator"]["telephone"], "13900000000");
}

#[tokio::test]
async fn disabled_and_deactivated_accounts() {
    let app = common::app().await;
    let (_, admin_token) = app.admin().await;
    let (lena, lena_token) = app
        .account("lena", "13800000012", "secret-pass-1", &[])
        .await;
    let (mike, mike_token) = app
        .account("mike", "13800000013", "secret-pass-1", &[])
        .await;

    // A disabled account's session stops working.
    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": medgraph::graphql::node::global_id("User", lena).0}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(r["data"]["setUserDisabled"]["status"], "DISABLED", "{r}");
    assert_failure(&details(&app, json!(0), Some(&lena_token)).await, 401);
    let seen = details(&app, json!(lena), Some(&mike_token)).await;
    assert_eq!(seen["data"]["userInfo"]["isLocked"], true, "{seen}");
    let form = json!({"telephone": "13800000012", "description": "x"});
    assert_failure(&post(&app, MODIFY, form, Some(&lena_token)).await, 401);

    // A deactivated account is gone for everyone but administrators.
    let r = app
        .graphql(
            "mutation { deactivateAccount }",
            json!({}),
            Some(&mike_token),
        )
        .await;
    assert_eq!(r["data"]["deactivateAccount"], true, "{r}");
    assert_failure(&details(&app, json!(0), Some(&mike_token)).await, 401);
    let (_, other_token) = app
        .account("nina", "13800000014", "secret-pass-1", &[])
        .await;
    assert_failure(&details(&app, json!(mike), Some(&other_token)).await, 404);
    let seen = details(&app, json!(mike), Some(&admin_token)).await;
    assert_eq!(seen["data"]["userInfo"]["userID"], mike, "{seen}");
}
