//! Identity endpoints of the counselling dialect (consultant side): codes, registration,
//! logins, password reset, deactivation, the profile and the avatar. Every answer is HTTP 200
//! with `{code, message, data}`; failures carry the HTTP-like status in `code`.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, PDF, PNG_1X1, TestApp};

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, body) = app.call("POST", path, Some(body), &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "counselling answers HTTP 200: {body}"
    );
    body
}

/// The data of a success envelope.
fn ok(body: &Value) -> Value {
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["message"], "success", "{body}");
    body["data"].clone()
}

/// Asserts a failure envelope with `code`.
fn fails(body: &Value, code: u16) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

async fn send_sms(app: &TestApp, path: &str, phone: &str) -> String {
    let data = ok(&post(app, path, json!({"phone": phone})).await);
    assert!(
        data["expiresInSeconds"].as_i64().is_some_and(|s| s > 0),
        "{data}"
    );
    app.last_code(phone).expect("a code in the outbox")
}

async fn send_email(app: &TestApp, email: &str) -> String {
    let data = ok(&post(app, "/api/consultant/auth/email", json!({"email": email})).await);
    assert!(data["resendAfterSeconds"].is_i64(), "{data}");
    app.last_code(email).expect("a code in the outbox")
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

fn password_login(account_type: &str, account: &str, password: &str) -> Value {
    json!({"loginType": "password", "accountType": account_type, "account": account, "credential": password})
}

/// Moves the codes sent to `destination` into the past by `seconds`.
async fn age_codes(app: &TestApp, destination: &str, seconds: i64) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = &app.state.services.db;
    for code in entity::verification_code::Entity::find()
        .filter(entity::verification_code::Column::Destination.eq(destination))
        .all(db)
        .await
        .unwrap()
    {
        let mut model: entity::verification_code::ActiveModel = code.clone().into();
        model.created_at = Set(code.created_at - chrono::Duration::seconds(seconds));
        model.expires_at = Set(code.expires_at - chrono::Duration::seconds(seconds));
        model.update(db).await.unwrap();
    }
}

async fn profile(app: &TestApp, user_id: i64, token: &str) -> Value {
    post(
        app,
        "/api/consultant/user/profile",
        json!({"userID": user_id, "token": token}),
    )
    .await
}

