//! Identity endpoints of the medassist dialect (`/api/user/*`): logins, the session, the
//! caller's account, patient and physician lists, bulk import and account maintenance, with
//! their failures in the dialect's envelope (`{code, message, error, data: null}` and the HTTP
//! status).

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, TestApp};

/// A spreadsheet written by `tests/fixtures/medassist_users.py` (openpyxl): header
/// `角色, 手机号, 昵称, 密码, 医院, 家庭住址`, then a patient (row 2, 13700000021), a physician
/// (row 3, 13700000022 as a numeric cell, 社区医院) and a row with a bad phone number (row 4).
const XLSX: &[u8] = include_bytes!("fixtures/medassist_users.xlsx");

async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> (StatusCode, Value) {
    match token {
        Some(token) => {
            app.call(method, uri, body, &[("authorization", token)])
                .await
        }
        None => app.call(method, uri, body, &[]).await,
    }
}

/// Asserts a failure envelope with the HTTP status and the error code.
fn assert_failure(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Asserts a success envelope and returns its data.
fn ok_data(status: StatusCode, body: Value) -> Value {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["message"], "ok", "{body}");
    body["data"].clone()
}

async fn login(app: &TestApp, phone: &str, password: &str) -> (StatusCode, Value) {
    call(
        app,
        "POST",
        "/api/user/login",
        Some(json!({"phone": phone, "password": password})),
        None,
    )
    .await
}

async fn upload(
    app: &TestApp,
    uri: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
    token: &str,
) -> (StatusCode, Value) {
    let (ct, body) = common::multipart("file", filename, content_type, bytes, &[]);
    let request = Request::post(uri)
        .header("content-type", ct)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    app.send_json(request).await
}

fn graphql_id(user_id: i64) -> String {
    medgraph::graphql::node::global_id("User", user_id).0
}

#[tokio::test]
async fn login_by_phone_then_verify_query_and_log_out() {
    let app = common::app().await;
    app.account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;

    // The documented example's shape: phone + password.
    let data = ok_data_of(login(&app, "13800001111", "secret-pass-1").await);
    let token = data["token"].as_str().unwrap().to_owned();
    assert!(
        data["expires_at"].as_str().is_some_and(|t| t.len() == 19),
        "{data}"
    );
    let user = &data["user"];
    assert_eq!(user["username"], "lihua");
    assert_eq!(
        user["phone"], "13800001111",
        "the owner sees the full number"
    );
    assert_eq!(user["roles"], json!(["patient"]));
    assert_eq!(user["status"], "active");
    assert!(
        user["uuid"].as_str().is_some_and(|u| u.len() == 36),
        "{user}"
    );
    for key in [
        "nickname",
        "home_addr",
        "hospital",
        "avatar",
        "email",
        "gender",
    ] {
        assert!(user.get(key).is_some(), "{key} missing in {user}");
    }

    // The token works bare and as a bearer token.
    for header in [token.clone(), format!("Bearer {token}")] {
        let (status, body) = call(&app, "GET", "/api/user/verifyToken", None, Some(&header)).await;
        let data = ok_data(status, body);
        assert_eq!(data["valid"], true);
        assert_eq!(data["user"]["username"], "lihua");
    }
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryUserMessage",
        None,
        Some(&token),
    )
    .await;
    let me = ok_data(status, body);
    assert_eq!(me["phone"], "13800001111");
    assert_eq!(me["email"], "lihua@example.com");
    assert_eq!(me["uuid"], user["uuid"]);

    // No token, or a made-up one: 401 in the envelope.
    let (status, body) = call(&app, "GET", "/api/user/verifyToken", None, None).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = call(&app, "GET", "/api/user/verifyToken", None, Some("nonsense")).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = call(&app, "GET", "/api/user/queryUserMessage", None, None).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // Log out: the token stops working everywhere, and a second logout is refused.
    let (status, body) = call(&app, "GET", "/api/user/logOut", None, Some(&token)).await;
    assert_eq!(ok_data(status, body), json!({"logged_out": true}));
    for uri in [
        "/api/user/verifyToken",
        "/api/user/queryUserMessage",
        "/api/user/logOut",
    ] {
        let (status, body) = call(&app, "GET", uri, None, Some(&token)).await;
        assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    let gql = app.graphql("{ me { id } }", json!({}), Some(&token)).await;
    assert_eq!(common::first_code(&gql), "UNAUTHENTICATED", "{gql}");
    let (status, body) = call(&app, "GET", "/api/user/logOut", None, None).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
}

