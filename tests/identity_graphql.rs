//! Identity through GraphQL: codes, registration, logins, sessions, passwords, contacts,
//! profiles, masking, status, limits and batching.

use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, TestApp, first_code};

const SEND: &str = "mutation($c: Channel!, $d: String!, $p: Purpose!) {
  sendVerificationCode(channel: $c, destination: $d, purpose: $p) { accepted expiresInSeconds resendAfterSeconds }
}";
const REGISTER: &str = "mutation($i: RegisterInput!) {
  register(input: $i) { token isNew user { id username phone roles } }
}";
const LOGIN: &str =
    "mutation($i: LoginInput!) { login(input: $i) { token user { id username roles } } }";
const ME: &str = "{ me { id username phone email status roles } }";

async fn send_code(app: &TestApp, channel: &str, destination: &str, purpose: &str) -> Value {
    app.graphql(
        SEND,
        json!({"c": channel, "d": destination, "p": purpose}),
        None,
    )
    .await
}

/// Registers by phone through codes; returns (token, user id).
async fn register_phone(
    app: &TestApp,
    phone: &str,
    password: &str,
    role: &str,
) -> (String, String) {
    let sent = send_code(app, "SMS", phone, "REGISTER").await;
    assert_eq!(
        sent["data"]["sendVerificationCode"]["accepted"], true,
        "{sent}"
    );
    let code = app.last_code(phone).expect("a code in the outbox");
    assert_eq!(code.len(), 6);
    let r = app
        .graphql(
            REGISTER,
            json!({"i": {"channel": "SMS", "destination": phone, "code": code, "password": password, "role": role}}),
            None,
        )
        .await;
    let payload = &r["data"]["register"];
    assert_eq!(payload["isNew"], true, "{r}");
    (
        payload["token"].as_str().unwrap().to_owned(),
        payload["user"]["id"].as_str().unwrap().to_owned(),
    )
}

fn login_vars(identifier: &str, password: &str) -> Value {
    json!({"i": {"identifier": identifier, "password": password}})
}

#[tokio::test]
async fn register_with_a_phone_code_then_log_in_by_phone_email_and_username() {
    let app = common::app().await;
    let (token, _) = register_phone(&app, "13811112222", "secret-pass-1", "PATIENT").await;
    let me = app.graphql(ME, json!({}), Some(&token)).await;
    assert_eq!(
        me["data"]["me"]["phone"], "13811112222",
        "the owner sees the full number"
    );
    assert_eq!(me["data"]["me"]["roles"], json!(["PATIENT"]));
    let username = me["data"]["me"]["username"].as_str().unwrap().to_owned();

    let by_phone = app
        .graphql(
            LOGIN,
            login_vars("+86 138-1111-2222", "secret-pass-1"),
            None,
        )
        .await;
    assert!(by_phone["data"]["login"]["token"].is_string(), "{by_phone}");
    let by_name = app
        .graphql(LOGIN, login_vars(&username, "secret-pass-1"), None)
        .await;
    assert!(by_name["data"]["login"]["token"].is_string(), "{by_name}");

    // Bind an e-mail address with a code and log in by it.
    let sent = send_code(&app, "EMAIL", "Wang@Example.COM", "CHANGE_CONTACT").await;
    assert_eq!(sent["data"]["sendVerificationCode"]["accepted"], true);
    let code = app.last_code("wang@example.com").unwrap();
    let changed = app
        .graphql(
            "mutation($code: String!) { changeContact(channel: EMAIL, destination: \"wang@example.com\", code: $code) { email } }",
            json!({"code": code}),
            Some(&token),
        )
        .await;
    assert_eq!(
        changed["data"]["changeContact"]["email"], "wang@example.com",
        "{changed}"
    );
    let by_email = app
        .graphql(LOGIN, login_vars("WANG@example.com", "secret-pass-1"), None)
        .await;
    assert!(by_email["data"]["login"]["token"].is_string(), "{by_email}");
}

