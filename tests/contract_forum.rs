//! Contract tests of the forum dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/forum.json`) with
//! `common::contract::assert_contract`.

use http::StatusCode;
use medgraph::auth::Role;
use medgraph::domain::coins::{self, CoinChange, Related};
use medgraph::domain::posts::{self, PostInput};
use medgraph::graphql::node::global_id;
use medgraph::rest::Dialect;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::common::contract::{assert_contract, documented_request};
use crate::common::{self, PNG_1X1, TestApp};

/// Sends a forum request as `token` (or anonymously); the whole envelope, which must be a
/// success (HTTP 200, errorCode 200).
async fn forum(app: &TestApp, method: &str, path: &str, body: Value, token: Option<&str>) -> Value {
    let answer = forum_any(app, method, path, body, token).await;
    assert_eq!(answer["errorCode"], 200, "{method} {path}: {answer}");
    answer
}

/// Like [`forum`], for answers that may be failures.
async fn forum_any(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> Value {
    let body = (method != "GET").then_some(body);
    let (status, answer) = app.call_as(method, path, body, token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the forum answers HTTP 200: {answer}"
    );
    answer
}

/// A multipart POST of image parts named `image`, as `token`; the envelope.
async fn upload(app: &TestApp, path: &str, images: usize, token: &str) -> Value {
    let boundary = "contractforumboundary";
    let mut body = Vec::new();
    for i in 0..images {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{i}.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(PNG_1X1);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = http::Request::post(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, answer) = app.send_json(request).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["errorCode"], 200, "{answer}");
    answer
}

async fn credit(app: &TestApp, user_id: i64, amount: i64, reason: &str) {
    let db = &app.state.services.db;
    let txn = db.begin().await.unwrap();
    coins::apply(
        &txn,
        CoinChange {
            user_id,
            amount,
            reason: reason.into(),
            related: Related::Adjustment,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

/// `n` users who all follow `followee`.
async fn fans(app: &TestApp, followee: i64, n: usize) {
    let db = &app.state.services.db;
    for i in 0..n {
        let name = format!("fan{i:03}");
        let fan = medgraph::domain::accounts::create_user(db, &name, &name)
            .await
            .unwrap();
        medgraph::domain::follows::follow(db, fan.id, followee)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn details_answer_the_documented_profile_for_every_viewer() {
    let app = common::app().await;
    let (alice, alice_token) = app
        .account("alice", "13800000001", "secret-pass-1", &[Role::Doctor])
        .await;
    let (bob, bob_token) = app
        .account("bob", "13800000002", "secret-pass-1", &[])
        .await;
    credit(&app, alice, 52, "测试").await;
    medgraph::domain::follows::follow(&app.state.services.db, alice, bob)
        .await
        .unwrap();
    // More followers than one GraphQL page: the document's fansList is the whole list.
    fans(&app, alice, 105).await;

    let mut request = documented_request(Dialect::Forum, "POST /api/UserInfo/Details");
    request["body"]["user_id"] = json!(alice);
    // Another user's view: masked, no coins, whole lists.
    let other = forum(
        &app,
        "POST",
        "/api/UserInfo/Details",
        request["body"].clone(),
        Some(&bob_token),
    )
    .await;
    assert_contract(Dialect::Forum, "POST /api/UserInfo/Details", &other["data"]);
    let data = &other["data"];
    assert_eq!(data["fansList"].as_array().unwrap().len(), 105, "not cut");
    assert_eq!(data["followList"][0]["user_id"], bob);
    assert_eq!(data["userInfo"]["numOfCoin"], 0, "coins are the user's own");
    assert_eq!(data["userInfo"]["birthday"], "", "birthday is private");
    assert!(
        data["userInfo"]["telephone"]
            .as_str()
            .unwrap()
            .contains('*')
    );
    // The user's own view, with user_id 0 and -1.
    for me in [0, -1] {
        let own = forum(
            &app,
            "POST",
            "/api/UserInfo/Details",
            json!({"user_id": me}),
            Some(&alice_token),
        )
        .await;
        assert_contract(Dialect::Forum, "POST /api/UserInfo/Details", &own["data"]);
        assert_eq!(own["data"]["userInfo"]["numOfCoin"], 52);
        assert_eq!(own["data"]["userInfo"]["telephone"], "13800000001");
    }
    // A user who is no doctor, has no avatar, birthday or bio, seen anonymously: empty values,
    // never null.
    let plain = forum(
        &app,
        "POST",
        "/api/UserInfo/Details",
        json!({"user_id": bob}),
        None,
    )
    .await;
    assert_contract(Dialect::Forum, "POST /api/UserInfo/Details", &plain["data"]);
    assert_eq!(
        plain["data"]["certification"],
        json!({"date": "", "professionTitle": "", "department": "", "hospital_rank": ""})
    );
    assert_eq!(plain["data"]["userInfo"]["avatarUrl"], "");
    assert_eq!(plain["data"]["isLogin"], false);
}

#[tokio::test]
async fn coin_record_answers_every_change_of_seven_days() {
    let app = common::app().await;
    let (me, token) = app.user_with_token("coins").await;
    for i in 1..=25 {
        credit(&app, me, i, &format!("第 {i} 次")).await;
    }
    let request = documented_request(Dialect::Forum, "GET /api/HB/record");
    let answer = forum(
        &app,
        "GET",
        "/api/HB/record",
        request["body"].clone(),
        Some(&token),
    )
    .await;
    assert_contract(Dialect::Forum, "GET /api/HB/record", &answer["data"]);
    let list = answer["data"]["coinRecordList"].as_array().unwrap();
    assert_eq!(list.len(), 25, "the whole list, not a first page of 20");
    assert_eq!(answer["data"]["coinNum"], 325);
    // page/page_size (extensions) still page.
    let page = forum(
        &app,
        "GET",
        "/api/HB/record?page=2&page_size=10",
        json!({}),
        Some(&token),
    )
    .await;
    assert_contract(Dialect::Forum, "GET /api/HB/record", &page["data"]);
    assert_eq!(page["data"]["coinRecordList"].as_array().unwrap().len(), 10);
    assert_eq!(page["data"]["count"], 25);
}

#[tokio::test]
async fn user_posts_answer_every_post_with_integers_and_strings() {
    let app = common::app().await;
    let (author, _) = app.user_with_token("author").await;
    let (reader, reader_token) = app.user_with_token("reader").await;
    let db = &app.state.services.db;
    let mut first = 0;
    for i in 0..23 {
        let post = posts::create(
            db,
            author,
            PostInput {
                title: format!("帖子 {i}"),
                body: "正文".into(),
                tags: vec!["心内科".into()],
                images: vec![],
            },
        )
        .await
        .unwrap();
        if i == 0 {
            first = post.id;
        }
    }
    posts::comment(db, reader, first, "一楼").await.unwrap();
    let mut request = documented_request(Dialect::Forum, "POST /api/UserInfo/fetchUserPosts");
    request["body"]["user_id"] = json!(author);
    let answer = forum(
        &app,
        "POST",
        "/api/UserInfo/fetchUserPosts",
        request["body"].clone(),
        Some(&reader_token),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/fetchUserPosts",
        &answer["data"],
    );
    let list = answer["data"]["post_list"].as_array().unwrap();
    assert_eq!(list.len(), 23, "the whole list, not a first page of 20");
    // No image and no avatar: "" (never null); no floor yet: 0.
    assert_eq!(list[0]["post_pic"], "");
    assert_eq!(list[0]["post_first_comment_id"], 0);
    let oldest = list.iter().find(|p| p["post_id"] == first).unwrap();
    assert!(oldest["post_first_comment_id"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn administrator_details_hold_strings_with_and_without_a_session() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let request = documented_request(Dialect::Forum, "GET /api/Administrator/Details");
    let answer = forum(
        &app,
        "GET",
        "/api/Administrator/Details",
        request["body"].clone(),
        Some(&admin),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "GET /api/Administrator/Details",
        &answer["data"],
    );
    assert_eq!(answer["data"]["isAdministrator"], true);
    assert_eq!(answer["data"]["administrator"]["portrait"], "");
    let anonymous = forum(&app, "GET", "/api/Administrator/Details", json!({}), None).await;
    assert_contract(
        Dialect::Forum,
        "GET /api/Administrator/Details",
        &anonymous["data"],
    );
    assert_eq!(anonymous["data"]["isLogin"], false);
    assert_eq!(anonymous["data"]["administrator"]["id"], 0);
}

#[tokio::test]
async fn uploads_answer_status_and_url() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("uploader").await;
    let avatar = upload(&app, "/api/UserInfo/uploadAvatar", 1, &token).await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/uploadAvatar",
        &avatar["data"],
    );
    let approval = upload(&app, "/api/UserInfo/uploadDoctorApproval", 2, &token).await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/uploadDoctorApproval",
        &approval["data"],
    );
}

#[tokio::test]
async fn profile_edits_answer_the_documented_objects() {
    let app = common::app().await;
    let (_, token) = app
        .account("lichao", "13446754484", "secret-pass-1", &[])
        .await;
    let mut request = documented_request(Dialect::Forum, "POST /api/UserInfo/modifyUserInfo");
    // userName and telephone cannot change: the form sends the current ones.
    request["body"]["userName"] = json!("lichao");
    let answer = forum(
        &app,
        "POST",
        "/api/UserInfo/modifyUserInfo",
        request["body"].clone(),
        Some(&token),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/modifyUserInfo",
        &answer["data"],
    );
    assert_eq!(answer["data"]["userInfo"]["birthday"], "2017-11-08");
    assert_eq!(answer["data"]["errorType"], Value::Null);

    let (_, admin) = app.admin().await;
    let request = documented_request(
        Dialect::Forum,
        "POST /api/Administrator/modifyAdministratorInfo",
    );
    let answer = forum(
        &app,
        "POST",
        "/api/Administrator/modifyAdministratorInfo",
        request["body"].clone(),
        Some(&admin),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "POST /api/Administrator/modifyAdministratorInfo",
        &answer["data"],
    );
    assert_eq!(answer["data"]["administrator"]["email"], "ops@example.com");
    // The document's own example value is no address: refused, in the envelope.
    let refused = forum_any(
        &app,
        "POST",
        "/api/Administrator/modifyAdministratorInfo",
        json!({"email": "测试"}),
        Some(&admin),
    )
    .await;
    assert_eq!(refused["errorCode"], 422, "{refused}");
    assert_eq!(refused["data"]["status"], false);
}

#[tokio::test]
async fn follows_answer_200_or_118_and_never_a_false_success() {
    let app = common::app().await;
    let (me, token) = app.user_with_token("follower").await;
    let (other, _) = app.user_with_token("followee").await;
    // The documented request names user 0: nobody, refused with the documented 118.
    let request = documented_request(Dialect::Forum, "POST /api/UserInfo/followUser");
    let refused = forum_any(
        &app,
        "POST",
        "/api/UserInfo/followUser",
        request["body"].clone(),
        Some(&token),
    )
    .await;
    assert_eq!(refused["errorCode"], 118, "{refused}");
    assert_eq!(refused["data"]["status"], false);

    let follow = forum(
        &app,
        "POST",
        "/api/UserInfo/followUser",
        json!({"followUserID": other}),
        Some(&token),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/followUser",
        &follow["data"],
    );
    let gid = global_id("User", other).0;
    let seen = app
        .graphql(
            "query($u: ID!) { user(id: $u) { followerCount } }",
            json!({"u": gid}),
            None,
        )
        .await;
    assert_eq!(seen["data"]["user"]["followerCount"], 1, "{seen}");

    // The documented string form of the id.
    let unfollow = forum(
        &app,
        "POST",
        "/api/UserInfo/unfollowUser",
        json!({"followUserID": other.to_string()}),
        Some(&token),
    )
    .await;
    assert_contract(
        Dialect::Forum,
        "POST /api/UserInfo/unfollowUser",
        &unfollow["data"],
    );
    let seen = app
        .graphql(
            "query($u: ID!) { user(id: $u) { followerCount } }",
            json!({"u": global_id("User", other).0}),
            None,
        )
        .await;
    assert_eq!(seen["data"]["user"]["followerCount"], 0, "{seen}");
    // Nobody has this id: refused with 118, not a success.
    let refused = forum_any(
        &app,
        "POST",
        "/api/UserInfo/unfollowUser",
        json!({"followUserID": me + 1000}),
        Some(&token),
    )
    .await;
    assert_eq!(refused["errorCode"], 118, "{refused}");
    assert_eq!(refused["data"]["status"], false);
}

#[tokio::test]
async fn reports_answer_the_tables_form_with_the_examples_dates() {
    let app = common::app().await;
    let (author, _) = app.user_with_token("author").await;
    let (_, reporter) = app.user_with_token("reporter").await;
    let (_, admin) = app.admin().await;
    let db = &app.state.services.db;
    let report = "mutation($p: ID!, $r: String!) { reportPost(postId: $p, reason: $r) { id } }";
    let mut ids = Vec::new();
    for i in 0..3 {
        let post = posts::create(
            db,
            author,
            PostInput {
                title: format!("帖子 {i}"),
                body: "正文".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = app
            .graphql(
                report,
                json!({"p": global_id("Post", post.id).0, "r": "广告"}),
                Some(&reporter),
            )
            .await;
        ids.push(r["data"]["reportPost"]["id"].clone());
    }
    let r = app
        .graphql(
            "mutation($id: ID!) { reviewReport(id: $id, approve: true) { statusCode } }",
            json!({"id": ids[0]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["reviewReport"]["statusCode"], 2, "{r}");
    let request = documented_request(Dialect::Forum, "GET /api/UserInfo/Report");
    let answer = forum(
        &app,
        "GET",
        "/api/UserInfo/Report",
        request["body"].clone(),
        Some(&reporter),
    )
    .await;
    assert_contract(Dialect::Forum, "GET /api/UserInfo/Report", &answer["data"]);
    let list = answer["data"]["reportList"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let reviewed = list.iter().find(|r| r["report_status"] == 2).unwrap();
    assert!(reviewed["respond_date"].is_string(), "{reviewed}");
    assert_eq!(
        reviewed["report_date"].as_str(),
        reviewed["report_time"].as_str().map(|t| &t[..10])
    );
}

#[tokio::test]
async fn recharge_answers_the_pay_page() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("buyer").await;
    let request = documented_request(Dialect::Forum, "POST /api/HB/order");
    let answer = forum(
        &app,
        "POST",
        "/api/HB/order",
        request["body"].clone(),
        Some(&token),
    )
    .await;
    assert_contract(Dialect::Forum, "POST /api/HB/order", &answer["data"]);
    // Out of range: the forum's refusal, in the document's words (no GraphQL `Int`).
    for num in [json!(0), json!(99_999_999_999i64)] {
        let refused = forum_any(
            &app,
            "POST",
            "/api/HB/order",
            json!({"num": num}),
            Some(&token),
        )
        .await;
        assert_eq!(refused["errorCode"], 422, "{refused}");
        let text = refused.to_string().to_lowercase();
        assert!(
            !text.contains("graphql") && !text.contains("variable") && !text.contains(r#"\"int\""#),
            "{refused}"
        );
    }
}