fn ok_data_of((status, body): (StatusCode, Value)) -> Value {
    ok_data(status, body)
}

#[tokio::test]
async fn login_failures_answer_in_the_envelope_and_open_no_session() {
    let app = common::app().await;
    app.account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;
    let sessions = app.count_rows("session_tokens").await;

    let (status, body) = login(&app, "13800001111", "wrong-pass-1").await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = login(&app, "13899998888", "secret-pass-1").await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    assert_eq!(
        body["message"],
        login(&app, "13800001111", "wrong-pass-1").await.1["message"],
        "an unknown account and a wrong password look alike"
    );

    // Missing and mistyped fields.
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/login",
        Some(json!({"password": "secret-pass-1"})),
        None,
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    assert!(
        body["message"].as_str().unwrap().contains("phone"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/login",
        Some(json!({"phone": {"n": 1}, "password": "secret-pass-1"})),
        None,
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    // A username is not a phone number here.
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/login",
        Some(json!({"phone": "lihua", "password": "secret-pass-1"})),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{body}");
    assert_eq!(body["code"], status.as_u16(), "{body}");

    assert_eq!(
        app.count_rows("session_tokens").await,
        sessions,
        "no session opened"
    );
}

#[tokio::test]
async fn admin_login_is_for_administrators_only() {
    let app = common::app().await;
    app.admin().await;
    app.account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;

    let (status, body) = call(
        &app,
        "POST",
        "/api/user/adminLogin",
        Some(json!({"username": "admin", "password": "admin-pass-1"})),
        None,
    )
    .await;
    let data = ok_data(status, body);
    assert!(data["token"].is_string());
    assert_eq!(data["user"]["roles"], json!(["administrator"]));

    let sessions = app.count_rows("session_tokens").await;
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/adminLogin",
        Some(json!({"username": "lihua", "password": "secret-pass-1"})),
        None,
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/adminLogin",
        Some(json!({"username": "admin", "password": "admin"})),
        None,
    )
    .await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/adminLogin",
        Some(json!({"username": "admin"})),
        None,
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    assert_eq!(app.count_rows("session_tokens").await, sessions);
    let roles = app
        .graphql("{ user(username: \"lihua\") { id } }", json!({}), None)
        .await;
    assert!(roles["data"]["user"]["id"].is_string());
    assert_eq!(app.count_rows("user_roles").await, 2, "no role was granted");
}

#[tokio::test]
async fn disabled_and_deactivated_accounts_cannot_log_in() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (carol, carol_token) = app
        .account("carol", "13877778888", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, dave_token) = app
        .account("dave", "13877779999", "secret-pass-1", &[Role::Doctor])
        .await;

    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": graphql_id(carol)}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["setUserDisabled"]["status"], "DISABLED", "{r}");
    let (status, body) = login(&app, "13877778888", "secret-pass-1").await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/verifyToken",
        None,
        Some(&carol_token),
    )
    .await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    let r = app
        .graphql(
            "mutation { deactivateAccount }",
            json!({}),
            Some(&dave_token),
        )
        .await;
    assert_eq!(r["data"]["deactivateAccount"], true, "{r}");
    let (status, body) = login(&app, "13877779999", "secret-pass-1").await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryUserMessage",
        None,
        Some(&dave_token),
    )
    .await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
}

