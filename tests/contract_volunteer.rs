//! Contract tests of the volunteer dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/volunteer.json`) with
//! `common::contract::assert_contract`.
//!
//! The documented requests are sent as they stand, adapted only where an id must exist, a code
//! must be fresh or a date must lie ahead; the worlds are built so that every list holds items
//! (an empty list proves little about its items' structure).

use axum::body::Body;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::{Router, routing};
use chrono::{Duration, Utc};
use http::{Request, StatusCode};
use medgraph::auth::Role;
use medgraph::domain::free_clinics;
use medgraph::graphql::node::global_id;
use medgraph::rest::Dialect;
use serde_json::{Value, json};

use crate::common::contract::{assert_contract, documented_request};
use crate::common::{self, PNG_1X1, TestApp};

const V: Dialect = Dialect::Volunteer;
const PW: &str = "pass-word-1";

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sends the documented request of `route` ("METHOD /path") with `over` merged over it
/// (`{"path": {..}, "query": {..}, "body": {..}, "headers": {..}}`; a null removes a field)
/// and the caller's token in `X-auth-token`; the whole envelope.
async fn documented(app: &TestApp, route: &str, token: Option<&str>, over: Value) -> Value {
    let (method, template) = route.split_once(' ').unwrap();
    let mut request = documented_request(V, route);
    // The document's placeholders of a session and a captcha are not real ones.
    for header in ["X-auth-token", "Cookie"] {
        request["headers"].as_object_mut().unwrap().remove(header);
    }
    for part in ["path", "query", "body", "headers"] {
        for (key, value) in over[part].as_object().into_iter().flatten() {
            let target = request[part].as_object_mut().unwrap();
            if value.is_null() {
                target.remove(key);
            } else {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    let mut uri = template.to_owned();
    for (name, value) in request["path"].as_object().unwrap() {
        uri = uri.replace(&format!("{{{name}}}"), &plain(value));
    }
    let query: Vec<(String, String)> = request["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), plain(v)))
        .collect();
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&serde_urlencoded::to_string(&query).unwrap());
    }
    let mut headers: Vec<(String, String)> = request["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), plain(v)))
        .collect();
    if let Some(token) = token {
        headers.push(("x-auth-token".into(), token.into()));
    }
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = request["body"]
        .as_object()
        .filter(|b| !b.is_empty())
        .map(|b| Value::Object(b.clone()));
    let (status, answer) = app.call(method, &uri, body, &headers).await;
    assert_eq!(status, StatusCode::OK, "{route}: {answer}");
    answer
}

/// The `data` of a success envelope.
fn ok(route: &str, answer: &Value) -> Value {
    assert_eq!(answer["error_code"], 0, "{route}: {answer}");
    assert_eq!(answer["error_message"], "", "{route}: {answer}");
    answer["data"].clone()
}

/// Calls `route` as documented (with `over`), checks success and `assert_contract`s the
/// answer; the data.
async fn sent_assert_contract(
    app: &TestApp,
    route: &str,
    token: Option<&str>,
    over: Value,
) -> Value {
    let data = ok(route, &documented(app, route, token, over).await);
    assert_contract(V, route, &data);
    data
}

fn list_of(data: &Value) -> &Vec<Value> {
    data["list"]
        .as_array()
        .unwrap_or_else(|| panic!("no list in {data}"))
}

fn today() -> chrono::NaiveDate {
    free_clinics::china_today(Utc::now())
}

fn tomorrow() -> String {
    (today() + Duration::days(1)).to_string()
}

async fn gql(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let answer = app.graphql(query, variables, Some(token)).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// A hospital whose name holds the documented keyword (医院); its integer id.
async fn hospital(app: &TestApp, admin: &str, name: &str) -> i64 {
    gql(
        app,
        admin,
        "mutation($input: HospitalInput!) { createHospital(input: $input) { legacyId } }",
        json!({"input": {"name": name, "level": "三级甲等", "tag": "心血管科", "regionCode": 110101,
            "address": "东城区", "longitude": 116.4, "latitude": 39.9}}),
    )
    .await["createHospital"]["legacyId"]
        .as_i64()
        .unwrap()
}

async fn organization(app: &TestApp, admin: &str, name: &str) -> i64 {
    gql(
        app,
        admin,
        "mutation($n: String!) { createOrganization(name: $n, description: \"简介\") { legacyId } }",
        json!({"n": name}),
    )
    .await["createOrganization"]["legacyId"]
        .as_i64()
        .unwrap()
}

/// A special project of `org` at `hospital` over the coming week; its integer id.
async fn special_project(app: &TestApp, admin: &str, org: i64, hospital: i64) -> i64 {
    gql(
        app,
        admin,
        "mutation($input: SpecialProjectInput!) { createSpecialProject(input: $input) { legacyId } }",
        json!({"input": {"organizationId": global_id("Organization", org).0,
            "hospitalId": global_id("Hospital", hospital).0, "title": "义诊周", "abstract": "七天",
            "serviceTargets": ["老年人"], "startsOn": today().to_string(),
            "endsOn": (today() + Duration::days(6)).to_string(), "beginTime": "08:00", "endTime": "18:00"}}),
    )
    .await["createSpecialProject"]["legacyId"]
        .as_i64()
        .unwrap()
}

/// A doctor's free clinic tomorrow 09:00–11:00 published with the documented request; its id.
async fn publish(app: &TestApp, token: &str, hospital: i64, price: i64, extra: Value) -> i64 {
    let mut body =
        json!({"date": tomorrow(), "begin": "09:00:00", "hospital_id": hospital, "price": price});
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let data = sent_assert_contract(app, "POST /project", Some(token), json!({"body": body})).await;
    data["id"].as_i64().unwrap()
}

/// Uploads an image with POST /imgupload (checked against its contract); its URL.
async fn upload(app: &TestApp, token: &str) -> String {
    let (content_type, body) = common::multipart("file", "a.png", "image/png", PNG_1X1, &[]);
    let request = Request::post("/imgupload")
        .header("content-type", content_type)
        .header("x-auth-token", token)
        .body(Body::from(body))
        .unwrap();
    let (status, answer) = app.send_json(request).await;
    assert_eq!(status, StatusCode::OK);
    let data = ok("POST /imgupload", &answer);
    assert_contract(V, "POST /imgupload", &data);
    data["url"].as_str().unwrap().to_owned()
}

/// An SMS code sent with POST /phone/verifycode (checked against its contract).
async fn sms_code(app: &TestApp, phone: &str) -> String {
    sent_assert_contract(
        app,
        "POST /phone/verifycode",
        None,
        json!({"body": {"phone": phone}}),
    )
    .await;
    app.last_code(phone).unwrap()
}

#[tokio::test]
async fn identity_routes_answer_the_documented_user_structures() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;

    sent_assert_contract(&app, "GET /city", None, json!({})).await;
    let districts = sent_assert_contract(&app, "GET /area/city", None, json!({})).await;
    assert!(!list_of(&districts).is_empty(), "{districts}");

    // The captcha-guarded code.
    let (status, headers, _) = app
        .send(Request::get("/captcha/app").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let answer = app
        .last_code(cookie.trim_start_matches("medgraph_captcha="))
        .unwrap();
    sent_assert_contract(
        &app,
        "POST /verifycode",
        None,
        json!({"body": {"phone": "15512340001", "captcha_code": answer}, "headers": {"Cookie": cookie}}),
    )
    .await;

    // Registration of the three types: each answers its structure with a token.
    let mut tokens = Vec::new();
    for (phone, kind) in [("15512340001", 2), ("15512340002", 1), ("15512340003", 3)] {
        let code = app.last_code(phone);
        let code = match code {
            Some(code) => code,
            None => sms_code(&app, phone).await,
        };
        let user = sent_assert_contract(
            &app,
            "POST /register",
            None,
            json!({"body": {"phono": phone, "verify_code": code, "pwd": PW, "type": kind}}),
        )
        .await;
        tokens.push((
            user["id"].as_i64().unwrap(),
            user["token"].as_str().unwrap().to_owned(),
        ));
    }
    let [(doctor_id, doctor), (patient_id, patient), (_, assistant)] =
        <[(i64, String); 3]>::try_from(tokens).unwrap();
    let doctor_new = sent_assert_contract(&app, "GET /user", Some(&doctor), json!({})).await;
    assert_eq!(doctor_new["org_list"], json!([]), "{doctor_new}");
    assert_eq!(
        doctor_new["hospital"], "",
        "no hospital yet: the empty value"
    );

    let login = sent_assert_contract(
        &app,
        "POST /login",
        None,
        json!({"body": {"phono": "15512340002", "pwd": PW, "type": 1}}),
    )
    .await;
    assert_eq!(login["id"], patient_id);
    let code = sms_code(&app, "15512340004").await;
    let by_phone = sent_assert_contract(
        &app,
        "POST /login/phone",
        None,
        json!({"body": {"photo": "15512340004", "verify_code": code}}),
    )
    .await;
    assert_eq!(by_phone["is_new"], 1);

    // The doctor completes the profile with a hospital: its name shows everywhere, and the
    // approved organizations come in org_list.
    let hospital_id = hospital(&app, &admin, "人民医院").await;
    let photo = upload(&app, &doctor).await;
    let done = sent_assert_contract(
        &app,
        "PUT /user",
        Some(&doctor),
        json!({"body": {"hospital_id": hospital_id.to_string(), "work_photo": [photo]}}),
    )
    .await;
    assert_eq!(done["hospital"], "人民医院", "{done}");
    let org = organization(&app, &admin, "乡村医疗援助队").await;
    app.approve_role(&admin, doctor_id, "DOCTOR").await;
    app.join_organization(&admin, &doctor, &global_id("Organization", org).0)
        .await;
    let me = sent_assert_contract(&app, "GET /user", Some(&doctor), json!({})).await;
    assert_eq!(me["hospital"], "人民医院", "{me}");
    assert_eq!(me["org_list"][0]["name"], "乡村医疗援助队", "{me}");
    assert_eq!(me["work_time"].as_array().unwrap().len(), 7);

    // The patient's and the assistant's forms.
    sent_assert_contract(
        &app,
        "PUT /user",
        Some(&patient),
        json!({"body": {"real_name": "张三", "idno": "11010519491231002X", "height": "172", "weight": "60",
            "marital_status": 1, "drink_status": 0, "smoking_status": 0, "addr": "国贸三期", "email": "zhang@qq.com"}}),
    )
    .await;
    let assistant_done = sent_assert_contract(
        &app,
        "PUT /user",
        Some(&assistant),
        json!({"body": {"real_name": "王医助", "idno": "110105197807138524", "team_name": "志愿团队", "email": "wang@qq.com"}}),
    )
    .await;
    assert_eq!(assistant_done["team_name"], "志愿团队");
    for token in [&patient, &assistant] {
        sent_assert_contract(&app, "GET /user", Some(token), json!({})).await;
    }

    // Other viewers: masked, and the hidden fields as their empty values.
    let seen = sent_assert_contract(
        &app,
        "GET /user/{id}",
        Some(&doctor),
        json!({"path": {"id": patient_id}}),
    )
    .await;
    assert_eq!(seen["phone"], "155****0002", "{seen}");
    assert_eq!(seen["height"], "", "health data is the owner's: {seen}");
    let seen = sent_assert_contract(
        &app,
        "GET /user/{id}",
        None,
        json!({"path": {"id": doctor_id}}),
    )
    .await;
    assert_eq!(seen["org_list"][0]["name"], "乡村医疗援助队", "{seen}");
    assert_eq!(seen["hospital"], "人民医院");

    // Password reset and logout.
    app.account("forgetful", "15512340009", PW, &[Role::Patient])
        .await;
    let code = sms_code(&app, "15512340009").await;
    sent_assert_contract(
        &app,
        "POST /reset/pwd",
        None,
        json!({"body": {"phono": "15512340009", "verify_code": code}}),
    )
    .await;
    sent_assert_contract(&app, "GET /logout", Some(&assistant), json!({})).await;
    let gone = documented(&app, "GET /user", Some(&assistant), json!({})).await;
    assert_eq!(gone["error_code"], 401, "{gone}");
}

#[tokio::test]
async fn clinic_catalogue_routes_answer_the_documented_structures() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let hospital_id = hospital(&app, &admin, "协和医院").await;
    let org = organization(&app, &admin, "乡村组织").await;
    let (doctor_id, doctor) = app
        .account("doc", "13900000011", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (_, patient) = app
        .account("pat", "13900000021", PW, &[Role::Patient])
        .await;

    // The document tells the doctor app to send a large page_size: it is honoured.
    let hospitals = sent_assert_contract(&app, "GET /hospital", None, json!({})).await;
    assert_eq!(list_of(&hospitals)[0]["id"], hospital_id);
    assert_eq!(hospitals["page"]["page_size"], 1000, "{hospitals}");
    let orgs = sent_assert_contract(&app, "GET /org", None, json!({})).await;
    assert_eq!(list_of(&orgs)[0]["id"], org);
    // The document does not page /org: without page_size the whole list, not 10 of it.
    for i in 0..11 {
        organization(&app, &admin, &format!("志愿组织{i}")).await;
    }
    let orgs =
        sent_assert_contract(&app, "GET /org", None, json!({"query": {"keyword": null}})).await;
    assert_eq!(list_of(&orgs).len(), 12, "{orgs}");
    assert_eq!(orgs["page"]["count"], 12);

    // Membership: apply, list, approval (GraphQL), and the clinic catalogue.
    let applied = sent_assert_contract(
        &app,
        "POST /org_add/{org_id}",
        Some(&doctor),
        json!({"path": {"org_id": org}}),
    )
    .await;
    assert!(applied.is_null());
    let mine = sent_assert_contract(&app, "GET /org/my", Some(&doctor), json!({})).await;
    let membership = list_of(&mine)[0]["id"].as_i64().unwrap();
    gql(
        &app,
        &admin,
        "mutation($m: ID!) { decideOrganizationMembership(id: $m, approve: true) { state } }",
        json!({"m": global_id("OrganizationMembership", membership).0}),
    )
    .await;

    let clinic = publish(&app, &doctor, hospital_id, 0, json!({})).await;
    let sp = special_project(&app, &admin, org, hospital_id).await;
    publish(&app, &doctor, hospital_id, 0, json!({"sp_id": sp})).await;

    let mine = sent_assert_contract(&app, "GET /doctor/project", Some(&doctor), json!({})).await;
    assert_eq!(list_of(&mine).len(), 2, "the whole list: {mine}");
    assert_eq!(
        list_of(&mine)[0]["doctor_info"]["org_list"][0]["id"],
        org,
        "{mine}"
    );
    let detail = sent_assert_contract(
        &app,
        "GET /project/{id}",
        Some(&patient),
        json!({"path": {"id": clinic}}),
    )
    .await;
    assert!(detail["distance"].is_number(), "{detail}");
    // A client without a position fix sends `null-null`: no location, not an error.
    let unplaced = sent_assert_contract(
        &app,
        "GET /project/{id}",
        None,
        json!({"path": {"id": clinic}, "headers": {"X-location": "null-null"}}),
    )
    .await;
    assert!(unplaced.get("distance").is_none(), "{unplaced}");
    let listed = sent_assert_contract(&app, "GET /project", None, json!({})).await;
    assert_eq!(list_of(&listed).len(), 2, "{listed}");
    sent_assert_contract(
        &app,
        "GET /project",
        None,
        json!({"headers": {"X-location": "null-null"}}),
    )
    .await;
    sent_assert_contract(
        &app,
        "GET /custom/doctor/{id}/project",
        None,
        json!({"path": {"id": doctor_id}}),
    )
    .await;
    let doctors = sent_assert_contract(&app, "GET /doctor/list", None, json!({})).await;
    assert!(
        list_of(&doctors).iter().any(|d| d["id"] == doctor_id),
        "{doctors}"
    );
    let projects = sent_assert_contract(&app, "GET /sp_project", None, json!({})).await;
    assert_eq!(list_of(&projects)[0]["status"], 1, "{projects}");
    let sp_clinics = sent_assert_contract(
        &app,
        "GET /sp_project/{id}",
        None,
        json!({"path": {"id": sp}}),
    )
    .await;
    assert_eq!(list_of(&sp_clinics).len(), 1, "{sp_clinics}");

    // The dialect's own documents are not held to the limits of client-written queries: every
    // list takes a page of up to the ceiling (1000), deep structures included.
    let big = json!({"query": {"page_size": 1000, "current_page": 1}});
    for (route, token, path) in [
        ("GET /project", None, json!({})),
        ("GET /doctor/list", None, json!({})),
        ("GET /sp_project", None, json!({})),
        (
            "GET /custom/doctor/{id}/project",
            None,
            json!({"id": doctor_id}),
        ),
        ("GET /doctor/project", Some(&doctor), json!({})),
        ("GET /org/my", Some(&doctor), json!({})),
    ] {
        let mut over = big.clone();
        over["path"] = path;
        let answer = documented(&app, route, token.map(String::as_str), over).await;
        assert_eq!(answer["error_code"], 0, "{route}: {answer}");
        assert_eq!(
            answer["data"]["page"]["page_size"], 1000,
            "{route}: {answer}"
        );
    }
    // Client mistakes are told in the dialect's words, never GraphQL's.
    for (route, over) in [
        ("GET /project/{id}", json!({"path": {"id": "abc"}})),
        ("GET /project", json!({"query": {"page_size": 1001}})),
        ("GET /project", json!({"query": {"sort": 9}})),
        (
            "GET /project",
            json!({"headers": {"X-location": "east-west"}}),
        ),
    ] {
        let answer = documented(&app, route, None, over).await;
        assert_eq!(answer["error_code"], 422, "{route}: {answer}");
        let message = answer["error_message"].as_str().unwrap();
        for word in ["GraphQL", "graphql", "variable", "$", "Int!", "ID!"] {
            assert!(!message.contains(word), "{route}: {message}");
        }
    }

    sent_assert_contract(
        &app,
        "GET /project/{id}/cancel",
        Some(&doctor),
        json!({"path": {"id": clinic}}),
    )
    .await;
    let left = sent_assert_contract(
        &app,
        "DELETE /org_remove/{id}",
        Some(&doctor),
        json!({"path": {"id": membership}}),
    )
    .await;
    assert!(left.is_null());
}

/// A fake WeChat API answering one image.
async fn fake_wechat() -> String {
    async fn token() -> Response {
        axum::Json(json!({"access_token": "TOKEN", "expires_in": 7200})).into_response()
    }
    async fn media(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
        match q.get("media_id").map(String::as_str) {
            Some("MEDIA_ID") => ([("content-type", "image/png")], PNG_1X1).into_response(),
            _ => {
                axum::Json(json!({"errcode": 40007, "errmsg": "invalid media_id"})).into_response()
            }
        }
    }
    let router = Router::new()
        .route("/cgi-bin/token", routing::get(token))
        .route("/cgi-bin/media/get", routing::get(media));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn content_and_chat_routes_answer_the_documented_structures() {
    let base = fake_wechat().await;
    let app = common::app_with(|config| {
        config.wechat.app_id = Some("wxapp".into());
        config.wechat.app_secret = Some("s3cret".into());
        config.wechat.api_base = base.clone();
    })
    .await;
    let (_, admin) = app.admin().await;
    let (doctor_id, doctor) = app
        .account("doc", "13900000011", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (_, patient) = app
        .account("pat", "13900000021", PW, &[Role::Patient])
        .await;

    let news = gql(
        &app,
        &admin,
        "mutation($input: NewsFields!) { createNews(input: $input) { legacyId } }",
        json!({"input": {"audience": "DOCTORS", "title": "义诊公告", "content": "<p>正文</p>"}}),
    )
    .await["createNews"]["legacyId"]
        .as_i64()
        .unwrap();
    let listed = sent_assert_contract(&app, "GET /news/{type}/list", None, json!({})).await;
    assert_eq!(list_of(&listed)[0]["id"], news);
    sent_assert_contract(&app, "GET /news/{id}", None, json!({"path": {"id": news}})).await;

    gql(
        &app,
        &admin,
        "mutation($input: SendMessageInput!) { sendMessage(input: $input) }",
        json!({"input": {"title": "全体", "content": "x"}}),
    )
    .await;
    let messages = sent_assert_contract(&app, "GET /message", Some(&patient), json!({})).await;
    assert!(!list_of(&messages).is_empty(), "{messages}");

    // Chat: the patient writes, both list the dialog, the doctor reads it.
    let sent = sent_assert_contract(
        &app,
        "POST /chat",
        Some(&patient),
        json!({"body": {"to_user_id": doctor_id}}),
    )
    .await;
    let dialog = list_of(&sent)[0]["dialog_id"].clone();
    for token in [&patient, &doctor] {
        let dialogs = sent_assert_contract(&app, "GET /chat", Some(token), json!({})).await;
        let first = &list_of(&dialogs)[0];
        assert!(first["last_msg_id"].is_string(), "{first}");
        assert_eq!(first["doctor_user"]["id"], doctor_id);
    }
    let read = sent_assert_contract(
        &app,
        "GET /chat/{id}",
        Some(&doctor),
        json!({"path": {"id": dialog}}),
    )
    .await;
    assert_eq!(list_of(&read).len(), 1, "{read}");

    let media = sent_assert_contract(&app, "GET /weixin/media", Some(&patient), json!({})).await;
    assert!(
        media["url"].as_str().unwrap().contains("/files/"),
        "{media}"
    );
}

#[tokio::test]
async fn registration_routes_answer_the_documented_diagnoses() {
    let app = common::app_with(|config| {
        config.payments.sandbox_secret = Some("sandbox-test-secret".into());
    })
    .await;
    let (_, admin) = app.admin().await;
    let hospital_id = hospital(&app, &admin, "协和医院").await;
    let (doctor_id, doctor) = app
        .account("doc", "13900000011", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (patient_id, patient) = app
        .account("pat", "13900000021", PW, &[Role::Patient])
        .await;
    let (_, other) = app
        .account("pat2", "13900000022", PW, &[Role::Patient])
        .await;
    let clinic = publish(&app, &doctor, hospital_id, 0, json!({})).await;
    let photo = upload(&app, &patient).await;

    // Joining as documented: a casebook with a photo, in a slot.
    sent_assert_contract(
        &app,
        "POST /project/{id}/join",
        Some(&patient),
        json!({"path": {"id": clinic}, "body": {"photo": [photo]}}),
    )
    .await;
    let rejected = ok(
        "POST /project/{id}/join",
        &documented(
            &app,
            "POST /project/{id}/join",
            Some(&other),
            json!({"path": {"id": clinic}, "body": {"photo": null}}),
        )
        .await,
    )["id"]
        .as_i64()
        .unwrap();
    sent_assert_contract(
        &app,
        "GET /project/{id}/casebook",
        Some(&patient),
        json!({"path": {"id": clinic}}),
    )
    .await;
    // The patient may withdraw (op_cancel 1) and sees no other patients; the clinic's doctor
    // sees its patients in join_user.
    let seen = sent_assert_contract(
        &app,
        "GET /project/{id}",
        Some(&patient),
        json!({"path": {"id": clinic}}),
    )
    .await;
    assert_eq!(seen["op_cancel"], 1, "{seen}");
    assert_eq!(seen["is_join"], 1);
    assert_eq!(seen["join_user"], json!([]));
    let own = sent_assert_contract(
        &app,
        "GET /project/{id}",
        Some(&doctor),
        json!({"path": {"id": clinic}}),
    )
    .await;
    assert_eq!(own["join_user"].as_array().unwrap().len(), 2, "{own}");
    assert_eq!(own["join_user"][0]["id"], patient_id);

    let patients = sent_assert_contract(
        &app,
        "GET /project/{id}/patient",
        Some(&doctor),
        json!({"path": {"id": clinic}}),
    )
    .await;
    let id = list_of(&patients)
        .iter()
        .find(|r| r["user_info"]["id"] == patient_id)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let waiting = sent_assert_contract(
        &app,
        "GET /doctor/project/patient",
        Some(&doctor),
        json!({}),
    )
    .await;
    assert_eq!(list_of(&waiting).len(), 2, "{waiting}");
    for token in [&patient, &doctor] {
        sent_assert_contract(
            &app,
            "GET /diagnoses/{id}",
            Some(token),
            json!({"path": {"id": id}}),
        )
        .await;
    }
    let booked =
        sent_assert_contract(&app, "GET /custom/diagnoses", Some(&patient), json!({})).await;
    assert_eq!(list_of(&booked)[0]["id"], id);
    let index = sent_assert_contract(&app, "GET /doctor/index", Some(&doctor), json!({})).await;
    assert!(!index["project_list"].as_array().unwrap().is_empty());
    assert!(!index["diagnoses_list"].as_array().unwrap().is_empty());
    sent_assert_contract(
        &app,
        "POST /diagnoses/{id}/reject",
        Some(&doctor),
        json!({"path": {"id": rejected}}),
    )
    .await;

    // The visit: confirmed, a result, the scores both ways.
    crate::volunteer_registrations::move_clinic(&app, clinic, false).await;
    sent_assert_contract(
        &app,
        "GET /diagnoses/{id}/done",
        Some(&doctor),
        json!({"path": {"id": id}}),
    )
    .await;
    let result_photo = upload(&app, &doctor).await;
    sent_assert_contract(
        &app,
        "PUT /diagnoses/{id}",
        Some(&doctor),
        json!({"path": {"id": id}, "body": {"diag_photo": [result_photo]}}),
    )
    .await;
    sent_assert_contract(
        &app,
        "POST /doctor/diagnoses/{id}/comment",
        Some(&doctor),
        json!({"path": {"id": id}}),
    )
    .await;
    let pending =
        sent_assert_contract(&app, "GET /custom/need/comment", Some(&patient), json!({})).await;
    assert_eq!(list_of(&pending)[0]["id"], id, "{pending}");
    sent_assert_contract(
        &app,
        "POST /custom/diagnoses/{id}/comment",
        Some(&patient),
        json!({"path": {"id": id}}),
    )
    .await;
    let reviewed =
        sent_assert_contract(&app, "GET /doctor/comment", Some(&doctor), json!({})).await;
    assert_eq!(list_of(&reviewed)[0]["doctor_comment"], "亲切");
    let public = sent_assert_contract(
        &app,
        "GET /doctor/{id}/comment",
        None,
        json!({"path": {"id": doctor_id}}),
    )
    .await;
    let review = &list_of(&public)[0];
    assert_eq!(review["doctor_score"], 5, "{review}");
    assert_eq!(review["user_info"]["phone"], "139****0021", "{review}");
    let history = sent_assert_contract(
        &app,
        "GET /all_diagnoses/{id}",
        Some(&doctor),
        json!({"path": {"id": patient_id}}),
    )
    .await;
    let row = &history.as_array().unwrap()[0];
    assert_eq!(row["casebook"]["user_id"], patient_id, "{row}");
    assert_eq!(row["doctor_score"], 5);

    // A deposit: the order is {} while unpaid, the registration once paid, a refund after the
    // patient withdraws.
    let paid_clinic = publish(&app, &doctor, hospital_id, 50, json!({})).await;
    let joined = ok(
        "POST /project/{id}/join",
        &documented(
            &app,
            "POST /project/{id}/join",
            Some(&patient),
            json!({"path": {"id": paid_clinic}, "body": {"photo": null}}),
        )
        .await,
    );
    let sn = joined["sn"].as_str().unwrap().to_owned();
    let unpaid = sent_assert_contract(
        &app,
        "GET /order/query/{sn}",
        Some(&patient),
        json!({"path": {"sn": sn}}),
    )
    .await;
    assert_eq!(unpaid, json!({}));
    let fields = crate::volunteer_registrations::form_fields(joined["pay_page"].as_str().unwrap());
    assert_eq!(
        crate::volunteer_registrations::notify(&app, &fields).await,
        "success"
    );
    let paid = sent_assert_contract(
        &app,
        "GET /order/query/{sn}",
        Some(&patient),
        json!({"path": {"sn": sn}}),
    )
    .await;
    assert_eq!(paid["refund_status"], 0, "{paid}");
    sent_assert_contract(
        &app,
        "GET /custom/project/{id}/cancel",
        Some(&patient),
        json!({"path": {"id": paid_clinic}}),
    )
    .await;
    let refunds = sent_assert_contract(
        &app,
        "GET /custom/payment/diagnoses",
        Some(&patient),
        json!({}),
    )
    .await;
    assert!(
        [1, 3].contains(&list_of(&refunds)[0]["refund_status"].as_i64().unwrap()),
        "{refunds}"
    );
}

#[tokio::test]
async fn assistant_routes_answer_the_documented_structures() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let hospital_id = hospital(&app, &admin, "协和医院").await;
    let org = organization(&app, &admin, "红十字").await;
    let (doctor_id, doctor) = app
        .account("doc", "13900000011", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (patient_id, patient) = app
        .account("pat", "13900000021", PW, &[Role::Patient])
        .await;
    let (_, assistant) = app
        .account("asst", "13900000031", PW, &[Role::Assistant])
        .await;
    let clinic = publish(&app, &doctor, hospital_id, 0, json!({})).await;
    special_project(&app, &admin, org, hospital_id).await;
    gql(
        &app,
        &admin,
        "mutation($input: BannerFields!) { createBanner(input: $input) { id } }",
        json!({"input": {"title": "义诊周", "imageUrl": "https://x/a.png", "jumpMode": "URL",
            "href": "https://example.org", "audience": "PATIENTS", "hospitalId": hospital_id}}),
    )
    .await;
    gql(
        &app,
        &admin,
        "mutation($input: BannerFields!) { createBanner(input: $input) { id } }",
        json!({"input": {"title": "医助", "imageUrl": "https://x/a.png", "audience": "ASSISTANTS"}}),
    )
    .await;
    for audience in ["PATIENTS", "ASSISTANTS"] {
        gql(
            &app,
            &admin,
            "mutation($input: NewsFields!) { createNews(input: $input) { id } }",
            json!({"input": {"audience": audience, "title": "公告", "content": "<p>正文</p>"}}),
        )
        .await;
    }

    // Patients: bound with the patient's code, and created.
    let code = sms_code(&app, "13900000021").await;
    sent_assert_contract(
        &app,
        "POST /assistant/bind/patient",
        Some(&assistant),
        json!({"body": {"phone": "13900000021", "verify_code": code}}),
    )
    .await;
    sent_assert_contract(
        &app,
        "POST /assistant/create/patient",
        Some(&assistant),
        json!({}),
    )
    .await;
    let mine =
        sent_assert_contract(&app, "GET /assistant/patient", Some(&assistant), json!({})).await;
    assert_eq!(list_of(&mine).len(), 2, "{mine}");
    let helpers =
        sent_assert_contract(&app, "GET /custom/assistant", Some(&patient), json!({})).await;
    assert_eq!(list_of(&helpers).len(), 1, "{helpers}");

    // Registering the bound patient.
    sent_assert_contract(
        &app,
        "POST /assistant/join/project/{id}",
        Some(&assistant),
        json!({"path": {"id": clinic}, "body": {"user_id": patient_id}}),
    )
    .await;
    let clinics =
        sent_assert_contract(&app, "GET /assistant/project", Some(&assistant), json!({})).await;
    assert_eq!(list_of(&clinics)[0]["assistant_join_count"], 1, "{clinics}");
    let registered = sent_assert_contract(
        &app,
        "GET /assistant/project/{id}/paitient",
        Some(&assistant),
        json!({"path": {"id": clinic}}),
    )
    .await;
    let id = list_of(&registered)[0]["id"].as_i64().unwrap();
    let assistants =
        sent_assert_contract(&app, "GET /doctor/assistant", Some(&doctor), json!({})).await;
    assert_eq!(list_of(&assistants).len(), 1, "{assistants}");
    sent_assert_contract(
        &app,
        "GET /assistant/diagnoses/{id}/cancel",
        Some(&assistant),
        json!({"path": {"id": id}}),
    )
    .await;

    // Centres and homepages.
    let centre = sent_assert_contract(&app, "GET /custom/center", Some(&patient), json!({})).await;
    assert_eq!(centre["user_info"]["id"], patient_id);
    sent_assert_contract(&app, "GET /assistant/center", Some(&assistant), json!({})).await;
    let home = sent_assert_contract(
        &app,
        "GET /custom/homepage",
        Some(&patient),
        json!({"query": {"hospital_id": hospital_id}}),
    )
    .await;
    for key in ["banner", "news", "project_list", "special_pro_list"] {
        assert!(!home[key].as_array().unwrap().is_empty(), "{key}: {home}");
    }
    let home =
        sent_assert_contract(&app, "GET /assistant/homepage", Some(&assistant), json!({})).await;
    for key in ["banner", "news", "project_list"] {
        assert!(!home[key].as_array().unwrap().is_empty(), "{key}: {home}");
    }

    // Follows: the patient's and the assistant's lists of followed doctors.
    for token in [&patient, &assistant] {
        sent_assert_contract(
            &app,
            "GET /follow/user/{id}",
            Some(token),
            json!({"path": {"id": doctor_id}}),
        )
        .await;
    }
    let followed =
        sent_assert_contract(&app, "GET /custom/follow", Some(&patient), json!({})).await;
    assert_eq!(list_of(&followed)[0]["id"], doctor_id, "{followed}");
    assert_eq!(list_of(&followed)[0]["org_list"], json!([]), "{followed}");
    let followed =
        sent_assert_contract(&app, "GET /assistant/follow", Some(&assistant), json!({})).await;
    assert_eq!(list_of(&followed)[0]["id"], doctor_id, "{followed}");
    for token in [&patient, &assistant] {
        sent_assert_contract(
            &app,
            "DELETE /follow/user/{id}",
            Some(token),
            json!({"path": {"id": doctor_id}}),
        )
        .await;
    }
    let none = sent_assert_contract(&app, "GET /custom/follow", Some(&patient), json!({})).await;
    assert_eq!(list_of(&none).len(), 0, "{none}");
}