#[tokio::test]
async fn codes_are_single_use_expire_and_die_after_five_wrong_guesses() {
    let app = common::app().await;
    let phone = "13822223333";
    send_code(&app, "SMS", phone, "REGISTER").await;
    let code = app.last_code(phone).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let attempt = |code: String| json!({"i": {"channel": "SMS", "destination": phone, "code": code, "password": "secret-pass-1", "role": "PATIENT"}});
    for _ in 0..5 {
        let r = app.graphql(REGISTER, attempt(wrong.into()), None).await;
        assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "code");
    }
    // The right code no longer works after five wrong guesses.
    let r = app.graphql(REGISTER, attempt(code), None).await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(app.count_rows("users").await, 0, "nothing was created");

    // A fresh code (after the resend interval) works once.
    expire_resend_window(&app).await;
    send_code(&app, "SMS", phone, "REGISTER").await;
    let code = app.last_code(phone).unwrap();
    let ok = app.graphql(REGISTER, attempt(code.clone()), None).await;
    assert!(ok["data"]["register"]["token"].is_string(), "{ok}");
    let again = app.graphql(REGISTER, attempt(code), None).await;
    assert_eq!(
        first_code(&again),
        "BAD_USER_INPUT",
        "a used code is dead: {again}"
    );

    // An expired code is refused.
    let phone2 = "13822224444";
    send_code(&app, "SMS", phone2, "REGISTER").await;
    let code2 = app.last_code(phone2).unwrap();
    move_code_times(&app, phone2, -600).await;
    let r = app
        .graphql(
            REGISTER,
            json!({"i": {"channel": "SMS", "destination": phone2, "code": code2, "password": "secret-pass-1", "role": "PATIENT"}}),
            None,
        )
        .await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT", "{r}");
    assert_eq!(app.count_rows("users").await, 1);
}

/// Moves every code's creation and expiry time by `seconds` (negative = into the past).
async fn move_code_times(app: &TestApp, destination: &str, seconds: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = &app.state.services.db;
    for code in entity::verification_code::Entity::find()
        .filter(entity::verification_code::Column::Destination.eq(destination))
        .all(db)
        .await
        .unwrap()
    {
        let mut model: entity::verification_code::ActiveModel = code.clone().into();
        use sea_orm::{ActiveModelTrait, Set};
        model.created_at = Set(code.created_at + chrono::Duration::seconds(seconds));
        model.expires_at = Set(code.expires_at + chrono::Duration::seconds(seconds));
        model.update(db).await.unwrap();
    }
}

async fn expire_resend_window(app: &TestApp) {
    use sea_orm::EntityTrait;
    let db = &app.state.services.db;
    let all = entity::verification_code::Entity::find()
        .all(db)
        .await
        .unwrap();
    for d in all
        .iter()
        .map(|c| c.destination.clone())
        .collect::<std::collections::HashSet<_>>()
    {
        move_code_times(app, &d, -120).await;
    }
}

#[tokio::test]
async fn one_code_per_destination_per_minute_and_a_per_address_quota() {
    let app = common::app_with(|c| c.auth.codes_per_ip_per_hour = 3).await;
    let first = send_code(&app, "SMS", "13833334444", "LOGIN").await;
    assert!(first["errors"].is_null(), "{first}");
    let again = send_code(&app, "SMS", "13833334444", "LOGIN").await;
    assert_eq!(first_code(&again), "RATE_LIMITED", "{again}");
    send_code(&app, "SMS", "13833334445", "LOGIN").await;
    let over = send_code(&app, "SMS", "13833334446", "LOGIN").await;
    assert_eq!(
        first_code(&over),
        "RATE_LIMITED",
        "the fourth code from one address: {over}"
    );
    let bad = send_code(&app, "SMS", "12345", "LOGIN").await;
    assert_eq!(first_code(&bad), "BAD_USER_INPUT", "{bad}");
}