/// Patients 13800000101..=13800000102 and physicians 13800000201..=13800000203 (hospitals).
async fn people(app: &TestApp) -> (String, String) {
    let (_, admin) = app.admin().await;
    let (_, patient) = app
        .account("pat1", "13800000101", "secret-pass-1", &[Role::Patient])
        .await;
    app.account("pat2", "13800000102", "secret-pass-1", &[Role::Patient])
        .await;
    for (i, phone) in ["13800000201", "13800000202", "13800000203"]
        .iter()
        .enumerate()
    {
        let (id, _) = app
            .account(
                &format!("doc{}", i + 1),
                phone,
                "secret-pass-1",
                &[Role::Doctor],
            )
            .await;
        let r = app
            .graphql(
                "mutation($id: ID!, $h: String!) { updateAccount(userId: $id, hospitalName: $h, input: {address: \"医生家\"}) { id } }",
                json!({"id": graphql_id(id), "h": format!("医院{}", i + 1)}),
                Some(&admin),
            )
            .await;
        assert!(r["data"]["updateAccount"]["id"].is_string(), "{r}");
    }
    let r = app
        .graphql(
            "mutation { updateProfile(input: {address: \"xxx社区3栋2001号\"}) { id } }",
            json!({}),
            Some(&patient),
        )
        .await;
    assert!(r["data"]["updateProfile"]["id"].is_string(), "{r}");
    (admin, patient)
}

/// An inquiry of `username` assigned to `physician`: a care relationship.
async fn assign_inquiry(app: &TestApp, username: &str, physician: i64) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = &app.state.services.db;
    let patient = entity::user::Entity::find()
        .filter(entity::user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    entity::inquiry::ActiveModel {
        patient_id: Set(patient.id),
        kind: Set("video".into()),
        detail: Set("复诊".into()),
        reserved_phone: Set("13800000101".into()),
        state: Set("ASSIGNED".into()),
        physician_id: Set(Some(physician)),
        decline_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn patient_lists_are_for_carers_with_a_relationship_and_mask_for_non_administrators() {
    let app = common::app().await;
    let (admin, patient) = people(&app).await;
    let (doctor_id, doctor) = app
        .account("doctor", "13800000299", "secret-pass-1", &[Role::Doctor])
        .await;

    // A patient may not list patients; nor may an anonymous caller.
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryPatientInformation",
        None,
        Some(&patient),
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    let (status, body) = call(&app, "GET", "/api/user/queryPatientInformation", None, None).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // A physician without a care relationship sees no patient.
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryPatientInformation",
        None,
        Some(&doctor),
    )
    .await;
    assert_eq!(ok_data(status, body)["total"], 0);

    // Inquiries assigned to the physician: their patients, as carers see them (name and phone
    // in full, no address).
    for username in ["pat1", "pat2"] {
        assign_inquiry(&app, username, doctor_id).await;
    }
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryPatientInformation",
        None,
        Some(&doctor),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["total"], 2, "{data}");
    assert_eq!(data["page"], 1);
    assert_eq!(
        data["pageSize"], 1000,
        "the whole list: the document does not page"
    );
    let list = data["list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["username"], "pat1", "oldest first");
    assert_eq!(list[0]["roles"], json!(["patient"]));
    assert_eq!(list[0]["phone"], "13800000101", "a carer's view");
    assert_eq!(list[0]["home_addr"], "", "{}", list[0]);

    // An administrator sees them in full.
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryPatientInformation",
        None,
        Some(&admin),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["list"][0]["phone"], "13800000101");
    assert_eq!(data["list"][0]["home_addr"], "xxx社区3栋2001号");
}

