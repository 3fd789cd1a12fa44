//! User verification (用户认证) of the social dialect and GraphQL: submit, masking for others
//! versus the owner and administrators, resubmission only after a rejection (type unchanged),
//! administrators' review, every invalid field at once, and the batched `User.verification`.

use http::StatusCode;
use medgraph::storage::FileKind;
use serde_json::{Value, json};

use crate::common::{self, PDF, PNG_1X1, TestApp};

/// A valid ID-card number whose document mask is `5******04****************6****9`.
const ID_NUMBER: &str = "510904199001016289";
const MASKED_ID: &str = "5******04****************6****9";
/// Another valid number (of the legal representative).
const PERSON_NUMBER: &str = "11010519491231002X";

/// Stores a file and returns its address.
async fn upload(app: &TestApp, bytes: &'static [u8], uid: i64) -> String {
    let services = &app.state.services;
    medgraph::domain::files::upload(
        &services.db,
        &services.files,
        bytes::Bytes::from_static(bytes),
        Some("id.png"),
        FileKind::Any,
        Some(uid),
    )
    .await
    .unwrap()
    .hash
}

fn personal(image: &str) -> Value {
    json!({
        "type": "user",
        "data": {
            "id_card": {"front": image, "rear": format!("http://example.test/files/{image}"), "number": ID_NUMBER},
            "real_name": "杜七夜",
            "phone_number": "18712345682",
            "desc": "智艺花泽类❤️",
        }
    })
}

fn organization(image: &str) -> Value {
    json!({
        "type": "org",
        "data": {
            "org": {"name": "成都智艺创想科技有限公司", "address": "成都市高新区天府大道北段1700号", "certificate": image},
            "person": {"name": "李小龙", "number": PERSON_NUMBER},
            "phone_number": "18712345682",
            "desc": "一个让人心累的公司",
        }
    })
}

async fn submit(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, v) = app
        .call_as("POST", "/api/v2/user/verification", Some(body), Some(token))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn user_object(app: &TestApp, uid: i64, token: Option<&str>) -> Value {
    let (status, user) = app
        .call_as("GET", &format!("/api/v2/users/{uid}"), None, token)
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    user
}

async fn review(
    app: &TestApp,
    admin: &str,
    uid: i64,
    approve: bool,
    reason: Option<&str>,
) -> Value {
    let r = app
        .graphql(
            "query($u: ID!) { user(id: $u) { verification { id } } }",
            json!({"u": medgraph::graphql::node::global_id("User", uid).0}),
            Some(admin),
        )
        .await;
    let id = r["data"]["user"]["verification"]["id"].clone();
    app.graphql(
        "mutation($id: ID!, $a: Boolean!, $r: String) { reviewVerification(id: $id, approve: $a, reason: $r) { state rejectReason } }",
        json!({"id": id, "a": approve, "r": reason}),
        Some(admin),
    )
    .await
}