#[tokio::test]
async fn codes_for_unknown_accounts_are_accepted_but_not_delivered() {
    let app = common::app().await;
    let r = send_code(&app, "SMS", "13844445555", "RESET").await;
    assert_eq!(r["data"]["sendVerificationCode"]["accepted"], true, "{r}");
    assert_eq!(
        app.last_code("13844445555"),
        None,
        "no account, nothing delivered"
    );
    app.account("known", "13844445556", "secret-pass-1", &[Role::Patient])
        .await;
    let r = send_code(&app, "SMS", "13844445556", "RESET").await;
    assert_eq!(r["data"]["sendVerificationCode"]["accepted"], true);
    assert!(app.last_code("13844445556").is_some());
}

#[tokio::test]
async fn wrong_passwords_look_like_unknown_accounts_and_lock_the_account() {
    let app = common::app().await;
    app.account("alice", "13855556666", "secret-pass-1", &[Role::Patient])
        .await;
    let unknown = app
        .graphql(LOGIN, login_vars("13855550000", "secret-pass-1"), None)
        .await;
    let wrong = app
        .graphql(LOGIN, login_vars("13855556666", "wrong-pass-1"), None)
        .await;
    assert_eq!(first_code(&unknown), "UNAUTHENTICATED");
    assert_eq!(first_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(
        unknown["errors"][0]["message"], wrong["errors"][0]["message"],
        "the same answer for both"
    );
    for _ in 0..4 {
        app.graphql(LOGIN, login_vars("13855556666", "wrong-pass-1"), None)
            .await;
    }
    let locked = app
        .graphql(LOGIN, login_vars("13855556666", "secret-pass-1"), None)
        .await;
    assert_eq!(
        first_code(&locked),
        "RATE_LIMITED",
        "locked even with the right password: {locked}"
    );
}

#[tokio::test]
async fn logout_revokes_the_token_and_sets_an_expired_cookie() {
    let app = common::app().await;
    app.account("bob", "13866667777", "secret-pass-1", &[Role::Patient])
        .await;
    let request = http::Request::post("/graphql")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"query": LOGIN, "variables": login_vars("bob", "secret-pass-1")}).to_string(),
        ))
        .unwrap();
    let (_, headers, body) = app.send(request).await;
    let cookie = headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("medgraph_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    let token = body["data"]["login"]["token"].as_str().unwrap().to_owned();

    let out = app
        .graphql("mutation { logout }", json!({}), Some(&token))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let after = app.graphql(ME, json!({}), Some(&token)).await;
    assert_eq!(first_code(&after), "UNAUTHENTICATED", "{after}");
}

#[tokio::test]
async fn disabled_and_deactivated_accounts_cannot_log_in() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (carol, carol_token) = app
        .account("carol", "13877778888", "secret-pass-1", &[Role::Patient])
        .await;
    let carol_id = medgraph::graphql::node::global_id("User", carol).0;

    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": carol_id}),
            Some(&carol_token),
        )
        .await;
    assert_eq!(
        first_code(&r),
        "FORBIDDEN",
        "only administrators disable: {r}"
    );
    let r = app
        .graphql(
            "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { status } }",
            json!({"id": carol_id}),
            Some(&admin),
        )
        .await;
    assert_eq!(r["data"]["setUserDisabled"]["status"], "DISABLED", "{r}");
    let me = app.graphql(ME, json!({}), Some(&carol_token)).await;
    assert_eq!(first_code(&me), "UNAUTHENTICATED", "sessions ended: {me}");
    let login = app
        .graphql(LOGIN, login_vars("carol", "secret-pass-1"), None)
        .await;
    assert_eq!(first_code(&login), "FORBIDDEN", "{login}");

    // Deactivation by the owner, proven by a code.
    let (_, dave_token) = app
        .account("dave", "13877779999", "secret-pass-1", &[Role::Patient])
        .await;
    send_code(&app, "SMS", "13877779999", "DEACTIVATE").await;
    let code = app.last_code("13877779999").unwrap();
    let wrong = app
        .graphql(
            "mutation { deactivateAccount(channel: SMS, destination: \"13877779999\", code: \"000000x\") }",
            json!({}),
            Some(&dave_token),
        )
        .await;
    assert_eq!(first_code(&wrong), "BAD_USER_INPUT");
    let ok = app
        .graphql(
            "mutation($code: String!) { deactivateAccount(channel: SMS, destination: \"13877779999\", code: $code) }",
            json!({"code": code}),
            Some(&dave_token),
        )
        .await;
    assert_eq!(ok["data"]["deactivateAccount"], true, "{ok}");
    let login = app
        .graphql(LOGIN, login_vars("dave", "secret-pass-1"), None)
        .await;
    assert_eq!(first_code(&login), "UNAUTHENTICATED", "{login}");
    let found = app
        .graphql("{ user(username: \"dave\") { id } }", json!({}), None)
        .await;
    assert!(
        found["data"]["user"].is_null(),
        "deactivated accounts are not found: {found}"
    );
}

