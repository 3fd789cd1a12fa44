//! Community reviews: reports (举报) of posts and floors and their review, doctor certification
//! (医师认证) and its review, daily check-in (签到) and VIP memberships (会员), through GraphQL
//! and the forum dialect (`GET /api/UserInfo/Report`, `POST /api/UserInfo/uploadDoctorApproval`,
//! the certification in `POST /api/UserInfo/Details`).

use chrono::{Duration, NaiveDate, Utc};
use medgraph::domain::{checkins, posts};
use medgraph::graphql::node::global_id;
use serde_json::{Value, json};

use crate::common::{self, PDF, PNG_1X1, TestApp, first_code};

const REPORT: &str = "/api/UserInfo/Report";
const APPROVAL: &str = "/api/UserInfo/uploadDoctorApproval";
const DETAILS: &str = "/api/UserInfo/Details";

/// The smallest GIF: 1x1.
const GIF_1X1: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A forum call as `token`; the forum always answers HTTP 200.
async fn forum(app: &TestApp, method: &str, path: &str, body: Option<Value>, token: &str) -> Value {
    let auth = bearer(token);
    let (status, value) = app
        .call(method, path, body, &[("authorization", auth.as_str())])
        .await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

/// A forum failure: `errorCode` = `code`, `data.status` false, `data.errorType` = `kind`.
fn assert_forum_failure(answer: &Value, code: u16, kind: &str) {
    assert_eq!(answer["errorCode"], code, "{answer}");
    assert_eq!(answer["data"]["status"], false, "{answer}");
    assert_eq!(answer["data"]["errorType"], kind, "{answer}");
}

/// A multipart POST with file parts `(field, file name, content type, bytes)` and headers,
/// answered 200.
async fn multipart(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
    headers: &[(&str, &str)],
) -> Value {
    let (status, value) = app.post_multipart_with(path, fields, files, headers).await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

/// The forum upload of the two certificates as `token`.
async fn upload_approval(app: &TestApp, token: &str, files: &[(&str, &str, &str, &[u8])]) -> Value {
    let auth = bearer(token);
    multipart(
        app,
        APPROVAL,
        &[],
        files,
        &[("authorization", auth.as_str())],
    )
    .await
}

const TWO_IMAGES: &[(&str, &str, &str, &[u8])] = &[
    ("image", "qualification.png", "image/png", PNG_1X1),
    ("image", "practice.gif", "image/gif", GIF_1X1),
];

/// A post by `author` with `floors` comments by `commenter`; its id.
async fn post_with_floors(app: &TestApp, author: i64, commenter: i64, floors: usize) -> i64 {
    let db = &app.state.services.db;
    let post = posts::create(
        db,
        author,
        posts::PostInput {
            title: "血压高怎么办".into(),
            body: "最近血压有点高".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for i in 0..floors {
        posts::comment(db, commenter, post.id, &format!("第 {} 楼", i + 1))
            .await
            .unwrap();
    }
    post.id
}

fn post_gid(id: i64) -> String {
    global_id("Post", id).0
}

const REPORT_POST: &str = "mutation($p: ID!, $f: Int, $r: String!) {
  reportPost(postId: $p, floor: $f, reason: $r) { id legacyId status statusCode floor postLegacyId reason createdAt respondedAt }
}";

const REVIEW_REPORT: &str = "mutation($id: ID!, $a: Boolean!, $r: String) {
  reviewReport(id: $id, approve: $a, response: $r) { id status statusCode response respondedAt reviewer { username } }
}";

fn is_forum_time(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok())
}

#[tokio::test]
async fn reports_are_reviewed_by_administrators_and_listed_in_the_forum() {
    let app = common::app().await;
    let (author, _) = app.user_with_token("author").await;
    let (commenter, _) = app.user_with_token("commenter").await;
    let (_, reporter) = app.user_with_token("reporter").await;
    let (_, other) = app.user_with_token("other").await;
    let (_, admin) = app.admin().await;
    let post = post_with_floors(&app, author, commenter, 2).await;

    let on_post = app
        .graphql(
            REPORT_POST,
            json!({"p": post_gid(post), "r": " 广告 "}),
            Some(&reporter),
        )
        .await;
    let on_post = &on_post["data"]["reportPost"];
    assert_eq!(on_post["status"], "PENDING", "{on_post}");
    assert_eq!(on_post["statusCode"], 0);
    assert_eq!(on_post["reason"], "广告");
    assert_eq!(on_post["floor"], Value::Null);
    assert_eq!(on_post["postLegacyId"], post);
    assert_eq!(on_post["respondedAt"], Value::Null);
    let on_floor = app
        .graphql(
            REPORT_POST,
            json!({"p": post_gid(post), "f": 2, "r": "人身攻击"}),
            Some(&reporter),
        )
        .await;
    let on_floor = &on_floor["data"]["reportPost"];
    assert_eq!(on_floor["floor"], 2, "{on_floor}");

    // The forum list, newest first, in the documented shape.
    let list = forum(&app, "GET", REPORT, None, &reporter).await;
    assert_eq!(list["errorCode"], 200, "{list}");
    let items = list["data"]["reportList"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let floor_item = &items[0];
    assert_eq!(
        floor_item["report_id"],
        on_floor["legacyId"].as_i64().unwrap().to_string()
    );
    assert_eq!(floor_item["report_status"], 0);
    assert!(is_forum_time(&floor_item["report_time"]), "{floor_item}");
    assert_eq!(floor_item["respond_time"], Value::Null);
    assert_eq!(floor_item["floor_number"], "2");
    assert_eq!(floor_item["post_id"], post.to_string());
    assert_eq!(items[1]["floor_number"], "0", "the post itself");
    for item in items {
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        // The table's six fields and the example's report_date / respond_date.
        assert_eq!(keys.len(), 8, "{item}");
        assert_eq!(
            item["report_date"].as_str(),
            item["report_time"].as_str().map(|t| &t[..10])
        );
    }

    // Administrators see the queue and review.
    let queue = app
        .graphql(
            "{ reports(status: PENDING) { totalCount nodes { id floor reporter { username } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(queue["data"]["reports"]["totalCount"], 2, "{queue}");
    assert_eq!(
        queue["data"]["reports"]["nodes"][0]["reporter"]["username"],
        "reporter"
    );
    let approved = app
        .graphql(
            REVIEW_REPORT,
            json!({"id": on_floor["id"], "a": true, "r": "已删除该楼层"}),
            Some(&admin),
        )
        .await;
    let approved = &approved["data"]["reviewReport"];
    assert_eq!(approved["status"], "APPROVED", "{approved}");
    assert_eq!(approved["statusCode"], 2);
    assert_eq!(approved["response"], "已删除该楼层");
    assert_eq!(approved["reviewer"]["username"], "admin");
    assert!(approved["respondedAt"].is_string());
    let rejected = app
        .graphql(
            REVIEW_REPORT,
            json!({"id": on_post["id"], "a": false}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        rejected["data"]["reviewReport"]["status"], "REJECTED",
        "{rejected}"
    );

    let list = forum(&app, "GET", REPORT, None, &reporter).await;
    let items = list["data"]["reportList"].as_array().unwrap();
    assert_eq!(items[0]["report_status"], 2, "{list}");
    assert!(is_forum_time(&items[0]["respond_time"]), "{list}");
    assert_eq!(items[1]["report_status"], 1);
    assert!(is_forum_time(&items[1]["respond_time"]));

    let mine = app
        .graphql(
            "{ myReports { totalCount nodes { status } } }",
            json!({}),
            Some(&reporter),
        )
        .await;
    assert_eq!(mine["data"]["myReports"]["totalCount"], 2, "{mine}");
    let pending = app
        .graphql(
            "{ reports(status: PENDING) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(pending["data"]["reports"]["totalCount"], 0);

    // Nodes: the reporter and administrators only.
    let node = "query($id: ID!) { node(id: $id) { ... on Report { reason } } }";
    for (token, visible) in [(&reporter, true), (&admin, true), (&other, false)] {
        let r = app
            .graphql(node, json!({"id": on_post["id"]}), Some(token))
            .await;
        assert_eq!(!r["data"]["node"].is_null(), visible, "{r}");
    }
    let others = forum(&app, "GET", REPORT, None, &other).await;
    assert_eq!(others["data"]["reportList"], json!([]), "{others}");
}

#[tokio::test]
async fn refused_report_changes_change_nothing() {
    let app = common::app().await;
    let (author, author_token) = app.user_with_token("author").await;
    let (commenter, _) = app.user_with_token("commenter").await;
    let (_, reporter) = app.user_with_token("reporter").await;
    let (_, admin) = app.admin().await;
    let post = post_with_floors(&app, author, commenter, 1).await;

    let report = |vars: Value, token: String| {
        let app = &app;
        async move { app.graphql(REPORT_POST, vars, Some(&token)).await }
    };
    let first = report(json!({"p": post_gid(post), "r": "spam"}), reporter.clone()).await;
    let id = first["data"]["reportPost"]["id"].clone();
    assert!(id.is_string(), "{first}");

    // Bad input, missing targets, one's own post, a second pending report of the same target.
    let cases = [
        (
            json!({"p": post_gid(post), "r": "  "}),
            &reporter,
            "BAD_USER_INPUT",
        ),
        (
            json!({"p": post_gid(post), "r": "x".repeat(501)}),
            &reporter,
            "BAD_USER_INPUT",
        ),
        (
            json!({"p": post_gid(post), "f": 0, "r": "spam"}),
            &reporter,
            "BAD_USER_INPUT",
        ),
        (
            json!({"p": post_gid(999_999), "r": "spam"}),
            &reporter,
            "NOT_FOUND",
        ),
        (
            json!({"p": post_gid(post), "f": 9, "r": "spam"}),
            &reporter,
            "NOT_FOUND",
        ),
        (
            json!({"p": global_id("User", 1).0, "r": "spam"}),
            &reporter,
            "BAD_USER_INPUT",
        ),
        (
            json!({"p": post_gid(post), "r": "mine"}),
            &author_token,
            "BAD_USER_INPUT",
        ),
        (
            json!({"p": post_gid(post), "r": "again"}),
            &reporter,
            "CONFLICT",
        ),
    ];
    for (vars, token, code) in cases {
        let r = report(vars.clone(), token.clone()).await;
        assert_eq!(first_code(&r), code, "{vars}: {r}");
    }
    let r = report(json!({"p": post_gid(post), "r": ""}), reporter.clone()).await;
    assert_eq!(r["errors"][0]["extensions"]["field"], "reason", "{r}");
    assert_eq!(app.count_rows("post_reports").await, 1);
    // The floor is another target.
    let floor = report(
        json!({"p": post_gid(post), "f": 1, "r": "spam"}),
        reporter.clone(),
    )
    .await;
    assert_eq!(floor["data"]["reportPost"]["floor"], 1, "{floor}");

    // Only administrators review, once.
    let r = app
        .graphql(REVIEW_REPORT, json!({"id": id, "a": true}), Some(&reporter))
        .await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
    let r = app
        .graphql("{ reports { totalCount } }", json!({}), Some(&reporter))
        .await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
    let r = app
        .graphql(
            REVIEW_REPORT,
            json!({"id": id, "a": true, "r": "x".repeat(501)}),
            Some(&admin),
        )
        .await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(
        app.count_rows_where("post_reports", "status = 0").await,
        2,
        "refused reviews change nothing"
    );
    let r = app
        .graphql(REVIEW_REPORT, json!({"id": id, "a": true}), Some(&admin))
        .await;
    assert_eq!(r["data"]["reviewReport"]["status"], "APPROVED", "{r}");
    let r = app
        .graphql(REVIEW_REPORT, json!({"id": id, "a": false}), Some(&admin))
        .await;
    assert_eq!(first_code(&r), "CONFLICT", "{r}");
    let r = app
        .graphql(
            REVIEW_REPORT,
            json!({"id": global_id("Report", 999_999).0, "a": false}),
            Some(&admin),
        )
        .await;
    assert_eq!(first_code(&r), "NOT_FOUND", "{r}");
    assert_eq!(app.count_rows_where("post_reports", "status = 2").await, 1);

    // Once reviewed, the same target may be reported again.
    let again = report(
        json!({"p": post_gid(post), "r": "still spam"}),
        reporter.clone(),
    )
    .await;
    assert_eq!(again["data"]["reportPost"]["status"], "PENDING", "{again}");

    // The forum list needs a login.
    let (_, anonymous) = app.call("GET", REPORT, None, &[]).await;
    assert_forum_failure(&anonymous, 401, "UNAUTHENTICATED");
}

const CERTIFICATIONS: &str = "{ myDoctorCertifications { totalCount nodes { id status reason title qualificationUrl practice { contentType } } } }";

const REVIEW_CERTIFICATION: &str = "mutation($id: ID!, $a: Boolean!, $t: String, $d: String, $h: String, $r: String) {
  reviewDoctorCertification(id: $id, approve: $a, title: $t, department: $d, hospitalRank: $h, reason: $r) {
    status title department hospitalRank reason reviewedAt user { username roles doctorProfile { isCertified } }
  }
}";

async fn pending_certification(app: &TestApp, admin: &str) -> Value {
    let r = app
        .graphql(
            "{ doctorCertifications(status: PENDING) { totalCount nodes { id user { username } } } }",
            json!({}),
            Some(admin),
        )
        .await;
    assert_eq!(r["data"]["doctorCertifications"]["totalCount"], 1, "{r}");
    r["data"]["doctorCertifications"]["nodes"][0]["id"].clone()
}

#[tokio::test]
async fn doctor_certification_is_uploaded_reviewed_and_shown_in_details() {
    let app = common::app().await;
    let (_, alice) = app.user_with_token("alice").await;
    let (_, admin) = app.admin().await;

    let before = forum(&app, "POST", DETAILS, Some(json!({"user_id": 0})), &alice).await;
    assert_eq!(before["data"]["userInfo"]["isCertified"], false, "{before}");
    assert_eq!(
        before["data"]["certification"],
        json!({"date": "", "professionTitle": "", "department": "", "hospital_rank": ""}),
        "no doctor yet: the documented object with empty values"
    );

    // The documented upload: two parts named image.
    let uploaded = upload_approval(&app, &alice, TWO_IMAGES).await;
    assert_eq!(uploaded["errorCode"], 200, "{uploaded}");
    assert_eq!(uploaded["data"]["status"], true);
    let url = uploaded["data"]["url"].as_str().unwrap();
    assert!(url.contains("/files/"), "{url}");
    assert_eq!(app.count_rows("stored_files").await, 2);
    let mine = app.graphql(CERTIFICATIONS, json!({}), Some(&alice)).await;
    let request = &mine["data"]["myDoctorCertifications"]["nodes"][0];
    assert_eq!(request["status"], "PENDING", "{mine}");
    assert_eq!(request["qualificationUrl"], url);
    assert_eq!(request["practice"]["contentType"], "image/gif");

    // A pending request blocks another one.
    let again = upload_approval(&app, &alice, TWO_IMAGES).await;
    assert_forum_failure(&again, 409, "CONFLICT");
    assert_eq!(app.count_rows("doctor_certifications").await, 1);

    // Approval needs the title, department and rank, and only administrators give it.
    let id = pending_certification(&app, &admin).await;
    let r = app
        .graphql(
            REVIEW_CERTIFICATION,
            json!({"id": id, "a": true, "t": "主治医师", "d": "心内科"}),
            Some(&admin),
        )
        .await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "hospitalRank");
    let full = json!({"id": id, "a": true, "t": "主治医师", "d": "心内科", "h": "三级甲等"});
    let r = app
        .graphql(REVIEW_CERTIFICATION, full.clone(), Some(&alice))
        .await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
    assert_eq!(
        app.count_rows_where("doctor_certifications", "status = 'pending'")
            .await,
        1
    );
    assert_eq!(app.count_rows("doctor_profiles").await, 0);

    let r = app
        .graphql(REVIEW_CERTIFICATION, full.clone(), Some(&admin))
        .await;
    let reviewed = &r["data"]["reviewDoctorCertification"];
    assert_eq!(reviewed["status"], "APPROVED", "{r}");
    assert_eq!(reviewed["hospitalRank"], "三级甲等");
    assert!(reviewed["reviewedAt"].is_string());
    assert!(
        reviewed["user"]["roles"]
            .as_array()
            .unwrap()
            .contains(&json!("DOCTOR")),
        "{r}"
    );
    assert_eq!(reviewed["user"]["doctorProfile"]["isCertified"], true);
    let r = app.graphql(REVIEW_CERTIFICATION, full, Some(&admin)).await;
    assert_eq!(first_code(&r), "CONFLICT", "{r}");

    // /api/UserInfo/Details shows the certification.
    let today = checkins::local_day(Utc::now()).to_string();
    let details = forum(&app, "POST", DETAILS, Some(json!({"user_id": 0})), &alice).await;
    assert_eq!(
        details["data"]["userInfo"]["isCertified"], true,
        "{details}"
    );
    let cert = &details["data"]["certification"];
    assert_eq!(cert["date"], today.as_str());
    assert_eq!(cert["professionTitle"], "主治医师");
    assert_eq!(cert["department"], "心内科");
    assert_eq!(cert["hospital_rank"], "三级甲等");

    // The user heard of it.
    assert_eq!(
        app.count_rows_where("notifications", "kind = 'doctor_certification'")
            .await,
        1
    );
}

#[tokio::test]
async fn refused_certificates_store_nothing_and_rejections_may_be_resubmitted() {
    let app = common::app().await;
    let (_, bob) = app.user_with_token("bob").await;
    let (_, admin) = app.admin().await;

    // One part, a PDF among the images, three parts: refused, nothing stored.
    let one = upload_approval(
        &app,
        &bob,
        &[("image", "qualification.png", "image/png", PNG_1X1)],
    )
    .await;
    assert_forum_failure(&one, 422, "BAD_USER_INPUT");
    let pdf = upload_approval(
        &app,
        &bob,
        &[
            ("image", "qualification.png", "image/png", PNG_1X1),
            ("image", "practice.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_forum_failure(&pdf, 422, "BAD_USER_INPUT");
    let three = upload_approval(
        &app,
        &bob,
        &[
            ("image", "a.png", "image/png", PNG_1X1),
            ("image", "b.gif", "image/gif", GIF_1X1),
            ("image", "c.png", "image/png", PNG_1X1),
        ],
    )
    .await;
    assert_forum_failure(&three, 422, "BAD_USER_INPUT");
    let none = forum(&app, "POST", APPROVAL, Some(json!({})), &bob).await;
    assert_forum_failure(&none, 422, "BAD_USER_INPUT");
    assert_eq!(app.count_rows("stored_files").await, 0);
    assert_eq!(app.count_rows("doctor_certifications").await, 0);

    // GraphQL multipart with named parts; a non-image is refused there too.
    let operations = json!({
        "query": "mutation($q: Upload, $p: Upload) { submitDoctorCertification(qualification: $q, practice: $p) { status qualification { contentType } } }",
        "variables": {"q": null, "p": null},
    })
    .to_string();
    let map = r#"{"0":["variables.q"],"1":["variables.p"]}"#;
    let auth = bearer(&bob);
    let refused = multipart(
        &app,
        "/graphql",
        &[("operations", &operations), ("map", map)],
        &[
            ("0", "q.png", "image/png", PNG_1X1),
            ("1", "p.pdf", "application/pdf", PDF),
        ],
        &[("authorization", auth.as_str())],
    )
    .await;
    assert_eq!(first_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["field"], "practice");
    assert_eq!(app.count_rows("stored_files").await, 0);
    let sent = multipart(
        &app,
        "/graphql",
        &[("operations", &operations), ("map", map)],
        &[
            ("0", "q.png", "image/png", PNG_1X1),
            ("1", "p.gif", "image/gif", GIF_1X1),
        ],
        &[("authorization", auth.as_str())],
    )
    .await;
    let sent = &sent["data"]["submitDoctorCertification"];
    assert_eq!(sent["status"], "PENDING", "{sent}");
    assert_eq!(sent["qualification"]["contentType"], "image/png");

    // Rejected with a reason; the user sends new images.
    let id = pending_certification(&app, &admin).await;
    let r = app
        .graphql(
            REVIEW_CERTIFICATION,
            json!({"id": id, "a": false, "r": "照片不清晰"}),
            Some(&admin),
        )
        .await;
    let rejected = &r["data"]["reviewDoctorCertification"];
    assert_eq!(rejected["status"], "REJECTED", "{r}");
    assert_eq!(rejected["reason"], "照片不清晰");
    assert_eq!(rejected["user"]["doctorProfile"], Value::Null);
    let details = forum(&app, "POST", DETAILS, Some(json!({"user_id": 0})), &bob).await;
    assert_eq!(details["data"]["userInfo"]["isCertified"], false);

    let resent = upload_approval(&app, &bob, TWO_IMAGES).await;
    assert_eq!(resent["errorCode"], 200, "{resent}");
    let mine = app.graphql(CERTIFICATIONS, json!({}), Some(&bob)).await;
    let nodes = &mine["data"]["myDoctorCertifications"]["nodes"];
    assert_eq!(
        mine["data"]["myDoctorCertifications"]["totalCount"], 2,
        "{mine}"
    );
    assert_eq!(nodes[0]["status"], "PENDING");
    assert_eq!(nodes[1]["status"], "REJECTED");
    assert_eq!(nodes[1]["reason"], "照片不清晰");

    // Nodes: the owner and administrators only.
    let (_, carol) = app.user_with_token("carol").await;
    let node = "query($id: ID!) { node(id: $id) { ... on DoctorCertification { status } } }";
    for (token, visible) in [(&bob, true), (&admin, true), (&carol, false)] {
        let r = app.graphql(node, json!({"id": id}), Some(token)).await;
        assert_eq!(!r["data"]["node"].is_null(), visible, "{r}");
    }
    let r = app
        .graphql(
            "{ doctorCertifications { totalCount } }",
            json!({}),
            Some(&carol),
        )
        .await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
}

const CHECK_IN: &str =
    "mutation { checkIn { reward balance checkin { total streak lastDay checkedInToday } } }";

#[tokio::test]
async fn check_in_once_a_day_with_a_coin_reward() {
    let app = common::app().await;
    let (dave_id, dave) = app.user_with_token("dave").await;

    let fresh = app
        .graphql(
            "{ me { checkin { total streak lastDay checkedInToday } } }",
            json!({}),
            Some(&dave),
        )
        .await;
    assert_eq!(
        fresh["data"]["me"]["checkin"],
        json!({"total": 0, "streak": 0, "lastDay": null, "checkedInToday": false}),
        "{fresh}"
    );

    let r = app.graphql(CHECK_IN, json!({}), Some(&dave)).await;
    let receipt = &r["data"]["checkIn"];
    let today = checkins::local_day(Utc::now()).to_string();
    assert_eq!(receipt["reward"], checkins::REWARD, "{r}");
    assert_eq!(receipt["balance"], checkins::REWARD);
    assert_eq!(
        receipt["checkin"],
        json!({"total": 1, "streak": 1, "lastDay": today, "checkedInToday": true})
    );

    let twice = app.graphql(CHECK_IN, json!({}), Some(&dave)).await;
    assert_eq!(first_code(&twice), "CONFLICT", "{twice}");
    assert_eq!(app.count_rows("coin_entries").await, 1);
    let db = &app.state.services.db;
    assert_eq!(
        medgraph::domain::coins::balance(db, dave_id).await.unwrap(),
        checkins::REWARD
    );

    let me = app
        .graphql(
            "{ me { checkin { total streak lastDay } } }",
            json!({}),
            Some(&dave),
        )
        .await;
    assert_eq!(
        me["data"]["me"]["checkin"],
        json!({"total": 1, "streak": 1, "lastDay": today})
    );
    let anonymous = app.graphql(CHECK_IN, json!({}), None).await;
    assert_eq!(first_code(&anonymous), "UNAUTHENTICATED");

    // Days given explicitly: consecutive days extend the run, a gap restarts it.
    let (erin, _) = app.user_with_token("erin").await;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut seen = Vec::new();
    for d in ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-03"] {
        let r = checkins::check_in_on(db, erin, day(d)).await.unwrap();
        seen.push((r.state.total, r.state.streak));
    }
    assert_eq!(seen, vec![(1, 1), (2, 2), (3, 3), (4, 1)]);
    assert!(
        checkins::check_in_on(db, erin, day("2026-03-03"))
            .await
            .is_err()
    );
    assert_eq!(
        medgraph::domain::coins::ledger_sum(db, erin).await.unwrap(),
        4 * checkins::REWARD
    );
}

#[tokio::test]
async fn concurrent_check_ins_of_one_user_give_one() {
    let app = common::app().await;
    let (frank_id, frank) = app.user_with_token("frank").await;
    let answers =
        futures::future::join_all((0..10).map(|_| app.graphql(CHECK_IN, json!({}), Some(&frank))))
            .await;
    let ok = answers
        .iter()
        .filter(|a| a["data"]["checkIn"].is_object())
        .count();
    assert_eq!(ok, 1, "{answers:?}");
    for answer in answers.iter().filter(|a| a["data"]["checkIn"].is_null()) {
        assert_eq!(first_code(answer), "CONFLICT", "{answer}");
    }
    let db = &app.state.services.db;
    assert_eq!(app.count_rows("coin_entries").await, 1);
    assert_eq!(
        medgraph::domain::coins::balance(db, frank_id)
            .await
            .unwrap(),
        checkins::REWARD
    );
    assert_eq!(
        app.count_rows_where("checkins", "total = 1 AND streak = 1")
            .await,
        1
    );
}

const GRANT_VIP: &str = "mutation($u: ID!, $l: String!, $n: String!, $e: DateTime!) {
  grantVip(userId: $u, level: $l, name: $n, endsAt: $e) { level name endsAt user { username } }
}";

#[tokio::test]
async fn vip_memberships_are_granted_extended_expire_and_are_revoked() {
    let app = common::app().await;
    let (grace_id, grace) = app.user_with_token("grace").await;
    let (_, admin) = app.admin().await;
    let user = global_id("User", grace_id).0;
    let vip_of = |token: String| {
        let app = &app;
        let user = user.clone();
        async move {
            let r = app
                .graphql(
                    "query($id: ID!) { node(id: $id) { ... on User { vip { level name endsAt } } } }",
                    json!({"id": user}),
                    Some(&token),
                )
                .await;
            r["data"]["node"]["vip"].clone()
        }
    };
    assert_eq!(vip_of(grace.clone()).await, Value::Null);

    let month = (Utc::now() + Duration::days(30)).to_rfc3339();
    let grant = json!({"u": user, "l": "middle", "n": "钻石会员", "e": month});
    let r = app.graphql(GRANT_VIP, grant.clone(), Some(&grace)).await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
    let past = json!({"u": user, "l": "middle", "n": "钻石会员", "e": "2020-01-01T00:00:00Z"});
    let r = app.graphql(GRANT_VIP, past, Some(&admin)).await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "endsAt");
    let blank = json!({"u": user, "l": " ", "n": "钻石会员", "e": month});
    let r = app.graphql(GRANT_VIP, blank, Some(&admin)).await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    let nobody =
        json!({"u": global_id("User", 999_999).0, "l": "middle", "n": "钻石会员", "e": month});
    let r = app.graphql(GRANT_VIP, nobody, Some(&admin)).await;
    assert_eq!(first_code(&r), "NOT_FOUND", "{r}");
    assert_eq!(app.count_rows("vip_memberships").await, 0);

    let r = app.graphql(GRANT_VIP, grant, Some(&admin)).await;
    assert_eq!(r["data"]["grantVip"]["user"]["username"], "grace", "{r}");
    let vip = vip_of(grace.clone()).await;
    assert_eq!(vip["level"], "middle", "{vip}");
    assert_eq!(vip["name"], "钻石会员");

    // Extended (and renamed) by granting again; everyone sees it.
    let year = (Utc::now() + Duration::days(365)).to_rfc3339();
    let r = app
        .graphql(
            GRANT_VIP,
            json!({"u": user, "l": "high", "n": "至尊会员", "e": year}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["grantVip"]["level"], "high", "{r}");
    let (_, heidi) = app.user_with_token("heidi").await;
    let vip = vip_of(heidi.clone()).await;
    assert_eq!(vip["name"], "至尊会员", "{vip}");
    let ends = chrono::DateTime::parse_from_rfc3339(vip["endsAt"].as_str().unwrap()).unwrap();
    assert!(ends > Utc::now() + Duration::days(364));
    assert_eq!(app.count_rows("vip_memberships").await, 1);

    // Past its end it counts as none.
    {
        use sea_orm::{ConnectionTrait, Statement};
        let db = &app.state.services.db;
        let expired = (Utc::now() - Duration::minutes(1)).to_rfc3339();
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            match db.get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "UPDATE vip_memberships SET ends_at = $1::timestamptz WHERE user_id = $2"
                }
                _ => "UPDATE vip_memberships SET ends_at = ? WHERE user_id = ?",
            },
            [expired.into(), grace_id.into()],
        ))
        .await
        .unwrap();
    }
    assert_eq!(vip_of(grace.clone()).await, Value::Null);

    // Revoked: none; revoking again changes nothing.
    let r = app
        .graphql(
            GRANT_VIP,
            json!({"u": user, "l": "middle", "n": "钻石会员", "e": month}),
            Some(&admin),
        )
        .await;
    assert!(r["data"]["grantVip"].is_object(), "{r}");
    let revoke = "mutation($u: ID!) { revokeVip(userId: $u) { username vip { level } } }";
    let r = app.graphql(revoke, json!({"u": user}), Some(&grace)).await;
    assert_eq!(first_code(&r), "FORBIDDEN", "{r}");
    for _ in 0..2 {
        let r = app.graphql(revoke, json!({"u": user}), Some(&admin)).await;
        assert_eq!(
            r["data"]["revokeVip"],
            json!({"username": "grace", "vip": null}),
            "{r}"
        );
    }
    assert_eq!(app.count_rows("vip_memberships").await, 0);
}

#[tokio::test]
async fn check_ins_and_memberships_of_many_users_are_batched() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (id, token) = app.user_with_token(&format!("member{i}")).await;
        app.graphql(CHECK_IN, json!({}), Some(&token)).await;
        ids.push(global_id("User", id).0);
    }
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { checkin { total } vip { level } } } }";
    let mut costs = Vec::new();
    for n in [2, 6] {
        let before = app.statements();
        let r = app
            .graphql(query, json!({"ids": ids[..n]}), Some(&admin))
            .await;
        assert_eq!(r["data"]["nodes"][n - 1]["checkin"]["total"], 1, "{r}");
        costs.push(app.statements() - before);
    }
    assert_eq!(costs[0], costs[1], "statements: {costs:?}");
}