fn error_fields(answer: &(StatusCode, Value)) -> Vec<String> {
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    let mut fields: Vec<String> = answer.1["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors: {}", answer.1))
        .keys()
        .cloned()
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn a_personal_verification_is_masked_for_others() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("seven").await;
    let (_, other) = app.user_with_token("stranger").await;
    let (_, admin) = app.admin().await;
    let image = upload(&app, PNG_1X1, uid).await;

    // No verification yet: null everywhere.
    assert_eq!(
        user_object(&app, uid, None).await["verification"],
        Value::Null
    );

    let created = submit(&app, &token, personal(&image)).await;
    assert_eq!(created["type"], "user");
    assert_eq!(created["state"], -1);
    assert_eq!(created["id_card"]["number"], ID_NUMBER);
    assert_eq!(created["id_card"]["front"]["node"], image.as_str());
    assert_eq!(created["id_card"]["rear"]["node"], image.as_str());
    assert_eq!(created["id_card"]["front"]["mime"], "image/png");
    assert_eq!(created["user_id"], uid);

    // The owner sees everything in their user object.
    let (status, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let mine = &me["verification"];
    assert_eq!(mine["real_name"], "杜七夜");
    assert_eq!(mine["phone_number"], "18712345682");
    assert_eq!(mine["desc"], "智艺花泽类❤️");
    assert_eq!(mine["id_card"]["number"], ID_NUMBER);
    assert!(
        mine["id_card"]["front"]["url"]
            .as_str()
            .unwrap()
            .ends_with(&image)
    );
    let created_at = mine["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 20,
        "{created_at}"
    );

    // Others (and anonymous callers) see the document's masks and no images.
    for token in [Some(other.as_str()), None] {
        let theirs = user_object(&app, uid, token).await["verification"].clone();
        assert_eq!(
            theirs,
            json!({
                "type": "user",
                "state": -1,
                "created_at": mine["created_at"],
                "updated_at": mine["updated_at"],
                "desc": "智艺花泽类❤️",
                "id_card": {"number": MASKED_ID},
                "real_name": "杜**",
                "phone_number": "187******82",
                "user_id": uid,
            })
        );
    }

    // An administrator sees everything, through GraphQL too.
    let q = "query($u: ID!) { user(id: $u) { verification { kind state realName phoneNumber idCard { number front { hash } rear { hash } } org { name } } } }";
    let vars = json!({"u": medgraph::graphql::node::global_id("User", uid).0});
    let r = app.graphql(q, vars.clone(), Some(&admin)).await;
    let v = &r["data"]["user"]["verification"];
    assert_eq!(v["kind"], "USER", "{r}");
    assert_eq!(v["state"], "WAITING");
    assert_eq!(v["idCard"]["number"], ID_NUMBER);
    assert_eq!(v["idCard"]["front"]["hash"], image.as_str());
    assert_eq!(v["org"], Value::Null);
    let r = app.graphql(q, vars, Some(&other)).await;
    let v = &r["data"]["user"]["verification"];
    assert_eq!(v["idCard"]["number"], MASKED_ID, "{r}");
    assert_eq!(v["idCard"]["front"], Value::Null);
    assert_eq!(v["phoneNumber"], "187******82");
    assert_eq!(v["realName"], "杜**");
}

#[tokio::test]
async fn an_organization_verification_hides_its_certificate() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("company").await;
    let (_, other) = app.user_with_token("stranger").await;
    let image = upload(&app, PNG_1X1, uid).await;
    submit(&app, &token, organization(&image)).await;

    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    let mine = &me["verification"];
    assert_eq!(mine["type"], "org", "{me}");
    assert_eq!(mine["org"]["certificate"]["node"], image.as_str());
    assert_eq!(
        mine["person"],
        json!({"name": "李小龙", "number": PERSON_NUMBER})
    );
    assert!(mine.get("id_card").is_none());

    let theirs = user_object(&app, uid, Some(&other)).await["verification"].clone();
    assert_eq!(
        theirs["org"],
        json!({"name": "成都智艺创想科技有限公司", "address": "成都市高新区天府大道北段1700号"})
    );
    assert_eq!(theirs["person"]["name"], "李**");
    assert_eq!(
        theirs["person"]["number"],
        "1******05****************0****X"
    );
    assert_eq!(theirs["phone_number"], "187******82");
}

#[tokio::test]
async fn every_invalid_field_is_listed_and_nothing_is_saved() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("seven").await;
    let pdf = upload(&app, PDF, uid).await;
    let answer = app
        .call_as(
            "POST",
            "/api/v2/user/verification",
            Some(json!({
                "type": "user",
                "data": {
                    "id_card": {"rear": pdf, "number": "510904199001016288"},
                    "real_name": "",
                    "phone_number": "187******82",
                    "desc": "x".repeat(201),
                }
            })),
            Some(&token),
        )
        .await;
    assert_eq!(
        error_fields(&answer),
        [
            "data.desc",
            "data.id_card.front",
            "data.id_card.number",
            "data.id_card.rear",
            "data.phone_number",
            "data.real_name"
        ]
    );
    assert_eq!(app.count_rows("user_verifications").await, 0);

    // A file that was never uploaded, and an organization without its parts.
    let answer = app.call_as("POST",
        "/api/v2/user/verification",
        Some(json!({"type": "org", "data": {"org": {"certificate": "a".repeat(64)}, "phone_number": "18712345682", "desc": "d"}})),
        Some(&token),
    )
    .await;
    assert_eq!(
        error_fields(&answer),
        [
            "data.org.address",
            "data.org.certificate",
            "data.org.name",
            "data.person.name",
            "data.person.number"
        ]
    );
    let answer = app
        .call_as(
            "POST",
            "/api/v2/user/verification",
            Some(json!({"type": "team", "data": {}})),
            Some(&token),
        )
        .await;
    assert_eq!(error_fields(&answer), ["type"]);
    assert_eq!(app.count_rows("user_verifications").await, 0);

    // GraphQL names the schema's fields.
    let r = app
        .graphql(
            "mutation { submitVerification(kind: USER, input: {phoneNumber: \"1\", desc: \"d\"}) { state } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(common::first_code(&r), "BAD_USER_INPUT");
    let mut fields: Vec<&String> = r["errors"][0]["extensions"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "idCard.front",
            "idCard.number",
            "idCard.rear",
            "phoneNumber",
            "realName"
        ]
    );
    assert_eq!(app.count_rows("user_verifications").await, 0);
}