#[tokio::test]
async fn concurrent_registrations_of_one_phone_create_exactly_one_account() {
    let app = common::app().await;
    let phone = "13888889999";
    send_code(&app, "SMS", phone, "REGISTER").await;
    let code = app.last_code(phone).unwrap();
    let attempts = (0..8).map(|i| {
        let vars = json!({"i": {"channel": "SMS", "destination": phone, "code": code, "password": "secret-pass-1", "role": "PATIENT", "username": format!("racer{i}")}});
        let app = &app;
        async move { app.graphql(REGISTER, vars, None).await }
    });
    let results = futures::future::join_all(attempts).await;
    let wins = results
        .iter()
        .filter(|r| r["data"]["register"]["token"].is_string())
        .count();
    assert_eq!(wins, 1, "{results:?}");
    for loser in results.iter().filter(|r| !r["errors"].is_null()) {
        assert!(
            ["BAD_USER_INPUT", "CONFLICT"].contains(&first_code(loser)),
            "{loser}"
        );
    }
    assert_eq!(app.count_rows("users").await, 1);
}

#[tokio::test]
async fn private_fields_are_masked_for_others_and_full_for_owner_and_admin() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (eve, eve_token) = app
        .account("eve", "13800001234", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, other) = app
        .account("frank", "13900005678", "secret-pass-1", &[Role::Consultant])
        .await;
    let set = app
        .graphql(
            "mutation { updateProfile(input: {realName: \"张三丰\", idCardNumber: \"11010519491231002x\", address: \"朝阳区国贸三期\"}) { birthday gender idCardNumber } }",
            json!({}),
            Some(&eve_token),
        )
        .await;
    assert_eq!(
        set["data"]["updateProfile"]["idCardNumber"], "11010519491231002X",
        "{set}"
    );
    assert_eq!(
        set["data"]["updateProfile"]["birthday"], "1949-12-31",
        "filled from the ID card"
    );
    assert_eq!(set["data"]["updateProfile"]["gender"], "FEMALE");

    let query = "query($id: ID!) { node(id: $id) { ... on User { disclosure phone email realName idCardNumber birthday age address roles patientProfile { heightCm } } } }";
    let id = medgraph::graphql::node::global_id("User", eve).0;
    let seen = app.graphql(query, json!({"id": id}), Some(&other)).await;
    let user = &seen["data"]["node"];
    assert_eq!(user["disclosure"], "MASKED", "{seen}");
    assert_eq!(user["phone"], "138****1234");
    assert_eq!(user["email"], "e***@example.com");
    assert_eq!(user["realName"], "张**");
    assert_eq!(user["idCardNumber"], "110105********002X");
    assert!(user["birthday"].is_null() && user["age"].is_null() && user["address"].is_null());
    assert_eq!(
        user["roles"],
        json!([]),
        "being a patient is not shown to strangers"
    );
    assert!(user["patientProfile"].is_null());

    let anonymous = app.graphql(query, json!({"id": id}), None).await;
    assert_eq!(anonymous["data"]["node"]["phone"], "138****1234");

    for token in [&eve_token, &admin] {
        let full = app.graphql(query, json!({"id": id}), Some(token)).await;
        let user = &full["data"]["node"];
        assert_eq!(user["disclosure"], "FULL", "{full}");
        assert_eq!(user["phone"], "13800001234");
        assert_eq!(user["realName"], "张三丰");
        assert_eq!(user["address"], "朝阳区国贸三期");
        assert_eq!(user["roles"], json!(["PATIENT"]));
        assert!(user["patientProfile"].is_object());
    }

    // Looking a user up by phone does not unmask it.
    let by_phone = app
        .graphql(
            "{ user(phone: \"13800001234\") { phone } }",
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(by_phone["data"]["user"]["phone"], "138****1234");
}

