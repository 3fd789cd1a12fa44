//! Contract tests of the counseling dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/counseling.json`) with
//! `common::contract::assert_contract`.
//!
//! The documented requests come from the fixture (`documented_request`); only the caller's
//! `userID`/`token` and ids that must exist are put in. All 36 routes of the table are checked:
//! the 33 documented ones and the 3 corrected spellings of documented typo paths
//! (`/api/consult/auth/phone`, `/api/consuntant/...`); the template download answers a file and
//! is outside the table.

use std::io::{Cursor, Read, Write};

use medgraph::auth::Role;
use medgraph::rest::{Dialect, all_routes, contract};
use serde_json::{Value, json};

use crate::common::contract::{assert_contract, documented_request, violations};
use crate::common::{self, PNG_1X1, TestApp};

const C: Dialect = Dialect::Counseling;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An app whose codes may be sent again at once (one phone receives several in a test).
async fn app() -> TestApp {
    common::app_with(|config| config.auth.code_resend_secs = 0).await
}

/// The documented body of `route` (`"POST /path"`).
fn body_of(route: &str) -> Value {
    documented_request(C, route)["body"].clone()
}

/// The documented body of `route` with the caller's `userID` and `token`.
fn authed(route: &str, me: &Caller) -> Value {
    let mut body = body_of(route);
    if body.get("userID").is_some() || body.get("token").is_some() {
        body["userID"] = json!(me.id);
        body["token"] = json!(me.token);
    }
    if body.get("user_id").is_some() {
        body["user_id"] = json!(me.id);
    }
    body
}

struct Caller {
    id: i64,
    token: String,
}

impl Caller {
    fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("userID".into(), self.id.to_string()),
            ("token".into(), self.token.clone()),
        ]
    }
}

async fn consultant(app: &TestApp, name: &str, phone: &str) -> Caller {
    let (id, token) = app
        .account(name, phone, "consult-pass-1", &[Role::Consultant])
        .await;
    Caller { id, token }
}

/// POSTs a JSON body; the dialect always answers HTTP 200.
async fn post(app: &TestApp, route: &str, body: Value) -> Value {
    let path = route.trim_start_matches("POST ");
    let (status, answer) = app.call("POST", path, Some(body), &[]).await;
    assert_eq!(status, http::StatusCode::OK, "{route}: {answer}");
    answer
}

/// A multipart request of text fields and file parts `(field, file name, type, bytes)`.
async fn multipart(
    app: &TestApp,
    route: &str,
    fields: &[(String, String)],
    files: &[(&str, &str, &str, &[u8])],
) -> Value {
    let (status, answer) = app
        .post_multipart(route.trim_start_matches("POST "), fields, files)
        .await;
    assert_eq!(status, http::StatusCode::OK, "{route}: {answer}");
    answer
}

/// The data of a success: `code` the integer 0, `message` "success".
fn ok(answer: &Value) -> Value {
    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(answer["message"], "success", "{answer}");
    answer["data"].clone()
}

/// A first sheet of strings, as Excel's own writer lays the zip out.
fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *value)
                .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// The same workbook with its zip entries in reverse order (`[Content_Types].xml` last), as
/// some tools write them.
fn reordered(xlsx: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        entries.push((entry.name().unwrap().into_owned(), bytes));
    }
    entries.reverse();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in &entries {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(bytes).unwrap();
    }
    let bytes = out.finish().unwrap().into_inner();
    assert_ne!(bytes, xlsx);
    bytes
}

/// A walk-in of the documented `orders/create` request; its id.
async fn walk_in(app: &TestApp, me: &Caller) -> i64 {
    let created = post(
        app,
        "POST /api/consultant/orders/create",
        authed("POST /api/consultant/orders/create", me),
    )
    .await;
    let data = ok(&created);
    assert_contract(C, "POST /api/consultant/orders/create", &data);
    // Beside data too, as documented ({code, message, id}).
    assert_eq!(created["id"], data["id"], "{created}");
    created["id"].as_i64().unwrap()
}