#[tokio::test]
async fn physician_lists_page_by_page() {
    let app = common::app().await;
    let (admin, patient) = people(&app).await;

    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryDoctorInformation?page=1&pageSize=2",
        None,
        Some(&patient),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["total"], 3, "{data}");
    assert_eq!(data["page"], 1);
    assert_eq!(data["pageSize"], 2);
    let list = data["list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["username"], "doc1");
    assert_eq!(list[0]["hospital"], "医院1");
    assert_eq!(list[0]["roles"], json!(["doctor"]));
    assert!(
        list[0]["phone"].as_str().unwrap().contains('*'),
        "masked for a patient"
    );
    assert_eq!(list[0]["home_addr"], "");

    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryDoctorInformation?page=2&pageSize=2",
        None,
        Some(&admin),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["total"], 3);
    let list = data["list"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{data}");
    assert_eq!(list[0]["username"], "doc3");
    assert_eq!(list[0]["phone"], "13800000203", "full for an administrator");
    assert_eq!(list[0]["home_addr"], "医生家");

    // Bad paging parameters.
    for query in ["page=0", "page=x", "pageSize=0", "pageSize=1001"] {
        let (status, body) = call(
            &app,
            "GET",
            &format!("/api/user/queryDoctorInformation?{query}"),
            None,
            Some(&admin),
        )
        .await;
        assert_failure(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "BAD_USER_INPUT",
        );
        let field = query.split('=').next().unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(field),
            "{query}: {body}"
        );
    }
}

#[tokio::test]

async fn a_short_last_page_reports_the_requested_page_and_size() {
    let app = common::app().await;
    let (admin, _) = people(&app).await;
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryDoctorInformation?page=2&pageSize=2",
        None,
        Some(&admin),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["page"], 2, "{data}");
    assert_eq!(data["pageSize"], 2, "{data}");
    let (status, body) = call(
        &app,
        "GET",
        "/api/user/queryDoctorInformation?page=5&pageSize=2",
        None,
        Some(&admin),
    )
    .await;
    let data = ok_data(status, body);
    assert_eq!(data["list"], json!([]));
    assert_eq!(data["page"], 5, "{data}");
}

const CSV_WITH_A_BAD_ROW: &str = "role,phone,nickname,password,hospital,home_addr\n\
patient,13700000011,小王,import-pass-1,,幸福路1号\n\
physician,13700000012,李医生,import-pass-1,社区医院,\n\
patient,13700000013,小张,short,,\n";

/// The report of an import that imported nothing: a failure in the envelope (HTTP and `code`
/// 422) whose `data` is the per-row report.
fn import_refused(status: StatusCode, body: Value) -> Value {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], 422, "{body}");
    assert_eq!(body["error"], "VALIDATION", "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing imported")),
        "{body}"
    );
    body["data"].clone()
}

#[tokio::test]
async fn bulk_import_checks_every_row_first() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (_, patient) = app
        .account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;
    let users = app.count_rows("users").await;

    // Only administrators import.
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage",
        "users.csv",
        "text/csv",
        CSV_WITH_A_BAD_ROW.as_bytes(),
        &patient,
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");

    // A bad row: nothing is imported, which is a failure (code 422) carrying the report that
    // names the row and the column.
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage",
        "users.csv",
        "text/csv",
        CSV_WITH_A_BAD_ROW.as_bytes(),
        &admin,
    )
    .await;
    let report = import_refused(status, body);
    assert_eq!(report["total"], 3, "{report}");
    assert_eq!(report["imported"], 0);
    assert_eq!(report["failed"], 1);
    let bad = &report["rows"][2];
    assert_eq!(bad["row"], 4, "{report}");
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["field"], "password");
    assert!(bad["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(report["rows"][0]["ok"], true);
    assert_eq!(app.count_rows("users").await, users, "nothing imported");

    // skipInvalid imports the good rows.
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage?skipInvalid=true",
        "users.csv",
        "text/csv",
        CSV_WITH_A_BAD_ROW.as_bytes(),
        &admin,
    )
    .await;
    let report = ok_data(status, body);
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["rows"][0]["imported"], true);
    assert!(
        report["rows"][0]["user_id"]
            .as_i64()
            .is_some_and(|id| id > 0)
    );
    assert_eq!(report["rows"][2]["imported"], false);
    assert_eq!(app.count_rows("users").await, users + 2);

    // Imported users log in through /api/user/login.
    let data = ok_data_of(login(&app, "13700000012", "import-pass-1").await);
    assert_eq!(data["user"]["nickname"], "李医生");
    assert_eq!(data["user"]["hospital"], "社区医院");
    assert_eq!(data["user"]["roles"], json!(["doctor"]));
    let data = ok_data_of(login(&app, "13700000011", "import-pass-1").await);
    assert_eq!(data["user"]["home_addr"], "幸福路1号");
    let (status, body) = login(&app, "13700000013", "short").await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // The same file again: every row is now taken.
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage?skipInvalid=true",
        "users.csv",
        "text/csv",
        CSV_WITH_A_BAD_ROW.as_bytes(),
        &admin,
    )
    .await;
    let report = import_refused(status, body);
    assert_eq!(report["imported"], 0, "{report}");
    assert_eq!(report["rows"][0]["field"], "phone");
    assert_eq!(app.count_rows("users").await, users + 2);
}

