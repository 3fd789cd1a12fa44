//! Identity through the volunteer dialect: captcha + SMS codes, registration, logins, the
//! three profile structures, profile completion, masking, password reset and logout, each
//! error in the `{error_code, data, error_message}` envelope and without side effects.

use std::collections::BTreeSet;

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, TestApp};

const PW: &str = "secret-pass-1";

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

const DOCTOR_KEYS: &[&str] = &[
    "id",
    "real_name",
    "phone",
    "avatars",
    "idno",
    "hospital",
    "departments",
    "job_position",
    "good_at",
    "work_photo",
    "abstract",
    "visits_count",
    "patient_count",
    "service_time_long",
    "work_time",
    "is_verify",
    "score",
    "org_list",
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

/// The keys of a structure, plus the extra ones expected.
fn keys_of(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn expected(keys: &[&str], extra: &[&str]) -> BTreeSet<String> {
    keys.iter().chain(extra).map(|k| (*k).to_owned()).collect()
}

/// The `data` of a success envelope.
fn ok(v: &Value) -> Value {
    assert_eq!(v["error_code"], 0, "{v}");
    assert_eq!(v["error_message"], "", "{v}");
    v["data"].clone()
}

/// Asserts a failure envelope with `code`; returns the message.
fn failed(v: &Value, code: u16) -> String {
    assert_eq!(v["error_code"], code, "{v}");
    assert!(v["data"].is_null(), "{v}");
    let message = v["error_message"].as_str().unwrap().to_owned();
    assert!(!message.is_empty(), "{v}");
    message
}

async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Value {
    let headers: Vec<(&str, &str)> = token.map(|t| ("x-auth-token", t)).into_iter().collect();
    let (status, v) = app.call(method, uri, body, &headers).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the volunteer dialect answers 200: {v}"
    );
    v
}

async fn post(app: &TestApp, uri: &str, body: Value) -> Value {
    call(app, "POST", uri, Some(body), None).await
}

/// Fetches a captcha: (cookie value, answer from the outbox).
async fn captcha(app: &TestApp) -> (String, String) {
    let (status, headers, body) = app
        .send(Request::get("/captcha/app").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert!(body.starts_with(b"\x89PNG"), "a PNG image");
    let cookie = headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let id = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("medgraph_captcha="))
        .unwrap_or_else(|| panic!("no captcha cookie: {cookie}"))
        .to_owned();
    let answer = app
        .last_code(&id)
        .expect("the captcha answer in the outbox");
    (id, answer)
}

async fn verifycode(app: &TestApp, phone: &str, answer: &str, cookie: Option<&str>) -> Value {
    let cookie = cookie.map(|id| format!("medgraph_captcha={id}"));
    let headers: Vec<(&str, &str)> = cookie
        .as_deref()
        .map(|c| ("cookie", c))
        .into_iter()
        .collect();
    let (status, v) = app
        .call(
            "POST",
            "/verifycode",
            Some(json!({"phone": phone, "captcha_code": answer})),
            &headers,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    v
}

/// Sends a code with POST /phone/verifycode and reads it from the outbox.
async fn sms_code(app: &TestApp, phone: &str) -> String {
    let v = post(app, "/phone/verifycode", json!({"phone": phone})).await;
    assert_eq!(ok(&v), json!({}));
    app.last_code(phone).expect("a code in the outbox")
}

/// Registers through the dialect; returns the profile structure (with `token`).
async fn register(app: &TestApp, phone: &str, kind: i64) -> Value {
    let code = sms_code(app, phone).await;
    let v = post(
        app,
        "/register",
        json!({"phono": phone, "verify_code": code, "pwd": PW, "type": kind}),
    )
    .await;
    ok(&v)
}

fn token_of(profile: &Value) -> String {
    profile["token"].as_str().unwrap().to_owned()
}

/// Another code may go to `destination` (moves its codes two minutes back).
async fn expire_resend_window(app: &TestApp, destination: &str) {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = &app.state.services.db;
    for code in entity::verification_code::Entity::find()
        .filter(entity::verification_code::Column::Destination.eq(destination))
        .all(db)
        .await
        .unwrap()
    {
        let mut model: entity::verification_code::ActiveModel = code.clone().into();
        model.created_at = Set(code.created_at - chrono::Duration::seconds(120));
        model.update(db).await.unwrap();
    }
}

#[tokio::test]
async fn captcha_guards_the_sms_code_and_each_image_allows_one_try() {
    let app = common::app().await;
    let phone = "15512340001";

    // A wrong answer: an error and no code.
    let (id, answer) = captcha(&app).await;
    let wrong = if answer.eq_ignore_ascii_case("xxxxx") {
        "yyyyy"
    } else {
        "xxxxx"
    };
    let v = verifycode(&app, phone, wrong, Some(&id)).await;
    failed(&v, 422);
    assert_eq!(app.last_code(phone), None, "no SMS after a wrong captcha");
    // The image is used up, even with the right answer now.
    let v = verifycode(&app, phone, &answer, Some(&id)).await;
    failed(&v, 422);
    assert_eq!(app.last_code(phone), None);

    // No cookie, no captcha answer, no phone: clear errors, no code.
    let (id, answer) = captcha(&app).await;
    let message = failed(&verifycode(&app, phone, &answer, None).await, 422);
    assert!(message.contains("/captcha/app"), "{message}");
    let v = post(&app, "/verifycode", json!({"phone": phone})).await;
    assert!(failed(&v, 422).contains("captcha_code"));
    let v = post(&app, "/verifycode", json!({"captcha_code": answer})).await;
    assert!(failed(&v, 422).contains("phone"));
    assert_eq!(app.last_code(phone), None);

    // The right answer with the cookie: the code goes out.
    let v = verifycode(&app, phone, &answer.to_uppercase(), Some(&id)).await;
    assert_eq!(ok(&v), json!({}));
    let code = app.last_code(phone).expect("an SMS code");
    assert_eq!(code.len(), 6);
    // The captcha cannot be reused for another number.
    let v = verifycode(&app, "15512340002", &answer, Some(&id)).await;
    failed(&v, 422);
    assert_eq!(app.last_code("15512340002"), None);

    // A bad number is refused after a good captcha, without a code.
    let (id, answer) = captcha(&app).await;
    let v = verifycode(&app, "12345", &answer, Some(&id)).await;
    failed(&v, 422);
    assert_eq!(app.last_code("12345"), None);

    // The code registers a doctor (the documented example) ...
    let users = app.count_rows("users").await;
    let v = post(
        &app,
        "/register",
        json!({"phono": phone, "verify_code": code, "pwd": PW, "type": 2}),
    )
    .await;
    let doctor = ok(&v);
    assert_eq!(
        keys_of(&doctor),
        expected(DOCTOR_KEYS, &["token"]),
        "{doctor}"
    );
    assert_eq!(doctor["phone"], phone);
    assert!(doctor["id"].as_i64().unwrap() > 0);
    assert_eq!(doctor["work_photo"], json!([]));
    assert_eq!(doctor["is_verify"], 0, "a new profile waits for review");
    assert_eq!(doctor["visits_count"], 0);
    assert_eq!(
        doctor["score"], "",
        "no score before the first: the empty value"
    );
    assert_eq!(app.count_rows("users").await, users + 1);

    // ... whose token works in X-auth-token and whose password works in GraphQL `login`.
    let token = token_of(&doctor);
    let me = ok(&call(&app, "GET", "/user", None, Some(&token)).await);
    assert_eq!(keys_of(&me), expected(DOCTOR_KEYS, &[]), "{me}");
    assert_eq!(me["id"], doctor["id"]);
    let login = app
        .graphql(
            "mutation($p: String!, $w: String!) { login(input: {identifier: $p, password: $w}) { token user { phone roles } } }",
            json!({"p": phone, "w": PW}),
            None,
        )
        .await;
    // Registering as a doctor applies for the role: it acts only once approved, so the
    // session carries no role yet and the application waits for review.
    assert_eq!(
        login["data"]["login"]["user"]["roles"],
        json!([]),
        "{login}"
    );
    assert_eq!(login["data"]["login"]["user"]["phone"], phone);
    let session = login["data"]["login"]["token"].as_str().unwrap();
    let mine = app
        .graphql(
            "{ myRoleApplications { role state } }",
            json!({}),
            Some(session),
        )
        .await;
    assert_eq!(
        mine["data"]["myRoleApplications"],
        json!([{"role": "DOCTOR", "state": "PENDING"}]),
        "{mine}"
    );

    // The code is used up.
    let v = post(
        &app,
        "/register",
        json!({"phono": phone, "verify_code": code, "pwd": PW, "type": 1}),
    )
    .await;
    assert_eq!(v["error_code"].as_i64().map(|c| c != 0), Some(true), "{v}");
    assert_eq!(app.count_rows("users").await, users + 1);
}

#[tokio::test]
async fn register_as_each_type_answers_its_structure() {
    let app = common::app().await;
    let patient = register(&app, "15512340011", 1).await;
    assert_eq!(
        keys_of(&patient),
        expected(PATIENT_KEYS, &["token"]),
        "{patient}"
    );
    assert_eq!(patient["sex"], 0, "undisclosed until the ID card says");
    assert_eq!(patient["is_verify"], 1, "patients start enabled");
    assert_eq!(patient["join_project_count"], 0);
    let assistant = register(&app, "15512340012", 3).await;
    assert_eq!(
        keys_of(&assistant),
        expected(ASSISTANT_KEYS, &["token"]),
        "{assistant}"
    );
    assert_eq!(assistant["help_count"], 0);
    // `type` as a string, body form-encoded: legacy clients send both.
    let code = sms_code(&app, "15512340013").await;
    let form = format!("phono=15512340013&verify_code={code}&pwd={PW}&type=2");
    let (status, v) = app
        .send_json(
            Request::post("/register")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys_of(&ok(&v)), expected(DOCTOR_KEYS, &["token"]));
    assert_eq!(app.count_rows("users").await, 3);
}

#[tokio::test]
async fn registration_errors_change_nothing() {
    let app = common::app().await;
    app.account("taken", "15512340021", PW, &[Role::Patient])
        .await;
    let users = app.count_rows("users").await;

    // Duplicate phone (with the account's own password, a verified code would apply for the
    // type on that account; with another password it reaches nothing).
    let code = sms_code(&app, "15512340021").await;
    let v = post(
        &app,
        "/register",
        json!({"phono": "15512340021", "verify_code": code, "pwd": "another-pass-2", "type": 1}),
    )
    .await;
    assert!(failed(&v, 409).contains("already registered"));

    // Wrong code, missing and mistyped fields, a weak password, an unknown type.
    let code = sms_code(&app, "15512340022").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let attempts = [
        (
            json!({"phono": "15512340022", "verify_code": wrong, "pwd": PW, "type": 1}),
            422,
        ),
        (
            json!({"phono": "15512340022", "verify_code": code, "type": 1}),
            422,
        ),
        (
            json!({"phono": "15512340022", "verify_code": code, "pwd": PW}),
            422,
        ),
        (
            json!({"phono": "15512340022", "verify_code": code, "pwd": PW, "type": "doctor"}),
            422,
        ),
        (
            json!({"phono": "15512340022", "verify_code": code, "pwd": PW, "type": 4}),
            422,
        ),
        (
            json!({"phono": "15512340022", "verify_code": code, "pwd": "short", "type": 1}),
            422,
        ),
        (
            json!({"phone": "15512340022", "verify_code": code, "pwd": PW, "type": 1}),
            422,
        ),
    ];
    for (body, status) in attempts {
        let v = post(&app, "/register", body.clone()).await;
        failed(&v, status);
    }
    assert_eq!(app.count_rows("users").await, users, "nothing was created");
    // The right code still works afterwards (one wrong guess of five).
    let v = post(
        &app,
        "/register",
        json!({"phono": "15512340022", "verify_code": code, "pwd": PW, "type": 1}),
    )
    .await;
    ok(&v);
    assert_eq!(app.count_rows("users").await, users + 1);
}

#[tokio::test]
async fn login_as_a_type_and_its_errors() {
    let app = common::app().await;
    let doctor = register(&app, "15512340031", 2).await;
    let login = |kind: Value, pwd: &str| json!({"phono": "15512340031", "pwd": pwd, "type": kind});

    let v = post(&app, "/login", login(json!(2), PW)).await;
    let profile = ok(&v);
    assert_eq!(
        keys_of(&profile),
        expected(DOCTOR_KEYS, &["token"]),
        "{profile}"
    );
    assert_eq!(profile["id"], doctor["id"]);
    assert_ne!(profile["token"], doctor["token"], "a new session");
    let token = token_of(&profile);
    assert_eq!(
        ok(&call(&app, "GET", "/user", None, Some(&token)).await)["id"],
        doctor["id"]
    );

    // Wrong password and unknown phone: the same answer.
    let wrong = failed(
        &post(&app, "/login", login(json!(2), "wrong-pass-1")).await,
        401,
    );
    let unknown = failed(
        &post(
            &app,
            "/login",
            json!({"phono": "15512349999", "pwd": PW, "type": 2}),
        )
        .await,
        401,
    );
    assert_eq!(wrong, unknown);
    // Missing and mistyped fields.
    failed(
        &post(&app, "/login", json!({"phono": "15512340031", "pwd": PW})).await,
        422,
    );
    failed(&post(&app, "/login", login(json!("x"), PW)).await, 422);
    failed(
        &post(&app, "/login", json!({"pwd": PW, "type": 2})).await,
        422,
    );

    // GET /user without a token.
    failed(&call(&app, "GET", "/user", None, None).await, 401);

    // Logout: the token dies at once; logging out again is refused.
    let v = call(&app, "GET", "/logout", None, Some(&token)).await;
    assert_eq!(ok(&v), json!({}));
    failed(&call(&app, "GET", "/user", None, Some(&token)).await, 401);
    failed(&call(&app, "GET", "/logout", None, Some(&token)).await, 401);
    failed(
        &call(
            &app,
            "PUT",
            "/user",
            Some(json!({"real_name": "张三", "idno": "11010519491231002X"})),
            Some(&token),
        )
        .await,
        401,
    );
    // The registration's session is another one and still works.
    ok(&call(&app, "GET", "/user", None, Some(&token_of(&doctor))).await);
}

#[tokio::test]
async fn disabled_and_deactivated_accounts_cannot_log_in() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let user = register(&app, "15512340041", 1).await;
    let token = token_of(&user);
    let gid = app.graphql("{ me { id } }", json!({}), Some(&token)).await["data"]["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": gid}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["setUserDisabled"]["status"], "DISABLED", "{r}");
    let login = json!({"phono": "15512340041", "pwd": PW, "type": 1});
    let message = failed(&post(&app, "/login", login.clone()).await, 403);
    assert!(message.contains("disabled"), "{message}");
    failed(&call(&app, "GET", "/user", None, Some(&token)).await, 401);
    let sessions = app.count_rows("session_tokens").await;
    failed(&post(&app, "/login", login.clone()).await, 403);
    assert_eq!(
        app.count_rows("session_tokens").await,
        sessions,
        "no session opened"
    );

    // Re-enabled, then deactivated by its owner.
    app.graphql(
        "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: false) { status } }",
        json!({"id": gid}),
        Some(&admin),
    )
    .await;
    let token = token_of(&ok(&post(&app, "/login", login.clone()).await));
    let r = app
        .graphql("mutation { deactivateAccount }", json!({}), Some(&token))
        .await;
    assert_eq!(r["data"]["deactivateAccount"], true, "{r}");
    failed(&post(&app, "/login", login).await, 401);
    failed(&call(&app, "GET", "/user", None, Some(&token)).await, 401);
}