#[tokio::test]
async fn resubmission_only_after_a_rejection_and_the_type_stays() {
    let app = common::app().await;
    let (uid, token) = app.user_with_token("seven").await;
    let (_, other) = app.user_with_token("stranger").await;
    let (_, admin) = app.admin().await;
    let image = upload(&app, PNG_1X1, uid).await;

    let patch = app
        .call_as(
            "PATCH",
            "/api/v2/user/verification",
            Some(personal(&image)),
            Some(&token),
        )
        .await;
    assert_eq!(patch.0, StatusCode::NOT_FOUND, "{}", patch.1);

    submit(&app, &token, personal(&image)).await;
    // A second submission conflicts.
    let again = app
        .call_as(
            "POST",
            "/api/v2/user/verification",
            Some(personal(&image)),
            Some(&token),
        )
        .await;
    assert_eq!(again.0, StatusCode::CONFLICT, "{}", again.1);
    assert!(again.1["message"].is_string());
    // Waiting: no resubmission.
    let patch = app
        .call_as(
            "PATCH",
            "/api/v2/user/verification",
            Some(personal(&image)),
            Some(&token),
        )
        .await;
    assert_eq!(patch.0, StatusCode::CONFLICT, "{}", patch.1);

    // Rejection needs a reason; only administrators review.
    let r = review(&app, &token, uid, false, Some("照片模糊")).await;
    assert_eq!(common::first_code(&r), "FORBIDDEN", "{r}");
    let r = review(&app, &admin, uid, false, None).await;
    assert_eq!(common::first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "reason");
    let r = review(&app, &admin, uid, false, Some("照片模糊")).await;
    assert_eq!(r["data"]["reviewVerification"]["state"], "REJECTED", "{r}");

    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(me["verification"]["state"], 0);
    assert_eq!(me["verification"]["reject_reason"], "照片模糊");
    let theirs = user_object(&app, uid, Some(&other)).await;
    assert!(
        theirs["verification"].get("reject_reason").is_none(),
        "{theirs}"
    );

    // Bad input on resubmission changes nothing.
    let bad = app
        .call_as(
            "PATCH",
            "/api/v2/user/verification",
            Some(json!({"data": {"real_name": "杜七夜", "phone_number": "1", "desc": "d"}})),
            Some(&token),
        )
        .await;
    assert_eq!(
        error_fields(&bad),
        [
            "data.id_card.front",
            "data.id_card.number",
            "data.id_card.rear",
            "data.phone_number"
        ]
    );
    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    assert_eq!(me["verification"]["state"], 0);

    // A type in the body is ignored: it stays personal, and waits again.
    let mut body = personal(&image);
    body["type"] = json!("org");
    body["data"]["real_name"] = json!("杜八夜");
    let patch = app
        .call_as(
            "PATCH",
            "/api/v2/user/verification",
            Some(body),
            Some(&token),
        )
        .await;
    assert_eq!(patch.0, StatusCode::NO_CONTENT, "{}", patch.1);
    let (_, me) = app.call_as("GET", "/api/v2/user", None, Some(&token)).await;
    let v = &me["verification"];
    assert_eq!(v["type"], "user", "{me}");
    assert_eq!(v["state"], -1);
    assert_eq!(v["real_name"], "杜八夜");
    assert!(v.get("reject_reason").is_none());

    // Waiting again: no second resubmission; approval ends the review.
    let patch = app
        .call_as(
            "PATCH",
            "/api/v2/user/verification",
            Some(personal(&image)),
            Some(&token),
        )
        .await;
    assert_eq!(patch.0, StatusCode::CONFLICT, "{}", patch.1);
    let r = review(&app, &admin, uid, true, None).await;
    assert_eq!(r["data"]["reviewVerification"]["state"], "APPROVED", "{r}");
    let r = review(&app, &admin, uid, false, Some("再看看")).await;
    assert_eq!(common::first_code(&r), "CONFLICT", "{r}");
    assert_eq!(
        user_object(&app, uid, None).await["verification"]["state"],
        1
    );
}