#[tokio::test]
async fn bulk_import_reads_xlsx_and_refuses_what_is_not_a_sheet() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let users = app.count_rows("users").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage",
        "users.xlsx",
        xlsx,
        XLSX,
        &admin,
    )
    .await;
    let report = import_refused(status, body);
    assert_eq!(report["total"], 3, "{report}");
    assert_eq!(report["imported"], 0);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["rows"][2]["row"], 4, "{report}");
    assert_eq!(report["rows"][2]["field"], "phone");
    assert_eq!(app.count_rows("users").await, users);

    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage?skipInvalid=1",
        "users.xlsx",
        xlsx,
        XLSX,
        &admin,
    )
    .await;
    let report = ok_data(status, body);
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(app.count_rows("users").await, users + 2);
    let data = ok_data_of(login(&app, "13700000022", "xlsx-pass-1").await);
    assert_eq!(data["user"]["hospital"], "社区医院");
    assert_eq!(data["user"]["roles"], json!(["doctor"]));
    let data = ok_data_of(login(&app, "13700000021", "xlsx-pass-1").await);
    assert_eq!(data["user"]["roles"], json!(["patient"]));

    // Not a spreadsheet, no file part, a mistyped flag: clear errors, nothing imported.
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage",
        "users.xlsx",
        xlsx,
        b"PK\x03\x04garbage",
        &admin,
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/user/uploadUserMessage",
        Some(json!({})),
        Some(&admin),
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    assert!(body["message"].as_str().unwrap().contains("file"), "{body}");
    let (status, body) = upload(
        &app,
        "/api/user/uploadUserMessage?skipInvalid=maybe",
        "users.xlsx",
        xlsx,
        XLSX,
        &admin,
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    assert_eq!(app.count_rows("users").await, users + 2);
}