#[tokio::test]
async fn login_by_phone_registers_then_logs_in() {
    let app = common::app().await;
    let users = app.count_rows("users").await;

    // A new number, in `photo` as documented: a new patient.
    let code = sms_code(&app, "15512340051").await;
    let v = post(
        &app,
        "/login/phone",
        json!({"photo": "15512340051", "verify_code": code}),
    )
    .await;
    let created = ok(&v);
    assert_eq!(
        keys_of(&created),
        expected(PATIENT_KEYS, &["token", "is_new"]),
        "{created}"
    );
    assert_eq!(created["is_new"], 1);
    assert_eq!(created["phone"], "15512340051");
    assert_eq!(app.count_rows("users").await, users + 1);
    ok(&call(&app, "GET", "/user", None, Some(&token_of(&created))).await);

    // The same number again (a fresh code), spelled `phone`: the same account.
    expire_resend_window(&app, "15512340051").await;
    let code = sms_code(&app, "15512340051").await;
    let v = post(
        &app,
        "/login/phone",
        json!({"phone": "15512340051", "verify_code": code}),
    )
    .await;
    let again = ok(&v);
    assert_eq!(again["is_new"], 0);
    assert_eq!(again["id"], created["id"]);
    assert_eq!(app.count_rows("users").await, users + 1);

    // An existing doctor gets the doctor structure.
    app.account("doc", "15512340052", PW, &[Role::Doctor]).await;
    let code = sms_code(&app, "15512340052").await;
    let doctor = ok(&post(
        &app,
        "/login/phone",
        json!({"photo": "15512340052", "verify_code": code}),
    )
    .await);
    assert_eq!(
        keys_of(&doctor),
        expected(DOCTOR_KEYS, &["token", "is_new"]),
        "{doctor}"
    );
    assert_eq!(doctor["is_new"], 0);

    // Wrong or reused code, no number: errors, nobody created.
    let users = app.count_rows("users").await;
    let code = sms_code(&app, "15512340053").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    failed(
        &post(
            &app,
            "/login/phone",
            json!({"photo": "15512340053", "verify_code": wrong}),
        )
        .await,
        422,
    );
    let message = failed(
        &post(&app, "/login/phone", json!({"verify_code": code})).await,
        422,
    );
    assert!(message.contains("photo"), "{message}");
    failed(
        &post(
            &app,
            "/login/phone",
            json!({"photo": "15512340051", "verify_code": code}),
        )
        .await,
        422,
    );
    assert_eq!(app.count_rows("users").await, users);
}