#[tokio::test]
async fn administrators_list_verifications_and_owners_delete_theirs() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let mut users = Vec::new();
    for i in 0..3 {
        let (uid, token) = app.user_with_token(&format!("member{i}")).await;
        let image = upload(&app, PNG_1X1, uid).await;
        submit(&app, &token, personal(&image)).await;
        users.push((uid, token));
    }
    review(&app, &admin, users[0].0, true, None).await;

    let q = "query($s: VerificationState) { verifications(state: $s, first: 10) { totalCount nodes { state user { username } idCard { number } } } }";
    let r = app.graphql(q, json!({"s": "WAITING"}), Some(&admin)).await;
    let conn = &r["data"]["verifications"];
    assert_eq!(conn["totalCount"], 2, "{r}");
    assert_eq!(conn["nodes"][0]["user"]["username"], "member1");
    assert_eq!(conn["nodes"][0]["idCard"]["number"], ID_NUMBER);
    let r = app.graphql(q, json!({}), Some(&admin)).await;
    assert_eq!(r["data"]["verifications"]["totalCount"], 3, "{r}");
    let r = app.graphql(q, json!({}), Some(&users[1].1)).await;
    assert_eq!(common::first_code(&r), "FORBIDDEN", "{r}");

    // Relay node.
    let r = app
        .graphql(
            "{ verifications(first: 1) { nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let id = r["data"]["verifications"]["nodes"][0]["id"].clone();
    let r = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Verification { phoneNumber } } }",
            json!({"id": id}),
            Some(&users[2].1),
        )
        .await;
    assert_eq!(r["data"]["node"]["phoneNumber"], "187******82", "{r}");

    let (uid, token) = &users[1];
    let deleted = app
        .call_as("DELETE", "/api/v2/user/verification", None, Some(token))
        .await;
    assert_eq!(deleted.0, StatusCode::NO_CONTENT, "{}", deleted.1);
    let again = app
        .call_as("DELETE", "/api/v2/user/verification", None, Some(token))
        .await;
    assert_eq!(again.0, StatusCode::NOT_FOUND, "{}", again.1);
    assert_eq!(
        user_object(&app, *uid, None).await["verification"],
        Value::Null
    );
    let anonymous = app
        .call_as("DELETE", "/api/v2/user/verification", None, None)
        .await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{}", anonymous.1);
    assert_eq!(app.count_rows("user_verifications").await, 2);
}

#[tokio::test]
async fn user_lists_load_verifications_in_one_batch() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    for i in 0..8 {
        let (uid, token) = app.user_with_token(&format!("member{i}")).await;
        if i % 2 == 0 {
            let image = upload(&app, PNG_1X1, uid).await;
            submit(&app, &token, personal(&image)).await;
        }
    }
    let q = "query($n: Int!) { users(first: $n) { nodes { username verification { state idCard { number front { hash } } } } } }";
    let before = app.statements();
    let small = app.graphql(q, json!({"n": 2}), Some(&admin)).await;
    let small_count = app.statements() - before;
    assert!(small["errors"].is_null(), "{small}");
    let before = app.statements();
    let large = app.graphql(q, json!({"n": 9}), Some(&admin)).await;
    let large_count = app.statements() - before;
    let nodes = large["data"]["users"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 9);
    assert_eq!(
        nodes
            .iter()
            .filter(|n| !n["verification"].is_null())
            .count(),
        4
    );
    assert_eq!(
        small_count, large_count,
        "statements do not grow with the page size"
    );

    // The social user list shows them too.
    let (status, list) = app
        .call_as("GET", "/api/v2/users?limit=50", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let masked: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["verification"].get("id_card"))
        .collect();
    assert_eq!(masked.len(), 4);
    assert!(masked.iter().all(|c| c["number"] == MASKED_ID));
}