#[tokio::test]
async fn bad_profile_input_is_refused_and_changes_nothing() {
    let app = common::app().await;
    let (_, token) = app
        .account("gina", "13800002222", "secret-pass-1", &[Role::Patient])
        .await;
    for (input, field) in [
        (
            json!({"idCardNumber": "110105194912310021"}),
            "idCardNumber",
        ),
        (json!({"birthday": "1990-02-30"}), "birthday"),
        (json!({"countyCode": 999999}), "countyCode"),
        (json!({"avatar": "not-a-file"}), "avatar"),
        (json!({"phone": "13999999999"}), "phone"),
        (json!({"username": "a b"}), "username"),
    ] {
        let mut full = input.clone();
        full["realName"] = json!("改名");
        let r = app
            .graphql(
                "mutation($i: ProfileInput!) { updateProfile(input: $i) { realName } }",
                json!({"i": full}),
                Some(&token),
            )
            .await;
        assert_eq!(first_code(&r), "BAD_USER_INPUT", "{input}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
    }
    let me = app
        .graphql("{ me { realName } }", json!({}), Some(&token))
        .await;
    assert!(
        me["data"]["me"]["realName"].is_null(),
        "nothing changed: {me}"
    );

    let r = app
        .graphql(
            "mutation { updatePatientProfile(input: {heightCm: 500}) { id } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&r), "BAD_USER_INPUT");
    let r = app
        .graphql(
            "mutation { updateDoctorProfile(input: {department: \"内科\"}) { id } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&r), "FORBIDDEN", "not a doctor: {r}");
}

#[tokio::test]
async fn update_profiles_is_one_transaction() {
    let app = common::app().await;
    let (_, token) = app
        .account("hank", "13800003333", "secret-pass-1", &[Role::Doctor])
        .await;
    let q = "mutation($p: ProfileInput, $d: DoctorProfileInput, $a: AssistantProfileInput, $held: Boolean!) {
      updateProfiles(profile: $p, doctor: $d, assistant: $a, onlyHeldRoles: $held) {
        realName doctorProfile { department workTime { morning afternoon } }
      }
    }";
    let week = Value::Array(vec![json!({"morning": true, "afternoon": false}); 7]);
    let bad = app
        .graphql(
            q,
            json!({"p": {"realName": "李四"}, "d": {"department": "内科", "workTime": [{"morning": true, "afternoon": true}]}, "held": false}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&bad), "BAD_USER_INPUT", "{bad}");
    let me = app
        .graphql("{ me { realName } }", json!({}), Some(&token))
        .await;
    assert!(
        me["data"]["me"]["realName"].is_null(),
        "the profile part rolled back: {me}"
    );

    let refused = app
        .graphql(
            q,
            json!({"p": {"realName": "李四"}, "a": {"teamName": "x"}, "held": false}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN", "{refused}");
    let ok = app
        .graphql(
            q,
            json!({"p": {"realName": "李四"}, "d": {"department": "内科", "workTime": week}, "a": {"teamName": "x"}, "held": true}),
            Some(&token),
        )
        .await;
    let user = &ok["data"]["updateProfiles"];
    assert_eq!(user["realName"], "李四", "{ok}");
    assert_eq!(user["doctorProfile"]["department"], "内科");
    assert_eq!(
        user["doctorProfile"]["workTime"].as_array().unwrap().len(),
        7
    );
}

#[tokio::test]
async fn passwords_change_and_reset_end_other_sessions() {
    let app = common::app().await;
    let (_, token) = app
        .account("ivy", "13800004444", "secret-pass-1", &[Role::Patient])
        .await;
    let second = app
        .graphql(LOGIN, login_vars("ivy", "secret-pass-1"), None)
        .await;
    let second = second["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let weak = app
        .graphql("mutation { changePassword(oldPassword: \"secret-pass-1\", newPassword: \"12345678\") }", json!({}), Some(&token))
        .await;
    assert_eq!(first_code(&weak), "BAD_USER_INPUT");
    let wrong_old = app
        .graphql("mutation { changePassword(oldPassword: \"nope-nope-1\", newPassword: \"better-pass-2\") }", json!({}), Some(&token))
        .await;
    assert_eq!(wrong_old["errors"][0]["extensions"]["field"], "oldPassword");
    let ok = app
        .graphql("mutation { changePassword(oldPassword: \"secret-pass-1\", newPassword: \"better-pass-2\") }", json!({}), Some(&token))
        .await;
    assert_eq!(ok["data"]["changePassword"], true, "{ok}");
    assert!(
        app.graphql(ME, json!({}), Some(&token)).await["data"]["me"].is_object(),
        "own session stays"
    );
    assert_eq!(
        first_code(&app.graphql(ME, json!({}), Some(&second)).await),
        "UNAUTHENTICATED"
    );
    let old = app
        .graphql(LOGIN, login_vars("ivy", "secret-pass-1"), None)
        .await;
    assert_eq!(first_code(&old), "UNAUTHENTICATED");

    send_code(&app, "SMS", "13800004444", "RESET").await;
    let code = app.last_code("13800004444").unwrap();
    let reset = app
        .graphql(
            "mutation($code: String!) { resetPassword(channel: SMS, destination: \"13800004444\", code: $code, newPassword: \"third-pass-3\") }",
            json!({"code": code}),
            None,
        )
        .await;
    assert_eq!(reset["data"]["resetPassword"], true, "{reset}");
    assert_eq!(
        first_code(&app.graphql(ME, json!({}), Some(&token)).await),
        "UNAUTHENTICATED"
    );
    let new = app
        .graphql(LOGIN, login_vars("ivy", "third-pass-3"), None)
        .await;
    assert!(new["data"]["login"]["token"].is_string(), "{new}");
}

#[tokio::test]
async fn logging_in_as_a_role_needs_the_role() {
    let app = common::app().await;
    app.account("jack", "13800005555", "secret-pass-1", &[Role::Consultant])
        .await;
    let as_patient = app
        .graphql(
            LOGIN,
            json!({"i": {"identifier": "jack", "password": "secret-pass-1", "role": "PATIENT"}}),
            None,
        )
        .await;
    assert_eq!(first_code(&as_patient), "FORBIDDEN", "{as_patient}");
    assert!(
        as_patient["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not registered as a patient"),
        "{as_patient}"
    );
    let as_consultant = app
        .graphql(
            LOGIN,
            json!({"i": {"identifier": "jack", "password": "secret-pass-1", "role": "CONSULTANT"}}),
            None,
        )
        .await;
    let roles = &as_consultant["data"]["login"]["user"]["roles"];
    assert_eq!(roles, &json!(["CONSULTANT"]), "{as_consultant}");
    let as_admin = app
        .graphql(LOGIN, json!({"i": {"identifier": "jack", "password": "secret-pass-1", "role": "ADMINISTRATOR"}}), None)
        .await;
    assert_eq!(first_code(&as_admin), "FORBIDDEN", "{as_admin}");
}

#[tokio::test]
async fn login_or_register_by_phone_creates_once() {
    let app = common::app().await;
    let q = "mutation($code: String!) { loginOrRegisterByPhone(phone: \"13800006666\", code: $code) { isNew user { roles hasPassword } } }";
    send_code(&app, "SMS", "13800006666", "LOGIN").await;
    assert_eq!(
        app.last_code("13800006666"),
        None,
        "login codes go to known numbers only"
    );
    expire_resend_window(&app).await;
    send_code(&app, "SMS", "13800006666", "REGISTER").await;
    let code = app.last_code("13800006666").unwrap();
    let first = app.graphql(q, json!({"code": code}), None).await;
    assert_eq!(
        first["data"]["loginOrRegisterByPhone"]["isNew"], true,
        "{first}"
    );
    assert_eq!(
        first["data"]["loginOrRegisterByPhone"]["user"]["roles"],
        json!(["PATIENT"])
    );
    assert_eq!(
        first["data"]["loginOrRegisterByPhone"]["user"]["hasPassword"],
        false
    );
    expire_resend_window(&app).await;
    send_code(&app, "SMS", "13800006666", "LOGIN").await;
    let code = app.last_code("13800006666").unwrap();
    let second = app.graphql(q, json!({"code": code}), None).await;
    assert_eq!(
        second["data"]["loginOrRegisterByPhone"]["isNew"], false,
        "{second}"
    );
    assert_eq!(app.count_rows("users").await, 1);
}

#[tokio::test]
async fn listing_patients_needs_a_care_relationship() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (patient1, _) = app
        .account("patient1", "13800007771", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, patient) = app
        .account("patient2", "13800007772", "secret-pass-1", &[Role::Patient])
        .await;
    let (_, doctor) = app
        .account("doctor1", "13800007773", "secret-pass-1", &[Role::Doctor])
        .await;
    let q = "{ users(filter: {role: PATIENT}) { totalCount nodes { username } } }";
    let refused = app.graphql(q, json!({}), Some(&patient)).await;
    assert_eq!(first_code(&refused), "FORBIDDEN", "{refused}");
    let anonymous = app.graphql(q, json!({}), None).await;
    assert_eq!(first_code(&anonymous), "UNAUTHENTICATED");
    // A care role alone shows no patient: a verified doctor without a relationship sees none.
    let listed = app.graphql(q, json!({}), Some(&doctor)).await;
    assert_eq!(listed["data"]["users"]["totalCount"], 0, "{listed}");
    // Administrators see every patient.
    let listed = app.graphql(q, json!({}), Some(&admin)).await;
    assert_eq!(listed["data"]["users"]["totalCount"], 2, "{listed}");
    // An assistant sees the patients bound to them (我的病人), and only those.
    let (assistant_id, assistant) = app
        .account(
            "assistant1",
            "13800007774",
            "secret-pass-1",
            &[Role::Assistant],
        )
        .await;
    let listed = app.graphql(q, json!({}), Some(&assistant)).await;
    assert_eq!(listed["data"]["users"]["totalCount"], 0, "{listed}");
    {
        use sea_orm::{ActiveModelTrait, Set};
        entity::assistant_patient::ActiveModel {
            assistant_id: Set(assistant_id),
            patient_id: Set(patient1),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&app.state.services.db)
        .await
        .unwrap();
    }
    let listed = app.graphql(q, json!({}), Some(&assistant)).await;
    assert_eq!(listed["data"]["users"]["totalCount"], 1, "{listed}");
    assert_eq!(listed["data"]["users"]["nodes"][0]["username"], "patient1");
    let doctors = app
        .graphql("{ users(filter: {role: DOCTOR}) { nodes { username doctorProfile { verifyState } } } }", json!({}), None)
        .await;
    assert_eq!(
        doctors["data"]["users"]["nodes"][0]["username"], "doctor1",
        "{doctors}"
    );
}

#[tokio::test]
async fn a_deep_user_list_runs_a_fixed_number_of_statements() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    for i in 0..12 {
        let role = if i % 2 == 0 {
            Role::Doctor
        } else {
            Role::Consultant
        };
        app.account(
            &format!("member{i}"),
            &format!("1370000{i:04}"),
            "secret-pass-1",
            &[role],
        )
        .await;
    }
    let q = "query($n: Int!) { users(first: $n) { totalCount nodes { username roles avatar { url } city { name }
      doctorProfile { department } consultantProfile { organization } patientProfile { heightCm } } } }";
    let before = app.statements();
    let small = app.graphql(q, json!({"n": 3}), Some(&admin)).await;
    let small_count = app.statements() - before;
    assert!(small["errors"].is_null(), "{small}");
    let before = app.statements();
    let large = app.graphql(q, json!({"n": 13}), Some(&admin)).await;
    let large_count = app.statements() - before;
    assert_eq!(
        large["data"]["users"]["nodes"].as_array().unwrap().len(),
        13
    );
    eprintln!("deep user list: {small_count} statements for 3 users, {large_count} for 13");
    assert_eq!(
        small_count, large_count,
        "statements do not grow with the page size"
    );
    assert!(large_count <= 10, "{large_count} statements");
}