#[tokio::test]
async fn identity_routes_answer_their_documented_shapes() {
    let app = app().await;
    for route in [
        "POST /api/consult/auth/phone",
        "POST /api/consultant/auth/phone",
    ] {
        let data = ok(&post(&app, route, body_of(route)).await);
        match route {
            "POST /api/consult/auth/phone" => {
                assert_contract(C, "POST /api/consult/auth/phone", &data);
            }
            _ => assert_contract(C, "POST /api/consultant/auth/phone", &data),
        }
    }
    let data = ok(&post(
        &app,
        "POST /api/consultant/auth/email",
        body_of("POST /api/consultant/auth/email"),
    )
    .await);
    assert_contract(C, "POST /api/consultant/auth/email", &data);

    // Registration with the code the documented phone received.
    let mut register = body_of("POST /api/consultant/auth/register");
    let phone = register["account"].as_str().unwrap().to_owned();
    register["verificationCode"] = json!(app.last_code(&phone).unwrap());
    let data = ok(&post(&app, "POST /api/consultant/auth/register", register).await);
    assert_contract(C, "POST /api/consultant/auth/register", &data);

    let data = ok(&post(
        &app,
        "POST /api/consultant/auth/login",
        body_of("POST /api/consultant/auth/login"),
    )
    .await);
    assert_contract(C, "POST /api/consultant/auth/login", &data);
    let me = Caller {
        id: data["userInfo"]["userID"].as_i64().unwrap(),
        token: data["token"].as_str().unwrap().to_owned(),
    };
    // Nothing set yet: every documented string is "", none is null.
    assert_eq!(data["userInfo"]["organization"], "", "{data}");

    let fresh = ok(&post(
        &app,
        "POST /api/consultant/user/profile",
        authed("POST /api/consultant/user/profile", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/user/profile", &fresh);
    assert_eq!(fresh["certifications"], "");

    // The documented organization is one the consultant belongs to (organizations are joined,
    // never claimed).
    let (_, admin) = app.admin().await;
    let organization =
        body_of("POST /api/consultant/user/updateProfile")["profile"]["organization"]
            .as_str()
            .unwrap()
            .to_owned();
    let organization = app.organization(&admin, &organization).await;
    app.join_organization(&admin, &me.token, &organization)
        .await;
    let data = ok(&post(
        &app,
        "POST /api/consultant/user/updateProfile",
        authed("POST /api/consultant/user/updateProfile", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/user/updateProfile", &data);
    let updated = ok(&post(
        &app,
        "POST /api/consultant/user/profile",
        authed("POST /api/consultant/user/profile", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/user/profile", &updated);
    let sent = &body_of("POST /api/consultant/user/updateProfile")["profile"];
    for (key, value) in sent.as_object().unwrap() {
        assert_eq!(&updated[key], value, "{key}: {updated}");
    }

    let data = ok(&multipart(
        &app,
        "POST /api/consultant/updateAvatar",
        &me.fields(),
        &[("avatar", "me.png", "image/png", PNG_1X1)],
    )
    .await);
    assert_contract(C, "POST /api/consultant/updateAvatar", &data);

    // A new password with a fresh code; every session ends, so log in again.
    ok(&post(
        &app,
        "POST /api/consult/auth/phone",
        json!({"phone": phone}),
    )
    .await);
    let mut reset = body_of("POST /api/consultant/auth/reset-password");
    reset["verificationCode"] = json!(app.last_code(&phone).unwrap());
    let data = ok(&post(
        &app,
        "POST /api/consultant/auth/reset-password",
        reset.clone(),
    )
    .await);
    assert_contract(C, "POST /api/consultant/auth/reset-password", &data);
    let mut login = body_of("POST /api/consultant/auth/login");
    login["credential"] = reset["newPassword"].clone();
    let token = ok(&post(&app, "POST /api/consultant/auth/login", login).await)["token"].clone();

    ok(&post(
        &app,
        "POST /api/consult/auth/phone",
        json!({"phone": phone}),
    )
    .await);
    let mut deactivate = body_of("POST /api/consultant/auth/deactivate");
    deactivate["token"] = token;
    deactivate["verificationCode"] = json!(app.last_code(&phone).unwrap());
    let data = ok(&post(&app, "POST /api/consultant/auth/deactivate", deactivate).await);
    assert_contract(C, "POST /api/consultant/auth/deactivate", &data);
}

#[tokio::test]
async fn dashboard_orders_and_comments_answer_their_documented_shapes() {
    let app = app().await;
    let me = consultant(&app, "wangfang", "13812340001").await;
    let first = walk_in(&app, &me).await;

    // The documented filters (小明, 2026-12, 在线咨询, 等待中) find the walk-in, answered in the
    // document's words.
    let data = ok(&post(
        &app,
        "POST /api/consultant/orders",
        authed("POST /api/consultant/orders", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/orders", &data);
    assert_eq!(data["total"], 1, "{data}");
    assert_eq!(data["data"][0]["id"], first);
    assert_eq!(data["data"][0]["type"], "在线咨询");
    assert_eq!(data["data"][0]["status"], "等待中");

    // Paging: without pageSize a page of 10; the document's page 0 / pageSize 0 is the whole
    // list; a size past the ceiling is refused naming pageSize, in the dialect's words.
    for _ in 0..11 {
        walk_in(&app, &me).await;
    }
    let page = |page: Value, size: Option<Value>| {
        let mut body = json!({"userID": me.id, "token": me.token, "page": page});
        if let Some(size) = size {
            body["pageSize"] = size;
        }
        post(&app, "POST /api/consultant/orders", body)
    };
    let default = ok(&page(json!(1), None).await);
    assert_eq!(default["data"].as_array().unwrap().len(), 10);
    assert_eq!(default["total"], 12);
    let whole = ok(&page(json!(0), Some(json!(0))).await);
    assert_eq!(whole["data"].as_array().unwrap().len(), 12, "{whole}");
    let large = ok(&page(json!(1), Some(json!("500"))).await);
    assert_eq!(large["data"].as_array().unwrap().len(), 12);
    let refused = page(json!(1), Some(json!(5000))).await;
    assert_eq!(refused["code"], 422, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("pageSize") && message.contains("1000"),
        "{refused}"
    );
    assert!(!message.contains("first"), "{refused}");

    for route in [
        "POST /api/consultant/dashboard/today-transactions",
        "POST /api/consultant/dashboard/category-data",
        "POST /api/consultant/dashboard/yearly-consultations",
        "POST /api/consultant/dashboard/time-slot-data",
        "POST /api/consultant/dashboard/gender-data",
        "POST /api/consultant/dashboard/age-data",
    ] {
        let mut body = authed(route, &me);
        if body_of(route)["userID"].is_string() {
            // These two document userID as a string.
            body["userID"] = json!(me.id.to_string());
        }
        let data = ok(&post(&app, route, body).await);
        match route {
            "POST /api/consultant/dashboard/today-transactions" => {
                assert_contract(
                    C,
                    "POST /api/consultant/dashboard/today-transactions",
                    &data,
                );
            }
            "POST /api/consultant/dashboard/category-data" => {
                assert_contract(C, "POST /api/consultant/dashboard/category-data", &data);
                assert_eq!(data["online"], 12);
            }
            "POST /api/consultant/dashboard/yearly-consultations" => {
                assert_contract(
                    C,
                    "POST /api/consultant/dashboard/yearly-consultations",
                    &data,
                );
                assert_eq!(data["data"].as_array().unwrap().len(), 12, "{data}");
            }
            "POST /api/consultant/dashboard/time-slot-data" => {
                assert_contract(C, "POST /api/consultant/dashboard/time-slot-data", &data);
            }
            "POST /api/consultant/dashboard/gender-data" => {
                assert_contract(C, "POST /api/consultant/dashboard/gender-data", &data);
            }
            _ => {
                assert_contract(C, "POST /api/consultant/dashboard/age-data", &data);
                assert_eq!(data["values"].as_array().unwrap().len(), 6, "{data}");
            }
        }
    }

    // A client's comment on a finished consultation, then the documented page 0 / pageSize 0.
    let (_, client) = app
        .account("xiaoming", "13812340009", "client-pass-1", &[Role::Patient])
        .await;
    let booked = app
        .graphql(
            "mutation($c: ID!, $d: NaiveDate!) { bookConsultation(consultantId: $c, input: { kind: ONLINE, date: $d, timeSlot: \"19:00-20:00\" }) { id } }",
            json!({
                "c": medgraph::graphql::node::global_id("User", me.id).0,
                "d": (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string(),
            }),
            Some(&client),
        )
        .await;
    let id = booked["data"]["bookConsultation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{booked}"))
        .to_owned();
    for (step, token) in [
        ("acceptConsultation(id: $id) { state }", &me.token),
        ("startConsultation(id: $id) { state }", &me.token),
        ("finishConsultation(id: $id) { state }", &me.token),
        (
            "commentConsultation(id: $id, rating: 5, content: \"很耐心\") { rating }",
            &client,
        ),
    ] {
        let answer = app
            .graphql(
                &format!("mutation($id: ID!) {{ {step} }}"),
                json!({"id": id}),
                Some(token),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    for route in [
        "POST /api/consuntant/user/comments",
        "POST /api/consultant/user/comments",
    ] {
        let data = ok(&post(&app, route, authed(route, &me)).await);
        if route.contains("consuntant") {
            assert_contract(C, "POST /api/consuntant/user/comments", &data);
        } else {
            assert_contract(C, "POST /api/consultant/user/comments", &data);
        }
        assert_eq!(data.as_array().unwrap().len(), 1, "{data}");
        assert_eq!(data[0]["rating"], "5");
    }
}

#[tokio::test]
async fn case_files_answer_their_documented_shapes() {
    let app = app().await;
    let me = consultant(&app, "wangfang", "13812340011").await;

    let mut archives = Vec::new();
    for route in [
        "POST /api/consuntant/interview/records/create",
        "POST /api/consultant/interview/records/create",
    ] {
        let data = ok(&post(&app, route, authed(route, &me)).await);
        if route.contains("consuntant") {
            assert_contract(C, "POST /api/consuntant/interview/records/create", &data);
        } else {
            assert_contract(C, "POST /api/consultant/interview/records/create", &data);
        }
        archives.push(data["id"].as_i64().unwrap());
    }
    let data = ok(&post(
        &app,
        "POST /api/consultant/interview/records",
        authed("POST /api/consultant/interview/records", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/interview/records", &data);
    assert_eq!(data["total"], 2);
    // page 0 and page_size "0": the whole list, from the start.
    let whole = ok(&post(
        &app,
        "POST /api/consultant/interview/records",
        json!({"userID": me.id, "token": me.token, "page": 0, "page_size": "0"}),
    )
    .await);
    assert_eq!(whole["data"].as_array().unwrap().len(), 2, "{whole}");

    // A session as documented: 高危 and 50分钟 come back as sent.
    let mut create = authed("POST /api/consultant/interview/records/profile/create", &me);
    create["id"] = json!(archives[0]);
    let session = ok(&post(
        &app,
        "POST /api/consultant/interview/records/profile/create",
        create,
    )
    .await);
    assert_contract(
        C,
        "POST /api/consultant/interview/records/profile/create",
        &session,
    );
    assert_eq!(session["crisisStatus"], "高危");
    assert_eq!(session["duration"], "50分钟");
    // Their variants are accepted and answered in the same words.
    let second = ok(&post(
        &app,
        "POST /api/consultant/interview/records/profile/create",
        json!({"userID": me.id, "token": me.token, "id": archives[0], "date": "2026-11-09",
               "time": "14:30", "duration": "45", "crisisStatus": "高"}),
    )
    .await);
    assert_eq!(second["crisisStatus"], "高危");
    assert_eq!(second["duration"], "45分钟");
    assert_eq!(second["studentId"], "", "not given: \"\", not null");

    let mut update = authed("POST /api/consultant/interview/records/profile/update", &me);
    update["id"] = session["id"].clone();
    update["crisisStatus"] = json!("低危");
    let data = ok(&post(
        &app,
        "POST /api/consultant/interview/records/profile/update",
        update,
    )
    .await);
    assert_contract(
        C,
        "POST /api/consultant/interview/records/profile/update",
        &data,
    );
    assert_eq!(data["crisisStatus"], "低危");

    let mut list = authed("POST /api/consultant/interview/records/profile", &me);
    list["id"] = json!(archives[0]);
    let data = ok(&post(&app, "POST /api/consultant/interview/records/profile", list).await);
    assert_contract(C, "POST /api/consultant/interview/records/profile", &data);
    assert_eq!(data.as_array().unwrap().len(), 2);

    let consultation = walk_in(&app, &me).await;
    let mut profile = authed(
        "POST /api/consultant/interview/records/personal-profile",
        &me,
    );
    profile["id"] = json!(consultation.to_string());
    let data = ok(&post(
        &app,
        "POST /api/consultant/interview/records/personal-profile",
        profile,
    )
    .await);
    assert_contract(
        C,
        "POST /api/consultant/interview/records/personal-profile",
        &data,
    );
    assert_eq!(data["name"], "小明");
    assert_eq!(data["emergencyContact"]["phone"], "");

    let mut delete = authed("POST /api/consultant/interview/records/delete", &me);
    delete["id"] = json!(archives[0].to_string());
    let data = ok(&post(
        &app,
        "POST /api/consultant/interview/records/delete",
        delete,
    )
    .await);
    assert_contract(C, "POST /api/consultant/interview/records/delete", &data);
    assert_eq!(data["sessions_deleted"], 2);

    // Templates.
    let data = ok(&post(
        &app,
        "POST /api/consultant/interview/template/list",
        authed("POST /api/consultant/interview/template/list", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/interview/template/list", &data);
    // A workbook is recognised whatever the order of its zip entries.
    let sheet = xlsx(&[vec!["访谈记录"], vec!["模板"]]);
    let data = ok(&multipart(
        &app,
        "POST /api/consultant/interview/upload/template",
        &me.fields(),
        &[
            ("files", "访谈记录模板.xlsx", XLSX, &sheet),
            ("files", "排班模板.xlsx", XLSX, &reordered(&sheet)),
        ],
    )
    .await);
    assert_contract(C, "POST /api/consultant/interview/upload/template", &data);
    assert_eq!(data.as_array().unwrap().len(), 2, "{data}");
}

#[tokio::test]
async fn imports_answer_their_report_and_refusals_are_not_success() {
    let app = app().await;
    let me = consultant(&app, "wangfang", "13812340021").await;
    let header = vec![
        "学生姓名",
        "学校",
        "访谈日期",
        "访谈时间",
        "访谈时长",
        "危机状态",
    ];
    let good = vec![
        header.clone(),
        vec!["张三", "一中", "2026-10-01", "14:00", "50分钟", "高危"],
    ];
    // A workbook whose zip entries are not in Excel's order is read all the same.
    let data = ok(&multipart(
        &app,
        "POST /api/consultant/interview/upload/records",
        &me.fields(),
        &[("files", "records.xlsx", XLSX, &reordered(&xlsx(&good)))],
    )
    .await);
    assert_contract(C, "POST /api/consultant/interview/upload/records", &data);
    assert_eq!(data["imported"], 1, "{data}");
    let sessions = app
        .graphql(
            "{ interviewArchives { nodes { legacyId } } }",
            json!({}),
            Some(&me.token),
        )
        .await;
    let archive = sessions["data"]["interviewArchives"]["nodes"][0]["legacyId"].clone();
    let listed = ok(&post(
        &app,
        "POST /api/consultant/interview/records/profile",
        json!({"userID": me.id, "token": me.token, "id": archive}),
    )
    .await);
    assert_eq!(listed[0]["crisisStatus"], "高危", "{listed}");
    assert_eq!(listed[0]["duration"], "50分钟");

    // Nothing imported: a refusal (code 422) that still carries the per-row report.
    let bad = vec![header, vec!["李四", "二中", "10月9日", "14:00", "50", "无"]];
    let answer = multipart(
        &app,
        "POST /api/consultant/interview/upload/records",
        &me.fields(),
        &[("files", "records.xlsx", XLSX, &xlsx(&bad))],
    )
    .await;
    assert_eq!(answer["code"], 422, "{answer}");
    assert_ne!(answer["message"], "success");
    assert_contract(
        C,
        "POST /api/consultant/interview/upload/records",
        &answer["data"],
    );
    assert_eq!(answer["data"]["rows"][0]["field"], "date", "{answer}");
    assert_eq!(app.count_rows("interview_sessions").await, 1);

    // The roster import, documented with user_id.
    let fields = vec![
        ("user_id".to_owned(), me.id.to_string()),
        ("token".to_owned(), me.token.clone()),
    ];
    let roster = xlsx(&[
        vec!["日期", "时间段"],
        vec!["2026-12-02", "09:00-10:00,14:00-15:00"],
    ]);
    let data = ok(&multipart(
        &app,
        "POST /api/consultant/schedule/upload",
        &fields,
        &[("files", "roster.xlsx", XLSX, &reordered(&roster))],
    )
    .await);
    assert_contract(C, "POST /api/consultant/schedule/upload", &data);
    assert_eq!(data["imported"], 1);
    let reversed = xlsx(&[vec!["日期", "时间段"], vec!["2026-12-03", "10:00-09:00"]]);
    let answer = multipart(
        &app,
        "POST /api/consultant/schedule/upload",
        &fields,
        &[("files", "roster.xlsx", XLSX, &reversed)],
    )
    .await;
    assert_eq!(answer["code"], 422, "{answer}");
    assert_contract(C, "POST /api/consultant/schedule/upload", &answer["data"]);
    assert_eq!(app.count_rows("duty_slots").await, 2);
}

#[tokio::test]
async fn rosters_and_suspensions_answer_their_documented_shapes() {
    let app = app().await;
    let me = consultant(&app, "wangfang", "13812340031").await;

    // The documented body names the caller user_id; token is added (Authentication section).
    let mut update = body_of("POST /api/consultant/schedule/work/update");
    update["user_id"] = json!(me.id);
    update["token"] = json!(me.token);
    let data = ok(&post(&app, "POST /api/consultant/schedule/work/update", update).await);
    assert_contract(C, "POST /api/consultant/schedule/work/update", &data);

    let data = ok(&post(
        &app,
        "POST /api/consultant/schedule/work",
        authed("POST /api/consultant/schedule/work", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/schedule/work", &data);
    assert_eq!(data[0]["date"], 1, "{data}");
    assert_eq!(data[0]["schedules"].as_array().unwrap().len(), 2);

    let data = ok(&post(
        &app,
        "POST /api/consultant/schedule/stop/update",
        authed("POST /api/consultant/schedule/stop/update", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/schedule/stop/update", &data);
    let data = ok(&post(
        &app,
        "POST /api/consultant/schedule/stop",
        authed("POST /api/consultant/schedule/stop", &me),
    )
    .await);
    assert_contract(C, "POST /api/consultant/schedule/stop", &data);
    assert_eq!(data.as_array().unwrap().len(), 1, "{data}");
}

#[tokio::test]
async fn refusals_speak_the_dialect_not_graphql() {
    let app = app().await;
    let me = consultant(&app, "wangfang", "13812340041").await;
    let auth = |mut body: Value| {
        body["userID"] = json!(me.id);
        body["token"] = json!(me.token);
        body
    };
    for (route, body, field) in [
        (
            "POST /api/consultant/orders",
            auth(json!({"pageSize": 100000})),
            "pageSize",
        ),
        (
            "POST /api/consultant/interview/records",
            auth(json!({"page": 1, "page_size": "5000"})),
            "page_size",
        ),
        (
            "POST /api/consultant/interview/records/profile",
            auth(json!({"id": "abc"})),
            "id",
        ),
        (
            "POST /api/consultant/schedule/work",
            auth(json!({"year": "this", "month": "12"})),
            "year",
        ),
        (
            "POST /api/consultant/orders/create",
            auth(
                json!({"name": "小明", "type": "电话咨询", "date": "2026-12-01", "time": "09:00-10:00", "contact": "x"}),
            ),
            "type",
        ),
        (
            "POST /api/consultant/interview/records/profile/update",
            auth(json!({"id": 1, "crisisStatus": "很高"})),
            "crisisStatus",
        ),
    ] {
        let answer = post(&app, route, body).await;
        assert_ne!(answer["code"], 0, "{route}: {answer}");
        assert!(answer["data"].is_null(), "{route}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(field), "{route}: {answer}");
        for word in ["GraphQL", "variable", "argument", "expected type", "$"] {
            assert!(!message.contains(word), "{route}: {answer}");
        }
    }
}

#[test]
fn every_route_example_and_openapi_schema_follows_the_contract() {
    let routes: Vec<_> = all_routes()
        .into_iter()
        .filter(|r| r.dialect == C)
        .collect();
    assert_eq!(routes.len(), 36);
    assert_eq!(contract::contract(C).routes.len(), routes.len());
    for route in &routes {
        let contract = contract::route(C, route.method.as_str(), route.path)
            .unwrap_or_else(|| panic!("no contract for {}", route.path));
        let schema = contract.schema.as_ref().unwrap();
        let example: Value = serde_json::from_str(route.example.unwrap()).unwrap();
        let errors = violations(schema, &example);
        assert!(errors.is_empty(), "{}: {errors:?}", route.path);
    }
}

#[tokio::test]
async fn the_openapi_document_carries_the_contract_schemas() {
    let app = common::app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, http::StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    for name in contract::contract(C).structures.keys() {
        assert!(schemas[name].is_object(), "{name} is no component");
    }
    let ok_schema = |path: &str| {
        doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    let sessions = ok_schema("/api/consultant/interview/records/profile");
    assert!(
        sessions
            .to_string()
            .contains("#/components/schemas/CounselingSession"),
        "{sessions}"
    );
    let orders = doc["paths"]["/api/consultant/orders"]["post"].to_string();
    assert!(orders.contains("dialect_list_ceiling"), "{orders}");
    assert!(orders.contains("CounselingOrder"), "{orders}");
}
