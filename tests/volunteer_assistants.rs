//! Doctors' assistants (医助) and their patients, centres and homepages through GraphQL and the
//! volunteer dialect: binding with the patient's SMS code (wrong code, twice, unknown or
//! non-patient numbers), creating patients (every invalid field at once, nothing written),
//! the assistant's patients (search, paging), a patient's assistants, who may call what, the
//! centres' unread counts against GET /message, and homepages of a hospital and an org.

use chrono::{Duration, Utc};
use medgraph::auth::Role;
use medgraph::domain::{assistants, free_clinics};
use medgraph::graphql::node::global_id;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::common::{self, TestApp, first_code};

async fn vol(app: &TestApp, method: &str, path: &str, body: Option<Value>, token: &str) -> Value {
    let (status, value) = app
        .call(method, path, body, &[("x-auth-token", token)])
        .await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

fn ok(answer: &Value) -> &Value {
    assert_eq!(answer["error_code"], 0, "{answer}");
    &answer["data"]
}

/// An app whose codes may be sent again at once.
async fn app() -> TestApp {
    common::app_with(|c| c.auth.code_resend_secs = 0).await
}

/// Sends a code to `phone` with POST /phone/verifycode; the code from the outbox.
async fn sms_code(app: &TestApp, phone: &str) -> String {
    let (_, v) = app
        .call(
            "POST",
            "/phone/verifycode",
            Some(json!({"phone": phone})),
            &[],
        )
        .await;
    assert_eq!(v["error_code"], 0, "{v}");
    app.last_code(phone).expect("a code in the outbox")
}

async fn assistant(app: &TestApp, name: &str, phone: &str) -> (i64, String) {
    app.account(name, phone, "pass-word-1", &[Role::Assistant])
        .await
}

async fn patient(app: &TestApp, name: &str, phone: &str) -> (i64, String) {
    app.account(name, phone, "pass-word-1", &[Role::Patient])
        .await
}

async fn help_count(app: &TestApp, assistant_id: i64) -> i32 {
    entity::assistant_profile::Entity::find_by_id(assistant_id)
        .one(&app.state.services.db)
        .await
        .unwrap()
        .map_or(0, |p| p.help_count)
}

async fn bind(app: &TestApp, token: &str, phone: &str, code: &str) -> Value {
    vol(
        app,
        "POST",
        "/assistant/bind/patient",
        Some(json!({"phone": phone, "verify_code": code})),
        token,
    )
    .await
}

const PATIENT_KEYS: &[&str] = &[
    "id",
    "real_name",
    "phone",
    "avatars",
    "idno",
    "sex",
    "birthday",
    "age",
    "email",
    "height",
    "weight",
    "province_id",
    "province_name",
    "city_id",
    "city_name",
    "county_id",
    "county_name",
    "addr",
    "marital_status",
    "drink_status",
    "smoking_status",
    "credit_score",
    "punctuality_score",
    "is_verify",
    "join_project_count",
    "done_project_count",
];

const ASSISTANT_KEYS: &[&str] = &[
    "id",
    "real_name",
    "phone",
    "avatars",
    "idno",
    "email",
    "team_name",
    "province_id",
    "province_name",
    "city_id",
    "city_name",
    "county_id",
    "county_name",
    "addr",
    "help_count",
    "is_verify",
];

fn has_keys(value: &Value, keys: &[&str]) {
    for key in keys {
        assert!(value.get(*key).is_some(), "{key} missing in {value}");
    }
}

#[tokio::test]
async fn an_assistant_binds_a_patient_with_the_patients_code() {
    let app = app().await;
    let (assistant_id, token) = assistant(&app, "asst", "15600000001").await;
    let (patient_id, patient_token) = patient(&app, "pat", "15600000002").await;
    let (_, doctor_token) = app
        .account("doc", "15600000003", "pass-word-1", &[Role::Doctor])
        .await;

    // A wrong code is refused and changes nothing.
    let code = sms_code(&app, "15600000002").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = bind(&app, &token, "15600000002", wrong).await;
    assert_eq!(refused["error_code"], 422, "{refused}");
    assert_eq!(app.count_rows("assistant_patients").await, 0);
    assert_eq!(help_count(&app, assistant_id).await, 0);

    // Doctors and patients may not bind, even with the right code.
    for other in [&doctor_token, &patient_token] {
        let refused = bind(&app, other, "15600000002", &code).await;
        assert_eq!(refused["error_code"], 403, "{refused}");
    }
    assert_eq!(app.count_rows("assistant_patients").await, 0);

    // The right code binds, once.
    let bound = bind(&app, &token, "15600000002", &code).await;
    assert_eq!(ok(&bound), &json!({}));
    assert_eq!(app.count_rows("assistant_patients").await, 1);
    assert_eq!(help_count(&app, assistant_id).await, 1);
    let db = &app.state.services.db;
    assert!(
        assistants::is_bound(db, assistant_id, patient_id)
            .await
            .unwrap()
    );
    assert!(
        !assistants::is_bound(db, patient_id, assistant_id)
            .await
            .unwrap()
    );
    // The code is spent.
    let reused = bind(&app, &token, "15600000002", &code).await;
    assert_eq!(reused["error_code"], 422, "{reused}");

    // Binding again succeeds and changes nothing.
    let code = sms_code(&app, "15600000002").await;
    let again = app
        .graphql(
            "mutation($p: String!, $c: String!) { bindPatient(phone: $p, code: $c) { created patient { legacyId: id } } }",
            json!({"p": "15600000002", "c": code}),
            Some(&token),
        )
        .await;
    assert_eq!(again["data"]["bindPatient"]["created"], false, "{again}");
    assert_eq!(app.count_rows("assistant_patients").await, 1);
    assert_eq!(help_count(&app, assistant_id).await, 1);

    // An unknown number, a doctor's number, one's own number.
    let code = sms_code(&app, "15600000099").await;
    let unknown = bind(&app, &token, "15600000099", &code).await;
    assert_eq!(unknown["error_code"], 404, "{unknown}");
    let code = sms_code(&app, "15600000003").await;
    let doctor = bind(&app, &token, "15600000003", &code).await;
    assert_eq!(doctor["error_code"], 422, "{doctor}");
    assert!(
        doctor["error_message"]
            .as_str()
            .unwrap()
            .contains("not a patient"),
        "{doctor}"
    );
    // The refused binding did not spend the code.
    let code_again = app.last_code("15600000003").unwrap();
    assert_eq!(code, code_again);
    let bad_phone = bind(&app, &token, "12345", "123456").await;
    assert_eq!(bad_phone["error_code"], 422, "{bad_phone}");
    assert!(bad_phone["error_message"].as_str().is_some(), "{bad_phone}");
    assert_eq!(app.count_rows("assistant_patients").await, 1);

    // Anonymous callers are asked to log in.
    let (_, anonymous) = app
        .call(
            "POST",
            "/assistant/bind/patient",
            Some(json!({"phone": "15600000002", "verify_code": "123456"})),
            &[],
        )
        .await;
    assert_eq!(anonymous["error_code"], 401, "{anonymous}");
}

fn create_body() -> Value {
    json!({
        "real_name": "李秀兰",
        "idno": "11010519491231002X",
        "height": "158",
        "weight": "52.5",
        "marital_status": 1,
        "drink_status": "0",
        "smoking_status": 1,
        "email": "lixiulan@example.com",
        "province_id": 110000,
        "city_id": 110100,
        "county_id": 110105,
        "addr": "朝阳区幸福里",
        "pwd": "pass-word-2",
    })
}

#[tokio::test]
async fn an_assistant_creates_a_patient_and_bad_fields_create_nothing() {
    let app = app().await;
    let (assistant_id, token) = assistant(&app, "asst", "15600000011").await;
    let users_before = app.count_rows("users").await;

    let mut bad = create_body();
    bad["idno"] = json!("110105194912310022");
    bad["height"] = json!(400);
    bad["weight"] = json!(0);
    bad["pwd"] = json!("short");
    bad["email"] = json!("not-an-email");
    let refused = vol(&app, "POST", "/assistant/create/patient", Some(bad), &token).await;
    assert_eq!(refused["error_code"], 422, "{refused}");
    let message = refused["error_message"].as_str().unwrap();
    for field in ["idno", "height", "weight", "pwd", "email"] {
        assert!(message.contains(field), "{field} not in {message}");
    }
    assert_eq!(app.count_rows("users").await, users_before);
    assert_eq!(app.count_rows("assistant_patients").await, 0);

    // GraphQL lists the fields in extensions.
    let graphql_bad = app
        .graphql(
            "mutation($i: CreatePatientInput!) { createPatient(input: $i) { id } }",
            json!({"i": {"realName": " ", "idCardNumber": "123", "heightCm": 170.0, "weightKg": 500.0,
                "maritalStatus": "SINGLE", "drinks": false, "smokes": false, "password": "pass-word-2"}}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&graphql_bad), "BAD_USER_INPUT");
    let fields = &graphql_bad["errors"][0]["extensions"]["fields"];
    for field in ["realName", "idCardNumber", "weightKg"] {
        assert!(fields.get(field).is_some(), "{field} not in {graphql_bad}");
    }
    assert_eq!(app.count_rows("users").await, users_before);

    // A region that does not nest is refused inside the transaction: nothing is left behind.
    let mut bad_region = create_body();
    bad_region["city_id"] = json!(330100);
    let refused = vol(
        &app,
        "POST",
        "/assistant/create/patient",
        Some(bad_region),
        &token,
    )
    .await;
    assert_eq!(refused["error_code"], 422, "{refused}");
    assert_eq!(app.count_rows("users").await, users_before);

    // Only assistants.
    let (_, patient_token) = patient(&app, "pat", "15600000012").await;
    let users_before = app.count_rows("users").await;
    let refused = vol(
        &app,
        "POST",
        "/assistant/create/patient",
        Some(create_body()),
        &patient_token,
    )
    .await;
    assert_eq!(refused["error_code"], 403, "{refused}");
    assert_eq!(app.count_rows("users").await, users_before);

    // The documented form creates a bound patient.
    let created = vol(
        &app,
        "POST",
        "/assistant/create/patient",
        Some(create_body()),
        &token,
    )
    .await;
    let id = ok(&created)["id"].as_i64().unwrap();
    let db = &app.state.services.db;
    assert!(assistants::is_bound(db, assistant_id, id).await.unwrap());
    assert_eq!(help_count(&app, assistant_id).await, 1);
    let listed = vol(&app, "GET", "/assistant/patient", None, &token).await;
    let first = &ok(&listed)["list"][0];
    has_keys(first, PATIENT_KEYS);
    assert_eq!(first["id"], id);
    assert_eq!(first["sex"], 2);
    // The one masking policy: the bound assistant is a carer: the name and the health profile
    // in full, the ID-card number still masked.
    assert_eq!(first["real_name"], "李秀兰");
    assert_eq!(first["idno"], "110105********002X");
    assert_ne!(first["height"], Value::Null);

    // With a phone: a number already registered is a conflict; a new one can log in by SMS.
    let mut taken = create_body();
    taken["phone"] = json!("15600000012");
    let refused = vol(
        &app,
        "POST",
        "/assistant/create/patient",
        Some(taken),
        &token,
    )
    .await;
    assert_eq!(refused["error_code"], 409, "{refused}");
    let mut with_phone = create_body();
    with_phone["phone"] = json!("15600000013");
    with_phone["email"] = json!("other@example.com");
    let created = vol(
        &app,
        "POST",
        "/assistant/create/patient",
        Some(with_phone),
        &token,
    )
    .await;
    ok(&created);
    let login = app
        .call(
            "POST",
            "/login",
            Some(json!({"phono": "15600000013", "pwd": "pass-word-2", "type": 1})),
            &[],
        )
        .await
        .1;
    let me = ok(&login);
    assert_eq!(me["real_name"], "李秀兰");
    assert_eq!(me["sex"], 2);
    assert_eq!(me["birthday"], "1949-12-31");
    assert_eq!(me["height"], "158");
    assert_eq!(me["weight"], "52.5");
    assert_eq!(me["marital_status"], 1);
    assert_eq!(me["drink_status"], 0);
    assert_eq!(me["smoking_status"], 1);
    assert_eq!(me["county_name"], "朝阳区");
    assert_eq!(me["addr"], "朝阳区幸福里");
    assert_eq!(me["email"], "other@example.com");
    assert_eq!(help_count(&app, assistant_id).await, 2);
}

#[tokio::test]
async fn the_assistants_patients_are_searched_and_paged() {
    let app = app().await;
    let (_, token) = assistant(&app, "asst", "15600000021").await;
    let (_, other_token) = assistant(&app, "asst2", "15600000022").await;
    for (i, name) in ["张伟", "王芳", "张敏"].iter().enumerate() {
        let mut body = create_body();
        body["real_name"] = json!(name);
        body["email"] = json!(format!("p{i}@example.com"));
        body["phone"] = json!(format!("1560000003{i}"));
        ok(&vol(
            &app,
            "POST",
            "/assistant/create/patient",
            Some(body),
            &token,
        )
        .await);
    }
    let page = |q: &'static str| {
        let app = &app;
        let token = token.clone();
        async move { vol(app, "GET", q, None, &token).await }
    };
    let all = page("/assistant/patient").await;
    let data = ok(&all);
    assert_eq!(
        data["page"],
        json!({"current_page": 1, "total_page": 1, "count": 3, "page_size": 10})
    );
    // Latest bound first.
    assert_eq!(data["list"][0]["phone"].as_str().unwrap().len(), 11);
    let names: Vec<&str> = data["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["real_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    let second = page("/assistant/patient?current_page=2&page_size=2").await;
    let data = ok(&second);
    assert_eq!(data["page"]["total_page"], 2);
    assert_eq!(data["list"].as_array().unwrap().len(), 1);
    let by_name = page("/assistant/patient?keyword=%E5%BC%A0").await; // 张
    assert_eq!(ok(&by_name)["page"]["count"], 2, "{by_name}");
    let by_phone = page("/assistant/patient?keyword=15600000031").await;
    assert_eq!(ok(&by_phone)["page"]["count"], 1, "{by_phone}");
    let none = page("/assistant/patient?keyword=nobody").await;
    assert_eq!(ok(&none)["list"], json!([]));
    let bad_page = page("/assistant/patient?page_size=0").await;
    assert_eq!(bad_page["error_code"], 422, "{bad_page}");

    // Another assistant sees none of them.
    let other = vol(&app, "GET", "/assistant/patient", None, &other_token).await;
    assert_eq!(ok(&other)["page"]["count"], 0);

    // Doctors and patients are refused.
    let (_, doctor) = app
        .account("doc", "15600000023", "pass-word-1", &[Role::Doctor])
        .await;
    let (_, pat) = patient(&app, "pat", "15600000024").await;
    for t in [&doctor, &pat] {
        let refused = vol(&app, "GET", "/assistant/patient", None, t).await;
        assert_eq!(refused["error_code"], 403, "{refused}");
    }
    let graphql = app
        .graphql("{ myPatients { totalCount } }", json!({}), Some(&doctor))
        .await;
    assert_eq!(first_code(&graphql), "FORBIDDEN");
}

#[tokio::test]
async fn a_patient_lists_their_assistants() {
    let app = app().await;
    let (a1, t1) = assistant(&app, "asst1", "15600000041").await;
    let (_, t2) = assistant(&app, "asst2", "15600000042").await;
    let (_, patient_token) = patient(&app, "pat", "15600000043").await;
    for t in [&t1, &t2] {
        let code = sms_code(&app, "15600000043").await;
        ok(&bind(&app, t, "15600000043", &code).await);
    }
    let mine = vol(&app, "GET", "/custom/assistant", None, &patient_token).await;
    let data = ok(&mine);
    let list = data["list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for a in list {
        has_keys(a, ASSISTANT_KEYS);
        assert_eq!(a["help_count"], 1);
        assert!(a.get("height").is_none());
    }
    // Latest bound first.
    assert_eq!(list[1]["id"], a1);
    assert_eq!(data["page"]["count"], 2);

    // Assistants and doctors do not call /custom/*.
    let refused = vol(&app, "GET", "/custom/assistant", None, &t1).await;
    assert_eq!(refused["error_code"], 403, "{refused}");
}

#[tokio::test]
async fn centres_count_the_unread_messages_of_get_message() {
    let app = app().await;
    let (_, admin) = app.admin().await;
    let (_, assistant_token) = assistant(&app, "asst", "15600000051").await;
    let (_, patient_token) = patient(&app, "pat", "15600000052").await;
    let (_, doctor_token) = app
        .account("doc", "15600000053", "pass-word-1", &[Role::Doctor])
        .await;
    let send = "mutation($input: SendMessageInput!) { sendMessage(input: $input) }";
    for input in [
        json!({"title": "全体", "content": "x"}),
        json!({"title": "患者", "content": "x", "audience": "PATIENTS"}),
        json!({"title": "医助", "content": "x", "audience": "ASSISTANTS"}),
    ] {
        let sent = app
            .graphql(send, json!({"input": input}), Some(&admin))
            .await;
        assert!(sent["data"]["sendMessage"].as_i64().unwrap() >= 1, "{sent}");
    }
    // The patient reads one of them.
    let first = app
        .graphql(
            "{ messages(first: 1) { nodes { id } } }",
            json!({}),
            Some(&patient_token),
        )
        .await;
    let id = first["data"]["messages"]["nodes"][0]["id"].clone();
    let read = app
        .graphql(
            "mutation($ids: [ID!]) { markMessagesRead(ids: $ids) }",
            json!({"ids": [id]}),
            Some(&patient_token),
        )
        .await;
    assert!(read.get("errors").is_none(), "{read}");

    for (path, token, keys) in [
        ("/custom/center", &patient_token, PATIENT_KEYS),
        ("/assistant/center", &assistant_token, ASSISTANT_KEYS),
    ] {
        let centre = vol(&app, "GET", path, None, token).await;
        let data = ok(&centre);
        has_keys(&data["user_info"], keys);
        let messages = vol(&app, "GET", "/message?page_size=100", None, token).await;
        let unread = ok(&messages)["list"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["is_read"] == 0)
            .count();
        assert_eq!(data["msg_count"], unread as i64, "{path}: {centre}");
    }
    let patient_centre = vol(&app, "GET", "/custom/center", None, &patient_token).await;
    assert_eq!(ok(&patient_centre)["msg_count"], 1);
    assert_eq!(ok(&patient_centre)["user_info"]["phone"], "15600000052");
    let assistant_centre = vol(&app, "GET", "/assistant/center", None, &assistant_token).await;
    assert_eq!(ok(&assistant_centre)["msg_count"], 2);

    // Each centre for its own role.
    for (path, token) in [
        ("/custom/center", &assistant_token),
        ("/assistant/center", &patient_token),
        ("/assistant/center", &doctor_token),
    ] {
        let refused = vol(&app, "GET", path, None, token).await;
        assert_eq!(refused["error_code"], 403, "{path}: {refused}");
    }
}

#[tokio::test]
async fn homepages_of_the_audience_a_hospital_and_an_organization() {
    let app = app().await;
    let (_, admin) = app.admin().await;
    let (_, assistant_token) = assistant(&app, "asst", "15600000061").await;
    let (_, patient_token) = patient(&app, "pat", "15600000062").await;
    let (doctor_id, doctor_token) = app
        .account("doc", "15600000063", "pass-word-1", &[Role::Doctor])
        .await;
    let gql = |q: &'static str, v: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let answer = app.graphql(q, v, Some(&admin)).await;
            assert!(answer.get("errors").is_none(), "{answer}");
            answer["data"].clone()
        }
    };
    let hospital = |name: &'static str| {
        gql(
            "mutation($n: String!) { createHospital(input: {name: $n, level: \"三级甲等\", tag: \"综合\", regionCode: 110101, address: \"东城区\", longitude: 116.41, latitude: 39.91}) { legacyId } }",
            json!({"n": name}),
        )
    };
    let h1 = hospital("协和医院").await["createHospital"]["legacyId"]
        .as_i64()
        .unwrap();
    let h2 = hospital("同仁医院").await["createHospital"]["legacyId"]
        .as_i64()
        .unwrap();
    let org = gql(
        "mutation { createOrganization(name: \"红十字\", description: \"简介\") { legacyId } }",
        json!({}),
    )
    .await["createOrganization"]["legacyId"]
        .as_i64()
        .unwrap();
    let today = free_clinics::china_today(Utc::now());
    gql(
        "mutation($input: SpecialProjectInput!) { createSpecialProject(input: $input) { legacyId } }",
        json!({"input": {"organizationId": global_id("Organization", org).0, "hospitalId": global_id("Hospital", h1).0,
            "title": "义诊周", "abstract": "七天", "serviceTargets": ["老年人"], "startsOn": today.to_string(),
            "endsOn": (today + Duration::days(6)).to_string(), "beginTime": "08:00", "endTime": "18:00"}}),
    )
    .await;
    for (title, hospital) in [("全站", None), ("协和", Some(h1)), ("同仁", Some(h2))] {
        gql(
            "mutation($input: BannerFields!) { createBanner(input: $input) { id } }",
            json!({"input": {"title": title, "imageUrl": "https://x/a.png", "jumpMode": "URL", "href": "https://example.org", "audience": "PATIENTS", "hospitalId": hospital}}),
        )
        .await;
    }
    gql(
        "mutation($input: BannerFields!) { createBanner(input: $input) { id } }",
        json!({"input": {"title": "医助", "imageUrl": "https://x/a.png", "audience": "ASSISTANTS"}}),
    )
    .await;
    for (audience, title) in [("PATIENTS", "患者公告"), ("ASSISTANTS", "医助公告")] {
        gql(
            "mutation($input: NewsFields!) { createNews(input: $input) { id } }",
            json!({"input": {"audience": audience, "title": title, "content": "<p>正文</p>"}}),
        )
        .await;
    }
    // Two clinics of the doctor: one at each hospital, the second for the organization.
    let tomorrow = (today + Duration::days(1)).to_string();
    let in_two_days = (today + Duration::days(2)).to_string();
    for (hospital, date) in [(h1, &tomorrow), (h2, &in_two_days)] {
        let published = vol(
            &app,
            "POST",
            "/project",
            Some(
                json!({"date": date, "begin": "09:00:00", "end": "11:00:00", "people_count": 4,
                "lng": "116.40", "lat": "39.90", "addr": "义诊点", "service_target": ["老年人"],
                "abstract": "测血压", "price": 0, "hospital_id": hospital, "departments": "内科"}),
            ),
            &doctor_token,
        )
        .await;
        ok(&published);
    }
    let _ = doctor_id;

    // The patients' homepage: everything of the audience, soonest clinic first.
    let home = vol(&app, "GET", "/custom/homepage", None, &patient_token).await;
    let data = ok(&home);
    let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["banner", "news", "project_list", "special_pro_list"]
    );
    let banners = data["banner"].as_array().unwrap();
    assert_eq!(banners.len(), 1, "{home}");
    assert_eq!(banners[0]["title"], "全站");
    assert_eq!(banners[0]["jump_mode"], 1);
    assert_eq!(banners[0]["href"], "https://example.org");
    assert!(banners[0]["photo"].is_string());
    assert_eq!(data["news"][0]["title"], "患者公告");
    assert!(data["news"][0]["publish_time"].is_string());
    let clinics = data["project_list"].as_array().unwrap();
    assert_eq!(clinics.len(), 2);
    assert_eq!(clinics[0]["date"], tomorrow.as_str());
    for key in [
        "id",
        "plan_time",
        "hospital_info",
        "doctor_info",
        "people_count",
    ] {
        assert!(clinics[0].get(key).is_some(), "{key} missing");
    }
    assert_eq!(data["special_pro_list"][0]["title"], "义诊周");

    // A hospital's homepage: its banners too, its clinics only.
    let home = vol(
        &app,
        "GET",
        &format!("/custom/homepage?hospital_id={h2}"),
        None,
        &patient_token,
    )
    .await;
    let data = ok(&home);
    let titles: Vec<&str> = data["banner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"同仁"));
    assert_eq!(data["project_list"].as_array().unwrap().len(), 1);
    assert_eq!(data["project_list"][0]["date"], in_two_days.as_str());
    assert_eq!(data["special_pro_list"], json!([]));

    // An organization's homepage: its special project; clinics of the org only (none).
    let home = vol(
        &app,
        "GET",
        &format!("/custom/homepage?org_id={org}"),
        None,
        &patient_token,
    )
    .await;
    let data = ok(&home);
    assert_eq!(data["special_pro_list"][0]["title"], "义诊周");
    assert_eq!(data["project_list"], json!([]));
    let missing = vol(
        &app,
        "GET",
        "/custom/homepage?hospital_id=9999",
        None,
        &patient_token,
    )
    .await;
    assert_eq!(missing["error_code"], 404, "{missing}");

    // The assistants' homepage: no special projects.
    let home = vol(&app, "GET", "/assistant/homepage", None, &assistant_token).await;
    let data = ok(&home);
    let keys: Vec<&String> = data.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["banner", "news", "project_list"]);
    assert_eq!(data["banner"][0]["title"], "医助");
    assert_eq!(data["banner"][0]["jump_mode"], 0);
    assert_eq!(data["news"][0]["title"], "医助公告");
    assert_eq!(data["project_list"].as_array().unwrap().len(), 2);

    // Each homepage for its own role.
    for (path, token) in [
        ("/assistant/homepage", &patient_token),
        ("/custom/homepage", &assistant_token),
        ("/assistant/homepage", &doctor_token),
    ] {
        let refused = vol(&app, "GET", path, None, token).await;
        assert_eq!(refused["error_code"], 403, "{path}: {refused}");
    }

    // GraphQL: a short page by default, longer on request.
    let graphql = app
        .graphql(
            "{ volunteerHomepage(audience: PATIENTS) { banners { totalCount nodes { title } } freeClinics(first: 1) { totalCount nodes { title } } specialProjects { totalCount } } }",
            json!({}),
            Some(&patient_token),
        )
        .await;
    let home = &graphql["data"]["volunteerHomepage"];
    assert_eq!(home["banners"]["totalCount"], 1, "{graphql}");
    assert_eq!(home["freeClinics"]["totalCount"], 2);
    assert_eq!(home["freeClinics"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(home["specialProjects"]["totalCount"], 1);
}

#[tokio::test]
async fn demo_data_binds_the_demo_assistant() {
    let app = app().await;
    let services = &app.state.services;
    medgraph::seed::demo_if_empty(&services.db, &services.files, &services.bus)
        .await
        .unwrap();
    let login = app
        .call(
            "POST",
            "/login",
            Some(json!({"phono": "13800000003", "pwd": "demo-pass-2026", "type": 3})),
            &[],
        )
        .await
        .1;
    let token = ok(&login)["token"].as_str().unwrap().to_owned();
    assert_eq!(ok(&login)["help_count"], 3);
    let patients = vol(&app, "GET", "/assistant/patient", None, &token).await;
    assert_eq!(ok(&patients)["page"]["count"], 3);
    let home = vol(&app, "GET", "/assistant/homepage", None, &token).await;
    assert!(!ok(&home)["project_list"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_patient_list_runs_a_fixed_number_of_statements() {
    let app = app().await;
    let (_, token) = assistant(&app, "asst", "15600000071").await;
    for i in 0..4 {
        let mut body = create_body();
        body["email"] = json!(format!("n{i}@example.com"));
        ok(&vol(
            &app,
            "POST",
            "/assistant/create/patient",
            Some(body),
            &token,
        )
        .await);
    }
    let cost = |n: i64| {
        let app = &app;
        let token = token.clone();
        async move {
            let before = app.statements();
            let answer = vol(
                app,
                "GET",
                &format!("/assistant/patient?page_size={n}"),
                None,
                &token,
            )
            .await;
            assert_eq!(ok(&answer)["list"].as_array().unwrap().len() as i64, n);
            app.statements() - before
        }
    };
    let small = cost(1).await;
    let large = cost(4).await;
    assert_eq!(small, large, "statements must not grow with the page size");
}