#[tokio::test]
async fn register_by_email_then_log_in_with_password_and_code() {
    let app = common::app().await;
    let email = "wangfang@example.com";
    let code = send_email(&app, email).await;
    let register = |code: &str, name: &str| json!({"userName": name, "account": email, "accountType": "email", "password": "secret-pass-1", "verificationCode": code});

    // A wrong code, a mistyped accountType and a missing field create nothing.
    let body = post(
        &app,
        "/api/consultant/auth/register",
        register(other_than(&code), "wangfang"),
    )
    .await;
    fails(&body, 422);
    let mut bad = register(&code, "wangfang");
    bad["accountType"] = json!("wechat");
    fails(&post(&app, "/api/consultant/auth/register", bad).await, 422);
    let mut bad = register(&code, "wangfang");
    bad.as_object_mut().unwrap().remove("password");
    fails(&post(&app, "/api/consultant/auth/register", bad).await, 422);
    assert_eq!(app.count_rows("users").await, 0);

    // The documented request: `{code: 0, message}`.
    let body = post(
        &app,
        "/api/consultant/auth/register",
        register(&code, "wangfang"),
    )
    .await;
    ok(&body);
    assert_eq!(app.count_rows("users").await, 1);
    // The code is spent.
    let body = post(
        &app,
        "/api/consultant/auth/register",
        register(&code, "wangfang2"),
    )
    .await;
    fails(&body, 422);
    assert_eq!(app.count_rows("users").await, 1);

    // Password login by e-mail: the documented shape, empty strings for missing values.
    let body = post(
        &app,
        "/api/consultant/auth/login",
        password_login("email", email, "secret-pass-1"),
    )
    .await;
    let data = ok(&body);
    let token = data["token"].as_str().unwrap().to_owned();
    let info = &data["userInfo"];
    let user_id = info["userID"].as_i64().expect("an integer userID");
    assert_eq!(info["userName"], "wangfang");
    assert_eq!(info["email"], email);
    for key in ["name", "phone", "organization", "avatar"] {
        assert_eq!(info[key], "", "{key} in {info}");
    }
    // Registering applied for the consultant role: no role acts until an administrator
    // approves it.
    let me = app
        .graphql(
            "{ me { id roles } myRoleApplications { role state } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(me["data"]["me"]["roles"], json!([]), "{me}");
    assert_eq!(
        me["data"]["myRoleApplications"],
        json!([{"role": "CONSULTANT", "state": "PENDING"}]),
        "{me}"
    );
    assert_eq!(
        me["data"]["me"]["id"],
        medgraph::graphql::node::global_id("User", user_id).0
    );
    let (_, admin) = app.admin().await;
    app.approve_role(&admin, user_id, "CONSULTANT").await;
    let me = app
        .graphql("{ me { roles } }", json!({}), Some(&token))
        .await;
    assert_eq!(me["data"]["me"]["roles"], json!(["CONSULTANT"]), "{me}");

    // Code login by e-mail (a code from /auth/email serves any endpoint).
    age_codes(&app, email, 120).await;
    let code = send_email(&app, email).await;
    let login =
        json!({"loginType": "code", "accountType": "email", "account": email, "credential": code});
    let data = ok(&post(&app, "/api/consultant/auth/login", login.clone()).await);
    assert_eq!(data["userInfo"]["userID"], user_id);
    assert_ne!(data["token"], token.as_str());
    // Reused code.
    fails(&post(&app, "/api/consultant/auth/login", login).await, 422);
}

#[tokio::test]
async fn register_and_log_in_by_phone_on_both_spellings_of_the_path() {
    let app = common::app().await;
    let phone = "13811110001";
    let code = send_sms(&app, "/api/consult/auth/phone", phone).await;
    let body = post(
        &app,
        "/api/consultant/auth/register",
        json!({"userName": "lisi", "account": phone, "accountType": "phone", "password": "secret-pass-1", "verificationCode": code}),
    )
    .await;
    ok(&body);

    age_codes(&app, phone, 120).await;
    let code = send_sms(&app, "/api/consultant/auth/phone", phone).await;
    let data = ok(&post(
        &app,
        "/api/consultant/auth/login",
        json!({"loginType": "code", "accountType": "phone", "account": phone, "credential": code}),
    )
    .await);
    assert_eq!(data["userInfo"]["userName"], "lisi");
    assert_eq!(data["userInfo"]["phone"], phone);

    // An expired code is refused.
    age_codes(&app, phone, 120).await;
    let code = send_sms(&app, "/api/consult/auth/phone", phone).await;
    age_codes(&app, phone, 600).await;
    let body = post(
        &app,
        "/api/consultant/auth/login",
        json!({"loginType": "code", "accountType": "phone", "account": phone, "credential": code}),
    )
    .await;
    fails(&body, 422);

    // A bad number, a missing number and a second code within the minute.
    fails(
        &post(&app, "/api/consult/auth/phone", json!({"phone": "12345"})).await,
        422,
    );
    fails(&post(&app, "/api/consult/auth/phone", json!({})).await, 422);
    send_sms(&app, "/api/consult/auth/phone", phone).await;
    fails(
        &post(&app, "/api/consultant/auth/phone", json!({"phone": phone})).await,
        429,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/email",
            json!({"email": "not-an-address"}),
        )
        .await,
        422,
    );
}

#[tokio::test]
async fn login_failures_open_no_session() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (carol, _) = app
        .account("carol", "13822220001", "secret-pass-1", &[Role::Consultant])
        .await;
    let sessions = app.count_rows("session_tokens").await;

    let wrong = post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13822220001", "wrong-pass-1"),
    )
    .await;
    fails(&wrong, 401);
    let unknown = post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13822229999", "secret-pass-1"),
    )
    .await;
    fails(&unknown, 401);
    assert_eq!(wrong["message"], unknown["message"]);
    let mut bad = password_login("phone", "13822220001", "secret-pass-1");
    bad["loginType"] = json!("fingerprint");
    fails(&post(&app, "/api/consultant/auth/login", bad).await, 422);
    let mut bad = password_login("phone", "13822220001", "secret-pass-1");
    bad["accountType"] = json!("username");
    fails(&post(&app, "/api/consultant/auth/login", bad).await, 422);
    let mut bad = password_login("phone", "13822220001", "secret-pass-1");
    bad.as_object_mut().unwrap().remove("credential");
    fails(&post(&app, "/api/consultant/auth/login", bad).await, 422);
    let mut bad = password_login("phone", "13822220001", "secret-pass-1");
    bad["account"] = json!(["13822220001"]);
    fails(&post(&app, "/api/consultant/auth/login", bad).await, 422);
    // A code login with a wrong code.
    let code = send_sms(&app, "/api/consult/auth/phone", "13822220001").await;
    let body = post(
        &app,
        "/api/consultant/auth/login",
        json!({"loginType": "code", "accountType": "phone", "account": "13822220001", "credential": other_than(&code)}),
    )
    .await;
    fails(&body, 422);
    assert_eq!(app.count_rows("session_tokens").await, sessions);

    // A disabled account.
    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": medgraph::graphql::node::global_id("User", carol).0}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["setUserDisabled"]["status"], "DISABLED", "{r}");
    let body = post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13822220001", "secret-pass-1"),
    )
    .await;
    fails(&body, 403);
    assert_eq!(app.count_rows("session_tokens").await, sessions);
}