async fn uuid_of(app: &TestApp, token: &str) -> String {
    let (status, body) = call(app, "GET", "/api/user/queryUserMessage", None, Some(token)).await;
    ok_data(status, body)["uuid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn patients_edit_their_profile_but_not_phone_or_password() {
    let app = common::app().await;
    let (_, patient) = app
        .account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, other) = app
        .account("other", "13800002222", "secret-pass-1", &[Role::Patient])
        .await;
    let uuid = uuid_of(&app, &patient).await;

    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": uuid, "nickname": "梨花", "home_addr": "xxx社区3栋2001号"})),
        Some(&patient),
    )
    .await;
    let user = ok_data(status, body);
    assert_eq!(user["nickname"], "梨花");
    assert_eq!(user["home_addr"], "xxx社区3栋2001号");
    assert_eq!(user["uuid"], uuid.as_str());
    // The camelCase spelling of the answers is accepted too; no uuid means oneself.
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"homeAddress": "幸福路2号"})),
        Some(&patient),
    )
    .await;
    assert_eq!(ok_data(status, body)["home_addr"], "幸福路2号");

    let before = app
        .graphql(
            "{ me { displayName address phone updatedAt } }",
            json!({}),
            Some(&patient),
        )
        .await;
    // The documented example carries phone and password: an owner may not set them here.
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": uuid, "nickname": "别名", "password": "1234567x", "home_addr": "别处", "phone": "19081309823"})),
        Some(&patient),
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": uuid, "phone": "19081309823"})),
        Some(&patient),
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    // Someone else's account, a malformed uuid, a mistyped field, no token.
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": uuid, "nickname": "冒名"})),
        Some(&other),
    )
    .await;
    assert_failure(status, &body, StatusCode::FORBIDDEN, "FORBIDDEN");
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": "d59aa28a", "nickname": "梨花"})),
        Some(&patient),
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    assert!(body["message"].as_str().unwrap().contains("uuid"), "{body}");
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"nickname": ["梨花"]})),
        Some(&patient),
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"nickname": "梨花"})),
        None,
    )
    .await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let after = app
        .graphql(
            "{ me { displayName address phone updatedAt } }",
            json!({}),
            Some(&patient),
        )
        .await;
    assert_eq!(before, after, "the refused requests changed nothing");
    assert_eq!(after["data"]["me"]["phone"], "13800001111");
}

#[tokio::test]
async fn administrators_set_phone_password_and_hospital() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (_, patient) = app
        .account("lihua", "13800001111", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, doctor) = app
        .account("zhanghua", "13800003333", "secret-pass-1", &[Role::Doctor])
        .await;
    let patient_uuid = uuid_of(&app, &patient).await;
    let doctor_uuid = uuid_of(&app, &doctor).await;

    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePatientInformation",
        Some(json!({"uuid": patient_uuid, "nickname": "梨花", "password": "new-secret-9", "home_addr": "xxx社区3栋2001号", "phone": "19081309823"})),
        Some(&admin),
    )
    .await;
    let user = ok_data(status, body);
    assert_eq!(user["phone"], "19081309823");
    assert_eq!(user["nickname"], "梨花");
    // The old session ended with the new password; the new one works with the new number.
    let (status, body) = call(&app, "GET", "/api/user/verifyToken", None, Some(&patient)).await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, body) = login(&app, "13800001111", "secret-pass-1").await;
    assert_failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let data = ok_data_of(login(&app, "19081309823", "new-secret-9").await);
    assert_eq!(data["user"]["uuid"], patient_uuid.as_str());

    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePhysicianInformation",
        Some(json!({"uuid": doctor_uuid, "nickname": "彰化", "hospital": "xxx社区医院"})),
        Some(&admin),
    )
    .await;
    let user = ok_data(status, body);
    assert_eq!(user["hospital"], "xxx社区医院");
    assert_eq!(user["nickname"], "彰化");

    // Refusals change nothing: a weak password, a phone number taken by another account,
    // a hospital for a patient.
    let users_before = app
        .graphql(
            "{ users(first: 10) { nodes { username displayName phone updatedAt } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePhysicianInformation",
        Some(json!({"uuid": doctor_uuid, "nickname": "改名", "password": "1234567"})),
        Some(&admin),
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePhysicianInformation",
        Some(json!({"uuid": doctor_uuid, "nickname": "改名", "phone": "19081309823"})),
        Some(&admin),
    )
    .await;
    assert_failure(status, &body, StatusCode::CONFLICT, "CONFLICT");
    let (status, body) = call(
        &app,
        "PUT",
        "/api/user/updatePhysicianInformation",
        Some(json!({"uuid": patient_uuid, "nickname": "改名", "hospital": "某医院"})),
        Some(&admin),
    )
    .await;
    assert_failure(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "BAD_USER_INPUT",
    );
    let users_after = app
        .graphql(
            "{ users(first: 10) { nodes { username displayName phone updatedAt } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(users_before, users_after);
    let data = ok_data_of(login(&app, "13800003333", "secret-pass-1").await);
    assert_eq!(data["user"]["hospital"], "xxx社区医院");
}