/// An image uploaded through POST /imgupload; its URL.
async fn upload_image(app: &TestApp, token: &str) -> String {
    let (content_type, body) =
        common::multipart("file", "a.png", "image/png", common::PNG_1X1, &[]);
    let (status, v) = app
        .send_json(
            Request::post("/imgupload")
                .header("content-type", content_type)
                .header("x-auth-token", token)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    ok(&v)["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn put_user_completes_each_type_and_validates() {
    let app = common::app().await;

    // Patient: the documented form.
    let patient = register(&app, "15512340061", 1).await;
    let token = token_of(&patient);
    let avatar = upload_image(&app, &token).await;
    let form = json!({
        "avatars": avatar,
        "real_name": "张三",
        "idno": "11010519491231002X",
        "height": "172",
        "weight": "60.5",
        "marital_status": 1,
        "drink_status": 1,
        "smoking_status": "0",
        "email": "zhang@example.com",
        "province_id": 330000,
        "city_id": "330100",
        "county_id": 330106,
        "addr": "文三路 1 号",
        "team_name": "ignored: not an assistant",
        "departments": "ignored: not a doctor",
    });
    let v = call(&app, "PUT", "/user", Some(form), Some(&token)).await;
    let done = ok(&v);
    assert_eq!(keys_of(&done), expected(PATIENT_KEYS, &[]), "{done}");
    assert_eq!(done["real_name"], "张三");
    assert_eq!(done["idno"], "11010519491231002X");
    assert_eq!(done["sex"], 2, "from the ID card");
    assert_eq!(done["birthday"], "1949-12-31");
    assert!(done["age"].as_i64().unwrap() >= 75);
    assert_eq!(done["avatars"], avatar);
    assert_eq!(done["height"], "172");
    assert_eq!(done["weight"], "60.5");
    assert_eq!(done["marital_status"], 1);
    assert_eq!(done["drink_status"], 1);
    assert_eq!(done["smoking_status"], 0);
    assert_eq!(done["email"], "zhang@example.com");
    assert_eq!(done["province_id"], 330000);
    assert_eq!(done["province_name"], "浙江省");
    assert_eq!(done["city_name"], "杭州市");
    assert_eq!(done["county_name"], "西湖区");
    assert_eq!(done["addr"], "文三路 1 号");
    let roles = app
        .graphql(
            "{ me { roles assistantProfile { teamName } doctorProfile { department } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(roles["data"]["me"]["roles"], json!(["PATIENT"]), "{roles}");
    assert!(roles["data"]["me"]["doctorProfile"].is_null());
    assert_eq!(
        ok(&call(&app, "GET", "/user", None, Some(&token)).await),
        done
    );

    // Validation: a bad ID check digit, missing required fields, mistyped and out-of-range
    // values; each changes nothing (the patient section neither).
    let bad = [
        json!({"real_name": "李四", "idno": "110105194912310021", "height": "180"}),
        json!({"idno": "11010519491231002X", "height": "180"}),
        json!({"real_name": "李四", "height": "180"}),
        json!({"real_name": "李四", "idno": "11010519491231002X", "height": "tall"}),
        json!({"real_name": "李四", "idno": "11010519491231002X", "height": "999"}),
        json!({"real_name": "李四", "idno": "11010519491231002X", "marital_status": 9}),
        json!({"real_name": "李四", "idno": "11010519491231002X", "province_id": 999999}),
        json!({"real_name": "李四", "idno": "11010519491231002X", "avatars": "http://x/none.png"}),
    ];
    for body in bad {
        let v = call(&app, "PUT", "/user", Some(body.clone()), Some(&token)).await;
        failed(&v, 422);
        let now = ok(&call(&app, "GET", "/user", None, Some(&token)).await);
        assert_eq!(now, done, "unchanged after {body}");
    }
    failed(
        &call(
            &app,
            "PUT",
            "/user",
            Some(json!({"real_name": "李四", "idno": "11010519491231002X"})),
            None,
        )
        .await,
        401,
    );

    // Doctor: work_photo and work_time as JSON strings (documented), hospital_id as a string.
    let doctor = register(&app, "15512340062", 2).await;
    let token = token_of(&doctor);
    let photo = upload_image(&app, &token).await;
    let week = json!([
        {"morning": 1, "afternoon": 0},
        {"morning": 1, "afternoon": 1},
        {"morning": 0, "afternoon": 1},
        {"morning": 1, "afternoon": 0},
        {"morning": 1, "afternoon": 0},
        {"morning": 0, "afternoon": 0},
        {"morning": 0, "afternoon": 0}
    ]);
    let form = json!({
        "real_name": "李医生",
        "idno": "110105197807138524",
        "hospital_id": "12",
        "departments": "内科",
        "job_position": "主任",
        "good_at": "高血压",
        "work_photo": json!([photo]).to_string(),
        "abstract": "个人简介",
        "work_time": week.to_string(),
        "height": "999",
    });
    let v = call(&app, "PUT", "/user", Some(form), Some(&token)).await;
    let done = ok(&v);
    assert_eq!(keys_of(&done), expected(DOCTOR_KEYS, &[]), "{done}");
    assert_eq!(done["real_name"], "李医生");
    assert_eq!(done["departments"], "内科");
    assert_eq!(done["job_position"], "主任");
    assert_eq!(done["good_at"], "高血压");
    assert_eq!(done["work_photo"], json!([photo]));
    assert_eq!(done["abstract"], "个人简介");
    assert_eq!(done["work_time"], week);
    // The same as arrays.
    let v = call(
        &app,
        "PUT",
        "/user",
        Some(json!({"real_name": "李医生", "idno": "110105197807138524", "work_photo": [photo], "work_time": week})),
        Some(&token),
    )
    .await;
    assert_eq!(ok(&v), done);
    // Six days are refused, nothing changes.
    let v = call(
        &app,
        "PUT",
        "/user",
        Some(json!({"real_name": "王医生", "idno": "110105197807138524", "work_time": week.as_array().unwrap()[..6]})),
        Some(&token),
    )
    .await;
    failed(&v, 422);
    assert_eq!(
        ok(&call(&app, "GET", "/user", None, Some(&token)).await),
        done
    );

    // Assistant.
    let assistant = register(&app, "15512340063", 3).await;
    let token = token_of(&assistant);
    let v = call(
        &app,
        "PUT",
        "/user",
        Some(json!({"real_name": "王医助", "idno": "110105197807138524", "team_name": "志愿团队", "email": "wang@example.com", "province_id": 110000, "addr": "国贸三期"})),
        Some(&token),
    )
    .await;
    let done = ok(&v);
    assert_eq!(keys_of(&done), expected(ASSISTANT_KEYS, &[]), "{done}");
    assert_eq!(done["team_name"], "志愿团队");
    assert_eq!(done["email"], "wang@example.com");
    assert_eq!(done["province_name"], "北京市");
    assert_eq!(done["addr"], "国贸三期");
}

#[tokio::test]
async fn another_users_private_fields_are_masked() {
    let app = common::app().await;
    let patient = register(&app, "15512340071", 1).await;
    let token = token_of(&patient);
    let id = patient["id"].as_i64().unwrap();
    let full = ok(&call(
        &app,
        "PUT",
        "/user",
        Some(json!({"real_name": "张三", "idno": "11010519491231002X", "height": "172", "addr": "国贸三期", "email": "zhang@example.com"})),
        Some(&token),
    )
    .await);

    // The owner sees everything.
    let own = ok(&call(&app, "GET", &format!("/user/{id}"), None, Some(&token)).await);
    assert_eq!(own, full);

    // A doctor (and an anonymous caller) see it masked; health data not at all.
    let (_, doctor) = app.account("doc", "15512340072", PW, &[Role::Doctor]).await;
    for caller in [Some(doctor.as_str()), None] {
        let seen = ok(&call(&app, "GET", &format!("/user/{id}"), None, caller).await);
        assert_eq!(keys_of(&seen), expected(PATIENT_KEYS, &[]), "{seen}");
        assert_eq!(seen["id"], id);
        assert_eq!(seen["phone"], "155****0071", "{seen}");
        assert_eq!(seen["idno"], "110105********002X");
        assert_ne!(seen["real_name"], "张三");
        assert_ne!(seen["email"], "zhang@example.com");
        assert_eq!(seen["birthday"], "");
        assert_eq!(seen["age"], 0);
        assert_eq!(seen["addr"], "");
        assert!(seen["height"] == "", "health data is the owner's: {seen}");
        assert!(seen.get("token").is_none());
    }

    // The doctor's structure, seen by the patient.
    let doctor_id = ok(&call(&app, "GET", "/user", None, Some(&doctor)).await)["id"].clone();
    let seen = ok(&call(
        &app,
        "GET",
        &format!("/user/{doctor_id}"),
        None,
        Some(&token),
    )
    .await);
    assert_eq!(keys_of(&seen), expected(DOCTOR_KEYS, &[]), "{seen}");
    assert_eq!(seen["phone"], "155****0072");

    // Unknown and malformed ids.
    failed(
        &call(&app, "GET", "/user/999999", None, Some(&token)).await,
        404,
    );
    failed(
        &call(&app, "GET", "/user/abc", None, Some(&token)).await,
        422,
    );
}

#[tokio::test]
async fn reset_password_with_an_sms_code() {
    let app = common::app().await;
    let (_, old_token) = app
        .account("reset", "15512340081", PW, &[Role::Patient])
        .await;
    let code = sms_code(&app, "15512340081").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let reset = |code: &str, pwd: &str| json!({"phono": "15512340081", "verify_code": code, "pwd": pwd, "type": 1});
    let login = json!({"phono": "15512340081", "pwd": PW, "type": 1});

    // Errors change nothing: the old password still works.
    failed(
        &post(&app, "/reset/pwd", reset(wrong, "new-pass-2")).await,
        422,
    );
    failed(&post(&app, "/reset/pwd", reset(&code, "short")).await, 422);
    failed(
        &post(
            &app,
            "/reset/pwd",
            json!({"phono": "15512340081", "verify_code": code}),
        )
        .await,
        422,
    );
    ok(&post(&app, "/login", login.clone()).await);
    ok(&call(&app, "GET", "/user", None, Some(&old_token)).await);

    // `type` is optional and ignored; every session ends.
    let v = post(
        &app,
        "/reset/pwd",
        json!({"phono": "15512340081", "verify_code": code, "pwd": "new-pass-2"}),
    )
    .await;
    assert_eq!(ok(&v), json!({}));
    failed(
        &call(&app, "GET", "/user", None, Some(&old_token)).await,
        401,
    );
    failed(&post(&app, "/login", login).await, 401);
    ok(&post(
        &app,
        "/login",
        json!({"phono": "15512340081", "pwd": "new-pass-2", "type": 1}),
    )
    .await);
    // The code is used up.
    failed(
        &post(&app, "/reset/pwd", reset(&code, "new-pass-3")).await,
        422,
    );
}