#[tokio::test]
async fn reset_password_with_a_code() {
    let app = common::app().await;
    let phone = "13833330001";
    let (id, token) = app
        .account("zhaoliu", phone, "secret-pass-1", &[Role::Consultant])
        .await;
    let code = send_sms(&app, "/api/consult/auth/phone", phone).await;
    let reset = |code: &str, password: &str| json!({"accountType": "phone", "account": phone, "verificationCode": code, "newPassword": password});

    fails(
        &post(
            &app,
            "/api/consultant/auth/reset-password",
            reset(other_than(&code), "new-secret-2"),
        )
        .await,
        422,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/reset-password",
            reset(&code, "short"),
        )
        .await,
        422,
    );
    let mut bad = reset(&code, "new-secret-2");
    bad["accountType"] = json!("mail");
    fails(
        &post(&app, "/api/consultant/auth/reset-password", bad).await,
        422,
    );
    // Nothing changed: the old password and the session still work.
    ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", phone, "secret-pass-1"),
    )
    .await);
    ok(&profile(&app, id, &token).await);

    ok(&post(
        &app,
        "/api/consultant/auth/reset-password",
        reset(&code, "new-secret-2"),
    )
    .await);
    fails(
        &post(
            &app,
            "/api/consultant/auth/login",
            password_login("phone", phone, "secret-pass-1"),
        )
        .await,
        401,
    );
    ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", phone, "new-secret-2"),
    )
    .await);
    fails(&profile(&app, id, &token).await, 401);
    // The code is spent.
    fails(
        &post(
            &app,
            "/api/consultant/auth/reset-password",
            reset(&code, "new-secret-3"),
        )
        .await,
        422,
    );
    ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", phone, "new-secret-2"),
    )
    .await);
}

#[tokio::test]
async fn deactivation_needs_the_token_and_a_code_to_the_own_contact() {
    let app = common::app().await;
    let (id, token) = app
        .account("sunqi", "13844440001", "secret-pass-1", &[Role::Consultant])
        .await;
    app.account("other", "13844440002", "secret-pass-1", &[Role::Consultant])
        .await;
    let email = "sunqi@example.com";
    let code = send_email(&app, email).await;
    let other_code = send_sms(&app, "/api/consult/auth/phone", "13844440002").await;
    let deactivate = |token: &str, account_type: &str, account: &str, code: &str| json!({"token": token, "accountType": account_type, "account": account, "verificationCode": code});

    fails(
        &post(
            &app,
            "/api/consultant/auth/deactivate",
            deactivate(&token, "email", email, other_than(&code)),
        )
        .await,
        422,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/deactivate",
            deactivate(&token, "phone", "13844440002", &other_code),
        )
        .await,
        422,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/deactivate",
            deactivate("", "email", email, &code),
        )
        .await,
        401,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/deactivate",
            deactivate("forged", "email", email, &code),
        )
        .await,
        401,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/deactivate",
            deactivate(&token, "qq", email, &code),
        )
        .await,
        422,
    );
    // Still active.
    ok(&profile(&app, id, &token).await);
    ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("email", email, "secret-pass-1"),
    )
    .await);

    ok(&post(
        &app,
        "/api/consultant/auth/deactivate",
        deactivate(&token, "email", email, &code),
    )
    .await);
    fails(
        &post(
            &app,
            "/api/consultant/auth/login",
            password_login("email", email, "secret-pass-1"),
        )
        .await,
        401,
    );
    fails(
        &post(
            &app,
            "/api/consultant/auth/login",
            password_login("phone", "13844440001", "secret-pass-1"),
        )
        .await,
        401,
    );
    fails(&profile(&app, id, &token).await, 401);
    // The other account is untouched.
    ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13844440002", "secret-pass-1"),
    )
    .await);
}

const FULL_PROFILE: &str = r#"{
  "username": "wangfang",
  "name": "王芳",
  "phone": "13855550001",
  "email": "wf@example.com",
  "organization": "阳光心理咨询中心",
  "introduction": "国家二级心理咨询师",
  "experience": "8年",
  "expertise": "情绪管理",
  "education": "心理学硕士",
  "certifications": "二级证书"
}"#;