#[tokio::test]
async fn per_address_limits_follow_the_forwarded_address_only_when_trusted() {
    let app = common::app_with(|c| {
        c.auth.codes_per_ip_per_hour = 1;
        c.http.trust_forwarded_for = true;
    })
    .await;
    let send_from = |ip: &'static str, phone: &'static str| {
        let body =
            json!({"query": SEND, "variables": {"c": "SMS", "d": phone, "p": "LOGIN"}}).to_string();
        let app = &app;
        async move {
            let request = http::Request::post("/graphql")
                .header("content-type", "application/json")
                .header("x-forwarded-for", ip)
                .header("x-medgraph-client-ip", "10.9.9.9")
                .body(axum::body::Body::from(body))
                .unwrap();
            app.send_json(request).await.1
        }
    };
    assert!(send_from("10.0.0.1", "13800008881").await["errors"].is_null());
    assert!(send_from("10.0.0.2", "13800008882").await["errors"].is_null());
    let limited = send_from("10.0.0.1", "13800008883").await;
    assert_eq!(first_code(&limited), "RATE_LIMITED", "{limited}");
}

/// A minimal SMTP server that accepts one message and hands back its DATA section.
async fn fake_smtp() -> (u16, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
        let mut data = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                    data.push('\n');
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                write.write_all(b"250 fake\r\n").await.unwrap();
            } else if upper.starts_with("DATA") {
                in_data = true;
                write.write_all(b"354 go ahead\r\n").await.unwrap();
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                write.write_all(b"250 ok\r\n").await.unwrap();
            }
        }
        let _ = tx.send(data);
    });
    (port, rx)
}

#[tokio::test]
async fn email_codes_go_through_smtp_when_configured() {
    let (port, received) = fake_smtp().await;
    let app = common::app_with(|c| {
        c.auth.smtp = Some(medgraph::config::SmtpConfig {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "medgraph <no-reply@medgraph.test>".into(),
        });
    })
    .await;
    let r = send_code(&app, "EMAIL", "someone@example.org", "REGISTER").await;
    assert_eq!(r["data"]["sendVerificationCode"]["accepted"], true, "{r}");
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), received)
        .await
        .unwrap()
        .unwrap();
    assert!(message.contains("To: someone@example.org"), "{message}");
    let code: String = message
        .split("verification code is ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{message}");
    assert_eq!(
        app.last_code("someone@example.org"),
        None,
        "e-mail did not go to the outbox"
    );
    // The mailed code registers the address.
    let reg = app
        .graphql(
            REGISTER,
            json!({"i": {"channel": "EMAIL", "destination": "someone@example.org", "code": code, "password": "secret-pass-1", "role": "CONSULTANT"}}),
            None,
        )
        .await;
    assert!(reg["data"]["register"]["token"].is_string(), "{reg}");
}