#[tokio::test]
async fn profile_and_update_profile_overwrite_in_one_step() {
    let app = common::app().await;
    let (id, token) = app
        .account("fang", "13855550001", "secret-pass-1", &[Role::Consultant])
        .await;
    let (other_id, other_token) = app
        .account("taken", "13855550002", "secret-pass-1", &[Role::Consultant])
        .await;

    // The documented shape: 11 strings, empty for missing values.
    let data = ok(&profile(&app, id, &token).await);
    let keys = [
        "avatar",
        "username",
        "name",
        "phone",
        "email",
        "organization",
        "introduction",
        "experience",
        "expertise",
        "education",
        "certifications",
    ];
    assert_eq!(data.as_object().unwrap().len(), 11, "{data}");
    for key in keys {
        assert!(data[key].is_string(), "{key} in {data}");
    }
    assert_eq!(data["username"], "fang");
    assert_eq!(
        data["phone"], "13855550001",
        "the owner sees the full number"
    );
    assert_eq!(data["email"], "fang@example.com");
    assert_eq!(data["organization"], "");

    // userID and token must belong together: {"code": 401}.
    for body in [
        json!({"userID": other_id, "token": token}),
        json!({"userID": id, "token": other_token}),
        json!({"userID": id}),
        json!({"token": "forged", "userID": id}),
        json!({}),
        json!({"userID": "abc", "token": token}),
    ] {
        fails(&post(&app, "/api/consultant/user/profile", body).await, 401);
    }
    // userID as a string is accepted.
    ok(&post(
        &app,
        "/api/consultant/user/profile",
        json!({"userID": id.to_string(), "token": token}),
    )
    .await);

    // The organization is the one of an approved membership (the form may send it back
    // unchanged, not name another).
    let (_, admin) = app.admin().await;
    let org = app.organization(&admin, "阳光心理咨询中心").await;
    app.join_organization(&admin, &token, &org).await;
    assert_eq!(
        ok(&profile(&app, id, &token).await)["organization"],
        "阳光心理咨询中心"
    );

    // The documented update: everything overwritten.
    let full: Value = serde_json::from_str(FULL_PROFILE).unwrap();
    let update = |profile: Value| json!({"userID": id, "token": token, "profile": profile});
    let body = post(
        &app,
        "/api/consultant/user/updateProfile",
        update(full.clone()),
    )
    .await;
    ok(&body);
    let data = ok(&profile(&app, id, &token).await);
    for key in keys.iter().filter(|k| **k != "avatar") {
        assert_eq!(data[*key], full[*key], "{key}");
    }
    assert_eq!(data["avatar"], "");
    let login = ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("email", "wf@example.com", "secret-pass-1"),
    )
    .await);
    assert_eq!(login["userInfo"]["organization"], "阳光心理咨询中心");
    assert_eq!(login["userInfo"]["name"], "王芳");
    assert_eq!(login["userInfo"]["userName"], "wangfang");

    // An empty string clears a value.
    let mut cleared = full.clone();
    cleared["certifications"] = json!("");
    ok(&post(&app, "/api/consultant/user/updateProfile", update(cleared)).await);
    assert_eq!(ok(&profile(&app, id, &token).await)["certifications"], "");
    let before = ok(&profile(&app, id, &token).await);

    // Refusals change nothing, not even the fields that were fine (one transaction).
    let mut changes = full.clone();
    changes["introduction"] = json!("新简介");
    let refusals = [
        ("organization", json!("新组织"), 422),
        ("phone", json!("13855559999"), 422),
        ("username", json!("taken"), 409),
        ("email", json!("taken@example.com"), 409),
        ("email", json!("not-an-address"), 422),
        ("username", json!("a"), 422),
        ("experience", json!(8), 422),
    ];
    for (key, value, code) in refusals {
        let mut bad = changes.clone();
        bad[key] = value;
        fails(
            &post(&app, "/api/consultant/user/updateProfile", update(bad)).await,
            code,
        );
    }
    fails(
        &post(
            &app,
            "/api/consultant/user/updateProfile",
            json!({"userID": id, "token": token, "profile": "all"}),
        )
        .await,
        422,
    );
    fails(
        &post(
            &app,
            "/api/consultant/user/updateProfile",
            json!({"userID": id, "token": token}),
        )
        .await,
        422,
    );
    fails(
        &post(
            &app,
            "/api/consultant/user/updateProfile",
            json!({"userID": other_id, "token": token, "profile": changes}),
        )
        .await,
        401,
    );
    assert_eq!(ok(&profile(&app, id, &token).await), before);
}

#[tokio::test]
async fn only_consultants_have_a_consultant_profile_to_update() {
    let app = common::app().await;
    let (id, token) = app
        .account("patient", "13866660001", "secret-pass-1", &[Role::Patient])
        .await;
    let before = ok(&profile(&app, id, &token).await);
    let full: Value = serde_json::from_str(FULL_PROFILE).unwrap();
    let mut changes = full.clone();
    changes["phone"] = json!("13866660001");
    let body = post(
        &app,
        "/api/consultant/user/updateProfile",
        json!({"userID": id, "token": token, "profile": changes}),
    )
    .await;
    fails(&body, 403);
    assert_eq!(ok(&profile(&app, id, &token).await), before);

    // Logging in through the consultant app grants nothing: it is refused.
    let body = post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13866660001", "secret-pass-1"),
    )
    .await;
    fails(&body, 403);
    assert_eq!(
        app.count_rows_where("user_roles", &format!("user_id = {id}"))
            .await,
        1,
        "still only a patient"
    );

    // Registering with a verified code and the account's own password applies for the role:
    // the applicant may then complete their profile (not name an organization).
    let code = send_sms(&app, "/api/consultant/auth/phone", "13866660001").await;
    ok(&post(
        &app,
        "/api/consultant/auth/register",
        json!({"userName": "patient", "account": "13866660001", "accountType": "phone", "password": "secret-pass-1", "verificationCode": code}),
    )
    .await);
    let data = ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13866660001", "secret-pass-1"),
    )
    .await);
    let token = data["token"].as_str().unwrap();
    let mine = app
        .graphql(
            "{ myRoleApplications { role state } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(
        mine["data"]["myRoleApplications"],
        json!([{"role": "PATIENT", "state": "APPROVED"}, {"role": "CONSULTANT", "state": "PENDING"}]),
        "{mine}"
    );
    fails(
        &post(
            &app,
            "/api/consultant/user/updateProfile",
            json!({"userID": id, "token": token, "profile": changes}),
        )
        .await,
        422,
    );
    changes["organization"] = json!("");
    let body = post(
        &app,
        "/api/consultant/user/updateProfile",
        json!({"userID": id, "token": token, "profile": changes}),
    )
    .await;
    ok(&body);
    let data = ok(&profile(&app, id, token).await);
    assert_eq!(data["introduction"], full["introduction"]);
    assert_eq!(data["organization"], "");
}

async fn avatar_upload(
    app: &TestApp,
    user_id: &str,
    token: &str,
    file: Option<(&str, &str, &[u8])>,
) -> Value {
    let fields = [("userID", user_id), ("token", token)];
    let (content_type, body) = match file {
        Some((name, ct, bytes)) => common::multipart("avatar", name, ct, bytes, &fields),
        None => common::multipart("other", "x.txt", "text/plain", b"x", &fields),
    };
    let request = Request::post("/api/consultant/updateAvatar")
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let (status, body) = app.send_json(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn update_avatar_takes_a_multipart_image() {
    let app = common::app().await;
    let (id, token) = app
        .account("fang", "13877770001", "secret-pass-1", &[Role::Consultant])
        .await;
    let (other, _) = app
        .account("other", "13877770002", "secret-pass-1", &[Role::Consultant])
        .await;
    let id_text = id.to_string();

    // Refusals: not an image, no file, a mismatched userID, no token.
    let files = app.count_rows("stored_files").await;
    fails(
        &avatar_upload(
            &app,
            &id_text,
            &token,
            Some(("a.pdf", "application/pdf", PDF)),
        )
        .await,
        422,
    );
    fails(&avatar_upload(&app, &id_text, &token, None).await, 422);
    fails(
        &avatar_upload(
            &app,
            &other.to_string(),
            &token,
            Some(("a.png", "image/png", PNG_1X1)),
        )
        .await,
        401,
    );
    fails(
        &avatar_upload(&app, &id_text, "", Some(("a.png", "image/png", PNG_1X1))).await,
        401,
    );
    assert_eq!(app.count_rows("stored_files").await, files);
    assert_eq!(ok(&profile(&app, id, &token).await)["avatar"], "");

    let body = avatar_upload(
        &app,
        &id_text,
        &token,
        Some(("a.png", "image/png", PNG_1X1)),
    )
    .await;
    let url = ok(&body)["avatar"].as_str().unwrap().to_owned();
    assert!(url.contains("/files/"), "{url}");
    assert_eq!(ok(&profile(&app, id, &token).await)["avatar"], url.as_str());
    let login = ok(&post(
        &app,
        "/api/consultant/auth/login",
        password_login("phone", "13877770001", "secret-pass-1"),
    )
    .await);
    assert_eq!(login["userInfo"]["avatar"], url.as_str());
}
